"""Envelope figures as optimizer limits: enforced by default, circulating load (a circuit
figure) as a written constraint, both verified by enumeration and re-simulation."""

import pytest

from oreflow.api import optimize
from oreflow.flowsheet.case import parse_case
from tests.conftest import CASES

TANKS = '"units.cil.tank_volume_m3" = 1100.0   # each of the 7 installed tanks'


def _case(extra_max: str = "", envelopes: str = "enforce"):
    text = (CASES / "free_milling_cil.toml").read_text(encoding="utf-8")
    assert TANKS in text and "\n[constraints]\n" in text
    text = text.replace(TANKS, TANKS + "\n" + extra_max)
    text = text.replace("\n[constraints]\n", f'\n[constraints]\nenvelopes = "{envelopes}"\n')
    return parse_case(text, "free_milling_cil.toml")


def _cl(result) -> float:
    units = result.plan.units.set_index(["unit", "metric"])["value"]
    return float(units.loc[("mill", "circulating_load_frac")])


def _agrees_with_enumeration(result) -> None:
    assert result.status == "optimal"  # model and re-simulation agree to 1e-6
    enum = result.meta["enumeration"]
    assert enum["column"] == result.decisions["column"]
    assert enum["objective"] == pytest.approx(result.decisions["objective"], rel=1e-9)


@pytest.mark.slow
def test_free_milling_optimum_respects_envelopes_and_a_circulating_load_limit():
    reported = optimize(_case(envelopes="report"))
    assert _cl(reported) > 4.0  # the unconstrained optimum cannot be run ...
    assert any("circulating_load_frac" in w for w in reported.plan.warnings)  # ... and says so

    enforced = optimize(_case())
    _agrees_with_enumeration(enforced)
    assert enforced.plan.warnings == ()
    assert enforced.decisions["objective"] < reported.decisions["objective"]

    limited = optimize(_case('"units.mill.circulating_load_frac" = 3.0'))
    _agrees_with_enumeration(limited)
    cl = limited.verification.loc["units.mill.circulating_load_frac"]
    assert _cl(limited) <= 3.0 * (1 + 1e-9)
    assert cl["rel_diff"] <= 1e-6
    assert _cl(enforced) > 3.0  # the written limit binds where the envelope did not
    assert limited.decisions["objective"] < enforced.decisions["objective"]


def test_grid_edge_is_reported_and_refine_steps_past_it():
    from oreflow.flowsheet.optimization import ModeAxis
    from oreflow.solvers.mode_grid import axis_range, grid_edges, refined_grid

    spec = _case()
    cil = ModeAxis("cil", "residence_h", (16.0, 20.0, 24.0))
    nacn = ModeAxis("cil", "nacn_mg_l", (50.0, 150.0, 250.0))
    lines = grid_edges(spec, [cil, nacn], {cil.label: 24.0, nacn.label: 50.0})
    assert "units.cil.residence_h = 24 is on the upper edge" in lines[0]
    assert "widen the grid or use --refine" in lines[0]
    # 50 mg/L is the envelope's least: an edge, but not one to step past
    assert "limit of the parameter's range or envelope" in lines[1]
    assert grid_edges(spec, [cil], {cil.label: 20.0}) == []
    # refine: one grid step past an upper edge; clipped at the envelope at a lower one
    assert refined_grid([16.0, 20.0, 24.0], 24.0, 5, axis_range(spec, cil)) == [
        20.0,
        22.0,
        24.0,
        26.0,
        28.0,
    ]
    assert axis_range(spec, nacn) == (50.0, 1000.0)
    assert refined_grid([50.0, 150.0, 250.0], 50.0, 3, axis_range(spec, nacn)) == [
        50.0,
        100.0,
        150.0,
    ]


def test_optimize_holds_the_tailings_wad_cyanide_envelope():
    """ICMC at the tailings discharge (oreflow.units.envelopes): the cheapest detox set
    point, 80 mg/L WAD, is refused when envelopes are enforced, even with the written
    wad_cn_mg_l_max relaxed to 100 mg/L; with envelopes reported it is chosen and warns."""
    text = (CASES / "tests" / "res_residue_routes.toml").read_text(encoding="utf-8")
    # the uses take any of these residues: only the tailings discharge limits the detox
    for anchor in ("binder_frac = 0.04", 'use = "bricks"'):
        assert anchor in text
        text = text.replace(anchor, anchor + "\nwad_limit_mg_l = 100.0")
    text += (
        "\n[units.detox.modes]\nwad_target_mg_l = [2.0, 8.0, 80.0]\n\n"
        # the written ICMC limit (wad_cn_mg_l_max, 50 by default) relaxed: the envelope holds
        '[constraints]\nenvelopes = "ENV"\nwad_cn_mg_l_max = 100.0\n\n'
        '[objective]\nsense = "maximize"\n'
        'kpi = "margin_usd_h"\n'
    )
    reported = optimize(parse_case(text.replace("ENV", "report"), "r.toml"))
    assert reported.decisions["modes"]["units.detox.wad_target_mg_l"] == 80.0
    assert any("units.tsf.wad_cn_mg_l" in w for w in reported.plan.warnings)
    enforced = optimize(parse_case(text.replace("ENV", "enforce"), "e.toml"))
    assert enforced.status == "optimal"
    assert enforced.decisions["modes"]["units.detox.wad_target_mg_l"] == 8.0  # next cheapest
    assert enforced.plan.kpis["tailings_wad_cn_mg_l"] <= 50.0
    assert not any("wad_cn_mg_l" in w for w in enforced.plan.warnings)
    assert enforced.decisions["objective"] < reported.decisions["objective"]


def _two_source_case(envelopes: str):
    """free_milling_cil fed from two pits (a harder, richer second ore) at a chosen blend."""
    text = (CASES / "free_milling_cil.toml").read_text(encoding="utf-8")
    start = text.index("[ore.main]\n")
    end = text.index("[units.mill_feed]")
    second = (
        text[start:end]
        .replace("[ore.main", "[ore.hard")
        .replace("wi_kwh_t = 14.0", "wi_kwh_t = 17.0")
    )
    second = second.replace("au_gpt = 2.0", "au_gpt = 2.6").replace(
        "rate_tph = 226.4", "rate_tph = 60.0"
    )
    text = text[:end] + second + text[end:]
    anchor = 'inlets.fresh = "ore.main"'
    text = text.replace(anchor, anchor + '\ninlets.hard = "ore.hard"', 1)
    text = text.replace("rate_tph = 226.4", "rate_tph = 170.0", 1)
    text = text.replace(
        "\n[constraints]\n",
        f'\n[constraints]\nenvelopes = "{envelopes}"\n'
        "[constraints.ore.hard]\nrate_tph_max = 90.0\n",
        1,
    )
    # the [constraints.ore.hard] table must not swallow the [constraints] keys that follow
    head, tail = text.split("[constraints.ore.hard]\nrate_tph_max = 90.0\n", 1)
    body, rest = tail.split("\n[", 1)
    text = head + body + "\n[constraints.ore.hard]\nrate_tph_max = 90.0\n\n[" + rest
    return parse_case(text, "two_pits.toml")


@pytest.mark.slow
def test_envelopes_hold_at_a_blend_of_two_sources():
    """With several ore sources the envelope figures are tabulated at the incumbent blend
    (intensive figures, re-tabulated until the plan verifies): the blended optimum that
    cannot be run is refused, and the enforced plan equals enumeration."""
    reported = optimize(_two_source_case("report"))
    assert _cl(reported) > 4.0
    assert any("circulating_load_frac" in w for w in reported.plan.warnings)
    enforced = optimize(_two_source_case("enforce"))
    _agrees_with_enumeration(enforced)
    assert not any("circulating_load_frac" in w for w in enforced.plan.warnings)
    assert _cl(enforced) <= 4.0 * (1 + 1e-9)
    assert enforced.decisions["objective"] < reported.decisions["objective"]
    assert enforced.decisions["ore_tph"] > 0

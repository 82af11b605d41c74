"""Residue destinations as continuous decisions: the tonnage of one residue stream split
between storage and uses (paste backfill, bricks) within market limits, eligibility per
column, the minimum use share as a row with a shadow price, minimum stored residue."""

import json
from pathlib import Path

import numpy as np
import pytest

from oreflow.cli import main
from oreflow.errors import CaseError
from oreflow.flowsheet.case import parse_case
from oreflow.flowsheet.optimization import Limit
from oreflow.solvers.blend import BlendProblem, enumerate_blend, solve_blend
from oreflow.solvers.highs import SolveStatus
from oreflow.solvers.optimize import optimize

ROOT = Path(__file__).resolve().parents[2]
BASE = (ROOT / "cases" / "tests" / "res_residue_routes.toml").read_text(encoding="utf-8")

pytestmark = pytest.mark.solver


def case(extra: str = "", objective: str = 'sense = "maximize"\nkpi = "margin_usd_h"') -> str:
    """The CIL + detox + filter plant with its cake split between paste, bricks and the TSF."""
    return (
        BASE
        + f"""
[units.detox.modes]
wad_target_mg_l = [2.0, 8.0]

[constraints]
residue_splitter = "split"
{extra}
[constraints.max]
"units.bricks.solids_tph" = 20.0   # brick-works market [assumed]
"units.paste.solids_tph" = 60.0    # mine voids to fill [assumed]

[objective]
{objective}
"""
    ).replace('use = "bricks"', 'use = "bricks"\nwad_limit_mg_l = 5.0')


def run(text: str):
    return optimize(parse_case(text, "residue.toml"))


def test_without_a_use_share_margin_stores_everything():
    result = run(case())
    assert result.status == "optimal"
    split = result.decisions["residue_tph"]
    assert split["paste"] == pytest.approx(0.0, abs=1e-9)
    assert split["bricks"] == pytest.approx(0.0, abs=1e-9)
    assert result.decisions["modes"]["units.detox.wad_target_mg_l"] == 8.0  # cheaper detox


def test_use_share_binds_picks_the_cheapest_eligible_use_and_matches_enumeration():
    result = run(case("residue_utilisation_frac_min = 0.35"))
    assert result.status == "optimal"
    kpis = result.plan.kpis
    assert kpis["residue_utilisation_frac"] == pytest.approx(0.35, rel=1e-9)
    split = result.decisions["residue_tph"]
    assert sum(split.values()) == pytest.approx(kpis["residue_generated_tph"], rel=1e-9)
    assert split["bricks"] == pytest.approx(20.0, rel=1e-9)  # the cheaper use, at its market
    assert kpis["residue_to_building_materials_tph"] == pytest.approx(20.0, rel=1e-9)
    # bricks take only residue detoxed below their 5 mg/L limit: the dearer detox
    assert result.decisions["modes"]["units.detox.wad_target_mg_l"] == 2.0
    enum = result.meta["enumeration"]
    assert enum["column"] == result.decisions["column"]
    assert enum["objective"] == pytest.approx(result.decisions["objective"], rel=1e-9)
    assert enum["destination_tph"]["bricks"] == pytest.approx(20.0, rel=1e-6)
    assert result.meta["max_rel_diff"] <= 1e-6
    assert kpis["closure_max_rel"] <= 1e-9


def test_use_share_shadow_price_matches_a_finite_difference():
    def text_of(u):
        return case(f"residue_utilisation_frac_min = {u!r}")

    result = run(text_of(0.35))
    dual = result.shadow_prices.set_index("limit").loc[
        "constraints.residue_utilisation_frac_min", "shadow_price"
    ]
    assert dual < 0.0
    lo, hi = run(text_of(0.345)), run(text_of(0.355))
    assert lo.decisions["column"] == hi.decisions["column"] == result.decisions["column"]
    fd = (hi.decisions["objective"] - lo.decisions["objective"]) / 0.01
    assert fd == pytest.approx(dual, rel=1e-6)


def test_minimum_stored_residue_fills_every_market():
    result = run(case(objective='sense = "minimize"\nkpi = "residue_to_storage_tph"'))
    assert result.status == "optimal"
    split = result.decisions["residue_tph"]
    assert split["paste"] == pytest.approx(60.0, rel=1e-9)
    assert split["bricks"] == pytest.approx(20.0, rel=1e-9)
    assert result.plan.kpis["residue_to_storage_tph"] == pytest.approx(
        result.decisions["objective"], rel=1e-9
    )


def test_ineligible_use_and_short_market_are_explained():
    # bricks refuse any residue (1 mg/L limit below both detox targets); paste alone
    # cannot reach a 35 % share of about 200 t/h within its 60 t/h of voids
    text = case("residue_utilisation_frac_min = 0.35").replace(
        "wad_limit_mg_l = 5.0", "wad_limit_mg_l = 1.0"
    )
    result = run(text)
    assert result.status == "infeasible"
    line = next(e for e in result.explanation if "residue_utilisation_frac_min" in e)
    moved = float(line.rsplit("must move to", 1)[1].split()[0])
    # residue: the ore less the gold leached, plus about 9 kg/h of the detox's Cu(OH)2
    assert moved == pytest.approx(60.0 / 200.0087, rel=1e-5)  # printed to 6 digits


def test_residue_splitter_must_feed_residue_sinks():
    with pytest.raises(CaseError) as info:
        parse_case(case().replace('residue_splitter = "split"', 'residue_splitter = "filter"'), "x")
    assert info.value.problems[0].key == "constraints.residue_splitter"
    bad = case().replace('inlets.feed = "split.tsf"', 'inlets.feed = "split.paste"')
    with pytest.raises(CaseError) as info:
        parse_case(bad, "x")
    assert any(p.key == "constraints.residue_splitter" for p in info.value.problems)


def test_cli_prints_residue_destinations(tmp_path, capsys):
    path = tmp_path / "residue.toml"
    path.write_text(case("residue_utilisation_frac_min = 0.35"), encoding="utf-8")
    assert main(["optimize", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc["decisions"]["residue_tph"]) == {"paste", "bricks", "tsf"}
    assert main(["optimize", str(path)]) == 0
    assert "residue to bricks" in capsys.readouterr().out


def _random_with_destinations(seed: int, n: int) -> BlendProblem:
    rng = np.random.default_rng(seed)
    n_src, n_dst = 2, 2
    rho = rng.uniform(0.9, 1.1, (n, n_src))  # t residue per t ore
    derivatives = {
        "margin_usd_h": rng.normal(100.0, 30.0, (n, n_src)),
        "residue_generated_tph": rho,
        "residue_used_tph": np.zeros((n, n_src)),
        "units.bricks.solids_tph": np.zeros((n, n_src)),
    }
    dest = {
        "margin_usd_h": rng.uniform(-8.0, 2.0, (n, n_dst)),  # net cost or credit per t moved
        "residue_generated_tph": np.zeros((n, n_dst)),
        "residue_used_tph": np.ones((n, n_dst)),
        "units.bricks.solids_tph": np.tile([0.0, 1.0], (n, 1)),
    }
    limits = (
        Limit("residue_utilisation_frac", "min", 0.4, "u"),
        Limit("units.bricks.solids_tph", "max", 30.0, "b"),
    )
    return BlendProblem(
        ("ore.a", "ore.b"),
        derivatives,
        {},
        np.full(n_src, 20.0),
        np.full(n_src, 150.0),
        60.0,
        250.0,
        limits,
        {"margin_usd_h": 1.0},
        "maximize",
        mip_rel_gap=1e-9,
        destinations=("paste", "bricks"),
        destination_coefficients=dest,
        residue_per_t=rho,
        destination_ok=rng.uniform(0.0, 1.0, (n, n_dst)) > 0.2,
    )


@pytest.mark.parametrize("seed", range(4))
def test_blend_and_residue_milp_equals_vertex_enumeration(seed):
    problem = _random_with_destinations(seed, 150)
    result = solve_blend(problem)
    column, values, objective = enumerate_blend(problem)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(objective, rel=1e-7)
    assert result.column == column
    assert np.allclose(result.source_tph, values[:2], rtol=1e-6, atol=1e-6)


def _hj943(limit_mg_l: float, share: float = 0.2) -> str:
    """Paste backfill and the TSF under China's HJ 943 (leachate total cyanide); bricks
    refuse every residue (a 1 mg/L pore-water limit below both detox targets)."""
    text = case(f"residue_utilisation_frac_min = {share!r}").replace(
        "wad_limit_mg_l = 5.0", "wad_limit_mg_l = 1.0"
    )
    paste = "binder_frac = 0.04"
    tsf = '[units.tsf]\ntype = "tailings"\ninlets.feed = "split.tsf"'
    assert paste in text and tsf in text
    text = text.replace(
        paste, f'{paste}\nrules = "hj943"\nleachate_total_cn_limit_mg_l = {limit_mg_l!r}'
    )
    return text.replace(tsf, f'{tsf}\nrules = "hj943"')


def test_hj943_leachate_limit_refuses_backfill_allows_storage():
    """Cake at 15 % moisture (W/S 0.1765) detoxed to 8 mg/L: its leachate at L/S 10 carries
    0.141 mg/L total cyanide, above a 0.1 mg/L backfill limit, within the TSF's 5 mg/L."""
    import oreflow

    spec = parse_case(_hj943(0.1), "hj.toml")
    sim = oreflow.simulate(spec, overrides={"units.detox.wad_target_mg_l": 8.0})
    m = sim.units.set_index(["unit", "metric"])["value"]
    ws = 0.15 / 0.85
    assert m["paste", "leachate_total_cn_mg_l"] == pytest.approx(8.0 * ws / 10.0, rel=1e-6)
    assert m["paste", "cyanide_ok_flag"] == 0.0 and m["paste", "eligible_flag"] == 0.0
    assert m["tsf", "leachate_total_cn_mg_l"] == pytest.approx(8.0 * ws / 10.0, rel=1e-6)
    assert not [w for w in sim.warnings if "units.tsf" in w]  # storage takes it
    refused = m["paste", "solids_tph"] + m["bricks", "solids_tph"]  # bricks refuse all here
    assert sim.kpis["residue_not_eligible_tph"] == pytest.approx(refused, rel=1e-12)
    # under the ICMC rules the same paste passes (8 mg/L WAD within its 50 mg/L)
    icmc = oreflow.simulate(
        parse_case(_hj943(0.1).replace('rules = "hj943"', 'rules = "icmc"'), "i.toml"),
        overrides={"units.detox.wad_target_mg_l": 8.0},
    )
    assert icmc.units.set_index(["unit", "metric"])["value"]["paste", "eligible_flag"] == 1.0


def test_hj943_backfill_limit_changes_the_optimizers_choice():
    """A real HiGHS solve: with 20 % of the residue to be used and backfill the only use,
    a 0.5 mg/L leachate limit lets the cheaper 8 mg/L detox feed the paste; at 0.1 mg/L
    that residue is refused (0.141 mg/L) and the plan moves to the 2 mg/L detox."""
    loose, strict = run(_hj943(0.5)), run(_hj943(0.1))
    assert loose.status == strict.status == "optimal"
    for result in (loose, strict):
        kpis = result.plan.kpis
        assert kpis["residue_utilisation_frac"] == pytest.approx(0.2, rel=1e-6)
        assert result.decisions["residue_tph"]["bricks"] == pytest.approx(0.0, abs=1e-9)
        assert kpis["residue_not_eligible_tph"] == pytest.approx(0.0, abs=1e-9)
    assert loose.decisions["modes"]["units.detox.wad_target_mg_l"] == 8.0
    assert strict.decisions["modes"]["units.detox.wad_target_mg_l"] == 2.0
    assert strict.plan.kpis["margin_usd_h"] < loose.plan.kpis["margin_usd_h"]

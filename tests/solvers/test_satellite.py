"""Satellite concentrator with haulage: the haulage unit, its cost in the economics, and
the shipped case whose blend of two pits the optimizer chooses within the oxygen plant."""

import json
from pathlib import Path

import numpy as np
import pytest

from oreflow.cli import main
from oreflow.errors import CaseError
from oreflow.flowsheet.case import parse_case
from oreflow.flowsheet.compile import compile_case
from oreflow.solvers.optimize import optimize
from oreflow.solvers.results import build_results
from oreflow.solvers.simulate import simulate_plant

ROOT = Path(__file__).resolve().parents[2]
PATH = ROOT / "cases" / "satellite_concentrator.toml"
CASE = PATH.read_text(encoding="utf-8")
O2 = '"units.pox.use_o2_kg_h" = 10000.0'

pytestmark = pytest.mark.solver


def run(text: str):
    return optimize(parse_case(text, str(PATH)))


def test_haulage_passes_its_feed_through_and_prices_the_wet_tonnes():
    spec = parse_case(CASE, str(PATH))
    sim = simulate_plant(compile_case(spec))
    comps = spec.comps
    feed, out = sim.streams["sat_filter.cake"], sim.streams["haulage.out"]
    assert np.array_equal(feed, out)
    metrics = sim.units["haulage"].metrics
    solids = feed[:, : comps.n_solids_comp].sum(axis=1)
    solution = feed[:, comps.n_solids_comp : comps.n_solids_comp + len(comps.solution)].sum(axis=1)
    wet = solids + solution
    assert metrics["solids_tph"] == pytest.approx(solids, rel=1e-12)
    assert metrics["wet_tph"] == pytest.approx(wet, rel=1e-12)
    assert metrics["moisture_frac"] == pytest.approx(0.10, rel=1e-6)  # the filter cake
    usd_t = 4.0 + 120.0 * 0.15
    assert metrics["haulage_usd_h"] == pytest.approx(wet * usd_t, rel=1e-12)
    kpis = build_results(sim).kpis
    assert kpis["cost_haulage_usd_h"] == pytest.approx(float(wet[0] * usd_t), rel=1e-12)
    assert kpis["cost_unit_haulage_usd_h"] == pytest.approx(kpis["cost_haulage_usd_h"], rel=1e-12)
    assert kpis["closure_max_rel"] <= 1e-9


def test_zero_distance_and_zero_fixed_cost_haul_for_nothing():
    text = CASE.replace("distance_km = 120.0", "distance_km = 0.0").replace(
        "haulage_usd_t = 4.0", "haulage_usd_t = 0.0"
    )
    kpis = build_results(simulate_plant(compile_case(parse_case(text, "free.toml")))).kpis
    assert kpis["cost_haulage_usd_h"] == 0.0


def test_bad_haulage_input_is_a_case_error():
    with pytest.raises(CaseError) as info:
        parse_case(CASE.replace("distance_km = 120.0", "distance_km = -5.0"), "bad.toml")
    assert info.value.problems[0].key == "units.haulage.distance_km"


def test_shipped_case_chooses_a_verified_blend_within_the_oxygen_plant():
    result = run(CASE)
    assert result.status == "optimal"
    blend = result.decisions["blend_tph"]
    assert 120.0 <= blend["ore.main"] <= 181.2 + 1e-9
    assert 0.0 < blend["ore.satellite"] < 45.0  # the oxygen plant, not the pit, limits it
    prices = result.shadow_prices.set_index("limit")
    assert prices.loc["constraints.max.units.pox.use_o2_kg_h", "binding"]
    assert result.plan.kpis["cost_haulage_usd_h"] > 0.0
    enum = result.meta["enumeration"]
    assert enum["column"] == result.decisions["column"]
    assert enum["objective"] == pytest.approx(result.decisions["objective"], rel=1e-7)
    assert result.meta["max_rel_diff"] <= 1e-6
    assert result.plan.kpis["closure_max_rel"] <= 1e-9


def test_oxygen_shadow_price_matches_a_finite_difference():
    def text_of(kg_h):
        return CASE.replace(O2, f'"units.pox.use_o2_kg_h" = {kg_h!r}')

    result = run(text_of(10000.0))
    dual = result.shadow_prices.set_index("limit").loc[
        "constraints.max.units.pox.use_o2_kg_h", "shadow_price"
    ]
    lo, hi = run(text_of(9950.0)), run(text_of(10050.0))
    assert lo.decisions["column"] == hi.decisions["column"] == result.decisions["column"]
    fd = (hi.decisions["objective"] - lo.decisions["objective"]) / 100.0
    assert dual > 0.0
    assert fd == pytest.approx(dual, rel=1e-4)


def test_dearer_haulage_takes_less_satellite_ore():
    base = run(CASE)
    dear = run(CASE.replace("usd_t_km = 0.15", "usd_t_km = 2.5"))
    assert dear.status == "optimal"
    assert dear.decisions["blend_tph"]["ore.satellite"] <= base.decisions["blend_tph"][
        "ore.satellite"
    ] * (1 + 1e-9)
    assert dear.decisions["objective"] < base.decisions["objective"]


def test_cli_shows_blend_and_haulage(capsys):
    assert main(["optimize", str(PATH)]) == 0
    out = capsys.readouterr().out
    assert "ore.satellite rate" in out
    assert "haulage cost" in out
    assert main(["optimize", str(PATH), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc["decisions"]["blend_tph"]) == {"ore.main", "ore.satellite"}
    assert doc["kpis"]["cost_haulage_usd_h"] > 0.0


def test_pareto_front_over_the_blend_trades_margin_for_recovery(tmp_path, capsys):
    from oreflow.solvers.pareto import pareto

    front = pareto(parse_case(CASE, str(PATH)), "gold_recovery_frac", "margin_usd_h", 5)
    ok = front[front["status"] == "optimal"]
    assert len(ok) == 5
    assert np.all(np.diff(ok["x"].to_numpy()) > 0.0)  # recovery rises along the front
    assert np.all(np.diff(ok["y"].to_numpy()) < 0.0)  # margin falls with it
    assert np.allclose(ok["y"], ok["y_enumeration"], rtol=1e-7)
    satellite = [b["ore.satellite"] for b in ok["blend_tph"]]
    assert satellite[-1] > satellite[0]  # the richer, better-recovering pit
    out = tmp_path / "front"
    args = ["pareto", str(PATH), "--x", "gold_recovery_frac", "--y", "margin_usd_h"]
    assert main([*args, "--points", "3", "--out", str(out)]) == 0
    assert "margin_usd_h" in capsys.readouterr().out


def test_lexicographic_levels_choose_the_blend_as_they_choose_one_rate():
    """One orchestration: a second level is solved with the first held, blend included."""
    lexi = (
        'sense = "maximize"\nlexicographic = [\n'
        '    { kpi = "margin_usd_h", sense = "maximize", tol_frac = 0.05 },\n'
        '    { kpi = "cost_haulage_usd_h", sense = "minimize" },\n]'
    )
    best = run(CASE)
    result = run(CASE.replace('sense = "maximize"\nkpi = "margin_usd_h"', lexi))
    assert result.status == "optimal"
    first = result.meta["lexicographic_levels"][0]
    # the first level's optimum, on the table of the last blend round
    assert first == pytest.approx(best.decisions["objective"], rel=1e-4)
    assert result.plan.kpis["margin_usd_h"] >= 0.95 * first * (1 - 1e-9)
    assert result.plan.kpis["cost_haulage_usd_h"] < best.plan.kpis["cost_haulage_usd_h"]
    sat = "ore.satellite"
    assert result.decisions["blend_tph"][sat] < best.decisions["blend_tph"][sat]
    enumeration = result.meta["enumeration"]["objective"]
    assert result.decisions["objective"] == pytest.approx(enumeration, rel=1e-7)

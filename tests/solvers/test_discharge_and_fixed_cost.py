"""WAD cyanide judged at each tailings discharge (the highest, not the sinks' mixture),
one blend row per discharge with its shadow price checked by finite difference; and the
fixed cost carried as a constant, not as a per-tonne coefficient, in both optimizers."""

import re
from pathlib import Path

import numpy as np
import pytest

from oreflow.flowsheet.case import parse_case
from oreflow.flowsheet.compile import compile_case
from oreflow.solvers.optimize import optimize
from oreflow.solvers.results import build_results
from oreflow.solvers.simulate import simulate_plant
from oreflow.solvers.tabulate import route_spec

ROOT = Path(__file__).resolve().parents[2]
SATELLITE = ROOT / "cases" / "satellite_concentrator.toml"
REFRACTORY = ROOT / "cases" / "refractory_route_choice.toml"
FREE_MILLING = ROOT / "cases" / "free_milling_cil.toml"

pytestmark = pytest.mark.solver


def _no_fixed(text: str) -> str:
    """The case with its fixed cost set to 0.0 (the shipped cases carry a build-up), none
    of it following the capital."""
    text = re.sub(r"^capital_fixed_frac_y = .*$", "", text, count=1, flags=re.M)
    return re.sub(r"^fixed_usd_h = .*$", "fixed_usd_h = 0.0", text, count=1, flags=re.M)


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _with_wad_limit(text: str, limit: float) -> str:
    assert "[constraints]\n" in text
    return text.replace("[constraints]\n", f"[constraints]\nwad_cn_mg_l_max = {limit!r}\n", 1)


def _sinks(plan) -> dict[str, dict[str, float]]:
    """Per tailings sink: its metrics."""
    u = plan.units[plan.units["type"] == "tailings"]
    out: dict[str, dict[str, float]] = {}
    for unit, metric, value in u[["unit", "metric", "value"]].itertuples(index=False):
        out.setdefault(unit, {})[metric] = float(value)
    return out


def _simulate(spec):
    return build_results(simulate_plant(compile_case(spec), n_cases=1))


def _diluted_mg_l(plan) -> float:
    """The old figure: WAD over the water of every tailings sink together."""
    water = sum(m["water_tph"] for m in _sinks(plan).values())
    return float(plan.kpis["tailings_wad_cn_g_h"]) / water


# ---------------------------------------------------------------- the KPI


@pytest.mark.parametrize(
    ("path", "route"),
    [(SATELLITE, {}), (REFRACTORY, {"flotation": "", "pox": "", "cil": ""})],
)
def test_tailings_wad_is_the_highest_discharge_not_the_mixture(path, route):
    spec = route_spec(parse_case(_text(path), str(path)), route)
    plan = _simulate(spec)
    sinks = _sinks(plan)
    assert len(sinks) >= 2  # cyanide-free flotation tails go to their own facility
    for m in sinks.values():
        tenor = m["wad_cn_g_h"] / m["water_tph"] if m["water_tph"] > 0 else 0.0
        assert m["wad_cn_mg_l"] == pytest.approx(tenor, rel=1e-12, abs=1e-15)
    kpis = plan.kpis
    highest = max(m["wad_cn_mg_l"] for m in sinks.values())
    assert kpis["tailings_wad_cn_mg_l"] == pytest.approx(highest, rel=1e-12)
    # totals stay sums over the discharges
    assert kpis["tailings_wad_cn_g_h"] == pytest.approx(
        sum(m["wad_cn_g_h"] for m in sinks.values()), rel=1e-12
    )
    # the old mixed figure was diluted by the cyanide-free discharge: under a third of it
    assert _diluted_mg_l(plan) < 0.5 * kpis["tailings_wad_cn_mg_l"]
    # the other tenors at "the tailings" are per discharge too: free cyanide is part of
    # WAD, so its highest is at most the highest WAD, and above the diluted figure
    assert kpis["tailings_free_cn_mg_l"] <= kpis["tailings_wad_cn_mg_l"] * (1 + 1e-12)
    assert kpis["tailings_free_cn_mg_l"] > _diluted_mg_l(plan)


def test_single_source_limit_the_diluted_figure_met_rejects_the_route():
    # flotation + POX + CIL: 0.34 mg/L over both discharges, 1.0 at the CIL's own
    text = _with_wad_limit(_text(REFRACTORY), 0.5)
    result = optimize(parse_case(text, str(REFRACTORY)))
    assert result.status == "optimal"
    routes = result.routes.set_index(["flotation", "pox", "cil"])
    assert not routes.loc[("as written", "as written", "as written"), "feasible"]
    for m in _sinks(result.plan).values():
        assert m["wad_cn_mg_l"] <= 0.5
    assert result.plan.kpis["tailings_wad_cn_mg_l"] <= 0.5


# ---------------------------------------------------------------- the blend rows


def _satellite(limit: float, extra: str = ""):
    text = _with_wad_limit(_text(SATELLITE), limit)
    if extra:
        text = _no_fixed(text).replace("fixed_usd_h = 0.0", extra)
    return optimize(parse_case(text, str(SATELLITE)))


def test_blend_limit_the_diluted_figure_met_is_infeasible_at_the_discharge():
    # every plan of the satellite case has about 0.3 mg/L over its three tailings
    # sinks together but 0.9 or more at the leach tailings' own discharge
    result = _satellite(0.6)
    assert result.status == "infeasible"
    assert any(line.startswith("constraints.wad_cn_mg_l_max") for line in result.explanation)


def test_blend_per_sink_wad_row_binds_with_a_finite_difference_price():
    limit = 0.92
    result = _satellite(limit)
    assert result.status == "optimal"
    assert result.meta["max_rel_diff"] <= 1e-6
    enum = result.meta["enumeration"]
    assert enum["column"] == result.decisions["column"]
    assert enum["objective"] == pytest.approx(result.decisions["objective"], rel=1e-7)
    sinks = _sinks(result.plan)
    assert max(m["wad_cn_mg_l"] for m in sinks.values()) == pytest.approx(limit, rel=1e-7)
    assert result.plan.kpis["tailings_wad_cn_mg_l"] == pytest.approx(limit, rel=1e-7)
    assert _diluted_mg_l(result.plan) < 0.5 * limit  # the mixture would not have bound
    # the model verified each sink's row figures against the simulation
    assert "units.tailings.wad_cn_mg_l" in result.verification.index
    price = result.shadow_prices.set_index("limit").loc["constraints.wad_cn_mg_l_max"]
    assert price["shadow_price"] > 0.0
    assert price["units"] == "USD/h per mg/L"
    # the price moves with the limit (the row's coefficients hold it) and the main pit
    # reaches its mine plan 5e-4 mg/L higher: a small central step
    step = 5e-5
    lo, hi = _satellite(limit - step), _satellite(limit + step)
    assert lo.decisions["column"] == hi.decisions["column"] == result.decisions["column"]
    fd = (hi.decisions["objective"] - lo.decisions["objective"]) / (2 * step)
    assert fd == pytest.approx(price["shadow_price"], rel=2e-4)


# ---------------------------------------------------------------- the fixed cost


def _free_milling(fixed: float):
    text = _no_fixed(_text(FREE_MILLING)).replace("fixed_usd_h = 0.0", f"fixed_usd_h = {fixed!r}")
    assert "ore_tph_min" not in text  # ore rate free within (0, 283] t/h
    return optimize(parse_case(text, str(FREE_MILLING)))


def test_fixed_cost_is_a_constant_of_the_single_source_optimum():
    base, fixed = _free_milling(0.0), _free_milling(5000.0)
    assert fixed.status == "optimal"
    assert fixed.meta["max_rel_diff"] <= 1e-6
    assert fixed.decisions["column"] == base.decisions["column"]
    assert fixed.decisions["modes"] == base.decisions["modes"]
    assert fixed.decisions["ore_tph"] == pytest.approx(base.decisions["ore_tph"], rel=1e-12)
    assert fixed.decisions["objective"] == pytest.approx(
        base.decisions["objective"] - 5000.0, rel=1e-12
    )
    enum = fixed.meta["enumeration"]
    assert enum["column"] == fixed.decisions["column"]
    assert enum["objective"] == pytest.approx(fixed.decisions["objective"], rel=1e-9)
    assert fixed.plan.kpis["margin_usd_h"] == pytest.approx(fixed.decisions["objective"], rel=1e-9)
    # the ore rate is not the nominal one: a per-tonne fixed cost would not verify here
    assert fixed.decisions["ore_tph"] != pytest.approx(fixed.table.ore_tph, rel=1e-3)


def test_a_limit_on_margin_holds_the_fixed_cost_once():
    # least mill power subject to a margin floor: the rate falls until the whole
    # margin, fixed cost included, is at the floor
    floor = 0.5 * _free_milling(5000.0).decisions["objective"]
    text = (
        _no_fixed(_text(FREE_MILLING))
        .replace("fixed_usd_h = 0.0", "fixed_usd_h = 5000.0")
        .replace('kpi = "margin_usd_h"', 'kpi = "mill_power_kw"')
        .replace('sense = "maximize"', 'sense = "minimize"')
        .replace(
            "[constraints.max]", f"[constraints.min]\nmargin_usd_h = {floor!r}\n[constraints.max]"
        )
    )
    result = optimize(parse_case(text, str(FREE_MILLING)))
    assert result.status == "optimal"
    assert result.plan.kpis["margin_usd_h"] == pytest.approx(floor, rel=1e-7)
    enum = result.meta["enumeration"]
    assert enum["objective"] == pytest.approx(result.decisions["objective"], rel=1e-9)


def test_fixed_cost_is_a_constant_of_the_blend_optimum():
    # 30,000 USD/h is more than the margin per tonne at the nominal rate: spread per
    # tonne it would make the plan treat as little ore as the mine plans allow
    base = _satellite(50.0, "fixed_usd_h = 0.0")
    fixed = _satellite(50.0, "fixed_usd_h = 30000.0")
    assert fixed.status == "optimal"
    assert fixed.meta["max_rel_diff"] <= 1e-6
    assert fixed.decisions["column"] == base.decisions["column"]
    assert np.allclose(
        list(fixed.decisions["blend_tph"].values()),
        list(base.decisions["blend_tph"].values()),
        rtol=1e-9,
    )
    assert fixed.decisions["objective"] == pytest.approx(
        base.decisions["objective"] - 30000.0, rel=1e-9
    )
    enum = fixed.meta["enumeration"]
    assert enum["objective"] == pytest.approx(fixed.decisions["objective"], rel=1e-7)
    assert fixed.plan.kpis["margin_usd_h"] == pytest.approx(fixed.decisions["objective"], rel=1e-9)


# ---------------------------------------------------------------- pareto fronts


def test_pareto_over_the_blend_limits_each_discharge():
    from oreflow.solvers.pareto import pareto

    spec = parse_case(_text(SATELLITE), str(SATELLITE))
    front = pareto(spec, "tailings_wad_cn_mg_l", "margin_usd_h", points=4)
    ok = front[front["status"] == "optimal"]
    assert len(ok) == 4
    assert (ok["x"] <= ok["epsilon"] * (1 + 1e-9)).all()
    # the best is the bisection's least highest-discharge WAD, above the old mixture's
    assert ok["x"].min() > 0.9
    assert np.all(np.diff(ok["y"].to_numpy()) <= 1e-9)  # less cyanide costs margin


def test_pareto_margin_holds_the_fixed_cost_at_any_rate():
    from oreflow.solvers.pareto import pareto

    text = _no_fixed(_text(FREE_MILLING)).replace("fixed_usd_h = 0.0", "fixed_usd_h = 5000.0")
    front = pareto(parse_case(text, str(FREE_MILLING)), "margin_usd_h", "mill_power_kw", points=3)
    # least mill power: no ore, and the margin is the fixed cost alone
    assert front["ore_tph"].iloc[0] == pytest.approx(0.0, abs=1e-9)
    assert front["x"].iloc[0] == pytest.approx(-5000.0, rel=1e-12)
    assert np.allclose(front["y"], front["y_enumeration"], rtol=1e-9)

"""The fixed cost that follows each route's capital (``[economics] capital_fixed_frac_y``):
maintenance and insurance on the route's own capital estimate, labour and G&A fixed; in
``run`` and in ``optimize`` (per column, the MILP against enumeration)."""

import dataclasses
import re
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pytest

from oreflow.flowsheet.case import parse_case
from oreflow.solvers.economics import fixed_cost_hours_y
from oreflow.solvers.optimize import optimize
from oreflow.solvers.selection import blend_problem

ROOT = Path(__file__).resolve().parents[2]
REFRACTORY = ROOT / "cases" / "refractory_route_choice.toml"
FREE_MILLING = ROOT / "cases" / "free_milling_cil.toml"

pytestmark = pytest.mark.solver


def _spec(path: Path, text: str | None = None):
    return parse_case(text if text is not None else path.read_text(encoding="utf-8"), str(path))


def _constant_fixed(spec, fixed_usd_h: float):
    """The case with one fixed cost for every route (nothing following the capital)."""
    params = dict(spec.economics.params)
    params.update(fixed_usd_h=fixed_usd_h, capital_fixed_frac_y=0.0)
    econ = dataclasses.replace(spec.economics, params=MappingProxyType(params))
    return dataclasses.replace(spec, economics=econ)


@pytest.fixture(scope="module")
def refractory():
    return optimize(_spec(REFRACTORY))


def test_each_route_carries_the_fixed_cost_of_its_own_capital(refractory):
    spec = _spec(REFRACTORY)
    p = spec.economics.params
    hours = fixed_cost_hours_y(spec.economics)
    assert refractory.status == "optimal"
    k = refractory.plan.kpis
    on_capital = p["capital_fixed_frac_y"] * k["capital_usd"] / hours
    assert k["cost_fixed_capital_usd_h"] == pytest.approx(on_capital, rel=1e-12)
    assert k["cost_fixed_usd_h"] == pytest.approx(p["fixed_usd_h"] + on_capital, rel=1e-12)
    # the table holds each column's own fixed cost: people + fraction x its capital
    f = refractory.table.figures
    fixed = f["cost_fixed_usd_h"].to_numpy()
    assert np.ptp(fixed) > 100.0  # routes differ in capital, so in fixed cost
    routes = refractory.routes.set_index(["flotation", "pox", "cil"])
    whole_ore = routes.loc[("none", "as written", "as written"), "cost_fixed_usd_h"]
    concentrate = routes.loc[("as written", "as written", "as written"), "cost_fixed_usd_h"]
    no_oxidation = routes.loc[("as written", "none", "as written"), "cost_fixed_usd_h"]
    # a whole-ore autoclave costs more to keep than a concentrate autoclave, which
    # costs more than no autoclave
    assert whole_ore > concentrate > no_oxidation > p["fixed_usd_h"]
    # the MILP's plan is the enumeration's
    enum = refractory.meta["enumeration"]
    assert enum["column"] == refractory.decisions["column"]
    assert enum["objective"] == pytest.approx(refractory.decisions["objective"], rel=1e-9)
    assert k["margin_usd_h"] == pytest.approx(refractory.decisions["objective"], rel=1e-9)


def test_per_column_constants_are_the_fixed_costs_tangent_at_zero_rate(refractory):
    """Each column's constant is its fixed cost's tangent at zero rate: fixed_usd_h plus
    the maintenance on the capital that does not grow with throughput; the part that
    grows is per tonne. At the tabulated rate the model is the table's margin, as with
    one fixed cost; and its derivative in the rate is the capital's (a finite difference
    of two simulations at the column's settings)."""
    spec = _spec(REFRACTORY)
    p = spec.economics.params
    opt = spec.optimization
    table = refractory.table
    r = table.ore_tph
    after = blend_problem(spec, opt, table)
    before = blend_problem(_constant_fixed(spec, 1581.47), opt, table)  # the header's total
    margin = table.figures["margin_usd_h"].to_numpy()
    base = table.figures["cost_fixed_base_usd_h"].to_numpy()
    fixed = table.figures["cost_fixed_usd_h"].to_numpy()
    slope_a, const_a = after.objective()
    slope_b, const_b = before.objective()
    ok = np.isfinite(const_a) & np.isfinite(margin)
    assert np.allclose(const_a[ok], -base[ok], rtol=1e-12)
    assert np.allclose(const_b, -1581.47, rtol=1e-12)
    assert np.all(base[ok] > p["fixed_usd_h"]) and np.all(base[ok] < fixed[ok])
    for slope, const in ((slope_a, const_a), (slope_b, const_b)):
        assert np.allclose(slope[ok, 0] * r + const[ok], margin[ok], rtol=1e-9)


def test_free_rate_is_re_tabulated_until_the_capital_is_the_plans():
    """Free milling: the rate is a decision; the plant (so its capital) is sized at the
    tabulated rate, re-tabulated at the chosen one until the plan verifies."""
    result = optimize(_spec(FREE_MILLING))
    assert result.status == "optimal"
    assert result.meta["max_rel_diff"] <= 1e-6
    rounds = result.meta["blend"]["history"]
    assert len(rounds) >= 2  # the case's 208 t/h first, then the chosen rate
    assert rounds[-1]["tabulated_tph"][0] == pytest.approx(result.decisions["ore_tph"], rel=1e-9)
    assert result.table.ore_tph == pytest.approx(result.decisions["ore_tph"], rel=1e-9)
    spec = _spec(FREE_MILLING)
    k = result.plan.kpis
    on_capital = 0.055 * k["capital_usd"] / fixed_cost_hours_y(spec.economics)
    assert k["cost_fixed_usd_h"] == pytest.approx(
        spec.economics.params["fixed_usd_h"] + on_capital, rel=1e-12
    )
    enum = result.meta["enumeration"]
    assert enum["column"] == result.decisions["column"]
    assert enum["objective"] == pytest.approx(result.decisions["objective"], rel=1e-9)
    assert k["margin_usd_h"] == pytest.approx(result.decisions["objective"], rel=1e-9)


def test_rate_bound_shadow_price_holds_the_capitals_tangent():
    """Free milling at a binding ore bound: the dual of the bound is the margin's
    derivative in the rate with the plant re-sized (the chosen column's fixed-cost
    tangent by two simulations), against re-optimized plans at the bound +- 0.5 t/h
    (away from a step of the cyclone count, where the capital jumps)."""
    text = FREE_MILLING.read_text(encoding="utf-8")

    def at(t: float):
        return optimize(
            _spec(FREE_MILLING, text.replace("ore_tph_max = 283.0", f"ore_tph_max = {t!r}"))
        )

    mid = at(255.0)  # between two steps of the cyclone count (one more at 249.5-250 t/h)
    assert mid.status == "optimal" and mid.decisions["ore_tph"] == pytest.approx(255.0)
    dual = mid.shadow_prices.set_index("limit").loc["ore_tph_max", "shadow_price"]
    lo, hi = at(254.5), at(255.5)
    assert lo.decisions["column"] == hi.decisions["column"] == mid.decisions["column"]
    fd = (hi.decisions["objective"] - lo.decisions["objective"]) / 1.0
    assert fd == pytest.approx(dual, rel=1e-4)
    # without the capital's share per tonne the dual would be off by it
    k = mid.plan.kpis
    share = 0.055 * float(k["capital_scaling_usd"]) / 8059.2 / 255.0
    assert share > 2e-3 * abs(dual)


def test_a_dearer_maintenance_fraction_costs_margin_and_never_helps():
    text = FREE_MILLING.read_text(encoding="utf-8")
    dear = re.sub(
        r"^capital_fixed_frac_y = .*$", "capital_fixed_frac_y = 0.2", text, count=1, flags=re.M
    )
    base, costly = optimize(_spec(FREE_MILLING)), optimize(_spec(FREE_MILLING, dear))
    assert costly.status == "optimal"
    assert costly.decisions["objective"] < base.decisions["objective"]
    k = costly.plan.kpis
    assert k["cost_fixed_capital_usd_h"] == pytest.approx(
        0.2 * k["capital_usd"] / 8059.2, rel=1e-12
    )

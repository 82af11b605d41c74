"""Autoclave oxygen capacity binds on the refractory route choice, with its shadow price
in USD/h per kg/h of O2 checked by finite difference."""

import re
from pathlib import Path

import pytest

from oreflow.flowsheet.case import parse_case
from oreflow.solvers.optimize import optimize

ROOT = Path(__file__).resolve().parents[2]
CASE = (ROOT / "cases" / "refractory_route_choice.toml").read_text(encoding="utf-8")
# one fixed cost (the header's build-up as designed): maintenance on the capital is concave
# in the rate, and the finite difference below checks the LP to 1e-6
CASE = re.sub(r"^fixed_usd_h = .*$", "fixed_usd_h = 1581.47", CASE, count=1, flags=re.M)
CASE = re.sub(r"^capital_fixed_frac_y = .*$", "capital_fixed_frac_y = 0.0", CASE, flags=re.M)

pytestmark = pytest.mark.solver


def _case(o2_kg_h: float) -> str:
    text = CASE.replace(
        "ore_tph_min = 181.2           # the plant treats its design rate on every route\n"
        "ore_tph_max = 181.2",
        "ore_tph_min = 100.0\nore_tph_max = 250.0",
    )
    old = '"units.pox.use_o2_kg_h" = 12500.0'
    assert old in text and "ore_tph_max = 250.0" in text
    # grinding energy and carbon advance per tonne (the case's 5 t/d of carbon at its
    # 4,350 t/d of solids): intensive settings, so the plan stays linear in throughput
    text = text.replace("nacn_mg_l = 300.0\n", "nacn_mg_l = 300.0\ncarbon_advance_kg_t = 1.15\n", 1)
    mill_mode = "\n[units.mill.modes]\nspecific_energy_kwh_t = [13.745]\n"
    return text.replace(old, f'"units.pox.use_o2_kg_h" = {o2_kg_h!r}') + mill_mode


def _run(o2_kg_h: float):
    result = optimize(parse_case(_case(o2_kg_h), "o2.toml"))
    assert result.status == "optimal"
    return result


def test_oxygen_capacity_binds_and_its_shadow_price_matches_a_finite_difference():
    # 8,500 kg/h: with steam priced the plan runs its autoclave at 200 °C and at 9,000 kg/h
    # would take 249 t/h, too near the 250 t/h bound for a finite difference of 50 kg/h
    result = _run(8500.0)
    prices = result.shadow_prices.set_index("limit")
    key = "constraints.max.units.pox.use_o2_kg_h"
    dual = prices.loc[key, "shadow_price"]
    assert dual > 0
    assert prices.loc[key, "units"] == "USD/h per kg/h"
    # the plan uses all the oxygen, below the ore the plant could take
    assert result.verification.loc["units.pox.use_o2_kg_h", "simulation"] == pytest.approx(
        8500.0, rel=1e-6
    )
    assert result.decisions["ore_tph"] < 250.0
    seconds = result.meta["seconds"]  # each phase of the solve timed on its own
    assert {"tabulate_s", "prune_s", "build_s", "solve_s", "duals_s"} <= set(seconds)
    assert all(v >= 0.0 for v in seconds.values())
    step = 50.0
    lo = _run(8500.0 - step).decisions["objective"]
    hi = _run(8500.0 + step).decisions["objective"]
    assert (hi - lo) / (2 * step) == pytest.approx(dual, rel=1e-6)

"""Compressed air of forced-air flotation, crushing and conveying: their power by hand,
charged to the units they serve and priced in the utilities line; off unless stated."""

import math
import re
from pathlib import Path

import numpy as np
import pytest

from oreflow.flowsheet.case import parse_case
from oreflow.flowsheet.compile import compile_case
from oreflow.solvers.bulk_utilities import (
    blower_kw,
    bond_kwh_t,
    bulk_utility_kw,
    cell_air_m3_h,
    conveying_kw,
)
from oreflow.solvers.equipment import equipment
from oreflow.solvers.results import build_results
from oreflow.solvers.simulate import simulate_plant
from oreflow.solvers.unit_figures import passing_size_um

ROOT = Path(__file__).resolve().parents[2]
FREE_MILLING = ROOT / "cases" / "free_milling_cil.toml"
SATELLITE = ROOT / "cases" / "satellite_concentrator.toml"


def _with(path: Path, **keys: float) -> str:
    text = path.read_text(encoding="utf-8")
    lines = "".join(f"{k} = {v!r}\n" for k, v in keys.items())
    assert "\n[economics]\n" in text
    return text.replace("\n[economics]\n", f"\n[economics]\n{lines}", 1)


def _sim(text: str, path: Path):
    sim = simulate_plant(compile_case(parse_case(text, str(path))), n_cases=1)
    return sim, build_results(sim).kpis


def test_blower_is_adiabatic_compression_by_hand():
    q, dp = 5000.0, 35.0
    p1 = 101.325
    by_hand = 3.5 * p1 * q / 3600.0 * (((p1 + dp) / p1) ** (0.4 / 1.4) - 1.0) / 0.70
    assert float(blower_kw(q, dp)) == pytest.approx(by_hand, rel=1e-12)
    # limiting cases: no pressure rise, no power; more air or pressure, more power
    assert float(blower_kw(q, 0.0)) == 0.0
    assert blower_kw(2 * q, dp) == pytest.approx(2 * blower_kw(q, dp))
    assert blower_kw(q, 2 * dp) > blower_kw(q, dp)
    # low pressure ratio: the isothermal limit Q dp / eta within 1 %
    assert float(blower_kw(q, 1.0)) == pytest.approx(q / 3600.0 * 1.0 / 0.70, rel=1e-2)


def test_cell_air_crushing_and_conveying_by_hand():
    d = (4.0 * 30.0 / math.pi) ** (1.0 / 3.0)
    assert float(cell_air_m3_h(30.0, 2.0)) == pytest.approx(0.02 * math.pi / 4 * d * d * 3600)
    w = float(bond_kwh_t(15.0, 300_000.0, np.array([8000.0]))[0])
    assert w == pytest.approx(150.0 * (1 / math.sqrt(8000.0) - 1 / math.sqrt(300_000.0)))
    assert float(bond_kwh_t(15.0, 8000.0, np.array([9000.0]))[0]) == 0.0  # nothing to crush
    assert float(conveying_kw(100.0, 1000.0, 0.0)) == pytest.approx(
        100.0 * 9.81 * 30.0 / 3600.0 / 0.9
    )


def test_off_unless_stated():
    sim, _ = _sim(FREE_MILLING.read_text(encoding="utf-8"), FREE_MILLING)
    assert bulk_utility_kw(sim) == {}


def test_crushing_and_conveying_are_charged_to_the_unit_the_ore_enters():
    base_sim, base = _sim(FREE_MILLING.read_text(encoding="utf-8"), FREE_MILLING)
    text = _with(
        FREE_MILLING, crusher_feed_f80_mm=300.0, conveyor_length_m=800.0, conveyor_lift_m=25.0
    )
    sim, k = _sim(text, FREE_MILLING)
    rate = float(sim.params["ore.main"]["rate_tph"][0])
    p80 = float(passing_size_um(sim.plant.spec.comps, sim.streams["ore.main"], 0.8)[0])
    wi = float(sim.params["ore.main"]["wi_kwh_t"][0])
    crushing = 10 * wi * (1 / math.sqrt(p80) - 1 / math.sqrt(300_000.0)) * rate
    conveying = rate * 9.81 * (25.0 + 0.03 * 800.0) / 3600.0 / 0.9
    assert float(k["utility_crushing_kw"]) == pytest.approx(crushing, rel=1e-12)
    assert float(k["utility_conveying_kw"]) == pytest.approx(conveying, rel=1e-12)
    # charged to mill_feed, the unit the ore enters, and priced with the utilities
    extra = crushing + conveying
    assert float(k["utility_mill_feed_kw"]) == pytest.approx(extra, rel=1e-12)
    price = sim.plant.spec.economics.params["electricity_usd_kwh"]
    assert float(k["cost_utilities_usd_h"] - base["cost_utilities_usd_h"]) == pytest.approx(
        extra * price, rel=1e-9
    )
    assert float(base["margin_usd_h"] - k["margin_usd_h"]) == pytest.approx(extra * price, rel=1e-9)
    assert 0.5 < crushing / rate < 3.0  # kWh/t from ROM to a ball-mill feed
    assert base_sim.n_cases == 1


def test_flotation_air_is_charged_to_each_bank():
    text = _with(SATELLITE, flotation_air_jg_cm_s=1.5, blower_pressure_kpa=40.0)
    sim, k = _sim(text, SATELLITE)
    banks = [e for e in equipment(sim) if e.item == "cells"]
    assert len(banks) >= 2
    total = 0.0
    for e in banks:
        kw = float((e.count * blower_kw(cell_air_m3_h(e.size, 1.5), 40.0))[0])
        assert float(k[f"utility_{e.unit}_kw"]) >= kw * (1 - 1e-12)  # with its pumps, if any
        total += kw
    assert float(k["utility_air_kw"]) == pytest.approx(total, rel=1e-12)
    # more air, more power; none without forced air
    _, more = _sim(
        re.sub("flotation_air_jg_cm_s = 1.5", "flotation_air_jg_cm_s = 2.0", text), SATELLITE
    )
    assert float(more["utility_air_kw"]) > float(k["utility_air_kw"])

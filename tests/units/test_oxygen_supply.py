"""Oxygen and air of a sparged leach train (oreflow.units.oxygen_supply, kernels.sparging).

One tank train worked by hand: 200 t/h of solids (2.7 t/m³) in 200 m³/h of solution
for 24 h, 5 g O2/(t h) uptake, 25 °C, spargers 10 m under the pulp, 10 kPa of losses.
"""

import math
from pathlib import Path

import numpy as np
import pytest

import oreflow
from oreflow.kernels.cyanidation import oxygen_saturation_mg_l
from oreflow.units.oxygen_supply import OXYGEN_SUPPLY_PARAMS, oxygen_supply_metrics

ROOT = Path(__file__).resolve().parents[2]

SOLIDS, SOL, TAU, UPTAKE = 200.0, 200.0, 24.0, 5.0
SOLIDS_M3 = SOLIDS / 2.7


def _params(n=1, **over):
    p = {q.name: np.full(n, float(q.default)) for q in OXYGEN_SUPPLY_PARAMS}
    p["kla_per_h"] = np.full(n, 30.0)
    for k, v in over.items():
        p[k] = np.full(n, float(v))
    return p


def _run(supply, do, n=1, **over):
    do = np.broadcast_to(np.asarray(do, dtype=float), (n,)).copy()
    return oxygen_supply_metrics(
        supply, _params(n, **over), do, np.full(n, UPTAKE), np.full(n, SOLIDS),
        np.full(n, SOLIDS_M3), np.full(n, SOL), np.full(n, TAU), np.full(n, 25.0),
    )  # fmt: skip


def test_air_train_by_hand():
    m = _run("set_point", 6.0)
    # consumed: 5 g/(t h) x 200 t/h x 24 h + 6 g/m³ x 200 m³/h
    assert m["o2_consumed_kg_h"][0] == pytest.approx(24.0 + 1.2, rel=1e-12)
    rho = (SOLIDS + SOL) / (SOLIDS_M3 + SOL)  # 1.4595 t/m³
    head = rho * 9.80665 * 10.0  # 143.1 kPa
    sat_air = float(oxygen_saturation_mg_l(np.array([25.0]))[0])  # 8.26 mg/L
    limit = sat_air - UPTAKE * SOLIDS / SOL / 30.0
    assert m["do_air_limit_mg_l"][0] == pytest.approx(limit, rel=1e-12)
    assert limit > 6.0  # held by air
    mid = sat_air * (101.325 + head / 2) / 101.325
    ote = 0.08 * (mid - 6.0) / mid
    assert m["o2_transfer_frac"][0] == pytest.approx(ote, rel=1e-12)
    supplied = 25.2 / ote
    assert m["o2_supplied_kg_h"][0] == pytest.approx(supplied, rel=1e-12)
    air = supplied / (0.2095 * 31.998 / 22.414)
    assert m["air_nm3_h"][0] == pytest.approx(air, rel=1e-12)
    q1 = air * 298.15 / 273.15 / 3600.0
    ratio = (101.325 + head + 10.0) / 101.325
    kw = 3.5 * 101.325 * q1 * (ratio ** (0.4 / 1.4) - 1.0) / 0.70
    assert m["blower_kw"][0] == pytest.approx(kw, rel=1e-12)
    assert m["power_kw"][0] == m["blower_kw"][0]
    assert m["use_o2_kg_h"][0] == 0.0
    # the figures themselves, so a change of constants shows
    assert (round(m["o2_supplied_kg_h"][0], 1), round(m["blower_kw"][0], 1)) == (
        round(supplied, 1),
        round(kw, 1),
    )
    assert 500.0 < supplied < 700.0 and 80.0 < kw < 120.0


def test_set_point_above_what_air_holds_is_bought_oxygen():
    m = _run("set_point", 16.0)
    assert m["air_nm3_h"][0] == 0.0 and m["blower_kw"][0] == 0.0
    consumed = 24.0 + 16.0 * SOL / 1000.0
    sat_o2 = float(oxygen_saturation_mg_l(np.array([25.0]), 1.0)[0])
    head = (SOLIDS + SOL) / (SOLIDS_M3 + SOL) * 9.80665 * 10.0
    mid = sat_o2 * (101.325 + head / 2) / 101.325
    bought = consumed / (0.80 * (mid - 16.0) / mid)
    assert m["use_o2_kg_h"][0] == pytest.approx(bought, rel=1e-12)
    assert m["oxygen_plant_t_d"][0] == pytest.approx(bought * 24e-3, rel=1e-12)
    assert m["do_shortfall_mg_l"][0] == 0.0


def test_set_point_beyond_what_oxygen_holds_is_an_envelope():
    m = _run("set_point", 45.0)  # oxygen holds 39.2 mg/L at 25 °C with kLa 30
    sat_o2 = float(oxygen_saturation_mg_l(np.array([25.0]), 1.0)[0])
    held = sat_o2 - UPTAKE * SOLIDS / SOL / 30.0
    assert m["do_shortfall_mg_l"][0] == pytest.approx(45.0 - held, rel=1e-12)
    assert np.isfinite(m["use_o2_kg_h"][0])


def test_oxygen_rises_with_the_set_point_within_each_gas():
    air = _run("set_point", np.array([1.0, 2.0, 4.0, 6.0, 8.0]), n=5)
    assert (air["use_o2_kg_h"] == 0).all()
    assert np.all(np.diff(air["o2_supplied_kg_h"]) > 0) and np.all(np.diff(air["blower_kw"]) > 0)
    o2 = _run("set_point", np.array([10.0, 16.0, 24.0, 32.0]), n=4)
    assert (o2["air_nm3_h"] == 0).all() and np.all(np.diff(o2["use_o2_kg_h"]) > 0)
    # a deeper sparger: more head for the blower, but more oxygen dissolves per kg blown
    deep = _run("set_point", 6.0, sparger_submergence_m=15.0)
    base = _run("set_point", 6.0)
    assert deep["o2_supplied_kg_h"][0] < base["o2_supplied_kg_h"][0]


def test_sparged_modes_cost_the_gas_they_sparge():
    air = _run("air", 7.0)
    oxy = _run("oxygen", 30.0)
    assert "use_o2_kg_h" not in air and air["air_nm3_h"][0] > 0.0
    assert oxy["use_o2_kg_h"][0] > 0.0 and oxy["air_nm3_h"][0] == 0.0
    assert air["do_shortfall_mg_l"][0] == 0.0 and oxy["do_shortfall_mg_l"][0] == 0.0


def test_shipped_cil_reports_and_prices_its_air():
    sim = oreflow.simulate(ROOT / "cases" / "free_milling_cil.toml")
    u = sim.units.query("unit == 'cil'").set_index("metric")["value"]
    assert u["air_nm3_h"] > 0 and u["blower_kw"] > 0 and "use_o2_kg_h" not in u
    assert u["o2_supplied_kg_h"] == pytest.approx(
        u["air_nm3_h"] * 0.2095 * 31.998 / 22.414, rel=1e-9
    )
    # the blower is in the plant's power: mill and all other units' power_kw
    total = sim.units.query("metric == 'power_kw'")["value"].sum()
    assert sim.kpis["plant_power_kw"] == pytest.approx(total, rel=1e-9)
    assert math.isfinite(u["o2_transfer_frac"]) and 0 < u["o2_transfer_frac"] < 0.08

"""Utility power no unit model reports: agitation from tank volume, slurry pumping from
flow and head, priced at the electricity price and counted in each unit's cost."""

import pytest

import oreflow
from oreflow.flowsheet.compile import compile_case
from oreflow.solvers.equipment import AGITATION_KW_M3
from oreflow.solvers.simulate import simulate_plant
from oreflow.solvers.utilities import PUMP_EFFICIENCY, utility_power_kw
from oreflow.units.base import solids_volume_m3_h, total_solids, water
from oreflow.units.cyclone import CYCLONE_DP_KPA, CYCLONE_STATIC_HEAD_M
from oreflow.units.tailings import TAILINGS_HEAD_M
from tests.conftest import CASES


@pytest.fixture(scope="module")
def sim():
    spec = oreflow.load_case(CASES / "free_milling_cil.toml")
    return simulate_plant(compile_case(spec), n_cases=1)


def _pump_by_hand(sim, stream, pressure_kpa, head_m):
    comps = sim.plant.spec.comps
    x = sim.streams[stream]
    q = float(solids_volume_m3_h(comps, x)[0] + water(comps, x)[0])
    rho = float(total_solids(comps, x)[0] + water(comps, x)[0]) / q
    return q / 3600.0 * (pressure_kpa + rho * 9.81 * head_m) / PUMP_EFFICIENCY


def test_agitation_and_pumping_by_hand(sim):
    kw = utility_power_kw(sim)
    tank = float(sim.units["cil"].metrics["tank_volume_m3"][0])
    assert kw["cil"][0] == pytest.approx(7 * tank * AGITATION_KW_M3, rel=1e-12)
    cyc = _pump_by_hand(sim, "cyclone_feed.out", CYCLONE_DP_KPA, CYCLONE_STATIC_HEAD_M)
    assert kw["cyclone"][0] == pytest.approx(cyc, rel=1e-12)
    tails = _pump_by_hand(sim, "detox.out", 0.0, TAILINGS_HEAD_M)
    assert kw["tailings"][0] == pytest.approx(tails, rel=1e-12)
    # hundreds of kW for a 5,000 t/d plant: agitation of 7,700 m3 and a 1,000 m3/h pump
    assert 300.0 < sum(v[0] for v in kw.values()) < 2000.0


def test_utilities_are_priced_and_counted_in_the_unit_cost():
    r = oreflow.simulate(oreflow.load_case(CASES / "free_milling_cil.toml"))
    k = r.kpis
    price = 0.10  # electricity_usd_kwh of the case
    assert k["cost_utilities_usd_h"] == pytest.approx(k["utility_power_kw"] * price, rel=1e-12)
    assert k["cost_utilities_usd_h"] > 0
    # the CIL's cost now carries its agitators
    units = r.units.set_index(["unit", "metric"])["value"]
    tank = units.loc[("cil", "tank_volume_m3")]
    assert k["cost_unit_cil_usd_h"] >= 7 * tank * AGITATION_KW_M3 * price

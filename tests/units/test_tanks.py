"""Tank trains sized by volume: residence time follows the pulp flow (CIL and lixiviant trains)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from oreflow.conventions import RTOL_EXACT
from oreflow.flowsheet.case import load_case
from oreflow.flowsheet.compile import compile_case
from oreflow.solvers.simulate import simulate_plant
from oreflow.units.base import solids_volume_m3_h, water
from oreflow.units.tanks import tank_residence

CASES = Path(__file__).resolve().parents[2] / "cases"


def test_tank_residence_from_set_time_and_from_volume():
    pulp = np.array([100.0, 250.0, 0.0])
    tau, vol = tank_residence({"residence_h": np.full(3, 24.0)}, "residence_h", "v", 6, pulp)
    np.testing.assert_allclose(tau, 4.0, rtol=RTOL_EXACT)
    np.testing.assert_allclose(vol, [400.0, 1000.0, 0.0], rtol=RTOL_EXACT)
    tau, vol = tank_residence({"v": np.full(3, 500.0)}, "r", "v", 6, pulp)
    np.testing.assert_allclose(tau, [5.0, 2.0, 0.0], rtol=RTOL_EXACT)  # no pulp: no time
    np.testing.assert_allclose(vol, 500.0, rtol=RTOL_EXACT)


@pytest.mark.parametrize(
    ("case", "unit"),
    [("copper_gold_cil.toml", "cil"), ("free_milling_glycine.toml", "leach")],
)
def test_volume_sized_train_residence_is_tanks_times_volume_over_pulp_flow(case, unit):
    """``residence_h`` = n_tanks x tank_volume_m3 / (solids m³/h + water m³/h) of the feed."""
    spec = load_case(CASES / case)
    u = spec.unit(unit)
    assert u.params.get("tank_volume_m3") is not None, "the case must size the train by volume"
    plant = compile_case(spec)
    sim = simulate_plant(plant, n_cases=1)
    feed = sum(sim.streams[s.name] for s in plant.topology.inlets_of(unit))
    pulp_m3_h = solids_volume_m3_h(spec.comps, feed) + water(spec.comps, feed)
    expected = u.params["n_tanks"] * u.params["tank_volume_m3"] / pulp_m3_h
    metrics = sim.units[unit].metrics
    np.testing.assert_allclose(metrics["residence_h"], expected, rtol=RTOL_EXACT)
    np.testing.assert_allclose(metrics["tank_volume_m3"], u.params["tank_volume_m3"])

"""Preg-robbing with a blanking agent: more kerosene, less gold held by the carbonaceous
matter and more recovered, and the agent is bought (cases/tests/cn_cip_pregrob.toml)."""

from pathlib import Path

import numpy as np
import pytest

import oreflow

CASE = Path(__file__).resolve().parents[2] / "cases" / "tests" / "cn_cip_pregrob.toml"


@pytest.mark.solver
def test_blanking_lowers_preg_robbing_and_is_paid_for():
    dose = np.array([0.0, 0.25, 0.5, 1.0, 2.0])
    f = oreflow.simulate_batch(CASE, {"units.cip.blanking_kg_t": dose})
    assert np.all(np.diff(f["pregrobbed_au_frac"]) < 0)
    assert np.all(np.diff(f["gold_recovery_frac"]) > 0)
    np.testing.assert_allclose(f["use_kerosene_kg_t"], dose, rtol=1e-12)
    # the half dose halves the partition coefficient of the ore
    r0 = oreflow.simulate(CASE, overrides={"units.cip.blanking_kg_t": 0.0})
    r1 = oreflow.simulate(CASE, overrides={"units.cip.blanking_kg_t": 0.5})

    def ore_k(r):
        u = r.units[r.units.unit == "cip"].set_index("metric")["value"]
        return u["ore_k_m3_t"]

    assert ore_k(r1) == pytest.approx(ore_k(r0) / 2.0, rel=1e-12)

"""Copper competes with gold for carbon, and free cyanide keeps copper off the carbon.

Published directions (abstracts): Dai, Breuer & Jeffrey 2010 (Miner. Metall. Process.
27:190): copper lowers the equilibrium gold loading; Ibrado & Fuerstenau 1990 (SME):
carbon takes singly charged cyano complexes and repels multiply charged ones; Souza,
Majuste & Ciminelli 2014 (Hydrometallurgy): at pH > 9 and CN:Cu > 4 the main copper
competitor is Cu(CN)3 2-, not Cu(CN)2-. Speciation constants: Penneman & Jones 1956
(J. Chem. Phys. 24:293). No loading figures could be read, so sizes here are the
constants themselves and the shipped copper-gold case's own response.
"""

from pathlib import Path

import numpy as np

import oreflow
from oreflow.kernels.carbon_circuit import (
    CU_CN3_DISSOC_MOL_L,
    CU_CN4_DISSOC_MOL_L,
    copper_affinity,
    copper_cyanide_fractions,
)
from oreflow.kernels.cyanidation import cyanide_ion_mol_l

CASE = Path(__file__).resolve().parents[2] / "cases" / "copper_gold_cil.toml"
NACN = np.array([150.0, 300.0, 500.0, 1000.0])


def _cn(nacn):
    n = np.size(nacn)
    return cyanide_ion_mol_l(np.asarray(nacn, dtype=float), np.full(n, 10.5), np.full(n, 25.0))


def test_speciation_reproduces_the_dissociation_constants():
    cn = _cn(NACN)
    f2, f3, f4 = copper_cyanide_fractions(cn)
    np.testing.assert_allclose(f2 + f3 + f4, 1.0, rtol=1e-14)
    np.testing.assert_allclose(f2 * cn / f3, CU_CN3_DISSOC_MOL_L, rtol=1e-12)
    np.testing.assert_allclose(f3 * cn / f4, CU_CN4_DISSOC_MOL_L, rtol=1e-12)
    assert np.all(np.diff(f2) < 0) and np.all(np.diff(f4) > 0)


def test_copper_affinity_falls_with_free_cyanide_and_cu_cn3_is_the_competitor():
    cn = _cn(NACN)
    a = copper_affinity(cn, np.full(cn.size, 0.05))
    assert np.all(np.diff(a) < 0)
    f2, f3, _ = copper_cyanide_fractions(cn)
    assert np.all(0.05 * f3 > f2)  # Souza, Majuste & Ciminelli 2014


def _cil(sim, metric):
    return float(sim.units.query("unit == 'cil' and metric == @metric")["value"].iloc[0])


def test_copper_on_carbon_lowers_gold_loading_in_the_copper_gold_case():
    """Dai, Breuer & Jeffrey 2010: copper takes sites from gold. Without the competition
    (an unlimited site capacity) the same plant leaves less gold in solution."""
    shared = oreflow.simulate(CASE)
    alone = oreflow.simulate(CASE, overrides={"units.cil.carbon_capacity_g_t": np.array([1e9])})
    assert _cil(shared, "soluble_loss_au_mg_l") > 1.5 * _cil(alone, "soluble_loss_au_mg_l")
    assert _cil(shared, "loaded_carbon_cu_g_t") < _cil(alone, "loaded_carbon_cu_g_t")
    assert shared.kpis["gold_recovery_frac"] < alone.kpis["gold_recovery_frac"]


def test_more_free_cyanide_keeps_copper_off_the_carbon_and_frees_sites_for_gold():
    runs = [
        oreflow.simulate(CASE, overrides={"units.cil.nacn_mg_l": np.array([v])})
        for v in (200.0, 500.0, 1000.0)
    ]
    cu = [_cil(r, "loaded_carbon_cu_g_t") for r in runs]
    loss = [_cil(r, "soluble_loss_au_mg_l") for r in runs]
    assert cu[0] > cu[1] > cu[2]
    assert loss[0] > loss[1] > loss[2]
    # copper dissolved rises with cyanide, yet less of it loads: the speciation at work
    tails = [_cil(r, "tails_cu_mg_l") for r in runs]
    assert tails[2] > tails[0]

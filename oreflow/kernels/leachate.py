"""Metals of a standard leachate of residue: pore water diluted, precipitates to saturation.

A standard leach test (HJ/T 299-2007 sulfuric/nitric acid leach or HJ 557-2010 water
leach, both 18 h at liquid/solid 10 L/kg [L]) is estimated per metal ``m`` as

``C_m = P_m / V + sum_j min(M_j / V, S_j)``  [mg/L]

- ``V = max(L/S x S, W)``: the leachate volume [m³ per hour of residue], the pore water
  ``W`` counting towards the leachant (as for cyanide, ``oreflow.units.residue_rules``);
- ``P_m``: metal dissolved in the residue's pore water [g/h]: it stays dissolved (held as
  cyanide or other complexes) [assumed];
- ``M_j``: metal held in solid phase ``j`` [g/h], which dissolves in the test up to its own
  saturation ``S_j`` [mg/L of the metal], each phase independently of the others [assumed:
  an upper bound where phases share an ion].

The array contract is that of :mod:`oreflow.kernels`: masses in g/h, volumes in m³/h,
tenors in mg/L (g/m³).
"""

from __future__ import annotations

import numpy as np

from oreflow.kernels._jit import njit
from oreflow.kernels.detox_metals import cu_hydroxide_solubility_mg_l


@njit
def leachate_metals_mg_l(
    pore_g_h: np.ndarray,
    phase_g_h: np.ndarray,
    phase_metal: np.ndarray,
    saturation_mg_l: np.ndarray,
    volume_m3_h: np.ndarray,
) -> np.ndarray:
    """Metal tenors of the standard leachate (module docstring) [mg/L].

    Parameters
    ----------
    pore_g_h : (n_cases, n_metals) float64
        Each metal dissolved in the residue's water [g/h].
    phase_g_h : (n_cases, n_phases) float64
        The metal held in each leachable solid phase [g/h].
    phase_metal : (n_phases,) int64
        Column of ``pore_g_h`` (the metal) of each phase.
    saturation_mg_l : (n_cases, n_phases) float64
        Most of its metal each phase gives the leachate [mg/L].
    volume_m3_h : (n_cases,) float64
        Leachate volume ``max(L/S x solids, water)`` [m³/h].

    Returns
    -------
    (n_cases, n_metals) float64
        Leachate tenor of each metal [mg/L]; 0 without leachate volume.
    """
    n, n_metals = pore_g_h.shape
    out = np.zeros((n, n_metals))
    for i in range(n):
        v = volume_m3_h[i]
        if v <= 0.0:
            continue
        for m in range(n_metals):
            out[i, m] = pore_g_h[i, m] / v
        for j in range(phase_metal.shape[0]):
            out[i, phase_metal[j]] += min(phase_g_h[i, j] / v, saturation_mg_l[i, j])
    return out


@njit
def cu_hydroxide_saturation_mg_l(ph: np.ndarray, log_ks0: float) -> np.ndarray:
    """Dissolved copper over Cu(OH)₂(s) at each pH [mg/L] (``detox_metals``' equilibrium).

    Parameters
    ----------
    ph : (n_cases,) float64
        Leachate pH [-].
    log_ks0 : float
        log10 *Ks0 of the hydroxide [-].

    Returns
    -------
    (n_cases,) float64
        Dissolved copper [mg/L].
    """
    out = np.empty(ph.shape[0])
    for i in range(ph.shape[0]):
        out[i] = cu_hydroxide_solubility_mg_l(ph[i], log_ks0)
    return out

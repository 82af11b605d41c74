"""Heap leaching: first-order dissolution of each size class over a leach cycle.

``R(t) = R∞(d) (1 - exp(-k(d) t))`` per size class and species (Marsden & House 2006,
ch. 6; docs/models.md#heap_leach). Masses in t/h, times in d, fractions in [0, 1].
"""

from __future__ import annotations

import math

import numpy as np

from oreflow.kernels._jit import njit


@njit
def heap_leach_batch(
    solids_tph: np.ndarray,
    k_per_d: np.ndarray,
    ultimate_frac: np.ndarray,
    cycle_d: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Heap leaching of each size class and species over a leach cycle.

    Each parcel of ore on the heap is leached for the cycle time t, as a batch
    (Marsden & House 2006; docs/models.md#heap_leach):

        R(t) = R∞(d) · (1 − exp(−k(d) t))

    per size class and species, so the steady-state dissolution of ore stacked at a
    constant rate is ``feed · R(t_cycle)``.

    Parameters
    ----------
    solids_tph : (n_cases, n_cls, n_sp) float64
        Mass of each leachable species per size class stacked [t/h].
    k_per_d : (n_cases, n_cls, n_sp) float64
        First-order rate constant of each cell [1/d], >= 0.
    ultimate_frac : (n_cases, n_cls, n_sp) float64
        Ultimate extraction of each cell R∞ [-], in [0, 1].
    cycle_d : (n_cases,) float64
        Leach cycle (irrigation time of a lift) [d], >= 0.

    Returns
    -------
    dissolved_tph : (n_cases, n_sp) float64
        Mass of each species dissolved [t/h].
    residue_tph : (n_cases, n_cls, n_sp) float64
        Mass of each cell left in the spent heap [t/h].

    References
    ----------
    J. Marsden and I. House, *The Chemistry of Gold Extraction*, 2nd ed., SME, 2006,
    ch. 6 (heap leaching; no DOI). Typical ranges [L] in Marsden & House 2006; docs/models.md#heap_leach.

    Examples
    --------
    >>> import numpy as np
    >>> d, r = heap_leach_batch(np.ones((1, 1, 1)), np.full((1, 1, 1), 0.05),
    ...                         np.full((1, 1, 1), 0.8), np.array([60.0]))
    >>> round(float(d[0, 0]), 6)
    0.76017
    """
    n_cases, n_cls, n_sp = solids_tph.shape
    if k_per_d.shape != solids_tph.shape or ultimate_frac.shape != solids_tph.shape:
        msg = "k_per_d and ultimate_frac must have the shape of solids_tph"
        raise ValueError(msg)
    if cycle_d.shape[0] != n_cases:
        msg = "cycle_d must have n_cases entries"
        raise ValueError(msg)
    dissolved = np.zeros((n_cases, n_sp))
    residue = np.empty((n_cases, n_cls, n_sp))
    for i in range(n_cases):
        for c in range(n_cls):
            for s in range(n_sp):
                feed = solids_tph[i, c, s]
                # -expm1 keeps R accurate when k t is small
                out = feed * ultimate_frac[i, c, s] * -math.expm1(-k_per_d[i, c, s] * cycle_d[i])
                dissolved[i, s] += out
                residue[i, c, s] = feed - out
    return dissolved, residue

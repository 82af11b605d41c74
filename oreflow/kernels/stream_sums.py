"""Sums over the solids block of stream arrays, in one sweep of the stream.

A stream array is (n_cases, n_comp) with the solids block first, size class by size
class (``oreflow.core.components``). NumPy's ``sum(axis=1)`` over the
(n_cases, n_cls, n_solid) view strides across the classes and costs about ten times the
arithmetic; this kernel reads each case's row once, in order.
"""

from __future__ import annotations

import numpy as np

from oreflow.kernels._jit import njit


@njit
def species_totals(x: np.ndarray, n_cls: int, n_solid: int) -> np.ndarray:
    """Flow of each solid species summed over the size classes, (n_cases, n_solid).

    Classes are added in order, as ``x[:, :n_cls * n_solid].reshape(-1, n_cls,
    n_solid).sum(axis=1)`` adds them, so the two agree bit for bit.

    Parameters
    ----------
    x : (n_cases, n_comp) float64
        Stream flows [t/h]; the first ``n_cls * n_solid`` entries are the solids.
    n_cls, n_solid : int
        Size classes and solid species.

    Returns
    -------
    (n_cases, n_solid) float64
        Flow of each species [t/h].
    """
    n = x.shape[0]
    out = np.zeros((n, n_solid))
    for c in range(n):
        for i in range(n_cls):
            base = i * n_solid
            for k in range(n_solid):
                out[c, k] += x[c, base + k]
    return out

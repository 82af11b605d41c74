"""Sums over the solids block of stream arrays, in one sweep of the stream.

A stream array is (n_cases, n_comp) with the solids block first, size class by size
class (``oreflow.core.components``). NumPy's ``sum(axis=1)`` over the
(n_cases, n_cls, n_solid) view strides across the classes and costs about ten times the
arithmetic, its ``sum(axis=2)`` calls its inner loop once per class for a few species;
these kernels read each case's row once, in order, and add in NumPy's order, so their
sums are NumPy's to the last bit.
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


#: NumPy sums a contiguous run of at most this many terms with eight partial sums and
#: splits longer runs in two (``PW_BLOCKSIZE`` in ``numpy/_core/src/umath/loops_utils.h.src``).
PAIRWISE_BLOCK = 128


@njit
def class_totals(x: np.ndarray, n_cls: int, n_solid: int) -> np.ndarray:
    """Solids of each size class summed over the species, (n_cases, n_cls).

    As ``x[:, :n_cls * n_solid].reshape(-1, n_cls, n_solid).sum(axis=2)`` adds them for a
    C-ordered ``x``, so the two agree bit for bit (a Fortran-ordered ``x`` NumPy sums
    one species after the other): NumPy sums each class's contiguous run of species
    pairwise, which for at most ``PAIRWISE_BLOCK`` terms is one after the other under 8
    terms, else eight interleaved partial sums joined as
    ``((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7))`` and then the rest one by one. More species
    than ``PAIRWISE_BLOCK`` are the caller's to sum (NumPy halves such runs).

    Parameters
    ----------
    x : (n_cases, n_comp) float64
        Stream flows [t/h]; the first ``n_cls * n_solid`` entries are the solids.
    n_cls, n_solid : int
        Size classes and solid species (``n_solid <= PAIRWISE_BLOCK``).
    """
    n = x.shape[0]
    out = np.empty((n, n_cls))
    tail = n_solid - n_solid % 8
    for c in range(n):
        for i in range(n_cls):
            lo = i * n_solid
            if n_solid < 8:
                res = -0.0
                for k in range(n_solid):
                    res += x[c, lo + k]
            else:
                r0, r1, r2, r3 = x[c, lo], x[c, lo + 1], x[c, lo + 2], x[c, lo + 3]
                r4, r5, r6, r7 = x[c, lo + 4], x[c, lo + 5], x[c, lo + 6], x[c, lo + 7]
                for j in range(lo + 8, lo + tail, 8):
                    r0 += x[c, j]
                    r1 += x[c, j + 1]
                    r2 += x[c, j + 2]
                    r3 += x[c, j + 3]
                    r4 += x[c, j + 4]
                    r5 += x[c, j + 5]
                    r6 += x[c, j + 6]
                    r7 += x[c, j + 7]
                res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
                for j in range(lo + tail, lo + n_solid):
                    res += x[c, j]
            out[c, i] = 0.0 + res  # NumPy adds the run onto +0.0: a -0.0 run gives +0.0
    return out

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


#: NumPy's pairwise summation: blocks of at most this many terms are summed with eight
#: accumulators, longer runs split in two (``numpy/_core/src/umath/loops_utils.h.src``,
#: ``PW_BLOCKSIZE``).
_PW_BLOCK = 128
#: Stack depth of ``_pairwise_into``: three frames per halving, enough for runs of
#: up to 2^40 terms.
_PW_DEPTH = 128


@njit
def _block_sum(a: np.ndarray, lo: int, n: int) -> float:
    """NumPy's sum of a run of at most ``_PW_BLOCK`` terms (``pairwise_sum``)."""
    if n < 8:
        res = -0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    while i < n - n % 8:
        j = lo + i
        r0 += a[j]
        r1 += a[j + 1]
        r2 += a[j + 2]
        r3 += a[j + 3]
        r4 += a[j + 4]
        r5 += a[j + 5]
        r6 += a[j + 6]
        r7 += a[j + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit
def _pairwise_into(a: np.ndarray, lo: int, n: int, frames: np.ndarray, sums: np.ndarray) -> float:
    """``pairwise_sum`` with its work arrays given: (3, depth) int64 and (depth,) float64.

    The halving is walked with a stack, not by recursion (numba's cache cannot hold a
    recursive kernel): a run is split into its halves, left first, and the two sums
    joined when both are known, as NumPy's recursion joins them.
    """
    if n <= _PW_BLOCK:
        return _block_sum(a, lo, n)
    top, n_sums = 0, 0
    frames[0, 0], frames[1, 0], frames[2, 0] = lo, n, 0
    while top >= 0:
        f_lo, f_n, joined = frames[0, top], frames[1, top], frames[2, top]
        top -= 1
        if joined:
            sums[n_sums - 2] = sums[n_sums - 2] + sums[n_sums - 1]
            n_sums -= 1
        elif f_n <= _PW_BLOCK:
            sums[n_sums] = _block_sum(a, f_lo, f_n)
            n_sums += 1
        else:
            n2 = f_n // 2
            n2 -= n2 % 8
            # popped in reverse: the left half, the right half, then the join
            frames[0, top + 1], frames[1, top + 1], frames[2, top + 1] = f_lo, f_n, 1
            frames[0, top + 2], frames[1, top + 2], frames[2, top + 2] = f_lo + n2, f_n - n2, 0
            frames[0, top + 3], frames[1, top + 3], frames[2, top + 3] = f_lo, n2, 0
            top += 3
    return sums[0]


@njit
def pairwise_sum(a: np.ndarray, lo: int, n: int) -> float:
    """``a[lo:lo + n].sum()`` for a 1-D float64 array, in NumPy's order of addition.

    NumPy sums a contiguous run pairwise: under 8 terms one after the other, up to 128
    terms in eight interleaved partial sums joined as
    ``((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7))`` then the rest one by one, longer runs as
    two halves (the first a multiple of 8), each summed so. Adding in the same order
    gives the same bits (checked against NumPy in the tests).
    """
    frames = np.empty((3, _PW_DEPTH), dtype=np.int64)
    return _pairwise_into(a, lo, n, frames, np.empty(_PW_DEPTH))


@njit
def class_totals(x: np.ndarray, n_cls: int, n_solid: int) -> np.ndarray:
    """Solids of each size class summed over the species, (n_cases, n_cls).

    As ``x[:, :n_cls * n_solid].reshape(-1, n_cls, n_solid).sum(axis=2)`` adds them
    (``pairwise_sum`` over each class's species), so the two agree bit for bit.

    Parameters
    ----------
    x : (n_cases, n_comp) float64
        Stream flows [t/h]; the first ``n_cls * n_solid`` entries are the solids.
    n_cls, n_solid : int
        Size classes and solid species.
    """
    n = x.shape[0]
    out = np.empty((n, n_cls))
    frames = np.empty((3, _PW_DEPTH), dtype=np.int64)
    sums = np.empty(_PW_DEPTH)
    for c in range(n):
        row = x[c]
        for i in range(n_cls):
            base = i * n_solid
            if n_solid < 8:  # the usual case, inline: a call per class costs 10x the sum
                res = -0.0
                for k in range(n_solid):
                    res += x[c, base + k]
                out[c, i] = res
            elif n_solid <= _PW_BLOCK:
                out[c, i] = _block_sum(row, base, n_solid)
            else:
                out[c, i] = _pairwise_into(row, base, n_solid, frames, sums)
    return out

"""Sparse triangular solves with many right-hand sides at once.

SciPy's SuperLU solves a block of right-hand sides one column at a time through its
supernodes; for the very sparse factors of a survey's saddle-point system (a few
entries per column) that costs about ten times the arithmetic. These kernels take
the factors in compressed-column form and the right-hand sides as the rows of a
C-ordered ``(n, k)`` array, so each entry of a factor updates one contiguous row of
``k`` values (column-oriented substitution: Golub, G. H. & Van Loan, C. F. (2013),
Matrix Computations, 4th ed., Johns Hopkins, section 3.1).
"""

from __future__ import annotations

import numpy as np

from oreflow.kernels._jit import njit


@njit
def lower_unit_solve_into(
    indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, row: np.ndarray, x: np.ndarray
) -> None:
    """Overwrite ``x`` with ``L^-1 x``; ``L`` unit lower triangular, strict part in CSC.

    Only the entries below the diagonal are read (``indices[p] > j``). Unknown ``j``
    of the factor's ordering is row ``row[j]`` of ``x`` (a symmetric permutation
    applied in place); ``x`` is ``(n, k)``, C-ordered.
    """
    n, k = x.shape
    for j in range(n):
        source = row[j]
        for p in range(indptr[j], indptr[j + 1]):
            i = indices[p]
            if i > j:
                factor = data[p]
                target = row[i]
                for c in range(k):
                    x[target, c] -= factor * x[source, c]


@njit
def upper_solve_into(
    indptr: np.ndarray,
    indices: np.ndarray,
    data: np.ndarray,
    diagonal: np.ndarray,
    row: np.ndarray,
    x: np.ndarray,
) -> None:
    """Overwrite ``x`` with ``U^-1 x``; ``U`` upper triangular in CSC, its diagonal apart.

    Only the entries above the diagonal are read from ``data`` (``indices[p] < j``);
    ``row`` as in :func:`lower_unit_solve_into`.
    """
    n, k = x.shape
    for j in range(n - 1, -1, -1):
        source = row[j]
        inverse = 1.0 / diagonal[j]
        for c in range(k):
            x[source, c] *= inverse
        for p in range(indptr[j], indptr[j + 1]):
            i = indices[p]
            if i < j:
                factor = data[p]
                target = row[i]
                for c in range(k):
                    x[target, c] -= factor * x[source, c]

"""Products of a tall array with a small matrix, in ``np.einsum("ij,jk->ik")``'s order.

The closure audit maps per-case totals by species (n_cases, n_species) onto phases and
elements, and each reacting unit's species change onto its reagents, gases and element
imbalances, with a (n_species, k) matrix. ``einsum`` was used there, not ``@``, because
a threaded BLAS product left OpenBLAS threads spinning on a busy 2-core machine; this
kernel is 2-4x faster than ``einsum`` at a few thousand rows and adds the same terms in
the same order (for each output, ``a[i, 0] * b[0, k]`` first, then each next ``j``), so
its results are ``einsum``'s to the last bit where ``einsum`` adds so: both arrays in C
order and at least two columns (checked against ``einsum`` in the tests). With one
column, or a matrix in Fortran order, ``einsum`` sums each row in blocks of its own:
``einsum_product`` leaves those to it.
"""

from __future__ import annotations

import numpy as np

from oreflow.kernels._jit import njit


@njit
def rows_times(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for (n, m) and (m, k) float64 arrays, each output summed over ``j`` in order.

    Parameters
    ----------
    a : (n, m) float64
        Rows (cases) of figures by species.
    b : (m, k) float64
        Map of each species onto ``k`` figures.

    Returns
    -------
    (n, k) float64
    """
    n, m = a.shape
    k = b.shape[1]
    out = np.zeros((n, k))
    for i in range(n):
        for j in range(m):
            aij = a[i, j]
            for c in range(k):
                out[i, c] += aij * b[j, c]
    return out


def einsum_product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.einsum("ij,jk->ik", a, b)`` to the last bit: ``rows_times`` where it adds so.

    Examples
    --------
    >>> einsum_product(np.array([[1.0, 2.0]]), np.array([[1.0, 0.0], [0.5, 1.0]]))
    array([[2., 2.]])
    """
    c_order = a.flags.c_contiguous and b.flags.c_contiguous
    if b.shape[1] < 2 or not c_order or a.dtype != np.float64 or b.dtype != np.float64:
        # one column, or a matrix in another layout (a column slice of a matrix is in
        # Fortran order): einsum sums each row its own way there
        return np.einsum("ij,jk->ik", a, b)
    return rows_times(a, b)

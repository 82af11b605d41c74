"""Tear-stream convergence: relative residuals per component and Anderson acceleration.

Convergence is judged per component relative to its own size,
``r = |g - x| / max(|g|, species_floor * total_of_species, stream_floor * stream_total)``,
so that a trace species (gold) converges as tightly, relatively, as gangue. Component
Wegstein acceleration was tried first and dropped: the mill couples size classes, and
it needed about 115 iterations on the grinding circuit where Anderson needs about 30.
"""

from __future__ import annotations

import numpy as np

from oreflow.kernels._jit import njit


@njit
def residual_summary_t(
    x_t: np.ndarray,
    g_t: np.ndarray,
    cols: np.ndarray,
    species_of: np.ndarray,
    n_species: int,
    species_floor: float,
    stream_floor: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What one recycle iteration needs of the residuals, in one pass over the tears.

    The relative residuals of the module docstring and the weights 1/scale, reduced to
    what the solver uses: each case's largest residual and where it is, and the weights.
    Arrays have the case axis last, as :func:`anderson_step_into` takes them, so every
    inner loop runs over contiguous cases; each case still sums its components in
    ascending order. Only the components ``cols`` are read: the others must be 0 in
    ``x_t`` and ``g_t`` (species absent from the loop, see :func:`live_rows`), so their
    residuals are 0 and they add nothing to the totals; their weights are left unset.

    Parameters
    ----------
    x_t, g_t : (n_comp, n_cases) float64
        Guess and computed tear stream [t/h].
    cols : (n_live,) int64
        Components that may be nonzero, ascending.
    species_of : (n_comp,) int64
        Species index of each component.
    n_species : int
        Number of species.
    species_floor, stream_floor : float
        Floor factors on the species total and on the whole stream [-].

    Returns
    -------
    r_max : (n_cases,) float64
        Largest relative residual of each case [-]; NaN if any residual is NaN (as
        ``numpy.max``).
    at : (n_cases,) int64
        Component of that residual: the first largest, or the first NaN (as
        ``numpy.argmax``).
    weight : (n_comp, n_cases) float64
        Inverse of each component's convergence scale [h/t].
    """
    m, n = x_t.shape
    totals = np.zeros((n_species, n))
    stream_total = np.zeros(n)
    for j in cols:
        sp = species_of[j]
        for c in range(n):
            a = abs(g_t[j, c])
            totals[sp, c] += a
            stream_total[c] += a
    # component 0's residual first, as numpy's max and argmax start: 0 unless it is live
    r_max = np.zeros(n)
    at = np.zeros(n, dtype=np.int64)
    weight = np.empty((m, n))
    for j in cols:
        sp = species_of[j]
        for c in range(n):
            scale = max(
                abs(g_t[j, c]), species_floor * totals[sp, c], stream_floor * stream_total[c]
            )
            diff = abs(g_t[j, c] - x_t[j, c])
            r = diff / scale if scale > 0.0 else diff
            weight[j, c] = 1.0 / scale if scale > 0.0 else 0.0
            top = r_max[c]
            if j == 0 or (top == top and (r > top or r != r)):
                r_max[c] = r
                at[c] = j
    return r_max, at, weight


#: Tile edge of :func:`transpose_into` [elements]: 16 x 16 float64 tiles (2 KiB read,
#: 2 KiB written) stay in L1; measured 3x faster here than numpy's transposed copy.
TRANSPOSE_TILE = 16


@njit
def transpose_into(out: np.ndarray, a: np.ndarray) -> None:
    """Write the transpose of ``a`` into ``out``, tile by tile.

    The recycle solver keeps tears with the case axis last and the units take them
    with the case axis first: one transposed copy each way per iteration.

    Parameters
    ----------
    out : (n, m) float64
        Output array, overwritten with ``a.T``.
    a : (m, n) float64
        Array to transpose.
    """
    m, n = a.shape
    for c0 in range(0, n, TRANSPOSE_TILE):
        c1 = min(c0 + TRANSPOSE_TILE, n)
        for j0 in range(0, m, TRANSPOSE_TILE):
            j1 = min(j0 + TRANSPOSE_TILE, m)
            for c in range(c0, c1):
                for j in range(j0, j1):
                    out[c, j] = a[j, c]


@njit
def live_rows(g_t: np.ndarray, live: np.ndarray) -> np.ndarray:
    """``live`` with every row of ``g_t`` holding a nonzero (or NaN) value added.

    The recycle solver keeps the rows that were ever nonzero in a tear stream; the
    rest (species that never reach the loop) stay exactly 0 in every iterate, and the
    kernels skip them.

    Parameters
    ----------
    g_t : (n_comp, n_cases) float64
        Computed tear stream [t/h].
    live : (n_comp,) bool
        Rows already known to be live.

    Returns
    -------
    (n_comp,) bool
        Live rows.
    """
    out = live.copy()
    for j in range(g_t.shape[0]):
        if out[j]:
            continue
        for c in range(g_t.shape[1]):
            if g_t[j, c] != 0.0:
                out[j] = True
                break
    return out


@njit
def anderson_step_into(
    out: np.ndarray,
    x_hist: np.ndarray,
    g_hist: np.ndarray,
    order: np.ndarray,
    weight: np.ndarray,
    regularization: float,
    cols: np.ndarray,
) -> None:
    """Anderson-accelerated next guess from the last iterates, for a batch of cases.

    Anderson acceleration (type II) with memory m: with residuals f_i = g(x_i) - x_i,
    find gamma minimising ``|| W (f_k - dF gamma) ||`` where dF holds successive
    residual differences, and step to ``x = g_k - dG gamma`` (Walker & Ni 2011, SIAM J.
    Numer. Anal. 49(4):1715-1735, doi:10.1137/10078356X). Weighting every component by
    the inverse of its own size makes a trace species count as much as gangue. Arrays
    are laid out (slot, component, case) so every inner loop runs over contiguous
    cases and vectorises; each case is still computed independently. The regularised
    normal matrix is symmetric positive definite and is solved by Cholesky
    factorisation (no pivoting needed). Only the components ``cols`` are read and
    written: the others are 0 in every iterate and image (:func:`live_rows`), add
    exact zeros to the normal equations, and stay 0 in ``out``.

    Parameters
    ----------
    out : (n_comp, n_cases) float64
        Output array: rows ``cols`` are overwritten with the next guess, clipped to
        non-negative flows [t/h]; the other rows must already be 0. It may be a slot
        of ``x_hist`` outside ``order``.
    x_hist, g_hist : (m_max, n_comp, n_cases) float64
        Ring buffers of iterates and their images.
    order : (n_hist,) int64
        Slots to use, oldest first (n_hist >= 2).
    weight : (n_comp, n_cases) float64
        Component weights, 1/scale [h/t].
    regularization : float
        Relative Tikhonov factor on the normal matrix diagonal [-].
    cols : (n_live,) int64
        Components that may be nonzero, ascending.
    """
    n = x_hist.shape[2]
    m = order.shape[0] - 1
    # The weighted residual f_k and differences dF of one component at a time: they are
    # small enough to stay in cache, and the normal equations still sum over the
    # components in ascending order for every case.
    fk = np.empty(n)
    f = np.empty((m + 1, n))  # residuals g - x of every slot, read once
    df = np.empty((m, n))
    a = np.zeros((m, m, n))
    b = np.zeros((m, n))
    for j in cols:
        for i in range(m + 1):
            s = order[i]
            for c in range(n):
                f[i, c] = g_hist[s, j, c] - x_hist[s, j, c]
        for c in range(n):
            fk[c] = f[m, c] * weight[j, c]
        for i in range(m):
            for c in range(n):
                df[i, c] = (f[i + 1, c] - f[i, c]) * weight[j, c]
        for i in range(m):
            for c in range(n):
                b[i, c] += df[i, c] * fk[c]
            for k in range(i, m):
                for c in range(n):
                    a[i, k, c] += df[i, c] * df[k, c]
    for c in range(n):
        trace = 0.0
        for i in range(m):
            trace += a[i, i, c]
        for i in range(m):
            a[i, i, c] += regularization * trace / m + 1e-300
    # Cholesky a = L L^T in the upper triangle's transpose, case by case in lockstep
    low = np.zeros((m, m, n))
    for i in range(m):
        for k in range(i + 1):
            for c in range(n):
                s = a[k, i, c]  # a is filled in its upper triangle (k <= i)
                for q in range(k):
                    s -= low[i, q, c] * low[k, q, c]
                if i == k:
                    low[i, i, c] = np.sqrt(s) if s > 0.0 else 1e-150
                else:
                    low[i, k, c] = s / low[k, k, c]
    gamma = np.empty((m, n))
    for i in range(m):  # forward: L y = b
        for c in range(n):
            s = b[i, c]
            for q in range(i):
                s -= low[i, q, c] * gamma[q, c]
            gamma[i, c] = s / low[i, i, c]
    for i in range(m - 1, -1, -1):  # backward: L^T gamma = y
        for c in range(n):
            s = gamma[i, c]
            for q in range(i + 1, m):
                s -= low[q, i, c] * gamma[q, c]
            gamma[i, c] = s / low[i, i, c]
    for j in cols:
        for i in range(m + 1):
            s = order[i]
            for c in range(n):
                f[i, c] = g_hist[s, j, c]  # now the images
        for c in range(n):
            out[j, c] = f[m, c]
        for i in range(m):
            for c in range(n):
                out[j, c] -= (f[i + 1, c] - f[i, c]) * gamma[i, c]
        for c in range(n):
            if out[j, c] < 0.0:
                out[j, c] = 0.0

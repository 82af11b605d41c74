"""Tear-stream convergence: relative residuals per component and Wegstein acceleration.

Wegstein's method (Wegstein 1958, Commun. ACM 1(6):9-13, doi:10.1145/368861.368871)
accelerates successive substitution x <- g(x) component by component:
``s = (g_k - g_(k-1)) / (x_k - x_(k-1))``, ``q = s / (s - 1)`` bounded to
``[q_min, q_max]``, ``x_(k+1) = q x_k + (1 - q) g_k``. The bounds [-5, 0] are the
usual safeguard (Westerberg, Hutchison, Motard & Winter 1979, *Process Flowsheeting*,
Cambridge UP): q = 0 is plain substitution, negative q extrapolates.

Convergence is judged per component relative to its own size, with a floor scaled to
the total of the same species in the stream, so that a trace species (gold) converges
as tightly, relatively, as gangue.
"""

from __future__ import annotations

import numpy as np

from oreflow.kernels._jit import njit


@njit
def wegstein_step(
    x: np.ndarray,
    gx: np.ndarray,
    x_prev: np.ndarray,
    gx_prev: np.ndarray,
    q_min: float,
    q_max: float,
) -> np.ndarray:
    """One bounded Wegstein update of a tear stream.

    Parameters
    ----------
    x, gx : (n_cases, n_comp) float64
        Current guess and the value the flowsheet computed from it [t/h].
    x_prev, gx_prev : (n_cases, n_comp) float64
        The same at the previous iteration [t/h].
    q_min, q_max : float
        Bounds of the acceleration factor [-].

    Returns
    -------
    (n_cases, n_comp) float64
        Next guess, clipped to non-negative flows [t/h].
    """
    out = np.empty_like(x)
    n, m = x.shape
    for i in range(n):
        for j in range(m):
            dx = x[i, j] - x_prev[i, j]
            q = 0.0
            if dx != 0.0:
                s = (gx[i, j] - gx_prev[i, j]) / dx
                if s != 1.0:
                    q = s / (s - 1.0)
            q = min(max(q, q_min), q_max)
            v = q * x[i, j] + (1.0 - q) * gx[i, j]
            out[i, j] = v if v > 0.0 else 0.0
    return out


@njit
def relative_residual(
    x: np.ndarray,
    gx: np.ndarray,
    species_of: np.ndarray,
    n_species: int,
    species_floor: float,
    stream_floor: float,
) -> np.ndarray:
    """Residual of each component relative to its size, with species- and stream-scaled floors.

    ``r = |g - x| / max(|g|, species_floor * total_of_species, stream_floor * stream_total)``

    Parameters
    ----------
    x, gx : (n_cases, n_comp) float64
        Guess and computed tear stream [t/h].
    species_of : (n_comp,) int64
        Species index of each component (solids of one species in every size class
        share it).
    n_species : int
        Number of species.
    species_floor, stream_floor : float
        Floor factors on the species total and on the whole stream [-].

    Returns
    -------
    (n_cases, n_comp) float64
        Relative residuals [-].
    """
    n, m = x.shape
    out = np.empty_like(x)
    totals = np.zeros(n_species)
    for i in range(n):
        totals[:] = 0.0
        stream_total = 0.0
        for j in range(m):
            a = abs(gx[i, j])
            totals[species_of[j]] += a
            stream_total += a
        for j in range(m):
            scale = max(
                abs(gx[i, j]), species_floor * totals[species_of[j]], stream_floor * stream_total
            )
            diff = abs(gx[i, j] - x[i, j])
            out[i, j] = diff / scale if scale > 0.0 else diff
    return out


@njit
def anderson_step(
    x_hist: np.ndarray,
    g_hist: np.ndarray,
    order: np.ndarray,
    weight: np.ndarray,
    regularization: float,
) -> np.ndarray:
    """Anderson-accelerated next guess from the last ``n_hist`` iterates.

    Anderson acceleration (type II) with memory m: with residuals f_i = g(x_i) - x_i,
    find gamma minimising ``|| W (f_k - dF gamma) ||`` where dF holds successive
    residual differences, and step to ``x = g_k - dG gamma`` (Walker & Ni 2011, SIAM J.
    Numer. Anal. 49(4):1715-1735, doi:10.1137/10078356X). Weighting every component by
    the inverse of its own size makes a trace species count as much as gangue. The
    small normal-equation system (m <= ~8) is solved by Gaussian elimination with
    partial pivoting and a relative Tikhonov term for rank-deficient histories.

    Parameters
    ----------
    x_hist, g_hist : (n_cases, m_max, n_comp) float64
        Ring buffers of iterates and their images.
    order : (n_hist,) int64
        Slots of the buffers to use, oldest first (n_hist >= 2).
    weight : (n_cases, n_comp) float64
        Component weights, 1/scale [h/t].
    regularization : float
        Relative Tikhonov factor on the normal matrix diagonal [-].

    Returns
    -------
    (n_cases, n_comp) float64
        Next guess, clipped to non-negative flows [t/h].
    """
    n_cases, _, n_comp = x_hist.shape
    n_hist = order.shape[0]
    m = n_hist - 1
    out = np.empty((n_cases, n_comp))
    for c in range(n_cases):
        _anderson_case(x_hist[c], g_hist[c], order, weight[c], regularization, m, out[c])
    return out


@njit
def residual_weights(
    gx: np.ndarray,
    species_of: np.ndarray,
    n_species: int,
    species_floor: float,
    stream_floor: float,
) -> np.ndarray:
    """Inverse of the convergence scale of every component (see ``relative_residual``), (n_cases, n_comp)."""
    n, m = gx.shape
    out = np.empty_like(gx)
    totals = np.zeros(n_species)
    for i in range(n):
        totals[:] = 0.0
        stream_total = 0.0
        for j in range(m):
            a = abs(gx[i, j])
            totals[species_of[j]] += a
            stream_total += a
        for j in range(m):
            scale = max(
                abs(gx[i, j]), species_floor * totals[species_of[j]], stream_floor * stream_total
            )
            out[i, j] = 1.0 / scale if scale > 0.0 else 0.0
    return out


@njit
def _anderson_case(
    xh: np.ndarray,
    gh: np.ndarray,
    order: np.ndarray,
    w: np.ndarray,
    regularization: float,
    m: int,
    out: np.ndarray,
) -> None:
    """Anderson step of one case (see ``anderson_step``), written into ``out``."""
    n_comp = xh.shape[1]
    a = np.empty((m, m))
    b = np.empty(m)
    df = np.empty((m, n_comp))
    fk = np.empty(n_comp)
    last = order[m]
    for j in range(n_comp):
        fk[j] = (gh[last, j] - xh[last, j]) * w[j]
    for i in range(m):
        s1, s0 = order[i + 1], order[i]
        for j in range(n_comp):
            df[i, j] = ((gh[s1, j] - xh[s1, j]) - (gh[s0, j] - xh[s0, j])) * w[j]
    for i in range(m):
        s = 0.0
        for j in range(n_comp):
            s += df[i, j] * fk[j]
        b[i] = s
        for k in range(i, m):
            s = 0.0
            for j in range(n_comp):
                s += df[i, j] * df[k, j]
            a[i, k] = s
            a[k, i] = s
    trace = 0.0
    for i in range(m):
        trace += a[i, i]
    for i in range(m):
        a[i, i] += regularization * trace / m + 1e-300
    for col in range(m):  # Gaussian elimination with partial pivoting
        piv = col
        for r in range(col + 1, m):
            if abs(a[r, col]) > abs(a[piv, col]):
                piv = r
        if piv != col:
            for k in range(m):
                t = a[col, k]
                a[col, k] = a[piv, k]
                a[piv, k] = t
            t = b[col]
            b[col] = b[piv]
            b[piv] = t
        for r in range(col + 1, m):
            f = a[r, col] / a[col, col]
            for k in range(col, m):
                a[r, k] -= f * a[col, k]
            b[r] -= f * b[col]
    gamma = np.empty(m)
    for i in range(m - 1, -1, -1):
        s = b[i]
        for k in range(i + 1, m):
            s -= a[i, k] * gamma[k]
        gamma[i] = s / a[i, i]
    for j in range(n_comp):
        v = gh[last, j]
        for i in range(m):
            v -= (gh[order[i + 1], j] - gh[order[i], j]) * gamma[i]
        out[j] = v if v > 0.0 else 0.0

"""Austin population-balance ball mill: selection and breakage functions, mixers in series.

The specific breakage rate (selection function) and the normalised breakage function of
Austin, Klimpel & Luckie (1984), and the matrix mill as equal perfect mixers in series
(Whiten 1974; Herbst & Fuerstenau 1980; docs/models.md#ball_mill). Sizes are in µm (mm only
inside the selection function, ``x / 1 mm``). Size classes follow the convention of
:mod:`oreflow.kernels.psd`: descending edges ``e_0 > ... > e_last``, class ``c`` holds
``(e_{c+1}, e_c]``, the last class is the sink. Solids arrays are
``(n_cases, n_cls, n_species)`` in t/h.

Confidence tags: [S] checked source, [L] standard reference value not re-checked here,
[A] assumed.
"""

from __future__ import annotations

import math

import numpy as np

from oreflow.kernels._jit import njit


@njit
def austin_selection(
    upper_um: np.ndarray, a: float, alpha: float, mu_mm: float, lam: float
) -> np.ndarray:
    """Austin specific breakage rate at each upper size.

    ``S_i = a (x_i / 1 mm)^α / (1 + (x_i/μ)^Λ)`` with ``x_i`` the class **upper** size.
    The caller passes the upper sizes of the real classes (``edges_um[:-1]``) and appends
    or sets the sink's rate to 0 (the sink never breaks). The unit of ``a`` is the
    caller's and carries over to S: 1/min for a time-based rate (ex03), or t/kWh for the
    specific-energy form S^E of Herbst & Fuerstenau (1980), where ``S^E x E = S τ``.

    Parameters
    ----------
    upper_um : (n,) float64
        Upper size of each class [µm].
    a : float
        Rate at 1 mm without the fall-off [1/min or t/kWh] (0.5–1.5 1/min full scale [L]).
    alpha : float
        Slope α [-] (0.6–1.5 [L]).
    mu_mm : float
        Size where the fall-off factor is 1/2, μ [mm] (1–5 mm for 50–75 mm balls [L]).
    lam : float
        Fall-off exponent Λ [-] (2–5 [L]).

    Returns
    -------
    (n,) float64
        Specific breakage rate per class, in the unit of ``a``.

    References
    ----------
    Austin, L.G., Klimpel, R.R., Luckie, P.T. (1984) Process Engineering of Size
    Reduction: Ball Milling. SME-AIME, New York [L].
    Herbst, J.A., Fuerstenau, D.W. (1980) Scale-up procedure for continuous grinding mill
    design using population balance models. Int. J. Miner. Process. 7:1–31.
    DOI 10.1016/0301-7516(80)90034-4.
    """
    n = upper_um.shape[0]
    out = np.empty(n)
    for i in range(n):
        x_mm = upper_um[i] / 1000.0
        out[i] = a * x_mm**alpha / (1.0 + (x_mm / mu_mm) ** lam)
    return out


@njit
def austin_breakage_matrix(
    edges_um: np.ndarray, phi: float, gamma: float, beta: float
) -> np.ndarray:
    """Interval breakage matrix of the normalised Austin breakage function.

    Cumulative: ``B_i,j = φ (e_i/e_{j+1})^γ + (1 - φ)(e_i/e_{j+1})^β`` for ``i > j``
    (0-based), the fraction of fragments of parent class ``j`` finer than the top of class
    ``i``; ``B_{j+1,j} = 1``, so every fragment leaves its parent class. Intervals:
    ``b[i, j] = B_i,j - B_{i+1,j}`` for ``j < i < n_cls - 1`` and the sink row
    ``b[n_cls-1, j] = B_{n_cls-1,j}`` collects the rest. Each parent column
    ``j < n_cls - 1`` therefore sums to 1 (to rounding, ~1e-16), the diagonal and the
    upper triangle are 0, and the sink column is all 0 (the sink never breaks).

    Parameters
    ----------
    edges_um : (n_cls,) float64
        Descending class edges [µm].
    phi : float
        Fraction of fine-fragment component φ [-] (0.4–0.7 [L]).
    gamma : float
        Fine-end slope γ [-] (0.5–1.5 [L]).
    beta : float
        Coarse-end slope β [-] (2.5–5 [L]).

    Returns
    -------
    (n_cls, n_cls) float64
        ``b[i, j]``: mass fraction of broken parent ``j`` that lands in class ``i`` [-].

    References
    ----------
    Austin, L.G., Klimpel, R.R., Luckie, P.T. (1984) Process Engineering of Size
    Reduction: Ball Milling. SME-AIME, New York [L].
    """
    n_cls = edges_um.shape[0]
    b = np.zeros((n_cls, n_cls))
    last = n_cls - 1
    for j in range(last):
        bottom = edges_um[j + 1]
        b_upper = 1.0  # B_{j+1,j}: the whole broken mass is finer than the parent
        for i in range(j + 1, last):
            # B at the top of class i + 1, i.e. at the bottom of class i
            r = edges_um[i + 1] / bottom
            b_lower = phi * r**gamma + (1.0 - phi) * r**beta
            b[i, j] = b_upper - b_lower
            b_upper = b_lower
        b[last, j] = b_upper  # the sink collects everything finer than e_last
    return b


@njit
def mill_mixers_into(
    out: np.ndarray, feed: np.ndarray, rate_times_tau: np.ndarray, b: np.ndarray, n_mixers: int
) -> None:
    """Austin matrix mill as N equal perfect mixers in series, written into ``out``.

    For each case and species, each mixer solves ``(I + t (I - b) diag(S)) p = f`` with
    ``t S_i = rate_times_tau[c, i, k] / n_mixers`` by forward substitution (the matrix is
    lower triangular, Austin, Klimpel & Luckie 1984; Whiten 1974; Herbst & Fuerstenau 1980; docs/models.md#ball_mill):

        p_i = (f_i + Σ_{j<i} b_ij (t S_j p_j)) / (1 + t S_i).

    ``rate_times_tau`` is ``S_i τ`` for the whole mill; with the selection function in
    the specific-energy form it equals ``S_i^E [t/kWh] x E [kWh/t]`` (Herbst & Fuerstenau
    1980). The sink's rate is ignored (the sink never breaks), and only the strictly
    lower triangle of ``b`` is read. With columns of ``b`` summing to 1, every species'
    mass is conserved to rounding. ``out`` may be the same array as ``feed``.

    Parameters
    ----------
    out : (n_cases, n_cls, n_species) float64
        Output array, overwritten with the mill product [t/h].
    feed : (n_cases, n_cls, n_species) float64
        Mill feed per class and species [t/h].
    rate_times_tau : (n_cases, n_cls, n_species) float64
        Breakage rate times total mean residence time, ``S_i τ`` [-].
    b : (n_cls, n_cls) float64
        Interval breakage matrix (:func:`austin_breakage_matrix`) [-].
    n_mixers : int
        Number of equal mixers in series [-] (3 is the usual default [L]).

    References
    ----------
    Austin, L.G., Klimpel, R.R., Luckie, P.T. (1984) Process Engineering of Size
    Reduction: Ball Milling. SME-AIME, New York [L].
    Herbst, J.A., Fuerstenau, D.W. (1980) Int. J. Miner. Process. 7:1–31.
    DOI 10.1016/0301-7516(80)90034-4.

    Examples
    --------
    ex03's hand case, one mixer (``S τ = [1.0, 0.4, 0]``, ``b21 = 0.6``, ``b31 = 0.4``,
    ``b32 = 1``):

    >>> b = np.array([[0.0, 0.0, 0.0], [0.6, 0.0, 0.0], [0.4, 1.0, 0.0]])
    >>> feed = np.array([[[100.0], [0.0], [0.0]]])
    >>> out = np.empty_like(feed)
    >>> mill_mixers_into(out, feed, np.array([[[1.0], [0.4], [0.0]]]), b, 1)
    >>> [round(float(x), 6) for x in out.ravel()]
    [50.0, 21.428571, 28.571429]
    """
    n_cases, n_cls, n_sp = feed.shape
    if (
        out.shape != feed.shape
        or rate_times_tau.shape != feed.shape
        or b.shape[0] != n_cls
        or b.shape[1] != n_cls
    ):
        msg = "out, feed and rate_times_tau must share one shape and b be (n_cls, n_cls)"
        raise ValueError(msg)
    inv_n = 1.0 / n_mixers if n_mixers > 0 else 0.0
    # Work with the case axis innermost so the compiler can vectorise across cases;
    # each case still sums in the same order (f_i, then parents j = 0, 1, ...), so the
    # result is the same as solving case by case. Species are independent: each goes
    # through all mixers in a small (n_cls, n_cases) buffer that stays in cache (two
    # whole-batch copies cost more than the substitution itself).
    p = np.empty((n_cls, n_cases))
    r = np.empty((n_cls, n_cases))
    g = np.empty(n_cases)  # t S_j p_j of the parent class just solved
    last = n_cls - 1
    for k in range(n_sp):
        # A species absent from every case's feed stays absent (0 / (1 + t) = 0 for
        # every finite t >= 0): minerals that only form downstream skip the substitution.
        absent = True
        for c in range(n_cases):
            for i in range(n_cls):
                t = rate_times_tau[c, i, k]
                if feed[c, i, k] != 0.0 or not (t >= 0.0 and t < math.inf):
                    absent = False
                    break
            if not absent:
                break
        if absent:
            for c in range(n_cases):
                for i in range(n_cls):
                    out[c, i, k] = feed[c, i, k]
            continue
        for c in range(n_cases):
            for i in range(n_cls):
                p[i, c] = feed[c, i, k]
                r[i, c] = rate_times_tau[c, i, k] * inv_n
        for _ in range(n_mixers):
            # Column-oriented forward substitution: once p_j is known its breakage
            # products are added to every finer class. The sink (j = last) never breaks.
            for j in range(last):
                for c in range(n_cases):
                    t = r[j, c]
                    v = p[j, c] / (1.0 + t)
                    p[j, c] = v
                    g[c] = t * v
                for i in range(j + 1, n_cls):
                    bij = b[i, j]
                    for c in range(n_cases):
                        p[i, c] += bij * g[c]
        for c in range(n_cases):
            for i in range(n_cls):
                out[c, i, k] = p[i, c]

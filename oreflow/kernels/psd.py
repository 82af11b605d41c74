"""Particle-size distributions: RRB and GGS models, sieve tables, P80 interpolation.

Size-class convention (used by the whole engine; most population-balance bugs come from
getting it wrong, Austin, Klimpel & Luckie 1984; Whiten 1974; Herbst & Fuerstenau 1980; docs/models.md#ball_mill):

- ``edges_um`` is a strictly **descending** float64 array ``e_0 > e_1 > ... > e_last`` of
  length ``n_cls``, usually a √2 series.
- There are ``n_cls`` classes. Class ``c`` (0-based, ``c < n_cls - 1``) holds the material
  in ``(e_{c+1}, e_c]``; its **upper size** is ``e_c``.
- The **last** class (index ``n_cls - 1``) is the **sink**: it holds everything finer than
  ``e_last`` and never breaks.
- Material coarser than ``e_0`` is **lumped into class 0**, not renormalised away (the ex03
  convention; Austin, Klimpel & Luckie 1984; Whiten 1974; Herbst & Fuerstenau 1980; docs/models.md#ball_mill shows that renormalising changes F80 from 1867 to 1806 µm).
  Consequently the fraction passing ``e_0`` is 1 by definition.
- The **representative size** of class ``c < n_cls - 1`` is the geometric mean
  ``sqrt(e_c e_{c+1})``; the sink's is ``e_last / sqrt(2)`` (ex03).
- Solids arrays are ``(n_cases, n_cls, n_species)`` in t/h; a single distribution is a
  ``(n_cls,)`` array of class masses [t/h] or mass fractions [-].

Passing sizes (P80, F80, ...) are interpolated linearly in ln(size) between the two
bracketing edges (or sieves), Wills & Finch 2016; Ouchterlony 2005; docs/models.md#kernels-psd's default, as in ex02 and ex03. All functions
are pure and compiled lazily by numba (``oreflow.kernels._jit.njit``).
"""

from __future__ import annotations

import math

import numpy as np

from oreflow.kernels._jit import njit

#: Ratio of the sink's representative size to the finest edge [-]: e_last/√2 (ex03).
SINK_SIZE_RATIO = 1.0 / math.sqrt(2.0)
#: Number of measured points used for each tail fit of a sieve table (Wills & Finch 2016; Ouchterlony 2005; docs/models.md#kernels-psd:
#: "fit RRB or GGS to the nearest 3-4 points") [-].
TAIL_FIT_POINTS = 4


# ------------------------------------------------------------------ model distributions
@njit
def rrb_passing(x_um: float | np.ndarray, x63_um: float, n: float) -> float | np.ndarray:
    """Cumulative fraction passing of a Rosin–Rammler–Bennett distribution.

    ``P(x) = 1 - exp(-(x/x63)^n)``, evaluated as ``-expm1(-(x/x63)^n)`` so that the fine
    end keeps full relative precision.

    Parameters
    ----------
    x_um : float or (n_x,) float64
        Particle size [µm].
    x63_um : float
        Size at which 63.2 % passes [µm].
    n : float
        Distribution modulus [-] (0.7–1.3 ground products, 0.5–1.0 crushed feeds [L]).

    Returns
    -------
    float or (n_x,) float64
        Mass fraction passing ``x_um`` [-].

    References
    ----------
    Rosin, P., Rammler, E. (1933) The laws governing the fineness of powdered coal.
    J. Inst. Fuel 7:29–36. Bennett, J.G. (1936) J. Inst. Fuel 10:22–39.
    """
    return -np.expm1(-((x_um / x63_um) ** n))


@njit
def rrb_size_um(p_frac: float | np.ndarray, x63_um: float, n: float) -> float | np.ndarray:
    """Size at which a fraction ``p_frac`` passes, RRB distribution.

    ``x_p = x63 (-ln(1 - p))^(1/n)``.

    Parameters
    ----------
    p_frac : float or (n_p,) float64
        Fraction passing [-], in [0, 1).
    x63_um : float
        Size at which 63.2 % passes [µm].
    n : float
        Distribution modulus [-].

    Returns
    -------
    float or (n_p,) float64
        Size [µm]; ``inf`` for ``p_frac = 1``.

    References
    ----------
    Rosin, P., Rammler, E. (1933) J. Inst. Fuel 7:29–36.
    """
    return x63_um * (-np.log1p(-p_frac)) ** (1.0 / n)


@njit
def ggs_passing(x_um: float | np.ndarray, k_um: float, m: float) -> float | np.ndarray:
    """Cumulative fraction passing of a Gates–Gaudin–Schuhmann distribution.

    ``P(x) = (x/k)^m`` for ``x <= k`` and 1 above.

    Parameters
    ----------
    x_um : float or (n_x,) float64
        Particle size [µm].
    k_um : float
        Size modulus (top size) [µm].
    m : float
        Distribution modulus [-] (0.5–1.0 [L]).

    Returns
    -------
    float or (n_x,) float64
        Mass fraction passing ``x_um`` [-].

    References
    ----------
    Schuhmann, R. Jr. (1940) Principles of comminution, I — size distribution and surface
    calculations. AIME Technical Publication 1189.
    """
    return np.minimum((x_um / k_um) ** m, 1.0)


@njit
def ggs_size_um(p_frac: float | np.ndarray, k_um: float, m: float) -> float | np.ndarray:
    """Size at which a fraction ``p_frac`` passes, GGS distribution: ``x_p = k p^(1/m)``.

    Parameters
    ----------
    p_frac : float or (n_p,) float64
        Fraction passing [-], in [0, 1].
    k_um : float
        Size modulus [µm].
    m : float
        Distribution modulus [-].

    Returns
    -------
    float or (n_p,) float64
        Size [µm].

    References
    ----------
    Schuhmann, R. Jr. (1940) AIME Technical Publication 1189.
    """
    return k_um * p_frac ** (1.0 / m)


@njit
def _fractions_from_passing(passing: np.ndarray, retained: np.ndarray) -> np.ndarray:
    # Class fractions from the passing (and its complement) at every edge. Differences of
    # values near 1 lose relative precision, so the coarse classes use the retained form.
    n_cls = passing.shape[0]
    out = np.empty(n_cls)
    for c in range(n_cls - 1):
        if passing[c + 1] < 0.5:
            out[c] = passing[c] - passing[c + 1]
        else:
            out[c] = retained[c + 1] - retained[c]
    out[n_cls - 1] = passing[n_cls - 1]
    return out


@njit
def class_fractions_rrb(edges_um: np.ndarray, x63_um: float, n: float) -> np.ndarray:
    """Mass fraction per size class of an RRB distribution, sink included.

    The mass coarser than ``e_0`` is lumped into class 0 (module convention), so the
    fractions sum to 1 to rounding.

    Parameters
    ----------
    edges_um : (n_cls,) float64
        Descending class edges [µm].
    x63_um : float
        RRB size at which 63.2 % passes [µm].
    n : float
        RRB modulus [-].

    Returns
    -------
    (n_cls,) float64
        Mass fraction in each class [-]; the last entry is the sink.

    References
    ----------
    Rosin, P., Rammler, E. (1933) J. Inst. Fuel 7:29–36.
    """
    n_cls = edges_um.shape[0]
    passing = np.empty(n_cls)
    retained = np.empty(n_cls)
    for k in range(n_cls):
        z = (edges_um[k] / x63_um) ** n
        passing[k] = -math.expm1(-z)
        retained[k] = math.exp(-z)
    passing[0] = 1.0  # lump the mass above e_0 into class 0
    retained[0] = 0.0
    return _fractions_from_passing(passing, retained)


@njit
def class_fractions_ggs(edges_um: np.ndarray, k_um: float, m: float) -> np.ndarray:
    """Mass fraction per size class of a GGS distribution, sink included.

    Parameters
    ----------
    edges_um : (n_cls,) float64
        Descending class edges [µm].
    k_um : float
        GGS size modulus [µm].
    m : float
        GGS modulus [-].

    Returns
    -------
    (n_cls,) float64
        Mass fraction in each class [-]; the last entry is the sink. Any mass above ``e_0``
        (when ``k_um > e_0``) is lumped into class 0.

    References
    ----------
    Schuhmann, R. Jr. (1940) AIME Technical Publication 1189.
    """
    n_cls = edges_um.shape[0]
    passing = np.empty(n_cls)
    retained = np.empty(n_cls)
    for k in range(n_cls):
        passing[k] = min((edges_um[k] / k_um) ** m, 1.0)
        retained[k] = 1.0 - passing[k]
    passing[0] = 1.0
    retained[0] = 0.0
    return _fractions_from_passing(passing, retained)


# ------------------------------------------------------------------ least-squares fits
@njit
def _line_fit(x: np.ndarray, y: np.ndarray, lo: int, hi: int) -> tuple[float, float]:
    # Unweighted least-squares line through (x[i], y[i]), lo <= i < hi: slope, intercept.
    cnt = hi - lo
    mx = 0.0
    my = 0.0
    for i in range(lo, hi):
        mx += x[i]
        my += y[i]
    mx /= cnt
    my /= cnt
    sxx = 0.0
    sxy = 0.0
    for i in range(lo, hi):
        sxx += (x[i] - mx) * (x[i] - mx)
        sxy += (x[i] - mx) * (y[i] - my)
    slope = sxy / sxx
    return slope, my - slope * mx


@njit
def fit_rrb(sizes_um: np.ndarray, passing_frac: np.ndarray) -> tuple[float, float]:
    """Fit an RRB distribution to measured points by linearised least squares.

    Fits ``ln(-ln(1 - P)) = n ln x - n ln x63`` by ordinary (unweighted) least squares, the
    method of ex02 (``np.polyfit`` of degree 1). Points with ``P <= 0`` or ``P >= 1`` have
    no image under the transform and are skipped.

    Parameters
    ----------
    sizes_um : (n_pts,) float64
        Sieve sizes [µm], any order.
    passing_frac : (n_pts,) float64
        Cumulative fraction passing each size [-].

    Returns
    -------
    x63_um : float
        Fitted size at which 63.2 % passes [µm]; NaN with fewer than 2 usable points.
    n : float
        Fitted modulus [-]; NaN with fewer than 2 usable points.

    References
    ----------
    Rosin, P., Rammler, E. (1933) J. Inst. Fuel 7:29–36. Linearisation as in
    Wills, B.A., Finch, J.A. (2016) Wills' Mineral Processing Technology, 8th ed.,
    Butterworth-Heinemann, ch. 4.
    """
    n_pts = sizes_um.shape[0]
    x = np.empty(n_pts)
    y = np.empty(n_pts)
    cnt = 0
    for i in range(n_pts):
        p = passing_frac[i]
        if p > 0.0 and p < 1.0:
            x[cnt] = math.log(sizes_um[i])
            y[cnt] = math.log(-math.log1p(-p))
            cnt += 1
    if cnt < 2:
        return math.nan, math.nan
    slope, intercept = _line_fit(x, y, 0, cnt)
    return math.exp(-intercept / slope), slope


@njit
def fit_ggs(sizes_um: np.ndarray, passing_frac: np.ndarray) -> tuple[float, float]:
    """Fit a GGS distribution to measured points by least squares in log–log space.

    Fits ``ln P = m ln x - m ln k``, skipping points with ``P <= 0`` (no logarithm) and
    ``P >= 1`` (above the GGS top size, where the power law does not hold).

    Parameters
    ----------
    sizes_um : (n_pts,) float64
        Sieve sizes [µm], any order.
    passing_frac : (n_pts,) float64
        Cumulative fraction passing each size [-].

    Returns
    -------
    k_um : float
        Fitted size modulus [µm]; NaN with fewer than 2 usable points.
    m : float
        Fitted modulus [-]; NaN with fewer than 2 usable points.

    References
    ----------
    Schuhmann, R. Jr. (1940) AIME Technical Publication 1189.
    """
    n_pts = sizes_um.shape[0]
    x = np.empty(n_pts)
    y = np.empty(n_pts)
    cnt = 0
    for i in range(n_pts):
        p = passing_frac[i]
        if p > 0.0 and p < 1.0:
            x[cnt] = math.log(sizes_um[i])
            y[cnt] = math.log(p)
            cnt += 1
    if cnt < 2:
        return math.nan, math.nan
    slope, intercept = _line_fit(x, y, 0, cnt)
    return math.exp(-intercept / slope), slope


# ------------------------------------------------------------------ sieve tables
@njit
def _check_sieve_table(sieve_um: np.ndarray, passing_frac: np.ndarray) -> None:
    n = sieve_um.shape[0]
    if n < 2 or passing_frac.shape[0] != n:
        msg = "a sieve table needs at least 2 sizes and one passing value per size"
        raise ValueError(msg)
    for i in range(n - 1):
        if not sieve_um[i + 1] < sieve_um[i]:
            msg = "sieve sizes must be strictly descending"
            raise ValueError(msg)
        if not passing_frac[i + 1] <= passing_frac[i]:
            msg = "cumulative passing must not increase as the sieve size decreases"
            raise ValueError(msg)
    for i in range(n):
        if not (passing_frac[i] >= 0.0 and passing_frac[i] <= 1.0):
            msg = "cumulative passing must lie in [0, 1]"
            raise ValueError(msg)


@njit
def _sieve_tails(sieve_um: np.ndarray, passing_frac: np.ndarray) -> tuple[float, float, float]:
    # Shape parameters of the two extrapolation tails of a sieve table (see
    # class_fractions_sieve). Returns (n_rrb, x63_um) of the coarse tail, anchored at the
    # top sieve, and (m_ggs) of the fine tail, anchored at the bottom sieve. NaN marks a
    # tail that is flat (no usable fit).
    n = sieve_um.shape[0]
    p_top = passing_frac[0]
    n_rrb = math.nan
    x63_um = math.nan
    if p_top < 1.0:
        # the coarsest points: all are < 1 here because passing decreases with size
        hi = min(TAIL_FIT_POINTS, n)
        _, n_fit = fit_rrb(sieve_um[:hi], passing_frac[:hi])
        if n_fit > 0.0:
            n_rrb = n_fit
            # re-solve x63 so that the tail passes through the top sieve exactly:
            # continuous and monotone at the junction
            x63_um = sieve_um[0] / (-math.log1p(-p_top)) ** (1.0 / n_rrb)
    m_ggs = math.nan
    p_bot = passing_frac[n - 1]
    if p_bot > 0.0:
        lo = max(0, n - TAIL_FIT_POINTS)
        _, m_fit = fit_ggs(sieve_um[lo:], passing_frac[lo:])
        if m_fit > 0.0:
            m_ggs = m_fit
    return n_rrb, x63_um, m_ggs


@njit
def _sieve_passing_at(
    x_um: float,
    sieve_um: np.ndarray,
    passing_frac: np.ndarray,
    n_rrb: float,
    x63_um: float,
    m_ggs: float,
) -> float:
    # Passing at one size: log-linear inside the table, fitted tails outside.
    n = sieve_um.shape[0]
    if x_um >= sieve_um[0]:
        if x_um == sieve_um[0] or passing_frac[0] >= 1.0:
            return passing_frac[0]
        if math.isnan(n_rrb):
            return passing_frac[0]
        return min(-math.expm1(-((x_um / x63_um) ** n_rrb)), 1.0)
    if x_um <= sieve_um[n - 1]:
        p_bot = passing_frac[n - 1]
        if x_um == sieve_um[n - 1] or p_bot <= 0.0 or math.isnan(m_ggs):
            return p_bot
        return p_bot * (x_um / sieve_um[n - 1]) ** m_ggs
    i = 0
    while sieve_um[i + 1] > x_um:
        i += 1
    # now the bracket is sieve i (coarser than x_um) and sieve i + 1 (not coarser)
    w = math.log(x_um / sieve_um[i + 1]) / math.log(sieve_um[i] / sieve_um[i + 1])
    return passing_frac[i + 1] + w * (passing_frac[i] - passing_frac[i + 1])


@njit
def class_fractions_sieve(
    sieve_um: np.ndarray, passing_frac: np.ndarray, edges_um: np.ndarray
) -> np.ndarray:
    """Mass fraction per size class from a measured sieve table.

    The passing at each class edge is interpolated linearly in ln(size) between the two
    bracketing sieves (Wills & Finch 2016; Ouchterlony 2005; docs/models.md#kernels-psd default). Outside the measured range the table is
    **not** extrapolated linearly (Wills & Finch 2016; Ouchterlony 2005; docs/models.md#kernels-psd); instead:

    - above the top sieve, an RRB tail: the modulus ``n`` is fitted (:func:`fit_rrb`) to
      the ``TAIL_FIT_POINTS`` = 4 coarsest sieves, and ``x63`` is re-solved so that the
      tail passes exactly through the top sieve's measured value, which keeps the
      cumulative curve continuous and monotone. If the top sieve passes 100 %, or no
      positive modulus can be fitted, the passing stays at the top sieve's value (the
      rest is lumped into class 0 like all oversize);
    - below the bottom sieve, a GGS power-law tail ``P = P_bot (x/x_bot)^m`` with ``m``
      fitted (:func:`fit_ggs`) to the 4 finest sieves and anchored at the bottom sieve.
      GGS is used here because it describes the fine end (Wills & Finch 2016; Ouchterlony 2005; docs/models.md#kernels-psd). If the
      bottom sieve passes nothing, or no positive modulus can be fitted, the passing
      stays at the bottom sieve's value (the rest goes to the sink).

    The passing at ``e_0`` is then set to 1 (oversize lumped into class 0).

    Parameters
    ----------
    sieve_um : (n_sieves,) float64
        Sieve apertures [µm], strictly descending, at least 2.
    passing_frac : (n_sieves,) float64
        Cumulative fraction passing each sieve [-], non-increasing as the size decreases.
    edges_um : (n_cls,) float64
        Descending class edges [µm].

    Returns
    -------
    (n_cls,) float64
        Mass fraction in each class [-]; the last entry is the sink.

    Raises
    ------
    ValueError
        If the table is too short, not descending, or its passing increases with
        decreasing size.

    References
    ----------
    Napier-Munn, T.J., Morrell, S., Morrison, R.D., Kojovic, T. (1996) Mineral Comminution
    Circuits: Their Operation and Optimisation. JKMRC Monograph Series 2, ch. 3 [L].
    Rosin & Rammler (1933) J. Inst. Fuel 7:29–36; Schuhmann (1940) AIME T.P. 1189.
    """
    _check_sieve_table(sieve_um, passing_frac)
    n_rrb, x63_um, m_ggs = _sieve_tails(sieve_um, passing_frac)
    n_cls = edges_um.shape[0]
    passing = np.empty(n_cls)
    retained = np.empty(n_cls)
    for k in range(n_cls):
        passing[k] = _sieve_passing_at(edges_um[k], sieve_um, passing_frac, n_rrb, x63_um, m_ggs)
        retained[k] = 1.0 - passing[k]
    passing[0] = 1.0
    retained[0] = 0.0
    return _fractions_from_passing(passing, retained)


@njit
def sieve_passing_size_um(
    sieve_um: np.ndarray, passing_frac: np.ndarray, p_frac: float, method: int = 0
) -> float:
    """Size at which a fraction ``p_frac`` passes, from a measured sieve table (e.g. P80).

    Inside the measured range the two bracketing sieves are interpolated by ``method``:

    - 0: linear in ln(size) (Wills & Finch 2016; Ouchterlony 2005; docs/models.md#kernels-psd default; ex02 P80 = 118.4284 µm);
    - 1: log–log, linear in (ln size, ln passing) (ex02: 119.0896 µm);
    - 2: linear in size and passing (ex02: 120.0504 µm).

    The methods differ by 1–2 %, so report which one was used. Outside the measured range
    the fitted tails of :func:`class_fractions_sieve` are inverted (RRB above the top
    sieve, GGS below the bottom sieve) instead of extrapolating a straight line.

    Parameters
    ----------
    sieve_um : (n_sieves,) float64
        Sieve apertures [µm], strictly descending.
    passing_frac : (n_sieves,) float64
        Cumulative fraction passing each sieve [-].
    p_frac : float
        Target fraction passing [-], in (0, 1].
    method : int, optional
        Interpolation method, 0 (default), 1 or 2.

    Returns
    -------
    float
        Size [µm]. ``inf`` when ``p_frac = 1`` lies on the RRB tail; NaN when the target
        is outside (0, 1] or lies on a flat tail.

    References
    ----------
    Napier-Munn et al. (1996) JKMRC Monograph Series 2 [L]; Wills & Finch 2016; Ouchterlony 2005; docs/models.md#kernels-psd and ex02.
    """
    _check_sieve_table(sieve_um, passing_frac)
    if not (p_frac > 0.0 and p_frac <= 1.0):
        return math.nan
    if method < 0 or method > 2:
        msg = "method must be 0 (log-linear), 1 (log-log) or 2 (linear)"
        raise ValueError(msg)
    n = sieve_um.shape[0]
    if p_frac > passing_frac[0]:
        n_rrb, x63_um, _ = _sieve_tails(sieve_um, passing_frac)
        if math.isnan(n_rrb):
            return math.nan
        if p_frac >= 1.0:
            return math.inf
        return x63_um * (-math.log1p(-p_frac)) ** (1.0 / n_rrb)
    if p_frac <= passing_frac[n - 1]:
        if p_frac == passing_frac[n - 1]:
            return sieve_um[n - 1]
        _, _, m_ggs = _sieve_tails(sieve_um, passing_frac)
        if math.isnan(m_ggs):
            return math.nan
        return sieve_um[n - 1] * (p_frac / passing_frac[n - 1]) ** (1.0 / m_ggs)
    # bracket p_lo < p_frac <= p_hi, scanning from the fine end so that a plateau of
    # equal passing values returns its finest sieve (as ex02's searchsorted does)
    i = n - 1
    while passing_frac[i - 1] < p_frac:
        i -= 1
    i -= 1
    # now sieve i passes at least p_frac and sieve i + 1 passes less
    s_hi = sieve_um[i]
    s_lo = sieve_um[i + 1]
    p_hi = passing_frac[i]
    p_lo = passing_frac[i + 1]
    if p_frac == p_hi:
        return s_hi
    if method == 0:
        w = (p_frac - p_lo) / (p_hi - p_lo)
        return math.exp(math.log(s_lo) + w * (math.log(s_hi) - math.log(s_lo)))
    if method == 1:
        w = (math.log(p_frac) - math.log(p_lo)) / (math.log(p_hi) - math.log(p_lo))
        return math.exp(math.log(s_lo) + w * (math.log(s_hi) - math.log(s_lo)))
    return s_lo + (p_frac - p_lo) * (s_hi - s_lo) / (p_hi - p_lo)


# ------------------------------------------------------------------ P80 from class masses
@njit
def passing_size_um(edges_um: np.ndarray, class_mass: np.ndarray, p_frac: float) -> float:
    """Size at which a fraction ``p_frac`` passes, from class masses (P80 for 0.8).

    The passing at edge ``e_k`` is the mass in classes ``k..n_cls-1`` (sink included)
    over the total, so it is 1 at ``e_0`` (oversize is lumped into class 0). The size is
    interpolated linearly in ln(size) between the two bracketing edges, which is
    Wills & Finch 2016; Ouchterlony 2005; docs/models.md#kernels-psd's default and ex03's ``p80_from_flows``.

    When ``p_frac`` is at or below the fraction in the sink, the target lies inside the
    sink; the interpolation then runs from ``(e_last / sqrt(2), 0)`` to
    ``(e_last, P(e_last))``, i.e. the sink is treated as one more √2 class whose lower
    bound is its representative size. The result is an extrapolation below the finest
    edge and should be read as "finer than ``e_last``".

    Parameters
    ----------
    edges_um : (n_cls,) float64
        Descending class edges [µm].
    class_mass : (n_cls,) float64
        Mass (or mass flow, or fraction) in each class, sink last [t/h or -].
    p_frac : float
        Target fraction passing [-], in (0, 1].

    Returns
    -------
    float
        Size [µm]; NaN if the total mass is not positive or ``p_frac`` is outside
        (0, 1] (above 1 it would exceed the passing at ``e_0``, which is 1).

    References
    ----------
    Wills & Finch 2016; Ouchterlony 2005; docs/models.md#kernels-psd (log-linear interpolation) and ex03 (``p80_from_flows``).
    """
    n_cls = edges_um.shape[0]
    total = 0.0
    for k in range(n_cls - 1, -1, -1):
        total += class_mass[k]
    if not (total > 0.0) or not (p_frac > 0.0 and p_frac <= 1.0):
        return math.nan
    # cumulative sums from the fine end, in the same order as ``total``, so that the
    # passing at e_0 is exactly 1
    cum = 0.0
    p_lo = 0.0
    x_lo = edges_um[n_cls - 1] * SINK_SIZE_RATIO
    for k in range(n_cls - 1, -1, -1):
        cum += class_mass[k]
        p_hi = cum / total
        if p_hi >= p_frac:
            x_hi = edges_um[k]
            if p_hi == p_frac:
                return x_hi
            ln_lo = math.log(x_lo)
            return math.exp(ln_lo + (p_frac - p_lo) * (math.log(x_hi) - ln_lo) / (p_hi - p_lo))
        p_lo = p_hi
        x_lo = edges_um[k]
    return math.nan


@njit
def passing_size_batch(edges_um: np.ndarray, class_mass: np.ndarray, p_frac: float) -> np.ndarray:
    """Row-wise :func:`passing_size_um` (e.g. the P80 of every case at once).

    Parameters
    ----------
    edges_um : (n_cls,) float64
        Descending class edges [µm].
    class_mass : (n_rows, n_cls) float64
        Mass in each class per row [t/h or -].
    p_frac : float
        Target fraction passing [-], in (0, 1].

    Returns
    -------
    (n_rows,) float64
        Size at which ``p_frac`` passes, per row [µm] (NaN for empty rows).

    References
    ----------
    Wills & Finch 2016; Ouchterlony 2005; docs/models.md#kernels-psd and ex03 (``p80_from_flows``).
    """
    n_rows = class_mass.shape[0]
    out = np.empty(n_rows)
    for r in range(n_rows):
        out[r] = passing_size_um(edges_um, class_mass[r], p_frac)
    return out


@njit
def representative_sizes_um(edges_um: np.ndarray) -> np.ndarray:
    """Return the representative size of every class, sink included.

    Parameters
    ----------
    edges_um : (n_cls,) float64
        Descending class edges [µm].

    Returns
    -------
    (n_cls,) float64
        ``sqrt(e_c e_{c+1})`` for the real classes and ``e_last / sqrt(2)`` for the sink
        [µm] (ex03).
    """
    n_cls = edges_um.shape[0]
    out = np.empty(n_cls)
    for c in range(n_cls - 1):
        out[c] = math.sqrt(edges_um[c] * edges_um[c + 1])
    out[n_cls - 1] = edges_um[n_cls - 1] * SINK_SIZE_RATIO
    return out

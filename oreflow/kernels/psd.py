"""Particle-size distributions: RRB and GGS models, least-squares fits, P80 interpolation.

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
bracketing edges (measured sieve tables: :mod:`oreflow.kernels.sieve`), Wills & Finch 2016; Ouchterlony 2005; docs/models.md#kernels-psd's default, as in ex02 and ex03. All functions
are pure and compiled lazily by numba (``oreflow.kernels._jit.njit``).
"""

from __future__ import annotations

import math

import numpy as np

from oreflow.kernels._jit import njit

#: Ratio of the sink's representative size to the finest edge [-]: e_last/√2 (ex03).
SINK_SIZE_RATIO = 1.0 / math.sqrt(2.0)


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
def class_fractions_from_passing(passing: np.ndarray, retained: np.ndarray) -> np.ndarray:
    """Mass fraction per class from the fraction passing (and retained) at every edge.

    Differences of values near 1 lose relative precision, so the coarse classes use the
    retained form. Used by the model distributions here and the sieve tables of
    :mod:`oreflow.kernels.sieve`.

    Parameters
    ----------
    passing, retained : (n_cls,) float64
        Fraction passing and retained at each descending edge [-]; the sink gets
        ``passing[-1]``.

    Returns
    -------
    (n_cls,) float64
        Mass fraction in each class [-].
    """
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
    return class_fractions_from_passing(passing, retained)


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
    return class_fractions_from_passing(passing, retained)


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
def _fit_in_logs(sizes_um: np.ndarray, passing_frac: np.ndarray, rrb: bool) -> tuple[float, float]:
    """Least-squares line through (ln x, g(P)) for 0 < P < 1; (size parameter, slope).

    ``g(P) = ln(-ln(1 - P))`` for RRB, ``ln P`` for GGS; both lines read
    ``g = slope (ln x - ln size)``, so the size parameter is ``exp(-intercept/slope)``.
    """
    n_pts = sizes_um.shape[0]
    x = np.empty(n_pts)
    y = np.empty(n_pts)
    # not a literal 0: Numba would first type the call below with ``cnt`` as the
    # constant 0 and compile ``_line_fit`` for it as well as for int64
    cnt = np.int64(0)
    for i in range(n_pts):
        p = passing_frac[i]
        if p > 0.0 and p < 1.0:
            x[cnt] = math.log(sizes_um[i])
            y[cnt] = math.log(-math.log1p(-p)) if rrb else math.log(p)
            cnt += 1
    if cnt < 2:
        return math.nan, math.nan
    slope, intercept = _line_fit(x, y, 0, cnt)
    return math.exp(-intercept / slope), slope


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
    return _fit_in_logs(sizes_um, passing_frac, np.bool_(True))  # one specialisation


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
    return _fit_in_logs(sizes_um, passing_frac, np.bool_(False))  # one specialisation


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

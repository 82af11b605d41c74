"""Measured sieve tables: class fractions and passing sizes, with fitted tails.

A sieve table (sizes and cumulative fraction passing) is interpolated linearly in
ln(size) inside the measured range, and beyond it RRB (above the top sieve) or GGS
(below the bottom sieve) tails fitted to the nearest points are used instead of a
straight-line extrapolation (Wills & Finch 2016, ch. 4; Ouchterlony 2005). Size classes
follow the convention of :mod:`oreflow.kernels.psd`.
"""

from __future__ import annotations

import math

import numpy as np

from oreflow.kernels._jit import njit
from oreflow.kernels.psd import class_fractions_from_passing, fit_ggs, fit_rrb

#: Number of measured points used for each tail fit of a sieve table (Wills & Finch 2016; Ouchterlony 2005; docs/models.md#kernels-psd:
#: "fit RRB or GGS to the nearest 3-4 points") [-].
TAIL_FIT_POINTS = 4


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
    return class_fractions_from_passing(passing, retained)


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

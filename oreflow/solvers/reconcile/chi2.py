"""Chi-square distribution for the global test, without SciPy.

The critical value comes from the regularised incomplete gamma function (series or
continued fraction, Press et al., Numerical Recipes, 3rd ed., 2007, §6.2) inverted by
bisection.
"""

from __future__ import annotations

import math


def _regularised_lower_gamma(a: float, x: float) -> float:
    """Regularised lower incomplete gamma function P(a, x) (series / continued fraction)."""
    if x <= 0.0:
        return 0.0
    log_prefactor = -x + a * math.log(x) - math.lgamma(a)
    if x < a + 1.0:
        term = total = 1.0 / a
        denominator = a
        for _ in range(100_000):
            denominator += 1.0
            term *= x / denominator
            total += term
            if abs(term) < abs(total) * 1e-17:
                break
        return min(1.0, total * math.exp(log_prefactor))
    # Modified Lentz evaluation of the continued fraction for Q = 1 - P.
    tiny = 1e-300
    b = x + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    h = d
    for i in range(1, 100_000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return max(0.0, 1.0 - math.exp(log_prefactor) * h)


def chi2_cdf(x: float, dof: int) -> float:
    """Cumulative distribution function of the chi-square distribution.

    Parameters
    ----------
    x : float
        The statistic [-], >= 0.
    dof : int
        Degrees of freedom [-], >= 1.

    Returns
    -------
    float
        P(X <= x) for X ~ chi-square(dof).

    Examples
    --------
    >>> round(chi2_cdf(5.991464547107979, 2), 12)
    0.95
    """
    return _regularised_lower_gamma(0.5 * dof, 0.5 * x)


def chi2_ppf(probability: float, dof: int) -> float:
    """Quantile (inverse CDF) of the chi-square distribution, by bisection.

    Parameters
    ----------
    probability : float
        Lower-tail probability, in (0, 1) (0.95 for the usual 95 % test).
    dof : int
        Degrees of freedom [-], >= 1.

    Returns
    -------
    float
        x such that ``chi2_cdf(x, dof) == probability``, to about 1e-13 relative.

    Examples
    --------
    >>> round(chi2_ppf(0.95, 2), 4)
    5.9915
    """
    if not 0.0 < probability < 1.0 or dof < 1:
        msg = f"need 0 < probability < 1 and dof >= 1, got {probability}, {dof}"
        raise ValueError(msg)
    lo, hi = 0.0, dof + 10.0 * math.sqrt(2.0 * dof) + 10.0
    while chi2_cdf(hi, dof) < probability:
        lo, hi = hi, 2.0 * hi
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if chi2_cdf(mid, dof) < probability:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-14 * hi:
            break
    return 0.5 * (lo + hi)

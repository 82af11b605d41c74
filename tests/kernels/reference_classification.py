"""Reference forms of the hydrocyclone figures of merit (ex04), kept for the parity tests.

The inverse of the reduced Lynch-Rao curve gives the sizes at a partition value.

The actual cut size, sharpness index and imperfection of a reduced Lynch-Rao curve, in
closed form (Napier-Munn et al. 1996, JKMRC Monograph Series 2; Wills & Finch 2016,
ch. 9); the tests check them against ``oreflow.kernels.classification`` partitions.
"""

from __future__ import annotations

import math

from oreflow.kernels._jit import njit


@njit
def cut_size_actual_um(d50c_um: float, alpha: float, bypass_frac: float) -> float:
    """Actual cut size d50, where the partition with bypass ``Ea`` equals 0.5.

    ``Ea = 0.5`` means ``Ec = (0.5 - Rf)/(1 - Rf)``, inverted in closed form by
    :func:`lynch_rao_size_um`. ex04: d50c 100 µm, α 3, Rf 0.30 → 71.8578 µm.

    Parameters
    ----------
    d50c_um : float
        Corrected cut size [µm].
    alpha : float
        Sharpness α > 0 [-].
    bypass_frac : float
        Bypass to underflow Rf [-].

    Returns
    -------
    float
        Actual cut size [µm]; 0 for Rf = 0.5 and NaN for Rf > 0.5 (every size then goes
        at least half to the underflow).

    References
    ----------
    Napier-Munn, T.J., Morrell, S., Morrison, R.D., Kojovic, T. (1996) JKMRC Monograph
    Series 2 [L].
    """
    target = (0.5 - bypass_frac) / (1.0 - bypass_frac)
    if target < 0.0:
        return math.nan
    return lynch_rao_size_um(target, d50c_um, alpha)


@njit
def sharpness_index(alpha: float) -> float:
    """Sharpness index SI = d25/d75 of the reduced Lynch–Rao curve.

    Independent of d50c. ex04: α 3 → 0.4911.

    Parameters
    ----------
    alpha : float
        Sharpness α > 0 [-].

    Returns
    -------
    float
        d25/d75 [-], in (0, 1); 1 is a perfect separation.

    References
    ----------
    Napier-Munn, T.J., Morrell, S., Morrison, R.D., Kojovic, T. (1996) JKMRC Monograph
    Series 2 [L].
    """
    return lynch_rao_size_um(0.25, 1.0, alpha) / lynch_rao_size_um(0.75, 1.0, alpha)


@njit
def imperfection(alpha: float) -> float:
    """Imperfection I = (d75 - d25)/(2 d50c) of the reduced Lynch–Rao curve.

    Independent of d50c. ex04: α 3 → 0.3448.

    Parameters
    ----------
    alpha : float
        Sharpness α > 0 [-].

    Returns
    -------
    float
        Imperfection [-]; 0 is a perfect separation.

    References
    ----------
    Wills, B.A., Finch, J.A. (2016) Wills' Mineral Processing Technology, 8th ed.,
    Butterworth-Heinemann, ch. 9 [L].
    """
    return 0.5 * (lynch_rao_size_um(0.75, 1.0, alpha) - lynch_rao_size_um(0.25, 1.0, alpha))


@njit
def lynch_rao_size_um(ec_frac: float, d50c_um: float, alpha: float) -> float:
    """Size at which the reduced Lynch–Rao efficiency equals ``ec_frac`` (closed form).

    Inverting ``Ec(x)`` gives ``x = 1 + ln(q + (1 - q) e^{-α})/α`` with
    ``q = Ec/(1 - Ec)``, which does not overflow for large α.

    Parameters
    ----------
    ec_frac : float
        Reduced efficiency [-], in [0, 1).
    d50c_um : float
        Corrected cut size [µm].
    alpha : float
        Sharpness α > 0 [-].

    Returns
    -------
    float
        Size [µm]; 0 for ``ec_frac = 0``, NaN outside [0, 1).

    References
    ----------
    Lynch, A.J., Rao, T.C. (1975) Proc. 11th IMPC, Cagliari, 245–269 [L].
    """
    if not (ec_frac >= 0.0 and ec_frac < 1.0):
        return math.nan
    if ec_frac == 0.0:
        return 0.0
    q = ec_frac / (1.0 - ec_frac)
    x = 1.0 + math.log(q + (1.0 - q) * math.exp(-alpha)) / alpha
    return d50c_um * max(x, 0.0)

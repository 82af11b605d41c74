"""Extent of sulfide oxidation in a train of compartments (autoclave or BIOX tanks).

A shrinking particle under surface-reaction control, averaged over the Erlang
residence-time distribution of N equal compartments (segregated flow), with a closed form
instead of quadrature (Papangelakis & Demopoulos 1990, Can. Metall. Q. 29(1):13; Levenspiel
1999, ch. 25; docs/models.md#pox), and the Arrhenius, oxygen-pressure and size scaling of
the time for complete oxidation t*. Times are in **minutes** (the caller converts hours);
temperatures in °C at the interface and K in the Arrhenius term; sizes in µm.

The array contract is that of :mod:`oreflow.kernels`; flows in t/h.
"""

from __future__ import annotations

import math

import numpy as np

from oreflow.kernels._jit import njit
from oreflow.kernels.oxidation import KELVIN, R_J_MOL_K


@njit
def arrhenius_t_star_min(
    t_star_ref_min: float,
    activation_kj_mol: float,
    temperature_degc: float,
    ref_temperature_degc: float,
    o2_kpa: float,
    ref_o2_kpa: float,
    size_um: float,
    ref_size_um: float,
) -> float:
    """Time for complete conversion of a particle, scaled from a reference state.

    ``t*(T, P, d) = t*_ref (d / d_ref) (P_ref / P) exp[(Ea/R)(1/T - 1/T_ref)]``:
    t* proportional to the initial radius (surface-reaction control), inverse first
    order in the O2 partial pressure, Arrhenius in temperature (Papangelakis & Demopoulos 1990, Can. Metall. Q. 29(1):13; docs/models.md#pox).

    Parameters
    ----------
    t_star_ref_min : float
        t* at the reference state [min].
    activation_kj_mol : float
        Activation energy Ea [kJ/mol].
    temperature_degc, ref_temperature_degc : float
        Operating and reference temperature [°C].
    o2_kpa, ref_o2_kpa : float
        Operating and reference O2 partial pressure [kPa], > 0.
    size_um, ref_size_um : float
        Particle and reference size [µm], > 0.

    Returns
    -------
    float
        t* [min].

    References
    ----------
    Papangelakis, V.G., Demopoulos, G.P. (1990) Acid pressure oxidation of
    arsenopyrite: Part I, reaction chemistry; Part II, reaction kinetics. Can. Metall.
    Q. 29(1):1-12, 13-20, doi:10.1179/cmq.1990.29.1.1 [L].
    """
    inv = 1.0 / (temperature_degc + KELVIN) - 1.0 / (ref_temperature_degc + KELVIN)
    arr = math.exp(activation_kj_mol * 1000.0 / R_J_MOL_K * inv)
    return t_star_ref_min * (size_um / ref_size_um) * (ref_o2_kpa / o2_kpa) * arr


@njit
def t_star_batch(
    t_star_ref_min: np.ndarray,
    activation_kj_mol: np.ndarray,
    temperature_degc: np.ndarray,
    ref_temperature_degc: np.ndarray,
    o2_kpa: np.ndarray,
    ref_o2_kpa: np.ndarray,
    size_um: np.ndarray,
    ref_size_um: np.ndarray,
) -> np.ndarray:
    """:func:`arrhenius_t_star_min` for every case, size class and mineral.

    Parameters
    ----------
    t_star_ref_min, activation_kj_mol : (n_cases, n_min) float64
        Reference t* [min] and activation energy [kJ/mol] of each mineral.
    temperature_degc, ref_temperature_degc : (n_cases,) float64
        Operating and reference temperature [°C].
    o2_kpa, ref_o2_kpa : (n_cases,) float64
        Operating and reference O2 partial pressure [kPa].
    size_um : (n_cls,) float64
        Representative size of each class [µm].
    ref_size_um : (n_cases,) float64
        Reference size [µm].

    Returns
    -------
    (n_cases, n_cls, n_min) float64
        t* [min].
    """
    n_cases, n_min = t_star_ref_min.shape
    n_cls = size_um.shape[0]
    out = np.empty((n_cases, n_cls, n_min))
    for i in range(n_cases):
        for c in range(n_cls):
            for m in range(n_min):
                out[i, c, m] = arrhenius_t_star_min(
                    t_star_ref_min[i, m],
                    activation_kj_mol[i, m],
                    temperature_degc[i],
                    ref_temperature_degc[i],
                    o2_kpa[i],
                    ref_o2_kpa[i],
                    size_um[c],
                    ref_size_um[i],
                )
    return out


@njit
def cstr_series_conversion(t_star_min: float, residence_min: float, n_stages: int) -> float:
    """Mean shrinking-particle conversion over N equal perfect mixers (segregated flow).

    Papangelakis & Demopoulos 1990, Can. Metall. Q. 29(1):13; docs/models.md#pox defines ``X = 1 - ∫_0^{t*} (1 - t/t*)^3 E_N(t) dt`` with the Erlang
    RTD ``E_N``. Writing the Erlang variable as the waiting time of the N-th event of
    a Poisson process of rate ``N/τ`` and integrating the cubic term by term, the
    Chu-Vandermonde identity collapses the alternating sum into one of positive terms:

        1 - X = Σ_{i >= N} p_i (i-N+1)(i-N+2)(i-N+3) / [(i+1)(i+2)(i+3)],
        p_i = e^{-x} x^i / i!,  x = N t*/τ,

    which is summed over the Poisson mass (±12 standard deviations). When all of that
    mass lies above N (the particle almost never outlives t*, i.e. ``t* >> τ``), the
    truncated moments of the Erlang time are exact and

        X = 3r - 3r² (N+1)/N + r³ (N+1)(N+2)/N²,  r = τ/t*,

    whose N → ∞ limit is plug flow, ``1 - (1 - r)^3``.

    Parameters
    ----------
    t_star_min : float
        Time for complete conversion [min], > 0.
    residence_min : float
        Mean residence time of the whole train τ [min], >= 0 (0 gives X = 0).
    n_stages : int
        Number of equal compartments N [-], >= 1.

    Returns
    -------
    float
        Mean conversion X [-], in [0, 1].

    References
    ----------
    Levenspiel, O. (1999) Chemical Reaction Engineering, 3rd ed., Wiley, ch. 11 and 25
    (segregated flow, tanks-in-series RTD) [L]; Papangelakis & Demopoulos 1990, Can. Metall. Q. 29(1):13; docs/models.md#pox (ex06: X = 0.982499 at
    210 °C, 4 compartments, 60 min).
    """
    # empty tables made here, not a module constant: numba types a global array as
    # read-only, which compiled _cstr_series a second time (0.5-0.7 s of a cold start)
    no_table = np.empty(0)
    return _cstr_series(t_star_min, residence_min, n_stages, no_table, no_table)


@njit
def oxidation_extent_batch(
    t_star_min: np.ndarray,
    residence_min: np.ndarray,
    n_stages: int,
    ultimate_frac: np.ndarray,
) -> np.ndarray:
    """Mean conversion of every mineral in every size class of every case.

    ``X = X_ult · X̄(t*, τ, N)`` with :func:`cstr_series_conversion`; ``X_ult`` < 1
    describes passivation (alkaline POX) and is 1 for acid POX.

    Parameters
    ----------
    t_star_min : (n_cases, n_cls, n_min) float64
        t* of each mineral in each size class [min].
    residence_min : (n_cases,) float64
        Residence time of the train [min].
    n_stages : int
        Number of equal compartments [-].
    ultimate_frac : (n_cases, n_min) float64
        Conversion reached at infinite residence time [-].

    Returns
    -------
    (n_cases, n_cls, n_min) float64
        Conversion [-].
    """
    n_cases, n_cls, n_min = t_star_min.shape
    out = np.empty((n_cases, n_cls, n_min))
    # ln i! and the cubic factor of every Poisson term the batch needs, computed once
    # with the expressions of cstr_series_conversion, so each conversion is unchanged
    top = n_stages
    for i in range(n_cases):
        for c in range(n_cls):
            for m in range(n_min):
                hi = _series_top(t_star_min[i, c, m], residence_min[i], n_stages)
                if hi <= SERIES_TABLE_MAX:
                    top = max(top, hi)
    log_factorial, cubic = _series_tables(top, n_stages)
    # cases of a batch often share t* and tau (only grade or hardness varies): a
    # conversion equal in its inputs to the previous case's is taken from it
    last = np.empty((n_cls, n_min))
    for i in range(n_cases):
        same_tau = i > 0 and residence_min[i] == residence_min[i - 1]
        for c in range(n_cls):
            for m in range(n_min):
                ts = t_star_min[i, c, m]
                if same_tau and ts == t_star_min[i - 1, c, m]:
                    x = last[c, m]
                elif _series_top(ts, residence_min[i], n_stages) <= top:
                    x = _cstr_series(ts, residence_min[i], n_stages, log_factorial, cubic)
                else:
                    x = cstr_series_conversion(ts, residence_min[i], n_stages)
                last[c, m] = x
                out[i, c, m] = ultimate_frac[i, m] * x
    return out


#: Longest Poisson sum that oxidation_extent_batch tabulates; longer ones are summed directly.
SERIES_TABLE_MAX = 100_000


@njit
def _series_top(t_star_min: float, residence_min: float, n_stages: int) -> int:
    """Last term of the Poisson sum of :func:`cstr_series_conversion` (-1: no sum)."""
    if residence_min <= 0.0 or t_star_min <= 0.0:
        return -1
    n = n_stages
    x = n * t_star_min / residence_min
    spread = 12.0 * math.sqrt(x)
    if x - spread - 40.0 > n:
        return -1
    if not x + spread < SERIES_TABLE_MAX:
        return SERIES_TABLE_MAX + 1
    return max(n, int(x + spread)) + 80


@njit
def _cubic_term(i: int, n: int) -> float:
    """``(i-N+1)(i-N+2)(i-N+3)/((i+1)(i+2)(i+3))``, the weight of Poisson term i."""
    return (i - n + 1.0) * (i - n + 2.0) * (i - n + 3.0) / ((i + 1.0) * (i + 2.0) * (i + 3.0))


@njit
def _series_tables(top: int, n_stages: int) -> tuple[np.ndarray, np.ndarray]:
    """``ln i!`` and ``(i-N+1)(i-N+2)(i-N+3)/((i+1)(i+2)(i+3))`` for i = 0..top."""
    n = n_stages
    log_factorial = np.empty(top + 1)
    cubic = np.empty(top + 1)
    for i in range(top + 1):
        log_factorial[i] = math.lgamma(i + 1.0)
        cubic[i] = _cubic_term(i, n)
    return log_factorial, cubic


@njit
def _cstr_series(
    t_star_min: float,
    residence_min: float,
    n_stages: int,
    log_factorial: np.ndarray,
    cubic: np.ndarray,
) -> float:
    """The Poisson sum of :func:`cstr_series_conversion`, terms read from the tables.

    Terms beyond the tables of :func:`_series_tables` (all of them with empty tables)
    are computed by the same expressions, so both give the same value.
    """
    if residence_min <= 0.0:
        return 0.0
    if t_star_min <= 0.0:
        return 1.0
    n = n_stages
    x = n * t_star_min / residence_min
    spread = 12.0 * math.sqrt(x)
    if x - spread - 40.0 > n:
        r = residence_min / t_star_min
        return 3.0 * r - 3.0 * r * r * (n + 1.0) / n + r * r * r * (n + 1.0) * (n + 2.0) / (n * n)
    lo = max(n, int(x - spread))
    hi = max(n, int(x + spread)) + 80
    log_x = math.log(x)
    n_tab = log_factorial.shape[0]
    unreacted = 0.0
    for i in range(lo, hi + 1):
        tabulated = i < n_tab
        log_p = -x + i * log_x - (log_factorial[i] if tabulated else math.lgamma(i + 1.0))
        if log_p < -745.0:
            continue
        g = cubic[i] if tabulated else _cubic_term(i, n)
        unreacted += math.exp(log_p) * g
    return min(max(1.0 - unreacted, 0.0), 1.0)

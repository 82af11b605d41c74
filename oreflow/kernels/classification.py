"""Hydrocyclone classification kernels: partition curves and multi-density cut sizes.

Partition values are the mass fraction of the feed of a given size (and density) that
reports to the **underflow** [-]. Sizes are in µm, densities in t/m³ (numerically g/cm³).
Plitt's empirical cyclone model is in :mod:`oreflow.kernels.plitt`.

Every partition curve here takes a bypass ``bypass_frac`` (Rf), the fraction of the feed
that short-circuits to the underflow regardless of size, usually set to the water
recovery to underflow: ``Ea = Rf + (1 - Rf) Ec``. Nageswararao (2016) argues that the
bypass is a normalisation rather than a physical flow; the form remains the industry
workhorse (Lynch & Rao 1975; Napier-Munn et al. 1996; Nageswararao 2016, Powder Technol.
297:106; docs/models.md#cyclone).
"""

from __future__ import annotations

import math

import numpy as np

from oreflow.kernels._jit import njit

#: Plitt's Rosin–Rammler partition constant 0.693 ≈ ln 2, kept as printed so that results
#: match published calibrations; Ec(d50c) = 0.49993 rather than 0.5 [L] (Plitt 1976).
PLITT_LN2 = 0.693

#: Partition curves of :func:`partition_curves_batch`: Lynch–Rao, Whiten fish-hook, Plitt.
CURVE_LYNCH_RAO = 0
CURVE_FISHHOOK = 1
CURVE_PLITT = 2

#: Stokes-law exponent of the density correction of the cut size [-] (Plitt 1976) [L].
DENSITY_EXPONENT = 0.5

#: Above this α·x (or α) the exponentials are divided through to avoid overflow [-].
_EXP_SAFE = 700.0


@njit
def _ec_lynch_rao(x: float, alpha: float) -> float:
    # Reduced efficiency (e^{αx} - 1)/(e^{αx} + e^α - 2), x = d/d50c. Written with expm1
    # (exact Ec(0) = 0, full precision at the fine end); for large arguments numerator
    # and denominator are divided by e^{αx} (x > 1) or e^α, so nothing overflows.
    if x > 1.0:
        ex = math.exp(-alpha * x)
        return -math.expm1(-alpha * x) / (1.0 + math.exp(alpha * (1.0 - x)) - 2.0 * ex)
    if alpha < _EXP_SAFE:
        num = math.expm1(alpha * x)
        return num / (num + math.expm1(alpha))
    ea = math.exp(-alpha)
    num = math.exp(alpha * (x - 1.0)) - ea
    return num / (math.exp(alpha * (x - 1.0)) + 1.0 - 2.0 * ea)


@njit
def lynch_rao_partition(
    d_um: np.ndarray, d50c_um: float, alpha: float, bypass_frac: float
) -> np.ndarray:
    """Whiten / Lynch–Rao partition to underflow with bypass.

    ``Ec(x) = (e^{αx} - 1)/(e^{αx} + e^α - 2)``, ``x = d/d50c``, and
    ``Ea = Rf + (1 - Rf) Ec``. Overflow of ``e^{αx}`` for coarse sizes is avoided by
    dividing through (oreflow's implementation notes; docs/architecture.md); ``Ec(0) = 0`` exactly.

    Parameters
    ----------
    d_um : (n,) float64
        Particle size [µm].
    d50c_um : float
        Corrected cut size, where Ec = 0.5 [µm] (40–150 µm in gold grinding [L]).
    alpha : float
        Sharpness α > 0 [-] (2.5–4.5 for cyclones [L]).
    bypass_frac : float
        Bypass to underflow Rf [-], in [0, 1).

    Returns
    -------
    (n,) float64
        Partition to underflow Ea [-].

    References
    ----------
    Lynch, A.J., Rao, T.C. (1975) Modelling and scale-up of hydrocyclone classifiers.
    Proc. 11th Int. Mineral Processing Congress, Cagliari, 245–269 [L].
    Napier-Munn, T.J., Morrell, S., Morrison, R.D., Kojovic, T. (1996) Mineral Comminution
    Circuits: Their Operation and Optimisation. JKMRC Monograph Series 2 [L].
    """
    return partition_curve(CURVE_LYNCH_RAO, d_um, d50c_um, alpha, 0.0, bypass_frac)


@njit
def _eoc_fishhook(x: float, alpha: float, beta: float, beta_star: float) -> float:
    # Whiten's reduced efficiency to OVERFLOW, (1 + ββ*x)(e^α - 1)/(e^{αβ*x} + e^α - 2),
    # divided through by e^α or e^{αβ*x}, whichever is larger, so it cannot overflow.
    y = alpha * beta_star * x
    lead = 1.0 + beta * beta_star * x
    if y <= alpha:
        ea = math.exp(-alpha)
        return lead * (-math.expm1(-alpha)) / (math.exp(y - alpha) + 1.0 - 2.0 * ea)
    ey = math.exp(-y)
    return lead * (math.exp(alpha - y) - ey) / (1.0 + math.exp(alpha - y) - 2.0 * ey)


@njit
def fishhook_beta_star(alpha: float, beta: float) -> float:
    """Whiten fish-hook β* fixed by ``Eoc(x = 1) = 0.5``.

    Solves ``(1 + β β*)(e^α - 1)/(e^{α β*} + e^α - 2) = 0.5`` for β* by bisection on
    ``[1, b]`` (the left side is >= 0.5 at β* = 1 when β >= 0; ``b`` is doubled until the
    sign changes). β = 0 gives exactly 1 (Lynch–Rao). ex04: α 3, β 0.5 → β* = 1.26281.

    Parameters
    ----------
    alpha : float
        Sharpness α > 0 [-].
    beta : float
        Fish-hook parameter β >= 0 [-].

    Returns
    -------
    float
        β* [-].

    References
    ----------
    Napier-Munn, T.J., Morrell, S., Morrison, R.D., Kojovic, T. (1996) Mineral Comminution
    Circuits: Their Operation and Optimisation. JKMRC Monograph Series 2 [L].
    """
    if beta == 0.0:
        return 1.0
    if beta < 0.0:
        msg = "the fish-hook parameter beta must be >= 0"
        raise ValueError(msg)
    lo = 1.0
    hi = 2.0
    while _eoc_fishhook(1.0, alpha, beta, hi) > 0.5:
        lo = hi
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid <= lo or mid >= hi:
            break
        if _eoc_fishhook(1.0, alpha, beta, mid) > 0.5:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


@njit
def whiten_fishhook_partition(
    d_um: np.ndarray, d50c_um: float, alpha: float, beta: float, bypass_frac: float
) -> np.ndarray:
    """Whiten's fish-hook partition to underflow.

    The JK form is written for the overflow: ``Eoc = (1 + β β* x)(e^α - 1)/(e^{αβ*x} +
    e^α - 2)``, ``x = d/d50c``, with β* from :func:`fishhook_beta_star`; the partition to
    underflow is ``Eua = 1 - (1 - Rf) Eoc``. As d → 0 it returns to Rf; the dip below Rf
    at intermediate fine sizes is the hook. β = 0 reduces to :func:`lynch_rao_partition`.

    Parameters
    ----------
    d_um : (n,) float64
        Particle size [µm].
    d50c_um : float
        Corrected cut size [µm].
    alpha : float
        Sharpness α > 0 [-].
    beta : float
        Fish-hook parameter β >= 0 [-].
    bypass_frac : float
        Bypass to underflow Rf [-].

    Returns
    -------
    (n,) float64
        Partition to underflow [-].

    References
    ----------
    Napier-Munn, T.J., Morrell, S., Morrison, R.D., Kojovic, T. (1996) Mineral Comminution
    Circuits: Their Operation and Optimisation. JKMRC Monograph Series 2 [L].
    """
    return partition_curve(CURVE_FISHHOOK, d_um, d50c_um, alpha, beta, bypass_frac)


@njit
def partition_batch(
    d_rep_um: np.ndarray, d50c_um: np.ndarray, alpha: np.ndarray, bypass_frac: np.ndarray
) -> np.ndarray:
    """Lynch–Rao partition to underflow for every case, size class and species.

    Species differ only by their (density-corrected) cut size. The sink uses its
    representative size like any other class (``psd.representative_sizes_um``).

    Parameters
    ----------
    d_rep_um : (n_cls,) float64
        Representative size of each class, sink last [µm].
    d50c_um : (n_cases, n_species) float64
        Corrected cut size per case and species [µm].
    alpha : (n_cases,) float64
        Sharpness per case [-].
    bypass_frac : (n_cases,) float64
        Bypass to underflow per case [-].

    Returns
    -------
    (n_cases, n_cls, n_species) float64
        Partition to underflow [-].

    References
    ----------
    Lynch, A.J., Rao, T.C. (1975) Proc. 11th IMPC, Cagliari, 245–269 [L].
    """
    return partition_curves_batch(
        CURVE_LYNCH_RAO, d_rep_um, d50c_um, alpha, np.zeros_like(alpha), bypass_frac
    )


@njit
def partition_split_into(
    underflow: np.ndarray,
    overflow: np.ndarray,
    feed: np.ndarray,
    partition: np.ndarray,
    water_to_underflow_frac: np.ndarray,
) -> None:
    """Underflow and overflow of a classifier from its partition, in one pass.

    Each solid component goes to the underflow with its partition value; everything
    after the solids block (solution and adsorbent) with the water split; the overflow
    is the rest.

    Parameters
    ----------
    underflow, overflow : (n_cases, n_comp) float64
        Output arrays, overwritten [t/h].
    feed : (n_cases, n_comp) float64
        Feed [t/h]; the solids block first, size class by size class.
    partition : (n_cases, n_cls, n_species) float64
        Partition of each solid component to the underflow [-].
    water_to_underflow_frac : (n_cases,) float64
        Fraction of the water (and of everything dissolved) to the underflow [-].
    """
    n_cases, n_cls, n_sp = partition.shape
    n_solids = n_cls * n_sp
    n_comp = feed.shape[1]
    for c in range(n_cases):
        for i in range(n_cls):
            for k in range(n_sp):
                j = i * n_sp + k
                underflow[c, j] = feed[c, j] * partition[c, i, k]
        rf = water_to_underflow_frac[c]
        for j in range(n_solids, n_comp):
            underflow[c, j] = feed[c, j] * rf
        for j in range(n_comp):
            overflow[c, j] = feed[c, j] - underflow[c, j]


@njit
def density_corrected_d50c_um(
    d50c_ref_um: float | np.ndarray,
    rho_ref_t_m3: float,
    rho_k_t_m3: float | np.ndarray,
    rho_liquid_t_m3: float,
    exponent: float = DENSITY_EXPONENT,
) -> float | np.ndarray:
    """Cut size of a denser (or lighter) component from the reference mineral's.

    ``d50c,k = d50c,ref ((ρ_ref - ρ_l)/(ρ_k - ρ_l))^exponent`` (Stokes-like scaling,
    exponent 0.5 after Plitt). Native gold (19.3) against silicate gangue (2.7) in water
    gives 0.305 x the gangue cut size, which is why gold builds up in the circulating
    load (Lynch & Rao 1975; Napier-Munn et al. 1996; Nageswararao 2016, Powder Technol. 297:106; docs/models.md#cyclone).

    Parameters
    ----------
    d50c_ref_um : float or (n,) float64
        Corrected cut size of the reference mineral [µm].
    rho_ref_t_m3 : float
        Density of the reference mineral [t/m³].
    rho_k_t_m3 : float or (n,) float64
        Density of component k [t/m³], greater than the liquid's.
    rho_liquid_t_m3 : float
        Density of the liquid [t/m³].
    exponent : float, optional
        Density exponent [-]; 0.5 [L].

    Returns
    -------
    float or (n,) float64
        Corrected cut size of component k [µm].

    References
    ----------
    Plitt, L.R. (1976) A mathematical model of the hydrocyclone classifier. CIM Bull.
    69(776):114–123 [L].
    """
    return d50c_ref_um * ((rho_ref_t_m3 - rho_liquid_t_m3) / (rho_k_t_m3 - rho_liquid_t_m3)) ** (
        exponent
    )


@njit
def partition_fishhook_batch(
    d_rep_um: np.ndarray,
    d50c_um: np.ndarray,
    alpha: np.ndarray,
    beta: np.ndarray,
    bypass_frac: np.ndarray,
) -> np.ndarray:
    """Whiten fish-hook partition to underflow for every case, size class and species.

    Parameters
    ----------
    d_rep_um : (n_cls,) float64
        Representative size of each class, sink last [µm].
    d50c_um : (n_cases, n_species) float64
        Corrected cut size per case and species [µm].
    alpha, beta : (n_cases,) float64
        Sharpness and fish-hook parameter per case [-] (beta = 0 is Lynch-Rao).
    bypass_frac : (n_cases,) float64
        Bypass to underflow per case [-].

    Returns
    -------
    (n_cases, n_cls, n_species) float64
        Partition to underflow [-].

    References
    ----------
    Whiten, W.J., in Napier-Munn, T.J. et al. (1996) Mineral Comminution Circuits,
    JKMRC Monograph Series 2 [L].
    """
    return partition_curves_batch(CURVE_FISHHOOK, d_rep_um, d50c_um, alpha, beta, bypass_frac)


@njit
def partition_curves_batch(
    curve: int,
    d_rep_um: np.ndarray,
    d50c_um: np.ndarray,
    shape: np.ndarray,
    beta: np.ndarray,
    bypass_frac: np.ndarray,
) -> np.ndarray:
    """Partition to underflow of one curve for every case, size class and species.

    The one loop behind every partition function of this module and of
    :mod:`oreflow.kernels.plitt`; with ``x = d/d50c`` and ``Rf`` the bypass:

    - ``CURVE_LYNCH_RAO``: ``Rf + (1 - Rf) Ec``, ``Ec = (e^{αx} - 1)/(e^{αx} + e^α - 2)``
      (Lynch & Rao 1975), written so that nothing overflows;
    - ``CURVE_FISHHOOK``: ``1 - (1 - Rf) Eoc``, Whiten's ``Eoc = (1 + β β* x)(e^α - 1)/
      (e^{αβ*x} + e^α - 2)`` with β* from :func:`fishhook_beta_star` per case
      (Napier-Munn et al. 1996);
    - ``CURVE_PLITT``: ``Rf + (1 - Rf) Ec``, ``Ec = 1 - exp(-0.693 x^m)`` (Plitt 1976,
      the printed constant ``PLITT_LN2``).

    Parameters
    ----------
    curve : int
        ``CURVE_LYNCH_RAO``, ``CURVE_FISHHOOK`` or ``CURVE_PLITT``.
    d_rep_um : (n_cls,) float64
        Representative size of each class, sink last [µm].
    d50c_um : (n_cases, n_species) float64
        Corrected cut size per case and species [µm].
    shape : (n_cases,) float64
        Sharpness per case: α (Lynch–Rao, fish-hook) or Plitt's m [-].
    beta : (n_cases,) float64
        Fish-hook parameter β >= 0 per case [-] (read by ``CURVE_FISHHOOK`` only).
    bypass_frac : (n_cases,) float64
        Bypass to underflow per case [-].

    Returns
    -------
    (n_cases, n_cls, n_species) float64
        Partition to underflow [-].

    References
    ----------
    Lynch, A.J., Rao, T.C. (1975) Proc. 11th IMPC, Cagliari, 245–269 [L].
    Napier-Munn, T.J., Morrell, S., Morrison, R.D., Kojovic, T. (1996) Mineral Comminution
    Circuits: Their Operation and Optimisation. JKMRC Monograph Series 2 [L].
    Plitt, L.R. (1976) CIM Bull. 69(776):114–123 [L].
    """
    n_cases, n_sp = d50c_um.shape
    n_cls = d_rep_um.shape[0]
    out = np.empty((n_cases, n_cls, n_sp))
    for c in range(n_cases):
        rf = bypass_frac[c]
        a = shape[c]
        beta_star = fishhook_beta_star(a, beta[c]) if curve == CURVE_FISHHOOK else 1.0
        for i in range(n_cls):
            for k in range(n_sp):
                x = d_rep_um[i] / d50c_um[c, k]
                if curve == CURVE_LYNCH_RAO:
                    out[c, i, k] = rf + (1.0 - rf) * _ec_lynch_rao(x, a)
                elif curve == CURVE_FISHHOOK:
                    out[c, i, k] = 1.0 - (1.0 - rf) * _eoc_fishhook(x, a, beta[c], beta_star)
                else:
                    ec = -math.expm1(-PLITT_LN2 * x**a)
                    out[c, i, k] = rf + (1.0 - rf) * ec
    return out


@njit
def partition_curve(
    curve: int, d_um: np.ndarray, d50c_um: float, shape: float, beta: float, bypass_frac: float
) -> np.ndarray:
    """One partition curve at scalar settings, (n,) partition to underflow [-].

    :func:`partition_curves_batch` for one case and one species, ``d_um`` any sizes [µm].
    """
    return partition_curves_batch(
        curve,
        d_um,
        np.full((1, 1), float(d50c_um)),
        np.full(1, float(shape)),
        np.full(1, float(beta)),
        np.full(1, float(bypass_frac)),
    )[0, :, 0].copy()

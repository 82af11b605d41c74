"""Plitt's empirical hydrocyclone model: cut size, pressure, flow split, sharpness.

Plitt (1976, CIM Bull. 69(776):114) in the form of Flintoff, Plitt & Turak (1987), and
its Rosin-Rammler partition curve (Napier-Munn et al. 1996; docs/models.md#cyclone).
Plitt's correlations keep their native units (cm, L/min, kPa, volume % solids) because
their constants are fitted in them.
"""

from __future__ import annotations

import math

import numpy as np

from oreflow.kernels._jit import njit
from oreflow.kernels.classification import CURVE_PLITT, partition_curve, partition_curves_batch

#: Constant of the cut-size correlation as recalibrated on industrial cyclones by Flintoff,
#: Plitt & Turak (1987) [L] (ex04 uses it), and Plitt's (1976) original for water (1 cP),
#: 39.7 in the same ((ρs - ρl)/1.6)^0.5 form [L] (restated as 50.21/(ρs - 1)^0.5 =
#: 39.7 √1.6 in public Plitt calculators). The other three correlations are common.
FLINTOFF_D50_CONSTANT = 50.5
PLITT_1976_D50_CONSTANT = 39.7

#: Gravity used to turn Plitt's pressure drop into a head of pulp [m/s²] [S].
GRAVITY_M_S2 = 9.81


@njit
def pulp_density_t_m3(cv_pct: float, rho_s_t_m3: float, rho_l_t_m3: float) -> float:
    """Pulp density from the volume % solids, ``Cv ρs + (1 - Cv) ρl``.

    Parameters
    ----------
    cv_pct : float
        Solids by volume [%] (Plitt's unit).
    rho_s_t_m3 : float
        Solids density [t/m³].
    rho_l_t_m3 : float
        Liquid density [t/m³].

    Returns
    -------
    float
        Pulp density [t/m³].
    """
    cv = cv_pct / 100.0
    return cv * rho_s_t_m3 + (1.0 - cv) * rho_l_t_m3


@njit
def plitt_cyclone(
    dc_cm: float,
    di_cm: float,
    do_cm: float,
    du_cm: float,
    h_cm: float,
    q_l_min: float,
    cv_pct: float,
    rho_s_t_m3: float,
    rho_l_t_m3: float,
    rho_pulp_t_m3: float,
    f1: float,
    f2: float,
    f3: float,
    f4: float,
    d50_constant: float = FLINTOFF_D50_CONSTANT,
) -> tuple[float, float, float, float, float, float]:
    """Plitt's hydrocyclone model, Flintoff–Plitt–Turak (1987) form.

    ::

        d50c = F1 C Dc^0.46 Di^0.6 Do^1.21 e^{0.063 Cv}
               / (Du^0.71 h^0.38 Q^0.45 ((ρs - ρl)/1.6)^0.5)                [µm]
        P    = F2 1.88 Q^1.78 e^{0.0055 Cv} / (Dc^0.37 Di^0.94 h^0.28 (Du² + Do²)^0.87)  [kPa]
        H    = P / (9.81 ρ_pulp)                                            [m of pulp]
        S    = F3 1.9 (Du/Do)^3.31 h^0.54 (Du² + Do²)^0.36 e^{0.0054 Cv} / (H^0.24 Dc^1.11)
        Rv   = S / (1 + S)
        m    = F4 1.94 e^{-1.58 Rv} (Dc² h / Q)^0.15

    with C = 50.5 (Flintoff et al. 1987) or 39.7 (Plitt 1976).

    ex04 (20-inch cyclone, Q 5000 L/min, Cv 20 %, ρs 2.7): d50c 99.0495 µm,
    P 216.5196 kPa, S 0.2881, Rv 0.2236, m 2.6162.

    Parameters
    ----------
    dc_cm : float
        Cyclone diameter [cm].
    di_cm : float
        Inlet diameter [cm].
    do_cm : float
        Vortex-finder diameter [cm].
    du_cm : float
        Apex (spigot) diameter [cm].
    h_cm : float
        Free vortex height [cm].
    q_l_min : float
        Volumetric pulp feed rate [L/min].
    cv_pct : float
        Feed solids by volume [%] (the correlation is fitted in percent).
    rho_s_t_m3 : float
        Solids density [t/m³].
    rho_l_t_m3 : float
        Liquid density [t/m³].
    rho_pulp_t_m3 : float
        Feed pulp density for the head [t/m³]; ``<= 0`` derives it from Cv as ex04 does
        (:func:`pulp_density_t_m3`).
    f1, f2, f3, f4 : float
        Calibration factors for d50c, P, S and m [-] (1 uncalibrated).
    d50_constant : float, optional
        Constant of the cut-size correlation: 50.5 (Flintoff et al. 1987, default) or
        39.7 (Plitt 1976) [L].

    Returns
    -------
    d50c_um : float
        Corrected cut size [µm].
    pressure_kpa : float
        Pressure drop [kPa] (a drop, not an absolute pressure).
    head_m : float
        Pressure drop as a head of pulp [m].
    split_s : float
        Volumetric flow split S = Q_underflow/Q_overflow [-].
    rv_frac : float
        Volumetric recovery of pulp to underflow Rv [-].
    m : float
        Sharpness of Plitt's partition curve [-] (:func:`plitt_partition`).

    References
    ----------
    Plitt, L.R. (1976) A mathematical model of the hydrocyclone classifier. CIM Bull.
    69(776):114–123 [L].
    Flintoff, B.C., Plitt, L.R., Turak, A.A. (1987) Cyclone modelling: a review of present
    technology. CIM Bull. 80(905):39–50 [L].
    """
    d50c_um = (
        f1
        * d50_constant
        * dc_cm**0.46
        * di_cm**0.6
        * do_cm**1.21
        * math.exp(0.063 * cv_pct)
        / (du_cm**0.71 * h_cm**0.38 * q_l_min**0.45 * ((rho_s_t_m3 - rho_l_t_m3) / 1.6) ** 0.5)
    )
    d2 = du_cm * du_cm + do_cm * do_cm
    pressure_kpa = (
        f2
        * 1.88
        * q_l_min**1.78
        * math.exp(0.0055 * cv_pct)
        / (dc_cm**0.37 * di_cm**0.94 * h_cm**0.28 * d2**0.87)
    )
    rho_p = rho_pulp_t_m3
    if not rho_p > 0.0:
        rho_p = pulp_density_t_m3(cv_pct, rho_s_t_m3, rho_l_t_m3)
    head_m = pressure_kpa / (GRAVITY_M_S2 * rho_p)
    split_s = (
        f3
        * 1.9
        * (du_cm / do_cm) ** 3.31
        * h_cm**0.54
        * d2**0.36
        * math.exp(0.0054 * cv_pct)
        / (head_m**0.24 * dc_cm**1.11)
    )
    rv_frac = split_s / (1.0 + split_s)
    m = f4 * 1.94 * math.exp(-1.58 * rv_frac) * (dc_cm * dc_cm * h_cm / q_l_min) ** 0.15
    return d50c_um, pressure_kpa, head_m, split_s, rv_frac, m


@njit
def plitt_partition(d_um: np.ndarray, d50c_um: float, m: float, bypass_frac: float) -> np.ndarray:
    """Plitt's partition to underflow with bypass.

    ``Ec = 1 - exp(-0.693 (d/d50c)^m)`` and ``Ea = Rf + (1 - Rf) Ec``. The printed
    constant 0.693 is kept (Ec(d50c) = 0.49993), see ``classification.PLITT_LN2``.

    Parameters
    ----------
    d_um : (n,) float64
        Particle size [µm].
    d50c_um : float
        Corrected cut size [µm].
    m : float
        Plitt sharpness [-].
    bypass_frac : float
        Bypass to underflow Rf [-] (Plitt's model uses the water split to underflow).

    Returns
    -------
    (n,) float64
        Partition to underflow [-].

    References
    ----------
    Plitt, L.R. (1976) CIM Bull. 69(776):114–123 [L].
    """
    return partition_curve(CURVE_PLITT, d_um, d50c_um, m, 0.0, bypass_frac)


@njit
def partition_plitt_batch(
    d_rep_um: np.ndarray, d50c_um: np.ndarray, m: np.ndarray, bypass_frac: np.ndarray
) -> np.ndarray:
    """Plitt partition to underflow for every case, size class and species.

    Parameters
    ----------
    d_rep_um : (n_cls,) float64
        Representative size of each class, sink last [µm].
    d50c_um : (n_cases, n_species) float64
        Corrected cut size per case and species [µm].
    m : (n_cases,) float64
        Plitt sharpness per case [-].
    bypass_frac : (n_cases,) float64
        Bypass to underflow per case (the volumetric split Rv in Plitt's model) [-].

    Returns
    -------
    (n_cases, n_cls, n_species) float64
        Partition to underflow [-].

    References
    ----------
    Plitt, L.R. (1976) CIM Bull. 69(776):114–123 [L].
    """
    return partition_curves_batch(CURVE_PLITT, d_rep_um, d50c_um, m, np.zeros_like(m), bypass_frac)

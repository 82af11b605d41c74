"""Hydrocyclone forms beside Lynch-Rao and Plitt: the water-split form and Nageswararao.

The bypass as lambda times the water split at a given underflow density, and the
Nageswararao correlations.

**Water-split form.** Kelsall's bypass (the fines carried to the underflow with its
water; Kelsall's notion of the early 1950s as Nageswararao 2016, Powder Technol.
297:106 describes it, abstract only read) taken as ``lambda`` times the water recovery
to underflow Rf (lambda = 1 in the Lynch-Rao model as used in Napier-Munn et al. 1996),
and the
underflow density given (a spigot set to a density). With the corrected curve Ec(d)
and the solids feed S split by class, ``Ebar = sum_i s_i Ec_i / S``; the underflow
holds ``S (lambda Rf + (1 - lambda Rf) Ebar)`` solids and ``Rf W`` water, and its
solids mass fraction is ``cu``. With ``k = S (1 - cu) / (cu W)``::

    Rf = k Ebar / (1 - k lambda (1 - Ebar))

(a balance, derived here), limited to [0, 1]; the overflow density follows.

**Nageswararao.** The JKMRC empirical model (Nageswararao 1978, PhD thesis, University
of Queensland; in Napier-Munn, Morrell, Morrison & Kojovic 1996, *Mineral Comminution
Circuits*, JKMRC Monograph 2, ch. 12; revisited by Nageswararao, Wiseman &
Napier-Munn 2004, Miner. Eng. 17:671-687, abstract only read): corrected cut size,
pressure-flow and water recovery as power laws of the geometry relative to the
cyclone diameter Dc (vortex finder Do, spigot Du, inlet Di, cylinder length Lc, cone
angle theta in degrees), of the head ``P / (rho_p g Dc)`` and of a hindered-settling
term ``lambda_h = 10^(1.82 Cv) / (8.05 (1 - Cv)^2)`` of the feed's solids volume
fraction Cv::

    d50c / Dc = KD0 Dc^-0.65 (Do/Dc)^0.52 (Du/Dc)^-0.47 lambda_h^0.93
                (P/(rho_p g Dc))^-0.22 (Di/Dc)^-0.50 (Lc/Dc)^0.20 theta^0.15
    Q = KQ0 Dc^2 (P/rho_p)^0.5 (Do/Dc)^0.68 (Di/Dc)^0.45 (Lc/Dc)^0.20 theta^-0.10
    Rf = KW0 (Do/Dc)^-1.19 (Du/Dc)^2.40 (P/(rho_p g Dc))^-0.53 lambda_h^0.27
         (Di/Dc)^-0.50 (Lc/Dc)^0.22 theta^-0.24

The exponents are as recalled from the monograph and could not be checked against it
or a worked example [assumed]; the K's are material constants fitted to a survey of
the plant's cyclones (as JKSimMet does), so the case gives them. Lengths in m, P in
kPa, rho_p in t/m³, Q in m³/h per cyclone, d50c in µm. The partition is Whiten's with
the bypass equal to Rf (``Ea = Rf + (1 - Rf) Ec``).
"""

from __future__ import annotations

import numpy as np

#: Gravity [m/s²].
GRAVITY_M_S2 = 9.81


def water_split_rf(
    solids_tph: np.ndarray,
    water_tph: np.ndarray,
    ebar: np.ndarray,
    underflow_solids_frac: np.ndarray,
    bypass_per_water: np.ndarray,
) -> np.ndarray:
    """Water recovery to underflow Rf that gives the underflow its solids fraction.

    Examples
    --------
    >>> # 100 t/h solids in 150 t/h water, half the solids classified to underflow
    >>> rf = water_split_rf(np.array([100.0]), np.array([150.0]), np.array([0.5]),
    ...                     np.array([0.7]), np.array([1.0]))
    >>> round(float(rf[0]), 4)
    0.1667
    """
    cu = np.clip(underflow_solids_frac, 1e-9, 1.0)
    k = solids_tph * (1.0 - cu) / (cu * np.maximum(water_tph, 1e-300))
    den = 1.0 - k * bypass_per_water * (1.0 - ebar)
    rf = np.where(den > 0.0, k * ebar / np.where(den > 0.0, den, 1.0), 1.0)
    return np.clip(rf, 0.0, 1.0)


def hindered_settling(cv: np.ndarray | float) -> np.ndarray:
    """Nageswararao's hindered-settling term ``10^(1.82 Cv) / (8.05 (1 - Cv)^2)``."""
    c = np.clip(np.asarray(cv, dtype=np.float64), 0.0, 0.95)
    return 10.0 ** (1.82 * c) / (8.05 * (1.0 - c) ** 2)


def nageswararao_pressure_kpa(
    q_m3_h: np.ndarray,
    rho_pulp_t_m3: np.ndarray,
    dc_m: float,
    do_m: float,
    di_m: float,
    lc_m: float,
    theta_deg: float,
    kq0: float,
) -> np.ndarray:
    """Feed pressure [kPa] that passes ``q_m3_h`` through one cyclone (the Q law inverted)."""
    geom = (do_m / dc_m) ** 0.68 * (di_m / dc_m) ** 0.45 * (lc_m / dc_m) ** 0.20
    geom = geom * theta_deg**-0.10
    root = np.asarray(q_m3_h, dtype=np.float64) / (kq0 * dc_m**2 * geom)
    return rho_pulp_t_m3 * root**2


def nageswararao_cyclone(
    q_m3_h: np.ndarray,
    cv: np.ndarray,
    rho_pulp_t_m3: np.ndarray,
    dc_m: float,
    do_m: float,
    du_m: float,
    di_m: float,
    lc_m: float,
    theta_deg: float,
    kd0: float,
    kq0: float,
    kw0: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(d50c [µm], pressure [kPa], Rf [-]) of one cyclone at its feed flow (module doc)."""
    p = nageswararao_pressure_kpa(q_m3_h, rho_pulp_t_m3, dc_m, do_m, di_m, lc_m, theta_deg, kq0)
    head = np.maximum(p / (rho_pulp_t_m3 * GRAVITY_M_S2 * dc_m), 1e-12)
    lam = hindered_settling(cv)
    d50_rel = (
        kd0
        * dc_m**-0.65
        * (do_m / dc_m) ** 0.52
        * (du_m / dc_m) ** -0.47
        * lam**0.93
        * head**-0.22
        * (di_m / dc_m) ** -0.50
        * (lc_m / dc_m) ** 0.20
        * theta_deg**0.15
    )
    rf = (
        kw0
        * (do_m / dc_m) ** -1.19
        * (du_m / dc_m) ** 2.40
        * head**-0.53
        * lam**0.27
        * (di_m / dc_m) ** -0.50
        * (lc_m / dc_m) ** 0.22
        * theta_deg**-0.24
    )
    return d50_rel * dc_m * 1e6, p, np.clip(rf, 0.0, 1.0)

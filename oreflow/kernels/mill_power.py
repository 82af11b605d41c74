"""Tumbling-mill power draw: critical speed, Bond/Rowland ball mill, Austin SAG mill.

Pinion or net power of a ball mill from its charge (Bond 1961; Rowland & Kjos 1980) and
of the cylindrical section of a SAG mill (Austin 1990, Miner. Metall. Process. 7:57;
Doll 2013; docs/models.md#ball_mill, docs/models.md#sag_mill). Mill dimensions in m, ball
sizes in mm, densities in t/m³, power in kW.

Confidence tags: [S] checked source, [L] standard reference value not re-checked here,
[A] assumed.
"""

from __future__ import annotations

import math

import numpy as np

from oreflow.kernels._jit import njit

#: Bond/Rowland ball-mill power constant [kW per t of balls, D in m]: 3.1 kW/short ton
#: converted, 3.1 x 3.2808^0.3 x 1.1023 (Rowland & Kjos 1980; Austin 1990, Miner. Metall. Process. 7:57; Morrell 1996; docs/models.md#ball_mill and ex01 use 4.879) [L].
BOND_BALL_POWER_CONSTANT = 4.879

#: Diameter above which the ball-size (slump) term applies [m] [L].
SLUMP_LIMIT_D_M = 3.3

#: Bulk density of a steel-ball charge [t/m³] [L].
STEEL_BALL_BULK_DENSITY_T_M3 = 4.65

#: Critical-speed constant 60 sqrt(2 g)/(2 π) = 42.30 [rpm m^0.5] [S derivation].
CRITICAL_SPEED_CONSTANT = 42.3

#: Austin (1990) SAG power constants: K, A, bed porosity, steel density [L].
AUSTIN_SAG_K = 10.6
AUSTIN_SAG_A = 1.03
AUSTIN_SAG_BED_POROSITY = 0.4
STEEL_DENSITY_T_M3 = 7.9


@njit
def critical_speed_rpm(d_m: float | np.ndarray, ball_d_m: float = 0.0) -> float | np.ndarray:
    """Critical speed of a tumbling mill, ``Nc = 42.3/sqrt(D - d)``.

    Parameters
    ----------
    d_m : float or (n,) float64
        Mill diameter inside liners [m].
    ball_d_m : float, optional
        Ball (or rock) diameter [m]; 0 neglects it.

    Returns
    -------
    float or (n,) float64
        Critical speed [rpm].

    References
    ----------
    Wills, B.A., Finch, J.A. (2016) Wills' Mineral Processing Technology, 8th ed., ch. 7
    (42.3 = 60 sqrt(2 g)/(2 π) with g = 9.81 m/s²) [S derivation].
    """
    return CRITICAL_SPEED_CONSTANT / np.sqrt(d_m - ball_d_m)


@njit
def ball_charge_t(
    d_m: float,
    l_m: float,
    ball_fill_frac: float,
    ball_bulk_density_t_m3: float = STEEL_BALL_BULK_DENSITY_T_M3,
) -> float:
    """Mass of the ball charge, ``Vp (π/4) D² L ρ_bulk``.

    Parameters
    ----------
    d_m : float
        Mill diameter inside liners [m].
    l_m : float
        Effective grinding length [m].
    ball_fill_frac : float
        Fraction of the mill volume loaded with balls, Vp [-].
    ball_bulk_density_t_m3 : float, optional
        Bulk density of the charge [t/m³]; 4.65 for steel balls [L].

    Returns
    -------
    float
        Ball charge [t].

    References
    ----------
    Rowland, C.A., Kjos, D.M. (1980) in Mineral Processing Plant Design, 2nd ed., SME [L].
    """
    return ball_fill_frac * 0.25 * math.pi * d_m * d_m * l_m * ball_bulk_density_t_m3


@njit
def bond_ball_mill_specific_power_kw_t(
    d_m: float, ball_fill_frac: float, critical_speed_frac: float, ball_top_mm: float
) -> float:
    """Bond/Rowland pinion power per tonne of balls, slump term included.

    ``kWb = 4.879 D^0.3 (3.2 - 3 Vp) Cs (1 - 0.1/2^(9 - 10 Cs)) + Ss`` with the ball-size
    term ``Ss = 1.102 (B - 12.5 D)/50.8`` for ``D > 3.3 m`` (0 otherwise); overflow
    discharge (multiply by about 1.16 for grate discharge [L]).

    Parameters
    ----------
    d_m : float
        Mill diameter inside liners [m].
    ball_fill_frac : float
        Fraction of the mill volume loaded with balls, Vp [-] (0.30–0.45 [L]).
    critical_speed_frac : float
        Fraction of critical speed, Cs [-].
    ball_top_mm : float
        Top ball size, B [mm].

    Returns
    -------
    float
        Pinion power per tonne of balls [kW/t].

    References
    ----------
    Bond, F.C. (1961) Brit. Chem. Eng. 6:378–385, 543–548. Rowland, C.A., Kjos, D.M.
    (1980) in Mineral Processing Plant Design, 2nd ed., SME, 239–278 [L].
    """
    cs = critical_speed_frac
    kwb = (
        BOND_BALL_POWER_CONSTANT
        * d_m**0.3
        * (3.2 - 3.0 * ball_fill_frac)
        * cs
        * (1.0 - 0.1 / 2.0 ** (9.0 - 10.0 * cs))
    )
    if d_m > SLUMP_LIMIT_D_M:
        kwb += 1.102 * (ball_top_mm - 12.5 * d_m) / 50.8
    return kwb


@njit
def bond_ball_mill_power_kw(
    d_m: float,
    l_m: float,
    ball_fill_frac: float,
    critical_speed_frac: float,
    ball_top_mm: float,
    ball_bulk_density_t_m3: float = STEEL_BALL_BULK_DENSITY_T_M3,
) -> float:
    """Bond/Rowland ball-mill pinion power (overflow discharge).

    ``P = kWb x M_balls``; see :func:`bond_ball_mill_specific_power_kw_t` and
    :func:`ball_charge_t`. ex01: 5.0 x 7.0 m, Vp 0.35, Cs 0.75, B 65 mm gives
    kWb 12.2995 + Ss 0.0542 kW/t, 223.69 t of balls, P = 2763.4 kW.

    Parameters
    ----------
    d_m : float
        Mill diameter inside liners [m].
    l_m : float
        Effective grinding length [m].
    ball_fill_frac : float
        Fraction of the mill volume loaded with balls, Vp [-].
    critical_speed_frac : float
        Fraction of critical speed, Cs [-].
    ball_top_mm : float
        Top ball size [mm].
    ball_bulk_density_t_m3 : float, optional
        Bulk density of the ball charge [t/m³]; 4.65 for steel [L].

    Returns
    -------
    float
        Pinion power [kW].

    References
    ----------
    Bond, F.C. (1961) Brit. Chem. Eng. 6:378–385, 543–548. Rowland, C.A., Kjos, D.M.
    (1980) in Mineral Processing Plant Design, 2nd ed., SME, 239–278 [L].

    Examples
    --------
    >>> round(bond_ball_mill_power_kw(5.0, 7.0, 0.35, 0.75, 65.0), 1)
    2763.4
    """
    kwb = bond_ball_mill_specific_power_kw_t(d_m, ball_fill_frac, critical_speed_frac, ball_top_mm)
    return kwb * ball_charge_t(d_m, l_m, ball_fill_frac, ball_bulk_density_t_m3)


@njit
def austin_sag_power_kw(
    d_m: float,
    l_m: float,
    total_fill_frac: float,
    ball_fill_frac: float,
    critical_speed_frac: float,
    ore_density_t_m3: float,
    slurry_solids_frac: float,
    ball_density_t_m3: float = STEEL_DENSITY_T_M3,
    bed_porosity_frac: float = AUSTIN_SAG_BED_POROSITY,
    k_factor: float = AUSTIN_SAG_K,
    a_factor: float = AUSTIN_SAG_A,
) -> float:
    """Austin (1990) net power of the cylindrical section of a SAG mill.

    ``P = K D^2.5 L (1 - A J) [(1 - ε)(ρs/wc) J + 0.6 J_B (ρb - ρs/wc)] φc
    (1 - 0.1/2^(9 - 10 φc))``. Treat it as a default to recalibrate with a K multiplier
    from surveys (Rowland & Kjos 1980; Austin 1990, Miner. Metall. Process. 7:57; Morrell 1996; docs/models.md#ball_mill); ex01: 10.36 x 5.2 m, J 0.28, J_B 0.12, φc 0.75,
    ρs 2.7, wc 0.80 gives 8752.4 kW.

    Parameters
    ----------
    d_m : float
        Mill diameter inside liners [m].
    l_m : float
        Effective grinding length [m].
    total_fill_frac : float
        Total charge filling J [-].
    ball_fill_frac : float
        Ball filling J_B [-].
    critical_speed_frac : float
        Fraction of critical speed φc [-].
    ore_density_t_m3 : float
        Ore (solids) density ρs [t/m³].
    slurry_solids_frac : float
        Mass fraction of solids in the mill slurry wc [-].
    ball_density_t_m3 : float, optional
        Ball density ρb [t/m³]; 7.9 for steel [L].
    bed_porosity_frac : float, optional
        Charge bed porosity ε [-]; 0.4 [L].
    k_factor : float, optional
        Austin's constant K [kW m^-3.5]; 10.6 [L].
    a_factor : float, optional
        Austin's filling constant A [-]; 1.03 [L].

    Returns
    -------
    float
        Net power [kW].

    References
    ----------
    Austin, L.G. (1990) A mill power equation for SAG mills. Minerals & Metallurgical
    Processing 7(1):57–63 [L] (no DOI checked). Doll, A. (2013) A comparison of SAG mill
    power models. Procemin 2013, Santiago [L].

    Examples
    --------
    >>> round(austin_sag_power_kw(10.36, 5.2, 0.28, 0.12, 0.75, 2.7, 0.80), 1)
    8752.4
    """
    rho_slurry = ore_density_t_m3 / slurry_solids_frac
    load = (1.0 - bed_porosity_frac) * rho_slurry * total_fill_frac + 0.6 * ball_fill_frac * (
        ball_density_t_m3 - rho_slurry
    )
    phi = critical_speed_frac
    speed = phi * (1.0 - 0.1 / 2.0 ** (9.0 - 10.0 * phi))
    return k_factor * d_m**2.5 * l_m * (1.0 - a_factor * total_fill_frac) * load * speed

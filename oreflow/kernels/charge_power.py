"""Tumbling-mill power from the charge: Hogg & Fuerstenau (Moly-Cop form) and Morrell's C-model.

Both models compute the power that lifts and turns the charge from the mill's geometry,
speed and charge (docs/models.md#ball_mill, docs/models.md#sag_mill); the drive adds
losses on top. Mill dimensions in m, densities in t/m³, angles in rad unless the name
says deg, power in kW (1 t m²/s³ = 1 kW).

Confidence tags: [S] checked source or derivation, [L] standard reference value not
re-checked here, [A] assumed.
"""

from __future__ import annotations

import math

from oreflow.kernels._jit import njit
from oreflow.kernels.mill_power import CRITICAL_SPEED_CONSTANT

#: Hogg & Fuerstenau power constant in Sepúlveda's Moly-Cop Tools form [kW per
#: ft^3.5 t/m³], D and L in ft, speed as a fraction of critical. It is the torque-arm
#: power ω M g r_g sin α with the charge centroid r_g ≈ (D/2)(J - 1.065 J²)/(0.885 J):
#: 60⁻¹ 2π 42.3 π/4 g/2 0.885 0.3048^3.5 = 0.236 [S derivation; 0.238 as published, L].
HF_POWER_CONSTANT = 0.238
#: Curvature of the charge-centroid term (J - 1.065 J²) (Moly-Cop Tools) [L].
HF_FILLING_CURVATURE = 1.065
FT_PER_M = 1.0 / 0.3048

#: Gravitational acceleration [m/s²].
G_M_S2 = 9.81

#: Morrell (1996) no-load power: 1.68 D^2.05 [φ (0.667 Ld + L)]^0.82 [kW, m] [L].
MORRELL_NO_LOAD_COEFF = 1.68
MORRELL_NO_LOAD_D_EXP = 2.05
MORRELL_NO_LOAD_CONE_WEIGHT = 0.667
MORRELL_NO_LOAD_EXP = 0.82
#: Calibration factor k of gross = no-load + k net, for industrial mills [L].
MORRELL_K = 1.26
#: Trunnion diameter as a fraction of the mill diameter when none is given [assumed];
#: it puts the overflow pool's toe at π + asin(0.25) = 3.395 rad.
TRUNNION_DEFAULT_FRAC = 0.25


@njit
def hogg_fuerstenau_net_power_kw(
    d_m: float,
    l_m: float,
    critical_speed_frac: float,
    fill_frac: float,
    charge_density_t_m3: float,
    lift_angle_deg: float,
) -> float:
    """Hogg & Fuerstenau net power at the mill shell, Moly-Cop Tools form.

    ``P = 0.238 D^3.5 (L/D) φ ρ_app (J - 1.065 J²) sin α`` with D and L in ft (converted
    here from m), φ the fraction of critical speed, ρ_app the apparent density of the
    charge, J the apparent charge filling and α the lift angle of the charge.

    Parameters
    ----------
    d_m : float
        Mill diameter inside liners [m].
    l_m : float
        Effective grinding length [m].
    critical_speed_frac : float
        Mill speed as a fraction of critical speed φ [-].
    fill_frac : float
        Apparent charge filling J (balls, rocks and the slurry in their voids) [-].
    charge_density_t_m3 : float
        Apparent density of the charge ρ_app [t/m³] (:func:`molycop_charge_density_t_m3`).
    lift_angle_deg : float
        Lift angle α of the charge [°] (30-40°, 35° typical [L]).

    Returns
    -------
    float
        Net power drawn by the charge [kW].

    References
    ----------
    Hogg, R., Fuerstenau, D.W. (1972) Power relationships for tumbling mills. Trans.
    SME-AIME 252:418-423 [L]. Sepúlveda, J.E. Moly-Cop Tools (Mill Power spreadsheets),
    Moly-Cop [L]. The constant follows from ω M g r_g sin α (see ``HF_POWER_CONSTANT``).
    """
    d_ft = d_m * FT_PER_M
    l_ft = l_m * FT_PER_M
    j = fill_frac
    return (
        HF_POWER_CONSTANT
        * d_ft**3.5
        * (l_ft / d_ft)
        * critical_speed_frac
        * charge_density_t_m3
        * (j - HF_FILLING_CURVATURE * j * j)
        * math.sin(math.radians(lift_angle_deg))
    )


@njit
def molycop_charge_density_t_m3(
    fill_frac: float,
    ball_fill_frac: float,
    ball_density_t_m3: float,
    ore_density_t_m3: float,
    slurry_density_t_m3: float,
    porosity_frac: float,
    interstitial_slurry_frac: float,
) -> float:
    """Apparent density of a charge of balls, rocks and interstitial slurry.

    ``ρ_app = [(1-f) ρ_b J_B + (1-f) ρ_s (J - J_B) + U f J ρ_p] / J``: the balls and the
    rocks (J - J_B; none in a ball mill) occupy (1 - f) of their bulk volume, slurry fills
    the fraction U of the voids f of the whole charge.

    Parameters
    ----------
    fill_frac : float
        Apparent charge filling J [-].
    ball_fill_frac : float
        Apparent ball filling J_B ≤ J [-].
    ball_density_t_m3, ore_density_t_m3, slurry_density_t_m3 : float
        Densities of steel, ore and mill slurry [t/m³].
    porosity_frac : float
        Porosity of the charge bed f [-] (0.40 [L]).
    interstitial_slurry_frac : float
        Fraction U of the bed voids filled with slurry [-].

    Returns
    -------
    float
        Apparent charge density [t/m³].

    References
    ----------
    Sepúlveda, J.E. Moly-Cop Tools (Mill Power spreadsheets), Moly-Cop [L].
    """
    solid = 1.0 - porosity_frac
    mass = (
        solid * ball_density_t_m3 * ball_fill_frac
        + solid * ore_density_t_m3 * (fill_frac - ball_fill_frac)
        + interstitial_slurry_frac * porosity_frac * fill_frac * slurry_density_t_m3
    )
    return mass / fill_frac


@njit
def morrell_charge_density_t_m3(
    fill_frac: float,
    ball_fill_frac: float,
    ore_density_t_m3: float,
    ball_density_t_m3: float,
    porosity_frac: float,
    interstitial_slurry_frac: float,
    slurry_solids_vol_frac: float,
) -> float:
    """Density of the charge in Morrell's model (rocks, balls, interstitial slurry).

    ``ρ_c = [J_t ρ_o (1 - E + E U S) + J_B (ρ_b - ρ_o)(1 - E) + J_t E U (1 - S)] / J_t``
    with water at 1 t/m³; S is the volume fraction of solids in the slurry.

    References
    ----------
    Morrell, S. (1996) Power draw of wet tumbling mills and its relationship to charge
    dynamics, Part 2. Trans. IMM C 105:C54-C62; Napier-Munn, T.J., Morrell, S., Morrison,
    R.D., Kojovic, T. (1996) Mineral Comminution Circuits, JKMRC Monograph, ch. 6 [L].
    """
    e, u, s = porosity_frac, interstitial_slurry_frac, slurry_solids_vol_frac
    mass = (
        fill_frac * ore_density_t_m3 * (1.0 - e + e * u * s)
        + ball_fill_frac * (ball_density_t_m3 - ore_density_t_m3) * (1.0 - e)
        + fill_frac * e * u * (1.0 - s)
    )
    return mass / fill_frac


@njit
def morrell_charge_angles(fill_frac: float, critical_speed_frac: float) -> tuple[float, float]:
    """Toe and shoulder angles of the charge in Morrell's model [rad].

    ``θ_T = 2.5307 (1.2796 - J_t)(1 - exp(-19.42 (φ_c - φ))) + π/2`` with φ_c =
    max(φ, 0.35 (3.364 - J_t)) the speed at which the charge fully centrifuges, and
    ``θ_S = π/2 - (θ_T - π/2)[(0.3386 + 0.1041 φ) + (1.54 - 2.5673 φ) J_t]``; angles from
    the horizontal, the shoulder above it on the rising side.

    References
    ----------
    Morrell (1996) Part 2; Napier-Munn et al. (1996) ch. 6 [L].
    """
    j, phi = fill_frac, critical_speed_frac
    phi_c = max(phi, 0.35 * (3.364 - j))
    half_pi = 0.5 * math.pi
    theta_t = 2.5307 * (1.2796 - j) * (1.0 - math.exp(-19.42 * (phi_c - phi))) + half_pi
    theta_s = half_pi - (theta_t - half_pi) * ((0.3386 + 0.1041 * phi) + (1.54 - 2.5673 * phi) * j)
    return theta_t, theta_s


@njit
def morrell_net_power_kw(
    d_m: float,
    l_m: float,
    critical_speed_frac: float,
    fill_frac: float,
    charge_density_t_m3: float,
    pool_density_t_m3: float,
    overflow: bool,
    cone_length_m: float,
    trunnion_d_m: float,
) -> tuple[float, float]:
    """Morrell C-model net power: charge motion and slurry pool, cylinder and cone ends.

    Cylinder: ``P_t = π g L N r_m / (3 (r_m - z r_i)) [2 r_m³ - 3 z r_m² r_i + r_i³ (3z - 2)]
    [ρ_c (sin θ_S - sin θ_T) + ρ_p (sin θ_T - sin θ_TO)] + L ρ_c (π N r_m / (r_m - z r_i))³
    [(r_m - z r_i)⁴ - r_i⁴ (z - 1)⁴]``; cone ends (length L_d, trunnion radius r_t):
    ``P_c = π g L_d N / (3 (r_m - r_t)) [r_m⁴ - 4 r_m r_i³ + 3 r_i⁴][...] + 2 π³ N³ L_d ρ_c
    / (5 (r_m - r_t)) [r_m⁵ - 5 r_m r_i⁴ + 4 r_i⁵]``. N is the mill speed [rev/s], z =
    (1 - J_t)^0.4532, the inner charge radius ``r_i = r_m (1 - 2π β J_t / (2π + θ_S -
    θ_T))^0.5`` with β = t_c/(t_f + t_c) the fraction of time a particle spends in the
    charge: ``t_c = (2π - θ_T + θ_S)/(2π N̄)``, N̄ = N/2, ``t_f = (2 r̄ (sin θ_S - sin
    θ_T)/g)^0.5``, ``r̄ = r_m/2 (1 + (1 - 2π J_t/(2π + θ_S - θ_T))^0.5)``. An overflow
    mill's slurry pool stands at the lip of the discharge trunnion, so its toe is at θ_TO
    = π + asin(r_t/r_m); a grate mill has no pool (θ_TO = θ_T).

    Parameters
    ----------
    d_m, l_m : float
        Diameter inside liners and belly length inside liners [m].
    critical_speed_frac : float
        Fraction of critical speed φ [-].
    fill_frac : float
        Total charge filling J_t [-].
    charge_density_t_m3 : float
        Charge density ρ_c [t/m³] (:func:`morrell_charge_density_t_m3`).
    pool_density_t_m3 : float
        Density of the discharge slurry ρ_p [t/m³] (overflow mills).
    overflow : bool
        Overflow discharge (slurry pool at the toe) instead of grate discharge.
    cone_length_m : float
        Length of the cone ends L_d [m]; 0 for flat ends.
    trunnion_d_m : float
        Trunnion diameter inside liners [m] (cone ends, overflow pool level); ``<= 0``
        takes ``TRUNNION_DEFAULT_FRAC`` of the mill diameter [assumed].

    Returns
    -------
    (float, float)
        Power of the charge's motion (ρ_c terms) and of the slurry pool (ρ_p terms,
        negative: the pool's weight helps turn the mill) [kW]; net power is their sum.

    References
    ----------
    Morrell, S. (1996) Power draw of wet tumbling mills and its relationship to charge
    dynamics, Part 1 and 2. Trans. IMM C 105:C43-C62; Napier-Munn et al. (1996) ch. 6
    [L]; the auxiliary equations (N̄ = N/2, z, r̄, β, t_c, t_f) as implemented
    independently in public code checked against this one [L].
    """
    j = fill_frac
    r_m = 0.5 * d_m
    n_rps = critical_speed_frac * CRITICAL_SPEED_CONSTANT / math.sqrt(d_m) / 60.0
    theta_t, theta_s = morrell_charge_angles(j, critical_speed_frac)
    two_pi = 2.0 * math.pi
    arc = two_pi + theta_s - theta_t
    lift = math.sin(theta_s) - math.sin(theta_t)
    r_bar = 0.5 * r_m * (1.0 + math.sqrt(max(1.0 - two_pi * j / arc, 0.0)))
    t_c = arc / (two_pi * 0.5 * n_rps)
    t_f = math.sqrt(2.0 * r_bar * lift / G_M_S2)
    beta = t_c / (t_f + t_c)
    r_i = r_m * math.sqrt(max(1.0 - two_pi * beta * j / arc, 0.0))
    z = (1.0 - j) ** 0.4532
    r_t = 0.5 * (trunnion_d_m if trunnion_d_m > 0.0 else TRUNNION_DEFAULT_FRAC * d_m)
    theta_to = math.pi + math.asin(min(r_t / r_m, 1.0)) if overflow else theta_t
    pool = math.sin(theta_t) - math.sin(theta_to)
    rho_c, rho_p = charge_density_t_m3, pool_density_t_m3

    gap = r_m - z * r_i
    shape = 2.0 * r_m**3 - 3.0 * z * r_m**2 * r_i + r_i**3 * (3.0 * z - 2.0)
    potential = math.pi * G_M_S2 * l_m * n_rps * r_m / (3.0 * gap) * shape
    kinetic = l_m * rho_c * (n_rps * r_m * math.pi / gap) ** 3 * (gap**4 - r_i**4 * (z - 1.0) ** 4)
    charge = potential * rho_c * lift + kinetic
    slurry = potential * rho_p * pool
    if cone_length_m > 0.0:
        cone_shape = r_m**4 - 4.0 * r_m * r_i**3 + 3.0 * r_i**4
        cone_pot = math.pi * G_M_S2 * cone_length_m * n_rps / (3.0 * (r_m - r_t)) * cone_shape
        cone_kin = (
            2.0
            * math.pi**3
            * n_rps**3
            * cone_length_m
            * rho_c
            / (5.0 * (r_m - r_t))
            * (r_m**5 - 5.0 * r_m * r_i**4 + 4.0 * r_i**5)
        )
        charge += cone_pot * rho_c * lift + cone_kin
        slurry += cone_pot * rho_p * pool
    return charge, slurry


@njit
def morrell_no_load_power_kw(
    d_m: float, l_m: float, critical_speed_frac: float, cone_length_m: float
) -> float:
    """Morrell's no-load power, ``1.68 D^2.05 [φ (0.667 L_d + L)]^0.82`` [kW].

    The power the empty mill draws (friction, windage, drive losses at no load).

    References
    ----------
    Morrell (1996) Part 2; Napier-Munn et al. (1996) ch. 6 [L].
    """
    return (
        MORRELL_NO_LOAD_COEFF
        * d_m**MORRELL_NO_LOAD_D_EXP
        * (critical_speed_frac * (MORRELL_NO_LOAD_CONE_WEIGHT * cone_length_m + l_m))
        ** MORRELL_NO_LOAD_EXP
    )


@njit
def morrell_gross_power_kw(net_kw: float, no_load_kw: float, k_factor: float = MORRELL_K) -> float:
    """Morrell's gross (motor input) power, ``no-load + k x net`` [kW] (k 1.26 [L])."""
    return no_load_kw + k_factor * net_kw

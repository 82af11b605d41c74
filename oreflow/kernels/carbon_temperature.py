"""Temperature of the carbon trains: the gold isotherm (van 't Hoff) and the film rate.

**Isotherm.** Gold cyanide adsorption on activated carbon is exothermic, so the carbon
holds less gold at a given tenor as the solution warms. The isotherm constant K (the
Nicol-Fleming ``K``, or the Freundlich slope at the reference tenor) follows van 't Hoff:

    K(T) / K(T_ref) = exp(-dH / R (1/T - 1/T_ref))

with dH < 0 the enthalpy of adsorption. The shipped dH is fitted to the one data set
found, the maximum gold capacity of an activated carbon from a gold-slag solution of
Aworn, Thiravetyan & Nakbanpote (2005, J. Colloid Interface Sci. 287:394, abstract
only): 76.78, 60.95, 56.13 and 51.90 mg Au/g at 20, 30, 40 and 60 °C, whose negative
dH the abstract reports (exothermic, physical adsorption). ``oreflow fit --model
carbon_vant_hoff data/testwork/ads_temperature_aworn2005.csv`` (nonlinear least squares
of q) gives dH = -8.25 kJ/mol (standard error 2.42, 2 degrees of freedom, 95 % interval
-18.7 to +2.2, R² = 0.856; the points lie within 7.1 % of the curve); the classical
linear van 't Hoff regression of ln q on 1/T gives -7.45 ± 2.21 kJ/mol, within one
standard error.
Taking the ratio of capacities for the ratio of K assumes the isotherm's affinity moves
with its capacity [assumed]; the abstract does not name the gold complex of the slag
solution. The carbon's loading capacity (``carbon_capacity_g_t`` of the units) is held at
its 25 °C value at every temperature although the data are capacities: only K moves
[assumed].

**Film rate.** Loading onto fresh carbon is film diffusion (Nicol, Fleming & Cromberge
1984, J. S. Afr. IMM 84:50). Warm water is thinner and the complex diffuses faster, by
Stokes-Einstein ``D ∝ T / mu`` (Einstein 1905, Ann. Phys. 17:549). With the solution's
density held [assumed; water is 1.3 % lighter at 60 than at 25 °C], a correlation
``k_f ∝ nu^(a - 2/3) D^(2/3)`` gives

    k_f(T) / k_f(T_ref) = (mu / mu_ref)^(a - 4/3) (T / T_ref)^(2/3)

- Agitated tanks (cil, cip): the particle-liquid coefficient of Calderbank & Moo-Young
  (1961, Chem. Eng. Sci. 16:39), ``k_f Sc^(2/3) = 0.13 (eps nu)^(1/4)`` at a set power per
  volume: ``a`` = 1/4, 2.17 at 60 over 25 °C.
- Packed or gently fluidised carbon beds (cic): Wilson & Geankoplis (1966, Ind. Eng. Chem.
  Fundam. 5:9; first page read: benzoic acid spheres into water and propylene glycol
  solutions, Re' 0.0016 to 55, Sc 950 to 70,600, J_D with Sc^(2/3)), ``J_D = 1.09/eps
  Re'^(-2/3)`` there, so ``k_f ∝ u^(1/3) d^(-2/3) D^(2/3)``, with no viscosity beyond D:
  ``a`` = 2/3, the factor ``(T/mu)^(2/3)`` ratio, 1.66 at 60 over 25 °C. The page read
  states the range and the Sc^(2/3) scaling, not the equation itself: the constant 1.09
  and the exponent -2/3 of Re' are as the paper is commonly quoted (not verified here);
  only the exponents enter the factor.

The viscosity of liquid water at 0.1 MPa is the correlation of Pátek et al. (2009,
J. Phys. Chem. Ref. Data 38:21; IAPWS SR6-08), coefficients checked against the IAPWS
saturated-liquid viscosities tabulated in Perry's Chemical Engineers' Handbook, 9th ed.,
Table 2-135 (within 0.09 % from 273 to 370 K). No measured temperature dependence of the
aurocyanide film rate was found: this factor is the correlations', not a fit. Its apparent
activation energy over 25-60 °C, 18.3 kJ/mol in agitated tanks (11.9 in columns), has the
order of the 15.8 kJ/mol measured for the adsorption rate of gold on carbon from
ammoniacal solution ("Adsorption behavior of gold in ammoniacal solutions on activated
carbon", abstract only), which is another complex (not aurocyanide) and whose rate that
abstract attributes to diffusion inside the pores, not through the film: an order-of-
magnitude check only. The gold thiourea complex on carbon loads faster but less as the
solution warms ("The adsorption of gold thiourea complex onto activated carbon", abstract
only): the directions of both terms here.

Temperatures in °C, dH in kJ/mol, viscosity in mPa·s.
"""

from __future__ import annotations

import numpy as np

#: Molar gas constant [J/(mol K)] (CODATA 2018, exact).
R_J_MOL_K = 8.314462618
#: ``a`` of the film factor in agitated tanks (Calderbank & Moo-Young 1961).
TANK_FILM_EXPONENT = 0.25
#: ``a`` of the film factor in carbon columns (Wilson & Geankoplis 1966: k_f ∝ D^(2/3)).
COLUMN_FILM_EXPONENT = 2.0 / 3.0
#: Kelvin at 0 °C.
_T0_K = 273.15
#: Pátek et al. 2009 viscosity of liquid water at 0.1 MPa: mu = sum a_i (T/300 K)^b_i
#: [µPa·s], valid 253.15-383.15 K.
_MU_A = (280.68, 511.45, 61.131, 0.45903)
_MU_B = (-1.9, -7.7, -19.6, -40.0)


def water_viscosity_mpa_s(temp_c: np.ndarray | float) -> np.ndarray:
    """Dynamic viscosity of liquid water at 0.1 MPa [mPa·s] (Pátek et al. 2009).

    Examples
    --------
    >>> round(float(water_viscosity_mpa_s(25.0)), 4)
    0.89
    >>> round(float(water_viscosity_mpa_s(60.0)), 4)
    0.466
    """
    t = (np.asarray(temp_c, dtype=np.float64) + _T0_K) / 300.0
    mu = sum(a * t**b for a, b in zip(_MU_A, _MU_B, strict=True))
    return np.asarray(mu / 1000.0, dtype=np.float64)


def isotherm_temperature_factor(
    temp_c: np.ndarray | float, ref_temp_c: np.ndarray | float, dh_kj_mol: np.ndarray | float
) -> np.ndarray:
    """Isotherm constant at ``temp_c`` over its value at ``ref_temp_c`` (van 't Hoff) [-].

    Exactly 1 at the reference temperature; below 1 above it when dH < 0.

    Examples
    --------
    >>> float(isotherm_temperature_factor(25.0, 25.0, -8.25))
    1.0
    >>> round(float(isotherm_temperature_factor(60.0, 20.0, -8.25)), 3)  # 51.90/76.78 = 0.676
    0.666
    """
    t = np.asarray(temp_c, dtype=np.float64) + _T0_K
    t_ref = np.asarray(ref_temp_c, dtype=np.float64) + _T0_K
    dh = np.asarray(dh_kj_mol, dtype=np.float64) * 1000.0
    same = t == t_ref
    out = np.exp(-dh / R_J_MOL_K * (1.0 / t - 1.0 / t_ref))
    return np.asarray(np.where(same, 1.0, out), dtype=np.float64)


def film_temperature_factor(
    temp_c: np.ndarray | float,
    ref_temp_c: np.ndarray | float,
    power_exponent: np.ndarray | float,
) -> np.ndarray:
    """Film coefficient at ``temp_c`` over its value at ``ref_temp_c`` [-].

    ``power_exponent`` is ``a`` of the module docstring: 1/4 in agitated tanks (Calderbank &
    Moo-Young 1961), 2/3 in carbon columns (Wilson & Geankoplis 1966, no viscosity but the
    diffusivity's). Exactly 1 at the reference.

    Examples
    --------
    >>> float(film_temperature_factor(25.0, 25.0, 0.25))
    1.0
    >>> round(float(film_temperature_factor(60.0, 25.0, 0.25)), 3)
    2.17
    >>> round(float(film_temperature_factor(60.0, 25.0, 2.0 / 3.0)), 3)
    1.657
    """
    t = np.asarray(temp_c, dtype=np.float64)
    t_ref = np.asarray(ref_temp_c, dtype=np.float64)
    a = np.asarray(power_exponent, dtype=np.float64)
    mu_ratio = water_viscosity_mpa_s(t) / water_viscosity_mpa_s(t_ref)
    out = mu_ratio ** (a - 4.0 / 3.0) * ((t + _T0_K) / (t_ref + _T0_K)) ** (2.0 / 3.0)
    return np.asarray(np.where(t == t_ref, 1.0, out), dtype=np.float64)

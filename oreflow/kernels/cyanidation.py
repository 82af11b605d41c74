"""Drivers of gold cyanidation: free cyanide, dissolved oxygen, pH, temperature and grind.

Every function is plain NumPy on per-case arrays (the leach trains call them once per
batch, not per cell), so they add nothing to the batched leach kernels' loops.

**Rate in cyanide and oxygen.** Gold dissolves by 4 Au + 8 CN⁻ + O₂ + 2 H₂O → 4 Au(CN)₂⁻ +
4 OH⁻ (Elsner). With both reactants supplied by diffusion through the same boundary layer
the flux is (Kudryk & Kellogg 1954, J. Metals 6:541; Habashi 1966, Bull. 59, Montana
Bureau of Mines and Geology):

    J = 2 D_CN D_O2 [CN⁻][O₂] / (δ (D_CN [CN⁻] + 4 D_O2 [O₂]))

so the rate is first order in cyanide where ``[CN⁻]/[O₂] < 4 D_O2/D_CN`` (about 6 by
moles) and first order in oxygen above it; ``D_CN = 1.83e-5`` and ``D_O2 = 2.76e-5``
cm²/s (Kudryk & Kellogg 1954). The leach trains scale the tested rate constant by
``J(conditions) / J(reference)``: the boundary-layer thickness and the gold surface
cancel. The empirical alternative, a power law ``[CN⁻]^a [O₂]^b`` fitted to plant data
(de Andrade Lima & Hodouin 2005, Hydrometallurgy 79:121), is :func:`power_rate_factor`.

**pH.** Only cyanide ion leaches; HCN (pKa 9.21 at 25 °C, ΔH° of ionisation 43.5 kJ/mol:
Izatt, Christensen, Pack & Bench 1962, Inorg. Chem. 1:828) is lost to the air.

**Oxygen.** Without a set point the dissolved oxygen of a sparged tank settles where the
supply through the gas-liquid film balances the uptake, ``C = C* − OUR / kLa``; ``C*``
is the saturation of fresh water under water-saturated air at 1 atm, scaled by the oxygen
share of the sparged gas (Henry's law). 0-40 °C: Benson & Krause (1984, Limnol. Oceanogr.
29:620, the equation of APHA Standard Methods 4500-O), stated for that range. Above 40 °C
that fit overstates the oxygen (3.06 mg/L at 85 °C, 2.24 at 100 °C) because it does not
carry water's vapour pressure, which takes the whole 1 atm at the boiling point. There
``C*`` is Henry's law on the oxygen partial pressure ``x_O2 (P − p_w(T))``: ``p_w`` by
Wagner & Pruss (1993, J. Phys. Chem. Ref. Data 22:783), Henry's constant of O₂ by the
IAPWS guideline G7-04 (Fernández-Prini, Alvarez & Harvey 2003, J. Phys. Chem. Ref. Data
32:903; O₂ stated 274-617 K), mole fraction to mg/L with the water density of Kell (1975,
J. Chem. Eng. Data 20:97), scaled by one factor (0.989) to meet Benson & Krause at 40 °C
(the two slopes there agree to 0.3 %). So ``C*`` is 3.77 / 2.79 / 1.58 mg/L at 70 / 80 /
90 °C and zero from the boiling point (99.97 °C at 1 atm) up: no air-sparged oxygen.
(The USGS/APHA pressure correction ``P (1 − p_w/P)(1 − θP)/((1 − p_w)(1 − θ))`` is 1 at
P = 1 atm and cannot fix the extrapolation.)

**Grind.** A gold grain of size ``g`` in a host particle of size ``d`` (cubes, Bellec,
Hodouin, Bazin, Khalesi & Duchesne 2009, World Gold Conference, SAIMM) touches the
particle surface when its centre lies within ``g/2`` of a face, so the exposed share of
the grains is ``1 − (1 − g/d)³`` for ``d > g`` and 1 otherwise.
"""

from __future__ import annotations

import numpy as np

from oreflow import conventions as mm
from oreflow.kernels.arrays import safe_div

#: Diffusion coefficients of cyanide ion and oxygen in water at 25 °C [cm²/s]
#: (Kudryk & Kellogg 1954, J. Metals 6:541, as used by Habashi 1966).
D_CN_CM2_S = 1.83e-5
D_O2_CM2_S = 2.76e-5
#: Molar [CN⁻]/[O₂] above which the rate no longer rises with cyanide: 4 D_O2 / D_CN.
CRITICAL_CN_O2_MOLAR = 4.0 * D_O2_CM2_S / D_CN_CM2_S
#: HCN ⇌ H⁺ + CN⁻ at 25 °C: pKa and the enthalpy of ionisation [kJ/mol]
#: (Izatt, Christensen, Pack & Bench 1962, Inorg. Chem. 1:828).
HCN_PKA_25C = 9.21
HCN_IONISATION_KJ_MOL = 43.5
#: Molar masses [g/mol] (IUPAC, ``oreflow.conventions``): NaCN and O₂.
NACN_G_MOL = mm.NACN_G_MOL
O2_G_MOL = mm.O2_G_MOL
_H2O_G_MOL = 18.015  # IUPAC atomic weights (H 1.008, O 15.999)
#: Mole fraction of oxygen in dry air [-].
AIR_O2_FRAC = 0.2095
_R_KJ_MOL_K = 8.314462618e-3
_T0_K = 273.15
#: Standard atmosphere [kPa].
ATM_KPA = 101.325
#: Critical point of water (IAPWS) and the vapour-pressure coefficients a1-a6 of
#: Wagner & Pruss (1993, J. Phys. Chem. Ref. Data 22:783).
_WATER_TC_K = 647.096
_WATER_PC_KPA = 22064.0
_WAGNER_PRUSS = (-7.85951783, 1.84408259, -11.7866497, 22.6807411, -15.9618719, 1.80122502)
#: A, B, C of O₂ in H₂O, IAPWS G7-04 (Fernández-Prini, Alvarez & Harvey 2003).
_O2_HENRY_ABC = (-9.44833, 4.43822, 11.42005)


def hcn_pka(temp_c: np.ndarray) -> np.ndarray:
    """Acid constant (pKa) of HCN at ``temp_c`` [°C] by the van 't Hoff equation from 25 °C."""
    t_k = np.asarray(temp_c, dtype=np.float64) + _T0_K
    return HCN_PKA_25C + HCN_IONISATION_KJ_MOL / (_R_KJ_MOL_K * np.log(10.0)) * (
        1.0 / t_k - 1.0 / (25.0 + _T0_K)
    )


def cyanide_ion_frac(ph: np.ndarray, temp_c: np.ndarray) -> np.ndarray:
    """Share of free cyanide present as CN⁻ (the rest is HCN) [-].

    Examples
    --------
    >>> round(float(cyanide_ion_frac(9.21, 25.0)), 6)
    0.5
    """
    return 1.0 / (1.0 + 10.0 ** (hcn_pka(temp_c) - np.asarray(ph, dtype=np.float64)))


def cyanide_ion_mol_l(nacn_mg_l: np.ndarray, ph: np.ndarray, temp_c: np.ndarray) -> np.ndarray:
    """Cyanide ion [mol/L] in a solution holding ``nacn_mg_l`` of free cyanide as NaCN."""
    return (
        np.asarray(nacn_mg_l, dtype=np.float64) / 1000.0 / NACN_G_MOL * cyanide_ion_frac(ph, temp_c)
    )


def water_vapour_pressure_kpa(temp_c: np.ndarray) -> np.ndarray:
    """Vapour pressure of water [kPa] (Wagner & Pruss 1993, 0.01 °C to the critical point).

    Examples
    --------
    >>> round(float(water_vapour_pressure_kpa(100.0)), 3)
    101.418
    """
    t_k = np.asarray(temp_c, dtype=np.float64) + _T0_K
    tau = 1.0 - t_k / _WATER_TC_K
    a1, a2, a3, a4, a5, a6 = _WAGNER_PRUSS
    ln_p = (_WATER_TC_K / t_k) * (
        a1 * tau + a2 * tau**1.5 + a3 * tau**3 + a4 * tau**3.5 + a5 * tau**4 + a6 * tau**7.5
    )
    return _WATER_PC_KPA * np.exp(ln_p)


def water_density_kg_m3(temp_c: np.ndarray) -> np.ndarray:
    """Density of air-free water at 1 atm [kg/m³] (Kell 1975, 0-150 °C)."""
    t = np.asarray(temp_c, dtype=np.float64)
    num = (
        999.83952
        + 16.945176 * t
        - 7.9870401e-3 * t**2
        - 46.170461e-6 * t**3
        + 105.56302e-9 * t**4
        - 280.54253e-12 * t**5
    )
    return num / (1.0 + 16.879850e-3 * t)


def oxygen_henry_kpa(temp_c: np.ndarray) -> np.ndarray:
    """Henry's constant of O₂ in water, partial pressure over mole fraction [kPa].

    IAPWS G7-04 (Fernández-Prini, Alvarez & Harvey 2003): ``ln(kH/p_w) = A/Tr +
    B τ^0.355/Tr + C Tr^−0.41 e^τ``, ``Tr = T/647.096 K``, ``τ = 1 − Tr``.
    """
    t_r = (np.asarray(temp_c, dtype=np.float64) + _T0_K) / _WATER_TC_K
    tau = 1.0 - t_r
    a, b, c = _O2_HENRY_ABC
    return water_vapour_pressure_kpa(temp_c) * np.exp(
        a / t_r + b * tau**0.355 / t_r + c * t_r**-0.41 * np.exp(tau)
    )


def _air_oxygen_henry_mg_l(temp_c: np.ndarray) -> np.ndarray:
    """O₂ of water under water-saturated air at 1 atm by Henry's law [mg/L], 0 when boiling."""
    p_o2 = AIR_O2_FRAC * np.maximum(ATM_KPA - water_vapour_pressure_kpa(temp_c), 0.0)
    x = p_o2 / oxygen_henry_kpa(temp_c)
    water_mol_l = water_density_kg_m3(temp_c) / _H2O_G_MOL
    return x / (1.0 - x) * water_mol_l * O2_G_MOL * 1000.0


def _benson_krause_mg_l(temp_c: np.ndarray) -> np.ndarray:
    t_k = np.asarray(temp_c, dtype=np.float64) + _T0_K
    ln_c = (
        -139.34411
        + 1.575701e5 / t_k
        - 6.642308e7 / t_k**2
        + 1.243800e10 / t_k**3
        - 8.621949e11 / t_k**4
    )
    return np.exp(ln_c)


#: Upper end of Benson & Krause's stated range [°C]; above it, Henry's law on (P − p_w).
BENSON_KRAUSE_MAX_C = 40.0
_HENRY_TO_BK = float(
    _benson_krause_mg_l(BENSON_KRAUSE_MAX_C) / _air_oxygen_henry_mg_l(BENSON_KRAUSE_MAX_C)
)


def oxygen_saturation_mg_l(temp_c: np.ndarray, o2_gas_frac: np.ndarray = AIR_O2_FRAC) -> np.ndarray:
    """Dissolved-oxygen saturation of fresh water at 1 atm under a gas of ``o2_gas_frac`` O₂.

    0-40 °C Benson & Krause (1984); 40-100 °C Henry's law on the oxygen partial pressure
    less water's vapour pressure, met to Benson & Krause at 40 °C; zero from the boiling
    point up (module docstring) [mg/L]. Scaled by Henry's law for the gas.

    Examples
    --------
    >>> [round(float(c), 2) for c in oxygen_saturation_mg_l(np.array([25.0, 80.0, 100.0]))]
    [8.26, 2.79, 0.0]
    """
    t = np.asarray(temp_c, dtype=np.float64)
    low = _benson_krause_mg_l(np.minimum(t, BENSON_KRAUSE_MAX_C))
    high = _HENRY_TO_BK * _air_oxygen_henry_mg_l(np.maximum(t, BENSON_KRAUSE_MAX_C))
    sat = np.where(t <= BENSON_KRAUSE_MAX_C, low, high)
    return sat * np.asarray(o2_gas_frac, dtype=np.float64) / AIR_O2_FRAC


def sparged_oxygen_mg_l(
    saturation_mg_l: np.ndarray, kla_per_h: np.ndarray, uptake_mg_l_h: np.ndarray
) -> np.ndarray:
    """Steady dissolved oxygen of a sparged tank, ``max(C* − OUR/kLa, 0)`` [mg/L]."""
    kla = np.asarray(kla_per_h, dtype=np.float64)
    deficit = safe_div(uptake_mg_l_h, kla, fill=np.inf)
    return np.maximum(np.asarray(saturation_mg_l, dtype=np.float64) - deficit, 0.0)


def mixed_rate(cn_mol_l: np.ndarray, o2_mol_l: np.ndarray) -> np.ndarray:
    """Kudryk-Kellogg flux without its constant factor, ``[CN][O2] / ([CN] + 6.03 [O2])``."""
    cn = np.asarray(cn_mol_l, dtype=np.float64)
    o2 = np.asarray(o2_mol_l, dtype=np.float64)
    den = cn + CRITICAL_CN_O2_MOLAR * o2
    return safe_div(cn * o2, den)


def mixed_rate_factor(
    nacn_mg_l: np.ndarray,
    do_mg_l: np.ndarray,
    ph: np.ndarray,
    temp_c: np.ndarray,
    ref_nacn_mg_l: np.ndarray,
    ref_do_mg_l: np.ndarray,
    ref_ph: np.ndarray,
    ref_temp_c: np.ndarray,
) -> np.ndarray:
    """Rate at the given conditions over the rate at the reference conditions [-].

    Examples
    --------
    >>> f = mixed_rate_factor(50.0, 8.0, 10.5, 25.0, 250.0, 8.0, 10.5, 25.0)
    >>> round(float(f), 4)
    0.5132
    """
    here = mixed_rate(
        cyanide_ion_mol_l(nacn_mg_l, ph, temp_c), np.asarray(do_mg_l) / 1000.0 / O2_G_MOL
    )
    ref = mixed_rate(
        cyanide_ion_mol_l(ref_nacn_mg_l, ref_ph, ref_temp_c),
        np.asarray(ref_do_mg_l) / 1000.0 / O2_G_MOL,
    )
    return safe_div(here, ref)


def power_rate_factor(
    nacn_mg_l: np.ndarray,
    do_mg_l: np.ndarray,
    ph: np.ndarray,
    temp_c: np.ndarray,
    ref_nacn_mg_l: np.ndarray,
    ref_do_mg_l: np.ndarray,
    ref_ph: np.ndarray,
    ref_temp_c: np.ndarray,
    cn_order: np.ndarray,
    do_order: np.ndarray,
) -> np.ndarray:
    """Empirical power law ``([CN⁻]/[CN⁻]ref)^a ([O₂]/[O₂]ref)^b`` [-]."""
    cn = cyanide_ion_mol_l(nacn_mg_l, ph, temp_c)
    cn_ref = cyanide_ion_mol_l(ref_nacn_mg_l, ref_ph, ref_temp_c)
    r_cn = safe_div(cn, cn_ref)
    do = np.asarray(do_mg_l, dtype=np.float64)
    do_ref = np.asarray(ref_do_mg_l, dtype=np.float64)
    r_o2 = safe_div(do, do_ref)
    return r_cn**cn_order * r_o2**do_order


def arrhenius_factor(
    temp_c: np.ndarray, ea_kj_mol: np.ndarray, ref_temp_c: np.ndarray
) -> np.ndarray:
    """``exp(−Ea/R (1/T − 1/Tref))`` [-]."""
    t = np.asarray(temp_c, dtype=np.float64) + _T0_K
    t_ref = np.asarray(ref_temp_c, dtype=np.float64) + _T0_K
    return np.exp(-np.asarray(ea_kj_mol) / _R_KJ_MOL_K * (1.0 / t - 1.0 / t_ref))


def exposed_frac(d_um: np.ndarray, grain_um: np.ndarray) -> np.ndarray:
    """Share of gold grains of size ``grain_um`` that touch the surface of particles ``d_um``.

    Examples
    --------
    >>> [round(float(x), 4) for x in exposed_frac(np.array([5.0, 20.0, 100.0]), 10.0)]
    [1.0, 0.875, 0.271]
    """
    d = np.asarray(d_um, dtype=np.float64)
    g = np.asarray(grain_um, dtype=np.float64)
    inside = np.clip(1.0 - safe_div(g, d, fill=1.0), 0, 1)
    return 1.0 - inside**3


def ultimate_by_size(
    d_um: np.ndarray,
    ultimate_frac: np.ndarray,
    grain_um: np.ndarray,
    locked_access_frac: np.ndarray,
) -> np.ndarray:
    """Ultimate extraction of a size class: exposed grains fully, locked ones in part.

    ``R∞(d) = R∞ (E(d) + (1 − E(d)) a)``, ``a`` the share of locked grains that solution
    reaches through cracks and pores.
    """
    e = exposed_frac(d_um, grain_um)
    return np.asarray(ultimate_frac) * (e + (1.0 - e) * np.asarray(locked_access_frac))


def batch_first_order(
    time_h: np.ndarray, k_per_h: np.ndarray, ultimate_frac: np.ndarray
) -> np.ndarray:
    """Extraction of a batch (bottle-roll) test, ``R∞ (1 − exp(−k t))`` [-]."""
    return np.asarray(ultimate_frac) * (1.0 - np.exp(-np.asarray(k_per_h) * np.asarray(time_h)))

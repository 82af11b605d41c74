"""AVR (acidification, volatilisation, re-neutralisation) molar balance, per case.

Plain arrays in, molar flows out [kmol/h]; the unit (``oreflow.units.avr``) turns them
into species. The copper's pH response, the alkalinity and free acid of the set pH and
the gypsum of re-neutralisation are SART's (``oreflow.kernels.sart``). For copper held
as Cu(CN)ₙ⁽ⁿ⁻¹⁾⁻ with n cyanide per copper (n = 3 at leach pH):

- acidification (pH 2-7 in AVR practice; Elbow Creek Engineering 2014, *The AVR
  cyanide recovery process*, flowsheet [L]): free cyanide ``CN⁻ + H⁺ → HCN``; copper
  ``Cu(CN)ₙ⁽ⁿ⁻¹⁾⁻ + (n - 1) H⁺ → CuCN(s) + (n - 1) HCN``, or, with thiocyanate,
  ``Cu(CN)ₙ⁽ⁿ⁻¹⁾⁻ + SCN⁻ + n H⁺ → CuSCN(s) + n HCN`` (Dai, Simons & Breuer 2012,
  Miner. Eng. 25:1, review of AVR and SART: abstract only; stoichiometry [S]); the
  copper precipitated is ``cu_max_frac x f(pH)`` as in SART;
- CuCN or CuSCN: ``CuCN + SCN⁻ + H⁺ ⇌ CuSCN + HCN`` has
  ``K = Ksp(CuCN) / (Ksp(CuSCN) Ka(HCN))`` (Ksp 3.47e-20 and 1.77e-13, pKa(HCN) 9.21,
  CRC Handbook of Chemistry and Physics [L]; about 318 L/mol); CuSCN forms while
  ``[HCN] / ([H⁺][SCN⁻]) < K`` (ideal solution [assumed]): thiocyanate-rich solutions at
  low pH give CuSCN and so return all n cyanide of the copper, otherwise CuCN keeps one;
- volatilisation: HCN is stripped by air in a counter-current tower of ``n_stages``
  theoretical stages, fraction stripped by the Kremser equation
  ``(Sᴺ⁺¹ - S) / (Sᴺ⁺¹ - 1)`` with the stripping factor ``S = K_aw (G/L)``, K_aw the
  dimensionless gas/liquid Henry constant of HCN, ``1 / (H_cp R T)`` with
  ``H_cp = 8.9e-2 mol/(m³ Pa) x exp(8200 (1/T - 1/298.15))`` (Sander 2023, Atmos.
  Chem. Phys. 23:10901, HCN entry: Burkholder et al. 2019 and Ma et al. 2010 [L]):
  K_aw is 0.0045 at 25 °C, so AVR needs hundreds of m³ air per m³ solution and gains
  from warm solution; the Kremser form and the stage count are standard stripping
  design (Treybal, Mass-Transfer Operations, 3rd ed., ch. 8) [assumed for the tower];
- absorption: ``HCN + NaOH → NaCN + H₂O`` takes ``absorption_frac`` of the HCN
  stripped (the rest leaves by the stack), with ``naoh_ratio`` mol NaOH per mol HCN
  absorbed (Elbow Creek 2014 [L]: NaOH or milk of lime in the absorption column);
- re-neutralisation: lime returns the HCN left in solution to free cyanide and
  restores the alkalinity, ``Ca(OH)₂ = ½ (HCN left + alkalinity eq + free acid)``; its
  calcium takes the sulfate above gypsum's solubility as gypsum (Elbow Creek 2014:
  milk of lime to pH 10.5-11.5, gypsum).
"""

from __future__ import annotations

import numpy as np

from oreflow.kernels._jit import njit
from oreflow.kernels.sart import (
    alkalinity_and_free_acid_kmol_h,
    gypsum_kmol_h,
    ph_response_frac,
)

#: Solubility products of CuCN and CuSCN and the acid constant of HCN at 25 °C (CRC
#: Handbook of Chemistry and Physics [L]), and the CuCN -> CuSCN exchange constant.
KSP_CUCN = 3.47e-20
KSP_CUSCN = 1.77e-13
KA_HCN = 10.0**-9.21
K_CUSCN_L_MOL = KSP_CUCN / (KSP_CUSCN * KA_HCN)

#: Henry solubility of HCN at 298.15 K [mol/(m³ Pa)] and its temperature dependence
#: d ln H / d(1/T) [K] (Sander 2023, HCN entry) and the gas constant [J/(mol K)].
HCN_HCP_MOL_M3_PA = 8.9e-2
HCN_HCP_DLN_K = 8200.0
R_J_MOL_K = 8.314462618

#: Output columns of :func:`avr_balance_kmol_h`.
AVR_COLUMNS = (
    "cu_cucn",  # Cu precipitated as CuCN
    "cu_cuscn",  # Cu precipitated as CuSCN
    "cn_released",  # CN released from the copper complexes as HCN
    "hcn",  # HCN in the acidified solution (free cyanide and released)
    "hcn_stripped",  # HCN stripped by the air
    "hcn_absorbed",  # HCN absorbed as NaCN
    "hcn_stack",  # HCN lost by the stack
    "hcn_left",  # HCN left in solution, re-neutralised to free cyanide
    "h2so4",  # acid
    "caoh2",  # lime, as Ca(OH)2
    "gypsum",  # CaSO4.2H2O precipitated
    "naoh",  # caustic soda to the absorber
    "strip_frac",  # fraction of the HCN stripped [-]
)


@njit
def hcn_air_water_ratio(temperature_c: float) -> float:
    """Dimensionless gas/liquid Henry constant of HCN, K_aw = c_gas / c_aq [-]."""
    t = temperature_c + 273.15
    hcp = HCN_HCP_MOL_M3_PA * np.exp(HCN_HCP_DLN_K * (1.0 / t - 1.0 / 298.15))
    return 1.0 / (hcp * R_J_MOL_K * t)


@njit
def kremser_stripped_frac(stripping_factor: float, n_stages: float) -> float:
    """Fraction of a volatile solute stripped in N counter-current theoretical stages."""
    s = max(stripping_factor, 0.0)
    if s == 0.0 or n_stages <= 0.0:
        return 0.0
    if abs(s - 1.0) < 1e-9:
        return n_stages / (n_stages + 1.0)
    if s > 1.0:  # divide through by S^(N+1) to keep large factors finite
        inv = s ** (-(n_stages + 1.0))
        return (1.0 - s * inv) / (1.0 - inv)
    sp = s ** (n_stages + 1.0)
    return (sp - s) / (sp - 1.0)


@njit
def avr_balance_kmol_h(
    water_m3_h: np.ndarray,
    cu_kmol_h: np.ndarray,
    cn_on_cu_kmol_h: np.ndarray,
    cn_free_kmol_h: np.ndarray,
    scn_kmol_h: np.ndarray,
    so4_kmol_h: np.ndarray,
    ph: np.ndarray,
    cu_max_frac: np.ndarray,
    ph50: np.ndarray,
    ph_slope: np.ndarray,
    air_to_liquid: np.ndarray,
    temperature_c: np.ndarray,
    n_stages: np.ndarray,
    absorption_frac: np.ndarray,
    naoh_ratio: np.ndarray,
    alkalinity_mg_l: np.ndarray,
    gypsum_sol_g_l: np.ndarray,
) -> np.ndarray:
    """Molar flows of one AVR stage per case [kmol/h] (columns ``AVR_COLUMNS``).

    Parameters
    ----------
    water_m3_h : (n,) float64
        Solution treated [m³/h].
    cu_kmol_h, cn_on_cu_kmol_h, cn_free_kmol_h, scn_kmol_h, so4_kmol_h : (n,) float64
        Copper, the WAD cyanide on copper (as CN), free cyanide (as CN), thiocyanate
        and sulfate in the feed.
    ph, cu_max_frac, ph50, ph_slope : (n,) float64
        Acidification pH; copper precipitated at low pH [-]; pH of half precipitation
        and the slope of its decline [-] (SART's response).
    air_to_liquid, temperature_c, n_stages : (n,) float64
        Stripping air per solution [m³/m³]; solution temperature [°C]; theoretical
        stages of the stripping tower [-].
    absorption_frac, naoh_ratio : (n,) float64
        HCN absorbed per HCN stripped [-]; NaOH per HCN absorbed [mol/mol].
    alkalinity_mg_l, gypsum_sol_g_l : (n,) float64
        Alkalinity of the feed as CaCO₃ [mg/L]; CaSO₄ left dissolved [g/L].

    Returns
    -------
    (n, 13) float64
        Columns ``AVR_COLUMNS`` [kmol/h; ``strip_frac`` -].

    Examples
    --------
    >>> import numpy as np
    >>> one = np.ones(1)
    >>> r = avr_balance_kmol_h(one * 100.0, one, one * 3.0, one * 0.5, one * 0.0,
    ...     one * 0.0, one * 3.0, one * 1.0, one * 6.0, one * 2.0, one * 800.0,
    ...     one * 25.0, one * 3.0, one * 1.0, one * 1.0, one * 0.0, one * 0.0)
    >>> round(float(r[0, 0]), 4), round(float(r[0, 2]), 4)  # Cu as CuCN, CN released
    (1.0, 2.0)
    """
    n = water_m3_h.shape[0]
    out = np.zeros((n, 13))
    for i in range(n):
        w = max(water_m3_h[i], 1e-300)
        cu = max(cu_kmol_h[i], 0.0)
        on_cu = max(cn_on_cu_kmol_h[i], 0.0)
        free = max(cn_free_kmol_h[i], 0.0)
        scn = max(scn_kmol_h[i], 0.0)
        cu_p = cu_max_frac[i] * ph_response_frac(ph[i], ph50[i], ph_slope[i]) * cu
        consumed = on_cu * cu_p / cu if cu > 0.0 else 0.0  # CN of the complexes broken
        cu_p = min(cu_p, consumed)  # a precipitate takes at least one CN per Cu
        # all as CuCN first; CuSCN while [HCN]/([H+][SCN]) stays below K
        hcn_cucn = free + consumed - cu_p
        h = 10.0 ** (-ph[i])
        kh = K_CUSCN_L_MOL * h
        x = (kh * scn / w - hcn_cucn / w) / (1.0 + kh) * w
        cuscn = min(max(x, 0.0), cu_p, scn)
        cucn = cu_p - cuscn
        released = consumed - cucn
        hcn = free + released
        alk_eq, free_acid = alkalinity_and_free_acid_kmol_h(alkalinity_mg_l[i], ph[i], w)
        acid = 0.5 * (hcn + alk_eq + free_acid)
        s = hcn_air_water_ratio(temperature_c[i]) * max(air_to_liquid[i], 0.0)
        f = kremser_stripped_frac(s, n_stages[i])
        stripped = f * hcn
        absorbed = absorption_frac[i] * stripped
        left = hcn - stripped
        lime = 0.5 * (left + alk_eq + free_acid)
        gypsum = gypsum_kmol_h(lime, acid, so4_kmol_h[i], gypsum_sol_g_l[i], w)
        out[i, 0] = cucn
        out[i, 1] = cuscn
        out[i, 2] = released
        out[i, 3] = hcn
        out[i, 4] = stripped
        out[i, 5] = absorbed
        out[i, 6] = stripped - absorbed
        out[i, 7] = left
        out[i, 8] = acid
        out[i, 9] = lime
        out[i, 10] = gypsum
        out[i, 11] = max(naoh_ratio[i], 0.0) * absorbed
        out[i, 12] = f
    return out

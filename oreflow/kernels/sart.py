"""SART (sulfidisation, acidification, recycling, thickening) molar balance, per case.

Plain arrays in, molar flows out [kmol/h]; the unit (``oreflow.units.sart``) turns them
into species. The chemistry, for copper held as Cu(CN)ₙ⁽ⁿ⁻¹⁾⁻ with n cyanide per copper
(n = 3 for Cu(CN)₃²⁻ at leach pH):

- sulfidisation and acidification (pH 4-5):
  ``Cu(CN)ₙ⁽ⁿ⁻¹⁾⁻ + ½ HS⁻ + (n - ½) H⁺ → ½ Cu₂S + n HCN`` (NaHS), or
  ``... + ½ S²⁻ + n H⁺ → ...`` (Na₂S); free cyanide ``CN⁻ + H⁺ → HCN``; excess sulfide
  ``HS⁻ + H⁺ → H₂S`` (``S²⁻ + 2 H⁺`` with Na₂S); alkalinity (as CaCO₃, 50.04 g/eq) and
  the free acid of the set pH (10⁻ᵖᴴ mol/L) take the rest of the acid, as H₂SO₄;
- recycling: lime returns HCN to free cyanide and H₂S to HS⁻ and restores the
  alkalinity, ``Ca(OH)₂ = ½ (HCN kept + H₂S + alkalinity eq)``;
- silver, when it is precipitated, as Ag(CN)₂⁻ (n = 2) to Ag₂S, and first: Ag₂S is far
  less soluble than Cu₂S, so the sulfide goes to silver before copper;
- metal precipitated: the lesser of what the sulfide dose can take (2 metal per S) and
  ``cu_max_frac x f(pH)`` of the metal, ``f(pH) = 1 / (1 + 10^(s (pH - pH₅₀)))``;
- cyanide released: 2 per silver precipitated, and the rest of the WAD cyanide in
  proportion to the copper precipitated; a fraction ``cn_loss_frac`` of all HCN is lost
  (volatilised to the scrubber, or to thiocyanate) and the rest regenerated as free
  cyanide;
- gypsum: the lime's calcium precipitates the sulfate above ``gypsum_sol_kmol_h``.

References: MacPhail, Fleming & Sarbutt (1998) Cyanide recovery by the SART process for
the treatment of copper-containing gold ores, Randol Gold & Silver Forum (reactions,
pH 4-5); Barter et al. (2001) Cyanide management by SART, SGS Minerals Technical
Bulletin 2001-04 (Telfer testwork); Yanacocha SART plant description
(miningandmetallurgy.com, "The SART plant in Yanacocha": NaHS 0.44 g/g Cu
stoichiometric, pH 4-5, lime to pH 10.5-11 forming gypsum) [S stoichiometry; L].
"""

from __future__ import annotations

import numpy as np

from oreflow.kernels._jit import njit

#: Equivalent mass of alkalinity expressed as CaCO₃ [g/eq] (100.086 / 2).
CACO3_G_EQ = 50.043

#: Output columns of :func:`sart_balance_kmol_h`.
SART_COLUMNS = (
    "cu_precip",  # Cu precipitated as Cu2S
    "ag_precip",  # Ag precipitated as Ag2S
    "s_dose",  # sulfide dosed, as S
    "s_used",  # sulfide into Cu2S
    "cn_released",  # CN released from the copper complexes
    "cn_regenerated",  # free cyanide regenerated (as CN)
    "cn_lost",  # HCN lost
    "h2so4",  # acid
    "caoh2",  # lime, as Ca(OH)2
    "gypsum",  # CaSO4.2H2O precipitated
)


@njit
def ph_response_frac(ph: float, ph50: float, ph_slope: float) -> float:
    """Share of the ultimate copper precipitate held at a pH, ``1 / (1 + 10^(s (pH - pH50)))``.

    Shared by SART (Cu2S) and AVR (CuCN, ``oreflow.kernels.avr``).
    """
    return 1.0 / (1.0 + 10.0 ** (ph_slope * (ph - ph50)))


@njit
def alkalinity_and_free_acid_kmol_h(
    alkalinity_mg_l: float, ph: float, water_m3_h: float
) -> tuple[float, float]:
    """H+ the acid spends on the feed's alkalinity (as CaCO3) and on the set pH [kmol/h].

    Alkalinity as CaCO3 at 50.04 g/eq; the free acid of the set pH is 10^-pH mol/L.
    """
    alk_eq = max(alkalinity_mg_l, 0.0) * water_m3_h / CACO3_G_EQ / 1000.0
    free_acid = 10.0 ** (-ph) * water_m3_h  # mol/L x m3/h = kmol/h
    return alk_eq, free_acid


@njit
def gypsum_kmol_h(
    lime_kmol_h: float,
    acid_kmol_h: float,
    so4_kmol_h: float,
    gypsum_sol_g_l: float,
    water_m3_h: float,
) -> float:
    """CaSO4.2H2O precipitated by the re-neutralising lime above gypsum's solubility [kmol/h]."""
    sol = max(gypsum_sol_g_l, 0.0) * water_m3_h / 136.14  # kmol/h CaSO4
    return max(min(lime_kmol_h, acid_kmol_h + max(so4_kmol_h, 0.0)) - sol, 0.0)


@njit
def sart_balance_kmol_h(
    water_m3_h: np.ndarray,
    cu_kmol_h: np.ndarray,
    ag_kmol_h: np.ndarray,
    cn_wad_kmol_h: np.ndarray,
    cn_free_kmol_h: np.ndarray,
    so4_kmol_h: np.ndarray,
    sulfide_ratio: np.ndarray,
    ph: np.ndarray,
    cu_max_frac: np.ndarray,
    ph50: np.ndarray,
    ph_slope: np.ndarray,
    cn_loss_frac: np.ndarray,
    alkalinity_mg_l: np.ndarray,
    gypsum_sol_g_l: np.ndarray,
    na2s: bool,
) -> np.ndarray:
    """Molar flows of one SART stage per case [kmol/h] (columns ``SART_COLUMNS``).

    Parameters
    ----------
    water_m3_h : (n,) float64
        Solution treated [m³/h].
    cu_kmol_h, ag_kmol_h, cn_wad_kmol_h, cn_free_kmol_h, so4_kmol_h : (n,) float64
        Copper, silver to be precipitated (zero to leave it in solution), WAD cyanide
        (as CN, silver's 2 CN per Ag included), free cyanide (as CN) and sulfate in the
        feed.
    sulfide_ratio : (n,) float64
        Sulfide dosed per stoichiometric ½ mol S per mol Cu [-].
    ph : (n,) float64
        Acidification pH.
    cu_max_frac, ph50, ph_slope : (n,) float64
        Copper precipitated at full dose and low pH [-]; pH of half precipitation and
        the slope of its decline [-].
    cn_loss_frac : (n,) float64
        Fraction of the HCN lost instead of regenerated [-].
    alkalinity_mg_l : (n,) float64
        Alkalinity of the feed, as CaCO₃ [mg/L].
    gypsum_sol_g_l : (n,) float64
        Calcium sulfate left dissolved, as CaSO₄ [g/L].
    na2s : bool
        Sulfide as Na₂S (2 H⁺ per excess S) instead of NaHS.

    Returns
    -------
    (n, 10) float64
        Columns ``SART_COLUMNS`` [kmol/h].

    Examples
    --------
    >>> import numpy as np
    >>> one = np.ones(1)
    >>> r = sart_balance_kmol_h(one * 100.0, one, one * 0.0, one * 3.0, one * 0.5, one * 0.0,
    ...     one * 1.2, one * 4.5, one * 0.98, one * 6.0, one * 2.0, one * 0.02,
    ...     one * 0.0, one * 2.0, False)
    >>> round(float(r[0, 0]), 4), round(float(r[0, 2]), 2)  # Cu into Cu2S, S dosed
    (0.979, 0.6)
    """
    n = water_m3_h.shape[0]
    out = np.zeros((n, 10))
    h_per_excess = 2.0 if na2s else 1.0
    for i in range(n):
        cu = max(cu_kmol_h[i], 0.0)
        ag = max(ag_kmol_h[i], 0.0)
        dose = max(sulfide_ratio[i], 0.0) * 0.5 * (cu + ag)
        f_ph = ph_response_frac(ph[i], ph50[i], ph_slope[i])
        ag_p = min(cu_max_frac[i] * f_ph * ag, 2.0 * dose)
        cu_p = min(cu_max_frac[i] * f_ph * cu, 2.0 * dose - ag_p)
        s_used = 0.5 * (cu_p + ag_p)
        wad = max(cn_wad_kmol_h[i], 0.0)
        on_cu = max(wad - 2.0 * ag, 0.0)
        released = min(2.0 * ag_p + (on_cu * cu_p / cu if cu > 0.0 else 0.0), wad)
        hcn = max(cn_free_kmol_h[i], 0.0) + released
        lost = cn_loss_frac[i] * hcn
        kept = hcn - lost
        excess = dose - s_used
        alk_eq, free_acid = alkalinity_and_free_acid_kmol_h(
            alkalinity_mg_l[i], ph[i], water_m3_h[i]
        )
        # H+ per metal: n - 1/2 with HS-, n with S2- (n CN per metal released as HCN)
        h_cu = released - (0.0 if na2s else s_used)
        h = max(cn_free_kmol_h[i], 0.0) + h_cu + h_per_excess * excess + alk_eq + free_acid
        acid = 0.5 * h
        lime = 0.5 * (kept + excess + alk_eq + free_acid)
        gypsum = gypsum_kmol_h(lime, acid, so4_kmol_h[i], gypsum_sol_g_l[i], water_m3_h[i])
        out[i, 0] = cu_p
        out[i, 1] = ag_p
        out[i, 2] = dose
        out[i, 3] = s_used
        out[i, 4] = released
        out[i, 5] = kept
        out[i, 6] = lost
        out[i, 7] = acid
        out[i, 8] = lime
        out[i, 9] = gypsum
    return out

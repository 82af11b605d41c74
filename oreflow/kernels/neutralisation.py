"""Neutralisation of oxidised slurry or liquor with lime or limestone, in two stages.

Free acid and dissolved iron, arsenic and copper are precipitated as gypsum, scorodite,
ferric hydroxide and copper hydroxide (Marsden & House 2006; Thomas 2005, Dev. Miner.
Process. 15; Directive 2006/21/EC; docs/models.md#pox, docs/models.md#residue). As in
:mod:`oreflow.kernels.oxidation`, product masses derive from element masses and the
element fractions the caller passes in.

The array contract is that of :mod:`oreflow.kernels`; flows in t/h.
"""

from __future__ import annotations

import numpy as np

from oreflow.kernels._jit import njit
from oreflow.kernels.oxidation import M_AS, M_CU, M_FE, M_S

# element fractions handed to ``neutralisation_batch``
NF_H2SO4_S = 0
NF_SO4_S = 1
NF_GYPSUM_S = 2
NF_SCORODITE_FE = 3
NF_SCORODITE_AS = 4
NF_HYDROXIDE_FE = 5
NF_CU_HYDROXIDE_CU = 6
N_NF = 7

# columns of the result of ``neutralisation_batch`` [t/h unless stated]
NO_GYPSUM = 0
NO_SCORODITE = 1
NO_HYDROXIDE = 2  # ferric hydroxide (metal_hydroxides)
NO_CU_HYDROXIDE = 3
NO_SO4_OUT = 4  # dissolved sulfate left (gypsum solubility)
NO_AS_OUT = 5
NO_CU_OUT = 6
NO_FE_ADDED = 7  # Fe added as ferric sulfate for the Fe:As target
NO_SO4_ADDED = 8  # its sulfate
NO_BASE_STAGE1_MOL = 9  # base for free acid, Fe and As [mol/h]
NO_BASE_STAGE2_MOL = 10  # base for Cu and the pH lift [mol/h]
NO_FREE_ACID_S = 11  # S of the free acid neutralised
N_NO = 12


@njit
def neutralisation_batch(
    h2so4_tph: np.ndarray,
    so4_tph: np.ndarray,
    fe_tph: np.ndarray,
    as_tph: np.ndarray,
    cu_tph: np.ndarray,
    water_tph: np.ndarray,
    target_ph: np.ndarray,
    fe_as_molar_min: np.ndarray,
    as_residual_mg_l: np.ndarray,
    gypsum_solubility_g_l: np.ndarray,
    cu_precipitation_ph: np.ndarray,
    fractions: np.ndarray,
    precipitate_cu: bool,
) -> np.ndarray:
    """Neutralise free acid and precipitate Fe, As and Cu from an acid liquor or slurry.

    Chemistry (Ca from lime or limestone, untracked)::

        H2SO4 + Ca(OH)2 -> CaSO4·2H2O                      1 base per H2SO4
        Fe2(SO4)3 + 3 Ca(OH)2 -> 2 Fe(OH)3 + 3 CaSO4·2H2O   1.5 base per Fe
        Fe2(SO4)3 + 2 H3AsO4 + 3 Ca(OH)2 -> 2 FeAsO4·2H2O + 3 CaSO4·2H2O
        CuSO4 + Ca(OH)2 -> Cu(OH)2 + CaSO4·2H2O              1 base per Cu

    At pH >= 4 [L] ferric iron precipitates completely, arsenate co-precipitates with
    it as ferric arsenate (represented as scorodite) down to ``as_residual_mg_l``; if
    the liquor holds less iron than ``fe_as_molar_min`` x As (the Fe:As >= 3-4 rule for
    a stable residue, Directive 2006/21/EC; Wills & Finch 2016; docs/models.md#residue [L]) ferric sulfate is added to make it up. Cu
    precipitates as Cu(OH)2 at ``target_ph >= cu_precipitation_ph`` when the case
    tracks it. All sulfate (free acid and metal sulfates) forms gypsum except what
    stays dissolved at the gypsum solubility. The base is split into stage 1 (free
    acid, Fe, As: limestone can do it) and stage 2 (Cu and the OH⁻ of the target pH:
    lime only), since limestone cannot lift the pH above about 6 [L].

    Parameters
    ----------
    h2so4_tph, so4_tph, fe_tph, as_tph, cu_tph, water_tph : (n,) float64
        Free acid, dissolved sulfate, Fe, As, Cu and water of the feed [t/h].
    target_ph : (n,) float64
        pH the unit is run to [-], >= 4.
    fe_as_molar_min : (n,) float64
        Fe:As molar ratio wanted in the precipitate [-] (>= 1 is forced).
    as_residual_mg_l : (n,) float64
        Arsenic left in solution [mg/L].
    gypsum_solubility_g_l : (n,) float64
        Solubility of gypsum, as CaSO4·2H2O [g/L].
    cu_precipitation_ph : (n,) float64
        pH above which Cu precipitates as hydroxide [-].
    fractions : (N_NF,) float64
        Element mass fractions of the species, ``NF_*`` slots [-].
    precipitate_cu : bool
        Whether the case tracks copper hydroxide.

    Returns
    -------
    (n, N_NO) float64
        Products, reagent bases and additions, ``NO_*`` columns.

    References
    ----------
    Marsden & House 2006; Thomas 2005, Dev. Miner. Process. 15; docs/models.md#pox (ancillaries), Directive 2006/21/EC; Wills & Finch 2016; docs/models.md#residue (ex08: 550.62 kg H2SO4 -> 561.94 kg CaCO3 ->
    966.64 kg gypsum); Marsden, J.O., House, C.I. (2006) The Chemistry of Gold
    Extraction, 2nd ed., SME, ch. 5 and 11 [L].
    """
    n = h2so4_tph.shape[0]
    f = fractions
    out = np.zeros((n, N_NO))
    for i in range(n):
        # arsenic and the iron it needs
        as_left = min(as_tph[i], as_residual_mg_l[i] * water_tph[i] * 1e-6)
        as_prec = as_tph[i] - as_left
        scor = as_prec / f[NF_SCORODITE_AS]
        fe_scor = scor * f[NF_SCORODITE_FE]
        ratio = max(fe_as_molar_min[i], 1.0)
        fe_need = max(fe_scor, ratio * as_prec / M_AS * M_FE)
        fe_add = max(fe_need - fe_tph[i], 0.0)
        so4_add_s = 1.5 * fe_add * M_S / M_FE
        fe_total = fe_tph[i] + fe_add
        hyd = (fe_total - fe_scor) / f[NF_HYDROXIDE_FE]
        # copper
        cu_prec = cu_tph[i] if precipitate_cu and target_ph[i] >= cu_precipitation_ph[i] else 0.0
        # sulfate to gypsum, down to the solubility
        acid_s = h2so4_tph[i] * f[NF_H2SO4_S]
        s_total = acid_s + so4_tph[i] * f[NF_SO4_S] + so4_add_s
        s_soluble = gypsum_solubility_g_l[i] * water_tph[i] * 1e-3 * f[NF_GYPSUM_S]  # kg/m³ x m³/h
        gyp_s = max(s_total - s_soluble, 0.0)
        out[i, NO_GYPSUM] = gyp_s / f[NF_GYPSUM_S]
        out[i, NO_SO4_OUT] = (s_total - gyp_s) / f[NF_SO4_S]
        out[i, NO_SCORODITE] = scor
        out[i, NO_HYDROXIDE] = hyd
        out[i, NO_CU_HYDROXIDE] = cu_prec / f[NF_CU_HYDROXIDE_CU]
        out[i, NO_AS_OUT] = as_left
        out[i, NO_CU_OUT] = cu_tph[i] - cu_prec
        out[i, NO_FE_ADDED] = fe_add
        out[i, NO_SO4_ADDED] = so4_add_s / f[NF_SO4_S]
        # bases [mol/h]: 1 per H2SO4, 1.5 per Fe(III) precipitated, 1 per Cu; the OH- of
        # the target pH as 1/2 mol Ca(OH)2 per mol OH- in the water
        out[i, NO_BASE_STAGE1_MOL] = acid_s * 1e6 / M_S + 1.5 * fe_total * 1e6 / M_FE
        oh_mol = 10.0 ** (target_ph[i] - 14.0) * water_tph[i] * 1000.0
        out[i, NO_BASE_STAGE2_MOL] = cu_prec * 1e6 / M_CU + 0.5 * oh_mol
        out[i, NO_FREE_ACID_S] = acid_s
    return out

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
NF_BFS_FE = 7
NF_BFS_S = 8
NF_JAROSITE_FE = 9
NF_JAROSITE_S = 10
N_NF = 11

#: Potassium jarosite KFe3(SO4)2(OH)6 + 1.5 Ca(OH)2 -> 3 Fe(OH)3 + 1.5 CaSO4 + 0.5 K2SO4:
#: of its 2 sulfates, 1.5 form gypsum and 0.5 stay dissolved as K2SO4 [S stoichiometry].
JAROSITE_S_TO_SOLUTION_FRAC = 0.25
#: mol Ca(OH)2 per mol Fe converted [S stoichiometry]: Fe(OH)SO4 + Ca(OH)2 + 2 H2O ->
#: Fe(OH)3 + CaSO4·2H2O (1 per Fe); jarosite 1.5 per 3 Fe (0.5 per Fe).
BASE_PER_FE_BFS = 1.0
BASE_PER_FE_JAROSITE = 0.5

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
NO_BFS_REACTED = 12  # basic ferric sulfate converted to Fe(OH)3 and gypsum
NO_JAROSITE_REACTED = 13  # jarosite converted
NO_BASE_SOLIDS_MOL = 14  # base for the BFS and jarosite conversion [mol/h] (part of stage 2)
N_NO = 15


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
    bfs_tph: np.ndarray,
    jarosite_tph: np.ndarray,
    bfs_conversion_frac: np.ndarray,
    jarosite_conversion_frac: np.ndarray,
) -> np.ndarray:
    """Neutralise free acid and precipitate Fe, As and Cu from an acid liquor or slurry.

    Chemistry (Ca from lime or limestone, untracked)::

        H2SO4 + Ca(OH)2 -> CaSO4·2H2O                      1 base per H2SO4
        Fe2(SO4)3 + 3 Ca(OH)2 -> 2 Fe(OH)3 + 3 CaSO4·2H2O   1.5 base per Fe
        Fe2(SO4)3 + 2 H3AsO4 + 3 Ca(OH)2 -> 2 FeAsO4·2H2O + 3 CaSO4·2H2O
        CuSO4 + Ca(OH)2 -> Cu(OH)2 + CaSO4·2H2O              1 base per Cu
        Fe(OH)SO4 + Ca(OH)2 + 2 H2O -> Fe(OH)3 + CaSO4·2H2O  1 base per Fe (BFS)
        KFe3(SO4)2(OH)6 + 1.5 Ca(OH)2 -> 3 Fe(OH)3 + 1.5 CaSO4·2H2O + 0.5 K2SO4

    At pH >= 4 [L] ferric iron precipitates completely, arsenate co-precipitates with
    it as ferric arsenate (represented as scorodite) down to ``as_residual_mg_l``; if
    the liquor holds less iron than ``fe_as_molar_min`` x As (the Fe:As >= 3-4 rule for
    a stable residue, Directive 2006/21/EC; Wills & Finch 2016; docs/models.md#residue [L]) ferric sulfate is added to make it up. Cu
    precipitates as Cu(OH)2 at ``target_ph >= cu_precipitation_ph`` when the case
    tracks it. All sulfate (free acid and metal sulfates) forms gypsum except what
    stays dissolved at the gypsum solubility. The base is split into stage 1 (free
    acid, Fe, As: limestone can do it) and stage 2 (Cu and the OH⁻ of the target pH:
    lime only), since limestone cannot lift the pH above about 6 [L].

    Basic ferric sulfate and jarosite carried in with the solids of a POX discharge are
    converted to ferric hydroxide and gypsum by the fractions given (the caller sets
    them to zero below the lime pH): Fleming (2010) shows that BFS survives washing and
    limestone neutralisation and then consumes lime in the alkaline leach feed, one mol
    of Ca(OH)2 per mol of BFS (0.332 t CaO per t Fe(OH)SO4). Their base is stage 2
    (lime). Their Fe counts towards the Fe:As ratio of the precipitate.

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
    bfs_tph, jarosite_tph : (n,) float64
        Basic ferric sulfate and jarosite in the feed solids [t/h].
    bfs_conversion_frac, jarosite_conversion_frac : (n,) float64
        Fractions of them converted to Fe(OH)3 and gypsum [-].

    Returns
    -------
    (n, N_NO) float64
        Products, reagent bases and additions, ``NO_*`` columns.

    References
    ----------
    Marsden & House 2006; Thomas 2005, Dev. Miner. Process. 15; docs/models.md#pox (ancillaries), Directive 2006/21/EC; Wills & Finch 2016; docs/models.md#residue (ex08: 550.62 kg H2SO4 -> 561.94 kg CaCO3 ->
    966.64 kg gypsum); Marsden, J.O., House, C.I. (2006) The Chemistry of Gold
    Extraction, 2nd ed., SME, ch. 5 and 11 [L]; Fleming, C.A. (2010) Basic iron
    sulfate - a potential killer in the processing of refractory gold concentrates by
    pressure oxidation, Miner. Metall. Process. 27(2):81-88 [L].
    """
    n = h2so4_tph.shape[0]
    f = fractions
    out = np.zeros((n, N_NO))
    for i in range(n):
        # solid basic sulfates converted (their Fe joins the hydroxide, their S the gypsum)
        bfs_r = bfs_tph[i] * bfs_conversion_frac[i]
        jar_r = jarosite_tph[i] * jarosite_conversion_frac[i]
        fe_bfs = bfs_r * f[NF_BFS_FE]
        fe_jar = jar_r * f[NF_JAROSITE_FE]
        s_jar = jar_r * f[NF_JAROSITE_S]
        s_solids = bfs_r * f[NF_BFS_S] + s_jar * (1.0 - JAROSITE_S_TO_SOLUTION_FRAC)
        s_jar_dissolved = s_jar * JAROSITE_S_TO_SOLUTION_FRAC
        fe_conv = fe_bfs + fe_jar
        # arsenic and the iron it needs
        as_left = min(as_tph[i], as_residual_mg_l[i] * water_tph[i] * 1e-6)
        as_prec = as_tph[i] - as_left
        scor = as_prec / f[NF_SCORODITE_AS]
        fe_scor = scor * f[NF_SCORODITE_FE]
        ratio = max(fe_as_molar_min[i], 1.0)
        fe_need = max(fe_scor, ratio * as_prec / M_AS * M_FE)
        fe_add = max(fe_need - fe_tph[i] - fe_conv, 0.0)
        so4_add_s = 1.5 * fe_add * M_S / M_FE
        fe_total = fe_tph[i] + fe_add
        hyd = (fe_total + fe_conv - fe_scor) / f[NF_HYDROXIDE_FE]
        # copper
        cu_prec = cu_tph[i] if precipitate_cu and target_ph[i] >= cu_precipitation_ph[i] else 0.0
        # sulfate to gypsum, down to the solubility
        acid_s = h2so4_tph[i] * f[NF_H2SO4_S]
        s_total = acid_s + so4_tph[i] * f[NF_SO4_S] + so4_add_s + s_solids
        s_soluble = gypsum_solubility_g_l[i] * water_tph[i] * 1e-3 * f[NF_GYPSUM_S]  # kg/m³ x m³/h
        gyp_s = max(s_total - s_soluble, 0.0)
        out[i, NO_GYPSUM] = gyp_s / f[NF_GYPSUM_S]
        out[i, NO_SO4_OUT] = (s_total - gyp_s + s_jar_dissolved) / f[NF_SO4_S]
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
        base_solids = (
            BASE_PER_FE_BFS * fe_bfs * 1e6 / M_FE + BASE_PER_FE_JAROSITE * fe_jar * 1e6 / M_FE
        )
        out[i, NO_BASE_STAGE2_MOL] = cu_prec * 1e6 / M_CU + 0.5 * oh_mol + base_solids
        out[i, NO_FREE_ACID_S] = acid_s
        out[i, NO_BFS_REACTED] = bfs_r
        out[i, NO_JAROSITE_REACTED] = jar_r
        out[i, NO_BASE_SOLIDS_MOL] = base_solids
    return out

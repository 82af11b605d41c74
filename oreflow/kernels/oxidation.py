"""Sulfide oxidation chemistry (POX, BIOX): product stoichiometry and the heat of the reactions.

How the elements of the oxidised minerals are distributed over the products (hematite,
scorodite, basic ferric sulfate, jarosite, gypsum, free acid, dissolved metal sulfates,
CO2) (Marsden & House 2006; Thomas 2005, Dev. Miner. Process. 15; Adams (ed.) 2016, Gold Ore
Processing; docs/models.md#pox, docs/models.md#biox), the sensible heat of the slurry and the
steam saturation pressure (IAPWS-IF97) for the autoclave pressure (Thomas 2005; Wagman et
al. 1982, NBS tables). The extent of oxidation is in :mod:`oreflow.kernels.oxidation_kinetics`,
neutralisation in :mod:`oreflow.kernels.neutralisation`, washing in :mod:`oreflow.kernels.ccd`
and ultrafine grinding in :mod:`oreflow.kernels.fine_grinding`.

The array contract is that of :mod:`oreflow.kernels`; flows in t/h. Temperatures are in °C
at the interface; heat in MJ/h.

Element closure is built into the stoichiometry kernels: every product mass is derived
from the mass of a tracked element (Fe, As, S, Cu, C) divided by that element's mass
fraction in the product species, as passed in by the caller from the species
catalogue. Elements therefore close to rounding whatever the rounding of the
catalogue, while molar ratios (O2 per S, reagent per acid) use IUPAC molar masses.
"""

from __future__ import annotations

import math

import numpy as np

from oreflow import conventions as mm
from oreflow.kernels._jit import njit

#: Molar masses [g/mol] (IUPAC 2021, ``oreflow.conventions``), under short names.
M_S = mm.S_G_MOL
M_O2 = mm.O2_G_MOL
M_FE = mm.FE_G_MOL
M_AS = mm.AS_G_MOL
M_CU = mm.CU_G_MOL
M_C = mm.C_G_MOL
M_H2SO4 = mm.H2SO4_G_MOL
M_CACO3 = mm.CACO3_G_MOL
M_CAO = mm.CAO_G_MOL
M_NA2CO3 = mm.NA2CO3_G_MOL
M_FE2SO43 = mm.FE2SO43_G_MOL

#: Gas constant [J/(mol K)] (CODATA 2018, exact) [S].
R_J_MOL_K = 8.314462618

#: 0 °C in K [S].
KELVIN = 273.15

#: Sulfide minerals with oxidation chemistry, in kernel order.
MINERALS = ("pyrite", "arsenopyrite", "pyrrhotite", "chalcopyrite")

#: mol O2 per mol S oxidised to sulfate with Fe(III), As(V), Cu(II) products [S,
#: electron balance]: FeS2 15 e-, FeAsS 14 e-, FeS 9 e-, CuFeS2 17 e- (4 e- per O2),
#: per mol S: 15/8, 14/4, 9/4, 17/8 (Marsden & House 2006; Thomas 2005, Dev. Miner. Process. 15; docs/models.md#pox for the first three).
O2_MOL_PER_MOL_S = np.array([1.875, 3.5, 2.25, 2.125])

#: Reaction heat per kg S oxidised [MJ/kg S] at 25 °C with aqueous H2SO4, from standard
#: enthalpies of formation (Marsden & House 2006; Thomas 2005, Dev. Miner. Process. 15; docs/models.md#pox, [S arithmetic, L data]): pyrite
#: (2 FeS2 + 7.5 O2 + 4 H2O -> Fe2O3 + 4 H2SO4, -2961.56 kJ) and pyrrhotite
#: (2 FeS + 4.5 O2 + 2 H2O -> Fe2O3 + 2 H2SO4, -1871.08 kJ). The per-mineral defaults
#: of the oxidation units live with their parameters in ``oreflow.units.pox``.
PYRITE_HEAT_MJ_KG_S = 2961.56 / 4.0 / 32.06
PYRRHOTITE_HEAT_MJ_KG_S = 1871.08 / 2.0 / 32.06

#: O2 for carbonaceous matter burnt to CO2 [t O2 / t C] and its heat [MJ/kg C]
#: (C + O2 -> CO2, ΔHf CO2 -393.5 kJ/mol) [S arithmetic, L data].
O2_T_PER_T_C = M_O2 / M_C
HEAT_MJ_PER_KG_C = 393.5 / M_C

# product element fractions handed to ``oxidation_products_batch`` (caller fills them
# from the species catalogue), one slot each:
PF_REMAINDER_FE = 0  # Fe in the species taking the iron not placed elsewhere (hematite)
PF_SCORODITE_FE = 1
PF_SCORODITE_AS = 2
PF_BFS_FE = 3
PF_BFS_S = 4
PF_JAROSITE_FE = 5
PF_JAROSITE_S = 6
PF_GYPSUM_S = 7
PF_H2SO4_S = 8
PF_SO4_S = 9
PF_CALCITE_C = 10
PF_CO2_C = 11
PF_SULFUR_S = 12  # S in elemental sulfur (1.0 for the catalogue's ``sulfur``)
PF_DOLOMITE_C = 13
PF_SIDERITE_FE = 14
PF_SIDERITE_C = 15
N_PF = 16

# columns of the result of ``oxidation_products_batch`` [t/h]
OUT_REMAINDER = 0  # iron remainder species (hematite, or ferrihydrite in BIOX)
OUT_SCORODITE = 1
OUT_BFS = 2
OUT_JAROSITE = 3
OUT_GYPSUM = 4
OUT_H2SO4 = 5  # free acid leaving, feed acid included
OUT_SO4 = 6  # sulfate made as dissolved metal sulfates (Fe, Cu, Na)
OUT_FE_AQ = 7
OUT_AS_AQ = 8
OUT_CU_AQ = 9
OUT_CALCITE_REACTED = 10  # ore calcite consumed
OUT_CO2 = 11  # CO2 from ore calcite
OUT_ACID_MADE = 12  # gross acid from sulfide S, as H2SO4 (before any consumption)
OUT_LIMESTONE_REACTED = 13  # reagent CaCO3 reacted (alkaline mode)
OUT_LIMESTONE_EXCESS = 14  # reagent CaCO3 left as calcite (alkaline mode)
OUT_SODA_ASH = 15  # reagent Na2CO3 (alkaline mode)
OUT_SULFUR = 16  # elemental sulfur S0 (acid mode below about 180 °C)
OUT_DOLOMITE_REACTED = 17  # ore dolomite consumed
OUT_SIDERITE_REACTED = 18  # ore siderite oxidised to the iron products
OUT_CARBONATE_ACID = 19  # H2SO4 consumed by calcite and dolomite
N_OUT = 20

#: Reaction heat of the ore carbonates [kJ/mol], from standard enthalpies of formation
#: (Wagman et al. 1982, NBS tables; dolomite -2326.3 kJ/mol, Robie & Hemingway 1995)
#: [S arithmetic, L data]: CaCO3 + H2SO4(aq) + H2O -> CaSO4·2H2O + CO2(g) -14.1;
#: CaMg(CO3)2 + 2 H2SO4(aq) -> CaSO4·2H2O + MgSO4(aq) + 2 CO2(g) -40.9;
#: 2 FeCO3 + 0.5 O2 -> Fe2O3 + 2 CO2(g) -130.0 (-65.0 per FeCO3). Small beside the
#: sulfides' ~740 kJ per mol S, but they close the heat balance on carbonate ores.
CALCITE_HEAT_KJ_MOL = 14.1
DOLOMITE_HEAT_KJ_MOL = 40.9
SIDERITE_HEAT_KJ_MOL = 65.0
#: mol O2 per mol siderite Fe (Fe(II) -> Fe(III), 1 e-) [S].
O2_MOL_PER_MOL_SIDERITE = 0.25

#: Modes of ``oxidation_products_batch``.
MODE_ACID = 0
MODE_ALKALINE_LIMESTONE = 1
MODE_ALKALINE_SODA_ASH = 2


@njit
def oxidation_products_batch(
    oxidised_tph: np.ndarray,
    mineral_elements: np.ndarray,
    feed_acid_tph: np.ndarray,
    calcite_tph: np.ndarray,
    dolomite_tph: np.ndarray,
    siderite_tph: np.ndarray,
    fe_solution_frac: np.ndarray,
    fe_bfs_frac: np.ndarray,
    fe_jarosite_frac: np.ndarray,
    as_solution_frac: np.ndarray,
    reagent_excess_frac: np.ndarray,
    s0_frac: np.ndarray,
    product_fractions: np.ndarray,
    mode: int,
) -> np.ndarray:
    """Distribute the elements of the oxidised sulfides over the products.

    Reactions (Marsden & House 2006; Thomas 2005, Dev. Miner. Process. 15; docs/models.md#pox), hematite route::

        2 FeS2  + 7.5 O2 + 4 H2O -> Fe2O3 + 4 H2SO4
        FeAsS   + 3.5 O2 + 3 H2O -> FeAsO4·2H2O + H2SO4
        2 FeS   + 4.5 O2 + 2 H2O -> Fe2O3 + 2 H2SO4
        2 CuFeS2 + 8.5 O2 + 2 H2O -> 2 CuSO4 + Fe2O3 + 2 H2SO4

    Acid mode, in this order:

    0. ore siderite oxidises completely (``2 FeCO3 + 0.5 O2 -> Fe2O3 + 2 CO2``
       [assumed complete at POX temperature]): its CO2 leaves, its iron joins the
       released iron, so it consumes acid only if that iron stays dissolved or forms a
       basic sulfate (FeCO3 + H2SO4 -> FeSO4 + CO2, the ferrous sulfate then
       hydrolysing back to acid when it becomes hematite); the fraction ``s0_frac`` of of each mineral's oxidised S stops at elemental sulfur
       (``oreflow.kernels.elemental_sulfur``): it makes no acid, but never more than
       leaves the sulfate the dissolved copper needs;
    1. As goes to scorodite (ferric arsenate, Fe:As 1:1, taking Fe from the pool), or
       a fraction ``as_solution_frac`` stays dissolved as arsenic acid;
    2. Cu goes to solution as CuSO4 (its sulfate S leaves the acid pool);
    3. the acid pool (sulfide S left + feed acid S) is consumed first by the ore
       calcite, ``CaCO3 + H2SO4 + H2O -> CaSO4·2H2O + CO2`` (0.98 t acid/t CaCO3),
       then by dolomite, ``CaMg(CO3)2 + 2 H2SO4 -> CaSO4·2H2O + MgSO4 + 2 CO2``
       (1.064 t acid/t, the MgSO4 dissolved, its S counted as sulfate; Marsden &
       House 2006, ch. 5: carbonates consume acid in the autoclave), then by the iron that stays in solution as Fe2(SO4)3 (1.5 H2SO4 per Fe, which
       is why free acid per pyrite S falls to 1/4 when all Fe stays dissolved), forms
       basic ferric sulfate Fe(OH)SO4 (1 per Fe) or jarosite (2/3 per Fe); these iron
       sinks are scaled down together when the pool cannot pay for them;
    4. the remaining iron precipitates as the remainder species (hematite); the
       remaining pool is free acid.

    Alkaline modes (Marsden & House 2006; Adams (ed.) 2016, Gold Ore Processing; docs/models.md#biox): no free acid survives. Iron goes to the
    remainder species (and As to ferric arsenate, [assumed]); the sulfate is
    neutralised first by the ore calcite (gypsum + CO2), then by reagent: limestone
    (gypsum; the reagent's CO2 leaves at once and is not tracked; ``reagent_excess_frac``
    of extra limestone stays as calcite) or soda ash (dissolved Na2SO4, counted as
    sulfate).

    Every product mass is an element mass over that element's fraction in the
    product, so Fe, As, S, Cu and C close exactly whatever the catalogue rounding.

    Parameters
    ----------
    oxidised_tph : (n_cases, n_min) float64
        Mass of each mineral oxidised [t/h], minerals in ``MINERALS`` order.
    mineral_elements : (n_min, 4) float64
        Mass fractions of Fe, As, S, Cu in each mineral [-].
    feed_acid_tph : (n_cases,) float64
        Free H2SO4 entering with the feed [t/h].
    calcite_tph, dolomite_tph, siderite_tph : (n_cases,) float64
        Calcite CaCO3, dolomite CaMg(CO3)2 and siderite FeCO3 in the feed [t/h].
    fe_solution_frac, fe_bfs_frac, fe_jarosite_frac : (n_cases,) float64
        Fractions of the released iron (not bound to arsenate) sent to solution,
        basic ferric sulfate and jarosite [-], summing to at most 1.
    as_solution_frac : (n_cases,) float64
        Fraction of the arsenic left in solution [-].
    reagent_excess_frac : (n_cases,) float64
        Reagent dosed above stoichiometry in the alkaline modes [-].
    s0_frac : (n_cases, n_min) float64
        Fraction of each mineral's oxidised S reporting as elemental sulfur [-] (acid
        mode only; ignored in the alkaline modes).
    product_fractions : (N_PF,) float64
        Element mass fractions of the products, ``PF_*`` slots [-].
    mode : int
        ``MODE_ACID``, ``MODE_ALKALINE_LIMESTONE`` or ``MODE_ALKALINE_SODA_ASH``.

    Returns
    -------
    (n_cases, N_OUT) float64
        Product and reagent flows [t/h], ``OUT_*`` columns.
    """
    n_cases, n_min = oxidised_tph.shape
    pf = product_fractions
    s_per_fe = M_S / M_FE
    s_per_cu = M_S / M_CU
    s_per_c = M_S / M_C
    out = np.zeros((n_cases, N_OUT))
    for i in range(n_cases):
        ars = 0.0
        s = 0.0
        cu = 0.0
        s0 = 0.0
        # 0. siderite: its iron joins the released iron, its carbon leaves as CO2
        fe = siderite_tph[i] * pf[PF_SIDERITE_FE]
        c_sid = siderite_tph[i] * pf[PF_SIDERITE_C]
        out[i, OUT_SIDERITE_REACTED] = siderite_tph[i]
        for m in range(n_min):
            fe += oxidised_tph[i, m] * mineral_elements[m, 0]
            ars += oxidised_tph[i, m] * mineral_elements[m, 1]
            s += oxidised_tph[i, m] * mineral_elements[m, 2]
            cu += oxidised_tph[i, m] * mineral_elements[m, 3]
            if mode == MODE_ACID:
                s0 += oxidised_tph[i, m] * mineral_elements[m, 2] * s0_frac[i, m]
        # 0. elemental sulfur, leaving at least the sulfate of the dissolved copper
        s0 = min(s0, max(s - cu * s_per_cu, 0.0))
        out[i, OUT_SULFUR] = s0 / pf[PF_SULFUR_S]
        s -= s0
        # 1. arsenic: scorodite, limited by the iron available
        as_sol = as_solution_frac[i] * ars if mode == MODE_ACID else 0.0
        scor = (ars - as_sol) / pf[PF_SCORODITE_AS]
        if scor * pf[PF_SCORODITE_FE] > fe:  # not enough iron: the rest stays dissolved
            scor = fe / pf[PF_SCORODITE_FE]
            as_sol = ars - scor * pf[PF_SCORODITE_AS]
        fe_pool = fe - scor * pf[PF_SCORODITE_FE]
        # 2. copper to solution as CuSO4
        s_cu = cu * s_per_cu
        out[i, OUT_CU_AQ] = cu
        out[i, OUT_AS_AQ] = as_sol
        out[i, OUT_SCORODITE] = scor
        out[i, OUT_ACID_MADE] = (s - s_cu) / pf[PF_H2SO4_S]
        pool = s - s_cu + feed_acid_tph[i] * pf[PF_H2SO4_S]
        so4_s = s_cu
        # 3a. ore carbonate
        s_need_c = calcite_tph[i] * pf[PF_CALCITE_C] * s_per_c
        s_c = min(s_need_c, pool)
        pool -= s_c
        c_reacted = s_c / s_per_c
        out[i, OUT_CALCITE_REACTED] = c_reacted / pf[PF_CALCITE_C]
        gyp_s = s_c
        # 3a'. ore dolomite: 2 acid per mol, one sulfate to gypsum, one dissolved (MgSO4)
        s_d = min(dolomite_tph[i] * pf[PF_DOLOMITE_C] * s_per_c, pool)
        pool -= s_d
        c_dol = s_d / s_per_c
        out[i, OUT_DOLOMITE_REACTED] = c_dol / pf[PF_DOLOMITE_C] if c_dol > 0.0 else 0.0
        gyp_s += 0.5 * s_d
        so4_s += 0.5 * s_d
        out[i, OUT_CARBONATE_ACID] = (s_c + s_d) / pf[PF_H2SO4_S]
        out[i, OUT_CO2] = (c_reacted + c_dol + c_sid) / pf[PF_CO2_C]
        if mode == MODE_ACID:
            # 3b. iron sinks that consume acid
            fe_sol = fe_solution_frac[i] * fe_pool
            fe_bfs = fe_bfs_frac[i] * fe_pool
            fe_jar = fe_jarosite_frac[i] * fe_pool
            s_sol = 1.5 * s_per_fe * fe_sol
            s_bfs = fe_bfs / pf[PF_BFS_FE] * pf[PF_BFS_S]
            s_jar = fe_jar / pf[PF_JAROSITE_FE] * pf[PF_JAROSITE_S]
            need = s_sol + s_bfs + s_jar
            if need > pool:
                scale = pool / need if pool > 0.0 else 0.0
                fe_sol *= scale
                fe_bfs *= scale
                fe_jar *= scale
                s_sol *= scale
                s_bfs = fe_bfs / pf[PF_BFS_FE] * pf[PF_BFS_S]
                s_jar = fe_jar / pf[PF_JAROSITE_FE] * pf[PF_JAROSITE_S]
            pool -= s_sol + s_bfs + s_jar
            pool = max(pool, 0.0)
            so4_s += s_sol
            out[i, OUT_FE_AQ] = fe_sol
            out[i, OUT_BFS] = fe_bfs / pf[PF_BFS_FE]
            out[i, OUT_JAROSITE] = fe_jar / pf[PF_JAROSITE_FE]
            out[i, OUT_REMAINDER] = (fe_pool - fe_sol - fe_bfs - fe_jar) / pf[PF_REMAINDER_FE]
            out[i, OUT_H2SO4] = pool / pf[PF_H2SO4_S]
        else:
            out[i, OUT_REMAINDER] = fe_pool / pf[PF_REMAINDER_FE]
            mol_s = pool * 1e6 / M_S  # sulfate still to neutralise [mol/h]
            if mode == MODE_ALKALINE_LIMESTONE:
                gyp_s += pool
                out[i, OUT_LIMESTONE_REACTED] = mol_s * M_CACO3 * 1e-6
                out[i, OUT_LIMESTONE_EXCESS] = mol_s * M_CACO3 * 1e-6 * reagent_excess_frac[i]
            else:
                so4_s += pool
                out[i, OUT_SODA_ASH] = mol_s * M_NA2CO3 * 1e-6 * (1.0 + reagent_excess_frac[i])
        out[i, OUT_GYPSUM] = gyp_s / pf[PF_GYPSUM_S]
        out[i, OUT_SO4] = so4_s / pf[PF_SO4_S]
    return out


@njit
def slurry_heat_mj_h(
    solids_tph: np.ndarray,
    water_tph: np.ndarray,
    feed_temperature_degc: np.ndarray,
    temperature_degc: np.ndarray,
    solids_cp_kj_kg_k: np.ndarray,
    water_cp_kj_kg_k: np.ndarray,
    loss_frac: np.ndarray,
) -> np.ndarray:
    """Heat to raise a slurry from its feed temperature to the operating temperature.

    ``Q = (1000 c_s S + 1000 c_w W)(T_op - T_in)(1 + f_loss) / 1000`` [MJ/h] with S and
    W the solids and water flows [t/h] (Thomas 2005; Wagman et al. 1982, NBS tables; docs/models.md#pox; per tonne of solids this is
    ex06's ``Q_req``). Losses (vent steam, shell, gas heating) are the fraction
    ``f_loss`` of the sensible heat.

    Parameters
    ----------
    solids_tph, water_tph : (n,) float64
        Dry solids and water flows [t/h].
    feed_temperature_degc, temperature_degc : (n,) float64
        Feed and operating temperature [°C].
    solids_cp_kj_kg_k, water_cp_kj_kg_k : (n,) float64
        Heat capacities [kJ/(kg K)].
    loss_frac : (n,) float64
        Losses as a fraction of the sensible heat [-].

    Returns
    -------
    (n,) float64
        Heat required [MJ/h]; negative when the feed is hotter than the vessel.
    """
    return (
        (solids_tph * solids_cp_kj_kg_k + water_tph * water_cp_kj_kg_k)
        * (temperature_degc - feed_temperature_degc)
        * (1.0 + loss_frac)
    )


@njit
def steam_saturation_pressure_kpa(temperature_degc: float) -> float:
    """Saturation pressure of water, IAPWS-IF97 region 4 (273.15-647.096 K).

    Parameters
    ----------
    temperature_degc : float
        Temperature [°C], 0.01-373.946.

    Returns
    -------
    float
        Saturation pressure [kPa] (NaN outside the range).

    References
    ----------
    Wagner, W. et al. (2000) The IAPWS Industrial Formulation 1997 for the
    thermodynamic properties of water and steam. J. Eng. Gas Turbines Power
    122:150-182, doi:10.1115/1.483186, eq. 30 [S].

    Examples
    --------
    >>> round(steam_saturation_pressure_kpa(210.0), 1)
    1907.4
    """
    t = temperature_degc + KELVIN
    if t < 273.15 or t > 647.096:
        return math.nan
    n1 = 0.11670521452767e4
    n2 = -0.72421316703206e6
    n3 = -0.17073846940092e2
    n4 = 0.12020824702470e5
    n5 = -0.32325550322333e7
    n6 = 0.14915108613530e2
    n7 = -0.48232657361591e4
    n8 = 0.40511340542057e6
    n9 = -0.23855557567849
    n10 = 0.65017534844798e3
    th = t + n9 / (t - n10)
    a = th * th + n1 * th + n2
    b = n3 * th * th + n4 * th + n5
    c = n6 * th * th + n7 * th + n8
    p_mpa = (2.0 * c / (-b + math.sqrt(b * b - 4.0 * a * c))) ** 4
    return p_mpa * 1000.0

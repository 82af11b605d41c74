"""Refractory-ore kernels: sulfide oxidation (POX, BIOX), heat, neutralisation, CCD, fine grinding.

Array contract (shared by every module in ``oreflow.kernels``): float64/int64 numpy
arrays and Python scalars in and out; flows in t/h; kernels never mutate their inputs.
Here times are in **minutes** for the autoclave kinetics (Papangelakis & Demopoulos 1990, Can. Metall. Q. 29(1):13; docs/models.md#pox states t* in
min) and the caller converts hours; temperatures are in °C at the interface and K in
the Arrhenius term; heat in MJ/h; sizes in µm.

Sections (docs/models.md = docs/models.md):

1. oxidation extent: shrinking particle under surface-reaction control, averaged over
   the Erlang residence-time distribution of N equal compartments (segregated flow),
   Papangelakis & Demopoulos 1990, Can. Metall. Q. 29(1):13; docs/models.md#pox, with a closed form (below) instead of quadrature;
2. stoichiometry: how the elements of the oxidised minerals are distributed over the
   products (hematite, scorodite, basic ferric sulfate, jarosite, gypsum, free acid,
   dissolved metal sulfates, CO2), Marsden & House 2006; Thomas 2005, Dev. Miner. Process. 15; docs/models.md#pox, Marsden & House 2006; Adams (ed.) 2016, Gold Ore Processing; docs/models.md#biox;
3. heat: the autothermal balance, Thomas 2005; Wagman et al. 1982, NBS tables; docs/models.md#pox, and the steam saturation pressure
   (IAPWS-IF97) for the autoclave pressure;
4. neutralisation with lime or limestone, Marsden & House 2006; Thomas 2005, Dev. Miner. Process. 15; docs/models.md#pox ancillaries, Directive 2006/21/EC; Wills & Finch 2016; docs/models.md#residue;
5. counter-current decantation washing (ideal mixing stages);
6. ultrafine grinding: Bond energy with Rowland's fineness factor, a stirred-mill
   power law, the product size distribution and the exposure of locked gold.

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

# ------------------------------------------------------------------ constants
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
N_PF = 12

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
N_OUT = 16

#: Modes of ``oxidation_products_batch``.
MODE_ACID = 0
MODE_ALKALINE_LIMESTONE = 1
MODE_ALKALINE_SODA_ASH = 2

#: Rowland EF5 applies below this P80 [µm] [L] (Bond 1952, Trans. AIME 193:484; Rowland & Kjos 1980; Wills & Finch 2016; docs/models.md#ball_mill).
EF5_LIMIT_UM = 75.0

# ------------------------------------------------------------------ 1. extent


@njit
def arrhenius_t_star_min(
    t_star_ref_min: float,
    activation_kj_mol: float,
    temperature_degc: float,
    ref_temperature_degc: float,
    o2_kpa: float,
    ref_o2_kpa: float,
    size_um: float,
    ref_size_um: float,
) -> float:
    """Time for complete conversion of a particle, scaled from a reference state.

    ``t*(T, P, d) = t*_ref (d / d_ref) (P_ref / P) exp[(Ea/R)(1/T - 1/T_ref)]``:
    t* proportional to the initial radius (surface-reaction control), inverse first
    order in the O2 partial pressure, Arrhenius in temperature (Papangelakis & Demopoulos 1990, Can. Metall. Q. 29(1):13; docs/models.md#pox).

    Parameters
    ----------
    t_star_ref_min : float
        t* at the reference state [min].
    activation_kj_mol : float
        Activation energy Ea [kJ/mol].
    temperature_degc, ref_temperature_degc : float
        Operating and reference temperature [°C].
    o2_kpa, ref_o2_kpa : float
        Operating and reference O2 partial pressure [kPa], > 0.
    size_um, ref_size_um : float
        Particle and reference size [µm], > 0.

    Returns
    -------
    float
        t* [min].

    References
    ----------
    Papangelakis, V.G., Demopoulos, G.P. (1990) Acid pressure oxidation of
    arsenopyrite: Part I, reaction chemistry; Part II, reaction kinetics. Can. Metall.
    Q. 29(1):1-12, 13-20, doi:10.1179/cmq.1990.29.1.1 [L].
    """
    inv = 1.0 / (temperature_degc + KELVIN) - 1.0 / (ref_temperature_degc + KELVIN)
    arr = math.exp(activation_kj_mol * 1000.0 / R_J_MOL_K * inv)
    return t_star_ref_min * (size_um / ref_size_um) * (ref_o2_kpa / o2_kpa) * arr


@njit
def t_star_batch(
    t_star_ref_min: np.ndarray,
    activation_kj_mol: np.ndarray,
    temperature_degc: np.ndarray,
    ref_temperature_degc: np.ndarray,
    o2_kpa: np.ndarray,
    ref_o2_kpa: np.ndarray,
    size_um: np.ndarray,
    ref_size_um: np.ndarray,
) -> np.ndarray:
    """:func:`arrhenius_t_star_min` for every case, size class and mineral.

    Parameters
    ----------
    t_star_ref_min, activation_kj_mol : (n_cases, n_min) float64
        Reference t* [min] and activation energy [kJ/mol] of each mineral.
    temperature_degc, ref_temperature_degc : (n_cases,) float64
        Operating and reference temperature [°C].
    o2_kpa, ref_o2_kpa : (n_cases,) float64
        Operating and reference O2 partial pressure [kPa].
    size_um : (n_cls,) float64
        Representative size of each class [µm].
    ref_size_um : (n_cases,) float64
        Reference size [µm].

    Returns
    -------
    (n_cases, n_cls, n_min) float64
        t* [min].
    """
    n_cases, n_min = t_star_ref_min.shape
    n_cls = size_um.shape[0]
    out = np.empty((n_cases, n_cls, n_min))
    for i in range(n_cases):
        for c in range(n_cls):
            for m in range(n_min):
                out[i, c, m] = arrhenius_t_star_min(
                    t_star_ref_min[i, m],
                    activation_kj_mol[i, m],
                    temperature_degc[i],
                    ref_temperature_degc[i],
                    o2_kpa[i],
                    ref_o2_kpa[i],
                    size_um[c],
                    ref_size_um[i],
                )
    return out


@njit
def shrinking_particle_conversion(time_min: float, t_star_min: float) -> float:
    """Batch conversion of one particle, surface-reaction control.

    ``1 - (1 - X)^(1/3) = t / t*``, so ``X = 1 - (1 - t/t*)^3`` for ``t < t*`` and 1
    after (Papangelakis & Demopoulos 1990, Can. Metall. Q. 29(1):13; docs/models.md#pox; Levenspiel 1999, *Chemical Reaction Engineering*, 3rd ed.,
    ch. 25).

    Parameters
    ----------
    time_min : float
        Time in the reactor [min], >= 0.
    t_star_min : float
        Time for complete conversion [min], > 0.

    Returns
    -------
    float
        Conversion X [-].
    """
    if time_min >= t_star_min:
        return 1.0
    if time_min <= 0.0:
        return 0.0
    r = 1.0 - time_min / t_star_min
    return 1.0 - r * r * r


@njit
def cstr_series_conversion(t_star_min: float, residence_min: float, n_stages: int) -> float:
    """Mean shrinking-particle conversion over N equal perfect mixers (segregated flow).

    Papangelakis & Demopoulos 1990, Can. Metall. Q. 29(1):13; docs/models.md#pox defines ``X = 1 - ∫_0^{t*} (1 - t/t*)^3 E_N(t) dt`` with the Erlang
    RTD ``E_N``. Writing the Erlang variable as the waiting time of the N-th event of
    a Poisson process of rate ``N/τ`` and integrating the cubic term by term, the
    Chu-Vandermonde identity collapses the alternating sum into one of positive terms:

        1 - X = Σ_{i >= N} p_i (i-N+1)(i-N+2)(i-N+3) / [(i+1)(i+2)(i+3)],
        p_i = e^{-x} x^i / i!,  x = N t*/τ,

    which is summed over the Poisson mass (±12 standard deviations). When all of that
    mass lies above N (the particle almost never outlives t*, i.e. ``t* >> τ``), the
    truncated moments of the Erlang time are exact and

        X = 3r - 3r² (N+1)/N + r³ (N+1)(N+2)/N²,  r = τ/t*,

    whose N → ∞ limit is plug flow, ``1 - (1 - r)^3``.

    Parameters
    ----------
    t_star_min : float
        Time for complete conversion [min], > 0.
    residence_min : float
        Mean residence time of the whole train τ [min], >= 0 (0 gives X = 0).
    n_stages : int
        Number of equal compartments N [-], >= 1.

    Returns
    -------
    float
        Mean conversion X [-], in [0, 1].

    References
    ----------
    Levenspiel, O. (1999) Chemical Reaction Engineering, 3rd ed., Wiley, ch. 11 and 25
    (segregated flow, tanks-in-series RTD) [L]; Papangelakis & Demopoulos 1990, Can. Metall. Q. 29(1):13; docs/models.md#pox (ex06: X = 0.982499 at
    210 °C, 4 compartments, 60 min).
    """
    if residence_min <= 0.0:
        return 0.0
    if t_star_min <= 0.0:
        return 1.0
    n = n_stages
    x = n * t_star_min / residence_min
    spread = 12.0 * math.sqrt(x)
    if x - spread - 40.0 > n:
        r = residence_min / t_star_min
        return 3.0 * r - 3.0 * r * r * (n + 1.0) / n + r * r * r * (n + 1.0) * (n + 2.0) / (n * n)
    lo = max(n, int(x - spread))
    hi = max(n, int(x + spread)) + 80
    log_x = math.log(x)
    unreacted = 0.0
    for i in range(lo, hi + 1):
        log_p = -x + i * log_x - math.lgamma(i + 1.0)
        if log_p < -745.0:
            continue
        g = (i - n + 1.0) * (i - n + 2.0) * (i - n + 3.0) / ((i + 1.0) * (i + 2.0) * (i + 3.0))
        unreacted += math.exp(log_p) * g
    return min(max(1.0 - unreacted, 0.0), 1.0)


@njit
def oxidation_extent_batch(
    t_star_min: np.ndarray,
    residence_min: np.ndarray,
    n_stages: int,
    ultimate_frac: np.ndarray,
) -> np.ndarray:
    """Mean conversion of every mineral in every size class of every case.

    ``X = X_ult · X̄(t*, τ, N)`` with :func:`cstr_series_conversion`; ``X_ult`` < 1
    describes passivation (alkaline POX) and is 1 for acid POX.

    Parameters
    ----------
    t_star_min : (n_cases, n_cls, n_min) float64
        t* of each mineral in each size class [min].
    residence_min : (n_cases,) float64
        Residence time of the train [min].
    n_stages : int
        Number of equal compartments [-].
    ultimate_frac : (n_cases, n_min) float64
        Conversion reached at infinite residence time [-].

    Returns
    -------
    (n_cases, n_cls, n_min) float64
        Conversion [-].
    """
    n_cases, n_cls, n_min = t_star_min.shape
    out = np.empty((n_cases, n_cls, n_min))
    # ln i! and the cubic factor of every Poisson term the batch needs, computed once
    # with the expressions of cstr_series_conversion, so each conversion is unchanged
    top = n_stages
    for i in range(n_cases):
        for c in range(n_cls):
            for m in range(n_min):
                hi = _series_top(t_star_min[i, c, m], residence_min[i], n_stages)
                if hi <= SERIES_TABLE_MAX:
                    top = max(top, hi)
    log_factorial, cubic = _series_tables(top, n_stages)
    # cases of a batch often share t* and tau (only grade or hardness varies): a
    # conversion equal in its inputs to the previous case's is taken from it
    last = np.empty((n_cls, n_min))
    for i in range(n_cases):
        same_tau = i > 0 and residence_min[i] == residence_min[i - 1]
        for c in range(n_cls):
            for m in range(n_min):
                ts = t_star_min[i, c, m]
                if same_tau and ts == t_star_min[i - 1, c, m]:
                    x = last[c, m]
                elif _series_top(ts, residence_min[i], n_stages) <= top:
                    x = _cstr_series_tabulated(ts, residence_min[i], n_stages, log_factorial, cubic)
                else:
                    x = cstr_series_conversion(ts, residence_min[i], n_stages)
                last[c, m] = x
                out[i, c, m] = ultimate_frac[i, m] * x
    return out


#: Longest Poisson sum that oxidation_extent_batch tabulates; longer ones are summed directly.
SERIES_TABLE_MAX = 100_000


@njit
def _series_top(t_star_min: float, residence_min: float, n_stages: int) -> int:
    """Last term of the Poisson sum of :func:`cstr_series_conversion` (-1: no sum)."""
    if residence_min <= 0.0 or t_star_min <= 0.0:
        return -1
    n = n_stages
    x = n * t_star_min / residence_min
    spread = 12.0 * math.sqrt(x)
    if x - spread - 40.0 > n:
        return -1
    if not x + spread < SERIES_TABLE_MAX:
        return SERIES_TABLE_MAX + 1
    return max(n, int(x + spread)) + 80


@njit
def _series_tables(top: int, n_stages: int) -> tuple[np.ndarray, np.ndarray]:
    """``ln i!`` and ``(i-N+1)(i-N+2)(i-N+3)/((i+1)(i+2)(i+3))`` for i = 0..top."""
    n = n_stages
    log_factorial = np.empty(top + 1)
    cubic = np.empty(top + 1)
    for i in range(top + 1):
        log_factorial[i] = math.lgamma(i + 1.0)
        cubic[i] = (
            (i - n + 1.0) * (i - n + 2.0) * (i - n + 3.0) / ((i + 1.0) * (i + 2.0) * (i + 3.0))
        )
    return log_factorial, cubic


@njit
def _cstr_series_tabulated(
    t_star_min: float,
    residence_min: float,
    n_stages: int,
    log_factorial: np.ndarray,
    cubic: np.ndarray,
) -> float:
    """:func:`cstr_series_conversion` with its per-term constants read from tables."""
    if residence_min <= 0.0:
        return 0.0
    if t_star_min <= 0.0:
        return 1.0
    n = n_stages
    x = n * t_star_min / residence_min
    spread = 12.0 * math.sqrt(x)
    if x - spread - 40.0 > n:
        r = residence_min / t_star_min
        return 3.0 * r - 3.0 * r * r * (n + 1.0) / n + r * r * r * (n + 1.0) * (n + 2.0) / (n * n)
    lo = max(n, int(x - spread))
    hi = max(n, int(x + spread)) + 80
    log_x = math.log(x)
    unreacted = 0.0
    for i in range(lo, hi + 1):
        log_p = -x + i * log_x - log_factorial[i]
        if log_p < -745.0:
            continue
        unreacted += math.exp(log_p) * cubic[i]
    return min(max(1.0 - unreacted, 0.0), 1.0)


# ------------------------------------------------------------------ 2. stoichiometry


@njit
def oxidation_products_batch(
    oxidised_tph: np.ndarray,
    mineral_elements: np.ndarray,
    feed_acid_tph: np.ndarray,
    calcite_tph: np.ndarray,
    fe_solution_frac: np.ndarray,
    fe_bfs_frac: np.ndarray,
    fe_jarosite_frac: np.ndarray,
    as_solution_frac: np.ndarray,
    reagent_excess_frac: np.ndarray,
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

    1. As goes to scorodite (ferric arsenate, Fe:As 1:1, taking Fe from the pool), or
       a fraction ``as_solution_frac`` stays dissolved as arsenic acid;
    2. Cu goes to solution as CuSO4 (its sulfate S leaves the acid pool);
    3. the acid pool (sulfide S left + feed acid S) is consumed first by the ore
       calcite, ``CaCO3 + H2SO4 + H2O -> CaSO4·2H2O + CO2`` (0.98 t acid/t CaCO3),
       then by the iron that stays in solution as Fe2(SO4)3 (1.5 H2SO4 per Fe, which
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
    calcite_tph : (n_cases,) float64
        Calcite (CaCO3) entering with the feed [t/h].
    fe_solution_frac, fe_bfs_frac, fe_jarosite_frac : (n_cases,) float64
        Fractions of the released iron (not bound to arsenate) sent to solution,
        basic ferric sulfate and jarosite [-], summing to at most 1.
    as_solution_frac : (n_cases,) float64
        Fraction of the arsenic left in solution [-].
    reagent_excess_frac : (n_cases,) float64
        Reagent dosed above stoichiometry in the alkaline modes [-].
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
        fe = 0.0
        ars = 0.0
        s = 0.0
        cu = 0.0
        for m in range(n_min):
            fe += oxidised_tph[i, m] * mineral_elements[m, 0]
            ars += oxidised_tph[i, m] * mineral_elements[m, 1]
            s += oxidised_tph[i, m] * mineral_elements[m, 2]
            cu += oxidised_tph[i, m] * mineral_elements[m, 3]
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
        out[i, OUT_CO2] = c_reacted / pf[PF_CO2_C]
        gyp_s = s_c
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


# ------------------------------------------------------------------ 3. heat


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
def autothermal_sulfide_kg_t(
    solids_frac: float,
    feed_temperature_degc: float,
    temperature_degc: float,
    heat_mj_kg_s: float,
    solids_cp_kj_kg_k: float = 0.85,
    water_cp_kj_kg_k: float = 4.3,
    loss_frac: float = 0.10,
) -> float:
    """Sulfide S per tonne of solids whose oxidation heat just balances the slurry heat.

    ``S_req = Q_req / ΔH_S`` with ``Q_req`` from :func:`slurry_heat_mj_h` per tonne of
    solids at mass fraction solids ``w`` (water ``(1 - w)/w`` t per t) (Thomas 2005; Wagman et al. 1982, NBS tables; docs/models.md#pox;
    ex06: 45.38 kg/t at 50 % solids, 25 -> 210 °C, pyrite heat).

    Parameters
    ----------
    solids_frac : float
        Mass fraction of solids of the autoclave feed [-], in (0, 1].
    feed_temperature_degc, temperature_degc : float
        Feed and operating temperature [°C].
    heat_mj_kg_s : float
        Reaction heat per kg of S oxidised [MJ/kg S].
    solids_cp_kj_kg_k, water_cp_kj_kg_k : float
        Heat capacities [kJ/(kg K)]; defaults 0.85 and 4.3 [A/L] Thomas 2005; Wagman et al. 1982, NBS tables; docs/models.md#pox.
    loss_frac : float
        Losses as a fraction of the sensible heat [-]; default 0.10 [A].

    Returns
    -------
    float
        Sulfide S needed [kg/t of solids].
    """
    water_t = (1.0 - solids_frac) / solids_frac
    q_mj_t = (
        (solids_cp_kj_kg_k + water_t * water_cp_kj_kg_k)
        * (temperature_degc - feed_temperature_degc)
        * (1.0 + loss_frac)
    )
    return q_mj_t / heat_mj_kg_s


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


# ------------------------------------------------------------------ 4. neutralisation

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


# ------------------------------------------------------------------ 5. CCD


@njit
def ccd_underflow_fractions(
    n_stages: int,
    feed_liquor_tph: np.ndarray,
    wash_tph: np.ndarray,
    underflow_liquor_tph: np.ndarray,
) -> np.ndarray:
    """Fractions of the feed solutes and of the wash solutes leaving in the last underflow.

    N ideal stages (perfect mixing, the underflow liquor at the overflow tenor), solids
    from stage 1 to N, wash solution into stage N, product liquor from the stage-1
    overflow. Every stage underflow carries ``U`` of solution, so stages 2..N overflow
    the wash rate ``W`` and stage 1 overflows ``L_f + W - U``. The tenors solve a
    tridiagonal system (Thomas algorithm), once for a unit of feed solute and once for
    a unit of wash solute. When ``L_f + W < U`` the underflow takes all the liquor
    (``U`` is lowered to ``L_f + W``). For a clean wash the feed fraction has the closed
    form :func:`ccd_underflow_fraction_closed_form`.

    Parameters
    ----------
    n_stages : int
        Number of thickeners N [-], >= 1.
    feed_liquor_tph, wash_tph, underflow_liquor_tph : (n,) float64
        Solution in the feed, wash solution, and solution wanted in each underflow [t/h].

    Returns
    -------
    (n, 2) float64
        Fraction of feed solute and of wash solute reaching the final underflow [-].

    References
    ----------
    Wills, B.A., Finch, J.A. (2016) Wills' Mineral Processing Technology, 8th ed.,
    Butterworth-Heinemann, ch. 15 (counter-current decantation); Marsden, J.O.,
    House, C.I. (2006) The Chemistry of Gold Extraction, 2nd ed., SME, ch. 7 [L].
    """
    n = feed_liquor_tph.shape[0]
    out = np.zeros((n, 2))
    a = np.zeros(n_stages)
    b = np.zeros(n_stages)
    c = np.zeros(n_stages)
    d = np.zeros(n_stages)
    cp = np.zeros(n_stages)
    dp = np.zeros(n_stages)
    x = np.zeros(n_stages)
    for i in range(n):
        lf = feed_liquor_tph[i]
        w = wash_tph[i]
        u = min(underflow_liquor_tph[i], lf + w)
        if u <= 0.0:
            continue  # no liquor leaves with the solids
        for source in range(2):
            for j in range(n_stages):
                a[j] = -u if j > 0 else 0.0
                c[j] = -w if j < n_stages - 1 else 0.0
                b[j] = u + w
                d[j] = 0.0
            b[0] = lf + w
            # unit solute from the feed (stage 1) or from the wash (stage N)
            if source == 0:
                d[0] += 1.0
            else:
                d[n_stages - 1] += 1.0
            cp[0] = c[0] / b[0]
            dp[0] = d[0] / b[0]
            for j in range(1, n_stages):
                den = b[j] - a[j] * cp[j - 1]
                cp[j] = c[j] / den
                dp[j] = (d[j] - a[j] * dp[j - 1]) / den
            x[n_stages - 1] = dp[n_stages - 1]
            for j in range(n_stages - 2, -1, -1):
                x[j] = dp[j] - cp[j] * x[j + 1]
            out[i, source] = min(max(u * x[n_stages - 1], 0.0), 1.0)
    return out


@njit
def ccd_underflow_fraction_closed_form(
    n_stages: int, feed_liquor: float, wash: float, underflow_liquor: float
) -> float:
    """Fraction of the feed solutes lost in the final underflow, closed form (clean wash).

    ``φ = U / (L_f S_N + W R^(N-1))`` with ``R = W/U`` and ``S_N = Σ_{k<N} R^k``; for a
    feed carrying the underflow liquor (``L_f = U``) it is the textbook
    ``(R - 1)/(R^(N+1) - 1)`` (Wills & Finch 2016 ch. 15), and ``1/(N+1)`` at ``R = 1``.

    Parameters
    ----------
    n_stages : int
        Number of stages N [-].
    feed_liquor, wash, underflow_liquor : float
        L_f, W and U [t/h], with ``L_f + W >= U > 0``.

    Returns
    -------
    float
        φ [-].
    """
    r = wash / underflow_liquor
    s_n = 0.0
    term = 1.0
    for _ in range(n_stages):
        s_n += term
        term *= r
    return underflow_liquor / (feed_liquor * s_n + wash * r ** (n_stages - 1))


# ------------------------------------------------------------------ 6. fine grinding


@njit
def rowland_ef5(p80_um: float) -> float:
    """Rowland's fineness factor ``EF5 = (P80 + 10.3)/(1.145 P80)`` below 75 µm, else 1.

    Parameters
    ----------
    p80_um : float
        Product P80 [µm], > 0.

    Returns
    -------
    float
        EF5 [-].

    References
    ----------
    Rowland, C.A., Kjos, D.M. (1980) Rod and ball mills. In Mular, A.L., Bhappu, R.B.
    (eds) Mineral Processing Plant Design, 2nd ed., SME, 239-278 [L]; Bond 1952, Trans. AIME 193:484; Rowland & Kjos 1980; Wills & Finch 2016; docs/models.md#ball_mill.
    """
    if p80_um >= EF5_LIMIT_UM:
        return 1.0
    return (p80_um + 10.3) / (1.145 * p80_um)


@njit
def fine_grind_energy_kwh_t(
    model: int,
    wi_kwh_t: float,
    f80_um: float,
    p80_um: float,
    power_law_k: float,
    power_law_exponent: float,
) -> float:
    """Specific energy of a fine (stirred-mill) regrind from F80 to P80.

    ``model = 0``: Bond's law with Rowland's EF5,
    ``E = 10 Wi (1/√P80 - 1/√F80) EF5(P80)`` (Bond 1952, Trans. AIME 193:484; Rowland & Kjos 1980; Wills & Finch 2016; docs/models.md#ball_mill); EF5 was fitted down to
    about 10 µm and its use below is an extrapolation [L].
    ``model = 1``: stirred-mill energy-size power law
    ``E = K (P80^(-z) - F80^(-z))`` (sizes in µm), the form of signature-plot fits
    [assumed form; calibrate K and z to a signature test].
    Zero when ``P80 >= F80`` (nothing to grind).

    Parameters
    ----------
    model : int
        0 Bond with EF5, 1 power law.
    wi_kwh_t : float
        Bond ball-mill work index [kWh/t] (model 0).
    f80_um, p80_um : float
        Feed and product P80 [µm].
    power_law_k : float
        K [kWh/t µm^z] (model 1).
    power_law_exponent : float
        z [-] (model 1).

    Returns
    -------
    float
        Specific energy [kWh/t].
    """
    if not p80_um < f80_um:
        return 0.0
    if model == 0:
        bond = 10.0 * wi_kwh_t * (1.0 / math.sqrt(p80_um) - 1.0 / math.sqrt(f80_um))
        return bond * rowland_ef5(p80_um)
    return power_law_k * (p80_um**-power_law_exponent - f80_um**-power_law_exponent)


@njit
def locked_gold_exposure(
    p80_um: float,
    f80_um: float,
    grain_um: float,
    exponent: float,
    liberable_frac: float,
) -> float:
    """Fraction of the locked gold that a regrind from F80 to P80 exposes.

    Exposure of inclusions of size ``d_g`` at grind size x:
    ``E(x) = 1 - exp[-(d_g/x)^m]`` (a Gaudin-type liberation curve [assumed form]).
    Of the gold still locked at F80, the fraction ``L`` that sits in inclusions (the
    rest is submicroscopic or in solid solution and is not freed by grinding, Marsden
    & House 2006 ch. 2 [L]) is exposed in proportion to the gain in E:

        f = L [E(P80) - E(F80)] / [1 - E(F80)],

    0 at ``P80 >= F80`` and ``L`` as ``P80 -> 0``; finer grinding never lowers it.

    Parameters
    ----------
    p80_um, f80_um : float
        Product and feed P80 [µm].
    grain_um : float
        Characteristic size of the locked gold inclusions d_g [µm].
    exponent : float
        Sharpness m of the curve [-].
    liberable_frac : float
        Fraction L of the locked gold in inclusions that grinding can expose [-].

    Returns
    -------
    float
        Fraction of the locked gold exposed [-].
    """
    if not p80_um < f80_um:
        return 0.0
    e_feed = -math.expm1(-((grain_um / f80_um) ** exponent))
    e_prod = -math.expm1(-((grain_um / p80_um) ** exponent))
    return liberable_frac * (e_prod - e_feed) / (1.0 - e_feed)


@njit
def regrind_class_masses(
    edges_um: np.ndarray, class_mass: np.ndarray, product_passing: np.ndarray
) -> np.ndarray:
    """Redistribute solids over size classes so that nothing gets coarser.

    Per case and species, the product's cumulative passing at each class edge is the
    larger of the feed's and the target product distribution's, so that the regrind
    never coarsens a particle and each species keeps its mass.

    Parameters
    ----------
    edges_um : (n_cls,) float64
        Descending class edges [µm].
    class_mass : (n_cases, n_cls, n_sp) float64
        Feed solids per class and species [t/h].
    product_passing : (n_cases, n_cls) float64
        Target cumulative passing at each edge [-] (1 at the top edge).

    Returns
    -------
    (n_cases, n_cls, n_sp) float64
        Product solids per class and species [t/h].
    """
    n_cases, n_cls, n_sp = class_mass.shape
    out = np.zeros_like(class_mass)
    passing = np.empty(n_cls + 1)
    for i in range(n_cases):
        for s in range(n_sp):
            total = 0.0
            for c in range(n_cls):
                total += class_mass[i, c, s]
            if total <= 0.0:
                continue
            # feed passing at edge c = mass in classes c..end over the total
            below = total
            for c in range(n_cls):
                feed_p = below / total
                passing[c] = max(feed_p, product_passing[i, c]) if c > 0 else 1.0
                below -= class_mass[i, c, s]
            passing[n_cls] = 0.0
            for c in range(n_cls - 1):
                out[i, c, s] = total * (passing[c] - passing[c + 1])
            # the sink takes the rest, so the species' mass is kept to rounding
            acc = 0.0
            for c in range(n_cls - 1):
                acc += out[i, c, s]
            out[i, n_cls - 1, s] = total - acc
    return out

"""Cyanide-free lixiviant kernels: reagent inventory, degradation, oxidant and acid demand.

The leach kinetics (first order per size and gold class) and the counter-current
adsorbent cascade are shared with cyanidation and live in ``oreflow.kernels.leaching``
(``leach_train_batch``, ``size_dependent_leach_params``, ``adsorption_train_batch``); this
module holds the chemistry that differs between lixiviants (Aylmore, in Adams (ed.) 2016, ch. 27; docs/models.md#lixiviant_common):

- reagent inventory held in the solution that leaves with a tonne of solids, and the
  make-up it costs when part of that solution is not recycled (ex11);
- loss of a reagent held at a set tenor in a train of tanks (thiosulfate oxidation to
  tetrathionate and polythionates, glycine and ammonia losses, hypochlorite
  decomposition);
- competition of polythionates with gold for resin sites;
- oxidant (Cl₂ equivalents) and acid/base demand of sulfide oxidation, from electron
  and charge balances of the mineral's elements;
- cyanide and glycine bound by copper in the cyanide-starved glycine (GlyCat) system;
- the heat needed to bring a pulp to the leach temperature.

Array contract as in ``oreflow.kernels.leaching``: float64 arrays or scalars in, arrays
or scalars out; flows in t/h, solution volume in m³/h (1 t/m³), tenors in g/m³ = mg/L,
times in h; kernels never mutate their inputs.
"""

from __future__ import annotations

import numpy as np

# molar masses of ``oreflow.conventions``; those imported "as" themselves are read from
# here by the cyanide-free units (``lx.AU_G_MOL``): re-exported, not redefined
from oreflow.conventions import AG_G_MOL as AG_G_MOL
from oreflow.conventions import (
    AS_G_MOL,
    CN_G_MOL,
    CU_G_MOL,
    FE_G_MOL,
    NACN_G_MOL,
    OCN_G_MOL,
    S_G_MOL,
)
from oreflow.conventions import AU_G_MOL as AU_G_MOL
from oreflow.conventions import CAO_G_MOL as CAO_G_MOL
from oreflow.conventions import CL_G_MOL as CL_G_MOL
from oreflow.conventions import HCL_G_MOL as HCL_G_MOL
from oreflow.conventions import NACL_G_MOL as NACL_G_MOL
from oreflow.conventions import NAOH_G_MOL as NAOH_G_MOL
from oreflow.kernels._jit import njit

#: Molar masses [g/mol] as used by docs/models.md example ex11 (rounded; the IUPAC 2021
#: values differ by at most 1.1e-4 relative: S2O3 112.12, FeS2 119.97, Cl2 70.90).
S2O3_G_MOL = 112.13
CAS2O3_G_MOL = 152.21
GLYCINE_G_MOL = 75.07
CL2_G_MOL = 70.906
FES2_G_MOL = 119.97
NAOCL_G_MOL = 74.44
#: Further molar masses [g/mol] from IUPAC 2021 standard atomic weights [S].
AMMONIUM_THIOSULFATE_G_MOL = 148.21  # (NH4)2S2O3

#: Oxidation state of each element after complete oxidation of a sulfide mineral
#: [S: stoichiometry]: Fe(III), S(VI) as sulfate, As(V) as arsenate, Cu(II). A sulfide
#: mineral has a formal total oxidation state of zero, so these give its electrons.
FE_VALENCE = 3.0
S_VALENCE = 6.0
AS_VALENCE = 5.0
CU_VALENCE = 2.0
#: Electrons given up by gold and silver in chloride: AuCl4⁻ (Au(III)), AgCl₂⁻ (Ag(I)).
AU_CHLORIDE_VALENCE = 3.0
AG_CHLORIDE_VALENCE = 1.0

#: Charge of the dissolved product of each element [assumed speciation]: Fe³⁺ (or a
#: neutral Fe(OH)₃ precipitate), SO₄²⁻, H₂AsO₄⁻ (pH 3-7), Cu²⁺.
FE_ION_CHARGE = 3.0
SULFATE_CHARGE = -2.0
ARSENATE_CHARGE = -1.0
CU_ION_CHARGE = 2.0

#: mol glycine bound per mol Cu as the bis-glycinate Cu(NH₂CH₂COO)₂ [S: stoichiometry]
#: (Oraby & Eksteen 2014, Hydrometallurgy 150:14, doi:10.1016/j.hydromet.2014.09.005 [DOI not checked]).
GLYCINE_PER_CU = 2.0
#: mol CN⁻ per mol Cu(II) dissolved as Cu(CN)₃²⁻ plus cyanate (Marsden & House 2006; docs/models.md#cil) [S].
CN_PER_CU = 3.5
#: of which complexed (WAD) and oxidised to cyanate [S]:
#: 2 Cu²⁺ + 7 CN⁻ + 2 OH⁻ → 2 Cu(CN)₃²⁻ + CNO⁻ + H₂O.
WAD_CN_PER_CU = 3.0
OCN_PER_CU = 0.5

#: Specific heats [kJ/(kg K)]: water 4.18 [S]; silicate ore solids about 0.8 [L]
#: (Perry's Chemical Engineers' Handbook, 8th ed., §2).
CP_WATER_KJ_KG_K = 4.18
CP_SOLIDS_KJ_KG_K = 0.8

_KG_PER_T = 1.0e3
_G_PER_T = 1.0e6
_S_PER_H = 3600.0


@njit
def held_tenor_loss_tph(
    solution_m3_h: np.ndarray,
    tenor_g_m3: np.ndarray,
    loss_per_h: np.ndarray,
    tank_residence_h: np.ndarray,
) -> np.ndarray:
    """Reagent destroyed in a tank train that holds its tenor by staged addition.

    A reagent held at tenor ``C`` (topped up in every tank) and lost at first order
    ``dC/dt = −k_d C`` loses ``k_d C Q_l τ_j`` in tank ``j``; over the train

        loss [t/h] = k_d · C · Q_l · Σ_j τ_j / 10⁶

    Zero residence loses nothing; the loss grows linearly with residence time.

    Parameters
    ----------
    solution_m3_h : (n_cases,) float64
        Solution flow through the train Q_l [m³/h].
    tenor_g_m3 : (n_cases,) float64
        Tenor held in the tanks C [g/m³].
    loss_per_h : (n_cases,) float64
        First-order loss rate constant k_d [1/h], >= 0.
    tank_residence_h : (n_cases, n_tanks) float64
        Residence time of each tank [h].

    Returns
    -------
    (n_cases,) float64
        Reagent destroyed [t/h].

    References
    ----------
    M. G. Aylmore and D. M. Muir, "Thiosulfate leaching of gold - a review", Miner.
    Eng. 14(2):135-174, 2001, doi:10.1016/S0892-6875(00)00172-2 [DOI not checked] (thiosulfate
    oxidation to tetrathionate and polythionates; the first-order form at a held
    tenor is [assumed]).

    Examples
    --------
    >>> import numpy as np
    >>> out = held_tenor_loss_tph(
    ...     np.array([150.0]), np.array([11213.0]), np.array([0.01]), np.full((1, 4), 6.0)
    ... )
    >>> round(float(out[0]), 6)
    0.403668
    """
    n = solution_m3_h.shape[0]
    out = np.empty(n)
    for i in range(n):
        total_h = 0.0
        for j in range(tank_residence_h.shape[1]):
            total_h += tank_residence_h[i, j]
        out[i] = loss_per_h[i] * tenor_g_m3[i] * solution_m3_h[i] * total_h / _G_PER_T
    return out


@njit
def mean_train_tenor_g_m3(feed_tenor_g_m3: float, made_g_m3: float, tau_h: np.ndarray) -> float:
    """Mean over the tanks of a by-product's tenor that builds up along the train.

    A by-product made at a rate proportional to residence (polythionates from
    thiosulfate at a held tenor) leaves tank ``j`` at
    ``C_j = C_0 + ΔC · Σ_{i<=j} τ_i / Σ τ``; this returns ``mean_j C_j``, the tenor a
    train-average quantity (resin affinity) sees. Equal tanks give
    ``C_0 + ΔC (N + 1)/(2N)``.

    Parameters
    ----------
    feed_tenor_g_m3 : float
        Tenor entering tank 1, C_0 [g/m³].
    made_g_m3 : float
        Tenor added over the whole train ΔC [g/m³].
    tau_h : (n_tanks,) float64
        Residence time of each tank [h].

    Returns
    -------
    float
        Mean tank tenor [g/m³]; ``C_0`` when the train has no residence.

    Examples
    --------
    >>> import numpy as np
    >>> float(mean_train_tenor_g_m3(100.0, 800.0, np.full(4, 6.0)))
    600.0
    """
    n = tau_h.shape[0]
    total = 0.0
    for j in range(n):
        total += tau_h[j]
    if n == 0 or total <= 0.0:
        return feed_tenor_g_m3
    acc = 0.0
    cum = 0.0
    for j in range(n):
        cum += tau_h[j]
        acc += cum / total
    return feed_tenor_g_m3 + made_g_m3 * acc / n


@njit
def competitive_affinity_frac(competitor_g_m3: float, half_g_m3: float) -> float:
    """Share of an adsorbent's gold affinity left when a competing anion is present.

    Langmuir-type competition for the same sites: the pseudo-equilibrium constant
    of gold falls as ``K_eff = K / (1 + C_x / C_half)``, with ``C_half`` the competitor
    tenor that halves it. Used for polythionates on strong-base resin in thiosulfate
    leaching, "a major process-control issue" (Aylmore & Muir 2001, Miner. Eng. 14(2):135; docs/models.md#thiosulfate). The form is a
    standard competitive-sorption approximation; ``C_half`` is [assumed] and must come
    from resin loading tests.

    Parameters
    ----------
    competitor_g_m3 : float
        Tenor of the competing species [g/m³], >= 0.
    half_g_m3 : float
        Tenor that halves the gold affinity [g/m³], > 0.

    Returns
    -------
    float
        ``K_eff / K`` [-], in (0, 1].

    References
    ----------
    P. L. Breuer, C. A. Jeffrey and M. I. Jeffrey, "Thiosulfate leaching and resin
    recovery of gold from ores", Proc. Fifth Int. Symp. Hydrometallurgy, TMS, 2003
    (polythionates compete with gold thiosulfate for resin sites) [L, not checked].

    Examples
    --------
    >>> competitive_affinity_frac(2000.0, 2000.0)
    0.5
    """
    return 1.0 / (1.0 + competitor_g_m3 / half_g_m3)


@njit
def sulfide_electrons_mol_g(fe_frac: float, s_frac: float, as_frac: float, cu_frac: float) -> float:
    """Electrons released by complete oxidation of one gram of a sulfide mineral.

    With the mineral's element mass fractions and a formal total oxidation state of
    zero, complete oxidation to Fe(III), sulfate, arsenate and Cu(II) releases

        e [mol/g] = 3 x_Fe/M_Fe + 6 x_S/M_S + 5 x_As/M_As + 2 x_Cu/M_Cu

    e.g. FeS₂ + 8 H₂O → Fe³⁺ + 2 SO₄²⁻ + 16 H⁺ + 15 e⁻ (15 mol e⁻ per 119.97 g).

    Parameters
    ----------
    fe_frac, s_frac, as_frac, cu_frac : float
        Mass fraction of each element in the mineral [-].

    Returns
    -------
    float
        Electrons [mol per g of mineral].

    Examples
    --------
    >>> round(sulfide_electrons_mol_g(0.46550, 0.53450, 0.0, 0.0) * 119.965, 3)
    15.0
    """
    return (
        FE_VALENCE * fe_frac / FE_G_MOL
        + S_VALENCE * s_frac / S_G_MOL
        + AS_VALENCE * as_frac / AS_G_MOL
        + CU_VALENCE * cu_frac / CU_G_MOL
    )


@njit
def chlorine_demand_g_g(electrons_mol_g: float) -> float:
    """Chlorine (or hypochlorite, as Cl₂ equivalent) to accept those electrons [g/g].

    Cl₂ + 2 e⁻ → 2 Cl⁻ (and OCl⁻ + 2 H⁺ + 2 e⁻ → Cl⁻ + H₂O, the same 2 e⁻ per mol), so
    ``Cl₂ [g/g] = e/2 · M(Cl₂)``. Pyrite: 7.5 mol Cl₂ per mol, 4.433 g/g; gold (3 e⁻
    to AuCl₄⁻): 0.540 g/g (Aylmore, in Adams (ed.) 2016, ch. 27; docs/models.md#halide, ex11).

    Parameters
    ----------
    electrons_mol_g : float
        Electrons released per gram oxidised [mol/g].

    Returns
    -------
    float
        Cl₂ equivalents consumed [g per g oxidised].

    Examples
    --------
    >>> round(chlorine_demand_g_g(15.0 / 119.97), 4)
    4.4327
    >>> round(chlorine_demand_g_g(3.0 / 196.967), 4)
    0.54
    """
    return 0.5 * electrons_mol_g * CL2_G_MOL


@njit
def sulfide_protons_mol_g(
    fe_frac: float,
    s_frac: float,
    as_frac: float,
    cu_frac: float,
    iron_precipitates: bool,
) -> float:
    """Protons released by complete oxidation of one gram of a sulfide mineral.

    Charge balance of the half reaction ``mineral + n H₂O → products + m H⁺ + e e⁻``
    gives ``m = e − q`` with ``q`` the total charge of the products: Fe³⁺ (+3, or a
    neutral Fe(OH)₃ when iron precipitates, which releases 3 more H⁺), SO₄²⁻ (−2),
    H₂AsO₄⁻ (−1) and Cu²⁺ (+2) [assumed speciation]. Pyrite gives 16 H⁺ per mol with
    Fe³⁺ in solution and 19 with Fe(OH)₃.

    Parameters
    ----------
    fe_frac, s_frac, as_frac, cu_frac : float
        Mass fraction of each element in the mineral [-].
    iron_precipitates : bool
        Whether iron ends as Fe(OH)₃ (hypochlorite at pH 6-8) rather than Fe³⁺.

    Returns
    -------
    float
        H⁺ released [mol per g of mineral].

    Examples
    --------
    >>> round(sulfide_protons_mol_g(0.46550, 0.53450, 0.0, 0.0, True) * 119.965, 3)
    19.0
    """
    fe_charge = 0.0 if iron_precipitates else FE_ION_CHARGE
    charge = (
        fe_charge * fe_frac / FE_G_MOL
        + SULFATE_CHARGE * s_frac / S_G_MOL
        + ARSENATE_CHARGE * as_frac / AS_G_MOL
        + CU_ION_CHARGE * cu_frac / CU_G_MOL
    )
    return sulfide_electrons_mol_g(fe_frac, s_frac, as_frac, cu_frac) - charge


@njit
def starved_cyanide_copper_tph(
    cu_leached_tph: np.ndarray, cu_glycine_frac: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cyanide and glycine bound by copper in the glycine-cyanide (GlyCat) system.

    Of the copper dissolved, a share ``f`` is held as the bis-glycinate (2 mol glycine
    per mol Cu) and the rest takes cyanide as in conventional cyanidation (Marsden & House 2006; docs/models.md#cil): 3.5 mol CN⁻ per mol Cu, 3 of them complexed as Cu(CN)₃²⁻ (weak-acid
    dissociable, WAD) and 0.5 oxidised to cyanate. ``f = 1`` is glycine alone; ``f = 0``
    is cyanide alone. The cut in cyanide use on Cu-Au ores is the point of the process
    (Oraby, Eksteen & Tanda 2017); the split ``f`` is [assumed], set from testwork.

    Parameters
    ----------
    cu_leached_tph : (n_cases,) float64
        Copper dissolved [t/h].
    cu_glycine_frac : (n_cases,) float64
        Share of that copper complexed by glycine f [-], in [0, 1].

    Returns
    -------
    nacn_tph : (n_cases,) float64
        NaCN consumed by copper [t/h] (2.699 t per t Cu cyanide-complexed).
    wad_cn_tph : (n_cases,) float64
        Cyanide held in copper complexes, as CN [t/h].
    ocn_tph : (n_cases,) float64
        Cyanate formed, as OCN [t/h].
    glycine_tph : (n_cases,) float64
        Glycine bound by copper [t/h] (2.363 t per t Cu glycine-complexed).

    References
    ----------
    E. A. Oraby, J. J. Eksteen and B. C. Tanda, "Gold and copper leaching from
    gold-copper ores and concentrates using a synergistic lixiviant mixture of glycine
    and cyanide", Hydrometallurgy 169:339-345, 2017,
    doi:10.1016/j.hydromet.2017.02.019 [DOI not checked; citation checked].

    Examples
    --------
    >>> import numpy as np
    >>> cn, wad, ocn, gly = starved_cyanide_copper_tph(np.array([1.0]), np.array([0.0]))
    >>> round(float(cn[0]), 4), round(float(gly[0]), 4)
    (2.6993, 0.0)
    """
    n = cu_leached_tph.shape[0]
    nacn = np.empty(n)
    wad = np.empty(n)
    ocn = np.empty(n)
    gly = np.empty(n)
    for i in range(n):
        cu_mol = cu_leached_tph[i] / CU_G_MOL  # t/h / (g/mol) = Mmol/h
        cyanide_cu = (1.0 - cu_glycine_frac[i]) * cu_mol
        nacn[i] = CN_PER_CU * cyanide_cu * NACN_G_MOL
        wad[i] = WAD_CN_PER_CU * cyanide_cu * CN_G_MOL
        ocn[i] = OCN_PER_CU * cyanide_cu * OCN_G_MOL
        gly[i] = GLYCINE_PER_CU * cu_glycine_frac[i] * cu_mol * GLYCINE_G_MOL
    return nacn, wad, ocn, gly


@njit
def pulp_heat_duty_kw(
    solids_tph: np.ndarray, water_tph: np.ndarray, rise_k: np.ndarray
) -> np.ndarray:
    """Heat to raise a pulp to the leach temperature, with no recovery or losses [kW].

        Q = (ṁ_w c_p,w + ṁ_s c_p,s) ΔT,   c_p,w = 4.18, c_p,s = 0.8 kJ/(kg K)

    A negative rise (cooling) is reported as zero heat.

    Parameters
    ----------
    solids_tph : (n_cases,) float64
        Dry solids flow [t/h].
    water_tph : (n_cases,) float64
        Water flow [t/h].
    rise_k : (n_cases,) float64
        Temperature rise [K].

    Returns
    -------
    (n_cases,) float64
        Heat duty [kW].

    Examples
    --------
    >>> import numpy as np
    >>> round(float(pulp_heat_duty_kw(np.array([100.0]), np.array([150.0]), np.array([35.0]))[0]), 2)
    6873.61
    """
    n = solids_tph.shape[0]
    out = np.empty(n)
    for i in range(n):
        rise = max(rise_k[i], 0.0)
        kj_per_h = (water_tph[i] * CP_WATER_KJ_KG_K + solids_tph[i] * CP_SOLIDS_KJ_KG_K) * _KG_PER_T
        out[i] = kj_per_h * rise / _S_PER_H
    return out

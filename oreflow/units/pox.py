"""Pressure oxidation of refractory sulfide ore: acid and alkaline POX.

Acid POX (``pox_acid``, Marsden & House 2006; Thomas 2005, Dev. Miner. Process. 15; docs/models.md#pox)
    Sulfides oxidise in an autoclave of N equal compartments. Each mineral in each size
    class converts by the shrinking-particle, surface-reaction model averaged over the
    Erlang residence-time distribution (segregated flow), with
    ``t* = t*_ref (d/d_ref)(P_ref/P_O2) exp[(Ea/R)(1/T - 1/T_ref)]`` (Papangelakis & Demopoulos 1990, Can. Metall. Q. 29(1):13; docs/models.md#pox;
    Papangelakis & Demopoulos 1990, Can. Metall. Q. 29:1-20,
    doi:10.1179/cmq.1990.29.1.1). Products (``oreflow.kernels.oxidation.
    oxidation_products_batch``): Fe to hematite, or optionally to solution as ferric
    sulfate, to basic ferric sulfate (high acid) or to jarosite; As to scorodite (or
    left in solution); Cu to solution as CuSO4; S to free acid, less what carbonates,
    metal sulfates and the iron sinks consume; ore calcite to gypsum and CO2 (to the
    vent). O2 is 1.8714 / 3.4932 / 2.2456 / 2.1209 t per t S oxidised for pyrite,
    arsenopyrite, pyrrhotite, chalcopyrite, divided by the utilisation for the oxygen
    bought (``use_o2_kg_h``). The heat balance (Thomas 2005; Wagman et al. 1982, NBS tables; docs/models.md#pox) compares the reaction
    heat with the heat that raises the feed slurry to temperature plus losses: a
    surplus is removed by cooling (reported) or by quench water (added to the pulp), a
    deficit is reported as the feed temperature the autoclave would need (flash-steam
    preheat) and as direct steam. Gold locked in sulfides (``au_sulfide``) becomes
    ``au_free`` in each size class in proportion to the oxidation of its host
    (Marsden & House 2006; Thomas 2005; docs/models.md#pox: the leach that follows then recovers it).
Alkaline POX (``pox_alkaline``, Marsden & House 2006; Adams (ed.) 2016, Gold Ore Processing; docs/models.md#biox)
    Same O2 per S and the same kinetic form, with the rate constant multiplied by
    ``alkaline_rate_factor`` (< 1, slower [assumed]) and conversion capped at
    ``ultimate_oxidation_frac`` (passivation by iron oxide/gypsum films [assumed]).
    No free acid survives: sulfate is neutralised first by the ore carbonates, then by
    added limestone (gypsum) or soda ash (sodium sulfate in solution). Chalcopyrite is
    not oxidised (no copper chemistry at alkaline pH is modelled) and passes through.
    This is the route for carbonate-rich and carbonaceous ore ahead of thiosulfate
    (Goldstrike, Marsden & House 2006; Adams (ed.) 2016, Gold Ore Processing; docs/models.md#biox). On preg-robbing we assume that neither POX route
    destroys carbonaceous matter by default (``tcm_oxidation_frac = 0``): the
    Goldstrike TCM circuit exists because preg-robbing carbon survives the autoclave,
    and thiosulfate is used because its gold complex is hardly adsorbed by it; a
    fraction burnt can be set from testwork, in proportion to the sulfide oxidation.

Residue chemistry (acid POX):

- elemental sulfur: below 200 °C a fraction of each mineral's oxidised S stops at S0
  (``oreflow.kernels.elemental_sulfur``, a falling logistic in temperature, zero from
  200 °C; Jorjani & Ghahreman 2017, Hydrometallurgy 171:333; Papangelakis &
  Demopoulos 1991, Hydrometallurgy 26:309; curve parameters [assumed]); S0 makes no
  acid, takes 1.5 mol O2 less per mol S and releases 19.4 MJ/kg S less heat, and
  leaves as the solid ``sulfur``. Driver: ``temperature_degc``;
- gangue carbonates: calcite (0.98 t acid/t) then dolomite (1.064 t acid/t, half its
  sulfate to gypsum, half dissolved as MgSO4) consume the acid and vent their CO2;
  siderite oxidises to the iron products (no net acid when its Fe becomes hematite,
  0.25 mol O2 per Fe); small carbonate reaction heats (Wagman et al. 1982) enter the
  heat balance (Marsden & House 2006, ch. 5). Silicate gangue (chlorite, micas)
  consumes no acid here: no source with a usable figure was found;
- basic ferric sulfate and jarosite made here are converted, with their lime demand,
  in a downstream ``neutralisation`` at a lime pH (Fleming 2010, Miner. Metall.
  Process. 27(2):81).

Assumptions shared by both (say so when reporting): the products of oxidation
(hematite, scorodite, basic ferric sulfate, jarosite, gypsum, sulfur) precipitate from
solution and are spread over the size classes by an RRB with a d50 per species
[assumed] (``oreflow.units.products``: hematite 3 um, basic sulfates and arsenate 5-8
um, gypsum 30 um); the unreacted core of a particle stays in its size class; reaction
and hydration water and the flash steam are not taken from the water balance (the
flash is assumed recovered as feed preheat); gypsum stands for the anhydrite formed at
temperature; molten-sulfur wetting below 200 °C and the hot cure are not modelled.
The reaction heats of arsenopyrite and chalcopyrite are [assumed] (see the kernel).

The CO2 that the autoclave releases from the ore's carbonates and carbonaceous matter
leaves by the ``vent`` outlet to a vent unit (``oreflow.units.vent``), so that carbon
closes.
"""

from __future__ import annotations

from typing import Any

from oreflow.core.components import ComponentSet
from oreflow.core.schema import Param, frac, positive
from oreflow.errors import Problem
from oreflow.units import reagents
from oreflow.units.base import Sizing, UnitSpec, UnitType
from oreflow.units.oxidiser import Oxidiser, check_oxidiser
from oreflow.units.oxidiser_params import (
    GOLD_HOST,
    HEAT_MJ_KG_S,
    MINERAL_TABLE,
    MODE_ACID,
    MODE_ALKALINE,
    OXIDISABLE,
    POX_ACTIVATION_KJ_MOL,
    POX_T_STAR_REF_MIN,
    Chemistry,
    heat_params,
)

_CHEMISTRY_ACID: tuple[Param, ...] = (
    frac(
        "fe_to_solution_frac",
        0.0,
        "fraction of the released iron (not in scorodite) left dissolved as ferric sulfate",
        "assumed; low temperature or high acid keeps more Fe in solution (Marsden & House 2006; Thomas 2005, Dev. Miner. Process. 15; docs/models.md#pox)",
    ),
    frac(
        "fe_to_bfs_frac",
        0.0,
        "fraction of the released iron precipitated as basic ferric sulfate Fe(OH)SO4",
        "assumed; BFS forms at high free acid and temperature (Marsden & House 2006; Thomas 2005, Dev. Miner. Process. 15; docs/models.md#pox)",
    ),
    frac(
        "fe_to_jarosite_frac",
        0.0,
        "fraction of the released iron precipitated as jarosite",
        "assumed (Marsden & House 2006; Thomas 2005, Dev. Miner. Process. 15; docs/models.md#pox)",
    ),
    frac(
        "as_to_solution_frac",
        0.0,
        "fraction of the arsenic left dissolved as arsenic acid (the rest forms scorodite)",
        "assumed; at POX temperature ferric arsenate precipitates (Marsden & House 2006; Thomas 2005, Dev. Miner. Process. 15; docs/models.md#pox, Directive 2006/21/EC; Wills & Finch 2016; docs/models.md#residue)",
    ),
)


_TCM = frac(
    "tcm_oxidation_frac",
    0.0,
    "fraction of the carbonaceous matter burnt to CO2 at full sulfide oxidation (scaled by it)",
    "assumed 0: POX does not reliably destroy preg-robbing carbon (Marsden & House 2006; Thomas 2005; docs/models.md#pox, Marsden & House 2006; Adams (ed.) 2016, Gold Ore Processing; docs/models.md#biox)",
)

_KINETIC_REF: tuple[Param, ...] = (
    Param(
        "kinetics_ref_temperature_degc",
        "°C",
        210.0,
        "temperature at which the minerals' t_star_ref_min are stated",
        "Papangelakis & Demopoulos 1990, Can. Metall. Q. 29(1):13; docs/models.md#pox ex06",
        lo=0.0,
        hi=300.0,
    ),
    positive(
        "kinetics_ref_o2_kpa",
        "kPa",
        700.0,
        "O2 partial pressure at which the minerals' t_star_ref_min are stated",
        "Papangelakis & Demopoulos 1990, Can. Metall. Q. 29(1):13; docs/models.md#pox ex06",
        hi=5000.0,
    ),
    positive(
        "kinetics_ref_size_um",
        "µm",
        20.0,
        "particle size at which the minerals' t_star_ref_min are stated",
        "Papangelakis & Demopoulos 1990, Can. Metall. Q. 29(1):13; docs/models.md#pox ex06",
        hi=10000.0,
    ),
)

_POX_COMMON: tuple[Param, ...] = (
    Param(
        "temperature_degc",
        "°C",
        210.0,
        "autoclave operating temperature",
        "190-230 °C [L]; Pueblo Viejo 230 °C [S] (Marsden & House 2006; Thomas 2005, Dev. Miner. Process. 15; docs/models.md#pox)",
        lo=150.0,
        hi=250.0,
    ),
    Param(
        "residence_min",
        "min",
        60.0,
        "mean slurry residence time of the autoclave (all compartments)",
        "1-2 h [L] Marsden & House 2006; Thomas 2005, Dev. Miner. Process. 15; docs/models.md#pox; ex06 60 min",
        lo=0.0,
        hi=1000.0,
    ),
    Param(
        "n_compartments",
        "-",
        4,
        "number of equal, perfectly mixed compartments",
        "4-6 [L] Marsden & House 2006; Thomas 2005, Dev. Miner. Process. 15; docs/models.md#pox",
        kind=int,
        lo=1,
        hi=50,
    ),
    positive(
        "o2_partial_pressure_kpa",
        "kPa",
        700.0,
        "oxygen overpressure (partial pressure of O2) in the autoclave",
        "350-700 kPa [L] Marsden & House 2006; Thomas 2005, Dev. Miner. Process. 15; docs/models.md#pox",
        hi=3000.0,
    ),
    frac(
        "o2_utilisation_frac",
        0.90,
        "fraction of the oxygen fed that reacts (the rest is vented)",
        "85-95 % [L] Marsden & House 2006; Thomas 2005, Dev. Miner. Process. 15; docs/models.md#pox",
        lo=0.1,
    ),
    *heat_params(25.0, 0.10),
    Param(
        "surplus_heat",
        "-",
        "cooling",
        "how a heat surplus is removed: 'cooling' (flash/coils, reported) or 'quench' "
        "(water added to the pulp)",
        "Thomas 2005; Wagman et al. 1982, NBS tables; docs/models.md#pox (quench water, dilution or flash cooling)",
        kind=str,
        choices=("cooling", "quench"),
    ),
    Param(
        "quench_water_temperature_degc",
        "°C",
        25.0,
        "temperature of the quench water",
        "assumed",
        lo=0.0,
        hi=100.0,
    ),
    GOLD_HOST,
    _TCM,
    *_KINETIC_REF,
)

ACID_PARAMS: tuple[Param, ...] = (*_POX_COMMON, *_CHEMISTRY_ACID)

ALKALINE_PARAMS: tuple[Param, ...] = (
    *_POX_COMMON,
    frac(
        "alkaline_rate_factor",
        0.5,
        "rate constant of alkaline POX relative to acid POX (t* divided by it)",
        "assumed: slower kinetics than acid POX (Marsden & House 2006; Adams (ed.) 2016, Gold Ore Processing; docs/models.md#biox, [L])",
        lo=0.01,
    ),
    frac(
        "ultimate_oxidation_frac",
        0.95,
        "sulfide oxidation reached at infinite time (passivation by oxide and gypsum films)",
        "assumed: somewhat lower sulfide oxidation than acid POX (Marsden & House 2006; Adams (ed.) 2016, Gold Ore Processing; docs/models.md#biox, [L])",
        lo_open=True,
    ),
    Param(
        "neutraliser",
        "-",
        "limestone",
        "alkali that neutralises the sulfate beyond the ore carbonates",
        "limestone or soda ash (Marsden & House 2006; Adams (ed.) 2016, Gold Ore Processing; docs/models.md#biox; Goldstrike: ore, air, water and limestone [S])",
        kind=str,
        choices=("limestone", "soda_ash"),
    ),
    Param(
        "neutraliser_excess_frac",
        "-",
        0.10,
        "neutraliser dosed above stoichiometry (excess limestone stays as calcite)",
        "assumed",
        lo=0.0,
        hi=2.0,
    ),
)


ACID = Chemistry(
    mode=MODE_ACID,
    remainder="hematite",
    minerals=OXIDISABLE,
    residence_key="residence_min",
    residence_to_min=1.0,
    stages_key="n_compartments",
    t_star_ref_min=POX_T_STAR_REF_MIN,
    activation_kj_mol=POX_ACTIVATION_KJ_MOL,
    heat_mj_kg_s=HEAT_MJ_KG_S,
    elemental_sulfur=True,
)
ALKALINE = Chemistry(
    mode=MODE_ALKALINE,
    remainder="hematite",
    minerals=("pyrite", "arsenopyrite", "pyrrhotite"),
    residence_key="residence_min",
    residence_to_min=1.0,
    stages_key="n_compartments",
    t_star_ref_min=POX_T_STAR_REF_MIN,
    activation_kj_mol=POX_ACTIVATION_KJ_MOL,
    heat_mj_kg_s=HEAT_MJ_KG_S,
)


def _build(chem: Chemistry) -> Any:
    def build(spec: UnitSpec, comps: ComponentSet) -> Oxidiser:
        return Oxidiser(spec, comps, chem)

    return build


def _checker(chem: Chemistry) -> Any:
    def check(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
        check_oxidiser(spec, comps, file, problems, chem)

    return check


_PRICES = {"limestone": reagents.LIMESTONE, "soda_ash": reagents.SODA_ASH}

POX_ACID = UnitType(
    name="pox_acid",
    route_word="acid POX",
    reactive=True,
    summary="acid pressure oxidation: shrinking-particle kinetics over N compartments, "
    "O2, acid, heat balance, residue minerals, sulfide-locked gold freed",
    inlets=("feed",),
    outlets=("discharge", "vent"),
    params=ACID_PARAMS,
    tables={"minerals": MINERAL_TABLE},
    build=_build(ACID),
    check=_checker(ACID),
    kpi_families=("oxidation", "autoclave"),
    scale_site="concentrate_treatment",
    prices=_PRICES,
    sizing=Sizing("autoclave"),
)

POX_ALKALINE = UnitType(
    name="pox_alkaline",
    route_word="alkaline POX",
    reactive=True,
    summary="alkaline pressure oxidation: slower, capped sulfide oxidation, sulfate "
    "neutralised in situ by carbonates, limestone or soda ash; no free acid",
    inlets=("feed",),
    outlets=("discharge", "vent"),
    params=ALKALINE_PARAMS,
    tables={"minerals": MINERAL_TABLE},
    build=_build(ALKALINE),
    check=_checker(ALKALINE),
    kpi_families=("oxidation", "autoclave"),
    scale_site="concentrate_treatment",
    prices=_PRICES,
    sizing=Sizing("autoclave"),
)


UNIT_TYPES = (
    POX_ACID,
    POX_ALKALINE,
)

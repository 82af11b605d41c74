"""Pressure oxidation of refractory sulfide ore: acid POX, alkaline POX, and the vent.

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

Assumptions shared by both (say so when reporting): the products of oxidation
(hematite, scorodite, basic ferric sulfate, jarosite, gypsum) precipitate from
solution as fine particles and are put in the finest size class; the unreacted core of
a particle stays in its size class; reaction and hydration water and the flash steam
are not taken from the water balance (the flash is assumed recovered as feed
preheat); elemental sulfur (below about 160 °C) and the hot cure are not modelled.
The reaction heats of arsenopyrite and chalcopyrite are [assumed] (see the kernel).

The vent (``vent``) is the sink of the CO2 that the autoclave releases from the ore's
carbonates and carbonaceous matter, so that carbon closes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, NoReturn

import numpy as np

from oreflow.core.components import CATALOGUE, ComponentSet
from oreflow.core.schema import Param, frac, positive
from oreflow.errors import Problem
from oreflow.units import reagents
from oreflow.units.base import (
    PrepareContext,
    TableSchema,
    UnitResult,
    UnitSpec,
    UnitType,
    solids_volume_m3_h,
    total_solids,
    water,
)
from oreflow.units.products import ProductSpecies

#: Minerals with oxidation chemistry (same order as ``oreflow.kernels.oxidation.MINERALS``).
OXIDISABLE = ("pyrite", "arsenopyrite", "pyrrhotite", "chalcopyrite")
#: Tracked elements of a mineral, in the kernel's column order.
_MINERAL_ELEMENTS = ("fe", "as", "s", "cu")
#: Mass fraction of O2 in air [-] [S] (20.946 mol % O2).
O2_IN_AIR_FRAC = 0.2314
#: ``oreflow.kernels.oxidation.MODE_*`` (repeated here so that importing the unit
#: library does not import numba; a test keeps them equal).
MODE_ACID = 0
MODE_ALKALINE = 1

# Default kinetics and heat of each mineral of ``OXIDISABLE`` (override per mineral in
# ``[units.NAME.minerals.MINERAL]``).
#: t* [min] at the reference state (210 °C, 700 kPa O2, 20 µm): pyrite 40 min is
#: worked example ex06's [A]; arsenopyrite oxidises faster than pyrite and pyrrhotite
#: faster still (common POX experience [L]); 20, 10 and chalcopyrite 60 min are
#: [assumed].
POX_T_STAR_REF_MIN = (40.0, 20.0, 10.0, 60.0)
#: Activation energy [kJ/mol]: pyrite 60 [A] (ex06); arsenopyrite 69, the middle of
#: 66-72 kJ/mol (Papangelakis & Demopoulos 1990) [S via Papangelakis & Demopoulos 1990, Can. Metall. Q. 29(1):13; docs/models.md#pox]; pyrrhotite 50
#: and chalcopyrite 60 [assumed].
POX_ACTIVATION_KJ_MOL = (60.0, 69.0, 50.0, 60.0)
#: Reaction heat [MJ/kg S]: pyrite 23.094 and pyrrhotite 29.181 from standard
#: enthalpies of formation (Marsden & House 2006; Thomas 2005, Dev. Miner. Process. 15; docs/models.md#pox [S arithmetic, L data]); arsenopyrite and
#: chalcopyrite [assumed] at 405.3 kJ per mol O2 consumed (the mean of pyrite 394.9 and
#: pyrrhotite 415.8 kJ/mol O2: sulfide oxidation heat is nearly constant per O2) times
#: their O2 per S: 3.5 x 405.3 / 32.06 = 44.25 and 2.125 x 405.3 / 32.06 = 26.87.
HEAT_MJ_KG_S = (23.094, 44.25, 29.181, 26.87)


def element_fraction(comps: ComponentSet, species: str, element: str) -> float:
    """Element fraction of a species: the case's own definition, else the catalogue's."""
    for s in comps.species:
        if s.name == species:
            return float(s.elements.get(element, 0.0))
    return float(CATALOGUE[species].elements.get(element, 0.0))


def heat_params(feed_default_degc: float, loss_default: float) -> tuple[Param, ...]:
    """Heat-balance parameters shared by the oxidation vessels."""
    return (
        Param(
            "feed_temperature_degc",
            "°C",
            feed_default_degc,
            "temperature of the feed slurry entering the vessel (after any flash-steam preheat)",
            "assumed; 25 °C cold feed, about 150 °C after splash/flash preheat (Thomas 2005; Wagman et al. 1982, NBS tables; docs/models.md#pox)",
            lo=0.0,
            hi=250.0,
        ),
        positive(
            "solids_heat_capacity_kj_kg_k",
            "kJ/(kg K)",
            0.85,
            "heat capacity of the solids",
            "0.85 [A/L] Thomas 2005; Wagman et al. 1982, NBS tables; docs/models.md#pox",
            hi=5.0,
        ),
        positive(
            "water_heat_capacity_kj_kg_k",
            "kJ/(kg K)",
            4.3,
            "heat capacity of the solution",
            "4.3 [A/L] Thomas 2005; Wagman et al. 1982, NBS tables; docs/models.md#pox",
            hi=10.0,
        ),
        frac(
            "heat_loss_frac",
            loss_default,
            "losses (vent steam, shell, gas heating) as a fraction of the sensible heat",
            "0.10 [A] Thomas 2005; Wagman et al. 1982, NBS tables; docs/models.md#pox",
        ),
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

GOLD_HOST = Param(
    "gold_host",
    "-",
    "sulfides",
    "mineral whose oxidation frees the sulfide-locked gold ('sulfides': the S-weighted "
    "mean of the sulfides in each size class)",
    "Marsden & House 2006; Thomas 2005; docs/models.md#pox (gold extraction follows sulfide oxidation)",
    kind=str,
    choices=("sulfides", *OXIDISABLE),
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

MINERAL_TABLE = TableSchema(
    params=(
        positive(
            "t_star_ref_min",
            "min",
            None,
            "time for complete oxidation of a particle at the reference temperature, O2 "
            "pressure and size (default: the mineral's value in oreflow.kernels.oxidation)",
            "pyrite 40 min [A] worked example ex06; others assumed",
            hi=1e7,
        ),
        positive(
            "activation_energy_kj_mol",
            "kJ/mol",
            None,
            "activation energy of the surface reaction (default: the mineral's value)",
            "pyrite 60 [A]; arsenopyrite 69 (66-72 [S], Papangelakis & Demopoulos 1990); others assumed",
            hi=300.0,
        ),
        positive(
            "reaction_heat_mj_kg_s",
            "MJ/kg S",
            None,
            "heat released per kg of the mineral's S oxidised (default: the mineral's value)",
            "pyrite 23.094, pyrrhotite 29.181 [S arithmetic, L data] Marsden & House 2006; Thomas 2005, Dev. Miner. Process. 15; docs/models.md#pox; others assumed",
            hi=200.0,
        ),
        frac(
            "ultimate_frac",
            None,
            "conversion reached at infinite time (default: 1, or ultimate_oxidation_frac)",
            "assumed",
            lo_open=True,
        ),
    ),
    key_phase="solid",
    doc="oxidation kinetics and heat of each sulfide mineral",
)


@dataclass(frozen=True)
class Chemistry:
    """What differs between the oxidation units (acid, alkaline and bio-oxidation).

    Attributes
    ----------
    mode : int
        ``oreflow.kernels.oxidation.MODE_*`` (acid; alkaline with limestone or soda ash
        is chosen from the ``neutraliser`` parameter).
    remainder : str
        Species that takes the iron not placed elsewhere.
    minerals : tuple of str
        Minerals this unit oxidises.
    residence_key : str
        Name of the residence-time parameter.
    residence_to_min : float
        Its unit in minutes.
    stages_key : str
        Name of the number-of-stages parameter.
    t_star_ref_min, activation_kj_mol, heat_mj_kg_s : tuple of float
        Default kinetics and heat of every mineral in ``OXIDISABLE``.
    uses_o2_pressure : bool
        Whether the rate depends on the O2 partial pressure parameter.
    """

    mode: int
    remainder: str
    minerals: tuple[str, ...]
    residence_key: str
    residence_to_min: float
    stages_key: str
    t_star_ref_min: tuple[float, ...]
    activation_kj_mol: tuple[float, ...]
    heat_mj_kg_s: tuple[float, ...]
    uses_o2_pressure: bool = True


class OxidationState(NamedTuple):
    """What an oxidiser (autoclave or bio-oxidation tank train) prepares per simulation."""

    params: Mapping[str, np.ndarray]
    extent: np.ndarray  # (n_cases, n_cls, n_mineral) fraction of each mineral oxidised
    heat: np.ndarray  # (n_cases, n_mineral) reaction heat [MJ/kg S]
    t_star: np.ndarray  # (n_cases, n_cls, n_mineral) shrinking-core time [min]


class Oxidiser:
    """Compiled oxidation vessel (acid POX, alkaline POX or bio-oxidation).

    Parameters
    ----------
    spec : UnitSpec
        The unit.
    comps : ComponentSet
        Species and size classes.
    chem : Chemistry
        What this kind of vessel does.
    """

    def __init__(self, spec: UnitSpec, comps: ComponentSet, chem: Chemistry) -> None:
        from oreflow.kernels import oxidation as kox

        self.spec = spec
        self.comps = comps
        self.chem = chem
        self.n_stages = int(spec.params[chem.stages_key])
        solid_names = [s.name for s in comps.solids]
        self.minerals = [m for m in chem.minerals if m in solid_names]
        self.kernel_index = [OXIDISABLE.index(m) for m in self.minerals]
        self.i_min = [comps.solid_index(m) for m in self.minerals]
        self.min_el = np.array(
            [[element_fraction(comps, m, el) for el in _MINERAL_ELEMENTS] for m in self.minerals],
            dtype=np.float64,
        ).reshape(len(self.minerals), 4)
        self.rep_um = comps.sizes.representative_um()

        self.products = ProductSpecies(
            spec,
            comps,
            solids=(
                chem.remainder,
                "scorodite",
                "basic_ferric_sulfate",
                "jarosite",
                "gypsum",
                "calcite",
                "carbonaceous",
                "au_sulfide",
                "au_free",
            ),
            solution=("water", "h2so4", "so4_aq", "fe_aq", "as_aq", "cu_aq", "co2"),
        )
        self.i_solid = self.products.solid
        self.i_sol = self.products.solution
        pf = np.zeros(kox.N_PF)
        pf[kox.PF_REMAINDER_FE] = element_fraction(comps, chem.remainder, "fe")
        pf[kox.PF_SCORODITE_FE] = element_fraction(comps, "scorodite", "fe")
        pf[kox.PF_SCORODITE_AS] = element_fraction(comps, "scorodite", "as")
        pf[kox.PF_BFS_FE] = element_fraction(comps, "basic_ferric_sulfate", "fe")
        pf[kox.PF_BFS_S] = element_fraction(comps, "basic_ferric_sulfate", "s")
        pf[kox.PF_JAROSITE_FE] = element_fraction(comps, "jarosite", "fe")
        pf[kox.PF_JAROSITE_S] = element_fraction(comps, "jarosite", "s")
        pf[kox.PF_GYPSUM_S] = element_fraction(comps, "gypsum", "s")
        pf[kox.PF_H2SO4_S] = element_fraction(comps, "h2so4", "s")
        pf[kox.PF_SO4_S] = element_fraction(comps, "so4_aq", "s")
        pf[kox.PF_CALCITE_C] = element_fraction(comps, "calcite", "c")
        pf[kox.PF_CO2_C] = element_fraction(comps, "co2", "c")
        self.pf = pf
        self.tcm_c = (
            element_fraction(comps, "carbonaceous", "c") if comps.has("carbonaceous") else 0.0
        )
        self.params = spec.params

    # ---------------------------------------------------------------- prepare
    def _table(
        self, params: Mapping[str, np.ndarray], key: str, defaults: tuple[float, ...], n: int
    ) -> np.ndarray:
        out = np.empty((n, len(self.minerals)))
        for m, name in enumerate(self.minerals):
            given = params.get(f"minerals.{name}.{key}")
            out[:, m] = given if given is not None else defaults[OXIDISABLE.index(name)]
        return out

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> OxidationState:
        """Conversion of every mineral in every size class, and the per-case settings."""
        from oreflow.kernels import oxidation as kox

        n = ctx.n_cases
        chem = self.chem
        t_ref = self._table(params, "t_star_ref_min", chem.t_star_ref_min, n)
        ea = self._table(params, "activation_energy_kj_mol", chem.activation_kj_mol, n)
        heat = self._table(params, "reaction_heat_mj_kg_s", chem.heat_mj_kg_s, n)
        ult_default = params.get("ultimate_oxidation_frac", np.ones(n))
        ult = np.empty((n, len(self.minerals)))
        for m, name in enumerate(self.minerals):
            given = params.get(f"minerals.{name}.ultimate_frac")
            ult[:, m] = given if given is not None else ult_default
        rate = params.get("alkaline_rate_factor", np.ones(n))
        t_ref = t_ref / rate[:, None]
        if chem.uses_o2_pressure:
            p_o2 = params["o2_partial_pressure_kpa"]
            p_ref = params["kinetics_ref_o2_kpa"]
        else:
            p_o2 = p_ref = np.ones(n)
        t_star = kox.t_star_batch(
            np.ascontiguousarray(t_ref),
            np.ascontiguousarray(ea),
            params["temperature_degc"],
            params["kinetics_ref_temperature_degc"],
            p_o2,
            p_ref,
            self.rep_um,
            params["kinetics_ref_size_um"],
        )
        tau_min = params[chem.residence_key] * chem.residence_to_min
        extent = kox.oxidation_extent_batch(t_star, tau_min, self.n_stages, ult)
        return OxidationState(params, extent, heat, t_star)

    # ---------------------------------------------------------------- apply
    def _fail(self, message: str) -> NoReturn:
        self.products.fail(message)

    def _put_solid(self, out: np.ndarray, name: str, amount: np.ndarray) -> None:
        """Add a precipitate to the finest size class."""
        missing = f"the oxidation makes {name!r}; declare it in [case] solids"
        self.products.put_solid(out, name, amount, missing)

    def _put_solution(self, out: np.ndarray, name: str, amount: np.ndarray) -> None:
        missing = f"the oxidation makes {name!r}; declare it in [case] solution"
        self.products.add_solution(out, name, amount, missing)

    def _mode(self) -> int:
        from oreflow.kernels import oxidation as kox

        if self.chem.mode != kox.MODE_ACID and self.params.get("neutraliser") == "soda_ash":
            return kox.MODE_ALKALINE_SODA_ASH
        return self.chem.mode

    def apply(self, state: OxidationState, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Oxidise, distribute the products, free the locked gold, balance heat and O2."""
        from oreflow.kernels import oxidation as kox

        params = state.params
        extent = state.extent
        (feed,) = inlets
        c = self.comps
        n = feed.shape[0]
        zeros = np.zeros(n)
        sv_in = c.solids_view(feed)
        minerals_in = sv_in[:, :, self.i_min]  # (n, n_cls, n_min)
        ox_cls = minerals_in * extent
        ox = ox_cls.sum(axis=1)
        s_frac = self.min_el[:, 2]
        s_feed_cls = minerals_in * s_frac  # sulfide S per class and mineral
        s_feed = s_feed_cls.sum(axis=(1, 2))
        s_ox_by_min = ox * s_frac
        s_ox = s_ox_by_min.sum(axis=1)
        x_s = np.divide(s_ox, s_feed, out=np.zeros(n), where=s_feed > 0)

        i_cal = self.i_solid["calcite"]
        calcite_cls = sv_in[:, :, i_cal] if i_cal is not None else np.zeros((n, c.n_cls))
        calcite = calcite_cls.sum(axis=1)
        i_acid = self.i_sol["h2so4"]
        feed_acid = feed[:, i_acid] if i_acid is not None else zeros
        mode = self._mode()
        fe_split = [
            params.get(k, zeros)
            for k in ("fe_to_solution_frac", "fe_to_bfs_frac", "fe_to_jarosite_frac")
        ]
        prod = kox.oxidation_products_batch(
            np.ascontiguousarray(ox),
            self.min_el,
            np.ascontiguousarray(feed_acid),
            np.ascontiguousarray(calcite),
            *[np.ascontiguousarray(f) for f in fe_split],
            np.ascontiguousarray(params.get("as_to_solution_frac", zeros)),
            np.ascontiguousarray(params.get("neutraliser_excess_frac", zeros)),
            self.pf,
            mode,
        )

        out = feed.copy()
        sv = c.solids_view(out)
        sv[:, :, self.i_min] = minerals_in - ox_cls
        if i_cal is not None:
            share = np.divide(
                prod[:, kox.OUT_CALCITE_REACTED], calcite, out=np.zeros(n), where=calcite > 0
            )
            sv[:, :, i_cal] = calcite_cls * (1.0 - share[:, None])

        # carbonaceous matter burnt in proportion to the sulfide oxidation
        i_tcm = self.i_solid["carbonaceous"]
        c_burnt = zeros
        if i_tcm is not None:
            burn = params.get("tcm_oxidation_frac", zeros) * x_s
            tcm_cls = sv_in[:, :, i_tcm]
            sv[:, :, i_tcm] = tcm_cls * (1.0 - burn[:, None])
            c_burnt = tcm_cls.sum(axis=1) * burn * self.tcm_c

        # gold freed with its host
        au_freed = zeros
        i_aus, i_auf = self.i_solid["au_sulfide"], self.i_solid["au_free"]
        if i_aus is not None and self.minerals:
            host = str(self.params.get("gold_host", "sulfides"))
            if host in self.minerals:
                x_host = extent[:, :, self.minerals.index(host)]
            else:
                # S-weighted mean of the sulfides in each class; first mineral where none
                s_cls = s_feed_cls.sum(axis=2)
                weighted = (s_feed_cls * extent).sum(axis=2)
                x_host = np.where(
                    s_cls > 0, weighted / np.where(s_cls > 0, s_cls, 1.0), extent[:, :, 0]
                )
            locked = sv_in[:, :, i_aus]
            freed = locked * x_host
            if np.any(freed > 0) and i_auf is None:
                self._fail("au_sulfide is freed as 'au_free'; declare it in [case] solids")
            sv[:, :, i_aus] = locked - freed
            if i_auf is not None:
                sv[:, :, i_auf] += freed
            au_freed = freed.sum(axis=1)

        self._put_solid(out, self.chem.remainder, prod[:, kox.OUT_REMAINDER])
        self._put_solid(out, "scorodite", prod[:, kox.OUT_SCORODITE])
        self._put_solid(out, "basic_ferric_sulfate", prod[:, kox.OUT_BFS])
        self._put_solid(out, "jarosite", prod[:, kox.OUT_JAROSITE])
        self._put_solid(out, "gypsum", prod[:, kox.OUT_GYPSUM])
        if i_acid is not None:
            out[:, i_acid] = 0.0
        self._put_solution(out, "h2so4", prod[:, kox.OUT_H2SO4])
        self._put_solution(out, "so4_aq", prod[:, kox.OUT_SO4])
        self._put_solution(out, "fe_aq", prod[:, kox.OUT_FE_AQ])
        self._put_solution(out, "as_aq", prod[:, kox.OUT_AS_AQ])
        self._put_solution(out, "cu_aq", prod[:, kox.OUT_CU_AQ])

        added = np.zeros_like(feed)
        excess = prod[:, kox.OUT_LIMESTONE_EXCESS]
        if np.any(excess > 0):
            if i_cal is None:
                self._fail("excess limestone stays as 'calcite'; declare it in [case] solids")
            sv[:, -1, i_cal] += excess
            c.solids_view(added)[:, -1, i_cal] = excess

        vent = np.zeros_like(feed)
        co2 = prod[:, kox.OUT_CO2] + c_burnt / self.pf[kox.PF_CO2_C]
        i_co2 = self.i_sol["co2"]
        if i_co2 is not None:
            vent[:, i_co2] = feed[:, i_co2] + co2
            out[:, i_co2] = 0.0
        elif np.any(co2 > 0):
            self._fail("the oxidation releases CO2; declare 'co2' in [case] solution")

        # oxygen and heat
        o2_stoich = (s_ox_by_min * kox.O2_MOL_PER_MOL_S[self.kernel_index]).sum(
            axis=1
        ) * kox.M_O2 / kox.M_S + c_burnt * kox.O2_T_PER_T_C
        heat_gen = (s_ox_by_min * state.heat).sum(axis=1) * 1000.0
        heat_gen = heat_gen + c_burnt * 1000.0 * kox.HEAT_MJ_PER_KG_C
        solids = total_solids(c, feed)
        h2o = np.ascontiguousarray(water(c, feed))  # one kernel specialisation (C layout)
        t_op = params["temperature_degc"]
        t_in = params["feed_temperature_degc"]
        cps = params["solids_heat_capacity_kj_kg_k"]
        cpw = params["water_heat_capacity_kj_kg_k"]
        loss = params["heat_loss_frac"]
        heat_req = kox.slurry_heat_mj_h(solids, h2o, t_in, t_op, cps, cpw, loss)
        surplus = np.maximum(heat_gen - heat_req, 0.0)
        deficit = np.maximum(heat_req - heat_gen, 0.0)
        quench = zeros
        if self.params.get("surplus_heat") == "quench":
            d_t = t_op - params["quench_water_temperature_degc"]
            quench = np.divide(surplus, cpw * d_t, out=np.zeros(n), where=d_t > 0)
            if self.i_sol["water"] is not None:
                out[:, self.i_sol["water"]] += quench
                added[:, self.i_sol["water"]] += quench
        capacity = (solids * cps + h2o * cpw) * (1.0 + loss)  # MJ/(h K)
        t_auto = t_op - np.divide(heat_gen, capacity, out=np.zeros(n), where=capacity > 0)
        mean_heat = np.divide(
            (s_feed_cls.sum(axis=1) * state.heat).sum(axis=1),
            s_feed,
            out=np.full(n, kox.PYRITE_HEAT_MJ_KG_S),
            where=s_feed > 0,
        )
        per_t = np.divide(1.0, solids, out=np.zeros(n), where=solids > 0)
        reacted = out + vent - feed - added
        metrics = self._metrics(
            params, ox, minerals_in, s_feed, s_ox, o2_stoich, prod, heat_gen, heat_req, per_t
        )
        metrics.update(
            {
                "heat_surplus_mj_t": surplus * per_t,
                "heat_deficit_mj_t": deficit * per_t,
                "autothermal_margin_mj_t": (heat_gen - heat_req) * per_t,
                "autothermal_sulfide_s_kg_t": heat_req * per_t / mean_heat,
                "autothermal_feed_temperature_degc": np.maximum(t_auto, 0.0),
                "feed_preheat_needed_degc": np.maximum(t_auto - t_in, 0.0),
                "cooling_duty_kw": np.where(quench > 0, 0.0, surplus) / 3.6,
                "steam_heating_kw": deficit / 3.6,
                "quench_water_tph": quench,
                "au_sulfide_freed_frac": np.divide(
                    au_freed,
                    sv_in[:, :, i_aus].sum(axis=1) if i_aus is not None else zeros,
                    out=np.zeros(n),
                    where=(sv_in[:, :, i_aus].sum(axis=1) if i_aus is not None else zeros) > 0,
                ),
                "co2_kg_h": co2 * 1000.0,
                "carbonaceous_c_burnt_kg_h": c_burnt * 1000.0,
                "solids_in_tph": solids,
                "solids_out_tph": total_solids(c, out),
            }
        )
        # equipment size: the vessel's working (slurry) volume and the oxygen plant
        slurry_m3_h = solids_volume_m3_h(c, feed) + water(c, feed)
        metrics["working_volume_m3"] = slurry_m3_h * metrics["residence_min"] / 60.0
        if "use_o2_kg_h" in metrics:
            metrics["oxygen_plant_t_d"] = metrics["use_o2_kg_h"] * 24.0 / 1000.0
        return UnitResult((out, vent), added=added, reacted=reacted, metrics=metrics)

    def _metrics(
        self,
        params: Mapping[str, np.ndarray],
        ox: np.ndarray,
        minerals_in: np.ndarray,
        s_feed: np.ndarray,
        s_ox: np.ndarray,
        o2_stoich: np.ndarray,
        prod: np.ndarray,
        heat_gen: np.ndarray,
        heat_req: np.ndarray,
        per_t: np.ndarray,
    ) -> dict[str, np.ndarray]:
        from oreflow.kernels import oxidation as kox

        n = ox.shape[0]
        util = params["o2_utilisation_frac"]
        fed = minerals_in.sum(axis=1)
        m: dict[str, np.ndarray] = {
            "residence_min": params[self.chem.residence_key] * self.chem.residence_to_min,
            "sulfide_s_feed_tph": s_feed,
            "sulfide_s_oxidised_tph": s_ox,
            "sulfide_oxidation_frac": np.divide(s_ox, s_feed, out=np.zeros(n), where=s_feed > 0),
            "o2_demand_kg_h": o2_stoich * 1000.0,
            "o2_demand_t_per_t_s": np.divide(o2_stoich, s_ox, out=np.zeros(n), where=s_ox > 0),
            "o2_kg_t": o2_stoich / util * 1000.0 * per_t,
            "acid_made_kg_h": prod[:, kox.OUT_ACID_MADE] * 1000.0,
            "acid_made_kg_t": prod[:, kox.OUT_ACID_MADE] * 1000.0 * per_t,
            "free_acid_out_kg_h": prod[:, kox.OUT_H2SO4] * 1000.0,
            "acid_to_carbonate_kg_h": prod[:, kox.OUT_CALCITE_REACTED]
            * (kox.M_H2SO4 / kox.M_CACO3)
            * 1000.0,
            "heat_generated_mj_t": heat_gen * per_t,
            "heat_required_mj_t": heat_req * per_t,
            "hematite_tph": prod[:, kox.OUT_REMAINDER],
            "scorodite_tph": prod[:, kox.OUT_SCORODITE],
            "basic_ferric_sulfate_tph": prod[:, kox.OUT_BFS],
            "jarosite_tph": prod[:, kox.OUT_JAROSITE],
            "gypsum_tph": prod[:, kox.OUT_GYPSUM],
        }
        if self.chem.remainder != "hematite":
            m[f"{self.chem.remainder}_tph"] = m.pop("hematite_tph")
        for k, name in enumerate(self.minerals):
            m[f"{name}_oxidation_frac"] = np.divide(
                ox[:, k], fed[:, k], out=np.zeros(n), where=fed[:, k] > 0
            )
        if self.chem.uses_o2_pressure:
            from oreflow.kernels.oxidation import steam_saturation_pressure_kpa

            steam = np.array(
                [steam_saturation_pressure_kpa(float(t)) for t in params["temperature_degc"]]
            )
            m["steam_pressure_kpa"] = steam
            m["total_pressure_kpa"] = steam + params["o2_partial_pressure_kpa"]
            m["use_o2_kg_h"] = o2_stoich / util * 1000.0
        if self.chem.mode != kox.MODE_ACID:
            m["use_limestone_kg_h"] = (
                prod[:, kox.OUT_LIMESTONE_REACTED] + prod[:, kox.OUT_LIMESTONE_EXCESS]
            ) * 1000.0
            m["use_soda_ash_kg_h"] = prod[:, kox.OUT_SODA_ASH] * 1000.0
        return m


# ------------------------------------------------------------------ validation


def _need(
    comps: ComponentSet,
    names: tuple[str, ...],
    why: str,
    key: str,
    file: str,
    problems: list[Problem],
) -> None:
    missing = [nm for nm in names if not comps.has(nm)]
    if missing:
        problems.append(
            Problem(file, key, f"{why}: declare {', '.join(repr(m) for m in missing)} in [case]")
        )


def check_oxidiser(
    spec: UnitSpec,
    comps: ComponentSet,
    file: str,
    problems: list[Problem],
    chem: Chemistry,
) -> None:
    """Species the chemistry needs, known minerals, consistent fractions."""
    key = f"units.{spec.name}"
    p = spec.params
    solids = {s.name for s in comps.solids}
    for name in spec.tables.get("minerals", {}):
        if name not in chem.minerals:
            problems.append(
                Problem(
                    file,
                    f"{key}.minerals.{name}",
                    f"unknown mineral {name!r} for {spec.type}: no oxidation chemistry; "
                    f"minerals modelled: {', '.join(chem.minerals)}",
                )
            )
    present = [m for m in chem.minerals if m in solids]
    if not present:
        problems.append(
            Problem(
                file,
                key,
                f"no oxidisable mineral declared ({', '.join(chem.minerals)}): the vessel would oxidise nothing",
            )
        )
        return
    _need(comps, ("water",), "the vessel holds a pulp", key, file, problems)
    fe_split = sum(
        float(p.get(k, 0.0))
        for k in ("fe_to_solution_frac", "fe_to_bfs_frac", "fe_to_jarosite_frac")
    )
    if fe_split > 1.0 + 1e-12:
        problems.append(
            Problem(
                file,
                f"{key}.fe_to_solution_frac",
                f"iron fractions to solution, BFS and jarosite sum to {fe_split:g} > 1",
            )
        )
    _need(comps, (chem.remainder,), "the released iron precipitates", key, file, problems)
    acid = chem.mode == MODE_ACID
    if acid:
        _need(comps, ("h2so4",), "sulfide oxidation makes sulfuric acid", key, file, problems)
    if "arsenopyrite" in present:
        if float(p.get("as_to_solution_frac", 0.0)) < 1.0:
            _need(comps, ("scorodite",), "arsenic precipitates as scorodite", key, file, problems)
        if float(p.get("as_to_solution_frac", 0.0)) > 0.0:
            _need(comps, ("as_aq",), "arsenic is left in solution", key, file, problems)
    if "chalcopyrite" in present and "chalcopyrite" in chem.minerals:
        _need(comps, ("cu_aq", "so4_aq"), "copper dissolves as CuSO4", key, file, problems)
    if float(p.get("fe_to_solution_frac", 0.0)) > 0:
        _need(
            comps,
            ("fe_aq", "so4_aq"),
            "iron stays in solution as ferric sulfate",
            key,
            file,
            problems,
        )
    if float(p.get("fe_to_bfs_frac", 0.0)) > 0:
        _need(
            comps, ("basic_ferric_sulfate",), "iron forms basic ferric sulfate", key, file, problems
        )
    if float(p.get("fe_to_jarosite_frac", 0.0)) > 0:
        _need(comps, ("jarosite",), "iron forms jarosite", key, file, problems)
    if "calcite" in solids:
        _need(
            comps,
            ("gypsum", "co2"),
            "ore carbonate is neutralised to gypsum and CO2",
            key,
            file,
            problems,
        )
    if "carbonaceous" in solids and float(p.get("tcm_oxidation_frac", 0.0)) > 0:
        _need(comps, ("co2",), "carbonaceous matter burns to CO2", key, file, problems)
    if not acid:
        if p.get("neutraliser") == "soda_ash":
            _need(comps, ("so4_aq",), "soda ash leaves the sulfate dissolved", key, file, problems)
        else:
            _need(
                comps,
                ("gypsum",),
                "limestone neutralises the sulfate to gypsum",
                key,
                file,
                problems,
            )
            if float(p.get("neutraliser_excess_frac", 0.0)) > 0:
                _need(comps, ("calcite",), "excess limestone stays as calcite", key, file, problems)
    if "au_sulfide" in solids:
        _need(comps, ("au_free",), "oxidation frees sulfide-locked gold", key, file, problems)
    host = p.get("gold_host", "sulfides")
    if host != "sulfides" and host not in present:
        problems.append(
            Problem(
                file,
                f"{key}.gold_host",
                f"gold host {host!r} is not a declared mineral this unit oxidises",
            )
        )
    t_in, t_op = p.get("feed_temperature_degc"), p.get("temperature_degc")
    if t_in is not None and t_op is not None and t_in > t_op:
        problems.append(
            Problem(
                file,
                f"{key}.feed_temperature_degc",
                f"feed at {t_in:g} °C is hotter than the vessel ({t_op:g} °C)",
            )
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
)

POX_ALKALINE = UnitType(
    name="pox_alkaline",
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
)


class Vent:
    """Gases leaving the plant to atmosphere (CO2 from carbonates and organic carbon)."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> Any:
        """Nothing to prepare."""
        return None

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Report the CO2 and any other flow vented."""
        feed = np.sum(inlets, axis=0) if len(inlets) > 1 else inlets[0]
        metrics = {"vented_tph": feed.sum(axis=1)}
        if self.comps.has("co2"):
            metrics["co2_kg_h"] = feed[:, self.comps.solution_offset("co2")] * 1000.0
        return UnitResult((), metrics=metrics)


VENT = UnitType(
    name="vent",
    summary="gases leaving to atmosphere (CO2 from carbonates and carbonaceous matter)",
    inlets=("feed",),
    outlets=(),
    params=(),
    build=Vent,
    is_sink=True,
)

UNIT_TYPES = (
    POX_ACID,
    POX_ALKALINE,
    VENT,
)

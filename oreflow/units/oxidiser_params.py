"""Declarations shared by the oxidation vessels (acid and alkaline POX, bio-oxidation).

The minerals with oxidation chemistry, their default kinetics and reaction heats, the
heat-balance parameters, the per-mineral table and :class:`Chemistry`, what differs
between the vessels. The model is described in ``oreflow.units.pox``.
"""

from __future__ import annotations

from dataclasses import dataclass

from oreflow.core.components import CATALOGUE, ComponentSet
from oreflow.core.schema import Param, frac, positive
from oreflow.units.base import TableSchema

#: Minerals with oxidation chemistry (same order as ``oreflow.kernels.oxidation.MINERALS``).
OXIDISABLE = ("pyrite", "arsenopyrite", "pyrrhotite", "chalcopyrite")
#: Tracked elements of a mineral, in the kernel's column order.
MINERAL_ELEMENTS = ("fe", "as", "s", "cu")
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
    elemental_sulfur : bool
        Whether part of the sulfide S stops at S0 below about 180 °C
        (``oreflow.kernels.elemental_sulfur``; acid POX only).
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
    elemental_sulfur: bool = False

"""The unit-type contract: schema, ports, validation and the compiled model.

A unit type is data (``UnitType``): its parameters, its ports, a validation hook for
rules that span several keys, and a factory for the compiled model. The compiled model
has two steps:

``prepare(params, ctx)``
    once per simulation, from per-case parameter arrays (each ``(n_cases,)``), builds
    whatever does not depend on the inlet streams (matrices, partition curves);
``apply(state, inlets)``
    many times inside recycle loops, maps inlet streams ``(n_cases, n_comp)`` to outlet
    streams and reports what the unit added (reagents, water), what reacted (signed net
    change by breakage, leaching, adsorption, consumption) and its metrics.

``prepare`` returns a frozen, named state (a ``typing.NamedTuple`` of the unit's
module, or the read-only parameter mapping itself when nothing else is needed), read by
attribute in ``apply``.

Metric names carry their unit. Consumables a unit draws from outside the balance
(reagents, media, oxygen, power) are reported as ``use_<item>_kg_h`` (and ``power_kw``),
so that the economics can price every ``use_`` item by name; the unit type declares the
default price of each item it reports (``UnitType.prices``).

Everything the rest of the code needs to know about a type is declared on its
``UnitType`` (required species, outlets named by a table, circuit figures, KPI
families, priced consumables, feed pumping, equipment sizing; their value types are in
``oreflow.units.declarations``, re-exported here), so adding a type
touches its own module, its kernel and its tests only: the registry (``oreflow.units``) finds every ``UnitType`` a module of
the package lists in its ``UNIT_TYPES``.

Conservation is audited from these reports: for every stream-vector entry,
inlets + added + reacted = outlets, and over the plant, feeds + added + reacted =
products. Every element and the total mass must also close, counting the reagents in
and gases out that the unit type's reaction table gives for its species changes
(``UnitType.reactions``, ``oreflow.solvers.external_flows``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

import numpy as np

from oreflow.core.components import ComponentSet
from oreflow.core.reactions import Reaction
from oreflow.core.schema import Param
from oreflow.errors import CaseError, Problem
from oreflow.units.declarations import (
    KPI_FAMILIES,
    SIZING_KINDS,
    EnvelopeLimit,
    Price,
    Pumping,
    RouteKpis,
    Sizing,
    TableSchema,
)


@dataclass(frozen=True)
class UnitSpec:
    """A validated unit (or ore source) of a case.

    Attributes
    ----------
    name : str
        Unit name from ``[units.NAME]`` (ore sources are named ``ore.NAME``).
    type : str
        Registered unit type.
    inlets : Mapping[str, str]
        Inlet port -> stream name (``"mill.discharge"``).
    outlets : tuple of str
        Outlet port names.
    params : Mapping[str, Any]
        Scalar parameters with defaults filled.
    tables : Mapping[str, Mapping[str, Mapping[str, Any]]]
        Validated nested tables (e.g. leach kinetics per gold species).
    file : str
        Case file the unit comes from (for error messages raised while running).
    options : Mapping[str, UnitSpec]
        Alternative units at this position (``[units.NAME.options.OPTION]``), each
        already renamed to the position and wired to its inlets; for optimization.
    outlet_source : tuple of int or None
        For an option: for each of the position's outlets, which outlet of the option's
        own type feeds it (-1: none, the stream is empty). None: ports match one to one.
    own_outlets : tuple of str or None
        For an option with ``outlet_source``: its own type's outlets.
    """

    name: str
    type: str
    inlets: Mapping[str, str]
    outlets: tuple[str, ...]
    params: Mapping[str, Any]
    tables: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    file: str = ""
    options: Mapping[str, UnitSpec] = field(default_factory=lambda: MappingProxyType({}))
    outlet_source: tuple[int, ...] | None = None
    own_outlets: tuple[str, ...] | None = None

    def stream(self, port: str) -> str:
        """Name of the stream leaving ``port``."""
        return f"{self.name}.{port}"

    def stream_of(self, own_port: str) -> str:
        """Stream carrying the unit type's own outlet ``own_port``.

        An option's outlets are mapped onto its position's ports.
        """
        if self.outlet_source is None or self.own_outlets is None:
            return self.stream(own_port)
        index = self.own_outlets.index(own_port)
        return self.stream(self.outlets[self.outlet_source.index(index)])


@dataclass(frozen=True)
class PrepareContext:
    """Facts about the plant a unit may need when preparing.

    Attributes
    ----------
    comps : ComponentSet
        Species and size classes.
    feed_wi_kwh_t : numpy.ndarray
        (n_cases,) Bond ball-mill work index of the ore reaching the unit, weighted
        by ore feed rate [kWh/t]; NaN when no ore reaches it.
    n_cases : int
        Number of cases simulated together.
    feed_ore_tph : numpy.ndarray or None
        (n_cases,) dry ore rate of the ore sources reaching the unit [t/h]; lets a unit
        set an intensive duty per tonne of ore (a mill's kWh/t) that scales with
        throughput.
    ore_reaches : bool
        Whether any ore source reaches the unit in the flowsheet at all (False: its
        ``feed_wi_kwh_t`` is NaN in every case whatever the ore rates).
    """

    comps: ComponentSet
    feed_wi_kwh_t: np.ndarray
    n_cases: int
    feed_ore_tph: np.ndarray | None = None
    ore_reaches: bool = True


def require_ore_or_work_index(
    spec: Any, params: Mapping[str, np.ndarray], ctx: PrepareContext
) -> None:
    """Raise the input error of a mill that no ore can reach and that has no ``wi_kwh_t``.

    A mill wired to no ore at all (fed by a solution source by mistake) is a flowsheet
    error, stated once; ore routed to the mill but running at 0 t/h in some cases is
    not: those cases grind nothing, the others keep their ore's work index.
    """
    if ctx.ore_reaches or "wi_kwh_t" in params:
        return
    problem = Problem(
        spec.file,
        f"units.{spec.name}.wi_kwh_t",
        "no ore with a work index reaches the mill: give wi_kwh_t",
    )
    raise CaseError([problem])


@dataclass
class UnitResult:
    """What one ``apply`` returns (arrays (n_cases, n_comp) unless stated)."""

    outlets: tuple[np.ndarray, ...]
    added: np.ndarray | None = None
    reacted: np.ndarray | None = None
    metrics: dict[str, np.ndarray] = field(default_factory=dict)


class UnitModel(Protocol):
    """A compiled unit: see the module docstring.

    A unit may also define ``apply_outlets(state, inlets) -> tuple[np.ndarray, ...]``,
    returning exactly the outlets of ``apply`` without its reports; the recycle solver
    then calls it on every iteration and ``apply`` only on the final pass. A unit that
    sets ``outlets_into = True`` takes a third argument, its outlets of the previous
    pass (or None), and may overwrite and return them instead of allocating new ones;
    its caller must therefore hold no reference to them past the next call.
    """

    spec: UnitSpec

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> Any:
        """Build the per-simulation state from per-case parameter arrays."""
        ...

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Map inlet streams to outlet streams."""
        ...


Checker = Callable[[UnitSpec, ComponentSet, str, list[Problem]], None]


def _no_check(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
    """Default cross-key check: nothing beyond the schema."""


@dataclass(frozen=True)
class UnitType:
    """A registered unit type.

    Attributes
    ----------
    name : str
        Type name used in case files (``type = "ball_mill"``).
    summary : str
        One line for listings.
    inlets : tuple of str or None
        Inlet ports; ``None`` means any port names (mixers), at least one.
    outlets : tuple of str
        Outlet ports; a ``splitter`` derives its outlets from its fractions table.
    params : tuple of Param
        Scalar parameters.
    build : callable
        ``build(spec, comps) -> UnitModel``.
    tables : Mapping[str, TableSchema]
        Nested tables keyed by species.
    check : callable
        Extra validation across keys.
    is_sink : bool
        Whether the unit is a plant product or residue (no outlets).
    grinding : bool
        Whether its ``power_kw`` counts as grinding power (mill power and the plant's
        specific grinding energy).
    reactive : bool
        Whether species change phase or identity inside it (leaching, adsorption,
        oxidation, precipitation, cyanide destruction); surveys then balance each
        species only in total over the phases at this unit.
    linear : bool
        Whether, at fixed parameters, its outlets are linear in its inlets, each
        component mostly passing on in proportion to itself (mixers, splitters,
        thickeners, a flotation bank at a set residence time). A recycle of such units
        starts from a per-component secant extrapolation, exact for a loop whose map is
        diagonal (``oreflow.solvers.simulate``).
    envelope : tuple of EnvelopeLimit
        Operating envelope: ranges of its metrics a plant can run in, checked after
        every simulation and usable as optimizer limits (``oreflow.units.envelopes``).
    requires : tuple of str
        Species the case must declare for this type (``("water",)`` for anything that
        carries pulp); case validation reports each one missing.
    outlets_table : str or None
        Name of a table of the unit whose keys are its outlets (a splitter's
        ``fractions``: ``outlet = fraction``); ``outlets`` is then empty.
    circuit : bool
        Whether the results report grinding-circuit figures for its recycle block (F80,
        P80, circulating load, operating work index). Such a unit reports ``power_kw``,
        ``mill_feed_tph`` and ``feed_wi_kwh_t``.
    kpi_families : tuple of str
        KPI families it joins (keys of ``KPI_FAMILIES``).
    prices : Mapping[str, Price]
        Default price of every consumable item it may report as ``use_<item>_kg_h``.
    tear_inlets : bool
        Whether the recycle solver prefers to tear the streams entering it (a mixer,
        where the streams of a loop join: the guess is then one stream's composition).
    bypass : bool
        Whether it is the "none" option of a position: it takes the position's outlets
        and passes its feed to the one its ``to`` parameter names.
    route_word : str
        How route descriptions name the step (``"acid POX"``); empty: the type name.
    route_kpis : RouteKpis or None
        Plant KPIs of a cyanide-free leach route (``lixiviant_route`` family).
    scale_site : str
        The kind of site whose least scale the plan's rules set (a key of
        ``oreflow.units.scale_rules.SCALE_RULES``: ``"concentrator"``, ``"heap_leach"``,
        ``"concentrate_treatment"``); empty: no scale rule concerns it.
    pumping : Pumping or None
        The slurry pump feeding it, whose power the utilities count; None: none.
    sizing : Sizing or None
        How its equipment is sized and costed; None: it costs nothing itself.
    reactions : tuple of Reaction
        Its chemistry as stoichiometry (``oreflow.core.reactions``), declared in
        ``oreflow.units.reaction_tables`` and checked for element balance when the
        package loads; the audit turns its species changes into reagents in and gases
        out with it (``oreflow.solvers.external_flows``).
    """

    name: str
    summary: str
    inlets: tuple[str, ...] | None
    outlets: tuple[str, ...]
    params: tuple[Param, ...]
    build: Callable[[UnitSpec, ComponentSet], UnitModel]
    tables: Mapping[str, TableSchema] = field(default_factory=lambda: MappingProxyType({}))
    check: Checker = _no_check
    is_sink: bool = False
    optional_inlets: tuple[str, ...] = ()
    grinding: bool = False
    reactive: bool = False
    linear: bool = False
    envelope: tuple[EnvelopeLimit, ...] = ()
    requires: tuple[str, ...] = ()
    outlets_table: str | None = None
    circuit: bool = False
    kpi_families: tuple[str, ...] = ()
    prices: Mapping[str, Price] = field(default_factory=lambda: MappingProxyType({}))
    tear_inlets: bool = False
    bypass: bool = False
    route_word: str = ""
    route_kpis: RouteKpis | None = None
    scale_site: str = ""
    pumping: Pumping | None = None
    sizing: Sizing | None = None
    reactions: tuple[Reaction, ...] = ()

    def __post_init__(self) -> None:
        # declarations are data: keep them read-only
        object.__setattr__(self, "prices", MappingProxyType(dict(self.prices)))
        unknown = [f for f in self.kpi_families if f not in KPI_FAMILIES]
        if unknown:
            msg = f"unit type {self.name!r}: unknown KPI families {unknown}"
            raise ValueError(msg)
        if ("lixiviant_route" in self.kpi_families) != (self.route_kpis is not None):
            msg = f"unit type {self.name!r}: a lixiviant_route type declares route_kpis, no other"
            raise ValueError(msg)


def check_requires(
    utype: UnitType, spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]
) -> None:
    """One problem per species the unit type requires and the case does not declare."""
    for species in utype.requires:
        if not comps.has(species):
            problems.append(
                Problem(
                    file,
                    f"units.{spec.name}",
                    f"a {spec.type} needs the species {species!r}: declare it in [case]",
                )
            )


def total_solids(comps: ComponentSet, x: np.ndarray) -> np.ndarray:
    """Dry solids flow of stream array(s) [t/h], shape ``x.shape[:-1]``."""
    return x[..., : comps.n_solids_comp].sum(axis=-1)


def water(comps: ComponentSet, x: np.ndarray) -> np.ndarray:
    """Water flow of stream array(s) [t/h] (0 if the case has no water species)."""
    if not comps.has("water"):
        return np.zeros(x.shape[:-1])
    return x[..., comps.solution_offset("water")]


def solids_volume_m3_h(comps: ComponentSet, x: np.ndarray) -> np.ndarray:
    """Volume flow of the solids [m³/h] from each species' density."""
    rho = np.array([s.density_t_m3 for s in comps.solids])
    return (comps.solids_view(x) / rho).sum(axis=(-1, -2))


def solution_slice(comps: ComponentSet) -> slice:
    """Slice of the stream vector holding the solution species."""
    return slice(comps.n_solids_comp, comps.n_solids_comp + len(comps.solution))


def adsorbent_slice(comps: ComponentSet) -> slice:
    """Slice of the stream vector holding the adsorbent species."""
    start = comps.n_solids_comp + len(comps.solution)
    return slice(start, start + len(comps.adsorbent))


#: The unit contract: this module's names and the declarations it re-exports
#: (``oreflow.units.declarations``), so a unit module imports its contract from here.
__all__ = [
    "KPI_FAMILIES",
    "SIZING_KINDS",
    "Checker",
    "EnvelopeLimit",
    "PrepareContext",
    "Price",
    "Pumping",
    "RouteKpis",
    "Sizing",
    "TableSchema",
    "UnitModel",
    "UnitResult",
    "UnitSpec",
    "UnitType",
    "adsorbent_slice",
    "check_requires",
    "solids_volume_m3_h",
    "solution_slice",
    "total_solids",
    "water",
]

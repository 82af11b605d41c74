"""Reagents in and gases out of each unit, from its reaction table and its species changes.

A unit reports the signed change of every species (``UnitResult.reacted``). Its type's
reaction table (``UnitType.reactions``, ``oreflow.core.reactions``) has linearly
species changes that fix its reagents and gases, so the extents are the
least-squares solution of ``S @ extents = change`` (``S``: t/h of each species per kmol/h of each reaction); the
external flows (oxygen, lime, limestone in; CO2, N2, HCN out; dissolved counter-ions)
follow from the extents. The part of the change no combination of the reactions
explains, ``(I - S S⁺) change``, is an imbalance of elements: mass made or lost.

Both maps are linear in the species change and precomputed once per (unit type, case
species) as (n_species, n_external) and (n_species, n_elements) matrices, so the audit
of a batch costs one small product per reacting unit (``oreflow.solvers.results``,
``oreflow.solvers.block_audit``).

Elements not yet gated. ``UNBALANCED_ELEMENTS`` lists, per unit type, the elements its
table does not yet explain (the kernel's own molar masses differ from the formula
masses, or a reagent it prices is not yet written as a reaction). Their imbalance is
reported in the closure as ``reacted`` (mass made or lost, visible in every report)
instead of failing the gate; every other element of every unit type is gated. The list
is empty and a test keeps it so (``tests/solvers/test_element_closure.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from oreflow.core.components import CATALOGUE, ELEMENTS, ComponentSet
from oreflow.core.formulas import mass_fractions
from oreflow.core.reactions import EXTERNALS, Reaction, formula_of, molar_mass_g_mol

if TYPE_CHECKING:
    from oreflow.solvers.simulate import Simulation
    from oreflow.units.base import UnitType

#: The elements the audit tracked before every element was balanced (issue 15).
FIRST_ELEMENTS = ("au", "ag", "cu", "s", "fe", "as", "c")

#: Unit type -> elements its reaction table does not yet close (reported, not gated).
#: Only ever shrinks (``tests/solvers/test_element_closure.py``).
UNBALANCED_ELEMENTS: dict[str, tuple[str, ...]] = {}


@dataclass(frozen=True)
class ReactionMap:
    """Linear maps from a unit's species change [t/h] to its external flows and imbalance.

    Attributes
    ----------
    externals : tuple of str
        ``EXTERNALS`` names of the table.
    to_external : numpy.ndarray
        (n_species, n_ext): t/h of each external entering (+) or leaving (-) the
        streams per t/h of species change.
    unexplained : numpy.ndarray
        (n_species, n_el): t/h of each element made (+) per t/h of species change that
        the reactions do not explain; the not-gated elements of the type zeroed.
    reported : numpy.ndarray
        (n_species, n_el): the same for the not-gated elements only.
    ext_elements : numpy.ndarray
        (n_ext, n_el): element mass fractions of each external.
    driven : tuple
        Reactions set by a metric: (metric, index of the species whose addition is
        taken off or -1, index of the reagent, (n_ext,) t/h per kmol/h, surplus,
        mop_up), in table order.
    combined, combined_net : numpy.ndarray
        Derived: (n_species, n_ext + 2 n_el) externals, unexplained and reported side
        by side; (n_species, 3 n_el) the same with the externals' net elements.
    """

    externals: tuple[str, ...]
    to_external: np.ndarray
    unexplained: np.ndarray
    reported: np.ndarray
    ext_elements: np.ndarray
    driven: tuple = ()
    combined: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    combined_net: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))

    def __post_init__(self) -> None:
        # side by side, so that a unit's audit is one product: externals (or their net
        # elements), unexplained, reported
        object.__setattr__(
            self, "combined", np.hstack([self.to_external, self.unexplained, self.reported])
        )
        net = self.to_external @ self.ext_elements
        object.__setattr__(self, "combined_net", np.hstack([net, self.unexplained, self.reported]))


_CACHE: dict[tuple[str, int, tuple[str, ...]], ReactionMap] = {}


def reaction_map(utype: UnitType, comps: ComponentSet) -> ReactionMap:
    """The linear maps of a unit type for a case's species (cached)."""
    names = tuple(s.name for s in comps.species)
    key = (utype.name, id(utype.reactions), names)
    hit = _CACHE.get(key)
    if hit is not None:
        return hit
    # a reaction that makes or takes a species the case does not declare (or declares
    # with its own fractions) cannot run
    own = {s.name for s in comps.species if s is CATALOGUE.get(s.name)}
    reactions = tuple(
        r
        for r in utype.reactions
        if not r.driver and all(p in EXTERNALS or p in own for p in r.coefficients)
    )
    if reactions:
        reactions = reactions + _custom_dissolution(comps, own)
    driven_r = tuple(r for r in utype.reactions if r.driver)
    externals = tuple(
        sorted({p for r in (*reactions, *driven_r) for p in r.coefficients if p in EXTERNALS})
    )
    n_sp = len(names)
    em = comps.species_element_matrix()
    s_mat = np.zeros((n_sp, len(reactions)))
    e_mat = np.zeros((len(externals), len(reactions)))
    for j, r in enumerate(reactions):
        for part, n in r.coefficients.items():
            mw = 100.0 if part in names and part not in own else molar_mass_g_mol(part)
            t_per_kmol = n * mw / 1000.0
            if part in EXTERNALS:
                e_mat[externals.index(part), j] = -t_per_kmol  # consumed enters
            elif part in names:
                s_mat[names.index(part), j] = t_per_kmol
    pinv = np.linalg.pinv(s_mat) if reactions else np.zeros((0, n_sp))
    to_external = (e_mat @ pinv).T
    residual = np.eye(n_sp) - s_mat @ pinv
    unexplained = residual @ em
    waived_names = set(UNBALANCED_ELEMENTS.get(utype.name, ()))
    if any(s is not CATALOGUE.get(s.name) for s in comps.species):
        # a species the case declares itself has the fractions the case gives, not a
        # formula the tables can use: the elements the old audit did not track are
        # then shown, not gated, for every reacting unit of the case
        waived_names |= set(ELEMENTS[len(FIRST_ELEMENTS) :])
    waived = [ELEMENTS.index(el) for el in sorted(waived_names)]
    reported = np.zeros_like(unexplained)
    reported[:, waived] = unexplained[:, waived]
    unexplained[:, waived] = 0.0
    ext_el = np.array(
        [[mass_fractions(formula_of(e)).get(el, 0.0) for el in ELEMENTS] for e in externals]
    ).reshape(len(externals), len(ELEMENTS))
    driven = []
    for r in driven_r:
        vec = np.zeros(len(externals))
        for part, n in r.coefficients.items():
            vec[externals.index(part)] = -n * molar_mass_g_mol(part) / 1000.0
        reagent = externals.index(r.reagent)
        added = names.index(r.less_added) if r.less_added in names else -1
        driven.append((r.driver, added, reagent, vec, r.surplus, r.mop_up))
    out = ReactionMap(externals, to_external, unexplained, reported, ext_el, tuple(driven))
    _CACHE[key] = out
    return out


#: Where each element of a dissolving case-declared species goes: a species of the case
#: (``co2`` takes two dissolved oxygens per carbon) or a dissolved external.
_DISSOLVED_AS = {
    "cu": "cu_aq", "ag": "ag_aq", "au": "au_aq", "fe": "fe_aq", "as": "as_aq", "c": "co2",
    "s": "S2-", "ca": "Ca2+", "mg": "Mg2+", "na": "Na+", "k": "K+", "o": "O_aq", "h": "H+",
}  # fmt: skip


def _custom_dissolution(comps: ComponentSet, own: set[str]) -> tuple[Reaction, ...]:
    """A species the case declares itself (no formula) dissolves to its elements.

    Per 100 g of it, each element goes where ``_DISSOLVED_AS`` sends it, if the case
    declares that species; the reaction is left out otherwise. The tables cannot know
    a case mineral's chemistry: this lets a leach dissolve it (malachite to copper and
    CO2) while every element it declares still closes.
    """
    from oreflow.conventions import ATOMIC_WEIGHT_G_MOL

    names = {s.name for s in comps.species}
    out = []
    for s in comps.species:
        if s.name in own or not s.elements:
            continue
        coef: dict[str, float] = {s.name: -1.0}
        for el, frac in s.elements.items():
            dest = _DISSOLVED_AS.get(el)
            if dest is None or (dest not in EXTERNALS and dest not in names):
                break
            mol = 100.0 * frac / ATOMIC_WEIGHT_G_MOL[el]
            coef[dest] = coef.get(dest, 0.0) + mol
            if dest == "co2":
                coef["O_aq"] = coef.get("O_aq", 0.0) - 2.0 * mol
        else:
            out.append(Reaction(f"{s.name} dissolves", MappingProxyType(coef), "case species"))
    return tuple(out)


def species_change(comps: ComponentSet, reacted: np.ndarray) -> np.ndarray:
    """A unit's reacted (n_cases, n_comp) summed over size classes, (n_cases, n_species)."""
    from oreflow.kernels.stream_sums import species_totals  # numba when used

    if comps.n_solid == 1:  # contiguous classes: einsum sums them its own way
        solids = np.einsum("nsk->nk", comps.solids_view(reacted))
    else:  # classes added in order, as einsum("nsk->nk") adds them (same bits)
        rows = np.ascontiguousarray(reacted, dtype=np.float64)
        solids = species_totals(rows, comps.n_cls, comps.n_solid)
    return np.concatenate([solids, reacted[:, comps.n_solids_comp :]], axis=1)


def _unit_map(sim: Simulation, name: str) -> ReactionMap | None:
    """The reaction map of a unit of a simulation, or None when it reports no reaction."""
    r = sim.units.get(name)
    if r is None or r.reacted is None or name.startswith("ore."):
        return None
    spec = sim.plant.spec
    key = (id(spec), name)
    hit = _UNIT_CACHE.get(key)
    if hit is not None and hit[0] is spec:
        return hit[1]
    rmap = reaction_map(spec.unit_types[spec.unit(name).type], spec.comps)
    _UNIT_CACHE[key] = (spec, rmap)
    return rmap


_UNIT_CACHE: dict[tuple[int, str], tuple[object, ReactionMap]] = {}


def _products(dsp: np.ndarray, mat: np.ndarray) -> np.ndarray:
    """``dsp @ mat`` with least-squares round-off snapped to zero.

    Round-off (1e-17 t/h of Mg2+ from a vessel with no dolomite) is not a flow: below
    ``SNAP_REL`` of the unit's reacting mass it is zero.
    """
    from oreflow.kernels.small_products import einsum_product  # numba when used

    flow = einsum_product(dsp, mat)
    snap = SNAP_REL * np.abs(dsp).sum(axis=1, keepdims=True)
    return np.where(np.abs(flow) > snap, flow, 0.0)


def unit_external(
    sim: Simulation, name: str
) -> tuple[tuple[str, ...], np.ndarray, np.ndarray, np.ndarray] | None:
    """One unit's externals, reagents in and gases out, from its species change.

    Returns (names, t/h entering (+) or leaving (-) (n, n_ext), unexplained element
    imbalance (n, n_el), reported not-gated imbalance (n, n_el)); None when the unit
    reports no reaction.
    """
    rmap = _unit_map(sim, name)
    if rmap is None:
        return None
    r = sim.units[name]
    comps = sim.plant.spec.comps
    flows = _products(species_change(comps, r.reacted), rmap.combined)
    n_ext, n_el = len(rmap.externals), len(ELEMENTS)
    ext = flows[:, :n_ext]
    if rmap.driven and r.metrics:
        added = None if r.added is None else species_change(comps, r.added)
        for metric, i_added, reagent, vec, surplus, mop_up in rmap.driven:
            if metric not in r.metrics:
                continue
            if mop_up:
                extent = np.maximum(-ext[:, reagent], 0.0) / vec[reagent]
                ext = ext + extent[:, None] * vec[None, :]
                continue
            take = np.asarray(r.metrics[metric], dtype=np.float64) / 1000.0
            if i_added >= 0 and added is not None:
                take = take - added[:, i_added]
            if surplus:
                take = take - ext[:, reagent]
            extent = np.maximum(take, 0.0) / vec[reagent]
            ext = ext + extent[:, None] * vec[None, :]
    return rmap.externals, ext, flows[:, n_ext : n_ext + n_el], flows[:, n_ext + n_el :]


#: Share of a unit's reacting mass below which an external flow or an imbalance is
#: round-off of the least-squares extents [-] [assumed: 100 times the double-precision
#: epsilon].
SNAP_REL = 1e-14


def external_element_totals(
    sim: Simulation, nodes: object = None, *, detailed: bool = True
) -> dict[str, np.ndarray]:
    """Element totals (n_cases, n_el) of the externals of a set of units (all: None).

    ``in``: elements of reagents entering; ``out``: of gases and dissolved salts
    leaving; ``unexplained``: elements made without a reaction (gated); ``reported``:
    the same for not-gated elements (shown as reacted). ``detailed=False`` nets each
    element over the externals (in: what enters net, out: what leaves net), one
    product per unit: enough for the gate of a batch or a block (the reactions set by
    a unit's metrics exchange externals only, so they change no element's net).
    """
    from oreflow.kernels.small_products import einsum_product  # numba when used

    cols = plant_elements(sim)
    n_el = len(cols)
    tot = {k: np.zeros((sim.n_cases, n_el)) for k in ("in", "out", "unexplained", "reported")}
    names = sim.units if nodes is None else nodes
    comps = sim.plant.spec.comps
    for name in names:
        rmap = _unit_map(sim, name)
        if rmap is None:
            continue
        if not detailed:
            net_cols = np.concatenate([cols, cols + len(ELEMENTS), cols + 2 * len(ELEMENTS)])
            mat = _sliced(rmap, "net", net_cols)
            flows = _products(species_change(comps, sim.units[name].reacted), mat)
            net = flows[:, :n_el]
            tot["in"] += np.maximum(net, 0.0)
            tot["out"] += np.maximum(-net, 0.0)
            tot["unexplained"] += flows[:, n_el : 2 * n_el]
            tot["reported"] += flows[:, 2 * n_el :]
            continue
        got = unit_external(sim, name)
        assert got is not None
        externals, ext, unexplained, reported = got
        if externals:
            ext_el = rmap.ext_elements[:, cols]
            # a delivered external (the part of a bought reagent the unit reports as
            # an added species) is taken off what enters, not counted as leaving
            deliv = _delivered(externals)
            crossing = np.where(deliv, 0.0, ext)
            entering = np.maximum(crossing, 0.0) + np.where(deliv, ext, 0.0)
            tot["in"] += einsum_product(entering, ext_el)
            tot["out"] += einsum_product(np.maximum(-crossing, 0.0), ext_el)
        tot["unexplained"] += unexplained[:, cols]
        tot["reported"] += reported[:, cols]
    tot["columns"] = cols
    return tot


def _delivered(externals: tuple[str, ...]) -> np.ndarray:
    """Mask of the externals delivered as a unit's added species (``External.kind``)."""
    return np.array([EXTERNALS[e].kind == "delivered" for e in externals], dtype=bool)


def plant_elements(sim: Simulation) -> np.ndarray:
    """Indices into ``ELEMENTS`` of the elements a plant can carry (cached per case).

    Those of its species and of the reagents, gases and ions of its units' reactions:
    every other element is absent, so its balance is trivially closed and not listed.
    """
    spec = sim.plant.spec
    hit = _ELEMENTS_CACHE.get(id(spec))
    if hit is not None and hit[0] is spec:
        return hit[1]
    mask = spec.comps.species_element_matrix().any(axis=0)
    for name in sim.units:
        rmap = _unit_map(sim, name)
        if rmap is not None and rmap.externals:
            mask |= rmap.ext_elements.any(axis=0)
    cols = np.flatnonzero(mask)
    _ELEMENTS_CACHE[id(spec)] = (spec, cols)
    return cols


_ELEMENTS_CACHE: dict[int, tuple[object, np.ndarray]] = {}
_SLICES: dict[tuple[int, str, bytes], np.ndarray] = {}


def _sliced(rmap: ReactionMap, which: str, cols: np.ndarray) -> np.ndarray:
    """A reaction map's combined matrix restricted to some columns (cached)."""
    key = (id(rmap), which, cols.tobytes())
    hit = _SLICES.get(key)
    if hit is None:
        hit = np.ascontiguousarray(rmap.combined_net[:, cols])
        _SLICES[key] = hit
    return hit


def external_metrics(sim: Simulation, name: str) -> dict[str, np.ndarray]:
    """A unit's reagents in (+) and gases and ions out (-) as metrics, ``ext_<name>_tph``.

    ``O2`` is ``ext_o2_tph``, ``CO2_gas`` ``ext_co2_gas_tph``, ``Na+`` ``ext_na_plus_tph``.
    """
    got = unit_external(sim, name)
    if got is None:
        return {}
    out = {}
    for k, ext in enumerate(got[0]):
        if EXTERNALS[ext].kind == "delivered":
            continue
        slug = ext.lower().replace("+", "_plus").replace("-", "_minus")
        slug = "".join(ch if ch.isalnum() else "_" for ch in slug).strip("_")
        out[f"ext_{slug}_tph"] = got[1][:, k]
    return out


def external_flows_by_name(sim: Simulation) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Plant total of each external: name -> (t/h entering, t/h leaving), (n_cases,) each."""
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name in sim.units:
        got = unit_external(sim, name)
        if got is None:
            continue
        for k, ext in enumerate(got[0]):
            if EXTERNALS[ext].kind == "delivered":
                continue
            flow = got[1][:, k]
            inn, outn = out.get(ext, (np.zeros(sim.n_cases), np.zeros(sim.n_cases)))
            out[ext] = (inn + np.maximum(flow, 0.0), outn + np.maximum(-flow, 0.0))
    return out

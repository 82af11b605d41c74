"""Closure audit of one block: what enters it, is added and reacts in it, against what leaves.

A tabulation of a mode grid audits each block once per distinct setting of it and of
the blocks upstream (``oreflow.solvers.prefix``), where the block is simulated, instead
of auditing the whole plant once per combination: a combination closes when every one
of its blocks does. The audit is the plant's (``results.audit_of_totals``: species,
phases, size classes and elements, each relative to the larger of what enters, what
leaves and the gross reaction) on the block's boundary: streams from outside the block
and ore sources in it are what enters; streams to outside the block and the inflow of
sinks in it are what leaves, with the reagents and gases of its units' reaction tables
(``oreflow.solvers.external_flows``). Tear streams are inside their block. The blocks simulated
per combination (the tail) are audited together, as one block: what flows between them
is inside it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

import numpy as np

from oreflow.solvers.external_flows import external_element_totals
from oreflow.solvers.results import audit_of_projections, views_max_rel
from oreflow.solvers.simulate import Simulation

#: A stream's projections by species and by size class, (n, n_species) and (n, n_sizes).
Projection = tuple[np.ndarray, np.ndarray]


def project_stream(comps: Any, arr: np.ndarray) -> Projection:
    """A stream's totals by species and by size class, as ``block_totals`` adds them up.

    By species: the solids summed over size classes, then the solution and adsorbed
    species. Row by row: the projections of some rows of a stream are those rows of its
    projections, so a stream shared by many cases is projected once.
    """
    from oreflow.kernels.stream_sums import species_totals  # numba when used

    solids = comps.solids_view(arr)
    # einsum: three to four times numpy's sum over these short axes (measured,
    # 2,048 cases x 26 sizes x 14 solid species); its order of additions over the
    # species may differ from the plant audit's, which is why it is not used there
    species = np.empty((len(arr), len(comps.species)))
    if comps.n_solid > 1 and arr.dtype == np.float64 and arr.flags.c_contiguous:
        # einsum adds each species' classes one after the other, as species_totals
        # does in one sweep of the row: the same bits in 0.6-0.7 of the time (26 x 14,
        # 64 to 2,048 rows); with one species the classes are contiguous and einsum
        # sums them its own way
        species[:, : comps.n_solid] = species_totals(arr, comps.n_cls, comps.n_solid)
    else:
        species[:, : solids.shape[2]] = np.einsum("nsk->nk", solids)
    species[:, solids.shape[2] :] = arr[:, comps.n_solids_comp :]
    return species, np.einsum("nsk->ns", solids)


def block_totals(
    sim: Simulation,
    nodes: Collection[str],
    projected: Mapping[str, Projection] | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """A block's ``in``, ``added``, ``reacted``, ``reacted_gross``, ``out`` by species and size.

    As ``results.project``, each contribution projected before it is summed. ``nodes``:
    the block's (or several connected blocks') nodes. ``projected``: streams whose
    projections (``project_stream``) are given, at the simulation's rows; they are
    added as given, in the same order, instead of projecting the stream.
    """
    spec = sim.plant.spec
    comps = spec.comps
    members = set(nodes)
    ores = {o.name for o in spec.ores}
    sink_units = {u.name for u in spec.units if spec.unit_types[u.type].is_sink}
    given = projected or {}
    parts: dict[str, list[np.ndarray | Projection]] = {k: [] for k in _KEYS}

    def stream(name: str) -> np.ndarray | Projection:
        return given[name] if name in given else sim.streams[name]

    for s in sim.plant.topology.streams:
        # an ore source's stream enters from nothing; a sink's inflow leaves the plant
        source = s.src in ores and s.src in members
        if source or (s.dst in members and s.src not in members):
            parts["in"].append(stream(s.name))
        sink = s.dst in sink_units and s.dst in members
        if sink or (s.src in members and s.dst not in members):
            parts["out"].append(stream(s.name))
    for node in nodes:
        r = sim.units.get(node)
        if node in ores or r is None:
            continue
        if r.added is not None:
            parts["added"].append(r.added)
        if r.reacted is not None:
            parts["reacted"].append(r.reacted)
            parts["reacted_gross"].append(np.abs(r.reacted))
    species: dict[str, np.ndarray] = {}
    sizes: dict[str, np.ndarray] = {}
    n_species = len(comps.species)
    n_sizes = len(comps.sizes.labels())
    for key, arrays in parts.items():
        species[key] = np.zeros((sim.n_cases, n_species))
        sizes[key] = np.zeros((sim.n_cases, n_sizes))
        for arr in arrays:
            by_species, by_size = arr if isinstance(arr, tuple) else project_stream(comps, arr)
            species[key] += by_species
            sizes[key] += by_size
    return species, sizes


_KEYS = ("in", "added", "reacted", "reacted_gross", "out")

#: A row of a block's audit is judged against at least this share of the block's
#: throughput [assumed]: flows that cancel to round-off (carbon of -3e-18 t/h into and
#: -7e-18 t/h out of a neutralisation handling 30 t/h, measured) are not a failed balance,
#: while a species lost whole is flagged down to 1e-15 of the throughput (gate 1e-6).
BLOCK_FLOOR_REL = 1e-9


def block_closure_max_rel(
    sim: Simulation,
    groups: Iterable[Collection[str]],
    projected: Mapping[str, Projection] | None = None,
) -> np.ndarray:
    """Largest relative closure error per case over the views of each group of nodes [-].

    A NaN error (a figure that is not a number) counts as not closed (infinite). Each row
    is judged against at least ``BLOCK_FLOOR_REL`` of the group's throughput.
    ``projected``: streams whose projections are given (``block_totals``).
    """
    comps = sim.plant.spec.comps
    worst = np.zeros(sim.n_cases)
    for nodes in groups:
        species, sizes = block_totals(sim, nodes, projected)
        throughput = np.abs(species["in"]).sum(axis=1) + np.abs(species["added"]).sum(axis=1)
        floor = BLOCK_FLOOR_REL * np.maximum(throughput, np.abs(species["out"]).sum(axis=1))
        external = external_element_totals(sim, nodes, detailed=False)
        rel = views_max_rel(audit_of_projections(comps, species, sizes, floor, external))
        worst = np.fmax(worst, np.where(np.isnan(rel), np.inf, rel))
    return worst

"""Ports, streams and topology: checks, recycle blocks, tear streams and run order.

Nodes are ore sources (``ore.NAME``) and units. A stream runs from one outlet port to
one inlet port and is named after its source, ``unit.port``. The flowsheet is split
into strongly connected components (Tarjan); each component with a cycle is a recycle
block, converged on its own before anything downstream runs. Inside a block the tear
streams are a smallest set of streams whose removal leaves no cycle (exhaustive search
for small blocks, preferring streams that enter mixers, the natural recycle points).

A loop that no feed enters, or that nothing leaves, has no steady state of interest
(material is zero or accumulates without bound): such a loop cannot be torn and is a
case error.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from oreflow.core.schema import suggest
from oreflow.errors import Problem
from oreflow.units import UNIT_TYPES
from oreflow.units.base import UnitSpec, UnitType

_EXHAUSTIVE_TEAR_EDGES = 16  # 2^16 subsets at worst; blocks of real plants are far smaller


@dataclass(frozen=True)
class Stream:
    """A connection from an outlet port to an inlet port."""

    name: str
    src: str
    src_port: str
    dst: str
    dst_port: str


@dataclass(frozen=True)
class Block:
    """A unit run once, or a recycle block converged on its tear streams.

    Attributes
    ----------
    nodes : tuple of str
        Nodes in run order (tears removed).
    tears : tuple of str
        Tear stream names; empty for a single acyclic node.
    """

    nodes: tuple[str, ...]
    tears: tuple[str, ...]


@dataclass(frozen=True)
class Topology:
    """Streams and run order of a valid flowsheet."""

    nodes: tuple[str, ...]
    streams: tuple[Stream, ...]
    blocks: tuple[Block, ...]

    def stream(self, name: str) -> Stream:
        """The stream of that name."""
        for s in self.streams:
            if s.name == name:
                return s
        raise KeyError(name)

    def inlets_of(self, node: str) -> tuple[Stream, ...]:
        """Streams entering a node."""
        return tuple(s for s in self.streams if s.dst == node)

    def outlets_of(self, node: str) -> tuple[Stream, ...]:
        """Streams leaving a node."""
        return tuple(s for s in self.streams if s.src == node)

    def block_of(self, node: str) -> Block:
        """The block holding a node."""
        for b in self.blocks:
            if node in b.nodes:
                return b
        raise KeyError(node)


def _outlet_ports(
    ores: Iterable[UnitSpec], units: Iterable[UnitSpec]
) -> dict[str, tuple[str, ...]]:
    ports = {o.name: () for o in ores}  # an ore source 'ore.main' is itself the stream
    for u in units:
        ports[u.name] = u.outlets
    return ports


def _streams(
    ores: tuple[UnitSpec, ...], units: tuple[UnitSpec, ...], file: str, problems: list[Problem]
) -> list[Stream]:
    """Resolve inlet references into streams; report bad references and fan-out."""
    ports = _outlet_ports(ores, units)
    ore_names = {o.name for o in ores}
    all_streams = [o.name for o in ores] + [f"{u}.{p}" for u, ps in ports.items() for p in ps]
    streams: list[Stream] = []
    used: dict[str, list[str]] = {}
    for u in units:
        for port, ref in u.inlets.items():
            key = f"units.{u.name}.inlets.{port}"
            if ref in ore_names:
                src, src_port = ref, ""
            else:
                src, src_port = ref.split(".", 1)
                if src not in ports or src in ore_names:
                    problems.append(
                        Problem(
                            file,
                            key,
                            f"{ref!r} is not a stream of this case{suggest(ref, all_streams)}",
                        )
                    )
                    continue
                if src_port not in ports[src]:
                    outs = ", ".join(ports[src]) or "none (it ends the flowsheet)"
                    problems.append(
                        Problem(
                            file,
                            key,
                            f"unit {src!r} has no outlet {src_port!r}; its outlets: {outs}",
                        )
                    )
                    continue
            used.setdefault(ref, []).append(f"{u.name}.{port}")
            streams.append(Stream(ref, src, src_port, u.name, port))
    for ref, dsts in used.items():
        if len(dsts) > 1:
            key = ref if ref in ore_names else f"units.{ref.split('.', 1)[0]}"
            problems.append(
                Problem(
                    file,
                    key,
                    f"stream {ref!r} feeds {len(dsts)} inlets ({', '.join(dsts)}); split it with a splitter",
                )
            )
    for name in all_streams:
        if name not in used:
            key = name if name in ore_names else f"units.{name.split('.', 1)[0]}"
            what = "ore source feeds nothing" if name in ore_names else "outlet goes nowhere"
            problems.append(
                Problem(
                    file,
                    key,
                    f"{what}: {name!r}; connect it to an inlet (end streams in a tailings or product unit)",
                )
            )
    return streams


def _sccs(nodes: list[str], edges: list[tuple[str, str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan), in reverse topological order."""
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for a, b in edges:
        succ[a].append(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            recurse = False
            for j in range(i, len(succ[node])):
                nxt = succ[node][j]
                if nxt not in index:
                    work.append((node, j + 1))
                    work.append((nxt, 0))
                    recurse = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if recurse:
                continue
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                out.append(comp)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return out


def _toposort(nodes: list[str], edges: list[tuple[str, str]]) -> list[str] | None:
    """Kahn's algorithm, stable in the given node order; None if a cycle remains."""
    indeg = {n: 0 for n in nodes}
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for a, b in edges:
        succ[a].append(b)
        indeg[b] += 1
    ready = [n for n in nodes if indeg[n] == 0]
    order = []
    while ready:
        n = ready.pop(0)
        order.append(n)
        for m in succ[n]:
            indeg[m] -= 1
            if indeg[m] == 0:
                ready.append(m)
    return order if len(order) == len(nodes) else None


def _choose_tears(
    comp: list[str], streams: list[Stream], prefer: set[str]
) -> tuple[list[Stream], list[str]]:
    """Smallest set of streams whose removal makes the block acyclic, and the run order.

    Streams entering a unit of ``prefer`` (a mixer: ``UnitType.tear_inlets``) are torn
    first, then stable by name.
    """
    inner = [s for s in streams if s.src in comp and s.dst in comp]
    inner.sort(key=lambda s: (s.dst not in prefer, s.name))
    if len(inner) <= _EXHAUSTIVE_TEAR_EDGES:
        for k in range(1, len(inner) + 1):
            for tears in itertools.combinations(inner, k):
                rest = [(s.src, s.dst) for s in inner if s not in tears]
                order = _toposort(comp, rest)
                if order is not None:
                    return list(tears), order
    # large block: greedily tear the preferred stream of each remaining cycle
    tears: list[Stream] = []
    while True:
        rest = [s for s in inner if s not in tears]
        order = _toposort(comp, [(s.src, s.dst) for s in rest])
        if order is not None:
            return tears, order
        cyclic = {n for c in _sccs(comp, [(s.src, s.dst) for s in rest]) if len(c) > 1 for n in c}
        tears.append(next(s for s in rest if s.src in cyclic and s.dst in cyclic))


def check_topology(
    ores: tuple[UnitSpec, ...],
    units: tuple[UnitSpec, ...],
    file: str,
    problems: list[Problem],
    unit_types: Mapping[str, UnitType] = UNIT_TYPES,
) -> None:
    """Append every topology problem of a flowsheet to ``problems``."""
    build_topology(ores, units, file, problems, unit_types)


def build_topology(
    ores: tuple[UnitSpec, ...],
    units: tuple[UnitSpec, ...],
    file: str,
    problems: list[Problem],
    unit_types: Mapping[str, UnitType] = UNIT_TYPES,
) -> Topology | None:
    """Streams, recycle blocks, tears and run order; None (with problems) if invalid.

    ``unit_types`` are the case's types (the built-in ones unless the case adds some):
    they say which units' inlet streams are preferred tears.
    """
    n0 = len(problems)
    streams = _streams(ores, units, file, problems)
    if len(problems) > n0:
        return None
    nodes = [o.name for o in ores] + [u.name for u in units]
    prefer = {u.name for u in units if unit_types[u.type].tear_inlets}
    edges = [(s.src, s.dst) for s in streams]
    comps = list(reversed(_sccs(nodes, edges)))  # topological order of the condensation
    blocks = []
    for comp in comps:
        cyclic = len(comp) > 1 or any(s.src == s.dst == comp[0] for s in streams)
        members = set(comp)
        if not cyclic:
            blocks.append(Block((comp[0],), ()))
            continue
        label = ", ".join(sorted(members))
        first = sorted(members)[0]
        enters = any(s.dst in members and s.src not in members for s in streams)
        leaves = any(s.src in members and s.dst not in members for s in streams)
        if not enters:
            problems.append(
                Problem(
                    file,
                    f"units.{first}",
                    f"recycle loop ({label}) cannot be torn: no feed enters it",
                )
            )
        if not leaves:
            problems.append(
                Problem(
                    file,
                    f"units.{first}",
                    f"recycle loop ({label}) cannot be torn: nothing leaves it, so material would accumulate",
                )
            )
        if not (enters and leaves):
            continue
        ordered = [n for n in nodes if n in members]
        tears, order = _choose_tears(ordered, streams, prefer)
        blocks.append(Block(tuple(order), tuple(s.name for s in tears)))
    if len(problems) > n0:
        return None
    return Topology(tuple(nodes), tuple(streams), tuple(blocks))


def ores_reaching(
    ores: tuple[UnitSpec, ...], units: tuple[UnitSpec, ...]
) -> dict[str, tuple[str, ...]]:
    """For each unit, the ore sources with a path to it."""
    succ: dict[str, set[str]] = {}
    for u in units:
        for ref in u.inlets.values():
            src = ref if ref.startswith("ore.") else ref.split(".", 1)[0]
            succ.setdefault(src, set()).add(u.name)
    reach: dict[str, list[str]] = {}
    for o in ores:
        seen: set[str] = set()
        todo = [o.name]
        while todo:
            n = todo.pop()
            for m in succ.get(n, ()):
                if m not in seen:
                    seen.add(m)
                    todo.append(m)
        for m in seen:
            reach.setdefault(m, []).append(o.name)
    return {k: tuple(v) for k, v in reach.items()}


def survey_network(spec: object) -> object:
    """The balance network of a case's flowsheet, for plant-survey reconciliation.

    Every unit with both inlets and outlets is a node; ore sources are plant feeds and
    sinks (tailings, products) are plant products, so neither is a node. Streams keep
    their case names (``mill.discharge``; an ore source's stream is ``ore.NAME``).
    Units whose type is ``reactive`` balance each species only in total over the phases,
    and ``grinding`` units do not balance size classes.

    Parameters
    ----------
    spec : CaseSpec
        A validated case.

    Returns
    -------
    oreflow.flowsheet.network.Network
        The network.
    """
    from oreflow.flowsheet.network import Network

    nodes: dict[str, tuple[list[str], list[str]]] = {}
    reactive, grinding = [], []
    for u in spec.units:  # type: ignore[attr-defined]
        utype = spec.unit_types[u.type]  # type: ignore[attr-defined]
        if utype.is_sink or not u.inlets or not u.outlets:
            continue
        nodes[u.name] = (list(u.inlets.values()), [u.stream(p) for p in u.outlets])
        if utype.reactive:
            reactive.append(u.name)
        if utype.grinding:
            grinding.append(u.name)
    return Network.from_nodes(nodes, reactive=reactive, grinding=grinding, source_file=spec.path)  # type: ignore[attr-defined]

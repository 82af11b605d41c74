"""Simulation of a mode grid with shared upstream prefixes.

A mode grid of 100,000 combinations seldom has 100,000 distinct grinding circuits: a
block's outlets depend only on the parameters of the block and of the blocks upstream
of it, so cases that agree on those share the block's result. Each block is therefore
simulated once per distinct *prefix* (the per-case parameters of its upstream cone)
when that divides its work by at least ``SHARE_MIN_RATIO``; the remaining (tail)
blocks run chunk by chunk, fed by gathering the shared results (docs/architecture.md, "Fast
search": kernels enumerate every combination sharing upstream prefixes).

The result of every case equals that of simulating it alone up to the recycle
tolerance: a recycle block converges each case on its own tear residual whichever
cases it runs with.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from oreflow.conventions import RTOL_RECYCLE
from oreflow.flowsheet.compile import CompiledPlant
from oreflow.flowsheet.graph import Block
from oreflow.solvers.block_audit import Projection, block_closure_max_rel, project_stream
from oreflow.solvers.cost_lines import UnitCost, block_unit_costs
from oreflow.solvers.gather import Gathered, GatheredUnit, JoinedUnit, join_rows
from oreflow.solvers.simulate import (
    CHUNK_CASES,
    BlockSolver,
    Simulation,
    apply_unit,
    port_order,
    unit_context,
)
from oreflow.solvers.unit_figures import CIRCUIT_METRICS, circuit_metrics
from oreflow.units.base import UnitResult

SHARE_MIN_RATIO = 1.5  # share a block when it has at most 2/3 as many prefixes as cases
#: Tail blocks and KPIs: larger chunks than ``CHUNK_CASES``, fewer Python calls per case,
#: but the tail's streams (3.5 MB each on the superstructure) near the cache: 8,192
#: measured slower, 256 and 512 no faster (benchmarks/README.md).
TAIL_CHUNK_CASES = 1024


@dataclass
class _Shared:
    """A block simulated once per distinct prefix."""

    rows: np.ndarray  # (n_cases,) index of each case's prefix
    streams: dict[str, np.ndarray]  # the block's outlets, (n_prefixes, n_comp)
    units: dict[str, UnitResult]  # the block's reports, per prefix
    iterations: int
    closure: np.ndarray | None = None  # the block's closure audit, per prefix (audit=True)
    costs: dict[str, UnitCost] | None = None  # its units' cost lines, per prefix (unit_costs)
    supports: dict[str, dict] = field(default_factory=dict)  # per unit, gather.GatheredUnit's
    projections: dict[str, Projection] = field(default_factory=dict)  # per outlet, for audits

    def projection(self, comps: Any, stream: str) -> Projection:
        """An outlet's projections (``block_audit.project_stream``), per prefix, made once."""
        if stream not in self.projections:
            self.projections[stream] = project_stream(comps, self.streams[stream])
        return self.projections[stream]


def _cones(plant: CompiledPlant, ports: tuple[dict, dict]) -> list[set[str]]:
    """For every block, the nodes whose parameters can reach it (itself included)."""
    producer = {s: node for node, outs in ports[1].items() for s in outs}
    block_of = {node: b for b, block in enumerate(plant.topology.blocks) for node in block.nodes}
    cones: list[set[str]] = []
    for b, block in enumerate(plant.topology.blocks):
        cone = set(block.nodes)
        for node in block.nodes:
            for s in ports[0][node]:
                src = producer.get(s)
                if src is not None and block_of[src] != b:
                    cone |= cones[block_of[src]]
        cones.append(cone)
    return cones


def _varying(params: Mapping[str, Mapping[str, np.ndarray]]) -> dict[str, list[str]]:
    """Per node, the parameters that differ between cases."""
    return {
        node: [k for k, v in p.items() if len(v) and not np.all(v == v[0])]
        for node, p in params.items()
    }


def _prefix_rows(
    codes: Mapping[tuple[str, str], np.ndarray],
    varying: Mapping[str, list[str]],
    cone: set[str],
    n: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Representative case of every distinct prefix, and each case's prefix index.

    ``codes``: per varying parameter, each of the ``n`` cases' index among its values.
    """
    cols = [codes[node, k] for node in sorted(cone) for k in varying.get(node, ())]
    key = np.zeros(n, dtype=np.int64)
    for col in cols:
        key = key * (int(col.max()) + 1) + col
        if key.max() > 2**40:  # keep the mixed-radix key far from int64 overflow
            key = np.unique(key, return_inverse=True)[1]
    _, first, rows = np.unique(key, return_index=True, return_inverse=True)
    return first.astype(np.int64), rows.reshape(-1).astype(np.int64)


def _take(result: UnitResult, idx: np.ndarray, outlets: tuple[np.ndarray, ...]) -> UnitResult:
    """A unit report restricted to some cases (rows ``idx``), given its gathered outlets."""

    def take(v: Any) -> Any:
        return v[idx] if np.ndim(v) else v

    return UnitResult(
        outlets,
        None if result.added is None else result.added[idx],
        None if result.reacted is None else result.reacted[idx],
        {m: take(np.asarray(v)) for m, v in result.metrics.items()},
    )


def _run_block(
    plant: CompiledPlant,
    block: Block,
    sim: Simulation,
    ports: tuple[dict, dict],
    rtol: float,
    max_iter: int,
) -> int:
    """Run one block on ``sim`` (its inputs already in ``sim.streams``); its iterations."""
    states = {}
    for node in block.nodes:
        ctx = unit_context(plant, sim.params, node, sim.n_cases)
        states[node] = plant.models[node].prepare(sim.params[node], ctx)
    if not block.tears:
        sim.units[block.nodes[0]] = apply_unit(plant, block.nodes[0], states, sim.streams, ports)
        return 0
    return BlockSolver(plant, sim, states, block).solve(rtol, max_iter)


def _subset_params(
    params: Mapping[str, Mapping[str, np.ndarray]], idx: np.ndarray | slice
) -> dict[str, dict[str, np.ndarray]]:
    """Every node's parameters at rows ``idx``, each node's taken when first read."""
    out = Gathered()
    for node, p in params.items():
        out.defer(node, lambda p=p: {k: v[idx] for k, v in p.items()})
    return out  # type: ignore[return-value]


def _gather_inputs(
    block: Block,
    ports: tuple[dict, dict],
    shared_of: Mapping[str, _Shared],
    idx: np.ndarray,
    lazy: bool = False,
) -> dict[str, np.ndarray]:
    """The shared upstream streams a block reads, for cases ``idx`` (``lazy``: where read)."""
    produced = {s for node in block.nodes for s in ports[1][node]}
    out = Gathered() if lazy else {}
    for node in block.nodes:
        for s in ports[0][node]:
            if s not in produced and s in shared_of:
                part = shared_of[s]
                if lazy:
                    out.defer(s, lambda s=s, part=part: part.streams[s][part.rows[idx]])
                else:
                    out[s] = part.streams[s][part.rows[idx]]
    return out  # type: ignore[return-value]


def take_cases(sim: Simulation, idx: np.ndarray) -> Simulation:
    """The simulation of some of a simulation's cases (rows ``idx``)."""
    ports = port_order(sim.plant)
    out = Simulation(sim.plant, len(idx), _subset_params(sim.params, idx))
    if isinstance(sim.streams, Gathered):  # each stream taken where read
        out.streams = sim.streams.take(idx)  # type: ignore[assignment]
    else:
        out.streams = {s: v[idx] for s, v in sim.streams.items()}
    for node, r in sim.units.items():
        if isinstance(r, GatheredUnit):
            out.units[node] = r.take(idx, out.streams)
            continue
        outlets = tuple(out.streams[s] for s in ports[1].get(node, ()))
        out.units[node] = _take(r, idx, outlets)
    out.iterations = dict(sim.iterations)
    if sim.block_closure is not None:
        out.block_closure = sim.block_closure[idx]
    if sim.tail_closure is not None:
        out.tail_closure = sim.tail_closure[idx]
    return out


def block_prefixes(
    plant: CompiledPlant, params: Mapping[str, Mapping[str, np.ndarray]]
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per block (run order): its distinct prefixes' representative cases, each case's prefix."""
    cones = _cones(plant, port_order(plant))
    varying = _varying(params)
    n = next(len(v) for p in params.values() for v in p.values())  # an ore always has some
    # each parameter's codes once, whichever blocks' cones hold it
    codes = {
        (node, k): np.unique(params[node][k], return_inverse=True)[1].reshape(-1)
        for node, keys in varying.items()
        for k in keys
    }
    # blocks whose cones vary in the same parameters share their prefixes
    done: dict[tuple[tuple[str, str], ...], tuple[np.ndarray, np.ndarray]] = {}
    out = []
    for cone in cones:
        used = tuple((node, k) for node in sorted(cone) for k in varying.get(node, ()))
        if used not in done:
            done[used] = _prefix_rows(codes, varying, cone, n)
        out.append(done[used])
    return out


def simulate_shared_chunks(
    plant: CompiledPlant,
    *,
    n_cases: int,
    overrides: Mapping[str, Any] | None = None,
    rtol: float = RTOL_RECYCLE,
    max_iter: int = 500,
    chunk_cases: int = TAIL_CHUNK_CASES,
    audit: bool = False,
    circuit_figures: Collection[str] = (),
    unit_costs: bool = False,
) -> Iterator[tuple[int, int, Simulation]]:
    """Like ``simulate_chunks``, simulating each distinct upstream prefix once.

    Yields ``(first_case, end_case, chunk)`` with every stream, unit report and
    parameter of the chunk's cases, as ``simulate_chunks`` does. With ``audit`` every
    block's closure is audited where it is simulated, once per prefix
    (``block_audit``), and each chunk carries its cases' worst (``block_closure``).
    The figures of a grinding circuit named in ``circuit_figures`` (``units.MILL.FIGURE``,
    ``unit_figures.CIRCUIT_METRICS``) are computed once per prefix where the circuit is
    shared, and reported in the mill's report. With ``unit_costs`` the operating cost
    lines and utility power of every shared block's units are computed once per prefix
    (``cost_lines``) and each chunk carries its cases' (``Simulation.unit_costs``).
    """
    params = plant.param_arrays(n_cases, overrides)
    ports = port_order(plant)
    blocks = plant.topology.blocks
    shared = _simulate_shared(
        plant,
        params,
        ports,
        n_cases,
        rtol,
        max_iter,
        audit,
        _circuit_names(circuit_figures),
        unit_costs,
    )
    if any(entry is None and block.tears for entry, block in zip(shared, blocks, strict=True)):
        chunk_cases = min(chunk_cases, CHUNK_CASES)  # a recycle in the tail: keep its cache size
    # the shared streams entering the tail: projected for its audit once per prefix
    tail_nodes = {n for b, e in zip(blocks, shared, strict=True) if e is None for n in b.nodes}
    producer = {
        s: e
        for b, e in zip(blocks, shared, strict=True)
        if e is not None
        for node in b.nodes
        for s in ports[1][node]
    }
    entering = (
        [
            s.name
            for s in plant.topology.streams
            if s.dst in tail_nodes and s.src not in tail_nodes and s.name in producer
        ]
        if audit
        else []
    )
    comps = plant.spec.comps
    for lo in range(0, n_cases, chunk_cases):
        hi = min(lo + chunk_cases, n_cases)
        idx = np.arange(lo, hi)
        # the chunk's parameters are views (rows lo:hi), not copies
        sim = Simulation(plant, hi - lo, _subset_params(params, slice(lo, hi)))
        sim.streams = Gathered()  # type: ignore[assignment]  # a shared block's on first read
        if unit_costs:
            sim.unit_costs = {}
        worst = np.zeros(hi - lo)
        tail: list[str] = []  # the nodes simulated per case, audited together
        for block, entry in zip(blocks, shared, strict=True):
            if entry is not None:
                at = entry.rows[idx]
                if entry.closure is not None:
                    worst = np.fmax(worst, entry.closure[at])
                for node in block.nodes:
                    for s in ports[1][node]:
                        sim.streams.defer_rows(s, lambda e=entry, s=s: e.streams[s], at)
                    sim.units[node] = GatheredUnit(
                        entry.units[node],
                        at,
                        sim.streams,
                        ports[1][node],
                        entry.supports.setdefault(node, {}),
                    )
                if block.tears:
                    sim.iterations[",".join(block.tears)] = entry.iterations
                if entry.costs is not None and sim.unit_costs is not None:
                    sim.unit_costs.update((k, c.take(at)) for k, c in entry.costs.items())
                continue
            iters = _run_block(plant, block, sim, ports, rtol, max_iter)
            if block.tears:
                sim.iterations[",".join(block.tears)] = iters
            tail += block.nodes
        if audit:
            projected = {}
            for s in entering:
                by_species, by_size = producer[s].projection(comps, s)
                at = producer[s].rows[idx]
                projected[s] = (by_species[at], by_size[at])
            sim.tail_closure = block_closure_max_rel(sim, [tail], projected)
            sim.block_closure = np.fmax(worst, sim.tail_closure)
        yield lo, hi, sim


def _simulate_shared(
    plant: CompiledPlant,
    params: Mapping[str, Mapping[str, np.ndarray]],
    ports: tuple[dict, dict],
    n_cases: int,
    rtol: float,
    max_iter: int,
    audit: bool = False,
    circuit: Mapping[str, list[str]] | None = None,
    unit_costs: bool = False,
) -> list[_Shared | None]:
    """Per block, its result per distinct prefix, or None where it is left to the tail."""
    blocks = plant.topology.blocks
    shared: list[_Shared | None] = []
    shared_of: dict[str, _Shared] = {}  # stream name -> the shared block producing it
    for block, (first, rows) in zip(blocks, block_prefixes(plant, params), strict=True):
        upstream_shared = all(
            s in shared_of
            for node in block.nodes
            for s in ports[0][node]
            if s not in {o for n2 in block.nodes for o in ports[1][n2]}
        )
        if len(first) * SHARE_MIN_RATIO > n_cases or not upstream_shared:
            shared.append(None)
            continue
        parts: list[Simulation] = []
        iters = 0
        for lo in range(0, len(first), CHUNK_CASES):
            idx = first[lo : lo + CHUNK_CASES]
            sim = Simulation(plant, len(idx), _subset_params(params, idx))
            sim.streams = _gather_inputs(block, ports, shared_of, idx)
            iters = max(iters, _run_block(plant, block, sim, ports, rtol, max_iter))
            _add_circuit_figures(sim, block, circuit or {})
            parts.append(sim)
        streams = Gathered()  # each outlet joined where a chunk or the costs read it
        for s in (s for node in block.nodes for s in ports[1][node]):
            streams.defer(s, lambda s=s, parts=parts: join_rows([p.streams[s] for p in parts]))
        entry = _Shared(
            rows,
            streams,  # type: ignore[arg-type]
            {
                node: JoinedUnit(
                    [p.units[node] for p in parts],
                    lambda node=node, streams=streams: tuple(streams[s] for s in ports[1][node]),
                )
                for node in block.nodes
            },
            iters,
            np.concatenate([block_closure_max_rel(p, [block.nodes]) for p in parts])
            if audit
            else None,
        )
        if unit_costs:  # on every prefix at once, each row as a gathered chunk holds it
            whole = Simulation(plant, len(first), _subset_params(params, first))
            whole.streams = _gather_inputs(block, ports, shared_of, first, lazy=True)
            for s in streams:
                whole.streams.defer(s, lambda s=s, streams=streams: streams[s])
            whole.units = dict(entry.units)
            entry.costs = block_unit_costs(whole, block.nodes)
        shared.append(entry)
        for s in streams:
            shared_of[s] = entry
    return shared


def _circuit_names(names: Collection[str]) -> dict[str, list[str]]:
    """Per unit, the circuit figures named (``units.UNIT.FIGURE``)."""
    out: dict[str, list[str]] = {}
    for name in names:
        unit, _, figure = name.removeprefix("units.").partition(".")
        if name.startswith("units.") and figure in CIRCUIT_METRICS:
            out.setdefault(unit, []).append(figure)
    return out


def _add_circuit_figures(sim: Simulation, block: Block, wanted: Mapping[str, list[str]]) -> None:
    """Report the wanted circuit figures of the block's mills in their reports.

    Only where the whole circuit is the block (every circuit mill of the plant in it):
    ``circuit_metrics`` reads the streams around each one.
    """
    spec = sim.plant.spec
    mills = [u.name for u in spec.units if spec.unit_types[u.type].circuit]
    if not any(m in wanted for m in mills) or not set(mills) <= set(block.nodes):
        return
    figures = circuit_metrics(sim)
    for mill in mills:
        report = sim.units[mill].metrics
        for figure in wanted.get(mill, ()):
            if figure not in report and figure in figures.get(mill, {}):
                report[figure] = figures[mill][figure]

"""Steady-state simulation: run order, unit kernels and recycle convergence.

Blocks run in topological order. A recycle block is converged on its tear streams by
successive substitution with Anderson acceleration (``oreflow.kernels.recycle``)
until every component of every tear stream, in every case, has a relative residual
below ``rtol``; otherwise ``ConvergenceError`` names the stream, component and
residual. All cases of a batch are converged together (each unit call is one batched
kernel call), which is what makes thousands of plant evaluations per second possible.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from oreflow.conventions import RTOL_RECYCLE
from oreflow.errors import ConvergenceError
from oreflow.flowsheet.compile import CompiledPlant
from oreflow.flowsheet.graph import Block
from oreflow.kernels.arrays import safe_div
from oreflow.solvers.closed_circuit import MillLoop, recognise, start_with_solids, tear_solids
from oreflow.units.base import PrepareContext, UnitResult

logger = logging.getLogger(__name__)

CHUNK_CASES = 256  # cases simulated together: arrays of this many cases stay in cache
COMPACT_FRACTION = 0.5  # re-prepare for the cases still iterating once they are this share
ANDERSON_MEMORY = 6  # iterates kept for Anderson mixing
ANDERSON_REGULARIZATION = 1e-12
SPECIES_FLOOR = 1e-6  # a size class holding < 1e-6 of its species is judged against that floor
STREAM_FLOOR = 1e-15  # and nothing is judged below 1e-15 of the whole stream


@dataclass
class Simulation:
    """Raw result of a simulation: arrays, before any table is made.

    Attributes
    ----------
    plant : CompiledPlant
        What was simulated.
    n_cases : int
        Number of cases simulated together.
    params : dict
        Per node, the per-case parameter arrays used.
    streams : dict[str, numpy.ndarray]
        Every stream, (n_cases, n_comp) [t/h].
    units : dict[str, UnitResult]
        What every node reported on its last call.
    iterations : dict[str, int]
        Iterations per recycle block (keyed by its tear streams).
    seconds : dict[str, float]
        Wall time of the prepare and solve phases [s].
    block_closure : numpy.ndarray or None
        (n_cases,) largest relative closure error of any block, where the blocks were
        audited as they were simulated (``prefix.simulate_shared_chunks(audit=True)``).
    tail_closure : numpy.ndarray or None
        (n_cases,) the part of ``block_closure`` from the blocks simulated per case (the
        tail), kept apart so that it can be checked on its own.
    unit_costs : dict or None
        Per unit, its cost lines and utility power where they were computed once per
        block setting (``cost_lines.UnitCost``); the economics costs the other units.
    """

    plant: CompiledPlant
    n_cases: int
    params: dict[str, dict[str, np.ndarray]]
    streams: dict[str, np.ndarray] = field(default_factory=dict)
    units: dict[str, UnitResult] = field(default_factory=dict)
    iterations: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    block_closure: np.ndarray | None = None
    tail_closure: np.ndarray | None = None
    unit_costs: dict[str, Any] | None = None


def port_order(plant: CompiledPlant) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Inlet and outlet stream names of every node, in port order."""
    inlets: dict[str, list[str]] = {}
    outlets: dict[str, list[str]] = {}
    for ore in plant.spec.ores:
        inlets[ore.name] = []
        outlets[ore.name] = [ore.name]
    for u in plant.spec.units:
        ports = plant.spec.unit_types[u.type].inlets
        order = [p for p in (ports or tuple(u.inlets)) if p in u.inlets]
        inlets[u.name] = [u.inlets[p] for p in order]
        outlets[u.name] = [u.stream(p) for p in u.outlets]
    return inlets, outlets


def _feed_wi(
    plant: CompiledPlant, params: Mapping[str, Mapping[str, np.ndarray]], node: str, n: int
) -> np.ndarray:
    """Rate-weighted Bond work index of the ores reaching a node [kWh/t]."""
    ores = plant.ore_reach.get(node, ())
    if not ores:
        return np.full(n, np.nan)
    rate = sum(params[o]["rate_tph"] for o in ores)
    wi = sum(params[o]["rate_tph"] * params[o]["wi_kwh_t"] for o in ores if "wi_kwh_t" in params[o])
    return safe_div(wi, rate, fill=np.nan)


def unit_context(
    plant: CompiledPlant, params: Mapping[str, Mapping[str, np.ndarray]], node: str, n: int
) -> PrepareContext:
    """What a node may know of the plant when it prepares."""
    ores = plant.ore_reach.get(node, ())
    ore_tph = sum((params[o]["rate_tph"] for o in ores), np.zeros(n))
    return PrepareContext(
        plant.spec.comps, _feed_wi(plant, params, node, n), n, ore_tph, ore_reaches=bool(ores)
    )


def apply_unit(
    plant: CompiledPlant,
    node: str,
    states: Mapping[str, Any],
    streams: dict[str, np.ndarray],
    ports: tuple[dict[str, list[str]], dict[str, list[str]]],
) -> UnitResult:
    """Apply one node to the streams it reads; store and return its result."""
    inlets = tuple(streams[s] for s in ports[0][node])
    result = plant.models[node].apply(states[node], inlets)
    streams.update(zip(ports[1][node], result.outlets, strict=True))
    return result


class BlockSolver:
    """Converges one recycle block for a set of cases.

    Cases converge at different iterations. Once at most half of the cases still
    iterate, the block is re-prepared for those cases only and the rest are set
    aside with their converged tear streams, so the slowest case does not make the
    whole batch pay for its iterations. A final pass over all cases from their
    converged tears then leaves every stream and unit report consistent.
    """

    def __init__(
        self,
        plant: CompiledPlant,
        sim: Simulation,
        states: dict[str, Any],
        block: Block,
        direct: bool = True,
    ) -> None:
        self.plant = plant
        self.sim = sim
        self.states = states
        self.block = block
        self.ports = port_order(plant)
        comps = plant.spec.comps
        self.nc = comps.n_comp
        self.species_of = np.tile(comps.component_species(), len(block.tears))
        self.n_species = len(comps.species)
        produced = {name for node in block.nodes for name in self.ports[1][node]}
        self.inputs = sorted({s for node in block.nodes for s in self.ports[0][node]} - produced)
        self.outlets_only = {
            node: getattr(plant.models[node], "apply_outlets", None) for node in block.nodes
        }
        # units whose ``apply_outlets`` overwrite the outlets of their previous pass
        # (``out``): a pass then allocates nothing for them
        self.outlets_into = {
            node for node in block.nodes if getattr(plant.models[node], "outlets_into", False)
        }
        self._last: dict[str, tuple[np.ndarray, ...]] = {}
        #: chunk numbers of the cases ``_converge`` is iterating (a unit's error names them)
        self._cases: np.ndarray | None = None
        self.linear = all(plant.spec.unit_type(node).linear for node in block.nodes)
        self.mill_loop = recognise(plant, block, self.ports) if direct else None
        # The final pass reads a tear made earlier in the same pass as its new value; where
        # no node does, it is a pass from the converged tears with the reports kept, and a
        # start's last probe made that way (``_pass(report=True)``) can stand for it.
        made: set[str] = set()
        self.final_is_a_pass = True
        for node in block.nodes:
            if any(s in made for s in self.ports[0][node]):
                self.final_is_a_pass = False
            made.update(s for s in self.ports[1][node] if s in block.tears)
        #: (tears, unit results) of the last reporting pass, for ``_final_pass``
        self.reported: tuple[np.ndarray, list[UnitResult]] | None = None

    def _split(self, x: np.ndarray) -> dict[str, np.ndarray]:
        return {t: x[:, k * self.nc : (k + 1) * self.nc] for k, t in enumerate(self.block.tears)}

    def _pass(
        self,
        x: np.ndarray,
        states: Mapping[str, Any],
        streams: dict[str, np.ndarray],
        out_t: np.ndarray,
        report: bool = False,
    ) -> None:
        """Run the block once from tear guesses ``x``; write the recomputed tears to ``out_t``.

        ``out_t`` is (width, n_cases), the case axis last as the recycle kernels take it.
        ``report``: run every unit in full and keep ``x`` and the results
        (``self.reported``): when ``x`` proves to be every case's converged tears,
        ``_final_pass`` takes them instead of running the block again. Only for the
        block's own states and inputs, all cases.
        """
        from oreflow.kernels.recycle import transpose_into

        local = dict(streams)
        local.update(self._split(x))
        produced: dict[str, np.ndarray] = {}
        results: list[UnitResult] = []
        for node in self.block.nodes:
            try:
                outlets = self._unit_outlets(node, states, local, report, results)
            except ConvergenceError as err:  # a unit numbers the cases it was given
                raise renumbered(err, self._cases) from None
            for name, value in zip(self.ports[1][node], outlets, strict=True):
                if name in self.block.tears:
                    produced[name] = value
                else:
                    local[name] = value
        for k, t in enumerate(self.block.tears):
            transpose_into(out_t[k * self.nc : (k + 1) * self.nc], produced[t])
        if report:
            self.reported = (x.copy(), results)

    def _unit_outlets(
        self,
        node: str,
        states: Mapping[str, Any],
        local: dict[str, np.ndarray],
        report: bool,
        results: list[UnitResult],
    ) -> tuple[np.ndarray, ...]:
        """One unit's outlets in a pass (its full result appended to ``results`` if ``report``)."""
        inlets = tuple(local[s] for s in self.ports[0][node])
        # only the outlets matter while iterating; the reports come from the final pass
        # (or from a reporting pass that ran from the converged tears: ``_final_pass``)
        outlets_only = self.outlets_only[node]
        if report:
            results.append(self.plant.models[node].apply(states[node], inlets))
            return results[-1].outlets
        if node in self.outlets_into:
            # its last pass's outlets are read by nothing now (the tears were copied)
            outlets = outlets_only(states[node], inlets, self._last.get(node))
            self._last[node] = outlets
            return outlets
        if outlets_only is not None:
            return outlets_only(states[node], inlets)
        return self.plant.models[node].apply(states[node], inlets).outlets

    def _secant_start(
        self,
        out_t: np.ndarray,
        states: Mapping[str, Any],
        streams: dict[str, np.ndarray],
        scratch: np.ndarray,
    ) -> None:
        """Start of a loop of linear units: per component, where g(x) = a x + b would cross x.

        Two passes give ``b = g(0)`` and ``a = (g(b) - b) / b`` per tear component; where
        each component passes on in proportion to itself (a flotation recycle), the
        fixed point ``b / (1 - a)`` is exact and the loop converges on its first pass.
        Components coupled to others (water added to a set solids fraction) start
        closer than from zero and Anderson mixing does the rest. Writes the guess to
        ``out_t``, (width, n_cases); ``scratch`` is at least four more such arrays
        (free slots of the history).
        """
        from oreflow.kernels.recycle import transpose_into

        width, n = out_t.shape
        g0_t, g1_t, gain, guess = scratch[0], scratch[1], scratch[2], scratch[3]
        x = np.zeros((n, width))
        self._pass(x, states, streams, g0_t)
        transpose_into(x, g0_t)
        self._pass(x, states, streams, g1_t)
        # gain = (g1 - g0) / g0 and guess = g0 / (1 - gain), in place
        with np.errstate(divide="ignore", invalid="ignore"):
            np.subtract(g1_t, g0_t, out=gain)
            gain /= g0_t
            np.subtract(1.0, gain, out=out_t)
            np.copyto(guess, g0_t)
            guess /= out_t
        usable = np.isfinite(guess) & (gain < 1.0) & (guess >= 0.0)
        np.copyto(out_t, g1_t)
        np.copyto(out_t, guess, where=usable)

    def _subset(self, idx: np.ndarray) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Block states and input streams of a subset of cases."""
        # the block's nodes and the ores reaching them: what their contexts read
        nodes = {*self.block.nodes}
        nodes.update(o for node in self.block.nodes for o in self.plant.ore_reach.get(node, ()))
        params = {node: {k: v[idx] for k, v in self.sim.params[node].items()} for node in nodes}
        states = {}
        for node in self.block.nodes:
            ctx = unit_context(self.plant, params, node, len(idx))
            states[node] = self.plant.models[node].prepare(params[node], ctx)
        return states, {s: self.sim.streams[s][idx] for s in self.inputs}

    def solve(self, rtol: float, max_iter: int) -> int:
        """Converge every case; return the passes of the slowest one (probes included).

        A block that is a closed ball-mill circuit alone is solved directly for all
        cases at once (per case: its cost grows with the cases alone). Otherwise more
        than ``CHUNK_CASES`` cases iterate ``CHUNK_CASES`` at a time, each part
        re-prepared for its cases as a compaction does (the iteration's history stays
        in cache, and each case iterates with the same neighbours whatever the chunk):
        so do a mill circuit inside a larger block (solution returned to it) and a
        triangular loop, whose general iteration shares its restarts and compaction
        among the cases iterated together. Then one final pass over all of them from
        their tears (or the reporting pass that ran from exactly those: ``_final_pass``).
        """
        n = self.sim.n_cases
        converged_x = np.zeros((n, self.nc * len(self.block.tears)))
        loop = self.mill_loop
        whole = isinstance(loop, MillLoop) and not loop.returned
        if n <= CHUNK_CASES or whole:
            streams = {s: self.sim.streams[s] for s in self.inputs}
            passes = self._converge(np.arange(n), self.states, streams, converged_x, rtol, max_iter)
        else:
            passes = 0
            for lo in range(0, n, CHUNK_CASES):
                idx = np.arange(lo, min(lo + CHUNK_CASES, n))
                states, streams = self._subset(idx)
                passes = max(
                    passes, self._converge(idx, states, streams, converged_x, rtol, max_iter)
                )
        self._final_pass(converged_x)
        return passes

    def _converge(
        self,
        active: np.ndarray,
        states: Mapping[str, Any],
        streams: dict[str, np.ndarray],
        converged_x: np.ndarray,
        rtol: float,
        max_iter: int,
    ) -> int:
        """Converge cases ``active`` (indices into the chunk), prepared as ``states``.

        Writes their converged tears to their rows of ``converged_x``; returns the
        passes of the slowest (probes included).
        """
        from oreflow.kernels.recycle import (
            anderson_step_into,
            live_rows,
            residual_summary_t,
            transpose_into,
        )

        n = len(active)
        self._cases = active  # the cases the passes run, for a unit's error to name
        width = self.nc * len(self.block.tears)
        # Iterates and their images with the case axis last, as the kernels want them.
        # One slot more than the history holds: the next guess is written straight into
        # a free slot, and the guess of an iteration is the slot it already sits in.
        # Slots are zeroed on first use only (``used``): a chunk's history is several MB
        # and most loops converge within a few slots.
        hist_x = np.empty((ANDERSON_MEMORY + 2, width, n))
        hist_g = np.empty_like(hist_x)  # a slot's image is written before it is read
        used = {0}
        probes = 0
        image = False  # the first guess's image is in its slot: the start computed it
        solids = None
        if self.mill_loop is not None:  # a closed ball-mill circuit: its solids directly
            try:
                solids = tear_solids(
                    self.mill_loop, self.plant, states, streams, self.ports, self.block.tears, n
                )
            except ConvergenceError as err:  # it numbers the cases it was given
                raise renumbered(err, active) from None
        if solids is not None:
            whole = states is self.states and n == self.sim.n_cases and self.final_is_a_pass

            def run_pass(x: np.ndarray, out_t: np.ndarray, last: bool = False) -> None:
                self._pass(x, states, streams, out_t, report=last and whole)

            comps = self.plant.spec.comps
            probes = start_with_solids(
                hist_x[0],
                hist_g[0],
                solids,
                self.block.tears,
                self.nc,
                comps.n_solids_comp,
                run_pass,
            )
            probes -= 1  # the last probe's image is the first iteration's
            image = True
        elif self.linear:  # slot 0 holds the first guess: zero flows, or the secant start
            self._secant_start(hist_x[0], states, streams, hist_g)
            probes = 2
        else:
            hist_x[0] = 0.0
        slots: list[int] = []  # slots of the history in use, oldest first
        slot = 0  # slot of the current guess (zero flows to start)
        live = np.zeros(width, dtype=np.bool_)  # components ever nonzero in the tears
        best = np.inf
        worst = (np.inf, 0, 0)
        size_at_compaction = n
        x = np.empty((n, width))
        for it in range(1, max_iter + 1):
            if x.shape[0] != len(active):
                x = np.empty((len(active), width))
            transpose_into(x, hist_x[slot])
            if image:
                image = False
            else:
                self._pass(x, states, streams, hist_g[slot])
            live = live_rows(hist_g[slot], live)
            cols = np.flatnonzero(live)
            r_case, at, w_t = residual_summary_t(
                hist_x[slot],
                hist_g[slot],
                cols,
                self.species_of,
                self.n_species,
                SPECIES_FLOOR,
                STREAM_FLOOR,
            )
            done = r_case <= rtol
            if done.any():
                converged_x[active[done]] = x[done]
            if done.all():
                return it + probes
            i = int(np.argmax(r_case))  # first case holding the largest (or a NaN) residual
            worst = (float(r_case[i]), int(active[i]), int(at[i]))
            if worst[0] > 10.0 * best:
                slots.clear()  # the accelerated step went astray: forget the history
            best = min(best, worst[0])
            slots = [*slots[-ANDERSON_MEMORY:], slot]
            nxt = next(s for s in range(ANDERSON_MEMORY + 2) if s not in slots)
            if len(slots) >= 2:
                if nxt not in used:  # the step writes the live rows only: the rest must be 0
                    hist_x[nxt] = 0.0
                order = np.array(slots, dtype=np.int64)
                anderson_step_into(
                    hist_x[nxt], hist_x, hist_g, order, w_t, ANDERSON_REGULARIZATION, cols
                )
            else:
                hist_x[nxt] = hist_g[slot]
            used.add(nxt)
            slot = nxt
            keep = ~done
            if keep.sum() <= COMPACT_FRACTION * size_at_compaction and len(active) > 1:
                active = self._cases = active[keep]
                hist_x, hist_g = _compact(hist_x, keep, used), _compact(hist_g, keep, used)
                states, streams = self._subset(active)
                size_at_compaction = len(active)
        residual, case, flat = worst
        comps = self.plant.spec.comps
        stream = self.block.tears[flat // self.nc]
        raise ConvergenceError(
            stream, comps.component_names()[flat % self.nc], residual, max_iter, case
        )

    def _final_pass(self, x: np.ndarray) -> None:
        """Run the block for every case from its converged tears; store streams and reports.

        Where the last reporting pass (``_pass(report=True)``) ran from these very tears,
        its results are these, bit for bit: they are taken instead.
        """
        kept = None
        if self.reported is not None and np.array_equal(self.reported[0], x):
            kept = self.reported[1]
        self.reported = None
        self.sim.streams.update(self._split(x))
        produced: dict[str, np.ndarray] = {}
        for k, node in enumerate(self.block.nodes):
            if kept is not None:
                result = kept[k]
            else:
                result = apply_unit(
                    self.plant, node, self.states, self.sim.streams | produced, self.ports
                )
            self.sim.units[node] = result
            for name, value in zip(self.ports[1][node], result.outlets, strict=True):
                if name in self.block.tears:
                    produced[name] = value
                else:
                    self.sim.streams[name] = value
        self.sim.streams.update(produced)


def renumbered(err: ConvergenceError, cases: np.ndarray | None) -> ConvergenceError:
    """``err`` naming its case by the caller's number: ``cases[i]`` for the chunk's case i.

    ``cases`` None: a single case, named by none.
    """
    case = None if err.case is None or cases is None else int(cases[err.case])
    return ConvergenceError(err.stream, err.species, err.residual, err.iterations, case, err.what)


def _compact(hist: np.ndarray, keep: np.ndarray, used: set[int]) -> np.ndarray:
    """The cases ``keep`` of a history (slot, width, case), in its slots ``used`` only."""
    out = np.empty((hist.shape[0], hist.shape[1], int(keep.sum())))
    for s in used:
        out[s] = hist[s][:, keep]
    return out


def simulate_plant(
    plant: CompiledPlant,
    *,
    n_cases: int = 1,
    overrides: Mapping[str, Any] | None = None,
    rtol: float = RTOL_RECYCLE,
    max_iter: int = 500,
    check_ranges: bool = True,
    direct: bool = True,
) -> Simulation:
    """Simulate a compiled plant for ``n_cases`` parameter sets at once.

    Parameters
    ----------
    plant : CompiledPlant
        The plant.
    n_cases : int
        Number of cases [-].
    overrides : Mapping[str, array-like], optional
        Per-case parameter values keyed ``units.NAME.KEY`` or ``ore.NAME.KEY``
        (see ``CompiledPlant.override_keys``); scalars apply to every case.
    rtol : float
        Relative tolerance of every tear-stream component [-].
    max_iter : int
        Iterations allowed per recycle block.
    check_ranges : bool
        Check overrides against the declared ranges (``CaseError``); False only for
        tests of a model's limits beyond them (an infinite residence time).
    direct : bool
        Solve closed ball-mill circuits directly (``oreflow.solvers.closed_circuit``);
        False converges them by the general iteration alone (for comparison).

    Returns
    -------
    Simulation
        Streams and unit reports.

    Raises
    ------
    ConvergenceError
        A recycle block did not converge.
    """
    t0 = time.perf_counter()
    params = plant.param_arrays(n_cases, overrides, checked=check_ranges)
    chunks = []
    for lo in range(0, n_cases, CHUNK_CASES):
        hi = min(lo + CHUNK_CASES, n_cases)
        part = {node: {k: v[lo:hi] for k, v in p.items()} for node, p in params.items()}
        try:
            chunks.append(_simulate_chunk(plant, part, hi - lo, rtol, max_iter, direct))
        except ConvergenceError as err:
            raise renumbered(err, None if n_cases == 1 else np.arange(lo, hi)) from None
    sim = chunks[0] if len(chunks) == 1 else _concatenate(plant, params, chunks)
    sim.seconds = {"total_s": time.perf_counter() - t0}
    return sim


def simulate_chunks(
    plant: CompiledPlant,
    *,
    n_cases: int,
    overrides: Mapping[str, Any] | None = None,
    rtol: float = RTOL_RECYCLE,
    max_iter: int = 500,
) -> Iterator[tuple[int, int, Simulation]]:
    """Simulate a batch chunk by chunk, yielding ``(first_case, end_case, chunk)``.

    For callers that reduce each chunk (KPIs of thousands of scenarios) and need not
    hold every stream of every case at once.
    """
    params = plant.param_arrays(n_cases, overrides)
    yield from simulate_param_chunks(plant, params, 0, n_cases, rtol=rtol, max_iter=max_iter)


def simulate_param_chunks(
    plant: CompiledPlant,
    params: Mapping[str, Mapping[str, np.ndarray]],
    first: int,
    end: int,
    *,
    rtol: float = RTOL_RECYCLE,
    max_iter: int = 500,
    chunk_cases: int = CHUNK_CASES,
) -> Iterator[tuple[int, int, Simulation]]:
    """Simulate cases ``first:end`` of checked batch parameters chunk by chunk.

    ``params`` as ``CompiledPlant.param_arrays`` returns them for the whole batch;
    yields ``(first_case, end_case, chunk)`` with batch case numbers, and a
    ``ConvergenceError`` names the batch case. Chunks of more than ``CHUNK_CASES``
    cases iterate their recycle blocks ``CHUNK_CASES`` at a time (``BlockSolver``):
    every case's result is the same whatever ``chunk_cases``; larger chunks make fewer
    Python calls per case in the units outside loops and in the caller's reduction.
    """
    for lo in range(first, end, chunk_cases):
        hi = min(lo + chunk_cases, end)
        part = {node: {k: v[lo:hi] for k, v in p.items()} for node, p in params.items()}
        try:
            sim = _simulate_chunk(plant, part, hi - lo, rtol, max_iter)
        except ConvergenceError as err:
            raise renumbered(err, np.arange(lo, hi)) from None
        yield lo, hi, sim


def _simulate_chunk(
    plant: CompiledPlant,
    params: dict[str, dict[str, np.ndarray]],
    n_cases: int,
    rtol: float,
    max_iter: int,
    direct: bool = True,
) -> Simulation:
    """Simulate one chunk of cases (small enough for its arrays to stay in cache)."""
    sim = Simulation(plant, n_cases, params)
    states = {}
    for node, model in plant.models.items():
        ctx = unit_context(plant, params, node, n_cases)
        states[node] = model.prepare(params[node], ctx)
    ports = port_order(plant)
    for block in plant.topology.blocks:
        if not block.tears:
            sim.units[block.nodes[0]] = apply_unit(
                plant, block.nodes[0], states, sim.streams, ports
            )
            continue
        iters = BlockSolver(plant, sim, states, block, direct).solve(rtol, max_iter)
        sim.iterations[",".join(block.tears)] = iters
        logger.debug("block %s converged in %d iterations", block.nodes, iters)
    return sim


def _concatenate(
    plant: CompiledPlant, params: dict[str, dict[str, np.ndarray]], parts: list[Simulation]
) -> Simulation:
    """Join chunk simulations along the case axis."""
    sim = Simulation(plant, sum(p.n_cases for p in parts), params)
    sim.streams = {k: np.concatenate([p.streams[k] for p in parts]) for k in parts[0].streams}
    for node, first in parts[0].units.items():
        results = [p.units[node] for p in parts]
        sim.units[node] = UnitResult(
            tuple(
                np.concatenate([r.outlets[i] for r in results]) for i in range(len(first.outlets))
            ),
            None if first.added is None else np.concatenate([r.added for r in results]),
            None if first.reacted is None else np.concatenate([r.reacted for r in results]),
            {m: np.concatenate([np.asarray(r.metrics[m]) for r in results]) for m in first.metrics},
        )
    for key in parts[0].iterations:
        sim.iterations[key] = max(p.iterations[key] for p in parts)
    return sim


#: A result whose largest relative closure error (species, phases, size classes,
#: elements) exceeds this is "not closed" [assumed]: three orders above the closure the
#: recycle tolerance gives (``RTOL_RECYCLE_CLOSURE``, 1e-9; shipped cases close below
#: it), yet far below any error that would move a reported figure.
CLOSURE_GATE_REL = 1e-6


def closure_failure(results: Any, tol: float = CLOSURE_GATE_REL) -> str | None:
    """None when a result closes; else what does not: worst view row and worst unit.

    ``results`` is an ``oreflow.solvers.results.Results``; a NaN error is not closed.
    """
    closure = results.closure
    rel = closure["rel_err"].to_numpy(dtype=float)
    if rel.size and np.all(rel <= tol):
        return None
    worst = int(np.argmax(np.where(np.isnan(rel), np.inf, rel))) if rel.size else 0
    row = closure.iloc[worst] if rel.size else None
    parts = []
    if row is not None:
        parts.append(f"{row['view']} {row['name']!r} relative error {row['rel_err']:.3g}")
    units = results.units[results.units["metric"] == "closure_max_rel"]
    if len(units):
        vals = units["value"].to_numpy(dtype=float)
        k = int(np.argmax(np.where(np.isnan(vals), np.inf, vals)))
        parts.append(f"worst unit {units['unit'].iloc[k]!r} ({vals[k]:.3g})")
    return f"{'; '.join(parts)} (tolerance {tol:g})"


def closure_mask(closure_max_rel: np.ndarray, tol: float = CLOSURE_GATE_REL) -> np.ndarray:
    """Per case of a batch: True where the result does not close (NaN included)."""
    return ~(np.asarray(closure_max_rel, dtype=float) <= tol)

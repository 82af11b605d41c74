"""Steady-state simulation: run order, unit kernels and recycle convergence.

Blocks run in topological order. A recycle block is converged on its tear streams by
successive substitution with bounded Wegstein acceleration (``oreflow.kernels.recycle``)
until every component of every tear stream, in every case, has a relative residual
below ``rtol``; otherwise ``ConvergenceError`` names the stream, component and
residual. All cases of a batch are converged together (each unit call is one batched
kernel call), which is what makes thousands of plant evaluations per second possible.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from oreflow.conventions import RTOL_RECYCLE
from oreflow.errors import ConvergenceError
from oreflow.flowsheet.compile import CompiledPlant
from oreflow.flowsheet.graph import Block
from oreflow.flowsheet.units import UNIT_TYPES
from oreflow.flowsheet.units.base import PrepareContext, UnitResult

logger = logging.getLogger(__name__)

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
    """

    plant: CompiledPlant
    n_cases: int
    params: dict[str, dict[str, np.ndarray]]
    streams: dict[str, np.ndarray] = field(default_factory=dict)
    units: dict[str, UnitResult] = field(default_factory=dict)
    iterations: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _port_order(plant: CompiledPlant) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Inlet and outlet stream names of every node, in port order."""
    inlets: dict[str, list[str]] = {}
    outlets: dict[str, list[str]] = {}
    for ore in plant.spec.ores:
        inlets[ore.name] = []
        outlets[ore.name] = [ore.name]
    for u in plant.spec.units:
        ports = UNIT_TYPES[u.type].inlets
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
    return np.divide(wi, rate, out=np.full(n, np.nan), where=rate > 0)


class _Runner:
    """Runs nodes against a stream dictionary (one simulation's mutable state)."""

    def __init__(self, plant: CompiledPlant, sim: Simulation, states: dict[str, Any]) -> None:
        self.plant = plant
        self.sim = sim
        self.states = states
        self.inlets, self.outlets = _port_order(plant)

    def run(self, node: str, tears: Mapping[str, np.ndarray] | None = None) -> None:
        """Apply a node; tear outlets go to ``produced`` instead of the stream dict."""
        model = self.plant.models[node]
        inlets = tuple(self.sim.streams[s] for s in self.inlets[node])
        result = model.apply(self.states[node], inlets)
        self.sim.units[node] = result
        for name, value in zip(self.outlets[node], result.outlets, strict=True):
            if tears is not None and name in tears:
                self.produced[name] = value
            else:
                self.sim.streams[name] = value

    produced: dict[str, np.ndarray]

    def _pass(self, block: Block, x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """One pass through a block from tear guesses ``x``; returns the recomputed tears."""
        self.sim.streams.update(x)
        self.produced = {}
        for node in block.nodes:
            self.run(node, tears=x)
        return self.produced

    def converge(self, block: Block, rtol: float, max_iter: int) -> int:
        """Converge a recycle block on its tear streams; return the iterations used.

        The tears are stacked into one vector per case and accelerated together by
        Anderson mixing (memory ``ANDERSON_MEMORY``); a step that raises the residual
        tenfold restarts the memory, which falls back to plain substitution.
        """
        from oreflow.kernels.recycle import anderson_step, relative_residual, residual_weights

        comps = self.plant.spec.comps
        n, nc = self.sim.n_cases, comps.n_comp
        tears = block.tears
        species_of = np.tile(comps.component_species(), len(tears))
        n_species = len(comps.species)
        x = np.zeros((n, nc * len(tears)))
        hist_x = np.zeros((n, ANDERSON_MEMORY + 1, x.shape[1]))
        hist_g = np.zeros_like(hist_x)
        slots: list[int] = []  # ring-buffer slots in use, oldest first
        best = np.inf
        worst = (np.inf, 0)
        for it in range(1, max_iter + 1):
            g_dict = self._pass(
                block, {t: x[:, k * nc : (k + 1) * nc] for k, t in enumerate(tears)}
            )
            g = np.concatenate([g_dict[t] for t in tears], axis=1)
            r = relative_residual(x, g, species_of, n_species, SPECIES_FLOOR, STREAM_FLOOR)
            j = int(np.argmax(r))
            worst = (float(r.flat[j]), j % x.shape[1])
            if worst[0] <= rtol:
                self.sim.streams.update(g_dict)
                return it
            if worst[0] > 10.0 * best:
                slots.clear()  # the accelerated step went astray: forget the history
            best = min(best, worst[0])
            slot = next(s for s in range(ANDERSON_MEMORY + 1) if s not in slots[-ANDERSON_MEMORY:])
            hist_x[:, slot] = x
            hist_g[:, slot] = g
            slots = [*slots[-ANDERSON_MEMORY:], slot]
            if len(slots) >= 2:
                w = residual_weights(g, species_of, n_species, SPECIES_FLOOR, STREAM_FLOOR)
                order = np.array(slots, dtype=np.int64)
                x = anderson_step(hist_x, hist_g, order, w, ANDERSON_REGULARIZATION)
            else:
                x = g
        residual, flat = worst
        stream = tears[flat // nc]
        raise ConvergenceError(stream, comps.component_names()[flat % nc], residual, max_iter)


def simulate_plant(
    plant: CompiledPlant,
    *,
    n_cases: int = 1,
    overrides: Mapping[str, Any] | None = None,
    rtol: float = RTOL_RECYCLE,
    max_iter: int = 500,
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
    params = plant.param_arrays(n_cases, overrides)
    sim = Simulation(plant, n_cases, params)
    states = {}
    for node, model in plant.models.items():
        ctx = PrepareContext(plant.spec.comps, _feed_wi(plant, params, node, n_cases), n_cases)
        states[node] = model.prepare(params[node], ctx)
    t1 = time.perf_counter()
    runner = _Runner(plant, sim, states)
    for block in plant.topology.blocks:
        if not block.tears:
            runner.run(block.nodes[0])
            continue
        iters = runner.converge(block, rtol, max_iter)
        sim.iterations[",".join(block.tears)] = iters
        logger.debug("block %s converged in %d iterations", block.nodes, iters)
    sim.seconds = {"prepare_s": t1 - t0, "solve_s": time.perf_counter() - t1}
    return sim

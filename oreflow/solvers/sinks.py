"""The sinks of a simulated plant and what reaches them (shared by the KPI providers)."""

from __future__ import annotations

import numpy as np

from oreflow.solvers.simulate import Simulation


def sinks(sim: Simulation) -> list[tuple[str, tuple[str, ...]]]:
    """(name, KPI families of its type) of every unit that ends the flowsheet."""
    spec = sim.plant.spec
    return [
        (u.name, spec.unit_types[u.type].kpi_families)
        for u in spec.units
        if spec.unit_types[u.type].is_sink
    ]


def sink_inflow(sim: Simulation, sink: str) -> np.ndarray:
    """Everything entering a sink, (n_cases, n_comp) [t/h]; read only (may be the stream itself)."""
    inlets = sim.plant.topology.inlets_of(sink)
    if len(inlets) == 1:
        return sim.streams[inlets[0].name]
    return sum(sim.streams[s.name] for s in inlets)

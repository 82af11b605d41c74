"""The sinks of a simulated plant and what reaches them (shared by the KPI providers)."""

from __future__ import annotations

import numpy as np

from oreflow.core.components import ELEMENTS
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


def product_gold_tph(sim: Simulation) -> dict[str, np.ndarray]:
    """Gold reaching the product sinks [t/h], summed by the product's ``kind``, (n_cases,).

    Keys are the kinds some product sink of the plant has (``"gold"``: doré and loaded
    carbon, ``"concentrate"``, ``"water"``); gold units brought back into the plant
    (``added``) is not taken off here.
    """
    spec = sim.plant.spec
    au = spec.comps.element_matrix()[:, ELEMENTS.index("au")]
    out: dict[str, np.ndarray] = {}
    for name, families in sinks(sim):
        if "product" in families:
            kind = spec.unit(name).params["kind"]
            gold = sink_inflow(sim, name) @ au
            out[kind] = out[kind] + gold if kind in out else gold
    return out

"""Per-unit operating cost lines computed once per block setting in a tabulation.

A unit's operating cost (``economics.unit_cost_lines``: power, steam, consumables,
water, haulage, cost per t fed, residue handling) and its utility power
(``utilities.unit_utility_kw``: agitation, feed pumping) read only the unit's report,
its inlet streams and its parameters. In a block simulated once per distinct setting of
it and of the blocks upstream (``oreflow.solvers.prefix``) they are therefore the same
for every combination sharing that setting: they are computed there, once per setting,
and each combination's are gathered by row, so the economics sums the same numbers in
the same order as when it costs every unit itself (the tabulated figures are equal to
the last bit). The units simulated per combination are costed by the economics as
before.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from oreflow.solvers.economics import unit_cost_lines, use_items
from oreflow.solvers.equipment import Equipment, unit_equipment
from oreflow.solvers.simulate import Simulation
from oreflow.solvers.utilities import unit_utility_kw


@dataclass(frozen=True)
class UnitCost:
    """One unit's cost lines and utility power, per case (or per block setting).

    Attributes
    ----------
    cost : (n,) float64
        Net operating cost [USD/h] (``economics.unit_cost_lines``).
    lines : tuple of (str, numpy.ndarray)
        What it adds to each cost line [USD/h], in the economics' order.
    items : tuple of str
        The consumables it uses (priced by the economics).
    utility_kw : tuple of (numpy.ndarray or None)
        Agitation and feed-pumping power [kW] (``utilities.unit_utility_kw``).
    equipment : tuple of Equipment
        Its sized items (``equipment.unit_equipment``), for the capital estimate.
    """

    cost: np.ndarray
    lines: tuple[tuple[str, np.ndarray], ...]
    items: tuple[str, ...]
    utility_kw: tuple[np.ndarray | None, np.ndarray | None]
    equipment: tuple[Equipment, ...]

    def take(self, idx: np.ndarray) -> UnitCost:
        """The figures of rows ``idx``."""

        def pick(v: np.ndarray | None) -> np.ndarray | None:
            return None if v is None else v[idx] if np.ndim(v) else v

        return UnitCost(
            self.cost[idx],
            tuple((line, pick(v)) for line, v in self.lines),
            self.items,
            (pick(self.utility_kw[0]), pick(self.utility_kw[1])),
            tuple(e.take(idx) for e in self.equipment),
        )


def block_unit_costs(sim: Simulation, nodes: Collection[str]) -> dict[str, UnitCost]:
    """The cost lines of a block's units on its simulation (ore sources and mixers too).

    Units with a consumable that has no price are left to the economics, which names
    the missing price.
    """
    econ = sim.plant.spec.economics
    if econ is None:
        return {}
    unit_names = {u.name for u in sim.plant.spec.units}
    out: dict[str, UnitCost] = {}
    for name in nodes:
        if name not in unit_names or name not in sim.units:
            continue
        items = tuple(use_items(sim.units[name].metrics))
        found = {item: econ.price_usd_kg(item) for item in items}
        if any(f is None for f in found.values()):
            continue
        prices = {item: f[0] for item, f in found.items() if f is not None}
        cost, parts = unit_cost_lines(sim, econ, name, prices)
        sized = unit_equipment(sim, name)
        out[name] = UnitCost(
            cost,
            tuple((line, _rows(v, sim.n_cases)) for line, v in parts),
            items,
            unit_utility_kw(sim, name, sized),
            tuple(sized),
        )
    return out


def _rows(v: np.ndarray, n: int) -> np.ndarray:
    """A figure per row: a scalar (a unit with no power metric) broadcast to ``n``."""
    return v if np.ndim(v) else np.full(n, v)

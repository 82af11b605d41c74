"""Operating-envelope check of a simulation: every unit's figures against its type's ranges.

A figure outside its unit type's envelope (``oreflow.units.envelopes``) is not an error:
the balance is still right, but the plant it describes cannot be run as simulated (a
roping cyclone, a mill asked to pass 800 % circulating load, a mixer asked for a % solids
its inlets are too wet to reach). Each such figure becomes a ``Violation``, reported as
a warning by ``run`` and on the plan of ``optimize``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from oreflow.solvers.simulate import Simulation
from oreflow.solvers.unit_figures import UnitFigures

#: Relative slack on a bound before it is reported (a bound met to round-off is met).
SLACK_REL = 1e-9


@dataclass(frozen=True)
class Violation:
    """One figure of one unit outside its envelope (in one case).

    Attributes
    ----------
    unit, type, metric : str
        Unit name, its type and the figure (``circulating_load_frac``).
    value : float
        The simulated figure.
    bound : float
        The bound it crosses.
    side : str
        ``"max"`` (above the upper bound) or ``"min"``.
    source : str
        Where the range comes from.
    why : str
        What goes wrong outside it.
    """

    unit: str
    type: str
    metric: str
    value: float
    bound: float
    side: str
    source: str
    why: str

    @property
    def key(self) -> str:
        """Constraint key of the figure (``units.mill.circulating_load_frac``)."""
        return f"units.{self.unit}.{self.metric}"

    def message(self) -> str:
        """One line naming unit, figure, value, bound, reason and source."""
        word = "above" if self.side == "max" else "below"
        return (
            f"{self.key} = {self.value:.4g} is {word} the {self.type} envelope "
            f"({self.side} {self.bound:.4g}): {self.why} [{self.source}]"
        )


def _figure(figures: UnitFigures, sim: Simulation, unit: str, metric: str) -> np.ndarray | None:
    """A reported figure, else the unit's parameter of that name, else None."""
    try:
        return figures.get(f"units.{unit}.{metric}")
    except KeyError:
        value = sim.params.get(unit, {}).get(metric)
        return None if value is None else np.asarray(value, dtype=np.float64)


def idle_units(sim: Simulation, case: int = 0) -> frozenset[str]:
    """Units that receive nothing in case ``case`` (a satellite the plan shuts)."""
    topo = sim.plant.topology
    return frozenset(
        u.name
        for u in sim.plant.spec.units
        if (feeds := topo.inlets_of(u.name))
        and all(not np.any(sim.streams[s.name][case]) for s in feeds)
    )


def violations(sim: Simulation, case: int = 0) -> list[Violation]:
    """Every envelope bound that case ``case`` of a simulation crosses, in plant order.

    A unit that receives nothing is idle (``idle_units``): its envelope is not judged.
    """
    figures = UnitFigures(sim)
    idle = idle_units(sim, case)
    found = []
    for u in sim.plant.spec.units:
        if u.name in idle:
            continue
        for lim in sim.plant.spec.unit_types[u.type].envelope:
            if not lim.applies(u.params):  # e.g. a tailings' ICMC or HJ 943 rules
                continue
            value = _figure(figures, sim, u.name, lim.metric)
            if value is None:
                continue
            v = float(np.broadcast_to(value, (sim.n_cases,))[case])
            if not np.isfinite(v):
                continue
            for side, bound in (("max", lim.hi), ("min", lim.lo)):
                if bound is None:
                    continue
                slack = SLACK_REL * max(abs(bound), 1.0)
                if (side == "max" and v > bound + slack) or (side == "min" and v < bound - slack):
                    found.append(
                        Violation(u.name, u.type, lim.metric, v, bound, side, lim.source, lim.why)
                    )
    return found

"""Capital estimate: each unit's cost curve on its simulated size, escalated to a cost year.

A curve of ``[economics.capital.items.UNIT]`` is ``cost = count x a_usd x (S / count)^b``
in the money of its ``year``, S being the unit's figure (``power_kw``,
``working_volume_m3``, ``oxygen_plant_t_d``, ``tank_volume_m3``, ...) shared between
``count`` identical items. The cost is escalated by the CEPCI ratio to ``cost_year``
(``oreflow.core.cost_index``) and multiplied by ``installation_factor``. The estimate
carries its AACE 18R-97 class and accuracy band (``capital_low_usd``,
``capital_high_usd``). A size outside a curve's published range is still costed, with a
warning naming the unit and the range: the curve is being extrapolated.

Every other unit that stands for equipment is sized and costed on oreflow's default
curves (``oreflow.solvers.equipment``, ``oreflow.core.cost_curves``): purchased cost
escalated by CEPCI, times ``lang_factor`` (Lang 1948) to an installed plant cost. A
case without ``[economics.capital]`` still gets this estimate, class 5.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from oreflow.core.cost_index import ESTIMATE_CLASSES, escalate
from oreflow.errors import CaseError, Problem
from oreflow.flowsheet.optimization import is_extensive
from oreflow.solvers.equipment import equipment
from oreflow.solvers.simulate import Simulation
from oreflow.solvers.unit_figures import UnitFigures


@dataclass(frozen=True)
class CapitalItem:
    """The cost of one unit's equipment, per case."""

    unit: str
    figure: str
    size: np.ndarray  # the figure the curve is on, per case
    cost_usd: np.ndarray  # escalated and installed
    lo: float | None
    hi: float | None
    source: str
    default: bool = False  # oreflow's default curve, not the case's own
    scaling_usd: np.ndarray | None = None  # d cost / d ln throughput at fixed settings

    def outside(self) -> np.ndarray:
        """Cases whose size lies outside the curve's published range."""
        bad = np.zeros(self.size.shape, dtype=bool)
        if self.lo is not None:
            bad |= self.size < self.lo
        if self.hi is not None:
            bad |= self.size > self.hi
        return bad


def capital_items(sim: Simulation) -> list[CapitalItem]:
    """Every costed unit of a simulation (empty without ``[economics.capital]``).

    Raises
    ------
    CaseError
        A curve names a figure its unit does not report.
    """
    econ = sim.plant.spec.economics
    if econ is None or econ.capital is None:
        return []
    cap = econ.capital
    figures = UnitFigures(sim)
    out = []
    for unit, curve in cap["items"].items():
        name = f"units.{unit}.{curve['figure']}"
        try:
            size = figures.get(name)
        except KeyError:
            msg = f"{curve['figure']!r} is not a figure unit {unit!r} reports"
            key = f"economics.capital.items.{unit}.figure"
            raise CaseError([Problem(sim.plant.spec.path, key, msg)]) from None
        count = int(curve["count"])
        each = np.maximum(size, 0.0) / count
        cost = count * float(curve["a_usd"]) * each ** float(curve["b"])
        cost = escalate(1.0, int(curve["year"]), int(cap["cost_year"])) * cost
        cost = cost * float(cap["installation_factor"])
        # a figure that grows with throughput (power, volume, t/d) at fixed settings
        scales = is_extensive(name)
        out.append(
            CapitalItem(
                unit,
                str(curve["figure"]),
                each,
                cost,
                curve.get("figure_lo"),
                curve.get("figure_hi"),
                str(curve["source"]),
                scaling_usd=float(curve["b"]) * cost if scales else np.zeros_like(cost),
            )
        )
    year = int(cap["cost_year"])
    for e in equipment(sim, skip=frozenset(cap["items"])):
        out.append(
            CapitalItem(
                e.unit,
                f"{e.item} ({e.curve.name}, {e.curve.size_unit})",
                np.where(e.count > 0, e.size, np.nan),
                e.purchased_usd(year) * float(cap["lang_factor"]),
                e.curve.s_lo,
                e.curve.s_hi,
                e.curve.source,
                default=True,
                scaling_usd=e.scaling_usd(year) * float(cap["lang_factor"]),
            )
        )
    return out


def capital_kpis(sim: Simulation) -> dict[str, np.ndarray]:
    """``capital_usd``, its accuracy band and each unit's part [USD]; empty without curves."""
    items = capital_items(sim)
    if not items:
        return {}
    cap = sim.plant.spec.economics.capital  # type: ignore[union-attr]
    low, high = ESTIMATE_CLASSES[int(cap["estimate_class"])]
    total = sum((i.cost_usd for i in items), np.zeros(sim.n_cases))
    out: dict[str, np.ndarray] = {}
    for i in items:
        key = f"capital_{i.unit}_usd"
        out[key] = out.get(key, np.zeros(sim.n_cases)) + i.cost_usd
    out["capital_usd"] = total
    # the capital's tangent in throughput at fixed settings: C(Q) ~ C - S + S Q/Q0
    out["capital_scaling_usd"] = sum(
        (i.scaling_usd for i in items if i.scaling_usd is not None), np.zeros(sim.n_cases)
    )
    out["capital_low_usd"] = total * (1.0 + low)
    out["capital_high_usd"] = total * (1.0 + high)
    return out


def capital_warnings(sim: Simulation, case: int = 0) -> list[str]:
    """One line per curve used outside its published range, naming unit and range."""
    lines = []
    for item in capital_items(sim):
        if item.outside()[case] and np.isfinite(item.size[case]):
            lo = "-inf" if item.lo is None else f"{item.lo:g}"
            hi = "inf" if item.hi is None else f"{item.hi:g}"
            where = "default capital of units" if item.default else "economics.capital.items"
            lines.append(
                f"{where}.{item.unit}: {item.figure} = {item.size[case]:.4g} "
                f"per item is outside the curve's range [{lo} .. {hi}] "
                f"({item.source}): extrapolated"
            )
    return lines

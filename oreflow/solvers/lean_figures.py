"""The figures a tabulation computes per combination when its caller names them.

The optimizer needs per combination only the figures of its objective, limits,
envelopes and split decisions (``optimize_table.tabulate_problem``), not every KPI: the KPI providers
(``kpis.PROVIDERS``) that report none of them are not run, and the plant totals they
read (``in``, ``added``, ...) are summed only when one of them is read. Which provider
reports which KPI is learnt once per route from one case (providers report different
KPIs on different routes: thiosulfate figures only where a thiosulfate leach is). The
figures computed are those of the full KPI set to the last bit: the same functions on
the same simulation. The full report stays for the chosen plan (``simulate_plan``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import Any

import numpy as np

from oreflow.solvers.economics import economics_kpis
from oreflow.solvers.gather import GatheredUnit, nonzero_columns
from oreflow.solvers.kpis import PROVIDERS, Provider
from oreflow.solvers.prefix import take_cases
from oreflow.solvers.results import plant_totals
from oreflow.solvers.simulate import Simulation


class LazyTotals(Mapping[str, np.ndarray]):
    """The plant totals of a simulation (``results.plant_totals``), each summed on first read."""

    KEYS = ("in", "added", "reacted", "out", "reacted_gross")

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self._done: dict[str, np.ndarray] = {}

    def __getitem__(self, key: str) -> np.ndarray:
        if key not in self.KEYS:
            raise KeyError(key)
        if key not in self._done:
            sparse = key in ("added", "reacted")
            self._done[key] = sparse_total(self.sim, key) if sparse else plant_totals(self.sim, key)
        return self._done[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.KEYS)

    def __len__(self) -> int:
        return len(self.KEYS)


def sparse_total(sim: Simulation, field: str) -> np.ndarray:
    """``results.plant_totals(sim, field)`` for ``added`` or ``reacted``, to the last bit.

    Summed over the columns some unit reports nonzero only: a unit adds a few reagents
    out of hundreds of components. The other columns are zero in every unit's report,
    so the plant's sum is 0.0 there too; in the others each case's figures are added in
    the same (unit) order. Each unit adds its own such columns only: the rest of its
    report is zero (0.0 or -0.0), and adding a zero leaves a sum begun at 0.0 as it is
    (it is never -0.0). A shared unit's report is gathered on those columns only
    (``gather.GatheredUnit``).
    """
    parts: list[tuple[Any, np.ndarray]] = []
    for r in sim.units.values():
        if isinstance(r, GatheredUnit):
            cols = r.support(field)
        else:
            part = getattr(r, field)
            cols = None if part is None else nonzero_columns(part)
        if cols is not None:
            parts.append((r, cols))
    total = np.zeros((sim.n_cases, sim.plant.spec.comps.n_comp))
    if not parts:
        return total
    cols = np.unique(np.concatenate([c for _, c in parts]))
    sub = np.zeros((sim.n_cases, len(cols)))
    for r, own in parts:
        at = np.searchsorted(cols, own)  # the unit's columns among the union's
        if isinstance(r, GatheredUnit):
            sub[:, at] += r.columns(field, own)
        else:
            sub[:, at] += getattr(r, field)[:, own]
    total[:, cols] = sub
    return total


def kpi_plan(sim: Simulation, needed: Collection[str]) -> list[tuple[Provider, set[str]]]:
    """The providers that report a needed KPI on this simulation's route, with those KPIs.

    Learnt on the simulation's first case (the providers' KPIs depend on the plant, not
    on the case).
    """
    one = take_cases(sim, np.arange(1))
    totals = LazyTotals(one)
    plan = []
    for provider in PROVIDERS:
        names = set(provider(one, totals)) & set(needed)
        if names:
            plan.append((provider, names))
    return plan


#: Providers that take the KPIs wanted of them (a third argument) and leave out work
#: that only others need; the figures they return are the same.
NAMED_PROVIDERS: tuple[Provider, ...] = (economics_kpis,)


def lean_kpis(sim: Simulation, plan: list[tuple[Provider, set[str]]]) -> dict[str, np.ndarray]:
    """The needed KPIs of every case (``kpi_plan``), (n_cases,) arrays."""
    totals = LazyTotals(sim)
    out: dict[str, np.ndarray] = {}
    for provider, names in plan:
        named = provider in NAMED_PROVIDERS
        got = provider(sim, totals, names) if named else provider(sim, totals)  # type: ignore[call-arg]
        out.update({k: v for k, v in got.items() if k in names})
    return out

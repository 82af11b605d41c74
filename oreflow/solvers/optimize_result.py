"""What an optimization returns, and the tables both optimizers build the same way.

Every optimization solves one problem (``selection``): the single-source case is the
blend with one source and no split decision. What it reports is built here once: the case's objective checked against the figures
the table holds (``check_figures``), the verification of a plan against its
re-simulation (``verification_table``), the shadow prices of the limits
(``shadow_price_table``), the result of a solve that found no plan with the
explanation of an infeasible one (``unsolved``), the ranking of the routes
(``route_ranking``) and the re-simulation of a plan (``simulate_plan``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from oreflow.conventions import unit_of
from oreflow.errors import CaseError, Problem
from oreflow.flowsheet.case import CaseSpec
from oreflow.flowsheet.optimization import Limit, OptimizationSpec
from oreflow.solvers.highs import SolveStatus
from oreflow.solvers.results import Results, build_results
from oreflow.solvers.simulate import Simulation, simulate_plant
from oreflow.solvers.tabulate import ModeTable, plant_with_modes, route_axes, route_spec


@dataclass(frozen=True)
class OptimizeResult:
    """Outcome of ``optimize``.

    Attributes
    ----------
    status : str
        ``optimal``, ``unverified``, ``infeasible``, ``time_limit``, ``unbounded`` or
        ``error``.
    decisions : dict
        Chosen mode of every axis, ore rate [t/h] and objective value.
    verification : pandas.DataFrame
        Per figure: model value, simulated value, relative difference.
    shadow_prices : pandas.DataFrame
        Per extensive limit and throughput bound: limit, dual (objective units per
        limit unit), units; binding ones have a non-zero dual.
    explanation : list of str
        For an infeasible case: which limits conflict and how far they must move.
    plan : Results or None
        The re-simulated plan (streams, units, closure, KPIs).
    table : ModeTable
        Every combination with its figures.
    meta : dict
        Timings, solver, number of combinations, enumeration cross-check.
    routes : pandas.DataFrame
        Best plan of every route by enumeration (``route_ranking``).
    """

    status: str
    decisions: dict[str, Any]
    verification: pd.DataFrame
    shadow_prices: pd.DataFrame
    explanation: list[str]
    plan: Results | None
    table: ModeTable
    meta: dict[str, Any] = field(default_factory=dict)
    routes: pd.DataFrame = field(default_factory=pd.DataFrame)


def spec_of(spec: CaseSpec) -> OptimizationSpec:
    """The case's optimization spec (``CaseError`` when it has nothing to optimize)."""
    if spec.optimization is None:
        problem = Problem(
            spec.path,
            "objective",
            "the case has no modes, [constraints] or [objective] to optimize",
        )
        raise CaseError([problem])
    return spec.optimization


def check_figures(
    spec: CaseSpec,
    names: Iterable[str],
    table: ModeTable,
    limits: Iterable[Limit],
    weights: Mapping[str, float],
) -> list[str]:
    """The figures of a model the table holds; ``CaseError`` naming every other one.

    A figure the table does not hold is named under its limit's case key (or the
    objective's); an objective figure some route does not report is an error too (a
    limited one is zero there: no cyanide, no oxygen).
    """
    problems = []
    limits = tuple(limits)
    for name in sorted(set(names)):
        if name not in table.figures:
            key = next((lim.key for lim in limits if lim.name == name), f"objective.{name}")
            problems.append(
                Problem(spec.path, key, f"{name!r} is neither a KPI nor a unit metric of this case")
            )
        elif name in weights and table.figures[name].isna().any():
            problems.append(
                Problem(spec.path, f"objective.{name}", f"{name!r} is not reported on every route")
            )
    if problems:
        raise CaseError(problems)
    return sorted(set(names))


def figure_of(plan: Results, sim: Simulation, name: str) -> float:
    """A KPI or a unit metric (``units.NAME.METRIC``) of a re-simulated plan."""
    if name in plan.kpis:
        return float(plan.kpis[name])
    from oreflow.solvers.unit_figures import UnitFigures

    return float(UnitFigures(sim).get(name)[0])


def verification_table(
    plan: Results,
    sim: Simulation,
    model: Mapping[str, float],
    terms: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Per figure: the model's value, the re-simulated one and their relative difference.

    ``terms`` gives the size of the terms a figure sums in the model: a figure that is a
    difference of large terms (zero to a residue use) is judged against that size, not
    against its own rounding noise.
    """
    rows = []
    for name, value in model.items():
        simulated = figure_of(plan, sim, name)
        size = (terms or {}).get(name, 0.0)
        scale = max(abs(value), abs(simulated), 1e-9 * size, 1e-12)
        rows.append(
            {
                "figure": name,
                "model": value,
                "simulation": simulated,
                "rel_diff": abs(value - simulated) / scale,
            }
        )
    return pd.DataFrame(rows).set_index("figure")


def shadow_price_table(
    duals: Mapping[str, float],
    weights: Mapping[str, float],
    limits: Iterable[Limit],
    rate_bounds: Mapping[str, float],
) -> pd.DataFrame:
    """Per limit or rate bound: its value, shadow price, units and whether it binds.

    ``duals`` are keyed by case key: a limit's (``limits``) or a rate bound's
    (``rate_bounds``: key -> value [t/h]). The price is in objective units (the one
    weighted figure's, else ``objective``) per unit of the limit.
    """
    objective_unit = unit_of(next(iter(weights))) if len(weights) == 1 else "objective"
    by_key = {lim.key: lim for lim in limits}
    rows = []
    for key, dual in duals.items():
        lim = by_key.get(key)
        value, unit = (lim.value, unit_of(lim.name)) if lim else (rate_bounds[key], "t/h")
        rows.append(
            {
                "limit": key,
                "value": value,
                "shadow_price": dual,
                "units": f"{objective_unit} per {unit}",
                "binding": abs(dual) > 1e-9,
            }
        )
    return pd.DataFrame(rows)


def simulate_plan(
    spec: CaseSpec,
    opt: OptimizationSpec,
    table: ModeTable,
    column: int,
    rates: np.ndarray,
    splits: Mapping[str, Mapping[str, float]] | None = None,
) -> tuple[dict[str, float], Results, Simulation]:
    """Re-simulate a column at its ore rates by the full kernels: (modes, results, simulation).

    ``rates`` has one rate per ore source [t/h]; ``splits`` the tonnage to each outlet of
    each decision splitter [t/h].
    """
    route = table.route_of(column)
    active = route_axes(opt.axes, route)
    modes = {a.label: float(table.modes[a.label].iloc[column]) for a in active}
    overrides: dict[str, float] = {a.key: modes[a.label] for a in active}
    for ore, rate in zip(spec.ores, rates, strict=True):
        overrides[f"{ore.name}.rate_tph"] = float(rate)
    for splitter, tonnes in (splits or {}).items():
        made = sum(tonnes.values())
        if made > 0:
            for outlet, tph in tonnes.items():
                overrides[f"units.{splitter}.fractions.{outlet}.frac"] = tph / made
    plant = plant_with_modes(route_spec(spec, route), active)
    sim = simulate_plant(plant, n_cases=1, overrides=overrides)
    return modes, build_results(sim), sim


def unsolved(
    status: SolveStatus,
    moves: list[tuple[str, float, float]],
    table: ModeTable,
    meta: dict[str, Any],
    ranking: pd.DataFrame,
) -> OptimizeResult:
    """The result of a solve that found no plan.

    Its status and, if infeasible, which limits conflict and where the smallest
    relaxation moves them (``moves``).
    """
    explanation = [
        f"{key}: {value:.6g} must move to {moved:.6g} for any plan to be feasible"
        for key, value, moved in moves
    ]
    if status is SolveStatus.INFEASIBLE and not explanation:
        explanation.append(
            "no plan satisfies the limits; the elastic model found no single relaxation"
        )
    empty = pd.DataFrame()
    return OptimizeResult(status.value, {}, empty, empty, explanation, None, table, meta, ranking)


def route_ranking(
    table: ModeTable, sense: str, best: Callable[[np.ndarray], dict[str, Any]]
) -> pd.DataFrame:
    """Best plan of every route by enumeration: how the routes rank, which are infeasible.

    ``best(rows)`` enumerates the table's rows of one route and returns the row's
    columns (``feasible``, ``objective``, ``ore_tph``, ...).
    """
    if not len(table.routes.columns):
        return pd.DataFrame()
    # grouped on the columns themselves: a row-wise label (``agg``) costs seconds at
    # 131,625 rows (measured: 58 s of the superstructure's optimize on a loaded machine)
    groups = table.routes.groupby(list(table.routes.columns), sort=False).indices
    rows = []
    for idx in groups.values():
        route = table.routes.iloc[idx[0]].to_dict()
        row = {k: (v or "as written") for k, v in route.items()}
        row.update(best(np.asarray(idx)))
        rows.append(row)
    frame = pd.DataFrame(rows)
    return frame.sort_values(
        "objective", ascending=sense != "maximize", na_position="last"
    ).reset_index(drop=True)

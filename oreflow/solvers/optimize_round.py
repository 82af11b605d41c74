"""One round of an optimization: solve the table's problem, verify the plan, report it.

The lexicographic levels solved one after another (``solve_levels``); the plan
re-simulated and compared with the model (``verify_plan``); the previous round's column
kept where the new plan's simulation is no better (``previous_if_as_good``); a one-source
column's fixed-cost tangent (``fixed_tangent``); and the enumeration's cross-check and
route ranking for ``meta`` (``enumeration_meta``, ``rank_routes``). The rounds are
``optimize.optimize``'s.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from oreflow.flowsheet.case import CaseSpec
from oreflow.flowsheet.optimization import Limit, OptimizationSpec, is_extensive
from oreflow.solvers.blend import BlendProblem, BlendResult, solve_blend
from oreflow.solvers.blend_enumerate import ColumnPlans, best_plan
from oreflow.solvers.envelopes import idle_units
from oreflow.solvers.highs import SolveStatus
from oreflow.solvers.optimize_result import (
    route_ranking,
    simulate_plan,
    verification_table,
)
from oreflow.solvers.selection import blend_problem, model_values, split_tonnages
from oreflow.solvers.simulate import Simulation
from oreflow.solvers.tabulate import ModeTable, route_axes, route_spec


def solve_levels(
    spec: CaseSpec,
    opt: OptimizationSpec,
    table: ModeTable,
    retabulate: Callable[[OptimizationSpec], ModeTable],
) -> tuple[OptimizationSpec, ModeTable, BlendProblem, BlendResult, list[float]]:
    """Solve the case's problem; with lexicographic levels, one level after another.

    Each later level holds every earlier one within its tolerance of its optimum (a
    limit keyed ``objective.lexicographic[i]``), re-tabulating when a level needs unit
    metrics the table lacks. Returns the last level's spec, table, problem and result,
    and the optimum of each earlier level.
    """
    problem = blend_problem(spec, opt, table)
    result = solve_blend(problem)
    values: list[float] = []
    for level, (kpi, sense, _) in enumerate(opt.lexicographic[1:], start=1):
        if result.status is not SolveStatus.OPTIMAL:
            break
        prev_kpi, prev_sense, tol = opt.lexicographic[level - 1]
        value = result.objective
        values.append(value)
        bound = value - tol * abs(value) if prev_sense == "maximize" else value + tol * abs(value)
        held = Limit(
            prev_kpi,
            "min" if prev_sense == "maximize" else "max",
            bound,
            f"objective.lexicographic[{level - 1}]",
        )
        opt = dataclasses.replace(opt, limits=(*opt.limits, held), weights={kpi: 1.0}, sense=sense)
        needed = {n for n in [*(lim.name for lim in opt.limits), *opt.weights]}
        if needed - set(table.figures.columns):
            table = retabulate(opt)
        problem = blend_problem(spec, opt, table)
        result = solve_blend(problem)
    return opt, table, problem, result, values


def judged_figures(model: dict[str, float], sim: Simulation) -> dict[str, float]:
    """The model's figures the plan is verified on.

    Not the intensive figures (an envelope's density or circulating load) of a unit the
    plan leaves idle (a shut satellite): the table holds them at the site's last open
    rate, and the plan does not judge them (``envelopes.violations``).
    """
    idle = idle_units(sim)
    return {
        name: value
        for name, value in model.items()
        if is_extensive(name) or not (name.startswith("units.") and name.split(".")[1] in idle)
    }


def verify_plan(
    spec: CaseSpec,
    opt: OptimizationSpec,
    table: ModeTable,
    problem: BlendProblem,
    result: BlendResult,
) -> tuple[np.ndarray, dict, dict, Any, pd.DataFrame]:
    """Re-simulate a plan: its rates, splits, modes, results and verification table."""
    rates = np.asarray(result.source_tph)
    v = np.concatenate([rates, np.asarray(result.destination_tph, dtype=np.float64)])
    splits = split_tonnages(spec, opt, problem, result.column, v)
    modes, plan, sim = simulate_plan(spec, opt, table, result.column, rates, splits)
    as_run = problem.with_closed(result.shut)  # the closed sources' constants in place
    model, terms = model_values(as_run, result.column, v)
    verification = verification_table(plan, sim, judged_figures(model, sim), terms)
    return rates, splits, modes, plan, verification


def simulated_objective(problem: BlendProblem, verification: pd.DataFrame) -> float:
    """The objective of a plan by its simulation (NaN where a weighted figure is unverified)."""
    if not set(problem.weights) <= set(verification.index):
        return float("nan")
    sim = verification["simulation"]
    return float(sum(w * float(sim[name]) for name, w in problem.weights.items()))


def previous_if_as_good(
    problem: BlendProblem,
    result: BlendResult,
    verification: pd.DataFrame,
    previous: int,
    rtol: float,
) -> BlendResult | None:
    """The previous round's column solved alone, where the new plan's simulation is no better.

    The table is taken at the previous plan's rates and split, where the previous
    column's model is exact; another column's is first order there, and its error can
    favour it: two alike trains with their modes swapped, each plan looking better from
    the other's table, alternate round after round without verifying. So when the new
    plan does not verify and the previous column differs, the previous column is solved
    alone on the same table, and kept when the new plan's simulated objective does not
    beat it by more than ``rtol`` (relative). The kept plan is re-simulated as any other.
    ``None`` where the new plan stands.
    """
    if previous < 0 or previous == result.column:
        return None
    simulated = simulated_objective(problem, verification)
    if not np.isfinite(simulated):
        return None
    alone = solve_blend(problem.subset(np.array([previous])))
    if alone.status is not SolveStatus.OPTIMAL:
        return None
    sign = 1.0 if problem.sense == "maximize" else -1.0
    if sign * (simulated - alone.objective) > rtol * max(abs(alone.objective), 1.0):
        return None
    return dataclasses.replace(alone, column=previous, bound=result.bound)


#: Most corrections of the chosen column's fixed-cost tangent per tabulation (one source).
TANGENT_ROUNDS = 3


def fixed_tangent(spec: CaseSpec, opt: OptimizationSpec, table: ModeTable, column: int) -> float:
    """A column's fixed cost's tangent at zero rate, by finite difference in the rate [USD/h].

    The table's (``cost_fixed_base_usd_h``) takes every item's size as growing with
    throughput; an item that does not (a carbon advance written in t/d, an installed
    mill) is found by simulating the column at the tabulated rate plus and minus
    ``BLEND_STEP_FRAC``: ``F(r) - r dF/dr``.
    """
    from oreflow.solvers.lean_figures import kpi_plan, lean_kpis
    from oreflow.solvers.simulate import simulate_plant
    from oreflow.solvers.tabulate import BLEND_STEP_FRAC, plant_with_modes

    r = table.ore_tph
    step = BLEND_STEP_FRAC * r
    route = table.route_of(column)
    active = route_axes(opt.axes, route)
    overrides = {a.key: np.full(2, float(table.modes[a.label].iloc[column])) for a in active}
    overrides[f"{spec.ores[0].name}.rate_tph"] = np.array([r + step, r - step])
    plant = plant_with_modes(route_spec(spec, route), active)
    sim = simulate_plant(plant, n_cases=2, overrides=overrides)  # both rates in one batch
    fixed = lean_kpis(sim, kpi_plan(sim, {"cost_fixed_usd_h"}))["cost_fixed_usd_h"]
    whole = float(table.figures["cost_fixed_usd_h"].iloc[column])
    return whole - float(fixed[0] - fixed[1]) / (2.0 * step) * r


def enumeration_meta(
    problem: BlendProblem, check: tuple[int, np.ndarray, float, tuple[int, ...]], blend: bool
) -> dict[str, Any]:
    """The enumeration's plan (the cross-check of the MILP) for ``meta``."""
    column, values, objective, shut = check
    n_src = problem.n_sources
    out: dict[str, Any] = {"column": column, "ore_tph": float(np.nansum(values[:n_src]))}
    if column < 0:
        out["ore_tph"] = float("nan")
    if blend:
        out["source_tph"] = dict(zip(problem.sources, map(float, values[:n_src]), strict=True))
        out["destination_tph"] = dict(
            zip(problem.destinations, map(float, values[n_src:]), strict=True)
        )
    if problem.closable:
        out["closed_sources"] = [problem.sources[s] for s in shut]
    out["objective"] = objective
    return out


def rank_routes(
    problem: BlendProblem, table: ModeTable, blend: bool, plans: ColumnPlans | None
) -> pd.DataFrame:
    """Best plan of every route by enumeration (``optimize_result.route_ranking``).

    Each route's best is read from every column's plans (``column_plans``).
    """
    fixed = table.figures.get("cost_fixed_usd_h")

    def best(idx: np.ndarray) -> dict[str, Any]:
        column, values, objective, _ = best_plan(problem, plans, idx)
        rates = values[: problem.n_sources]
        row: dict[str, Any] = {"feasible": column >= 0, "objective": objective}
        row["ore_tph"] = float(np.nansum(rates)) if column >= 0 else float("nan")
        if fixed is not None:  # the route's fixed cost at the tabulated rate (its capital's)
            row["cost_fixed_usd_h"] = float(fixed.iloc[idx[column]]) if column >= 0 else np.nan
        if blend:
            for src, r in zip(problem.sources, rates, strict=True):
                row[f"{src}_tph"] = float(r)
        return row

    return route_ranking(table, problem.sense, best)

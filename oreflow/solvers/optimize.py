"""Optimize a case: tabulate its modes, choose by MILP, verify by re-simulation.

1. ``tabulate`` simulates every combination of the mode grid (batched kernels);
2. ``milp.solve_selection`` chooses the combination and the ore rate (HiGHS): the
   selection problem with one source, ``optimize_blend`` the same problem with several
   sources or split decisions;
3. the plan is re-simulated by the full kernels at the chosen rate, and every KPI the
   model used is compared with the simulation; a plan whose differences exceed
   ``verify_rtol`` is reported as ``unverified``, never as optimal.

The result and its tables are built by ``optimize_result``, the same for both.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import numpy as np
import pandas as pd

from oreflow.flowsheet.case import CaseSpec
from oreflow.flowsheet.optimization import Limit, ModeAxis, OptimizationSpec, is_extensive
from oreflow.solvers.economics import fixed_part_usd_h
from oreflow.solvers.milp import (
    SelectionProblem,
    SolveStatus,
    enumerate_selection,
    explain_infeasible,
    solve_selection,
)
from oreflow.solvers.optimize_blend import optimize_blend
from oreflow.solvers.optimize_result import (
    OptimizeResult,
    check_figures,
    route_ranking,
    shadow_price_table,
    simulate_plan,
    spec_of,
    unsolved,
    verification_table,
)
from oreflow.solvers.tabulate import ModeTable, route_axes, route_spec, tabulate


def route_summary(problem: SelectionProblem, table: ModeTable) -> pd.DataFrame:
    """Best plan of every route by enumeration: how the routes rank, and which are infeasible."""

    def best(idx: np.ndarray) -> dict[str, Any]:
        sub = dataclasses.replace(
            problem, coefficients={k: v[idx] for k, v in problem.coefficients.items()}
        )
        column, ore, objective = enumerate_selection(sub)
        return {"feasible": column >= 0, "objective": objective, "ore_tph": ore}

    return route_ranking(table, problem.sense, best)


def per_tonne(spec: CaseSpec, table: ModeTable, name: str) -> tuple[np.ndarray, float]:
    """A figure's coefficients (per tonne of ore if extensive, else plain) and constant.

    The fixed cost in an extensive figure (``economics.FIXED_COST_SIGN``) does not scale
    with throughput: it is taken out before dividing by the nominal rate and returned as
    the constant, so that ``figure(x) = coefficient x + constant`` at any rate x. A
    limited figure a route does not report is zero there (no cyanide, no oxygen).
    """
    col = np.nan_to_num(table.figures[name].to_numpy(dtype=np.float64), nan=0.0)
    if not is_extensive(name):
        return col, 0.0
    fixed = fixed_part_usd_h(spec.economics, name)
    return (col - fixed) / table.ore_tph, fixed


def selection_problem(spec: CaseSpec, opt: OptimizationSpec, table: ModeTable) -> SelectionProblem:
    """Per-tonne (extensive) and plain (intensive) coefficients of every column.

    Extensive figures' fixed parts (the fixed cost) are ``constants`` (``per_tonne``).
    """
    names = check_figures(
        spec, {lim.name for lim in opt.limits} | set(opt.weights), table, opt.limits, opt.weights
    )
    coefficients = {}
    constants = {}
    for name in names:
        coefficients[name], fixed = per_tonne(spec, table, name)
        if fixed:
            constants[name] = fixed
    x_max = opt.ore_tph_max if opt.ore_tph_max is not None else table.ore_tph
    if opt.ore_tph_min is not None:
        x_min = opt.ore_tph_min
    else:
        x_min = table.ore_tph if opt.ore_tph_max is None else 0.0
    limits = tuple(lim for lim in opt.limits if not np.all(np.isnan(coefficients[lim.name])))
    return SelectionProblem(
        coefficients,
        x_min,
        x_max,
        limits,
        opt.weights,
        opt.sense,
        opt.mip_rel_gap,
        opt.time_limit_s,
        constants,
    )


def optimize(spec: CaseSpec) -> OptimizeResult:
    """Choose the mode combination and ore rate of a case; verify the plan by simulation.

    With several ore sources the rate of each is a decision too, and with a residue
    splitter the tonnage to each residue destination (``optimize_blend``).
    """
    opt = spec_of(spec)
    if len(spec.ores) > 1 or opt.residue_splitter or opt.train_splitter:
        return optimize_blend(spec, opt)
    t0 = time.perf_counter()
    metrics = sorted(
        {n for n in [*(lim.name for lim in opt.limits), *opt.weights] if n.startswith("units.")}
    )
    table = tabulate(spec, opt.axes, metrics)
    t1 = time.perf_counter()
    problem = selection_problem(spec, opt, table)
    result = solve_selection(problem)
    lexi_values = []
    for level, (kpi, sense, _) in enumerate(opt.lexicographic[1:], start=1):
        if result.status is not SolveStatus.OPTIMAL:
            break
        # hold every earlier level within its tolerance of its optimum, then optimise this one
        prev_kpi, prev_sense, tol = opt.lexicographic[level - 1]
        value = result.objective
        lexi_values.append(value)
        bound = value - tol * abs(value) if prev_sense == "maximize" else value + tol * abs(value)
        held = Limit(
            prev_kpi,
            "min" if prev_sense == "maximize" else "max",
            bound,
            f"objective.lexicographic[{level - 1}]",
        )
        opt = dataclasses.replace(opt, limits=(*opt.limits, held), weights={kpi: 1.0}, sense=sense)
        metrics_now = sorted(
            {n for n in [*(lim.name for lim in opt.limits), *opt.weights] if n.startswith("units.")}
        )
        if set(metrics_now) - set(metrics):
            metrics = metrics_now
            table = tabulate(spec, opt.axes, metrics)
        problem = selection_problem(spec, opt, table)
        result = solve_selection(problem)
    t2 = time.perf_counter()
    check = enumerate_selection(problem)
    ranking = route_summary(problem, table)
    t_enumerated = time.perf_counter()
    meta: dict[str, Any] = {
        "lexicographic_levels": lexi_values,
        "n_combinations": len(table.modes),
        "solver": result.solver,
        "seconds": {"tabulate_s": t1 - t0, "model_and_solve_s": t2 - t1, **result.seconds},
        "enumeration": {"column": check[0], "ore_tph": check[1], "objective": check[2]},
    }
    if result.status is not SolveStatus.OPTIMAL:
        infeasible = result.status is SolveStatus.INFEASIBLE
        moves = explain_infeasible(problem) if infeasible else []
        return unsolved(result.status, moves, table, meta, ranking)
    column = result.column
    route = table.route_of(column)
    modes, plan, sim = simulate_plan(spec, opt, table, column, np.array([result.ore_tph]))
    t3 = time.perf_counter()
    model = {
        name: coef[column] * result.ore_tph + problem.constants.get(name, 0.0)
        if is_extensive(name)
        else coef[column]
        for name, coef in problem.coefficients.items()
    }
    verification = verification_table(plan, sim, model)
    max_diff = float(verification["rel_diff"].max()) if len(verification) else 0.0
    verified = max_diff <= opt.verify_rtol
    prices = shadow_price_table(
        result.duals,
        opt.weights,
        opt.limits,
        {"ore_tph_max": problem.x_max, "ore_tph_min": problem.x_min},
    )
    decisions = {
        "route": {k: (v or "as written") for k, v in route.items()},
        "modes": modes,
        "ore_tph": result.ore_tph,
        "objective": result.objective,
        "objective_bound": result.bound,
        "column": column,
    }
    meta["seconds"]["enumerate_s"] = t_enumerated - t2
    meta["seconds"]["verify_s"] = t3 - t_enumerated
    meta["seconds"]["total_s"] = t3 - t0
    meta["max_rel_diff"] = max_diff
    status = "optimal" if verified else "unverified"
    return OptimizeResult(status, decisions, verification, prices, [], plan, table, meta, ranking)


def refine(spec: CaseSpec, rounds: int = 6, points: int = 5, rtol: float = 1e-5) -> OptimizeResult:
    """Optimize, then narrow every mode axis around the incumbent until the answer settles.

    Each round keeps the chosen route and replaces every axis of it by ``points`` values
    spanning the incumbent's neighbours on the previous grid (within the parameter's
    range), re-tabulates and re-solves. It stops when the objective moves by less than
    ``rtol`` relative, or after ``rounds``. The grid approaches the continuous optimum of
    the route; the incumbent stays on every new grid, so the
    objective never gets worse.
    """
    opt = spec_of(spec)
    result = optimize(spec)
    history = [result.decisions.get("objective", float("nan"))]
    if result.status != "optimal":
        return result
    route = {
        k: ("" if v == "as written" else v) for k, v in result.decisions.get("route", {}).items()
    }
    fixed = route_spec(spec, route)
    axes = route_axes(opt.axes, route)
    current = {a.label: result.decisions["modes"][a.label] for a in axes}
    grids = {a.label: sorted(a.values) for a in axes}
    for _ in range(rounds):
        new_axes = []
        for a in axes:
            values = grids[a.label]
            x = current[a.label]
            i = values.index(x)
            lo = values[max(i - 1, 0)]
            hi = values[min(i + 1, len(values) - 1)]
            grid = sorted({*np.linspace(lo, hi, points).tolist(), x})
            grids[a.label] = grid
            new_axes.append(ModeAxis(a.unit, a.param, tuple(grid)))
        new_spec = dataclasses.replace(
            fixed, optimization=dataclasses.replace(opt, axes=tuple(new_axes))
        )
        nxt = optimize(new_spec)
        if nxt.status != "optimal":
            break
        history.append(nxt.decisions["objective"])
        moved = abs(history[-1] - history[-2]) / max(abs(history[-2]), 1e-12)
        current = {
            a.label: nxt.decisions["modes"][new_a.label]
            for a, new_a in zip(axes, new_axes, strict=True)
        }
        nxt.decisions["route"] = result.decisions.get("route", {})
        result = nxt
        if moved < rtol:
            break
    result.meta["refinement"] = {"objective_by_round": history, "rounds": len(history) - 1}
    return result

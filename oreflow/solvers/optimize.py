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


def envelope_limits(spec: CaseSpec, opt: OptimizationSpec) -> list[Limit]:
    """The units' operating envelopes as limits (``[constraints] envelopes = "enforce"``).

    Every bound on a figure a unit reports (not on one of its parameters, which the grid
    sets) becomes a limit keyed ``envelope.units.UNIT.METRIC.max``; a limit the case
    writes itself on the same figure takes precedence. Positions with options are left
    to the plan's warnings (their figure belongs to whichever option is chosen).
    """
    if opt.envelopes != "enforce":
        return []
    written = {lim.name for lim in opt.limits}
    out = []
    for u in spec.units:
        utype = spec.unit_types[u.type]
        if u.options:
            continue
        params = {p.name for p in utype.params}
        for env in utype.envelope:
            name = f"units.{u.name}.{env.metric}"
            if env.metric in params or name in written or not env.applies(u.params):
                continue
            for sense, bound in (("max", env.hi), ("min", env.lo)):
                if bound is not None:
                    out.append(Limit(name, sense, float(bound), f"envelope.{name}.{sense}"))
    return out


def _with_envelopes(
    opt: OptimizationSpec, table: ModeTable, envelope: list[Limit]
) -> OptimizationSpec:
    """Add the envelope limits whose figure some column reports.

    A column not reporting it (its unit configured without that figure) meets the bound.
    """
    kept = []
    for lim in envelope:
        col = table.figures[lim.name]
        if col.isna().all():
            continue
        if col.isna().any():
            table.figures[lim.name] = col.fillna(lim.value if lim.sense == "min" else 0.0)
        kept.append(lim)
    return dataclasses.replace(opt, limits=(*opt.limits, *kept))


def tabulate_limited(
    spec: CaseSpec, opt: OptimizationSpec, names: tuple[str, ...] = ()
) -> tuple[ModeTable, OptimizationSpec]:
    """Tabulate the unit metrics of ``names``, the limits, the objective and the envelopes.

    Returns the table and the spec with the envelope limits some column reports added.
    """
    envelope = envelope_limits(spec, opt)
    metrics = sorted(
        {
            n
            for n in [*names, *(lim.name for lim in opt.limits), *opt.weights]
            if n.startswith("units.")
        }
        | {lim.name for lim in envelope}
    )
    table = tabulate(spec, opt.axes, metrics, optional={lim.name for lim in envelope})
    return table, _with_envelopes(opt, table, envelope)


def optimize(spec: CaseSpec) -> OptimizeResult:
    """Choose the mode combination and ore rate of a case; verify the plan by simulation.

    With several ore sources the rate of each is a decision too, and with a residue
    splitter the tonnage to each residue destination (``optimize_blend``).
    """
    opt = spec_of(spec)
    if len(spec.ores) > 1 or opt.residue_splitter or opt.train_splitter:
        return optimize_blend(spec, opt)
    t0 = time.perf_counter()
    envelope = envelope_limits(spec, opt)
    table, opt = tabulate_limited(spec, opt)
    metrics = sorted(table.figures.columns[table.figures.columns.str.startswith("units.")])
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
            table = tabulate(spec, opt.axes, metrics, optional={lim.name for lim in envelope})
            for lim in envelope:  # a column without the figure meets its bound, as before
                if lim.name in table.figures and lim in opt.limits:
                    fill = lim.value if lim.sense == "min" else 0.0
                    table.figures[lim.name] = table.figures[lim.name].fillna(fill)
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
    meta["grid_edges"] = grid_edges(route_spec(spec, route), route_axes(opt.axes, route), modes)
    meta["seconds"]["enumerate_s"] = t_enumerated - t2
    meta["seconds"]["verify_s"] = t3 - t_enumerated
    meta["seconds"]["total_s"] = t3 - t0
    meta["max_rel_diff"] = max_diff
    status = "optimal" if verified else "unverified"
    return OptimizeResult(status, decisions, verification, prices, [], plan, table, meta, ranking)


def axis_range(spec: CaseSpec, axis: ModeAxis) -> tuple[float, float]:
    """Values a mode axis may take: its parameter's schema range within the unit's envelope.

    Open schema bounds are kept off by a thousandth of the span to the grid.
    """
    utype = spec.unit_types[spec.unit(axis.unit).type]
    lo, hi = -np.inf, np.inf
    param = next((p for p in utype.params if p.name == axis.param), None)
    if param is not None:
        span = max(axis.values) - min(axis.values) or abs(max(axis.values)) or 1.0
        if param.lo is not None:
            lo = param.lo + (1e-3 * span if param.lo_open else 0.0)
        if param.hi is not None:
            hi = param.hi - (1e-3 * span if param.hi_open else 0.0)
    for env in utype.envelope:
        if env.metric == axis.param:
            lo = lo if env.lo is None else max(lo, env.lo)
            hi = hi if env.hi is None else min(hi, env.hi)
    return float(lo), float(hi)


def grid_edges(spec: CaseSpec, axes: list[ModeAxis], modes: dict[str, float]) -> list[str]:
    """One line per axis whose chosen value is the first or last of its grid (of several)."""
    out = []
    for a in axes:
        values = sorted(a.values)
        x = modes.get(a.label)
        if x is None or len(values) < 2 or values[0] < x < values[-1]:
            continue
        side = "lower" if x == values[0] else "upper"
        lo, hi = axis_range(spec, a)
        room = (x > lo) if side == "lower" else (x < hi)
        tail = (
            "the optimum may lie beyond it: widen the grid or use --refine"
            if room
            else "it is also the limit of the parameter's range or envelope"
        )
        out.append(
            f"{a.label} = {x:g} is on the {side} edge of its grid "
            f"[{values[0]:g} .. {values[-1]:g}]: {tail}"
        )
    return out


def _refined_grid(
    values: list[float], x: float, points: int, bounds: tuple[float, float]
) -> list[float]:
    """The next grid of an axis around ``x``: its neighbours, or a step beyond an edge.

    At an edge of the grid the new grid reaches one grid step past it (within
    ``bounds``), so that an optimum outside the first grid is found.
    """
    i = values.index(x)
    if i == 0 and len(values) > 1:
        lo = max(x - (values[1] - values[0]), bounds[0])
    else:
        lo = values[max(i - 1, 0)]
    if i == len(values) - 1 and len(values) > 1:
        hi = min(x + (values[-1] - values[-2]), bounds[1])
    else:
        hi = values[min(i + 1, len(values) - 1)]
    return sorted({*np.linspace(lo, hi, points).tolist(), x})


def refine(spec: CaseSpec, rounds: int = 6, points: int = 5, rtol: float = 1e-5) -> OptimizeResult:
    """Optimize, then narrow every mode axis around the incumbent until the answer settles.

    Each round keeps the chosen route and replaces every axis of it by ``points`` values
    spanning the incumbent's neighbours on the previous grid, or reaching one grid step
    past it where the incumbent is on an edge (within the parameter's range and the
    unit's envelope, ``axis_range``), re-tabulates and re-solves. It stops when the objective moves by less than
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
    bounds = {a.label: axis_range(fixed, a) for a in axes}
    last_axes = axes
    for _ in range(rounds):
        new_axes = []
        for a in axes:
            grid = _refined_grid(grids[a.label], current[a.label], points, bounds[a.label])
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
        last_axes = new_axes
        if moved < rtol:
            break
    result.meta["refinement"] = {"objective_by_round": history, "rounds": len(history) - 1}
    result.meta["grid_edges"] = grid_edges(fixed, list(last_axes), result.decisions["modes"])
    return result

"""Optimize a case: tabulate its modes, choose by MILP, verify by re-simulation.

One orchestration for every case, whatever its decisions (modes, route, the rate of
each ore source, residue and train splits):

1. ``tabulate`` simulates every combination of the mode grid (batched kernels), with
   several ore sources at a blend (the rates written in the case, within their bounds)
   and the per-source coefficients of every extensive figure;
2. ``blend.solve_blend`` chooses the column and the rates (HiGHS) on the problem of
   ``selection.blend_problem``; lexicographic objectives solve one level after another,
   each earlier level held within its tolerance of its optimum;
3. the plan is re-simulated by the full kernels at the chosen rates, and every figure the
   model used is compared with the simulation; a plan whose differences exceed
   ``verify_rtol`` is reported as ``unverified``, never as optimal. Where the plant is not
   additive in its sources the model is first-order in the blend: the table is
   re-tabulated at the incumbent's blend and the problem solved again, until the plan
   verifies or the blend stops moving (at most ``BLEND_ROUNDS``; ``meta["blend"]``).
   A train split is re-tabulated the same way, in the same rounds: downstream of the
   trains' outlets (a satellite's concentrate shipped to a centre or sold) the plant
   need not be additive in the split either, so the table is taken at the incumbent's
   split as written. A round whose new column's plan does not verify keeps the previous
   round's column, exact at this round's table, where the new plan's simulation is no
   better (``previous_if_as_good``): else mirror plans of alike trains alternate.

The table and the case it is tabulated from are ``optimize_table``'s; one round's solve,
verification and reports ``optimize_round``'s; the grid's edges ``mode_grid``'s; the
result and its tables ``optimize_result``'s.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import numpy as np

from oreflow.flowsheet.case import CaseSpec
from oreflow.flowsheet.optimization import ModeAxis, OptimizationSpec
from oreflow.solvers.blend import column_duals, enumerate_blend, explain_blend_infeasible
from oreflow.solvers.blend_enumerate import best_plan, column_plans
from oreflow.solvers.closures import closable_sources
from oreflow.solvers.economics import FIXED_COST_FIGURE, fixed_follows_capital
from oreflow.solvers.highs import SolveStatus
from oreflow.solvers.mode_grid import axis_range, grid_edges, refined_grid
from oreflow.solvers.optimize_result import (
    OptimizeResult,
    shadow_price_table,
    spec_of,
    unsolved,
)
from oreflow.solvers.optimize_round import (
    TANGENT_ROUNDS,
    enumeration_meta,
    fixed_tangent,
    previous_if_as_good,
    rank_routes,
    simulated_objective,
    solve_levels,
    verify_plan,
)
from oreflow.solvers.optimize_table import (
    at_rate,
    at_split,
    check_ratio_objective,
    enforced_envelopes,
    envelope_limits,
    fill_envelopes,
    needed_figures,
    split_fractions,
    split_move,
    tabulate_limited,
    tabulate_problem,
    with_envelopes,
    written_split,
)
from oreflow.solvers.selection import (
    blend_problem,
    rate_bound_values,
    source_bounds,
    split_groups,
    total_bounds,
)
from oreflow.solvers.tabulate import ModeTable, route_axes, route_spec

__all__ = [
    "BLEND_MOVE_RTOL",
    "BLEND_ROUNDS",
    "TANGENT_ROUNDS",
    "at_rate",
    "at_split",
    "axis_range",
    "enforced_envelopes",
    "envelope_limits",
    "grid_edges",
    "needed_figures",
    "optimize",
    "refine",
    "tabulate_limited",
    "written_split",
]


#: Most tabulate-solve-verify rounds of a blend before the plan is left unverified.
BLEND_ROUNDS = 5


#: A blend that moves less than this (relative to the total rate) has stopped moving;
#: a train split whose fractions move less than this in sum, too.
BLEND_MOVE_RTOL = 1e-9


def optimize(spec: CaseSpec) -> OptimizeResult:
    """Choose the route, modes and ore rates of a case; verify the plan by simulation."""
    opt = spec_of(spec)
    check_ratio_objective(spec, opt)
    t0 = time.perf_counter()
    groups = split_groups(spec, opt)
    several = len(spec.ores) > 1  # a blend to choose, tabulated at the incumbent's rates
    # train splits, tabulated at the incumbent's split as written
    split_at = {g.splitter: written_split(spec, g.splitter) for g in groups if g.kind == "train"}
    envelope = enforced_envelopes(spec, opt)
    lo, hi = source_bounds(spec, opt)
    blend = np.clip(np.array([float(o.params["rate_tph"]) for o in spec.ores]), lo, hi)
    # sources the plan may close: tabulated with each at zero too (``closable_sources``)
    closable = closable_sources(spec, opt)
    # a fixed cost that follows the capital is tabulated at a rate (the plant is sized
    # for it): one source is re-tabulated at the incumbent's rate, as a blend is
    sized = fixed_follows_capital(spec.economics) and not several
    x_min, x_max = total_bounds(spec, opt)
    opt = dataclasses.replace(opt, ore_tph_min=x_min, ore_tph_max=x_max)  # as written
    history: list[dict[str, Any]] = []
    seconds: dict[str, float] = {"tabulate_s": 0.0, "model_and_solve_s": 0.0, "verify_s": 0.0}
    base = opt
    stopped = f"{BLEND_ROUNDS} rounds, the most"  # why the rounds stopped (meta["blend"])
    previous = -1  # the previous round's column: its plan is where this round tabulates
    for _ in range(BLEND_ROUNDS):
        t1 = time.perf_counter()
        rates_at = blend if several else None
        tab_spec = at_split(spec, split_at)
        if sized:
            tab_spec = at_rate(tab_spec, float(blend[0]))
        table = tabulate_problem(tab_spec, base, envelope, source_tph=rates_at, closable=closable)
        opt = with_envelopes(base, table, envelope)

        def retabulate(
            o: OptimizationSpec, rates_at: np.ndarray | None = rates_at, at: CaseSpec = tab_spec
        ) -> ModeTable:
            t = tabulate_problem(at, o, envelope, source_tph=rates_at, closable=closable)
            return fill_envelopes(t, [lim for lim in envelope if lim in o.limits])

        t2 = time.perf_counter()
        opt0 = opt
        opt, table, problem, result, levels = solve_levels(tab_spec, opt, table, retabulate)
        # only where the model reads the fixed cost (a margin objective or limit): a lean
        # table for co2_kg_oz or a recovery carries no fixed-cost figures
        reads_fixed = {FIXED_COST_FIGURE, "cost_fixed_usd_h"} <= set(table.figures.columns)
        for _ in range(TANGENT_ROUNDS if sized and reads_fixed else 0):
            # the chosen column's fixed-cost tangent from two simulations of it, once the
            # plan's rate is the tabulated one (else the next round re-tabulates there)
            if result.status is not SolveStatus.OPTIMAL:
                break
            chosen = float(sum(result.source_tph))
            if abs(chosen - float(blend[0])) > BLEND_MOVE_RTOL * max(float(blend[0]), 1e-12):
                break
            j = result.column
            tangent = fixed_tangent(tab_spec, opt, table, j)
            held = float(table.figures[FIXED_COST_FIGURE].iloc[j])
            if abs(tangent - held) <= 1e-12 * max(abs(held), 1.0):
                break
            table.figures.loc[table.figures.index[j], FIXED_COST_FIGURE] = tangent
            if not opt.lexicographic:  # a constant of one column moved: enumeration decides
                problem = blend_problem(tab_spec, opt, table)
                col, _, value = enumerate_blend(problem)
                if col == j:  # still the best: its value and its per-tonne slope moved
                    shift = value - result.objective
                    result = dataclasses.replace(
                        result,
                        objective=value,
                        bound=result.bound + shift,
                        duals=column_duals(problem, j),
                    )
                    break
            opt, table, problem, result, levels = solve_levels(tab_spec, opt0, table, retabulate)
            if result.column == j:
                break
        t3 = time.perf_counter()
        seconds["tabulate_s"] += t2 - t1
        seconds["model_and_solve_s"] += t3 - t2
        if result.status is not SolveStatus.OPTIMAL:
            stopped = f"no plan ({result.status.value})"
            break
        rates, splits, modes, plan, verification = verify_plan(spec, opt, table, problem, result)
        max_diff = float(verification["rel_diff"].max()) if len(verification) else 0.0
        kept = None
        if max_diff > opt.verify_rtol:
            kept = previous_if_as_good(problem, result, verification, previous, opt.verify_rtol)
        if kept is not None:  # the previous column, exact here: verified by its own simulation
            overruled = {"column": result.column, "objective": result.objective}
            overruled["simulated_objective"] = simulated_objective(problem, verification)
            result = kept
            rates, splits, modes, plan, verification = verify_plan(
                spec, opt, table, problem, result
            )
            max_diff = float(verification["rel_diff"].max()) if len(verification) else 0.0
        seconds["verify_s"] += time.perf_counter() - t3
        chosen_split = split_fractions(splits, split_at)
        # a closed source is tabulated at its last open rate: its derivatives stay those
        # of an open site, and the plant without it is the table's closed point
        is_open = np.ones(len(rates), dtype=bool)
        is_open[list(result.shut)] = False
        round_ = {
            "tabulated_tph": [float(r) for r in blend],
            "chosen_tph": [float(r) for r in rates],
            "objective": result.objective,
            "column": result.column,
            "max_rel_diff": max_diff,
        }
        if closable:
            round_["closed"] = [problem.sources[s] for s in result.shut]
        if kept is not None:
            round_["overruled"] = overruled
        if split_at:
            round_["tabulated_split"] = split_at
            round_["chosen_split"] = chosen_split
        history.append(round_)
        moved = float(np.abs(rates - blend)[is_open].sum()) / max(float(blend.sum()), 1e-12)
        split_moved = split_move(chosen_split, split_at)
        if max_diff <= opt.verify_rtol:
            stopped = "verified"
            break
        if not (several or split_at or sized):
            stopped = "no blend or train split to re-tabulate at"
            break
        if max(moved if several or sized else 0.0, split_moved) <= BLEND_MOVE_RTOL:
            stopped = "the blend, rate and train split stopped moving"
            break
        if rates.sum() <= 0:
            stopped = "no ore in the plan"
            break
        blend = np.where(is_open, rates, blend) if several or sized else blend
        split_at = chosen_split
        previous = result.column
    t4 = time.perf_counter()
    plans = column_plans(problem)  # every column's, for the check and the route ranking
    check = best_plan(problem, plans)
    ranking = rank_routes(problem, table, several, plans)
    seconds["enumerate_s"] = time.perf_counter() - t4
    seconds.update(result.seconds)
    meta: dict[str, Any] = {
        "lexicographic_levels": levels,
        "n_combinations": len(table.modes),
        "solver": result.solver,
        "seconds": seconds,
        "enumeration": enumeration_meta(problem, check, several or bool(groups)),
    }
    if several or groups or sized:
        meta["blend"] = {
            "rounds": len(history),
            "stopped": stopped,
            "history": history,
            "sources": list(problem.sources),
        }
    if result.status is not SolveStatus.OPTIMAL:
        infeasible = result.status is SolveStatus.INFEASIBLE
        moves = explain_blend_infeasible(problem) if infeasible else []
        seconds["total_s"] = time.perf_counter() - t0
        return unsolved(result.status, moves, table, meta, ranking)
    route = table.route_of(result.column)
    decisions: dict[str, Any] = {
        "route": {k: (v or "as written") for k, v in route.items()},
        "modes": modes,
        "ore_tph": result.ore_tph,
    }
    if several or groups:
        decisions["blend_tph"] = dict(zip(problem.sources, map(float, rates), strict=True))
    if several:  # the sources the plan shuts (none where none may shut)
        decisions["closed_sources"] = [problem.sources[s] for s in result.shut]
    decisions.update(
        {"objective": result.objective, "objective_bound": result.bound, "column": result.column}
    )
    for g in groups:
        key = "residue_tph" if g.kind == "residue" else "train_tph"
        decisions.setdefault(key, {}).update({g.label(o): t for o, t in splits[g.splitter].items()})
    meta["grid_edges"] = grid_edges(route_spec(spec, route), route_axes(opt.axes, route), modes)
    meta["max_rel_diff"] = max_diff
    seconds["total_s"] = time.perf_counter() - t0
    status = "optimal" if max_diff <= opt.verify_rtol else "unverified"
    prices = shadow_price_table(
        result.duals, opt.weights, problem.limits, rate_bound_values(problem)
    )
    return OptimizeResult(status, decisions, verification, prices, [], plan, table, meta, ranking)


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
            grid = refined_grid(grids[a.label], current[a.label], points, bounds[a.label])
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

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
   better (``_previous_if_as_good``): else mirror plans of alike trains alternate.

The result and its tables are built by ``optimize_result``.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from oreflow.errors import CaseError, Problem
from oreflow.flowsheet.case import CaseSpec
from oreflow.flowsheet.optimization import (
    RATIO_FIGURES,
    Limit,
    ModeAxis,
    OptimizationSpec,
    is_extensive,
)
from oreflow.solvers.blend import (
    BlendProblem,
    BlendResult,
    column_duals,
    enumerate_blend,
    explain_blend_infeasible,
    solve_blend,
)
from oreflow.solvers.blend_enumerate import ColumnPlans, best_plan, column_plans
from oreflow.solvers.closures import closable_sources
from oreflow.solvers.economics import FIXED_COST_FIGURE, FIXED_COST_SIGN, fixed_follows_capital
from oreflow.solvers.envelopes import idle_units
from oreflow.solvers.highs import SolveStatus
from oreflow.solvers.optimize_result import (
    OptimizeResult,
    route_ranking,
    shadow_price_table,
    simulate_plan,
    spec_of,
    unsolved,
    verification_table,
)
from oreflow.solvers.scale import scale_limits
from oreflow.solvers.selection import (
    blend_problem,
    model_values,
    rate_bound_values,
    source_bounds,
    split_groups,
    split_metrics,
    split_tonnages,
    total_bounds,
)
from oreflow.solvers.simulate import Simulation
from oreflow.solvers.tabulate import ModeTable, route_axes, route_spec, tabulate

#: Most tabulate-solve-verify rounds of a blend before the plan is left unverified.
BLEND_ROUNDS = 5
#: A blend that moves less than this (relative to the total rate) has stopped moving;
#: a train split whose fractions move less than this in sum, too.
BLEND_MOVE_RTOL = 1e-9


def written_split(spec: CaseSpec, splitter: str) -> dict[str, float]:
    """A splitter's fractions as written, normalised to sum to one."""
    fractions = spec.unit(splitter).tables["fractions"]
    total = sum(float(fractions[o]["frac"]) for o in spec.unit(splitter).outlets)
    return {o: float(fractions[o]["frac"]) / total for o in spec.unit(splitter).outlets}


def at_split(spec: CaseSpec, fractions: dict[str, dict[str, float]]) -> CaseSpec:
    """The case with each named splitter's fractions written as given (``{splitter: {outlet: frac}}``)."""
    units = []
    for u in spec.units:
        if u.name in fractions:
            old = u.tables["fractions"]
            new = {o: MappingProxyType({**old[o], "frac": f}) for o, f in fractions[u.name].items()}
            tables = MappingProxyType({**u.tables, "fractions": MappingProxyType(new)})
            u = dataclasses.replace(u, tables=tables)
        units.append(u)
    return dataclasses.replace(spec, units=tuple(units))


def at_rate(spec: CaseSpec, rate_tph: float) -> CaseSpec:
    """The case with its one ore source's rate written as ``rate_tph`` [t/h]."""
    ore = spec.ores[0]
    params = MappingProxyType({**ore.params, "rate_tph": float(rate_tph)})
    return dataclasses.replace(spec, ores=(dataclasses.replace(ore, params=params),))


def _chosen_split(
    splits: dict[str, dict[str, float]], previous: dict[str, dict[str, float]]
) -> dict[str, dict[str, float]]:
    """The fractions of each train split at a plan; the previous ones where it feeds nothing."""
    out = {}
    for splitter, old in previous.items():
        tonnes = splits.get(splitter, {})
        made = sum(tonnes.values())
        out[splitter] = {o: tonnes[o] / made for o in old} if made > 0 else dict(old)
    return out


def _split_move(a: dict[str, dict[str, float]], b: dict[str, dict[str, float]]) -> float:
    """How far the train splits moved: the sum of the fractions' absolute changes."""
    return sum(abs(a[sp][o] - b[sp][o]) for sp in a for o in a[sp])


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


def enforced_envelopes(spec: CaseSpec, opt: OptimizationSpec) -> list[Limit]:
    """The envelope and scale limits an optimization of the case enforces.

    The scale rules (``oreflow.solvers.scale.scale_limits``) always; the envelopes
    (``envelope_limits``) with one source, a blend of several and split decisions
    (parallel trains, residue destinations) alike: an envelope figure is intensive (a
    density, a circulating load), a column's value at the tabulated blend and split, and
    the rounds re-tabulate at the chosen blend and split until the plan verifies (a
    round whose new column's plan does not verify keeps the previous column where that
    is as good: ``_previous_if_as_good``).
    """
    return [*envelope_limits(spec, opt), *scale_limits(spec, opt)]


def _with_envelopes(
    opt: OptimizationSpec, table: ModeTable, envelope: list[Limit]
) -> OptimizationSpec:
    """Add the envelope limits whose figure some column reports (``_fill_envelopes``)."""
    kept = [lim for lim in envelope if not table.figures[lim.name].isna().all()]
    _fill_envelopes(table, kept)
    return dataclasses.replace(opt, limits=(*opt.limits, *kept))


def _fill_envelopes(table: ModeTable, limits: list[Limit]) -> ModeTable:
    """A column not reporting an envelope's figure (its unit configured without it) meets it."""
    for lim in limits:
        col = table.figures[lim.name]
        if col.isna().any():
            table.figures[lim.name] = col.fillna(lim.value if lim.sense == "min" else 0.0)
    return table


def tabulate_limited(
    spec: CaseSpec, opt: OptimizationSpec, names: tuple[str, ...] = ()
) -> tuple[ModeTable, OptimizationSpec]:
    """Tabulate the case's problem: ``names``, limits, objective, splits and envelopes.

    Unit metrics of ``names``, of the limits and of the objective are tabulated, with
    the split decisions and the enforced envelopes. Several ore sources are tabulated at the rates written in the case. Returns the
    table and the spec with the envelope limits some column reports added.
    """
    envelope = enforced_envelopes(spec, opt)
    table = _tabulate(spec, opt, envelope, names)
    return table, _with_envelopes(opt, table, envelope)


def _tabulate(
    spec: CaseSpec,
    opt: OptimizationSpec,
    envelope: list[Limit],
    names: tuple[str, ...] = (),
    source_tph: np.ndarray | None = None,
    closable: tuple[int, ...] = (),
) -> ModeTable:
    figures = [*names, *(lim.name for lim in opt.limits), *opt.weights]
    figures += [kpi for kpi, _, _ in opt.lexicographic]
    metrics = {n for n in figures if n.startswith("units.")}
    metrics |= {lim.name for lim in envelope} | set(split_metrics(spec, opt))
    return tabulate(
        spec,
        opt.axes,
        sorted(metrics),
        optional={lim.name for lim in envelope},
        source_tph=source_tph,
        splitters=[g.splitter for g in split_groups(spec, opt)],
        needed=needed_figures([*figures, *metrics]),
        closable=closable,
    )


def needed_figures(names: Iterable[str]) -> set[str]:
    """The KPIs a model of these figures reads.

    Each, a ratio's two extensive terms, and the fixed cost of a figure that holds it
    (per column where it follows the capital).
    """
    out = set(names)
    for name in list(out):
        out |= set(RATIO_FIGURES.get(name, ()))
    if out & set(FIXED_COST_SIGN):  # each column's, and its whole fixed cost for the ranking
        out |= {FIXED_COST_FIGURE, "cost_fixed_usd_h"}
    return {n for n in out if not n.startswith("units.")}


def _solve_levels(
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


#: Ratios a residue split cannot move: gold is recovered before the residue is split.
_SPLIT_FREE_RATIOS = ("gold_recovery_frac",)


def _check_ratio_objective(spec: CaseSpec, opt: OptimizationSpec) -> None:
    """``CaseError`` for an objective on a ratio KPI that the rates or splits move.

    With the plant's rate the only continuous decision a ratio (recovery, CO2 per ounce,
    fresh water per tonne, residue use share) is one value per column, an exact
    objective; with several sources, parallel trains, or (but for recovery) a residue
    split it is a ratio of linear figures, which a linear objective cannot hold: it is
    a limit, or the axis of a Pareto front.
    """
    several = len(spec.ores) > 1 or bool(opt.train_splitters)
    if not several and not opt.residue_splitter:
        return
    names = [*opt.weights, *(kpi for kpi, _, _ in opt.lexicographic)]
    bad = [n for n in names if n in RATIO_FIGURES and (several or n not in _SPLIT_FREE_RATIOS)]
    if bad:
        raise CaseError(
            [
                Problem(
                    spec.path,
                    "objective.kpi",
                    f"{n!r} is a ratio that the ore rates or splits move: not a linear "
                    f"objective; bound it in [constraints.max]/[constraints.min] or draw it "
                    f"with oreflow pareto --x {n}",
                )
                for n in bad
            ]
        )


def _judged(model: dict[str, float], sim: Simulation) -> dict[str, float]:
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


def optimize(spec: CaseSpec) -> OptimizeResult:
    """Choose the route, modes and ore rates of a case; verify the plan by simulation."""
    opt = spec_of(spec)
    _check_ratio_objective(spec, opt)
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
        table = _tabulate(tab_spec, base, envelope, source_tph=rates_at, closable=closable)
        opt = _with_envelopes(base, table, envelope)

        def retabulate(
            o: OptimizationSpec, rates_at: np.ndarray | None = rates_at, at: CaseSpec = tab_spec
        ) -> ModeTable:
            t = _tabulate(at, o, envelope, source_tph=rates_at, closable=closable)
            return _fill_envelopes(t, [lim for lim in envelope if lim in o.limits])

        t2 = time.perf_counter()
        opt0 = opt
        opt, table, problem, result, levels = _solve_levels(tab_spec, opt, table, retabulate)
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
            tangent = _fixed_tangent(tab_spec, opt, table, j)
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
            opt, table, problem, result, levels = _solve_levels(tab_spec, opt0, table, retabulate)
            if result.column == j:
                break
        t3 = time.perf_counter()
        seconds["tabulate_s"] += t2 - t1
        seconds["model_and_solve_s"] += t3 - t2
        if result.status is not SolveStatus.OPTIMAL:
            stopped = f"no plan ({result.status.value})"
            break
        rates, splits, modes, plan, verification = _verify(spec, opt, table, problem, result)
        max_diff = float(verification["rel_diff"].max()) if len(verification) else 0.0
        kept = None
        if max_diff > opt.verify_rtol:
            kept = _previous_if_as_good(problem, result, verification, previous, opt.verify_rtol)
        if kept is not None:  # the previous column, exact here: verified by its own simulation
            overruled = {"column": result.column, "objective": result.objective}
            overruled["simulated_objective"] = _simulated_objective(problem, verification)
            result = kept
            rates, splits, modes, plan, verification = _verify(spec, opt, table, problem, result)
            max_diff = float(verification["rel_diff"].max()) if len(verification) else 0.0
        seconds["verify_s"] += time.perf_counter() - t3
        chosen_split = _chosen_split(splits, split_at)
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
        split_moved = _split_move(chosen_split, split_at)
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
    ranking = _route_ranking(problem, table, several, plans)
    seconds["enumerate_s"] = time.perf_counter() - t4
    seconds.update(result.seconds)
    meta: dict[str, Any] = {
        "lexicographic_levels": levels,
        "n_combinations": len(table.modes),
        "solver": result.solver,
        "seconds": seconds,
        "enumeration": _enumeration(problem, check, several or bool(groups)),
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


def _verify(
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
    verification = verification_table(plan, sim, _judged(model, sim), terms)
    return rates, splits, modes, plan, verification


def _simulated_objective(problem: BlendProblem, verification: pd.DataFrame) -> float:
    """The objective of a plan by its simulation (NaN where a weighted figure is unverified)."""
    if not set(problem.weights) <= set(verification.index):
        return float("nan")
    sim = verification["simulation"]
    return float(sum(w * float(sim[name]) for name, w in problem.weights.items()))


def _previous_if_as_good(
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
    simulated = _simulated_objective(problem, verification)
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


def _fixed_tangent(spec: CaseSpec, opt: OptimizationSpec, table: ModeTable, column: int) -> float:
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


def _enumeration(
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


def _route_ranking(
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

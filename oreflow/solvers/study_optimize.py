"""Study modes that optimize: ``reoptimize`` (per scenario) and ``robust`` (one plan for all).

Both start from the same table: every scenario crossed with every combination of the
route's mode grid (``[units.NAME.modes]``), simulated in one batched call per block of
scenarios (rows = scenario x combination; the override arrays repeat each scenario's
variables once per combination and tile the combinations), at the case's nominal ore
rate. Because units are linear at fixed intensive settings, a row's extensive figures
divided by that rate are its per-tonne coefficients (``oreflow.solvers.tabulate``).

- ``reoptimize``: per scenario, the case's own selection problem
  (``selection.blend_problem``: its limits, ore-rate bounds and objective) is solved
  by exhaustive enumeration (``blend.enumerate_blend``, in closed form for this
  one-rate problem: microseconds) or by the MILP (``blend.solve_blend``, study
  ``selection = "milp"``: slower, gives shadow prices). The chosen plans of a block are
  then re-simulated in one batch at their modes and rates, and every figure the model
  used is compared with the simulation: a plan whose largest relative difference
  exceeds the case's ``verify_rtol`` is ``unverified``.
- ``robust``: one combination per route for every scenario, ore rate per scenario,
  maximising the expected objective or its CVaR (``scenario_milp``); verified the same
  way, per scenario. The route chosen for the study is the route with the best risk
  objective (equal to one MILP over every route's columns, since each route's
  columns are independent).

Output rows (one per scenario and route): the scenario's variables, ``route``,
``status`` (``optimal``, ``unverified``, ``infeasible``...), ``plan.ore_tph``,
``plan.<axis key>`` per mode axis, ``plan.objective`` (the model's value),
``plan.max_rel_diff`` (model vs simulation), ``shadow.<limit key>`` with
``selection = "milp"``, then every KPI of the re-simulated plan (NaN when infeasible).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from oreflow.errors import CaseError, Problem
from oreflow.flowsheet.optimization import is_extensive
from oreflow.solvers.blend_enumerate import rate_intervals
from oreflow.solvers.economics import (
    FIXED_COST_FIGURE,
    FIXED_COST_SIGN,
    fixed_follows_capital,
    fixed_part_usd_h,
)
from oreflow.solvers.study_eval import StudyResult, check_closed, simulate_figures
from oreflow.solvers.study_io import RESULTS, case_text, write_parquet
from oreflow.solvers.study_sampling import route_overrides

#: Rows (scenario x combination) simulated per batched call: bounds the memory of the
#: per-case parameter arrays (about 100 parameters x rows x 8 bytes).
ROWS_PER_BLOCK = 8192


@functools.lru_cache(maxsize=16)
def _optimizable(text: str, file: str) -> tuple[Any, Any, list[tuple[dict, tuple, Any]]]:
    """(case spec, optimization spec, per case route: (choices, active axes, plant)).

    A case whose units have ``options`` has several routes (``tabulate.routes``); each
    is compiled once, with its active mode axes as per-case parameters.
    """
    from oreflow.flowsheet.case import parse_case
    from oreflow.solvers.tabulate import plant_with_modes, route_axes, route_spec, routes

    spec = parse_case(text, file)
    if spec.optimization is None:
        msg = "the case has no modes, [constraints] or [objective] to optimize"
        raise CaseError([Problem(file, "objective", msg)])
    from oreflow.solvers.optimize import envelope_limits
    from oreflow.solvers.scale import scale_limits

    # the units' envelopes and the plan's scale rules are limits of each scenario's plan
    opt = spec.optimization
    opt = replace(opt, limits=(*opt.limits, *envelope_limits(spec, opt), *scale_limits(spec, opt)))
    compiled = []
    for route in routes(spec):
        active = route_axes(opt.axes, route)
        compiled.append((route, active, plant_with_modes(route_spec(spec, route), active)))
    return spec, opt, compiled


def _names(opt: Any) -> tuple[list[str], tuple[str, ...]]:
    names = {lim.name for lim in opt.limits} | set(opt.weights)
    if names & set(FIXED_COST_SIGN):  # the fixed cost per column (it may follow the capital)
        names |= {FIXED_COST_FIGURE, "cost_fixed_usd_h"}
    out = sorted(names)
    return out, tuple(n for n in out if n.startswith("units."))


def _nominal_tph(spec: Any) -> float:
    return float(sum(o.params["rate_tph"] for o in spec.ores))


@dataclass(frozen=True)
class Columns:
    """The columns of a route's optimization: every case route x every mode combination.

    ``modes`` (J x axis labels; NaN where a column's route does not use the axis),
    ``choices`` (J x positions with options; "" = as written) and, per column, the index
    of its case route in ``_optimizable(...)[2]``.
    """

    modes: pd.DataFrame
    choices: pd.DataFrame
    route_index: np.ndarray


def scenario_tables(
    text: str, file: str, overrides: Mapping[str, np.ndarray], n_scenarios: int
) -> tuple[Columns, dict[str, np.ndarray]]:
    """Every scenario x every column (case route x mode combination), simulated in batches.

    Returns
    -------
    columns : Columns
        What each column is.
    figures : dict of str to numpy.ndarray
        (S, J) per figure the optimization uses (limits and objective), at the
        nominal ore rate; NaN where a column's route does not report a unit metric.
    """
    import itertools

    _, opt, compiled = _optimizable(text, file)
    names, metrics = _names(opt)
    labels = [a.label for a in opt.axes]
    blocks: list[dict[str, np.ndarray]] = []
    modes, choices, index = [], [], []
    for r, (route, active, plant) in enumerate(compiled):
        combos = np.array(list(itertools.product(*(a.values for a in active))) or [()], dtype=float)
        combos = combos.reshape(len(combos), len(active))
        n_j = len(combos)
        modes.append(pd.DataFrame(combos, columns=[a.label for a in active], dtype=np.float64))
        choices.append(pd.DataFrame([route] * n_j, dtype=object))
        index.append(np.full(n_j, r))
        block = max(1, ROWS_PER_BLOCK // n_j)
        out = {name: np.full((n_scenarios, n_j), np.nan) for name in names}
        for lo in range(0, n_scenarios, block):
            hi = min(lo + block, n_scenarios)
            over = {
                k: np.repeat(np.asarray(v, dtype=float)[lo:hi], n_j) for k, v in overrides.items()
            }
            for a, axis in enumerate(active):
                over[axis.key] = np.tile(combos[:, a], hi - lo)
            figs = simulate_figures(
                plant,
                over,
                (hi - lo) * n_j,
                metrics,
                file=file,
                missing_ok=True,
                share_prefixes=True,
            )
            for name in names:
                if name in figs:
                    out[name][lo:hi] = figs[name].reshape(hi - lo, n_j)
        blocks.append(out)
    figures = {name: np.concatenate([b[name] for b in blocks], axis=1) for name in names}
    for name in names:
        if np.isnan(figures[name]).all():
            key = next((m.key for m in opt.limits if m.name == name), f"objective.{name}")
            msg = f"{name!r} is neither a KPI nor a unit metric of this case"
            raise CaseError([Problem(file, key, msg)])
    columns = Columns(
        pd.concat(modes, ignore_index=True).reindex(columns=labels),
        pd.concat(choices, ignore_index=True),
        np.concatenate(index),
    )
    return columns, figures


def _selection_problem(spec: Any, opt: Any, columns: Columns, figs: Mapping, s: int) -> Any:
    """The case's selection problem (``selection.blend_problem``) for scenario s."""
    from oreflow.solvers.selection import blend_problem
    from oreflow.solvers.tabulate import ModeTable

    figures = pd.DataFrame({name: f[s] for name, f in figs.items()})
    table = ModeTable(
        axes=opt.axes,
        modes=columns.modes,
        figures=figures,
        ore_tph=_nominal_tph(spec),
        routes=columns.choices,
    )
    return blend_problem(spec, opt, table)


def _plan_rows(
    text: str,
    file: str,
    route: str,
    scenarios: pd.DataFrame,
    overrides: Mapping[str, np.ndarray],
    columns: Columns,
    figs: Mapping[str, np.ndarray],
    column: np.ndarray,
    ore_tph: np.ndarray,
    objective: np.ndarray,
    status: list[str],
    extra: Mapping[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Re-simulate every scenario's chosen plan (one batch per case route); plan + KPIs rows."""
    spec, opt, compiled = _optimizable(text, file)
    names, metrics = _names(opt)
    n = len(scenarios)
    ok = column >= 0
    col = np.where(ok, column, 0)
    nominal = _nominal_tph(spec)
    rate = np.where(ok, ore_tph, nominal)
    which = columns.route_index[col]
    sim: dict[str, np.ndarray] = {}
    for r in np.unique(which):
        _, active, plant = compiled[r]
        rows = np.flatnonzero(which == r)
        over = {k: np.asarray(v, dtype=float)[rows] for k, v in overrides.items()}
        for axis in active:
            over[axis.key] = columns.modes[axis.label].to_numpy()[col[rows]]
        for ore in spec.ores:
            over[f"{ore.name}.rate_tph"] = float(ore.params["rate_tph"]) * rate[rows] / nominal
        part = simulate_figures(plant, over, rows.size, metrics, file=file, missing_ok=True)
        for k, v in part.items():
            if k not in sim:
                sim[k] = np.full(n, np.nan)
            sim[k][rows] = v
    diff = np.zeros(n)
    idx = np.arange(n)
    follows = fixed_follows_capital(spec.economics)
    for name in names:
        model = figs[name][idx, col]
        simulated = sim.get(name, np.full(n, np.nan))
        if name == FIXED_COST_FIGURE or (follows and name == "cost_fixed_usd_h"):
            continue  # the model's data, not its prediction; the plan's is simulated
        if is_extensive(name) and follows and name in FIXED_COST_SIGN:
            # the maintenance on the capital is concave in the rate: the model holds its
            # tangent at the nominal rate, so the plan is verified without its fixed
            # cost, which is the re-simulated plan's (the plant sized at its rate)
            sign = FIXED_COST_SIGN[name]
            model = (model - sign * figs["cost_fixed_usd_h"][idx, col]) / nominal * rate
            simulated = simulated - sign * sim["cost_fixed_usd_h"]
        elif is_extensive(name):  # the fixed cost does not scale with the rate
            fixed = fixed_part_usd_h(spec.economics, name)
            model = (model - fixed) / nominal * rate + fixed
        scale = np.maximum(np.maximum(np.abs(model), np.abs(simulated)), 1e-12)
        rel = np.abs(model - simulated) / scale
        diff = np.fmax(diff, np.where(np.isnan(model) & np.isnan(simulated), 0.0, rel))
    final = [
        st if st != "optimal" else ("optimal" if d <= opt.verify_rtol else "unverified")
        for st, d in zip(status, diff, strict=True)
    ]
    frame = scenarios.reset_index()
    plan: dict[str, Any] = {"route": route, "status": final}
    plan["plan.ore_tph"] = np.where(ok, rate, np.nan)
    for position in columns.choices.columns:
        chosen = columns.choices[position].to_numpy()[col]
        plan[f"plan.{position}"] = [
            (c or "as written") if k else "" for c, k in zip(chosen, ok, strict=True)
        ]
    for label in columns.modes.columns:
        plan[f"plan.{label}"] = np.where(ok, columns.modes[label].to_numpy()[col], np.nan)
    plan["plan.objective"] = np.where(ok, objective, np.nan)
    plan["plan.max_rel_diff"] = np.where(ok, diff, np.nan)
    plan.update(extra or {})
    kpis = {k: np.where(ok, v, np.nan) for k, v in sim.items() if not k.startswith("units.")}
    head = frame.iloc[:, :1]
    rest = frame.iloc[:, 1:]
    return pd.concat(
        [head, pd.DataFrame(plan, index=frame.index), rest, pd.DataFrame(kpis, index=frame.index)],
        axis=1,
    )


def reoptimize_rows(
    text: str,
    file: str,
    route: str,
    scenarios: pd.DataFrame,
    overrides: Mapping[str, np.ndarray],
    selection: str = "enumerate",
) -> pd.DataFrame:
    """Mode ``reoptimize`` on one chunk of scenarios of one route (a study work item)."""
    from oreflow.solvers.blend import enumerate_blend, solve_blend
    from oreflow.solvers.highs import SolveStatus

    spec, opt, _ = _optimizable(text, file)
    n = len(scenarios)
    columns, figs = scenario_tables(text, file, overrides, n)
    column = np.full(n, -1)
    ore = np.full(n, np.nan)
    objective = np.full(n, np.nan)
    status = []
    shadow: dict[str, np.ndarray] = {}
    if selection == "milp":
        keys = [lim.key for lim in opt.limits if is_extensive(lim.name)]
        shadow = {f"shadow.{k}": np.full(n, np.nan) for k in [*keys, "ore_tph_max", "ore_tph_min"]}
    for s in range(n):
        problem = _selection_problem(spec, opt, columns, figs, s)
        if selection == "milp":
            res = solve_blend(problem)
            if res.status is SolveStatus.OPTIMAL:
                column[s], ore[s], objective[s] = res.column, res.ore_tph, res.objective
                for k, v in res.duals.items():
                    if f"shadow.{k}" in shadow:
                        shadow[f"shadow.{k}"][s] = v
            status.append(res.status.value)
            continue
        j, x, value = enumerate_blend(problem)
        column[s], ore[s], objective[s] = j, x[0], value
        status.append("optimal" if j >= 0 else "infeasible")
    return _plan_rows(
        text,
        file,
        route,
        scenarios,
        overrides,
        columns,
        figs,
        column,
        ore,
        objective,
        status,
        shadow,
    )


def scenario_problem(
    text: str,
    file: str,
    columns: Columns,
    figs: Mapping[str, np.ndarray],
    risk: str,
    alpha: float,
) -> Any:
    """The scenario MILP's data: per scenario, the case's selection problem as rate intervals."""
    from oreflow.solvers.scenario_milp import ScenarioProblem

    spec, opt, _ = _optimizable(text, file)
    n_s = next(iter(figs.values())).shape[0]
    n_j = len(columns.route_index)
    slope, const = np.zeros((n_s, n_j)), np.zeros((n_s, n_j))
    lo, hi = np.zeros((n_s, n_j)), np.zeros((n_s, n_j))
    ok = np.zeros((n_s, n_j), dtype=bool)
    for s in range(n_s):
        p = _selection_problem(spec, opt, columns, figs, s)
        slope[s], const[s], lo[s], hi[s], ok[s] = rate_intervals(p)
    return ScenarioProblem(
        slope, const, lo, hi, ok, opt.sense, risk, alpha, opt.mip_rel_gap, opt.time_limit_s
    )


def _modes_of(columns: Columns, j: int) -> dict[str, float]:
    if j < 0:
        return {}
    row = columns.modes.iloc[j]
    return {k: float(v) for k, v in row.items() if not np.isnan(v)}


def _choices_of(columns: Columns, j: int) -> dict[str, str]:
    if j < 0:
        return {}
    return {k: (str(v) or "as written") for k, v in columns.choices.iloc[j].items()}


def run_robust(
    spec: Any,
    scenarios: pd.DataFrame,
    screen: dict[str, Any],
    *,
    folder: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> StudyResult:
    """Mode ``robust``: per route, one mode combination for every scenario (scenario MILP).

    Every route is tabulated over every scenario (``scenarios``: the screened sample,
    ``screen`` what the out-of-range policy did), its scenario MILP solved by HiGHS and
    cross-checked by enumeration, and its plan re-simulated per scenario. The study's
    choice is the route with the best risk objective (``meta["robust"]``). ``folder``
    is the checked, locked ``OutputFolder`` (or None).
    """
    from oreflow.solvers.highs import SolveStatus
    from oreflow.solvers.scenario_milp import enumerate_robust, solve_robust

    t0 = time.perf_counter()
    frames = []
    summary: dict[str, Any] = {}
    n_routes = len(spec.routes)
    if progress is not None:
        progress(0, n_routes)
    for done, (route, case) in enumerate(spec.routes.items(), start=1):
        text = case_text(case)
        over = route_overrides(spec, route, scenarios)
        t1 = time.perf_counter()
        columns, figs = scenario_tables(text, case.path, over, len(scenarios))
        t2 = time.perf_counter()
        problem = scenario_problem(text, case.path, columns, figs, spec.risk, spec.cvar_alpha)
        result = solve_robust(problem)
        check = enumerate_robust(problem)
        t3 = time.perf_counter()
        n = len(scenarios)
        if result.status is SolveStatus.OPTIMAL:
            column = np.full(n, result.column)
            ore = np.asarray(result.ore_tph, dtype=float)
            value = problem.slope[:, result.column] * ore + problem.const[:, result.column]
            status = ["optimal"] * n
        else:
            column, ore, value = np.full(n, -1), np.full(n, np.nan), np.full(n, np.nan)
            status = [result.status.value] * n
        rows = _plan_rows(
            text, case.path, route, scenarios, over, columns, figs, column, ore, value, status
        )
        check_closed(spec, route, rows)
        frames.append(rows)
        summary[route] = {
            "status": result.status.value,
            "risk": spec.risk,
            "cvar_alpha": spec.cvar_alpha,
            "objective": result.objective,
            "expected": result.expected,
            "cvar": result.cvar,
            "objective_bound": result.bound,
            "modes": _modes_of(columns, result.column),
            "choices": _choices_of(columns, result.column),
            "column": result.column,
            "n_combinations": len(columns.route_index),
            "n_columns_after_pruning": result.n_columns,
            "solver": result.solver,
            "enumeration": {"column": check.column, "objective": check.objective},
            "seconds": {"tabulate_s": t2 - t1, "model_and_solve_s": t3 - t2},
        }
        if progress is not None:
            progress(done, n_routes)
    order = {r: i for i, r in enumerate(spec.routes)}
    results = pd.concat(frames, ignore_index=True)
    results = results.sort_values(
        ["scenario", "route"], key=lambda c: c.map(order) if c.name == "route" else c
    ).reset_index(drop=True)
    solved = {r: v["objective"] for r, v in summary.items() if v["status"] == "optimal"}
    meta: dict[str, Any] = {
        "seconds": time.perf_counter() - t0,
        "n_scenarios": len(scenarios),
        "n_routes": n_routes,
        "evaluations": len(scenarios) * n_routes,
        "executor": "local x1",
        "study_sha256": spec.sha256,
        "robust": summary,
        "chosen_route": max(solved, key=solved.__getitem__) if solved else None,
        "out_of_range": screen,
    }
    out = folder.path if folder is not None else None
    if out is not None:
        write_parquet(results, out, RESULTS)
    return StudyResult(spec, scenarios, results, out, meta)

"""Epsilon-constraint Pareto fronts between two KPIs over a case's routes and modes.

Recovery against residue, margin against cyanide use: the case is tabulated once; then
the second KPI is optimised subject to the first being at least (or at most) each
epsilon of a grid spanning the two single-objective optima (Haimes, Lasdon & Wismer
1971, IEEE Trans. SMC 1(3):296, doi:10.1109/TSMC.1971.4308298). Every point is the
case's selection problem (``selection.blend_problem``) solved by HiGHS and
cross-checked by enumeration of the same columns.

With several ore sources or split decisions (residue, parallel trains) every point
also chooses the blend and the splits, on the coefficients tabulated at the blend
written in the case: the points are model values, exact where the plant is additive in
its sources and first-order in the blend elsewhere (``oreflow optimize`` verifies and
re-tabulates one plan).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from oreflow.errors import CaseError, Problem
from oreflow.flowsheet.case import CaseSpec
from oreflow.flowsheet.optimization import Limit, per_sink_figures
from oreflow.solvers.blend import BlendProblem, BlendResult, enumerate_blend, solve_blend
from oreflow.solvers.highs import SolveStatus
from oreflow.solvers.optimize import tabulate_limited
from oreflow.solvers.optimize_result import spec_of
from oreflow.solvers.selection import blend_problem, model_figure, split_groups
from oreflow.solvers.tabulate import ModeTable

#: KPIs that are better small (costs, uses, residue, cyanide); everything else is
#: maximised unless the caller says otherwise.
_SMALLER_IS_BETTER = (
    "residue", "cost", "use_", "nacn", "wad", "storage", "power", "energy", "_kwh", "_kg_t", "o2_",
    "co2", "water_",
)  # fmt: skip
#: ...except these, better large whatever else their name says (the residue use share).
_LARGER_IS_BETTER = ("utilisation", "recovery")


def default_sense(kpi: str) -> str:
    """``minimize`` for costs, consumptions, energy, CO2, water and residue; else ``maximize``.

    Shares of residue used and recoveries are maximised.
    """
    if any(w in kpi for w in _LARGER_IS_BETTER):
        return "maximize"
    return "minimize" if any(w in kpi for w in _SMALLER_IS_BETTER) else "maximize"


def pareto(
    spec: CaseSpec,
    x: str,
    y: str,
    points: int = 11,
    *,
    x_sense: str | None = None,
    y_sense: str | None = None,
    marks: Sequence[float] = (),
) -> pd.DataFrame:
    """The front of ``y`` against ``x``: one row per epsilon on ``x``.

    ``marks`` are values of ``x`` (a target: 35 % residue use, a CO2 cap) solved as
    epsilons of their own, flagged ``mark`` in the rows; ``attrs["marks"]`` gives, per
    mark, the best ``y`` there and the cost of the target: how much worse that ``y`` is
    than the best ``y`` of the whole front (the first point), in ``y``'s units.

    Returns
    -------
    pandas.DataFrame
        ``epsilon``, ``x``, ``y``, ``ore_tph``, ``route`` and ``modes`` of each
        non-dominated plan (with several sources or splits, ``blend_tph`` too), ordered
        from the best ``y`` to the best ``x``; ``status`` per point (``optimal`` or
        ``infeasible``).
    """
    opt = spec_of(spec)
    xs, ys = x_sense or default_sense(x), y_sense or default_sense(y)
    sense_x = "min" if xs == "maximize" else "max"
    names = [x, y]
    for k in (x, y):  # a per-discharge KPI's sink figures (WAD cyanide at each tailings)
        for figure, pair in per_sink_figures(spec.units, spec.unit_types, k).items():
            names += [figure, *pair]
    table, opt = tabulate_limited(spec, opt, tuple(names))  # the envelopes are limits too
    _check_pair(spec, table, x, y)
    # a placeholder limit on x so that its coefficients are in the problem
    placeholder = Limit(x, sense_x, -np.inf if sense_x == "min" else np.inf, f"pareto.{x}")
    with_x = dataclasses.replace(
        opt, weights={y: 1.0}, sense=ys, limits=(*opt.limits, placeholder), lexicographic=()
    )
    problem_y = blend_problem(spec, with_x, table)
    problem_y = dataclasses.replace(
        problem_y, limits=tuple(m for m in problem_y.limits if m.key != placeholder.key)
    )
    blend = len(spec.ores) > 1 or bool(split_groups(spec, opt))
    marks = tuple(float(m) for m in marks)
    return _front(problem_y, table, (spec.path, x, y, xs, ys, points), blend, marks)


def _check_pair(spec: CaseSpec, table: ModeTable, x: str, y: str) -> None:
    """``CaseError`` naming each of the two KPIs the table does not hold."""
    missing = [k for k in (x, y) if k not in table.figures]
    if missing:
        raise CaseError(
            [
                Problem(
                    spec.path, "pareto", f"{k!r} is neither a KPI nor a unit metric of this case"
                )
                for k in missing
            ]
        )


def _values(result: BlendResult) -> np.ndarray:
    """A solve's rates, then its destination tonnages."""
    return np.concatenate([result.source_tph, result.destination_tph])


def _front(
    problem_y: BlendProblem,
    table: ModeTable,
    pair: tuple[str, str, str, str, str, int],
    blend: bool,
    marks: tuple[float, ...] = (),
) -> pd.DataFrame:
    """The epsilon-constraint loop; ``pair`` is (case path, x, y, x sense, y sense, points).

    ``blend``: the rows report each source's rate (``blend_tph``); ``marks``: extra
    epsilons, flagged (``pareto``).
    """
    path, x, y, xs, ys, points = pair
    problem_x = dataclasses.replace(problem_y, weights={x: 1.0}, sense=xs)
    result_y, result_x = solve_blend(problem_y), solve_blend(problem_x)
    if SolveStatus.OPTIMAL not in (result_y.status, result_x.status):
        raise CaseError(
            [
                Problem(
                    path,
                    "constraints",
                    "no plan is feasible: run oreflow optimize for the explanation",
                )
            ]
        )
    x_at_y = model_figure(problem_y, x, result_y.column, _values(result_y))
    x_best = model_figure(problem_x, x, result_x.column, _values(result_x))
    sense_x = "min" if xs == "maximize" else "max"
    if x in problem_y.ratios or x in problem_y.per_sink:
        # a ratio is not a linear objective; its best value is the largest (or least)
        # limit on it that leaves a feasible plan: bisection on the linear ratio row
        x_best = _best_ratio(problem_y, x, sense_x, x_at_y, x_best)
    rows = []
    grid = [(float(e), False) for e in np.linspace(x_at_y, x_best, max(points, 2))]
    direction = 1.0 if x_best >= x_at_y else -1.0
    # marks solved in their place along the front (from the best y to the best x)
    steps = sorted([*grid, *((m, True) for m in marks)], key=lambda e: direction * e[0])
    for eps, marked in steps:
        limit = Limit(x, sense_x, float(eps), f"pareto.{x}")
        problem = dataclasses.replace(
            problem_y, limits=(*problem_y.limits, *problem_y.expand(limit))
        )
        result = solve_blend(problem)
        check = enumerate_blend(problem)[2]
        status = result.status.value
        if result.status is SolveStatus.OPTIMAL and _idle(problem, x, result):
            status = "no_throughput"  # a ratio met only by not running: no plan holds it
        if status != SolveStatus.OPTIMAL.value:
            rows.append({"epsilon": eps, "status": status, "mark": marked})
            continue
        c = result.column
        row = {
            "epsilon": eps,
            "mark": marked,
            "status": "optimal",
            "x": model_figure(problem, x, c, _values(result)),
            "y": result.objective,
            "y_enumeration": check,
            "ore_tph": result.ore_tph,
        }
        if blend:
            row["blend_tph"] = dict(
                zip(problem.sources, map(float, result.source_tph), strict=True)
            )
        row["route"] = {k: v or "as written" for k, v in table.route_of(c).items()}
        row["modes"] = table.modes_of(c)
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame.attrs.update({"x": x, "y": y, "x_sense": xs, "y_sense": ys})
    frame.attrs["marks"] = _mark_costs(frame, result_y.objective, ys)
    return frame


def _idle(problem: BlendProblem, x: str, result: BlendResult) -> bool:
    """Whether a plan meets a ratio limit on ``x`` only with a zero denominator."""
    if x not in problem.ratios or x in problem.per_sink:
        return False
    den = problem.denominator(x, result.column, _values(result))
    return not den > 0.0


def _mark_costs(frame: pd.DataFrame, y_best: float, y_sense: str) -> list[dict[str, Any]]:
    """Per marked row: its x, best y, and the cost of holding x there (None if infeasible)."""
    out: list[dict[str, Any]] = []
    if "mark" not in frame:
        return out
    worse = 1.0 if y_sense == "maximize" else -1.0
    for _, r in frame[frame["mark"].astype(bool)].iterrows():
        ok = r["status"] == "optimal"
        out.append(
            {
                "x": float(r["epsilon"]),
                "status": str(r["status"]),
                "y": float(r["y"]) if ok else None,
                "y_best": float(y_best),
                "cost": worse * (float(y_best) - float(r["y"])) if ok else None,
            }
        )
    return out


def _best_ratio(
    problem: BlendProblem, x: str, sense_x: str, feasible: float, guess: float
) -> float:
    """The best value of a ratio figure over the plans: bisection on its linear row."""
    den = problem.ratios[x][1] if x in problem.ratios and x not in problem.per_sink else None
    scale = 0.0
    if den is not None:  # the largest denominator any plan reaches: the reference of "some"
        most = solve_blend(dataclasses.replace(problem, weights={den: 1.0}, sense="maximize"))
        scale = abs(most.objective) if most.status is SolveStatus.OPTIMAL else 0.0

    def ok(value: float) -> bool:
        limit = Limit(x, sense_x, value, f"pareto.{x}")
        limits = (*problem.limits, *problem.expand(limit))
        trial = dataclasses.replace(problem, limits=limits)
        if den is None:
            return solve_blend(trial).status is SolveStatus.OPTIMAL
        # a ratio row num - L den >= 0 holds at zero throughput for every L: a limit is
        # met only by a plan that runs (its denominator, e.g. the residue made, above 0)
        trial = dataclasses.replace(trial, weights={den: 1.0}, sense="maximize")
        result = solve_blend(trial)
        return result.status is SolveStatus.OPTIMAL and result.objective > 1e-9 * scale

    better = 1.0 if sense_x == "min" else -1.0
    # the single-objective guess is a model figure (0 at a plan that does not run): start
    # from it only if a running plan holds it
    lo = guess if better * (guess - feasible) > 0 and ok(guess) else feasible
    step = max(abs(lo), 1e-9)
    hi = lo + better * step
    for _ in range(60):  # find an infeasible bound
        if not ok(hi):
            break
        lo, step = hi, 2.0 * step
        hi = lo + better * step
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        if ok(mid):
            lo = mid
        else:
            hi = mid
        if abs(hi - lo) <= 1e-10 * max(abs(lo), 1e-12):
            break
    # one part per million inside the bound: at the bound itself the plans that hold it
    # may run only within the solver's feasibility tolerance
    return lo - better * 1e-6 * max(abs(lo), 1e-12)

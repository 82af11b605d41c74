"""Epsilon-constraint Pareto fronts between two KPIs over a case's routes and modes.

Recovery against residue, margin against cyanide use: the case is tabulated once; then the second KPI is optimised subject to the first being
at least (or at most) each epsilon of a grid spanning the two single-objective optima
(Haimes, Lasdon & Wismer 1971, IEEE Trans. SMC 1(3):296, doi:10.1109/TSMC.1971.4308298).
Every point is solved by HiGHS and cross-checked by enumeration of the same columns.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from oreflow.errors import CaseError, Problem
from oreflow.flowsheet.case import CaseSpec
from oreflow.flowsheet.optimization import Limit, is_extensive
from oreflow.solvers.milp import SelectionProblem, SolveStatus, enumerate_selection, solve_selection
from oreflow.solvers.optimize import _spec_of, selection_problem
from oreflow.solvers.tabulate import tabulate

#: KPIs that are better small (costs, uses, residue, cyanide); everything else is
#: maximised unless the caller says otherwise.
_SMALLER_IS_BETTER = ("residue", "cost", "use_", "nacn", "wad", "storage", "power", "_kg_t", "o2_")


def default_sense(kpi: str) -> str:
    """``minimize`` for costs, consumptions and residue; ``maximize`` otherwise."""
    return "minimize" if any(w in kpi for w in _SMALLER_IS_BETTER) else "maximize"


def _value(problem: SelectionProblem, name: str, column: int, ore: float) -> float:
    a = float(problem.coefficients[name][column])
    return a * ore if is_extensive(name) else a


def pareto(
    spec: CaseSpec,
    x: str,
    y: str,
    points: int = 11,
    *,
    x_sense: str | None = None,
    y_sense: str | None = None,
) -> pd.DataFrame:
    """The front of ``y`` against ``x``: one row per epsilon on ``x``.

    Returns
    -------
    pandas.DataFrame
        ``epsilon``, ``x``, ``y``, ``ore_tph``, ``route`` and ``modes`` of each
        non-dominated plan, ordered from the best ``y`` to the best ``x``; ``status`` per
        point (``optimal`` or ``infeasible``).
    """
    opt = _spec_of(spec)
    xs, ys = x_sense or default_sense(x), y_sense or default_sense(y)
    metrics = sorted(
        {n for n in [x, y, *(lim.name for lim in opt.limits)] if n.startswith("units.")}
    )
    table = tabulate(spec, opt.axes, metrics)
    weights_y = dataclasses.replace(opt, weights={y: 1.0}, sense=ys)
    base = selection_problem(spec, weights_y, table)
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
    coefficients = dict(base.coefficients)
    col = np.nan_to_num(table.figures[x].to_numpy(dtype=np.float64))
    coefficients[x] = col / table.ore_tph if is_extensive(x) else col
    problem_y = dataclasses.replace(base, coefficients=coefficients)
    problem_x = dataclasses.replace(problem_y, weights={x: 1.0}, sense=xs)
    best_y = solve_selection(problem_y)
    best_x = solve_selection(problem_x)
    if SolveStatus.OPTIMAL not in (best_y.status, best_x.status):
        raise CaseError(
            [
                Problem(
                    spec.path,
                    "constraints",
                    "no plan is feasible: run oreflow optimize for the explanation",
                )
            ]
        )
    x_at_y = _value(problem_y, x, best_y.column, best_y.ore_tph)
    x_best = _value(problem_x, x, best_x.column, best_x.ore_tph)
    sense_x = "min" if xs == "maximize" else "max"
    rows = []
    for eps in np.linspace(x_at_y, x_best, max(points, 2)):
        # the last point is the x optimum itself: keep the limit there with a hair of slack
        limit = Limit(x, sense_x, float(eps), f"pareto.{x}")
        problem = dataclasses.replace(problem_y, limits=(*problem_y.limits, limit))
        result = solve_selection(problem)
        check = enumerate_selection(problem)
        if result.status is not SolveStatus.OPTIMAL:
            rows.append({"epsilon": eps, "status": result.status.value})
            continue
        c = result.column
        route = (
            {k: (str(v) or "as written") for k, v in table.routes.iloc[c].items()}
            if len(table.routes.columns)
            else {}
        )
        modes = {k: float(v) for k, v in table.modes.iloc[c].items() if np.isfinite(v)}
        rows.append(
            {
                "epsilon": eps,
                "status": "optimal",
                "x": _value(problem, x, c, result.ore_tph),
                "y": result.objective,
                "y_enumeration": check[2],
                "ore_tph": result.ore_tph,
                "route": route,
                "modes": modes,
            }
        )
    frame = pd.DataFrame(rows)
    frame.attrs.update({"x": x, "y": y, "x_sense": xs, "y_sense": ys})
    return frame

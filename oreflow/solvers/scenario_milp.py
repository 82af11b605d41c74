"""One mode combination for every scenario: a scenario MILP in Pyomo, solved by HiGHS.

Study mode ``robust`` (issue 6, mode 3). The data are the case's mode grid tabulated
for every scenario (``oreflow.solvers.study.scenario_tables``): for scenario ``s`` and
combination ``j``, the objective is ``c_sj x + d_sj`` in the ore rate ``x`` [t/h]
(per-tonne slope of the extensive objective terms, plus the intensive ones), and the
case's limits leave ``x`` an interval ``[lo_sj, hi_sj]`` (extensive limits divide
through, as in ``blend_enumerate.rate_intervals``) or no rate at all (an intensive limit
broken, or an empty interval: ``ok_sj`` false).

The settings (the combination) are a design decision shared by every scenario; the ore
rate is an operating decision taken per scenario, within the limits (the plant treats
what its installed mill and tanks allow, scenario by scenario). So:

- binaries ``y_j``, ``sum_j y_j = 1`` (``blend.choose_one_column``, the column choice of
  every selection model, solved the same way); only combinations feasible in *every*
  scenario are columns (one that breaks a limit in some scenario cannot be the plan);
- ``x_sj >= 0`` with ``lo_sj y_j <= x_sj <= hi_sj y_j`` (the convex hull of "column j
  alone, within its limits": ``blend.hull_bounds``, the rows of the one-source
  selection model);
- the value of scenario ``s``: ``v_s = sign (sum_j c_sj x_sj + d_sj y_j)`` (sign = +1 to
  maximise the case's objective, -1 to minimise it: larger ``v`` is always better);
- ``risk = "expected"``: maximise ``(1/S) sum_s v_s``;
- ``risk = "cvar"``: maximise the conditional value at risk of ``v`` at level ``alpha``,
  the mean of its worst ``alpha`` share of scenarios, by the Rockafellar-Uryasev (2000)
  linearisation: ``max eta - 1/(alpha S) sum_s u_s`` with ``u_s >= eta - v_s``,
  ``u_s >= 0`` (an LP in ``eta, u``; exact for the discrete scenario distribution).

Both objectives are non-decreasing in every ``v_s``, so for a fixed combination each
scenario's best rate is its own best end of ``[lo_sj, hi_sj]``: that is what
``enumerate_robust`` computes, exhaustively over combinations (the cross-check of the
MILP in tests), and why a combination whose best values are dominated in every
scenario by another's can be pruned before the MILP (exact).

Pyomo objects never leave this module.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from oreflow.solvers.blend import (
    choose_one_column,
    chosen_column,
    hull_bounds,
    solve_selection_model,
)
from oreflow.solvers.highs import SolveStatus

RISKS = ("expected", "cvar")


@dataclass(frozen=True)
class ScenarioProblem:
    """Data of the scenario MILP: arrays of shape (S scenarios, J combinations).

    Attributes
    ----------
    slope, const : numpy.ndarray
        Objective per tonne of ore (extensive terms) and per hour regardless of rate
        (intensive terms), in the case's objective units.
    lo, hi : numpy.ndarray
        Ore-rate interval the limits allow [t/h].
    ok : numpy.ndarray of bool
        Whether the combination meets every limit in the scenario at some rate.
    sense : str
        ``maximize`` or ``minimize`` the case's objective.
    risk : str
        ``expected`` or ``cvar``.
    alpha : float
        CVaR level: the share of worst scenarios averaged (0 < alpha <= 1).
    """

    slope: np.ndarray
    const: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    ok: np.ndarray
    sense: str = "maximize"
    risk: str = "expected"
    alpha: float = 0.1
    mip_rel_gap: float = 1e-6
    time_limit_s: float = 60.0

    @property
    def sign(self) -> float:
        """+1 when the objective is maximised, -1 when minimised."""
        return 1.0 if self.sense == "maximize" else -1.0

    def best_rates(self) -> tuple[np.ndarray, np.ndarray]:
        """Per (scenario, combination): the best rate and the value ``v`` there (``-inf`` if not ok)."""
        s = self.sign
        x = np.where(s * self.slope >= 0.0, self.hi, self.lo)
        v = np.where(self.ok, s * (self.slope * x + self.const), -np.inf)
        return x, v

    def feasible_columns(self) -> np.ndarray:
        """Combinations that meet the limits in every scenario."""
        return np.flatnonzero(self.ok.all(axis=0))


@dataclass(frozen=True)
class RobustResult:
    """What the scenario MILP (or the enumeration) decided.

    ``objective`` is the risk measure of ``v`` (sign-adjusted: larger is better);
    ``expected`` the mean of the case's objective over scenarios at the plan, ``cvar``
    its CVaR at ``alpha`` (both in the objective's own sense and units).
    """

    status: SolveStatus
    column: int = -1
    ore_tph: np.ndarray | None = None  # per scenario
    objective: float = math.nan
    expected: float = math.nan
    cvar: float = math.nan
    bound: float = math.nan
    solver: str = ""
    n_columns: int = 0


def cvar_lower(values: np.ndarray, alpha: float) -> float:
    """CVaR of the lower tail: max over eta of ``eta - mean((eta - v)^+) / alpha``.

    The function of eta is concave and piecewise linear with breakpoints at the values;
    its maximum is at the ``ceil(alpha S)``-th smallest value (Rockafellar & Uryasev
    2000), which is evaluated exactly here (with its neighbours, for ties).
    """
    v = np.sort(np.asarray(values, dtype=float))
    n = v.size
    k = max(min(math.ceil(alpha * n - 1e-12), n), 1) - 1
    best = -math.inf
    for eta in v[max(k - 1, 0) : min(k + 2, n)]:
        best = max(best, float(eta - np.maximum(eta - v, 0.0).sum() / (alpha * n)))
    return best


def _measures(problem: ScenarioProblem, v: np.ndarray) -> tuple[float, float, float]:
    """(risk objective, expected objective, CVaR of the objective), from the values v."""
    s = problem.sign
    expected = float(np.mean(v))
    cvar = cvar_lower(v, problem.alpha)
    objective = expected if problem.risk == "expected" else cvar
    # back to the objective's own sense: E[obj] = s E[v]; CVaR reported on v's tail
    return objective, s * expected, s * cvar


def enumerate_robust(problem: ScenarioProblem) -> RobustResult:
    """Best combination by exhaustive enumeration (every combination, every scenario)."""
    cols = problem.feasible_columns()
    if cols.size == 0:
        return RobustResult(SolveStatus.INFEASIBLE, solver="enumeration")
    x, v = problem.best_rates()
    scores = []
    for j in cols:
        scores.append(_measures(problem, v[:, j])[0])
    best = int(cols[int(np.argmax(scores))])
    obj, exp, cvar = _measures(problem, v[:, best])
    return RobustResult(
        SolveStatus.OPTIMAL, best, x[:, best], obj, exp, cvar, obj, "enumeration", int(cols.size)
    )


def prune_columns(problem: ScenarioProblem) -> np.ndarray:
    """Feasible combinations whose best values are not dominated in every scenario."""
    from oreflow.kernels.selection import nondominated_mask

    cols = problem.feasible_columns()
    if cols.size <= 1:
        return cols
    _, v = problem.best_rates()
    crit = np.ascontiguousarray(v[:, cols].T, dtype=np.float64)
    return cols[nondominated_mask(crit)]


def solve_robust(problem: ScenarioProblem, *, prune: bool = True) -> RobustResult:
    """Solve the scenario MILP with HiGHS (statuses, not exceptions, for failed solves).

    Parameters
    ----------
    problem : ScenarioProblem
        The tabulated scenarios.
    prune : bool
        Drop combinations dominated in every scenario first (exact; see the module).
    """
    import pyomo.environ as pyo

    if problem.risk not in RISKS:
        msg = f"risk must be one of {RISKS}, not {problem.risk!r}"
        raise ValueError(msg)
    cols = prune_columns(problem) if prune else problem.feasible_columns()
    if cols.size == 0:
        return RobustResult(SolveStatus.INFEASIBLE, solver="highs")
    n_s = problem.slope.shape[0]
    sign = problem.sign
    m = pyo.ConcreteModel(name="robust_selection")
    choose_one_column(m, cols.size)
    m.S = pyo.RangeSet(0, n_s - 1)
    m.x = pyo.Var(m.J, m.S, domain=pyo.NonNegativeReals)  # the rate of each scenario
    hull_bounds(m, problem.lo[:, cols].T, problem.hi[:, cols].T)
    c = problem.slope[:, cols]
    d = problem.const[:, cols]
    m.v = pyo.Expression(
        m.S,
        rule=lambda m, s: (
            sign * sum(float(c[s, j]) * m.x[j, s] + float(d[s, j]) * m.y[j] for j in m.J)
        ),
    )
    if problem.risk == "expected":
        m.obj = pyo.Objective(expr=sum(m.v[s] for s in m.S) / n_s, sense=pyo.maximize)
    else:
        m.eta = pyo.Var(domain=pyo.Reals)
        m.u = pyo.Var(m.S, domain=pyo.NonNegativeReals)
        m.tail = pyo.Constraint(m.S, rule=lambda m, s: m.u[s] >= m.eta - m.v[s])
        m.obj = pyo.Objective(
            expr=m.eta - sum(m.u[s] for s in m.S) / (problem.alpha * n_s), sense=pyo.maximize
        )
    res, name = solve_selection_model(m, problem.time_limit_s, problem.mip_rel_gap)
    status = res.status
    if status is not SolveStatus.OPTIMAL:
        return RobustResult(status, solver=name, n_columns=int(cols.size))
    jj = chosen_column(m)
    # The CVaR ignores the scenarios outside its tail, so the MILP's rates there are
    # arbitrary among optimal ones: report each scenario's own best rate for the chosen
    # combination (same objective, and no scenario worse than the MILP's rate).
    x_milp = np.array([pyo.value(m.x[jj, s]) for s in range(n_s)], dtype=float)
    v_milp = sign * (c[:, jj] * x_milp + d[:, jj])
    x_best, _ = problem.best_rates()
    x = x_best[:, cols[jj]]
    v = np.maximum(sign * (c[:, jj] * x + d[:, jj]), v_milp)
    x = np.where(v > v_milp, x, x_milp)
    objective = float(pyo.value(m.obj))
    bound = res.bound if res.bound is not None else objective
    _, expected, cvar = _measures(problem, v)
    return RobustResult(
        status, int(cols[jj]), x, objective, expected, cvar, bound, name, int(cols.size)
    )

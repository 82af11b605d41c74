"""Choose a mode combination and the throughput: a MILP in Pyomo, solved by HiGHS.

Each column j of the model is one combination of the mode grid, carrying the whole
plant's per-tonne coefficients, so only tonnage is a continuous decision and no stream
is ever split between modes with different compositions (DESIGN.md, "one physical
trap"). Binaries ``y_j`` pick one column, ``x_j`` is its ore rate [t/h]:

- ``sum_j y_j = 1``; ``x_min y_j <= x_j <= x_max y_j``;
- an extensive limit (power, tank volume, reagent per hour), one row per column:
  ``a_j x_j <= b y_j``;
- an intensive limit (recovery, WAD cyanide), one row per column: ``(v_j - b) y_j <= 0``;
- objective: ``sum_j (c_j x_j + d_j y_j)``.

An extensive figure may hold a part that does not scale with throughput (the fixed
cost in ``margin_usd_h``, ``constants``): its coefficients are per tonne without it,
the objective adds it once and a limit on the figure has it taken off its bound
(``a_j x_j <= (b - c) y_j``).

Writing each limit once per column rather than once over the sum is the convex hull of
the disjunction "exactly one column, meeting every limit on its own": its LP relaxation
is tight, and HiGHS proves the optimum at the root. The aggregated big-M form
(``sum_j a_j x_j <= b``) was measured first: 2.5 s at 1,000 columns and 10 s at 3,000,
against milliseconds for enumeration (benchmarks/test_bench_optimize.py).

Shadow prices come from the LP with the chosen binaries fixed and relaxed (HiGHS gives
no duals for a MILP; STACK.md §2.3). An infeasible problem is explained by an elastic
copy in which each limit may move at a cost proportional to its relative move: the
limits that must move, and by how much, are the conflict in plant terms.

Pyomo objects never leave this module.
"""

from __future__ import annotations

import dataclasses
import enum
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from oreflow.errors import SolveError
from oreflow.flowsheet.optimization import Limit, is_extensive


class SolveStatus(enum.Enum):
    """Outcome of a solve."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"
    ERROR = "error"


@dataclass(frozen=True)
class SelectionProblem:
    """Data of the selection MILP (numpy arrays over the n columns)."""

    coefficients: Mapping[str, np.ndarray]  # per tonne of ore for extensive, plain for intensive
    x_min: float
    x_max: float
    limits: tuple[Limit, ...]
    weights: Mapping[str, float]
    sense: str
    mip_rel_gap: float = 1e-6
    time_limit_s: float = 60.0
    #: extensive figures' parts that do not scale with the ore rate (the fixed cost),
    #: the same for every column; ``coefficients`` exclude them
    constants: Mapping[str, float] = field(default_factory=dict)

    @property
    def n(self) -> int:
        """Number of columns."""
        return len(next(iter(self.coefficients.values())))

    def bound(self, lim: Limit) -> float:
        """A limit's bound on the figure's part that scales with the rate."""
        return lim.value - self.constants.get(lim.name, 0.0)

    def constant(self) -> float:
        """The objective's part that does not scale with the rate."""
        return sum(
            w * self.constants.get(name, 0.0)
            for name, w in self.weights.items()
            if is_extensive(name)
        )


@dataclass(frozen=True)
class SelectionResult:
    """What the solve decided (nothing is read from a non-optimal solve)."""

    status: SolveStatus
    objective: float = float("nan")
    column: int = -1
    ore_tph: float = float("nan")
    bound: float = float("nan")
    duals: Mapping[str, float] = field(default_factory=dict)
    binding: tuple[str, ...] = ()
    solver: str = ""
    seconds: Mapping[str, float] = field(default_factory=dict)  # prune, build, solve, duals


def _terms(problem: SelectionProblem, name: str, x: object, y: object) -> object:
    """sum_j a_j x_j (extensive) or sum_j v_j y_j (intensive) as a Pyomo expression."""
    a = problem.coefficients[name]
    var = x if is_extensive(name) else y
    return sum(float(a[j]) * var[j] for j in range(problem.n) if a[j] != 0.0)  # type: ignore[index]


def _build(problem: SelectionProblem, *, elastic: bool = False) -> object:
    import pyomo.environ as pyo

    m = pyo.ConcreteModel(name="mode_selection")
    m.J = pyo.RangeSet(0, problem.n - 1)
    m.x = pyo.Var(m.J, domain=pyo.NonNegativeReals)  # bounded by x_hi, whose dual we read
    m.y = pyo.Var(m.J, domain=pyo.Binary)
    m.one = pyo.Constraint(expr=sum(m.y[j] for j in m.J) == 1)
    m.x_hi = pyo.Constraint(m.J, rule=lambda m, j: m.x[j] <= problem.x_max * m.y[j])
    m.x_lo = pyo.Constraint(m.J, rule=lambda m, j: m.x[j] >= problem.x_min * m.y[j])
    m.L = pyo.RangeSet(0, len(problem.limits) - 1) if problem.limits else pyo.Set(initialize=[])
    if elastic:
        m.slack = pyo.Var(m.L, domain=pyo.NonNegativeReals)
        m.lo_slack = pyo.Var(domain=pyo.NonNegativeReals)
        m.x_lo.deactivate()
        m.x_lo_el = pyo.Constraint(
            m.J, rule=lambda m, j: m.x[j] + m.lo_slack >= problem.x_min * m.y[j]
        )

    def limit_rule(m: object, k: int, j: int) -> object:
        # one row per column: a_j x_j <= b y_j is the convex hull of "column j alone
        # meets the limit", so the LP relaxation is as tight as the disjunction allows
        lim = problem.limits[k]
        a = float(problem.coefficients[lim.name][j])
        s = m.slack[k] if elastic else 0.0  # type: ignore[attr-defined]
        if is_extensive(lim.name):
            lhs, rhs = a * m.x[j], problem.bound(lim) * m.y[j]  # type: ignore[attr-defined]
        else:
            lhs, rhs = (a - lim.value) * m.y[j], 0.0  # type: ignore[attr-defined]
        if lim.sense == "max":
            return lhs - s <= rhs if elastic else lhs <= rhs
        return lhs + s >= rhs if elastic else lhs >= rhs

    m.limit = pyo.Constraint(m.L, m.J, rule=limit_rule)
    if elastic:
        scale = [max(abs(lim.value), 1e-9) for lim in problem.limits]
        m.obj = pyo.Objective(
            expr=sum(m.slack[k] / scale[k] for k in m.L) + m.lo_slack / max(problem.x_min, 1e-9),
            sense=pyo.minimize,
        )
    else:
        expr = sum(w * _terms(problem, name, m.x, m.y) for name, w in problem.weights.items())
        expr += problem.constant() * sum(m.y[j] for j in m.J)  # one column: the constant
        m.obj = pyo.Objective(
            expr=expr, sense=pyo.maximize if problem.sense == "maximize" else pyo.minimize
        )
    return m


def _status(termination: object) -> SolveStatus:
    from pyomo.contrib.solver.common.results import TerminationCondition as TC

    return {
        TC.convergenceCriteriaSatisfied: SolveStatus.OPTIMAL,
        TC.provenInfeasible: SolveStatus.INFEASIBLE,
        TC.infeasibleOrUnbounded: SolveStatus.INFEASIBLE,
        TC.unbounded: SolveStatus.UNBOUNDED,
        TC.maxTimeLimit: SolveStatus.TIME_LIMIT,
    }.get(termination, SolveStatus.ERROR)  # type: ignore[arg-type]


def _solver() -> tuple[object, str]:
    import pyomo.environ  # noqa: F401  (registers the solver plugins)
    from pyomo.contrib.solver.common.factory import SolverFactory

    opt = SolverFactory("highs")
    if not opt.available():
        msg = "HiGHS is not available to Pyomo (install highspy)"
        raise SolveError(msg)
    return opt, "highs " + ".".join(map(str, opt.version()))


def dominance_criteria(problem: SelectionProblem) -> np.ndarray:
    """(n, k) criteria, larger better, under which a dominated column is never the optimum.

    Objective slope per tonne and intensive objective value; every extensive limit's
    coefficient (negated for an upper limit); every intensive limit's value (likewise).
    """
    sign = 1.0 if problem.sense == "maximize" else -1.0
    n = problem.n
    slope = np.zeros(n)
    const = np.zeros(n)
    for name, w in problem.weights.items():
        if is_extensive(name):
            slope = slope + w * problem.coefficients[name]
        else:
            const = const + w * problem.coefficients[name]
    cols = [sign * slope, sign * const]
    for lim in problem.limits:
        a = problem.coefficients[lim.name]
        cols.append(-a if lim.sense == "max" else a)
    return np.ascontiguousarray(np.stack(cols, axis=1), dtype=np.float64)


def prune(problem: SelectionProblem) -> tuple[SelectionProblem, np.ndarray]:
    """The problem on its non-dominated columns, and their indices in the original."""
    from oreflow.kernels.selection import nondominated_mask

    crit = dominance_criteria(problem)
    keep = np.flatnonzero(nondominated_mask(np.nan_to_num(crit, nan=-np.inf)))
    coefficients = {k: v[keep] for k, v in problem.coefficients.items()}
    return dataclasses.replace(problem, coefficients=coefficients), keep


def solve_selection(problem: SelectionProblem) -> SelectionResult:
    """Solve the selection MILP on the non-dominated columns; then the duals at the choice.

    Dominated columns are pruned first (exact: a dominated column is never the unique
    optimum); the returned column index refers to the unpruned problem.
    """
    t0 = time.perf_counter()
    reduced, keep = prune(problem)
    result = _solve(reduced)
    seconds = {"prune_s": time.perf_counter() - t0 - sum(result.seconds.values())}
    result = dataclasses.replace(result, seconds={**seconds, **result.seconds})
    if result.column < 0:
        return result
    return dataclasses.replace(result, column=int(keep[result.column]))


def _solve(problem: SelectionProblem) -> SelectionResult:
    """Solve the selection MILP; then the fixed-binary LP for shadow prices.

    Returns
    -------
    SelectionResult
        Infeasible, unbounded and time-limited solves are statuses, not exceptions.
    """
    import pyomo.environ as pyo

    t0 = time.perf_counter()
    opt, name = _solver()
    m = _build(problem)
    t1 = time.perf_counter()
    res = opt.solve(
        m,
        time_limit=problem.time_limit_s,
        rel_gap=problem.mip_rel_gap,
        load_solutions=False,
        raise_exception_on_nonoptimal_result=False,
    )
    t2 = time.perf_counter()
    status = _status(res.termination_condition)
    if status is not SolveStatus.OPTIMAL:
        return SelectionResult(
            status, solver=name, seconds={"build_s": t1 - t0, "solve_s": t2 - t1}
        )
    res.solution_loader.load_vars()
    column = max(range(problem.n), key=lambda j: pyo.value(m.y[j]))
    ore = float(pyo.value(m.x[column]))
    objective = float(pyo.value(m.obj))
    bound = float(res.objective_bound) if res.objective_bound is not None else objective
    duals = _column_duals(problem, column)
    binding = [k for k, v in duals.items() if abs(v) > 1e-9]
    seconds = {"build_s": t1 - t0, "solve_s": t2 - t1, "duals_s": time.perf_counter() - t2}
    return SelectionResult(
        status, objective, column, ore, bound, duals, tuple(binding), name, seconds
    )


def _column_duals(problem: SelectionProblem, column: int) -> dict[str, float]:
    """Shadow prices of the limits at the chosen column: the LP in its ore rate alone.

    With the binaries fixed the MILP reduces to this LP (HiGHS gives no duals for a
    MILP; STACK.md §2.3). Building it apart, rather than fixing and relaxing the MILP's
    binaries in place, avoids the persistent interface removing thousands of variables.
    """
    import pyomo.environ as pyo

    opt, _ = _solver()
    m = pyo.ConcreteModel(name="chosen_column")
    m.x = pyo.Var(domain=pyo.NonNegativeReals)
    m.x_hi = pyo.Constraint(expr=m.x <= problem.x_max)
    m.x_lo = pyo.Constraint(expr=m.x >= problem.x_min)
    ext = [k for k, lim in enumerate(problem.limits) if is_extensive(lim.name)]

    def rule(m: object, k: int) -> object:
        lim = problem.limits[k]
        a = float(problem.coefficients[lim.name][column])
        b = problem.bound(lim)
        return a * m.x <= b if lim.sense == "max" else a * m.x >= b  # type: ignore[attr-defined]

    m.limit = pyo.Constraint(ext, rule=rule)
    slope = sum(
        w * float(problem.coefficients[n][column])
        for n, w in problem.weights.items()
        if is_extensive(n)
    )
    m.obj = pyo.Objective(
        expr=slope * m.x, sense=pyo.maximize if problem.sense == "maximize" else pyo.minimize
    )
    res = opt.solve(m, load_solutions=False, raise_exception_on_nonoptimal_result=False)
    if _status(res.termination_condition) is not SolveStatus.OPTIMAL:
        return {}
    res.solution_loader.load_vars()
    d = res.solution_loader.get_duals()
    out = {problem.limits[k].key: float(d[m.limit[k]]) for k in ext}
    out["ore_tph_max"] = float(d[m.x_hi])
    out["ore_tph_min"] = float(d[m.x_lo])
    return out


def explain_infeasible(problem: SelectionProblem) -> list[tuple[str, float, float]]:
    """The smallest relative moves of the limits that make the problem feasible.

    Returns
    -------
    list of (key, limit, relaxed limit)
        One entry per limit that must move; ``key`` names it in the case file.
    """
    import pyomo.environ as pyo

    opt, _ = _solver()
    m = _build(problem, elastic=True)
    res = opt.solve(
        m,
        time_limit=problem.time_limit_s,
        load_solutions=False,
        raise_exception_on_nonoptimal_result=False,
    )
    if _status(res.termination_condition) is not SolveStatus.OPTIMAL:
        return []
    res.solution_loader.load_vars()
    out = []
    for k, lim in enumerate(problem.limits):
        s = float(pyo.value(m.slack[k]))
        if s > 1e-9 * max(abs(lim.value), 1.0):
            moved = lim.value + s if lim.sense == "max" else lim.value - s
            out.append((lim.key, lim.value, moved))
    s = float(pyo.value(m.lo_slack))
    if s > 1e-9 * max(problem.x_min, 1.0):
        out.append(("constraints.ore_tph_min", problem.x_min, problem.x_min - s))
    return out


def enumerate_selection(problem: SelectionProblem) -> tuple[int, float, float]:
    """Best column by exhaustive enumeration (the cross-check of the MILP).

    For each column the objective is linear in the ore rate, so its best rate lies at
    an end of the interval the limits allow. Returns (column, ore rate, objective);
    column -1 when no column is feasible.
    """
    slope, const, lo, hi, ok = rate_intervals(problem)
    sign = 1.0 if problem.sense == "maximize" else -1.0
    x = np.where(sign * slope >= 0, hi, lo)
    value = slope * x + const
    score = np.where(ok, sign * value, -np.inf)
    best = int(np.argmax(score))
    if not np.isfinite(score[best]):
        return -1, float("nan"), float("nan")
    return best, float(x[best]), float(value[best])


def rate_intervals(problem: SelectionProblem) -> tuple[np.ndarray, ...]:
    """Per column: objective slope and constant, the ore-rate interval its limits allow, feasible.

    Returns
    -------
    tuple of (n,) arrays
        ``slope`` (per t/h), ``const``, ``lo``, ``hi`` [t/h] and ``ok``; for an infeasible
        column the interval is [0, 0] and ``ok`` is False.
    """
    n = problem.n
    lo = np.full(n, problem.x_min)
    hi = np.full(n, problem.x_max)
    ok = np.ones(n, dtype=bool)
    for lim in problem.limits:
        a = problem.coefficients[lim.name]
        if not is_extensive(lim.name):
            ok &= a <= lim.value if lim.sense == "max" else a >= lim.value
            continue
        b = problem.bound(lim)
        with np.errstate(divide="ignore", invalid="ignore"):
            bound = b / a
        if lim.sense == "max":
            hi = np.where(a > 0, np.minimum(hi, bound), hi)
            lo = np.where(a < 0, np.maximum(lo, bound), lo)
            ok &= ~((a == 0) & (b < 0))
        else:
            lo = np.where(a > 0, np.maximum(lo, bound), lo)
            hi = np.where(a < 0, np.minimum(hi, bound), hi)
            ok &= ~((a == 0) & (b > 0))
    ok &= lo <= hi * (1 + 1e-12) + 1e-12
    hi = np.maximum(hi, lo)
    slope = np.zeros(n)
    const = np.full(n, problem.constant())
    for k, w in problem.weights.items():
        if is_extensive(k):
            slope = slope + w * problem.coefficients[k]
        else:
            const = const + w * problem.coefficients[k]
    ok &= np.isfinite(slope) & np.isfinite(const)
    return (
        np.nan_to_num(slope),
        np.nan_to_num(const),
        np.where(ok, lo, 0.0),
        np.where(ok, hi, 0.0),
        ok,
    )

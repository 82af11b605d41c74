"""Single-source selection: choose a mode combination and the ore rate.

The one-source case of the selection problem (``blend`` states the model): each column
j of the model is one combination of the mode grid, carrying the whole plant's
per-tonne coefficients, so only tonnage is a continuous decision and no stream is ever
split between modes with different compositions. Binaries ``y_j`` pick one column,
``x_j`` is its ore rate [t/h]:

- ``sum_j y_j = 1``; ``x_min y_j <= x_j <= x_max y_j``;
- an extensive limit (power, tank volume, reagent per hour), one row per column:
  ``a_j x_j <= b y_j``;
- an intensive limit (recovery, WAD cyanide) keeps the columns that meet it;
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

``SelectionProblem.as_blend`` states the problem as the blend with one source; the
solve, shadow prices and infeasibility explanation are the blend's. What stays here is
the closed form of one source: for each column the objective is linear in the ore rate
on the interval its limits allow (``rate_intervals``), which the enumeration
cross-check and the scenario model use.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from oreflow.flowsheet.optimization import Limit, is_extensive
from oreflow.solvers.blend import explain_blend_infeasible, prune_blend, solve_blend
from oreflow.solvers.blend_data import BlendProblem
from oreflow.solvers.highs import SolveStatus

#: The one source's name in the blend form of a selection problem.
SOURCE = "ore"


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

    def as_blend(self) -> BlendProblem:
        """The same problem as a blend with one source (no ratio rows: filters instead)."""
        extensive = {k: v for k, v in self.coefficients.items() if is_extensive(k)}
        return BlendProblem(
            (SOURCE,),
            {k: np.asarray(v, dtype=np.float64)[:, None] for k, v in extensive.items()},
            {k: v for k, v in self.coefficients.items() if k not in extensive},
            np.zeros(1),
            np.full(1, np.inf),
            self.x_min,
            self.x_max,
            self.limits,
            self.weights,
            self.sense,
            {},
            self.mip_rel_gap,
            self.time_limit_s,
            constants=self.constants,
        )

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


def prune(problem: SelectionProblem) -> tuple[SelectionProblem, np.ndarray]:
    """The problem on its usable, non-dominated columns, and their original indices.

    Exact: a column breaking an intensive limit, or dominated by another, is never the
    unique optimum (``blend_data.dominance_criteria``).
    """
    keep = prune_blend(problem.as_blend())
    coefficients = {k: v[keep] for k, v in problem.coefficients.items()}
    return dataclasses.replace(problem, coefficients=coefficients), keep


def solve_selection(problem: SelectionProblem) -> SelectionResult:
    """Solve the selection MILP (the blend with one source); then the duals at the choice.

    Dominated columns are pruned first (exact); the returned column index refers to
    the unpruned problem. Infeasible, unbounded and time-limited solves are statuses,
    not exceptions.
    """
    t0 = time.perf_counter()
    result = solve_blend(problem.as_blend())
    seconds = dict(result.seconds)
    seconds["prune_s"] = seconds.get("prune_s", time.perf_counter() - t0)
    if result.status is not SolveStatus.OPTIMAL:
        return SelectionResult(result.status, solver=result.solver, seconds=seconds)
    binding = tuple(k for k, v in result.duals.items() if abs(v) > 1e-9)
    return SelectionResult(
        result.status,
        result.objective,
        result.column,
        result.ore_tph,
        result.bound,
        result.duals,
        binding,
        result.solver,
        seconds,
    )


def explain_infeasible(problem: SelectionProblem) -> list[tuple[str, float, float]]:
    """The smallest relative moves of the limits that make the problem feasible.

    Returns
    -------
    list of (key, limit, relaxed limit)
        One entry per limit that must move; ``key`` names it in the case file.
    """
    return explain_blend_infeasible(problem.as_blend())


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

"""Choose modes and the rate of every ore source: the selection MILP of every optimization.

Single-source selection is its one-source case (``BlendProblem.one_source``). With S ore sources
each column j (one route and mode combination, carrying the whole plant's coefficients)
has one rate per source, ``x[j, s]`` [t/h], and every extensive figure k is
``sum_s c[j, s, k] x[j, s]`` with ``c`` the per-source coefficients of
``tabulate`` (Euler's theorem on the degree-one-homogeneous plant). Only tonnage of
each source is a decision: no stream is split between columns, so every species of a
source follows the same column. Rows, per column j:

- ``sum_j y_j = 1``; ``lo_s y_j <= x[j, s] <= hi_s y_j`` (the mine plan of each source);
  ``x_min y_j <= sum_s x[j, s] <= x_max y_j`` (plant throughput); with one source the
  two pairs are one (``BlendProblem.rate_bounds``);
- extensive limit: ``sum_s a[j, s] x[j, s] <= b y_j`` (or ``>=``);
- a limit on a ratio of two extensive figures (``RATIO_FIGURES``: recovery, residue
  use share), ``num / den <= L``: ``sum_s (num - L den)[j, s] x[j, s] <= 0``, linear,
  so it has a shadow price: per unit of the limit it is the row's dual times
  ``sum_s den[j, s] x[j, s]`` at the optimum (moving L by dL moves the row's
  right-hand side by ``dL`` times that denominator);
- a limit on a figure judged at each discharge (``per_sink``: WAD cyanide, the highest
  over the tailings sinks) is one such ratio row per sink, all under the limit's case
  key (``units.SINK.wad_cn_g_h - L units.SINK.water_tph <= 0``); its shadow price is
  the sum of the sink rows' prices (only binding rows are nonzero);
- any other intensive limit filters the columns at the tabulated blend.

An extensive figure may hold a part that does not scale with throughput (the fixed
cost in ``margin_usd_h``: ``constants``, the figure's value at zero rates): its
coefficients are per tonne without it, and it is added to the objective once (times
``y_j``) and taken off the right-hand side of a limit on the figure.

Splitters whose fractions are decisions (residue to storage and uses, pulp to parallel
trains) add per column one tonnage variable ``z[j, d]`` per decision outlet, with
``sum_{d in g} z[j, d] <= feed_g`` per splitter g (its reference outlet takes the rest)
and a coefficient per extensive figure (``destination_coefficients``); a use the
column's residue fails is fixed to zero. Only tonnage of the one stream is split.

A source that may shut (``BlendProblem.closable``: several sources, no split decision,
no least rate) has a binary ``w[j, s] <= y_j`` per column: ``x[j, s] <= hi_s w[j, s]``;
the least scale of a site it alone feeds (``site_source``) is ``feed >= L w[j, s]``, so
the source is shut or runs at least at that scale (semi-continuous; HiGHS has no SOS),
and what shutting it adds to each row and to the objective (``closed_delta``: the plant
simulated without it less the model there) enters on ``y_j - w[j, s]``.

Each row is written once per column, scaled by ``y_j``: the convex hull of the
disjunction "exactly one column, meeting every limit on its own", whose LP relaxation
is tight, so HiGHS proves the optimum at the root. The aggregated big-M form
(``sum_j a_j x_j <= b``) was measured first: 2.5 s at 1,000 columns and 10 s at 3,000,
against milliseconds for enumeration (benchmarks/test_bench_optimize.py). Shadow prices come from the LP in the chosen
column's source rates (HiGHS gives no duals for a MILP). An infeasible problem is
explained by an elastic copy (limits, filter limits by one row per column, source
minimums, plant throughput bounds may move, at a cost proportional to their relative
move). The cross-check
``enumerate_blend`` solves each column's LP exactly by enumerating the vertices of its
feasible polygon (numpy, independent of HiGHS).

Pyomo objects never leave this module.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from oreflow.solvers.blend_data import BlendProblem, BlendResult, prune_blend
from oreflow.solvers.blend_enumerate import (
    enumerate_blend,
    enumerate_closures,
    enumerate_vertices,
)
from oreflow.solvers.highs import SolveStatus, persistent, solve

__all__ = [
    "BlendProblem",
    "BlendResult",
    "build_model",
    "choose_one_column",
    "chosen_column",
    "column_duals",
    "enumerate_blend",
    "enumerate_closures",
    "explain_blend_infeasible",
    "hull_bounds",
    "prune_blend",
    "solve_blend",
    "solve_selection_model",
]


def choose_one_column(m: Any, n_cols: int) -> None:
    """The core of every selection model: binaries ``y_j`` over the columns, one chosen.

    Adds ``m.J``, ``m.y`` and ``m.one`` (``sum_j y_j = 1``). A model's continuous
    decisions of column j are then bounded by ``y_j`` (the hull form: ``lo y_j <= x_j <=
    hi y_j``), so every other column's are zero.
    """
    import pyomo.environ as pyo

    m.J = pyo.RangeSet(0, n_cols - 1)
    m.y = pyo.Var(m.J, domain=pyo.Binary)
    m.one = pyo.Constraint(expr=sum(m.y[j] for j in m.J) == 1)


def hull_bounds(m: Any, lo: np.ndarray, hi: np.ndarray) -> None:
    """Rows ``lo[j, k] y_j <= x[j, k] <= hi[j, k] y_j`` on the model's ``m.x`` (J x K).

    The convex hull of "column j alone, its rates within their bounds": a column not
    chosen has all its rates at zero. ``lo`` and ``hi`` are (columns, K) arrays.
    """
    import pyomo.environ as pyo

    keys = [(j, k) for j in m.J for k in range(lo.shape[1])]
    m.x_hi = pyo.Constraint(keys, rule=lambda m, j, k: m.x[j, k] <= float(hi[j, k]) * m.y[j])
    m.x_lo = pyo.Constraint(keys, rule=lambda m, j, k: m.x[j, k] >= float(lo[j, k]) * m.y[j])


def chosen_column(m: Any) -> int:
    """Index (into the model's columns) of the column a solved selection model chose."""
    import pyomo.environ as pyo

    return int(max(m.J, key=lambda j: pyo.value(m.y[j])))


def solve_selection_model(m: Any, time_limit_s: float, rel_gap: float) -> tuple[Any, str]:
    """Solve a selection model by HiGHS: (``highs.SolveResult``, solver name)."""
    opt, name = persistent()
    return solve(m, solver=opt, time_limit_s=time_limit_s, rel_gap=rel_gap), name


def build_model(problem: BlendProblem, cols: np.ndarray, *, elastic: bool = False) -> object:
    """The hull-form MILP on columns ``cols`` (module docstring); ``elastic``: its relaxation.

    With one source its bounds and the plant's are one pair of rows (``rate_bounds``).
    The elastic copy relaxes every limit (a filter limit by one row per column),
    the source minimums and the plant's bounds.
    """
    import pyomo.environ as pyo

    n_src, n_dst = problem.n_sources, problem.n_destinations
    m = pyo.ConcreteModel(name="blend_selection")
    choose_one_column(m, len(cols))
    m.S = pyo.RangeSet(0, n_src - 1)
    m.D = pyo.RangeSet(0, n_dst - 1) if n_dst else pyo.Set(initialize=[])
    m.x = pyo.Var(m.J, m.S, domain=pyo.NonNegativeReals)
    m.z = pyo.Var(m.J, m.D, domain=pyo.NonNegativeReals)  # residue to each destination [t/h]
    lo = problem.source_min
    hi = np.minimum(problem.source_max, problem.x_max)  # an unbounded source: the plant's
    if not np.all(np.isfinite(hi)):  # x <= inf y would not tie x to its column's y
        msg = "the selection model needs a finite ore rate bound (x_max or every source_max)"
        raise ValueError(msg)
    rows = [k for k, lim in enumerate(problem.limits) if problem.is_row(lim)]
    filters = [k for k, lim in enumerate(problem.limits) if not problem.is_row(lim)]
    coef = {k: problem.row(problem.limits[k]) for k in rows}
    single = None if elastic else problem.rate_bounds()
    if single is not None:
        x_lo, x_hi = single
        hull_bounds(m, np.full((len(cols), 1), x_lo), np.full((len(cols), 1), x_hi))
    else:
        if elastic:
            m.slack = pyo.Var(rows + filters, domain=pyo.NonNegativeReals)
            m.src_slack = pyo.Var(m.S, domain=pyo.NonNegativeReals)
            m.lo_slack = pyo.Var(domain=pyo.NonNegativeReals)
            m.hi_slack = pyo.Var(domain=pyo.NonNegativeReals)
        src_slack = m.src_slack if elastic else {s: 0.0 for s in range(n_src)}
        lo_slack = m.lo_slack if elastic else 0.0
        hi_slack = m.hi_slack if elastic else 0.0
        # a closable source is open (w = 1) or closed (w = 0, no ore) in the chosen column
        m.K = pyo.Set(initialize=list(problem.closable))
        m.w = pyo.Var(m.J, m.K, domain=pyo.Binary)
        m.w_y = pyo.Constraint(m.J, m.K, rule=lambda m, j, s: m.w[j, s] <= m.y[j])
        on = {(j, s): m.w[j, s] if s in problem.closable else m.y[j] for j in m.J for s in m.S}
        m.src_hi = pyo.Constraint(m.J, m.S, rule=lambda m, j, s: m.x[j, s] <= hi[s] * on[j, s])
        m.src_lo = pyo.Constraint(
            m.J, m.S, rule=lambda m, j, s: m.x[j, s] + src_slack[s] >= lo[s] * on[j, s]
        )
        m.x_hi = pyo.Constraint(
            m.J,
            rule=lambda m, j: sum(m.x[j, s] for s in m.S) <= problem.x_max * m.y[j] + hi_slack,
        )
        m.x_lo = pyo.Constraint(
            m.J,
            rule=lambda m, j: sum(m.x[j, s] for s in m.S) + lo_slack >= problem.x_min * m.y[j],
        )
    if n_dst:
        grows, ok = problem.group_rows()

        # what a splitter sends to its decision outlets is at most its feed; its
        # reference outlet (storage, the first train) takes the rest
        def residue_rule(m: object, g: int, j: int) -> object:
            a = grows[int(cols[j]), g]
            lhs = sum(float(a[s]) * m.x[j, s] for s in range(n_src) if a[s] != 0.0)  # type: ignore[attr-defined]
            lhs += sum(float(a[n_src + d]) * m.z[j, d] for d in range(n_dst) if a[n_src + d])  # type: ignore[attr-defined]
            return lhs <= 0.0

        m.residue = pyo.Constraint(range(grows.shape[1]), m.J, rule=residue_rule)
        for j in m.J:
            for d in range(n_dst):
                if not ok[int(cols[j]), d]:
                    m.z[j, d].fix(0.0)  # the column's residue fails this destination's checks

    shut_coef = {k: problem.closed_row(problem.limits[k]) for k in rows}

    def shut_terms(m: Any, j: int, d: np.ndarray) -> Any:
        # what closing each source adds, on "column j chosen and the source closed"
        return sum(float(d[s]) * (m.y[j] - m.w[j, s]) for s in problem.closable if d[s] != 0.0)

    def limit_rule(m: object, k: int, j: int) -> object:
        # one row per column: a_j v_j <= b y_j is the convex hull of "column j alone
        # meets the limit", so the LP relaxation is as tight as the disjunction allows
        lim = problem.limits[k]
        a, b = coef[k]
        col = int(cols[j])
        lhs = sum(float(a[col, s]) * m.x[j, s] for s in range(n_src))  # type: ignore[attr-defined]
        lhs += sum(float(a[col, n_src + d]) * m.z[j, d] for d in range(n_dst))  # type: ignore[attr-defined]
        lhs += shut_terms(m, j, shut_coef[k][col])
        # a site's least scale holds while the source that alone feeds it is open
        site = problem.site_source.get(lim.key)
        on_j = m.y[j] if site is None else m.w[j, site]  # type: ignore[attr-defined]
        rhs = float(b[col]) * on_j
        s = m.slack[k] if elastic else 0.0  # type: ignore[attr-defined]
        return lhs - s <= rhs if lim.sense == "max" else lhs + s >= rhs

    m.limit = pyo.Constraint(rows, m.J, rule=limit_rule)
    if elastic:

        def filter_rule(m: object, k: int, j: int) -> object:
            # column j may be chosen if the limit moves to its value: (v_j - L) y_j <= s
            lim = problem.limits[k]
            gap = float(problem.values[lim.name][int(cols[j])]) - lim.value
            if lim.sense == "max":
                return gap * m.y[j] - m.slack[k] <= 0.0  # type: ignore[attr-defined]
            return gap * m.y[j] + m.slack[k] >= 0.0  # type: ignore[attr-defined]

        m.filter = pyo.Constraint(filters, m.J, rule=filter_rule)
        d_typ = problem.x_max if np.isfinite(problem.x_max) else float(hi[np.isfinite(hi)].sum())
        scale = {}
        for k in rows + filters:
            lim = problem.limits[k]
            if lim.name in problem.ratios:
                den = np.nan_to_num(problem.derivatives[problem.ratios[lim.name][1]][cols])
                scale[k] = max(abs(lim.value), 1e-9) * max(float(np.abs(den).mean()) * d_typ, 1e-9)
            else:
                scale[k] = max(abs(lim.value), 1e-9)
        m.obj = pyo.Objective(
            expr=sum(m.slack[k] / scale[k] for k in rows + filters)
            + sum(m.src_slack[s] / max(lo[s], 1e-9) for s in m.S)
            + m.lo_slack / max(problem.x_min, 1e-9)
            + m.hi_slack / max(problem.x_max, 1e-9),
            sense=pyo.minimize,
        )
    else:
        slope, const = problem.objective()
        shut_obj = problem.closed_objective()
        expr = sum(
            sum(float(slope[int(cols[j]), s]) * m.x[j, s] for s in m.S)
            + sum(float(slope[int(cols[j]), n_src + d]) * m.z[j, d] for d in m.D)
            + float(const[int(cols[j])]) * m.y[j]
            + shut_terms(m, j, shut_obj[int(cols[j])])
            for j in m.J
        )
        m.obj = pyo.Objective(
            expr=expr, sense=pyo.maximize if problem.sense == "maximize" else pyo.minimize
        )
    return m


def _values(m: object, j: int, problem: BlendProblem) -> np.ndarray:
    """(S + D,) rates and destination tonnages of column ``j`` of a solved model."""
    import pyomo.environ as pyo

    x = [float(pyo.value(m.x[j, s])) for s in range(problem.n_sources)]  # type: ignore[attr-defined]
    z = [float(pyo.value(m.z[j, d])) for d in range(problem.n_destinations)]  # type: ignore[attr-defined]
    return np.maximum(np.array(x + z), 0.0)


def solve_blend(problem: BlendProblem) -> BlendResult:
    """Solve the blend MILP on the usable, non-dominated columns; then the shadow prices.

    Dominated columns are dropped first (``prune_blend``): a dominated column is never
    the unique optimum. The returned column index refers to the whole problem.
    """
    import pyomo.environ as pyo

    t0 = time.perf_counter()
    cols = prune_blend(problem)
    t1 = time.perf_counter()
    if not len(cols):
        name = persistent()[1]
        return BlendResult(SolveStatus.INFEASIBLE, solver=name, seconds={"prune_s": t1 - t0})
    m = build_model(problem, cols)
    t2 = time.perf_counter()
    res, name = solve_selection_model(m, problem.time_limit_s, problem.mip_rel_gap)
    t3 = time.perf_counter()
    seconds = {"prune_s": t1 - t0, "build_s": t2 - t1, "solve_s": t3 - t2}
    if not res.optimal:
        return BlendResult(res.status, solver=name, seconds=seconds)
    j = chosen_column(m)
    v = _values(m, j, problem)
    objective = float(pyo.value(m.obj))
    bound = res.bound if res.bound is not None else objective
    column = int(cols[j])
    shut = tuple(s for s in problem.closable if pyo.value(m.w[j, s]) < 0.5)
    v[list(shut)] = 0.0  # a closed source takes no ore (not even the solver's round-off)
    if problem.closable:
        # the open sources' rates at the chosen column's exact vertex: HiGHS's integrality
        # tolerance lets w = 1 - 3e-8 hold a site 3e-8 below its least scale
        sub = problem.with_closed(shut).subset(np.array([column]))
        k, exact, value = enumerate_vertices(sub)
        if k == 0:
            v, objective = np.maximum(exact, 0.0), value
    duals = column_duals(problem.with_closed(shut), column)
    seconds["duals_s"] = time.perf_counter() - t3
    n_src = problem.n_sources
    return BlendResult(
        res.status,
        objective,
        column,
        tuple(v[:n_src]),
        bound,
        duals,
        name,
        tuple(v[n_src:]),
        seconds,
        shut,
    )


def column_duals(problem: BlendProblem, column: int) -> dict[str, float]:
    """Shadow prices at a column: the LP in its source rates (objective per unit of limit).

    Keys: each row limit's case key, ``constraints.ore.NAME.rate_tph_min``/``_max``,
    ``ore_tph_min``/``ore_tph_max``. A ratio limit's price is its row dual times the
    denominator at the optimum; a per-discharge limit's, the sum over its sink rows
    (see the module docstring).
    """
    import pyomo.environ as pyo

    n_src, n_dst = problem.n_sources, problem.n_destinations
    m = pyo.ConcreteModel(name="chosen_blend")
    m.S = pyo.RangeSet(0, n_src - 1)
    m.D = pyo.RangeSet(0, n_dst - 1) if n_dst else pyo.Set(initialize=[])
    m.x = pyo.Var(m.S, domain=pyo.NonNegativeReals)
    m.z = pyo.Var(m.D, domain=pyo.NonNegativeReals)
    single = problem.rate_bounds()
    if single is not None:  # one row each way: the tighter of the source's and the plant's
        m.src_hi = pyo.Constraint(pyo.Set(initialize=[]))
        m.src_lo = pyo.Constraint(pyo.Set(initialize=[]))
        m.x_hi = pyo.Constraint(expr=m.x[0] <= single[1])
        m.x_lo = pyo.Constraint(expr=m.x[0] >= single[0])
    else:
        m.src_hi = pyo.Constraint(
            m.S,
            rule=lambda m, s: (
                m.x[s] <= float(problem.source_max[s])
                if np.isfinite(problem.source_max[s])
                else pyo.Constraint.Skip
            ),
        )
        m.src_lo = pyo.Constraint(m.S, rule=lambda m, s: m.x[s] >= float(problem.source_min[s]))
        m.x_hi = pyo.Constraint(expr=sum(m.x[s] for s in m.S) <= problem.x_max)
        m.x_lo = pyo.Constraint(expr=sum(m.x[s] for s in m.S) >= problem.x_min)
    if n_dst:
        grows, ok = problem.group_rows()

        def group_rule(m: object, g: int) -> object:
            a = grows[column, g]
            return (
                sum(float(a[s]) * m.x[s] for s in range(n_src))  # type: ignore[attr-defined]
                + sum(float(a[n_src + d]) * m.z[d] for d in range(n_dst))  # type: ignore[attr-defined]
                <= 0.0
            )

        m.residue = pyo.Constraint(range(grows.shape[1]), rule=group_rule)
        for d in range(n_dst):
            if not ok[column, d]:
                m.z[d].fix(0.0)
    rows = [k for k, lim in enumerate(problem.limits) if problem.is_row(lim)]

    def rule(m: object, k: int) -> object:
        lim = problem.limits[k]
        a, b = problem.row(lim)
        lhs = sum(float(a[column, s]) * m.x[s] for s in range(n_src))  # type: ignore[attr-defined]
        lhs += sum(float(a[column, n_src + d]) * m.z[d] for d in range(n_dst))  # type: ignore[attr-defined]
        return lhs <= float(b[column]) if lim.sense == "max" else lhs >= float(b[column])

    m.limit = pyo.Constraint(rows, rule=rule)
    slope, _ = problem.objective()
    m.obj = pyo.Objective(
        expr=sum(float(slope[column, s]) * m.x[s] for s in m.S)
        + sum(float(slope[column, n_src + d]) * m.z[d] for d in m.D),
        sense=pyo.maximize if problem.sense == "maximize" else pyo.minimize,
    )
    res = solve(m)
    if not res.optimal:
        return {}
    d = res.duals()
    v = np.array(
        [float(pyo.value(m.x[s])) for s in range(n_src)]
        + [float(pyo.value(m.z[k])) for k in range(n_dst)]
    )
    out: dict[str, float] = {}
    for k in rows:
        lim = problem.limits[k]
        dual = float(d[m.limit[k]])
        if lim.name in problem.ratios:
            dual *= problem.denominator(lim.name, column, v)
        out[lim.key] = out.get(lim.key, 0.0) + dual  # a per-sink limit: the sum over sinks
    for s, src in enumerate(problem.sources):
        name = src.removeprefix("ore.")
        if single is not None:
            # the one row's price is the tighter bound's; the other does not bind
            # (a source bound written in the case is reported; a default one is not)
            upper = float(problem.source_max[0]) < problem.x_max
            if np.isfinite(problem.source_max[0]):
                out[f"constraints.ore.{name}.rate_tph_max"] = float(d[m.x_hi]) if upper else 0.0
            lower = float(problem.source_min[0]) > problem.x_min
            if problem.source_min[0] > 0.0:
                out[f"constraints.ore.{name}.rate_tph_min"] = float(d[m.x_lo]) if lower else 0.0
            out["ore_tph_max"] = 0.0 if upper else float(d[m.x_hi])
            out["ore_tph_min"] = 0.0 if lower else float(d[m.x_lo])
            return out
        if s in m.src_hi:  # an unbounded source has no upper row
            out[f"constraints.ore.{name}.rate_tph_max"] = float(d[m.src_hi[s]])
        out[f"constraints.ore.{name}.rate_tph_min"] = float(d[m.src_lo[s]])
    out["ore_tph_max"] = float(d[m.x_hi])
    out["ore_tph_min"] = float(d[m.x_lo])
    return out


def explain_blend_infeasible(problem: BlendProblem) -> list[tuple[str, float, float]]:
    """The smallest relative moves of limits and rate bounds that make a plan feasible.

    Returns
    -------
    list of (key, limit, relaxed limit)
        One entry per bound that must move; ``key`` names it in the case file.
    """
    import pyomo.environ as pyo

    cols = np.flatnonzero(problem.usable(filters=False))
    if not len(cols):  # no column has finite figures: nothing to move
        keys = {
            lim.key: lim.value
            for lim in problem.limits
            if not problem.is_row(lim) or lim.name in problem.ratios
        }
        return [(key, value, float("nan")) for key, value in keys.items()]
    m = build_model(problem, cols, elastic=True)
    if not solve(m, time_limit_s=problem.time_limit_s).optimal:
        return []
    j = chosen_column(m)
    col = int(cols[j])
    v = _values(m, j, problem)
    moves: dict[str, tuple[float, float, float]] = {}  # a per-sink limit: its largest move
    for k, lim in enumerate(problem.limits):
        s = float(pyo.value(m.slack[k]))
        if lim.name in problem.ratios:
            den = problem.denominator(lim.name, col, v)
            s = s / den if den > 0 else 0.0
        if s > 1e-9 * max(abs(lim.value), 1.0) and s > moves.get(lim.key, (0.0, 0.0, 0.0))[2]:
            moved = lim.value + s if lim.sense == "max" else lim.value - s
            moves[lim.key] = (lim.value, moved, s)
    out = [(key, value, moved) for key, (value, moved, _) in moves.items()]
    for s, src in enumerate(problem.sources):
        slack = float(pyo.value(m.src_slack[s]))
        lo = float(problem.source_min[s])
        if slack > 1e-9 * max(lo, 1.0):
            key = f"constraints.ore.{src.removeprefix('ore.')}.rate_tph_min"
            out.append((key, lo, lo - slack))
    slack = float(pyo.value(m.lo_slack))
    if slack > 1e-9 * max(problem.x_min, 1.0):
        out.append(("constraints.ore_tph_min", problem.x_min, problem.x_min - slack))
    slack = float(pyo.value(m.hi_slack))
    if slack > 1e-9 * max(problem.x_max, 1.0):
        out.append(("constraints.ore_tph_max", problem.x_max, problem.x_max + slack))
    return out

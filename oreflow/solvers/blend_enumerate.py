"""The cross-check of the selection problem: each column's LP solved exactly, numpy alone.

Independent of HiGHS: for every column the feasible set in (rates, tonnages) is a
bounded polytope, and the LP's optimum lies at one of its vertices. With one source and
no split decision the polytope is an interval of the ore rate on which the objective is
linear (``rate_intervals``): its best end is the closed form, which the route ranking
of a 131,625-column superstructure and the scenario model use.
"""

from __future__ import annotations

import itertools

import numpy as np

from oreflow.solvers.blend_data import BlendProblem

_FEAS_RTOL = 1e-9  # vertex feasibility, relative to the row's scale


def _inequalities(problem: BlendProblem) -> tuple[np.ndarray, np.ndarray]:
    """Every column's feasible set in (rates, tonnages) as ``A v <= b``: (n, m, S + D), (n, m)."""
    n, n_src, n_dst = problem.n, problem.n_sources, problem.n_destinations
    k = n_src + n_dst
    eye = np.eye(k)
    blocks = [np.broadcast_to(eye[:n_src], (n, n_src, k)), np.broadcast_to(-eye, (n, k, k))]
    rhs = [
        np.broadcast_to(problem.source_max, (n, n_src)),
        np.concatenate(
            [np.broadcast_to(-problem.source_min, (n, n_src)), np.zeros((n, n_dst))], axis=1
        ),
    ]
    total = np.zeros((n, 1, k))
    total[:, :, :n_src] = 1.0
    blocks += [total, -total]
    rhs += [np.full((n, 1), problem.x_max), np.full((n, 1), -problem.x_min)]
    if n_dst:
        grows, ok = problem.group_rows()
        blocks.append(grows)
        rhs.append(np.zeros((n, grows.shape[1])))
        # an ineligible destination takes nothing: z_d <= 0 there, else a slack row
        cap = np.where(ok, np.inf, 0.0)
        blocks.append(np.broadcast_to(eye[n_src:], (n, n_dst, k)))
        rhs.append(cap)
    for lim in problem.limits:
        if not problem.is_row(lim):
            continue
        a, b = problem.row(lim)
        sign = 1.0 if lim.sense == "max" else -1.0
        blocks.append(sign * np.nan_to_num(a)[:, None, :])
        rhs.append(sign * b[:, None])
    return np.concatenate(blocks, axis=1), np.concatenate(rhs, axis=1)


def enumerate_blend(problem: BlendProblem) -> tuple[int, np.ndarray, float]:
    """Best column, blend and residue tonnages by exhaustive enumeration (the cross-check).

    Each column's problem is an LP in its S source rates (and D destination tonnages)
    over a bounded polytope; its optimum lies at a vertex, and every vertex is the
    solution of S + D of its rows taken as equalities. All choices are solved for every
    column at once (numpy, independent of HiGHS).

    Returns
    -------
    (column, values, objective)
        ``values``: the S rates, then the D tonnages. Column -1 (and NaN) when no column
        is feasible.
    """
    return enumerate_closures(problem)[:3]


def enumerate_closures(problem: BlendProblem) -> tuple[int, np.ndarray, float, tuple[int, ...]]:
    """``enumerate_blend`` over every set of closed sources too: (column, values, objective, shut).

    With closable sources (``BlendProblem.closable``) each set of them closed is its own
    problem (``BlendProblem.with_closed``: no ore from them, their site limits gone,
    what closing them adds in the constants), enumerated whole; the best plan of all.
    """
    return best_plan(problem, column_plans(problem))


#: Per set of closed sources: each column's best signed objective and its vertex.
ColumnPlans = list[tuple[tuple[int, ...], np.ndarray, np.ndarray]]


def column_plans(problem: BlendProblem) -> ColumnPlans | None:
    """Every column's best plan, per set of closed sources (``best_plan`` picks among them).

    Each column's polytope is its own, so the plans of a subset of the columns (a
    route's) are these plans' rows: the route ranking reads them instead of enumerating
    each route again. ``None`` where the closed form of one source applies.
    """
    if not problem.closable:
        if problem.n_sources == 1 and not problem.n_destinations:
            return None
        return [((), *_vertex_scores(problem))]
    return [(shut, *_vertex_scores(problem.with_closed(shut))) for shut in problem.patterns()]


def best_plan(
    problem: BlendProblem, plans: ColumnPlans | None, idx: np.ndarray | None = None
) -> tuple[int, np.ndarray, float, tuple[int, ...]]:
    """``enumerate_closures`` of the columns ``idx`` (all by default) from ``column_plans``.

    The column returned indexes ``idx``, as ``enumerate_closures(problem.subset(idx))``'s.
    """
    if plans is None:
        sub = problem if idx is None else problem.subset(idx)
        return (*_enumerate_one_source(sub), ())
    sign = 1.0 if problem.sense == "maximize" else -1.0
    dim = problem.n_sources + problem.n_destinations
    best: tuple[int, np.ndarray, float, tuple[int, ...]] | None = None
    for shut, score, vertex in plans:
        s, v = (score, vertex) if idx is None else (score[idx], vertex[idx])
        column = int(np.argmax(s))
        if not np.isfinite(s[column]):
            continue
        objective = float(sign * s[column])
        if best is None or sign * objective > sign * best[2]:
            best = (column, v[column], objective, shut)
    if best is None:
        return -1, np.full(dim, np.nan), float("nan"), ()
    return best


#: Vertex candidates (sets of rows taken as equalities) solved together, times columns.
_BATCH_MATRICES = 32768


def enumerate_vertices(problem: BlendProblem) -> tuple[int, np.ndarray, float]:
    """``enumerate_blend`` by the vertices of every column's polytope, whatever its shape."""
    score, vertex = _vertex_scores(problem)
    sign = 1.0 if problem.sense == "maximize" else -1.0
    column = int(np.argmax(score))
    if not np.isfinite(score[column]):
        dim = problem.n_sources + problem.n_destinations
        return -1, np.full(dim, np.nan), float("nan")
    return column, vertex[column], float(sign * score[column])


def _vertex_scores(problem: BlendProblem) -> tuple[np.ndarray, np.ndarray]:
    """(n,) each column's best signed objective (-inf: none, or unusable) and (n, S + D) vertex.

    Every set of S + D rows is solved as equalities for every column, many sets in one
    batch of ``np.linalg`` calls (each matrix factorised alone, as one at a time): the
    best feasible vertex of a column is the first set, in ``itertools.combinations``
    order, that reaches its best objective.
    """
    n = problem.n
    dim = problem.n_sources + problem.n_destinations
    a, b = _inequalities(problem)
    finite = np.isfinite(b)
    b = np.where(finite, b, 0.0)
    a = np.where(finite[:, :, None], a, 0.0)  # an infinite bound is no row: 0 <= 0
    slope, const = problem.objective()
    sign = 1.0 if problem.sense == "maximize" else -1.0
    usable = problem.usable()
    best = np.full(n, -np.inf)
    best_v = np.zeros((n, dim))
    hi = max(problem.x_max, 1.0)
    scale = np.abs(a).sum(axis=2) * hi + np.abs(b) + 1e-12
    sets = itertools.combinations(range(a.shape[1]), dim)  # lazily: C(m, S + D) of them
    step = max(_BATCH_MATRICES // max(n, 1), 1)
    while len(rows := np.array(list(itertools.islice(sets, step)), dtype=np.intp)):
        sub = a[:, rows, :]  # rows: (c, dim) sets of rows; sub: (n, c, dim, dim)
        det = np.linalg.det(sub)
        good = np.abs(det) > 1e-12 * np.prod(np.abs(sub).sum(axis=3) + 1e-300, axis=2)
        v = np.zeros((*good.shape, dim))
        if good.any():
            v[good] = np.linalg.solve(sub[good], b[:, rows][good][..., None])[..., 0]
        slack = b[:, None, :] - np.einsum("nmk,nck->ncm", a, v)
        feasible = good & (slack >= -_FEAS_RTOL * scale[:, None, :]).all(axis=2)
        value = np.einsum("nk,nck->nc", slope, v) + const[:, None]
        score = np.where(feasible & (sign * value > -np.inf), sign * value, -np.inf)
        first = np.argmax(score, axis=1)  # the first set reaching each column's best
        top = score[np.arange(n), first]
        better = top > best
        best = np.where(better, top, best)
        best_v[better] = v[np.arange(n), first][better]
    return np.where(usable, best, -np.inf), best_v


def _enumerate_one_source(problem: BlendProblem) -> tuple[int, np.ndarray, float]:
    """``enumerate_blend`` in closed form: each column's best end of its rate interval."""
    slope, const, lo, hi, ok = rate_intervals(problem)
    sign = 1.0 if problem.sense == "maximize" else -1.0
    x = np.where(sign * slope >= 0, hi, lo)
    value = slope * x + const
    score = np.where(ok, sign * value, -np.inf)
    best = int(np.argmax(score))
    if not np.isfinite(score[best]):
        return -1, np.full(1, np.nan), float("nan")
    return best, np.array([x[best]]), float(value[best])


def rate_intervals(problem: BlendProblem) -> tuple[np.ndarray, ...]:
    """Per column of a one-source problem: objective slope and constant, rate interval, feasible.

    The objective of a column is linear in the ore rate, and every row of it (an
    extensive limit, a ratio limit) bounds the rate from one side; a filter limit keeps
    or drops the column whole.

    Returns
    -------
    tuple of (n,) arrays
        ``slope`` (per t/h), ``const``, ``lo``, ``hi`` [t/h] and ``ok``; for an infeasible
        column (or one whose balance does not close, ``BlendProblem.closed``) the
        interval is [0, 0] and ``ok`` is False.
    """
    if problem.n_sources != 1 or problem.n_destinations:
        msg = "rate_intervals needs one source and no split decision"
        raise ValueError(msg)
    n = problem.n
    x_lo, x_hi = problem.rate_bounds() or (problem.x_min, problem.x_max)
    lo = np.full(n, x_lo)
    hi = np.full(n, x_hi)
    ok = np.ones(n, dtype=bool) if problem.closed is None else problem.closed.copy()
    for lim in problem.limits:
        if not problem.is_row(lim):
            v = problem.values[lim.name]
            ok &= v <= lim.value if lim.sense == "max" else v >= lim.value
            continue
        coef, rhs = problem.row(lim)
        a, b = coef[:, 0], rhs
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
    slope2, const = problem.objective()
    slope = slope2[:, 0]
    ok &= np.isfinite(slope) & np.isfinite(const)
    return (
        np.nan_to_num(slope),
        np.nan_to_num(const),
        np.where(ok, lo, 0.0),
        np.where(ok, hi, 0.0),
        ok,
    )

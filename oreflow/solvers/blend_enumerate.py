"""The cross-check of the selection problem: each column's LP solved exactly by its vertices.

Numpy alone, independent of HiGHS: for every column the feasible set in (rates,
tonnages) is a bounded polytope, and the LP's optimum lies at one of its vertices.
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
    for rows in itertools.combinations(range(a.shape[1]), dim):
        sub = a[:, list(rows), :]
        det = np.linalg.det(sub)
        good = np.abs(det) > 1e-12 * np.prod(np.abs(sub).sum(axis=2) + 1e-300, axis=1)
        v = np.zeros((n, dim))
        if good.any():
            v[good] = np.linalg.solve(sub[good], b[good][:, list(rows), None])[..., 0]
        slack = b - np.einsum("nmk,nk->nm", a, v)
        feasible = good & (slack >= -_FEAS_RTOL * scale).all(axis=1)
        value = np.einsum("nk,nk->n", slope, v) + const
        better = feasible & (sign * value > best)
        best = np.where(better, sign * value, best)
        best_v[better] = v[better]
    best = np.where(usable, best, -np.inf)
    column = int(np.argmax(best))
    if not np.isfinite(best[column]):
        return -1, np.full(dim, np.nan), float("nan")
    return column, best_v[column], float(sign * best[column])

"""Pareto dominance among optimization columns (mode combinations).

A column that another column beats or equals on every criterion can never be the only
optimum of the selection problem, so it may be dropped before the MILP (docs/architecture.md
point 4: "pre-compute and prune dominated columns"). Criteria are oriented so that
larger is better.
"""

from __future__ import annotations

import numpy as np

from oreflow.kernels._jit import njit


def nondominated_mask(criteria: np.ndarray) -> np.ndarray:
    """Columns no other column dominates (ties: the first of equal columns is kept).

    Column i dominates j when ``criteria[i] >= criteria[j]`` everywhere. Rows are
    visited in decreasing order of their summed dense ranks (equal values, equal rank),
    which a dominating row always exceeds, so a row can only be dominated by one
    already kept (the sort-first skyline of Chomicki, Godfrey, Gryz & Liang 2003, Proc.
    ICDE, doi:10.1109/ICDE.2003.1260846). The sorts run in numpy: compiled, numba's
    sort routines cost most of a first run's compile time for no speed gained here.

    Parameters
    ----------
    criteria : (n_columns, n_criteria) float64
        Larger is better in every column.

    Returns
    -------
    (n_columns,) bool
        True for the columns kept.
    """
    criteria = np.ascontiguousarray(criteria, dtype=np.float64)
    n, k = criteria.shape
    rank_sum = np.zeros(n)
    for c in range(k):
        col_order = np.argsort(criteria[:, c])
        ordered = criteria[col_order, c]
        # dense rank: +1 wherever the sorted value changes (NaN != NaN changes too)
        dense = np.concatenate(([0.0], np.cumsum(ordered[1:] != ordered[:-1], dtype=np.float64)))
        rank_sum[col_order] += dense
    order = np.argsort(-rank_sum, kind="mergesort")
    return skyline_mask(criteria, order)


@njit
def skyline_mask(criteria: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Columns kept by a sort-first skyline visiting rows in ``order`` (see ``nondominated_mask``).

    Parameters
    ----------
    criteria : (n_columns, n_criteria) float64
        Larger is better in every column.
    order : (n_columns,) int64
        Visiting order, in which no row is dominated by a later one.

    Returns
    -------
    (n_columns,) bool
        True for the columns no earlier kept column dominates.
    """
    n, k = criteria.shape
    kept = np.empty(n, dtype=np.int64)
    n_kept = 0
    mask = np.zeros(n, dtype=np.bool_)
    for idx in range(n):
        j = order[idx]
        dominated = False
        for s in range(n_kept):
            i = kept[s]
            all_ge = True
            for c in range(k):
                if criteria[i, c] < criteria[j, c]:
                    all_ge = False
                    break
            if all_ge:
                dominated = True
                # the last dominating column first next time: one column dominates many
                # (2,214 of 131,625 kept by per-coefficient criteria: 6x fewer comparisons);
                # which columns are kept does not depend on the order they are tried in
                if s > 0:
                    kept[s] = kept[0]
                    kept[0] = i
                break
        if not dominated:
            kept[n_kept] = j
            n_kept += 1
            mask[j] = True
    return mask

"""Statistics of the problem linearised at a point: observability, redundancy, covariance.

After Crowe et al. (1983): a state is observable when no direction that keeps the
balances and every measured value fixed moves it; a measurement is redundant when its
leverage (the diagonal of the hat matrix) is below one. The normalised adjustment of a
measurement is its standardised adjustment divided by ``sqrt(1 - leverage)``, the
statistic of the measurement test (Serth & Heenan 1986).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from oreflow.solvers.reconcile.assembly import SurveyProblem

#: Relative singular-value threshold for numerical rank.
RANK_RTOL = 1e-9
#: A state is unobservable when an undetermined direction moves it by more than this
#: (rows of an orthonormal basis, so the scale is absolute).
UNOBSERVABLE_TOL = 1e-6
#: A measurement is redundant when its leverage is below ``1 - REDUNDANT_TOL``.
REDUNDANT_TOL = 1e-7


def null_space(matrix: np.ndarray, n_cols: int) -> tuple[np.ndarray, int]:
    """Orthonormal basis of the null space (columns) and the rank."""
    if matrix.shape[0] == 0:
        return np.eye(n_cols), 0
    _, singular, vt = np.linalg.svd(matrix, full_matrices=True)
    if singular.size == 0 or singular[0] == 0.0:
        return np.eye(n_cols), 0
    rank = int(np.sum(singular > RANK_RTOL * singular[0]))
    return vt[rank:].T, rank


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to a largest absolute entry of one; rows of zeros dropped."""
    norms = np.abs(matrix).max(axis=1) if matrix.size else np.zeros(0)
    keep = norms > 1e-12
    return matrix[keep] / norms[keep, None]


@dataclass(frozen=True)
class Linearised:
    """Statistics of the problem linearised at a point (scaled, standardised)."""

    leverage: np.ndarray
    rank: int
    factor: np.ndarray  # L, (n_states, rank): covariance of the scaled states is L L^T
    unobservable: np.ndarray  # bool per state

    def sd(self, gradient: Mapping[int, float]) -> float:
        """Standard deviation of a linear function of the scaled states (by gradient)."""
        row = np.zeros(self.factor.shape[1])
        for k, g in gradient.items():
            row += g * self.factor[k]
        return float(np.sqrt(np.dot(row, row)))


def linearise(
    balance: np.ndarray,
    jac_std: np.ndarray,
    rows_measured: np.ndarray,
    rows_exact: np.ndarray,
) -> Linearised:
    """Observability, leverages and covariance factor of the linearised problem.

    ``jac_std`` is the Jacobian of the standardised measurements with respect to the
    scaled states; ``rows_exact`` (zero standard deviation) join the constraints.
    """
    n = balance.shape[1]
    constraints = np.vstack([balance, jac_std[rows_exact]]) if rows_exact.any() else balance
    null, _ = null_space(constraints, n)
    a = jac_std[rows_measured] @ null
    leverage = np.zeros(jac_std.shape[0])
    leverage[rows_exact] = 1.0
    if a.size == 0 or not np.any(a):
        return Linearised(leverage, 0, np.zeros((n, 0)), np.any(np.abs(null) > 0, axis=1))
    u, singular, vt = np.linalg.svd(a, full_matrices=True)
    rank = int(np.sum(singular > RANK_RTOL * singular[0])) if singular[0] > 0 else 0
    leverage[rows_measured] = np.sum(u[:, :rank] ** 2, axis=1)
    leverage[rows_exact] = 1.0
    undetermined = null @ vt[rank:].T
    unobservable = np.linalg.norm(undetermined, axis=1) > UNOBSERVABLE_TOL
    factor = null @ (vt[:rank].T / singular[:rank])
    return Linearised(leverage, rank, factor, unobservable)


def project_out(balance: np.ndarray, drop: np.ndarray) -> np.ndarray:
    """Balances on the kept states implied by ``balance``, eliminating the dropped ones.

    Rows that touch a dropped state are combined (left null space of their dropped
    columns) so that the dropped states cancel; the result constrains exactly the
    kept states that ``balance`` constrains for some value of the dropped ones.
    """
    keep = ~drop
    touching = np.any(np.abs(balance[:, drop]) > 0, axis=1)
    untouched = balance[~touching][:, keep]
    if not touching.any():
        return normalise_rows(untouched)
    block = balance[touching][:, drop]
    u, singular, _ = np.linalg.svd(block, full_matrices=True)
    rank = int(np.sum(singular > RANK_RTOL * singular[0])) if singular.size else 0
    combined = u[:, rank:].T @ balance[touching][:, keep]
    return normalise_rows(np.vstack([untouched, combined]))


def worst_measurement(
    problem: SurveyProblem, x_full: np.ndarray, stats: Linearised, active: np.ndarray
) -> tuple[int, tuple[int, ...]] | None:
    """The active redundant measurement with the largest normalised adjustment.

    Returns its index and the indices of the others whose statistic ties with it (to
    1e-6 relative): the data cannot tell those apart, e.g. the outlet assays of a node
    with one degree of redundancy. None when no measurement can be removed.
    """
    z = (problem.values(x_full) - problem.measured) / problem.sd
    spread = np.sqrt(np.clip(1.0 - stats.leverage, 0.0, None))
    eligible = active & ~problem.exact & (stats.leverage < 1.0 - REDUNDANT_TOL)
    if not eligible.any():
        return None
    normalised = np.where(eligible, np.abs(z) / np.where(spread > 0, spread, 1.0), -1.0)
    worst = int(np.argmax(normalised))
    ties = np.flatnonzero(np.abs(normalised - normalised[worst]) <= 1e-6 * normalised[worst])
    return worst, tuple(int(i) for i in ties if i != worst)

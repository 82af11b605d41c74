"""Statistics of the problem linearised at a point: observability, redundancy, covariance.

After Crowe et al. (1983): a state is observable when no direction that keeps the
balances and every measured value fixed moves it; a measurement is redundant when its
leverage (the diagonal of the hat matrix) is below one. The normalised adjustment of a
measurement is its standardised adjustment divided by ``sqrt(1 - leverage)``, the
statistic of the measurement test (Serth & Heenan 1986).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from oreflow.solvers.reconcile import sparse_blocks
from oreflow.solvers.reconcile.assembly import SurveyProblem
from oreflow.solvers.reconcile.blocks import Blocks
from oreflow.solvers.reconcile.sparse_blocks import SparseCovariance, least_norm, linearise_sparse

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


def normalise_rows(matrix: sparse.spmatrix) -> sparse.csr_matrix:
    """Rows scaled to a largest absolute entry of one; rows of zeros dropped."""
    matrix = sparse.csr_matrix(matrix)
    norms = abs(matrix).max(axis=1).toarray().ravel() if matrix.shape[0] else np.zeros(0)
    keep = norms > 1e-12
    return sparse.csr_matrix(sparse.diags(1.0 / norms[keep]) @ matrix[keep])


@dataclass(frozen=True)
class Linearised:
    """Statistics of the problem linearised at a point (scaled, standardised).

    Attributes
    ----------
    leverage : ndarray
        Diagonal of the hat matrix, per measurement (1 for exact ones).
    rank : int
        Rank of the linearised problem (sum over blocks).
    unobservable : ndarray of bool
        Per state: moved by a direction that keeps balances and measurements fixed.
    factors : tuple of (ndarray or SparseCovariance)
        Per block, ``L`` with the covariance of the block's scaled states ``L L'``, or
        for a large block a SparseCovariance (``Sigma = F F'`` from sparse solves).
    blocks : Blocks
        The independent blocks of the states.
    """

    leverage: np.ndarray
    rank: int
    unobservable: np.ndarray
    factors: tuple[np.ndarray | SparseCovariance, ...]
    blocks: Blocks

    def sd_many(self, gradients: sparse.spmatrix) -> np.ndarray:
        """Standard deviations of linear functions of the scaled states, one per row.

        The covariance is block diagonal, so each block adds the squared norm of the
        rows' block part times the block's factor.
        """
        coo = sparse.coo_matrix(gradients)
        variance = np.zeros(coo.shape[0])
        owner = self.blocks.label[coo.col]
        order = np.argsort(owner, kind="stable")
        bounds = np.searchsorted(owner[order], np.arange(self.blocks.count + 1))
        for b, factor in enumerate(self.factors):
            entries = order[bounds[b] : bounds[b + 1]]
            if entries.size == 0:
                continue
            if isinstance(factor, SparseCovariance):
                n_block = factor.n_states
            elif factor.shape[1] == 0:
                continue
            else:
                n_block = factor.shape[0]
            rows, local = np.unique(coo.row[entries], return_inverse=True)
            where = (local, self.blocks.position[coo.col[entries]])
            if isinstance(factor, SparseCovariance):
                part = sparse.csr_matrix((coo.data[entries], where), shape=(rows.size, n_block))
                variance[rows] += factor.variances(part)
                continue
            dense = np.zeros((rows.size, n_block))
            np.add.at(dense, where, coo.data[entries])
            variance[rows] += np.sum((dense @ factor) ** 2, axis=1)
        return np.sqrt(variance)


def linearise(
    balance: sparse.spmatrix,
    jac_std: sparse.spmatrix,
    rows_measured: np.ndarray,
    rows_exact: np.ndarray,
    blocks: Blocks,
    covariance: bool = True,
) -> Linearised:
    """Observability, leverages and covariance factors, block by block.

    ``jac_std`` is the Jacobian of the standardised measurements with respect to the
    scaled states; ``rows_exact`` (zero standard deviation) join the constraints.
    Blocks of at least ``SPARSE_MIN_STATES`` states whose states are all determined
    are handled by sparse factorisation (``sparse_blocks``), the others densely.
    With ``covariance=False`` only ``unobservable`` is meant to be read: large blocks
    are then only tested for observability (leverage 0, no covariance).
    """
    balance, jac_std = sparse.csr_matrix(balance), sparse.csr_matrix(jac_std)
    leverage = np.zeros(jac_std.shape[0])
    unobservable = np.zeros(balance.shape[1], dtype=bool)
    factors: list[np.ndarray | SparseCovariance] = []
    rank = 0
    for cols, (_, balance_block), (meas, jac_block) in zip(
        blocks.states,
        blocks.split(balance, sparse_blocks.SPARSE_MIN_STATES),
        blocks.split(jac_std, sparse_blocks.SPARSE_MIN_STATES),
        strict=True,
    ):
        if sparse.issparse(balance_block) or sparse.issparse(jac_block):
            found = linearise_sparse(
                balance_block, jac_block, rows_measured[meas], rows_exact[meas], covariance
            )
            if found is not None:
                leverage[meas], block_rank, sigma = found
                rank += block_rank
                factors.append(sigma if sigma is not None else np.zeros((cols.size, 0)))
                continue
            balance_block = sparse.csr_matrix(balance_block).toarray()
            jac_block = sparse.csr_matrix(jac_block).toarray()
        part = _linearise_dense(balance_block, jac_block, rows_measured[meas], rows_exact[meas])
        leverage[meas], unobservable[cols] = part[0], part[3]
        rank += part[1]
        factors.append(part[2])
    return Linearised(leverage, rank, unobservable, tuple(factors), blocks)


def _linearise_dense(
    balance: np.ndarray,
    jac_std: np.ndarray,
    rows_measured: np.ndarray,
    rows_exact: np.ndarray,
) -> tuple[np.ndarray, int, np.ndarray, np.ndarray]:
    """Leverage, rank, covariance factor and unobservable states of one dense block."""
    n = balance.shape[1]
    constraints = np.vstack([balance, jac_std[rows_exact]]) if rows_exact.any() else balance
    null, _ = null_space(constraints, n)
    a = jac_std[rows_measured] @ null
    leverage = np.zeros(jac_std.shape[0])
    leverage[rows_exact] = 1.0
    if a.size == 0 or not np.any(a):
        return leverage, 0, np.zeros((n, 0)), np.any(np.abs(null) > 0, axis=1)
    u, singular, vt = np.linalg.svd(a, full_matrices=True)
    rank = int(np.sum(singular > RANK_RTOL * singular[0])) if singular[0] > 0 else 0
    leverage[rows_measured] = np.sum(u[:, :rank] ** 2, axis=1)
    leverage[rows_exact] = 1.0
    undetermined = null @ vt[rank:].T
    unobservable = np.linalg.norm(undetermined, axis=1) > UNOBSERVABLE_TOL
    factor = null @ (vt[:rank].T / singular[:rank])
    return leverage, rank, factor, unobservable


def project_out(balance: sparse.spmatrix, drop: np.ndarray, blocks: Blocks) -> sparse.csr_matrix:
    """Balances on the kept states implied by ``balance``, eliminating the dropped ones.

    Rows that touch a dropped state are combined (left null space of their dropped
    columns, block by block) so that the dropped states cancel; the result constrains
    exactly the kept states that ``balance`` constrains for some value of the dropped
    ones. Columns of the result are the kept states, in order.
    """
    balance = sparse.csr_matrix(balance)
    keep = ~drop
    touching = np.asarray(abs(balance[:, np.flatnonzero(drop)]).sum(axis=1)).ravel() > 0
    parts = [balance[np.flatnonzero(~touching)][:, np.flatnonzero(keep)]]
    kept_index = np.cumsum(keep) - 1
    for cols, (rows, whole) in zip(blocks.states, blocks.split(balance), strict=True):
        dense = whole[touching[rows]]
        if dense.shape[0] == 0:
            continue
        dropped = drop[cols]
        u, singular, _ = np.linalg.svd(dense[:, dropped], full_matrices=True)
        rank = int(np.sum(singular > RANK_RTOL * singular[0])) if singular.size else 0
        combined = sparse.coo_matrix(u[:, rank:].T @ dense[:, ~dropped])
        parts.append(
            sparse.csr_matrix(
                (combined.data, (combined.row, kept_index[cols[~dropped]][combined.col])),
                shape=(combined.shape[0], int(keep.sum())),
            )
        )
    return normalise_rows(sparse.vstack(parts))


def min_norm_solution(balance: sparse.spmatrix, rhs: np.ndarray, blocks: Blocks) -> np.ndarray:
    """Least-norm ``x`` with ``balance @ x = rhs``, by block.

    Small blocks by dense least squares (the least-squares solution if ``rhs`` is
    inconsistent); blocks of at least ``SPARSE_MIN_STATES`` states by a sparse
    factorisation, for a consistent ``rhs`` (``balance @ x`` for some ``x``).
    """
    balance = sparse.csr_matrix(balance)
    x = np.zeros(balance.shape[1])
    for cols, (rows, part) in zip(
        blocks.states, blocks.split(balance, sparse_blocks.SPARSE_MIN_STATES), strict=True
    ):
        if not rows.size:
            continue
        if sparse.issparse(part):
            x[cols] = least_norm(part, rhs[rows])
        else:
            x[cols], *_ = np.linalg.lstsq(part, rhs[rows], rcond=None)
    return x


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

"""Large blocks of a survey by sparse factorisation instead of dense SVD.

A block of coupled states (``blocks.py``) is handled densely (SVD, cost growing with
the cube of its size) when it is small. A plant whose lines share a feed distributor
or a tailings box is one connected block, so at a few hundred nodes the dense null
space dominates the whole reconciliation. Blocks of at least :data:`SPARSE_MIN_STATES`
states are handled here with one sparse LU factorisation (SciPy's SuperLU) of a
quasi-definite saddle-point system instead:

- least-norm and least-squares solutions (start point, polish, flow estimate) from
  ``[[I, G'], [G, 0]]``;
- the covariance of the scaled states, ``Sigma = N (N' H N)^-1 N'`` with ``N`` a basis of
  the null space of the constraints ``A`` and ``H = C'C`` (``C`` the Jacobian of the
  standardised measurements), applied to a vector ``g`` as the state part ``u`` of the
  solution of ``[[H, A'], [A, 0]] [u; y] = [g; 0]`` (the first-order conditions of
  ``min u'Hu/2 - g'u`` on ``A u = 0``). Since ``Sigma H Sigma = Sigma``, the solutions
  for the measurements' rows, ``F = Sigma C'``, are a square root of it
  (``Sigma = F F'``): one solve per measurement, all at once, gives every standard
  deviation as the norm of ``g'F`` and the leverage of measurement *i* as
  ``c_i' F[:, i]`` (the diagonal of the hat matrix, Crowe et al. 1983); the rank of
  the linearised problem is their sum (the trace of a projection).

Each system is factorised with a tiny diagonal, ``+delta`` on the first block and
``-delta`` on the second, which makes it non-singular when constraints are linearly
dependent (a node balance that is the sum of its size-class balances); iterative
refinement on the unregularised system removes the regularisation's effect to
round-off (Vanderbei, R. J. (1995), Symmetric quasidefinite matrices, SIAM J. Optim.
5(1), 100-113, https://doi.org/10.1137/0805005).

The sparse covariance requires every state of the block to be determined: a state
moved by a direction that keeps the constraints and the measurements fixed makes the
unregularised system singular in the states. This is tested by solving it for a random
right-hand side ``[r; 0]``: the system is consistent for almost every ``r`` exactly
when no such direction exists (``[v; 0]`` is a null vector of the symmetric matrix iff
``A v = 0`` and ``C v = 0``). A block that fails the test, or whose leverages do not
sum to an integer, is left to the dense routines, which name the undetermined states.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import sparse
from scipy.sparse import linalg as sparse_linalg

#: Blocks with at least this many states use the sparse routines [-]. Below it the
#: dense SVD is as fast (measured, CPU s one BLAS thread: the 50-node connected
#: benchmark survey, one block of 270 states, 0.056 s with this threshold against
#: 0.070 s dense; its 50-node parallel lines, blocks of 27 states, 0.043 s either way).
SPARSE_MIN_STATES = 100
#: Regularisation of the saddle-point systems, relative to the largest diagonal entry.
_REGULARISATION = 1e-12
#: Iterative-refinement sweeps on the unregularised system.
_REFINEMENTS = 4
#: Right-hand sides solved at once (columns of a dense block).
_CHUNK = 128
#: Gradient rows multiplied by the covariance factor at once.
_ROWS = 1024
#: Relative residual below which a refined solution counts as solved.
_SOLVED = 1e-9
#: A standard deviation below this fraction of its bound is zero (round-off).
_NOISE = 1e-12
#: Relative residual at which refinement stops (round-off).
_EXACT = 1e-14


class SaddlePoint:
    """Factor of ``[[H, G'], [G, 0]]`` (regularised), with refined solves.

    Parameters
    ----------
    hessian : sparse matrix
        ``H``, symmetric positive semi-definite, ``(n, n)``.
    constraints : sparse matrix
        ``G``, ``(m, n)``.
    """

    def __init__(self, hessian: sparse.spmatrix, constraints: sparse.spmatrix) -> None:
        hessian, constraints = sparse.coo_matrix(hessian), sparse.coo_matrix(constraints)
        n, m = hessian.shape[0], constraints.shape[0]
        self.n = n
        size = n + m
        top = float(np.abs(hessian.diagonal()).max(initial=0.0))
        delta = _REGULARISATION * max(top, 1.0)
        shift = np.concatenate([np.full(n, delta), np.full(m, -delta)])
        # One COO assembly of [[H, G'], [G, 0]], the shift as explicit diagonal entries
        # (zero in the unregularised matrix); duplicates are summed by the conversion.
        diagonal = np.arange(size)
        rows = np.concatenate([hessian.row, n + constraints.row, constraints.col, diagonal])
        cols = np.concatenate([hessian.col, constraints.col, n + constraints.row, diagonal])
        values = np.concatenate([hessian.data, constraints.data, constraints.data])
        self.matrix = sparse.csr_matrix(
            (np.concatenate([values, np.zeros(size)]), (rows, cols)), shape=(size, size)
        )
        shifted = sparse.csc_matrix(
            (np.concatenate([values, shift]), (rows, cols)), shape=(size, size)
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", sparse_linalg.MatrixRankWarning)
            # The pattern is symmetric: a minimum-degree ordering of A + A' fills less
            # than the default column ordering (42,000 against 46,000 entries of L + U
            # on a 200-node connected survey).
            self._lu = sparse_linalg.splu(
                shifted,
                permc_spec="MMD_AT_PLUS_A",
                diag_pivot_thresh=0.0,
                options={"SymmetricMode": True},
            )
        self._block_factors: tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]] | None = None

    def solve(self, rhs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Refined solution(s) of the unregularised system and each one's relative residual.

        ``rhs`` is a vector or a matrix of columns; the residual is relative to the
        largest entry of each right-hand side. Refinement stops early once every
        residual is at round-off.
        """
        solution = self._lu.solve(rhs)
        if rhs.ndim == 1:
            solution, relative = self._refine(rhs[:, None], solution[:, None])
            return solution[:, 0], relative[0]
        return self._refine(rhs, solution)

    def solve_block(self, rhs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``solve`` for a C-ordered ``(n + m, k)`` block of right-hand sides.

        The triangular solves run in ``kernels.sparse_triangular`` on whole rows of
        the block (about three times faster than SuperLU's column-by-column solve on
        these factors); the block is refined as a whole until every column's residual
        is at round-off (two sweeps on the benchmark surveys).
        """
        solution = self._block_lu_solve(rhs)
        size = np.maximum(np.abs(rhs).max(axis=0), 1e-300)
        for sweep in range(_REFINEMENTS + 1):
            residual = rhs - self.matrix @ solution
            with np.errstate(invalid="ignore"):
                relative = np.abs(residual).max(axis=0) / size
            relative = np.where(np.isfinite(relative), relative, np.inf)
            if sweep == _REFINEMENTS or not np.any(np.isfinite(relative) & (relative > _EXACT)):
                break
            solution += self._block_lu_solve(residual)
        return solution, relative

    def _block_lu_solve(self, rhs: np.ndarray) -> np.ndarray:
        """``K_reg^-1 rhs`` by the factors, rows of the block at once."""
        # Imported here: surveys without a large block do not load numba.
        from oreflow.kernels.sparse_triangular import lower_unit_solve_into, upper_solve_into

        symmetric = bool(np.array_equal(self._lu.perm_r, self._lu.perm_c))
        if self._block_factors is None:
            # ``Pr K Pc = L U`` (SciPy's convention). SymmetricMode with diagonal pivots
            # gives perm_r == perm_c: the permutation is then applied in place (row
            # ``row[j]`` of the block holds unknown ``j``), otherwise by copies.
            lower, upper = sparse.csc_matrix(self._lu.L), sparse.csc_matrix(self._lu.U)
            size = self.matrix.shape[0]
            row = np.arange(size)
            if symmetric:
                row[self._lu.perm_r] = np.arange(size)
            self._block_factors = (
                (lower.indptr, lower.indices, lower.data, row),
                (upper.indptr, upper.indices, upper.data, upper.diagonal(), row),
            )
        if symmetric:
            work = np.array(rhs, order="C")
        else:
            work = np.empty(rhs.shape)
            work[self._lu.perm_r] = rhs
        lower_unit_solve_into(*self._block_factors[0], work)
        upper_solve_into(*self._block_factors[1], work)
        return work if symmetric else work[self._lu.perm_c]

    def _refine(self, rhs: np.ndarray, solution: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Refinement sweeps on the columns whose residual is above round-off."""
        size = np.maximum(np.abs(rhs).max(axis=0), 1e-300)
        todo = np.arange(rhs.shape[1])
        relative = np.full(rhs.shape[1], np.inf)
        for sweep in range(_REFINEMENTS + 1):
            residual = rhs[:, todo] - self.matrix @ solution[:, todo]
            with np.errstate(invalid="ignore"):
                now = np.abs(residual).max(axis=0) / size[todo]
            relative[todo] = np.where(np.isfinite(now), now, np.inf)
            more = np.isfinite(now) & (now > _EXACT)
            if sweep == _REFINEMENTS or not more.any():
                break
            todo, residual = todo[more], residual[:, more]
            solution[:, todo] += self._lu.solve(np.asfortranarray(residual))
        return solution, relative


def least_norm(matrix: sparse.spmatrix, rhs: np.ndarray) -> np.ndarray:
    """Least-norm ``x`` with ``matrix @ x = rhs`` (``rhs`` consistent), sparse."""
    matrix = sparse.csr_matrix(matrix)
    n = matrix.shape[1]
    system = SaddlePoint(sparse.identity(n), matrix)
    solution, _ = system.solve(np.concatenate([np.zeros(n), rhs]))
    return solution[:n]


def least_squares(matrix: sparse.spmatrix, rhs: np.ndarray) -> np.ndarray:
    """``x`` minimising ``|matrix @ x - rhs|`` for a matrix of full column rank, sparse.

    Solved as the augmented system ``[[I, A], [A', 0]] [r; x] = [b; 0]``, whose
    conditioning is that of ``A`` (the normal equations square it).
    """
    matrix = sparse.csr_matrix(matrix)
    m, n = matrix.shape
    system = SaddlePoint(sparse.identity(m), matrix.T)
    solution, _ = system.solve(np.concatenate([rhs, np.zeros(n)]))
    return solution[m:]


class SparseCovariance:
    """Covariance of a large block's scaled states as ``Sigma = F F'``, from sparse solves.

    With ``C`` the standardised Jacobian of the measurements, ``H = C'C`` and
    ``Sigma = N (N'HN)^-1 N'``, ``Sigma H Sigma = Sigma``, so ``F = Sigma C'`` is a
    square root of the covariance (``n`` states by ``r`` measurements): its ``r``
    columns are ``r`` solves with the factor, all at once. A standard deviation is
    then the norm of ``g' F`` (the same square-root form as the dense routine's
    factor), so a figure the constraints fix (``N'g = 0``, ``Sigma g = 0``) comes out
    at round-off of its scale, not at the square root of round-off as ``g' Sigma g``
    would.
    """

    def __init__(self, factor: np.ndarray) -> None:
        self.factor = factor
        self._spread = np.sqrt(np.einsum("ij,ij->i", factor, factor))

    @property
    def n_states(self) -> int:
        """Number of states of the block."""
        return self.factor.shape[0]

    def variances(self, rows: np.ndarray | sparse.spmatrix) -> np.ndarray:
        """``diag(rows @ Sigma @ rows')`` for gradients ``rows`` ``(k, n)``.

        A standard deviation below :data:`_NOISE` of its triangle-inequality bound
        ``sum_j |g_j| sqrt(Sigma_jj)`` is round-off of a figure the constraints fix:
        it is returned as zero.
        """
        rows = sparse.csr_matrix(rows)
        total = np.zeros(rows.shape[0])
        for start in range(0, rows.shape[0], _ROWS):
            product = np.asarray(rows[start : start + _ROWS] @ self.factor)
            total[start : start + _ROWS] = np.einsum("ij,ij->i", product, product)
        bound = np.asarray(abs(rows) @ self._spread).ravel()
        return np.where(np.sqrt(total) > _NOISE * bound, total, 0.0)


def covariance_factor(system: SaddlePoint, measured: sparse.spmatrix) -> np.ndarray | None:
    """``F = Sigma C'`` (``C`` = ``measured``): the state part of the solutions for ``[C'; 0]``.

    None if a solve is not accurate to round-off.
    """
    n = system.n
    m = system.matrix.shape[0] - n
    columns = sparse.csc_matrix(measured.T)
    out = np.empty((n, columns.shape[1]))
    for start in range(0, columns.shape[1], _CHUNK):
        stop = min(columns.shape[1], start + _CHUNK)
        rhs = np.zeros((n + m, stop - start))
        rhs[:n] = columns[:, start:stop].toarray()
        solution, residual = system.solve_block(rhs)
        if not np.all(residual <= _SOLVED):
            return None
        out[:, start:stop] = solution[:n]
    return out


def observable(system: SaddlePoint) -> bool:
    """Whether every state is determined: the system is consistent for a random ``[r; 0]``."""
    n = system.n
    m = system.matrix.shape[0] - n
    probe = np.random.default_rng(0).standard_normal(n)
    _, residual = system.solve(np.concatenate([probe, np.zeros(m)]))
    return bool(residual <= _SOLVED)


def linearise_sparse(
    balance: sparse.spmatrix,
    jac_std: sparse.spmatrix,
    rows_measured: np.ndarray,
    rows_exact: np.ndarray,
    covariance: bool = True,
) -> tuple[np.ndarray, int, SparseCovariance | None] | None:
    """Leverage, rank and covariance of one block, or None to use the dense routine.

    None when a state of the block is undetermined (the dense routine finds which) or
    when the system cannot be solved to round-off. With ``covariance=False`` only the
    observability is tested: the leverages are returned as zeros, the rank as 0 and
    no covariance.
    """
    balance, jac_std = sparse.csr_matrix(balance), sparse.csr_matrix(jac_std)
    constraints = sparse.vstack([balance, jac_std[np.flatnonzero(rows_exact)]], format="csr")
    measured = jac_std[np.flatnonzero(rows_measured)]
    if measured.nnz == 0:
        return None
    system = SaddlePoint(measured.T @ measured, constraints)
    if not observable(system):
        return None
    leverage = np.zeros(jac_std.shape[0])
    if not covariance:
        return leverage, 0, None
    factor = covariance_factor(system, measured)
    if factor is None:
        return None
    found = SparseCovariance(factor)
    # The leverage of measurement i is c_i' Sigma c_i = c_i' F[:, i].
    leverage[rows_measured] = np.asarray(measured.multiply(factor.T).sum(axis=1)).ravel()
    leverage[rows_exact] = 1.0
    total = float(leverage[rows_measured].sum())
    rank = round(total)
    if not abs(total - rank) <= 1e-6 * max(1.0, total):
        return None
    return leverage, rank, found

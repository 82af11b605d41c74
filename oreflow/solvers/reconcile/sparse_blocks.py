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
  ``min u'Hu/2 - g'u`` on ``A u = 0``). The leverage of measurement *i* is then
  ``c_i' Sigma c_i`` (the diagonal of the hat matrix, Crowe et al. 1983) and the rank
  of the linearised problem their sum (the trace of a projection).

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
#: dense SVD is faster (measured: a 200-node connected survey, 1,100 states, took
#: 1.5 s dense; blocks of a few dozen states take well under a millisecond).
SPARSE_MIN_STATES = 400
#: Regularisation of the saddle-point systems, relative to the largest diagonal entry.
_REGULARISATION = 1e-12
#: Iterative-refinement sweeps on the unregularised system.
_REFINEMENTS = 4
#: Right-hand sides solved at once (columns of a dense block).
_CHUNK = 64
#: Relative residual below which a refined solution counts as solved.
_SOLVED = 1e-9
#: A variance below this fraction of its Cauchy-Schwarz bound is zero (round-off).
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
        hessian, constraints = sparse.csc_matrix(hessian), sparse.csc_matrix(constraints)
        n, m = hessian.shape[0], constraints.shape[0]
        self.n = n
        self.matrix = (
            sparse.csc_matrix(
                sparse.bmat([[hessian, constraints.T], [constraints, None]], format="csc")
            )
            if m
            else hessian
        )
        top = float(np.abs(hessian.diagonal()).max(initial=0.0))
        delta = _REGULARISATION * max(top, 1.0)
        shift = np.concatenate([np.full(n, delta), np.full(m, -delta)])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", sparse_linalg.MatrixRankWarning)
            # The pattern is symmetric: a minimum-degree ordering of A + A' fills less
            # than the default column ordering (42,000 against 46,000 entries of L + U
            # on a 200-node connected survey).
            self._lu = sparse_linalg.splu(
                sparse.csc_matrix(self.matrix + sparse.diags(shift)),
                permc_spec="MMD_AT_PLUS_A",
                diag_pivot_thresh=0.0,
                options={"SymmetricMode": True},
            )

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
    """Covariance of a large block's scaled states, from a sparse factorisation.

    ``matrix`` is the covariance itself, dense ``(n, n)``: its ``n`` columns cost ``n``
    solves with the factor (each proportional to the factor's non-zeros), after which
    every leverage and every reconciled standard deviation is a sparse-times-dense
    product.
    """

    def __init__(self, matrix: np.ndarray) -> None:
        self.matrix = matrix
        self._spread = np.sqrt(np.clip(np.diag(matrix), 0.0, None))

    @property
    def n_states(self) -> int:
        """Number of states of the block."""
        return self.matrix.shape[0]

    def variances(self, rows: np.ndarray | sparse.spmatrix) -> np.ndarray:
        """``diag(rows @ Sigma @ rows')`` for gradients ``rows`` ``(k, n)``.

        A variance below round-off of its Cauchy-Schwarz bound
        ``(sum_j |g_j| sqrt(Sigma_jj))^2`` is zero (a figure the constraints fix): the
        covariance comes from solves accurate to about 1e-15, so such a variance is
        cancellation noise whose square root would show as a spurious sd.
        """
        if rows.shape[0] == 0:
            return np.zeros(0)
        rows = sparse.csr_matrix(rows)
        product = np.asarray(rows @ self.matrix)
        total = np.asarray(rows.multiply(product).sum(axis=1)).ravel()
        bound = np.asarray(abs(rows) @ self._spread).ravel() ** 2
        return np.where(total > _NOISE * bound, total, 0.0)


def covariance_of(system: SaddlePoint) -> np.ndarray | None:
    """The state block of the solution for ``[I; 0]``, symmetrised; None if unsolved."""
    n = system.n
    m = system.matrix.shape[0] - n
    out = np.empty((n, n))
    for start in range(0, n, _CHUNK):
        stop = min(n, start + _CHUNK)
        rhs = np.zeros((n + m, stop - start))
        rhs[np.arange(start, stop), np.arange(stop - start)] = 1.0
        solution, residual = system.solve(rhs)
        if not np.all(residual <= _SOLVED):
            return None
        out[:, start:stop] = solution[:n]
    return 0.5 * (out + out.T)


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
    sigma = covariance_of(system)
    if sigma is None:
        return None
    found = SparseCovariance(sigma)
    leverage[rows_measured] = found.variances(measured)
    leverage[rows_exact] = 1.0
    total = float(leverage[rows_measured].sum())
    rank = round(total)
    if not abs(total - rank) <= 1e-6 * max(1.0, total):
        return None
    return leverage, rank, found

"""One Gauss-Newton step as one sparse KKT solve; HiGHS only when a bound is active.

The step ``d`` of the scaled states minimises ``|c + C d|^2`` (``c`` the standardised
adjustments, ``C`` their Jacobian) subject to the balances ``B d = 0``. Its optimality
conditions are the symmetric indefinite (KKT) system

    [ C'C + P   B' ] [d]   [-C'c]
    [ B         0  ] [y] = [  0 ]

with ``P`` a stiff diagonal penalty on pinned states (see ``highs_qp.PIN_WEIGHT``).
It is solved by a sparse LU factorisation (SciPy's SuperLU) of the system with a tiny
negative diagonal on the constraint block and a tiny positive one on the state block,
which makes it non-singular when balances are linearly dependent (a node balance that
is the sum of its size-class balances); iterative refinement on the unregularised
system then removes the regularisation's effect to round-off (the classic treatment of
quasi-definite systems: Vanderbei, R. J. (1995), Symmetric quasidefinite matrices, SIAM
J. Optim. 5(1), 100-113, https://doi.org/10.1137/0805005).

When the unbounded step would take a state below its floor (the data want a flow at
or below zero), the step is the bounded QP, solved by HiGHS (``highs_qp.HighsStep``).
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
from scipy import sparse
from scipy.sparse import linalg as sparse_linalg

from oreflow.solvers.reconcile.highs_qp import PIN_WEIGHT, HighsStep

logger = logging.getLogger(__name__)

#: Regularisation of the KKT system, relative to the largest diagonal entry of C'C.
_REGULARISATION = 1e-12
#: Iterative-refinement sweeps on the unregularised system.
_REFINEMENTS = 4


class KktStep:
    """Gauss-Newton steps on fixed balances: sparse KKT, or HiGHS when a bound binds.

    Parameters
    ----------
    balance : sparse matrix
        Balances on the scaled states, ``(n_rows, n_states)``.
    entry_meas, entry_state : ndarray of int
        Sparsity pattern of the Jacobian (measurement, state) of each entry.
    n_meas : int
        Number of measurements.
    """

    def __init__(
        self,
        balance: sparse.spmatrix,
        entry_meas: np.ndarray,
        entry_state: np.ndarray,
        n_meas: int,
    ) -> None:
        balance = sparse.coo_matrix(balance)
        self._balance = balance
        self._entry_meas = entry_meas
        self._entry_state = entry_state
        self._n_meas = n_meas
        n = self._n_states = balance.shape[1]
        self._n_rows = balance.shape[0]
        # Entries of C'C: every pair of Jacobian entries of one measurement.
        order = np.argsort(entry_meas, kind="stable")
        bounds = np.searchsorted(entry_meas[order], np.arange(n_meas + 1))
        # Entry k (in measurement order) of a measurement with c entries pairs with each
        # of its c entries: (members[a], members[b]) for a, b in row-major order.
        group = entry_meas[order]
        count = np.diff(bounds)[group]
        self._first = np.repeat(order, count)
        offset = np.arange(self._first.size) - np.repeat(np.cumsum(count) - count, count)
        self._second = order[np.repeat(bounds[group], count) + offset]
        size = n + self._n_rows
        diagonal = np.arange(size)
        rows = np.concatenate([entry_state[self._first], diagonal, n + balance.row, balance.col])
        cols = np.concatenate([entry_state[self._second], diagonal, balance.col, n + balance.row])
        # The compressed pattern once; each step only sums values into its slots.
        keys = cols.astype(np.int64) * size + rows
        unique, self._slot = np.unique(keys, return_inverse=True)
        self._indices = (unique % size).astype(np.int32)
        self._indptr = np.searchsorted(unique // size, np.arange(size + 1)).astype(np.int32)
        self._n_pairs = self._first.size
        self._fixed = np.concatenate([balance.data, balance.data])
        self._highs: HighsStep | None = None
        #: Steps solved by HiGHS because the unbounded step passed a bound.
        self.bounded_steps = 0

    def step(
        self,
        coef: np.ndarray,
        cost: np.ndarray,
        lower: np.ndarray,
        pinned: np.ndarray | None = None,
    ) -> tuple[str, np.ndarray | None, float]:
        """Solve one step; returns (status, d, model objective), d None unless optimal.

        ``coef`` holds the standardised Jacobian at the pattern's entries, ``cost`` the
        standardised adjustments, ``lower`` the lowest step of each state and
        ``pinned`` the states held where they are.
        """
        n = self._n_states
        gradient = np.bincount(
            self._entry_state, weights=coef * cost[self._entry_meas], minlength=n
        )
        penalty = np.zeros(n) if pinned is None else np.where(pinned, PIN_WEIGHT, 0.0)
        d = self._unbounded(coef, penalty, gradient)
        # Any step past a bound, however small, means the bound is active: a state at its
        # bound (lower ~ 0) pushed below it by round-off would, once clipped, leave the
        # balances, and the iterate would drift off them step by step.
        if d is not None and np.all(d >= lower):
            change = cost + np.bincount(
                self._entry_meas, weights=coef * d[self._entry_state], minlength=self._n_meas
            )
            return "optimal", d, float(change @ change)
        self.bounded_steps += 1
        if self._highs is None:
            self._highs = HighsStep(
                self._balance.toarray(), self._entry_meas, self._entry_state, self._n_meas
            )
        return self._highs.step(coef, cost, lower, pinned)

    def _unbounded(
        self, coef: np.ndarray, penalty: np.ndarray, gradient: np.ndarray
    ) -> np.ndarray | None:
        """The equality-constrained step, or None when the system cannot be solved."""
        n, size = self._n_states, self._n_states + self._n_rows
        pairs = coef[self._first] * coef[self._second]
        hessian_diagonal = np.bincount(
            self._entry_state[self._first[self._first == self._second]],
            weights=pairs[self._first == self._second],
            minlength=n,
        )
        delta = _REGULARISATION * max(float(hessian_diagonal.max(initial=0.0)), 1.0)
        shift = np.concatenate([np.full(n, delta), np.full(self._n_rows, -delta)])
        values = np.concatenate(
            [pairs, shift + np.concatenate([penalty, np.zeros(self._n_rows)]), self._fixed]
        )
        data = np.bincount(self._slot, weights=values, minlength=self._indices.size)
        kkt = sparse.csc_matrix((data, self._indices, self._indptr), shape=(size, size))
        rhs = np.concatenate([-gradient, np.zeros(self._n_rows)])
        try:
            with warnings.catch_warnings():
                # A singular factor is reported as an exception or an infinite solution;
                # either way the bounded QP decides.
                warnings.simplefilter("ignore", sparse_linalg.MatrixRankWarning)
                # Symmetric pattern, quasi-definite values: a minimum-degree ordering
                # of K + K' with diagonal pivots (as in ``sparse_blocks.SaddlePoint``)
                # fills and costs less than the default column ordering with partial
                # pivoting: 7.5 ms against 14.5 ms a step on the 500-node connected
                # benchmark survey (CPU, one BLAS thread).
                lu = sparse_linalg.splu(
                    kkt,
                    permc_spec="MMD_AT_PLUS_A",
                    diag_pivot_thresh=0.0,
                    options={"SymmetricMode": True},
                )
                solution = lu.solve(rhs)
                # Refinement on the unregularised system: K0 s = K s - shift * s.
                for _ in range(_REFINEMENTS):
                    residual = rhs - kkt @ solution + shift * solution
                    if not np.all(np.isfinite(residual)):
                        return None
                    solution = solution + lu.solve(residual)
        except RuntimeError:
            return None
        d = solution[:n]
        residual = rhs - kkt @ solution + shift * solution
        scale = max(1.0, float(np.abs(gradient).max(initial=0.0)))
        if not np.all(np.isfinite(d)) or float(np.abs(residual).max()) > 1e-6 * scale:
            logger.debug("KKT system not solved to 1e-6; using the QP")
            return None
        return d

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
import math
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
        self._balance = sparse.csr_matrix(balance)
        self._entry_meas = entry_meas
        self._entry_state = entry_state
        self._n_meas = n_meas
        self._n_states = self._balance.shape[1]
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
        jac = sparse.csc_matrix(
            (coef, (self._entry_meas, self._entry_state)), shape=(self._n_meas, n)
        )
        hessian = (jac.T @ jac).tocsc()
        if pinned is not None and pinned.any():
            hessian = hessian + sparse.diags(np.where(pinned, PIN_WEIGHT, 0.0))
        gradient = jac.T @ cost
        d = self._unbounded(hessian, gradient)
        # Any step past a bound, however small, means the bound is active: a state at its
        # bound (lower ~ 0) pushed below it by round-off would, once clipped, leave the
        # balances, and the iterate would drift off them step by step.
        if d is not None and np.all(d >= lower):
            change = cost + jac @ d
            return "optimal", d, float(change @ change)
        self.bounded_steps += 1
        if self._highs is None:
            self._highs = HighsStep(
                self._balance.toarray(), self._entry_meas, self._entry_state, self._n_meas
            )
        return self._highs.step(coef, cost, lower, pinned)

    def _unbounded(self, hessian: sparse.spmatrix, gradient: np.ndarray) -> np.ndarray | None:
        """The equality-constrained step, or None when the system cannot be solved."""
        n, rows = self._n_states, self._balance.shape[0]
        top = float(hessian.diagonal().max()) if n else 0.0
        delta = _REGULARISATION * max(top, 1.0)
        kkt = sparse.bmat([[hessian, self._balance.T], [self._balance, None]], format="csc")
        shift = sparse.diags(np.concatenate([np.full(n, delta), np.full(rows, -delta)]))
        rhs = np.concatenate([-gradient, np.zeros(rows)])
        try:
            with warnings.catch_warnings():
                # A singular factor is reported as an exception or an infinite solution;
                # either way the bounded QP decides.
                warnings.simplefilter("ignore", sparse_linalg.MatrixRankWarning)
                lu = sparse_linalg.splu((kkt + shift).tocsc())
                solution = lu.solve(rhs)
                for _ in range(_REFINEMENTS):
                    residual = rhs - kkt @ solution
                    if not np.all(np.isfinite(residual)):
                        return None
                    solution = solution + lu.solve(residual)
        except RuntimeError:
            return None
        d = solution[:n]
        if not np.all(np.isfinite(d)):
            return None
        scale = max(1.0, float(np.abs(gradient).max()) if n else 1.0)
        residual = rhs - kkt @ solution
        if float(np.abs(residual).max()) > 1e-6 * scale or not math.isfinite(scale):
            logger.debug("KKT residual %.3g; using the QP", float(np.abs(residual).max()))
            return None
        return d

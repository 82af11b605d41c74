"""HiGHS (through Pyomo) for the bounded QPs of a reconciliation.

They are a Gauss-Newton step whose unbounded solution would take a state below its
floor, and the bounded projection of the starting point.

The unbounded step is a sparse KKT solve (``kkt.py``); HiGHS's QP solver is needed
only when a bound is active, i.e. when the data want a flow at or below zero.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from oreflow.errors import InfeasibleError, SolveError
from oreflow.solvers import highs

#: Penalty on the scaled step of a pinned state (J itself is of order the number of
#: measurements).
PIN_WEIGHT = 1e8


class HighsStep:
    """One Gauss-Newton step as a persistent Pyomo model solved by HiGHS.

    The variables are the scaled state step ``d`` (bounded below by a mutable
    parameter). The objective is the sum of squared linearised standardised
    adjustments, ``z = c + C d``, expanded as ``c.c + 2 (C^T c) . d + d^T (C^T C) d``:
    each distinct Hessian entry and each linear cost is one mutable parameter, so a
    step only updates numbers (a few hundred for a 200-measurement survey). The
    balances are constant rows with zero right-hand sides.

    Two formulations were rejected after testing with HiGHS 1.16: explicit free ``z``
    variables next to the bounded ``d`` made the active-set QP solver stop with primal
    infeasibilities (solve error) on small surveys, and parameters for each Jacobian
    entry inside ``z`` made Pyomo re-evaluate thousands of products per step.
    """

    def __init__(
        self,
        balance: np.ndarray,
        entry_meas: np.ndarray,
        entry_state: np.ndarray,
        n_meas: int,
    ) -> None:
        import pyomo.environ as pyo

        n_states = balance.shape[1]
        # Distinct Hessian entries (j <= k) from pairs of entries of one measurement.
        entries_of: list[list[int]] = [[] for _ in range(n_meas)]
        for e, i in enumerate(entry_meas):
            entries_of[int(i)].append(e)
        pair_index: dict[tuple[int, int], int] = {}
        triples: list[tuple[int, int, int]] = []
        for entries in entries_of:
            for a in entries:
                for b in entries:
                    # Over ordered pairs of entries, an off-diagonal (j, k) is met twice,
                    # so its parameter collects 2 Q_jk, the coefficient of d_j d_k.
                    j, k = sorted((int(entry_state[a]), int(entry_state[b])))
                    triples.append((pair_index.setdefault((j, k), len(pair_index)), a, b))
        self._diagonal = np.full(n_states, -1, dtype=np.int64)
        for (j, k), p in pair_index.items():
            if j == k:
                self._diagonal[j] = p
        self._pair_of = np.array([t[0] for t in triples], dtype=np.int64)
        self._first = np.array([t[1] for t in triples], dtype=np.int64)
        self._second = np.array([t[2] for t in triples], dtype=np.int64)
        self._n_pairs = len(pair_index)
        self._entry_meas = entry_meas
        self._entry_state = entry_state
        self._n_states = n_states
        pairs = list(pair_index)

        m = pyo.ConcreteModel()
        m.d = pyo.Var(range(n_states))
        m.lb = pyo.Param(range(n_states), mutable=True, initialize=0.0)
        for j in range(n_states):
            m.d[j].setlb(m.lb[j])
        m.q = pyo.Param(range(len(pairs)), mutable=True, initialize=0.0)
        m.g = pyo.Param(range(n_states), mutable=True, initialize=0.0)
        m.c0 = pyo.Param(mutable=True, initialize=0.0)
        nonzero = [np.flatnonzero(row) for row in balance]

        def balance_rule(model: Any, k: int) -> Any:
            return sum(float(balance[k, j]) * model.d[int(j)] for j in nonzero[k]) == 0

        m.balance = pyo.Constraint(range(balance.shape[0]), rule=balance_rule)
        used = sorted({int(j) for j in entry_state})
        m.obj = pyo.Objective(
            expr=sum(m.q[p] * m.d[j] * m.d[k] for p, (j, k) in enumerate(pairs))
            + sum(m.g[j] * m.d[j] for j in used)
            + m.c0
        )
        solver, _ = highs.persistent()
        updates = solver.config.auto_updates
        # The structure never changes between steps; only parameters do. Skipping the
        # structural checks saves most of Pyomo's per-solve overhead.
        for name in (
            "check_for_new_or_removed_constraints",
            "check_for_new_or_removed_vars",
            "check_for_new_or_removed_params",
            "check_for_new_objective",
            "update_constraints",
            "update_vars",
            "update_named_expressions",
        ):
            setattr(updates, name, False)
        self._model = m
        self._solver = solver
        self._d = [m.d[j] for j in range(n_states)]
        self._used = used

    @staticmethod
    def solver_version() -> str:
        """HiGHS's version, ``major.minor.patch``."""
        from importlib.metadata import version

        return version("highspy")

    def step(
        self,
        coef: np.ndarray,
        cost: np.ndarray,
        lower: np.ndarray,
        pinned: np.ndarray | None = None,
    ) -> tuple[str, np.ndarray | None, float]:
        """Solve one step; returns (status, d, model objective), d None unless optimal.

        ``coef`` holds the standardised Jacobian at the entries (``C``), ``cost`` the
        constant part of each linearised standardised adjustment (``c``); ``pinned``
        marks states held where they are (a stiff penalty on their step).
        """
        m = self._model
        hessian = np.zeros(self._n_pairs)
        np.add.at(hessian, self._pair_of, coef[self._first] * coef[self._second])
        if pinned is not None and pinned.any():
            diagonal = self._diagonal[pinned]
            hessian[diagonal[diagonal >= 0]] += PIN_WEIGHT
        linear = np.zeros(self._n_states)
        np.add.at(linear, self._entry_state, 2.0 * coef * cost[self._entry_meas])
        # Validated writes cost as much as the solve here; the indices are the
        # parameters' own and the values plain floats, so skip the checks.
        m.q.store_values(dict(enumerate(hessian.tolist())), check=False)
        m.g.store_values({j: float(linear[j]) for j in self._used}, check=False)
        m.c0.set_value(float(np.dot(cost, cost)))
        m.lb.store_values(dict(enumerate(lower.tolist())), check=False)
        solved = highs.solve(m, solver=self._solver, load=False)
        status = solved.status.value
        if status != "optimal":
            return status, None, math.nan
        results = solved.results
        values = results.solution_loader.get_vars(self._d)
        d = np.array([values[v] for v in self._d])
        return status, d, float(results.incumbent_objective)


def bounded_projection(balance: np.ndarray, xi_guess: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """The point nearest to ``xi_guess`` that closes ``balance`` with ``x >= floor`` (QP)."""
    import pyomo.environ as pyo

    n = balance.shape[1]
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(n), initialize=lambda _, j: max(float(xi_guess[j]), float(floor[j])))
    for j in range(n):
        m.x[j].setlb(float(floor[j]))
    nonzero = [np.flatnonzero(row) for row in balance]
    m.balance = pyo.Constraint(
        range(balance.shape[0]),
        rule=lambda model, k: sum(float(balance[k, j]) * model.x[int(j)] for j in nonzero[k]) == 0,
    )
    m.obj = pyo.Objective(expr=sum((m.x[j] - float(xi_guess[j])) ** 2 for j in range(n)))
    solved = highs.solve(m, load=False)
    if not solved.optimal:
        raise_for_status(solved.status.value)
    results = solved.results
    values = results.solution_loader.get_vars([m.x[j] for j in range(n)])
    return np.array([values[m.x[j]] for j in range(n)])


def raise_for_status(status: str) -> None:
    """Raise the error that a non-optimal HiGHS status means here."""
    if status == "infeasible":
        msg = (
            "the node balances cannot close with non-negative flows and assays; check the "
            "node list (a stream on the wrong side of a node) and the measured values"
        )
        raise InfeasibleError(msg)
    msg = f"HiGHS could not solve the reconciliation step (status {status})"
    raise SolveError(msg)

"""The one HiGHS module: status map, statuses instead of exceptions, exact QP, one home."""

import re
from pathlib import Path

import numpy as np
import pytest

from oreflow.solvers.highs import QP_EXACT, SolveStatus, solve, status_of

SOLVERS = Path(__file__).resolve().parents[2] / "oreflow" / "solvers"
#: Modules (path prefixes under oreflow/solvers) still creating their own solver: to
#: move onto ``highs``; the list only shrinks.
OWN_SOLVER_ALLOWED: tuple[str, ...] = ()


def test_status_map_names_every_outcome_and_errors_on_the_rest():
    from pyomo.contrib.solver.common.results import TerminationCondition as TC

    assert status_of(TC.convergenceCriteriaSatisfied) is SolveStatus.OPTIMAL
    assert status_of(TC.infeasibleOrUnbounded) is SolveStatus.INFEASIBLE
    assert status_of(TC.maxTimeLimit) is SolveStatus.TIME_LIMIT
    assert status_of(TC.unbounded) is SolveStatus.UNBOUNDED
    assert status_of("iterationLimit") is SolveStatus.ITERATION_LIMIT
    assert status_of(TC.unknown) is SolveStatus.ERROR


def test_an_infeasible_lp_is_a_status_and_loads_nothing():
    import pyomo.environ as pyo

    m = pyo.ConcreteModel()
    m.x = pyo.Var(domain=pyo.NonNegativeReals)
    m.c = pyo.Constraint(expr=m.x <= -1.0)
    m.obj = pyo.Objective(expr=m.x)
    res = solve(m)
    assert res.status is SolveStatus.INFEASIBLE
    assert not res.optimal
    assert m.x.value is None


def test_lp_duals_are_d_objective_d_rhs():
    import pyomo.environ as pyo

    m = pyo.ConcreteModel()
    m.x = pyo.Var(domain=pyo.NonNegativeReals)
    m.cap = pyo.Constraint(expr=m.x <= 10.0)
    m.obj = pyo.Objective(expr=58.2 * m.x, sense=pyo.maximize)
    res = solve(m)
    assert res.optimal
    assert m.x.value == pytest.approx(10.0)
    assert res.duals()[m.cap] == pytest.approx(58.2)


def test_weighted_least_squares_meets_its_closed_form_without_regularisation():
    # a node balance f0 = f1 + f2 measured with large sigmas (Hessian entries 2/sigma^2
    # of order 1e-3, where HiGHS's default regularisation biases the answer)
    import pyomo.environ as pyo

    meas = np.array([310.0, 180.0, 120.0])
    sigma = np.array([40.0, 30.0, 25.0])
    a = np.array([[1.0, -1.0, -1.0]])
    v = np.diag(sigma**2)
    exact = meas - v @ a.T @ np.linalg.solve(a @ v @ a.T, a @ meas)
    m = pyo.ConcreteModel()
    m.f = pyo.Var(range(3))
    m.bal = pyo.Constraint(expr=m.f[0] - m.f[1] - m.f[2] == 0)
    m.obj = pyo.Objective(expr=sum(((m.f[i] - meas[i]) / sigma[i]) ** 2 for i in range(3)))
    res = solve(m, options=QP_EXACT)
    assert res.optimal
    got = np.array([m.f[i].value for i in range(3)])
    np.testing.assert_allclose(got, exact, rtol=0, atol=1e-7)


def test_every_solver_is_made_in_the_highs_module():
    own = {
        p.relative_to(SOLVERS).as_posix()
        for p in SOLVERS.glob("**/*.py")
        if p.name != "highs.py" and re.search(r"SolverFactory\(", p.read_text(encoding="utf-8"))
    }
    stray = sorted(p for p in own if not p.startswith(OWN_SOLVER_ALLOWED))
    assert not stray, f"solvers made outside highs.py: {stray}"
    gone = [a for a in OWN_SOLVER_ALLOWED if not any(p.startswith(a) for p in own)]
    assert not gone, f"no longer making their own solver: remove {gone} from the list"


def test_a_solve_after_another_highs_user_in_the_process_is_optimal():
    # HiGHS keeps the thread count of its first solve; a later solve asking for another
    # fails (STACK trap): ours must agree with a solve made with HiGHS's defaults
    import pyomo.environ as pyo
    from pyomo.contrib.solver.common.factory import SolverFactory

    def model():
        m = pyo.ConcreteModel()
        m.x = pyo.Var(domain=pyo.NonNegativeIntegers)
        m.c = pyo.Constraint(expr=2 * m.x <= 7)
        m.obj = pyo.Objective(expr=m.x, sense=pyo.maximize)
        return m

    other = SolverFactory("highs").solve(
        model(), load_solutions=False, raise_exception_on_nonoptimal_result=False
    )
    assert status_of(other.termination_condition) is SolveStatus.OPTIMAL
    m = model()
    assert solve(m).optimal
    assert m.x.value == pytest.approx(3.0)

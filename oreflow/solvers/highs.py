"""HiGHS through Pyomo: the one place oreflow's solvers create, configure and call it.

Every solve in ``oreflow.solvers`` goes through ``solve`` (or, for a persistent model
re-solved with new parameters, ``persistent`` then ``solve``), so the traps of the
Pyomo 6.10 / HiGHS 1.16 interface are handled here once:

- the new ``pyomo.contrib.solver`` interface raises on any non-optimal result and loads
  whatever the solver returned; here nothing is loaded unless the status is
  ``OPTIMAL`` (``load_solutions=False``, ``raise_exception_on_nonoptimal_result=False``)
  and infeasible, unbounded and time-limited solves are statuses, not exceptions;
- HiGHS fixes its thread count for the whole process at the first solve, and a later
  solve asking for another count fails with termination ``unknown`` (an ``ERROR``
  here): the count is set in one place, ``THREADS``, and by default left to HiGHS,
  so that a solve here agrees with any other HiGHS user in the process;
- the first ``highspy.Highs()`` of a process prints a banner to the C-level stdout;
  Pyomo's interface captures it, and no module here constructs ``highspy`` directly;
- HiGHS regularises a QP's Hessian (``qp_regularization_value``, about 1e-7), which
  biases weighted least squares whose Hessian entries are small (2/sigma^2);
  ``QP_EXACT`` switches it off for a solve that must match its closed form.

One status map (``status_of``) turns Pyomo's termination conditions into
``SolveStatus`` for every caller. Pyomo objects never leave ``oreflow.solvers``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from oreflow.errors import SolveError

#: HiGHS threads in every solve; None leaves HiGHS's own choice. HiGHS keeps the count
#: of the first solve in a process and fails a later one asking for another (measured:
#: ``threads=1`` after a default solve on 2 cores), so this is the one place to set it.
THREADS: int | None = None
#: Options of a convex QP solved to its closed form: no Hessian regularisation.
QP_EXACT: Mapping[str, float] = {"qp_regularization_value": 0.0}


class SolveStatus(enum.Enum):
    """Outcome of a solve."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"
    ITERATION_LIMIT = "iteration_limit"
    OBJECTIVE_LIMIT = "objective_limit"
    MIN_STEP_LENGTH = "min_step_length"
    ERROR = "error"


#: Pyomo ``TerminationCondition`` names -> status; anything else is ``ERROR``. A model
#: reported "infeasible or unbounded" is infeasible: every model here is bounded.
_STATUS_OF_TERMINATION = {
    "convergenceCriteriaSatisfied": SolveStatus.OPTIMAL,
    "provenInfeasible": SolveStatus.INFEASIBLE,
    "locallyInfeasible": SolveStatus.INFEASIBLE,
    "infeasibleOrUnbounded": SolveStatus.INFEASIBLE,
    "unbounded": SolveStatus.UNBOUNDED,
    "maxTimeLimit": SolveStatus.TIME_LIMIT,
    "iterationLimit": SolveStatus.ITERATION_LIMIT,
    "objectiveLimit": SolveStatus.OBJECTIVE_LIMIT,
    "minStepLength": SolveStatus.MIN_STEP_LENGTH,
}


def status_of(termination: Any) -> SolveStatus:
    """The status of a Pyomo termination condition (an enum member or its name)."""
    name = getattr(termination, "name", str(termination))
    return _STATUS_OF_TERMINATION.get(name, SolveStatus.ERROR)


@dataclass(frozen=True)
class Solved:
    """A finished solve: its status and, when optimal, the loaded values and duals.

    Attributes
    ----------
    status : SolveStatus
        Mapped termination condition.
    bound : float or None
        Best objective bound the solver proved (a MILP's dual bound).
    objective : float or None
        Objective of the incumbent.
    results : object
        Pyomo's results; its ``solution_loader`` is valid until the solver re-solves.
    """

    status: SolveStatus
    bound: float | None
    objective: float | None
    results: Any

    @property
    def optimal(self) -> bool:
        """Whether the solve is optimal (the variables then hold the solution)."""
        return self.status is SolveStatus.OPTIMAL

    def duals(self) -> Any:
        """Row duals (``d objective / d rhs``) of an optimal LP or QP, by constraint."""
        return self.results.solution_loader.get_duals()


def persistent() -> tuple[Any, str]:
    """A new HiGHS solver object and its name with version (``highs 1.16.0``).

    Raises
    ------
    SolveError
        HiGHS is not available to Pyomo.
    """
    import pyomo.environ  # noqa: F401  (registers the solver plugins)
    from pyomo.contrib.solver.common.factory import SolverFactory

    opt = SolverFactory("highs")
    if not opt.available():
        msg = "HiGHS is not available to Pyomo (install highspy)"
        raise SolveError(msg)
    return opt, "highs " + ".".join(map(str, opt.version()))


def solver_name() -> str:
    """Name and version of the solver every solve uses."""
    return persistent()[1]


def solve(
    model: Any,
    *,
    solver: Any = None,
    time_limit_s: float | None = None,
    rel_gap: float | None = None,
    options: Mapping[str, Any] | None = None,
    load: bool = True,
) -> Solved:
    """Solve a Pyomo model with HiGHS; load its variables only when optimal.

    Parameters
    ----------
    model : pyomo.environ.ConcreteModel
        An LP, MILP or convex QP.
    solver : object, optional
        A solver from ``persistent`` to re-solve with (its model kept between solves);
        default: a new one.
    time_limit_s : float, optional
        Wall-clock limit [s]; reaching it is ``TIME_LIMIT``, not an error.
    rel_gap : float, optional
        Relative MIP gap at which a MILP counts as solved.
    options : Mapping, optional
        Raw HiGHS options (``QP_EXACT``).
    load : bool
        Load the optimal values into the model's variables (off when the caller reads
        selected values from the solution loader).
    """
    opt = solver if solver is not None else persistent()[0]
    kwargs: dict[str, Any] = {
        "load_solutions": False,
        "raise_exception_on_nonoptimal_result": False,
    }
    if THREADS is not None:
        kwargs["threads"] = THREADS
    if time_limit_s is not None:
        kwargs["time_limit"] = time_limit_s
    if rel_gap is not None:
        kwargs["rel_gap"] = rel_gap
    if options:
        kwargs["solver_options"] = dict(options)
    res = opt.solve(model, **kwargs)
    status = status_of(res.termination_condition)
    if status is SolveStatus.OPTIMAL and load:
        res.solution_loader.load_vars()
    bound = res.objective_bound
    objective = res.incumbent_objective
    return Solved(
        status,
        None if bound is None else float(bound),
        None if objective is None else float(objective),
        res,
    )

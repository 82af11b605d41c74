"""``reconcile``: classification, Gauss-Newton rounds with serial elimination, tables."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import scipy
from scipy import sparse

from oreflow.errors import CaseError, Problem
from oreflow.flowsheet.network import Network
from oreflow.flowsheet.survey import Survey, survey_network_problems, with_scale
from oreflow.solvers.reconcile.assembly import SurveyProblem, assemble, state_label
from oreflow.solvers.reconcile.blocks import find_blocks
from oreflow.solvers.reconcile.chi2 import chi2_ppf
from oreflow.solvers.reconcile.classification import (
    check_exact,
    check_observability,
    describe,
)
from oreflow.solvers.reconcile.gauss_newton import (
    DENOMINATOR_FLOOR,
    ZERO_FLOW,
    Reduced,
    Round,
    objective,
    partners,
    solve_round,
)
from oreflow.solvers.reconcile.highs_qp import HighsStep, raise_for_status
from oreflow.solvers.reconcile.kkt import KktStep
from oreflow.solvers.reconcile.result import ReconcileResult
from oreflow.solvers.reconcile.start import (
    balanced_start,
    initial_guess,
    polish,
    state_scales,
)
from oreflow.solvers.reconcile.statistics import (
    Linearised,
    linearise,
    normalise_rows,
    project_out,
    worst_measurement,
)
from oreflow.solvers.reconcile.tables import closure_table, result_tables

logger = logging.getLogger(__name__)

_TEST_COLUMNS = ["round", "removed", "indistinguishable", "chi2", "dof", "critical", "passed"]


def reconcile(
    survey: Survey,
    network: Network | None = None,
    *,
    confidence: float = 0.95,
    gross_error_test: bool = True,
    max_suspects: int = 5,
    max_iterations: int = 100,
    step_tolerance: float = 1e-10,
    scale_tph: float | None = None,
) -> ReconcileResult:
    """Reconcile a plant survey by weighted least squares, with gross-error tests.

    Parameters
    ----------
    survey : Survey
        The validated survey (``oreflow.flowsheet.survey.read_survey``).
    network : Network, optional
        The flowsheet. Defaults to the survey's own node list.
    confidence : float
        Confidence level of the global chi-square test [-], e.g. 0.95.
    gross_error_test : bool
        Whether to remove suspect measurements by serial elimination while the global
        test fails.
    max_suspects : int
        At most this many measurements are removed as gross errors.
    max_iterations : int
        Gauss-Newton iterations allowed per round.
    step_tolerance : float
        Convergence when the largest state step, relative to the state's scale, is
        below this [-].
    scale_tph : float, optional
        Solids flow of the (first) feed stream [t/h], for a survey that measures no
        flow: its assays then fix every split but not the scale. It enters as an exact
        measurement (``where`` says so); splits and recoveries do not depend on it.

    Returns
    -------
    ReconcileResult
        Stream table, sizes, node splits and recoveries, adjustments, tests, closure.

    Raises
    ------
    CaseError
        Before solving: a stream not in the flowsheet, flows the survey cannot
        determine (named), a zero standard deviation on a redundant measurement.
    SolveError
        When the first step cannot be solved (nothing to report).
    InfeasibleError
        When the balances cannot close with non-negative flows and assays.
    """
    started = time.perf_counter()
    if not 0.0 < confidence < 1.0:
        msg = f"must be a probability in (0, 1), e.g. 0.95 for 95 %, not {confidence:g}"
        raise CaseError([Problem("confidence", "", msg)])
    if scale_tph is not None and not 0.0 < scale_tph <= 1e7:
        msg = f"must be a solids flow in (0, 1e7] t/h, not {scale_tph:g}"
        raise CaseError([Problem("scale_tph", "", msg)])
    if max_iterations < 1 or max_suspects < 0 or not step_tolerance > 0.0:
        msg = "need max_iterations >= 1, max_suspects >= 0 and step_tolerance > 0"
        raise ValueError(msg)
    network = network if network is not None else survey.network
    if network is None:
        raise CaseError(
            [
                Problem(
                    survey.file,
                    "nodes",
                    "no flowsheet: give a [nodes] table in the survey or a case file",
                )
            ]
        )
    problems = survey_network_problems(survey, network)
    if problems:
        raise CaseError(problems)
    if scale_tph is not None:
        survey = with_scale(survey, network, scale_tph)
    problem = assemble(survey, network)
    prepared = _classify(survey, problem, network)
    elimination = _eliminate(
        problem,
        prepared,
        confidence=confidence,
        gross_error_test=gross_error_test,
        max_suspects=max_suspects,
        max_iterations=max_iterations,
        step_tolerance=step_tolerance,
    )
    return _result(survey, problem, network, prepared, elimination, confidence, started)


@dataclass(frozen=True)
class _Prepared:
    """The problem after classification: observable states, scaled, at a balanced start."""

    reduced: Reduced
    xi_start: np.ndarray  # scaled kept states
    unobservable: tuple[str, ...]


@dataclass
class _Elimination:
    """Rounds of serial elimination and where they ended."""

    last: Round
    reduced: Reduced
    xi: np.ndarray
    stats: Linearised
    active: np.ndarray
    removed: list[int]
    rounds: list[dict[str, Any]]
    iterations: int


def _classify(survey: Survey, problem: SurveyProblem, network: Network) -> _Prepared:
    """Balanced start, observability and zero-sd checks; unobservable states projected out."""
    x_guess = initial_guess(problem, network)
    scale_full = state_scales(problem, x_guess)
    blocks = find_blocks(problem.n_states, problem.balance, problem.entry_meas, problem.entry_state)
    balance_scaled = normalise_rows(problem.balance @ sparse.diags(scale_full))
    floor_full = np.where(problem.is_denominator, DENOMINATOR_FLOOR, 0.0)
    xi_start = balanced_start(balance_scaled, x_guess / scale_full, floor_full, blocks)
    x_start = xi_start * scale_full

    all_rows = np.ones(len(problem.measurements), dtype=bool)
    jac = _standardised(problem, problem.jacobian(x_start) @ sparse.diags(scale_full))
    linear = linearise(
        balance_scaled, jac, all_rows, np.zeros_like(all_rows), blocks, covariance=False
    )
    check_observability(
        survey, problem, linear.unobservable, network.feeds[0] if network.feeds else "FEED"
    )
    drop = linear.unobservable
    keep = np.flatnonzero(~drop)
    kept_blocks = blocks.restricted(keep)
    reduced_balance = project_out(balance_scaled, drop, blocks) if drop.any() else balance_scaled
    position = np.full(problem.n_states, -1, dtype=np.int64)
    position[keep] = np.arange(keep.size)
    reduced = Reduced(
        keep,
        position,
        scale_full[keep],
        reduced_balance,
        position[problem.entry_state],
        (floor_full * scale_full)[keep],
        scale_full[keep],
        partners(problem, position)[keep],
        kept_blocks,
    )
    if problem.exact.any():
        # Only zero-sd measurements are checked, so only then are leverages needed.
        leverage = linearise(
            reduced_balance, jac[:, keep], all_rows, np.zeros_like(all_rows), kept_blocks
        ).leverage
        check_exact(survey, problem, leverage)
    unobservable = tuple(
        f"{key[1]}: {state_label(key, problem.classes_um)}"
        for key, dropped in zip(problem.keys, drop, strict=True)
        if dropped
    )
    if unobservable:
        logger.warning("undetermined by the survey (reported as NaN): %s", "; ".join(unobservable))
    return _Prepared(reduced, xi_start[keep], unobservable)


def _standardised(problem: SurveyProblem, jac: sparse.spmatrix) -> sparse.csr_matrix:
    """Rows of a Jacobian divided by the measurements' standard deviations."""
    return sparse.csr_matrix(sparse.diags(1.0 / problem.sd) @ jac)


def statistics_at(
    problem: SurveyProblem, reduced: Reduced, x_full: np.ndarray, active: np.ndarray
) -> Linearised:
    """Statistics of the problem linearised at ``x_full``, on the kept (scaled) states."""
    jac = problem.jacobian(x_full)[:, reduced.keep] @ sparse.diags(reduced.scale)
    return linearise(
        reduced.balance,
        _standardised(problem, jac),
        active & ~problem.exact,
        active & problem.exact,
        reduced.blocks,
    )


def _eliminate(
    problem: SurveyProblem,
    prepared: _Prepared,
    *,
    confidence: float,
    gross_error_test: bool,
    max_suspects: int,
    max_iterations: int,
    step_tolerance: float,
) -> _Elimination:
    """Solve; while the global test fails, remove the worst measurement and solve again."""
    reduced = prepared.reduced
    keep = reduced.keep
    qp = KktStep(reduced.balance, problem.entry_meas, reduced.entry_keep, len(problem.measurements))
    active = np.ones(len(problem.measurements), dtype=bool)
    removed: list[int] = []
    tied = ""
    rounds: list[dict[str, Any]] = []
    xi = prepared.xi_start
    total_iterations = 0
    state: _Elimination | None = None
    while True:
        result, reduced, qp = solve_round(
            problem,
            reduced,
            qp,
            xi,
            active,
            max_iterations=max_iterations,
            step_tolerance=step_tolerance,
        )
        total_iterations += result.iterations
        if result.iterations == 0 and result.status != "optimal" and state is None:
            raise_for_status(result.status)
        if result.status != "optimal" and state is not None:
            logger.warning(
                "round %d stopped (%s); keeping round %d",
                len(rounds),
                result.status,
                len(rounds) - 1,
            )
            active[removed.pop()] = True
            break
        xi = polish(reduced.balance, result.xi, reduced.blocks)
        x_full = np.zeros(problem.n_states)
        x_full[keep] = xi * reduced.scale
        stats = statistics_at(problem, reduced, x_full, active)
        state = _Elimination(result, reduced, xi, stats, active, removed, rounds, total_iterations)
        chi2 = objective(problem, x_full, active & ~problem.exact)
        dof = int(np.sum(active & ~problem.exact)) - stats.rank
        critical = chi2_ppf(confidence, dof) if dof > 0 else math.nan
        # Without redundancy there is nothing to test: "not testable", never "passed".
        passed = bool(chi2 <= critical) if dof > 0 else None
        rounds.append(
            {
                "round": len(rounds),
                "removed": describe(problem.measurements[removed[-1]]) if removed else "",
                "indistinguishable": tied,
                "chi2": chi2,
                "dof": dof,
                "critical": critical,
                "passed": passed,
            }
        )
        if passed is not False or not gross_error_test or len(removed) >= max_suspects:
            break
        found = worst_measurement(problem, x_full, stats, active)
        if found is None:
            break
        candidate, ties = found
        active[candidate] = False
        removed.append(candidate)
        tied = "; ".join(describe(problem.measurements[i]) for i in ties)
        logger.info("gross-error suspect: %s", describe(problem.measurements[candidate]))
        if ties:
            logger.info("indistinguishable from it on this survey: %s", tied)
    # The loop ran at least once, so a round and its statistics exist.
    assert state is not None
    state.iterations = total_iterations
    return state


def _verdict(passed: bool | None) -> str:
    """``passed``, ``failed`` or ``not testable`` (no degrees of freedom)."""
    return "not testable" if passed is None else ("passed" if passed else "failed")


def _result(
    survey: Survey,
    problem: SurveyProblem,
    network: Network,
    prepared: _Prepared,
    elimination: _Elimination,
    confidence: float,
    started: float,
) -> ReconcileResult:
    """Tables and meta of the last accepted round."""
    reduced, xi = elimination.reduced, elimination.xi
    keep = reduced.keep
    at_bound = [
        f"{problem.keys[j][1]}: {state_label(problem.keys[j], problem.classes_um)}"
        for j, value, low, start in zip(
            keep, xi * reduced.scale, reduced.floor, reduced.reference, strict=True
        )
        if low > 0 and value <= ZERO_FLOW * start
    ]
    if at_bound:
        logger.warning(
            "at the lower bound (effectively zero; the measurements of these streams "
            "that depend on them cannot be checked): %s",
            "; ".join(at_bound),
        )
    x_full = np.full(problem.n_states, np.nan)
    x_full[keep] = xi * reduced.scale
    tables = result_tables(
        problem,
        network,
        x_full,
        reduced.position,
        reduced.scale,
        elimination.stats,
        elimination.active,
        survey.measurements,
    )
    final = elimination.rounds[-1]
    closure = closure_table(problem, x_full)
    determined = closure["rel_err"].dropna()
    meta = {
        "status": elimination.last.status,
        "iterations": elimination.iterations,
        "rounds": len(elimination.rounds),
        "objective_history": elimination.last.history,
        "chi2": final["chi2"],
        "dof": final["dof"],
        "critical": final["critical"],
        "passed": final["passed"],
        "test": _verdict(final["passed"]),
        "confidence": confidence,
        "suspects": tuple(describe(problem.measurements[i]) for i in elimination.removed),
        # Per suspect, the measurements the data cannot tell apart from it: any one of
        # them could be the gross error.
        "suspect_sets": tuple(
            tuple(filter(None, (row["removed"], *row["indistinguishable"].split("; "))))
            for row in elimination.rounds[1:]
        ),
        "unobservable": prepared.unobservable,
        "at_bound": tuple(at_bound),
        "max_rel_closure": float(determined.max()) if len(determined) else 0.0,
        # Steps are sparse KKT solves; HiGHS solves a step only where a bound binds.
        "solver": "scipy",
        "solver_version": scipy.__version__,
        "bounded_step_solver": f"highs {HighsStep.solver_version()}",
        "seconds": time.perf_counter() - started,
    }
    return ReconcileResult(
        streams=tables["streams"],
        sizes=tables["sizes"],
        nodes=tables["nodes"],
        adjustments=tables["adjustments"],
        tests=pd.DataFrame(elimination.rounds, columns=_TEST_COLUMNS),
        closure=closure,
        meta=MappingProxyType(meta),
    )

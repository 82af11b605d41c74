"""Damped Gauss-Newton on exactly linear balances, with rescaling of collapsing flows.

Each iteration linearises the ratio measurements at the current point and solves the
convex QP ``min sum z_i^2`` over the scaled state step, where ``z`` are the linearised
standardised adjustments, subject to the balances; the step is taken by a backtracking
(Armijo) line search on the true objective. The balances being linear in the states,
every iterate closes them exactly.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from oreflow.solvers.reconcile.assembly import SurveyProblem
from oreflow.solvers.reconcile.blocks import Blocks
from oreflow.solvers.reconcile.kkt import KktStep
from oreflow.solvers.reconcile.statistics import normalise_rows

logger = logging.getLogger(__name__)

#: Lowest value of a state that divides a measurement (a flow), relative to its
#: starting value. A flow the data drive to zero (a node whose assays imply a negative
#: split) stops here and is reported as at its bound.
DENOMINATOR_FLOOR = 1e-9
#: A flow reconciled below this fraction of its starting value is reported as zero
#: (``meta["at_bound"]``): the data want it at or below zero. Gauss-Newton crawls on
#: such a collapsing flow (its assays, M/S, become singular), so it is pinned there.
ZERO_FLOW = 1e-6
#: A state below this fraction of its scale is rescaled (and the QP rebuilt): with a
#: fixed scale the ratio Jacobian grows as 1/flow and a flow heading to zero makes the
#: QP too ill-conditioned for HiGHS (Hessian entries above its 1e15 limit).
_RESCALE_BELOW = 1e-2
#: At most this many rescalings per round.
_MAX_RESCALES = 20
#: Armijo sufficient-decrease constant.
_ARMIJO = 1e-4


@dataclass(frozen=True)
class Reduced:
    """The problem on its observable states, scaled: x = scale * xi."""

    keep: np.ndarray  # indices of kept states in the full problem
    position: np.ndarray  # per full state: its index among the kept states, or -1
    scale: np.ndarray  # (n_keep,)
    balance: sparse.csr_matrix  # scaled, projected, row-normalised
    entry_keep: np.ndarray  # per Jacobian entry: position in the kept states
    floor: np.ndarray  # lower bound of each kept state, unscaled
    reference: np.ndarray  # starting scale of each kept state, for convergence tests
    partner: np.ndarray  # for a ratio's numerator, its denominator (kept index), or -1
    blocks: Blocks  # independent blocks of the kept states


@dataclass(frozen=True)
class Round:
    """A converged (or stopped) Gauss-Newton round."""

    xi: np.ndarray
    history: tuple[float, ...]
    iterations: int
    status: str


def objective(problem: SurveyProblem, x: np.ndarray, active: np.ndarray) -> float:
    """Sum of squared standardised adjustments of the active measurements."""
    z = (problem.values(x) - problem.measured) / problem.sd
    return float(np.sum(z[active] ** 2))


def gauss_newton(
    problem: SurveyProblem,
    reduced: Reduced,
    qp: KktStep,
    xi_start: np.ndarray,
    active: np.ndarray,
    *,
    max_iterations: int,
    step_tolerance: float,
) -> Round:
    """Damped Gauss-Newton from the balanced point ``xi_start`` (scaled kept states).

    Every step is a line search on the true objective from a balanced point, so the
    iterates stay balanced and the objective history is non-increasing (up to
    round-off, see below).
    """
    keep, scale = reduced.keep, reduced.scale
    floor = reduced.floor / scale
    relative = scale / reduced.reference
    collapsible = problem.is_flow[keep] & problem.is_denominator[keep]
    entry_rows = problem.entry_meas
    sd = problem.sd

    def full(xi: np.ndarray) -> np.ndarray:
        x = np.zeros(problem.n_states)
        x[keep] = xi * scale
        return x

    def linearise(xi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = full(xi)
        residual = (problem.values(x) - problem.measured) / sd
        residual[~active] = 0.0
        coef = problem.jacobian_entries(x) * scale[reduced.entry_keep] / sd[entry_rows]
        coef[~active[entry_rows]] = 0.0
        return residual, coef

    xi = xi_start.copy()
    iterations = 0
    f = objective(problem, full(xi), active)
    history = [f]
    status = "not_converged"
    for _ in range(max_iterations):
        residual, coef = linearise(xi)
        lower = floor - xi
        # Bounds within round-off of zero are zero: HiGHS warns about tiny bounds.
        lower[np.abs(lower) < 1e-12] = 0.0
        pinned = collapsible & (xi * scale <= ZERO_FLOW * reduced.reference)
        qp_status, d, _ = qp.step(coef, residual, lower, pinned)
        if d is None:
            status = qp_status if iterations == 0 else f"not_converged (HiGHS step: {qp_status})"
            break
        # HiGHS meets bounds to its feasibility tolerance (1e-7); a state at its floor
        # must not dip below it, or a flow could turn negative.
        d = np.maximum(d, lower)
        iterations += 1
        # Directional derivative of J along d: 2 r . (C d).
        change = np.zeros(len(sd))
        np.add.at(change, entry_rows, coef * d[reduced.entry_keep])
        slope = 2.0 * float(np.dot(residual, change))
        # Steps are measured against the starting scale: a flow that has collapsed
        # towards zero (and been rescaled) may still move by a large fraction of
        # itself while moving nothing that matters.
        step = float(np.max(np.abs(d) * relative * ~pinned)) if d.size else 0.0
        if step <= step_tolerance:
            status = "optimal"
            break
        # Near the optimum J changes below its own round-off; there the QP model is the
        # better judge, so a full step that does not raise J beyond round-off is taken.
        noise = 1e-13 * (1.0 + f)
        alpha = 1.0
        trial = xi + d
        f_trial = objective(problem, full(trial), active)
        if f_trial > f + noise:
            while f_trial > f + _ARMIJO * alpha * slope and alpha > 1e-10:
                alpha *= 0.5
                trial = xi + alpha * d
                f_trial = objective(problem, full(trial), active)
        if f_trial > f + noise:
            # No decrease even along a tiny step: stationary to round-off.
            logger.debug("line search stalled at J=%.17g (step %.3g)", f, step)
            status = "optimal"
            break
        xi, f = trial, min(f, f_trial)
        history.append(f_trial)
        if alpha * step <= step_tolerance:
            status = "optimal"
            break
        if np.any(_needs_rescale(xi * scale, reduced)):
            status = "rescale"
            break
    return Round(xi, tuple(history), iterations, status)


def _smallest_scale(reduced: Reduced, x: np.ndarray) -> np.ndarray:
    """The smallest scale each state may be given at the point ``x`` (unscaled).

    A flow (a denominator) may shrink to 1e-9 of its start. A component flow measured
    as a ratio to a flow (``M`` in ``M / S``) keeps its scale in proportion to that
    flow's current value: it shrinks with a collapsing stream (else ``dh/dM = 1/S``
    explodes) but not when only the assay tends to zero (else its Hessian entries
    fall below HiGHS's 1e-9 cut-off and the QP becomes unbounded). Other states keep
    at least 1e-3 of their start.
    """
    partner = reduced.partner
    has_partner = partner >= 0
    smallest = 1e-3 * reduced.reference
    ratio = reduced.reference[has_partner] / reduced.reference[partner[has_partner]]
    smallest[has_partner] = ratio * np.maximum(
        x[partner[has_partner]], reduced.floor[partner[has_partner]]
    )
    flows = reduced.floor > 0
    smallest[flows] = DENOMINATOR_FLOOR * reduced.reference[flows]
    return np.maximum(smallest, reduced.floor)


def _needs_rescale(x: np.ndarray, reduced: Reduced) -> np.ndarray:
    """States far below their scale (and not already scaled to their smallest)."""
    return (x < _RESCALE_BELOW * reduced.scale) & (
        reduced.scale > 10.0 * np.maximum(x, _smallest_scale(reduced, x))
    )


def _rescaled(reduced: Reduced, x: np.ndarray) -> Reduced:
    """The same problem with the shrunken states rescaled to their current values."""
    shrink = _needs_rescale(x, reduced)
    scale = np.where(shrink, np.maximum(x, _smallest_scale(reduced, x)), reduced.scale)
    balance = normalise_rows(reduced.balance @ sparse.diags(scale / reduced.scale))
    return dataclasses.replace(reduced, scale=scale, balance=balance)


def partners(problem: SurveyProblem, position: np.ndarray) -> np.ndarray:
    """Per state, the (kept) flow it is measured against as a ratio, or -1."""
    partner = np.full(problem.n_states, -1, dtype=np.int64)
    for i in range(len(problem.measurements)):
        top, bottom = int(problem.numerator[i]), int(problem.denominator[i, 0])
        if bottom >= 0 and not problem.is_denominator[top]:
            partner[top] = position[bottom]
    return partner


def solve_round(
    problem: SurveyProblem,
    reduced: Reduced,
    qp: KktStep,
    xi: np.ndarray,
    active: np.ndarray,
    *,
    max_iterations: int,
    step_tolerance: float,
) -> tuple[Round, Reduced, KktStep]:
    """Gauss-Newton to convergence, rescaling (and rebuilding the QP) when asked."""
    history: list[float] = []
    iterations = 0
    for _ in range(_MAX_RESCALES + 1):
        result = gauss_newton(
            problem,
            reduced,
            qp,
            xi,
            active,
            max_iterations=max(1, max_iterations - iterations),
            step_tolerance=step_tolerance,
        )
        status = result.status
        if result.iterations == 0 and iterations > 0 and status != "rescale":
            status = f"not_converged (HiGHS step: {status})"
        iterations += result.iterations
        # After a rescale the first value repeats the last one (same point).
        history += list(result.history[1:] if history else result.history)
        if status != "rescale":
            return Round(result.xi, tuple(history), iterations, status), reduced, qp
        x = result.xi * reduced.scale
        reduced = _rescaled(reduced, x)
        logger.debug("rescaled the states that shrank below %g of their scale", _RESCALE_BELOW)
        qp = KktStep(
            reduced.balance, problem.entry_meas, reduced.entry_keep, len(problem.measurements)
        )
        xi = x / reduced.scale
    return Round(xi, tuple(history), iterations, "not_converged"), reduced, qp

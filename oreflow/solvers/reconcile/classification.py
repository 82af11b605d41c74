"""Classification before solving: what the survey cannot determine, and zero sds it checks.

A flow the balances and measurements leave undetermined (unobservable) is an input
error naming the flow; so is a measurement that depends on an undetermined state. A
measurement given a zero standard deviation must be non-redundant (it only sets what
nothing else checks); a redundant one is an error.
"""

from __future__ import annotations

import numpy as np

from oreflow.errors import CaseError, Problem
from oreflow.flowsheet.survey import Measurement, Survey
from oreflow.solvers.reconcile.assembly import FLOW_PHASE, SurveyProblem, state_label
from oreflow.solvers.reconcile.statistics import REDUNDANT_TOL


def describe(m: Measurement) -> str:
    """A measurement in words: stream, quantity, size class and row."""
    size = f" {m.size_um:g} um" if m.size_um is not None else ""
    return f"{m.stream} {m.quantity}{size} ({m.where})"


def check_observability(
    survey: Survey, problem: SurveyProblem, unobservable: np.ndarray, feed: str
) -> None:
    """Raise naming every unobservable flow and every measurement on an undetermined state.

    ``feed`` is the stream named in the advice when no flow is measured at all.
    """
    problems: list[Problem] = []
    names = {"S": "solids_tph", "W": "water_tph", "C": "carbon_tph"}
    flows = [
        key for key, bad in zip(problem.keys, unobservable, strict=True) if bad and key[0] in names
    ]
    metered = any(q.kind in FLOW_PHASE for q in problem.quantities)
    if flows and not metered:
        raise CaseError(
            [
                Problem(
                    survey.file,
                    "",
                    "no flow is measured, so the plant's scale is unknown (the assays can "
                    "at most fix every split); give the solids flow of the feed: "
                    f"`--scale-tph T` (scale_tph=T) or a row {feed},solids_tph,T,0,abs. "
                    "Splits and recoveries do not depend on it",
                )
            ]
        )
    if flows:
        listing = ", ".join(f"{key[1]} {names[key[0]]}" for key in flows)
        problems += [
            Problem(
                survey.file,
                f"stream {key[1]}, quantity {names[key[0]]}",
                f"{names[key[0]]} of stream {key[1]!r} cannot be determined from the balances "
                "and measurements (unobservable); measure it, or measure assays that set its "
                f"split (a stream that carries none of it needs {names[key[0]]} 0). "
                f"Undetermined flows: {listing}",
            )
            for key in flows
        ]
    flow_bad = {key[1] for key in flows}
    for i, m in enumerate(problem.measurements):
        states = problem.entry_state[problem.entry_meas == i]
        bad = [problem.keys[j] for j in states if unobservable[j]]
        if bad and m.stream not in flow_bad:
            what = ", ".join(state_label(key, problem.classes_um) for key in bad)
            problems.append(
                Problem(
                    survey.file,
                    m.at("quantity"),
                    f"{m.quantity} on {m.stream!r} depends on {what}, which the survey does "
                    "not determine (for an assay by size, measure mass_frac of that class "
                    "on the same stream)",
                )
            )
    if problems:
        raise CaseError(problems)


def check_exact(survey: Survey, problem: SurveyProblem, leverage: np.ndarray) -> None:
    """Raise naming every zero-sd measurement the balances check (leverage below one)."""
    problems = [
        Problem(
            survey.file,
            m.at("sd"),
            f"standard deviation is zero, but the balances check {m.quantity} on {m.stream!r} "
            "(it is redundant), so reconciliation must be free to move it; give a positive sd",
        )
        for m, exact, lev in zip(problem.measurements, problem.exact, leverage, strict=True)
        if exact and lev < 1.0 - REDUNDANT_TOL
    ]
    if problems:
        raise CaseError(problems)

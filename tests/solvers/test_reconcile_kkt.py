"""Sparse KKT steps against HiGHS QP steps: the same reconciled answer, to 1e-8.

Every Gauss-Newton step is one sparse KKT solve unless it would pass a bound; HiGHS's
QP solver, which solved every step before, must reach the same point. Forcing the QP
on every step (the KKT solve reported as failed) gives the reference.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from oreflow.flowsheet.network import Network
from oreflow.flowsheet.survey import Survey, read_survey
from oreflow.solvers.reconcile import kkt, reconcile

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_reconcile import DATA, DEVIATIONS, cyclone_survey, flotation_circuit, flotation_records
from test_reconcile_bilinear import tree_survey

#: Reconciled values agree to this (relative).
RTOL_STEPS = 1e-8


def surveys():
    network, flow, grades = flotation_circuit()
    planted = flotation_records(flow, grades, DEVIATIONS, planted=("final_conc", "s_pct"))
    negative = Network.from_nodes({"rougher": (["feed"], ["conc", "tail"])})
    return {
        "rougher": (read_survey(DATA / "rougher.csv"), None),
        "grinding": (read_survey(DATA / "grinding.csv"), None),
        "flotation with a gross error": (Survey.from_records(planted), network),
        "tree": tree_survey(),
        "sized cyclone": cyclone_survey()[:2],
        "negative split": (
            Survey.from_records(
                [
                    {"stream": "feed", "quantity": "solids_tph", "value": 100.0},
                    {"stream": "feed", "quantity": "au_gpt", "value": 0.36},
                    {"stream": "conc", "quantity": "au_gpt", "value": 24.0},
                    {"stream": "tail", "quantity": "au_gpt", "value": 0.40},
                    {"stream": "feed", "quantity": "s_pct", "value": 0.50},
                    {"stream": "conc", "quantity": "s_pct", "value": 19.5},
                    {"stream": "tail", "quantity": "s_pct", "value": 0.55},
                ]
            ),
            negative,
        ),
    }


def values(result):
    return np.concatenate(
        [
            result.adjustments["reconciled"].to_numpy(float),
            result.streams.select_dtypes("number").to_numpy(float).ravel(),
        ]
    )


@pytest.mark.solver
@pytest.mark.parametrize("name", list(surveys()))
def test_kkt_steps_reach_the_qp_answer(name, monkeypatch):
    survey, network = surveys()[name]
    fast = reconcile(survey, network)
    with monkeypatch.context() as patch:
        patch.setattr(kkt.KktStep, "_unbounded", lambda self, *args: None)
        reference = reconcile(survey, network)
    assert fast.meta["suspects"] == reference.meta["suspects"]
    assert fast.meta["at_bound"] == reference.meta["at_bound"]
    assert fast.meta["dof"] == reference.meta["dof"]
    a, b = values(fast), values(reference)
    assert np.array_equal(np.isnan(a), np.isnan(b))
    keep = ~np.isnan(a)
    # Standard deviations of exactly determined figures are round-off (1e-17) in both.
    scale = np.maximum(np.abs(b[keep]), 1e-9)
    assert np.max(np.abs(a[keep] - b[keep]) / scale) <= RTOL_STEPS
    assert fast.meta["chi2"] == pytest.approx(reference.meta["chi2"], rel=RTOL_STEPS)


@pytest.mark.solver
def test_bounded_step_goes_to_highs():
    calls = []
    original = kkt.HighsStep.step

    def counted(self, *args):
        calls.append(1)
        return original(self, *args)

    survey, network = surveys()["negative split"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(kkt.HighsStep, "step", counted)
        result = reconcile(survey, network)
        assert calls, "the flow driven to zero needs the bounded QP"
        calls.clear()
        reconcile(*surveys()["rougher"])
        assert not calls, "no bound binds on the rougher survey: KKT steps only"
    assert result.meta["at_bound"] == ("conc: solids_tph",)

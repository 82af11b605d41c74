"""The bilinear (flow x assay) scheme: monotone, convergent, balances closed, stationary.

The scheme (``oreflow.solvers.reconcile``): states are flows and component flows, so
every balance is linear and closes at every iterate; each Gauss-Newton step solves a
convex QP in the standardised adjustments and a line search on the true objective
takes it. These tests check the three claims that make it a convergent scheme:
the objective never increases (beyond round-off), the final balances close to
``RTOL_CLOSURE``, and the answer is a stationary point of the constrained weighted
least-squares problem (checked here independently of the implementation).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from oreflow.conventions import RTOL_CLOSURE
from oreflow.flowsheet.network import Network
from oreflow.flowsheet.survey import Survey, read_survey
from oreflow.solvers.reconcile import reconcile

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_reconcile import (  # shared survey builders
    DATA,
    DEVIATIONS,
    cyclone_survey,
    flotation_circuit,
    flotation_records,
)

#: Line-search acceptance allows J to rise by round-off only (relative).
RTOL_ROUNDOFF = 1e-12


def assert_monotone_and_closed(result):
    history = np.array(result.meta["objective_history"])
    assert history.size >= 1
    rises = np.diff(history)
    assert np.all(rises <= RTOL_ROUNDOFF * (1.0 + history[:-1])), history
    assert result.meta["status"] == "optimal"
    assert result.meta["max_rel_closure"] <= RTOL_CLOSURE
    assert result.closure["rel_err"].dropna().max() <= RTOL_CLOSURE


def tree_survey(n_nodes=20, seed=3):
    """A binary tree of flotation nodes, one flow meter, Au and S assays with noise."""
    rng = np.random.default_rng(seed)
    nodes, frontier, k = {}, ["s0"], 1
    flow, au, s = {"s0": 500.0}, {"s0": 2.0}, {"s0": 1.5}
    for n in range(n_nodes):
        inlet, conc, tail = frontier.pop(0), f"s{k}", f"s{k + 1}"
        k += 2
        nodes[f"n{n}"] = ([inlet], [conc, tail])
        frontier += [conc, tail]
        pull = rng.uniform(0.1, 0.5)
        flow[conc], flow[tail] = pull * flow[inlet], (1 - pull) * flow[inlet]
        for grade, enrich in ((au, rng.uniform(1.2, 2.0)), (s, rng.uniform(1.05, 1.5))):
            recovery = min(0.95, pull * enrich)
            grade[conc] = recovery * grade[inlet] / pull
            grade[tail] = (1 - recovery) * grade[inlet] / (1 - pull)
    records = [{"stream": "s0", "quantity": "solids_tph", "value": 500.0}]
    for stream in flow:
        records.append(
            {
                "stream": stream,
                "quantity": "au_gpt",
                "sd": 0.05,
                "sd_kind": "rel",
                "value": au[stream] * (1 + 0.05 * rng.standard_normal()),
            }
        )
        records.append(
            {
                "stream": stream,
                "quantity": "s_pct",
                "sd": 0.05,
                "sd_kind": "rel",
                "value": s[stream] * (1 + 0.05 * rng.standard_normal()),
            }
        )
    return Survey.from_records(records), Network.from_nodes(nodes)


@pytest.mark.solver
def test_rougher_matches_the_one_dimensional_search():
    # Smith & Ichiyen 1973; Hodouin & Everell 1980; docs/survey.md: for a fixed split the assay problem has a closed form, J(s); the
    # optimum over s (golden section to machine precision) is the reference.
    x = np.array([[2.00, 24.0, 0.40], [1.72, 19.5, 0.55], [4.20, 19.0, 3.20]])
    sd = np.array([[0.05, 0.05, 0.10], [0.03, 0.03, 0.05], [0.02, 0.02, 0.02]]) * x

    def solve_fixed_split(split):
        a = np.array([1.0, -split, -(1.0 - split)])
        adjusted, objective = x.copy(), 0.0
        for k in range(3):
            residual, weight = a @ x[k], a @ (sd[k] ** 2 * a)
            adjusted[k] = x[k] - sd[k] ** 2 * a * residual / weight
            objective += residual**2 / weight
        return adjusted, objective

    lo, hi, golden = 0.01, 0.2, (np.sqrt(5.0) - 1.0) / 2.0
    for _ in range(200):
        c, d = hi - golden * (hi - lo), lo + golden * (hi - lo)
        if solve_fixed_split(c)[1] < solve_fixed_split(d)[1]:
            hi = d
        else:
            lo = c
    split = 0.5 * (lo + hi)
    adjusted, objective = solve_fixed_split(split)

    result = reconcile(read_survey(DATA / "rougher.csv"))
    streams = result.streams.set_index("stream")
    found = streams.loc["conc", "solids_tph"] / streams.loc["feed", "solids_tph"]
    assert found == pytest.approx(split, rel=1e-9)
    assert result.meta["chi2"] == pytest.approx(objective, rel=1e-12)
    for k, column in enumerate(("au_gpt", "s_pct", "fe_pct")):
        np.testing.assert_allclose(
            streams.loc[["feed", "conc", "tail"], column], adjusted[k], rtol=1e-9
        )
    assert_monotone_and_closed(result)


@pytest.mark.solver
def test_objective_non_increasing_and_balances_closed_on_a_tree():
    survey, network = tree_survey()
    result = reconcile(survey, network)
    assert_monotone_and_closed(result)
    # The start is far enough from the answer for the scheme to have worked.
    history = result.meta["objective_history"]
    assert len(history) >= 3
    assert history[0] > 1.01 * history[-1]


@pytest.mark.solver
def test_every_elimination_round_converges():
    network, flow, grades = flotation_circuit()
    records = flotation_records(flow, grades, DEVIATIONS, planted=("final_conc", "s_pct"))
    result = reconcile(Survey.from_records(records), network)
    assert result.meta["rounds"] == 2
    assert_monotone_and_closed(result)


@pytest.mark.solver
def test_sized_survey_converges():
    survey, network, _ = cyclone_survey()
    assert_monotone_and_closed(reconcile(survey, network))


@pytest.mark.solver
def test_answer_is_a_stationary_point():
    # Rebuild the problem from the answer alone, in component flows x = (S, M_k): the
    # balances are B x = 0 and J(x) = sum(((M/S - y)/sd)^2) + ((S_feed - y)/sd)^2.
    # At a constrained optimum the gradient of J is orthogonal to the null space of B.
    network, flow, grades = flotation_circuit()
    survey = Survey.from_records(flotation_records(flow, grades, DEVIATIONS))
    result = reconcile(survey, network)
    streams = result.streams.set_index("stream")
    names = list(network.streams)
    species = list(grades)
    n = len(names)
    x = np.concatenate(
        [streams.loc[names, "solids_tph"].to_numpy()]
        + [(streams.loc[names, q] * streams.loc[names, "solids_tph"]).to_numpy() for q in species]
    )
    gradient = np.zeros_like(x)
    for m in survey.measurements:
        j = names.index(m.stream)
        if m.quantity == "solids_tph":
            gradient[j] += 2.0 * (x[j] - m.value) / m.sd**2
            continue
        i = n * (1 + species.index(m.quantity)) + j
        solids, component = x[j], x[i]
        z = (component / solids - m.value) / m.sd
        gradient[i] += 2.0 * z / (m.sd * solids)
        gradient[j] -= 2.0 * z * component / (m.sd * solids**2)
    balance = np.zeros((len(network.nodes) * (1 + len(species)), x.size))
    for k, node in enumerate(network.nodes):
        for block in range(1 + len(species)):
            row = k * (1 + len(species)) + block
            for s in node.inlets:
                balance[row, block * n + names.index(s)] += 1.0
            for s in node.outlets:
                balance[row, block * n + names.index(s)] -= 1.0
    scale = np.abs(x)
    _, singular, vt = np.linalg.svd(balance * scale, full_matrices=True)
    null = vt[int(np.sum(singular > 1e-10 * singular[0])) :].T
    projected = null.T @ (gradient * scale)
    assert np.abs(balance @ x).max() <= RTOL_CLOSURE * np.abs(x).max()
    assert np.abs(projected).max() <= 1e-7 * np.abs(gradient * scale).max()


@pytest.mark.solver
def test_negative_split_drives_the_flow_to_its_bound():
    # Feed assays below the tail's for both species imply a negative concentrate flow:
    # the constrained optimum has the concentrate at zero, the feed and tail equal, and
    # the concentrate assays unchecked. The scheme must get there (rescaling the
    # collapsing stream keeps each QP well posed) and say so.
    network = Network.from_nodes({"rougher": (["feed"], ["conc", "tail"])})
    records = [
        {"stream": "feed", "quantity": "solids_tph", "value": 100.0},
        {"stream": "feed", "quantity": "au_gpt", "value": 0.36},
        {"stream": "conc", "quantity": "au_gpt", "value": 24.0},
        {"stream": "tail", "quantity": "au_gpt", "value": 0.40},
        {"stream": "feed", "quantity": "s_pct", "value": 0.50},
        {"stream": "conc", "quantity": "s_pct", "value": 19.5},
        {"stream": "tail", "quantity": "s_pct", "value": 0.55},
    ]
    result = reconcile(Survey.from_records(records), network)
    assert_monotone_and_closed(result)
    assert result.meta["at_bound"] == ("conc: solids_tph",)
    streams = result.streams.set_index("stream")
    assert streams.loc["conc", "solids_tph"] <= 1e-6 * 100.0
    for column in ("au_gpt", "s_pct"):
        assert streams.loc["feed", column] == pytest.approx(
            streams.loc["tail", column], rel=RTOL_CLOSURE
        )
    # With the split at zero, J is the two-stream problem: feed and tail assays pulled
    # to their weighted mean (weights 1/sd^2, default sd 10 % Au, 5 % S).
    expected = 0.0
    for f, t, rel in ((0.36, 0.40, 0.10), (0.50, 0.55, 0.05)):
        wf, wt = 1.0 / (rel * f) ** 2, 1.0 / (rel * t) ** 2
        mean = (wf * f + wt * t) / (wf + wt)
        expected += wf * (mean - f) ** 2 + wt * (mean - t) ** 2
    assert result.meta["chi2"] == pytest.approx(expected, rel=1e-6)

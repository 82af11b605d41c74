"""Survey reconciliation: worked examples, closed forms, gross errors, observability."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from oreflow.conventions import RTOL_CLOSURE, RTOL_EXACT, RTOL_GOLDEN
from oreflow.errors import CaseError
from oreflow.flowsheet.network import Network
from oreflow.flowsheet.survey import Measurement, Survey, parse_quantity, read_survey
from oreflow.report.reconcile_report import (
    EXCEL_NAME,
    JSON_NAME,
    reconcile_summary,
    write_reconcile_outputs,
)
from oreflow.solvers.reconcile import chi2_cdf, chi2_ppf, reconcile

DATA = Path(__file__).resolve().parents[1] / "data" / "surveys"


def printed(text):
    """A value as printed in Smith & Ichiyen 1973; Hodouin & Everell 1980; docs/survey.md: equal once rounded to the printed decimals."""
    decimals = len(text.split(".")[1]) if "." in text else 0
    return pytest.approx(float(text), rel=0.0, abs=0.5 * 10.0**-decimals * (1.0 + 1e-9))


def table(result, frame="streams", key="stream"):
    return getattr(result, frame).set_index(key)


# --------------------------------------------------------------------------- chi-square
@pytest.mark.parametrize(
    ("probability", "dof", "quantile"),
    [
        (0.95, 1, 3.841458820694124),
        (0.95, 2, 5.991464547107979),
        (0.95, 3, 7.814727903251178),
        (0.95, 5, 11.070497693516351),
        (0.95, 10, 18.307038053275146),
        (0.95, 30, 43.77297182574219),
        (0.95, 100, 124.34211340400407),
        (0.99, 2, 9.210340371976182),
        (0.90, 7, 12.017036623780532),
    ],
)
def test_chi2_quantiles_against_tables(probability, dof, quantile):
    assert chi2_ppf(probability, dof) == pytest.approx(quantile, rel=1e-12)
    assert chi2_cdf(quantile, dof) == pytest.approx(probability, rel=1e-12)


# --------------------------------------------------------------------------- exact surveys
@pytest.mark.solver
def test_two_product_formula_reproduced_exactly():
    f, c, t = 2.0, 25.0, 0.30
    network = Network.from_nodes({"rougher": (["feed"], ["conc", "tail"])})
    survey = Survey.from_records(
        [
            {"stream": "feed", "quantity": "solids_tph", "value": 100.0},
            {"stream": "feed", "quantity": "au_gpt", "value": f},
            {"stream": "conc", "quantity": "au_gpt", "value": c},
            {"stream": "tail", "quantity": "au_gpt", "value": t},
        ],
        network=network,
    )
    result = reconcile(survey, network)
    streams = table(result)
    split = streams.loc["conc", "solids_tph"] / streams.loc["feed", "solids_tph"]
    recovery = table(result, "nodes").loc["conc", "au_recovery_frac"]
    # Closed form C/F = (f - t)/(c - t), R = c (f - t) / (f (c - t)), and ex10's print.
    assert split == pytest.approx((f - t) / (c - t), rel=RTOL_CLOSURE)
    assert recovery == pytest.approx(c * (f - t) / (f * (c - t)), rel=RTOL_CLOSURE)
    assert split == printed("0.068826")
    assert recovery == printed("0.860324")
    # No redundancy: nothing moves and there is nothing to test ("not testable",
    # never "passed").
    assert result.meta["dof"] == 0
    assert result.passed is None
    assert result.meta["test"] == "not testable"
    assert result.tests["passed"].tolist() == [None]
    assert "not testable" in reconcile_summary(result)
    assert "passed" not in reconcile_summary(result)
    np.testing.assert_allclose(
        result.adjustments["reconciled"], result.adjustments["measured"], rtol=RTOL_CLOSURE
    )


@pytest.mark.solver
def test_three_product_exact_survey_reproduced():
    # Feed -> lead concentrate, zinc concentrate, tail with two assays: three splits,
    # two assays and the solids balance, so the exact survey has no redundancy.
    splits = np.array([0.05, 0.12, 0.83])
    au = np.array([30.0, 4.0, 0.25])
    s = np.array([25.0, 31.0, 0.6])
    feed_au, feed_s = splits @ au, splits @ s
    network = Network.from_nodes({"flotation": (["feed"], ["c1", "c2", "tail"])})
    records = [
        {"stream": "feed", "quantity": "solids_tph", "value": 400.0},
        {"stream": "feed", "quantity": "au_gpt", "value": feed_au},
        {"stream": "feed", "quantity": "s_pct", "value": feed_s},
    ]
    for name, a, b in zip(("c1", "c2", "tail"), au, s, strict=True):
        records += [
            {"stream": name, "quantity": "au_gpt", "value": a},
            {"stream": name, "quantity": "s_pct", "value": b},
        ]
    result = reconcile(Survey.from_records(records), network)
    streams = table(result)
    found = streams.loc[["c1", "c2", "tail"], "solids_tph"].to_numpy() / 400.0
    # Three-product formula: [1 1 1; Au; S] @ splits = [1, Au_f, S_f].
    formula = np.linalg.solve(np.vstack([np.ones(3), au, s]), [1.0, feed_au, feed_s])
    np.testing.assert_allclose(found, formula, rtol=RTOL_CLOSURE)
    np.testing.assert_allclose(found, splits, rtol=RTOL_CLOSURE)
    np.testing.assert_allclose(
        result.adjustments["reconciled"], result.adjustments["measured"], rtol=RTOL_CLOSURE
    )
    assert result.meta["dof"] == 0


# --------------------------------------------------------------------------- linear case
def lagrange(x, sd, a):
    """Closed form of Smith & Ichiyen 1973; Hodouin & Everell 1980; docs/survey.md: x_hat = x - V A^T (A V A^T)^-1 A x."""
    v = np.diag(sd**2)
    gain = v @ a.T @ np.linalg.inv(a @ v @ a.T)
    x_hat = x - gain @ a @ x
    covariance = v - gain @ a @ v
    objective = float((a @ x) @ np.linalg.solve(a @ v @ a.T, a @ x))
    return x_hat, np.sqrt(np.diag(covariance)), objective


@pytest.mark.solver
def test_grinding_circuit_ex10_and_lagrange():
    result = reconcile(read_survey(DATA / "grinding.csv"))
    streams = table(result)
    found = streams.loc[["F", "M", "U", "O"], "solids_tph"].to_numpy()
    assert list(found) == [printed(v) for v in ("302.6171", "926.1164", "623.4993", "302.6171")]
    assert result.meta["chi2"] == printed("1.061291")
    assert result.meta["dof"] == 2
    assert result.meta["critical"] == pytest.approx(5.9915, rel=1e-4)
    assert result.passed
    assert found[2] / found[0] == printed("2.060357")  # circulating load

    x = np.array([305.0, 905.0, 640.0, 290.0])
    sd = np.array([0.02, 0.08, 0.10, 0.05]) * x
    a = np.array([[1.0, -1.0, 1.0, 0.0], [0.0, 1.0, -1.0, -1.0]])
    x_hat, sd_hat, objective = lagrange(x, sd, a)
    np.testing.assert_allclose(found, x_hat, rtol=RTOL_CLOSURE)
    np.testing.assert_allclose(
        streams.loc[["F", "M", "U", "O"], "solids_tph_sd"], sd_hat, rtol=RTOL_CLOSURE
    )
    assert result.meta["chi2"] == pytest.approx(objective, rel=RTOL_CLOSURE)


@pytest.mark.solver
def test_qp_matches_lagrange_on_a_larger_linear_network():
    # Two-stage grinding with a regrind recycle and a splitter: 9 streams, 5 nodes.
    nodes = {
        "primary": (["feed", "u1"], ["d1"]),
        "cyclone1": (["d1"], ["u1", "o1"]),
        "split": (["o1"], ["a", "b"]),
        "regrind": (["b", "u2"], ["d2"]),
        "cyclone2": (["d2"], ["u2", "o2"]),
    }
    network = Network.from_nodes(nodes)
    streams = list(network.streams)
    truth = {
        "feed": 500.0,
        "u1": 1100.0,
        "d1": 1600.0,
        "o1": 500.0,
        "a": 320.0,
        "b": 180.0,
        "u2": 300.0,
        "d2": 480.0,
        "o2": 180.0,
    }
    rng = np.random.default_rng(7)
    rel = rng.uniform(0.02, 0.10, len(streams))
    x = np.array([truth[s] for s in streams]) * (1.0 + rel * rng.standard_normal(len(streams)))
    sd = rel * x
    records = [
        {"stream": s, "quantity": "solids_tph", "value": v, "sd": e, "sd_kind": "abs"}
        for s, v, e in zip(streams, x, sd, strict=True)
    ]
    a = np.zeros((len(nodes), len(streams)))
    for k, (inlets, outlets) in enumerate(nodes.values()):
        for s in inlets:
            a[k, streams.index(s)] += 1.0
        for s in outlets:
            a[k, streams.index(s)] -= 1.0
    result = reconcile(Survey.from_records(records), network)
    x_hat, sd_hat, objective = lagrange(x, sd, a)
    found = table(result).loc[streams]
    np.testing.assert_allclose(found["solids_tph"], x_hat, rtol=RTOL_CLOSURE)
    np.testing.assert_allclose(found["solids_tph_sd"], sd_hat, rtol=RTOL_CLOSURE)
    assert result.meta["chi2"] == pytest.approx(objective, rel=RTOL_CLOSURE)
    assert result.meta["dof"] == len(nodes)


# --------------------------------------------------------------------------- bilinear
@pytest.mark.solver
def test_rougher_ex10_bilinear():
    result = reconcile(read_survey(DATA / "rougher.csv"))
    streams = table(result)
    split = streams.loc["conc", "solids_tph"] / streams.loc["feed", "solids_tph"]
    assert split == printed("0.063533")
    assert result.meta["chi2"] == printed("0.834275")
    assert result.meta["dof"] == 2
    assert result.passed
    adjusted = {
        "au_gpt": ("1.94156", "24.53467", "0.40876"),
        "s_pct": ("1.73921", "19.34315", "0.54489"),
        "fe_pct": ("4.20240", "18.99687", "3.19869"),
    }
    for column, values in adjusted.items():
        found = streams.loc[["feed", "conc", "tail"], column].tolist()
        assert found == [printed(v) for v in values], column
    nodes = table(result, "nodes")
    assert nodes.loc["conc", "au_recovery_frac"] == printed("0.802845")
    assert nodes.loc["conc", "s_recovery_frac"] == printed("0.706607")
    # The lone flow meter only sets the scale: it is not redundant and does not move.
    feed_flow = result.adjustments.iloc[0]
    assert not feed_flow["redundant"]
    assert feed_flow["reconciled"] == pytest.approx(100.0, rel=RTOL_CLOSURE)
    assert result.meta["max_rel_closure"] <= RTOL_CLOSURE


@pytest.mark.solver
def test_ex10_gross_error_demo_fails_the_global_test():
    survey = read_survey(DATA / "rougher.csv")
    records = [
        {
            "stream": m.stream,
            "quantity": m.quantity,
            "value": 2.40 if (m.stream, m.quantity) == ("feed", "au_gpt") else m.value,
            "sd": m.sd,
            "sd_kind": "abs",
        }
        for m in survey.measurements
    ]
    result = reconcile(Survey.from_records(records), survey.network, gross_error_test=False)
    # Smith & Ichiyen 1973; Hodouin & Everell 1980; docs/survey.md: feed Au 2.40 with the SD kept at 5 % of 2.00 gives J = 12.0123.
    assert result.meta["chi2"] == printed("12.0123")
    assert not result.passed


def flotation_circuit():
    """Rougher, cleaner with recycle, scavenger: consistent values to plant errors in.

    Three assays on every stream give each three-stream node two degrees of
    redundancy, so that one bad assay stands out from the other two at its node (with
    two assays, the four assays of a node's outlets would share one normalised
    adjustment and a gross error could not be located).
    """
    nodes = {
        "rougher": (["feed", "cl_tail", "scav_conc"], ["ro_conc", "ro_tail"]),
        "cleaner": (["ro_conc"], ["final_conc", "cl_tail"]),
        "scavenger": (["ro_tail"], ["scav_conc", "final_tail"]),
    }
    flow = {"feed": 300.0, "final_conc": 9.0, "final_tail": 291.0}
    flow.update(ro_conc=30.0, cl_tail=21.0, scav_conc=15.0)
    flow["ro_tail"] = flow["feed"] + flow["cl_tail"] + flow["scav_conc"] - flow["ro_conc"]
    grades = {
        "au_gpt": {"final_conc": 45.0, "cl_tail": 4.0, "scav_conc": 2.5, "final_tail": 0.25},
        "s_pct": {"final_conc": 28.0, "cl_tail": 6.0, "scav_conc": 4.0, "final_tail": 0.3},
        "fe_pct": {"final_conc": 25.0, "cl_tail": 9.0, "scav_conc": 7.0, "final_tail": 3.5},
    }
    for grade in grades.values():
        for stream, parts in (
            ("ro_conc", ("final_conc", "cl_tail")),
            ("ro_tail", ("scav_conc", "final_tail")),
        ):
            grade[stream] = sum(flow[p] * grade[p] for p in parts) / flow[stream]
        grade["feed"] = (
            sum(flow[p] * grade[p] for p in ("ro_conc", "ro_tail"))
            - sum(flow[p] * grade[p] for p in ("cl_tail", "scav_conc"))
        ) / flow["feed"]
    return Network.from_nodes(nodes), flow, grades


def flotation_records(flow, grades, deviations, planted=None):
    """Records with assays off by ``deviations`` (in sd) and one planted error."""
    records = [{"stream": "feed", "quantity": "solids_tph", "value": flow["feed"]}]
    k = 0
    for quantity, grade in grades.items():
        rel = 0.05 if quantity == "au_gpt" else 0.03
        for stream, value in grade.items():
            shift = deviations[k % len(deviations)]
            if planted == (stream, quantity):
                shift = 10.0
            records.append(
                {
                    "stream": stream,
                    "quantity": quantity,
                    "value": value * (1.0 + rel * shift),
                    "sd": rel,
                    "sd_kind": "rel",
                }
            )
            k += 1
    return records


DEVIATIONS = np.array([0.3, -0.4, 0.2, 0.5, -0.3, 0.1, -0.2, 0.4, 0.3, -0.1, 0.2])


@pytest.mark.solver
@pytest.mark.parametrize(
    "planted",
    [
        ("final_conc", "s_pct"),
        ("final_tail", "au_gpt"),
        ("feed", "fe_pct"),
        ("final_conc", "au_gpt"),
    ],
)
def test_planted_gross_error_is_found_and_named(planted):
    network, flow, grades = flotation_circuit()
    clean = reconcile(Survey.from_records(flotation_records(flow, grades, DEVIATIONS)), network)
    assert clean.passed
    assert clean.meta["suspects"] == ()

    records = flotation_records(flow, grades, DEVIATIONS, planted=planted)
    result = reconcile(Survey.from_records(records), network)
    assert result.tests["passed"].tolist() == [False, True]
    suspects = result.suspects
    assert list(zip(suspects["stream"], suspects["quantity"], strict=True)) == [planted]
    stream, quantity = planted
    assert result.meta["suspects"][0].startswith(f"{stream} {quantity}")
    assert f"{stream} {quantity}" in result.tests.loc[1, "removed"]
    # Without the suspect, its estimate is close to the true value (10 sd away).
    row = result.adjustments.set_index(["stream", "quantity"]).loc[planted]
    assert row["reconciled"] == pytest.approx(grades[quantity][stream], rel=0.1)
    assert row["flagged"]
    assert abs(row["normalised_adjustment"]) > 3.0
    assert result.meta["max_rel_closure"] <= RTOL_CLOSURE


@pytest.mark.solver
def test_indistinguishable_suspects_are_reported():
    # ro_tail and scav_conc both join the rougher and the scavenger, in opposite
    # directions: an error in either Au assay leaves the same residual pattern, so the
    # data cannot say which is wrong and the report must name both.
    network, flow, grades = flotation_circuit()
    records = flotation_records(flow, grades, DEVIATIONS, planted=("ro_tail", "au_gpt"))
    result = reconcile(Survey.from_records(records), network)
    assert result.tests["passed"].tolist() == [False, True]
    named = {result.tests.loc[1, "removed"].split(" (")[0]}
    named |= {text.split(" (")[0] for text in result.tests.loc[1, "indistinguishable"].split("; ")}
    assert named == {"ro_tail au_gpt", "scav_conc au_gpt"}


# --------------------------------------------------------------------------- bad surveys
@pytest.mark.solver
def test_unobservable_survey_rejected_with_flows_named():
    with pytest.raises(CaseError) as excinfo:
        reconcile(read_survey(DATA / "unobservable.csv"))
    keys = {p.key for p in excinfo.value.problems}
    assert keys == {
        "stream east, quantity solids_tph",
        "stream west, quantity solids_tph",
        "stream underflow, quantity solids_tph",
        "stream overflow, quantity solids_tph",
        "stream east, quantity water_tph",
        "stream west, quantity water_tph",
        "stream underflow, quantity water_tph",
        "stream overflow, quantity water_tph",
        "stream feed, quantity water_tph",
    }
    assert all("cannot be determined" in p.message for p in excinfo.value.problems)


@pytest.mark.solver
def test_zero_sd_on_a_redundant_measurement_rejected():
    survey = read_survey(DATA / "grinding.csv")
    records = [
        {"stream": m.stream, "quantity": m.quantity, "value": m.value, "sd": m.sd, "sd_kind": "abs"}
        for m in survey.measurements
    ]
    records[1]["sd"] = 0.0
    with pytest.raises(CaseError) as excinfo:
        reconcile(Survey.from_records(records), survey.network)
    [problem] = excinfo.value.problems
    assert problem.key == "record 2, column sd"
    assert "must be free to move it" in problem.message


@pytest.mark.solver
def test_zero_sd_on_a_non_redundant_measurement_is_exact():
    survey = read_survey(DATA / "rougher.csv")
    records = [
        {"stream": m.stream, "quantity": m.quantity, "value": m.value, "sd": m.sd, "sd_kind": "abs"}
        for m in survey.measurements
    ]
    records[0]["sd"] = 0.0  # the feed flow meter only sets the scale
    result = reconcile(Survey.from_records(records), survey.network)
    reference = reconcile(survey)
    np.testing.assert_allclose(result.streams["au_gpt"], reference.streams["au_gpt"], rtol=1e-9)
    assert result.adjustments.loc[0, "reconciled_sd"] == 0.0
    assert result.meta["chi2"] == pytest.approx(reference.meta["chi2"], rel=1e-9)


@pytest.mark.solver
def test_stream_not_in_the_flowsheet_rejected():
    network = Network.from_nodes({"mill": (["F", "U"], ["M"]), "cyclone": (["M"], ["U", "O"])})
    survey = read_survey(DATA / "rougher.csv")  # its own network is ignored here
    with pytest.raises(CaseError) as excinfo:
        reconcile(survey, network)
    keys = {p.key for p in excinfo.value.problems}
    assert "row 9, column stream" in keys
    assert len(keys) == len(survey.measurements)


# --------------------------------------------------------------------------- sizes, phases
def cyclone_survey():
    sizes = [212.0, 150.0, 106.0, 75.0, 0.0]
    feed = np.array([0.15, 0.20, 0.25, 0.20, 0.20]) * 400.0
    to_uf = np.array([0.95, 0.80, 0.50, 0.25, 0.10])
    au = np.array([1.0, 1.5, 2.5, 3.0, 2.0])
    flows = {"feed": feed, "uf": feed * to_uf, "of": feed * (1.0 - to_uf)}
    # A fixed pattern of deviations, in standard deviations of each measurement.
    wobble = np.array(
        [0.5, -0.8, 0.3, 1.1, -0.6, 0.2, -0.4, 0.9, -1.0, 0.7, -0.2, 0.4, -0.7, 0.6, 0.1]
    )
    records = [{"stream": "feed", "quantity": "solids_tph", "value": 400.0 * 1.01}]
    k = 0
    for stream, flow in flows.items():
        fractions = flow / flow.sum()
        for size, frac, grade in zip(sizes, fractions, au, strict=True):
            records.append(
                {
                    "stream": stream,
                    "quantity": "mass_frac",
                    "size_um": size,
                    "value": frac * (1 + 0.05 * wobble[k]),
                }
            )
            records.append(
                {
                    "stream": stream,
                    "quantity": "au_gpt",
                    "size_um": size,
                    "value": grade * (1 - 0.05 * wobble[k]),
                }
            )
            k += 1
        head = (flow * au).sum() / flow.sum()
        records.append({"stream": stream, "quantity": "au_gpt", "value": head * 1.02})
    for stream, pct in (("feed", 55.0), ("uf", 74.0), ("of", 46.0)):
        records.append({"stream": stream, "quantity": "solids_pct", "value": pct})
    records += [
        {"stream": "water", "quantity": "water_tph", "value": 60.0},
        {"stream": "water", "quantity": "solids_tph", "value": 0.0},  # structural zero
    ]
    network = Network.from_nodes(
        {"sump": (["mill_discharge", "water"], ["feed"]), "cyclone": (["feed"], ["uf", "of"])}
    )
    return Survey.from_records(records), network, sizes


@pytest.mark.solver
def test_sized_survey_closes_per_size_class():
    survey, network, sizes = cyclone_survey()
    result = reconcile(survey, network)
    assert result.passed
    closure = result.closure.set_index(["node", "name"])
    for size in sizes:
        assert closure.loc[("cyclone", f"solids {size:g} um"), "rel_err"] <= RTOL_CLOSURE
        assert closure.loc[("cyclone", f"au {size:g} um"), "rel_err"] <= RTOL_CLOSURE
    assert result.meta["max_rel_closure"] <= RTOL_CLOSURE
    sizes_table = result.sizes
    streams = table(result)
    for stream in ("mill_discharge", "feed", "uf", "of"):
        rows = sizes_table[sizes_table["stream"] == stream]
        assert rows["mass_frac"].sum() == pytest.approx(1.0, rel=RTOL_CLOSURE)
        head = (rows["mass_frac"] * rows["au_gpt"]).sum()
        assert head == pytest.approx(streams.loc[stream, "au_gpt"], rel=RTOL_CLOSURE)
    # Class flows balance around the cyclone: feed = underflow + overflow.
    by = sizes_table.set_index(["stream", "size_um"])
    for size in sizes:
        feed = by.loc[("feed", size), "mass_frac"] * streams.loc["feed", "solids_tph"]
        uf = by.loc[("uf", size), "mass_frac"] * streams.loc["uf", "solids_tph"]
        of = by.loc[("of", size), "mass_frac"] * streams.loc["of", "solids_tph"]
        assert uf + of == pytest.approx(feed, rel=RTOL_CLOSURE)
    # The water addition carries no solids; its water comes through the water balance.
    assert streams.loc["water", "solids_tph"] == 0.0
    assert np.isnan(streams.loc["water", "au_gpt"])
    assert streams.loc["feed", "water_tph"] == pytest.approx(
        streams.loc["mill_discharge", "water_tph"] + streams.loc["water", "water_tph"],
        rel=RTOL_CLOSURE,
    )


@pytest.mark.solver
def test_reactive_node_balances_each_species_over_phases():
    records = [
        {"stream": "feed", "quantity": "solids_tph", "value": 101.0},
        {"stream": "feed", "quantity": "solids_pct", "value": 50.5},
        {"stream": "feed", "quantity": "au_gpt", "value": 1.95},
        {"stream": "feed", "quantity": "au_mg_l", "value": 0.10},
        {"stream": "feed", "quantity": "carbon_tph", "value": 0.0},
        {"stream": "tails", "quantity": "solids_pct", "value": 49.0},
        {"stream": "tails", "quantity": "au_gpt", "value": 0.21},
        {"stream": "tails", "quantity": "au_mg_l", "value": 0.02},
        {"stream": "tails", "quantity": "carbon_tph", "value": 0.0},
        {"stream": "carbon_in", "quantity": "carbon_tph", "value": 0.5},
        {"stream": "carbon_in", "quantity": "carbon_au_gpt", "value": 50.0},
        {"stream": "carbon_in", "quantity": "solids_tph", "value": 0.0},
        {"stream": "carbon_in", "quantity": "water_tph", "value": 0.0},
        {"stream": "carbon_out", "quantity": "carbon_au_gpt", "value": 430.0},
        {"stream": "carbon_out", "quantity": "solids_tph", "value": 0.0},
        {"stream": "carbon_out", "quantity": "water_tph", "value": 0.0},
    ]
    network = Network.from_nodes(
        {"cil": (["feed", "carbon_in"], ["tails", "carbon_out"])}, reactive=["cil"]
    )
    result = reconcile(Survey.from_records(records), network)
    s = table(result)

    def gold_gph(stream):
        row = s.loc[stream]
        return sum(
            np.nan_to_num(row[f] * row[g])
            for f, g in (
                ("solids_tph", "au_gpt"),
                ("water_tph", "au_mg_l"),
                ("carbon_tph", "carbon_au_gpt"),
            )
        )

    gold_in = gold_gph("feed") + gold_gph("carbon_in")
    assert gold_gph("tails") + gold_gph("carbon_out") == pytest.approx(gold_in, rel=RTOL_CLOSURE)
    recovery = table(result, "nodes").loc[["tails", "carbon_out"], "au_recovery_frac"]
    assert recovery.sum() == pytest.approx(1.0, rel=RTOL_CLOSURE)
    assert result.meta["dof"] == 2
    assert result.passed


@pytest.mark.solver
def test_unassayed_inner_streams_are_reported_undetermined():
    survey = read_survey(DATA / "grinding.csv")
    records = [
        {"stream": m.stream, "quantity": m.quantity, "value": m.value, "sd": m.sd, "sd_kind": "abs"}
        for m in survey.measurements
    ]
    records += [
        {"stream": "F", "quantity": "au_gpt", "value": 2.0},
        {"stream": "O", "quantity": "au_gpt", "value": 2.1},
    ]
    result = reconcile(Survey.from_records(records), survey.network)
    streams = table(result)
    assert np.isnan(streams.loc["M", "au_gpt"])
    assert np.isnan(streams.loc["U", "au_gpt"])
    assert set(result.meta["unobservable"]) == {"M: au in solids", "U: au in solids"}
    # F and O assays are redundant through the circuit balance F = O.
    assert streams.loc["F", "au_gpt"] * streams.loc["F", "solids_tph"] == pytest.approx(
        streams.loc["O", "au_gpt"] * streams.loc["O", "solids_tph"], rel=RTOL_CLOSURE
    )
    assert result.meta["dof"] == 3


# --------------------------------------------------------------------------- outputs
@pytest.mark.solver
def test_outputs_written_atomically(tmp_path):
    survey = read_survey(DATA / "rougher.csv")
    result = reconcile(survey)
    written = write_reconcile_outputs(result, tmp_path / "out", survey=survey.file)
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == sorted(
        [
            "adjustments.csv",
            "closure.csv",
            "nodes.csv",
            "streams.csv",
            "tests.csv",
            JSON_NAME,
            EXCEL_NAME,
        ]
    )
    document = json.loads(written["json"].read_text())
    assert document["case"] == survey.file
    assert document["status"] == "optimal"
    assert document["adjustments"][0]["normalised_adjustment"] is None  # NaN -> null
    assert document["closure"]["max_rel"] <= RTOL_CLOSURE
    assert document["meta"]["dof"] == 2
    import openpyxl

    book = openpyxl.load_workbook(written["excel"], read_only=True)
    assert book.sheetnames == ["streams", "nodes", "adjustments", "tests", "closure"]
    header = next(book["adjustments"].iter_rows(values_only=True))
    assert header[:9] == (
        "stream",
        "quantity",
        "size_um",
        "measured",
        "sd",
        "reconciled",
        "reconciled_sd",
        "adjustment_sd",
        "normalised_adjustment",
    )
    book.close()
    assert "chi-square 0.8343 on 2 dof" in reconcile_summary(result)
    assert result.meta["solver"] == "scipy"
    assert result.meta["solver_version"].count(".") == 2
    assert result.meta["bounded_step_solver"].startswith("highs ")
    assert result.adjustments["reconciled"].notna().all()
    assert np.isfinite(result.streams["au_gpt_sd"]).all()
    assert result.meta["chi2"] == pytest.approx(0.834275, rel=RTOL_GOLDEN)
    assert RTOL_EXACT < RTOL_CLOSURE


@pytest.mark.solver
def test_closure_table_has_the_simulation_columns_in_tph():
    result = reconcile(read_survey(DATA / "rougher.csv"))
    assert list(result.closure.columns) == [
        "node",
        "view",
        "name",
        "in_tph",
        "added_tph",
        "reacted_tph",
        "out_tph",
        "rel_err",
    ]
    rows = result.closure.set_index(["node", "name"])
    streams = table(result)
    # Gold in solids at the rougher, in t/h: solids t/h x g/t x 1e-6.
    feed = streams.loc["feed"]
    gold_in = feed["solids_tph"] * feed["au_gpt"] * 1e-6
    assert rows.loc[("rougher", "au in solids"), "in_tph"] == pytest.approx(gold_in, rel=1e-12)
    assert rows.loc[("rougher", "au in solids"), "view"] == "species"
    assert rows.loc[("rougher", "solids"), "view"] == "phase"
    assert (result.closure[["added_tph", "reacted_tph"]] == 0.0).all().all()


def test_measurement_keeps_its_parsed_quantity():
    survey = read_survey(DATA / "rougher.csv")
    for m in survey.measurements:
        assert m.parsed == parse_quantity(m.quantity)
    with pytest.raises(ValueError, match="is not"):
        Measurement("feed", "au_gpt", None, 1.0, 0.1, False, "row 2", parse_quantity("s_pct"))

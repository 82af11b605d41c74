"""Reconcile diagnostics: what the statistics can and cannot tell, and bad input as exit 2.

Each test here failed on the code before it (issue 11, item 5).
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from oreflow.cli import main
from oreflow.errors import CaseError
from oreflow.flowsheet.network import Network
from oreflow.flowsheet.survey import Survey, read_survey
from oreflow.report.reconcile_console import format_reconcile
from oreflow.report.reconcile_report import reconcile_summary, reconcile_to_json
from oreflow.solvers.reconcile import reconcile

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_reconcile import DATA, DEVIATIONS, flotation_circuit, flotation_records

ROUGHER = DATA / "rougher.csv"


def one_line_error(capsys):
    """The single line written to stderr (no traceback)."""
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.solver
def test_indistinguishable_suspects_named_in_console_and_json():
    # ro_tail and scav_conc Au leave the same residual pattern: the console and the
    # JSON must name both as suspects, not only the one that was removed.
    network, flow, grades = flotation_circuit()
    records = flotation_records(flow, grades, DEVIATIONS, planted=("ro_tail", "au_gpt"))
    result = reconcile(Survey.from_records(records), network)
    [suspects] = result.meta["suspect_sets"]
    assert {s.split(" (")[0] for s in suspects} == {"ro_tail au_gpt", "scav_conc au_gpt"}
    for summary in (reconcile_summary(result), format_reconcile(result)):
        assert "indistinguishable" in summary
        assert "ro_tail au_gpt" in summary and "scav_conc au_gpt" in summary
    document = reconcile_to_json(result)
    assert len(document["meta"]["suspect_sets"][0]) == 2


@pytest.mark.solver
def test_zero_degrees_of_freedom_is_not_testable_in_console_and_json():
    survey = Survey.from_records(
        [
            {"stream": "feed", "quantity": "solids_tph", "value": 100.0},
            {"stream": "feed", "quantity": "au_gpt", "value": 2.0},
            {"stream": "conc", "quantity": "au_gpt", "value": 25.0},
            {"stream": "tail", "quantity": "au_gpt", "value": 0.3},
        ],
        network=Network.from_nodes({"rougher": (["feed"], ["conc", "tail"])}),
    )
    result = reconcile(survey)
    document = reconcile_to_json(result)
    assert document["passed"] is None
    assert document["meta"]["test"] == "not testable"
    assert document["tests"][0]["passed"] is None
    console = format_reconcile(result)
    assert "not testable" in console and "passed" not in console and "FAILED" not in console


def test_utf16_survey_is_exit_2_with_one_line(tmp_path, capsys):
    path = tmp_path / "survey.csv"
    path.write_text(ROUGHER.read_text(encoding="utf-8"), encoding="utf-16")
    assert main(["reconcile", str(path)]) == 2
    line = one_line_error(capsys)
    assert str(path) in line and "UTF-16" in line and "UTF-8" in line


def test_binary_survey_is_exit_2_with_one_line(tmp_path, capsys):
    path = tmp_path / "survey.csv"
    path.write_bytes(bytes(range(256)) * 4)
    assert main(["reconcile", str(path)]) == 2
    assert str(path) in one_line_error(capsys)


def test_survey_with_nul_bytes_is_exit_2_with_one_line(tmp_path, capsys):
    path = tmp_path / "survey.csv"
    path.write_bytes(b"stream,quantity,value\nfeed,solids_tph,1\x00\n")
    assert main(["reconcile", str(path)]) == 2
    assert str(path) in one_line_error(capsys)


def test_corrupt_workbook_is_exit_2_with_one_line(tmp_path, capsys):
    path = tmp_path / "survey.xlsx"
    path.write_bytes(b"not a zip file")
    assert main(["reconcile", str(path)]) == 2
    assert "not a readable Excel workbook" in one_line_error(capsys)


@pytest.mark.parametrize("confidence", ["1.5", "0", "-0.2"])
def test_confidence_outside_zero_one_is_exit_2_with_one_line(capsys, confidence):
    assert main(["reconcile", str(ROUGHER), "--confidence", confidence]) == 2
    line = one_line_error(capsys)
    assert "confidence" in line and "(0, 1)" in line


def test_huge_value_is_a_clear_message_without_runtime_warning(tmp_path, capsys):
    text = ROUGHER.read_text(encoding="utf-8").replace(
        "feed,solids_tph,,100,1,abs", "feed,solids_tph,,1e300,1,abs"
    )
    path = tmp_path / "survey.csv"
    path.write_text(text, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert main(["reconcile", str(path)]) == 2
    line = one_line_error(capsys)
    assert "row 9, column value" in line and "1e+300" in line and "unobservable" not in line


def assays_only(network):
    f, c, t = 2.0, 25.0, 0.30
    return Survey.from_records(
        [
            {"stream": "feed", "quantity": "au_gpt", "value": f},
            {"stream": "conc", "quantity": "au_gpt", "value": c},
            {"stream": "tail", "quantity": "au_gpt", "value": t},
        ],
        network=network,
    ), (f, c, t)


@pytest.mark.solver
def test_assays_only_survey_asks_for_the_scale_not_for_assays():
    network = Network.from_nodes({"rougher": (["feed"], ["conc", "tail"])})
    survey, _ = assays_only(network)
    with pytest.raises(CaseError) as excinfo:
        reconcile(survey)
    [problem] = excinfo.value.problems
    assert "no flow is measured" in problem.message
    assert "--scale-tph" in problem.message
    assert "measure assays that set its split" not in problem.message


@pytest.mark.solver
@pytest.mark.parametrize("scale_tph", [1.0, 350.0])
def test_assays_only_survey_solved_with_a_set_scale(scale_tph):
    network = Network.from_nodes({"rougher": (["feed"], ["conc", "tail"])})
    survey, (f, c, t) = assays_only(network)
    result = reconcile(survey, scale_tph=scale_tph)
    streams = result.streams.set_index("stream")
    nodes = result.nodes.set_index("stream")
    assert streams.loc["feed", "solids_tph"] == pytest.approx(scale_tph, rel=1e-12)
    # Splits and recoveries: the two-product formula, whatever the scale.
    assert nodes.loc["conc", "solids_split_frac"] == pytest.approx((f - t) / (c - t), rel=1e-9)
    assert nodes.loc["conc", "au_recovery_frac"] == pytest.approx(
        c * (f - t) / (f * (c - t)), rel=1e-9
    )
    scale_row = result.adjustments.set_index("where").loc["scale_tph (set by the user)"]
    assert scale_row["sd"] == 0.0


@pytest.mark.solver
def test_scale_tph_from_the_command_line(tmp_path, capsys):
    path = tmp_path / "survey.csv"
    path.write_text(
        "[nodes]\nnode,inlets,outlets\nrougher,feed,conc;tail\n\n[measurements]\n"
        "stream,quantity,value\nfeed,au_gpt,2.0\nconc,au_gpt,25.0\ntail,au_gpt,0.3\n",
        encoding="utf-8",
    )
    assert main(["reconcile", str(path)]) == 2
    assert "--scale-tph" in one_line_error(capsys)
    assert main(["reconcile", str(path), "--scale-tph", "100", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    nodes = {row["stream"]: row for row in document["nodes"]}
    assert nodes["conc"]["solids_split_frac"] == pytest.approx(1.7 / 24.7, rel=1e-9)


def test_scale_tph_refused_when_the_survey_measures_a_flow():
    with pytest.raises(CaseError, match="scale_tph is for surveys of assays without any flow"):
        reconcile(read_survey(ROUGHER), scale_tph=100.0)


def test_scale_tph_must_be_a_positive_flow():
    with pytest.raises(CaseError, match="scale_tph"):
        reconcile(read_survey(ROUGHER), scale_tph=float(np.nan))

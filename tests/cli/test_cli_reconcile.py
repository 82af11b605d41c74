"""``oreflow reconcile SURVEY --flowsheet CASE``: nodes from a case file, end to end."""

import json
from pathlib import Path

import pandas as pd
import pytest

from oreflow.cli import main

ROOT = Path(__file__).resolve().parents[2]
SURVEY = ROOT / "tests" / "data" / "surveys" / "ex03_flowsheet_flows.csv"
CASE = ROOT / "cases" / "tests" / "ex03_pbm_circuit.toml"


@pytest.mark.solver
def test_reconcile_against_a_case_flowsheet_reproduces_ex10(capsys, tmp_path):
    out = tmp_path / "rec"
    assert (
        main(["reconcile", str(SURVEY), "--flowsheet", str(CASE), "--json", "--out", str(out)]) == 0
    )
    doc = json.loads(capsys.readouterr().out)
    adj = pd.DataFrame(doc["adjustments"]).set_index("stream")
    expected = {
        "ore.feed": 302.6171,
        "mix.out": 926.1164,
        "cyclone.underflow": 623.4993,
        "cyclone.overflow": 302.6171,
    }
    for stream, value in expected.items():
        assert adj.loc[stream, "reconciled"] == pytest.approx(value, rel=1e-6)
    assert {p.suffix for p in out.iterdir()} >= {".csv", ".json", ".xlsx"}


@pytest.mark.solver
def test_case_network_has_units_as_nodes_and_mills_as_grinding_nodes():
    from oreflow.flowsheet.case import load_case
    from oreflow.flowsheet.graph import survey_network

    net = survey_network(load_case(ROOT / "cases" / "free_milling_cil.toml"))
    names = set(net.node_names)
    assert {"mill_feed", "mill", "cyclone", "thickener", "cil"} <= names
    assert "tailings" not in names and "elution" not in names  # sinks are products
    assert "ore.main" in net.feeds
    nodes = {n.name: n for n in net.nodes}
    assert nodes["mill"].grinding and not nodes["mill"].reactive
    assert nodes["cil"].reactive and not nodes["cyclone"].reactive


def test_reconcile_bad_survey_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "[measurements]\nstream,quantity,value\nnowhere,solids_tph,-5\n", encoding="utf-8"
    )
    assert main(["reconcile", str(bad), "--flowsheet", str(CASE)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err

"""The command line end to end: every shipped case, JSON keys, files, exit codes."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from oreflow.cli import main
from oreflow.report.output import JSON_KEYS

CASES = Path(__file__).resolve().parents[2] / "cases"
SHIPPED = sorted(CASES.glob("*.toml"))
TEST_CASES = sorted((CASES / "tests").glob("*.toml"))


@pytest.mark.parametrize("path", SHIPPED + TEST_CASES, ids=lambda p: p.stem)
def test_run_json_on_every_case(path, capsys):
    assert main(["run", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert tuple(doc) == JSON_KEYS
    assert doc["status"] == "ok"
    assert doc["closure"]["max_rel"] <= 1e-9
    assert doc["meta"]["case_sha256"]
    assert doc["streams"] and doc["units"]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_run_out_writes_every_file(path, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) == 0
    names = {p.name for p in out.iterdir()}
    assert {
        "streams.csv",
        "units.csv",
        "closure.csv",
        "kpis.json",
        "result.json",
        "oreflow.xlsx",
    } <= names
    assert not [n for n in names if n.endswith(".tmp")]
    streams = pd.read_csv(out / "streams.csv", index_col=0)
    assert "p80_um" in streams.columns
    book = pd.read_excel(out / "oreflow.xlsx", sheet_name=None, index_col=0)
    assert {"kpis", "streams", "units", "closure"} <= set(book)
    kpis = json.loads((out / "kpis.json").read_text())
    assert kpis["gold_recovery_frac"] == pytest.approx(
        book["kpis"].loc["gold_recovery_frac", "value"]
    )
    text = capsys.readouterr().out
    if kpis["gold_recovery_frac"] > 0.0:
        assert "gold recovery" in text
    else:  # a plant that only sells concentrates: its concentrates are headlined instead
        assert "gold recovery" not in text and " concentrate " in text and "NSR" in text
    assert "report.html" in names


def test_run_without_case_uses_the_bundled_default(capsys):
    assert main(["run"]) == 0
    assert "case: free_milling_cil" in capsys.readouterr().out


def test_validate_ok(capsys):
    assert main(["validate", str(SHIPPED[0])]) == 0
    assert "ok" in capsys.readouterr().out


def test_bad_case_exit_2_one_line_per_problem_and_nothing_written(
    mini_case_text, write_case, tmp_path, capsys
):
    text = mini_case_text.replace("rate_tph = 100.0", "rate_tph = -1.0").replace(
        'type = "ball_mill"', 'type = "ballmill"'
    )
    path = write_case(text)
    out = tmp_path / "results"
    assert main(["run", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2
    assert all(str(path) in line for line in err)
    assert any("ore.main.rate_tph" in line for line in err)
    assert any("units.mill.type" in line and "ball_mill" in line for line in err)
    assert not out.exists()


def test_validate_reports_all_problems(mini_case_text, write_case, capsys):
    text = mini_case_text.replace("au_gpt = 2.0", "au_gpt = -2.0").replace(
        "d50c_um = 90.0", "d50c_um = 0.0"
    )
    assert main(["validate", str(write_case(text))]) == 2
    err = capsys.readouterr().err
    assert "ore.main.au_gpt" in err and "units.cyclone.d50c_um" in err


def test_syntax_error_exit_2(write_case, capsys):
    assert main(["validate", str(write_case("[case\n"))]) == 2
    assert "TOML syntax error" in capsys.readouterr().err


def test_non_convergence_exit_3(capsys, monkeypatch):
    import oreflow.api
    from oreflow.errors import ConvergenceError

    def fail(case, **kwargs):
        raise ConvergenceError("cyclone.underflow", "au_free[-62.5+44.19]", 3.2e-4, 500)

    monkeypatch.setattr(oreflow.api, "simulate", fail)
    assert main(["run", str(SHIPPED[0])]) == 3
    err = capsys.readouterr().err
    assert "cyclone.underflow" in err and "au_free[-62.5+44.19]" in err and "3.20e-04" in err


def test_help_is_light():
    code = (
        "import sys, oreflow.cli; p = oreflow.cli.build_parser(); "
        "heavy = [m for m in ('numba', 'pyomo', 'matplotlib', 'pandas') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"

"""``oreflow study``: JSON, files, resume, exit code 2 on bad study files."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from oreflow.cli import main

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "cases"
SHIPPED_STUDY = CASES / "studies" / "cyanide_vs_cyanide_free.toml"

STUDY = """
[study]
name = "cli_small"
n_samples = 20
seed = 3
chunk_cases = 8

[routes]
cil = "{cil}"
glycine = "{glycine}"

[variables.grade]
dist = "lognormal"
mean = 2.0
sd = 0.4
key = "ore.main.au_gpt"

[variables.price]
values = [1800.0, 2200.0]
key = "economics.au_usd_oz"
"""


@pytest.fixture
def study_file(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(
        STUDY.format(
            cil=CASES / "free_milling_cil.toml", glycine=CASES / "free_milling_glycine.toml"
        ),
        encoding="utf-8",
    )
    return path


def test_study_json_and_files(study_file, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["study", str(study_file), "--out", str(out), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["status"] == "ok"
    assert doc["n_scenarios"] == 40
    assert doc["routes"] == ["cil", "glycine"]
    assert 0.0 <= doc["pairwise"]["glycine"]["p_beats_baseline"] <= 1.0
    names = {p.name for p in out.iterdir()}
    assert {"results.parquet", "study.json", "report.html", "study.xlsx", "chunks"} <= names
    results = pd.read_parquet(out / "results.parquet")
    assert len(results) == 80
    # resume on a finished folder runs nothing and gives the same table
    assert main(["study", str(study_file), "--out", str(out), "--resume", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["meta"]["evaluations_run"] == 0
    pd.testing.assert_frame_equal(pd.read_parquet(out / "results.parquet"), results)


def test_study_text_summary(study_file, capsys):
    assert main(["study", str(study_file)]) == 0
    text = capsys.readouterr().out
    assert "40 scenarios x 2 routes" in text
    assert "p_beats_baseline" in text


def test_bad_study_exit_2_one_line_per_problem(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        STUDY.format(cil=CASES / "free_milling_cil.toml", glycine=CASES / "nope.toml")
        .replace('key = "ore.main.au_gpt"', 'key = "ore.main.grade"')
        .replace('dist = "lognormal"', 'dist = "lognormal"\nmode = 2.0')
        .replace("n_samples = 20", "n_samples = 0"),
        encoding="utf-8",
    )
    assert main(["study", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert all(line.startswith(f"error: {bad}: ") for line in err), err
    keys = {line.split(": ")[2] for line in err}
    assert {
        "study.n_samples",
        "routes.glycine",
        "variables.grade.mode",
        "variables.grade.key",
    } <= keys


def test_optimizing_mode_on_a_route_without_modes_is_exit_2(study_file, capsys):
    text = study_file.read_text(encoding="utf-8").replace(
        'name = "cli_small"', 'name = "cli_small"\nmode = "robust"'
    )
    study_file.write_text(text, encoding="utf-8")
    assert main(["study", str(study_file)]) == 2
    err = capsys.readouterr().err
    assert "routes.glycine" in err
    assert "no [units.NAME.modes]" in err


def test_reoptimize_study_json_and_files(tmp_path, capsys):
    study = tmp_path / "reopt.toml"
    study.write_text(
        STUDY.replace('name = "cli_small"', 'name = "cli_reopt"\nmode = "reoptimize"')
        .replace("n_samples = 20", "n_samples = 2")
        .replace('glycine = "{glycine}"\n', "")
        .format(cil=CASES / "free_milling_cil.toml"),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["study", str(study), "--json", "--out", str(out)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["status"] == "ok" and doc["n_scenarios"] == 4
    rows = pd.read_parquet(out / "results.parquet")
    assert set(rows["status"]) == {"optimal"}
    assert rows["plan.ore_tph"].gt(0).all()
    assert (out / "report.html").is_file()
    plans = pd.read_excel(out / "study.xlsx", sheet_name="plans")
    assert plans["share"].between(0, 1).all()
    assert "units.cil.residence_h" in set(plans["decision"].dropna())


def test_missing_and_malformed_study_files(tmp_path, capsys):
    assert main(["study", str(tmp_path / "none.toml")]) == 2
    broken = tmp_path / "broken.toml"
    broken.write_text("[study\n", encoding="utf-8")
    assert main(["study", str(broken)]) == 2
    assert "not valid TOML" in capsys.readouterr().err


@pytest.mark.slow
def test_shipped_study_from_a_fresh_process(tmp_path):
    """The shipped study through the installed entry point's module, in its own process."""
    out = tmp_path / "shipped"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "oreflow.cli",
            "study",
            str(SHIPPED_STUDY),
            "--out",
            str(out),
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["n_scenarios"] == 2000
    assert (out / "tornado_glycine.png").stat().st_size > 0

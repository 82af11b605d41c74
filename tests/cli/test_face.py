"""What a metallurgist sees: console text (golden files), report.html, version, new, validate.

Golden files hold the default console output of ``run``, ``optimize`` and ``reconcile``
with timings, versions and round-off-sized numbers normalised. Regenerate them after an
intended change with ``OREFLOW_UPDATE_GOLDEN=1 python -m pytest tests/cli/test_face.py``
and read the diff.
"""

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from oreflow.cli import main

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"
SURVEY = ROOT / "tests" / "data" / "surveys" / "ex03_flowsheet_flows.csv"
SURVEY_CASE = ROOT / "cases" / "tests" / "ex03_pbm_circuit.toml"


def _normalise(text: str) -> str:
    # phase timings: which phases pass 1 % of the total, and their order, vary run to run
    text = re.sub(r"(solver \S+ \S+), .*?(?=\nclosure:)", r"\1, <timings>", text, flags=re.S)
    text = re.sub(r"\d[\d,.]*(e[-+]?\d+)? s\b", "<t> s", text)  # timings
    text = re.sub(r"highs \d+\.\d+\.\d+", "highs <v>", text)
    text = re.sub(r"\d(\.\d+)?e-\d\d", "<tiny>", text)  # round-off sized closure errors
    text = re.sub(r"files and report\.html in .*", "files and report.html in <dir>", text)
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def _check_golden(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.txt"
    got = _normalise(text)
    if os.environ.get("OREFLOW_UPDATE_GOLDEN") or not path.exists():
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(got, encoding="utf-8")
        if not os.environ.get("OREFLOW_UPDATE_GOLDEN"):
            pytest.fail(f"{path} was missing and has been written; check it in")
    assert got == path.read_text(encoding="utf-8"), (
        f"console output of {name} changed; if intended: OREFLOW_UPDATE_GOLDEN=1"
    )


def _run(argv: list[str]) -> tuple[int, str]:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(argv)
    return code, buf.getvalue()


@pytest.fixture(scope="module")
def optimized(tmp_path_factory):
    """Default ``oreflow optimize --out DIR``, run once for the module."""
    out = tmp_path_factory.mktemp("opt") / "out"
    code, text = _run(["optimize", "--out", str(out)])
    return code, text, out


def _valid_html(path: Path) -> str:
    html5lib = pytest.importorskip("html5lib")  # in the [test] extra
    text = path.read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True).parse(text)  # raises on any parse error
    assert "http://" not in text.replace("http://www.w3.org/", "")  # nothing to fetch
    assert "https://" not in text and "<script src" not in text and "<link" not in text
    return text


def _figures(text: str) -> set[str]:
    return set(re.findall(r'<figure id="([^"]+)"', text))


# --- console -------------------------------------------------------------------------


def test_run_console_golden(capsys):
    code, text = _run(["run"])
    assert code == 0
    _check_golden("run", text)


def test_optimize_console_golden_answer_first(optimized):
    code, text, _ = optimized
    assert code == 0
    first = text.splitlines()[:3]
    assert first[0] == "refractory_route_choice: optimal"
    assert "whole ore -> acid POX -> CIL" in first[1]
    assert "{'tabulate_s'" not in text and "as written" not in text
    assert "USD/h per t/h" in text  # the binding limit carries its shadow price
    _check_golden("optimize", text)


def test_reconcile_console_golden():
    code, text = _run(["reconcile", str(SURVEY), "--flowsheet", str(SURVEY_CASE)])
    assert code == 0
    assert "global test" in text and "adj (sd)" in text
    _check_golden("reconcile", text)


def test_verbose_adds_every_table(capsys):
    assert main(["run", "--verbose"]) == 0
    text = capsys.readouterr().out
    for title in ("KPIs", "Streams", "Unit reports", "Closure"):
        assert title in text
    assert "gold_recovery_frac" in text


def test_compare_shows_a_dash_not_nan(capsys):
    cases = [ROOT / "cases" / "free_milling_cil.toml", ROOT / "cases" / "free_milling_glycine.toml"]
    assert main(["compare", *map(str, cases)]) == 0
    text = capsys.readouterr().out
    assert "nan" not in text.lower().replace("financ", "")
    assert " - " in text or text.rstrip().endswith("-")


def test_pareto_prints_routes_once_each_and_minimises_energy(tmp_path, capsys):
    case = ROOT / "cases" / "refractory_route_choice.toml"
    out = tmp_path / "par"
    args = ["pareto", str(case), "--x", "residue_tph", "--y", "margin_usd_h", "--points", "4"]
    assert main([*args, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "{}" not in text and "->" in text
    rows = [line for line in text.splitlines() if "USD/h" in line and "t/h" in line]
    assert len(rows) == len(set(rows))
    from oreflow.solvers.pareto import default_sense

    assert default_sense("specific_energy_kwh_t") == "minimize"
    assert "pareto-front" in _figures(_valid_html(out / "report.html"))


# --- report.html ---------------------------------------------------------------------


PLANT_FIGURES = {"flowsheet", "sankey-gold", "sankey-solids", "psd", "profiles", "closure"}


def test_run_report_html_is_valid_and_has_every_figure(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "--out", str(out)]) == 0
    text = _valid_html(out / "report.html")
    assert _figures(text) >= PLANT_FIGURES
    # the flowsheet is the case's graph: every unit is a box, every stream an arrow
    streams = pd.read_csv(out / "streams.csv", index_col=0)
    for unit in set(streams["from"]):
        assert f">{unit}</text>" in text
    assert text.count("marker-end=") == len(streams)
    # the CIL reports its tank-by-tank profiles, and the report draws them
    units = pd.read_csv(out / "units.csv")
    tanks = units[(units["unit"] == "cil") & units["metric"].str.match(r"tank\d+_au_aq_mg_l")]
    assert len(tanks) == 7  # the case's 7 tanks
    assert tanks["value"].is_monotonic_decreasing  # gold in solution falls down the train
    assert re.search(r'<figure id="profiles"><svg', text)


def test_optimize_report_html_has_ranking_and_shadow_prices(optimized):
    _, _, out = optimized
    text = _valid_html(out / "report.html")
    assert PLANT_FIGURES | {"routes", "shadow-prices"} <= _figures(text)
    assert "whole ore -&gt; acid POX -&gt; CIL" in text


def test_reconcile_report_html(tmp_path, capsys):
    out = tmp_path / "rec"
    args = ["reconcile", str(SURVEY), "--flowsheet", str(SURVEY_CASE), "--out", str(out)]
    assert main(args) == 0
    text = _valid_html(out / "report.html")
    assert {"measured-vs-reconciled", "adjustments"} <= _figures(text)


def test_report_opens_in_headless_chromium(optimized, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("no chromium on this machine")
    _, _, out = optimized
    proc = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--dump-dom",
            (out / "report.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    # the browser built the page: every figure is in its DOM, SVG elements included
    assert {"flowsheet", "sankey-gold", "routes"} <= _figures(proc.stdout)
    assert proc.stdout.count("<svg") >= 4


# --- version, validate, new ----------------------------------------------------------


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert re.match(r"oreflow \S+", capsys.readouterr().out)


def test_validate_json_ok_and_invalid(mini_case_text, write_case, capsys):
    good = write_case(mini_case_text)
    assert main(["validate", str(good), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "ok"
    bad = write_case(mini_case_text.replace("rate_tph = 100.0", "rate_tph = -1.0"))
    assert main(["validate", str(bad), "--json"]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert doc["status"] == "invalid"
    (problem,) = doc["problems"]
    assert problem["key"] == "ore.main.rate_tph"
    assert "t/h" in problem["key_help"] and "range" in problem["key_help"]


def test_validate_explains_each_problem_with_the_keys_documentation(
    mini_case_text, write_case, capsys
):
    bad = write_case(mini_case_text.replace("rate_tph = 100.0", "rate_tph = -1.0"))
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("error: ") and "ore.main.rate_tph" in err[0]
    assert err[1].strip().startswith("rate_tph: ") and "range" in err[1]


def test_new_writes_a_commented_case_that_validates(tmp_path, capsys):
    assert main(["new", "my_plant", "--from", "free_milling_cil", "--dir", str(tmp_path)]) == 0
    path = tmp_path / "my_plant.toml"
    text = path.read_text(encoding="utf-8")
    assert 'name = "my_plant"' in text
    assert "# " in text and "range" in text
    assert main(["validate", str(path)]) == 0
    assert main(["new", "my_plant", "--dir", str(tmp_path)]) == 2  # never overwrites
    assert "exists already" in capsys.readouterr().err

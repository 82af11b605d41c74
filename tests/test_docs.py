"""Documentation that is checked: the case reference and the README examples."""

import re
from pathlib import Path

from oreflow.flowsheet.case import parse_case
from oreflow.report.casedoc import embed

ROOT = Path(__file__).resolve().parent.parent


def test_case_reference_is_generated_from_the_schemas():
    readme = ROOT / "cases" / "README.md"
    assert readme.read_text(encoding="utf-8") == embed(readme), (
        "cases/README.md is stale: run python -m oreflow.report.casedoc cases/README.md"
    )


def test_minimal_example_in_cases_readme_is_a_valid_case():
    text = (ROOT / "cases" / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(.*?)```", text, re.S).group(1)
    spec = parse_case(block, "cases/README.md")
    assert spec.name == "minimal"


def test_every_unit_type_and_parameter_is_documented():
    from oreflow.units import UNIT_TYPES

    text = (ROOT / "cases" / "README.md").read_text(encoding="utf-8")
    for utype in UNIT_TYPES.values():
        assert f'type = \\"{utype.name}\\"' in text or f'type = "{utype.name}"' in text
        for p in utype.params:
            assert f"`{p.name}`" in text
            assert p.source, f"{utype.name}.{p.name} has no source"


# --- docs/models.md, README usage, and every snippet of the docs ------------------------

import shlex  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

import pytest  # noqa: E402

DOCS = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    ROOT / "benchmarks" / "README.md",
]
_BLOCK = re.compile(r"```(\w*)\n(.*?)```", re.S)
_PLACEHOLDERS = {
    "CASE": "cases/free_milling_cil.toml",
    "STUDY": "cases/studies/cyanide_vs_cyanide_free.toml",
    "SURVEY": "tests/data/surveys/rougher.csv",
    "DIR": "out",
    "KPI": "margin_usd_h",
    "N": "3",
    "ADDRESS": "tcp://localhost:8786",
    "NAME": "my_plant",
}


def _blocks(lang: str) -> list[tuple[str, str]]:
    out = []
    for path in DOCS:
        for found in _BLOCK.finditer(path.read_text(encoding="utf-8")):
            if found.group(1) == lang:
                out.append((path.name, found.group(2)))
    return out


def _command_lines() -> list[tuple[str, str]]:
    """Every ``oreflow ...`` line in a code block (comments cut)."""
    lines = []
    for lang in ("", "bash", "text"):
        for name, block in _blocks(lang):
            for line in block.splitlines():
                line = line.split("  #")[0].strip()
                if line.startswith("oreflow ") and "[" not in line:
                    lines.append((name, line))
    return lines


def test_models_reference_is_generated_from_the_code():
    from oreflow.report.modeldoc import models_markdown

    assert (ROOT / "docs" / "models.md").read_text(encoding="utf-8") == models_markdown(), (
        "docs/models.md is stale: run python -m oreflow.report.modeldoc docs/models.md"
    )


def test_readme_usage_is_the_parsers():
    from oreflow.cli import usage_lines

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- BEGIN GENERATED USAGE")[1].split("<!-- END GENERATED USAGE")[0]
    got = block.split("```text\n")[1].split("```")[0].rstrip("\n")
    assert got == "\n".join(usage_lines()), "README's command list differs from oreflow --help"


def test_every_command_line_in_the_docs_parses():
    from oreflow.cli import build_parser

    lines = _command_lines()
    assert len(lines) >= 8
    for name, line in lines:
        words = [_PLACEHOLDERS.get(w, w) for w in shlex.split(line)[1:]]
        try:
            build_parser().parse_args(words)
        except SystemExit:
            pytest.fail(f"{name}: {line!r} is not a valid oreflow command line")


@pytest.mark.slow
def test_every_concrete_command_line_in_the_docs_runs(tmp_path, monkeypatch, capsys):
    from oreflow.cli import main

    monkeypatch.chdir(ROOT)
    ran = 0
    for name, line in _command_lines():
        words = shlex.split(line)[1:]
        if any(w in _PLACEHOLDERS for w in words) or "--scheduler" in words:
            continue  # a placeholder or a cluster: parsed above, not runnable here
        words = [str(tmp_path / "out") if w.startswith("out") else w for w in words]
        assert main(words) in (0, 3), f"{name}: {line}"
        capsys.readouterr()
        ran += 1
    assert ran >= 4


@pytest.mark.slow
@pytest.mark.parametrize("index", range(2))
def test_every_python_snippet_runs_as_a_script(index, tmp_path):
    snippets = _blocks("python")
    assert len(snippets) == 2, "a python snippet was added or removed: update this test"
    name, code = snippets[index]
    script = tmp_path / "snippet.py"
    script.write_text(code, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, f"{name}:\n{proc.stderr[-3000:]}"
    assert "Traceback" not in proc.stderr


def test_survey_csv_example_reads(tmp_path):
    from oreflow.flowsheet.survey import read_survey

    ((name, block),) = _blocks("csv")
    path = tmp_path / "survey.csv"
    path.write_text(block, encoding="utf-8")
    assert read_survey(path) is not None, name


def test_no_citation_points_outside_the_repository():
    """Sources are cited as papers and books, or as files of this repository."""
    # spelled in pieces so that this file does not cite them itself
    outside = (
        "docs/models.md" + ".md",
        "../" + "shared",
        "DESIGN" + ".md",
        "STACK" + ".md",
        "examples/" + "ex",
    )
    offenders = []
    for pattern in ("*.py", "*.md", "*.toml"):
        for path in ROOT.rglob(pattern):
            if {".venv", ".git", "build", "dist"} & set(path.parts):
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:  # a deliberately bad input of the tests
                continue
            offenders += [f"{path.relative_to(ROOT)}: {w}" for w in outside if w in text]
    assert not offenders, offenders[:20]

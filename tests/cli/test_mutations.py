"""Property: any mutation of a shipped case, study or survey ends in exit 0, 2 or 3.

Hypothesis mutates the inputs at random - a value's type or size (negative, zero, huge,
inf, nan, text, a list), a deleted key, a rewired inlet (topology), the encoding (BOM,
UTF-16, truncated text) - and runs the command line in this process. Whatever the input:
the exit code is 0, 2 or 3 (never 1, an internal error); there is no traceback; nothing
is left under ``--out`` unless the command succeeded; and an exit-0 run closes its mass
balance. Bounded (``max_examples``) so that it takes a minute, not an hour.
"""

from __future__ import annotations

import json
import math
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oreflow.cli import main

ROOT = Path(__file__).resolve().parents[2]
CASES = [ROOT / "cases" / n for n in ("free_milling_cil.toml", "copper_gold_cil.toml")]
STUDY = ROOT / "cases" / "studies" / "cyanide_vs_cyanide_free.toml"
SURVEY = ROOT / "tests" / "data" / "surveys" / "grinding.csv"
CLOSED = 1e-6  # the closure gate (oreflow.solvers.simulate.CLOSURE_GATE_REL)

BAD_VALUES = st.one_of(
    st.sampled_from([-1.0, 0.0, 1e300, -1e300, math.inf, -math.inf, math.nan, 2.0, 1.5]),
    st.sampled_from(["", "text", True, [], [1.0, -1.0], {"a": 1}]),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
)


def _leaves(doc: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(doc, dict):
        return [leaf for k, v in doc.items() for leaf in _leaves(v, (*path, k))] or [path]
    return [path]


def _set(doc: dict, path: tuple, value: Any) -> None:
    for key in path[:-1]:
        doc = doc[key]
    if value is _DELETE:
        doc.pop(path[-1], None)
    else:
        doc[path[-1]] = value


_DELETE = object()


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


def _dump(doc: dict, prefix: tuple = ()) -> str:
    """A small TOML writer: scalars and arrays inline, tables as [a.b] headers."""
    lines = []
    scalars = {k: v for k, v in doc.items() if not isinstance(v, dict) or not v}
    tables = {k: v for k, v in doc.items() if isinstance(v, dict) and v}
    if prefix and scalars:
        lines.append("[" + ".".join(json.dumps(p) for p in prefix) + "]")
    lines += [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in scalars.items()]
    for k, v in tables.items():
        lines.append(_dump(v, (*prefix, k)))
    return "\n".join(lines) + "\n"


@st.composite
def mutated_doc(draw: Any, text: str) -> dict:
    doc = tomllib.loads(text)
    for _ in range(draw(st.integers(1, 3))):
        leaves = _leaves(doc)
        path = draw(st.sampled_from(leaves))
        if not path:
            continue
        kind = draw(st.sampled_from(["value", "delete", "rewire"]))
        if kind == "rewire" and (path[-1] in ("feed", "fresh") or "inlets" in path):
            streams = [str(v) for p in leaves for v in [_get(doc, p)] if isinstance(v, str)]
            _set(doc, path, draw(st.sampled_from([*streams, "nowhere.out"])))
        elif kind == "delete":
            _set(doc, path, _DELETE)
        else:
            _set(doc, path, draw(BAD_VALUES))
    return doc


def _get(doc: dict, path: tuple) -> Any:
    for key in path:
        doc = doc[key]
    return doc


def _encode(text: str, how: str) -> bytes:
    if how == "bom":
        return b"\xef\xbb\xbf" + text.encode()
    if how == "utf16":
        return text.encode("utf-16")
    if how == "truncated":
        return text.encode()[: len(text) // 2]
    return text.encode()


def _run(args: list[str], out: Path, capsys: Any) -> tuple[int, str, str]:
    shutil.rmtree(out, ignore_errors=True)
    code = main([*args, "--out", str(out)])
    captured = capsys.readouterr()
    assert code in (0, 2, 3), captured.err
    assert "Traceback" not in captured.err
    if code != 0:
        assert not out.exists() or not any(out.iterdir()), sorted(out.iterdir())
    return code, captured.out, captured.err


SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.slow
@SETTINGS
@given(
    data=st.data(),
    encoding=st.sampled_from(["plain", "plain", "plain", "bom", "utf16", "truncated"]),
)
def test_mutated_case_runs_or_is_refused(data, encoding, tmp_path, capsys):
    source = data.draw(st.sampled_from(CASES))
    doc = data.draw(mutated_doc(source.read_text(encoding="utf-8")))
    path = tmp_path / "mutant.toml"
    path.write_bytes(_encode(_dump(doc), encoding))
    code, out, _ = _run(["run", str(path), "--json"], tmp_path / "out", capsys)
    if code == 0:
        result = json.loads(out)
        assert result["status"] == "ok"
        assert result["closure"]["max_rel"] is not None
        assert result["closure"]["max_rel"] <= CLOSED


@pytest.mark.slow
@settings(SETTINGS, max_examples=12)
@given(data=st.data())
def test_mutated_study_runs_or_is_refused(data, tmp_path, capsys):
    doc = data.draw(mutated_doc(STUDY.read_text(encoding="utf-8")))
    study = doc.setdefault("study", {})
    if isinstance(study, dict):
        n = study.get("n_samples")
        study["n_samples"] = n if isinstance(n, int) and not isinstance(n, bool) and n < 8 else 4
    routes = doc.get("routes")
    if isinstance(routes, dict):  # the mutant lives elsewhere: routes as absolute paths
        for k, v in routes.items():
            if isinstance(v, str):
                routes[k] = str((STUDY.parent / v).resolve())
    path = tmp_path / "mutant_study.toml"
    path.write_text(_dump(doc), encoding="utf-8")
    code, out, _ = _run(["study", str(path), "--workers", "1", "--json"], tmp_path / "out", capsys)
    if code == 0:
        result = json.loads(out)
        assert result["status"] == "ok"


@pytest.mark.slow
@settings(SETTINGS, max_examples=20)
@given(
    row=st.integers(0, 20),
    col=st.integers(0, 10),
    value=st.sampled_from(["", "abc", "-1", "1e300", "nan", "0", "-0", "\x00", "1,5"]),
    encoding=st.sampled_from(["plain", "bom", "utf16", "truncated"]),
)
def test_mutated_survey_reconciles_or_is_refused(row, col, value, encoding, tmp_path, capsys):
    lines = SURVEY.read_text(encoding="utf-8").splitlines()
    r = row % len(lines)
    cells = lines[r].split(",")
    cells[col % len(cells)] = value
    lines[r] = ",".join(cells)
    path = tmp_path / "mutant.csv"
    path.write_bytes(_encode("\n".join(lines) + "\n", encoding))
    _run(["reconcile", str(path), "--json"], tmp_path / "out", capsys)

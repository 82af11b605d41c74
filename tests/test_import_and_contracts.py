"""Import budget, layer contracts and lint: the project's structure is tested too."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_import_oreflow_is_light():
    code = (
        "import sys, oreflow; from oreflow import api; "
        "print([m for m in ('numba', 'pyomo', 'highspy', 'matplotlib') if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


def test_public_api_names_resolve():
    import oreflow

    for name in oreflow.__all__:
        assert getattr(oreflow, name) is not None


def _tool(name):
    exe = Path(sys.executable).with_name(name)
    path = str(exe) if exe.exists() else shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed; it is part of the test extra")
    return path


def test_import_layer_contracts_are_kept():
    res = subprocess.run([_tool("lint-imports")], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0, res.stdout + res.stderr


def test_ruff_lint_is_clean():
    targets = [d for d in ("oreflow", "tests", "benchmarks") if (ROOT / d).is_dir()]
    res = subprocess.run(
        [_tool("ruff"), "check", *targets],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert res.returncode == 0, res.stdout + res.stderr

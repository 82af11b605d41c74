"""The shipped list of kernel signatures (``oreflow/kernels/kernel_signatures.txt``).

The wheel build compiles these ahead of the first run (``oreflow.kernels._precompile``);
a signature missing from the list is compiled on first use as before, so the list
costs time when it is stale, never results. These tests keep it current: every line
names a kernel and parses back to the same text, and ``oreflow run`` and ``oreflow
optimize`` on the default case call no signature the list lacks.

Rewrite the list after a change to the kernels the commands call:
``python tests/kernels/test_kernel_manifest.py`` (a fresh process on an empty cache, so
that the kernels a kernel calls are listed too).
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent

#: Run in a fresh process: the bundled commands, then the signatures their kernels hold.
_RECORD = """
import contextlib, io, sys
from oreflow import cli
from oreflow.kernels import _precompile
with contextlib.redirect_stdout(io.StringIO()):
    for command in (["run"], ["optimize"]):
        assert cli.main(command) == 0
print("\\n".join(_precompile.signatures_in_use()))
"""


def _signatures_of_commands(cache: str | None = None) -> list[str]:
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    if cache is not None:
        env["NUMBA_CACHE_DIR"] = cache
    done = subprocess.run(
        [sys.executable, "-c", _RECORD],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()


def test_every_line_names_a_kernel_and_parses_back():
    from oreflow.kernels import _precompile

    lines = _precompile.read_manifest()
    assert lines
    for line in lines:
        module, qualname, args = _precompile.parse_line(line)
        kernel = importlib.import_module(module)
        for part in qualname.split("."):
            kernel = getattr(kernel, part)
        assert callable(kernel.py_func), line
        assert _precompile.format_signature(module, qualname, args) == line


@pytest.mark.slow
@pytest.mark.solver  # `optimize` solves with HiGHS
def test_the_commands_call_no_signature_the_list_lacks():
    from oreflow.kernels import _precompile

    missing = set(_signatures_of_commands()) - set(_precompile.read_manifest())
    assert not missing, (
        f"rewrite it: python {Path(__file__).relative_to(ROOT)}; missing {sorted(missing)}"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from oreflow.kernels import _precompile

    with tempfile.TemporaryDirectory() as empty:
        found = _signatures_of_commands(empty)
    head = "# written by tests/kernels/test_kernel_manifest.py: what `oreflow run` and `oreflow optimize` compile\n"
    _precompile.MANIFEST.write_text(head + "\n".join(found) + "\n", encoding="utf-8")
    print(f"{len(found)} signatures -> {_precompile.MANIFEST}")

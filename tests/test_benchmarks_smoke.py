"""The benchmarks run in the suite: each body once, at its smoke size, with timing off.

``pytest benchmarks --benchmark-disable`` runs every benchmark body once (pytest-benchmark
``--benchmark-disable``); the benchmarks shrink themselves when ``benchmark.disabled``
(64 cases instead of 10,000, two values per superstructure axis, ...). The run is a
separate process so that the benchmark session hooks and the ``--benchmark-skip`` of
the normal suite stay as they are. Nothing is timed and nothing timed is asserted: this
only proves that every benchmark still runs and that its own checks hold.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Left out, each with its reason.
LEFT_OUT = {
    # compiles every kernel into an empty Numba cache in a fresh process: minutes
    "benchmarks/test_bench_first_run.py": "cold-cache compile",
    # the same bodies as the smallest size (the size is a parameter, the code path one)
    "benchmarks/test_bench_plant.py::test_bench_oreflow_batch[10000]": "larger size",
    "benchmarks/test_bench_plant.py::test_bench_numpy_baseline[10000]": "larger size",
    "benchmarks/test_bench_reconcile.py::test_bench_reconcile_oreflow[200]": "larger size",
    "benchmarks/test_bench_reconcile.py::test_bench_reconcile_oreflow[500]": "larger size",
    "benchmarks/test_bench_reconcile.py::test_bench_reconcile_connected[200-sparse]": "larger size",
    "benchmarks/test_bench_reconcile.py::test_bench_reconcile_connected[500-sparse]": "larger size",
    "benchmarks/test_bench_reconcile.py::test_bench_reconcile_connected[200-dense]": "larger size",
    # the dense comparator at 500 nodes: 10-20 CPU-s a solve
    "benchmarks/test_bench_reconcile.py::test_bench_reconcile_connected[500-dense]": "comparator",
    # SciPy's dense SLSQP, the comparator of the reconcile benchmark (not oreflow code):
    # over 4 CPU-minutes for one solve with the installed SciPy
    "benchmarks/test_bench_reconcile.py::test_bench_reconcile_scipy_slsqp": "comparator",
}


@pytest.mark.slow
def test_benchmarks_smoke_run():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    cmd = [
        sys.executable, "-m", "pytest", "benchmarks",
        "-o", "addopts=", "--benchmark-disable", "--strict-markers",
        "--import-mode=importlib", "-p", "no:cacheprovider", "-q",
        # the plain tests of benchmarks/ already run in the suite
        "-k", "not test_numpy_baseline_matches",
    ]  # fmt: skip
    for node in LEFT_OUT:
        cmd += ["--deselect", node]
    run = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout, run.stdout[-2000:]

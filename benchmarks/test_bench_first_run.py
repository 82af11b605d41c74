"""First run of the README's first command: ``oreflow optimize`` on an empty kernel cache.

A new user's first ``oreflow optimize`` compiles every kernel it calls (Numba, cached on
disk afterwards). The cold run points ``NUMBA_CACHE_DIR`` at an empty folder; the
baseline, in the same session, is the same command on the cache the cold run left (what
every later run costs). The difference is the compile time a new install pays once.

Run: ``pytest benchmarks/test_bench_first_run.py --benchmark-only`` (minutes: one cold
round). Smoke-run without timing: ``pytest -o addopts="" --benchmark-disable``.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GROUP = "first-run-optimize"
_counter = itertools.count()


def _optimize(cache_dir: Path) -> None:
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache_dir))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    subprocess.run(
        [sys.executable, "-m", "oreflow.cli", "optimize"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory):
    """A kernel cache filled by one run of the command."""
    cache = tmp_path_factory.mktemp("numba_warm")
    _optimize(cache)
    return cache


@pytest.mark.benchmark(group=GROUP)
def test_bench_first_run_cold_cache(benchmark, tmp_path):
    def fresh() -> tuple[tuple[Path], dict]:
        return (tmp_path / f"cache{next(_counter)}",), {}

    benchmark.pedantic(_optimize, setup=fresh, rounds=1, iterations=1)


@pytest.mark.benchmark(group=GROUP)
def test_bench_later_run_warm_cache(benchmark, warm_cache):
    benchmark.pedantic(_optimize, args=(warm_cache,), rounds=2, iterations=1)

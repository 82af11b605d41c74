"""First run of the README's first command: ``oreflow optimize`` on an empty kernel cache.

A new user's first ``oreflow optimize`` would compile every kernel it calls (Numba,
cached on disk afterwards). Three runs of the command, each in a fresh process:

- cold: this checkout with ``NUMBA_CACHE_DIR`` pointed at an empty folder (what a first
  run costs without a shipped cache: an editable install, or a checkout on ``PYTHONPATH``);
- after install: the wheel built from this checkout (``hatch_build.py`` compiles the
  kernels into it) installed into a fresh virtual environment, its first run, with no
  ``NUMBA_CACHE_DIR`` (what ``pip install .`` then ``oreflow optimize`` costs);
- warm: the cold run's cache again (what every later run costs).

The session ends with the cold/after-install ratio (``benchmarks/conftest.py``), in wall
and CPU seconds of the command's process.

Run: ``pytest benchmarks/test_bench_first_run.py --benchmark-only`` (minutes: one cold
round and a wheel build). Smoke-run without timing: ``pytest -o addopts="" --benchmark-disable``.
"""

from __future__ import annotations

import itertools
import os
import resource
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from benchmarks.registry import record

ROOT = Path(__file__).resolve().parent.parent
GROUP = "first-run-optimize"
_counter = itertools.count()


def _cpu_children_s() -> float:
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def _run(command: list[str], env: dict[str, str], cwd: Path, cpu: list[float]) -> None:
    t0 = _cpu_children_s()
    subprocess.run(command, env=env, cwd=cwd, check=True, capture_output=True)
    cpu.append(_cpu_children_s() - t0)


def _checkout_env(cache_dir: Path) -> dict[str, str]:
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache_dir))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def _optimize(cache_dir: Path, cpu: list[float]) -> None:
    _run([sys.executable, "-m", "oreflow.cli", "optimize"], _checkout_env(cache_dir), ROOT, cpu)


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory):
    """A kernel cache filled by one run of the command."""
    cache = tmp_path_factory.mktemp("numba_warm")
    _optimize(cache, [])
    return cache


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """``oreflow`` of a fresh virtual environment holding this checkout's wheel.

    The environment sees this one's packages through a ``.pth`` file (so only oreflow is
    installed, from its wheel, as ``pip install .`` would build it); the command then runs
    without ``NUMBA_CACHE_DIR`` and outside the checkout, so it imports the installed copy.
    """
    where = tmp_path_factory.mktemp("installed")
    # this environment's hatchling, numba and numpy build it: no download, and the cache
    # compiled by the numba the command then runs with
    build = ["wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(where), str(ROOT)]
    subprocess.run(
        [sys.executable, "-m", "pip", *build],
        check=True,
        capture_output=True,
    )
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import sysconfig; print(sysconfig.get_path('purelib'))",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "this_env.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    wheel = next(where.glob("oreflow-*.whl"))
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", site, str(wheel)],
        check=True,
        capture_output=True,
    )
    return venv / "bin" / "python", where


def _record(benchmark, impl: str, cpu: list[float]) -> None:
    record(benchmark, "first run", impl, 1, cpu_s=min(cpu) if cpu else float("nan"))


@pytest.mark.benchmark(group=GROUP)
def test_bench_first_run_cold_cache(benchmark, tmp_path):
    cpu: list[float] = []

    def fresh() -> tuple[tuple[Path, list[float]], dict]:
        return (tmp_path / f"cache{next(_counter)}", cpu), {}

    benchmark.pedantic(_optimize, setup=fresh, rounds=1, iterations=1)
    _record(benchmark, "cold cache", cpu)


@pytest.mark.benchmark(group=GROUP)
def test_bench_first_run_after_install(benchmark, installed):
    python, cwd = installed
    env = {k: v for k, v in os.environ.items() if k not in {"NUMBA_CACHE_DIR", "PYTHONPATH"}}
    cpu: list[float] = []
    command = [str(python), "-m", "oreflow.cli", "optimize"]
    benchmark.pedantic(_run, args=(command, env, cwd, cpu), rounds=1, iterations=1)
    _record(benchmark, "after install", cpu)


@pytest.mark.benchmark(group=GROUP)
def test_bench_later_run_warm_cache(benchmark, warm_cache):
    cpu: list[float] = []
    benchmark.pedantic(_optimize, args=(warm_cache, cpu), rounds=2, iterations=1)
    _record(benchmark, "warm cache", cpu)

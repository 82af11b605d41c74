"""Freed memory kept for reuse in batch runs (glibc's thresholds fixed): fewer fresh pages."""

import ctypes
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

from oreflow.solvers import heap

#: A loop of the size a batch chunk allocates and frees: 24 arrays of 1 MB, 40 times.
CHURN = """
import resource, sys
import numpy as np
if sys.argv[1] == "keep":
    from oreflow.solvers.heap import keep_freed_memory
    assert keep_freed_memory()
elif sys.argv[1] == "command":  # the oreflow command, on a shipped case
    from oreflow.cli import main
    assert main(["validate", sys.argv[2]]) == 0
elif sys.argv[1] == "api":  # a program that runs a study through the API, in its process
    import oreflow
    study = {
        "study": {"name": "s", "n_samples": 8, "seed": 1, "chunk_cases": 8},
        "routes": {"cil": sys.argv[2]},
        "variables": {"grade": {"dist": "uniform", "min": 1.0, "max": 3.0, "key": "ore.main.au_gpt"}},
    }
    assert len(oreflow.study(study, workers=1).results) == 8
keep = [np.ones(10)]
for _ in range(40):
    arrays = [np.ones(131072) for _ in range(24)]
    keep.append(arrays[-1][:1].copy())
    del arrays
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(40):
    arrays = [np.ones(131072) for _ in range(24)]
    del arrays
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


CASE = str(Path(__file__).resolve().parents[2] / "cases" / "free_milling_cil.toml")
USER_ENV = (*heap.USER_SETTINGS, "GLIBC_TUNABLES", heap.SWITCH)
glibc = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not hasattr(ctypes.CDLL(None), "gnu_get_libc_version"),
    reason="glibc's malloc only",
)


def _faults(mode: str, **env_set: str) -> int:
    env = {k: v for k, v in os.environ.items() if k not in USER_ENV} | env_set
    out = subprocess.run(
        [sys.executable, "-c", CHURN, mode, CASE],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return int(out.stdout.strip().splitlines()[-1])


@glibc
def test_kept_memory_is_reused_instead_of_faulted_in_again():
    plain, kept = _faults("plain"), _faults("keep")
    # 960 arrays of 256 pages: glibc's dynamic thresholds fault most of them in afresh
    assert plain > 20_000
    assert kept < plain / 20


@glibc
def test_the_command_keeps_freed_memory_and_a_program_using_the_api_does_not():
    plain = _faults("plain")
    assert _faults("command") < plain / 20  # the gain of `oreflow study` / `batch` kept
    assert _faults("api") > plain / 2  # a study run in the caller's own process
    assert _faults("command", OREFLOW_KEEP_FREED_MEMORY="0") > plain / 2  # switched off


@pytest.mark.parametrize(
    "env",
    [
        {"MALLOC_TRIM_THRESHOLD_": "131072"},
        {"GLIBC_TUNABLES": "glibc.malloc.trim_threshold=131072:glibc.malloc.mmap_threshold=131072"},
        {"GLIBC_TUNABLES": "glibc.malloc.mmap_threshold=1048576"},
        {"OREFLOW_KEEP_FREED_MEMORY": "0"},
    ],
)
def test_a_user_setting_or_the_switch_is_left_alone(monkeypatch, env):
    heap.keep_freed_memory.cache_clear()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    try:
        assert heap.keep_freed_memory() is False
    finally:
        heap.keep_freed_memory.cache_clear()


def test_other_tunables_do_not_count_as_a_setting(monkeypatch):
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=2")
    for key in heap.USER_SETTINGS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.delenv(heap.SWITCH, raising=False)
    assert heap.user_chose() is False


def test_pool_and_forked_workers_keep_freed_memory(monkeypatch):
    from oreflow.solvers import batch, study

    calls = []
    monkeypatch.setattr(heap, "keep_freed_memory", lambda: calls.append(1) or True)
    monkeypatch.setattr(study, "watch_parent", lambda pid: calls.append(pid))
    study._init_worker(12345)
    assert calls == [1, 12345]

    parent, child = multiprocessing.Pipe()
    batch._child(lambda x: x + 1, 1, child)
    assert calls[-1] == 1 and parent.recv() == ("ok", 2)

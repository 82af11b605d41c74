"""Freed memory kept for reuse in batch runs (glibc's thresholds fixed): fewer fresh pages."""

import ctypes
import os
import subprocess
import sys

import pytest

from oreflow.solvers import heap

#: A loop of the size a batch chunk allocates and frees: 24 arrays of 1 MB, 40 times.
CHURN = """
import resource, sys
import numpy as np
if sys.argv[1] == "keep":
    from oreflow.solvers.heap import keep_freed_memory
    assert keep_freed_memory()
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


def _faults(mode: str) -> int:
    env = {k: v for k, v in os.environ.items() if k not in heap.USER_SETTINGS}
    out = subprocess.run(
        [sys.executable, "-c", CHURN, mode], capture_output=True, text=True, env=env, check=True
    )
    return int(out.stdout.strip())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc only")
def test_kept_memory_is_reused_instead_of_faulted_in_again():
    if not hasattr(ctypes.CDLL(None), "gnu_get_libc_version"):
        pytest.skip("not glibc")
    plain, kept = _faults("plain"), _faults("keep")
    # 960 arrays of 256 pages: glibc's dynamic thresholds fault most of them in afresh
    assert plain > 20_000
    assert kept < plain / 20


def test_a_user_setting_is_left_alone(monkeypatch):
    heap.keep_freed_memory.cache_clear()
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "131072")
    try:
        assert heap.keep_freed_memory() is False
    finally:
        heap.keep_freed_memory.cache_clear()

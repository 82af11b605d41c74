"""Numba's on-disk cache filled by several processes at once keeps every signature.

``oreflow.kernels._jit.njit`` makes each save of a kernel hold an exclusive lock: numba
adds an entry to a kernel's index by read-modify-write, and two processes saving two
signatures at once could leave an index entry naming the other signature's machine code
(plain ``numba.njit(cache=True)`` returned ``array([0.e+000, 1.e-323, 2.e-323])`` for
``np.arange(3)`` in 1 of 3 trials). Forked batch workers and test runs side by side share
one cache. The race is timing-dependent, so this test can miss a regression; it cannot
pass on wrong numbers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def _python(code: str, cache: Path, cwd: Path = ROOT, **env: str) -> str:
    full = dict(os.environ, NUMBA_CACHE_DIR=str(cache), **env)
    full["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(cwd), str(ROOT), full.get("PYTHONPATH")])
    )
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


#: A kernel module of the test's own (numba caches by source file).
TOY = """
from oreflow.kernels._jit import njit


@njit
def twice(x):
    return x + x
"""

#: Argument types of ``twice``, one per racing process.
ARGS = ["1", "1.5", "np.float32(1.5)", "np.arange(3.0)", "np.arange(3)", "np.int32(2)", "True"]


def test_saves_of_two_processes_keep_every_signature(tmp_path):
    # several processes compile one kernel for different argument types at once; a
    # lost index update (two data files both numbered 1) would leave a signature that a
    # later process misses or, worse, loads as another signature's code
    (tmp_path / "toy_kernel.py").write_text(TOY)
    cache = tmp_path / "cache"
    procs = []
    for arg in ARGS:
        code = f"import numpy as np, toy_kernel; toy_kernel.twice({arg})"
        env = dict(os.environ, NUMBA_CACHE_DIR=str(cache))
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tmp_path), str(ROOT)]))
        procs.append(subprocess.Popen([sys.executable, "-c", code], cwd=tmp_path, env=env))
    assert all(p.wait() == 0 for p in procs)
    out = _python(
        f"""
        import numpy as np, toy_kernel
        values = [{", ".join(ARGS)}]
        results = [toy_kernel.twice(v) for v in values]
        stats = toy_kernel.twice.stats
        print(sum(stats.cache_hits.values()), sum(stats.cache_misses.values()))
        print([repr(r) for r in results])
        """,
        cache,
        cwd=tmp_path,
    )
    hits, misses = map(int, out.splitlines()[0].split())
    assert (hits, misses) == (len(ARGS), 0)
    assert out.splitlines()[1] == (
        "['2', '3.0', '3.0', 'array([0., 2., 4.])', 'array([0, 2, 4])', '4', '2']"
    )

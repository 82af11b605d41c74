"""The one place that imports numba.

Every kernel is decorated with ``njit``: lazy compilation (no eager signatures, no
jitclass) with an on-disk cache, so a process pays the compile once per kernel and
signature. When neither the package directory nor HOME is writable, numba cannot
place its cache and ``cache=True`` raises at decoration time (STACK.md §3.2); we then
point ``NUMBA_CACHE_DIR`` at a temporary folder before numba is imported.
"""

from __future__ import annotations

import os
import tempfile
from functools import partial
from pathlib import Path


def _cache_dir_needed() -> bool:
    if os.environ.get("NUMBA_CACHE_DIR"):
        return False
    here = Path(__file__).parent
    home = Path.home()
    return not (os.access(here, os.W_OK) or os.access(home, os.W_OK))


if _cache_dir_needed():
    os.environ["NUMBA_CACHE_DIR"] = str(Path(tempfile.gettempdir()) / "oreflow-numba-cache")

import numba  # noqa: E402  (the cache location must be settled first)

njit = partial(numba.njit, cache=True)

__all__ = ["njit"]

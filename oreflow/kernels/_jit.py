"""The one place that imports numba.

Every kernel is decorated with ``njit``: lazy compilation (no eager signatures, no
jitclass) with an on-disk cache, so a process pays the compile once per kernel and
signature. When neither the package directory nor HOME is writable, numba cannot
place its cache and ``cache=True`` raises at decoration time (docs/architecture.md); we then
point ``NUMBA_CACHE_DIR`` at a temporary folder before numba is imported.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
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


@contextlib.contextmanager
def on_compile(started: Callable[[str], None], ended: Callable[[str], None]) -> Iterator[None]:
    """Call ``started(name)`` / ``ended(name)`` around every kernel compilation meanwhile.

    Numba's event API fires ``numba:compile`` only when no cached machine code fits
    (``numba.core.event``); a run with a warm cache calls neither.
    """
    from numba.core import event

    class _Listener(event.Listener):
        def on_start(self, ev: event.Event) -> None:
            started(_name(ev))

        def on_end(self, ev: event.Event) -> None:
            ended(_name(ev))

    listener = _Listener()
    event.register("numba:compile", listener)
    try:
        yield
    finally:
        event.unregister("numba:compile", listener)


def _name(ev: object) -> str:
    data = getattr(ev, "data", None) or {}
    dispatcher = data.get("dispatcher")
    return getattr(getattr(dispatcher, "py_func", None), "__name__", "kernel")


__all__ = ["njit", "on_compile"]

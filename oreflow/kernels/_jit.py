"""The one place that imports numba.

Every kernel is decorated with ``njit``: lazy compilation (no eager signatures, no
jitclass) with an on-disk cache, so a process pays the compile once per kernel and
signature. When neither the package directory nor HOME is writable, numba cannot
place its cache and ``cache=True`` raises at decoration time (docs/architecture.md); we then
point ``NUMBA_CACHE_DIR`` at a temporary folder before numba is imported.

Two processes may fill the cache at once (forked batch workers, two runs side by side).
Numba writes each data file
and index atomically (a temporary file, then a rename), but adding an entry to a
kernel's index is a read-modify-write: two processes saving two different signatures of
one kernel could both number their data file 1, leaving an index entry that names the
other signature's machine code. ``njit`` therefore makes every save of a kernel hold an
exclusive ``flock`` on a lock file next to its index (POSIX; elsewhere saves are as
numba makes them).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # not POSIX: saves are as numba makes them
    fcntl = None  # type: ignore[assignment]


def _cache_dir_needed() -> bool:
    if os.environ.get("NUMBA_CACHE_DIR"):
        return False
    here = Path(__file__).parent
    home = Path.home()
    return not (os.access(here, os.W_OK) or os.access(home, os.W_OK))


if _cache_dir_needed():
    os.environ["NUMBA_CACHE_DIR"] = str(Path(tempfile.gettempdir()) / "oreflow-numba-cache")

import numba  # noqa: E402  (the cache location must be settled first)
from numba.core import caching  # noqa: E402
from numba.core.registry import CPUDispatcher  # noqa: E402


class _LockedIndexDataCacheFile(caching.IndexDataCacheFile):
    """Numba's cache file of one kernel, with every save under an exclusive lock."""

    def save(self, key: Any, data: Any) -> None:
        if fcntl is None:
            super().save(key, data)
            return
        with open(self._index_path + ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                super().save(key, data)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def njit(func: Callable[..., Any]) -> Any:
    """Numba ``njit`` with the on-disk cache, its saves safe between processes."""
    dispatcher = numba.njit(cache=True)(func)
    cache_file = getattr(getattr(dispatcher, "_cache", None), "_cache_file", None)
    if type(cache_file) is caching.IndexDataCacheFile:
        cache_file.__class__ = _LockedIndexDataCacheFile
    return dispatcher


#: Names the text of a kernel signature may use (``repr`` of numba's types evaluates in it).
TYPE_NAMES: dict[str, Any] = {
    **{k: v for k, v in vars(numba.types).items() if not k.startswith("_")},
    "bool": numba.types.boolean,
}


def kernels_of(module: object) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """``(qualname, argument types)`` of each signature the module's kernels hold now."""
    for obj in vars(module).values():
        if isinstance(obj, CPUDispatcher) and obj.py_func.__module__ == module.__name__:
            for args in obj.signatures:
                yield obj.py_func.__qualname__, tuple(args)


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


__all__ = ["TYPE_NAMES", "kernels_of", "njit", "on_compile"]

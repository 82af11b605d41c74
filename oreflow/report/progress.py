"""Progress on stderr: a rich bar for studies, a notice while kernels compile.

Kernels are compiled by Numba on their first call and cached on disk, so a new install
pays that once (tens of seconds) and later runs load machine code from the cache. The
notice says so while it happens instead of leaving the terminal silent.
"""

from __future__ import annotations

import contextlib
import math
import sys
import time
from collections.abc import Iterator
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


class RichProgress:
    """A ``(done, total)`` progress callback drawing a rich bar on stderr.

    Parameters
    ----------
    label : str
        Text before the bar.
    console : rich.console.Console, optional
        Where to draw (default: stderr).
    """

    def __init__(self, label: str, console: Console | None = None) -> None:
        self.label = label
        self.console = console or Console(stderr=True)
        self._progress: Progress | None = None
        self._task: Any = None

    def __call__(self, done: int, total: int) -> None:
        """Advance the bar to ``done`` of ``total`` items."""
        if self._progress is None:
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=self.console,
                transient=False,
            )
            self._progress.start()
            # resumed items count as done from the start, not as speed (the time left)
            self._task = self._progress.add_task(self.label, total=max(total, 1), completed=done)
        self._progress.update(self._task, completed=done, total=max(total, 1))
        if done >= total:
            self.close()

    def close(self) -> None:
        """Stop drawing (idempotent)."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


class LineProgress:
    """A ``(done, total)`` progress callback for a log or a pipe: a line now and then.

    Nothing for a run shorter than ``after_s``; then at most one line every
    ``every_s``: items done, elapsed time and the time left at this run's pace
    (items resumed from disk do not count as pace).

    Parameters
    ----------
    label : str
        What runs (first word of each line).
    stream : file-like, optional
        Where to write (default: stderr).
    after_s, every_s : float
        Seconds before the first line, and between lines.
    """

    def __init__(
        self, label: str, stream: Any = None, after_s: float = 60.0, every_s: float = 60.0
    ) -> None:
        self.label = label
        self.stream = stream
        self.after_s = after_s
        self.every_s = every_s
        self._t0: float | None = None
        self._first = 0
        self._last = -math.inf

    def __call__(self, done: int, total: int) -> None:
        """Note that ``done`` of ``total`` items are finished."""
        now = time.monotonic()
        if self._t0 is None:
            self._t0, self._first = now, done
            return
        elapsed = now - self._t0
        if elapsed < self.after_s or now - self._last < self.every_s or done >= total:
            return
        self._last = now
        pace = (done - self._first) / elapsed
        left = f", about {_duration((total - done) / pace)} left" if pace > 0 else ""
        out = self.stream or sys.stderr
        out.write(
            f"{self.label}: {done:,} of {total:,} items ({100.0 * done / max(total, 1):.0f} %), "
            f"{_duration(elapsed)} elapsed{left}\n"
        )
        out.flush()

    def close(self) -> None:
        """Nothing to stop (the same interface as ``RichProgress``)."""


def _duration(seconds: float) -> str:
    """A duration in words a person reads at a glance: 45 s, 12 min, 3.5 h."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


@contextlib.contextmanager
def compile_notice(stream: Any = None) -> Iterator[dict[str, Any]]:
    """Say on stderr while kernels compile; yields the count and seconds when done.

    On a terminal a spinner names the kernel being compiled; elsewhere one line at the
    start and one at the end. Nothing is written when every kernel comes from the cache.
    """
    from oreflow.kernels._jit import on_compile

    out = stream or sys.stderr
    tty = bool(getattr(out, "isatty", lambda: False)())
    state: dict[str, Any] = {"n": 0, "depth": 0, "t0": None, "seconds": 0.0}
    console = Console(file=out) if tty else None
    status: Any = None

    def started(name: str) -> None:
        nonlocal status
        if state["depth"] == 0:
            state["since"] = time.perf_counter()
        state["depth"] += 1
        if state["t0"] is None:
            state["t0"] = time.perf_counter()
            head = "compiling kernels, once per install (later runs load them from the cache)"
            if console is not None:
                status = console.status(head)
                status.start()
            else:
                out.write(head + "\n")
                out.flush()
        if status is not None:
            elapsed = time.perf_counter() - state["t0"]
            status.update(
                f"compiling kernels, once per install: {state['n']} done, "
                f"{elapsed:.0f} s; now {name}"
            )

    def ended(name: str) -> None:
        state["depth"] -= 1
        state["n"] += 1
        if state["depth"] == 0:
            state["seconds"] += time.perf_counter() - state["since"]

    try:
        with on_compile(started, ended):
            yield state
    finally:
        if status is not None:
            status.stop()
        if state["t0"] is not None:
            out.write(
                f"compiled {state['n']} kernel specialisations in {state['seconds']:.0f} s "
                "(cached for later runs)\n"
            )
            out.flush()

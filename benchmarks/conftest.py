"""Benchmark session hooks: print evaluations per second and the oreflow/baseline ratios.

The benchmark tests ``record`` their timings (``registry.RESULTS``); this hook prints
them once, after pytest-benchmark's own tables, so that one run of
``python -m pytest benchmarks --benchmark-only`` ends with the figures the issue asks
for. Nothing is printed when timing is off (normal test run, ``--benchmark-disable``).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest

from benchmarks.registry import RESULTS, Timing

FLOOR_EVALS_PER_S = 2_000  # the floor on this 2-core machine
AIM_EVALS_PER_S = 20_000  # and what we aim for
OPTIMIZE_TARGET_S = 10.0  # issue 4: >= 100,000 combinations to a proven optimum


_LOAD_AT_START: list[tuple[float, float, float]] = []


def pytest_sessionstart(session: Any) -> None:
    """Note the load average before anything runs (the machine may be shared)."""
    _LOAD_AT_START.append(os.getloadavg())


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}"


def _exponent(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of log(time) on log(size): the exponent of a power law."""
    x = np.log([p[0] for p in points])
    y = np.log([p[1] for p in points])
    return float(np.polyfit(x, y, 1)[0])


def _by(name: str, impl: str, n: int) -> Timing | None:
    found = [t for t in RESULTS if t.name == name and t.impl == impl and t.n_cases == n]
    return found[-1] if found else None


@pytest.hookimpl(trylast=True)  # after pytest-benchmark's own tables
def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the plant-evaluation table and ratios (only when something was timed)."""
    if not RESULTS:
        return
    tr = terminalreporter
    tr.section("oreflow plant evaluations per second")
    tr.write_line(
        f"{'case':<18} {'implementation':<26} {'n_cases':>8} {'best evals/s':>13} {'mean evals/s':>13} {'rounds':>6}"
    )
    for t in RESULTS:
        if t.name == "first run":  # one command, not plant evaluations: its own line below
            continue
        tr.write_line(
            f"{t.name:<18} {t.impl:<26} {t.n_cases:>8,} {_fmt(t.evals_per_s):>13} {_fmt(t.evals_per_s_mean):>13} {t.rounds:>6}"
        )
    names = sorted({t.name for t in RESULTS})
    for name in names:
        for t in [t for t in RESULTS if t.name == name and t.impl == "oreflow batch"]:
            base = _by(name, "numpy baseline", t.n_cases)
            if base is not None:
                tr.write_line(
                    f"{name}: oreflow / NumPy at {t.n_cases:,} cases: "
                    f"{t.evals_per_s / base.evals_per_s:.2f}x (best), "
                    f"{t.evals_per_s_mean / base.evals_per_s_mean:.2f}x (mean)"
                )
        single = [t for t in RESULTS if t.name == name and t.impl == "oreflow one-at-a-time"]
        if single:
            one = single[-1]
            for t in [t for t in RESULTS if t.name == name and t.impl.startswith("oreflow batch")]:
                label = t.impl.removeprefix("oreflow ")
                tr.write_line(
                    f"{name}: oreflow {label} of {t.n_cases:,} ({t.min_s:.2f} s) / "
                    f"one-at-a-time API: {t.evals_per_s / one.evals_per_s:.0f}x (best)"
                )

        tabulations = {t.impl: t for t in RESULTS if t.name == name and "tabulation" in t.impl}
        lean = tabulations.get("lean tabulation, 1 process")
        for impl, t in tabulations.items():
            if lean is not None and t is not lean:
                tr.write_line(
                    f"{name}: {impl} {t.min_s:.2f} s, lean tabulation in 1 process "
                    f"{lean.min_s:.2f} s: {t.min_s / lean.min_s:.2f}x its time"
                )
        enumerated = [t for t in RESULTS if t.name == name and t.impl == "exhaustive enumeration"]
        optimized = [t for t in RESULTS if t.name == name and t.impl == "oreflow optimize"]
        if enumerated and optimized:
            fast, slow = optimized[-1].min_s, enumerated[-1].min_s
            tr.write_line(
                f"{name}: oreflow optimize {fast:.2f} s end to end, exhaustive enumeration "
                f"{slow:.1f} s: {slow / fast:.1f}x (issue 4 target: under {OPTIMIZE_TARGET_S:.0f} s)"
            )

    for solver in ("direct", "general"):
        grid = sorted(
            (t.extra["n_classes"], t.min_s)
            for t in RESULTS
            if t.name == "size classes" and t.extra.get("solver") == solver
        )
        if len(grid) >= 2:
            tr.write_line(
                f"size classes, {solver} loop: "
                + ", ".join(f"{n} classes {s:.3f} s" for n, s in grid)
                + f"; time grows with exponent {_exponent(grid):.2f} in the classes"
            )

    first = {t.impl: t for t in RESULTS if t.name == "first run"}
    if first:
        tr.write_line(
            "first `oreflow optimize`: "
            + ", ".join(
                f"{k} {t.min_s:.1f} s ({t.extra['cpu_s']:.1f} CPU-s)" for k, t in first.items()
            )
        )
        cold, shipped = first.get("cold cache"), first.get("after install")
        if cold is not None and shipped is not None:
            tr.write_line(
                f"first run after install / on an empty cache: {shipped.min_s / cold.min_s:.2f} (wall), "
                f"{shipped.extra['cpu_s'] / cold.extra['cpu_s']:.2f} (CPU); issue 14 goal: 6 s"
            )

    def load(values: tuple[float, float, float]) -> str:
        return ", ".join(f"{x:.2f}" for x in values)

    start = load(_LOAD_AT_START[0]) if _LOAD_AT_START else "?"
    tr.write_line(
        f"issue: floor {FLOOR_EVALS_PER_S:,} evals/s, aim {AIM_EVALS_PER_S:,} evals/s on this machine"
    )
    tr.write_line(
        f"load average (1, 5, 15 min) at start {start}, at end {load(os.getloadavg())}, {os.cpu_count()} CPUs; "
        "a start figure well above 0 means other work shared the machine"
    )

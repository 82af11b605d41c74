"""Benchmark registry: what is benchmarked, at which sizes, in which phases.

After linopy's benchmark layout (STYLE.md, "Benchmarks"): every benchmarked case or
kernel family is one frozen ``BenchSpec`` registered from its own file; the drivers
(pytest-benchmark tests) are parametrized by size and phase from the registry. Timings
recorded with ``record`` are printed as evaluations per second, with the
oreflow/baseline ratios, at the end of the session (``benchmarks/conftest.py``).

Nothing here imports oreflow or numba, so the registry costs nothing to import.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

PHASES = ("compile", "simulate", "build_model", "solve")


@dataclass(frozen=True)
class BenchSpec:
    """One benchmarked workload.

    Attributes
    ----------
    name : str
        Registry key (a case name or a kernel family).
    build : Callable[[int], Any]
        ``build(n)`` -> the inputs of one evaluation of ``n`` cases (built outside the
        timer).
    sizes : tuple of int
        Batch sizes to time.
    phases : tuple of str
        Phases timed, among ``PHASES``.
    doc : str
        What one evaluation is.
    """

    name: str
    build: Callable[[int], Any]
    sizes: tuple[int, ...]
    phases: tuple[str, ...] = ("simulate",)
    doc: str = ""

    def __post_init__(self) -> None:
        unknown = set(self.phases) - set(PHASES)
        if unknown:
            msg = f"unknown phases {sorted(unknown)}; known: {PHASES}"
            raise ValueError(msg)
        if not self.sizes or any(n < 1 for n in self.sizes):
            msg = "sizes must be positive batch sizes"
            raise ValueError(msg)


REGISTRY: dict[str, BenchSpec] = {}


def register(spec: BenchSpec) -> BenchSpec:
    """Add a spec to the registry (registering the same name twice is an error)."""
    if spec.name in REGISTRY and REGISTRY[spec.name] is not spec:
        msg = f"benchmark {spec.name!r} is registered twice"
        raise ValueError(msg)
    REGISTRY[spec.name] = spec
    return spec


# ------------------------------------------------------------------ sampled ore
ORE_SEED = 20_240_601


def sample_ore_overrides(n: int, seed: int = ORE_SEED) -> dict[str, np.ndarray]:
    """Sampled ore properties of ``free_milling_cil``, as ``simulate_batch`` overrides.

    Gold grade lognormal with median 2 g/t (sigma 0.3 in ln), Bond Wi uniform 11-17
    kWh/t, free gold uniform 0.70-0.85 with silicate-locked gold ``0.92 - free`` (so
    the sulfide-locked 0.08 of the case keeps the deportment summing to 1).
    """
    rng = np.random.default_rng(seed)
    au_free = rng.uniform(0.70, 0.85, n)
    return {
        "ore.main.au_gpt": rng.lognormal(np.log(2.0), 0.3, n),
        "ore.main.wi_kwh_t": rng.uniform(11.0, 17.0, n),
        "ore.main.deportment.au_free": au_free,
        "ore.main.deportment.au_silicate": 0.92 - au_free,
    }


def case_overrides(overrides: Mapping[str, np.ndarray], i: int) -> dict[str, float]:
    """The scalar overrides of case ``i`` of a batch (for the one-at-a-time API)."""
    return {k: float(v[i]) for k, v in overrides.items()}


# ------------------------------------------------------------------ session results
@dataclass
class Timing:
    """Timing of one benchmark, in seconds per evaluation of ``n_cases`` cases."""

    name: str
    impl: str
    n_cases: int
    min_s: float
    mean_s: float
    rounds: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def evals_per_s(self) -> float:
        """Plant evaluations per second at the best round [1/s]."""
        return self.n_cases / self.min_s

    @property
    def evals_per_s_mean(self) -> float:
        """Plant evaluations per second at the mean round [1/s]."""
        return self.n_cases / self.mean_s


RESULTS: list[Timing] = []


def record(benchmark: Any, name: str, impl: str, n_cases: int, **extra: Any) -> Timing | None:
    """Store a finished benchmark's timing and put evaluations/s into its ``extra_info``.

    Returns None when timing is disabled (``--benchmark-disable`` smoke runs).
    """
    meta = getattr(benchmark, "stats", None)
    if meta is None:
        return None
    stats = meta.stats
    timing = Timing(
        name, impl, n_cases, float(stats.min), float(stats.mean), int(stats.rounds), dict(extra)
    )
    benchmark.extra_info.update(
        {
            "n_cases": n_cases,
            "impl": impl,
            "evals_per_s": round(timing.evals_per_s, 1),
            "evals_per_s_mean": round(timing.evals_per_s_mean, 1),
            **extra,
        }
    )
    RESULTS.append(timing)
    return timing

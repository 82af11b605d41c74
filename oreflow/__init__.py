"""oreflow: process-optimization engine for gold and silver plants.

The public API is imported lazily so that ``import oreflow`` stays light (no Numba,
Pyomo or matplotlib at import time)::

    import oreflow
    case = oreflow.load_case("cases/free_milling_cil.toml")
    result = oreflow.simulate(case)
    result.kpis, result.streams, result.closure
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_API = (
    "load_case",
    "simulate",
    "simulate_batch",
    "validate",
    "reconcile",
    "optimize",
    "pareto",
    "study",
    "bundled_case",
    "bundled_cases",
)

__all__ = [*_API, "__version__"]


def __getattr__(name: str) -> Any:
    if name in _API:
        from oreflow import api

        return getattr(api, name)
    msg = f"module 'oreflow' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted(__all__)

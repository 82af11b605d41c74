"""The vent: gases leaving the plant to atmosphere.

The sink of the CO2 that an autoclave releases from the ore's carbonates and
carbonaceous matter (``oreflow.units.pox``), so that carbon closes over the plant; it
reports the flow vented and its CO2.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from oreflow.core.components import ComponentSet
from oreflow.units.base import PrepareContext, UnitResult, UnitSpec, UnitType


class Vent:
    """Gases leaving the plant to atmosphere (CO2 from carbonates and organic carbon)."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> Any:
        """Nothing to prepare."""
        return None

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Report the CO2 and any other flow vented."""
        feed = np.sum(inlets, axis=0) if len(inlets) > 1 else inlets[0]
        metrics = {"vented_tph": feed.sum(axis=1)}
        if self.comps.has("co2"):
            metrics["co2_kg_h"] = feed[:, self.comps.solution_offset("co2")] * 1000.0
        return UnitResult((), metrics=metrics)


VENT = UnitType(
    name="vent",
    summary="gases leaving to atmosphere (CO2 from carbonates and carbonaceous matter)",
    inlets=("feed",),
    outlets=(),
    params=(),
    build=Vent,
    is_sink=True,
)


UNIT_TYPES = (VENT,)

"""Bypass: the "none" option of a superstructure position.

The feed passes unchanged to one outlet (``to``), the others carry nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from oreflow.core.components import ComponentSet
from oreflow.core.schema import Param
from oreflow.units.base import PrepareContext, UnitResult, UnitSpec, UnitType


class Bypass:
    """Passes its feed unchanged to one outlet; the others carry nothing.

    The "none" option of a superstructure position (no flotation, no oxidation): the
    position keeps its ports, and the route simply skips the unit.
    """

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        target = spec.params.get("to") or spec.outlets[0]
        self.target = spec.outlets.index(target)

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> Any:
        """Nothing depends on the case."""
        return None

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """The feed to the target outlet, empty streams elsewhere."""
        (feed,) = inlets
        return UnitResult(
            tuple(
                feed.copy() if i == self.target else np.zeros_like(feed)
                for i in range(len(self.spec.outlets))
            )
        )


BYPASS = UnitType(
    name="bypass",
    bypass=True,
    linear=True,
    summary="the 'none' option of a position: the feed passes to one outlet, the others are empty",
    inlets=("feed",),
    outlets=("out",),
    params=(
        Param(
            "to",
            "-",
            "",
            "outlet of the position that receives the feed (default: its first outlet)",
            "oreflow",
            kind=str,
        ),
    ),
    build=Bypass,
)


UNIT_TYPES = (BYPASS,)

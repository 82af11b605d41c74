"""Product: a plant product leaving the flowsheet (loaded carbon, concentrate, water).

A sink (``oreflow.units.tailings.Sink``); its ``kind`` says whether the gold it receives
counts towards gold recovery.
"""

from __future__ import annotations

from oreflow.core.schema import Param
from oreflow.units.base import UnitType
from oreflow.units.tailings import Sink

PRODUCT = UnitType(
    name="product",
    summary="a plant product leaving the flowsheet (loaded carbon to elution, concentrate)",
    inlets=("feed",),
    outlets=(),
    params=(
        Param(
            "kind",
            "-",
            "gold",
            "what the product is: 'gold' counts towards gold recovery, 'concentrate' and 'water' do not",
            "oreflow convention",
            kind=str,
            choices=("gold", "concentrate", "water"),
        ),
    ),
    build=Sink,
    is_sink=True,
    kpi_families=("product",),
)


UNIT_TYPES = (PRODUCT,)

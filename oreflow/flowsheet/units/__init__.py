"""Registry of unit types: adding a model is one entry here plus its kernel.

``UNIT_TYPES`` maps the ``type`` of a ``[units.NAME]`` section to its ``UnitType``.
Ore sources (``[ore.NAME]``) are not unit types; see ``ore_feed``.
"""

from __future__ import annotations

from types import MappingProxyType

from oreflow.flowsheet.units.ball_mill import BALL_MILL
from oreflow.flowsheet.units.base import UnitType
from oreflow.flowsheet.units.cil import CIL
from oreflow.flowsheet.units.cyclone import HYDROCYCLONE
from oreflow.flowsheet.units.simple import MIXER, PRODUCT, SPLITTER, TAILINGS, THICKENER

UNIT_TYPES: MappingProxyType[str, UnitType] = MappingProxyType(
    {
        t.name: t
        for t in (MIXER, SPLITTER, THICKENER, BALL_MILL, HYDROCYCLONE, CIL, TAILINGS, PRODUCT)
    }
)

__all__ = ["UNIT_TYPES"]

"""Registry of unit types: adding a model is one entry here plus its kernel.

``UNIT_TYPES`` maps the ``type`` of a ``[units.NAME]`` section to its ``UnitType``.
Ore sources (``[ore.NAME]``) are not unit types; see ``ore_feed``.
"""

from __future__ import annotations

from types import MappingProxyType

from oreflow.units.ball_mill import BALL_MILL
from oreflow.units.base import UnitType
from oreflow.units.biox import BIO_OXIDATION
from oreflow.units.ccd import CCD
from oreflow.units.cil import CIC, CIL, CIP
from oreflow.units.cyclone import HYDROCYCLONE
from oreflow.units.detox import INCO_DETOX, SOLUTION_SOURCE
from oreflow.units.filtration import FILTER
from oreflow.units.flotation import FLOTATION_BANK
from oreflow.units.glycine import GLYCINE_LEACH
from oreflow.units.gravity import GRAVITY_CONCENTRATOR
from oreflow.units.halide import HALIDE_LEACH
from oreflow.units.haulage import HAULAGE
from oreflow.units.heap_leach import HEAP_LEACH
from oreflow.units.heap_leach_cf import GLYCINE_HEAP_LEACH, THIOSULFATE_HEAP_LEACH
from oreflow.units.neutralisation import NEUTRALISATION
from oreflow.units.pox import POX_ACID, POX_ALKALINE, VENT
from oreflow.units.recovery import ELECTROWINNING, ELUTION, MERRILL_CROWE, SMELTING
from oreflow.units.regrind_mill import REGRIND_MILL
from oreflow.units.residue import BUILDING_MATERIALS, PASTE_BACKFILL
from oreflow.units.sag_mill import SAG_MILL
from oreflow.units.screen import SCREEN
from oreflow.units.simple import BYPASS, MIXER, PRODUCT, SPLITTER, TAILINGS, THICKENER
from oreflow.units.sorter import ORE_SORTER
from oreflow.units.thiosulfate import THIOSULFATE_RIL
from oreflow.units.ultrafine import ULTRAFINE_GRIND

UNIT_TYPES: MappingProxyType[str, UnitType] = MappingProxyType(
    {
        t.name: t
        for t in (
            MIXER,
            SPLITTER,
            BYPASS,
            THICKENER,
            BALL_MILL,
            HYDROCYCLONE,
            CIL,
            CIP,
            CIC,
            HEAP_LEACH,
            GLYCINE_HEAP_LEACH,
            THIOSULFATE_HEAP_LEACH,
            ELUTION,
            ELECTROWINNING,
            SMELTING,
            MERRILL_CROWE,
            TAILINGS,
            PRODUCT,
            INCO_DETOX,
            SOLUTION_SOURCE,
            FILTER,
            PASTE_BACKFILL,
            BUILDING_MATERIALS,
            THIOSULFATE_RIL,
            GLYCINE_LEACH,
            HALIDE_LEACH,
            SAG_MILL,
            REGRIND_MILL,
            SCREEN,
            GRAVITY_CONCENTRATOR,
            FLOTATION_BANK,
            ORE_SORTER,
            POX_ACID,
            POX_ALKALINE,
            VENT,
            ULTRAFINE_GRIND,
            BIO_OXIDATION,
            NEUTRALISATION,
            CCD,
            HAULAGE,
        )
    }
)

__all__ = ["UNIT_TYPES"]

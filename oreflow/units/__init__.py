"""Registry of unit types, found in the modules of this package.

Every module of ``oreflow.units`` that defines unit types lists them in a module-level
``UNIT_TYPES`` tuple; ``UNIT_TYPES`` here maps the ``type`` of a ``[units.NAME]`` section
to its ``UnitType``, collected from those modules, so adding a unit type edits no list.
Types defined elsewhere (a plug-in, a test) are passed explicitly to case loading
(``load_case(path, unit_types=...)``) and join a case's own registry, never this one.
Ore sources (``[ore.NAME]``) are not unit types; see ``ore_feed``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from oreflow.units.base import UnitType


def _discover() -> dict[str, UnitType]:
    found: dict[str, UnitType] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for utype in getattr(module, "UNIT_TYPES", ()):
            if utype.name in found:
                msg = f"unit type {utype.name!r} is defined twice ({info.name})"
                raise ValueError(msg)
            found[utype.name] = utype
    return found


UNIT_TYPES: Mapping[str, UnitType] = MappingProxyType(_discover())


def registry(extra: Iterable[UnitType] = ()) -> Mapping[str, UnitType]:
    """The built-in unit types plus ``extra`` ones, by type name.

    Raises
    ------
    ValueError
        If an extra type reuses a name.
    """
    extra = tuple(extra)
    if not extra:
        return UNIT_TYPES
    out = dict(UNIT_TYPES)
    for utype in extra:
        if utype.name in out:
            msg = f"unit type {utype.name!r} is already registered"
            raise ValueError(msg)
        out[utype.name] = utype
    return MappingProxyType(out)


__all__ = ["UNIT_TYPES", "registry"]

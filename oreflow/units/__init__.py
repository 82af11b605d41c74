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
from dataclasses import replace
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
    # operating envelopes and reaction tables are declared in one module each
    # (``envelopes``, ``reaction_tables``) and attached here; a table that does not
    # balance every element stops the package from loading
    from oreflow.core.reactions import table_problems
    from oreflow.units.envelopes import ENVELOPES
    from oreflow.units.reaction_tables import REACTIONS

    problems = [p for name, table in REACTIONS.items() for p in table_problems(name, table)]
    problems += [f"reaction table of unknown unit type {n!r}" for n in REACTIONS if n not in found]
    if problems:
        raise ValueError("reaction tables: " + "; ".join(problems))
    return {
        name: replace(
            t,
            envelope=t.envelope + ENVELOPES.get(name, ()),
            reactions=t.reactions + REACTIONS.get(name, ()),
        )
        for name, t in found.items()
    }


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

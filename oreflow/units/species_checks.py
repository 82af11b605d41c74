"""Case checks shared by unit types: species a unit needs the case to declare.

A type whose needs are a fixed list declares them as ``UnitType.requires`` (checked by
``oreflow.units.base.check_requires``); the checks here are for needs a fixed list
cannot state (one of several species) or that a module's own check adds to its rules.
Each appends one ``Problem`` per missing need, naming the unit.
"""

from __future__ import annotations

from collections.abc import Iterable

from oreflow.core.components import ComponentSet
from oreflow.errors import Problem
from oreflow.units.base import UnitSpec


def require_species(
    comps: ComponentSet, names: Iterable[str], spec: UnitSpec, file: str, problems: list[Problem]
) -> None:
    """One problem per species of ``names`` the case does not declare."""
    for name in names:
        if not comps.has(name):
            problems.append(
                Problem(
                    file,
                    f"units.{spec.name}",
                    f"a {spec.type} needs the species {name!r} declared in [case]",
                )
            )


def require_cyanide(
    spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]
) -> None:
    """A problem unless the case declares free cyanide (``nacn``) or WAD cyanide (``cn_wad``)."""
    if not (comps.has("nacn") or comps.has("cn_wad")):
        article = "an" if spec.type[:1] in "aeiou" else "a"
        problems.append(
            Problem(
                file,
                f"units.{spec.name}",
                f"{article} {spec.type} needs a cyanide species ('nacn' free cyanide or 'cn_wad') "
                "declared in [case.solution]",
            )
        )

"""Splitter: divides a stream between named outlets in fixed fractions.

Every species goes to each outlet in the same proportion (the fractions, normalised to
sum to one per case); the outlets are the keys of the ``fractions`` table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from oreflow.core.components import ComponentSet
from oreflow.errors import Problem
from oreflow.units.base import PrepareContext, UnitResult, UnitSpec, UnitType, total_solids


class Splitter:
    """Splits every species in the same proportion to each outlet."""

    solids_diagonal = True  # see Mixer

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> Any:
        """Per-case fraction to each outlet, normalised so the split conserves mass."""
        fr = np.stack([params[f"fractions.{o}.frac"] for o in self.spec.outlets], axis=1)
        return fr / fr.sum(axis=1, keepdims=True)

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Each outlet gets its fraction of the feed."""
        (feed,) = inlets
        outlets = tuple(feed * state[:, i : i + 1] for i in range(state.shape[1]))
        return UnitResult(outlets, metrics={"feed_solids_tph": total_solids(self.comps, feed)})


def _check_splitter(
    spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]
) -> None:
    fr = spec.tables.get("fractions", {})
    if not fr:
        problems.append(
            Problem(file, f"units.{spec.name}.fractions", "missing: give outlet = fraction pairs")
        )
        return
    total = sum(v["frac"] for v in fr.values())
    if abs(total - 1.0) > 1e-9:
        problems.append(
            Problem(
                file,
                f"units.{spec.name}.fractions",
                f"fractions must sum to 1, they sum to {total:.6g}",
            )
        )


SPLITTER = UnitType(
    name="splitter",
    linear=True,
    summary="divides a stream between named outlets in fixed fractions (same for every species)",
    inlets=("feed",),
    outlets=(),  # from the fractions table
    params=(),
    build=Splitter,
    check=_check_splitter,
    outlets_table="fractions",
)


UNIT_TYPES = (SPLITTER,)

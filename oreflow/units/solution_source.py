"""A solution entering the plant from outside.

``solution_source``: a solution entering the plant from outside (tailings pond or
reclaim water, a barren bleed, raw water): a flow and the tenor of each solution
species. It is reported as an addition to the plant, like dilution water.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from oreflow.conventions import G_PER_T
from oreflow.core.components import TENOR_BASIS, ComponentSet
from oreflow.core.schema import REQUIRED, Param
from oreflow.errors import Problem
from oreflow.units.base import PrepareContext, TableSchema, UnitResult, UnitSpec, UnitType
from oreflow.units.detox import wad_cn_mg_l

SOLUTION_TABLE = TableSchema(
    params=(
        Param(
            "mg_l",
            "mg/L",
            REQUIRED,
            "tenor of the species in the solution (nacn as NaCN, cn_wad as CN, metals as metal)",
            "site assay",
            lo=0.0,
            hi=1e6,
        ),
    ),
    key_phase="solution",
    doc="tenor of each dissolved species (water is the flow itself)",
)


class SolutionSource:
    """A solution entering the plant: ``flow_m3_h`` of water carrying the given tenors."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.species = list(spec.tables.get("solution", {}))

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> Any:
        """The solution stream of every case, (n_cases, n_comp)."""
        c = self.comps
        flow = params["flow_m3_h"]
        out = np.zeros((ctx.n_cases, c.n_comp))
        out[:, c.solution_offset("water")] = flow
        for name in self.species:
            out[:, c.solution_offset(name)] = (
                params[f"solution.{name}.mg_l"] * flow / G_PER_T * TENOR_BASIS.get(name, 1.0)
            )
        return out

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """The prepared stream, reported as an addition to the plant."""
        return UnitResult(
            (state.copy(),),
            added=state.copy(),
            metrics={
                "flow_m3_h": state[:, self.comps.solution_offset("water")].copy(),
                "wad_cn_mg_l": wad_cn_mg_l(self.comps, state),
            },
        )


def _check_source(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
    key = f"units.{spec.name}"
    if "water" in spec.tables.get("solution", {}):
        problems.append(
            Problem(
                file,
                f"{key}.solution.water",
                "water is the flow itself: give flow_m3_h, not a water tenor",
            )
        )


SOLUTION_SOURCE = UnitType(
    name="solution_source",
    summary="a solution entering the plant from outside (pond or reclaim water, barren bleed): flow and tenors",
    inlets=(),
    outlets=("out",),
    params=(
        Param(
            "flow_m3_h",
            "m³/h",
            REQUIRED,
            "solution flow (water, density 1 t/m³)",
            "plant figure",
            lo=0.0,
            hi=1e6,
        ),
        Param("description", "-", "", "what the solution is", "case author", kind=str),
    ),
    tables={"solution": SOLUTION_TABLE},
    build=SolutionSource,
    check=_check_source,
    requires=("water",),
)

UNIT_TYPES = (SOLUTION_SOURCE,)

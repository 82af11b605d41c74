"""Product bookkeeping shared by the reactive units that make precipitates and solutes.

Oxidation (POX, BIOX) and neutralisation make species a case may or may not declare
(scorodite, gypsum, jarosite, ferric sulfate ...). :class:`ProductSpecies` looks their
indices up once, puts each precipitate in the finest size class, and stops the run with
a ``CaseError`` naming the unit when a product is made that the case did not declare.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NoReturn

import numpy as np

from oreflow.core.components import ComponentSet
from oreflow.errors import CaseError, Problem
from oreflow.units.base import UnitSpec


class ProductSpecies:
    """Indices of a unit's optional product species (``None`` where undeclared).

    Parameters
    ----------
    spec : UnitSpec
        The unit (for error messages).
    comps : ComponentSet
        Species and size classes.
    solids, solution : iterable of str
        Solid and solution species the unit reads or makes.

    Attributes
    ----------
    solid : dict of str to int or None
        Solid index of each solid species.
    solution : dict of str to int or None
        Stream offset of each solution species.
    """

    def __init__(
        self, spec: UnitSpec, comps: ComponentSet, solids: Iterable[str], solution: Iterable[str]
    ) -> None:
        self.spec = spec
        self.comps = comps
        declared = {s.name for s in comps.solids}
        self.solid: dict[str, int | None] = {
            name: comps.solid_index(name) if name in declared else None for name in solids
        }
        self.solution: dict[str, int | None] = {
            name: comps.solution_offset(name) if comps.has(name) else None for name in solution
        }

    def fail(self, message: str) -> NoReturn:
        """Stop the run with a ``CaseError`` on this unit."""
        raise CaseError([Problem(self.spec.file, f"units.{self.spec.name}", message)])

    def put_solid(self, out: np.ndarray, name: str, amount: np.ndarray, missing: str) -> None:
        """Add a precipitate [t/h] to the finest size class; ``missing`` if undeclared."""
        if not np.any(amount > 0.0):
            return
        idx = self.solid[name]
        if idx is None:
            self.fail(missing)
        self.comps.solids_view(out)[:, -1, idx] += amount

    def add_solution(self, out: np.ndarray, name: str, amount: np.ndarray, missing: str) -> None:
        """Add a solute [t/h]; ``missing`` if it is made but undeclared."""
        if not np.any(amount > 0.0):
            return
        idx = self.solution[name]
        if idx is None:
            self.fail(missing)
        out[:, idx] += amount

    def set_solution(self, out: np.ndarray, name: str, amount: np.ndarray, missing: str) -> None:
        """Set a solute's outlet flow [t/h]; ``missing`` if it is left but undeclared."""
        idx = self.solution[name]
        if idx is not None:
            out[:, idx] = amount
        elif np.any(amount > 0.0):
            self.fail(missing)

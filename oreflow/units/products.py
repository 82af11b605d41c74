"""Product bookkeeping shared by the reactive units that make precipitates and solutes.

Oxidation (POX, BIOX) and neutralisation make species a case may or may not declare
(scorodite, gypsum, jarosite, ferric sulfate ...). :class:`ProductSpecies` looks their
indices up once, spreads each precipitate over the size classes, and stops the run with
a ``CaseError`` naming the unit when a product is made that the case did not declare.

Precipitate sizes. A precipitate is spread over the size classes by a Rosin-Rammler
(RRB) distribution with the median size ``d50`` of :data:`PRECIPITATE_D50_UM` and the
modulus :data:`PRECIPITATE_RRB_N` (``oreflow.kernels.psd.class_fractions_rrb``), not put
in the finest class: the residue P80 decides settling, filtration and paste fill. The
sizes are [assumed] orders of magnitude, as the search tools gave no measured PSD of
POX or neutralisation precipitates: autoclave hematite and basic sulfates are
micrometre-sized (a few um), ferric arsenate and ferric hydroxide aggregates a few um,
gypsum from lime or limestone neutralisation tens of um (Marsden & House 2006, ch. 5
and 11, describe gypsum as the coarse, settling part of neutralisation sludge);
unreacted limestone keeps the size of the ground reagent (P80 about 75 um, d50 about
30 um [assumed]). A product without a size here goes to the finest class.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NoReturn

import numpy as np

from oreflow.core.components import ComponentSet
from oreflow.errors import CaseError, Problem
from oreflow.units.base import UnitSpec

#: Median size [um] of each precipitate made by oxidation and neutralisation
#: [assumed]; see the module docstring.
PRECIPITATE_D50_UM: dict[str, float] = {
    "hematite": 3.0,
    "basic_ferric_sulfate": 5.0,
    "jarosite": 8.0,
    "scorodite": 5.0,
    "metal_hydroxides": 5.0,
    "cu_hydroxide": 5.0,
    "gypsum": 30.0,
    "calcite": 30.0,
    "sulfur": 20.0,
}
#: RRB modulus of the precipitate distributions [-] [assumed]: broad, about a decade
#: between the 10 % and 90 % passing sizes.
PRECIPITATE_RRB_N = 1.2


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
        self.size_fractions = {
            name: precipitate_class_fractions(comps.sizes.edges(), name) for name in self.solid
        }

    def fail(self, message: str) -> NoReturn:
        """Stop the run with a ``CaseError`` on this unit."""
        raise CaseError([Problem(self.spec.file, f"units.{self.spec.name}", message)])

    def put_solid(self, out: np.ndarray, name: str, amount: np.ndarray, missing: str) -> None:
        """Add a precipitate [t/h] over the size classes; ``missing`` if undeclared."""
        if not np.any(amount > 0.0):
            return
        idx = self.solid[name]
        if idx is None:
            self.fail(missing)
        self.comps.solids_view(out)[:, :, idx] += amount[:, None] * self.size_fractions[name]

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


def precipitate_class_fractions(edges_um: np.ndarray, name: str) -> np.ndarray:
    """Mass fraction of a precipitate in each size class (sums to 1) [-].

    RRB with the d50 of :data:`PRECIPITATE_D50_UM` and the modulus
    :data:`PRECIPITATE_RRB_N`; a species without a size goes to the finest class.

    Examples
    --------
    >>> edges = 16000.0 / np.sqrt(2.0) ** np.arange(26)
    >>> f = precipitate_class_fractions(edges, "gypsum")
    >>> round(float(f.sum()), 12), int(np.argmax(f)) < 25
    (1.0, True)
    >>> float(precipitate_class_fractions(edges, "au_free")[-1])
    1.0
    """
    n_cls = edges_um.shape[0]
    d50 = PRECIPITATE_D50_UM.get(name)
    if d50 is None:
        out = np.zeros(n_cls)
        out[-1] = 1.0
        return out
    from oreflow.kernels.psd import class_fractions_rrb

    x63 = d50 / np.log(2.0) ** (1.0 / PRECIPITATE_RRB_N)
    frac = np.maximum(
        class_fractions_rrb(np.ascontiguousarray(edges_um), x63, PRECIPITATE_RRB_N), 0.0
    )
    return frac / frac.sum()

"""Plant KPIs of pre-enrichment: sorting, gravity and flotation against the plant feed.

Per case, as fractions of the ore fed to the plant (mass) or of its gold:

- ``sorting_rejected_frac`` and ``sorting_au_lost_frac``: solids and gold leaving in
  the reject of every ``ore_sorter``;
- ``gravity_au_frac``: gold in the concentrate of every ``gravity_concentrator``;
- ``flotation_concentrate_frac`` and ``flotation_au_frac``: solids and gold in the final
  flotation concentrates, i.e. ``flotation_bank`` concentrates that do not flow (through
  mixers) into another flotation bank. The mass fraction is the share of the ore that
  the downstream leach or oxidation has to treat: the "smaller leach" of a
  pre-concentration flowsheet.

A case without these unit types gets no keys from this provider.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from oreflow.core.components import ELEMENTS
from oreflow.kernels.arrays import safe_div
from oreflow.solvers.simulate import Simulation
from oreflow.units.base import total_solids


def _feeds_flotation(sim: Simulation, stream: str) -> bool:
    """Whether a stream reaches a flotation bank, directly or through mixers."""
    topo = sim.plant.topology
    seen: set[str] = set()
    while stream not in seen:
        seen.add(stream)
        dst = topo.stream(stream).dst
        families = sim.plant.spec.unit_type(dst).kpi_families
        if "flotation" in families:
            return True
        if "passthrough" not in families:
            return False
        stream = f"{dst}.out"
    return False


def preconcentration_kpis(sim: Simulation, t: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Sorting, gravity and flotation figures per case (see module docstring)."""
    comps = sim.plant.spec.comps
    au = comps.element_matrix()[:, ELEMENTS.index("au")]
    n = sim.n_cases
    ore = t["in"][:, : comps.n_solids_comp].sum(axis=1)
    au_feed = t["in"] @ au

    def frac_of(x: np.ndarray, total: np.ndarray) -> np.ndarray:
        return safe_div(x, total)

    spec = sim.plant.spec
    out: dict[str, np.ndarray] = {}
    if spec.units_in("sorting"):
        rej = sum(sim.streams[f"{u.name}.reject"] for u in spec.units_in("sorting"))
        out["sorting_rejected_frac"] = frac_of(total_solids(comps, rej), ore)
        out["sorting_au_lost_frac"] = frac_of(rej @ au, au_feed)
    if spec.units_in("gravity"):
        conc = sum(sim.streams[f"{u.name}.concentrate"] for u in spec.units_in("gravity"))
        out["gravity_au_frac"] = frac_of(conc @ au, au_feed)
    if spec.units_in("flotation"):
        final = [
            f"{u.name}.concentrate"
            for u in spec.units_in("flotation")
            if not _feeds_flotation(sim, f"{u.name}.concentrate")
        ]
        conc = sum((sim.streams[s] for s in final), np.zeros((n, comps.n_comp)))
        out["flotation_concentrate_frac"] = frac_of(total_solids(comps, conc), ore)
        out["flotation_au_frac"] = frac_of(conc @ au, au_feed)
    return out

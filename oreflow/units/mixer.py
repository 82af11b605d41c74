"""Mixer: the sum of its inlets, optionally diluted with water to a target % solids.

No kinetics: the balance is exact arithmetic. Water is added where the mixed pulp is
drier than ``solids_frac``, never removed; a target the inlets cannot reach by adding
water is reported as ``solids_frac_shortfall``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from oreflow.core.components import ComponentSet
from oreflow.core.schema import frac
from oreflow.kernels.arrays import safe_div
from oreflow.units.base import PrepareContext, UnitResult, UnitSpec, UnitType, total_solids, water


def _unit_vector(comps: ComponentSet, name: str) -> np.ndarray:
    e = np.zeros(comps.n_comp)
    e[comps.solution_offset(name)] = 1.0
    return e


class Mixer:
    """Sum of the inlets, optionally diluted with water to a target % solids."""

    #: each solids component of an outlet is a fixed multiple of the same component
    #: of each inlet, whatever the water (closed-circuit solver, ``solvers.closed_circuit``)
    solids_diagonal = True

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self._water = _unit_vector(comps, "water") if comps.has("water") else None
        self._iw = comps.solution_offset("water") if comps.has("water") else -1

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> Any:
        """Per-case target solids fraction (NaN: no dilution)."""
        return params.get("solids_frac")

    def solids_shares(self, state: Any, n_inlets: int) -> list[tuple[float]]:
        """Each inlet's solids pass whole to the outlet (``solvers.closed_circuit``)."""
        return [(1.0,)] * n_inlets

    def _mix(self, state: Any, inlets: tuple[np.ndarray, ...]) -> tuple[np.ndarray, Any]:
        """Mixed stream and the dilution water added per case [t/h] (None: no dilution)."""
        # inlet by inlet: the same sums as np.sum over a stacked copy, without the copy
        out = inlets[0] + inlets[1] if len(inlets) > 1 else inlets[0].copy()
        for extra in inlets[2:]:
            out += extra
        if state is None or self._water is None:
            return out, None
        solids = total_solids(self.comps, out)
        needed = solids * (1.0 - state) / state
        add = np.maximum(needed - water(self.comps, out), 0.0)
        out[:, self._iw] += add
        return out, add

    def apply_outlets(self, state: Any, inlets: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
        """The mixed stream only, as ``apply`` computes it (inside recycle loops)."""
        return (self._mix(state, inlets)[0],)

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Add the inlets; add water up to the target % solids where it is short."""
        out, add = self._mix(state, inlets)
        if add is None:
            return UnitResult((out,), metrics={})
        added = add[:, None] * self._water
        solids = total_solids(self.comps, out)
        pulp = solids + water(self.comps, out)
        delivered = safe_div(solids, pulp)
        metrics = {
            "water_added_tph": add,
            "solids_frac": delivered,
            # a target drier than the inlets cannot be met by adding water: say so
            # exactly 0 where water was added (the target is then met): no round-off
            "solids_frac_shortfall": np.where(
                (pulp > 0) & (add <= 0.0), np.maximum(state - delivered, 0.0), 0.0
            ),
        }
        return UnitResult((out,), added=added, metrics=metrics)


MIXER = UnitType(
    name="mixer",
    tear_inlets=True,
    linear=True,
    summary="sums its inlets (any port names); optional dilution water to a target % solids",
    inlets=None,
    outlets=("out",),
    params=(
        frac(
            "solids_frac",
            None,
            "target mass fraction of solids of the mixed pulp; water is added where the "
            "inlets are drier, never removed (omit for no dilution)",
            "set by the plant (mill feed 0.65-0.80, cyclone feed 0.45-0.60 [L] Wills & Finch 2016)",
            lo_open=True,
            hi_open=True,
        ),
    ),
    build=Mixer,
    kpi_families=("passthrough",),
)


UNIT_TYPES = (MIXER,)

"""Thickener: solid-liquid separation to a set underflow % solids.

The standard solids/water split (Wills & Finch 2016; docs/models.md#filtration, Wills &
Finch 2016 ch. 15): solids report to the underflow (less an overflow loss), the underflow
water is set by its % solids, and every dissolved species follows the water at the feed
tenor.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from oreflow.core.components import ComponentSet
from oreflow.core.schema import frac, positive
from oreflow.kernels.arrays import safe_div
from oreflow.units.base import (
    PrepareContext,
    Sizing,
    UnitResult,
    UnitSpec,
    UnitType,
    solution_slice,
    total_solids,
)


class ThickenerState(NamedTuple):
    """What a thickener prepares once per simulation, (n_cases,) arrays."""

    underflow_solids_frac: np.ndarray
    solids_recovery_frac: np.ndarray
    area_m2: np.ndarray | None = None  # installed settling area (None: not given)


class Thickener:
    """Solids to underflow at a set % solids; solution follows the water."""

    solids_diagonal = True  # see Mixer

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.sol = solution_slice(comps)
        self.iw = comps.solution_offset("water")

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> ThickenerState:
        """Per-case underflow solids fraction, solids recovery and area (or None)."""
        return ThickenerState(
            params["underflow_solids_frac"], params["solids_recovery_frac"], params.get("area_m2")
        )

    def solids_shares(self, state: Any, n_inlets: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """Shares of the feed's solids to underflow and overflow, (n_cases, 1, 1) each.

        As ``_split`` makes them of a feed of 1 t/h of every solids component
        (``solvers.closed_circuit``).
        """
        rec = state.solids_recovery_frac[:, None, None]
        return [(rec, 1.0 - rec)]

    def _split(self, state: Any, feed: np.ndarray) -> tuple[np.ndarray, ...]:
        """Underflow, overflow, underflow solids, feed and underflow water, water share."""
        w_u, rec = state.underflow_solids_frac, state.solids_recovery_frac
        c = self.comps
        ns = c.n_solids_comp
        # every column written below (solids, solution, adsorbent), each in one pass
        under = np.empty_like(feed)
        np.multiply(feed[:, :ns], rec[:, None], out=under[:, :ns])
        solids_u = total_solids(c, under)
        water_f = feed[:, self.iw]
        water_u = np.minimum(solids_u * (1.0 - w_u) / w_u, water_f)
        share = safe_div(water_u, water_f, fill=1.0)
        np.multiply(feed[:, self.sol], share[:, None], out=under[:, self.sol])
        # adsorbent (carbon) is screened out upstream in practice; it follows the solids
        under[:, self.sol.stop :] = feed[:, self.sol.stop :]
        return under, feed - under, solids_u, water_f, water_u, share

    def apply_outlets(self, state: Any, inlets: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
        """Underflow and overflow only, as ``apply`` computes them (inside recycle loops)."""
        return self._split(state, inlets[0])[:2]

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Split solids, then water by the underflow density, then solutes with water."""
        w_u, area = state.underflow_solids_frac, state.area_m2
        (feed,) = inlets
        c = self.comps
        under, over, solids_u, water_f, water_u, share = self._split(state, feed)
        metrics = {
            "water_recovered_tph": water_f - water_u,
            "water_recovered_frac": 1.0 - share,
            "underflow_solids_frac": safe_div(solids_u, solids_u + water_u),
        }
        # a feed denser than the underflow asked for stays as dense: no water is added
        short = water_f < solids_u * (1.0 - w_u) / w_u  # exactly 0 where the target is met
        metrics["underflow_solids_excess_frac"] = np.where(
            short, np.maximum(metrics["underflow_solids_frac"] - w_u, 0.0), 0.0
        )
        if area is not None:
            solids_t_d = total_solids(c, feed) * 24.0
            metrics["unit_area_m2_per_t_d"] = safe_div(area, solids_t_d, fill=np.inf)
        return UnitResult((under, over), metrics=metrics)


THICKENER = UnitType(
    name="thickener",
    linear=True,
    summary="solid-liquid separation to an underflow % solids; water and solutes to overflow",
    inlets=("feed",),
    outlets=("underflow", "overflow"),
    params=(
        frac(
            "underflow_solids_frac",
            0.55,
            "mass fraction of solids in the underflow",
            "pre-leach and tailings thickeners 0.50-0.65 [L] (Wills & Finch 2016; docs/models.md#filtration; Wills & Finch 2016 §15)",
            lo=0.0,
            hi=1.0,
            lo_open=True,
            hi_open=True,
        ),
        frac(
            "solids_recovery_frac",
            1.0,
            "fraction of the feed solids reporting to the underflow (the rest is overflow loss)",
            "assumed: a flocculated thickener loses well under 0.1 % of its solids",
            lo_open=True,
        ),
        positive(
            "area_m2",
            "m²",
            None,
            "installed settling area; gives the unit area m²/(t/d) checked by the envelope",
            "plant figure",
            hi=1.0e5,
        ),
    ),
    build=Thickener,
    requires=("water",),
    sizing=Sizing("thickener"),
)


UNIT_TYPES = (THICKENER,)

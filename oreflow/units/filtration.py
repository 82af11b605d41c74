"""Filtration: dewatering to a cake moisture, with an optional displacement wash.

A pressure or vacuum filter (Wills & Finch 2016; docs/models.md#filtration; Wills & Finch 2016, *Mineral Processing
Technology*, 8th ed., §15) sends its solids to the cake, less a filtrate loss
(``solids_recovery_frac``). The cake holds ``W_c = S m/(1 - m)`` of liquor at the set
moisture m (mass fraction of water in the wet cake; all the feed water if the feed is
drier). Dissolved species follow the water at the feed tenor, except that a wash of
``wash_ratio_m3_t`` m³ per t of cake solids displaces a fraction
``d = E min(W_wash/W_c, 1)`` of the cake liquor volume for volume (E the wash
efficiency; one-stage displacement model [assumed]). Wash water is added to the plant;
the filtrate carries the rest of the water and solutes to water recovery.

Adsorbent (carbon, resin) that reaches a filter follows the solids, as in the thickener.
Power is ``specific_energy_kwh_t`` x dry cake solids; other filter costs (cloths,
maintenance) are priced per tonne in ``[economics.unit_usd_t]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from oreflow.core.components import ComponentSet
from oreflow.core.schema import Param, frac
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

PARAMS: tuple[Param, ...] = (
    frac(
        "cake_moisture_frac",
        0.15,
        "mass fraction of water in the wet filter cake",
        "12-20 % for pressure/vacuum filter cakes of tailings (issue 3 brief; Wills & "
        "Finch 2016 §15 [L, not checked])",
        lo=0.0,
        hi=0.6,
        hi_open=False,
    ),
    frac(
        "solids_recovery_frac",
        1.0,
        "fraction of the feed solids reporting to the cake (the rest leaves in the filtrate)",
        "assumed: cloth filtrates carry well under 0.1 % of the solids",
        lo=0.9,
    ),
    Param(
        "wash_ratio_m3_t",
        "m³/t",
        0.0,
        "wash water per tonne of dry cake solids (0 = no wash)",
        "assumed; CCD washing uses 2-3 m³/t [L] Wills & Finch 2016; docs/models.md#filtration",
        lo=0.0,
        hi=20.0,
    ),
    frac(
        "wash_efficiency_frac",
        0.8,
        "fraction of the cake liquor a wash of one cake-liquor volume displaces",
        "assumed (displacement washes 0.7-0.9)",
    ),
    Param(
        "specific_energy_kwh_t",
        "kWh/t",
        2.0,
        "electrical energy per tonne of dry cake (feed pumps, air blow or vacuum, drives)",
        "assumed: order 1-4 kWh/t for pressure filters with air blow",
        lo=0.0,
        hi=50.0,
    ),
)


class Filter:
    """Compiled filter (see module docstring)."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.sol = solution_slice(comps)
        self.iw = comps.solution_offset("water")

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> Any:
        """Per-case parameter arrays."""
        return MappingProxyType(
            {k: np.ascontiguousarray(v, dtype=np.float64) for k, v in params.items()}
        )

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Split solids, cake liquor and solutes; add and route the wash water."""
        from oreflow.kernels.residue import cake_liquor_split

        (feed,) = inlets
        c = self.comps
        cake = np.zeros_like(feed)
        cake[:, : c.n_solids_comp] = (
            feed[:, : c.n_solids_comp] * state["solids_recovery_frac"][:, None]
        )
        cake[:, self.sol.stop :] = feed[:, self.sol.stop :]
        solids_c = total_solids(c, cake)
        water_f = np.ascontiguousarray(feed[:, self.iw])
        split = cake_liquor_split(
            water_f,
            solids_c,
            state["cake_moisture_frac"],
            state["wash_ratio_m3_t"],
            state["wash_efficiency_frac"],
        )
        cake_water, wash, solute_share, displaced = split.T
        cake[:, self.sol] = feed[:, self.sol] * solute_share[:, None]
        cake[:, self.iw] = cake_water
        added = np.zeros_like(feed)
        added[:, self.iw] = wash
        filtrate = feed + added - cake
        filtrate_water = filtrate[:, self.iw]
        power = state["specific_energy_kwh_t"] * solids_c
        metrics = {
            "cake_solids_tph": solids_c,
            "cake_moisture_frac": safe_div(cake_water, solids_c + cake_water),
            "wash_water_tph": wash,
            "wash_displaced_frac": displaced,
            "water_recovered_tph": filtrate_water,
            "water_recovered_frac": safe_div(filtrate_water, water_f + wash),
            "filtrate_solids_tph": total_solids(c, filtrate),
            "power_kw": power,
        }
        return UnitResult((cake, filtrate), added=added, metrics=metrics)


FILTER = UnitType(
    name="filter",
    summary="filtration to a cake moisture with an optional displacement wash; filtrate to water recovery",
    inlets=("feed",),
    outlets=("cake", "filtrate"),
    params=PARAMS,
    build=Filter,
    requires=("water",),
    sizing=Sizing("filter"),
)

UNIT_TYPES = (FILTER,)

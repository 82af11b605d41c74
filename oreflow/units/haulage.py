"""Haulage: a concentrate (or ore) shipped by road from a satellite site to the plant.

"Decentralised mining and beneficiation, centralised smelting" (docs/architecture.md): satellite
concentrators float their ore and truck the concentrate to a central oxidation and
leach plant. The unit passes its inlet through unchanged (nothing is lost or reacts on
the road) and prices the trip per **wet** tonne shipped, solids plus the solution they
carry: freight is paid on what the truck carries, so a concentrate filtered to 10 %
moisture costs less to haul than one thickened to 50 % solids, which is why a filter
usually precedes it. Cost per wet tonne::

    haulage_usd_t + distance_km x usd_t_km

``haulage_usd_h`` (the cost per hour) is added to the plant's operating cost as
``cost_haulage_usd_h``; like every unit cost it is linear in the tonnage shipped. The
freight work ``t_km_h`` (wet tonnes x distance) is what the trucks' diesel CO2 is
counted on (``oreflow.solvers.kpis_carbon``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from oreflow.core.components import ComponentSet
from oreflow.core.schema import Param, positive
from oreflow.kernels.arrays import safe_div
from oreflow.units.base import (
    PrepareContext,
    UnitResult,
    UnitSpec,
    UnitType,
    solution_slice,
    total_solids,
    water,
)

PARAMS: tuple[Param, ...] = (
    Param(
        "haulage_usd_t",
        "USD/t",
        0.0,
        "fixed cost per wet tonne shipped (loading, unloading, weighbridge, handling), "
        "besides the distance cost",
        "site figure; 0 = distance cost only [assumed]",
        lo=0.0,
        hi=1e4,
    ),
    Param(
        "distance_km",
        "km",
        0.0,
        "one-way road distance from the satellite to the plant",
        "site figure",
        lo=0.0,
        hi=5e3,
    ),
    Param(
        "usd_t_km",
        "USD/(t km)",
        0.15,
        "road freight per wet tonne and km of bulk concentrate",
        "[assumed] order of bulk road-freight rates, 0.05-0.25 USD/t/km; use the contract rate",
        lo=0.0,
        hi=10.0,
    ),
    positive(
        "payload_t",
        "t",
        30.0,
        "wet tonnes per truck load (for the number of loads a day)",
        "[assumed] a 6x4 tipper or side-tipper road train carries 25-35 t",
        hi=500.0,
    ),
)


class HaulState(NamedTuple):
    """What a haulage prepares once per simulation, (n_cases,) arrays."""

    usd_t: np.ndarray  # cost per wet tonne
    payload_t: np.ndarray
    distance_km: np.ndarray


class Haulage:
    """Compiled haulage (see module docstring)."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.sol = solution_slice(comps)

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> HaulState:
        """Per-case cost per wet tonne [USD/t] and payload [t]."""
        usd_t = params["haulage_usd_t"] + params["distance_km"] * params["usd_t_km"]
        return HaulState(
            np.asarray(usd_t, dtype=np.float64), params["payload_t"], params["distance_km"]
        )

    def apply(self, state: HaulState, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Pass the inlet through; report the tonnage shipped and its cost."""
        (feed,) = inlets
        solids = total_solids(self.comps, feed)
        wet = solids + feed[:, self.sol].sum(axis=1)
        metrics = {
            "solids_tph": solids,
            "wet_tph": wet,
            "moisture_frac": safe_div(water(self.comps, feed), wet),
            "haulage_usd_t": state.usd_t,
            "haulage_usd_h": wet * state.usd_t,
            "truck_loads_per_d": wet * 24.0 / state.payload_t,
            "t_km_h": wet * state.distance_km,
        }
        return UnitResult((feed.copy(),), metrics=metrics)


HAULAGE = UnitType(
    name="haulage",
    summary="road haulage of a concentrate or ore to the plant: pass-through, priced per wet tonne",
    inlets=("feed",),
    outlets=("out",),
    params=PARAMS,
    build=Haulage,
)

UNIT_TYPES = (HAULAGE,)

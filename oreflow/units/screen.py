"""Vibrating screen: Whiten efficiency curve with an aperture cut and water to the oversize.

Partition to the oversize of a particle of size d (Lynch & Rao 1975; Napier-Munn et al. 1996; Nageswararao 2016, Powder Technol. 297:106; docs/models.md#cyclone's Whiten / Lynch–Rao
form, read for a screen):

    E_o(d) = Rf + (1 - Rf) Ec(d/d50),   Ec(x) = (e^(αx) - 1)/(e^(αx) + e^α - 2)

with d50 = ``d50_aperture_frac`` x aperture (near-size particles pass less readily than
the aperture suggests, and the effective cut falls below it as the deck loads up
[L]), α the sharpness (screens are much sharper than cyclones; > 6 for fine screens,
Lynch & Rao 1975; Napier-Munn et al. 1996; Nageswararao 2016, Powder Technol. 297:106; docs/models.md#cyclone) and Rf the fines carried to the oversize with its water, taken equal to
``water_to_oversize_frac`` (the bypass = water split convention of the cyclone model).
Classes whose lower edge is at or above the aperture report to the oversize whole:
nothing larger than the opening passes. Unlike a cyclone, a screen cuts on size alone,
so every species of a class splits alike. Spray (wash) water, when given, is added and
splits like the feed water. Dissolved species follow the water.

The Karra (1979) capacity model is not used: the efficiency curve is stated directly,
as a survey fit would give it (Napier-Munn et al. 1996).

References
----------
Whiten, W.J., in Napier-Munn, T.J., Morrell, S., Morrison, R.D., Kojovic, T. (1996)
Mineral Comminution Circuits: Their Operation and Optimisation. JKMRC Monograph 2 [L].
Wills, B.A., Finch, J.A. (2016) Wills' Mineral Processing Technology, 8th ed., ch. 8 [L].
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from oreflow.core.components import ComponentSet
from oreflow.core.schema import REQUIRED, Param, frac, positive
from oreflow.errors import Problem
from oreflow.kernels.arrays import safe_div
from oreflow.units.base import (
    PrepareContext,
    Sizing,
    UnitResult,
    UnitSpec,
    UnitType,
    solution_slice,
    total_solids,
    water,
)

PARAMS: tuple[Param, ...] = (
    positive("aperture_um", "µm", REQUIRED, "screen aperture", "plant figure", hi=1.0e6),
    frac(
        "d50_aperture_frac",
        0.9,
        "cut size d50 as a fraction of the aperture",
        "assumed; 0.8-0.95 for vibrating screens [A]",
        lo=0.1,
    ),
    positive(
        "alpha",
        "-",
        6.0,
        "sharpness of the efficiency curve",
        "fine screens > 6 [L] Lynch & Rao 1975; Napier-Munn et al. 1996; Nageswararao 2016, Powder Technol. 297:106; docs/models.md#cyclone",
        hi=50.0,
    ),
    frac(
        "water_to_oversize_frac",
        0.05,
        "fraction of the water (feed and spray) reporting to the oversize; the fines it "
        "carries there are the curve's bypass",
        "assumed",
        hi_open=True,
    ),
    Param(
        "spray_water_t_t",
        "t/t",
        0.0,
        "spray (wash) water per tonne of feed solids",
        "assumed; 0 = none",
        lo=0.0,
        hi=20.0,
    ),
)


class ScreenState(NamedTuple):
    """What a screen prepares once per simulation."""

    params: Mapping[str, np.ndarray]
    partition: np.ndarray  # (n_cases, n_cls) fraction of each class to oversize
    d50_um: np.ndarray


class Screen:
    """Compiled vibrating screen (see module docstring)."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.edges = comps.sizes.edges()
        self.sol = solution_slice(comps)
        self.i_water = comps.solution_offset("water") if comps.has("water") else None

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> ScreenState:
        """Partition to oversize per case and class [-]."""
        from oreflow.kernels.separation import screen_partition

        n = ctx.n_cases
        part = np.empty((n, self.comps.n_cls))
        d50 = params["aperture_um"] * params["d50_aperture_frac"]
        for i in range(n):
            part[i] = screen_partition(
                self.edges,
                float(d50[i]),
                float(params["alpha"][i]),
                float(params["water_to_oversize_frac"][i]),
                float(params["aperture_um"][i]),
            )
        return ScreenState(params, part, d50)

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Split solids by the partition curve and water by its split; add spray water."""
        params, part, d50 = state.params, state.partition, state.d50_um
        (feed,) = inlets
        c = self.comps
        n = feed.shape[0]
        solids = total_solids(c, feed)
        added = np.zeros_like(feed)
        if self.i_water is not None:
            added[:, self.i_water] = params["spray_water_t_t"] * solids
        pulp = feed + added
        over = np.zeros_like(feed)
        c.solids_view(over)[:] = c.solids_view(pulp) * part[:, :, None]
        over[:, self.sol.start :] = (
            pulp[:, self.sol.start :] * params["water_to_oversize_frac"][:, None]
        )
        under = pulp - over

        by_size = c.solids_view(feed).sum(axis=2)
        # classes wholly finer than the aperture: what a perfect screen would pass
        fine = by_size * (self.edges[None, :] <= params["aperture_um"][:, None])
        fine_total = fine.sum(axis=1)
        fine_under = (fine * (1.0 - part)).sum(axis=1)
        s_o = total_solids(c, over)
        w_o = water(c, over)
        metrics = {
            "d50_um": np.asarray(d50, dtype=np.float64).copy(),
            "oversize_frac": safe_div(s_o, solids),
            "undersize_recovery_frac": safe_div(fine_under, fine_total),
            "feed_passing_aperture_frac": safe_div(fine_total, solids),
            "oversize_solids_frac": safe_div(s_o, s_o + w_o),
            "spray_water_tph": added[:, self.i_water].copy()
            if self.i_water is not None
            else np.zeros(n),
        }
        return UnitResult((over, under), added=added, metrics=metrics)


def _check(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
    if spec.params["spray_water_t_t"] > 0 and not comps.has("water"):
        problems.append(
            Problem(
                file,
                f"units.{spec.name}.spray_water_t_t",
                "spray water needs the solution species 'water' declared in [case]",
            )
        )


SCREEN = UnitType(
    name="screen",
    summary="vibrating screen: Whiten efficiency curve cut near the aperture, water and fines to oversize",
    inlets=("feed",),
    outlets=("oversize", "undersize"),
    params=PARAMS,
    build=Screen,
    check=_check,
    sizing=Sizing("feed", curve="screen"),
)

UNIT_TYPES = (SCREEN,)

"""Counter-current decantation (CCD): washing dissolved species off a pulp.

A train of N thickeners. The solids move from thickener 1 to N and leave with the
underflow of N at the underflow % solids; the wash solution enters thickener N and
moves against the solids; the overflow of thickener 1 is the product liquor. Every
stage is ideal: perfectly mixed, and its underflow liquor has the tenor of its
overflow. Every dissolved species is washed in the same proportion, the fraction
of the feed solutes left in the final underflow being (clean wash; the tests keep this closed form as the reference of
``oreflow.kernels.ccd.ccd_underflow_fractions``)

    φ = U / (L_f S_N + W R^(N-1)),  R = W/U,  S_N = 1 + R + ... + R^(N-1),

with U the solution in each underflow, L_f the feed solution and W the wash, which is
the textbook ``(R - 1)/(R^(N+1) - 1)`` when the feed carries the underflow's solution
(Wills & Finch 2016, *Wills' Mineral Processing Technology*, 8th ed., ch. 15;
Marsden & House 2006, *The Chemistry of Gold Extraction*, 2nd ed., SME, ch. 7 [L]).

The wash is ``wash_ratio_m3_t`` per tonne of solids: fresh water (``added``), or the
solution of an optional ``wash`` inlet (a recycled neutralised liquor, barren solution
...) topped up with fresh water; the solutes of a recycled wash partly follow the
solids (solved with the same tridiagonal stage balance). Solids losses to the
overflow are neglected (flocculated thickeners); adsorbent follows the solids.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from oreflow.core.components import ComponentSet
from oreflow.core.schema import Param, frac, positive
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
    Param(
        "n_stages",
        "-",
        4,
        "number of thickeners in the train",
        "3-6 stages for POX/BIOX washing [L] Wills & Finch 2016; docs/models.md#filtration",
        kind=int,
        lo=1,
        hi=12,
    ),
    positive(
        "wash_ratio_m3_t",
        "m³/t",
        2.5,
        "wash solution per tonne of dry solids",
        "2-3 m³/t [L] Wills & Finch 2016; docs/models.md#filtration",
        hi=50.0,
    ),
    frac(
        "underflow_solids_frac",
        0.50,
        "mass fraction of solids in each underflow",
        "50-60 % for leach-feed thickeners [L] Wills & Finch 2016; docs/models.md#filtration",
        lo=0.05,
        hi=0.9,
    ),
)


class Ccd:
    """Compiled CCD train (see module docstring)."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.n_stages = int(spec.params["n_stages"])
        self.sol = solution_slice(comps)
        self.iw = comps.solution_offset("water")
        self.has_wash = "wash" in spec.inlets

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> Any:
        """Per-case wash ratio and underflow density."""
        return params

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Wash: split solids, water and every solute between underflow and overflow."""
        from oreflow.kernels.ccd import ccd_underflow_fractions

        params = state
        feed = inlets[0]
        wash_in = inlets[1] if self.has_wash else np.zeros_like(feed)
        c = self.comps
        solids = total_solids(c, feed) + total_solids(c, wash_in)
        lf = feed[:, self.iw]
        w_target = params["wash_ratio_m3_t"] * solids
        w_recycled = wash_in[:, self.iw]
        fresh = np.maximum(w_target - w_recycled, 0.0)
        w = w_recycled + fresh
        w_u = params["underflow_solids_frac"]
        u_target = solids * (1.0 - w_u) / w_u
        u = np.minimum(u_target, lf + w)
        phi = ccd_underflow_fractions(
            self.n_stages, np.ascontiguousarray(lf), np.ascontiguousarray(w), u_target
        )
        added = np.zeros_like(feed)
        added[:, self.iw] = fresh
        under = np.zeros_like(feed)
        nsc = c.n_solids_comp
        under[:, :nsc] = feed[:, :nsc] + wash_in[:, :nsc]
        under[:, self.sol] = feed[:, self.sol] * phi[:, :1] + wash_in[:, self.sol] * phi[:, 1:]
        under[:, self.iw] = u
        under[:, self.sol.stop :] = feed[:, self.sol.stop :] + wash_in[:, self.sol.stop :]
        over = feed + wash_in + added - under
        removal = 1.0 - phi[:, 0]
        metrics = {
            "wash_water_m3_h": fresh,
            "wash_total_m3_h": w,
            "wash_ratio_m3_t": safe_div(w, solids),
            "soluble_removal_frac": np.where(lf > 0, removal, 0.0),
            "underflow_solids_frac": safe_div(solids, solids + u),
            "overflow_m3_h": lf + w - u,
        }
        return UnitResult((under, over), added=added, metrics=metrics)


CCD = UnitType(
    name="ccd",
    summary="counter-current decantation washing: N ideal thickeners, wash ratio, "
    "soluble removal; optional recycled wash inlet",
    inlets=("feed", "wash"),
    optional_inlets=("wash",),
    outlets=("underflow", "overflow"),
    params=PARAMS,
    build=Ccd,
    requires=("water",),
    kpi_families=("ccd_wash",),
    sizing=Sizing("thickener"),
)

UNIT_TYPES = (CCD,)

"""Regrind mill on concentrates: Bond energy with Rowland's fine-grinding factors.

Energy (Bond 1952, Trans. AIME 193:484; Rowland & Kjos 1980; Wills & Finch 2016; docs/models.md#ball_mill and ex01 case 3): Bond's third law at the pinion with Rowland's
factors for a wet mill in closed circuit,

    W = 10 Wi (1/sqrt(P80) - 1/sqrt(F80)) x EF3 x EF4 x EF5 x EF7 x energy_factor,

EF3 = (2.44/D)^0.2 for the mill diameter, EF5 = (P80 + 10.3)/(1.145 P80) below 75 µm
(fineness), EF7 = [2(Rr - 1.35) + 0.26]/[2(Rr - 1.35)] for the low reduction ratios
regrind mills work at. So that energy never falls as the product gets finer, EF7 is
held at its value for Rr = 1.583 below that ratio and applied above Rr = 6 too (Rowland
stops it there at 1.028, a step; it tends to 1), and EF5 is kept at least 1 (as
printed it dips to 0.993 just below its 75 µm threshold) [assumed]
(``oreflow.kernels.comminution_energy.regrind_energy_kwh_t``). ``energy_factor`` calibrates the
figure to a survey, or expresses a stirred mill (IsaMill, Vertimill) against a ball
mill: stirred mills are reported to need less energy at fine sizes [L], a factor to be
taken from signature-plot testwork.

The mill is run either to a target P80 (energy follows), at a specific energy (P80
follows, by inverting the energy), or with a power draw (specific energy = power / feed
rate, so nonlinear in the feed). F80 is the P80 of the feed as it arrives. The product
size distribution is the feed with a Rosin–Rammler survival function applied to the
mass coarser than every size, solved so that the product P80 is the mill's P80
(``grind_to_p80_batch``; modulus [assumed] 1.0): never coarser than the feed, every
mineral keeps its mass, zero energy returns the feed.

References
----------
Bond, F.C. (1961) Crushing and grinding calculations. Brit. Chem. Eng. 6:378–385,
543–548.
Rowland, C.A., Kjos, D.M. (1980) Rod and ball mills. In Mular, A.L., Bhappu, R.B. (eds)
Mineral Processing Plant Design, 2nd ed., SME, 239–278 [L].
Wills, B.A., Finch, J.A. (2016) Wills' Mineral Processing Technology, 8th ed., ch. 7 [L].
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from oreflow.core.components import ComponentSet
from oreflow.core.schema import Param, positive
from oreflow.errors import Problem
from oreflow.kernels.arrays import safe_div
from oreflow.units.base import (
    PrepareContext,
    Sizing,
    UnitResult,
    UnitSpec,
    UnitType,
    require_ore_or_work_index,
    total_solids,
)
from oreflow.units.media_wear import add_worn_media, steel_index

_MODES = ("target_p80_um", "specific_energy_kwh_t", "power_kw")

PARAMS: tuple[Param, ...] = (
    positive(
        "target_p80_um",
        "µm",
        None,
        "product P80 to reach; the energy follows from Bond and Rowland",
        "design basis; POX feed and regrind 20-45 µm [L] Bond 1952, Trans. AIME 193:484; Rowland & Kjos 1980; Wills & Finch 2016; docs/models.md#ball_mill",
        hi=2000.0,
    ),
    positive(
        "specific_energy_kwh_t",
        "kWh/t",
        None,
        "specific energy per tonne of feed at the pinion; the P80 follows",
        "design basis",
        hi=500.0,
    ),
    positive(
        "power_kw",
        "kW",
        None,
        "mill power draw; specific energy = power / feed rate",
        "plant figure",
        hi=20000.0,
    ),
    positive(
        "wi_kwh_t",
        "kWh/t",
        None,
        "Bond ball-mill work index of the concentrate; default: rate-weighted Wi of the ores reaching the mill",
        "concentrate testwork",
        hi=50.0,
    ),
    positive(
        "diameter_m",
        "m",
        None,
        "mill diameter inside liners for Rowland's EF3; default: the 2.44 m Bond reference mill (EF3 = 1)",
        "plant figure",
        hi=10.0,
    ),
    positive(
        "energy_factor",
        "-",
        1.0,
        "multiplier on the Bond-Rowland energy: survey calibration, or a stirred mill against a ball mill",
        "assumed; stirred mills need less energy than ball mills at fine sizes [L], take the factor from testwork",
        hi=5.0,
    ),
    positive(
        "breakage_modulus",
        "-",
        1.0,
        "modulus n of the survival function exp(-(x/x63)^n): the fine-end slope of the fragments",
        "assumed; ground products 0.7-1.3 [L] Wills & Finch 2016; Ouchterlony 2005; docs/models.md#kernels-psd",
        hi=3.0,
    ),
    Param(
        "media_wear_kg_kwh",
        "kg/kWh",
        0.05,
        "grinding-media consumption per kWh drawn",
        "assumed; ball mills 0.04-0.08 kg/kWh [L] Rowland & Kjos 1980; Austin 1990, Miner. Metall. Process. 7:57; Morrell 1996; docs/models.md#ball_mill",
        lo=0.0,
        hi=1.0,
    ),
)


class RegrindState(NamedTuple):
    """What a regrind mill prepares once per simulation."""

    params: Mapping[str, np.ndarray]
    wi_kwh_t: np.ndarray
    diameter_m: np.ndarray  # 0: the reference mill


class RegrindMill:
    """Compiled regrind mill (see module docstring)."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.edges = comps.sizes.edges()
        self.mode = next(m for m in _MODES if spec.params.get(m) is not None)
        self.steel = steel_index(comps)  # worn media as ``steel`` (oreflow.units.media_wear)

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> RegrindState:
        """Per-case parameters, the work index and the mill diameter (0: reference mill)."""
        require_ore_or_work_index(self.spec, params, ctx)  # wired to no ore: input error
        wi = params.get("wi_kwh_t", ctx.feed_wi_kwh_t)
        # per case: a case no ore reaches (its sources at 0 t/h) has no work index (NaN)
        # and grinds nothing; the batch's other cases keep their own ore's
        wi = np.broadcast_to(np.asarray(wi, dtype=np.float64), (ctx.n_cases,))
        d_m = params.get("diameter_m", np.zeros(ctx.n_cases))
        return RegrindState(params, np.asarray(wi, dtype=np.float64), d_m)

    def apply(self, state: RegrindState, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Energy and P80 for the mode, then the product size distribution."""
        from oreflow.kernels.comminution_energy import bond_energy_kwh_t, regrind_energy_kwh_t
        from oreflow.kernels.grind_size import grind_to_p80_batch, regrind_product_size_um
        from oreflow.kernels.psd import passing_size_batch

        params, wi, d_m = state.params, state.wi_kwh_t, state.diameter_m
        (feed,) = inlets
        c = self.comps
        n = feed.shape[0]
        q = total_solids(c, feed)
        solids = np.ascontiguousarray(c.solids_view(feed))
        f80 = passing_size_batch(self.edges, np.ascontiguousarray(solids.sum(axis=2)), 0.8)
        factor = params["energy_factor"]
        p80 = np.empty(n)
        energy = np.empty(n)
        for i in range(n):
            if self.mode == "target_p80_um":
                p80[i] = min(float(params["target_p80_um"][i]), float(f80[i]))
                energy[i] = factor[i] * regrind_energy_kwh_t(
                    float(wi[i]), float(f80[i]), p80[i], float(d_m[i])
                )
            else:
                if self.mode == "specific_energy_kwh_t":
                    energy[i] = params["specific_energy_kwh_t"][i]
                else:
                    energy[i] = params["power_kw"][i] / q[i] if q[i] > 0 else 0.0
                p80[i] = regrind_product_size_um(
                    float(energy[i] / factor[i]), float(wi[i]), float(f80[i]), float(d_m[i])
                )
        # nothing to grind, or no ore (no work index: only media worn upstream reaches it)
        empty = ~(q > 0) | ~np.isfinite(wi)
        energy[empty] = 0.0
        p80[empty] = np.nan
        product, _ = grind_to_p80_batch(solids, self.edges, p80, params["breakage_modulus"])
        out = feed.copy()
        c.solids_view(out)[:] = product
        power = energy * q
        bond = np.array(
            [
                bond_energy_kwh_t(float(wi[i]), float(f80[i]), float(p80[i]))
                if not empty[i] and p80[i] < f80[i]
                else 0.0
                for i in range(n)
            ]
        )
        metrics = {
            "power_kw": power,
            "feed_tph": q,
            "specific_energy_kwh_t": energy,
            "bond_energy_kwh_t": bond,
            "rowland_factor": safe_div(energy, bond * factor, fill=1.0),
            "f80_um": f80,
            "p80_um": passing_size_batch(
                self.edges, np.ascontiguousarray(product.sum(axis=2)), 0.8
            ),
            "wi_kwh_t": wi.copy(),
            "use_media_kg_h": power * params["media_wear_kg_kwh"],
        }
        worn = add_worn_media(out, self.steel, metrics["use_media_kg_h"])
        reacted = out - feed if worn is None else out - feed - worn
        return UnitResult((out,), added=worn, reacted=reacted, metrics=metrics)


def _check(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
    given = [m for m in _MODES if spec.params.get(m) is not None]
    if len(given) != 1:
        problems.append(
            Problem(
                file,
                f"units.{spec.name}.target_p80_um",
                f"give exactly one of {', '.join(_MODES)}"
                + (f" (got {', '.join(given)})" if given else ""),
            )
        )


REGRIND_MILL = UnitType(
    name="regrind_mill",
    route_word="regrind",
    summary="regrind mill on concentrates: Bond energy with Rowland EF3/EF5/EF7 to a target P80 or at a given energy",
    inlets=("feed",),
    outlets=("discharge",),
    params=PARAMS,
    build=RegrindMill,
    check=_check,
    grinding=True,
    sizing=Sizing(
        "metric", curve="stirred_mill", item="mill", metric="power_kw", basis="drawn power"
    ),
)

UNIT_TYPES = (REGRIND_MILL,)

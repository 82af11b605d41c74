"""Smelting to doré: gold, silver and some copper as bullion, the rest to slag.

Every component that carries Au, Ag or Cu and no other element (metal in any phase:
metal solids, dissolved metal, metal on carbon) is melted into metal: a share of each
metal (``recovery_au_frac``, ``recovery_ag_frac``, ``cu_to_dore_frac``) reports to the
doré, the rest to the slag as metal; everything else goes to the slag, and carbon or
resin in the feed is burnt (a reaction term). Flux is priced per kg of dry feed.
Efficiencies after Marsden & House 2006 (*The Chemistry of Gold Extraction*, 2nd ed.,
SME, ch. 9; docs/models.md#recovery [L]): over 99.9 % of the gold to the doré. Slag
sent to tailings is the only loss of the recovery chain (docs/models.md#recovery).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from oreflow.core.components import ELEMENTS, ComponentSet
from oreflow.core.schema import Param, frac
from oreflow.errors import Problem
from oreflow.kernels.arrays import safe_div
from oreflow.units import reagents
from oreflow.units.base import PrepareContext, Sizing, UnitResult, UnitSpec, UnitType, total_solids
from oreflow.units.recovery import METALS
from oreflow.units.species_checks import require_species

# --- smelting --------------------------------------------------------------------------

SMELT_PARAMS: tuple[Param, ...] = (
    frac(
        "recovery_au_frac",
        0.999,
        "fraction of the gold fed reporting to the doré (the rest to the slag)",
        "> 99.9 % [L] Marsden & House 2006; docs/models.md#recovery",
    ),
    frac(
        "recovery_ag_frac",
        0.995,
        "fraction of the silver reporting to the doré",
        "assumed [A]",
    ),
    frac(
        "cu_to_dore_frac",
        0.3,
        "fraction of the copper reporting to the doré (the rest is fluxed into the slag)",
        "assumed [A]; nitre and borax fluxes oxidise base metals into the slag [L] Marsden & "
        "House 2006 ch. 9",
    ),
    Param(
        "flux_kg_kg",
        "kg/kg",
        0.8,
        "flux (borax, silica, nitre, soda ash) per kg of dry feed",
        "assumed [A]; 0.3-1.5 kg/kg of cathode sludge [L] Marsden & House 2006 ch. 9",
        lo=0.0,
        hi=20.0,
    ),
)


class Smelting:
    """Melts metal-bearing material to doré; everything else to slag; carbon is burnt."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        em = comps.element_matrix()
        species = comps.species
        sp_idx = comps.component_species()
        self.metal_of: list[tuple[str, np.ndarray]] = []
        for metal, _, _, solid in METALS:
            col = ELEMENTS.index(metal)
            pure = np.array(
                [
                    em[j, col] > 0
                    and all(
                        species[sp_idx[j]].elements.get(e, 0.0) == 0
                        for e in ELEMENTS
                        if e not in ("au", "ag", "cu")
                    )
                    for j in range(comps.n_comp)
                ]
            )
            if pure.any() and comps.has(solid):
                self.metal_of.append((metal, pure))
        self.pure_any = np.zeros(comps.n_comp, dtype=bool)
        for _, mask in self.metal_of:
            self.pure_any |= mask
        self.em = em
        self.solid = {m: comps.solid_index(s) for m, _, _, s in METALS if comps.has(s)}
        self.burnt = np.zeros(comps.n_comp, dtype=bool)
        for name in ("carbon", "resin"):
            if comps.has(name):
                self.burnt[comps.adsorbent_offset(name)] = True

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> Any:
        """Per-case parameters."""
        return params

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Metal (any phase) to doré and slag as metal; the rest to slag; adsorbent burnt."""
        p = state
        (feed,) = inlets
        c = self.comps
        keep = ~(self.pure_any | self.burnt)
        slag = np.where(keep[None, :], feed, 0.0)
        dore = np.zeros_like(feed)
        reacted = np.zeros_like(feed)
        reacted[:, self.burnt] = -feed[:, self.burnt]
        metrics: dict[str, np.ndarray] = {}
        share = {
            "au": p["recovery_au_frac"],
            "ag": p["recovery_ag_frac"],
            "cu": p["cu_to_dore_frac"],
        }
        # pure metal-bearing components (any phase) are melted into metal
        reacted[:, self.pure_any] -= feed[:, self.pure_any]
        for metal, mask in self.metal_of:
            col = ELEMENTS.index(metal)
            metal_in = (feed[:, mask] * self.em[mask, col]).sum(axis=1)
            s = self.solid[metal]
            to_dore = metal_in * share[metal]
            c.solids_view(dore)[:, -1, s] += to_dore
            c.solids_view(slag)[:, -1, s] += metal_in - to_dore
            c.solids_view(reacted)[:, -1, s] += metal_in
            metrics[f"{metal}_to_dore_frac"] = safe_div(to_dore, metal_in)
        dore_kg = total_solids(c, dore) * 1000.0
        metrics["dore_kg_h"] = dore_kg
        for metal in ("au", "ag"):
            if metal in self.solid:
                metrics[f"dore_{metal}_frac"] = safe_div(
                    c.solids_view(dore)[:, :, self.solid[metal]].sum(axis=1) * 1000.0, dore_kg
                )
        metrics["use_flux_kg_h"] = p["flux_kg_kg"] * total_solids(c, feed) * 1000.0
        metrics["slag_kg_h"] = total_solids(c, slag) * 1000.0
        return UnitResult((dore, slag), reacted=reacted, metrics=metrics)


def _check_smelt(spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]) -> None:
    require_species(comps, ["au_free"], spec, file, problems)
    for metal, aq, on_c, solid in METALS[1:]:
        carriers = [name for name in (aq, on_c) if comps.has(name)]
        if carriers and not comps.has(solid):
            problems.append(
                Problem(
                    file,
                    f"units.{spec.name}",
                    f"{metal.capitalize()} can reach the smelter ({', '.join(carriers)}): declare "
                    f"the solid {solid!r} for it",
                )
            )


SMELTING = UnitType(
    name="smelting",
    reactive=True,
    summary="smelting to doré: gold, silver (and some copper) as bullion, the rest to slag; "
    "carbon or resin in the feed is burnt",
    inlets=("feed",),
    outlets=("dore", "slag"),
    params=SMELT_PARAMS,
    build=Smelting,
    check=_check_smelt,
    prices={"flux": reagents.FLUX},
    sizing=Sizing(
        "metric", curve="smelting_furnace", item="furnace", metric="dore_kg_h", basis="dore"
    ),
)


UNIT_TYPES = (SMELTING,)

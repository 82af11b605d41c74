"""Merrill-Crowe zinc cementation of a clear pregnant solution.

Gold, silver (and some copper) cement on zinc dust to a precipitate; the zinc becomes
Zn(CN)4 2- (WAD cyanide), and the cyanide held by the cemented metals' complexes is
released. Typical efficiencies are those of Marsden & House 2006 (*The Chemistry of
Gold Extraction*, 2nd ed., SME, ch. 8; docs/models.md#recovery [L]). Metal species and
the deposit in the finest size class are as for electrowinning (docs/models.md#recovery).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from oreflow.conventions import G_PER_T
from oreflow.core.components import ComponentSet
from oreflow.core.schema import Param, frac
from oreflow.kernels.arrays import safe_div
from oreflow.units import reagents
from oreflow.units.base import PrepareContext, UnitResult, UnitSpec, UnitType, total_solids
from oreflow.units.recovery import deposit_metal, depositing_check, depositing_metals, solids_apart

MC_PARAMS: tuple[Param, ...] = (
    frac(
        "precipitation_au_frac",
        0.995,
        "fraction of the dissolved gold cemented on zinc",
        "> 99 % [L] Marsden & House 2006 ch. 8",
    ),
    frac(
        "precipitation_ag_frac",
        0.99,
        "fraction of the dissolved silver cemented",
        "> 99 % [L] Marsden & House 2006 ch. 8",
    ),
    frac(
        "precipitation_cu_frac",
        0.1,
        "fraction of the dissolved copper cemented",
        "assumed [A]; copper cements partly and consumes zinc [L] Marsden & House 2006 ch. 8",
    ),
    Param(
        "zinc_g_m3",
        "g/m³",
        15.0,
        "zinc dust added per m³ of clarified, deaerated solution",
        "assumed [A]; 5-30 g/m³ [L] Marsden & House 2006 ch. 8",
        lo=0.0,
        hi=1000.0,
    ),
    Param(
        "lead_nitrate_g_m3",
        "g/m³",
        5.0,
        "lead nitrate added per m³ of solution (activates the zinc)",
        "assumed [A]",
        lo=0.0,
        hi=1000.0,
    ),
    Param(
        "cn_wad_per_cu_mol_mol",
        "mol/mol",
        3.0,
        "cyanide held per mol of dissolved copper (released when copper cements)",
        "Cu(CN)3 2- [L] Marsden & House 2006 ch. 6",
        lo=2.0,
        hi=4.0,
    ),
)


class MerrillCrowe:
    """Zinc cementation of a clear pregnant solution; zinc becomes Zn(CN)4 2- (WAD)."""

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.i_w = comps.solution_offset("water")
        self.i_cn = comps.solution_offset("nacn") if comps.has("nacn") else None
        self.i_wad = comps.solution_offset("cn_wad") if comps.has("cn_wad") else None
        self.metals = depositing_metals(comps)

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> Any:
        """Per-case parameters."""
        return params

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """Cement metals; release their cyanide; zinc takes four CN each."""
        from oreflow.kernels import leaching as kl

        p = state
        (feed,) = inlets
        c = self.comps
        n = feed.shape[0]
        precipitate, barren = solids_apart(c, feed)  # clarifier solids join the precipitate
        reacted = np.zeros_like(feed)
        added = np.zeros_like(feed)
        sol_m3 = feed[:, self.i_w]
        zinc_t = p["zinc_g_m3"] * sol_m3 / G_PER_T
        released = np.zeros(n)  # mol/h x 1e-6 of CN freed from cemented metal complexes
        wad_freed = np.zeros(n)  # t/h CN leaving the WAD complexes
        metrics: dict[str, np.ndarray] = {}
        for metal, aq, solid in self.metals:
            share = p[f"precipitation_{metal}_frac"]
            dep = deposit_metal(c, feed, aq, solid, share, precipitate, barren, reacted)
            metrics[f"{metal}_precipitated_frac"] = safe_div(dep, feed[:, aq])
            metrics[f"barren_{metal}_mg_l"] = safe_div(barren[:, aq] * G_PER_T, sol_m3)
            if metal == "au":
                mol = kl.CN_PER_AU * dep / kl.AU_G_MOL
            elif metal == "ag":
                mol = kl.CN_PER_AG * dep / kl.AG_G_MOL
                wad_freed += mol * kl.CN_G_MOL
            else:
                mol = p["cn_wad_per_cu_mol_mol"] * dep / kl.CU_G_MOL
                wad_freed += mol * kl.CN_G_MOL
            released += mol
        zinc_cn_mol = kl.CN_PER_ZN * zinc_t / kl.ZN_G_MOL
        if self.i_cn is not None:
            # In a lumped cyanide budget (no cn_wad) the metal complexes were never
            # taken from the free cyanide, so only the zinc's own take counts.
            freed = released if self.i_wad is not None else np.zeros(n)
            free_in = feed[:, self.i_cn]
            net = (freed - zinc_cn_mol) * kl.NACN_G_MOL
            add = np.maximum(-(free_in + net), 0.0)
            barren[:, self.i_cn] = free_in + net + add
            added[:, self.i_cn] = add
            reacted[:, self.i_cn] = net
            metrics["use_nacn_kg_h"] = add * 1000.0
        if self.i_wad is not None:
            wad_new = np.maximum(feed[:, self.i_wad] - wad_freed + zinc_cn_mol * kl.CN_G_MOL, 0.0)
            reacted[:, self.i_wad] = wad_new - feed[:, self.i_wad]
            barren[:, self.i_wad] = wad_new
        metrics["use_zinc_kg_h"] = zinc_t * 1000.0
        metrics["use_lead_nitrate_kg_h"] = p["lead_nitrate_g_m3"] * sol_m3 / 1000.0
        metrics["precipitate_kg_h"] = total_solids(c, precipitate) * 1000.0
        return UnitResult((barren, precipitate), added=added, reacted=reacted, metrics=metrics)


_check_mc = depositing_check("solution", "the precipitate")


MERRILL_CROWE = UnitType(
    name="merrill_crowe",
    reactive=True,
    summary="Merrill-Crowe zinc cementation of a clear pregnant solution: Au, Ag (some Cu) to a "
    "precipitate, zinc to Zn(CN)4 2-; barren solution out",
    inlets=("feed",),
    outlets=("barren", "precipitate"),
    params=MC_PARAMS,
    build=MerrillCrowe,
    check=_check_mc,
    prices={"nacn": reagents.NACN, "zinc": reagents.ZINC, "lead_nitrate": reagents.LEAD_NITRATE},
)

UNIT_TYPES = (MERRILL_CROWE,)

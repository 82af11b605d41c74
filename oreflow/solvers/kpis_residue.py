"""Residue KPIs: residue generated, where it goes, how much is used, WAD cyanide at discharge.

Residue generated is the dry solids entering every residue sink (``tailings`` storage,
``paste_backfill``, ``building_materials``): ore less what dissolved, plus what
precipitated (Directive 2006/21/EC; Wills & Finch 2016; docs/models.md#residue). Residue used is what the backfill and building-materials
sinks take *and accept* (their ``eligible_flag``); a residue failing its destination's
checks is reported apart as ``residue_not_eligible_tph`` and not counted as used. The
utilisation share ``residue_used / residue_generated`` is the figure behind the national
target of more than 35 % use of gold solid waste (docs/architecture.md).

WAD cyanide at the tailings discharge, ``tailings_wad_cn_mg_l``, is free cyanide
(``nacn``, as CN) plus WAD complexes (``cn_wad``) over the water of each ``tailings``
sink, and the KPI is the highest of them: the ICMC 50 mg/L and EU 50/25/10 mg/L limits
apply at each point of discharge into a tailings facility (Mudder, Botz & Smith 2001, Chemistry and Treatment of Cyanidation Wastes, §6.12; docs/models.md#detox), so
cyanide-free flotation tailings sent to their own facility must not dilute the CIL
tailings' figure. Each sink reports its own (``units.NAME.wad_cn_mg_l``) and, both
extensive, its numerator ``wad_cn_g_h`` and ``water_tph``: a WAD limit is one linear
row per sink in the ore rates. ``tailings_wad_cn_g_h`` stays the sum over the sinks.
Total cyanide, ``tailings_total_cn_mg_l`` (WAD plus the iron cyanides ``fe_cn``), is
reported next to it, the highest over the tailings discharges, and so is
``tailings_leachate_cn_mg_l``, the total cyanide of the stored residue's standard
leachate (L/S 10 L/kg, the figure China's HJ 943-2018 judges; ``oreflow.units.residue_rules``),
and ``tailings_leachate_<metal>_mg_l`` (Cu, Zn, Pb, As, Ag), the same leachate's metals
(``oreflow.units.residue_metals``), each the highest over the tailings discharges.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from oreflow.conventions import G_PER_T, HOURS_PER_YEAR
from oreflow.kernels.arrays import safe_div
from oreflow.solvers.simulate import Simulation
from oreflow.solvers.sinks import sink_inflow, sinks
from oreflow.units.base import total_solids, water
from oreflow.units.detox import total_cn_tph, wad_cn_tph
from oreflow.units.residue_metals import METALS

#: Leachate metal figures of a storage sink -> the KPI holding their highest value.
_LEACHATE_METALS = {f"leachate_{m}_mg_l": f"tailings_leachate_{m}_mg_l" for m in METALS}

#: KPI family of the sinks that receive residue -> destination.
RESIDUE_SINKS = {
    "residue_storage": "storage",
    "residue_backfill": "backfill",
    "residue_building_materials": "building_materials",
}


def residue_routing(sim: Simulation) -> dict[str, np.ndarray]:
    """Dry residue [t/h] to each destination, and the eligible part, (n_cases,) arrays.

    Keys: ``storage``, ``backfill``, ``building_materials``, ``backfill_eligible``,
    ``building_materials_eligible``, ``storage_m3_h``, ``tailings_wad_cn_tph``,
    ``tailings_water_tph`` (sums over the tailings sinks), ``tailings_wad_cn_mg_l_max``
    ``tailings_total_cn_mg_l_max``, ``tailings_leachate_cn_mg_l_max`` and
    ``tailings_leachate_<metal>_mg_l`` (the highest WAD, total and leachate tenor of a
    tailings sink); and per residue sink its solids under ``sink:NAME``.
    """
    comps = sim.plant.spec.comps
    n = sim.n_cases
    out = {
        k: np.zeros(n)
        for k in (
            "storage",
            "backfill",
            "building_materials",
            "backfill_eligible",
            "building_materials_eligible",
            "storage_m3_h",
            "tailings_wad_cn_tph",
            "tailings_water_tph",
            "tailings_wad_cn_mg_l_max",
            "tailings_total_cn_mg_l_max",
            "tailings_leachate_cn_mg_l_max",
            *_LEACHATE_METALS.values(),
        )
    }
    for name, families in sinks(sim):
        dest = next((RESIDUE_SINKS[f] for f in families if f in RESIDUE_SINKS), None)
        if dest is None:
            continue
        flow = sink_inflow(sim, name)
        solids = total_solids(comps, flow)
        out[f"sink:{name}"] = solids
        out[dest] = out[dest] + solids
        metrics = sim.units[name].metrics
        if dest == "storage":
            out["storage_m3_h"] = out["storage_m3_h"] + metrics.get("storage_m3_h", 0.0)
            cn, w = wad_cn_tph(comps, flow), water(comps, flow)
            out["tailings_wad_cn_tph"] = out["tailings_wad_cn_tph"] + cn
            out["tailings_water_tph"] = out["tailings_water_tph"] + w
            tenor = safe_div(cn * G_PER_T, w)  # per discharge
            out["tailings_wad_cn_mg_l_max"] = np.maximum(out["tailings_wad_cn_mg_l_max"], tenor)
            total = safe_div(total_cn_tph(comps, flow) * G_PER_T, w)
            out["tailings_total_cn_mg_l_max"] = np.maximum(out["tailings_total_cn_mg_l_max"], total)
            leach = metrics.get("leachate_total_cn_mg_l", 0.0)
            out["tailings_leachate_cn_mg_l_max"] = np.maximum(
                out["tailings_leachate_cn_mg_l_max"], leach
            )
            for metric, kpi in _LEACHATE_METALS.items():
                out[kpi] = np.maximum(out[kpi], metrics.get(metric, 0.0))
        else:
            out[f"{dest}_eligible"] = out[f"{dest}_eligible"] + solids * metrics["eligible_flag"]
    return out


def residue_kpis(sim: Simulation, t: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Residue generated, to storage, backfill and building materials; use share; WAD CN."""
    r = residue_routing(sim)
    generated = r["storage"] + r["backfill"] + r["building_materials"]
    used = r["backfill_eligible"] + r["building_materials_eligible"]
    ore_tph = sum(sim.params[o.name]["rate_tph"] for o in sim.plant.spec.ores)
    return {
        "residue_generated_tph": generated,
        "residue_generated_t_t": safe_div(generated, ore_tph),
        "residue_to_storage_tph": r["storage"],
        "residue_to_backfill_tph": r["backfill"],
        "residue_to_building_materials_tph": r["building_materials"],
        "residue_used_tph": used,
        "residue_not_eligible_tph": r["backfill"] + r["building_materials"] - used,
        "residue_utilisation_frac": safe_div(used, generated),
        "residue_storage_mm3_y": r["storage_m3_h"] * HOURS_PER_YEAR / 1e6,
        "tailings_wad_cn_g_h": r["tailings_wad_cn_tph"] * G_PER_T,
        # the highest discharge, not the sinks' mixture (module docstring)
        "tailings_wad_cn_mg_l": r["tailings_wad_cn_mg_l_max"],
        # total cyanide (free + WAD + iron cyanides) next to WAD, at the same discharge rule
        "tailings_total_cn_mg_l": r["tailings_total_cn_mg_l_max"],
        # and the total cyanide of the stored residue's standard leachate (HJ 943's figure)
        "tailings_leachate_cn_mg_l": r["tailings_leachate_cn_mg_l_max"],
        # and its leachable metals (oreflow.units.residue_metals)
        **{kpi: r[kpi] for kpi in _LEACHATE_METALS.values()},
    }

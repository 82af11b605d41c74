"""Cyanide-circuit KPIs: tailings cyanide, the NaCN budget, silver, doré, preg-robbing.

Keys (each (n_cases,), present only where the case has the species or units involved):

- ``tailings_free_cn_mg_l`` and ``tailings_nacn_mg_l``: free cyanide in the solution
  reaching ``tailings`` sinks, as CN and as NaCN; ``tailings_cn_wad_complexed_mg_l``
  the weak-acid-dissociable metal complexes (``cn_wad``, as CN); ``tailings_cu_mg_l``,
  ``tailings_scn_mg_l``. Each is a tenor per discharge, the highest over the ``tailings``
  sinks: limits on solution tenors apply at each point of discharge into a tailings
  facility (ICMC, Mudder, Botz & Smith 2001, Chemistry and Treatment of Cyanidation Wastes, §6.12; docs/models.md#detox), and cyanide-free flotation tailings sent to their own
  facility must not dilute the leach tailings' figure. Free plus complexed is the WAD
  figure of the ICMC 50 mg/L limit, reported per discharge as ``tailings_wad_cn_mg_l``
  by the residue KPIs (the highest sum, so not always the sum of the highest of each).
  Totals (``nacn_soluble_loss_kg_t``, the gold losses) are sums over the sinks.
- NaCN budget per tonne of ore by mechanism (Marsden & House 2006; docs/models.md#cil), summed over the leach
  units (``cil``, ``cip``, ``heap_leach``): ``nacn_soluble_loss_kg_t`` (NaCN leaving
  with tailings solution), ``nacn_copper_kg_t``, ``nacn_thiocyanate_kg_t``,
  ``nacn_ferrocyanide_kg_t``, ``nacn_complexation_kg_t`` (Au, Ag complexes),
  ``nacn_other_kg_t`` (oxidation, volatilisation), and ``copper_dissolved_kg_t``.
- ``silver_recovery_frac``, ``silver_produced_g_h``, ``silver_produced_oz_d``: silver
  in ``product`` sinks of kind ``gold`` less silver brought by units, over silver fed.
- ``dore_kg_d``, ``dore_au_frac``, ``dore_ag_frac``: mass and fineness of what reaches
  the gold products.
- ``pregrobbed_au_frac``: gold leaving on the ore's carbonaceous matter
  (``au_pregrobbed``) over the gold fed; ``soluble_au_loss_frac``: dissolved gold in the
  tailings solution over the gold fed.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from oreflow.conventions import G_PER_T, GRAMS_PER_TROY_OZ
from oreflow.core.components import ELEMENTS
from oreflow.kernels.arrays import safe_div
from oreflow.solvers.simulate import Simulation
from oreflow.solvers.sinks import sink_inflow, sinks
from oreflow.units.base import total_solids, water

_BUDGET = {
    "copper": "nacn_cu_kg_t",
    "thiocyanate": "nacn_scn_kg_t",
    "ferrocyanide": "nacn_ferrocyanide_kg_t",
    "complexation": "nacn_complexation_kg_t",
    "other": "nacn_other_kg_t",
}


def cyanide_kpis(sim: Simulation, t: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Cyanide-circuit KPIs (see module docstring)."""
    from oreflow.kernels.leaching import CN_PER_NACN

    spec = sim.plant.spec
    comps = spec.comps
    n = sim.n_cases
    out: dict[str, np.ndarray] = {}
    ore_tph = np.asarray(sum(sim.params[o.name]["rate_tph"] for o in spec.ores), dtype=float)
    per_t = safe_div(np.ones(n), ore_tph * np.ones(n))
    em = comps.element_matrix()
    au = em[:, ELEMENTS.index("au")]
    ag = em[:, ELEMENTS.index("ag")]
    au_feed = t["in"] @ au

    tails = np.zeros((n, comps.n_comp))
    discharges = []  # each tailings sink's inflow: tenors are judged per discharge
    gold_products = np.zeros((n, comps.n_comp))
    for name, families in sinks(sim):
        flow = sink_inflow(sim, name)
        if "residue_storage" in families:
            tails = tails + flow
            discharges.append(flow)
        elif "product" in families and spec.unit(name).params["kind"] == "gold":
            gold_products = gold_products + flow

    def highest_tenor_mg_l(species: str) -> np.ndarray:
        """The highest tenor of a dissolved species over the tailings discharges [mg/L]."""
        best = np.zeros(n)
        for flow in discharges:
            tenor = safe_div(flow[:, comps.solution_offset(species)] * G_PER_T, water(comps, flow))
            best = np.maximum(best, tenor)
        return best

    if comps.has("nacn"):
        nacn = tails[:, comps.solution_offset("nacn")]
        out["tailings_nacn_mg_l"] = highest_tenor_mg_l("nacn")
        out["tailings_free_cn_mg_l"] = out["tailings_nacn_mg_l"] * CN_PER_NACN
    for species, key in (
        ("cn_wad", "tailings_cn_wad_complexed_mg_l"),
        ("cu_aq", "tailings_cu_mg_l"),
        ("scn", "tailings_scn_mg_l"),
    ):
        if comps.has(species):
            out[key] = highest_tenor_mg_l(species)

    leach_units = spec.units_in("cyanide_leach")
    if leach_units and comps.has("nacn"):
        topo = sim.plant.topology
        budget = {key: np.zeros(n) for key in _BUDGET}
        copper = np.zeros(n)
        for u in leach_units:
            fed = sum(sim.streams[s.name] for s in topo.inlets_of(u.name))
            solids = total_solids(comps, fed)
            metrics = sim.units[u.name].metrics
            for key, metric in _BUDGET.items():
                budget[key] = budget[key] + metrics.get(metric, 0.0) * solids  # kg/h
            copper = copper + metrics.get("cu_dissolved_g_t", 0.0) * solids / 1000.0
        out["nacn_soluble_loss_kg_t"] = nacn * 1000.0 * per_t
        for key, kg_h in budget.items():
            out[f"nacn_{key}_kg_t"] = kg_h * per_t
        if comps.has("cu_aq"):
            out["copper_dissolved_kg_t"] = copper * per_t

    if comps.has("ag") or comps.has("ag_aq"):
        ag_feed = t["in"] @ ag
        produced = gold_products @ ag - t["added"] @ ag
        out["silver_recovery_frac"] = safe_div(produced, ag_feed)
        out["silver_produced_g_h"] = produced * G_PER_T
        out["silver_produced_oz_d"] = produced * G_PER_T * 24.0 / GRAMS_PER_TROY_OZ

    dore = total_solids(comps, gold_products)
    if np.any(dore > 0):
        out["dore_kg_d"] = dore * 1000.0 * 24.0
        out["dore_au_frac"] = safe_div(
            gold_products[:, : comps.n_solids_comp] @ au[: comps.n_solids_comp], dore
        )
        out["dore_ag_frac"] = safe_div(
            gold_products[:, : comps.n_solids_comp] @ ag[: comps.n_solids_comp], dore
        )

    if comps.has("au_pregrobbed"):
        i = comps.solid_index("au_pregrobbed")
        robbed = comps.solids_view(tails)[:, :, i].sum(axis=1)
        out["pregrobbed_au_frac"] = safe_div(robbed, au_feed)
    if comps.has("au_aq"):
        out["soluble_au_loss_frac"] = safe_div(tails[:, comps.solution_offset("au_aq")], au_feed)
    return out

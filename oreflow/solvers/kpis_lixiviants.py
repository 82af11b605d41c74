"""Plant KPIs of the cyanide-free leach routes: reagent use per tonne by lixiviant, resin.

For every cyanide-free route present in the case (unit types ``thiosulfate_ril``,
``glycine_leach``, ``halide_leach``), per tonne of ore fed to the plant:

- ``<route>_<item>_kg_t``: each consumable the route's units report as
  ``use_<item>_kg_h`` (CaS₂O₃ or ammonium thiosulfate, glycine, oxidant, NaCl,
  CuSO₄·5H₂O, NH₃, lime, NaOH, NaCN, resin or carbon make-up);
- ``<route>_au_extraction_frac``: gold dissolved over gold fed to the route's units;
- ``<route>_loaded_<adsorbent>_au_g_t``: gold on the loaded adsorbent leaving them;
- thiosulfate: ``thiosulfate_ril_s2o3_make_up_kg_t`` and
  ``thiosulfate_ril_s2o3_degraded_kg_t`` (S₂O₃ basis, the figures of worked example ex11),
  and ``thiosulfate_ril_polythionates_mg_l`` in the tails solution;
- glycine: ``glycine_leach_glycine_make_up_kg_t`` and, in the cyanide-starved mode,
  ``glycine_leach_wad_cn_mg_l`` in the tails solution (as CN);
- halide: ``halide_leach_oxidant_cl2_kg_t``, the oxidant consumed as Cl₂ equivalents.

A case without these routes gets no keys from this provider.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from oreflow.conventions import G_PER_T
from oreflow.core.components import ELEMENTS
from oreflow.kernels.arrays import safe_div
from oreflow.solvers.simulate import Simulation
from oreflow.units.base import UnitSpec, total_solids

#: Outlet carrying the loaded adsorbent of each route.
_LOADED_PORT = {
    "thiosulfate_ril": "loaded_resin",
    "glycine_leach": "loaded_carbon",
    "halide_leach": "loaded_adsorbent",
}
_USE_PREFIX, _USE_SUFFIX = "use_", "_kg_h"


def lixiviant_kpis(sim: Simulation, t: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """KPIs of the cyanide-free routes in the case (see module docstring)."""
    spec = sim.plant.spec
    comps = spec.comps
    topo = sim.plant.topology
    n = sim.n_cases
    ore_tph = sum(
        (np.asarray(sim.params[o.name]["rate_tph"], dtype=np.float64) for o in spec.ores),
        np.zeros(n),
    )
    au = comps.element_matrix()[:, ELEMENTS.index("au")]
    solid_au = au.copy()
    solid_au[comps.n_solids_comp :] = 0.0
    out: dict[str, np.ndarray] = {}
    routes: dict[str, list[UnitSpec]] = {}
    for u in spec.units_in("lixiviant_route"):
        routes.setdefault(u.type, []).append(u)
    for route, units in routes.items():
        use: dict[str, np.ndarray] = {}
        gold_fed = np.zeros(n)
        gold_leached = np.zeros(n)
        ads_t: dict[str, np.ndarray] = {}
        ads_au: dict[str, np.ndarray] = {}
        extra: dict[str, np.ndarray] = {}
        for u in units:
            r = sim.units[u.name]
            feed = sum(
                (sim.streams[s.name] for s in topo.inlets_of(u.name)), np.zeros((n, au.size))
            )
            solids = total_solids(comps, feed)
            for key, value in r.metrics.items():
                if key.startswith(_USE_PREFIX) and key.endswith(_USE_SUFFIX):
                    item = key[len(_USE_PREFIX) : -len(_USE_SUFFIX)]
                    use[item] = use.get(item, np.zeros(n)) + value
            gold_fed += feed @ solid_au
            if r.reacted is not None:
                gold_leached += -(r.reacted @ solid_au)
            loaded = sim.streams[u.stream_of(_LOADED_PORT[route])]
            ads = str(
                u.params.get("adsorbent", "resin" if route == "thiosulfate_ril" else "carbon")
            )
            ads_t[ads] = ads_t.get(ads, np.zeros(n)) + loaded[:, comps.adsorbent_offset(ads)]
            ads_au[ads] = (
                ads_au.get(ads, np.zeros(n)) + loaded[:, comps.adsorbent_offset(f"au_{ads}")]
            )
            tails = sim.streams[u.stream_of("tails")]
            water = tails[:, comps.solution_offset("water")]
            m = r.metrics
            if route == "thiosulfate_ril":
                for key in ("s2o3_added_kg_t", "s2o3_degraded_kg_t"):
                    extra[key] = extra.get(key, np.zeros(n)) + m[key] * solids / 1e3
                pt = tails[:, comps.solution_offset("polythionates")]
                extra["pt_g_h"] = extra.get("pt_g_h", np.zeros(n)) + pt * G_PER_T
                extra["water"] = extra.get("water", np.zeros(n)) + water
            elif route == "glycine_leach":
                extra["gly"] = (
                    extra.get("gly", np.zeros(n)) + m["glycine_added_kg_t"] * solids / 1e3
                )
                if "wad_cn_mg_l" in m:
                    extra["wad_g_h"] = extra.get("wad_g_h", np.zeros(n)) + m["wad_cn_mg_l"] * water
                    extra["water"] = extra.get("water", np.zeros(n)) + water
            else:
                extra["cl2"] = (
                    extra.get("cl2", np.zeros(n)) + m["oxidant_demand_cl2_kg_t"] * solids / 1e3
                )
        for ads, mass in ads_t.items():
            out[f"{route}_loaded_{ads}_au_g_t"] = safe_div(ads_au[ads] * G_PER_T, mass)
        for item, kg_h in sorted(use.items()):
            out[f"{route}_{item}_kg_t"] = safe_div(kg_h, ore_tph)
        out[f"{route}_au_extraction_frac"] = safe_div(gold_leached, gold_fed)
        if route == "thiosulfate_ril":
            out[f"{route}_s2o3_make_up_kg_t"] = safe_div(extra["s2o3_added_kg_t"] * 1e3, ore_tph)
            out[f"{route}_s2o3_degraded_kg_t"] = safe_div(
                extra["s2o3_degraded_kg_t"] * 1e3, ore_tph
            )
            out[f"{route}_polythionates_mg_l"] = safe_div(extra["pt_g_h"], extra["water"])
        elif route == "glycine_leach":
            out[f"{route}_glycine_make_up_kg_t"] = safe_div(extra["gly"] * 1e3, ore_tph)
            if "wad_g_h" in extra:
                out[f"{route}_wad_cn_mg_l"] = safe_div(extra["wad_g_h"], extra["water"])
        else:
            out[f"{route}_oxidant_cl2_kg_t"] = safe_div(extra["cl2"] * 1e3, ore_tph)
    return out

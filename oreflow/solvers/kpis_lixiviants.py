"""Plant KPIs of the cyanide-free leach routes: reagent use per tonne by lixiviant, resin.

For every unit type of the ``lixiviant_route`` family present in the case (the route),
per tonne of ore fed to the plant:

- ``<route>_<item>_kg_t``: each consumable the route's units report as
  ``use_<item>_kg_h`` (CaS₂O₃ or ammonium thiosulfate, glycine, oxidant, NaCl,
  CuSO₄·5H₂O, NH₃, lime, NaOH, NaCN, resin or carbon make-up);
- ``<route>_au_extraction_frac``: gold dissolved over gold fed to the route's units;
- ``<route>_loaded_<adsorbent>_au_g_t``: gold on the loaded adsorbent leaving them;
- the figures the type declares in ``UnitType.route_kpis``
  (``oreflow.units.base.RouteKpis``): metrics per tonne of solids turned into kg per
  tonne of ore (thiosulfate make-up and degradation on the S₂O₃ basis of worked example
  ex11, glycine make-up, halide oxidant as Cl₂), and tails-solution concentrations
  (polythionates, WAD cyanide of the cyanide-starved glycine leach).

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
        declared = spec.unit_types[route].route_kpis
        if declared is None:  # refused by UnitType; tells the type checker
            continue
        use: dict[str, np.ndarray] = {}
        gold_fed = np.zeros(n)
        gold_leached = np.zeros(n)
        ads_t: dict[str, np.ndarray] = {}
        ads_au: dict[str, np.ndarray] = {}
        per_t = {suffix: np.zeros(n) for _, suffix in declared.per_t_ore}
        tails_g_h = {suffix: np.zeros(n) for _, suffix in declared.tails_mg_l}
        tails_water = np.zeros(n)
        metric_g_h: dict[str, np.ndarray] = {}
        metric_water: dict[str, np.ndarray] = {}
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
            loaded = sim.streams[u.stream_of(declared.loaded_port)]
            ads = str(u.params.get("adsorbent", declared.adsorbent))
            ads_t[ads] = ads_t.get(ads, np.zeros(n)) + loaded[:, comps.adsorbent_offset(ads)]
            ads_au[ads] = (
                ads_au.get(ads, np.zeros(n)) + loaded[:, comps.adsorbent_offset(f"au_{ads}")]
            )
            tails = sim.streams[u.stream_of("tails")]
            water = tails[:, comps.solution_offset("water")]
            m = r.metrics
            for metric, suffix in declared.per_t_ore:
                per_t[suffix] = per_t[suffix] + m[metric] * solids / 1e3
            for species, suffix in declared.tails_mg_l:
                conc = tails[:, comps.solution_offset(species)]
                tails_g_h[suffix] = tails_g_h[suffix] + conc * G_PER_T
            tails_water = tails_water + water
            for metric, suffix in declared.metric_mg_l:
                if metric in m:
                    metric_g_h[suffix] = metric_g_h.get(suffix, np.zeros(n)) + m[metric] * water
                    metric_water[suffix] = metric_water.get(suffix, np.zeros(n)) + water
        for ads, mass in ads_t.items():
            out[f"{route}_loaded_{ads}_au_g_t"] = safe_div(ads_au[ads] * G_PER_T, mass)
        for item, kg_h in sorted(use.items()):
            out[f"{route}_{item}_kg_t"] = safe_div(kg_h, ore_tph)
        out[f"{route}_au_extraction_frac"] = safe_div(gold_leached, gold_fed)
        for suffix, t_h in per_t.items():
            out[f"{route}_{suffix}"] = safe_div(t_h * 1e3, ore_tph)
        for suffix, g_h in tails_g_h.items():
            out[f"{route}_{suffix}"] = safe_div(g_h, tails_water)
        for suffix, g_h in metric_g_h.items():
            out[f"{route}_{suffix}"] = safe_div(g_h, metric_water[suffix])
    return out

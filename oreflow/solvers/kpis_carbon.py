"""CO2 of the plant per hour, per tonne of ore and per ounce, by source.

Sources (factors of the case's ``[emissions]``, ``oreflow.flowsheet.emissions``):

- **direct**: CO2 leaving the plant in any stream that ends it (vented from the autoclaves'
  carbonates and organic carbon; dissolved in tailings water, which degasses), plus the
  reagent CO2 units release at once without tracking it (``co2_released_kg_h``:
  limestone dissolving in neutralisation, ``oreflow.units.neutralisation``);
- **electricity**: every kW the units report (``power_kw``) and the utility power no unit
  reports (agitation, pumping: ``oreflow.solvers.utilities.utility_power_kw``), times
  the grid factor;
- **oxygen**: the oxygen bought (``use_o2_kg_h``) times the oxygen plant's kWh/kg and the
  grid factor (the plant's power is inside the oxygen price, not in ``power_kw``);
- **heat**: steam and heating duty (``steam_heating_kw``, ``heat_duty_kw``) over the
  boiler efficiency times the fuel's CO2 per GJ;
- **transport**: diesel of the trucks of haulage units, their freight work ``t_km_h``
  times ``road_kg_co2_tkm``;
- **reagents**: embodied CO2 of every other consumable ``use_<item>_kg_h``; an item with no
  factor counts zero and is counted in ``co2_items_without_factor_count``.

``co2_kg_t = co2_kg_h / ore_tph`` and ``co2_kg_oz = co2_kg_h / gold_products_oz_h``
(gold in doré, less gold units brought back, plus gold in concentrate products): both
ratios of extensive figures, so a limit on them is a linear row in ``optimize``
(``oreflow.flowsheet.optimization.RATIO_FIGURES``).

Scope is the plant gate (scope 1 and 2 plus embodied reagents), as in the processing
stages of Norgate & Haque (2012), J. Cleaner Production 29-30:53, which puts gold from
3.5 g/t non-refractory ore at about 18 t CO2e per kg Au (about 560 kg/oz) mine to refined
metal, mining included.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from oreflow.conventions import G_PER_T, GRAMS_PER_TROY_OZ
from oreflow.core.components import ELEMENTS
from oreflow.flowsheet.emissions import OXYGEN_ITEMS, EmissionsSpec
from oreflow.kernels.arrays import safe_div
from oreflow.solvers.economics import HEAT_METRICS, use_items
from oreflow.solvers.simulate import Simulation
from oreflow.solvers.sinks import product_gold_tph, sink_inflow, sinks
from oreflow.solvers.utilities import utility_power_kw

#: Seconds per hour over joules per GJ: kW of heat -> GJ/h.
_GJ_PER_KWH = 3.6e-3


def gold_products_oz_h(sim: Simulation, t: Mapping[str, np.ndarray]) -> np.ndarray:
    """Gold in doré (less what units added) and concentrate products [oz/h], (n_cases,)."""
    au = sim.plant.spec.comps.element_matrix()[:, ELEMENTS.index("au")]
    products = product_gold_tph(sim)
    total = -(t["added"] @ au)
    for kind in ("gold", "concentrate"):
        if kind in products:
            total = total + products[kind]
    return total * G_PER_T / GRAMS_PER_TROY_OZ


def direct_co2_kg_h(sim: Simulation) -> np.ndarray:
    """CO2 leaving in every stream that ends the plant plus reagent CO2 released [kg/h]."""
    comps = sim.plant.spec.comps
    out = np.zeros(sim.n_cases)
    if comps.has("co2"):
        i = comps.solution_offset("co2")
        for name, _ in sinks(sim):
            out = out + sink_inflow(sim, name)[:, i] * 1000.0
    for r in sim.units.values():
        out = out + np.asarray(r.metrics.get("co2_released_kg_h", 0.0))
    return out


def carbon_kpis(sim: Simulation, t: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """CO2 by source [kg/h], total, per tonne of ore and per ounce, (n_cases,) arrays."""
    em: EmissionsSpec = sim.plant.spec.emissions
    p = em.params
    n = sim.n_cases
    unit_kw = sum(
        (np.asarray(r.metrics.get("power_kw", 0.0)) for r in sim.units.values()), np.zeros(n)
    )
    utility_kw = sum(utility_power_kw(sim).values(), np.zeros(n))
    heat_kw = np.zeros(n)
    t_km = np.zeros(n)
    items: dict[str, np.ndarray] = {}
    for r in sim.units.values():
        t_km = t_km + np.asarray(r.metrics.get("t_km_h", 0.0))
        heat_kw = heat_kw + sum((np.asarray(r.metrics.get(k, 0.0)) for k in HEAT_METRICS), 0.0)
        for item, kg in use_items(r.metrics).items():
            items[item] = items.get(item, np.zeros(n)) + kg
    grid = float(p["grid_kg_co2_kwh"])
    o2_kg = sum((items.pop(k) for k in OXYGEN_ITEMS if k in items), np.zeros(n))
    by_item = {}
    missing = 0
    for item, kg in sorted(items.items()):
        f = em.factor(item)
        if f is None:
            missing += 1
            continue
        by_item[item] = kg * f
    direct = direct_co2_kg_h(sim)
    electricity = (unit_kw + utility_kw) * grid
    oxygen = o2_kg * float(p["oxygen_kwh_kg"]) * grid
    heat = (
        heat_kw * _GJ_PER_KWH * float(p["heat_fuel_kg_co2_gj"]) / float(p["boiler_efficiency_frac"])
    )
    transport = t_km * float(p["road_kg_co2_tkm"])
    reagents = sum(by_item.values(), np.zeros(n))
    total = direct + electricity + oxygen + heat + transport + reagents
    ore_tph = np.asarray(sum(sim.params[o.name]["rate_tph"] for o in sim.plant.spec.ores), float)
    oz = gold_products_oz_h(sim, t)
    return {
        "gold_products_oz_h": oz,
        "electricity_kw": unit_kw + utility_kw,
        "co2_direct_kg_h": direct,
        "co2_electricity_kg_h": electricity,
        "co2_oxygen_kg_h": oxygen,
        "co2_heat_kg_h": heat,
        "co2_transport_kg_h": transport,
        "co2_reagents_kg_h": reagents,
        **{f"co2_reagent_{item}_kg_h": v for item, v in by_item.items()},
        "co2_kg_h": total,
        "co2_kg_t": safe_div(total, ore_tph),
        "co2_kg_oz": safe_div(total, oz, fill=np.nan),
        "co2_items_without_factor_count": np.full(n, float(missing)),
    }

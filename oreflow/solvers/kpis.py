"""Plant key figures (KPIs), computed per case from a simulation.

Each provider takes the simulation and the plant totals (``in``, ``added``,
``reacted``, ``out``: (n_cases, n_comp) arrays, see ``results._totals``) and returns a
dict of (n_cases,) arrays with unit-suffixed names. Units report what they use as
``use_<item>_kg_h`` metrics and ``power_kw``; providers aggregate those by name. Add a
provider by appending it to ``PROVIDERS``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from oreflow.conventions import G_PER_T, GRAMS_PER_TROY_OZ
from oreflow.core.components import ELEMENTS
from oreflow.kernels.arrays import safe_div
from oreflow.solvers.economics import consumption_kpis, economics_kpis
from oreflow.solvers.kpis_carbon import carbon_kpis
from oreflow.solvers.kpis_cyanide import cyanide_kpis
from oreflow.solvers.kpis_lixiviants import lixiviant_kpis
from oreflow.solvers.kpis_oxidation import oxidation_kpis
from oreflow.solvers.kpis_preconcentration import preconcentration_kpis
from oreflow.solvers.kpis_residue import residue_kpis
from oreflow.solvers.kpis_water import water_kpis
from oreflow.solvers.simulate import Simulation
from oreflow.solvers.sinks import product_gold_tph, sink_inflow, sinks


def unit_metric_sum(sim: Simulation, metric: str) -> np.ndarray:
    """Sum of one metric over every unit reporting it, (n_cases,)."""
    total = np.zeros(sim.n_cases)
    for r in sim.units.values():
        if metric in r.metrics:
            total = total + r.metrics[metric]
    return total


def core_kpis(sim: Simulation, t: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Throughput, gold recovery and production, power, cyanide, residue."""
    comps = sim.plant.spec.comps
    em = comps.element_matrix()
    au = em[:, ELEMENTS.index("au")]
    ore_tph = sum(sim.params[o.name]["rate_tph"] for o in sim.plant.spec.ores)
    ore_solids = t["in"][:, : comps.n_solids_comp].sum(axis=1)
    au_feed = t["in"] @ au
    au_added = t["added"] @ au
    products = product_gold_tph(sim)
    gold_out = products.get("gold", np.zeros(sim.n_cases))
    gold_conc = products.get("concentrate")  # gold sold in concentrate, where a case sells one
    residue = np.zeros(sim.n_cases)
    residue_water = np.zeros(sim.n_cases)
    storage = np.zeros(sim.n_cases)
    for sink, families in sinks(sim):
        if "residue_storage" in families:
            flow = sink_inflow(sim, sink)
            residue += flow[:, : comps.n_solids_comp].sum(axis=1)
            residue_water += flow[:, comps.solution_offset("water")] if comps.has("water") else 0.0
            storage += sim.units[sink].metrics.get("storage_m3_h", 0.0)
    recovered = gold_out - au_added
    power = np.zeros(sim.n_cases)
    plant_power = np.zeros(sim.n_cases)
    nacn = np.zeros(sim.n_cases)
    grinding = {u.name for u in sim.plant.spec.units if sim.plant.spec.unit_types[u.type].grinding}
    for name, r in sim.units.items():
        plant_power += r.metrics.get("power_kw", 0.0)
        if name in grinding:
            power += r.metrics.get("power_kw", 0.0)
    if comps.has("nacn"):
        nacn = t["added"][:, comps.solution_offset("nacn")] * 1000.0
    per_t = safe_div(1.0, ore_tph)
    # recovery counts doré; gold sold in a concentrate is recovered to a product too, but
    # paid at the concentrate's terms, so it is its own figure beside the recovery
    sold = {} if gold_conc is None else {"gold_to_concentrate_frac": safe_div(gold_conc, au_feed)}
    return sold | {
        "ore_tph": np.asarray(ore_tph, dtype=np.float64),
        "au_head_gpt": safe_div(au_feed * G_PER_T, ore_solids),
        "au_feed_g_h": au_feed * G_PER_T,
        "gold_recovery_frac": safe_div(recovered, au_feed),
        "gold_produced_g_h": recovered * G_PER_T,
        "gold_produced_oz_d": recovered * G_PER_T * 24.0 / GRAMS_PER_TROY_OZ,
        "mill_power_kw": power,
        "specific_energy_kwh_t": power * per_t,
        "plant_power_kw": plant_power,
        "nacn_kg_t": nacn * per_t,
        "residue_tph": residue,
        "residue_water_tph": residue_water,
        "residue_storage_m3_h": storage,
    }


Provider = Callable[[Simulation, Mapping[str, np.ndarray]], dict[str, np.ndarray]]

#: KPI providers, in reporting order.
PROVIDERS: list[Provider] = [core_kpis]
PROVIDERS += [residue_kpis, consumption_kpis, economics_kpis]
PROVIDERS += [lixiviant_kpis]
PROVIDERS += [preconcentration_kpis]
PROVIDERS += [oxidation_kpis]
PROVIDERS += [cyanide_kpis]
PROVIDERS += [carbon_kpis, water_kpis]


def plant_kpis(sim: Simulation, totals: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every provider's KPIs merged, (n_cases,) arrays."""
    out: dict[str, np.ndarray] = {}
    for provider in PROVIDERS:
        out.update(provider(sim, totals))
    return out

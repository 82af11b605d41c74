"""Site water balance: fresh water in, water recycled, water leaving by destination.

Read from the plant's mass balance, not from unit metric names, so every unit counts:

- **in with the ore**: the water of the ore sources (moisture, or the slurry water of a
  slurry feed);
- **fresh**: water the units add (dilution at mixers, CCD and filter wash, heap make-up,
  eluate make-up: the ``added`` water of each unit where positive), and the make-up water
  a sink takes from outside the flowsheet (``makeup_water_tph`` of a sink: the water
  mixed into paste fill, which leaves with it). ``water_m3_t`` is this per tonne of
  ore, the site's fresh-water intensity;
- **made or consumed by reactions** (hydration water of gypsum, water of oxidation):
  the units' net ``reacted`` water;
- **out**: to the residue destinations (tailings storage, paste backfill, building
  materials), to water products (reclaimed or discharged water, ``product`` of kind
  ``water``), with other products (doré, concentrate moisture), and to atmosphere
  (sinks in no residue or product family: vents; water units remove, e.g. flash steam);
- **recycled**: water of the solution streams (solids at most ``SOLUTION_SOLIDS_FRAC`` of
  the stream) that close a loop of the flowsheet (a recycle block: thickener overflow or
  barren solution returned upstream). It is internal, not part of the closure. A
  stream that passes two units inside the loop (overflow to SART, SART to the mill) is
  counted at each; ``recycled_<species>_mg_l`` gives the copper, thiocyanate and
  cyanide that the recycled water carries (its flow-weighted concentration).

``water_balance_rel_err`` is ``|in + fresh - removed + reacted - out| / (in + fresh)``: the
water view of the closure audit. Volumes at 1 t/m3 [assumed: process water density].
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from oreflow.kernels.arrays import safe_div
from oreflow.solvers.kpis_residue import RESIDUE_SINKS
from oreflow.solvers.simulate import Simulation
from oreflow.solvers.sinks import sink_inflow, sinks
from oreflow.units.base import total_solids

#: A stream whose solids are at most this fraction of its mass is a solution stream
#: (thickener overflow, filtrate, barren solution) [assumed: clarified overflows carry
#: well under 1 % solids].
SOLUTION_SOLIDS_FRAC = 0.01


#: Dissolved species whose build-up in the recycled process water is reported
#: (``recycled_<name>_mg_l``): copper, thiocyanate, the complexed (WAD) cyanide as CN
#: and free cyanide as NaCN, where the case declares them.
BUILD_UP_SPECIES = ("cu_aq", "scn", "cn_wad", "nacn")


def _recycled_solution(sim: Simulation, names: tuple[str, ...]) -> np.ndarray:
    """Solution species ``names`` summed over the solution streams inside recycle blocks.

    (n_cases, len(names)) [t/h]; only the columns asked for are summed.
    """
    comps = sim.plant.spec.comps
    topo = sim.plant.topology
    i = comps.solution_offset("water")
    cols = [comps.solution_offset(name) for name in names]
    out = np.zeros((sim.n_cases, len(cols)))
    for block in topo.blocks:
        if not block.tears:
            continue
        inside = set(block.nodes)
        for s in topo.streams:
            if s.src not in inside or s.dst not in inside:
                continue
            x = sim.streams[s.name]
            solids = total_solids(comps, x)
            keep = (solids <= SOLUTION_SOLIDS_FRAC * x.sum(axis=1)) & (x[:, i] > 0.0)
            out = out + x[:, cols] * keep[:, None]
    return out


def _build_up_species(sim: Simulation) -> tuple[str, ...]:
    comps = sim.plant.spec.comps
    return tuple(name for name in BUILD_UP_SPECIES if comps.has(name))


def _build_up(species: tuple[str, ...], sol: np.ndarray) -> dict[str, np.ndarray]:
    """Copper, thiocyanate and cyanide in the recycled process water [mg/L].

    Flow-weighted over the recycled solution streams (``recycled_<species>_mg_l``;
    ``sol``: ``_recycled_solution`` of water then ``species``), zero without recycle.
    What a tailings-thickener overflow returned to grinding brings back to the leach:
    the steady state of the recycle (the plant solve converges the tear streams or
    raises naming the block).
    """
    return {
        f"recycled_{name}_mg_l": safe_div(sol[:, k + 1] * 1e6, sol[:, 0])
        for k, name in enumerate(species)
    }


def water_kpis(sim: Simulation, t: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The site water balance [m3/h] and fresh water per tonne of ore, (n_cases,) arrays."""
    comps = sim.plant.spec.comps
    if not comps.has("water"):
        return {}
    spec = sim.plant.spec
    i = comps.solution_offset("water")
    n = sim.n_cases
    fresh = np.zeros(n)
    removed = np.zeros(n)
    for r in sim.units.values():
        if r.added is not None:
            fresh = fresh + np.maximum(r.added[:, i], 0.0)
            removed = removed - np.minimum(r.added[:, i], 0.0)
    out = {k: np.zeros(n) for k in ("storage", "backfill", "building_materials")}
    to_water, to_products, to_air = np.zeros(n), np.zeros(n), np.zeros(n)
    for name, families in sinks(sim):
        makeup = np.asarray(sim.units[name].metrics.get("makeup_water_tph", 0.0))
        fresh = fresh + makeup
        w = sink_inflow(sim, name)[:, i] + makeup
        dest = next((RESIDUE_SINKS[f] for f in families if f in RESIDUE_SINKS), None)
        if dest is not None:
            out[dest] = out[dest] + w
        elif "product" in families and spec.unit(name).params["kind"] == "water":
            to_water = to_water + w
        elif "product" in families:
            to_products = to_products + w
        else:
            to_air = to_air + w
    ore_water = t["in"][:, i]
    reacted = t["reacted"][:, i]
    residue = out["storage"] + out["backfill"] + out["building_materials"]
    leaving = residue + to_water + to_products + to_air
    ore_tph = np.asarray(sum(sim.params[o.name]["rate_tph"] for o in spec.ores), float)
    gap = ore_water + fresh - removed + reacted - leaving
    # the recycled water and what it carries: the loops' streams read once
    species = _build_up_species(sim)
    recycled = _recycled_solution(sim, ("water", *species))
    return {
        "water_ore_m3_h": ore_water,
        "water_fresh_m3_h": fresh,
        "water_recycled_m3_h": recycled[:, 0],
        **_build_up(species, recycled),
        "water_reacted_m3_h": reacted,
        "water_to_residue_m3_h": residue,
        "water_to_storage_m3_h": out["storage"],
        "water_to_backfill_m3_h": out["backfill"],
        "water_to_building_materials_m3_h": out["building_materials"],
        "water_to_water_products_m3_h": to_water,
        "water_to_other_products_m3_h": to_products,
        "water_to_atmosphere_m3_h": to_air + removed,
        "water_m3_t": safe_div(fresh, ore_tph),
        "water_balance_rel_err": safe_div(np.abs(gap), ore_water + fresh),
    }

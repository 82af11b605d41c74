"""Utility power no unit model reports: agitation of leach tanks and slurry pumping.

- Agitation: each agitated tank's drive, ``AGITATION_KW_M3`` x tank volume (the sizing
  of ``oreflow.solvers.equipment``) [assumed specific power].
- Pumping: the feed of every unit whose type declares a pump (``UnitType.pumping``:
  hydrocyclone feed at the cyclone's operating pressure, 69 kPa unless reported, plus a
  static head of 20 m; tailings disposal, 30 m of head), at a slurry pump efficiency
  of 0.60; ``P = Q dP / eta`` with ``dP = p + rho_pulp g H`` [assumed heads and
  efficiency: site figures; slurry pumps run at 50-75 %].

Oxygen-plant power is inside the oxygen price (``oxygen_usd_t``); steam is priced on
the units' heating duty; mill, flotation and filter power are the units' own.
"""

from __future__ import annotations

import numpy as np

from oreflow.kernels.arrays import safe_div
from oreflow.solvers.equipment import Equipment, unit_equipment
from oreflow.solvers.simulate import Simulation
from oreflow.units.base import solids_volume_m3_h, total_solids, water

#: Slurry pump efficiency [-] [assumed].
PUMP_EFFICIENCY = 0.60
_G = 9.81


def pump_kw(
    sim: Simulation, unit: str, pressure_kpa: np.ndarray | float, head_m: float
) -> np.ndarray:
    """Power to pump a unit's feed slurry against ``pressure_kpa`` plus ``head_m`` [kW]."""
    comps = sim.plant.spec.comps
    spec = next(u for u in sim.plant.spec.units if u.name == unit)
    x = sum(sim.streams[s] for s in spec.inlets.values())
    q = solids_volume_m3_h(comps, x) + water(comps, x)
    mass = total_solids(comps, x) + water(comps, x)
    rho = safe_div(mass, q, fill=1.0)
    dp = pressure_kpa + rho * _G * head_m
    return q / 3600.0 * dp / PUMP_EFFICIENCY


def unit_utility_kw(
    sim: Simulation, unit: str, items: list[Equipment] | None = None
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """A unit's agitation and feed-pumping power [kW], None for what it has not.

    Reads only the unit's report, inlets and parameters (``cost_lines``: once per block
    setting in a tabulation). ``items``: its equipment if sized already.
    """
    agitation = None
    for e in unit_equipment(sim, unit) if items is None else items:
        if e.item == "agitators":
            agitation = (
                np.zeros(sim.n_cases) if agitation is None else agitation
            ) + e.count * e.size
    pump = sim.plant.spec.unit_types[sim.plant.spec.unit(unit).type].pumping
    if pump is None or unit not in sim.units:
        return agitation, None
    dp = pump.pressure_kpa
    if pump.pressure_metric:
        dp = sim.units[unit].metrics.get(pump.pressure_metric, dp)
    return agitation, pump_kw(sim, unit, dp, pump.head_m)


def utility_power_kw(sim: Simulation) -> dict[str, np.ndarray]:
    """Agitation and pumping power by unit [kW] (units with none left out).

    Units with agitators first, then the pumped ones, each in the case's unit order; a
    unit whose figures the simulation carries (``Simulation.unit_costs``) is not sized
    again.
    """
    cached = sim.unit_costs or {}
    parts = [
        cached[u.name].utility_kw if u.name in cached else unit_utility_kw(sim, u.name)
        for u in sim.plant.spec.units
    ]
    names = [u.name for u in sim.plant.spec.units]
    out: dict[str, np.ndarray] = {}
    for name, (agitation, _) in zip(names, parts, strict=True):
        if agitation is not None:
            out[name] = agitation
    for name, (_, pump) in zip(names, parts, strict=True):
        if pump is not None:
            out[name] = out.get(name, np.zeros(sim.n_cases)) + pump
    return out

"""Warnings where a heated unit's feed temperature is below what runs upstream of it.

Streams carry no temperature: a unit that heats its pulp (CIL/CIP ``feed_temp_c``, the
thiosulfate and glycine leaches and the oxidation vessels ``feed_temperature_degc``)
is charged steam from its feed temperature parameter, 25 °C unless set
(``oreflow.units.slurry_heat``). Behind an autoclave, a warm leach or any unit with a
set temperature above that, the pulp arrives warmer and the steam is overstated. Where
a unit is charged heat (its set temperature above its feed temperature) and the nearest
unit with a set temperature upstream of it runs hotter than its feed temperature, the
run says so and names both units, so that the case sets the feed temperature (the
pulp's temperature after the flash, thickeners or filters between them is the case's to
judge) [assumed: a check on inputs, no model].
"""

from __future__ import annotations

import numpy as np

from oreflow.solvers.simulate import Simulation

#: A unit's feed temperature key and the set temperature it is heated to [°C].
FEED_KEYS = {"feed_temp_c": "temp_c", "feed_temperature_degc": "temperature_degc"}
#: Set temperatures of a unit's slurry [°C] (reference temperatures are not these).
SET_KEYS = ("temperature_degc", "temp_c")


def _value(sim: Simulation, node: str, key: str, case: int) -> float | None:
    params = sim.params.get(node, {})
    if key not in params:
        return None
    return float(np.broadcast_to(np.asarray(params[key], dtype=float), (sim.n_cases,))[case])


def _hotter_upstream(sim: Simulation, node: str, case: int) -> list[tuple[str, str, float]]:
    """The nearest units with a set temperature upstream of ``node``: (unit, key, °C)."""
    topo = sim.plant.topology
    seen, found = {node}, []
    todo = [s.src for s in topo.inlets_of(node)]
    while todo:
        src = todo.pop(0)
        if src in seen or src not in topo.nodes:
            continue
        seen.add(src)
        held = [(k, v) for k in SET_KEYS if (v := _value(sim, src, k, case)) is not None]
        if held:
            found.append((src, held[0][0], held[0][1]))
            continue  # its own temperature is what leaves it
        todo.extend(s.src for s in topo.inlets_of(src))
    return found


def feed_temperature_warnings(sim: Simulation, case: int = 0) -> list[str]:
    """One line per heated unit fed from a unit that runs hotter than its feed temperature."""
    lines = []
    for u in sim.plant.spec.units:
        for feed_key, set_key in FEED_KEYS.items():
            feed, held = _value(sim, u.name, feed_key, case), _value(sim, u.name, set_key, case)
            if feed is None or held is None or held <= feed:
                continue
            for src, key, hot in _hotter_upstream(sim, u.name, case):
                if hot > feed:
                    lines.append(
                        f"units.{u.name}: heated from {feed_key} = {feed:g} °C to "
                        f"{set_key} = {held:g} °C, but upstream units.{src} runs at "
                        f"{key} = {hot:g} °C; streams carry no temperature, so set "
                        f"units.{u.name}.{feed_key} to the pulp's temperature on arrival "
                        "(the steam charged is overstated otherwise)"
                    )
    return lines

"""Utility power of compressed air, crushing and conveying, charged to the units it serves.

Each is off unless the case states what it needs (``[economics]``), so a case priced
before keeps its figures:

- **Flotation air** (``flotation_air_jg_cm_s`` > 0, forced-air cells; 0 = self-aspirating
  cells or air not charged): each flotation cell's air flow is the superficial gas
  velocity Jg times the cell's cross-section, the cell taken as tall as it is wide
  (``A = pi/4 D^2``, ``V = pi/4 D^3``) [assumed geometry]; the blower's shaft power is
  the adiabatic compression of an ideal gas from ``P1`` to ``P1 + blower_pressure_kpa``,
  ``P = k/(k-1) P1 Q ((P2/P1)^((k-1)/k) - 1) / eta``, k = 1.4 (air), eta = 0.70
  [assumed blower efficiency], charged to the flotation unit.
- **Crushing** (``crusher_feed_f80_mm`` > 0, the run-of-mine F80 the crushing plant
  takes): Bond's law from that size to each ore's own 80 % passing size (the feed the
  plant is given), ``W = 10 Wi (1/sqrt(P80) - 1/sqrt(F80))`` kWh/t with the ore's
  ``wi_kwh_t`` (Bond 1952, Trans. AIME 193:484; the ball-mill index standing for the
  crushing index [assumed]), times the ore's rate, charged to the unit the ore enters.
- **Conveying** (``conveyor_length_m`` or ``conveyor_lift_m`` > 0): the ore's tonnage
  lifted ``H`` and carried ``L`` against an equivalent friction coefficient of 0.03
  (belt conveyors: the lift plus about 3 % of the length [assumed]),
  ``P = Q g (H + 0.03 L) / 3600 / eta`` kW with Q in t/h, drive efficiency 0.90
  [assumed], charged to the unit the ore enters.

The power is priced at ``electricity_usd_kwh`` with the agitation and pumping
(``oreflow.solvers.utilities``) in ``cost_utilities_usd_h``.
"""

from __future__ import annotations

import numpy as np

from oreflow.kernels.sparging import adiabatic_blower_kw
from oreflow.solvers.equipment import equipment
from oreflow.solvers.simulate import Simulation
from oreflow.solvers.unit_figures import passing_size_um

#: Blower efficiency [-] [assumed].
BLOWER_EFFICIENCY = 0.70
#: Equivalent friction coefficient of a belt conveyor [-] [assumed].
CONVEYOR_FRICTION = 0.03
#: Conveyor drive efficiency [-] [assumed].
CONVEYOR_EFFICIENCY = 0.90
_G = 9.81

#: The kinds of power this module charges, in reporting order.
KINDS = ("air", "crushing", "conveying")


def blower_kw(air_m3_h: np.ndarray | float, delta_kpa: float) -> np.ndarray:
    """Shaft power of an adiabatic blower [kW] for ``air_m3_h`` at intake conditions.

    Examples
    --------
    >>> round(float(blower_kw(3600.0, 40.0)), 2)  # 1 m³/s raised by 40 kPa
    50.53
    """
    q_m3_s = np.asarray(air_m3_h, dtype=np.float64) / 3600.0
    return adiabatic_blower_kw(q_m3_s, delta_kpa, BLOWER_EFFICIENCY)


def cell_air_m3_h(volume_m3: np.ndarray | float, jg_cm_s: float) -> np.ndarray:
    """Air to one flotation cell [m³/h]: Jg times the cell's cross-section.

    The cell is a cylinder as tall as it is wide.

    Examples
    --------
    >>> round(float(cell_air_m3_h(100.0, 1.5)), 1)  # D = 5.03 m, A = 19.9 m²
    1073.4
    """
    v = np.maximum(np.asarray(volume_m3, dtype=np.float64), 0.0)
    area = np.pi / 4.0 * (4.0 * v / np.pi) ** (2.0 / 3.0)
    return jg_cm_s / 100.0 * area * 3600.0


def bond_kwh_t(wi_kwh_t: np.ndarray | float, f80_um: float, p80_um: np.ndarray) -> np.ndarray:
    """Bond's specific energy from ``f80_um`` to ``p80_um`` [kWh/t]; zero when no finer."""
    p = np.maximum(np.asarray(p80_um, dtype=np.float64), 1e-9)
    w = 10.0 * np.asarray(wi_kwh_t, dtype=np.float64) * (1.0 / np.sqrt(p) - 1.0 / np.sqrt(f80_um))
    return np.maximum(w, 0.0)


def conveying_kw(tph: np.ndarray | float, length_m: float, lift_m: float) -> np.ndarray:
    """Belt-conveyor drive power [kW] for ``tph`` over ``length_m`` and up ``lift_m``.

    Examples
    --------
    >>> round(float(conveying_kw(367.0, 0.0, 10.0)), 2)  # 367 t/h up 10 m: 10 kW at the belt
    11.11
    """
    t = np.asarray(tph, dtype=np.float64)
    return t * _G * (lift_m + CONVEYOR_FRICTION * length_m) / 3600.0 / CONVEYOR_EFFICIENCY


def _entered(sim: Simulation, ore: str) -> str:
    """The unit an ore source's stream enters."""
    out = sim.plant.topology.outlets_of(ore)
    return out[0].dst if out else ore


def bulk_utility_kw(sim: Simulation) -> dict[str, dict[str, np.ndarray]]:
    """Per kind (``KINDS``), the power charged to each unit [kW]; empty kinds left out."""
    econ = sim.plant.spec.economics
    if econ is None:
        return {}
    p = econ.params
    n = sim.n_cases
    out: dict[str, dict[str, np.ndarray]] = {}

    def add(kind: str, unit: str, kw: np.ndarray) -> None:
        per = out.setdefault(kind, {})
        per[unit] = per.get(unit, np.zeros(n)) + kw

    jg = float(p["flotation_air_jg_cm_s"])
    if jg > 0:
        for e in equipment(sim):
            if e.item == "cells":
                air = e.count * cell_air_m3_h(e.size, jg)
                add("air", e.unit, blower_kw(air, float(p["blower_pressure_kpa"])))
    f80_mm = float(p["crusher_feed_f80_mm"])
    length, lift = float(p["conveyor_length_m"]), float(p["conveyor_lift_m"])
    comps = sim.plant.spec.comps
    for ore in sim.plant.spec.ores:
        rate = np.asarray(sim.params[ore.name]["rate_tph"], dtype=np.float64)
        unit = _entered(sim, ore.name)
        if f80_mm > 0:
            p80 = passing_size_um(comps, sim.streams[ore.name], 0.8)
            wi = sim.params[ore.name]["wi_kwh_t"]
            add("crushing", unit, bond_kwh_t(wi, 1000.0 * f80_mm, p80) * rate)
        if length > 0 or lift > 0:
            add("conveying", unit, conveying_kw(rate, length, lift))
    return out

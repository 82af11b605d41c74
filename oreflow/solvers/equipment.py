"""Equipment sizing from simulated flows, and each item's default cost curve.

Every unit type that stands for equipment declares how it is sized (``UnitType.sizing``,
one of the kinds of ``oreflow.units.base.SIZING_KINDS``, each sized by ``SIZERS`` here)
and is sized from its report and streams (per case), and each piece of equipment is costed on a default curve
(``oreflow.core.cost_curves``) when the case gives none of its own:

- tumbling mills (ball, SAG): drawn power; stirred mills (regrind, ultrafine): the same;
- hydrocyclones: diameter from the cut size by Arterburn's relation (Arterburn 1982,
  "The sizing and selection of hydrocyclones", in *Design and Installation of
  Comminution Circuits*, SME, ch. 32): ``d50c = 2.84 D^0.66 C1 C2 C3`` with D in cm,
  ``C1 = ((53 - V)/53)^-1.43`` (V: feed solids, % by volume), ``C2 = 3.27 dP^-0.28``
  (dP in kPa), ``C3 = (1.65/(rho_s - rho_l))^0.5``; count from the feed flow and a
  capacity ``q = 0.0094 D^2 sqrt(dP)`` m³/h per cyclone [assumed: scaled so a 66 cm
  (26 in) cyclone passes about 340 m³/h at 69 kPa, within Arterburn's capacity chart as
  recalled, not checked]; operating pressure 69 kPa (Arterburn's base, 10 psi) unless
  the unit reports one;
- thickeners and CCD stages: settling area = installed ``area_m2`` or feed solids x a
  unit area of 0.06 m²/(t/d), the middle of the high-rate range 0.02-0.1 (Concha 2014,
  *Solid-Liquid Separation in the Mining Industry*, ch. 8); each CCD stage takes the
  same area;
- filters: area = cake solids / a filtration rate of 400 kg/(m² h) [assumed: vacuum
  filtration of leach residue], in drums of at most 180 m² (the curve's range);
- agitated leach, adsorption and detox tanks: cone-roof tanks of the unit's tank
  volume, each with an agitator drive of ``0.08 kW/m³`` x tank volume [assumed:
  moderate solids suspension], or the unit's own ``agitation_kw_m3`` (CIL, CIP), costed
  as an electric motor;
- flotation banks: ``n_cells`` cells of the bank's volume;
- autoclaves: working volume; oxygen plant: t/d of O2; steam boiler: steam for
  ``steam_heating_kw`` at a latent heat of 1,841 kJ/kg (saturated steam at 2.5 MPa,
  IAPWS-IF97 steam tables);
- carbon elution, regeneration and electrowinning: t/d of carbon eluted (an
  ``elution`` unit, else the carbon advanced by each CIL/CIP);
- screens, sorters, gravity concentrators: t/h of solids fed; smelting: kg/h of doré.

Units with no equipment of their own (mixers, splitters, products, tailings, vents,
haulage, neutralisation and electrowinning reported elsewhere) declare no sizing and
cost nothing here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from oreflow.core.cost_curves import CURVES, CostCurve
from oreflow.core.cost_index import CEPCI
from oreflow.kernels.arrays import safe_div
from oreflow.solvers.simulate import Simulation
from oreflow.units.base import Sizing, solids_volume_m3_h, total_solids, water
from oreflow.units.cyclone import CYCLONE_DP_KPA

#: Hydrocyclone capacity coefficient [m³/h per cm² per kPa^0.5] [assumed].
CYCLONE_Q_COEF = 0.0094
#: High-rate thickener unit area [m²/(t/d)] (Concha 2014 ch. 8: 0.02-0.1).
THICKENER_UNIT_AREA = 0.06
#: Vacuum filtration rate of leach residue [kg/(m² h)] [assumed].
FILTER_RATE_KG_M2_H = 400.0
#: Agitator power per m³ of tank [kW/m³] [assumed].
AGITATION_KW_M3 = 0.08
#: Latent heat of saturated steam at 2.5 MPa [kJ/kg] (IAPWS-IF97).
STEAM_LATENT_KJ_KG = 1841.0


@dataclass(frozen=True)
class Equipment:
    """One kind of equipment of a unit: ``count`` items of ``size`` each, per case."""

    unit: str
    item: str
    curve: CostCurve
    count: np.ndarray
    size: np.ndarray  # of one item, in ``curve.size_unit``
    basis: str
    scales: bool = True  # the item's size grows with throughput (else its count, or nothing)

    def purchased_usd(self, cost_year: int) -> np.ndarray:
        """Purchased cost of all items in ``cost_year`` money [USD] (CEPCI ratio)."""
        return self.count * self.curve.cost_usd(self.size) * CEPCI[cost_year] / self.curve.cepci

    def scaling_usd(self, cost_year: int) -> np.ndarray:
        """The purchased cost's derivative by the log of throughput at fixed settings [USD].

        Every flow, and so the size of an item sized on one, is proportional to the
        throughput at fixed intensive settings: ``d/d ln Q`` of ``count (a + b S^n)`` is
        ``count n b S^n`` at a fixed count (``CostCurve.log_slope_usd``) (a step in count, a cyclone more, is not a
        derivative). An item whose size does not grow (a cyclone's diameter, an
        installed thickener area) has none.
        """
        if not self.scales:
            return np.zeros(np.shape(self.size))
        c = self.curve
        return self.count * c.log_slope_usd(self.size) * CEPCI[cost_year] / c.cepci

    def take(self, idx: np.ndarray) -> Equipment:
        """The items of cases (rows) ``idx``."""
        return dataclasses.replace(self, count=self.count[idx], size=self.size[idx])

    def outside(self) -> np.ndarray:
        """Cases whose item size lies outside the curve's range (and is not zero)."""
        s = self.size
        return (self.count > 0) & ((s < self.curve.s_lo) | (s > self.curve.s_hi))


def _arr(sim: Simulation, v: object) -> np.ndarray:
    return np.broadcast_to(np.asarray(v, dtype=np.float64), (sim.n_cases,)).copy()


def _feed(sim: Simulation, unit: str) -> np.ndarray:
    """Sum of a unit's inlet streams (n_cases, n_comp) [t/h]."""
    spec = next(u for u in sim.plant.spec.units if u.name == unit)
    return sum(sim.streams[s] for s in spec.inlets.values())


def _one(sim: Simulation, unit: str, item: str, curve: str, size: object, basis: str) -> Equipment:
    """One item, there only in the cases where its size is above zero."""
    s = _arr(sim, size)
    return Equipment(unit, item, CURVES[curve], (s > 0).astype(np.float64), s, basis)


def _count(sim: Simulation, unit: str, name: str, default: float) -> float:
    """A structural count of a unit (``n_tanks``, ``n_cells``, ``n_stages``) from its spec."""
    spec = next(u for u in sim.plant.spec.units if u.name == unit)
    v = spec.params.get(name)
    if v is None:
        v = np.asarray(sim.params[unit].get(name, default)).ravel()[0]
    return float(v)


def _metric(sim: Simulation, unit: str, name: str) -> np.ndarray:
    return _arr(sim, sim.units[unit].metrics.get(name, 0.0))


def _by_metric(sim: Simulation, unit: str, how: Sizing) -> list[Equipment]:
    return [_one(sim, unit, how.item, how.curve, _metric(sim, unit, how.metric), how.basis)]


def cyclone_sizing(sim: Simulation, unit: str) -> dict[str, np.ndarray]:
    """Diameter [cm], count and feed flow [m³/h] of a hydrocyclone cluster (Arterburn 1982)."""
    comps = sim.plant.spec.comps
    x = _feed(sim, unit)
    v_s = solids_volume_m3_h(comps, x)
    q = v_s + water(comps, x)
    vol_pct = 100.0 * safe_div(v_s, q)
    rho_s = safe_div(total_solids(comps, x), v_s, fill=2.7)
    dp = _arr(sim, sim.units[unit].metrics.get("pressure_kpa", CYCLONE_DP_KPA))
    c1 = ((53.0 - np.minimum(vol_pct, 50.0)) / 53.0) ** -1.43
    c2 = 3.27 * dp**-0.28
    c3 = np.sqrt(1.65 / np.maximum(rho_s - 1.0, 0.1))
    d50c = _arr(sim, sim.params[unit].get("d50c_um", 0.0))
    d_cm = (d50c / (c1 * c2 * c3) / 2.84) ** (1.0 / 0.66)
    per = CYCLONE_Q_COEF * d_cm**2 * np.sqrt(dp)
    count = np.where(q > 0, np.ceil(safe_div(q, per)), 0.0)
    return {"cyclone_diameter_cm": d_cm, "cyclone_count": count, "cyclone_feed_m3_h": q}


def _cyclone(sim: Simulation, unit: str, how: Sizing) -> list[Equipment]:
    s = cyclone_sizing(sim, unit)
    basis = "Arterburn 1982 diameter from d50c; count from feed flow"
    return [
        Equipment(
            unit,
            "cyclones",
            CURVES["hydrocyclone"],
            s["cyclone_count"],
            s["cyclone_diameter_cm"],
            basis,
            scales=False,  # the diameter follows the cut size; the count the flow
        )
    ]


def thickener_area_m2(sim: Simulation, unit: str) -> np.ndarray:
    """Settling area: installed, else feed solids x 0.06 m²/(t/d) (Concha 2014)."""
    given = sim.params[unit].get("area_m2")
    if given is not None and np.all(np.isfinite(given)):
        return _arr(sim, given)
    solids_t_d = 24.0 * total_solids(sim.plant.spec.comps, _feed(sim, unit))
    return solids_t_d * THICKENER_UNIT_AREA


def _thickener(sim: Simulation, unit: str, how: Sizing) -> list[Equipment]:
    area = thickener_area_m2(sim, unit)
    stages = _count(sim, unit, "n_stages", 1.0)
    given = sim.params[unit].get("area_m2")
    installed = given is not None and bool(np.all(np.isfinite(given)))
    return [
        Equipment(
            unit,
            "thickeners",
            CURVES["thickener"],
            _arr(sim, stages),
            area,
            "settling area from unit area",
            scales=not installed,
        )
    ]


def _filter(sim: Simulation, unit: str, how: Sizing) -> list[Equipment]:
    area = _metric(sim, unit, "cake_solids_tph") * 1000.0 / FILTER_RATE_KG_M2_H
    curve = CURVES["vacuum_drum_filter"]
    count = np.where(area > 0, np.ceil(area / curve.s_hi), 0.0)
    each = safe_div(area, count)
    return [Equipment(unit, "filters", curve, count, each, "area from filtration rate")]


def _tanks(sim: Simulation, unit: str, how: Sizing) -> list[Equipment]:
    v = _metric(sim, unit, how.metric or "tank_volume_m3")
    # a unit that sets its agitation (CIL/CIP: it drives the carbon film transfer) says so
    kw_m3 = _arr(sim, sim.units[unit].metrics.get("agitation_kw_m3", AGITATION_KW_M3))
    n = _arr(sim, _count(sim, unit, "n_tanks", 1.0))
    if how.extra_count:
        n = n + _count(sim, unit, how.extra_count, 0.0)
    return [
        Equipment(unit, "tanks", CURVES["cone_roof_tank"], n, v, "tank volume"),
        Equipment(
            unit,
            "agitators",
            CURVES["electric_motor"],
            n,
            v * kw_m3,
            "agitator drive from tank volume",
        ),
    ]


def _carbon_tanks(sim: Simulation, unit: str, how: Sizing) -> list[Equipment]:
    out = _tanks(sim, unit, how)
    types = sim.plant.spec.unit_types
    if not any(_elutes(types[u.type].sizing) for u in sim.plant.spec.units):
        out.append(
            _one(
                sim,
                unit,
                "elution_ew",
                "elution_ew",
                _metric(sim, unit, "carbon_advance_t_d"),
                "carbon advanced to elution",
            )
        )
    return out


def _elutes(how: Sizing | None) -> bool:
    """Whether a unit so sized is the plant's elution plant."""
    return how is not None and how.item == "elution_ew"


def _flotation(sim: Simulation, unit: str, how: Sizing) -> list[Equipment]:
    n = _count(sim, unit, "n_cells", 1.0)
    v = _metric(sim, unit, "volume_m3") / n
    return [Equipment(unit, "cells", CURVES["flotation_cell"], _arr(sim, n), v, "bank volume")]


def _pox(sim: Simulation, unit: str, how: Sizing) -> list[Equipment]:
    steam_kg_h = _metric(sim, unit, "steam_heating_kw") * 3600.0 / STEAM_LATENT_KJ_KG
    return [
        _one(
            sim,
            unit,
            "autoclave",
            "autoclave_lined",
            _metric(sim, unit, "working_volume_m3"),
            "working volume",
        ),
        _one(
            sim,
            unit,
            "oxygen_plant",
            "oxygen_plant",
            _metric(sim, unit, "oxygen_plant_t_d"),
            "O2 t/d",
        ),
        _one(sim, unit, "boiler", "packaged_boiler", steam_kg_h, "steam for heating"),
    ]


def _by_feed(sim: Simulation, unit: str, how: Sizing) -> list[Equipment]:
    tph = total_solids(sim.plant.spec.comps, _feed(sim, unit))
    return [_one(sim, unit, how.curve, how.curve, tph, "solids fed")]


Sizer = Callable[[Simulation, str, Sizing], list[Equipment]]

#: The sizing of each kind a unit type may declare (``UnitType.sizing``).
SIZERS: dict[str, Sizer] = {
    "metric": _by_metric,
    "feed": _by_feed,
    "tanks": _tanks,
    "carbon_tanks": _carbon_tanks,
    "cyclone": _cyclone,
    "thickener": _thickener,
    "filter": _filter,
    "flotation": _flotation,
    "autoclave": _pox,
}


def equipment(sim: Simulation, skip: frozenset[str] = frozenset()) -> list[Equipment]:
    """Every sized item of a simulation, units in ``skip`` left out.

    A unit whose items the simulation carries (``Simulation.unit_costs``, sized once
    per block setting by a tabulation) is not sized again.
    """
    cached = sim.unit_costs or {}
    out: list[Equipment] = []
    for u in sim.plant.spec.units:
        if u.name in skip:
            continue
        got = cached.get(u.name)
        out.extend(got.equipment if got is not None else unit_equipment(sim, u.name))
    return out


def unit_equipment(sim: Simulation, unit: str) -> list[Equipment]:
    """The sized items of one unit (none if it is not simulated or declares no sizing)."""
    spec = sim.plant.spec
    how = spec.unit_types[spec.unit(unit).type].sizing
    if how is None or unit not in sim.units:
        return []
    return SIZERS[how.kind](sim, unit, how)


def sizing_figures(sim: Simulation, unit: str) -> dict[str, np.ndarray]:
    """A unit's equipment figures by name (``cyclone_count``, ``settling_area_m2``, ...)."""
    spec = next((u for u in sim.plant.spec.units if u.name == unit), None)
    if spec is None or unit not in sim.units:
        return {}
    how = sim.plant.spec.unit_types[spec.type].sizing
    if how is None:
        return {}
    if how.kind == "cyclone":
        return cyclone_sizing(sim, unit)
    out = {}
    for e in SIZERS[how.kind](sim, unit, how):
        out[f"{e.item}_count"] = e.count
        out[f"{e.item}_size_{_unit_tag(e.curve.size_unit)}"] = e.size
    return out


def _unit_tag(unit: str) -> str:
    return unit.replace("/", "_").lower()

"""Default purchased-equipment cost curves ``cost = a + b S^n`` with their source and range.

Published curves
    Towler & Sinnott (2013), *Chemical Engineering Design*, 2nd ed.,
    Butterworth-Heinemann, Table 7.2 "Purchased equipment cost for common plant
    equipment": carbon-steel equipment, US Gulf Coast basis, January 2010
    (CEPCI 532.9). The book itself was not at hand: each coefficient below was checked
    against an independent open-source reproduction of that table (two, where marked
    "checked twice"); none was typed from memory. ``s_lo .. s_hi`` is the table's range;
    a size outside it is costed with a warning (``oreflow.solvers.capital``).

Assumed curves
    No published cost curve for grinding mills, hydrocyclones, thickeners, flotation
    cells, oxygen plants or carbon elution and electrowinning could be checked (Mular &
    Poulin 1998, *CAPCOSTS*, CIM Special Volume 47, has them but was not available).
    These curves are marked ``assumed``: orders of magnitude for a class 5 estimate
    (AACE 18R-97), to be replaced by the case's own ``[economics.capital.items]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

TOWLER_2013 = (
    "Towler & Sinnott 2013, Chemical Engineering Design 2nd ed., Table 7.2 "
    "(US Gulf Coast, Jan 2010, CEPCI 532.9)"
)
#: Exponent of the capacity rule below a curve's range (Williams 1947, the six-tenths rule).
SIX_TENTHS = 0.6
#: CEPCI of the Towler & Sinnott table's basis (January 2010, not the 2010 average).
TOWLER_2013_CEPCI = 532.9


@dataclass(frozen=True)
class CostCurve:
    """One purchased-cost curve ``a + b S^n`` [USD of its basis], S in ``size_unit``."""

    name: str
    size_unit: str
    a: float
    b: float
    n: float
    s_lo: float
    s_hi: float
    cepci: float  # index value of the curve's money
    source: str
    assumed: bool = False

    def cost_usd(self, size: np.ndarray | float) -> np.ndarray:
        """Purchased cost of one item of size ``size`` in the curve's money [USD].

        A size of zero (the unit is not there, or carries nothing) costs nothing. Below
        the curve's range the cost is scaled down from its value at ``s_lo`` by the
        six-tenths rule (Williams 1947, Chem. Eng. 54(12):124; Towler & Sinnott 2013
        §7.3.2), not read off ``a + b S^n``: with a negative ``a`` (the motor and the
        drum filter of Table 7.2) that form falls below zero for small items (a drum
        filter of 0.4 m² cost -2,600 USD).
        """
        s = np.maximum(np.asarray(size, dtype=np.float64), 0.0)
        at_lo = self.a + self.b * self.s_lo**self.n
        below = at_lo * (s / self.s_lo) ** SIX_TENTHS
        inside = self.a + self.b * s**self.n
        return np.where(s > 0.0, np.where(s < self.s_lo, below, inside), 0.0)

    def log_slope_usd(self, size: np.ndarray | float) -> np.ndarray:
        """``d cost / d ln S`` of one item [USD of the curve's money] (``cost_usd``)."""
        s = np.maximum(np.asarray(size, dtype=np.float64), 0.0)
        inside = self.n * self.b * s**self.n
        below = SIX_TENTHS * self.cost_usd(s)
        return np.where(s > 0.0, np.where(s < self.s_lo, below, inside), 0.0)


def _towler(name: str, unit: str, a: float, b: float, n: float, lo: float, hi: float) -> CostCurve:
    return CostCurve(name, unit, a, b, n, lo, hi, TOWLER_2013_CEPCI, TOWLER_2013)


#: Towler & Sinnott 2013 Table 7.2 curves used by oreflow's unit types.
PUBLISHED: MappingProxyType[str, CostCurve] = MappingProxyType(
    {
        # checked twice
        "centrifugal_pump": _towler("centrifugal_pump", "L/s", 8000.0, 240.0, 0.9, 0.2, 126.0),
        # checked twice (explosion-proof motor: the agitator and conveyor drives here)
        "electric_motor": _towler("electric_motor", "kW", -1100.0, 2100.0, 0.6, 1.0, 2500.0),
        "cone_roof_tank": _towler("cone_roof_tank", "m3", 5800.0, 1600.0, 0.7, 10.0, 4000.0),
        "vacuum_drum_filter": _towler(
            "vacuum_drum_filter", "m2", -73000.0, 93000.0, 0.3, 10.0, 180.0
        ),
        # checked twice
        "jacketed_agitated_reactor": _towler(
            "jacketed_agitated_reactor", "m3", 61500.0, 32500.0, 0.8, 0.5, 100.0
        ),
        "blower": _towler("blower", "m3/h", 4450.0, 57.0, 0.8, 200.0, 5000.0),
        "centrifugal_compressor": _towler(
            "centrifugal_compressor", "kW", 580000.0, 20000.0, 0.6, 75.0, 30000.0
        ),
        "packaged_boiler": _towler(
            "packaged_boiler", "kg/h", 124000.0, 10.0, 1.0, 5000.0, 200000.0
        ),
        "vertical_pressure_vessel_cs": _towler(
            "vertical_pressure_vessel_cs", "kg", 11600.0, 34.0, 0.85, 160.0, 250000.0
        ),
        "horizontal_pressure_vessel_cs": _towler(
            "horizontal_pressure_vessel_cs", "kg", 10200.0, 31.0, 0.85, 160.0, 50000.0
        ),
    }
)

#: CEPCI 2023 annual average (``oreflow.core.cost_index``): the money of the assumed curves.
_CEPCI_2023 = 797.9


def _assumed(name: str, unit: str, b: float, n: float, lo: float, hi: float, why: str) -> CostCurve:
    return CostCurve(name, unit, 0.0, b, n, lo, hi, _CEPCI_2023, f"[assumed] {why}", True)


#: Curves for mineral-processing equipment no checked source gave (2023 USD) [assumed].
ASSUMED: MappingProxyType[str, CostCurve] = MappingProxyType(
    {
        "grinding_mill": _assumed(
            "grinding_mill",
            "kW",
            6000.0,
            0.85,
            100.0,
            30000.0,
            "tumbling mill with motor and drive by drawn power: about 6 M USD for a 3.4 MW "
            "ball mill",
        ),
        "stirred_mill": _assumed(
            "stirred_mill",
            "kW",
            12000.0,
            0.85,
            50.0,
            5000.0,
            "stirred (regrind, ultrafine) mill by drawn power",
        ),
        "hydrocyclone": _assumed(
            "hydrocyclone",
            "cm",
            450.0,
            1.2,
            10.0,
            100.0,
            "one lined hydrocyclone by diameter, cluster share included",
        ),
        "thickener": _assumed(
            "thickener",
            "m2",
            16000.0,
            0.7,
            5.0,
            8000.0,
            "high-rate thickener with drive and rakes by settling area",
        ),
        "flotation_cell": _assumed(
            "flotation_cell",
            "m3",
            25000.0,
            0.7,
            1.0,
            600.0,
            "mechanical flotation cell with mechanism by cell volume",
        ),
        "oxygen_plant": _assumed(
            "oxygen_plant",
            "t/d",
            250000.0,
            0.7,
            20.0,
            4000.0,
            "cryogenic or VPSA oxygen plant by t/d of O2",
        ),
        "elution_ew": _assumed(
            "elution_ew",
            "t/d",
            1500000.0,
            0.6,
            0.5,
            40.0,
            "carbon elution, regeneration kiln and electrowinning by t/d of carbon eluted",
        ),
        "autoclave_lined": _assumed(
            "autoclave_lined",
            "m3",
            90000.0,
            0.75,
            5.0,
            2000.0,
            "brick-lined, titanium-agitated autoclave by working volume",
        ),
        "screen": _assumed(
            "screen", "t/h", 2500.0, 0.7, 5.0, 5000.0, "vibrating or trommel screen by feed"
        ),
        "ore_sorter": _assumed(
            "ore_sorter", "t/h", 40000.0, 0.7, 5.0, 500.0, "sensor-based ore sorter by feed"
        ),
        "gravity_concentrator": _assumed(
            "gravity_concentrator",
            "t/h",
            9000.0,
            0.6,
            1.0,
            1000.0,
            "centrifugal gravity concentrator by feed",
        ),
        "fluid_bed_roaster": _assumed(
            "fluid_bed_roaster",
            "t/h",
            4.42e6,
            0.6,
            2.0,
            600.0,
            "two-stage fluid-bed roaster with gas cleaning and acid plant by solids fed, "
            "exponent 0.6; b from Barrick Goldstrike's 330 M USD installed in 2001 for "
            "12,000 t/d (500 t/h; CIM 2001, 'Engineering and construction of the "
            "Goldstrike roaster facility', abstract: a whole-ore plant with dry grinding "
            "and leach), escalated by CEPCI 394.3 -> 797.9 and divided by the Lang factor "
            "3.63 to a purchased cost",
        ),
        "smelting_furnace": _assumed(
            "smelting_furnace",
            "kg/h",
            150000.0,
            0.5,
            0.05,
            500.0,
            "induction furnace for dore by charge rate",
        ),
    }
)

CURVES: MappingProxyType[str, CostCurve] = MappingProxyType({**PUBLISHED, **ASSUMED})

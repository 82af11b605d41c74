"""The reference superstructure of the optimizer benchmark: more than 100,000 route-and-mode
combinations of the refractory route-choice case.

``cases/refractory_route_choice.toml`` (12 routes: flotation or whole ore x acid POX,
ultrafine grinding or no oxidation x cyanide CIL or thiosulfate RIL) with its mode grids
widened over the ranges its units declare: grinding energy, flotation residence and
collector dose, POX temperature and residence, ultrafine P80, leach residence and
lixiviant strength, detox WAD target. Every value lies within the range of its
parameter (docs/models.md, checked by the case parser).
"""

from __future__ import annotations

import re
from pathlib import Path

from oreflow.flowsheet.case import CaseSpec, parse_case

ROOT = Path(__file__).resolve().parents[1]
BASE_CASE = ROOT / "cases" / "refractory_route_choice.toml"

MODES = {
    "units.mill.modes": {"specific_energy_kwh_t": [10.0, 12.0, 14.0, 16.0, 18.0]},
    "units.flotation.modes": {
        "residence_min": [16.0, 20.0, 24.0, 28.0],
        "pax_g_t": [60.0, 80.0, 100.0],
    },
    "units.pox.modes": {
        "temperature_degc": [190.0, 200.0, 210.0, 220.0, 230.0],
        "residence_min": [60.0, 75.0, 90.0, 105.0],
    },
    "units.pox.options.ultrafine.modes": {"p80_um": [10.0, 15.0, 20.0, 25.0]},
    "units.cil.modes": {
        "residence_h": [12.0, 16.0, 20.0, 24.0, 30.0, 36.0],
        "nacn_mg_l": [200.0, 300.0, 400.0],
    },
    "units.cil.options.thiosulfate.modes": {
        "residence_h": [16.0, 24.0, 32.0],
        "s2o3_mol_l": [0.05, 0.1, 0.15],
    },
    "units.detox.modes": {"wad_target_mg_l": [5.0, 10.0, 20.0]},
}


def superstructure_text(values_per_axis: int | None = None) -> str:
    """The route-choice case text with its mode tables replaced by the wide grids.

    ``values_per_axis`` keeps only the first values of every axis (the smoke run).
    """
    text = BASE_CASE.read_text(encoding="utf-8")
    # drop the case's own mode tables (a header and its key lines up to a blank line)
    text = re.sub(r"^\[units\.[\w.]+\.modes\]\n(?:[^\[\n].*\n)*", "", text, flags=re.M)
    tables = [
        f"[{key}]\n" + "".join(f"{p} = {values[:values_per_axis]}\n" for p, values in grid.items())
        for key, grid in MODES.items()
    ]
    return text + "\n" + "\n".join(tables)


def superstructure(values_per_axis: int | None = None) -> CaseSpec:
    """The reference superstructure as a validated case (smaller grids if asked)."""
    name = str(BASE_CASE.with_name("superstructure_100k.toml"))
    return parse_case(superstructure_text(values_per_axis), name)

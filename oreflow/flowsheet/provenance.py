"""Which unit parameters of a case rest on assumptions.

A parameter in effect is counted as assumed when either

- the case leaves it at its default and the default's declared source says "assumed", or
- the case sets it on a line whose comment says "assumed" (the convention of the shipped
  cases: ``kla_per_h = 30.0   # [assumed]``).

Parameters the model does not use in the case are left out: the orders of the power
rate law under another ``rate_model``, the isotherm and k-n constants of the carbon under
another ``adsorption_model``, the sparging figures under a DO set point, the
exposure share of a leach entry without ``grain_um``, and silver or copper figures of a
case without those metals in solution.

The count goes into the ``meta`` of every run so that a reader sees how much of a result
rests on assumed figures rather than test work or plant data.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

_SECTION = re.compile(r"^\s*\[([^\[\]]+)\]\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_]+)\s*=[^#]*(#.*)?$")


def _case_lines(text: str) -> dict[str, dict[str, str]]:
    """Section -> key -> comment ('' when none) of the case text."""
    out: dict[str, dict[str, str]] = {}
    section = ""
    for line in text.splitlines():
        m = _SECTION.match(line)
        if m:
            section = m.group(1).strip().replace('"', "")
            continue
        m = _KEY.match(line)
        if m:
            out.setdefault(section, {})[m.group(1)] = (m.group(2) or "").lower()
    return out


def _assumed(source: str) -> bool:
    return "assumed" in source.lower()


#: parameter -> (switch, values of the switch under which the parameter is used)
_CONDITIONAL = {
    "cn_order": ("rate_model", ("power",)),
    "do_order": ("rate_model", ("power",)),
    "kla_per_h": ("oxygen_supply", ("air", "oxygen")),
    "o2_demand_g_t_h": ("oxygen_supply", ("air", "oxygen")),
    "o2_pyrite_frac_h": ("oxygen_supply", ("air", "oxygen")),
    "o2_pyrrhotite_frac_h": ("oxygen_supply", ("air", "oxygen")),
    "o2_arsenopyrite_frac_h": ("oxygen_supply", ("air", "oxygen")),
    "locked_access_frac": ("grain_um", None),
    # gold rate laws of the carbon trains (oreflow.kernels.adsorption_forms)
    "freundlich_n": ("adsorption_model", ("freundlich", "kn")),
    "freundlich_ref_mg_l": ("adsorption_model", ("freundlich", "kn")),
    "kn_k": ("adsorption_model", ("kn",)),
    "kn_n": ("adsorption_model", ("kn",)),
    # mill power models (oreflow.units.mill_power_models): Bond/Rowland reads none of these
    "ore_density_t_m3": ("power_model", ("austin", "hogg_fuerstenau", "morrell")),
    "slurry_solids_frac": ("power_model", ("austin", "hogg_fuerstenau", "morrell")),
    "charge_porosity_frac": ("power_model", ("hogg_fuerstenau", "morrell")),
    "interstitial_slurry_frac": ("power_model", ("hogg_fuerstenau", "morrell")),
    "ball_density_t_m3": ("power_model", ("hogg_fuerstenau", "morrell")),
    "lift_angle_deg": ("power_model", ("hogg_fuerstenau",)),
    "drive_efficiency_frac": ("power_model", ("hogg_fuerstenau",)),
    "morrell_k_factor": ("power_model", ("morrell",)),
    "cone_length_m": ("power_model", ("morrell",)),
    "trunnion_diameter_m": ("power_model", ("morrell",)),
}


def _in_effect(name: str, params: Any, comps: Any) -> bool:
    for mineral in ("pyrite", "pyrrhotite", "arsenopyrite"):  # sulfide oxygen uptake
        if name == f"o2_{mineral}_frac_h" and not comps.has(mineral):
            return False
    if name in _CONDITIONAL:
        switch, values = _CONDITIONAL[name]
        if switch not in params:
            return True
        value = params.get(switch)
        return value is not None if values is None else value in values
    for metal in ("ag", "cu"):
        if (name.startswith(f"{metal}_") or f"_{metal}_" in name) and not comps.has(f"{metal}_aq"):
            return False
    return True


def assumed_parameters(spec: Any) -> list[str]:
    """Dotted keys (``units.cil.kla_per_h``) of the case's parameters that are assumed.

    Parameters
    ----------
    spec : CaseSpec
        A loaded case; its file is read again for the comments.
    """
    from oreflow.units import UNIT_TYPES

    try:
        written = _case_lines(Path(spec.path).read_text(encoding="utf-8"))
    except OSError:
        written = {}
    keys: list[str] = []
    for unit in spec.units:
        utype = UNIT_TYPES.get(unit.type)
        if utype is None:
            continue
        section = f"units.{unit.name}"
        given = written.get(section, {})
        for p in utype.params:
            if unit.params.get(p.name) is None or not _in_effect(p.name, unit.params, spec.comps):
                continue
            if (p.name in given and _assumed(given[p.name])) or (
                p.name not in given and _assumed(p.source)
            ):
                keys.append(f"{section}.{p.name}")
        for table, schema in utype.tables.items():
            for species, entry in unit.tables.get(table, {}).items():
                sub = f"{section}.{table}.{species}"
                given = written.get(sub, {})
                for p in schema.params:
                    if entry.get(p.name) is None or not _in_effect(p.name, entry, spec.comps):
                        continue
                    if (p.name in given and _assumed(given[p.name])) or (
                        p.name not in given and _assumed(p.source)
                    ):
                        keys.append(f"{sub}.{p.name}")
    return keys

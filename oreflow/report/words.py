"""Names in words: routes, settings, figures and their units, for people to read.

A route is stored as the option chosen at every position (``{"flotation": "none",
"pox": ""}``); a metallurgist reads "whole ore -> acid POX -> CIL". Units come from the
suffix of a figure's name (``residence_h``, ``p80_um``), the naming rule of the case files.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from oreflow.conventions import UNIT_OF_SUFFIX, unit_of

#: Stream figures every stream table shows (console and ``report.html``), in order.
STREAM_FIGURES = ("solids_tph", "water_tph", "solids_pct", "p80_um", "au_gpt", "au_g_h")

#: KPI families of the types that concentrate: their "none" option means the whole ore
#: goes on.
_CONCENTRATING = frozenset({"flotation", "gravity", "sorting"})


def sig(value: Any, digits: int = 4) -> str:
    """A number to ``digits`` significant figures (all integer digits), thousands separated; "-" for NaN.

    >>> sig(33287.7), sig(0.903126), sig(181.2), sig(float("nan")), sig(2.5e-7)
    ('33,288', '0.9031', '181.2', '-', '2.5e-07')
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(v):
        return "-" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    if v == 0.0:
        return "0"
    mag = math.floor(math.log10(abs(v)))
    if mag < -3 or mag >= 9:
        mantissa, exp = f"{v:.{digits - 1}e}".split("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{exp}"
    decimals = digits - 1 - mag
    if decimals <= 0:  # integer digits are never rounded away (33,288 not 33,290)
        return f"{v:,.0f}"
    return f"{v:,.{decimals}f}".rstrip("0").rstrip(".")


def _chosen(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value)
    return "" if text in ("as written", "nan") else text


def route_words(spec: Any, route: Mapping[str, Any]) -> str:
    """A route in words, in flowsheet order (``whole ore -> acid POX -> CIL``).

    Parameters
    ----------
    spec : CaseSpec or None
        The case whose positions the route chooses at; without it the options are listed.
    route : Mapping[str, Any]
        Position -> option name ("", "as written" or NaN: the unit as written).
    """
    if not route:
        return "as written"
    if spec is None:
        return ", ".join(f"{k} {_chosen(v) or 'as written'}" for k, v in route.items())
    words: list[str] = []
    concentrating = False
    for unit in spec.units:
        if unit.name not in route:
            continue
        option = _chosen(route[unit.name])
        chosen = unit.options.get(option, unit) if option else unit
        concentrator = not _CONCENTRATING.isdisjoint(spec.unit_types[unit.type].kpi_families)
        concentrating = concentrating or concentrator
        utype = spec.unit_types[chosen.type]
        if utype.bypass:
            if concentrator:
                words.append("whole ore")
            continue
        words.append(utype.route_word or chosen.type.replace("_", " "))
    if not concentrating and words and words[0] != "whole ore":
        words.insert(0, "whole ore")
    return " -> ".join(words) if words else "whole ore, no optional step"


def setting_text(key: str, value: float) -> str:
    """A decided setting with its unit (``units.pox.temperature_degc`` -> ``pox temperature 220 °C``)."""
    name = key.removeprefix("units.")
    unit = unit_of(name)
    base = name
    for suffix, u in UNIT_OF_SUFFIX:
        if u == unit and name.endswith(suffix):
            base = name[: -len(suffix)]
            break
    base = base.replace(".", " ").replace("_", " ")
    if unit == "-":
        return f"{base} {sig(value)}"
    return f"{base} {sig(value)} {unit}"


def figure_label(limit: str) -> str:
    """A limit's name for people (``constraints.max.units.pox.use_o2_kg_h`` -> ``max pox.use_o2_kg_h``)."""
    for prefix, word in (("constraints.max.", "max "), ("constraints.min.", "min ")):
        if limit.startswith(prefix):
            return word + limit.removeprefix(prefix).removeprefix("units.")
    if limit == "ore_tph_max":
        return "ore rate max"
    if limit == "ore_tph_min":
        return "ore rate min"
    return limit

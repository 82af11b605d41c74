"""What a case-file key means: its documentation, unit, range and default.

Used by ``oreflow validate`` to explain each problem and by ``oreflow new`` to comment a
case file written from a bundled one. The declarations are the same ``Param`` objects the
case reader validates against, so the help cannot disagree with the checks.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

from oreflow.core.schema import REQUIRED, Param
from oreflow.flowsheet.case import CASE_PARAMS, SIZE_PARAMS
from oreflow.flowsheet.economics import ECONOMICS_PARAMS
from oreflow.units import UNIT_TYPES
from oreflow.units.ore_feed import ORE_PARAMS, PSD_PARAMS


def _params_of(section: tuple[str, ...], raw: dict[str, Any]) -> tuple[Param, ...]:
    """The declared keys of a table (``("units", "mill")`` -> the ball mill's)."""
    if section == ("case",):
        return CASE_PARAMS
    if section == ("case", "sizes"):
        return SIZE_PARAMS
    if section == ("economics",):
        return ECONOMICS_PARAMS
    if len(section) == 2 and section[0] == "ore":
        return ORE_PARAMS
    if len(section) == 3 and section[0] == "ore" and section[2] == "psd":
        return PSD_PARAMS
    table: Any = raw
    for part in section:
        table = table.get(part, {}) if isinstance(table, dict) else {}
    if section and section[0] == "units" and isinstance(table, dict):
        utype = UNIT_TYPES.get(str(table.get("type", "")))
        if utype is not None and (len(section) == 2 or section[2] == "options"):
            return utype.params
    return ()


def describe(p: Param) -> str:
    """One line: meaning, unit, range, default and source of a key."""
    unit = f" [{p.unit}]" if p.unit and p.unit != "-" else ""
    default = "required" if p.default is REQUIRED else f"default {p.default!r}"
    return f"{p.doc}{unit}; range {p.range_text()}; {default}; source: {p.source}"


def key_help(key: str, raw: dict[str, Any]) -> str | None:
    """The help of a dotted key (``units.mill.residence_h``) of a parsed case, if declared."""
    parts = tuple(key.split("."))
    for cut in range(len(parts) - 1, 0, -1):
        params = _params_of(parts[:cut], raw)
        name = parts[cut]
        for p in params:
            if p.name == name:
                return f"{name}: {describe(p)}"
    return None


def explain(problem: Any) -> str | None:
    """The help of a problem's key, reading the problem's file again (None if unknown)."""
    if not problem.key:
        return None
    from oreflow.core.files import read_small_text

    try:  # the same guard as the case loader: never read /dev/zero or a huge file
        raw = tomllib.loads(read_small_text(problem.file))
    except (OSError, tomllib.TOMLDecodeError, ValueError):
        raw = {}
    return key_help(problem.key, raw) if problem.key else None


_HEADER = re.compile(r"^\s*\[([^\]]+)\]\s*(#.*)?$")
_KEYLINE = re.compile(r"^(\s*)([A-Za-z_][A-Za-z0-9_]*)(\s*=\s*)([^#]*?)\s*$")


def commented_case(text: str, name: str, template: str) -> str:
    """A case file's text renamed to ``name``, every uncommented key explained in a comment."""
    raw = tomllib.loads(text)
    out = [
        f"# {name}: a case started from oreflow's bundled {template!r}.",
        "# Edit the figures for your plant; every key is explained at its line (meaning,",
        "# unit, valid range, default, source). The whole format: cases/README.md in the",
        "# oreflow repository. Check it with: oreflow validate THIS_FILE",
        "",
    ]
    section: tuple[str, ...] = ()
    in_string = False  # inside a multi-line string: no keys, no comments
    for line in text.splitlines():
        opens = (line.count('"""') + line.count("'''")) % 2 == 1
        if in_string or opens:
            in_string = in_string != opens
            out.append(line)
            continue
        head = _HEADER.match(line)
        if head:
            section = tuple(s.strip().strip('"') for s in head.group(1).split("."))
            out.append(line)
            continue
        m = _KEYLINE.match(line)
        if section == ("case",) and m and m.group(2) == "name":
            out.append(f'name = "{name}"')
            continue
        if m and "#" not in line:
            p = next((q for q in _params_of(section, raw) if q.name == m.group(2)), None)
            if p is not None:
                unit = f" [{p.unit}]" if p.unit and p.unit != "-" else ""
                rng = p.range_text()
                out.append(f"{line}  # {p.doc}{unit}" + (f"; range {rng}" if rng != "any" else ""))
                continue
        out.append(line)
    return "\n".join(out) + "\n"

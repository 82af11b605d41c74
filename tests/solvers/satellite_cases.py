"""Small regional instances for the satellite shut-down tests (not a test module)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from oreflow.flowsheet.case import parse_case
from oreflow.flowsheet.optimization import ModeAxis

ROOT = Path(__file__).resolve().parents[2]
PATH = ROOT / "cases" / "regional_concentrate_centre.toml"
CASE = PATH.read_text(encoding="utf-8")
SATELLITES = ("north", "east", "south")


def without(text: str, sat: str) -> str:
    """The case text with satellite ``sat`` removed: its ore, units, bounds and prices."""
    out, drop = [], False
    for line in text.splitlines():
        header = re.match(r"^\[([^\]]+)\]", line)
        if header:
            name = header.group(1)
            drop = bool(
                re.match(rf"^(ore\.{sat}|constraints\.ore\.{sat}|units\.{sat}_[a-z_]+)(\.|$)", name)
            )
        if drop:
            continue
        if re.match(rf"^(inlets\.{sat}|{sat}|{sat}_filter) = ", line):
            continue
        out.append(line)
    return "\n".join(out) + "\n"


def with_haulage(text: str, sat: str, usd_t: float) -> str:
    """The case text with satellite ``sat``'s haulage charge per wet tonne set."""
    pattern = rf"(\[units\.{sat}_haulage\]\n(?:.*\n)*?haulage_usd_t = )[0-9.]+"
    new, n = re.subn(pattern, rf"\g<1>{usd_t!r}", text)
    assert n == 1
    return new


def small(text: str, file: str = str(PATH)):
    """The case on the roasting route, two CIL residence times: two columns."""
    from oreflow.solvers.tabulate import route_spec

    spec = parse_case(text, file)
    spec = route_spec(spec, {"pox": "roast"})
    axes = (ModeAxis("cil", "residence_h", (16.0, 24.0)),)
    return dataclasses.replace(spec, optimization=dataclasses.replace(spec.optimization, axes=axes))

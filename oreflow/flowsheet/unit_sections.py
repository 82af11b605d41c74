"""The ``[units.NAME]`` sections of a case: type, inlets, parameters, tables, options.

Each section is checked against its unit type, looked up in the case's registry (the
built-in types plus any passed to ``load_case``); problems are collected, never raised.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from oreflow.core.components import ComponentSet
from oreflow.core.schema import suggest, validate_table
from oreflow.errors import Problem
from oreflow.units.base import UnitSpec, UnitType, check_requires

#: Unit, option and species-table names: lower-case letters, digits and ``_``.
NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def freeze(obj: Any) -> Any:
    """A read-only copy of parsed TOML: tables as mappings, arrays as tuples."""
    if isinstance(obj, dict):
        return MappingProxyType({k: freeze(v) for k, v in obj.items()})
    if isinstance(obj, list):
        return tuple(obj)
    return obj


def _species_table(
    utype: UnitType,
    table_name: str,
    raw: Any,
    comps: ComponentSet,
    file: str,
    key: str,
    problems: list[Problem],
) -> dict[str, dict[str, Any]]:
    schema = utype.tables[table_name]
    if not isinstance(raw, dict):
        problems.append(Problem(file, key, f"must be a table of species tables ({schema.doc})"))
        return {}
    names = [s.name for s in comps.species if s.phase == schema.key_phase]
    out = {}
    for sp_name, entry in raw.items():
        if sp_name not in names:
            problems.append(
                Problem(
                    file,
                    f"{key}.{sp_name}",
                    f"species {sp_name!r} is not a declared {schema.key_phase} species{suggest(sp_name, names)}",
                )
            )
            continue
        if schema.gold_only and comps.solids[comps.solid_index(sp_name)].au_frac <= 0:
            problems.append(Problem(file, f"{key}.{sp_name}", f"{sp_name!r} is not a gold species"))
            continue
        if not isinstance(entry, dict):
            problems.append(Problem(file, f"{key}.{sp_name}", "must be a table"))
            continue
        out[sp_name] = validate_table(
            entry, schema.params, file=file, prefix=f"{key}.{sp_name}.", problems=problems
        )
    return out


def parse_unit(
    name: str,
    table: Any,
    comps: ComponentSet,
    file: str,
    problems: list[Problem],
    types: Mapping[str, UnitType],
    key: str | None = None,
) -> UnitSpec | None:
    """The validated unit of one ``[units.NAME]`` section, or None after adding problems.

    ``key`` is the section's dotted name when it is not ``units.NAME`` (an option).
    """
    key = key or f"units.{name}"
    if not NAME.match(name) or name == "ore":
        problems.append(
            Problem(
                file, key, "unit names are lower-case letters, digits and _ (and 'ore' is reserved)"
            )
        )
        return None
    if not isinstance(table, dict):
        problems.append(Problem(file, key, "must be a table"))
        return None
    type_name = table.get("type")
    if type_name is None:
        problems.append(
            Problem(file, f"{key}.type", f"missing: the unit type ({', '.join(types)})")
        )
        return None
    if not isinstance(type_name, str) or type_name not in types:
        problems.append(
            Problem(
                file,
                f"{key}.type",
                f"unknown unit type {type_name!r}{suggest(str(type_name), list(types))}",
            )
        )
        return None
    utype = types[type_name]
    n0 = len(problems)
    own_table = (utype.outlets_table,) if utype.outlets_table else ()
    table_keys = (*utype.tables, *own_table)
    params = validate_table(
        table,
        utype.params,
        file=file,
        prefix=f"{key}.",
        problems=problems,
        extra_keys=("type", "inlets", "modes", "options", *table_keys),
    )
    # inlets
    inlets: dict[str, str] = {}
    raw_in = table.get("inlets")
    if raw_in is None and utype.inlets == ():
        raw_in = {}  # a source unit (solution_source) is fed by nothing
    if not isinstance(raw_in, dict):
        problems.append(
            Problem(
                file,
                f"{key}.inlets",
                'missing: map each inlet port to a stream, e.g. inlets.feed = "mill.discharge"',
            )
        )
    else:
        for port, stream in raw_in.items():
            pkey = f"{key}.inlets.{port}"
            if utype.inlets is not None and port not in utype.inlets:
                problems.append(
                    Problem(
                        file,
                        pkey,
                        f"{type_name} has no inlet {port!r}{suggest(port, list(utype.inlets))}",
                    )
                )
            elif isinstance(stream, list):
                problems.append(
                    Problem(
                        file,
                        pkey,
                        f"inlet fed twice ({', '.join(map(str, stream))}); a port takes one stream, join streams in a mixer",
                    )
                )
            elif not isinstance(stream, str) or stream.count(".") != 1:
                problems.append(
                    Problem(file, pkey, "must be a stream name 'unit.port' (or 'ore.NAME')")
                )
            else:
                inlets[port] = stream
        needed = utype.inlets if utype.inlets is not None else ()
        for port in needed:
            if port not in raw_in and port not in utype.optional_inlets:
                problems.append(
                    Problem(file, f"{key}.inlets.{port}", "missing: this inlet must be fed")
                )
        if utype.inlets is None and not raw_in:
            problems.append(Problem(file, f"{key}.inlets", "a mixer needs at least one inlet"))
    # nested tables
    tables: dict[str, Any] = {}
    for tname in utype.tables:
        tables[tname] = _species_table(
            utype, tname, table.get(tname, {}), comps, file, f"{key}.{tname}", problems
        )
    outlets = utype.outlets
    if utype.outlets_table:
        tname = utype.outlets_table
        tables[tname] = _outlet_fractions(table.get(tname, {}), file, f"{key}.{tname}", problems)
        outlets = tuple(tables[tname])
    if len(problems) > n0:
        return None
    spec = UnitSpec(
        name, type_name, MappingProxyType(inlets), outlets, freeze(params), freeze(tables), file
    )
    check_requires(utype, spec, comps, file, problems)
    utype.check(spec, comps, file, problems)
    return spec if len(problems) == n0 else None


def _outlet_fractions(
    raw: Any, file: str, key: str, problems: list[Problem]
) -> dict[str, dict[str, float]]:
    """A table naming a unit's outlets, ``outlet = fraction`` (a splitter's fractions)."""
    out: dict[str, dict[str, float]] = {}
    if not isinstance(raw, dict):
        problems.append(Problem(file, key, "must be a table of outlet = fraction"))
        return out
    for port, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
            problems.append(Problem(file, f"{key}.{port}", "must be a fraction in [0, 1]"))
        else:
            out[port] = {"frac": float(value)}
    return out


def _option(
    position: UnitSpec,
    name: str,
    table: Any,
    inlets: Any,
    comps: ComponentSet,
    file: str,
    problems: list[Problem],
    types: Mapping[str, UnitType],
) -> UnitSpec | None:
    """One alternative unit at a position: same inlets, outlets mapped to the position's."""
    key = f"units.{position.name}.options.{name}"
    if not NAME.match(name) or not isinstance(table, dict):
        problems.append(
            Problem(file, key, "an option is a table named with lower-case letters, digits and _")
        )
        return None
    if "inlets" in table:
        problems.append(
            Problem(file, f"{key}.inlets", "an option takes the inlets of its position")
        )
        return None
    if "options" in table:
        problems.append(Problem(file, f"{key}.options", "options do not nest"))
        return None
    raw_map = table.get("outlets", {})
    if not isinstance(raw_map, dict) or not all(isinstance(v, str) for v in raw_map.values()):
        problems.append(Problem(file, f"{key}.outlets", "must map position outlet = option outlet"))
        return None
    body = {k: v for k, v in table.items() if k not in ("outlets", "modes")}
    body["inlets"] = inlets
    n0 = len(problems)
    spec = parse_unit(position.name, body, comps, file, problems, types, key=key)
    if spec is None or len(problems) > n0:
        return None
    if types[spec.type].bypass:
        bypass = dataclasses.replace(spec, outlets=position.outlets)
        to = spec.params.get("to")
        if to and to not in position.outlets:
            problems.append(
                Problem(
                    file,
                    f"{key}.to",
                    f"{to!r} is not an outlet of {position.name} ({', '.join(position.outlets)})",
                )
            )
            return None
        return bypass
    own = spec.outlets
    for port in raw_map:
        if port not in position.outlets:
            problems.append(
                Problem(
                    file,
                    f"{key}.outlets.{port}",
                    f"{position.name} has no outlet {port!r}{suggest(port, list(position.outlets))}",
                )
            )
    for target in raw_map.values():
        if target not in own:
            problems.append(
                Problem(
                    file,
                    f"{key}.outlets",
                    f"{spec.type} has no outlet {target!r}{suggest(target, list(own))}",
                )
            )
    if len(problems) > n0:
        return None
    source = []
    for port in position.outlets:
        target = raw_map.get(port, port if port in own else None)
        source.append(own.index(target) if target is not None else -1)
    unused = [own[i] for i in range(len(own)) if i not in source]
    if unused:
        problems.append(
            Problem(
                file,
                f"{key}.outlets",
                f"outlet(s) {', '.join(unused)} of {spec.type} go nowhere: map them to outlets of {position.name}",
            )
        )
        return None
    return dataclasses.replace(
        spec, outlets=position.outlets, outlet_source=tuple(source), own_outlets=own
    )


def with_options(
    unit: UnitSpec,
    table: Mapping[str, Any],
    comps: ComponentSet,
    file: str,
    problems: list[Problem],
    types: Mapping[str, UnitType],
) -> UnitSpec:
    """The unit with its ``[units.NAME.options.*]`` alternatives parsed."""
    raw = table.get("options")
    if raw is None:
        return unit
    if not isinstance(raw, dict) or not raw:
        problems.append(
            Problem(file, f"units.{unit.name}.options", "must be a table of option tables")
        )
        return unit
    options = {}
    for name, opt in raw.items():
        spec = _option(unit, name, opt, table.get("inlets"), comps, file, problems, types)
        if spec is not None:
            options[name] = spec
    return dataclasses.replace(unit, options=MappingProxyType(options))

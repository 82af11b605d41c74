"""Case files: TOML -> validated, frozen ``CaseSpec``.

Everything wrong with a file is collected as ``Problem`` objects (file, dotted key,
what is wrong) and raised together as one ``CaseError``; nothing runs on a bad case.
The format is documented key by key in ``cases/README.md``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType
from typing import Any

from oreflow.core.components import CATALOGUE, ELEMENTS, ComponentSet, SizeClasses, Species
from oreflow.core.schema import Param, frac, positive, suggest, validate_table
from oreflow.errors import CaseError, Problem
from oreflow.flowsheet.economics import EconomicsSpec, parse_economics
from oreflow.flowsheet.optimization import OptimizationSpec, parse_optimization
from oreflow.units import UNIT_TYPES
from oreflow.units.base import UnitSpec, UnitType
from oreflow.units.ore_feed import ORE_PARAMS, ORE_TABLES, PSD_PARAMS, check_psd

SECTIONS = ("case", "ore", "units", "economics", "constraints", "objective")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

CASE_PARAMS: tuple[Param, ...] = (
    Param(
        "name",
        "-",
        None,
        "short name of the case (default: the file name)",
        "case author",
        kind=str,
    ),
    Param(
        "description",
        "-",
        "",
        "one paragraph: what plant, what ore, what question",
        "case author",
        kind=str,
    ),
)
CASE_EXTRA = ("sources", "solids", "solution", "adsorbent", "sizes", "species_properties")

SIZE_PARAMS: tuple[Param, ...] = (
    positive("top_um", "µm", None, "largest class edge e_0", "case author", hi=1e6),
    positive(
        "ratio",
        "-",
        math.sqrt(2.0),
        "ratio between successive edges (root-2 series)",
        "Austin, Klimpel & Luckie 1984; Whiten 1974; Herbst & Fuerstenau 1980; docs/models.md#ball_mill",
        lo=1.0,
        hi=10.0,
    ),
    Param(
        "n_classes",
        "-",
        None,
        "number of size classes including the sink",
        "case author",
        kind=int,
        lo=3,
        hi=200,
    ),
    Param(
        "edges_um",
        "µm",
        None,
        "explicit class edges, strictly decreasing (instead of top_um/n_classes)",
        "case author",
        kind=list,
        lo=0.0,
        lo_open=True,
    ),
)

SPECIES_PROPERTY_PARAMS: tuple[Param, ...] = (
    Param(
        "phase",
        "-",
        None,
        "phase of the species",
        "case author",
        kind=str,
        choices=("solid", "solution", "adsorbent"),
    ),
    positive("density_t_m3", "t/m³", 1.0, "density of the pure species", "case author", hi=25.0),
    positive(
        "hydraulic_density_t_m3",
        "t/m³",
        None,
        "density of the particles carrying it in classifiers (default: density)",
        "case author",
        hi=25.0,
    ),
    Param(
        "description",
        "-",
        "",
        "what the species is and where its properties come from",
        "case author",
        kind=str,
    ),
    *(
        frac(
            f"{el}_frac", 0.0, f"mass fraction of {el.capitalize()} in the species", "stoichiometry"
        )
        for el in ELEMENTS
    ),
)


@dataclass(frozen=True)
class CaseSpec:
    """A validated case: species, size classes, ore sources and units.

    Attributes
    ----------
    path : str
        Case file.
    name, description : str
        From ``[case]``.
    sources : tuple of str
        Where the case's figures come from.
    comps : ComponentSet
        Species and size classes.
    ores : tuple of UnitSpec
        Ore sources, named ``ore.NAME``, type ``"ore"``.
    units : tuple of UnitSpec
        Units in file order.
    sha256 : str
        Hash of the file's bytes (recorded in results).
    economics : EconomicsSpec or None
        The ``[economics]`` section; None when the case has none (no economic KPIs).
    optimization : OptimizationSpec or None
        Mode grids, ``[constraints]`` and ``[objective]``; None when the case has none.
    """

    path: str
    name: str
    description: str
    sources: tuple[str, ...]
    comps: ComponentSet
    ores: tuple[UnitSpec, ...]
    units: tuple[UnitSpec, ...]
    sha256: str
    economics: EconomicsSpec | None = None
    optimization: OptimizationSpec | None = None

    def unit(self, name: str) -> UnitSpec:
        """The unit or ore source of that name."""
        for u in (*self.ores, *self.units):
            if u.name == name:
                return u
        raise KeyError(name)


def _freeze(obj: Any) -> Any:
    if isinstance(obj, dict):
        return MappingProxyType({k: _freeze(v) for k, v in obj.items()})
    if isinstance(obj, list):
        return tuple(obj)
    return obj


def _string_list(value: Any, file: str, key: str, problems: list[Problem]) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(Problem(file, key, "must be a list of strings"))
        return []
    return list(value)


def _sizes(table: Any, file: str, problems: list[Problem]) -> SizeClasses | None:
    if not isinstance(table, dict):
        problems.append(
            Problem(file, "case.sizes", "missing: give top_um and n_classes (or edges_um)")
        )
        return None
    vals = validate_table(table, SIZE_PARAMS, file=file, prefix="case.sizes.", problems=problems)
    edges = vals.get("edges_um")
    if edges is not None:
        if len(edges) < 3:
            problems.append(Problem(file, "case.sizes.edges_um", "give at least 3 edges"))
            return None
        if any(b >= a for a, b in pairwise(edges)):
            problems.append(
                Problem(file, "case.sizes.edges_um", "sieve series must be strictly decreasing")
            )
            return None
        return SizeClasses(tuple(float(e) for e in edges))
    top, n = vals.get("top_um"), vals.get("n_classes")
    if top is None or n is None:
        if top is None and "top_um" not in table:
            problems.append(
                Problem(
                    file, "case.sizes.top_um", "missing: give top_um and n_classes, or edges_um"
                )
            )
        if n is None and "n_classes" not in table:
            problems.append(
                Problem(
                    file, "case.sizes.n_classes", "missing: give top_um and n_classes, or edges_um"
                )
            )
        return None
    ratio = float(vals["ratio"])
    if ratio <= 1.0:
        problems.append(
            Problem(file, "case.sizes.ratio", "must be above 1 so the series decreases")
        )
        return None
    return SizeClasses(tuple(float(top) / ratio**k for k in range(n)))


def _species(case: Mapping[str, Any], file: str, problems: list[Problem]) -> ComponentSet | None:
    custom_raw = case.get("species_properties", {})
    custom: dict[str, Species] = {}
    if not isinstance(custom_raw, dict):
        problems.append(
            Problem(file, "case.species_properties", "must be a table of species tables")
        )
        custom_raw = {}
    for name, table in custom_raw.items():
        key = f"case.species_properties.{name}"
        if not isinstance(table, dict):
            problems.append(Problem(file, key, "must be a table"))
            continue
        v = validate_table(
            table, SPECIES_PROPERTY_PARAMS, file=file, prefix=f"{key}.", problems=problems
        )
        if v.get("phase") is None:
            if "phase" not in table:
                problems.append(
                    Problem(file, f"{key}.phase", "missing: solid, solution or adsorbent")
                )
            continue
        elements = MappingProxyType({el: v[f"{el}_frac"] for el in ELEMENTS if v[f"{el}_frac"] > 0})
        rho = v["density_t_m3"]
        hydraulic = v["hydraulic_density_t_m3"] or rho
        custom[name] = Species(name, v["phase"], rho, hydraulic, elements, v["description"])

    lists: dict[str, list[str]] = {}
    defaults = {"solids": None, "solution": ["water"], "adsorbent": []}
    phase_of = {"solids": "solid", "solution": "solution", "adsorbent": "adsorbent"}
    seen: set[str] = set()
    out: dict[str, tuple[Species, ...]] = {}
    for group, default in defaults.items():
        if group not in case:
            if default is None:
                problems.append(
                    Problem(
                        file,
                        f"case.{group}",
                        "missing: list the solid species (minerals and gold classes)",
                    )
                )
                return None
            lists[group] = default
        else:
            lists[group] = _string_list(case[group], file, f"case.{group}", problems)
        species = []
        for name in lists[group]:
            sp = custom.get(name) or CATALOGUE.get(name)
            if sp is None:
                known = [*CATALOGUE, *custom]
                problems.append(
                    Problem(
                        file,
                        f"case.{group}",
                        f"unknown species {name!r}{suggest(name, known)} (or define it under [case.species_properties.{name}])",
                    )
                )
                continue
            if sp.phase != phase_of[group]:
                problems.append(
                    Problem(
                        file,
                        f"case.{group}",
                        f"species {name!r} is a {sp.phase} species, not {phase_of[group]}",
                    )
                )
                continue
            if name in seen:
                problems.append(
                    Problem(file, f"case.{group}", f"species {name!r} is declared twice")
                )
                continue
            seen.add(name)
            species.append(sp)
        out[group] = tuple(species)
    if not out["solids"]:
        problems.append(Problem(file, "case.solids", "declare at least one solid species"))
        return None
    sizes = _sizes(case.get("sizes"), file, problems)
    if sizes is None:
        return None
    return ComponentSet(sizes, out["solids"], out["solution"], out["adsorbent"])


def _species_fraction_table(
    table: Any, comps: ComponentSet, file: str, key: str, problems: list[Problem], *, gold: bool
) -> dict[str, float]:
    if not isinstance(table, dict):
        problems.append(Problem(file, key, "must be a table of species = fraction"))
        return {}
    out: dict[str, float] = {}
    solid_names = [s.name for s in comps.solids]
    for name, value in table.items():
        if name not in solid_names:
            problems.append(
                Problem(
                    file,
                    f"{key}.{name}",
                    f"species {name!r} is not a declared solid species{suggest(name, solid_names)}",
                )
            )
            continue
        sp = comps.solids[comps.solid_index(name)]
        if gold and sp.au_frac <= 0:
            problems.append(
                Problem(
                    file,
                    f"{key}.{name}",
                    f"{name!r} is not a gold species; deportment lists gold classes only",
                )
            )
            continue
        if not gold and (sp.au_frac > 0 or name == "ag"):
            problems.append(
                Problem(
                    file, f"{key}.{name}", f"{name!r} is set by the head grade, not by mineralogy"
                )
            )
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(
                Problem(file, f"{key}.{name}", f"must be a number, got {type(value).__name__}")
            )
            continue
        if not 0.0 <= value <= 1.0:
            problems.append(Problem(file, f"{key}.{name}", f"{value:g} is out of range [0, 1] [-]"))
            continue
        out[name] = float(value)
    return out


def _ore(
    name: str, table: Any, comps: ComponentSet, file: str, problems: list[Problem]
) -> UnitSpec | None:
    key = f"ore.{name}"
    if not isinstance(table, dict):
        problems.append(Problem(file, key, "must be a table"))
        return None
    n0 = len(problems)
    vals = validate_table(
        table, ORE_PARAMS, file=file, prefix=f"{key}.", problems=problems, extra_keys=ORE_TABLES
    )
    gold_species = [s.name for s in comps.solids if s.au_frac > 0]
    # deportment
    if "deportment" in table:
        dep = _species_fraction_table(
            table["deportment"], comps, file, f"{key}.deportment", problems, gold=True
        )
    elif len(gold_species) == 1:
        dep = {gold_species[0]: 1.0}
    else:
        dep = {}
        if gold_species:
            problems.append(
                Problem(
                    file,
                    f"{key}.deportment",
                    f"missing: split the gold between {', '.join(gold_species)}",
                )
            )
    if dep and abs(sum(dep.values()) - 1.0) > 1e-9:
        problems.append(
            Problem(
                file,
                f"{key}.deportment",
                f"gold deportment must sum to 1, it sums to {sum(dep.values()):.6g}",
            )
        )
    if (vals.get("au_gpt") or 0.0) > 0 and not gold_species:
        problems.append(
            Problem(
                file,
                f"{key}.au_gpt",
                "the case declares no gold species (e.g. au_free) to carry the gold",
            )
        )
    if (vals.get("ag_gpt") or 0.0) > 0 and not comps.has("ag"):
        problems.append(
            Problem(
                file, f"{key}.ag_gpt", "the case declares no solid species 'ag' to carry the silver"
            )
        )
    # mineralogy
    minerals = _species_fraction_table(
        table.get("mineralogy", {}), comps, file, f"{key}.mineralogy", problems, gold=False
    )
    others = [s.name for s in comps.solids if s.au_frac == 0 and s.name != "ag"]
    total = sum(minerals.values())
    if total > 1.0 + 1e-9:
        problems.append(
            Problem(file, f"{key}.mineralogy", f"mineral fractions sum to {total:.6g}, more than 1")
        )
    elif total < 1.0 - 1e-9:
        if "gangue" in others and "gangue" not in minerals:
            minerals["gangue"] = 1.0 - total
        elif others:
            problems.append(
                Problem(
                    file,
                    f"{key}.mineralogy",
                    f"mineral fractions sum to {total:.6g}; they must sum to 1 (or declare 'gangue' to take the balance)",
                )
            )
    # psd
    psd: dict[str, Any] = {}
    if not isinstance(table.get("psd"), dict):
        problems.append(
            Problem(
                file,
                f"{key}.psd",
                "missing: give the feed size distribution (model = rrb, ggs or sieve)",
            )
        )
    else:
        psd = validate_table(
            table["psd"], PSD_PARAMS, file=file, prefix=f"{key}.psd.", problems=problems
        )
        if psd.get("model") is None and "model" not in table["psd"]:
            pass  # reported as missing required key
        elif psd.get("model") is not None:
            check_psd(psd, file, f"{key}.psd.", problems)
    if len(problems) > n0:
        return None
    tables = {"deportment": dep, "mineralogy": minerals, "psd": psd}
    return UnitSpec(key, "ore", MappingProxyType({}), (name,), _freeze(vals), _freeze(tables), file)


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


def _unit(
    name: str,
    table: Any,
    comps: ComponentSet,
    file: str,
    problems: list[Problem],
    key: str | None = None,
) -> UnitSpec | None:
    key = key or f"units.{name}"
    if not _NAME.match(name) or name == "ore":
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
            Problem(file, f"{key}.type", f"missing: the unit type ({', '.join(UNIT_TYPES)})")
        )
        return None
    if not isinstance(type_name, str) or type_name not in UNIT_TYPES:
        problems.append(
            Problem(
                file,
                f"{key}.type",
                f"unknown unit type {type_name!r}{suggest(str(type_name), list(UNIT_TYPES))}",
            )
        )
        return None
    utype = UNIT_TYPES[type_name]
    n0 = len(problems)
    table_keys = tuple(utype.tables) + (("fractions",) if type_name == "splitter" else ())
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
    if type_name == "splitter":
        raw_fr = table.get("fractions", {})
        fr: dict[str, dict[str, float]] = {}
        if not isinstance(raw_fr, dict):
            problems.append(
                Problem(file, f"{key}.fractions", "must be a table of outlet = fraction")
            )
        else:
            for port, value in raw_fr.items():
                if (
                    isinstance(value, bool)
                    or not isinstance(value, int | float)
                    or not 0.0 <= value <= 1.0
                ):
                    problems.append(
                        Problem(file, f"{key}.fractions.{port}", "must be a fraction in [0, 1]")
                    )
                else:
                    fr[port] = {"frac": float(value)}
        tables["fractions"] = fr
        outlets = tuple(fr)
    if len(problems) > n0:
        return None
    spec = UnitSpec(
        name, type_name, MappingProxyType(inlets), outlets, _freeze(params), _freeze(tables), file
    )
    utype.check(spec, comps, file, problems)
    return spec if len(problems) == n0 else None


def _option(
    position: UnitSpec,
    name: str,
    table: Any,
    inlets: Any,
    comps: ComponentSet,
    file: str,
    problems: list[Problem],
) -> UnitSpec | None:
    """One alternative unit at a position: same inlets, outlets mapped to the position's."""
    key = f"units.{position.name}.options.{name}"
    if not _NAME.match(name) or not isinstance(table, dict):
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
    spec = _unit(position.name, body, comps, file, problems, key=key)
    if spec is None or len(problems) > n0:
        return None
    if spec.type == "bypass":
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


def _with_options(
    unit: UnitSpec,
    table: Mapping[str, Any],
    comps: ComponentSet,
    file: str,
    problems: list[Problem],
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
        spec = _option(unit, name, opt, table.get("inlets"), comps, file, problems)
        if spec is not None:
            options[name] = spec
    return dataclasses.replace(unit, options=MappingProxyType(options))


def parse_case(text: str, file: str) -> CaseSpec:
    """Validate the text of a case file; raise ``CaseError`` listing every problem."""
    from oreflow.flowsheet.graph import check_topology

    problems: list[Problem] = []
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CaseError([Problem(file, "", f"TOML syntax error: {exc}")]) from None
    for key in doc:
        if key not in SECTIONS:
            problems.append(Problem(file, key, f"unknown section{suggest(key, SECTIONS)}"))
    case = doc.get("case")
    if not isinstance(case, dict):
        problems.append(Problem(file, "case", "missing: the [case] section (name, species, sizes)"))
        raise CaseError(problems)
    vals = validate_table(
        case, CASE_PARAMS, file=file, prefix="case.", problems=problems, extra_keys=CASE_EXTRA
    )
    sources = tuple(_string_list(case.get("sources", []), file, "case.sources", problems))
    comps = _species(case, file, problems)
    if comps is None:
        raise CaseError(problems)
    ores_raw = doc.get("ore", {})
    units_raw = doc.get("units", {})
    if not isinstance(ores_raw, dict) or not ores_raw:
        problems.append(Problem(file, "ore", "missing: at least one ore source [ore.NAME]"))
        ores_raw = {}
    if not isinstance(units_raw, dict) or not units_raw:
        problems.append(Problem(file, "units", "missing: the units of the flowsheet [units.NAME]"))
        units_raw = {}
    ores = [o for n, t in ores_raw.items() if (o := _ore(n, t, comps, file, problems)) is not None]
    units = [
        u for n, t in units_raw.items() if (u := _unit(n, t, comps, file, problems)) is not None
    ]
    units = [_with_options(u, units_raw[u.name], comps, file, problems) for u in units]
    economics = parse_economics(
        doc.get("economics"), list(units_raw), file, problems, list(ores_raw)
    )
    optimization = parse_optimization(doc, file, problems)
    if not problems:
        check_topology(tuple(ores), tuple(units), file, problems)
        _cross_checks(tuple(ores), tuple(units), file, problems)
    if problems:
        raise CaseError(problems)
    name = vals.get("name") or Path(file).stem
    digest = hashlib.sha256(text.encode()).hexdigest()
    return CaseSpec(
        file,
        name,
        vals["description"],
        sources,
        comps,
        tuple(ores),
        tuple(units),
        digest,
        economics,
        optimization,
    )


def _cross_checks(
    ores: tuple[UnitSpec, ...], units: tuple[UnitSpec, ...], file: str, problems: list[Problem]
) -> None:
    """Rules across sections: a design P80 must lie below the F80 of the ore reaching it."""
    from oreflow.flowsheet.graph import ores_reaching
    from oreflow.units.ore_feed import psd_f80_um

    reach = ores_reaching(ores, units)
    f80 = {o.name: psd_f80_um(o.tables["psd"]) for o in ores}
    for u in units:
        p80 = u.params.get("design_p80_um")
        if p80 is None:
            continue
        for ore in reach.get(u.name, ()):
            if p80 >= f80[ore]:
                problems.append(
                    Problem(
                        file,
                        f"units.{u.name}.design_p80_um",
                        f"P80 {p80:g} µm is not below the F80 {f80[ore]:.4g} µm of {ore}",
                    )
                )


def load_case(path: str | Path) -> CaseSpec:
    """Read and validate a case file; raise ``CaseError`` listing every problem."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CaseError([Problem(file, "", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseError([Problem(file, "", f"cannot read the file: {exc}")]) from None
    return parse_case(text, file)

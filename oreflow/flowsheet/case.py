"""Case files: TOML -> validated, frozen ``CaseSpec``.

Everything wrong with a file is collected as ``Problem`` objects (file, dotted key,
what is wrong) and raised together as one ``CaseError``; nothing runs on a bad case.
The format is documented key by key in ``cases/README.md``.
"""

from __future__ import annotations

import hashlib
import math
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType
from typing import Any

from oreflow.core.components import CATALOGUE, ELEMENTS, ComponentSet, SizeClasses, Species
from oreflow.core.schema import Param, frac, positive, suggest, validate_table
from oreflow.core.silver_minerals import ORE_SILVER_SPECIES
from oreflow.errors import CaseError, Problem
from oreflow.flowsheet.economics import EconomicsSpec, parse_economics
from oreflow.flowsheet.emissions import EmissionsSpec, parse_emissions
from oreflow.flowsheet.optimization import OptimizationSpec, parse_optimization
from oreflow.flowsheet.unit_sections import freeze, parse_unit, with_options
from oreflow.units import UNIT_TYPES, registry
from oreflow.units.base import UnitSpec, UnitType
from oreflow.units.ore_feed import (
    ORE_PARAMS,
    ORE_TABLES,
    PSD_PARAMS,
    check_pore_water,
    check_psd,
    check_silver_deportment,
)

SECTIONS = ("case", "ore", "units", "economics", "emissions", "constraints", "objective")

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
    emissions : EmissionsSpec
        The ``[emissions]`` section's factors (defaults when the case has none).
    unit_types : Mapping[str, UnitType]
        The unit types the case was read with (the built-in ones plus any passed to
        ``load_case``), by type name; everything downstream looks types up here.
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
    unit_types: Mapping[str, UnitType] = field(default_factory=lambda: UNIT_TYPES)
    emissions: EmissionsSpec = field(default_factory=EmissionsSpec)

    def unit_type(self, name: str) -> UnitType:
        """The unit type of the unit ``name``."""
        return self.unit_types[self.unit(name).type]

    def units_in(self, family: str) -> tuple[UnitSpec, ...]:
        """Units whose type joins the KPI family ``family``, in file order."""
        return tuple(u for u in self.units if family in self.unit_types[u.type].kpi_families)

    def unit(self, name: str) -> UnitSpec:
        """The unit or ore source of that name."""
        for u in (*self.ores, *self.units):
            if u.name == name:
                return u
        raise KeyError(name)


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
    if vals.get("ratio") is None:  # refused by its declared range: reported already
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
    invalid: set[str] = set()  # reported already: not "unknown" where it is used
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
        n0 = len(problems)
        v = validate_table(
            table, SPECIES_PROPERTY_PARAMS, file=file, prefix=f"{key}.", problems=problems
        )
        if len(problems) > n0:  # a bad value has no entry in v: reported, not used
            invalid.add(name)
            continue
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
            if sp is None and name in invalid:
                continue
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
        if not gold and (sp.au_frac > 0 or name in ORE_SILVER_SPECIES):
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
    if table.get("deportment") == {}:
        # an empty table would put no gold in the feed: head grade 0, and exit 0
        dep = {}
        problems.append(
            Problem(
                file,
                f"{key}.deportment",
                f"is empty: give each gold species' share ({', '.join(gold_species) or 'none declared'}), summing to 1",
            )
        )
    elif "deportment" in table:
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
    if (vals.get("ag_gpt") or 0.0) > 0 and not any(comps.has(s) for s in ORE_SILVER_SPECIES):
        problems.append(
            Problem(
                file,
                f"{key}.ag_gpt",
                "the case declares no silver class (e.g. the solid species 'ag') to carry the silver",
            )
        )
    silver_dep = check_silver_deportment(
        table.get("silver_deportment"),
        comps,
        file,
        f"{key}.silver_deportment",
        problems,
    )
    # mineralogy
    minerals = _species_fraction_table(
        table.get("mineralogy", {}), comps, file, f"{key}.mineralogy", problems, gold=False
    )
    others = [s.name for s in comps.solids if s.au_frac == 0 and s.name not in ORE_SILVER_SPECIES]
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
    pore = check_pore_water(
        table.get("pore_water", {}), comps, file, f"{key}.pore_water.", problems
    )
    if len(problems) > n0:
        return None
    tables = {
        "deportment": dep,
        "silver_deportment": silver_dep,
        "mineralogy": minerals,
        "psd": psd,
        "pore_water": pore,
    }
    return UnitSpec(key, "ore", MappingProxyType({}), (name,), freeze(vals), freeze(tables), file)


def parse_case(text: str, file: str, unit_types: Iterable[UnitType] = ()) -> CaseSpec:
    """Validate the text of a case file; raise ``CaseError`` listing every problem.

    ``unit_types`` adds unit types defined outside ``oreflow.units`` (a plug-in, a
    test) to the built-in ones, for this case only.
    """
    from oreflow.flowsheet.graph import check_topology

    types = registry(unit_types)

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
        u
        for n, t in units_raw.items()
        if (u := parse_unit(n, t, comps, file, problems, types)) is not None
    ]
    units = [with_options(u, units_raw[u.name], comps, file, problems, types) for u in units]
    concentrates = [
        n
        for n, t in units_raw.items()
        if isinstance(t, dict) and t.get("type") == "product" and t.get("kind") == "concentrate"
    ]
    economics = parse_economics(
        doc.get("economics"),
        list(units_raw),
        file,
        problems,
        list(ores_raw),
        types.values(),
        concentrates,
    )
    emissions = parse_emissions(doc.get("emissions"), file, problems)
    optimization = parse_optimization(doc, file, problems, types)
    if not problems:
        check_topology(tuple(ores), tuple(units), file, problems, types)
        _cross_checks(tuple(ores), tuple(units), file, problems)
        _feed_within_sizes(tuple(ores), comps, file, problems)
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
        types,
        emissions,
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


def _feed_within_sizes(
    ores: tuple[UnitSpec, ...], comps: ComponentSet, file: str, problems: list[Problem]
) -> None:
    """An ore's F80 must lie below the top size of the case's size classes.

    Above it, over 20 % of the feed would be lumped into the top class, whose breakage
    and classification then stand for sizes it does not have (a coarse feed is
    described by raising ``case.sizes.top_um``).
    """
    from oreflow.units.ore_feed import psd_f80_um

    top = comps.sizes.edges_um[0]
    for ore in ores:
        f80 = psd_f80_um(ore.tables["psd"])
        if f80 > top:
            problems.append(
                Problem(
                    file,
                    f"{ore.name}.psd",
                    f"F80 {f80:.4g} µm is above the top size {top:g} µm of [case.sizes]: "
                    "over 20 % of the feed would be lumped into the top class; raise "
                    "case.sizes.top_um",
                )
            )


def load_case(path: str | Path, unit_types: Iterable[UnitType] = ()) -> CaseSpec:
    """Read and validate a case file; raise ``CaseError`` listing every problem.

    ``unit_types``: unit types beyond the built-in ones (see ``parse_case``).
    """
    file = str(path)
    return parse_case(read_text_file(path, "case file"), file, unit_types)


#: Largest input file read [bytes]: the largest shipped case is about 20 kB; a file
#: beyond this is not a case (``/dev/zero``, a data dump) and is refused unread.
MAX_INPUT_BYTES = 4 * 1024 * 1024


def read_text_file(path: str | Path, what: str) -> str:
    """A UTF-8 text file (a BOM is accepted), refused quickly if not a regular file or too big."""
    file = str(path)
    p = Path(path)
    try:
        if not p.exists():
            raise CaseError([Problem(file, "", "file not found")])
        if not p.is_file():
            raise CaseError([Problem(file, "", f"not a regular file: a {what} is a text file")])
        with p.open("rb") as fh:
            data = fh.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise CaseError(
            [Problem(file, "", f"cannot read the file: {exc.strerror or exc}")]
        ) from None
    if len(data) > MAX_INPUT_BYTES:
        msg = f"larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB: not a {what}"
        raise CaseError([Problem(file, "", msg)])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        msg = f"not UTF-8 text (byte {exc.start}): save the {what} as UTF-8"
        raise CaseError([Problem(file, "", msg)]) from None

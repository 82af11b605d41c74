"""The optimization part of a case: mode grids, constraints and the objective.

Modes are grids of *intensive* settings of a unit, ``[units.NAME.modes]``, e.g.
``residence_h = [16.0, 24.0, 32.0]``: at fixed intensive settings every unit is linear
in its feed (docs/architecture.md "The core idea"), so a plan's extensive figures (power, tank
volume, reagents, margin per hour) scale with throughput while its intensive figures
(recovery, tenors, per-tonne uses) do not. Which figures are extensive is read from the
unit suffix of their name (``EXTENSIVE_SUFFIXES``).

``[constraints]`` bounds throughput and any KPI or unit metric
(``"units.cil.tank_volume_m3"``); ``[objective]`` names what to maximise or minimise,
or a weighted sum. ``[constraints.ore.NAME]`` bounds the rate of one ore source (the
mine plan): with several sources, each source's rate is a decision of the optimizer.

A quality limit on a ratio of two extensive figures (``RATIO_FIGURES``: recovery,
residue use share, CO2 per tonne and per ounce, fresh water per tonne) is linear in the rates of the sources:
``recovery >= R`` is ``gold_produced_g_h - R au_feed_g_h >= 0``; so it is a row of the
model, with a shadow price, rather than a filter on the columns. A limit on a figure
judged at each discharge (``PER_SINK_FIGURES``: WAD cyanide at every tailings sink) is
one such row per sink (``per_sink_limits``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from oreflow.core.schema import Param, check_range, named_tables, suggest, validate_table
from oreflow.errors import Problem
from oreflow.units import UNIT_TYPES
from oreflow.units.base import UnitType

#: Figures that scale with throughput at fixed intensive settings (per hour, or a
#: volume held at a fixed residence time).
EXTENSIVE_SUFFIXES = (
    "_kw",
    "_tph",
    "_t_h",
    "_kg_h",
    "_g_h",
    "_m3_h",
    "_usd_h",
    "_oz_d",
    "_oz_h",
    "_m3",
    "_mm3_y",
)

#: Limit on WAD cyanide at the tailings discharge [mg/L] when the plant reports it:
#: the International Cyanide Management Code's open-water limit (Mudder, Botz & Smith 2001, Chemistry and Treatment of Cyanidation Wastes, §6.12; docs/models.md#detox [S]).
WAD_CN_LIMIT_MG_L = 50.0

CONSTRAINT_PARAMS: tuple[Param, ...] = (
    Param(
        "ore_tph_max",
        "t/h",
        None,
        "most ore the plan may treat (ore available); default: the case's ore rate",
        "plant figure",
        lo=0.0,
        lo_open=True,
    ),
    Param(
        "ore_tph_min",
        "t/h",
        None,
        "least ore the plan must treat; default: the case's ore rate when ore_tph_max is not given, else 0",
        "plant figure",
        lo=0.0,
    ),
    Param(
        "mill_power_kw_max",
        "kW",
        None,
        "installed grinding power",
        "plant figure",
        lo=0.0,
        lo_open=True,
    ),
    Param(
        "wad_cn_mg_l_max",
        "mg/L",
        WAD_CN_LIMIT_MG_L,
        "WAD cyanide at each tailings discharge, judged sink by sink (when the plant reports it)",
        "ICMC open-water limit [S] Mudder, Botz & Smith 2001, Chemistry and Treatment of Cyanidation Wastes, §6.12; docs/models.md#detox",
        lo=0.0,
    ),
    Param(
        "gold_recovery_frac_min", "-", None, "least gold recovery", "plant target", lo=0.0, hi=1.0
    ),
    Param(
        "residue_splitter",
        "-",
        None,
        "a splitter whose outlets feed residue sinks (tailings storage, paste backfill, "
        "building materials): its fractions become decisions, only the residue's tonnage "
        "being split; the first tailings sink takes what the uses do not",
        "oreflow",
        kind=str,
    ),
    Param(
        "train_splitter",
        "-",
        None,
        "a splitter dividing a stream between parallel trains (each with its own units "
        "and modes), or a list of them: each one's fractions become decisions, its first "
        "outlet taking the rest",
        "oreflow",
        kind=str,
    ),
    Param(
        "residue_utilisation_frac_min",
        "-",
        None,
        "least share of the residue used (backfill, building materials)",
        "national target >0.35 [S] docs/architecture.md",
        lo=0.0,
        hi=1.0,
    ),
    Param(
        "envelopes",
        "-",
        "enforce",
        "the units' operating envelopes (circulating load, cyclone densities and roping, "
        "mixer set points, leach pulp density, ...): 'enforce' makes each bound a limit "
        "of the plan, 'report' only lists the plan's crossings as warnings",
        "oreflow.units.envelopes",
        kind=str,
        choices=("enforce", "report"),
    ),
    Param(
        "scale_rules",
        "-",
        "enforce",
        "least scales of new sites (concentrator 500 t/d, heap leach 2,000 t/d, concentrate "
        "treatment 200 t/d): 'enforce' makes each a limit of the plan, 'report' only lists "
        "the plan's sites below them as warnings",
        "oreflow.units.scale_rules",
        kind=str,
        choices=("enforce", "report"),
    ),
)
CONSTRAINT_TABLES = ("max", "min", "ore")

SOURCE_PARAMS: tuple[Param, ...] = (
    Param(
        "rate_tph_min",
        "t/h",
        0.0,
        "least dry ore rate the plan takes from this source (mine plan, contract)",
        "mine plan",
        lo=0.0,
    ),
    Param(
        "rate_tph_max",
        "t/h",
        None,
        "most dry ore rate this source can supply; default: its rate_tph in [ore.NAME]",
        "mine plan",
        lo=0.0,
        lo_open=True,
    ),
)

#: Intensive figures that are a ratio of two extensive KPIs, ``value = numerator /
#: denominator``: a bound on them is a linear row in the ore rates (one row per column).
RATIO_FIGURES: Mapping[str, tuple[str, str]] = {
    "gold_recovery_frac": ("gold_produced_g_h", "au_feed_g_h"),
    "residue_utilisation_frac": ("residue_used_tph", "residue_generated_tph"),
    # oreflow.solvers.kpis_carbon, kpis_water
    "co2_kg_t": ("co2_kg_h", "ore_tph"),
    "co2_kg_oz": ("co2_kg_h", "gold_products_oz_h"),
    "water_m3_t": ("water_fresh_m3_h", "ore_tph"),
}

#: Intensive KPIs that are the highest over the sinks of one KPI family
#: (``UnitType.kpi_families``) of a per-sink ratio:
#: KPI -> (sink family, sink metric, its numerator, its denominator). WAD cyanide is
#: judged at each point of discharge into a tailings facility (ICMC, Mudder, Botz & Smith 2001, Chemistry and Treatment of Cyanidation Wastes, §6.12; docs/models.md#detox),
#: not over the sinks' mixture; a bound on the KPI is one ratio row per sink,
#: ``units.SINK.wad_cn_g_h - L units.SINK.water_tph <= 0`` (g/t of water = mg/L).
PER_SINK_FIGURES: Mapping[str, tuple[str, str, str, str]] = {
    "tailings_wad_cn_mg_l": ("residue_storage", "wad_cn_mg_l", "wad_cn_g_h", "water_tph"),
}


def per_sink_figures(
    units: Sequence[Any], types: Mapping[str, UnitType], name: str
) -> dict[str, tuple[str, str]]:
    """Per sink of a ``PER_SINK_FIGURES`` KPI: its figure -> (numerator, denominator).

    ``units`` are the case's unit specs (anything with ``name`` and ``type``), ``types``
    its unit types; empty when ``name`` is not judged per sink.
    """
    if name not in PER_SINK_FIGURES:
        return {}
    family, metric, num, den = PER_SINK_FIGURES[name]
    return {
        f"units.{u.name}.{metric}": (f"units.{u.name}.{num}", f"units.{u.name}.{den}")
        for u in units
        if family in types[u.type].kpi_families
    }


def per_sink_limits(
    units: Sequence[Any], types: Mapping[str, UnitType], lim: Limit
) -> tuple[Limit, ...]:
    """A limit on a ``PER_SINK_FIGURES`` KPI as one limit per sink (same key); else itself."""
    figures = per_sink_figures(units, types, lim.name)
    if not figures:
        return (lim,)
    return tuple(Limit(f, lim.sense, lim.value, lim.key) for f in figures)


#: The sense of an objective (``[objective]`` and each lexicographic level).
SENSE_PARAM = Param(
    "sense",
    "-",
    "maximize",
    "maximize or minimize",
    "oreflow",
    kind=str,
    choices=("maximize", "minimize"),
)

OBJECTIVE_PARAMS: tuple[Param, ...] = (
    SENSE_PARAM,
    Param(
        "kpi",
        "-",
        None,
        "the KPI or unit metric to optimise (or give weights)",
        "oreflow",
        kind=str,
    ),
    Param(
        "mip_rel_gap",
        "-",
        1e-6,
        "relative MIP gap at which HiGHS stops",
        "HiGHS option",
        lo=0.0,
        hi=0.5,
    ),
    Param("time_limit_s", "s", 60.0, "time limit of the solve", "oreflow", lo=0.0, lo_open=True),
    Param(
        "verify_rtol",
        "-",
        1e-6,
        "largest model-vs-simulation relative difference of a KPI for the plan to count as verified",
        "oreflow",
        lo=0.0,
        lo_open=True,
    ),
)


def is_extensive(name: str) -> bool:
    """Whether a KPI or metric scales with throughput at fixed intensive settings."""
    return name.endswith(EXTENSIVE_SUFFIXES)


@dataclass(frozen=True)
class ModeAxis:
    """One grid axis: a float parameter of a unit and its candidate values.

    ``option`` names the alternative unit of a position the axis belongs to (empty:
    the unit as written); an option's axes only apply on routes that choose it.
    """

    unit: str
    param: str
    values: tuple[float, ...]
    option: str = ""

    @property
    def key(self) -> str:
        """The override key of the parameter."""
        return f"units.{self.unit}.{self.param}"

    @property
    def label(self) -> str:
        """Column label: the key, with ``@option`` for an option's axis."""
        return f"{self.key}@{self.option}" if self.option else self.key


@dataclass(frozen=True)
class Limit:
    """A bound on a KPI (``mill_power_kw``) or unit metric (``units.cil.tank_volume_m3``)."""

    name: str
    sense: str  # "max" or "min"
    value: float
    key: str  # where it came from in the case file

    @property
    def extensive(self) -> bool:
        """Whether the bounded figure scales with throughput."""
        return is_extensive(self.name)


@dataclass(frozen=True)
class OptimizationSpec:
    """Modes, limits and objective of a case (empty grids mean: optimize throughput only)."""

    axes: tuple[ModeAxis, ...]
    ore_tph_min: float | None
    ore_tph_max: float | None
    limits: tuple[Limit, ...]
    sense: str
    weights: Mapping[str, float]
    mip_rel_gap: float
    time_limit_s: float
    verify_rtol: float
    lexicographic: tuple[tuple[str, str, float], ...] = ()
    #: per ore source (``ore.NAME``): (least, most) rate [t/h]; None = the default
    source_bounds: Mapping[str, tuple[float, float | None]] = field(default_factory=dict)
    #: a splitter of residue whose fractions are decisions, and per outlet (outlet, sink
    #: unit, the sink's residue family: ``RESIDUE_FAMILIES``)
    residue_splitter: str = ""
    residue_sinks: tuple[tuple[str, str, str], ...] = ()
    #: splitters between parallel trains whose fractions are decisions
    train_splitters: tuple[str, ...] = ()
    #: "enforce": the units' operating envelopes are limits of the plan; "report": warnings
    envelopes: str = "enforce"
    #: "enforce": the plan's least scales of sites are limits of the plan; "report": warnings
    scale_rules: str = "enforce"

    @property
    def n_combinations(self) -> int:
        """Number of mode combinations of the grid."""
        n = 1
        for axis in self.axes:
            n *= len(axis.values)
        return n

    def combinations(self) -> list[tuple[float, ...]]:
        """Every combination of the grid, in axis order."""
        return list(itertools.product(*(a.values for a in self.axes)))


def _axes_of(
    unit: str,
    option: str,
    type_name: Any,
    modes: Any,
    key: str,
    file: str,
    problems: list[Problem],
    types: Mapping[str, UnitType],
) -> list[ModeAxis]:
    utype = types.get(str(type_name))
    if utype is None:
        return []  # the unit's own validation reports the type
    floats = {p.name: p for p in utype.params if p.kind is float}
    if not isinstance(modes, dict) or not modes:
        problems.append(Problem(file, key, "must be a table of parameter = [values]"))
        return []
    axes = []
    for param, values in modes.items():
        pkey = f"{key}.{param}"
        if param not in floats:
            problems.append(
                Problem(
                    file,
                    pkey,
                    f"not a numeric parameter of {utype.name}{suggest(param, list(floats))}",
                )
            )
            continue
        if (
            not isinstance(values, list)
            or not values
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
        ):
            problems.append(Problem(file, pkey, "must be a non-empty list of numbers"))
            continue
        bad = [m for v in values if (m := check_range(floats[param], float(v)))]
        if bad:
            problems.append(Problem(file, pkey, bad[0]))
            continue
        if len(set(values)) != len(values):
            problems.append(Problem(file, pkey, "values must differ"))
            continue
        axes.append(ModeAxis(unit, param, tuple(float(v) for v in values), option))
    return axes


def parse_modes(
    units_raw: Mapping[str, Any],
    file: str,
    problems: list[Problem],
    types: Mapping[str, UnitType] = UNIT_TYPES,
) -> list[ModeAxis]:
    """Mode grids of every ``[units.NAME.modes]`` and ``[units.NAME.options.OPTION.modes]``."""
    axes: list[ModeAxis] = []
    for name, table in units_raw.items():
        if not isinstance(table, dict):
            continue
        if "modes" in table:
            axes += _axes_of(
                name,
                "",
                table.get("type"),
                table["modes"],
                f"units.{name}.modes",
                file,
                problems,
                types,
            )
        options = table.get("options")
        if isinstance(options, dict):
            for opt, opt_table in options.items():
                if isinstance(opt_table, dict) and "modes" in opt_table:
                    key = f"units.{name}.options.{opt}.modes"
                    axes += _axes_of(
                        name,
                        opt,
                        opt_table.get("type"),
                        opt_table["modes"],
                        key,
                        file,
                        problems,
                        types,
                    )
    return axes


def _limit_table(raw: Any, sense: str, file: str, problems: list[Problem]) -> list[Limit]:
    key = f"constraints.{sense}"
    if not isinstance(raw, dict):
        problems.append(Problem(file, key, "must be a table of KPI or unit metric = bound"))
        return []
    out = []
    for name, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(Problem(file, f"{key}.{name}", "must be a number"))
            continue
        if not math.isfinite(value):  # TOML allows nan and inf; no plan can be held to them
            problems.append(Problem(file, f"{key}.{name}", f"must be a finite number, not {value}"))
            continue
        out.append(Limit(name, sense, float(value), f"{key}.{name}"))
    return out


def parse_optimization(
    doc: Mapping[str, Any],
    file: str,
    problems: list[Problem],
    types: Mapping[str, UnitType] = UNIT_TYPES,
) -> OptimizationSpec | None:
    """The optimization spec of a case, or None when it has no modes, constraints or objective."""
    units_raw = doc.get("units", {}) if isinstance(doc.get("units"), dict) else {}
    axes = parse_modes(units_raw, file, problems, types)
    raw_c = doc.get("constraints")
    raw_o = doc.get("objective")
    has_options = any(isinstance(t, dict) and "options" in t for t in units_raw.values())
    if not axes and raw_c is None and raw_o is None and not has_options:
        return None
    limits: list[Limit] = []
    raw_trains: list[Any] | None = None
    source_bounds: dict[str, tuple[float, float | None]] = {}
    cons: dict[str, Any] = {p.name: p.default for p in CONSTRAINT_PARAMS}
    if raw_c is not None:
        if not isinstance(raw_c, dict):
            problems.append(Problem(file, "constraints", "must be a table"))
        else:
            # several train splitters are a list (one is a name, the Param's kind)
            raw_trains = raw_c.get("train_splitter")
            if not isinstance(raw_trains, list):
                raw_trains = None
            cons = validate_table(
                {k: v for k, v in raw_c.items() if raw_trains is None or k != "train_splitter"},
                CONSTRAINT_PARAMS,
                file=file,
                prefix="constraints.",
                problems=problems,
                extra_keys=CONSTRAINT_TABLES,
            )
            for sense in ("max", "min"):
                if sense in raw_c:
                    limits += _limit_table(raw_c[sense], sense, file, problems)
            if "ore" in raw_c:
                source_bounds = _source_bounds(raw_c["ore"], doc.get("ore"), file, problems)
    if cons.get("mill_power_kw_max") is not None:
        limits.append(
            Limit(
                "mill_power_kw", "max", cons["mill_power_kw_max"], "constraints.mill_power_kw_max"
            )
        )
    if cons.get("wad_cn_mg_l_max") is not None:
        limits.append(
            Limit(
                "tailings_wad_cn_mg_l",
                "max",
                cons["wad_cn_mg_l_max"],
                "constraints.wad_cn_mg_l_max",
            )
        )
    if cons.get("gold_recovery_frac_min") is not None:
        limits.append(
            Limit(
                "gold_recovery_frac",
                "min",
                cons["gold_recovery_frac_min"],
                "constraints.gold_recovery_frac_min",
            )
        )
    if cons.get("residue_utilisation_frac_min") is not None:
        limits.append(
            Limit(
                "residue_utilisation_frac",
                "min",
                cons["residue_utilisation_frac_min"],
                "constraints.residue_utilisation_frac_min",
            )
        )
    obj: dict[str, Any] = {p.name: p.default for p in OBJECTIVE_PARAMS}
    weights: dict[str, float] = {}
    lexi: list[tuple[str, str, float]] = []
    if raw_o is not None:
        if not isinstance(raw_o, dict):
            problems.append(Problem(file, "objective", "must be a table"))
        else:
            obj = validate_table(
                raw_o,
                OBJECTIVE_PARAMS,
                file=file,
                prefix="objective.",
                problems=problems,
                extra_keys=("weights", "lexicographic"),
            )
            lexi = _lexicographic(raw_o.get("lexicographic"), file, problems)
            raw_w = raw_o.get("weights")
            if raw_w is not None:
                if not isinstance(raw_w, dict) or not raw_w:
                    problems.append(
                        Problem(file, "objective.weights", "must be a table of KPI = weight")
                    )
                else:
                    for name, w in raw_w.items():
                        if isinstance(w, bool) or not isinstance(w, int | float):
                            problems.append(
                                Problem(file, f"objective.weights.{name}", "must be a number")
                            )
                        else:
                            weights[name] = float(w)
    if obj.get("kpi") and weights:
        problems.append(Problem(file, "objective.kpi", "give kpi or weights, not both"))
    if obj.get("kpi"):
        weights = {obj["kpi"]: 1.0}
    if lexi:
        if obj.get("kpi") or weights:
            problems.append(
                Problem(
                    file,
                    "objective.lexicographic",
                    "give lexicographic levels, or kpi/weights, not both",
                )
            )
        weights = {lexi[0][0]: 1.0}
        obj["sense"] = lexi[0][1]
    if not weights:
        weights = {"margin_usd_h": 1.0} if obj["sense"] == "maximize" else {}
        if not weights:
            problems.append(Problem(file, "objective.kpi", "missing: what to minimize"))
    residue_sinks: tuple[tuple[str, str, str], ...] = ()
    if cons.get("residue_splitter"):
        residue_sinks = _residue_sinks(cons["residue_splitter"], units_raw, types, file, problems)
    trains = _train_splitters(
        raw_trains if raw_trains is not None else cons.get("train_splitter"),
        units_raw,
        types,
        cons.get("residue_splitter") or "",
        file,
        problems,
    )
    lo, hi = cons.get("ore_tph_min"), cons.get("ore_tph_max")
    if lo is not None and hi is not None and lo > hi:
        problems.append(
            Problem(file, "constraints.ore_tph_min", f"{lo:g} t/h is above ore_tph_max {hi:g} t/h")
        )
    return OptimizationSpec(
        tuple(axes),
        lo,
        hi,
        tuple(limits),
        obj["sense"],
        dict(weights),
        obj["mip_rel_gap"],
        obj["time_limit_s"],
        obj["verify_rtol"],
        tuple(lexi),
        source_bounds,
        cons.get("residue_splitter") or "",
        residue_sinks,
        trains,
        cons.get("envelopes") or "enforce",
        cons.get("scale_rules") or "enforce",
    )


#: KPI families (``UnitType.kpi_families``) of the sinks that end the flowsheet with
#: residue, storage first: a residue splitter's outlets each feed one of them.
RESIDUE_FAMILIES = ("residue_storage", "residue_backfill", "residue_building_materials")
#: The table whose keys name a decision splitter's outlets and whose ``frac`` the
#: optimizer sets (``UnitType.outlets_table``).
SPLIT_TABLE = "fractions"


def _train_splitters(
    raw: Any,
    units_raw: Mapping[str, Any],
    types: Mapping[str, UnitType],
    residue: str,
    file: str,
    problems: list[Problem],
) -> tuple[str, ...]:
    """``[constraints] train_splitter``: one splitter's name, or a list of them."""
    key = "constraints.train_splitter"
    if raw is None or raw == "":
        return ()
    names = [raw] if isinstance(raw, str) else list(raw)
    out = []
    for i, name in enumerate(names):
        k = key if isinstance(raw, str) else f"{key}[{i}]"
        if not isinstance(name, str):
            problems.append(Problem(file, k, f"must be a splitter's name, got {name!r}"))
        elif not _is_decision_splitter(units_raw.get(name), types):
            problems.append(Problem(file, k, f"{name!r} is not a splitter unit of this case"))
        elif name == residue:
            problems.append(Problem(file, k, "is also the residue_splitter"))
        elif name in out:
            problems.append(Problem(file, k, f"{name!r} is named twice"))
        else:
            out.append(name)
    if not names:
        problems.append(Problem(file, key, "must name at least one splitter"))
    return tuple(out)


def _is_decision_splitter(table: Any, types: Mapping[str, UnitType]) -> bool:
    """Whether a raw unit table is of a type whose outlets are its ``SPLIT_TABLE``."""
    utype = types.get(table.get("type")) if isinstance(table, dict) else None
    return utype is not None and utype.outlets_table == SPLIT_TABLE


def _residue_family(table: Any, types: Mapping[str, UnitType]) -> str | None:
    """The residue family of a raw unit table's type (``RESIDUE_FAMILIES``), if any."""
    utype = types.get(table.get("type")) if isinstance(table, dict) else None
    families = utype.kpi_families if utype is not None else ()
    return next((f for f in RESIDUE_FAMILIES if f in families), None)


def _residue_sinks(
    name: str,
    units_raw: Mapping[str, Any],
    types: Mapping[str, UnitType],
    file: str,
    problems: list[Problem],
) -> tuple[tuple[str, str, str], ...]:
    """(outlet, sink, sink's residue family) of a residue splitter; problems if it is not one."""
    key = "constraints.residue_splitter"
    table = units_raw.get(name)
    if not _is_decision_splitter(table, types):
        problems.append(Problem(file, key, f"{name!r} is not a splitter unit of this case"))
        return ()
    fractions = table.get("fractions")
    if not isinstance(fractions, dict) or not fractions:
        return ()  # the splitter's own validation reports it
    out = []
    for outlet in fractions:
        stream = f"{name}.{outlet}"
        users = [
            (u, _residue_family(t, types))
            for u, t in units_raw.items()
            if isinstance(t, dict)
            and isinstance(t.get("inlets"), dict)
            and stream in t["inlets"].values()
        ]
        if len(users) != 1 or users[0][1] is None:
            sinks = [n for f in RESIDUE_FAMILIES for n, t in types.items() if f in t.kpi_families]
            problems.append(
                Problem(
                    file,
                    key,
                    f"outlet {stream!r} must feed exactly one residue sink ({', '.join(sinks)})",
                )
            )
            continue
        out.append((outlet, users[0][0], str(users[0][1])))
    if out and not any(f == RESIDUE_FAMILIES[0] for _, _, f in out):
        problems.append(
            Problem(file, key, f"{name!r} must send one outlet to tailings storage (the rest)")
        )
    return tuple(out)


def _source_bounds(
    raw: Any, ores_raw: Any, file: str, problems: list[Problem]
) -> dict[str, tuple[float, float | None]]:
    """``[constraints.ore.NAME]`` tables: the rate bounds of each ore source."""
    key = "constraints.ore"
    names = list(ores_raw) if isinstance(ores_raw, dict) else []
    if not isinstance(raw, dict):
        problems.append(Problem(file, key, "must be a table of ore source = {rate bounds}"))
        return {}
    out: dict[str, tuple[float, float | None]] = {}
    what, doc = "an ore source of this case", ": rate_tph_min, rate_tph_max"
    for name, k, table in named_tables(raw, names, key, what, doc, file, problems):
        vals = validate_table(table, SOURCE_PARAMS, file=file, prefix=f"{k}.", problems=problems)
        lo, hi = vals.get("rate_tph_min"), vals.get("rate_tph_max")
        if lo is None:
            continue
        if hi is not None and lo > hi:
            problems.append(
                Problem(file, f"{k}.rate_tph_min", f"{lo:g} t/h is above rate_tph_max {hi:g} t/h")
            )
            continue
        out[f"ore.{name}"] = (float(lo), None if hi is None else float(hi))
    return out


def _lexicographic(raw: Any, file: str, problems: list[Problem]) -> list[tuple[str, str, float]]:
    """Levels of a lexicographic objective: ``[{kpi, sense, tol_frac}, ...]``.

    Each level is optimised with every earlier level held within ``tol_frac`` (relative)
    of its optimum.
    """
    if raw is None:
        return []
    key = "objective.lexicographic"
    if not isinstance(raw, list) or len(raw) < 2 or not all(isinstance(r, dict) for r in raw):
        problems.append(
            Problem(file, key, "must be a list of at least two {kpi, sense, tol_frac} tables")
        )
        return []
    params = (
        Param("kpi", "-", None, "KPI or unit metric of this level", "oreflow", kind=str),
        SENSE_PARAM,
        Param(
            "tol_frac",
            "-",
            1e-6,
            "relative slack kept on this level when optimising the next",
            "oreflow",
            lo=0.0,
            hi=1.0,
        ),
    )
    out = []
    for i, entry in enumerate(raw):
        vals = validate_table(entry, params, file=file, prefix=f"{key}[{i}].", problems=problems)
        if vals.get("kpi") is None:
            problems.append(Problem(file, f"{key}[{i}].kpi", "missing: the KPI of this level"))
            continue
        out.append((vals["kpi"], vals["sense"], float(vals["tol_frac"])))
    return out

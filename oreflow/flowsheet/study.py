"""Study files: TOML -> a frozen ``StudySpec`` (routes, uncertain variables, grids, correlation).

A study runs two or more *routes* (case files) over the *same* scenarios. A scenario is
one value of every study variable; each variable drives one or more per-case override
keys in each route (``ore.main.au_gpt``, ``units.cil.residence_h``, or a scalar economics
figure such as ``economics.au_usd_oz``) through a linear map ``offset + scale * value``,
so that one variable (say, the free-gold share) can set several keys of a route whose
ore is described differently (the glycine case splits free gold into gravity-recoverable
and fine free gold). Layout::

    [study]
    name = "cyanide_vs_cyanide_free"
    mode = "simulate"          # simulate | reoptimize | robust
    n_samples = 2000           # Monte Carlo samples (per grid point)
    seed = 20261127
    baseline = "cil"           # the route others are compared with
    compare_kpi = "margin_usd_t"

    [routes]
    cil = "../free_milling_cil.toml"       # relative to the study file
    glycine = "../free_milling_glycine.toml"

    [variables.head_grade]     # Monte Carlo: a distribution
    dist = "lognormal"         # normal | lognormal | triangular | uniform | empirical
    mean = 2.0
    sd = 0.5
    unit = "g/t"
    key = "ore.main.au_gpt"    # the same key in every route ...

    [variables.free_gold]
    dist = "triangular"
    min = 0.6
    mode = 0.8
    max = 0.9
    [variables.free_gold.routes]   # ... or, per route, a list of {key, scale, offset}
    cil = [{ key = "ore.main.deportment.au_free" }]
    glycine = [{ key = "ore.main.deportment.au_grg", scale = 0.4375 }]

    [variables.residence]      # a grid: every listed value (full factorial)
    values = [18.0, 24.0]
    key = "units.cil.residence_h"

    [correlation]              # Gaussian copula on the Monte Carlo variables
    variables = ["head_grade", "free_gold"]
    matrix = [[1.0, 0.4], [0.4, 1.0]]

Every problem in the file is reported at once (file, key, message) as a ``CaseError``
(exit code 2), as for case files. Distributions are documented in ``sample`` of
``oreflow.solvers.study``.
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from oreflow.core.schema import REQUIRED, Param, positive, suggest, validate_table
from oreflow.errors import CaseError, Problem
from oreflow.flowsheet.case import CaseSpec, load_case

#: Run modes of issue 6: simulate each route as written; re-optimize each route's modes
#: and ore rate per scenario; choose one mode combination per route for every scenario.
MODES = ("simulate", "reoptimize", "robust")
#: Modes that choose settings with the case's ``[units.X.modes]``, limits and objective.
OPTIMIZING_MODES = ("reoptimize", "robust")
RISKS = ("expected", "cvar")
SELECTIONS = ("enumerate", "milp")
#: What a study does with a scenario outside a parameter's range (``study_sampling``).
OUT_OF_RANGE = ("stop", "reject", "truncate")
DISTRIBUTIONS = ("normal", "lognormal", "triangular", "uniform", "empirical")

STUDY_PARAMS = (
    Param("name", "-", None, "study name (default: the file stem)", kind=str),
    Param("description", "-", "", "what the study asks", kind=str),
    Param("mode", "-", "simulate", "run mode", kind=str, choices=MODES),
    Param("n_samples", "-", 1, "Monte Carlo samples per grid point", kind=int, lo=1, hi=10_000_000),
    Param("seed", "-", 0, "seed of the random generator (numpy PCG64)", kind=int, lo=0),
    Param(
        "baseline", "-", None, "route the others are compared with (default: the first)", kind=str
    ),
    Param("compare_kpi", "-", "margin_usd_t", "KPI on which routes are compared", kind=str),
    # at most 100,000 per chunk: a chunk's results (about 200 columns) stay below 0.2 GB
    Param("chunk_cases", "-", 256, "scenarios per result chunk", kind=int, lo=1, hi=100_000),
    Param(
        "out_of_range",
        "-",
        "stop",
        "a scenario whose values break a case's range or consistency rules: stop the "
        "study, reject the scenario (counted), or truncate (draw it again)",
        kind=str,
        choices=OUT_OF_RANGE,
    ),
    Param(
        "risk",
        "-",
        "expected",
        "robust mode: maximise the expected objective or its CVaR",
        kind=str,
        choices=RISKS,
    ),
    Param(
        "cvar_alpha",
        "-",
        0.1,
        "robust mode, risk = cvar: share of worst scenarios averaged",
        lo=0.0,
        lo_open=True,
        hi=1.0,
    ),
    Param(
        "selection",
        "-",
        "enumerate",
        "reoptimize mode: per-scenario choice by enumeration, or by the MILP (shadow prices)",
        kind=str,
        choices=SELECTIONS,
    ),
)

_DIST_PARAMS: dict[str, tuple[Param, ...]] = {
    "normal": (
        Param("mean", "var", REQUIRED, "mean"),
        positive("sd", "var", ..., "standard deviation"),
    ),
    "lognormal": (
        positive("mean", "var", ..., "arithmetic mean"),
        positive("sd", "var", ..., "arithmetic standard deviation"),
    ),
    "triangular": (
        Param("min", "var", ..., "lower limit"),
        Param("mode", "var", ..., "most likely value"),
        Param("max", "var", ..., "upper limit"),
    ),
    "uniform": (Param("min", "var", ..., "lower limit"), Param("max", "var", ..., "upper limit")),
    "empirical": (
        Param(
            "csv", "-", ..., "CSV file of observed values (relative to the study file)", kind=str
        ),
        Param("column", "-", None, "column of the CSV (default: the first)", kind=str),
    ),
}
_COMMON_VAR_PARAMS = (
    Param("dist", "-", None, "distribution", kind=str, choices=DISTRIBUTIONS),
    Param("values", "var", None, "grid values (full factorial with the other grids)", kind=list),
    Param("key", "-", None, "override key set to the value in every route", kind=str),
    Param("unit", "-", "", "unit of the variable, for reports", kind=str),
    Param("doc", "-", "", "meaning and source", kind=str),
    Param("clip_min", "var", None, "values below are clipped to this"),
    Param("clip_max", "var", None, "values above are clipped to this"),
)
_MAP_PARAMS = (
    Param("key", "-", ..., "override key of the route", kind=str),
    Param("scale", "-", 1.0, "key = offset + scale * value"),
    Param("offset", "-", 0.0, "key = offset + scale * value"),
)


def _required(params: tuple[Param, ...]) -> tuple[Param, ...]:
    """The same schema with ``...`` defaults turned into ``REQUIRED`` (shorter tables above)."""
    return tuple(replace(p, default=REQUIRED) if p.default is ... else p for p in params)


_DIST_PARAMS = {k: _required(v) for k, v in _DIST_PARAMS.items()}
_MAP_PARAMS = _required(_MAP_PARAMS)


@dataclass(frozen=True)
class KeyMap:
    """One override key of one route driven by a variable: ``offset + scale * value``."""

    key: str
    scale: float = 1.0
    offset: float = 0.0


@dataclass(frozen=True)
class Variable:
    """A study variable: a distribution (Monte Carlo) or a list of grid values.

    Attributes
    ----------
    name : str
        Column name in the results.
    dist : str or None
        ``normal``, ``lognormal``, ``triangular``, ``uniform``, ``empirical``; None for a grid.
    params : Mapping[str, float]
        Distribution parameters (``mean``, ``sd``, ``min``, ``mode``, ``max``).
    values : tuple of float
        Grid values, or the observations of an ``empirical`` distribution.
    maps : Mapping[str, tuple[KeyMap, ...]]
        Per route, the keys the variable sets.
    unit, doc : str
        For reports.
    clip : tuple of float
        Lower and upper clip (``-inf``, ``inf`` when not given).
    """

    name: str
    dist: str | None
    params: Mapping[str, float]
    values: tuple[float, ...]
    maps: Mapping[str, tuple[KeyMap, ...]]
    unit: str = ""
    doc: str = ""
    clip: tuple[float, float] = (-math.inf, math.inf)

    @property
    def is_grid(self) -> bool:
        """Whether the variable is a grid (not sampled)."""
        return self.dist is None


@dataclass(frozen=True)
class StudySpec:
    """A validated study.

    Attributes
    ----------
    path : str
        Study file ("<api>" when built in Python).
    name, description, mode : str
        From ``[study]``.
    routes : Mapping[str, CaseSpec]
        Route name -> its case (loaded and validated).
    variables : tuple of Variable
        In file order.
    correlation : numpy.ndarray or None
        (n_random, n_random) correlation of the normal scores of the Monte Carlo
        variables, in the order of ``random_names``; None for independent variables.
    n_samples, seed, chunk_cases : int
        Monte Carlo size, seed and scenarios per result chunk.
    baseline, compare_kpi : str
        Route compared against, and the KPI compared.
    sha256 : str
        Hash of everything that determines the results (study content and case hashes).
    """

    path: str
    name: str
    description: str
    mode: str
    routes: Mapping[str, CaseSpec]
    variables: tuple[Variable, ...]
    correlation: np.ndarray | None
    n_samples: int
    seed: int
    chunk_cases: int
    baseline: str
    compare_kpi: str
    sha256: str
    risk: str = "expected"
    cvar_alpha: float = 0.1
    selection: str = "enumerate"
    out_of_range: str = "stop"

    @property
    def random_names(self) -> tuple[str, ...]:
        """Monte Carlo variables, in order."""
        return tuple(v.name for v in self.variables if not v.is_grid)

    @property
    def n_scenarios(self) -> int:
        """Grid points x Monte Carlo samples."""
        n = 1
        for v in self.variables:
            if v.is_grid:
                n *= len(v.values)
        return n * (self.n_samples if self.random_names else 1)


def _economics_keys(case: CaseSpec) -> tuple[str, ...]:
    """Scalar economics figures that may vary per scenario (priced after simulation)."""
    if case.economics is None:
        return ()
    return tuple(
        f"economics.{k}"
        for k, v in case.economics.params.items()
        if isinstance(v, float)
        and k not in ("fixed_usd_h", "capital_fixed_frac_y")  # fixed cost: one figure per case
    )


def scenario_keys(case: CaseSpec) -> tuple[str, ...]:
    """Every key a study variable may set in a route: per-case overrides and economics."""
    from oreflow.flowsheet.compile import compile_case

    return (*compile_case(case).override_keys(), *_economics_keys(case))


def _read_empirical(path: Path, column: str | None, file: str, key: str, problems: list) -> tuple:
    import pandas as pd

    if not path.is_file():
        problems.append(Problem(file, key, f"CSV file {str(path)!r} not found"))
        return ()
    try:
        frame = pd.read_csv(path, encoding="utf-8-sig")
    except (ValueError, OSError, UnicodeDecodeError) as exc:  # pandas' ParserError is a ValueError
        why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        problems.append(Problem(file, key, f"{path.name} is not a readable CSV file: {why}"))
        return ()
    if frame.columns.empty:
        problems.append(Problem(file, key, f"{path.name} has no columns"))
        return ()
    col = column if column is not None else frame.columns[0]
    if col not in frame.columns:
        problems.append(
            Problem(
                file, key, f"no column {col!r} in {path.name}{suggest(col, list(frame.columns))}"
            )
        )
        return ()
    numbers = pd.to_numeric(frame[col], errors="coerce")
    text = frame[col].notna() & numbers.isna()
    if text.any():
        row = int(text.to_numpy().nonzero()[0][0])
        problems.append(
            Problem(
                file,
                key,
                f"{path.name} column {col!r}: {int(text.sum())} cell(s) are not numbers, first "
                f"at data row {row + 1}: {frame[col].iloc[row]!r}",
            )
        )
        return ()
    data = pd.to_numeric(frame[col], errors="coerce").dropna().to_numpy(dtype=float)
    if data.size < 2:
        problems.append(
            Problem(file, key, f"column {col!r} of {path.name} has fewer than 2 numbers")
        )
        return ()
    return tuple(float(x) for x in data)


def _check_dist(name: str, dist: str, p: Mapping[str, Any], file: str, problems: list) -> None:
    pre = f"variables.{name}"
    triangle = dist == "triangular" and {"min", "mode", "max"} <= set(p)
    if triangle and (not p["min"] <= p["mode"] <= p["max"] or p["min"] == p["max"]):
        problems.append(Problem(file, f"{pre}.mode", "needs min <= mode <= max and min < max"))
    if dist == "uniform" and {"min", "max"} <= set(p) and not p["min"] < p["max"]:
        problems.append(Problem(file, f"{pre}.max", "must be greater than min"))


def _variable(
    name: str,
    raw: Any,
    routes: Mapping[str, CaseSpec],
    route_keys: Mapping[str, set[str]],
    base: Path,
    file: str,
    problems: list[Problem],
) -> Variable | None:
    pre = f"variables.{name}."
    if not isinstance(raw, Mapping):
        problems.append(Problem(file, pre[:-1], "must be a table"))
        return None
    n_before = len(problems)  # a key refused below has no entry: nothing is built then
    dist = raw.get("dist")
    dist_params = _DIST_PARAMS.get(dist, ()) if isinstance(dist, str) else ()
    common = validate_table(
        {k: v for k, v in raw.items() if k not in {p.name for p in dist_params}},
        _COMMON_VAR_PARAMS,
        file=file,
        prefix=pre,
        problems=problems,
        extra_keys=("routes",),
    )
    given = {k: v for k, v in raw.items() if k in {p.name for p in dist_params}}
    params = validate_table(given, dist_params, file=file, prefix=pre, problems=problems)
    if len(problems) > n_before:
        # the keys it maps are still checked, so that every problem is told at once
        _maps(name, common.get("key"), raw.get("routes"), routes, route_keys, file, problems)
        return None
    if (common.get("dist") is None) == (common.get("values") is None):
        problems.append(
            Problem(file, pre[:-1], "give either dist (Monte Carlo) or values (a grid), not both")
        )
    values: tuple[float, ...] = tuple(common.get("values") or ())
    if common.get("values") is not None and not values:
        problems.append(Problem(file, f"{pre}values", "must list at least one value"))
    if isinstance(dist, str) and dist in _DIST_PARAMS:
        _check_dist(name, dist, params, file, problems)
        if dist == "empirical" and "csv" in params:
            values = _read_empirical(
                base / params.pop("csv"), params.pop("column", None), file, f"{pre}csv", problems
            )
    maps = _maps(name, common.get("key"), raw.get("routes"), routes, route_keys, file, problems)
    if len(problems) > n_before or maps is None:
        return None
    lo = common["clip_min"] if common["clip_min"] is not None else -math.inf
    hi = common["clip_max"] if common["clip_max"] is not None else math.inf
    return Variable(
        name,
        common.get("dist"),
        {k: float(v) for k, v in params.items() if isinstance(v, float)},
        values,
        maps,
        common["unit"],
        common["doc"],
        (lo, hi),
    )


def _maps(
    name: str,
    key: str | None,
    raw_routes: Any,
    routes: Mapping[str, CaseSpec],
    route_keys: Mapping[str, set[str]],
    file: str,
    problems: list[Problem],
) -> dict[str, tuple[KeyMap, ...]] | None:
    pre = f"variables.{name}"
    if (key is None) == (raw_routes is None):
        problems.append(
            Problem(file, pre, "give either key (same key in every route) or a routes table")
        )
        return None
    out: dict[str, tuple[KeyMap, ...]] = {}
    if key is not None:
        for route in routes:
            if key not in route_keys[route]:
                problems.append(
                    Problem(
                        file,
                        f"{pre}.key",
                        f"{key!r} is not a per-scenario key of route {route!r}"
                        f"{suggest(key, sorted(route_keys[route]))}",
                    )
                )
                return None
            out[route] = (KeyMap(key),)
        return out
    if not isinstance(raw_routes, Mapping):
        problems.append(Problem(file, f"{pre}.routes", "must be a table route = [{key = ...}]"))
        return None
    for route, entries in raw_routes.items():
        if route not in routes:
            problems.append(
                Problem(
                    file, f"{pre}.routes.{route}", f"unknown route{suggest(route, list(routes))}"
                )
            )
            continue
        if isinstance(entries, Mapping):
            entries = [entries]
        if not isinstance(entries, list) or not entries:
            problems.append(
                Problem(file, f"{pre}.routes.{route}", "must be a list of {key, scale, offset}")
            )
            continue
        maps = []
        for i, entry in enumerate(entries):
            where = f"{pre}.routes.{route}[{i}]."
            if not isinstance(entry, Mapping):
                problems.append(Problem(file, where[:-1], "must be a table {key, scale, offset}"))
                continue
            m = validate_table(entry, _MAP_PARAMS, file=file, prefix=where, problems=problems)
            if "key" not in m:
                continue
            if m["key"] not in route_keys[route]:
                problems.append(
                    Problem(
                        file,
                        f"{where}key",
                        f"{m['key']!r} is not a per-scenario key of route {route!r}"
                        f"{suggest(m['key'], sorted(route_keys[route]))}",
                    )
                )
                continue
            maps.append(KeyMap(m["key"], m["scale"], m["offset"]))
        out[route] = tuple(maps)
    return out


def _correlation(
    raw: Any, variables: list[Variable], file: str, problems: list[Problem]
) -> np.ndarray | None:
    if raw is None:
        return None
    random = [v.name for v in variables if not v.is_grid]
    if not isinstance(raw, Mapping) or set(raw) - {"variables", "matrix"}:
        problems.append(Problem(file, "correlation", "must be a table with variables and matrix"))
        return None
    names, matrix = raw.get("variables"), raw.get("matrix")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        problems.append(Problem(file, "correlation.variables", "must be a list of variable names"))
        return None
    bad = [n for n in names if n not in random]
    if bad or len(set(names)) != len(names):
        problems.append(
            Problem(
                file,
                "correlation.variables",
                f"{bad or names} must be distinct Monte Carlo variables (not grids): {random}",
            )
        )
        return None
    try:
        m = np.array(matrix, dtype=float)
    except (TypeError, ValueError):
        m = np.zeros(0)
    k = len(names)
    if m.shape != (k, k):
        problems.append(
            Problem(file, "correlation.matrix", f"must be a {k} x {k} matrix of numbers")
        )
        return None
    if not np.allclose(m, m.T) or not np.allclose(np.diag(m), 1.0) or np.abs(m).max() > 1.0:
        problems.append(
            Problem(file, "correlation.matrix", "must be symmetric, 1 on the diagonal, in [-1, 1]")
        )
        return None
    if np.linalg.eigvalsh(m).min() <= 0.0:
        problems.append(Problem(file, "correlation.matrix", "must be positive definite"))
        return None
    full = np.eye(len(random))
    idx = [random.index(n) for n in names]
    full[np.ix_(idx, idx)] = m
    return full


def _check_optimizing(
    head: Mapping[str, Any],
    raw_head: Any,
    routes: Mapping[str, CaseSpec],
    variables: list[Variable],
    file: str,
    problems: list[Problem],
) -> None:
    """Checks of the optimizing modes: every route optimizable, no variable on a decision."""
    mode = head.get("mode")
    raw_head = raw_head if isinstance(raw_head, Mapping) else {}
    if mode != "robust":
        for key in ("risk", "cvar_alpha"):
            if key in raw_head:
                problems.append(Problem(file, f"study.{key}", "only used by mode = 'robust'"))
    if mode != "reoptimize" and "selection" in raw_head:
        problems.append(Problem(file, "study.selection", "only used by mode = 'reoptimize'"))
    if mode not in OPTIMIZING_MODES:
        return
    senses = set()
    for route, case in routes.items():
        opt = case.optimization
        if opt is None:
            problems.append(
                Problem(
                    file,
                    f"routes.{route}",
                    f"mode {mode!r} chooses each route's modes and ore rate, but this case has "
                    "no [units.NAME.modes], [constraints] or [objective] (see oreflow optimize)",
                )
            )
            continue
        senses.add(opt.sense)
        decided = {a.key for a in opt.axes} | {f"{o.name}.rate_tph" for o in case.ores}
        for var in variables:
            for m in var.maps.get(route, ()):
                if m.key in decided:
                    problems.append(
                        Problem(
                            file,
                            f"variables.{var.name}",
                            f"{m.key!r} is a decision of route {route!r} in mode {mode!r} "
                            "(a mode axis or the ore rate), not a scenario variable",
                        )
                    )
    if mode == "robust" and len(senses) > 1:
        problems.append(
            Problem(
                file,
                "routes",
                "mode 'robust' compares routes on their objective: all must maximize, or all minimize",
            )
        )


def study_from_dict(data: Mapping[str, Any], *, path: str | Path | None = None) -> StudySpec:
    """Validate a study given as a dict (the TOML layout); raise ``CaseError`` listing every problem.

    Parameters
    ----------
    data : Mapping
        ``{"study": {...}, "routes": {...}, "variables": {...}, "correlation": {...}}``.
        Route values are case file paths (relative to ``path``'s folder) or ``CaseSpec``.
    path : str or Path, optional
        The study file, for messages and relative paths; default ``"<api>"`` (the cwd).
    """
    file = str(path) if path is not None else "<api>"
    base = Path(path).resolve().parent if path is not None else Path.cwd()
    problems: list[Problem] = []
    for section in set(data) - {"study", "routes", "variables", "correlation"}:
        problems.append(
            Problem(
                file,
                section,
                f"unknown section{suggest(section, ['study', 'routes', 'variables', 'correlation'])}",
            )
        )
    head = validate_table(
        data.get("study", {}), STUDY_PARAMS, file=file, prefix="study.", problems=problems
    )
    routes: dict[str, CaseSpec] = {}
    raw_routes = data.get("routes")
    if not isinstance(raw_routes, Mapping) or not raw_routes:
        problems.append(Problem(file, "routes", "give at least one route: name = 'case.toml'"))
        raw_routes = {}
    for route, where in raw_routes.items():
        if isinstance(where, CaseSpec):
            routes[route] = where
            continue
        if not isinstance(where, str | Path):
            problems.append(Problem(file, f"routes.{route}", "must be a case file path"))
            continue
        case_path = (base / where).resolve()
        if not case_path.is_file():
            problems.append(Problem(file, f"routes.{route}", f"case file {str(where)!r} not found"))
            continue
        try:
            routes[route] = load_case(case_path)
        except CaseError as exc:
            problems.extend(exc.problems)
    route_keys = {r: set(scenario_keys(c)) for r, c in routes.items()}
    variables = []
    raw_vars = data.get("variables", {})
    if not isinstance(raw_vars, Mapping):
        problems.append(Problem(file, "variables", "must be a table of [variables.NAME] tables"))
        raw_vars = {}
    for name, raw in raw_vars.items():
        if name in ("scenario", "route", "grid_point", "sample"):
            problems.append(Problem(file, f"variables.{name}", "reserved column name"))
            continue
        var = _variable(name, raw, routes, route_keys, base, file, problems)
        if var is not None:
            variables.append(var)
    correlation = _correlation(data.get("correlation"), variables, file, problems)
    _check_optimizing(head, data.get("study", {}), routes, variables, file, problems)
    baseline = head.get("baseline") or next(iter(routes), "")
    if routes and baseline not in routes:
        problems.append(
            Problem(file, "study.baseline", f"unknown route{suggest(baseline, list(routes))}")
        )
    if problems:
        raise CaseError(problems)
    digest = hashlib.sha256(
        json.dumps(
            {
                "data": {k: v for k, v in data.items() if k != "routes"},
                "routes": {r: c.sha256 for r, c in routes.items()},
                "empirical": {v.name: v.values for v in variables},
            },
            sort_keys=True,
            default=str,
        ).encode()
    ).hexdigest()
    return StudySpec(
        path=file,
        name=head.get("name") or (Path(path).stem if path is not None else "study"),
        description=head["description"],
        mode=head["mode"],
        routes=routes,
        variables=tuple(variables),
        correlation=correlation,
        n_samples=head["n_samples"],
        seed=head["seed"],
        chunk_cases=head["chunk_cases"],
        baseline=baseline,
        compare_kpi=head["compare_kpi"],
        sha256=digest,
        risk=head["risk"],
        cvar_alpha=head["cvar_alpha"],
        selection=head["selection"],
        out_of_range=head["out_of_range"],
    )


def load_study(path: str | Path) -> StudySpec:
    """Read and validate a study file (``CaseError`` lists every problem)."""
    from oreflow.flowsheet.case import read_text_file

    file = str(path)
    text = read_text_file(path, "study file")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CaseError([Problem(file, "", f"not valid TOML: {exc}")]) from None
    return study_from_dict(data, path=path)

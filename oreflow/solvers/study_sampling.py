"""Study scenarios: sampling (grids x Monte Carlo) and the check of every draw.

Grid variables form a full factorial; every grid point gets the same ``n_samples``
Monte Carlo draws (common random numbers, so grid points differ only by the grid).
Monte Carlo variables are drawn by a **Gaussian copula**: independent standard normals
``e`` from ``numpy.random.default_rng(seed)`` (PCG64), correlated as ``z = e @ L.T`` with
``L`` the Cholesky factor of the study's correlation matrix, turned into uniforms
``u = Phi(z)`` and into values by each marginal's inverse CDF:

- ``normal(mean, sd)``: ``mean + sd * z``;
- ``lognormal(mean, sd)`` (arithmetic mean and sd of the variable):
  ``exp(mu + s z)`` with ``s^2 = ln(1 + (sd/mean)^2)``, ``mu = ln(mean) - s^2 / 2``;
- ``triangular(min, mode, max)`` and ``uniform(min, max)``: closed-form inverse CDFs;
- ``empirical`` (a CSV column, e.g. block-model grades): the inverse empirical CDF,
  ``sorted(x)[floor(u n)]`` (a bootstrap that keeps the correlation).

The correlation matrix is that of the normal scores ``z``; the rank (Spearman) correlation
of the values is ``(6/pi) asin(rho/2)``, within 0.02 of ``rho``. Optional ``clip_min`` /
``clip_max`` clip the values (for physical bounds such as fractions).

Draws outside a parameter's range
---------------------------------
Every route's values of every scenario pass the case file's own range and consistency
rules (``CompiledPlant.check_overrides``; economics figures their ``[economics]``
ranges) before the first scenario runs. The study's ``out_of_range`` says what a
scenario breaking one gets: ``stop`` (the default: an error naming the study, route,
key, scenario and its values), ``reject`` (the scenario is left out and counted) or
``truncate`` (its Monte Carlo draws are drawn again, from a stream of their own, until
they pass: a sample of the distribution truncated to the valid region, correlation
kept). ``meta["out_of_range"]`` reports how many scenarios each affected.
"""

from __future__ import annotations

import itertools
import math
import re
from typing import Any

import numpy as np
import pandas as pd

from oreflow.errors import CaseError, Problem
from oreflow.flowsheet.study import StudySpec, Variable

_CASE_COUNT = re.compile(r":? (\d+ of \d+ cases, )?(first )?case \d+ = \S+$")
#: Rounds of redrawing (``truncate``) before a range is judged to exclude the distribution.
MAX_REDRAW_ROUNDS = 100


def _phi(z: np.ndarray) -> np.ndarray:
    """Standard normal CDF (no scipy)."""
    erfc = np.frompyfunc(math.erfc, 1, 1)
    return 0.5 * erfc(-np.asarray(z, dtype=float) / math.sqrt(2.0)).astype(float)


def _inverse_cdf(var: Variable, z: np.ndarray) -> np.ndarray:
    p = var.params
    if var.dist == "normal":
        x = p["mean"] + p["sd"] * z
    elif var.dist == "lognormal":
        s2 = math.log1p((p["sd"] / p["mean"]) ** 2)
        x = np.exp(math.log(p["mean"]) - s2 / 2.0 + math.sqrt(s2) * z)
    else:
        u = np.clip(_phi(z), 0.0, np.nextafter(1.0, 0.0))
        if var.dist == "uniform":
            x = p["min"] + u * (p["max"] - p["min"])
        elif var.dist == "triangular":
            a, c, b = p["min"], p["mode"], p["max"]
            fc = (c - a) / (b - a)
            x = np.where(
                u < fc,
                a + np.sqrt(u * (b - a) * (c - a)),
                b - np.sqrt((1.0 - u) * (b - a) * (b - c)),
            )
        else:  # empirical: inverse empirical CDF
            data = np.sort(np.asarray(var.values))
            x = data[np.minimum((u * data.size).astype(np.int64), data.size - 1)]
    return np.clip(x, *var.clip)


def _draw(spec: StudySpec, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """``n`` correlated draws of every Monte Carlo variable."""
    randoms = [v for v in spec.variables if not v.is_grid]
    e = rng.standard_normal((n, len(randoms)))
    if spec.correlation is not None:
        e = e @ np.linalg.cholesky(spec.correlation).T
    return {v.name: _inverse_cdf(v, e[:, j]) for j, v in enumerate(randoms)}


def sample(spec: StudySpec) -> pd.DataFrame:
    """Scenario table: one row per scenario, one column per variable, index ``scenario``.

    Same seed, same table (numpy's PCG64 stream is stable across versions for
    ``standard_normal``). Columns ``grid_point`` and ``sample`` locate each row.
    """
    grids = [v for v in spec.variables if v.is_grid]
    randoms = [v for v in spec.variables if not v.is_grid]
    n_mc = spec.n_samples if randoms else 1
    points = list(itertools.product(*(v.values for v in grids))) or [()]
    drawn = _draw(spec, np.random.default_rng(spec.seed), n_mc)
    n = len(points) * n_mc
    cols: dict[str, np.ndarray] = {
        "grid_point": np.repeat(np.arange(len(points)), n_mc),
        "sample": np.tile(np.arange(n_mc), len(points)),
    }
    for v in spec.variables:
        if v.is_grid:
            j = grids.index(v)
            cols[v.name] = np.repeat(np.array([pt[j] for pt in points], dtype=float), n_mc)
        else:
            cols[v.name] = np.tile(drawn[v.name], len(points))
    frame = pd.DataFrame(cols, index=pd.RangeIndex(n, name="scenario"))
    return frame


def route_overrides(spec: StudySpec, route: str, scenarios: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per-case override arrays of one route (``ore.*``, ``units.*`` and ``economics.*`` keys).

    A key set by several variables gets the sum of their ``offset + scale * value``.
    """
    out: dict[str, np.ndarray] = {}
    for v in spec.variables:
        for m in v.maps.get(route, ()):
            value = m.offset + m.scale * scenarios[v.name].to_numpy(dtype=float)
            out[m.key] = out[m.key] + value if m.key in out else value  # contributions add
    return out


def _economics_bad(case: Any, key: str, values: np.ndarray) -> np.ndarray:
    """Mask of economics figures outside their ``[economics]`` range."""
    from oreflow.flowsheet.economics import ECONOMICS_PARAMS
    from oreflow.flowsheet.values import out_of_range

    name = key.removeprefix("economics.")
    p = next((p for p in ECONOMICS_PARAMS if p.name == name), None)
    return ~np.isfinite(values) if p is None else out_of_range(p, values)


def check_scenarios(spec: StudySpec, scenarios: pd.DataFrame) -> tuple[np.ndarray, list[Problem]]:
    """Mask of the scenarios any route's rules refuse, and one problem per route and rule.

    Each problem names the study file, the route, and (in its message) the case file,
    the key, the first bad scenario and the values of its variables.
    """
    from oreflow.flowsheet.compile import compile_case

    n = len(scenarios)
    bad = np.zeros(n, dtype=bool)
    problems: list[Problem] = []
    names = [v.name for v in spec.variables]
    for route, case in spec.routes.items():
        over = route_overrides(spec, route, scenarios)
        sim_over = {k: v for k, v in over.items() if not k.startswith("economics.")}
        route_bad = np.zeros(n, dtype=bool)
        found: list[Problem] = []
        if sim_over:
            result = compile_case(case).check_overrides(n, sim_over)
            route_bad |= result.bad
            found += list(result.problems)
        for key, values in over.items():
            if key.startswith("economics."):
                mask = _economics_bad(case, key, values)
                if mask.any():
                    route_bad |= mask
                    found.append(Problem(case.path, key, "out of its [economics] range"))
        if not found:
            continue
        first = int(np.flatnonzero(route_bad)[0])
        label = int(scenarios.index[first])
        row = scenarios.iloc[first]
        values = ", ".join(f"{c} = {row[c]:g}" for c in names)
        for p in found:
            # the batch's own "k of n cases, first case i = v" is said in scenario terms
            what = _CASE_COUNT.sub("", p.message)
            problems.append(
                Problem(
                    spec.path,
                    f"routes.{route}",
                    f"{p.file}: {p.key}: {what}: first at scenario {label} ({values}); "
                    f"{int(route_bad.sum())} of {n} scenarios",
                )
            )
        bad |= route_bad
    return bad, problems


def screened_sample(spec: StudySpec) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The scenario table after the study's ``out_of_range`` policy, and what it did.

    Returns
    -------
    scenarios : pandas.DataFrame
        As ``sample``; with ``reject``, without the refused scenarios (their index
        labels are kept, so a scenario keeps its number).
    info : dict
        ``policy``, ``scenarios_out_of_range`` (refused at the first draw),
        ``scenarios_rejected``, ``draws_redrawn``.
    """
    scenarios = sample(spec)
    bad, problems = check_scenarios(spec, scenarios)
    info: dict[str, Any] = {
        "policy": spec.out_of_range,
        "scenarios_out_of_range": int(bad.sum()),
        "scenarios_rejected": 0,
        "draws_redrawn": 0,
    }
    if not bad.any():
        return scenarios, info
    hint = (
        "set study.out_of_range = 'reject' (leave such scenarios out) or 'truncate' "
        "(draw them again), or narrow the distribution"
    )
    if spec.out_of_range == "stop":
        raise CaseError([*problems, Problem(spec.path, "study.out_of_range", hint)])
    if spec.out_of_range == "reject":
        info["scenarios_rejected"] = int(bad.sum())
        kept = scenarios[~bad]
        if kept.empty:
            raise CaseError(
                [*problems, Problem(spec.path, "variables", "every scenario is out of range")]
            )
        return kept, info
    return _truncate(spec, scenarios, bad, problems, info)


def _truncate(
    spec: StudySpec,
    scenarios: pd.DataFrame,
    bad: np.ndarray,
    problems: list[Problem],
    info: dict[str, Any],
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Draw the Monte Carlo samples of bad scenarios again until every scenario passes.

    A sample is shared by every grid point (common random numbers), so a sample bad at
    any grid point is redrawn at all of them. A grid value out of range cannot be
    redrawn: that stops the study.
    """
    randoms = [v.name for v in spec.variables if not v.is_grid]
    rng = np.random.default_rng([spec.seed, 1])  # a stream of its own: the first draws stay
    sample_of = scenarios["sample"].to_numpy()
    for _ in range(MAX_REDRAW_ROUNDS):
        ids = np.unique(sample_of[bad])
        if not randoms:
            break
        info["draws_redrawn"] += len(ids)
        fresh = _draw(spec, rng, len(ids))
        rows = np.isin(sample_of, ids)
        pos = np.searchsorted(ids, sample_of[rows])
        for name in randoms:
            col = scenarios[name].to_numpy(copy=True)
            col[rows] = fresh[name][pos]
            scenarios[name] = col
        sub = scenarios[rows]
        sub_bad, problems = check_scenarios(spec, sub)
        bad = np.zeros(len(scenarios), dtype=bool)
        bad[np.flatnonzero(rows)[sub_bad]] = True
        if not bad.any():
            return scenarios, info
    msg = (
        f"after {MAX_REDRAW_ROUNDS} rounds of redrawing some scenarios are still out of "
        "range: the valid range excludes (nearly) all of the distribution, or a grid value "
        "is out of range"
    )
    raise CaseError([*problems, Problem(spec.path, "study.out_of_range", msg)])

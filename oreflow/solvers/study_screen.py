"""A study's draws checked against its cases' rules, block by block, before any scenario runs.

Every route's values of every scenario pass the case file's own range and consistency
rules (``CompiledPlant.check_overrides``; economics figures their ``[economics]``
ranges) before the first scenario runs. The study's ``out_of_range`` says what a
scenario breaking one gets: ``stop`` (the default: an error naming the study, route,
key, scenario and its values), ``reject`` (the scenario is left out and counted) or
``truncate`` (its Monte Carlo draws are drawn again, from a stream of their own, until
they pass: a sample of the distribution truncated to the valid region, correlation
kept). ``meta["out_of_range"]`` reports how many scenarios each affected.

The check reads the scenario table in blocks (``study_sampling.iter_scenarios``) and
keeps only what the policy needs afterwards: the labels of rejected scenarios, or the
redrawn values of the samples drawn again. Memory is bounded by the block and by the
number of refused draws, not by the number of scenarios.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from oreflow.errors import CaseError, Problem
from oreflow.flowsheet.study import StudySpec
from oreflow.solvers.study_sampling import draw, iter_scenarios, route_overrides

_CASE_COUNT = re.compile(r":? (\d+ of \d+ cases, )?(first )?case \d+ = \S+$")
#: Rounds of redrawing (``truncate``) before a range is judged to exclude the distribution.
MAX_REDRAW_ROUNDS = 100
#: Scenarios checked at once: large enough that the per-call cost of the unit checks
#: is small against the rows, small enough to bound memory (64k rows x a few columns).
SCREEN_BLOCK = 65_536


def _economics_bad(key: str, values: np.ndarray) -> np.ndarray:
    """Mask of economics figures outside their ``[economics]`` range."""
    from oreflow.flowsheet.economics import ECONOMICS_PARAMS
    from oreflow.flowsheet.values import out_of_range

    name = key.removeprefix("economics.")
    p = next((p for p in ECONOMICS_PARAMS if p.name == name), None)
    return ~np.isfinite(values) if p is None else out_of_range(p, values)


def _route_findings(
    spec: StudySpec, scenarios: pd.DataFrame
) -> dict[str, tuple[np.ndarray, list[Problem]]]:
    """Per route with a refused scenario: the mask of its refused rows and the rules broken."""
    from oreflow.flowsheet.compile import compile_case

    n = len(scenarios)
    out: dict[str, tuple[np.ndarray, list[Problem]]] = {}
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
                mask = _economics_bad(key, values)
                if mask.any():
                    route_bad |= mask
                    found.append(Problem(case.path, key, "out of its [economics] range"))
        if found:
            out[route] = (route_bad, found)
    return out


@dataclass
class _Tally:
    """What the check found over every block: per route, the first refused scenario."""

    spec: StudySpec
    n: int = 0
    bad_labels: list[np.ndarray] = field(default_factory=list)
    first: dict[str, tuple[int, str]] = field(default_factory=dict)
    count: dict[str, int] = field(default_factory=dict)
    rules: dict[str, dict[str, Problem]] = field(default_factory=dict)

    def add(self, scenarios: pd.DataFrame) -> np.ndarray:
        """Check one block; returns its mask of refused rows."""
        self.n += len(scenarios)
        bad = np.zeros(len(scenarios), dtype=bool)
        names = [v.name for v in self.spec.variables]
        for route, (route_bad, found) in _route_findings(self.spec, scenarios).items():
            bad |= route_bad
            self.count[route] = self.count.get(route, 0) + int(route_bad.sum())
            if route not in self.first:
                i = int(np.flatnonzero(route_bad)[0])
                row = scenarios.iloc[i]
                values = ", ".join(f"{c} = {row[c]:g}" for c in names)
                self.first[route] = (int(scenarios.index[i]), values)
            rules = self.rules.setdefault(route, {})
            for p in found:
                # the batch's own "k of n cases, first case i = v" is said in scenario terms
                rules.setdefault(f"{p.file}: {p.key}: {_CASE_COUNT.sub('', p.message)}", p)
        if bad.any():
            self.bad_labels.append(scenarios.index.to_numpy()[bad])
        return bad

    def problems(self) -> list[Problem]:
        """One problem per route and rule, naming the first refused scenario and the count."""
        out = []
        for route, rules in self.rules.items():
            label, values = self.first[route]
            for what in rules:
                out.append(
                    Problem(
                        self.spec.path,
                        f"routes.{route}",
                        f"{what}: first at scenario {label} ({values}); "
                        f"{self.count[route]} of {self.n} scenarios",
                    )
                )
        return out

    def labels(self) -> np.ndarray:
        """Sorted labels of every refused scenario."""
        if not self.bad_labels:
            return np.zeros(0, dtype=np.int64)
        return np.sort(np.concatenate(self.bad_labels))


def check_scenarios(spec: StudySpec, scenarios: pd.DataFrame) -> tuple[np.ndarray, list[Problem]]:
    """Mask of the scenarios any route's rules refuse, and one problem per route and rule.

    Each problem names the study file, the route, and (in its message) the case file,
    the key, the first bad scenario and the values of its variables.
    """
    tally = _Tally(spec)
    bad = tally.add(scenarios)
    return bad, tally.problems()


@dataclass(frozen=True)
class Screen:
    """The study's ``out_of_range`` policy, as applied to any block of the scenario table.

    Attributes
    ----------
    rejected : numpy.ndarray
        Sorted labels of the scenarios left out (``reject``).
    redrawn_ids : numpy.ndarray
        Sorted Monte Carlo sample numbers drawn again (``truncate``).
    redrawn : dict of str to numpy.ndarray
        Their new values, per Monte Carlo variable, in the order of ``redrawn_ids``.
    info : dict
        ``policy``, ``scenarios_out_of_range`` (refused at the first draw),
        ``scenarios_rejected``, ``draws_redrawn``.
    """

    rejected: np.ndarray
    redrawn_ids: np.ndarray
    redrawn: dict[str, np.ndarray]
    info: dict[str, Any]

    def apply(self, scenarios: pd.DataFrame) -> pd.DataFrame:
        """A block of ``sample``'s table after the policy (refused rows out or redrawn)."""
        if self.redrawn_ids.size:
            sample_of = scenarios["sample"].to_numpy()
            pos = np.searchsorted(self.redrawn_ids, sample_of)
            pos = np.minimum(pos, self.redrawn_ids.size - 1)
            rows = self.redrawn_ids[pos] == sample_of
            if rows.any():
                scenarios = scenarios.copy()
                for name, values in self.redrawn.items():
                    col = scenarios[name].to_numpy(copy=True)
                    col[rows] = values[pos[rows]]
                    scenarios[name] = col
        if self.rejected.size:
            keep = ~np.isin(scenarios.index.to_numpy(), self.rejected)
            if not keep.all():
                scenarios = scenarios[keep]
        return scenarios

    def n_rejected_in(self, lo: int, hi: int) -> int:
        """Scenarios with labels in ``[lo, hi)`` left out."""
        return int(np.searchsorted(self.rejected, hi) - np.searchsorted(self.rejected, lo))


def screen(spec: StudySpec, block: int = SCREEN_BLOCK) -> Screen:
    """Check every draw of every route, block by block; apply the study's ``out_of_range``.

    ``stop`` raises ``CaseError`` (one problem per route and rule); ``reject`` notes
    the refused scenarios; ``truncate`` draws their Monte Carlo samples again.
    """
    tally = _Tally(spec)
    samples: list[np.ndarray] = []
    for scenarios in iter_scenarios(spec, block):
        bad = tally.add(scenarios)
        if bad.any():
            samples.append(scenarios["sample"].to_numpy()[bad])
    bad_labels = tally.labels()
    info: dict[str, Any] = {
        "policy": spec.out_of_range,
        "scenarios_out_of_range": int(bad_labels.size),
        "scenarios_rejected": 0,
        "draws_redrawn": 0,
    }
    none = np.zeros(0, dtype=np.int64)
    if not bad_labels.size:
        return Screen(none, none, {}, info)
    problems = tally.problems()
    hint = (
        "set study.out_of_range = 'reject' (leave such scenarios out) or 'truncate' "
        "(draw them again), or narrow the distribution"
    )
    if spec.out_of_range == "stop":
        raise CaseError([*problems, Problem(spec.path, "study.out_of_range", hint)])
    if spec.out_of_range == "reject":
        if bad_labels.size == spec.n_scenarios:
            raise CaseError(
                [*problems, Problem(spec.path, "variables", "every scenario is out of range")]
            )
        info["scenarios_rejected"] = int(bad_labels.size)
        return Screen(bad_labels, none, {}, info)
    ids, values = _truncate(spec, np.unique(np.concatenate(samples)), problems, info)
    return Screen(none, ids, values, info)


def _sample_rows(spec: StudySpec, ids: np.ndarray, values: dict[str, np.ndarray]) -> pd.DataFrame:
    """Rows of every grid point for Monte Carlo samples ``ids`` with the given values."""
    grids = [v for v in spec.variables if v.is_grid]
    points = list(itertools.product(*(v.values for v in grids))) or [()]
    n_mc = spec.n_samples
    gp = np.repeat(np.arange(len(points)), ids.size)
    sample = np.tile(ids, len(points))
    cols: dict[str, np.ndarray] = {"grid_point": gp, "sample": sample}
    for v in spec.variables:
        if v.is_grid:
            j = grids.index(v)
            cols[v.name] = np.repeat(np.array([pt[j] for pt in points], dtype=float), ids.size)
        else:
            cols[v.name] = np.tile(values[v.name], len(points))
    frame = pd.DataFrame(cols, index=pd.Index(gp * n_mc + sample, name="scenario"))
    return frame.sort_index()


def _truncate(
    spec: StudySpec, ids: np.ndarray, problems: list[Problem], info: dict[str, Any]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """New draws for the Monte Carlo samples ``ids`` (sorted), until every scenario passes.

    A sample is shared by every grid point (common random numbers), so a sample bad at
    any grid point is redrawn at all of them. A grid value out of range cannot be
    redrawn: that stops the study.
    """
    randoms = [v.name for v in spec.variables if not v.is_grid]
    if not randoms:
        return _give_up(spec, problems)
    rng = np.random.default_rng([spec.seed, 1])  # a stream of its own: the first draws stay
    all_ids = ids
    values = {name: np.zeros(ids.size) for name in randoms}
    for _ in range(MAX_REDRAW_ROUNDS):
        info["draws_redrawn"] += len(ids)
        fresh = draw(spec, rng, len(ids))
        pos = np.searchsorted(all_ids, ids)
        for name in randoms:
            values[name][pos] = fresh[name]
        rows = _sample_rows(spec, ids, fresh)
        tally = _Tally(spec)
        bad = tally.add(rows)
        if not bad.any():
            return all_ids, values
        problems = tally.problems()
        ids = np.unique(rows["sample"].to_numpy()[bad])
    return _give_up(spec, problems)


def _give_up(spec: StudySpec, problems: list[Problem]) -> Any:
    msg = (
        f"after {MAX_REDRAW_ROUNDS} rounds of redrawing some scenarios are still out of "
        "range: the valid range excludes (nearly) all of the distribution, or a grid value "
        "is out of range"
    )
    raise CaseError([*problems, Problem(spec.path, "study.out_of_range", msg)])


def iter_screened(spec: StudySpec, screened: Screen, block: int) -> Iterator[pd.DataFrame]:
    """The scenario table after the policy, in blocks of ``block`` labels (some may be empty)."""
    for scenarios in iter_scenarios(spec, block):
        yield screened.apply(scenarios)


def screened_sample(spec: StudySpec) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The whole scenario table after the study's ``out_of_range`` policy, and what it did.

    Returns
    -------
    scenarios : pandas.DataFrame
        As ``sample``; with ``reject``, without the refused scenarios (their index
        labels are kept, so a scenario keeps its number).
    info : dict
        ``policy``, ``scenarios_out_of_range``, ``scenarios_rejected``, ``draws_redrawn``.
    """
    screened = screen(spec)
    frames = list(iter_screened(spec, screened, max(spec.n_scenarios, 1)))
    return frames[0], screened.info

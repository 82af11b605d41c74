"""The data of the selection problem: columns of a mode grid, ore sources, split decisions.

One problem covers every optimization of a case (module ``blend`` states the model): a
column is one route and mode combination carrying the whole plant's coefficients; its
decisions are the rate of each ore source and the tonnage sent to each decision outlet
of a splitter. The single-source selection is its one-source case (``one_source``). This
module holds the data and what numpy alone decides on it: which columns can be
optimal (``usable``, ``prune_blend``), and the rows of the model as arrays.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from oreflow.flowsheet.optimization import RATIO_FIGURES, Limit, is_extensive
from oreflow.solvers.highs import SolveStatus


@dataclass(frozen=True)
class BlendProblem:
    """Data of the blend MILP over n columns and S ore sources.

    Attributes
    ----------
    sources : tuple of str
        Ore source names (``ore.NAME``).
    derivatives : Mapping[str, numpy.ndarray]
        Extensive figures: (n, S) coefficient per tonne of each source.
    values : Mapping[str, numpy.ndarray]
        Intensive figures: (n,) value at the tabulated blend.
    source_min, source_max : (S,) numpy.ndarray
        Rate bounds of each source [t/h].
    x_min, x_max : float
        Bounds on the total ore rate [t/h].
    limits : tuple of Limit
        Every limit; those named in ``ratios`` are rows, other intensive ones filters.
    ratios : Mapping[str, tuple[str, str]]
        Intensive figure -> (numerator, denominator) extensive figures.
    destinations : tuple of str
        Residue destinations whose tonnage is a decision (sinks fed by the residue
        splitter, all but the reference storage sink, which takes the rest).
    destination_coefficients : Mapping[str, numpy.ndarray]
        Extensive figures: (n, D) change per tonne of residue sent to each destination
        instead of the reference storage.
    residue_per_t : (n, S) numpy.ndarray or None
        With one splitter whose feed depends on the rates only: its feed per tonne of
        each source [t/t] (shorthand for ``group_feed``).
    destination_ok : (n, D) bool numpy.ndarray or None
        Whether each column's residue is eligible at each destination.
    destination_group : tuple of int
        Which splitter (group) each destination belongs to (default: all one group).
    per_sink : Mapping[str, tuple of str]
        Intensive KPIs judged per discharge -> the per-sink ratio figures (in
        ``ratios``) whose highest they are; a limit on the KPI is one limit per sink
        (``expand``).
    constants : Mapping[str, float or numpy.ndarray]
        Extensive figures' parts that do not scale with the rates (the fixed cost): one
        figure for every column, or (n,) per column where the fixed cost follows each
        column's capital (``capital_fixed_frac_y``); ``derivatives`` exclude them.
    closed : (n,) bool numpy.ndarray or None
        Whether each column's simulation closes its balance (``closure_max_rel`` within
        ``simulate.CLOSURE_GATE_REL``); a column that does not is never usable.
    closable : tuple of int
        Sources (indices) that may close: rate zero, or open within their bounds and
        the least scale of the site they alone feed (``site_source``).
    closed_delta : Mapping[str, numpy.ndarray]
        Extensive figures: (n, S) what closing each closable source adds to the model's
        value at the rates with that source at zero (the plant simulated without it,
        less the linear model there: the fixed cost and capital of its site avoided,
        and the blend's curvature); zero for the other sources.
    closed_size : Mapping[str, numpy.ndarray]
        Extensive figures: (n, S) size of the terms ``closed_delta`` is the difference
        of (the plant without the source, the model at the blend, the source's own
        term): what a closed plan's figure is judged against (``model_values``).
    site_source : Mapping[str, int]
        Limit key -> the closable source whose site alone the limit bounds (a least
        scale of a satellite's concentrator): the limit holds only while it is open.
    group_feed : (n, G, S + D) numpy.ndarray or None
        Each splitter's feed [t/h] as a linear function of (rates, tonnages): the
        tonnage sent to a group's decision outlets is at most its feed (its reference
        outlet takes the rest). A train splitter upstream changes the residue made, so
        the feed may depend on other groups' tonnages.
    """

    sources: tuple[str, ...]
    derivatives: Mapping[str, np.ndarray]
    values: Mapping[str, np.ndarray]
    source_min: np.ndarray
    source_max: np.ndarray
    x_min: float
    x_max: float
    limits: tuple[Limit, ...]
    weights: Mapping[str, float]
    sense: str
    ratios: Mapping[str, tuple[str, str]] = field(default_factory=lambda: dict(RATIO_FIGURES))
    mip_rel_gap: float = 1e-6
    time_limit_s: float = 60.0
    destinations: tuple[str, ...] = ()
    destination_coefficients: Mapping[str, np.ndarray] = field(default_factory=dict)
    residue_per_t: np.ndarray | None = None
    destination_ok: np.ndarray | None = None
    destination_group: tuple[int, ...] = ()
    group_feed: np.ndarray | None = None
    per_sink: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    constants: Mapping[str, float | np.ndarray] = field(default_factory=dict)
    closed: np.ndarray | None = None
    closable: tuple[int, ...] = ()
    closed_delta: Mapping[str, np.ndarray] = field(default_factory=dict)
    closed_size: Mapping[str, np.ndarray] = field(default_factory=dict)
    site_source: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def one_source(
        cls,
        coefficients: Mapping[str, np.ndarray],
        x_min: float,
        x_max: float,
        limits: tuple[Limit, ...],
        weights: Mapping[str, float],
        sense: str,
        mip_rel_gap: float = 1e-6,
        time_limit_s: float = 60.0,
        constants: Mapping[str, float | np.ndarray] | None = None,
        source: str = "ore",
    ) -> BlendProblem:
        """The problem with one ore source from (n,) coefficients of every figure.

        Extensive figures' coefficients are per tonne of ore (without their
        ``constants``), intensive ones plain values; every intensive limit is a filter
        (with one source a ratio does not depend on the rate).
        """
        extensive = {k: v for k, v in coefficients.items() if is_extensive(k)}
        return cls(
            (source,),
            {k: np.asarray(v, dtype=np.float64)[:, None] for k, v in extensive.items()},
            {
                k: np.asarray(v, dtype=np.float64)
                for k, v in coefficients.items()
                if k not in extensive
            },
            np.zeros(1),
            np.full(1, np.inf),
            x_min,
            x_max,
            limits,
            weights,
            sense,
            {},
            mip_rel_gap,
            time_limit_s,
            constants=dict(constants or {}),
        )

    def expand(self, lim: Limit) -> tuple[Limit, ...]:
        """A limit as the model's limits: one per sink for a per-discharge KPI."""
        if lim.name not in self.per_sink:
            return (lim,)
        return tuple(Limit(f, lim.sense, lim.value, lim.key) for f in self.per_sink[lim.name])

    def subset(self, idx: np.ndarray) -> BlendProblem:
        """The problem on the columns ``idx`` (a route's, for the route ranking)."""

        def rows(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[idx]

        return dataclasses.replace(
            self,
            derivatives={k: v[idx] for k, v in self.derivatives.items()},
            values={k: v[idx] for k, v in self.values.items()},
            destination_coefficients={k: v[idx] for k, v in self.destination_coefficients.items()},
            residue_per_t=rows(self.residue_per_t),
            destination_ok=rows(self.destination_ok),
            group_feed=rows(self.group_feed),
            closed=rows(self.closed),
            closed_delta={k: v[idx] for k, v in self.closed_delta.items()},
            closed_size={k: v[idx] for k, v in self.closed_size.items()},
            constants={
                k: v[idx] if isinstance(v, np.ndarray) else v for k, v in self.constants.items()
            },
        )

    def patterns(self) -> list[tuple[int, ...]]:
        """Every set of closable sources that may be closed together (the empty set first)."""
        import itertools

        return [
            p
            for k in range(len(self.closable) + 1)
            for p in itertools.combinations(self.closable, k)
        ]

    def with_closed(self, shut: tuple[int, ...]) -> BlendProblem:
        """The problem with the sources ``shut`` closed and the others open (no binaries).

        Closed sources take no ore; their ``closed_delta`` joins the constants and the
        limits of their sites (``site_source``) go.
        """
        lo, hi = self.source_min.copy(), self.source_max.copy()
        lo[list(shut)] = 0.0
        hi[list(shut)] = 0.0
        constants = dict(self.constants)
        sizes = {}
        for name, delta in self.closed_delta.items():
            add = np.nan_to_num(delta[:, list(shut)]).sum(axis=1) if shut else np.zeros(self.n)
            if np.any(add):
                constants[name] = np.asarray(constants.get(name, 0.0)) + add
            if shut and name in self.closed_size:
                sizes[name] = np.nan_to_num(self.closed_size[name][:, list(shut)]).sum(axis=1)
        limits = tuple(lim for lim in self.limits if self.site_source.get(lim.key, -1) not in shut)
        return dataclasses.replace(
            self,
            source_min=lo,
            source_max=hi,
            constants=constants,
            limits=limits,
            closable=(),
            closed_delta={},
            closed_size=sizes,
            site_source={},
        )

    def delta(self, name: str) -> np.ndarray:
        """(n, S) ``closed_delta`` of an extensive figure (zero when none)."""
        if name in self.closed_delta:
            return np.nan_to_num(self.closed_delta[name])
        return np.zeros((self.n, self.n_sources))

    def closed_row(self, lim: Limit) -> np.ndarray:
        """(n, S) what closing each source adds to a row's left-hand side (``row``)."""
        if is_extensive(lim.name):
            return self.delta(lim.name)
        num, den = self.ratios[lim.name]
        return self.delta(num) - lim.value * self.delta(den)

    def closed_objective(self) -> np.ndarray:
        """(n, S) what closing each source adds to the objective."""
        out = np.zeros((self.n, self.n_sources))
        for name, w in self.weights.items():
            if is_extensive(name):
                out = out + w * self.delta(name)
        return out

    def constant(self, name: str, column: int) -> float:
        """The part of an extensive figure that does not scale with the rates, at a column."""
        c = self.constants.get(name, 0.0)
        return float(c[column]) if isinstance(c, np.ndarray) else float(c)

    @property
    def n(self) -> int:
        """Number of columns."""
        first = next(iter({**self.derivatives, **self.values}.values()))
        return int(first.shape[0])

    @property
    def n_sources(self) -> int:
        """Number of ore sources."""
        return len(self.sources)

    @property
    def n_destinations(self) -> int:
        """Number of residue destinations whose tonnage is a decision."""
        return len(self.destinations)

    def dest(self, name: str) -> np.ndarray:
        """(n, D) destination coefficients of an extensive figure (zero when none)."""
        if name in self.destination_coefficients:
            return self.destination_coefficients[name]
        return np.zeros((self.n, self.n_destinations))

    def is_row(self, lim: Limit) -> bool:
        """Whether a limit is a row of the model (extensive or a ratio), not a filter."""
        return is_extensive(lim.name) or lim.name in self.ratios

    def row(self, lim: Limit) -> tuple[np.ndarray, np.ndarray]:
        """(n, S + D) coefficients and (n,) right-hand side (per unit of ``y_j``) of a row.

        Coefficients are on (rates, destination tonnages).
        """
        if is_extensive(lim.name):
            a = np.concatenate([self.derivatives[lim.name], self.dest(lim.name)], axis=1)
            return a, np.full(self.n, lim.value - self.constants.get(lim.name, 0.0))
        num, den = self.ratios[lim.name]
        a_num = np.concatenate([self.derivatives[num], self.dest(num)], axis=1)
        a_den = np.concatenate([self.derivatives[den], self.dest(den)], axis=1)
        # a constant part of either term (a closed source's) moves the right-hand side
        c_num = np.broadcast_to(np.asarray(self.constants.get(num, 0.0)), (self.n,))
        c_den = np.broadcast_to(np.asarray(self.constants.get(den, 0.0)), (self.n,))
        return a_num - lim.value * a_den, -(c_num - lim.value * c_den)

    def objective(self) -> tuple[np.ndarray, np.ndarray]:
        """(n, S + D) objective coefficients and (n,) constants on ``y_j``.

        Coefficients are on (rates, destination tonnages).
        """
        slope = np.zeros((self.n, self.n_sources + self.n_destinations))
        const = np.zeros(self.n)
        for name, w in self.weights.items():
            if is_extensive(name):
                a = np.concatenate([self.derivatives[name], self.dest(name)], axis=1)
                slope = slope + w * a
                const = const + w * self.constants.get(name, 0.0)
            else:
                const = const + w * self.values[name]
        return slope, const

    def group_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """(n, G, S + D) rows ``sum_{d in g} z_d - feed_g(v) <= 0`` and (n, D) eligibility."""
        n, n_src, n_dst = self.n, self.n_sources, self.n_destinations
        ok = self.destination_ok if self.destination_ok is not None else np.ones((n, n_dst), bool)
        if self.group_feed is not None:
            feed = self.group_feed
        elif self.residue_per_t is not None:
            feed = np.concatenate([self.residue_per_t, np.zeros((n, n_dst))], axis=1)[:, None]
        else:
            msg = "a blend problem with destinations needs group_feed or residue_per_t"
            raise ValueError(msg)
        group = self.destination_group or (0,) * n_dst
        rows = -np.array(feed, dtype=np.float64)
        for d, g in enumerate(group):
            rows[:, g, n_src + d] += 1.0
        return rows, ok

    def group_feed_values(self, column: int, v: np.ndarray) -> np.ndarray:
        """(G,) each splitter's feed [t/h] at a column and (rates, tonnages) ``v``."""
        rows, _ = self.group_rows()
        group = self.destination_group or (0,) * self.n_destinations
        member = np.zeros(rows.shape[1:])
        for d, g in enumerate(group):
            member[g, self.n_sources + d] = 1.0
        return np.asarray((member - rows[column]) @ v)

    def denominator(self, name: str, column: int, v: np.ndarray) -> float:
        """Denominator of a ratio figure at a column and (rates, tonnages) ``v``."""
        den = self.ratios[name][1]
        a = np.concatenate([self.derivatives[den][column], self.dest(den)[column]])
        return float(a @ v) + self.constant(den, column)

    def usable(self, *, filters: bool = True) -> np.ndarray:
        """(n,) columns with finite coefficients, no NaN right-hand side, not filtered out.

        A ratio limit excludes a column whose every source violates it on its own: no
        blend of them can meet it (the ratio of a blend lies between its sources').
        Without ``filters`` only the finiteness is checked (the elastic model relaxes
        the filter limits instead).
        """
        ok = np.ones(self.n, dtype=bool) if self.closed is None else self.closed.copy()
        slope, const = self.objective()
        ok &= np.isfinite(slope).all(axis=1) & np.isfinite(const)
        for lim in self.limits:
            if self.is_row(lim):
                a, b = self.row(lim)
                # a NaN right-hand side (a NaN constant part) no plan can be shown to meet
                ok &= np.isfinite(a).all(axis=1) & ~np.isnan(b)
                if filters and lim.name in self.ratios and not self.n_destinations:
                    bad = a > 0 if lim.sense == "max" else a < 0
                    # (with a constant part, a right-hand side the ore's absence meets)
                    none = b < 0 if lim.sense == "max" else b > 0
                    ok &= ~(np.nan_to_num(bad, nan=True).all(axis=1) & (none | (b == 0)))
                continue
            v = self.values[lim.name]
            if filters:
                ok &= v <= lim.value if lim.sense == "max" else v >= lim.value
            else:
                ok &= np.isfinite(v)
        return ok

    def rate_bounds(self) -> tuple[float, float] | None:
        """With one source, the bounds of its rate (source and plant bounds in one).

        One source's rate is the plant's: its own bounds and the plant's are one row
        each way. None with several sources.
        """
        if self.n_sources != 1:
            return None
        lo = max(float(self.source_min[0]), self.x_min)
        hi = min(float(self.source_max[0]), self.x_max)
        return lo, hi


@dataclass(frozen=True)
class BlendResult:
    """What the solve decided (nothing is read from a non-optimal solve)."""

    status: SolveStatus
    objective: float = float("nan")
    column: int = -1
    source_tph: tuple[float, ...] = ()
    bound: float = float("nan")
    duals: Mapping[str, float] = field(default_factory=dict)
    solver: str = ""
    destination_tph: tuple[float, ...] = ()
    seconds: Mapping[str, float] = field(default_factory=dict)  # prune, build, solve, duals
    shut: tuple[int, ...] = ()  # the closable sources the plan closes (indices)

    @property
    def ore_tph(self) -> float:
        """Total ore rate [t/h]."""
        return float(sum(self.source_tph)) if self.source_tph else float("nan")


def dominance_criteria(problem: BlendProblem) -> np.ndarray:
    """(n, k) criteria, larger better, under which a dominated column is never the optimum.

    Every column shares the rate bounds; the variables are non-negative. A row's
    right-hand side per unit of ``y_j`` (``BlendProblem.row``) is the column's own where
    its figure has a constant part per column: the fixed cost where it follows each
    column's capital (a limit, lexicographic level or Pareto epsilon on the margin or a
    cost), a ratio term's constant. So a column whose objective coefficients and
    constant are at least another's, and whose every row is no tighter (an upper row's
    coefficients at most and right-hand side at least the other's; a lower row's the
    other way), with every use eligible where the other's is, does at least as well at
    any point feasible for the other. A right-hand side every column shares tells none
    apart and is left out.

    With one source and no residue decision the criteria are those of
    ``one_rate_criteria`` (sharper, and exact too: they hold each row's right-hand side).
    """
    bounds = problem.rate_bounds() if not problem.n_destinations else None
    if bounds is not None:
        return one_rate_criteria(problem, *bounds)
    sign = 1.0 if problem.sense == "maximize" else -1.0
    slope, const = problem.objective()
    cols = [sign * slope, sign * const[:, None]]
    for lim in problem.limits:
        if problem.is_row(lim):
            a, b = problem.row(lim)
            cols.append(-a if lim.sense == "max" else a)
            if not np.all(b == b[0]):  # the column's own right-hand side: looser is better
                cols.append((b if lim.sense == "max" else -b)[:, None])
    if problem.n_destinations:
        grows, ok = problem.group_rows()
        cols += [-grows.reshape(problem.n, -1), ok.astype(np.float64)]
    if problem.closable:  # what closing each source adds: a constant of the same rows
        cols.append(sign * problem.closed_objective())
        for lim in problem.limits:
            if problem.is_row(lim):
                d = problem.closed_row(lim)
                cols.append(-d if lim.sense == "max" else d)
    return np.ascontiguousarray(np.concatenate(cols, axis=1), dtype=np.float64)


def one_rate_criteria(problem: BlendProblem, lo: float, hi: float) -> np.ndarray:
    """(n, k) dominance criteria of a one-source problem whose rate lies in [lo, hi] [t/h].

    A chosen column's objective and every row's slack (``b - a x`` of an upper row,
    ``a x - b`` of a lower one) are affine in its one rate x, so one column beats or
    equals another at every x of the interval where it does at both ends (at ``lo``
    and, the interval being unbounded, along the slope): it then does at least as well
    at any rate feasible for the other. At a fixed rate (``lo == hi``, the
    superstructure's design rate) each column has one plan, and a column whose plan
    meets every row and has at least another's objective beats it whether or not the
    other's meets them: the criteria are the objective and each row's slack there,
    clipped at zero (a row both plans meet no longer tells them apart; ``prune_blend``
    breaks such ties by ``fixed_rate_slacks``).
    """
    lines = _one_rate_lines(problem)
    if hi == lo:
        cols = [lines[0][0] * lo + lines[0][1]]
        cols += [np.minimum(p * lo + q, 0.0) for p, q in lines[1:]]
    else:
        cols = [c for p, q in lines for c in (p * lo + q, p * hi + q if np.isfinite(hi) else p)]
    return np.ascontiguousarray(np.stack(cols, axis=1), dtype=np.float64)


def _one_rate_lines(problem: BlendProblem) -> list[tuple[np.ndarray, np.ndarray]]:
    """(slope, value at zero rate) of the objective and each row's slack, larger better."""
    sign = 1.0 if problem.sense == "maximize" else -1.0
    slope, const = problem.objective()
    lines = [(sign * slope[:, 0], sign * const)]
    for lim in problem.limits:
        if problem.is_row(lim):
            a, b = problem.row(lim)
            lines.append((-a[:, 0], b) if lim.sense == "max" else (a[:, 0], -b))
    return lines


def fixed_rate_slacks(problem: BlendProblem) -> np.ndarray | None:
    """(n, rows) each row's slack at a one-source problem's fixed rate; else None.

    The tie-break of ``one_rate_criteria`` at a fixed rate: among columns equal in
    objective and in every clipped slack, a plan farther from its limits is the one
    a metallurgist would pick (and, at a rate above zero, the one the per-coefficient
    comparison keeps).
    """
    bounds = problem.rate_bounds() if not problem.n_destinations else None
    if bounds is None or bounds[0] != bounds[1]:
        return None
    x = bounds[0]
    lines = _one_rate_lines(problem)[1:]
    if not lines:
        return None
    return np.stack([p * x + q for p, q in lines], axis=1)


def most_slack_of_ties(criteria: np.ndarray, keep: np.ndarray, slack: np.ndarray) -> np.ndarray:
    """``keep`` with each kept column replaced by the one of most slack among its ties.

    A kept column's ties (columns equal to it in every criterion) were dropped only
    for being equal, so any one of them may stand for the group: the one whose summed
    per-row dense slack ranks are largest (the first of equal ones), which no other of
    the group has at least as much slack as on every row with more on one. Exact: its
    objective is the group's, and it meets every row another of the group meets.
    """
    kept = np.flatnonzero(keep)
    tied = np.flatnonzero(np.isin(criteria[:, 0], criteria[kept, 0]))
    if len(tied) == len(kept):  # no column shares a kept column's objective
        return keep
    _, group = np.unique(criteria[tied], axis=0, return_inverse=True)
    group = group.ravel()
    keep = keep.copy()
    # each tie's members in column order, the groups found once (not a scan per group)
    order = np.argsort(group, kind="stable")
    for members in np.split(tied[order], np.flatnonzero(np.diff(group[order])) + 1):
        if len(members) < 2 or not keep[members].any():
            continue
        s = np.nan_to_num(slack[members], nan=-np.inf)
        rank = np.zeros(len(members))
        for c in range(s.shape[1]):
            _, dense = np.unique(s[:, c], return_inverse=True)
            rank += dense.ravel()
        keep[members] = False
        keep[members[int(np.argmax(rank))]] = True
    return keep


def prune_blend(problem: BlendProblem) -> np.ndarray:
    """Indices of the usable, non-dominated columns (exact: see ``dominance_criteria``)."""
    from oreflow.kernels.selection import nondominated_mask

    usable = np.flatnonzero(problem.usable())
    if len(usable) < 2:
        return usable
    crit = np.nan_to_num(dominance_criteria(problem)[usable], nan=-np.inf)
    keep = nondominated_mask(crit)
    slack = fixed_rate_slacks(problem)
    if slack is not None:  # at a fixed rate, ties of clipped slacks: the most slack
        keep = most_slack_of_ties(crit, keep, slack[usable])
    return usable[keep]

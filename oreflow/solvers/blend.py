"""Choose modes and the rate of every ore source: the selection MILP with a blend.

The single-source model (``milp``) has one ore rate per column. With S ore sources
each column j (one route and mode combination, carrying the whole plant's coefficients)
has one rate per source, ``x[j, s]`` [t/h], and every extensive figure k is
``sum_s c[j, s, k] x[j, s]`` with ``c`` the per-source coefficients of
``tabulate`` (Euler's theorem on the degree-one-homogeneous plant). Only tonnage of
each source is a decision: no stream is split between columns, so every species of a
source follows the same column (DESIGN.md, "one physical trap"). Rows, per column j:

- ``sum_j y_j = 1``; ``lo_s y_j <= x[j, s] <= hi_s y_j`` (the mine plan of each source);
  ``x_min y_j <= sum_s x[j, s] <= x_max y_j`` (plant throughput);
- extensive limit: ``sum_s a[j, s] x[j, s] <= b y_j`` (or ``>=``);
- a limit on a ratio of two extensive figures (``RATIO_FIGURES``: recovery, residue
  use share), ``num / den <= L``: ``sum_s (num - L den)[j, s] x[j, s] <= 0``, linear,
  so it has a shadow price: per unit of the limit it is the row's dual times
  ``sum_s den[j, s] x[j, s]`` at the optimum (moving L by dL moves the row's
  right-hand side by ``dL`` times that denominator);
- a limit on a figure judged at each discharge (``per_sink``: WAD cyanide, the highest
  over the tailings sinks) is one such ratio row per sink, all under the limit's case
  key (``units.SINK.wad_cn_g_h - L units.SINK.water_tph <= 0``); its shadow price is
  the sum of the sink rows' prices (only binding rows are nonzero);
- any other intensive limit filters the columns at the tabulated blend.

An extensive figure may hold a part that does not scale with throughput (the fixed
cost in ``margin_usd_h``: ``constants``, the figure's value at zero rates): its
coefficients are per tonne without it, and it is added to the objective once (times
``y_j``) and taken off the right-hand side of a limit on the figure.

Splitters whose fractions are decisions (residue to storage and uses, pulp to parallel
trains) add per column one tonnage variable ``z[j, d]`` per decision outlet, with
``sum_{d in g} z[j, d] <= feed_g`` per splitter g (its reference outlet takes the rest)
and a coefficient per extensive figure (``destination_coefficients``); a use the
column's residue fails is fixed to zero. Only tonnage of the one stream is split.

The hull form (each row once per column, scaled by ``y_j``) is the same as in ``milp``.
Shadow prices come from the LP in the chosen column's source rates. An infeasible
problem is explained by an elastic copy (limits, source minimums, plant throughput
bounds may move, at a cost proportional to their relative move). The cross-check
``enumerate_blend`` solves each column's LP exactly by enumerating the vertices of its
feasible polygon (numpy, independent of HiGHS).

Pyomo objects never leave this module.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from oreflow.flowsheet.optimization import RATIO_FIGURES, Limit, is_extensive
from oreflow.solvers.milp import SolveStatus, _solver, _status

_FEAS_RTOL = 1e-9  # vertex feasibility, relative to the row's scale


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
    constants : Mapping[str, float]
        Extensive figures' parts that do not scale with the rates (the fixed cost),
        the same for every column; ``derivatives`` exclude them.
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
    constants: Mapping[str, float] = field(default_factory=dict)

    def expand(self, lim: Limit) -> tuple[Limit, ...]:
        """A limit as the model's limits: one per sink for a per-discharge KPI."""
        if lim.name not in self.per_sink:
            return (lim,)
        return tuple(Limit(f, lim.sense, lim.value, lim.key) for f in self.per_sink[lim.name])

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
        return a_num - lim.value * a_den, np.zeros(self.n)

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
        return float(a @ v)

    def usable(self) -> np.ndarray:
        """(n,) columns not excluded by a filter limit, with finite coefficients.

        A ratio limit excludes a column whose every source violates it on its own: no
        blend of them can meet it (the ratio of a blend lies between its sources').
        """
        ok = np.ones(self.n, dtype=bool)
        slope, const = self.objective()
        ok &= np.isfinite(slope).all(axis=1) & np.isfinite(const)
        for lim in self.limits:
            if self.is_row(lim):
                a, _ = self.row(lim)
                ok &= np.isfinite(a).all(axis=1)
                if lim.name in self.ratios and not self.n_destinations:
                    bad = a > 0 if lim.sense == "max" else a < 0
                    ok &= ~np.nan_to_num(bad, nan=True).all(axis=1)
                continue
            v = self.values[lim.name]
            ok &= v <= lim.value if lim.sense == "max" else v >= lim.value
        return ok


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

    @property
    def ore_tph(self) -> float:
        """Total ore rate [t/h]."""
        return float(sum(self.source_tph)) if self.source_tph else float("nan")


def _build(problem: BlendProblem, cols: np.ndarray, *, elastic: bool = False) -> object:
    import pyomo.environ as pyo

    n_src, n_dst = problem.n_sources, problem.n_destinations
    m = pyo.ConcreteModel(name="blend_selection")
    m.J = pyo.RangeSet(0, len(cols) - 1)
    m.S = pyo.RangeSet(0, n_src - 1)
    m.D = pyo.RangeSet(0, n_dst - 1) if n_dst else pyo.Set(initialize=[])
    m.x = pyo.Var(m.J, m.S, domain=pyo.NonNegativeReals)
    m.z = pyo.Var(m.J, m.D, domain=pyo.NonNegativeReals)  # residue to each destination [t/h]
    m.y = pyo.Var(m.J, domain=pyo.Binary)
    m.one = pyo.Constraint(expr=sum(m.y[j] for j in m.J) == 1)
    lo = problem.source_min
    hi = np.minimum(problem.source_max, problem.x_max)  # an unbounded source: the plant's
    rows = [k for k, lim in enumerate(problem.limits) if problem.is_row(lim)]
    coef = {k: problem.row(problem.limits[k]) for k in rows}
    if elastic:
        m.slack = pyo.Var(rows, domain=pyo.NonNegativeReals)
        m.src_slack = pyo.Var(m.S, domain=pyo.NonNegativeReals)
        m.lo_slack = pyo.Var(domain=pyo.NonNegativeReals)
        m.hi_slack = pyo.Var(domain=pyo.NonNegativeReals)
    src_slack = m.src_slack if elastic else {s: 0.0 for s in range(n_src)}
    lo_slack = m.lo_slack if elastic else 0.0
    hi_slack = m.hi_slack if elastic else 0.0
    m.src_hi = pyo.Constraint(m.J, m.S, rule=lambda m, j, s: m.x[j, s] <= hi[s] * m.y[j])
    m.src_lo = pyo.Constraint(
        m.J, m.S, rule=lambda m, j, s: m.x[j, s] + src_slack[s] >= lo[s] * m.y[j]
    )
    m.x_hi = pyo.Constraint(
        m.J, rule=lambda m, j: sum(m.x[j, s] for s in m.S) <= problem.x_max * m.y[j] + hi_slack
    )
    m.x_lo = pyo.Constraint(
        m.J, rule=lambda m, j: sum(m.x[j, s] for s in m.S) + lo_slack >= problem.x_min * m.y[j]
    )
    if n_dst:
        grows, ok = problem.group_rows()

        # what a splitter sends to its decision outlets is at most its feed; its
        # reference outlet (storage, the first train) takes the rest
        def residue_rule(m: object, g: int, j: int) -> object:
            a = grows[int(cols[j]), g]
            lhs = sum(float(a[s]) * m.x[j, s] for s in range(n_src) if a[s] != 0.0)  # type: ignore[attr-defined]
            lhs += sum(float(a[n_src + d]) * m.z[j, d] for d in range(n_dst) if a[n_src + d])  # type: ignore[attr-defined]
            return lhs <= 0.0

        m.residue = pyo.Constraint(range(grows.shape[1]), m.J, rule=residue_rule)
        for j in m.J:
            for d in range(n_dst):
                if not ok[int(cols[j]), d]:
                    m.z[j, d].fix(0.0)  # the column's residue fails this destination's checks

    def limit_rule(m: object, k: int, j: int) -> object:
        lim = problem.limits[k]
        a, b = coef[k]
        col = int(cols[j])
        lhs = sum(float(a[col, s]) * m.x[j, s] for s in range(n_src))  # type: ignore[attr-defined]
        lhs += sum(float(a[col, n_src + d]) * m.z[j, d] for d in range(n_dst))  # type: ignore[attr-defined]
        rhs = float(b[col]) * m.y[j]  # type: ignore[attr-defined]
        s = m.slack[k] if elastic else 0.0  # type: ignore[attr-defined]
        return lhs - s <= rhs if lim.sense == "max" else lhs + s >= rhs

    m.limit = pyo.Constraint(rows, m.J, rule=limit_rule)
    if elastic:
        d_typ = problem.x_max if np.isfinite(problem.x_max) else float(hi[np.isfinite(hi)].sum())
        scale = {}
        for k in rows:
            lim = problem.limits[k]
            if lim.name in problem.ratios:
                den = np.nan_to_num(problem.derivatives[problem.ratios[lim.name][1]][cols])
                scale[k] = max(abs(lim.value), 1e-9) * max(float(np.abs(den).mean()) * d_typ, 1e-9)
            else:
                scale[k] = max(abs(lim.value), 1e-9)
        m.obj = pyo.Objective(
            expr=sum(m.slack[k] / scale[k] for k in rows)
            + sum(m.src_slack[s] / max(lo[s], 1e-9) for s in m.S)
            + m.lo_slack / max(problem.x_min, 1e-9)
            + m.hi_slack / max(problem.x_max, 1e-9),
            sense=pyo.minimize,
        )
    else:
        slope, const = problem.objective()
        expr = sum(
            sum(float(slope[int(cols[j]), s]) * m.x[j, s] for s in m.S)
            + sum(float(slope[int(cols[j]), n_src + d]) * m.z[j, d] for d in m.D)
            + float(const[int(cols[j])]) * m.y[j]
            for j in m.J
        )
        m.obj = pyo.Objective(
            expr=expr, sense=pyo.maximize if problem.sense == "maximize" else pyo.minimize
        )
    return m


def _values(m: object, j: int, problem: BlendProblem) -> np.ndarray:
    """(S + D,) rates and destination tonnages of column ``j`` of a solved model."""
    import pyomo.environ as pyo

    x = [float(pyo.value(m.x[j, s])) for s in range(problem.n_sources)]  # type: ignore[attr-defined]
    z = [float(pyo.value(m.z[j, d])) for d in range(problem.n_destinations)]  # type: ignore[attr-defined]
    return np.maximum(np.array(x + z), 0.0)


def dominance_criteria(problem: BlendProblem) -> np.ndarray:
    """(n, k) criteria, larger better, under which a dominated column is never the optimum.

    Every column shares the rate bounds and each row's right-hand side per unit of
    ``y_j`` (``b`` or 0); the variables are non-negative. So a column whose objective
    coefficients are at least, and whose row coefficients (upper rows; lower rows
    negated) at most, another's on every variable, with every use eligible where the
    other's is, does at least as well at any point feasible for the other.
    """
    sign = 1.0 if problem.sense == "maximize" else -1.0
    slope, const = problem.objective()
    cols = [sign * slope, sign * const[:, None]]
    for lim in problem.limits:
        if problem.is_row(lim):
            a, _ = problem.row(lim)
            cols.append(-a if lim.sense == "max" else a)
    if problem.n_destinations:
        grows, ok = problem.group_rows()
        cols += [-grows.reshape(problem.n, -1), ok.astype(np.float64)]
    return np.ascontiguousarray(np.concatenate(cols, axis=1), dtype=np.float64)


def prune_blend(problem: BlendProblem) -> np.ndarray:
    """Indices of the usable, non-dominated columns (exact: see ``dominance_criteria``)."""
    from oreflow.kernels.selection import nondominated_mask

    usable = np.flatnonzero(problem.usable())
    if len(usable) < 2:
        return usable
    crit = np.nan_to_num(dominance_criteria(problem)[usable], nan=-np.inf)
    return usable[nondominated_mask(crit)]


def solve_blend(problem: BlendProblem) -> BlendResult:
    """Solve the blend MILP on the usable, non-dominated columns; then the shadow prices.

    Dominated columns are dropped first (``prune_blend``): a dominated column is never
    the unique optimum. The returned column index refers to the whole problem.
    """
    import pyomo.environ as pyo

    cols = prune_blend(problem)
    opt, name = _solver()
    if not len(cols):
        return BlendResult(SolveStatus.INFEASIBLE, solver=name)
    m = _build(problem, cols)
    res = opt.solve(
        m,
        time_limit=problem.time_limit_s,
        rel_gap=problem.mip_rel_gap,
        load_solutions=False,
        raise_exception_on_nonoptimal_result=False,
    )
    status = _status(res.termination_condition)
    if status is not SolveStatus.OPTIMAL:
        return BlendResult(status, solver=name)
    res.solution_loader.load_vars()
    j = max(range(len(cols)), key=lambda j: pyo.value(m.y[j]))
    v = _values(m, j, problem)
    objective = float(pyo.value(m.obj))
    bound = float(res.objective_bound) if res.objective_bound is not None else objective
    column = int(cols[j])
    duals = column_duals(problem, column)
    n_src = problem.n_sources
    return BlendResult(
        status,
        objective,
        column,
        tuple(v[:n_src]),
        bound,
        duals,
        name,
        tuple(v[n_src:]),
    )


def column_duals(problem: BlendProblem, column: int) -> dict[str, float]:
    """Shadow prices at a column: the LP in its source rates (objective per unit of limit).

    Keys: each row limit's case key, ``constraints.ore.NAME.rate_tph_min``/``_max``,
    ``ore_tph_min``/``ore_tph_max``. A ratio limit's price is its row dual times the
    denominator at the optimum; a per-discharge limit's, the sum over its sink rows
    (see the module docstring).
    """
    import pyomo.environ as pyo

    opt, _ = _solver()
    n_src, n_dst = problem.n_sources, problem.n_destinations
    m = pyo.ConcreteModel(name="chosen_blend")
    m.S = pyo.RangeSet(0, n_src - 1)
    m.D = pyo.RangeSet(0, n_dst - 1) if n_dst else pyo.Set(initialize=[])
    m.x = pyo.Var(m.S, domain=pyo.NonNegativeReals)
    m.z = pyo.Var(m.D, domain=pyo.NonNegativeReals)
    m.src_hi = pyo.Constraint(
        m.S,
        rule=lambda m, s: (
            m.x[s] <= float(problem.source_max[s])
            if np.isfinite(problem.source_max[s])
            else pyo.Constraint.Skip
        ),
    )
    m.src_lo = pyo.Constraint(m.S, rule=lambda m, s: m.x[s] >= float(problem.source_min[s]))
    m.x_hi = pyo.Constraint(expr=sum(m.x[s] for s in m.S) <= problem.x_max)
    m.x_lo = pyo.Constraint(expr=sum(m.x[s] for s in m.S) >= problem.x_min)
    if n_dst:
        grows, ok = problem.group_rows()

        def group_rule(m: object, g: int) -> object:
            a = grows[column, g]
            return (
                sum(float(a[s]) * m.x[s] for s in range(n_src))  # type: ignore[attr-defined]
                + sum(float(a[n_src + d]) * m.z[d] for d in range(n_dst))  # type: ignore[attr-defined]
                <= 0.0
            )

        m.residue = pyo.Constraint(range(grows.shape[1]), rule=group_rule)
        for d in range(n_dst):
            if not ok[column, d]:
                m.z[d].fix(0.0)
    rows = [k for k, lim in enumerate(problem.limits) if problem.is_row(lim)]

    def rule(m: object, k: int) -> object:
        lim = problem.limits[k]
        a, b = problem.row(lim)
        lhs = sum(float(a[column, s]) * m.x[s] for s in range(n_src))  # type: ignore[attr-defined]
        lhs += sum(float(a[column, n_src + d]) * m.z[d] for d in range(n_dst))  # type: ignore[attr-defined]
        return lhs <= float(b[column]) if lim.sense == "max" else lhs >= float(b[column])

    m.limit = pyo.Constraint(rows, rule=rule)
    slope, _ = problem.objective()
    m.obj = pyo.Objective(
        expr=sum(float(slope[column, s]) * m.x[s] for s in m.S)
        + sum(float(slope[column, n_src + d]) * m.z[d] for d in m.D),
        sense=pyo.maximize if problem.sense == "maximize" else pyo.minimize,
    )
    res = opt.solve(m, load_solutions=False, raise_exception_on_nonoptimal_result=False)
    if _status(res.termination_condition) is not SolveStatus.OPTIMAL:
        return {}
    res.solution_loader.load_vars()
    d = res.solution_loader.get_duals()
    v = np.array(
        [float(pyo.value(m.x[s])) for s in range(n_src)]
        + [float(pyo.value(m.z[k])) for k in range(n_dst)]
    )
    out: dict[str, float] = {}
    for k in rows:
        lim = problem.limits[k]
        dual = float(d[m.limit[k]])
        if lim.name in problem.ratios:
            dual *= problem.denominator(lim.name, column, v)
        out[lim.key] = out.get(lim.key, 0.0) + dual  # a per-sink limit: the sum over sinks
    for s, src in enumerate(problem.sources):
        name = src.removeprefix("ore.")
        if s in m.src_hi:  # an unbounded source has no upper row
            out[f"constraints.ore.{name}.rate_tph_max"] = float(d[m.src_hi[s]])
        out[f"constraints.ore.{name}.rate_tph_min"] = float(d[m.src_lo[s]])
    out["ore_tph_max"] = float(d[m.x_hi])
    out["ore_tph_min"] = float(d[m.x_lo])
    return out


def explain_blend_infeasible(problem: BlendProblem) -> list[tuple[str, float, float]]:
    """The smallest relative moves of limits and rate bounds that make a plan feasible.

    Returns
    -------
    list of (key, limit, relaxed limit)
        One entry per bound that must move; ``key`` names it in the case file.
    """
    import pyomo.environ as pyo

    usable = problem.usable()
    cols = np.flatnonzero(usable)
    if not len(cols):
        keys = {
            lim.key: lim.value
            for lim in problem.limits
            if not problem.is_row(lim) or lim.name in problem.ratios
        }
        return [(key, value, float("nan")) for key, value in keys.items()]
    opt, _ = _solver()
    m = _build(problem, cols, elastic=True)
    res = opt.solve(
        m,
        time_limit=problem.time_limit_s,
        load_solutions=False,
        raise_exception_on_nonoptimal_result=False,
    )
    if _status(res.termination_condition) is not SolveStatus.OPTIMAL:
        return []
    res.solution_loader.load_vars()
    j = max(range(len(cols)), key=lambda j: pyo.value(m.y[j]))
    col = int(cols[j])
    v = _values(m, j, problem)
    moves: dict[str, tuple[float, float, float]] = {}  # a per-sink limit: its largest move
    for k, lim in enumerate(problem.limits):
        if not problem.is_row(lim):
            continue
        s = float(pyo.value(m.slack[k]))
        if lim.name in problem.ratios:
            den = problem.denominator(lim.name, col, v)
            s = s / den if den > 0 else 0.0
        if s > 1e-9 * max(abs(lim.value), 1.0) and s > moves.get(lim.key, (0.0, 0.0, 0.0))[2]:
            moved = lim.value + s if lim.sense == "max" else lim.value - s
            moves[lim.key] = (lim.value, moved, s)
    out = [(key, value, moved) for key, (value, moved, _) in moves.items()]
    for s, src in enumerate(problem.sources):
        slack = float(pyo.value(m.src_slack[s]))
        lo = float(problem.source_min[s])
        if slack > 1e-9 * max(lo, 1.0):
            key = f"constraints.ore.{src.removeprefix('ore.')}.rate_tph_min"
            out.append((key, lo, lo - slack))
    slack = float(pyo.value(m.lo_slack))
    if slack > 1e-9 * max(problem.x_min, 1.0):
        out.append(("constraints.ore_tph_min", problem.x_min, problem.x_min - slack))
    slack = float(pyo.value(m.hi_slack))
    if slack > 1e-9 * max(problem.x_max, 1.0):
        out.append(("constraints.ore_tph_max", problem.x_max, problem.x_max + slack))
    return out


def _inequalities(problem: BlendProblem) -> tuple[np.ndarray, np.ndarray]:
    """Every column's feasible set in (rates, tonnages) as ``A v <= b``: (n, m, S + D), (n, m)."""
    n, n_src, n_dst = problem.n, problem.n_sources, problem.n_destinations
    k = n_src + n_dst
    eye = np.eye(k)
    blocks = [np.broadcast_to(eye[:n_src], (n, n_src, k)), np.broadcast_to(-eye, (n, k, k))]
    rhs = [
        np.broadcast_to(problem.source_max, (n, n_src)),
        np.concatenate(
            [np.broadcast_to(-problem.source_min, (n, n_src)), np.zeros((n, n_dst))], axis=1
        ),
    ]
    total = np.zeros((n, 1, k))
    total[:, :, :n_src] = 1.0
    blocks += [total, -total]
    rhs += [np.full((n, 1), problem.x_max), np.full((n, 1), -problem.x_min)]
    if n_dst:
        grows, ok = problem.group_rows()
        blocks.append(grows)
        rhs.append(np.zeros((n, grows.shape[1])))
        # an ineligible destination takes nothing: z_d <= 0 there, else a slack row
        cap = np.where(ok, np.inf, 0.0)
        blocks.append(np.broadcast_to(eye[n_src:], (n, n_dst, k)))
        rhs.append(cap)
    for lim in problem.limits:
        if not problem.is_row(lim):
            continue
        a, b = problem.row(lim)
        sign = 1.0 if lim.sense == "max" else -1.0
        blocks.append(sign * np.nan_to_num(a)[:, None, :])
        rhs.append(sign * b[:, None])
    return np.concatenate(blocks, axis=1), np.concatenate(rhs, axis=1)


def enumerate_blend(problem: BlendProblem) -> tuple[int, np.ndarray, float]:
    """Best column, blend and residue tonnages by exhaustive enumeration (the cross-check).

    Each column's problem is an LP in its S source rates (and D destination tonnages)
    over a bounded polytope; its optimum lies at a vertex, and every vertex is the
    solution of S + D of its rows taken as equalities. All choices are solved for every
    column at once (numpy, independent of HiGHS).

    Returns
    -------
    (column, values, objective)
        ``values``: the S rates, then the D tonnages. Column -1 (and NaN) when no column
        is feasible.
    """
    n = problem.n
    dim = problem.n_sources + problem.n_destinations
    a, b = _inequalities(problem)
    finite = np.isfinite(b)
    b = np.where(finite, b, 0.0)
    a = np.where(finite[:, :, None], a, 0.0)  # an infinite bound is no row: 0 <= 0
    slope, const = problem.objective()
    sign = 1.0 if problem.sense == "maximize" else -1.0
    usable = problem.usable()
    best = np.full(n, -np.inf)
    best_v = np.zeros((n, dim))
    hi = max(problem.x_max, 1.0)
    scale = np.abs(a).sum(axis=2) * hi + np.abs(b) + 1e-12
    for rows in itertools.combinations(range(a.shape[1]), dim):
        sub = a[:, list(rows), :]
        det = np.linalg.det(sub)
        good = np.abs(det) > 1e-12 * np.prod(np.abs(sub).sum(axis=2) + 1e-300, axis=1)
        v = np.zeros((n, dim))
        if good.any():
            v[good] = np.linalg.solve(sub[good], b[good][:, list(rows), None])[..., 0]
        slack = b - np.einsum("nmk,nk->nm", a, v)
        feasible = good & (slack >= -_FEAS_RTOL * scale).all(axis=1)
        value = np.einsum("nk,nk->n", slope, v) + const
        better = feasible & (sign * value > best)
        best = np.where(better, sign * value, best)
        best_v[better] = v[better]
    best = np.where(usable, best, -np.inf)
    column = int(np.argmax(best))
    if not np.isfinite(best[column]):
        return -1, np.full(dim, np.nan), float("nan")
    return column, best_v[column], float(sign * best[column])

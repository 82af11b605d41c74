r"""Plant-survey reconciliation: weighted least squares with gross-error detection.

Formulation
-----------
Every stream carries *extensive* states, all non-negative: its phase flows (solids
``S``, water ``W``, carbon ``C`` [t/h]) and, for each measured ratio, the matching
component flow (``M = S * assay``, ``D = W * tenor``, ``L = C * loading``, size-class
flow ``S_i = S * mass_frac_i``, and ``M_i = S_i * assay_i`` by size). In these states
every balance is *linear*: per node, solids, water, carbon, each size class and each
species (per phase, or in total over the phases at a reactive node), plus per stream
``sum_i S_i = S`` and ``sum_i M_i = M``. The flow-times-assay bilinearity moves into
the measurement functions, which are ratios of states (``assay = M / S``,
``% solids = 100 S / (S + W)``).

The estimate minimises :math:`J = \sum_i ((h_i(x) - y_i) / \sigma_i)^2` subject to the
balances and ``x >= 0``.

Bilinear scheme: damped Gauss-Newton on exactly linear balances
----------------------------------------------------------------
The start is a guess (flows by least squares from meters and fixed-assay balances,
component flows from measured assays) projected onto the balances. Each iteration
linearises the ratio functions at the current point, solves the convex QP
:math:`\min \sum_i z_i^2` over the scaled state step, where
:math:`z = (h(x) - y) / \sigma` linearised are the standardised adjustments, with
HiGHS through Pyomo, and takes the step by a backtracking (Armijo) line search on the
true :math:`J`. Because the balances are linear in the states, every iterate (and
every point of the line search, by convexity) closes them exactly, so the final
balance closes to solver precision, and :math:`J` never increases beyond round-off.
Gauss-Newton with a line search converges to a stationary point of the constrained
least-squares problem; for linear measurements (flows only) the first step is the
optimum and the second confirms it.

Why not alternate "fix flows, solve assays; fix assays, solve flows": when the splits
are not measured (the usual survey: one flow meter and assays everywhere), the flow
step has no freedom once the assays have been adjusted to the current splits, so the
alternation stalls at the starting splits. Gauss-Newton moves flows and assays jointly.

Numerical details that matter with HiGHS's QP solver (1.16): the QP variables are
the *step* of the states scaled by their starting values, so the QP's Hessian
regularisation (``qp_regularization_value``, 1e-7), which pulls the variables towards
zero, pulls the step towards zero: it can slow the last iteration but cannot bias the
converged answer (the linear case matches the Lagrange closed form to 1e-13). Every
constraint right-hand side is zero, and the adjustments are substituted into the
objective rather than carried as free variables; both alternatives made HiGHS stop
with primal infeasibilities ("solve error") on small surveys.

A flow the data want below zero (a node whose assays imply a negative split) goes to
its bound: as it collapses, its ratios (``M / S``) become singular, so states far below
their scale are rescaled (and the QP rebuilt) to keep each step well conditioned, and a
flow below 1e-6 of its starting value is pinned there and reported in
``meta["at_bound"]``; the measurements that depend on it then cannot be checked.

Classification and statistics
-----------------------------
Before solving, the problem linearised at the (balanced) starting point is classified
with the null space of the balance matrix (after Crowe et al. 1983): a state is
observable when no direction that keeps the balances and all measured values fixed
moves it; a measurement is redundant when its leverage (the diagonal of the hat
matrix) is below one, i.e. the balances and the other measurements determine it.
Unobservable flows, measurements that depend on undetermined states and zero standard
deviations on redundant measurements are input errors; other undetermined states (an
unassayed species on an inner stream) are projected out of the balances and reported
as NaN. After solving, :math:`J` is compared with :math:`\chi^2_{\alpha}(\nu)`,
:math:`\nu` = number of measurements less the rank of the linearised problem (the
critical value comes from the regularised incomplete gamma function inverted by
bisection, no SciPy). Reconciled standard deviations come from the linearised
covariance; the normalised adjustment of measurement *i* is
:math:`(\hat y_i - y_i) / (\sigma_i \sqrt{1 - h_{ii}})`. Gross errors are found by
serial elimination: while the global test fails, remove the redundant measurement with
the largest normalised adjustment (the measurement test, Serth & Heenan 1986) and
re-solve; measurements whose statistic ties with it are reported as indistinguishable.

References
----------
.. [1] Crowe, C. M., Garcia Campos, Y. A. & Hrymak, A. (1983). Reconciliation of process
   flow rates by matrix projection. Part I: linear case. AIChE J. 29(6), 881-888.
   https://doi.org/10.1002/aic.690290602
.. [2] Crowe, C. M. (1986). Reconciliation of process flow rates by matrix projection.
   Part II: the nonlinear case. AIChE J. 32(4), 616-623 (DOI not checked).
.. [3] Serth, R. W. & Heenan, W. A. (1986). Gross error detection and data
   reconciliation in steam-metering systems. AIChE J. 32(5), 733-742.
   https://doi.org/10.1002/aic.690320503
.. [4] Reference worked examples: Smith & Ichiyen 1973; Hodouin & Everell 1980; docs/survey.md (two-product formula,
   Lagrange solution, chi-square test).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from oreflow.errors import CaseError, InfeasibleError, Problem, SolveError
from oreflow.flowsheet.network import Network
from oreflow.flowsheet.survey import (
    Measurement,
    Quantity,
    Survey,
    default_sd,
    parse_quantity,
    survey_network_problems,
)

logger = logging.getLogger(__name__)

#: Grams per hour in one t/h of a species assayed in % [g/h per (% * t/h)].
_GPH_PER_PCT_TPH = 1.0e4
#: Relative singular-value threshold for numerical rank.
_RANK_RTOL = 1e-9
#: A state is unobservable when an undetermined direction moves it by more than this
#: (rows of an orthonormal basis, so the scale is absolute).
_UNOBSERVABLE_TOL = 1e-6
#: A measurement is redundant when its leverage is below ``1 - _REDUNDANT_TOL``.
_REDUNDANT_TOL = 1e-7
#: Lowest value of a state that divides a measurement (a flow), relative to its
#: starting value. A flow the data drive to zero (a node whose assays imply a negative
#: split) stops here and is reported as at its bound.
_DENOMINATOR_FLOOR = 1e-9
#: A state below this fraction of its scale is rescaled (and the QP rebuilt): with a
#: fixed scale the ratio Jacobian grows as 1/flow and a flow heading to zero makes the
#: QP too ill-conditioned for HiGHS (Hessian entries above its 1e15 limit).
_RESCALE_BELOW = 1e-2
#: At most this many rescalings per round.
_MAX_RESCALES = 20
#: A flow reconciled below this fraction of its starting value is reported as zero
#: (``meta["at_bound"]``): the data want it at or below zero. Gauss-Newton crawls on
#: such a collapsing flow (its assays, M/S, become singular), so it is pinned there.
_ZERO_FLOW = 1e-6
#: Penalty on the scaled step of a pinned state (J itself is of order the number of
#: measurements).
_PIN_WEIGHT = 1e8
#: Armijo sufficient-decrease constant.
_ARMIJO = 1e-4


# --------------------------------------------------------------------------- chi-square
def _regularised_lower_gamma(a: float, x: float) -> float:
    """Regularised lower incomplete gamma function P(a, x) (series / continued fraction)."""
    if x <= 0.0:
        return 0.0
    log_prefactor = -x + a * math.log(x) - math.lgamma(a)
    if x < a + 1.0:
        term = total = 1.0 / a
        denominator = a
        for _ in range(100_000):
            denominator += 1.0
            term *= x / denominator
            total += term
            if abs(term) < abs(total) * 1e-17:
                break
        return min(1.0, total * math.exp(log_prefactor))
    # Modified Lentz evaluation of the continued fraction for Q = 1 - P.
    tiny = 1e-300
    b = x + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    h = d
    for i in range(1, 100_000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return max(0.0, 1.0 - math.exp(log_prefactor) * h)


def chi2_cdf(x: float, dof: int) -> float:
    """Cumulative distribution function of the chi-square distribution.

    Parameters
    ----------
    x : float
        The statistic [-], >= 0.
    dof : int
        Degrees of freedom [-], >= 1.

    Returns
    -------
    float
        P(X <= x) for X ~ chi-square(dof).

    Examples
    --------
    >>> round(chi2_cdf(5.991464547107979, 2), 12)
    0.95
    """
    return _regularised_lower_gamma(0.5 * dof, 0.5 * x)


def chi2_ppf(probability: float, dof: int) -> float:
    """Quantile (inverse CDF) of the chi-square distribution, by bisection.

    Parameters
    ----------
    probability : float
        Lower-tail probability, in (0, 1) (0.95 for the usual 95 % test).
    dof : int
        Degrees of freedom [-], >= 1.

    Returns
    -------
    float
        x such that ``chi2_cdf(x, dof) == probability``, to about 1e-13 relative.

    Examples
    --------
    >>> round(chi2_ppf(0.95, 2), 4)
    5.9915
    """
    if not 0.0 < probability < 1.0 or dof < 1:
        msg = f"need 0 < probability < 1 and dof >= 1, got {probability}, {dof}"
        raise ValueError(msg)
    lo, hi = 0.0, dof + 10.0 * math.sqrt(2.0 * dof) + 10.0
    while chi2_cdf(hi, dof) < probability:
        lo, hi = hi, 2.0 * hi
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if chi2_cdf(mid, dof) < probability:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-14 * hi:
            break
    return 0.5 * (lo + hi)


# --------------------------------------------------------------------------- result
@dataclass(frozen=True)
class ReconcileResult:
    """Reconciled survey: tables of plain pandas DataFrames, units in column names.

    Attributes
    ----------
    streams : DataFrame
        One row a stream: ``stream``, ``from_node``, ``to_node``, reconciled
        ``solids_tph``, ``water_tph``, ``solids_pct``, ``carbon_tph``, solids assays
        (``au_gpt``, ``s_pct``), tenors (``au_mg_l``), loadings (``carbon_au_gpt``),
        each with its standard deviation in ``<column>_sd``. NaN where undetermined.
    sizes : DataFrame
        One row a stream and size class (empty for unsized surveys): ``stream``,
        ``size_um``, ``mass_frac``, assays by size, with ``_sd`` columns.
    nodes : DataFrame
        One row a node outlet: ``node``, ``stream``, ``solids_split_frac`` (share of the
        node's solids feed), ``water_split_frac``, ``carbon_split_frac`` and
        ``<species>_recovery_frac`` (share of the node's inflow of the species, all
        phases together), with ``_sd`` columns.
    adjustments : DataFrame
        One row a measurement: ``stream``, ``quantity``, ``size_um``, ``measured``,
        ``sd``, ``reconciled``, ``reconciled_sd``, ``adjustment_sd`` (reconciled minus
        measured, in standard deviations of the measurement), ``normalised_adjustment``
        (in standard deviations of the adjustment itself), ``redundant``, ``flagged``
        (a gross-error suspect, removed from the final balance), ``sd_is_default`` and
        ``where`` (row in the survey file).
    tests : DataFrame
        One row a serial-elimination round: ``round``, ``removed`` (the measurement
        removed before the round), ``chi2``, ``dof``, ``critical``, ``passed``.
    closure : DataFrame
        One row a balance: ``node`` (or stream, for size-class sums), ``balance``,
        ``in``, ``out``, ``rel_error`` (|in - out| / max(in, out)).
    meta : mapping
        ``status``, ``iterations``, ``rounds``, ``objective_history`` (J per iteration of
        the final round), ``chi2``, ``dof``, ``critical``, ``passed``, ``confidence``,
        ``suspects``, ``unobservable`` (states the survey does not determine, NaN in
        the tables), ``at_bound`` (states driven to their lower bound, i.e. flows the
        data want at or below zero), ``max_rel_closure``, ``solver``,
        ``solver_version``, ``seconds``.
    """

    streams: pd.DataFrame
    sizes: pd.DataFrame
    nodes: pd.DataFrame
    adjustments: pd.DataFrame
    tests: pd.DataFrame
    closure: pd.DataFrame
    meta: Mapping[str, Any]

    @property
    def suspects(self) -> pd.DataFrame:
        """Adjustments rows of the measurements identified as gross errors."""
        return self.adjustments[self.adjustments["flagged"]]

    @property
    def passed(self) -> bool:
        """Whether the final global chi-square test passed."""
        return bool(self.meta["passed"])


# --------------------------------------------------------------------------- problem
@dataclass(frozen=True)
class _Problem:
    """The survey as arrays: states, linear balances and ratio measurement functions."""

    keys: tuple[tuple[Any, ...], ...]
    index: Mapping[tuple[Any, ...], int]
    is_flow: np.ndarray
    is_denominator: np.ndarray
    balance: np.ndarray
    balance_labels: tuple[tuple[str, str], ...]
    measurements: tuple[Measurement, ...]
    quantities: tuple[Quantity, ...]
    numerator: np.ndarray
    denominator: np.ndarray
    factor: np.ndarray
    measured: np.ndarray
    sd: np.ndarray
    exact: np.ndarray
    entry_meas: np.ndarray
    entry_state: np.ndarray
    entry_is_num: np.ndarray
    entry_is_den: np.ndarray
    fixed_zero: tuple[Measurement, ...]
    classes_um: tuple[float, ...]
    solid_species: Mapping[str, str]
    sized_species: tuple[str, ...]
    tenor_species: tuple[str, ...]
    loading_species: tuple[str, ...]
    phases: tuple[str, ...]

    @property
    def n_states(self) -> int:
        return len(self.keys)

    def values(self, x: np.ndarray) -> np.ndarray:
        """Measurement functions h(x), shape (n_meas,)."""
        top = self.factor * x[self.numerator]
        has_den = self.denominator[:, 0] >= 0
        den = _denominator_sum(self.denominator, x)
        out = top.copy()
        # A zero denominator (a flow structurally absent) gives NaN, not a warning.
        out[has_den] = np.divide(
            top[has_den],
            den[has_den],
            out=np.full(int(has_den.sum()), np.nan),
            where=den[has_den] != 0.0,
        )
        return out

    def jacobian_entries(self, x: np.ndarray) -> np.ndarray:
        """Values of dh/dx at the fixed sparsity pattern (entry_meas, entry_state)."""
        den = _denominator_sum(self.denominator, x)
        has_den = self.denominator[:, 0] >= 0
        k = self.factor[self.entry_meas]
        d = den[self.entry_meas]
        top = x[self.numerator][self.entry_meas]
        ratio = self.entry_is_num / np.where(has_den[self.entry_meas], d, 1.0) - np.where(
            self.entry_is_den, top / np.where(d > 0, d, 1.0) ** 2, 0.0
        )
        return k * np.where(has_den[self.entry_meas], ratio, self.entry_is_num.astype(float))

    def jacobian(self, x: np.ndarray) -> np.ndarray:
        """Dense dh/dx, shape (n_meas, n_states)."""
        jac = np.zeros((len(self.measurements), self.n_states))
        np.add.at(jac, (self.entry_meas, self.entry_state), self.jacobian_entries(x))
        return jac


def _denominator_sum(denominator: np.ndarray, x: np.ndarray) -> np.ndarray:
    total = np.zeros(denominator.shape[0])
    for column in range(denominator.shape[1]):
        idx = denominator[:, column]
        valid = idx >= 0
        total[valid] += x[idx[valid]]
    return total


def _state_label(key: tuple[Any, ...], classes_um: Sequence[float]) -> str:
    kind = key[0]
    if kind == "S":
        return "solids_tph"
    if kind == "W":
        return "water_tph"
    if kind == "C":
        return "carbon_tph"
    if kind == "M":
        return f"{key[2]} in solids"
    if kind == "Si":
        return f"solids in the {classes_um[key[2]]:g} um class"
    if kind == "Mi":
        return f"{key[3]} in the {classes_um[key[2]]:g} um class"
    if kind == "D":
        return f"{key[2]} in solution"
    return f"{key[2]} on carbon"


def _assemble(survey: Survey, network: Network) -> _Problem:
    all_quantities = [parse_quantity(m.quantity) for m in survey.measurements]
    kinds = {q.kind for q in all_quantities}
    # A flow measured as exactly zero with zero standard deviation (the default for a
    # zero flow) is structural, e.g. the solids of a water addition: the state and its
    # components are removed rather than measured.
    flow_phase = {"solids_flow": "S", "water_flow": "W", "carbon_flow": "C"}
    fixed_zero = tuple(
        m
        for m, q in zip(survey.measurements, all_quantities, strict=True)
        if q.kind in flow_phase and m.value == 0.0 and m.sd == 0.0
    )
    zero = {(flow_phase[parse_quantity(m.quantity).kind], m.stream): m for m in fixed_zero}
    measurements = tuple(m for m in survey.measurements if m not in fixed_zero)
    quantities = tuple(parse_quantity(m.quantity) for m in measurements)
    phases = tuple(
        phase
        for phase, needed in (
            ("S", {"solids_flow", "pct_solids", "assay", "mass_frac"}),
            ("W", {"water_flow", "pct_solids", "tenor"}),
            ("C", {"carbon_flow", "loading"}),
        )
        if kinds & needed
    )
    solid_species: dict[str, str] = {}
    sized: dict[str, None] = {}
    tenor: dict[str, None] = {}
    loading: dict[str, None] = {}
    for m, q in zip(measurements, quantities, strict=True):
        if q.kind == "assay" and q.species is not None:
            solid_species.setdefault(q.species, q.unit)
            if m.size_um is not None:
                sized[q.species] = None
        elif q.kind == "tenor" and q.species is not None:
            tenor[q.species] = None
        elif q.kind == "loading" and q.species is not None:
            loading[q.species] = None
    classes_um = survey.size_classes_um
    class_index = {size: i for i, size in enumerate(classes_um)}
    streams = network.streams

    keys: list[tuple[Any, ...]] = []
    for s in streams:
        keys += [(p, s) for p in phases if (p, s) not in zero]
        if ("S", s) not in zero:
            keys += [("M", s, sp) for sp in solid_species]
            keys += [("Si", s, i) for i in range(len(classes_um))]
            keys += [("Mi", s, i, sp) for i in range(len(classes_um)) for sp in sized]
        if ("W", s) not in zero:
            keys += [("D", s, sp) for sp in tenor]
        if ("C", s) not in zero:
            keys += [("L", s, sp) for sp in loading]
    index = {key: j for j, key in enumerate(keys)}
    n = len(keys)

    rows: list[dict[int, float]] = []
    labels: list[tuple[str, str]] = []

    def add(label: tuple[str, str], terms: Sequence[tuple[tuple[Any, ...], float]]) -> None:
        row: dict[int, float] = {}
        for key, coef in terms:
            if key in index:  # absent keys are structural zeros
                row[index[key]] = row.get(index[key], 0.0) + coef
        if row:
            rows.append(row)
            labels.append(label)

    phase_names = {"S": "solids", "W": "water", "C": "carbon"}
    all_species = list(dict.fromkeys([*solid_species, *tenor, *loading]))
    for node in network.nodes:
        signed = [(s, 1.0) for s in node.inlets] + [(s, -1.0) for s in node.outlets]
        for p in phases:
            add((node.name, phase_names[p]), [((p, s), g) for s, g in signed])
        if not node.grinding:  # a mill moves solids between size classes
            for i, size in enumerate(classes_um):
                add((node.name, f"solids {size:g} um"), [(("Si", s, i), g) for s, g in signed])
        if node.reactive:
            for sp in all_species:
                terms: list[tuple[tuple[Any, ...], float]] = []
                for s, g in signed:
                    if sp in solid_species:
                        unit = _GPH_PER_PCT_TPH if solid_species[sp] == "pct" else 1.0
                        terms.append((("M", s, sp), g * unit))
                    if sp in tenor:
                        terms.append((("D", s, sp), g))
                    if sp in loading:
                        terms.append((("L", s, sp), g))
                add((node.name, f"{sp} total"), terms)
        else:
            for sp in solid_species:
                add((node.name, f"{sp} in solids"), [(("M", s, sp), g) for s, g in signed])
            for sp in tenor:
                add((node.name, f"{sp} in solution"), [(("D", s, sp), g) for s, g in signed])
            for sp in loading:
                add((node.name, f"{sp} on carbon"), [(("L", s, sp), g) for s, g in signed])
            for i, size in enumerate(classes_um if not node.grinding else ()):
                for sp in sized:
                    add(
                        (node.name, f"{sp} {size:g} um"),
                        [(("Mi", s, i, sp), g) for s, g in signed],
                    )
    if classes_um:
        for s in streams:
            add(
                (s, "size classes sum to solids"),
                [(("Si", s, i), 1.0) for i in range(len(classes_um))] + [(("S", s), -1.0)],
            )
            for sp in sized:
                add(
                    (s, f"{sp} by size sums to {sp}"),
                    [(("Mi", s, i, sp), 1.0) for i in range(len(classes_um))]
                    + [(("M", s, sp), -1.0)],
                )
    balance = np.zeros((len(rows), n))
    for k, row in enumerate(rows):
        for j, coef in row.items():
            balance[k, j] = coef

    n_meas = len(measurements)
    numerator = np.zeros(n_meas, dtype=np.int64)
    denominator = np.full((n_meas, 2), -1, dtype=np.int64)
    factor = np.ones(n_meas)
    problems: list[Problem] = []
    for i, (m, q) in enumerate(zip(measurements, quantities, strict=True)):
        s = m.stream
        c = class_index.get(m.size_um, -1)
        top: tuple[Any, ...]
        bottom: tuple[tuple[Any, ...], ...] = ()
        if q.kind in flow_phase:
            top = (flow_phase[q.kind], s)
        elif q.kind == "pct_solids":
            top, bottom = ("S", s), (("S", s), ("W", s))
            factor[i] = 100.0
        elif q.kind == "assay" and m.size_um is None:
            top, bottom = ("M", s, q.species), (("S", s),)
        elif q.kind == "assay":
            top, bottom = ("Mi", s, c, q.species), (("Si", s, c),)
        elif q.kind == "mass_frac":
            top, bottom = ("Si", s, c), (("S", s),)
        elif q.kind == "tenor":
            top, bottom = ("D", s, q.species), (("W", s),)
        else:
            top, bottom = ("L", s, q.species), (("C", s),)
        missing = [key for key in (top, *bottom) if key not in index]
        if missing:
            phase = {"S": "S", "M": "S", "Si": "S", "Mi": "S", "W": "W", "D": "W"}.get(
                missing[0][0], "C"
            )
            reason = zero.get((phase, s))
            where = f" ({reason.quantity} 0 at {reason.where})" if reason else ""
            problems.append(
                Problem(
                    survey.file,
                    m.at("quantity"),
                    f"stream {s!r} is declared empty of that phase{where}, so its "
                    f"{m.quantity} cannot be reconciled",
                )
            )
            continue
        numerator[i] = index[top]
        denominator[i, : len(bottom)] = [index[key] for key in bottom]
    if problems:
        raise CaseError(problems)

    entry_meas: list[int] = []
    entry_state: list[int] = []
    entry_num: list[bool] = []
    entry_den: list[bool] = []
    for i in range(n_meas):
        dens = [int(j) for j in denominator[i] if j >= 0]
        for j in dict.fromkeys([int(numerator[i]), *dens]):
            entry_meas.append(i)
            entry_state.append(j)
            entry_num.append(j == numerator[i])
            entry_den.append(j in dens)

    is_flow = np.array([key[0] in ("S", "W", "C") for key in keys], dtype=bool)
    is_den = np.zeros(n, dtype=bool)
    is_den[denominator[denominator >= 0]] = True
    sd = np.array([m.sd for m in measurements])
    exact = sd <= 0.0
    placeholder = np.array(
        [
            max(default_sd(q, m.value), 1e-6 * max(abs(m.value), 1.0))
            for m, q in zip(measurements, quantities, strict=True)
        ]
    )
    return _Problem(
        keys=tuple(keys),
        index=MappingProxyType(index),
        is_flow=is_flow,
        is_denominator=is_den,
        balance=balance,
        balance_labels=tuple(labels),
        measurements=measurements,
        quantities=quantities,
        numerator=numerator,
        denominator=denominator,
        factor=factor,
        measured=np.array([m.value for m in measurements]),
        # Zero-sd measurements are solved with a placeholder weight: they must be
        # non-redundant (checked before solving), so their adjustment is zero whatever
        # the weight; the statistics treat them as exact constraints.
        sd=np.where(exact, placeholder, sd),
        exact=exact,
        entry_meas=np.array(entry_meas, dtype=np.int64),
        entry_state=np.array(entry_state, dtype=np.int64),
        entry_is_num=np.array(entry_num, dtype=bool),
        entry_is_den=np.array(entry_den, dtype=bool),
        fixed_zero=fixed_zero,
        classes_um=classes_um,
        solid_species=MappingProxyType(solid_species),
        sized_species=tuple(sized),
        tenor_species=tuple(tenor),
        loading_species=tuple(loading),
        phases=phases,
    )


# --------------------------------------------------------------------------- start point
def _flow_estimate(
    network: Network,
    measured: Mapping[str, tuple[float, float]],
    ratio_rows: Sequence[tuple[Mapping[str, float], float]],
    typical: float,
) -> np.ndarray:
    """Least-squares phase flows from node balances, meters and fixed-ratio balances.

    Only a starting point for Gauss-Newton: balances get a large weight, meters their
    own, ratio balances (assays fixed at measured values) a modest one and a weak prior
    towards ``typical`` keeps undetermined flows finite.
    """
    streams = network.streams
    col = {s: j for j, s in enumerate(streams)}
    a_rows: list[np.ndarray] = []
    b: list[float] = []

    def row(terms: Mapping[str, float], rhs: float, weight: float) -> None:
        line = np.zeros(len(streams))
        for s, coef in terms.items():
            line[col[s]] += coef * weight
        a_rows.append(line)
        b.append(rhs * weight)

    for node in network.nodes:
        terms = {s: 1.0 for s in node.inlets} | {s: -1.0 for s in node.outlets}
        row(terms, 0.0, 1e4 / typical)
    for s, (value, sd) in measured.items():
        row({s: 1.0}, value, 1.0 / max(sd, 1e-3 * max(value, typical)))
    for terms, weight in ratio_rows:
        row(terms, 0.0, weight)
    for s in streams:
        row({s: 1.0}, typical, 1e-4 / typical)
    solution, *_ = np.linalg.lstsq(np.array(a_rows), np.array(b), rcond=None)
    return np.maximum(solution, 1e-3 * typical)


def _initial_guess(problem: _Problem, network: Network) -> np.ndarray:
    """A positive starting point; it need not balance (it is projected onto the balances)."""
    streams = network.streams
    by_key: dict[tuple[str, str, float | None], Measurement] = {
        (m.stream, m.quantity, m.size_um): m for m in problem.measurements
    }

    def mean_of(quantity: str, size: float | None = None) -> float | None:
        values = [
            m.value for m in problem.measurements if m.quantity == quantity and m.size_um == size
        ]
        return float(np.mean(values)) if values else None

    def ratio(stream: str, quantity: str, size: float | None, fallback: float) -> float:
        m = by_key.get((stream, quantity, size))
        if m is not None:
            return m.value
        mean = mean_of(quantity, size)
        return fallback if mean is None else mean

    flow_kind = {"solids_flow": "S", "water_flow": "W", "carbon_flow": "C"}
    flows: dict[str, dict[str, tuple[float, float]]] = {"S": {}, "W": {}, "C": {}}
    for m in (*problem.measurements, *problem.fixed_zero):
        kind = parse_quantity(m.quantity).kind
        if kind in flow_kind:
            flows[flow_kind[kind]][m.stream] = (m.value, m.sd)
    pct = {
        m.stream: m.value
        for m, q in zip(problem.measurements, problem.quantities, strict=True)
        if q.kind == "pct_solids"
    }
    # Solids implied by water meters and % solids, as pseudo-meters for the start point.
    for s, p in pct.items():
        if s in flows["W"] and s not in flows["S"] and p < 100.0:
            w = flows["W"][s][0]
            flows["S"][s] = (w * p / (100.0 - p), 0.1 * w * p / (100.0 - p) + 1e-9)

    def typical(measured: Mapping[str, tuple[float, float]], default: float) -> float:
        values = [v for v, _ in measured.values() if v > 0]
        return float(np.median(values)) if values else default

    estimate: dict[str, np.ndarray] = {}
    if "S" in problem.phases:
        typ = typical(flows["S"], 1.0)
        ratio_rows: list[tuple[dict[str, float], float]] = []
        for node in network.nodes:
            incident = [(s, 1.0) for s in node.inlets] + [(s, -1.0) for s in node.outlets]
            # Size classes balance at every node; solids assays only where nothing
            # dissolves (not at a reactive node).
            candidates = [("mass_frac", size) for size in problem.classes_um]
            if not node.reactive:
                candidates += [(f"{sp}_{unit}", None) for sp, unit in problem.solid_species.items()]
            for quantity, size in candidates:
                found = [by_key.get((s, quantity, size)) for s, _ in incident]
                if all(m is not None for m in found):
                    values = [m.value for m in found if m is not None]
                    scale = max(float(np.mean(values)), 1e-12)
                    terms: dict[str, float] = {}
                    for (s, g), v in zip(incident, values, strict=True):
                        terms[s] = terms.get(s, 0.0) + g * v
                    ratio_rows.append((terms, 1.0 / (0.1 * scale * typ)))
        estimate["S"] = _flow_estimate(network, flows["S"], ratio_rows, typ)
    if "W" in problem.phases:
        solids = estimate.get("S")
        col = {s: j for j, s in enumerate(streams)}
        for s, p in pct.items():
            if s not in flows["W"] and solids is not None:
                w = solids[col[s]] * (100.0 - p) / p
                flows["W"][s] = (w, 0.1 * w + 1e-9)
        typ_s = typical(flows["S"], 1.0)
        estimate["W"] = _flow_estimate(network, flows["W"], [], typical(flows["W"], typ_s))
    if "C" in problem.phases:
        estimate["C"] = _flow_estimate(network, flows["C"], [], typical(flows["C"], 1.0))

    x = np.zeros(problem.n_states)
    n_classes = len(problem.classes_um)

    def put(key: tuple[Any, ...], value: float) -> None:
        j = problem.index.get(key)
        if j is not None:  # structural zeros have no state
            x[j] = value

    for j_stream, s in enumerate(streams):
        for p in problem.phases:
            put((p, s), estimate[p][j_stream])
        solids = estimate["S"][j_stream] if "S" in problem.phases else 0.0
        water = estimate["W"][j_stream] if "W" in problem.phases else 0.0
        carbon = estimate["C"][j_stream] if "C" in problem.phases else 0.0
        for sp, unit in problem.solid_species.items():
            put(("M", s, sp), solids * ratio(s, f"{sp}_{unit}", None, 1.0))
        if n_classes:
            fractions = np.array(
                [ratio(s, "mass_frac", size, 1.0 / n_classes) for size in problem.classes_um]
            )
            total = fractions.sum()
            fractions = fractions / total if total > 0 else np.full(n_classes, 1.0 / n_classes)
            for i, size in enumerate(problem.classes_um):
                class_flow = solids * fractions[i]
                put(("Si", s, i), class_flow)
                for sp in problem.sized_species:
                    unit = problem.solid_species[sp]
                    head = ratio(s, f"{sp}_{unit}", None, 1.0)
                    put(("Mi", s, i, sp), class_flow * ratio(s, f"{sp}_{unit}", size, head))
        for sp in problem.tenor_species:
            put(("D", s, sp), water * ratio(s, f"{sp}_mg_l", None, 1.0))
        for sp in problem.loading_species:
            put(("L", s, sp), carbon * ratio(s, f"carbon_{sp}_gpt", None, 1.0))
    return x


def _scales(problem: _Problem, x: np.ndarray) -> np.ndarray:
    """Scale of each state: its starting value, floored at 1e-3 of its family's median."""
    family: dict[tuple[Any, ...], list[int]] = {}
    for j, key in enumerate(problem.keys):
        kind = key[0]
        tag = (kind, key[-1]) if kind in ("M", "Mi", "D", "L") else (kind,)
        family.setdefault(tag, []).append(j)
    scale = np.abs(x).astype(float)
    for members in family.values():
        values = np.abs(x[members])
        positive = values[values > 0]
        typ = float(np.median(positive)) if positive.size else 1.0
        scale[members] = np.maximum(values, 1e-3 * typ)
    return scale


# --------------------------------------------------------------------------- linear algebra
def _null_space(matrix: np.ndarray, n_cols: int) -> tuple[np.ndarray, int]:
    """Orthonormal basis of the null space (columns) and the rank."""
    if matrix.shape[0] == 0:
        return np.eye(n_cols), 0
    _, singular, vt = np.linalg.svd(matrix, full_matrices=True)
    if singular.size == 0 or singular[0] == 0.0:
        return np.eye(n_cols), 0
    rank = int(np.sum(singular > _RANK_RTOL * singular[0]))
    return vt[rank:].T, rank


def _normalise_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.abs(matrix).max(axis=1) if matrix.size else np.zeros(0)
    keep = norms > 1e-12
    return matrix[keep] / norms[keep, None]


@dataclass(frozen=True)
class _Linearised:
    """Statistics of the problem linearised at a point (scaled, standardised)."""

    leverage: np.ndarray
    rank: int
    factor: np.ndarray  # L, (n_states, rank): covariance of the scaled states is L L^T
    unobservable: np.ndarray  # bool per state


def _linearise(
    balance: np.ndarray,
    jac_std: np.ndarray,
    rows_measured: np.ndarray,
    rows_exact: np.ndarray,
) -> _Linearised:
    """Observability, leverages and covariance factor of the linearised problem.

    ``jac_std`` is the Jacobian of the standardised measurements with respect to the
    scaled states; ``rows_exact`` (zero standard deviation) join the constraints.
    """
    n = balance.shape[1]
    constraints = np.vstack([balance, jac_std[rows_exact]]) if rows_exact.any() else balance
    null, _ = _null_space(constraints, n)
    a = jac_std[rows_measured] @ null
    leverage = np.zeros(jac_std.shape[0])
    leverage[rows_exact] = 1.0
    if a.size == 0 or not np.any(a):
        return _Linearised(leverage, 0, np.zeros((n, 0)), np.any(np.abs(null) > 0, axis=1))
    u, singular, vt = np.linalg.svd(a, full_matrices=True)
    rank = int(np.sum(singular > _RANK_RTOL * singular[0])) if singular[0] > 0 else 0
    leverage[rows_measured] = np.sum(u[:, :rank] ** 2, axis=1)
    leverage[rows_exact] = 1.0
    undetermined = null @ vt[rank:].T
    unobservable = np.linalg.norm(undetermined, axis=1) > _UNOBSERVABLE_TOL
    factor = null @ (vt[:rank].T / singular[:rank])
    return _Linearised(leverage, rank, factor, unobservable)


def _project_out(balance: np.ndarray, drop: np.ndarray) -> np.ndarray:
    """Balances on the kept states implied by ``balance``, eliminating the dropped ones.

    Rows that touch a dropped state are combined (left null space of their dropped
    columns) so that the dropped states cancel; the result constrains exactly the
    kept states that ``balance`` constrains for some value of the dropped ones.
    """
    keep = ~drop
    touching = np.any(np.abs(balance[:, drop]) > 0, axis=1)
    untouched = balance[~touching][:, keep]
    if not touching.any():
        return _normalise_rows(untouched)
    block = balance[touching][:, drop]
    u, singular, _ = np.linalg.svd(block, full_matrices=True)
    rank = int(np.sum(singular > _RANK_RTOL * singular[0])) if singular.size else 0
    combined = u[:, rank:].T @ balance[touching][:, keep]
    return _normalise_rows(np.vstack([untouched, combined]))


# --------------------------------------------------------------------------- QP step in Pyomo
_STATUS_BY_TERMINATION = {
    "convergenceCriteriaSatisfied": "optimal",
    "maxTimeLimit": "time_limit",
    "iterationLimit": "iteration_limit",
    "objectiveLimit": "objective_limit",
    "minStepLength": "min_step_length",
    "unbounded": "unbounded",
    "provenInfeasible": "infeasible",
    "locallyInfeasible": "infeasible",
    "infeasibleOrUnbounded": "infeasible_or_unbounded",
    "error": "error",
    "interrupted": "interrupted",
    "licensingProblems": "error",
    "emptyModel": "empty_model",
    "unknown": "unknown",
}


class _GaussNewtonQp:
    """One Gauss-Newton step as a persistent Pyomo model solved by HiGHS.

    The variables are the scaled state step ``d`` (bounded below by a mutable
    parameter). The objective is the sum of squared linearised standardised
    adjustments, ``z = c + C d``, expanded as ``c.c + 2 (C^T c) . d + d^T (C^T C) d``:
    each distinct Hessian entry and each linear cost is one mutable parameter, so a
    step only updates numbers (a few hundred for a 200-measurement survey). The
    balances are constant rows with zero right-hand sides.

    Two formulations were rejected after testing with HiGHS 1.16: explicit free ``z``
    variables next to the bounded ``d`` made the active-set QP solver stop with primal
    infeasibilities (solve error) on small surveys, and parameters for each Jacobian
    entry inside ``z`` made Pyomo re-evaluate thousands of products per step.
    """

    def __init__(
        self,
        balance: np.ndarray,
        entry_meas: np.ndarray,
        entry_state: np.ndarray,
        n_meas: int,
    ) -> None:
        import pyomo.environ as pyo
        from pyomo.contrib.solver.common.factory import SolverFactory

        n_states = balance.shape[1]
        # Distinct Hessian entries (j <= k) from pairs of entries of one measurement.
        entries_of: list[list[int]] = [[] for _ in range(n_meas)]
        for e, i in enumerate(entry_meas):
            entries_of[int(i)].append(e)
        pair_index: dict[tuple[int, int], int] = {}
        triples: list[tuple[int, int, int]] = []
        for entries in entries_of:
            for a in entries:
                for b in entries:
                    # Over ordered pairs of entries, an off-diagonal (j, k) is met twice,
                    # so its parameter collects 2 Q_jk, the coefficient of d_j d_k.
                    j, k = sorted((int(entry_state[a]), int(entry_state[b])))
                    triples.append((pair_index.setdefault((j, k), len(pair_index)), a, b))
        self._diagonal = np.full(n_states, -1, dtype=np.int64)
        for (j, k), p in pair_index.items():
            if j == k:
                self._diagonal[j] = p
        self._pair_of = np.array([t[0] for t in triples], dtype=np.int64)
        self._first = np.array([t[1] for t in triples], dtype=np.int64)
        self._second = np.array([t[2] for t in triples], dtype=np.int64)
        self._n_pairs = len(pair_index)
        self._entry_meas = entry_meas
        self._entry_state = entry_state
        self._n_states = n_states
        pairs = list(pair_index)

        m = pyo.ConcreteModel()
        m.d = pyo.Var(range(n_states))
        m.lb = pyo.Param(range(n_states), mutable=True, initialize=0.0)
        for j in range(n_states):
            m.d[j].setlb(m.lb[j])
        m.q = pyo.Param(range(len(pairs)), mutable=True, initialize=0.0)
        m.g = pyo.Param(range(n_states), mutable=True, initialize=0.0)
        m.c0 = pyo.Param(mutable=True, initialize=0.0)
        nonzero = [np.flatnonzero(row) for row in balance]

        def balance_rule(model: Any, k: int) -> Any:
            return sum(float(balance[k, j]) * model.d[int(j)] for j in nonzero[k]) == 0

        m.balance = pyo.Constraint(range(balance.shape[0]), rule=balance_rule)
        used = sorted({int(j) for j in entry_state})
        m.obj = pyo.Objective(
            expr=sum(m.q[p] * m.d[j] * m.d[k] for p, (j, k) in enumerate(pairs))
            + sum(m.g[j] * m.d[j] for j in used)
            + m.c0
        )
        solver = SolverFactory("highs")
        updates = solver.config.auto_updates
        # The structure never changes between steps; only parameters do. Skipping the
        # structural checks saves most of Pyomo's per-solve overhead.
        for name in (
            "check_for_new_or_removed_constraints",
            "check_for_new_or_removed_vars",
            "check_for_new_or_removed_params",
            "check_for_new_objective",
            "update_constraints",
            "update_vars",
            "update_named_expressions",
        ):
            setattr(updates, name, False)
        self._model = m
        self._solver = solver
        self._d = [m.d[j] for j in range(n_states)]
        self._used = used
        self.version = ".".join(str(v) for v in solver.version())

    def step(
        self,
        coef: np.ndarray,
        cost: np.ndarray,
        lower: np.ndarray,
        pinned: np.ndarray | None = None,
    ) -> tuple[str, np.ndarray | None, float]:
        """Solve one step; returns (status, d, model objective), d None unless optimal.

        ``coef`` holds the standardised Jacobian at the entries (``C``), ``cost`` the
        constant part of each linearised standardised adjustment (``c``); ``pinned``
        marks states held where they are (a stiff penalty on their step).
        """
        m = self._model
        hessian = np.zeros(self._n_pairs)
        np.add.at(hessian, self._pair_of, coef[self._first] * coef[self._second])
        if pinned is not None and pinned.any():
            diagonal = self._diagonal[pinned]
            hessian[diagonal[diagonal >= 0]] += _PIN_WEIGHT
        linear = np.zeros(self._n_states)
        np.add.at(linear, self._entry_state, 2.0 * coef * cost[self._entry_meas])
        # Validated writes cost as much as the solve here; the indices are the
        # parameters' own and the values plain floats, so skip the checks.
        m.q.store_values(dict(enumerate(hessian.tolist())), check=False)
        m.g.store_values({j: float(linear[j]) for j in self._used}, check=False)
        m.c0.set_value(float(np.dot(cost, cost)))
        m.lb.store_values(dict(enumerate(lower.tolist())), check=False)
        results = self._solver.solve(
            m, load_solutions=False, raise_exception_on_nonoptimal_result=False
        )
        status = _STATUS_BY_TERMINATION.get(results.termination_condition.name, "unknown")
        if status != "optimal":
            return status, None, math.nan
        values = results.solution_loader.get_vars(self._d)
        d = np.array([values[v] for v in self._d])
        return status, d, float(results.incumbent_objective)


# --------------------------------------------------------------------------- solve
@dataclass(frozen=True)
class _Reduced:
    """The problem on its observable states, scaled: x = scale * xi."""

    keep: np.ndarray  # indices of kept states in the full problem
    position: np.ndarray  # per full state: its index among the kept states, or -1
    scale: np.ndarray  # (n_keep,)
    balance: np.ndarray  # scaled, projected, row-normalised
    entry_keep: np.ndarray  # per Jacobian entry: position in the kept states
    floor: np.ndarray  # lower bound of each kept state, unscaled
    reference: np.ndarray  # starting scale of each kept state, for convergence tests
    partner: np.ndarray  # for a ratio's numerator, its denominator (kept index), or -1


@dataclass(frozen=True)
class _Round:
    xi: np.ndarray
    history: tuple[float, ...]
    iterations: int
    status: str


def _objective(problem: _Problem, x: np.ndarray, active: np.ndarray) -> float:
    z = (problem.values(x) - problem.measured) / problem.sd
    return float(np.sum(z[active] ** 2))


def _gauss_newton(
    problem: _Problem,
    reduced: _Reduced,
    qp: _GaussNewtonQp,
    xi_start: np.ndarray,
    active: np.ndarray,
    *,
    max_iterations: int,
    step_tolerance: float,
) -> _Round:
    """Damped Gauss-Newton from the balanced point ``xi_start`` (scaled kept states).

    Every step is a line search on the true objective from a balanced point, so the
    iterates stay balanced and the objective history is non-increasing (up to
    round-off, see below).
    """
    keep, scale = reduced.keep, reduced.scale
    floor = reduced.floor / scale
    relative = scale / reduced.reference
    collapsible = problem.is_flow[keep] & problem.is_denominator[keep]
    entry_rows = problem.entry_meas
    sd = problem.sd

    def full(xi: np.ndarray) -> np.ndarray:
        x = np.zeros(problem.n_states)
        x[keep] = xi * scale
        return x

    def linearise(xi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = full(xi)
        residual = (problem.values(x) - problem.measured) / sd
        residual[~active] = 0.0
        coef = problem.jacobian_entries(x) * scale[reduced.entry_keep] / sd[entry_rows]
        coef[~active[entry_rows]] = 0.0
        return residual, coef

    xi = xi_start.copy()
    iterations = 0
    f = _objective(problem, full(xi), active)
    history = [f]
    status = "not_converged"
    for _ in range(max_iterations):
        residual, coef = linearise(xi)
        lower = floor - xi
        # Bounds within round-off of zero are zero: HiGHS warns about tiny bounds.
        lower[np.abs(lower) < 1e-12] = 0.0
        pinned = collapsible & (xi * scale <= _ZERO_FLOW * reduced.reference)
        qp_status, d, _ = qp.step(coef, residual, lower, pinned)
        if d is None:
            status = qp_status if iterations == 0 else f"not_converged (HiGHS step: {qp_status})"
            break
        # HiGHS meets bounds to its feasibility tolerance (1e-7); a state at its floor
        # must not dip below it, or a flow could turn negative.
        d = np.maximum(d, lower)
        iterations += 1
        # Directional derivative of J along d: 2 r . (C d).
        change = np.zeros(len(sd))
        np.add.at(change, entry_rows, coef * d[reduced.entry_keep])
        slope = 2.0 * float(np.dot(residual, change))
        # Steps are measured against the starting scale: a flow that has collapsed
        # towards zero (and been rescaled) may still move by a large fraction of
        # itself while moving nothing that matters.
        step = float(np.max(np.abs(d) * relative * ~pinned)) if d.size else 0.0
        if step <= step_tolerance:
            status = "optimal"
            break
        # Near the optimum J changes below its own round-off; there the QP model is the
        # better judge, so a full step that does not raise J beyond round-off is taken.
        noise = 1e-13 * (1.0 + f)
        alpha = 1.0
        trial = xi + d
        f_trial = _objective(problem, full(trial), active)
        if f_trial > f + noise:
            while f_trial > f + _ARMIJO * alpha * slope and alpha > 1e-10:
                alpha *= 0.5
                trial = xi + alpha * d
                f_trial = _objective(problem, full(trial), active)
        if f_trial > f + noise:
            # No decrease even along a tiny step: stationary to round-off.
            logger.debug("line search stalled at J=%.17g (step %.3g)", f, step)
            status = "optimal"
            break
        xi, f = trial, min(f, f_trial)
        history.append(f_trial)
        if alpha * step <= step_tolerance:
            status = "optimal"
            break
        if np.any(_needs_rescale(xi * scale, reduced)):
            status = "rescale"
            break
    return _Round(xi, tuple(history), iterations, status)


def _smallest_scale(reduced: _Reduced, x: np.ndarray) -> np.ndarray:
    """The smallest scale each state may be given at the point ``x`` (unscaled).

    A flow (a denominator) may shrink to 1e-9 of its start. A component flow measured
    as a ratio to a flow (``M`` in ``M / S``) keeps its scale in proportion to that
    flow's current value: it shrinks with a collapsing stream (else ``dh/dM = 1/S``
    explodes) but not when only the assay tends to zero (else its Hessian entries
    fall below HiGHS's 1e-9 cut-off and the QP becomes unbounded). Other states keep
    at least 1e-3 of their start.
    """
    partner = reduced.partner
    has_partner = partner >= 0
    smallest = 1e-3 * reduced.reference
    ratio = reduced.reference[has_partner] / reduced.reference[partner[has_partner]]
    smallest[has_partner] = ratio * np.maximum(
        x[partner[has_partner]], reduced.floor[partner[has_partner]]
    )
    flows = reduced.floor > 0
    smallest[flows] = _DENOMINATOR_FLOOR * reduced.reference[flows]
    return np.maximum(smallest, reduced.floor)


def _needs_rescale(x: np.ndarray, reduced: _Reduced) -> np.ndarray:
    """States far below their scale (and not already scaled to their smallest)."""
    return (x < _RESCALE_BELOW * reduced.scale) & (
        reduced.scale > 10.0 * np.maximum(x, _smallest_scale(reduced, x))
    )


def _rescaled(reduced: _Reduced, x: np.ndarray) -> _Reduced:
    """The same problem with the shrunken states rescaled to their current values."""
    shrink = _needs_rescale(x, reduced)
    scale = np.where(shrink, np.maximum(x, _smallest_scale(reduced, x)), reduced.scale)
    balance = _normalise_rows(reduced.balance * (scale / reduced.scale))
    return _Reduced(
        reduced.keep,
        reduced.position,
        scale,
        balance,
        reduced.entry_keep,
        reduced.floor,
        reduced.reference,
        reduced.partner,
    )


def _partners(problem: _Problem, position: np.ndarray) -> np.ndarray:
    """Per state, the (kept) flow it is measured against as a ratio, or -1."""
    partner = np.full(problem.n_states, -1, dtype=np.int64)
    for i in range(len(problem.measurements)):
        top, bottom = int(problem.numerator[i]), int(problem.denominator[i, 0])
        if bottom >= 0 and not problem.is_denominator[top]:
            partner[top] = position[bottom]
    return partner


def _solve_round(
    problem: _Problem,
    reduced: _Reduced,
    qp: _GaussNewtonQp,
    xi: np.ndarray,
    active: np.ndarray,
    *,
    max_iterations: int,
    step_tolerance: float,
) -> tuple[_Round, _Reduced, _GaussNewtonQp]:
    """Gauss-Newton to convergence, rescaling (and rebuilding the QP) when asked."""
    history: list[float] = []
    iterations = 0
    for _ in range(_MAX_RESCALES + 1):
        result = _gauss_newton(
            problem,
            reduced,
            qp,
            xi,
            active,
            max_iterations=max(1, max_iterations - iterations),
            step_tolerance=step_tolerance,
        )
        status = result.status
        if result.iterations == 0 and iterations > 0 and status != "rescale":
            status = f"not_converged (HiGHS step: {status})"
        iterations += result.iterations
        # After a rescale the first value repeats the last one (same point).
        history += list(result.history[1:] if history else result.history)
        if status != "rescale":
            return _Round(result.xi, tuple(history), iterations, status), reduced, qp
        x = result.xi * reduced.scale
        reduced = _rescaled(reduced, x)
        logger.debug("rescaled the states that shrank below %g of their scale", _RESCALE_BELOW)
        qp = _GaussNewtonQp(
            reduced.balance, problem.entry_meas, reduced.entry_keep, len(problem.measurements)
        )
        xi = x / reduced.scale
    return _Round(xi, tuple(history), iterations, "not_converged"), reduced, qp


def _balanced_start(balance: np.ndarray, xi_guess: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """The nearest point to the guess that closes every balance and respects the floors.

    Classification needs a balanced point: there, every ratio measurement is exactly
    invariant along the scaling of its stream (Euler), so structural non-redundancy
    (a lone flow meter setting the scale) shows as a leverage of exactly one. The
    least-norm projection is tried first; if it leaves a state below its floor, the
    same projection is solved with bounds as a QP (identity Hessian) by HiGHS.
    """
    if balance.shape[0] == 0:
        return xi_guess.copy()
    correction, *_ = np.linalg.lstsq(balance, balance @ xi_guess, rcond=None)
    xi = xi_guess - correction
    if np.all(xi >= floor):
        return xi
    import pyomo.environ as pyo
    from pyomo.contrib.solver.common.factory import SolverFactory

    n = balance.shape[1]
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(n), initialize=lambda _, j: max(float(xi_guess[j]), float(floor[j])))
    for j in range(n):
        m.x[j].setlb(float(floor[j]))
    nonzero = [np.flatnonzero(row) for row in balance]
    m.balance = pyo.Constraint(
        range(balance.shape[0]),
        rule=lambda model, k: sum(float(balance[k, j]) * model.x[int(j)] for j in nonzero[k]) == 0,
    )
    m.obj = pyo.Objective(expr=sum((m.x[j] - float(xi_guess[j])) ** 2 for j in range(n)))
    results = SolverFactory("highs").solve(
        m, load_solutions=False, raise_exception_on_nonoptimal_result=False
    )
    status = _STATUS_BY_TERMINATION.get(results.termination_condition.name, "unknown")
    if status != "optimal":
        _raise_for_status(status)
    values = results.solution_loader.get_vars([m.x[j] for j in range(n)])
    return np.array([values[m.x[j]] for j in range(n)])


def _polish(balance: np.ndarray, xi: np.ndarray) -> np.ndarray:
    """Remove the solver's last round-off from the balances (least-norm correction)."""
    if balance.shape[0] == 0:
        return xi
    residual = balance @ xi
    if np.max(np.abs(residual)) == 0.0:
        return xi
    correction, *_ = np.linalg.lstsq(balance, residual, rcond=None)
    return xi - correction


def reconcile(
    survey: Survey,
    network: Network | None = None,
    *,
    confidence: float = 0.95,
    gross_error_test: bool = True,
    max_suspects: int = 5,
    max_iterations: int = 100,
    step_tolerance: float = 1e-10,
) -> ReconcileResult:
    """Reconcile a plant survey by weighted least squares, with gross-error tests.

    Parameters
    ----------
    survey : Survey
        The validated survey (``oreflow.flowsheet.survey.read_survey``).
    network : Network, optional
        The flowsheet. Defaults to the survey's own node list.
    confidence : float
        Confidence level of the global chi-square test [-], e.g. 0.95.
    gross_error_test : bool
        Whether to remove suspect measurements by serial elimination while the global
        test fails.
    max_suspects : int
        At most this many measurements are removed as gross errors.
    max_iterations : int
        Gauss-Newton iterations allowed per round.
    step_tolerance : float
        Convergence when the largest state step, relative to the state's scale, is
        below this [-].

    Returns
    -------
    ReconcileResult
        Stream table, sizes, node splits and recoveries, adjustments, tests, closure.

    Raises
    ------
    CaseError
        Before solving: a stream not in the flowsheet, flows the survey cannot
        determine (named), a zero standard deviation on a redundant measurement.
    SolveError
        When HiGHS cannot solve the first step (nothing to report).
    InfeasibleError
        When the balances cannot close with non-negative flows and assays.
    """
    started = time.perf_counter()
    if not 0.0 < confidence < 1.0:
        msg = f"confidence must be in (0, 1), got {confidence}"
        raise ValueError(msg)
    if max_iterations < 1 or max_suspects < 0 or not step_tolerance > 0.0:
        msg = "need max_iterations >= 1, max_suspects >= 0 and step_tolerance > 0"
        raise ValueError(msg)
    network = network if network is not None else survey.network
    if network is None:
        raise CaseError(
            [
                Problem(
                    survey.file,
                    "nodes",
                    "no flowsheet: give a [nodes] table in the survey or a case file",
                )
            ]
        )
    problems = survey_network_problems(survey, network)
    if problems:
        raise CaseError(problems)
    problem = _assemble(survey, network)
    x_guess = _initial_guess(problem, network)
    scale_full = _scales(problem, x_guess)
    balance_scaled = _normalise_rows(problem.balance * scale_full)
    floor_full = np.where(problem.is_denominator, _DENOMINATOR_FLOOR, 0.0)
    xi_start = _balanced_start(balance_scaled, x_guess / scale_full, floor_full)
    x_start = xi_start * scale_full

    all_rows = np.ones(len(problem.measurements), dtype=bool)
    jac = problem.jacobian(x_start) * scale_full / problem.sd[:, None]
    linear = _linearise(balance_scaled, jac, all_rows, np.zeros_like(all_rows))
    _check_observability(survey, problem, linear.unobservable)
    drop = linear.unobservable
    keep = np.flatnonzero(~drop)
    reduced_balance = _project_out(balance_scaled, drop) if drop.any() else balance_scaled
    position = np.full(problem.n_states, -1, dtype=np.int64)
    position[keep] = np.arange(keep.size)
    reduced = _Reduced(
        keep,
        position,
        scale_full[keep],
        reduced_balance,
        position[problem.entry_state],
        (floor_full * scale_full)[keep],
        scale_full[keep],
        _partners(problem, position)[keep],
    )
    jac_kept = jac[:, keep]
    leverage = _linearise(reduced_balance, jac_kept, all_rows, np.zeros_like(all_rows)).leverage
    _check_exact(survey, problem, leverage)
    unobservable = [
        f"{key[1]}: {_state_label(key, problem.classes_um)}"
        for key, dropped in zip(problem.keys, drop, strict=True)
        if dropped
    ]
    if unobservable:
        logger.warning("undetermined by the survey (reported as NaN): %s", "; ".join(unobservable))

    qp = _GaussNewtonQp(
        reduced.balance, problem.entry_meas, reduced.entry_keep, len(problem.measurements)
    )
    active = np.ones(len(problem.measurements), dtype=bool)
    removed: list[int] = []
    tied = ""
    rounds: list[dict[str, Any]] = []
    xi = xi_start[keep]
    total_iterations = 0
    last: _Round | None = None
    stats: _Linearised | None = None
    good = reduced  # the scaling of the last accepted round
    while True:
        result, reduced, qp = _solve_round(
            problem,
            reduced,
            qp,
            xi,
            active,
            max_iterations=max_iterations,
            step_tolerance=step_tolerance,
        )
        total_iterations += result.iterations
        if result.iterations == 0 and result.status != "optimal" and last is None:
            _raise_for_status(result.status)
        if result.status != "optimal" and last is not None:
            logger.warning(
                "round %d stopped (%s); keeping round %d",
                len(rounds),
                result.status,
                len(rounds) - 1,
            )
            active[removed.pop()] = True
            reduced = good
            break
        last, good = result, reduced
        xi = _polish(reduced.balance, result.xi)
        x_full = np.zeros(problem.n_states)
        x_full[keep] = xi * reduced.scale
        stats = _statistics(problem, reduced, x_full, active)
        chi2 = _objective(problem, x_full, active & ~problem.exact)
        dof = int(np.sum(active & ~problem.exact)) - stats.rank
        critical = chi2_ppf(confidence, dof) if dof > 0 else math.nan
        passed = dof <= 0 or chi2 <= critical
        rounds.append(
            {
                "round": len(rounds),
                "removed": _describe(problem.measurements[removed[-1]]) if removed else "",
                "indistinguishable": tied,
                "chi2": chi2,
                "dof": dof,
                "critical": critical,
                "passed": passed,
            }
        )
        if passed or not gross_error_test or len(removed) >= max_suspects:
            break
        found = _worst_measurement(problem, x_full, stats, active)
        if found is None:
            break
        candidate, ties = found
        active[candidate] = False
        removed.append(candidate)
        tied = "; ".join(_describe(problem.measurements[i]) for i in ties)
        logger.info("gross-error suspect: %s", _describe(problem.measurements[candidate]))
        if ties:
            logger.info("indistinguishable from it on this survey: %s", tied)

    # The loop ran at least once, so a round and its statistics exist.
    assert last is not None
    assert stats is not None
    at_bound = [
        f"{problem.keys[j][1]}: {_state_label(problem.keys[j], problem.classes_um)}"
        for j, value, low, start in zip(
            keep, xi * reduced.scale, reduced.floor, reduced.reference, strict=True
        )
        if low > 0 and value <= _ZERO_FLOW * start
    ]
    if at_bound:
        logger.warning(
            "at the lower bound (effectively zero; the measurements of these streams "
            "that depend on them cannot be checked): %s",
            "; ".join(at_bound),
        )
    x_full = np.full(problem.n_states, np.nan)
    x_full[keep] = xi * reduced.scale
    tables = _tables(problem, network, x_full, reduced, stats, active, survey.measurements)
    final = rounds[-1]
    closure = _closure(problem, x_full)
    determined = closure["rel_error"].dropna()
    max_rel = float(determined.max()) if len(determined) else 0.0
    meta = {
        "status": last.status,
        "iterations": total_iterations,
        "rounds": len(rounds),
        "objective_history": last.history,
        "chi2": final["chi2"],
        "dof": final["dof"],
        "critical": final["critical"],
        "passed": final["passed"],
        "confidence": confidence,
        "suspects": tuple(_describe(problem.measurements[i]) for i in removed),
        "unobservable": tuple(unobservable),
        "at_bound": tuple(at_bound),
        "max_rel_closure": max_rel,
        "solver": "highs",
        "solver_version": qp.version,
        "seconds": time.perf_counter() - started,
    }
    return ReconcileResult(
        streams=tables["streams"],
        sizes=tables["sizes"],
        nodes=tables["nodes"],
        adjustments=tables["adjustments"],
        tests=pd.DataFrame(
            rounds,
            columns=["round", "removed", "indistinguishable", "chi2", "dof", "critical", "passed"],
        ),
        closure=closure,
        meta=MappingProxyType(meta),
    )


def _raise_for_status(status: str) -> None:
    if status in ("infeasible", "infeasible_or_unbounded"):
        msg = (
            "the node balances cannot close with non-negative flows and assays; check the "
            "node list (a stream on the wrong side of a node) and the measured values"
        )
        raise InfeasibleError(msg)
    msg = f"HiGHS could not solve the reconciliation step (status {status})"
    raise SolveError(msg)


def _describe(m: Measurement) -> str:
    size = f" {m.size_um:g} um" if m.size_um is not None else ""
    return f"{m.stream} {m.quantity}{size} ({m.where})"


def _check_observability(survey: Survey, problem: _Problem, unobservable: np.ndarray) -> None:
    problems: list[Problem] = []
    names = {"S": "solids_tph", "W": "water_tph", "C": "carbon_tph"}
    flows = [
        key for key, bad in zip(problem.keys, unobservable, strict=True) if bad and key[0] in names
    ]
    if flows:
        listing = ", ".join(f"{key[1]} {names[key[0]]}" for key in flows)
        problems += [
            Problem(
                survey.file,
                f"stream {key[1]}, quantity {names[key[0]]}",
                f"{names[key[0]]} of stream {key[1]!r} cannot be determined from the balances "
                "and measurements (unobservable); measure it, or measure assays that set its "
                f"split (a stream that carries none of it needs {names[key[0]]} 0). "
                f"Undetermined flows: {listing}",
            )
            for key in flows
        ]
    flow_bad = {key[1] for key in flows}
    for i, m in enumerate(problem.measurements):
        states = problem.entry_state[problem.entry_meas == i]
        bad = [problem.keys[j] for j in states if unobservable[j]]
        if bad and m.stream not in flow_bad:
            what = ", ".join(_state_label(key, problem.classes_um) for key in bad)
            problems.append(
                Problem(
                    survey.file,
                    m.at("quantity"),
                    f"{m.quantity} on {m.stream!r} depends on {what}, which the survey does "
                    "not determine (for an assay by size, measure mass_frac of that class "
                    "on the same stream)",
                )
            )
    if problems:
        raise CaseError(problems)


def _check_exact(survey: Survey, problem: _Problem, leverage: np.ndarray) -> None:
    problems = [
        Problem(
            survey.file,
            m.at("sd"),
            f"standard deviation is zero, but the balances check {m.quantity} on {m.stream!r} "
            "(it is redundant), so reconciliation must be free to move it; give a positive sd",
        )
        for m, exact, lev in zip(problem.measurements, problem.exact, leverage, strict=True)
        if exact and lev < 1.0 - _REDUNDANT_TOL
    ]
    if problems:
        raise CaseError(problems)


def _statistics(
    problem: _Problem, reduced: _Reduced, x_full: np.ndarray, active: np.ndarray
) -> _Linearised:
    jac = problem.jacobian(x_full)[:, reduced.keep] * reduced.scale / problem.sd[:, None]
    return _linearise(reduced.balance, jac, active & ~problem.exact, active & problem.exact)


def _worst_measurement(
    problem: _Problem, x_full: np.ndarray, stats: _Linearised, active: np.ndarray
) -> tuple[int, tuple[int, ...]] | None:
    """The active redundant measurement with the largest normalised adjustment.

    Returns its index and the indices of the others whose statistic ties with it (to
    1e-6 relative): the data cannot tell those apart, e.g. the outlet assays of a node
    with one degree of redundancy. None when no measurement can be removed.
    """
    z = (problem.values(x_full) - problem.measured) / problem.sd
    spread = np.sqrt(np.clip(1.0 - stats.leverage, 0.0, None))
    eligible = active & ~problem.exact & (stats.leverage < 1.0 - _REDUNDANT_TOL)
    if not eligible.any():
        return None
    normalised = np.where(eligible, np.abs(z) / np.where(spread > 0, spread, 1.0), -1.0)
    worst = int(np.argmax(normalised))
    ties = np.flatnonzero(np.abs(normalised - normalised[worst]) <= 1e-6 * normalised[worst])
    return worst, tuple(int(i) for i in ties if i != worst)


# --------------------------------------------------------------------------- tables
Terms = Mapping[tuple[Any, ...], float]


def _ratio_sd(
    problem: _Problem,
    reduced: _Reduced,
    stats: _Linearised,
    x_full: np.ndarray,
    numerator: Terms,
    denominator: Terms | None,
) -> tuple[float, float]:
    """Value and standard deviation of (g . x) / (d . x), or of g . x without d.

    The terms are keyed by state; a key with no state is a structural zero.
    """
    num = {problem.index[k]: c for k, c in numerator.items() if k in problem.index}
    top = sum(c * x_full[j] for j, c in num.items())
    if denominator is None:
        gradient = dict(num)
        value = top
    else:
        den = {problem.index[k]: c for k, c in denominator.items() if k in problem.index}
        bottom = sum(c * x_full[j] for j, c in den.items())
        if not bottom > 0:
            return math.nan, math.nan
        value = top / bottom
        gradient = {}
        for j, c in num.items():
            gradient[j] = gradient.get(j, 0.0) + c / bottom
        for j, c in den.items():
            gradient[j] = gradient.get(j, 0.0) - c * top / bottom**2
    if not math.isfinite(value):
        return math.nan, math.nan
    row = np.zeros(stats.factor.shape[1])
    for j, g in gradient.items():
        k = int(reduced.position[j])
        if k < 0:
            return value, math.nan
        row += g * reduced.scale[k] * stats.factor[k]
    return value, float(np.sqrt(np.dot(row, row)))


def _tables(
    problem: _Problem,
    network: Network,
    x: np.ndarray,
    reduced: _Reduced,
    stats: _Linearised,
    active: np.ndarray,
    survey_order: Sequence[Measurement],
) -> dict[str, pd.DataFrame]:
    def q(num: Terms, den: Terms | None = None) -> tuple[float, float]:
        return _ratio_sd(problem, reduced, stats, x, num, den)

    stream_rows = []
    for s in network.streams:
        row: dict[str, Any] = {
            "stream": s,
            "from_node": network.source_of(s) or "",
            "to_node": network.destination_of(s) or "",
        }

        def put(column: str, value_sd: tuple[float, float], row: dict[str, Any] = row) -> None:
            row[column], row[f"{column}_sd"] = value_sd

        if "S" in problem.phases:
            put("solids_tph", q({("S", s): 1.0}))
        if "W" in problem.phases:
            put("water_tph", q({("W", s): 1.0}))
        if "S" in problem.phases and "W" in problem.phases:
            put("solids_pct", q({("S", s): 100.0}, {("S", s): 1.0, ("W", s): 1.0}))
        if "C" in problem.phases:
            put("carbon_tph", q({("C", s): 1.0}))
        for sp, unit in problem.solid_species.items():
            put(f"{sp}_{unit}", q({("M", s, sp): 1.0}, {("S", s): 1.0}))
        for sp in problem.tenor_species:
            put(f"{sp}_mg_l", q({("D", s, sp): 1.0}, {("W", s): 1.0}))
        for sp in problem.loading_species:
            put(f"carbon_{sp}_gpt", q({("L", s, sp): 1.0}, {("C", s): 1.0}))
        stream_rows.append(row)

    size_rows = []
    for s in network.streams:
        for i, size in enumerate(problem.classes_um):
            row = {"stream": s, "size_um": size}
            row["mass_frac"], row["mass_frac_sd"] = q({("Si", s, i): 1.0}, {("S", s): 1.0})
            for sp in problem.sized_species:
                column = f"{sp}_{problem.solid_species[sp]}"
                row[column], row[f"{column}_sd"] = q({("Mi", s, i, sp): 1.0}, {("Si", s, i): 1.0})
            size_rows.append(row)

    species = list(
        dict.fromkeys([*problem.solid_species, *problem.tenor_species, *problem.loading_species])
    )

    def species_terms(stream: str, sp: str) -> dict[tuple[Any, ...], float]:
        """The species' flow in a stream, all phases, in g/h (or t/h for % assays)."""
        terms: dict[tuple[Any, ...], float] = {}
        if sp in problem.solid_species:
            unit = _GPH_PER_PCT_TPH if problem.solid_species[sp] == "pct" else 1.0
            terms["M", stream, sp] = unit
        if sp in problem.tenor_species:
            terms["D", stream, sp] = 1.0
        if sp in problem.loading_species:
            terms["L", stream, sp] = 1.0
        return terms

    node_rows = []
    names = {"S": "solids", "W": "water", "C": "carbon"}
    for node in network.nodes:
        for s in node.outlets:
            row = {"node": node.name, "stream": s}
            for p in problem.phases:
                column = f"{names[p]}_split_frac"
                row[column], row[f"{column}_sd"] = q(
                    {(p, s): 1.0}, {(p, f): 1.0 for f in node.inlets}
                )
            for sp in species:
                feed: dict[tuple[Any, ...], float] = {}
                for f in node.inlets:
                    feed |= species_terms(f, sp)
                column = f"{sp}_recovery_frac"
                row[column], row[f"{column}_sd"] = q(species_terms(s, sp), feed)
            node_rows.append(row)

    h = problem.values(np.nan_to_num(x))
    adjustment_rows = []
    for i, m in enumerate(problem.measurements):
        dens = [problem.keys[j] for j in problem.denominator[i] if j >= 0]
        reconciled, reconciled_sd = q(
            {problem.keys[problem.numerator[i]]: float(problem.factor[i])},
            dict.fromkeys(dens, 1.0) or None,
        )
        reconciled = float(h[i]) if not math.isfinite(reconciled) else reconciled
        sd = 0.0 if problem.exact[i] else float(problem.sd[i])
        lev = float(stats.leverage[i])
        if not active[i]:
            spread = math.sqrt(sd**2 + reconciled_sd**2)
        else:
            spread = sd * math.sqrt(max(1.0 - lev, 0.0))
        redundant = (
            bool(active[i] and not problem.exact[i] and lev < 1.0 - _REDUNDANT_TOL) or not active[i]
        )
        adjustment_rows.append(
            {
                "stream": m.stream,
                "quantity": m.quantity,
                "size_um": m.size_um if m.size_um is not None else math.nan,
                "measured": m.value,
                "sd": sd,
                "reconciled": reconciled,
                "reconciled_sd": 0.0 if problem.exact[i] else reconciled_sd,
                "adjustment_sd": (reconciled - m.value) / sd if sd > 0 else math.nan,
                "normalised_adjustment": (reconciled - m.value) / spread
                if redundant and spread > 0
                else math.nan,
                "redundant": redundant,
                "flagged": not bool(active[i]),
                "sd_is_default": m.sd_is_default,
                "where": m.where,
            }
        )
    adjustment_rows += [
        {
            "stream": m.stream,
            "quantity": m.quantity,
            "size_um": math.nan,
            "measured": 0.0,
            "sd": 0.0,
            "reconciled": 0.0,
            "reconciled_sd": 0.0,
            "adjustment_sd": math.nan,
            "normalised_adjustment": math.nan,
            "redundant": False,
            "flagged": False,
            "sd_is_default": m.sd_is_default,
            "where": m.where,
        }
        for m in problem.fixed_zero
    ]
    order = {m: k for k, m in enumerate(survey_order)}
    ranks = [order[m] for m in (*problem.measurements, *problem.fixed_zero)]
    adjustment_rows = [row for _, row in sorted(zip(ranks, adjustment_rows, strict=True))]
    return {
        "streams": pd.DataFrame(stream_rows),
        "sizes": pd.DataFrame(
            size_rows,
            columns=None if size_rows else ["stream", "size_um", "mass_frac", "mass_frac_sd"],
        ),
        "nodes": pd.DataFrame(node_rows),
        "adjustments": pd.DataFrame(adjustment_rows),
    }


def _closure(problem: _Problem, x: np.ndarray) -> pd.DataFrame:
    """In, out and relative error of every balance at the reconciled point."""
    rows = []
    for label, coefficients in zip(problem.balance_labels, problem.balance, strict=True):
        terms = coefficients * x
        positive = float(np.sum(terms[coefficients > 0]))
        negative = float(-np.sum(terms[coefficients < 0]))
        biggest = max(abs(positive), abs(negative))
        rel = abs(positive - negative) / biggest if biggest > 0 else 0.0
        rows.append(
            {
                "node": label[0],
                "balance": label[1],
                "in": positive,
                "out": negative,
                "rel_error": rel,
            }
        )
    return pd.DataFrame(rows, columns=["node", "balance", "in", "out", "rel_error"])

"""The survey as arrays: states, linear balances and ratio measurement functions.

Every stream carries extensive states: phase flows (``S``, ``W``, ``C`` [t/h]) and, for
each measured ratio, the matching component flow (``M = S * assay``, ``D = W * tenor``,
``L = C * loading``, ``Si = S * mass_frac_i``, ``Mi = Si * assay_i``). Balances are
linear in these states; measurements are ratios of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
from scipy import sparse

from oreflow.errors import CaseError, Problem
from oreflow.flowsheet.network import Network
from oreflow.flowsheet.survey import Measurement, Quantity, Survey, default_sd
from oreflow.kernels.arrays import safe_div

#: Grams per hour in one t/h of a species assayed in % [g/h per (% * t/h)].
GPH_PER_PCT_TPH = 1.0e4
#: Phase state of each flow quantity kind.
FLOW_PHASE = {"solids_flow": "S", "water_flow": "W", "carbon_flow": "C"}


@dataclass(frozen=True)
class SurveyProblem:
    """The survey as arrays: states, linear balances and ratio measurement functions."""

    keys: tuple[tuple[Any, ...], ...]
    index: Mapping[tuple[Any, ...], int]
    is_flow: np.ndarray
    is_denominator: np.ndarray
    balance: sparse.csr_matrix
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
        """Number of states."""
        return len(self.keys)

    def values(self, x: np.ndarray) -> np.ndarray:
        """Measurement functions h(x), shape (n_meas,)."""
        top = self.factor * x[self.numerator]
        has_den = self.denominator[:, 0] >= 0
        den = _denominator_sum(self.denominator, x)
        out = top.copy()
        # A zero denominator (a flow structurally absent) gives NaN, not a warning.
        out[has_den] = safe_div(top[has_den], den[has_den], fill=np.nan, where=den[has_den] != 0.0)
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

    def jacobian(self, x: np.ndarray) -> sparse.csr_matrix:
        """Sparse dh/dx, shape (n_meas, n_states)."""
        return sparse.csr_matrix(
            (self.jacobian_entries(x), (self.entry_meas, self.entry_state)),
            shape=(len(self.measurements), self.n_states),
        )


def _denominator_sum(denominator: np.ndarray, x: np.ndarray) -> np.ndarray:
    total = np.zeros(denominator.shape[0])
    for column in range(denominator.shape[1]):
        idx = denominator[:, column]
        valid = idx >= 0
        total[valid] += x[idx[valid]]
    return total


def state_label(key: tuple[Any, ...], classes_um: Sequence[float]) -> str:
    """What a state is, in words (``solids_tph``, ``au in solids``)."""
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


def assemble(survey: Survey, network: Network) -> SurveyProblem:
    """The survey's states, balances and measurement functions on ``network``.

    Raises
    ------
    CaseError
        When a measurement needs a phase its stream is declared empty of.
    """
    kinds = {m.parsed.kind for m in survey.measurements}
    # A flow measured as exactly zero with zero standard deviation (the default for a
    # zero flow) is structural, e.g. the solids of a water addition: the state and its
    # components are removed rather than measured.
    fixed_zero = tuple(
        m
        for m in survey.measurements
        if m.parsed.kind in FLOW_PHASE and m.value == 0.0 and m.sd == 0.0
    )
    zero = {(FLOW_PHASE[m.parsed.kind], m.stream): m for m in fixed_zero}
    measurements = tuple(m for m in survey.measurements if m not in fixed_zero)
    quantities = tuple(m.parsed for m in measurements)
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
    species = _Species(
        phases, solid_species, tuple(sized), tuple(tenor), tuple(loading), classes_um
    )
    keys = _state_keys(network.streams, species, zero)
    index = {key: j for j, key in enumerate(keys)}
    balance, labels = _balances(network, species, index)
    numerator, denominator, factor = _measurement_functions(
        survey.file, measurements, index, species, zero
    )
    is_den = np.zeros(len(keys), dtype=bool)
    is_den[denominator[denominator >= 0]] = True
    entry_meas, entry_state, entry_num, entry_den = _jacobian_pattern(numerator, denominator)
    sd = np.array([m.sd for m in measurements])
    exact = sd <= 0.0
    placeholder = np.array(
        [
            max(default_sd(q, m.value), 1e-6 * max(abs(m.value), 1.0))
            for m, q in zip(measurements, quantities, strict=True)
        ]
    )
    return SurveyProblem(
        keys=tuple(keys),
        index=MappingProxyType(index),
        is_flow=np.array([key[0] in ("S", "W", "C") for key in keys], dtype=bool),
        is_denominator=is_den,
        balance=balance,
        balance_labels=labels,
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
        entry_meas=entry_meas,
        entry_state=entry_state,
        entry_is_num=entry_num,
        entry_is_den=entry_den,
        fixed_zero=fixed_zero,
        classes_um=classes_um,
        solid_species=MappingProxyType(solid_species),
        sized_species=species.sized,
        tenor_species=species.tenor,
        loading_species=species.loading,
        phases=phases,
    )


@dataclass(frozen=True)
class _Species:
    """What the survey measures: phases, species per phase and size classes."""

    phases: tuple[str, ...]
    solid: Mapping[str, str]  # species -> assay unit (gpt or pct)
    sized: tuple[str, ...]
    tenor: tuple[str, ...]
    loading: tuple[str, ...]
    classes_um: tuple[float, ...]


def _state_keys(
    streams: Sequence[str], sp: _Species, zero: Mapping[tuple[str, str], Measurement]
) -> list[tuple[Any, ...]]:
    """State keys stream by stream; a phase declared empty has no states."""
    n_classes = len(sp.classes_um)
    keys: list[tuple[Any, ...]] = []
    for s in streams:
        keys += [(p, s) for p in sp.phases if (p, s) not in zero]
        if ("S", s) not in zero:
            keys += [("M", s, name) for name in sp.solid]
            keys += [("Si", s, i) for i in range(n_classes)]
            keys += [("Mi", s, i, name) for i in range(n_classes) for name in sp.sized]
        if ("W", s) not in zero:
            keys += [("D", s, name) for name in sp.tenor]
        if ("C", s) not in zero:
            keys += [("L", s, name) for name in sp.loading]
    return keys


def _balances(
    network: Network, sp: _Species, index: Mapping[tuple[Any, ...], int]
) -> tuple[sparse.csr_matrix, tuple[tuple[str, str], ...]]:
    """Balance rows (sparse, one per node and component) and their (node, balance) labels."""
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    labels: list[tuple[str, str]] = []

    def add(label: tuple[str, str], terms: Sequence[tuple[tuple[Any, ...], float]]) -> None:
        row: dict[int, float] = {}
        for key, coef in terms:
            if key in index:  # absent keys are structural zeros
                row[index[key]] = row.get(index[key], 0.0) + coef
        if row:
            rows.extend([len(labels)] * len(row))
            cols.extend(row)
            vals.extend(row.values())
            labels.append(label)

    classes = sp.classes_um
    phase_names = {"S": "solids", "W": "water", "C": "carbon"}
    all_species = list(dict.fromkeys([*sp.solid, *sp.tenor, *sp.loading]))
    for node in network.nodes:
        signed = [(s, 1.0) for s in node.inlets] + [(s, -1.0) for s in node.outlets]
        for p in sp.phases:
            add((node.name, phase_names[p]), [((p, s), g) for s, g in signed])
        if not node.grinding:  # a mill moves solids between size classes
            for i, size in enumerate(classes):
                add((node.name, f"solids {size:g} um"), [(("Si", s, i), g) for s, g in signed])
        if node.reactive:
            for name in all_species:
                add((node.name, f"{name} total"), _species_terms(sp, name, signed))
        else:
            for name in sp.solid:
                add((node.name, f"{name} in solids"), [(("M", s, name), g) for s, g in signed])
            for name in sp.tenor:
                add((node.name, f"{name} in solution"), [(("D", s, name), g) for s, g in signed])
            for name in sp.loading:
                add((node.name, f"{name} on carbon"), [(("L", s, name), g) for s, g in signed])
            for i, size in enumerate(classes if not node.grinding else ()):
                for name in sp.sized:
                    add(
                        (node.name, f"{name} {size:g} um"),
                        [(("Mi", s, i, name), g) for s, g in signed],
                    )
    for s in network.streams if classes else ():
        add(
            (s, "size classes sum to solids"),
            [(("Si", s, i), 1.0) for i in range(len(classes))] + [(("S", s), -1.0)],
        )
        for name in sp.sized:
            add(
                (s, f"{name} by size sums to {name}"),
                [(("Mi", s, i, name), 1.0) for i in range(len(classes))] + [(("M", s, name), -1.0)],
            )
    balance = sparse.csr_matrix((vals, (rows, cols)), shape=(len(labels), len(index)))
    return balance, tuple(labels)


def _species_terms(
    sp: _Species, name: str, signed: Sequence[tuple[str, float]]
) -> list[tuple[tuple[Any, ...], float]]:
    """A species in every phase of each stream, in g/h (t/h x % x 1e4 for % assays)."""
    terms: list[tuple[tuple[Any, ...], float]] = []
    for s, g in signed:
        if name in sp.solid:
            unit = GPH_PER_PCT_TPH if sp.solid[name] == "pct" else 1.0
            terms.append((("M", s, name), g * unit))
        if name in sp.tenor:
            terms.append((("D", s, name), g))
        if name in sp.loading:
            terms.append((("L", s, name), g))
    return terms


def _measurement_functions(
    file: str,
    measurements: Sequence[Measurement],
    index: Mapping[tuple[Any, ...], int],
    sp: _Species,
    zero: Mapping[tuple[str, str], Measurement],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Numerator state, denominator states (-1 padded) and factor of each measurement."""
    class_index = {size: i for i, size in enumerate(sp.classes_um)}
    n_meas = len(measurements)
    numerator = np.zeros(n_meas, dtype=np.int64)
    denominator = np.full((n_meas, 2), -1, dtype=np.int64)
    factor = np.ones(n_meas)
    problems: list[Problem] = []
    for i, m in enumerate(measurements):
        q, s = m.parsed, m.stream
        c = class_index.get(m.size_um, -1)
        top: tuple[Any, ...]
        bottom: tuple[tuple[Any, ...], ...] = ()
        if q.kind in FLOW_PHASE:
            top = (FLOW_PHASE[q.kind], s)
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
                    file,
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
    return numerator, denominator, factor


def _jacobian_pattern(
    numerator: np.ndarray, denominator: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sparsity pattern of dh/dx: (measurement, state, is numerator, is denominator)."""
    entry_meas: list[int] = []
    entry_state: list[int] = []
    entry_num: list[bool] = []
    entry_den: list[bool] = []
    for i in range(len(numerator)):
        dens = [int(j) for j in denominator[i] if j >= 0]
        for j in dict.fromkeys([int(numerator[i]), *dens]):
            entry_meas.append(i)
            entry_state.append(j)
            entry_num.append(j == numerator[i])
            entry_den.append(j in dens)
    return (
        np.array(entry_meas, dtype=np.int64),
        np.array(entry_state, dtype=np.int64),
        np.array(entry_num, dtype=bool),
        np.array(entry_den, dtype=bool),
    )

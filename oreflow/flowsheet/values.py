"""Per-case parameter values checked by the same rules as the case file.

A value that reaches a model without passing through a case file (an API override, a
study draw, an optimizer's mode grid, a refinement step) is checked here against the
``Param`` range declared for its key and against the consistency rules the case loader
applies (a gold deportment or a mineralogy summing to 1, each unit type's ``check``
hook). The result says which cases are bad and, per key, one message naming the case
file, the key, how many cases are affected and the first of them with its value, so
that a negative grade ends as "out of range" and not as a recycle that did not converge.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from oreflow.core.schema import Param, frac
from oreflow.errors import Problem
from oreflow.units import UNIT_TYPES
from oreflow.units.base import UnitSpec
from oreflow.units.ore_feed import ORE_PARAMS, PORE_WATER_PARAM

#: A fractions table overridden per case must still sum to 1 within this [-].
SUM_TOL = 1e-6
#: Distinct value sets run through a unit's ``check`` hook. The hooks are scalar Python
#: (about 0.15 ms a call for CIL): beyond this many, the sets holding each key's
#: smallest and largest value and an even subset are checked, the ranges every case.
HOOK_ROWS = 512
_FRACTION = frac("fraction", None, "a species fraction of the ore")


@dataclass(frozen=True)
class ValueCheck:
    """Outcome of checking per-case values.

    Attributes
    ----------
    bad : numpy.ndarray
        (n_cases,) bool, True where a case breaks a rule.
    problems : tuple of Problem
        One per key (or rule) broken, naming the first bad case and its value.
    """

    bad: np.ndarray
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """Whether every case passes."""
        return not self.problems


def declaration(spec: UnitSpec, param: str) -> Param | None:
    """The ``Param`` declaring a per-case key of a unit or ore source, if any."""
    if spec.name.startswith("ore."):
        if param.startswith(("deportment.", "silver_deportment.", "mineralogy.")):
            return _FRACTION
        if param.startswith("pore_water."):
            return PORE_WATER_PARAM
        p = next((p for p in ORE_PARAMS if p.name == param), None)
        if p is not None and p.name == "rate_tph":
            # per case, 0 t/h is a source switched off (a blend, a plan at its lower bound)
            return dataclasses.replace(p, lo_open=False)
        return p
    utype = UNIT_TYPES[spec.type]
    table, _, rest = param.partition(".")
    if rest and table in utype.tables:
        key = rest.rpartition(".")[2]
        return next((p for p in utype.tables[table].params if p.name == key), None)
    return next((p for p in utype.params if p.name == param), None)


def out_of_range(p: Param, values: np.ndarray) -> np.ndarray:
    """Mask of the values outside a parameter's declared range (non-finite included)."""
    bad = ~np.isfinite(values)
    with np.errstate(invalid="ignore"):
        if p.lo is not None:
            bad |= values <= p.lo if p.lo_open else values < p.lo
        if p.hi is not None:
            bad |= values >= p.hi if p.hi_open else values > p.hi
    return bad


def _where(bad: np.ndarray, values: np.ndarray, n: int) -> str:
    """``case 3 = -5`` (single case: the value alone), with the count of bad cases."""
    first = int(np.flatnonzero(bad)[0])
    if n == 1:
        return f"{values[first]:g}"
    return f"{int(bad.sum())} of {n} cases, first case {first} = {values[first]:g}"


def _prefix(node: str) -> str:
    return node if node.startswith("ore.") else f"units.{node}"


def _table_sums(
    spec: UnitSpec, params: Mapping[str, np.ndarray], keys: set[str], file: str, n: int
) -> tuple[np.ndarray, list[Problem]]:
    """An ore's deportment and mineralogy must still sum to 1 after overrides."""
    bad = np.zeros(n, dtype=bool)
    problems = []
    for table in ("deportment", "silver_deportment", "mineralogy"):
        names = [k for k in params if k.startswith(f"{table}.")]
        if not names or not any(k in keys for k in names):
            continue
        total = sum(params[k] for k in names)
        off = ~(np.abs(total - 1.0) <= SUM_TOL)
        if off.any():
            bad |= off
            problems.append(
                Problem(
                    file,
                    f"{_prefix(spec.name)}.{table}",
                    f"fractions must sum to 1 ({', '.join(names)}): {_where(off, total, n)}",
                )
            )
    return bad, problems


def _with_values(spec: UnitSpec, row: Mapping[str, float]) -> UnitSpec:
    """The unit spec with some per-case keys replaced (scalars and table entries)."""
    params = dict(spec.params)
    tables = {t: {sp: e for sp, e in tab.items()} for t, tab in spec.tables.items()}
    for key, value in row.items():
        table, _, rest = key.partition(".")
        if rest and table in tables:
            species, _, name = rest.rpartition(".")
            if species and isinstance(tables[table].get(species), Mapping):
                tables[table][species] = {**tables[table][species], name: value}
            else:
                tables[table][rest] = value
        else:
            params[key] = value
    return dataclasses.replace(
        spec, params=MappingProxyType(params), tables=MappingProxyType(tables)
    )


def _distinct_rows(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(table, axis=0, return_inverse=True)`` without its row-wise sort.

    Each column is coded by the rank of its value among the column's distinct values,
    and the codes are joined into one integer per row (first column most significant),
    so the distinct rows come out in the same lexicographic order; one sort of
    integers per column and one for the rows instead of a sort of structured records
    (about ten times cheaper on a superstructure's 131,625 combinations). Falls back to
    ``np.unique`` when the joined code would not fit in 63 bits.
    """
    if table.shape[0] == 0 or table.shape[1] == 0:
        rows, inverse = np.unique(table, axis=0, return_inverse=True)
        return rows, np.ravel(inverse)
    columns = [np.unique(table[:, j], return_inverse=True) for j in range(table.shape[1])]
    if np.prod([float(len(v)) for v, _ in columns]) >= 2.0**62:
        rows, inverse = np.unique(table, axis=0, return_inverse=True)
        return rows, np.ravel(inverse)
    code = np.zeros(table.shape[0], dtype=np.int64)
    for values, index in columns:
        code *= len(values)
        code += index
    _, first, inverse = np.unique(code, return_index=True, return_inverse=True)
    return table[first], np.ravel(inverse)


def _hook(
    spec: UnitSpec,
    params: Mapping[str, np.ndarray],
    keys: list[str],
    file: str,
    comps: Any,
    skip: np.ndarray,
) -> tuple[np.ndarray, list[Problem]]:
    """The unit type's own cross-key check, once per distinct set of overridden values.

    Cases in ``skip`` (already out of range) are not checked again.
    """
    check = UNIT_TYPES[spec.type].check
    n = len(skip)
    stacked = np.stack([params[k] for k in keys], axis=1)
    rows, inverse = _distinct_rows(stacked[~skip])
    bad_row = np.zeros(len(rows), dtype=bool)
    first: list[Problem] = []
    picked = range(len(rows))
    if len(rows) > HOOK_ROWS:
        ends = {
            int(i) for j in range(rows.shape[1]) for i in (rows[:, j].argmin(), rows[:, j].argmax())
        }
        even = np.linspace(0, len(rows) - 1, HOOK_ROWS).astype(int)
        picked = sorted(ends | {int(i) for i in even})
    for r in picked:
        row = rows[r]
        found: list[Problem] = []
        check(_with_values(spec, dict(zip(keys, map(float, row), strict=True))), comps, file, found)
        if found:
            bad_row[r] = True
            first = first or found
    bad = np.zeros(n, dtype=bool)
    bad[~skip] = bad_row[np.ravel(inverse)]
    if not first:
        return bad, []
    case = int(np.flatnonzero(bad)[0])
    values = ", ".join(f"{k} = {stacked[case, j]:g}" for j, k in enumerate(keys))
    where = f"case {case} ({values})" if n > 1 else values
    extra = f"; {int(bad.sum())} of {n} cases" if n > 1 else ""
    return bad, [dataclasses.replace(p, message=f"{p.message} at {where}{extra}") for p in first]


def check_values(
    spec: Any, params: Mapping[str, Mapping[str, np.ndarray]], overridden: Mapping[str, set[str]]
) -> ValueCheck:
    """Check the per-case values of the overridden keys of a case.

    Parameters
    ----------
    spec : CaseSpec
        The case (its file names the problems).
    params : Mapping[str, Mapping[str, numpy.ndarray]]
        Per node, per key, the (n_cases,) values after overrides.
    overridden : Mapping[str, set of str]
        Per node, the keys given per case (only these and the rules they touch are
        checked: the rest passed the case file's own checks).
    """
    file = spec.path
    n = len(next(iter(next(iter(params.values())).values()))) if params else 0
    bad = np.zeros(n, dtype=bool)
    problems: list[Problem] = []
    for node, keys in overridden.items():
        if not keys:
            continue
        unit = spec.unit(node)
        for key in sorted(keys):
            p = declaration(unit, key)
            values = params[node][key]
            mask = ~np.isfinite(values) if p is None else out_of_range(p, values)
            if mask.any():
                bad |= mask
                rng = "a finite number" if p is None else f"in {p.range_text()} [{p.unit}]"
                msg = f"must be {rng}: {_where(mask, values, n)}"
                problems.append(Problem(file, f"{_prefix(node)}.{key}", msg))
        if node.startswith("ore."):
            mask, found = _table_sums(unit, params[node], keys, file, n)
        else:
            mask, found = _hook(unit, params[node], sorted(keys), file, spec.comps, bad.copy())
        bad |= mask
        problems.extend(found)
    return ValueCheck(bad, tuple(problems))


#: A recycle loop must pass on at least this share of what enters it [-]: below it the
#: loop accumulates (a splitter sending everything back), and its tear streams grow
#: towards 1/share times the feed, far past what the closure audit resolves.
MIN_EXIT_SHARE = 1e-6


def check_loops(spec: Any, topology: Any, problems: list[Problem]) -> None:
    """A recycle block whose only exits are splitter outlets taking (almost) nothing.

    Every unit but a splitter (a type whose outlets are named by a table of fractions,
    ``UnitType.outlets_table``) may pass any share of its feed on, so only a block left
    through splitter outlets alone can be judged here; there the splitters' fractions
    to the streams leaving the block must add up to at least ``MIN_EXIT_SHARE``.
    """
    for block in topology.blocks:
        if not block.tears:
            continue
        inside = set(block.nodes)
        exits = [s for s in topology.streams if s.src in inside and s.dst not in inside]
        shares = []
        for s in exits:
            unit = spec.unit(s.src)
            table = spec.unit_types[unit.type].outlets_table
            if table is None:
                break
            shares.append((unit.name, s.src_port, _fraction(unit, table, s.src_port)))
        else:
            total = sum(f for _, _, f in shares)
            if total < MIN_EXIT_SHARE:
                names = sorted({n for n, _, _ in shares}) or sorted(inside)
                where = ", ".join(f"{n}.{p} = {f:g}" for n, p, f in shares) or "no outlet"
                problems.append(
                    Problem(
                        spec.path,
                        f"units.{names[0]}.fractions",
                        f"the recycle loop through {', '.join(sorted(inside))} keeps "
                        f"everything it receives ({where} leaves it): mass would accumulate "
                        f"without bound; send at least {MIN_EXIT_SHARE:g} out of the loop",
                    )
                )


def _fraction(unit: UnitSpec, table: str, port: str) -> float:
    entry = unit.tables.get(table, {}).get(port)
    if isinstance(entry, Mapping):
        return float(entry.get("frac", 0.0))
    return float(entry or 0.0)

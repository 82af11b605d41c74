"""Parameter schemas as data: name, unit, default, range, meaning and source.

Every unit type and case section declares its parameters with ``Param``. The same
declarations validate case files (one ``Problem`` per wrong key), fill defaults, and
generate the case-file reference in ``cases/README.md``.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from oreflow.errors import Problem

REQUIRED: Any = object()  # sentinel: the key has no default


@dataclass(frozen=True)
class Param:
    """One parameter of a unit or case section.

    Attributes
    ----------
    name : str
        Key in the case file; carries its unit as a suffix.
    unit : str
        Unit in words or symbols (``"µm"``, ``"t/h"``, ``"-"``).
    default : Any
        Default value, or ``REQUIRED``, or ``None`` for "optional, no default".
    doc : str
        Meaning, one sentence.
    source : str
        Where the default and range come from, or ``"assumed"``.
    kind : type
        ``float``, ``int``, ``str``, ``bool`` or ``list`` (of floats).
    lo, hi : float or None
        Range bounds; ``lo_open``/``hi_open`` make them strict.
    choices : tuple of str or None
        Allowed values of a ``str`` parameter.
    """

    name: str
    unit: str
    default: Any
    doc: str
    source: str = "assumed"
    kind: type = float
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False
    choices: tuple[str, ...] | None = None

    @property
    def required(self) -> bool:
        """Whether the case file must give this key."""
        return self.default is REQUIRED

    def range_text(self) -> str:
        """The valid range in interval notation, for messages and docs."""
        if self.choices:
            return ", ".join(self.choices)
        if self.lo is None and self.hi is None:
            return "any"
        left = "(" if self.lo_open or self.lo is None else "["
        right = ")" if self.hi_open or self.hi is None else "]"
        lo = "-inf" if self.lo is None else f"{self.lo:g}"
        hi = "inf" if self.hi is None else f"{self.hi:g}"
        return f"{left}{lo}, {hi}{right}"


def frac(name: str, default: Any, doc: str, source: str = "assumed", **kw: Any) -> Param:
    """A fraction in [0, 1] (or a narrower range)."""
    kw.setdefault("lo", 0.0)
    kw.setdefault("hi", 1.0)
    return Param(name, "-", default, doc, source, **kw)


def positive(
    name: str, unit: str, default: Any, doc: str, source: str = "assumed", **kw: Any
) -> Param:
    """A strictly positive number (or above another lower bound given as ``lo``)."""
    kw.setdefault("lo", 0.0)
    kw.setdefault("lo_open", True)
    return Param(name, unit, default, doc, source, **kw)


def suggest(key: str, valid: list[str] | tuple[str, ...]) -> str:
    """A ``did you mean`` hint for an unknown key, or an empty string."""
    close = difflib.get_close_matches(key, list(valid), n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; valid keys: {', '.join(sorted(valid))}" if valid else ""


_TYPE_WORD = {
    float: "a number",
    int: "an integer",
    str: "a string",
    bool: "true or false",
    list: "a list of numbers",
}


def _check_type(value: Any, kind: type) -> tuple[bool, Any]:
    """Coerce where lossless (int -> float); say whether the type is acceptable."""
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False, value
        return True, float(value)
    if kind is int:
        return (isinstance(value, int) and not isinstance(value, bool)), value
    if kind is bool:
        return isinstance(value, bool), value
    if kind is str:
        return isinstance(value, str), value
    if kind is list:
        ok = isinstance(value, list) and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in value
        )
        return ok, [float(v) for v in value] if ok else value
    return False, value


def check_range(p: Param, value: float) -> str | None:
    """Message if a number lies outside the parameter's range, else None."""
    if not math.isfinite(value):
        return f"must be a finite number, got {value}"
    bad_lo = p.lo is not None and (value <= p.lo if p.lo_open else value < p.lo)
    bad_hi = p.hi is not None and (value >= p.hi if p.hi_open else value > p.hi)
    if bad_lo or bad_hi:
        return f"{value:g} is out of range {p.range_text()} [{p.unit}]"
    return None


def validate_table(
    table: Mapping[str, Any],
    params: tuple[Param, ...],
    *,
    file: str,
    prefix: str,
    problems: list[Problem],
    extra_keys: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Validate one TOML table against a schema; return values with defaults filled.

    Problems are appended (one per key) rather than raised, so that a whole file is
    reported at once. Keys in ``extra_keys`` are allowed and left to the caller.
    """
    by_name = {p.name: p for p in params}
    valid = [*by_name, *extra_keys]
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key in extra_keys:
            continue
        p = by_name.get(key)
        if p is None:
            problems.append(Problem(file, f"{prefix}{key}", f"unknown key{suggest(key, valid)}"))
            continue
        ok, coerced = _check_type(value, p.kind)
        if not ok:
            got = type(value).__name__
            problems.append(
                Problem(
                    file, f"{prefix}{key}", f"must be {_TYPE_WORD[p.kind]} [{p.unit}], got {got}"
                )
            )
            continue
        if p.kind in (float, int):
            msg = check_range(p, float(coerced))
            if msg:
                problems.append(Problem(file, f"{prefix}{key}", msg))
                continue
        if p.kind is list:
            bad = [v for v in coerced if check_range(p, v)]
            if bad:
                problems.append(
                    Problem(
                        file,
                        f"{prefix}{key}",
                        f"values {bad} are out of range {p.range_text()} [{p.unit}]",
                    )
                )
                continue
        if p.choices and coerced not in p.choices:
            problems.append(
                Problem(file, f"{prefix}{key}", f"{coerced!r} is not one of {', '.join(p.choices)}")
            )
            continue
        out[key] = coerced
    for p in params:
        if p.name in out or p.name in table:
            continue
        if p.required:
            problems.append(
                Problem(file, f"{prefix}{p.name}", f"missing required key ({p.doc} [{p.unit}])")
            )
        else:
            out[p.name] = p.default
    return out


def named_tables(
    raw: Mapping[str, Any],
    names: list[str] | tuple[str, ...],
    key: str,
    what: str,
    table_doc: str,
    file: str,
    problems: list[Problem],
) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """(name, its key, its table) of every entry of ``raw`` naming one of ``names``.

    An entry naming anything else is a problem ("``name`` is not ``what``", with the
    nearest name), one that is not a table another ("must be a table``table_doc``").
    """
    for name, table in raw.items():
        k = f"{key}.{name}"
        if name not in names:
            problems.append(Problem(file, k, f"{name!r} is not {what}{suggest(name, names)}"))
        elif not isinstance(table, dict):
            problems.append(Problem(file, k, f"must be a table{table_doc}"))
        else:
            yield name, k, table

"""Rows of shared block results, gathered into a chunk only where they are read.

A tabulation with shared prefixes (``oreflow.solvers.prefix``) simulates a block once
per distinct setting upstream; each chunk of combinations then sees the block's outlets
and reports at its own rows (``results[rows]``). Most of them are never read there: the
blocks simulated per combination read the shared streams that feed them, the lean
figures read a few reports, and the closure audit of the shared blocks was taken where
they were simulated. ``Gathered`` holds such entries as recipes and gathers each on its
first read, so a chunk copies only what it uses; every value read is the same array it
would have been had everything been gathered (a row gather of the same results).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any

import numpy as np

from oreflow.units.base import UnitResult

_PENDING = object()


class _Once:
    """A recipe that runs once and keeps its value (shared by a mapping and its takes)."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make: Callable[[], Any] | None = make
        self._value: Any = None

    def __call__(self) -> Any:
        if self._make is not None:
            self._value, self._make = self._make(), None
        return self._value


class Gathered(MutableMapping[str, Any]):
    """A dict whose deferred entries (``defer``) are computed on first read.

    Keys keep their insertion order, deferred or not, as a dict's do: summing over the
    values in order gives the same result as over an eagerly filled dict.
    """

    def __init__(self) -> None:
        self._values: dict[str, Any] = {}
        self._makers: dict[str, Callable[[], Any]] = {}
        self._rows: dict[str, tuple[Callable[[], np.ndarray], np.ndarray]] = {}

    def defer(self, key: str, make: Callable[[], Any]) -> None:
        """Set ``key`` to ``make()``, called when the key is first read."""
        self._values[key] = _PENDING
        self._makers[key] = make
        self._rows.pop(key, None)

    def defer_rows(self, key: str, source: Callable[[], np.ndarray], at: np.ndarray) -> None:
        """Set ``key`` to ``source()[at]`` (rows of a shared array), gathered when first read.

        ``take`` then gathers its rows straight from ``source()``, whether or not this
        mapping has read the key.
        """
        self.defer(key, lambda: source()[at])
        self._rows[key] = (source, at)

    def take(self, idx: np.ndarray | slice) -> Gathered:
        """Every entry at rows ``idx`` (an index array or a slice), each gathered when first read.

        An entry not read yet and deferred by ``defer_rows`` is gathered from its source
        at the composed rows (``source()[at[idx]]``: the same values as
        ``source()[at][idx]``), without gathering this mapping's rows first. The take is a
        snapshot: every entry keeps the value (or the recipe) it has now, whatever is set
        here afterwards; a recipe of ``defer`` is shared, so it runs once for both.
        """
        out = Gathered()
        for key, value in self._values.items():
            if value is not _PENDING:
                out.defer(key, lambda v=value: v[idx])
            elif key in self._rows:
                source, at = self._rows[key]
                out.defer_rows(key, source, at[idx])
            else:
                once = self._makers[key]
                if not isinstance(once, _Once):  # wrapped once: takes share it, never nest
                    once = self._makers[key] = _Once(once)
                out.defer(key, lambda once=once: once()[idx])
        return out

    def deferred(self) -> list[str]:
        """The keys not read yet."""
        return list(self._makers)

    def __getitem__(self, key: str) -> Any:
        value = self._values[key]
        if value is _PENDING:
            value = self._values[key] = self._makers.pop(key)()
            self._rows.pop(key, None)
        return value

    def __setitem__(self, key: str, value: Any) -> None:
        self._makers.pop(key, None)
        self._rows.pop(key, None)
        self._values[key] = value

    def __delitem__(self, key: str) -> None:
        self._makers.pop(key, None)
        self._rows.pop(key, None)
        del self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def __or__(self, other: Mapping[str, Any]) -> Gathered:
        """A new mapping: these entries (those not read yet still deferred), then ``other``."""
        out = Gathered()
        out._values = dict(self._values)
        out._makers = dict(self._makers)
        out._rows = dict(self._rows)
        out.update(other)
        return out


def nonzero_columns(x: np.ndarray) -> np.ndarray:
    """Indices of the columns of a 2-D array that hold a value other than zero (NaN too)."""
    return np.flatnonzero((x != 0).any(axis=0))


def _rows(v: Any, at: np.ndarray) -> Any:
    return v[at] if np.ndim(v) else v


class GatheredUnit(UnitResult):
    """A shared unit report at a chunk's rows, each part gathered on first read.

    ``outlets`` are the chunk's streams (``streams``: the chunk's ``Gathered`` streams).
    ``supports``: a cache shared by the chunks, of the columns of ``added`` and
    ``reacted`` that are nonzero in some row of the shared result.
    """

    def __init__(
        self,
        result: UnitResult,
        at: np.ndarray,
        streams: MutableMapping[str, np.ndarray],
        outlet_names: list[str],
        supports: dict[str, np.ndarray | None] | None = None,
    ) -> None:
        # not the dataclass __init__: every field is a property over ``result``
        self._result = result
        self._at = at
        self._streams = streams
        self._outlet_names = outlet_names
        self._supports = {} if supports is None else supports
        self._done: dict[str, Any] = {}

    def support(self, field: str) -> np.ndarray | None:
        """Columns of ``added`` or ``reacted`` nonzero (or NaN) somewhere; None: no such array."""
        if field not in self._supports:
            r = self._result
            if isinstance(r, JoinedUnit):
                self._supports[field] = r.support(field)
            else:
                whole = getattr(r, field)
                self._supports[field] = None if whole is None else nonzero_columns(whole)
        return self._supports[field]

    def columns(self, field: str, cols: np.ndarray) -> np.ndarray:
        """``added`` or ``reacted`` at the chunk's rows, columns ``cols`` only."""
        r = self._result
        if isinstance(r, JoinedUnit):
            return r.columns(field, cols)[self._at]
        return getattr(r, field)[np.ix_(self._at, cols)]

    def take(self, idx: np.ndarray, streams: MutableMapping[str, np.ndarray]) -> GatheredUnit:
        """The report at some of the chunk's rows (``idx``), outlets from ``streams``."""
        return GatheredUnit(
            self._result, self._at[idx], streams, self._outlet_names, self._supports
        )

    def _once(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self._done:
            self._done[key] = make()
        return self._done[key]

    @property  # type: ignore[override]
    def outlets(self) -> tuple[np.ndarray, ...]:
        """The outlet streams at the chunk's rows."""
        return self._once("outlets", lambda: tuple(self._streams[s] for s in self._outlet_names))

    @property  # type: ignore[override]
    def added(self) -> np.ndarray | None:
        """What the unit added, at the chunk's rows."""
        r = self._result
        return self._once("added", lambda: None if r.added is None else r.added[self._at])

    @property  # type: ignore[override]
    def reacted(self) -> np.ndarray | None:
        """What reacted in the unit, at the chunk's rows."""
        r = self._result
        return self._once("reacted", lambda: None if r.reacted is None else r.reacted[self._at])

    @property  # type: ignore[override]
    def metrics(self) -> dict[str, np.ndarray]:
        """The unit's figures, each gathered at the chunk's rows when first read."""

        def make() -> Gathered:
            out = Gathered()
            for m, v in self._result.metrics.items():
                out.defer(m, lambda v=v: _rows(np.asarray(v), self._at))
            return out

        return self._once("metrics", make)


def join_rows(values: list[Any]) -> Any:
    """The parts' rows in one C-ordered array (one contiguous part is not copied)."""
    if not np.ndim(values[0]):
        return values[0]
    return np.ascontiguousarray(values[0]) if len(values) == 1 else np.concatenate(values)


class JoinedUnit(UnitResult):
    """A unit's reports from a block run in parts (rows in part order), joined where read.

    ``outlets``: the block's joined outlet streams. ``added``, ``reacted`` and each metric
    are concatenated on first read; ``columns`` joins some columns only.
    """

    def __init__(self, parts: list[UnitResult], outlets: Callable[[], tuple[np.ndarray, ...]]):
        # not the dataclass __init__: every field is a property over the parts
        self._parts = parts
        self._outlets = outlets
        self._done: dict[Any, Any] = {}

    def _once(self, key: Any, make: Callable[[], Any]) -> Any:
        if key not in self._done:
            self._done[key] = make()
        return self._done[key]

    def _field(self, field: str) -> np.ndarray | None:
        if getattr(self._parts[0], field) is None:
            return None
        return self._once(field, lambda: join_rows([getattr(p, field) for p in self._parts]))

    @property  # type: ignore[override]
    def outlets(self) -> tuple[np.ndarray, ...]:
        """The outlet streams of every row."""
        return self._once("outlets", self._outlets)

    @property  # type: ignore[override]
    def added(self) -> np.ndarray | None:
        """What the unit added, every row."""
        return self._field("added")

    @property  # type: ignore[override]
    def reacted(self) -> np.ndarray | None:
        """What reacted in the unit, every row."""
        return self._field("reacted")

    @property  # type: ignore[override]
    def metrics(self) -> dict[str, np.ndarray]:
        """The unit's figures, each joined when first read."""

        def make() -> Gathered:
            out = Gathered()
            for m in self._parts[0].metrics:
                out.defer(m, lambda m=m: join_rows([np.asarray(p.metrics[m]) for p in self._parts]))
            return out

        return self._once("metrics", make)

    def support(self, field: str) -> np.ndarray | None:
        """Columns of ``added`` or ``reacted`` nonzero (or NaN) in some row; None: no such array."""
        if getattr(self._parts[0], field) is None:
            return None
        return self._once(
            ("support", field),
            lambda: np.unique(
                np.concatenate([nonzero_columns(getattr(p, field)) for p in self._parts])
            ),
        )

    def columns(self, field: str, cols: np.ndarray) -> np.ndarray:
        """``added`` or ``reacted``, every row, columns ``cols`` only."""
        return self._once(
            ("columns", field, cols.tobytes()),
            lambda: np.concatenate([getattr(p, field)[:, cols] for p in self._parts]),
        )

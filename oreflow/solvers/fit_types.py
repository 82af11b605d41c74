"""Data types of ``oreflow fit``: a fitted parameter and a model (see :mod:`oreflow.solvers.fit`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from oreflow.errors import Problem

Data = Mapping[str, np.ndarray]


@dataclass(frozen=True)
class FitParam:
    """One fitted parameter: name, unit, starting value, bounds and the driver column.

    ``driver`` names a data column; when it is constant (or absent) over the data the
    parameter cannot be estimated and is held at ``initial``.
    """

    name: str
    unit: str
    initial: float
    lo: float
    hi: float
    description: str = ""
    driver: str | None = None


@dataclass(frozen=True)
class FitModel:
    """A model ``oreflow fit`` can fit.

    Attributes
    ----------
    name : str
        Registry key (``oreflow fit --model NAME``).
    params : tuple of FitParam
        Parameters in the order of ``theta``.
    observed : str
        Column holding the measured value.
    columns : tuple of str
        Columns every file must have (besides ``observed``).
    conditions : Mapping[str, float]
        Optional columns and their values when absent.
    ranges : Mapping[str, tuple of float]
        Allowed closed range of each column.
    predict : callable
        ``predict(theta, data) -> ndarray`` of the observed column.
    case_keys : Mapping[str, str]
        Case key of each parameter relative to the unit (``leach.{species}.k_per_h``);
        parameters not listed are not written to a case.
    case_constants : Mapping[str, float or str]
        Unit keys written with the fit because the fitted values depend on them (the
        reference conditions of a rate constant, the rate law they belong to). Written
        with a note that they are set, not fitted.
    case_defaults : Mapping[str, float or str]
        Unit keys written only where the unit's section lacks them: references the fitted
        values do not depend on (a case's own value is kept).
    doc : str
        One line for ``oreflow fit --list``.
    optional : tuple of str
        Columns read when present, with no default (a survey's alternative inputs).
    scalars : tuple of str
        Columns holding one value for the whole file: given on the first data row, the
        cells below may be empty or repeat it.
    check : callable, optional
        ``check(data, file) -> list of Problem``: checks across rows (sizes descending).
    cumulative : Mapping[str, str]
        Columns of cumulative % passing each row's top size accepted in place of a
        column of % in each class (``discharge_passing_pct`` for ``discharge_pct``).
    held_by_default : Mapping[str, str]
        Parameters held at their starting value unless the user frees them
        (``oreflow fit --free NAME``), with the reason.
    derived : callable, optional
        ``derived(data) -> dict``: unit keys computed from the data, not fitted (a
        cyclone's water split), written to a case with the fit.
    """

    name: str
    params: tuple[FitParam, ...]
    observed: str
    columns: tuple[str, ...]
    predict: Callable[[np.ndarray, Data], np.ndarray]
    conditions: Mapping[str, float] = field(default_factory=dict)
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    case_keys: Mapping[str, str] = field(default_factory=dict)
    case_constants: Mapping[str, float | str] = field(default_factory=dict)
    case_defaults: Mapping[str, float | str] = field(default_factory=dict)
    doc: str = ""
    optional: tuple[str, ...] = ()
    scalars: tuple[str, ...] = ()
    check: Callable[[Data, str], list[Problem]] | None = None
    derived: Callable[[Data], dict[str, float]] | None = None
    held_by_default: Mapping[str, str] = field(default_factory=dict)
    cumulative: Mapping[str, str] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        """Parameter names in the order of ``theta``."""
        return tuple(p.name for p in self.params)

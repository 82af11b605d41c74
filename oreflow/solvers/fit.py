"""Fit model parameters to test work by nonlinear least squares (``oreflow fit``).

A model is a :class:`FitModel`: named parameters with starting values and bounds, the
data columns it needs, optional condition columns with defaults, and ``predict(theta,
data)`` returning the model's value of the observed column for every row. Models are
registered by name (:func:`register_model`); :func:`fit` minimises the residuals with
SciPy's ``least_squares`` (trust-region reflective, bounded) and reports, from the
Jacobian at the optimum, standard errors ``s² (JᵀJ)⁻¹`` with ``s² = SSR/(n − p)``,
Student-t confidence intervals and the parameter correlation matrix (Bates & Watts 1988,
*Nonlinear Regression Analysis and Its Applications*, Wiley, ch. 2).

A parameter whose driver does not vary in the data (the activation energy in a test
set at one temperature) cannot be estimated; it is held at its starting value and the
result says so (``held``).

Reading test files (CSV or xlsx) lives in :mod:`oreflow.solvers.fit_data`, the models of
cyanide leaching and carbon adsorption in :mod:`oreflow.solvers.fit_models`, the
grinding-survey models in :mod:`oreflow.solvers.fit_grinding`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from oreflow.errors import CaseError, Problem
from oreflow.solvers.fit_types import Data, FitModel, FitParam

__all__ = [
    "Data",
    "FitModel",
    "FitParam",
    "FitResult",
    "fit",
    "get_model",
    "models",
    "register_model",
]


def _builtin() -> dict[str, FitModel]:
    from oreflow.solvers.fit_grinding import SURVEY_MODELS
    from oreflow.solvers.fit_models import BUILTIN

    return {m.name: m for m in (*BUILTIN, *SURVEY_MODELS)}


_MODELS: dict[str, FitModel] = _builtin()


def register_model(model: FitModel) -> FitModel:
    """Add ``model`` to the registry (a later model of the same name replaces it)."""
    _MODELS[model.name] = model
    return model


def models() -> dict[str, FitModel]:
    """Registered models by name (the cyanide and adsorption models are always there)."""
    return dict(_MODELS)


def get_model(name: str, file: str = "") -> FitModel:
    """The registered model ``name``; ``CaseError`` naming the known ones otherwise."""
    known = models()
    if name not in known:
        raise CaseError(
            [Problem(file, "model", f"unknown model {name!r}; known: {', '.join(sorted(known))}")]
        )
    return known[name]


@dataclass
class FitResult:
    """Fitted parameters with their uncertainty and the residuals.

    Attributes
    ----------
    model : str
    names : list of str
        All parameter names, fitted and held.
    values : dict
        Parameter values.
    std_err, ci_low, ci_high : dict
        Standard error and confidence interval of each fitted parameter (NaN where held or
        not identifiable).
    held : dict
        Parameters held fixed and why.
    correlation : ndarray
        Correlation matrix of the fitted parameters (in ``fitted`` order).
    fitted : list of str
    observed, predicted : ndarray
    n, dof : int
    rmse : float
        ``sqrt(SSR / n)`` in the unit of the observed column.
    confidence : float
    success : bool
    message : str
    derived : dict
        Unit keys computed from the data rather than fitted (written to a case with the
        fit).
    """

    model: str
    names: list[str]
    values: dict[str, float]
    std_err: dict[str, float]
    ci_low: dict[str, float]
    ci_high: dict[str, float]
    held: dict[str, str]
    correlation: np.ndarray
    fitted: list[str]
    observed: np.ndarray
    predicted: np.ndarray
    n: int
    dof: int
    rmse: float
    confidence: float
    success: bool
    message: str
    derived: dict[str, float] = field(default_factory=dict)

    @property
    def residuals(self) -> np.ndarray:
        """Measured minus model."""
        return self.observed - self.predicted

    def as_dict(self) -> dict:
        """JSON-ready summary."""

        def clean(x: float) -> float | None:
            return None if not np.isfinite(x) else float(x)

        return {
            "model": self.model,
            "n": self.n,
            "dof": self.dof,
            "rmse": self.rmse,
            "confidence": self.confidence,
            "success": self.success,
            "message": self.message,
            "derived": dict(self.derived),
            "parameters": {
                name: {
                    "value": self.values[name],
                    "std_err": clean(self.std_err[name]),
                    "ci_low": clean(self.ci_low[name]),
                    "ci_high": clean(self.ci_high[name]),
                    "held": self.held.get(name),
                }
                for name in self.names
            },
            "correlation": {
                "parameters": self.fitted,
                "matrix": [[clean(v) for v in row] for row in self.correlation.tolist()],
            },
        }


def _varies(values: np.ndarray) -> bool:
    return bool(np.ptp(values) > 1e-12 * max(1.0, float(np.max(np.abs(values)))))


def fit(
    model: FitModel | str,
    data: Data,
    *,
    fixed: Mapping[str, float] | None = None,
    initial: Mapping[str, float] | None = None,
    confidence: float = 0.95,
    free: Iterable[str] = (),
    source: str = "",
) -> FitResult:
    """Fit ``model`` to ``data`` by bounded nonlinear least squares.

    Parameters
    ----------
    model : FitModel or str
        A model or its registered name.
    data : Mapping[str, numpy.ndarray]
        Columns of equal length (missing condition columns take the model's defaults).
    fixed : Mapping[str, float], optional
        Parameters held at the given values.
    initial : Mapping[str, float], optional
        Starting values replacing the model's.
    confidence : float
        Level of the confidence intervals (default 0.95).
    free : iterable of str
        Parameters the model holds by default (``held_by_default``) to fit anyway.
    source : str
        The test file, named in the error when fewer rows than free parameters.

    Returns
    -------
    FitResult
    """
    from scipy import stats
    from scipy.optimize import least_squares

    m = get_model(model) if isinstance(model, str) else model
    cols = {k: np.asarray(v, dtype=np.float64) for k, v in data.items()}
    n = len(cols[m.observed])
    for name, default in m.conditions.items():
        cols.setdefault(name, np.full(n, float(default)))
    y = cols[m.observed]
    start = {p.name: p.initial for p in m.params}
    start.update(initial or {})
    held: dict[str, str] = {k: "fixed by the user" for k in (fixed or {})}
    start.update(fixed or {})
    freed = set(free)
    for name, why in m.held_by_default.items():
        if name not in freed:
            held.setdefault(name, why)
    for p in m.params:
        if p.name not in held and p.driver is not None and not _varies(cols[p.driver]):
            held[p.name] = f"{p.driver} does not vary in the data"
    free = [i for i, p in enumerate(m.params) if p.name not in held]
    theta = np.array([start[p.name] for p in m.params], dtype=np.float64)

    def full(x: np.ndarray) -> np.ndarray:
        t = theta.copy()
        t[free] = x
        return t

    def residual(x: np.ndarray) -> np.ndarray:
        return m.predict(full(x), cols) - y

    if len(free) > n:
        msg = (f"{n} data rows for {len(free)} free parameters of model {m.name!r} "
               f"({', '.join(m.params[i].name for i in free)}): hold some with --fix")  # fmt: skip
        raise CaseError([Problem(source, "", msg)])
    lo = np.array([m.params[i].lo for i in free])
    hi = np.array([m.params[i].hi for i in free])
    x0 = np.clip(theta[free], lo + 1e-12 * (hi - lo), hi - 1e-12 * (hi - lo))
    p = len(free)
    if p:
        sol = least_squares(residual, x0, bounds=(lo, hi), method="trf", x_scale="jac")
        x, jac, success, message = sol.x, sol.jac, bool(sol.success), str(sol.message)
    else:
        x, jac, success, message = x0, np.zeros((n, 0)), True, "every parameter held"
    values = full(x)
    pred = m.predict(values, cols)
    ssr = float(np.sum((pred - y) ** 2))
    dof = n - p
    se = np.full(p, np.nan)
    corr = np.full((p, p), np.nan)
    if p and dof > 0:
        jtj = jac.T @ jac
        if np.linalg.matrix_rank(jtj) == p:
            cov = np.linalg.inv(jtj) * ssr / dof
            se = np.sqrt(np.maximum(np.diag(cov), 0.0))
            d = np.where(se > 0, se, np.nan)
            corr = cov / np.outer(d, d)
    t_q = float(stats.t.ppf(0.5 + confidence / 2.0, dof)) if dof > 0 else np.nan
    names = list(m.names)
    fitted = [names[i] for i in free]
    std_err = {k: np.nan for k in names}
    ci_low = {k: np.nan for k in names}
    ci_high = {k: np.nan for k in names}
    for j, i in enumerate(free):
        std_err[names[i]] = float(se[j])
        ci_low[names[i]] = float(values[i] - t_q * se[j])
        ci_high[names[i]] = float(values[i] + t_q * se[j])
    return FitResult(
        model=m.name,
        names=names,
        values={k: float(v) for k, v in zip(names, values, strict=True)},
        std_err=std_err,
        ci_low=ci_low,
        ci_high=ci_high,
        held=held,
        correlation=corr,
        fitted=fitted,
        observed=y,
        predicted=pred,
        n=n,
        dof=dof,
        rmse=float(np.sqrt(ssr / n)) if n else np.nan,
        confidence=confidence,
        success=success,
        message=message,
        derived=m.derived(cols) if m.derived is not None else {},
    )

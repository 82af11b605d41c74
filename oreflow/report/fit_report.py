"""Report of ``oreflow fit``: console table, JSON, markdown and residual plots (PNG)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from oreflow.solvers.fit import FitResult


def _num(x: float) -> str:
    return "-" if not np.isfinite(x) else f"{x:.4g}"


def fit_summary(result: FitResult, test_file: str) -> str:
    """Plain-text report: parameters with intervals, correlation, fit statistics."""
    pct = round(result.confidence * 100)
    lines = [
        f"fit of model {result.model!r} to {test_file}: n {result.n}, dof {result.dof}, "
        f"RMSE {result.rmse:.4g}"
        + ("" if result.success else f" (NOT converged: {result.message})"),
        "",
        f"{'parameter':<22}{'value':>12}{'std err':>12}{f'{pct} % CI':>26}",
    ]
    for name in result.names:
        if name in result.held:
            lines.append(f"{name:<22}{_num(result.values[name]):>12}   held: {result.held[name]}")
            continue
        ci = f"[{_num(result.ci_low[name])}, {_num(result.ci_high[name])}]"
        lines.append(
            f"{name:<22}{_num(result.values[name]):>12}{_num(result.std_err[name]):>12}{ci:>26}"
        )
    if result.derived:
        lines += ["", "from the data (not fitted): " + ", ".join(
            f"{k} {_num(v)}" for k, v in result.derived.items())]  # fmt: skip
    if len(result.fitted) > 1:
        lines += ["", "correlation of the fitted parameters:"]
        width = max(len(n) for n in result.fitted) + 2
        lines.append(" " * width + "".join(f"{n[:10]:>11}" for n in result.fitted))
        for name, row in zip(result.fitted, result.correlation, strict=True):
            lines.append(f"{name:<{width}}" + "".join(f"{_num(v):>11}" for v in row))
    return "\n".join(lines)


def write_fit_outputs(result: FitResult, out_dir: str | Path, test_file: str) -> list[Path]:
    """Write fit.json, fit_report.md and residuals.png to ``out_dir``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    doc = {"test_file": test_file, **result.as_dict()}
    written = [out / "fit.json", out / "fit_report.md", out / "residuals.png"]
    written[0].write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    written[1].write_text(
        f"# oreflow fit: {result.model}\n\n```\n{fit_summary(result, test_file)}\n```\n",
        encoding="utf-8",
    )
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    a.scatter(result.predicted, result.observed, s=14)
    lo = float(min(result.predicted.min(), result.observed.min()))
    hi = float(max(result.predicted.max(), result.observed.max()))
    a.plot([lo, hi], [lo, hi], color="grey", lw=1)
    a.set_xlabel("model")
    a.set_ylabel("measured")
    a.set_title(f"{result.model}: measured against model")
    b.scatter(result.predicted, result.residuals, s=14)
    b.axhline(0.0, color="grey", lw=1)
    b.set_xlabel("model")
    b.set_ylabel("residual (measured - model)")
    b.set_title(f"RMSE {result.rmse:.3g}, n {result.n}")
    fig.tight_layout()
    fig.savefig(written[2], dpi=110)
    plt.close(fig)
    return written

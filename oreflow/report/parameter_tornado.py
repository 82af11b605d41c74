"""Tornado chart of the model parameters that drive a route's difference to the baseline.

The table comes from ``oreflow.solvers.sensitivity.parameter_tornado`` (one-at-a-time
steps of every model parameter at the nominal case of each route); this module only
draws it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from oreflow.report.figures import new_figure


def plot_parameter_tornado(table: pd.DataFrame, title: str, path: Path) -> None:
    """Bars from the nominal difference to the difference at each parameter's low and high."""
    fig = new_figure(8.0, 0.45 * max(len(table), 2) + 1.8)
    ax = fig.add_subplot()
    rows = table.iloc[::-1]
    y = np.arange(len(rows))
    mid = float(table.attrs.get("nominal_difference", 0.0))
    ax.barh(y, rows["difference_at_low"] - mid, left=mid, color="tab:blue", label="parameter low")
    ax.barh(
        y, rows["difference_at_high"] - mid, left=mid, color="tab:orange", label="parameter high"
    )
    labels = [
        f"{name} ({'assumed' if 'assumed' in str(src).lower() else 'sourced'})"
        for name, src in zip(rows.index, rows["source"], strict=True)
    ]
    ax.set_yticks(y, labels, fontsize="small")
    ax.axvline(mid, color="k", lw=0.8)
    step = table.attrs.get("rel_step", 0.0)
    ax.set_xlabel(
        f"difference to baseline in {table.attrs.get('kpi', '')} "
        f"(each parameter ±{step:.0%}; temperatures ±5 °C, pH ±0.5)"
    )
    ax.set_title(title)
    ax.legend(loc="best", fontsize="small")
    fig.savefig(path, dpi=100, format="png")

"""What ``oreflow reconcile`` prints: the verdict, the suspects, the largest adjustments.

The global test (chi-square of the weighted adjustments against its critical value) and
the gross-error suspects come first; then the measurements moved most, in standard
deviations of the measurement, and the reconciled stream flows and gold assays. All
tables with ``--verbose``; files and ``report.html`` with ``--out``.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from oreflow.report.console import facts_table, render, rich_table
from oreflow.report.words import sig

#: Largest adjustments shown without ``--verbose``.
N_TOP = 8


def _adjustment_rows(adj: pd.DataFrame) -> list[tuple[Any, ...]]:
    rows = []
    for r in adj.itertuples(index=False):
        size = getattr(r, "size_um", math.nan)
        quantity = str(r.quantity) + (f" @ {sig(size)} µm" if pd.notna(size) else "")
        rows.append(
            (
                str(r.stream),
                quantity,
                sig(r.measured),
                sig(r.reconciled),
                sig(r.adjustment_sd, 3),
                "SUSPECT" if bool(getattr(r, "flagged", False)) else "",
            )
        )
    return rows


def format_reconcile(result: Any, verbose: bool = False) -> str:
    """Verdict, suspects, the largest adjustments and the reconciled streams."""
    meta = result.meta
    critical = float(meta.get("critical", math.nan))
    if meta.get("passed") is None:
        # 0 degrees of freedom: the balances check nothing, so nothing was tested.
        test = f"chi-square {sig(meta['chi2'])} on 0 dof: not testable (no redundancy)"
    else:
        verdict = "passed" if meta.get("passed") else "FAILED"
        test = (
            f"chi-square {sig(meta['chi2'])} on {meta['dof']} dof, critical "
            f"{sig(critical)} at {meta['confidence']:.0%}: {verdict}"
        )
    # Each suspect with the measurements the data cannot tell apart from it.
    suspects = [
        str(group[0])
        if len(group) == 1
        else "one of (indistinguishable): " + "; ".join(map(str, group))
        for group in meta.get("suspect_sets", [(s,) for s in meta.get("suspects", [])])
    ]
    rows = [
        ("status", str(meta.get("status"))),
        ("global test", test),
        ("gross-error suspects", ", ".join(suspects) or "none"),
        ("largest closure error", sig(meta.get("max_rel_closure", math.nan), 2)),
    ]
    if meta.get("unobservable"):
        rows.append(("not determined", ", ".join(map(str, meta["unobservable"]))))
    if meta.get("at_bound"):
        rows.append(("at zero (data want less)", ", ".join(map(str, meta["at_bound"]))))
    parts: list[Any] = [facts_table(rows)]
    adj = result.adjustments
    if len(adj) and "adjustment_sd" in adj:
        order = adj["adjustment_sd"].abs().sort_values(ascending=False).index
        shown = adj.loc[order] if verbose else adj.loc[order[:N_TOP]]
        title = (
            "Adjustments (reconciled - measured, in sd of the measurement)"
            if verbose
            else f"Largest {len(shown)} of {len(adj)} adjustments (in sd of the measurement)"
        )
        parts += [
            "",
            rich_table(
                title,
                ["stream", "quantity", "measured", "reconciled", "adj (sd)", ""],
                _adjustment_rows(shown),
            ),
        ]
    streams = result.streams
    cols = [
        c for c in ("solids_tph", "water_tph", "solids_pct", "au_gpt", "au_mg_l") if c in streams
    ]
    if len(streams) and cols:
        parts += [
            "",
            rich_table(
                "Reconciled streams",
                ["stream", *cols],
                (
                    (str(s), *row)
                    for s, row in zip(streams["stream"], streams[cols].to_numpy(), strict=True)
                ),
            ),
        ]
    if verbose:
        for name, frame in (("Node splits and recoveries", result.nodes), ("Tests", result.tests)):
            if len(frame):
                parts += [
                    "",
                    rich_table(
                        name,
                        list(map(str, frame.columns)),
                        (tuple(row) for row in frame.itertuples(index=False)),
                    ),
                ]
    else:
        parts.append(
            "all adjustments, node splits and tests: --verbose; files and report.html: --out DIR"
        )
    return render(*parts)

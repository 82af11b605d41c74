"""Study reports: route comparison tables, plots, an HTML page, an Excel workbook, a Sankey.

Comparison of routes on the same scenarios (paired, scenario by scenario):

- ``summary``: per route and KPI, mean, standard deviation and P10/P50/P90;
- ``pairwise``: per route against the baseline, the probability that the route beats
  the baseline on the compared KPI (share of scenarios where ``route - baseline > 0``;
  ties count as not beating), and the distribution of the difference;
- ``tornado``: what drives the difference. Per variable, Spearman's rank correlation of
  the variable with the difference, and the *conditional swing*: mean difference over the
  scenarios with the variable in its top decile minus that over its bottom decile. Both
  come from the Monte Carlo sample itself (no extra runs), so they include the effect
  of correlations between variables; grid variables are included the same way.

Plots are drawn with matplotlib's object API (``Figure`` and the Agg canvas; no
``pyplot``, no global state) and written as PNG files beside ``report.html``.

The flowsheet Sankey diagram is hand-drawn in layers rather than with
``matplotlib.sankey``: ``matplotlib.sankey`` chains one-input diagrams and cannot lay out
a flowsheet with several feeds, recycles and multiple products without manual tuning
per case. Here nodes sit in columns by their run order (longest path from the ore
sources, recycles ignored), and each stream is a band whose width is proportional to
its flow (dry solids t/h by default, or gold g/h), drawn from its source to its
destination; recycle streams are drawn dashed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from oreflow.report.console import subsample_note
from oreflow.report.figures import new_figure
from oreflow.report.files import write_all, write_excel
from oreflow.report.output import versions

SUMMARY_KPIS = (
    "gold_recovery_frac",
    "margin_usd_t",
    "margin_usd_h",
    "nsr_usd_t",
    "operating_cost_usd_t",
    "specific_energy_kwh_t",
    "residue_generated_t_t",
    "tailings_wad_cn_mg_l",
    "nacn_kg_t",
)
RESIDUE_KPIS = ("residue_generated_t_t", "residue_tph", "residue_to_storage_tph")
TORNADO_DECILE = 0.1
EXCEL_MAX_ROWS = 1_000_000  # below Excel's 1,048,576 rows per sheet


def _kpis(results: pd.DataFrame, spec: Any) -> list[str]:
    present = [k for k in SUMMARY_KPIS if k in results.columns]
    if spec.compare_kpi in results.columns and spec.compare_kpi not in present:
        present.insert(0, spec.compare_kpi)
    return present


def summary_table(study: Any) -> pd.DataFrame:
    """Per route and KPI: mean, sd, P10, P50, P90 (rows ``(route, kpi)``)."""
    res = study.results
    rows = []
    for route, group in res.groupby("route", sort=False):
        for kpi in _kpis(res, study.spec):
            x = group[kpi].to_numpy(dtype=float)
            rows.append(
                {
                    "route": route,
                    "kpi": kpi,
                    "mean": np.nanmean(x),
                    "sd": np.nanstd(x, ddof=1) if x.size > 1 else 0.0,
                    "p10": np.nanquantile(x, 0.1),
                    "p50": np.nanquantile(x, 0.5),
                    "p90": np.nanquantile(x, 0.9),
                }
            )
    return pd.DataFrame(rows).set_index(["route", "kpi"])


def differences(study: Any, kpi: str | None = None) -> pd.DataFrame:
    """Per scenario, ``route - baseline`` on a KPI for every other route."""
    kpi = kpi or study.spec.compare_kpi
    table = study.kpi(kpi)
    base = study.spec.baseline
    return table.drop(columns=[base]).sub(table[base], axis=0)


def pairwise_table(study: Any, kpi: str | None = None) -> pd.DataFrame:
    """Per route against the baseline: probability of beating it and the difference's spread."""
    kpi = kpi or study.spec.compare_kpi
    diff = differences(study, kpi)
    rows = []
    for route in diff.columns:
        d = diff[route].to_numpy(dtype=float)
        rows.append(
            {
                "route": route,
                "baseline": study.spec.baseline,
                "kpi": kpi,
                "p_beats_baseline": float(np.mean(d > 0.0)),
                "mean_difference": float(np.mean(d)),
                "p10_difference": float(np.quantile(d, 0.1)),
                "p50_difference": float(np.quantile(d, 0.5)),
                "p90_difference": float(np.quantile(d, 0.9)),
                "n_scenarios": int(d.size),
            }
        )
    return pd.DataFrame(rows).set_index("route")


def tornado_table(study: Any, route: str, kpi: str | None = None) -> pd.DataFrame:
    """Drivers of ``route - baseline``: rank correlation and conditional P10-P90 swing per variable."""
    diff = differences(study, kpi)[route]
    rows = []
    for var in study.spec.variables:
        x = study.scenarios.loc[diff.index, var.name]
        if x.nunique() < 2:
            continue
        rho = float(x.rank().corr(diff.rank()))
        lo_cut, hi_cut = x.quantile(TORNADO_DECILE), x.quantile(1.0 - TORNADO_DECILE)
        low = float(diff[x <= lo_cut].mean())
        high = float(diff[x >= hi_cut].mean())
        rows.append(
            {
                "variable": var.name,
                "unit": var.unit,
                "spearman": rho,
                "difference_at_low": low,
                "difference_at_high": high,
                "swing": high - low,
            }
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            "variable",
            "unit",
            "spearman",
            "difference_at_low",
            "difference_at_high",
            "swing",
        ],
    ).set_index("variable")
    return frame.reindex(frame["swing"].abs().sort_values(ascending=False).index)


def plans_table(study: Any) -> pd.DataFrame:
    """Optimizing modes: per route, decision and chosen value, the share of scenarios.

    Rows ``(route, decision, value)``: how often each setting of each mode axis (and
    each unit option) was chosen, and the status counts; empty for mode ``simulate``.
    """
    res = study.results
    decisions = [c for c in res.columns if c.startswith("plan.") and c not in PLAN_FIGURES]
    if not decisions:
        return pd.DataFrame()
    rows = []
    for route, group in res.groupby("route", sort=False):
        n = len(group)
        for col in ["status", *decisions]:
            counts = group[col].value_counts(dropna=True, sort=False).sort_index()
            for value, count in counts.items():
                rows.append(
                    {
                        "route": route,
                        "decision": col.removeprefix("plan."),
                        "value": str(value),
                        "share": count / n,
                    }
                )
    return pd.DataFrame(rows).set_index(["route", "decision", "value"])


#: Plan columns that are figures, not decisions (left out of ``plans_table``).
PLAN_FIGURES = ("plan.ore_tph", "plan.objective", "plan.max_rel_diff")


def compare(study: Any) -> dict[str, pd.DataFrame]:
    """Every comparison table of a study (what the workbook holds)."""
    out = {"summary": summary_table(study)}
    plans = plans_table(study)
    if len(plans):
        out["plans"] = plans
    if len(study.spec.routes) > 1:
        out["pairwise"] = pairwise_table(study)
        for route in out["pairwise"].index:
            out[f"tornado_{route}"[:31]] = tornado_table(study, route)
    return out


def plot_distributions(study: Any, kpi: str, path: Path) -> None:
    """Histogram of a KPI per route (same bins)."""
    fig = new_figure()
    ax = fig.add_subplot()
    table = study.kpi(kpi)
    finite = table.to_numpy(dtype=float)
    finite = finite[np.isfinite(finite)]
    bins = np.histogram_bin_edges(finite, bins=40) if finite.size else 10
    for route in table.columns:
        ax.hist(table[route].dropna(), bins=bins, alpha=0.5, label=route)
    ax.set_xlabel(kpi)
    ax.set_ylabel("scenarios")
    ax.set_title(f"{study.spec.name}: {kpi} by route")
    ax.legend()
    fig.savefig(path, dpi=100, format="png")


def plot_tornado(table: pd.DataFrame, title: str, path: Path) -> None:
    """Tornado chart: mean difference at the low and high decile of each variable."""
    fig = new_figure(7.0, 0.5 * max(len(table), 2) + 1.5)
    ax = fig.add_subplot()
    rows = table.iloc[::-1]
    y = np.arange(len(rows))
    mid = 0.5 * (rows["difference_at_low"] + rows["difference_at_high"]).mean() if len(rows) else 0
    ax.barh(
        y, rows["difference_at_low"] - mid, left=mid, color="tab:blue", label="variable low (P10)"
    )
    ax.barh(
        y,
        rows["difference_at_high"] - mid,
        left=mid,
        color="tab:orange",
        label="variable high (P90)",
    )
    ax.set_yticks(
        y, [f"{v} (ρ={r:+.2f})" for v, r in zip(rows.index, rows["spearman"], strict=True)]
    )
    ax.axvline(mid, color="k", lw=0.8)
    ax.set_xlabel("mean difference to baseline")
    ax.set_title(title)
    ax.legend(loc="best", fontsize="small")
    fig.savefig(path, dpi=100, format="png")


def plot_recovery_residue(study: Any, path: Path) -> None:
    """Gold recovery against residue generated (and against tailings WAD cyanide), per route."""
    res = study.results
    residue = next((k for k in RESIDUE_KPIS if k in res.columns), None)
    panels = [k for k in (residue, "tailings_wad_cn_mg_l") if k is not None and k in res.columns]
    fig = new_figure(5.0 * max(len(panels), 1), 4.5)
    axes = fig.subplots(1, max(len(panels), 1), squeeze=False)[0]
    for ax, x_kpi in zip(axes, panels or [None], strict=True):
        for route, group in res.groupby("route", sort=False):
            x = group[x_kpi] if x_kpi else np.zeros(len(group))
            ax.scatter(x, group["gold_recovery_frac"], s=6, alpha=0.5, label=route)
        ax.set_xlabel(x_kpi or "residue")
        ax.set_ylabel("gold_recovery_frac")
        ax.legend()
    fig.suptitle("recovery versus residue, every scenario")
    fig.savefig(path, dpi=100, format="png")


def _layers(frame: pd.DataFrame) -> dict[str, int]:
    """Column of every node: longest path from the feeds, ignoring edges that close a cycle."""
    edges = [(a, b) for a, b in zip(frame["from"], frame["to"], strict=True) if a and b]
    nodes = list(dict.fromkeys([n for e in edges for n in e]))
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for a, b in edges:
        succ[a].append(b)
    order: list[str] = []
    state: dict[str, int] = {}
    back: set[tuple[str, str]] = set()

    def visit(n: str) -> None:
        state[n] = 1
        for m in succ[n]:
            if state.get(m) == 1:
                back.add((n, m))
            elif m not in state:
                visit(m)
        state[n] = 2
        order.append(n)

    roots = [n for n in nodes if n.startswith("ore.")] + nodes
    for n in roots:
        if n not in state:
            visit(n)
    layer = dict.fromkeys(nodes, 0)
    for n in reversed(order):
        for m in succ[n]:
            if (n, m) not in back:
                layer[m] = max(layer[m], layer[n] + 1)
    return layer


def plot_sankey(
    streams: pd.DataFrame, path: Path, *, flow: str = "solids_tph", title: str = ""
) -> None:
    """Layered Sankey of one run's balance: bands of width proportional to ``flow``.

    Parameters
    ----------
    streams : pandas.DataFrame
        The stream table of a run (``Results.streams``: ``from``, ``to`` and flows).
    path : Path
        PNG file to write.
    flow : str
        Column giving the band widths (``solids_tph``, ``water_tph``, ``au_g_h``).
    title : str
        Figure title.
    """
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MPath

    frame = streams.reset_index()
    name_col = frame.columns[0]
    frame["from"] = frame["from"].fillna("").astype(str)
    # ``to`` is the inlet port ``unit.port``: the node is the unit
    frame["to"] = frame["to"].fillna("").astype(str).str.rpartition(".")[0]
    open_ends = frame["to"] == ""
    frame.loc[open_ends, "to"] = [f"→ {s}" for s in frame.loc[open_ends, name_col]]
    layer = _layers(frame)
    cols: dict[int, list[str]] = {}
    for node, k in layer.items():
        cols.setdefault(k, []).append(node)
    pos = {}
    for k, members in cols.items():
        for i, node in enumerate(members):
            pos[node] = (float(k), (i + 0.5) / len(members))
    values = frame[flow].fillna(0.0).to_numpy(dtype=float)
    scale = 0.08 / max(values.max(), 1e-30)
    fig = new_figure(max(8.0, 1.6 * (max(cols) + 1)), 5.5)
    ax = fig.add_subplot()
    for a, b, v in zip(frame["from"], frame["to"], values, strict=True):
        if not a or v <= 0:
            continue
        (x0, y0), (x1, y1) = pos[a], pos[b]
        forward = x1 > x0
        if forward:
            ctrl = 0.5 * (x1 - x0)
            verts = [(x0, y0), (x0 + ctrl, y0), (x1 - ctrl, y1), (x1, y1)]
        else:  # a recycle: an arc under the nodes, back to an earlier column
            dip = 0.25 + 0.05 * (x0 - x1)
            verts = [(x0, y0), (x0 + 0.3, y0 - dip), (x1 - 0.3, y1 - dip), (x1, y1)]
        patch = PathPatch(
            MPath(verts, [MPath.MOVETO, MPath.CURVE4, MPath.CURVE4, MPath.CURVE4]),
            fill=False,
            lw=max(0.5, 400 * scale * v),
            alpha=0.45,
            color="tab:blue" if forward else "tab:red",
            linestyle="-" if forward else "--",
            capstyle="butt",
        )
        ax.add_patch(patch)
    for node, (x, y) in pos.items():
        ax.plot([x], [y], "s", color="k", ms=5)
        ax.annotate(
            node, (x, y), xytext=(0, 6), textcoords="offset points", ha="center", fontsize=7
        )
    ax.set_xlim(-0.5, max(cols) + 0.5)
    ax.set_ylim(-0.45, 1.1)
    ax.set_axis_off()
    ax.set_title(title or f"balance: band width ∝ {flow} (red dashed: recycle)")
    fig.savefig(path, dpi=100, format="png")


def _html(study: Any, tables: dict[str, pd.DataFrame], images: Sequence[str]) -> str:
    spec = study.spec
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>oreflow study {spec.name}</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}"
        "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px}"
        "</style></head><body>",
        f"<h1>Study {spec.name}</h1><p>{spec.description}</p>",
        f"<p>{spec.n_scenarios:,} scenarios x {len(spec.routes)} routes "
        f"({', '.join(spec.routes)}), seed {spec.seed}, mode {spec.mode}; "
        f"baseline {spec.baseline}, compared on {spec.compare_kpi}. "
        f"Run time {study.meta.get('seconds', float('nan')):.1f} s "
        f"({study.meta.get('executor', '')}).</p>",
    ]
    if (note := subsample_note(study.meta)) is not None:
        parts.append(f"<p>{note[0].upper()}{note[1:]}.</p>")
    for name, table in tables.items():
        parts.append(f"<h2>{name}</h2>")
        parts.append(table.to_html(float_format=lambda v: f"{v:.4g}"))
    for img in images:
        parts.append(f"<h2>{Path(img).stem}</h2><img src='{img}' alt='{Path(img).stem}'>")
    parts.append("</body></html>")
    return "\n".join(parts)


def require_matplotlib(where: str) -> None:
    """Refuse before any computing when the plots cannot be drawn (``oreflow[study]``)."""
    from oreflow.errors import CaseError, Problem

    try:
        import matplotlib  # noqa: F401
    except ImportError:
        msg = "the study report's plots need matplotlib: pip install 'oreflow[study]'"
        raise CaseError([Problem(where, "--out", msg)]) from None


def report_files(spec: Any) -> tuple[str, ...]:
    """Names a report may write (so that a re-run does not take them for foreign files)."""
    fixed = ("report.html", "study.xlsx", "summary.json", "recovery_vs_residue.png")
    plots = [f"distribution_{k}.png" for k in ("gold_recovery_frac", spec.compare_kpi)]
    kinds = ("sankey", "tornado", "parameter_tornado")
    plots += [f"{kind}_{r}.png" for r in spec.routes for kind in kinds]
    return (*fixed, *plots)


def write_study_report(
    study: Any,
    out_dir: Any,
    *,
    nominal: tuple[str, pd.DataFrame] | None = None,
    parameters: dict[str, pd.DataFrame] | None = None,
) -> list[Path]:
    """Write ``report.html`` with PNG plots beside it, ``study.xlsx`` and ``summary.json``.

    Every file is written under a temporary name and renamed into place when all are
    complete. ``nominal`` is ``(route, stream table)`` of a route's case as written:
    its Sankey diagram is drawn; ``parameters`` holds, per route, the model parameters
    that move its difference from the baseline most
    (``oreflow.solvers.sensitivity.parameter_tornado``). ``oreflow.api.study`` computes
    both: a report module does not simulate.
    """
    tables = compare(study)
    spec = study.spec
    plots: dict[str, Callable[[Path], None]] = {
        f"distribution_{spec.compare_kpi}.png": lambda p: plot_distributions(
            study, spec.compare_kpi, p
        ),
        "recovery_vs_residue.png": lambda p: plot_recovery_residue(study, p),
    }
    if "gold_recovery_frac" in study.results.columns and spec.compare_kpi != "gold_recovery_frac":
        plots["distribution_gold_recovery_frac.png"] = lambda p: plot_distributions(
            study, "gold_recovery_frac", p
        )
    for name, table in tables.items():
        if name.startswith("tornado_") and len(table):
            route = name.removeprefix("tornado_")
            title = f"{route} - {spec.baseline}: {spec.compare_kpi}"
            plots[f"{name}.png"] = lambda p, t=table, s=title: plot_tornado(t, s, p)
    for other, ptable in (parameters or {}).items():  # model parameters driving each route
        from oreflow.report.parameter_tornado import plot_parameter_tornado

        tables[f"parameters_{other}"[:31]] = ptable
        title = f"{other} - {spec.baseline}: top model parameters"
        plots[f"parameter_tornado_{other}.png"] = lambda p, t=ptable, s=title: (
            plot_parameter_tornado(t, s, p)
        )
    if nominal is not None:
        route, streams = nominal
        title = f"{spec.routes[route].name}: dry solids t/h (nominal case)"
        plots[f"sankey_{route}.png"] = lambda p: plot_sankey(streams, p, title=title)
    # the workbook holds the variables and headline KPIs (every KPI is in results.parquet):
    # openpyxl writes about 10^5 cells per second, and a sheet holds at most 2^20 rows
    res = study.results
    plan = [c for c in res.columns if c == "status" or c.startswith("plan.")]
    keep = ["scenario", "route", *(v.name for v in spec.variables), *plan, *_kpis(res, spec)]
    results_view = res[list(dict.fromkeys(keep))].head(EXCEL_MAX_ROWS)
    sheets = {"results": results_view.set_index(["scenario", "route"]), **tables}
    summary = {
        "study": spec.name,
        "study_sha256": spec.sha256,
        "n_scenarios": spec.n_scenarios,
        "routes": list(spec.routes),
        "baseline": spec.baseline,
        "compare_kpi": spec.compare_kpi,
        "pairwise": (
            json.loads(tables["pairwise"].to_json(orient="index")) if "pairwise" in tables else {}
        ),
        "meta": {**study.meta, "versions": versions()},
    }
    writers: dict[str, Callable[[Path], None]] = dict(plots)
    writers["study.xlsx"] = lambda p: write_excel(sheets, p)
    writers["summary.json"] = lambda p: p.write_text(
        json.dumps(summary, indent=2, default=str), encoding="utf-8"
    )
    writers["report.html"] = lambda p: p.write_text(
        _html(study, tables, list(plots)), encoding="utf-8"
    )
    return write_all(out_dir, writers)

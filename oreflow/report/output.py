"""Results -> JSON document, text tables, and the sets of files a run writes.

The writing itself (temporary names, renames, the folder's lock, file modes) is
``oreflow.report.files``.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from oreflow.report.files import OutputFolder, clean, records, write_all, write_excel

JSON_KEYS = (
    "case",
    "status",
    "kpis",
    "streams",
    "units",
    "closure",
    "decisions",
    "verification",
    "meta",
)


def versions() -> dict[str, str]:
    """Versions of oreflow and the packages that shape its numbers (no imports)."""
    out = {"python": platform.python_version()}
    for pkg in ("oreflow", "numpy", "numba", "pandas", "pyomo", "highspy"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


_clean = clean
_records = records
_write_excel = write_excel
_write_all = write_all


def result_document(results: Any, status: str = "ok") -> dict[str, Any]:
    """The stable JSON document of a run (keys ``JSON_KEYS``)."""
    closure = {
        "rows": _records(results.closure.set_index("view")),
        "max_rel": _clean(float(results.closure["rel_err"].max())),
    }
    meta = dict(results.meta)
    meta["versions"] = versions()
    return {
        "case": results.case,
        "status": status,
        "kpis": _clean({k: float(v) for k, v in results.kpis.items()}),
        "streams": _records(results.streams),
        "units": _records(results.units.set_index("unit")),
        "closure": closure,
        "decisions": None,
        "verification": None,
        "meta": _clean(meta),
    }


def format_run(results: Any) -> str:
    """Plain-text report of a run: KPIs, stream table, unit table, closure."""
    lines = [f"case: {results.case}", "", "KPIs"]
    lines += [f"  {k:<24} {v:>14.6g}" for k, v in results.kpis.items()]
    assumed = results.kpis.get("economics_assumed_count", 0.0)
    if assumed > 0:
        lines.append(
            f"  note: {assumed:.0f} economic figure(s) are oreflow defaults, MODELS.md §8 "
            "test values [A], not market data; set them in [economics] (cases/README.md)"
        )
    cols = [
        c
        for c in (
            "solids_tph",
            "water_tph",
            "solids_pct",
            "p80_um",
            "au_gpt",
            "au_g_h",
            "au_aq_mg_l",
            "nacn_mg_l",
        )
        if c in results.streams
    ]
    lines += ["", "Streams", results.streams[cols].to_string(float_format=lambda v: f"{v:.4g}")]
    lines += ["", "Units"]
    for unit, group in results.units.groupby("unit", sort=False):
        lines.append(f"  {unit} ({group['type'].iloc[0]})")
        lines += [
            f"    {m:<30} {v:>14.6g}" for m, v in zip(group["metric"], group["value"], strict=True)
        ]
    worst = results.closure.groupby("view")["rel_err"].max()
    lines += ["", "Closure (largest relative error per view)"]
    lines += [f"  {view:<12} {err:.3g}" for view, err in worst.items()]
    return "\n".join(lines)


def write_run_outputs(
    results: Any, out_dir: str | Path | OutputFolder, document: dict[str, Any] | None = None
) -> list[Path]:
    """Write streams.csv, units.csv, closure.csv, kpis.json, result.json and oreflow.xlsx.

    ``document`` replaces the run document written as result.json (optimize writes its
    decisions and verification there).
    """
    doc = document if document is not None else result_document(results)
    kpis = results.kpis.to_frame("value")
    sheets = {
        "kpis": kpis,
        "streams": results.streams,
        "units": results.units.set_index("unit"),
        "closure": results.closure.set_index("view"),
    }
    if results.streams_by_size is not None:
        sheets["streams_by_size"] = results.streams_by_size.set_index("stream")

    def text(content: str) -> Callable[[Path], None]:
        return lambda p: p.write_text(content, encoding="utf-8")

    writers: dict[str, Callable[[Path], None]] = {
        "streams.csv": lambda p: results.streams.to_csv(p),
        "units.csv": lambda p: results.units.to_csv(p, index=False),
        "closure.csv": lambda p: results.closure.to_csv(p, index=False),
        "kpis.json": text(json.dumps(doc["kpis"], indent=2)),
        "result.json": text(json.dumps(doc, indent=2)),
        "oreflow.xlsx": lambda p: _write_excel(sheets, p),
    }
    if results.streams_by_size is not None:
        writers["streams_by_size.csv"] = lambda p: results.streams_by_size.to_csv(p, index=False)
    return write_all(out_dir, writers)


def optimize_document(result: Any, case: str | None = None) -> dict[str, Any]:
    """The JSON document of ``oreflow optimize`` (keys ``JSON_KEYS``).

    ``case`` names the case when there is no plan (infeasible) to take the name from.
    """
    if result.plan is not None:
        doc = result_document(result.plan, status=result.status)
    else:
        doc = {key: None for key in JSON_KEYS}
        doc.update({"case": case, "status": result.status, "meta": {"versions": versions()}})
    doc["decisions"] = _clean(dict(result.decisions)) or None
    doc["verification"] = {
        "figures": _records(result.verification) if len(result.verification) else [],
        "max_rel_diff": _clean(result.meta.get("max_rel_diff")),
        "verified": result.status == "optimal",
        "shadow_prices": _records(result.shadow_prices) if len(result.shadow_prices) else [],
        "explanation": list(result.explanation),
    }
    doc["verification"]["routes"] = _records(result.routes) if len(result.routes) else []
    meta = dict(doc.get("meta") or {})
    meta["optimize"] = _clean({k: v for k, v in result.meta.items() if k != "max_rel_diff"})
    doc["meta"] = meta
    return doc


def format_optimize(result: Any) -> str:
    """Plain-text report of an optimization."""
    lines = [f"status: {result.status}"]
    if result.explanation:
        lines += ["", "Why no plan is feasible"] + [f"  {e}" for e in result.explanation]
    if result.decisions:
        lines += ["", "Plan"]
        lines += [f"  {k:<40} {v:>14}" for k, v in result.decisions.get("route", {}).items()]
        lines += [f"  {k:<40} {v:>14.6g}" for k, v in result.decisions["modes"].items()]
        lines += [f"  {'ore_tph':<40} {result.decisions['ore_tph']:>14.6g}"]
        for src, tph in result.decisions.get("blend_tph", {}).items():
            lines += [f"  {src + ' (t/h)':<40} {tph:>14.6g}"]
        for sink, tph in result.decisions.get("residue_tph", {}).items():
            lines += [f"  {'residue to ' + sink + ' (t/h)':<40} {tph:>14.6g}"]
        for stream, tph in result.decisions.get("train_tph", {}).items():
            lines += [f"  {'feed to ' + stream + ' (t/h)':<40} {tph:>14.6g}"]
        if result.plan is not None:
            costs = {
                k: v
                for k, v in result.plan.kpis.items()
                if k in ("cost_haulage_usd_h", "cost_ore_usd_h")
            }
            lines += [f"  {k:<40} {float(v):>14.6g}" for k, v in costs.items() if float(v) != 0.0]
        lines += [f"  {'objective':<40} {result.decisions['objective']:>14.6g}"]
    if len(result.shadow_prices):
        lines += ["", "Shadow prices (objective per unit of limit; non-zero = binding)"]
        lines += [
            f"  {r.limit:<44} {r.value:>12.6g}   {r.shadow_price:>12.6g} {r.units}"
            for r in result.shadow_prices.itertuples()
        ]
    if len(result.verification):
        lines += [
            "",
            "Verification (model vs full simulation)",
            result.verification.to_string(float_format=lambda v: f"{v:.6g}"),
        ]
    if len(result.routes):
        table = result.routes.to_string(index=False, float_format=lambda v: f"{v:.6g}")
        lines += ["", "Best plan of every route (enumeration)", table]
    m = result.meta
    lines += [
        "",
        f"{m.get('n_combinations')} combinations; solver {m.get('solver')}; seconds {m.get('seconds')}",
    ]
    if "blend" in m:
        lines += [
            f"blend: {m['blend']['rounds']} tabulate-solve-verify round(s) "
            f"(re-tabulated at the incumbent's blend until it verified or stopped moving)"
        ]
    if result.plan is not None:
        lines += ["", format_run(result.plan)]
    return "\n".join(lines)


def pareto_document(front: Any, case: str) -> dict[str, Any]:
    """JSON document of ``oreflow pareto``."""
    return {
        "case": case,
        "status": "ok",
        "x": front.attrs.get("x"),
        "y": front.attrs.get("y"),
        "x_sense": front.attrs.get("x_sense"),
        "y_sense": front.attrs.get("y_sense"),
        "points": [_clean(r) for r in front.to_dict(orient="records")],
        "meta": {"versions": versions()},
    }


def _pareto_png(front: Any, path: Path) -> None:
    from matplotlib.figure import Figure  # lazy: plotting is optional at import time

    fig = Figure(figsize=(6.0, 4.0))
    ax = fig.add_subplot()
    ok = front[front["status"] == "optimal"]
    ax.plot(ok["x"], ok["y"], "o-")
    ax.set_xlabel(str(front.attrs.get("x")))
    ax.set_ylabel(str(front.attrs.get("y")))
    ax.set_title("Pareto front (epsilon-constraint)")
    ax.grid(visible=True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=110)


def write_pareto_outputs(front: Any, out_dir: str | Path | OutputFolder, case: str) -> list[Path]:
    """Write pareto.csv, pareto.json and pareto.png atomically."""
    doc = pareto_document(front, case)
    table = front.drop(columns=[c for c in ("route", "modes") if c in front.columns])
    writers: dict[str, Callable[[Path], None]] = {
        "pareto.csv": lambda p: table.to_csv(p, index=False),
        "pareto.json": lambda p: p.write_text(json.dumps(doc, indent=2), encoding="utf-8"),
        "pareto.png": lambda p: _pareto_png(front, p),
    }
    return write_all(out_dir, writers)


def compare_frame(results: list[Any]) -> Any:
    """KPIs of several runs side by side (one column per case)."""
    return pd.concat({r.case: r.kpis for r in results}, axis=1)

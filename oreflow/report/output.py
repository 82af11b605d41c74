"""Results -> JSON document, text tables, and the sets of files a run writes.

The writing itself (temporary names, renames, the folder's lock, file modes) is
``oreflow.report.files``.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Callable, Mapping
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
    "warnings",
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
        "warnings": list(getattr(results, "warnings", ())),
    }


def write_run_outputs(
    results: Any,
    out_dir: str | Path | OutputFolder,
    document: dict[str, Any] | None = None,
    extra: Mapping[str, Callable[[Path], None]] | None = None,
) -> list[Path]:
    """Write streams.csv, units.csv, closure.csv, kpis.json, result.json and oreflow.xlsx.

    ``document`` replaces the run document written as result.json (optimize writes its
    decisions and verification there); ``extra`` adds files (name -> writer), written
    and renamed with the others.
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
    writers.update(extra or {})
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
        "marks": [_clean(m) for m in front.attrs.get("marks", [])],
        "meta": {"versions": versions()},
    }


def _pareto_png(front: Any, path: Path) -> None:
    from matplotlib.figure import Figure  # lazy: plotting is optional at import time

    fig = Figure(figsize=(6.0, 4.0))
    ax = fig.add_subplot()
    ok = front[front["status"] == "optimal"]
    ax.plot(ok["x"], ok["y"], "o-")
    for m in front.attrs.get("marks", []):
        if m.get("y") is not None:
            ax.plot([m["x"]], [m["y"]], "*", markersize=14, color="#d62728")
            ax.annotate(
                f"target {m['x']:g}", (m["x"], m["y"]), textcoords="offset points", xytext=(6, 6)
            )
    ax.set_xlabel(str(front.attrs.get("x")))
    ax.set_ylabel(str(front.attrs.get("y")))
    ax.set_title("Pareto front (epsilon-constraint)")
    ax.grid(visible=True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=110)


def write_pareto_outputs(
    front: Any,
    out_dir: str | Path | OutputFolder,
    case: str,
    extra: Mapping[str, Callable[[Path], None]] | None = None,
) -> list[Path]:
    """Write pareto.csv, pareto.json and pareto.png atomically (and ``extra`` files)."""
    doc = pareto_document(front, case)
    table = front.drop(columns=[c for c in ("route", "modes") if c in front.columns])
    writers: dict[str, Callable[[Path], None]] = {
        "pareto.csv": lambda p: table.to_csv(p, index=False),
        "pareto.json": lambda p: p.write_text(json.dumps(doc, indent=2), encoding="utf-8"),
        "pareto.png": lambda p: _pareto_png(front, p),
    }
    writers.update(extra or {})
    return write_all(out_dir, writers)


def compare_frame(results: list[Any]) -> Any:
    """KPIs of several runs side by side (one column per case)."""
    return pd.concat({r.case: r.kpis for r in results}, axis=1)

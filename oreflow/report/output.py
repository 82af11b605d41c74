"""Results -> JSON document, text tables, and files written atomically.

Every file is first written under a temporary name in the target folder and renamed
into place only when all of them are complete, so an interrupted or failed run leaves
no half-written output (``os.replace`` is atomic on one file system).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import platform
import tempfile
from collections.abc import Callable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

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


def _clean(value: Any) -> Any:
    """JSON-safe value: NaN and infinities become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [_clean(r) for r in frame.reset_index().to_dict(orient="records")]


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


def write_all(out_dir: Path, writers: Mapping[str, Callable[[Path], None]]) -> list[Path]:
    """Write each file to a temporary name, then rename all into place."""
    out_dir.mkdir(parents=True, exist_ok=True)
    temps: dict[str, Path] = {}
    try:
        for name, write in writers.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
            os.close(fd)
            temps[name] = Path(tmp)
            write(temps[name])
    except BaseException:
        for tmp in temps.values():
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        raise
    final = []
    for name, tmp in temps.items():
        target = out_dir / name
        os.replace(tmp, target)
        final.append(target)
    return final


def _write_excel(sheets: dict[str, pd.DataFrame], path: Path) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for sheet, frame in sheets.items():
            frame.to_excel(xl, sheet_name=sheet)


def write_run_outputs(
    results: Any,
    out_dir: str | Path,
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
    return write_all(Path(out_dir), writers)


def optimize_document(result: Any) -> dict[str, Any]:
    """The JSON document of ``oreflow optimize`` (keys ``JSON_KEYS``)."""
    if result.plan is not None:
        doc = result_document(result.plan, status=result.status)
    else:
        doc = {key: None for key in JSON_KEYS}
        doc.update({"case": None, "status": result.status, "meta": {"versions": versions()}})
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


def write_pareto_outputs(
    front: Any,
    out_dir: str | Path,
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
    return write_all(Path(out_dir), writers)


def compare_frame(results: list[Any]) -> Any:
    """KPIs of several runs side by side (one column per case)."""
    return pd.concat({r.case: r.kpis for r in results}, axis=1)

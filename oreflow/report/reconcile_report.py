"""Reconciliation results to CSV, JSON and Excel, written atomically.

Every file is written to a temporary name in the target directory and then renamed
(``os.replace``), so an interrupted run leaves either the old file or the new one,
never half of one. Sheets and CSV files share names: ``streams``, ``sizes`` (sized
surveys only), ``nodes``, ``adjustments``, ``tests`` and ``closure``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from oreflow.solvers.reconcile import ReconcileResult

#: Output file names inside ``--out DIR``.
CSV_NAMES = ("streams", "sizes", "nodes", "adjustments", "tests", "closure")
JSON_NAME = "reconcile.json"
EXCEL_NAME = "reconcile.xlsx"


def reconcile_tables(result: ReconcileResult) -> dict[str, pd.DataFrame]:
    """The result's tables by sheet name, in report order (``sizes`` only if sized).

    Parameters
    ----------
    result : ReconcileResult
        A reconciliation result.

    Returns
    -------
    dict of str to DataFrame
        ``streams``, ``sizes`` (when not empty), ``nodes``, ``adjustments``, ``tests``,
        ``closure``.
    """
    tables = {
        "streams": result.streams,
        "sizes": result.sizes,
        "nodes": result.nodes,
        "adjustments": result.adjustments,
        "tests": result.tests,
        "closure": result.closure,
    }
    return {name: frame for name, frame in tables.items() if name != "sizes" or len(frame)}


def _plain(value: Any) -> Any:
    """A JSON-safe Python value: NaN and infinities become None, numpy scalars plain."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def reconcile_to_json(result: ReconcileResult, *, survey: str = "") -> dict[str, Any]:
    """The result as one JSON-ready document (NaN written as null).

    Parameters
    ----------
    result : ReconcileResult
        A reconciliation result.
    survey : str
        The survey file, reported under ``case``.

    Returns
    -------
    dict
        Keys ``case``, ``status``, ``passed``, ``streams``, ``sizes``, ``nodes``,
        ``adjustments``, ``tests``, ``closure`` (``max_rel`` and ``balances``) and
        ``meta``.
    """
    meta = _plain(dict(result.meta))
    return {
        "case": survey,
        "status": meta["status"],
        "passed": meta["passed"],
        "streams": _records(result.streams),
        "sizes": _records(result.sizes),
        "nodes": _records(result.nodes),
        "adjustments": _records(result.adjustments),
        "tests": _records(result.tests),
        "closure": {"max_rel": meta["max_rel_closure"], "balances": _records(result.closure)},
        "meta": meta,
    }


def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write through ``write(tmp)`` to a temporary file beside ``path``, then rename.

    The one atomic writer (``oreflow.core.files``): the file gets the umask's mode.
    """
    from oreflow.core.files import write_files

    write_files(path.parent, {path.name: write})


def _write_workbook(tables: Mapping[str, pd.DataFrame], path: Path) -> None:
    import openpyxl  # only writing Excel pays for it

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, frame in tables.items():
        sheet = book.create_sheet(title=name)
        sheet.append([str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            sheet.append([_plain(v) for v in row])
        sheet.freeze_panes = "A2"
    book.save(path)


def write_reconcile_outputs(
    result: ReconcileResult, out_dir: str | Path, *, survey: str = ""
) -> dict[str, Path]:
    """Write CSV files, a JSON document and an Excel workbook into ``out_dir``.

    Parameters
    ----------
    result : ReconcileResult
        A reconciliation result.
    out_dir : str or Path
        Target directory; created if missing.
    survey : str
        The survey file, recorded in the JSON document.

    Returns
    -------
    dict of str to Path
        Each written file by table name, plus ``json`` and ``excel``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = reconcile_tables(result)
    written: dict[str, Path] = {}
    for name, frame in tables.items():
        path = out / f"{name}.csv"
        _atomic_write(path, lambda tmp, frame=frame: frame.to_csv(tmp, index=False))
        written[name] = path
    document = json.dumps(reconcile_to_json(result, survey=survey), indent=2, allow_nan=False)
    path = out / JSON_NAME
    _atomic_write(path, lambda tmp: tmp.write_text(document + "\n", encoding="utf-8"))
    written["json"] = path
    path = out / EXCEL_NAME
    _atomic_write(path, lambda tmp: _write_workbook(tables, tmp))
    written["excel"] = path
    return written


def reconcile_summary(result: ReconcileResult) -> str:
    """A few lines for a terminal: the test, the suspects and the closure.

    Parameters
    ----------
    result : ReconcileResult
        A reconciliation result.

    Returns
    -------
    str
        Plain text, no trailing newline.
    """
    meta = result.meta
    critical = meta["critical"]
    if meta["passed"] is None:
        test = (
            f"chi-square {meta['chi2']:.4g} on 0 dof: not testable (no redundancy: the "
            "balances check none of the measurements)"
        )
    else:
        verdict = "passed" if meta["passed"] else "FAILED"
        test = (
            f"chi-square {meta['chi2']:.4g} on {meta['dof']} dof, critical {critical:.4g} "
            f"at {meta['confidence']:.0%}: {verdict}"
        )
    lines = [
        f"status {meta['status']}: {test}",
        f"largest relative closure error {meta['max_rel_closure']:.2g}",
    ]
    for suspects in meta.get("suspect_sets", ()):
        if len(suspects) > 1:
            lines.append(
                "gross-error suspects, indistinguishable on this survey (any one of them "
                f"may be wrong; {suspects[0]} was removed): " + "; ".join(suspects)
            )
        else:
            lines.append(f"gross-error suspect: {suspects[0]}")
    lines += [f"undetermined (NaN): {u}" for u in meta["unobservable"]]
    return "\n".join(lines)

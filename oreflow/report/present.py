"""One entry per command for what it prints, returns as JSON and writes with ``--out``.

``oreflow.api`` re-exports these so that the command line talks to the API only. Each
takes the command's result object and, where routes are named in words, its case.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from oreflow.report import console

#: The commands whose result these functions know.
KINDS = ("run", "optimize", "pareto", "compare", "reconcile", "study")


def console_text(kind: str, result: Any, *, spec: Any = None, verbose: bool = False) -> str:
    """The text a command prints (answer first; every table with ``verbose``)."""
    if kind == "run":
        return console.format_run(result, verbose=verbose)
    if kind == "optimize":
        return console.format_optimize(result, spec, verbose=verbose)
    if kind == "pareto":
        return console.format_pareto(result, spec)
    if kind == "compare":
        return console.format_compare(result[0])
    if kind == "reconcile":
        from oreflow.report.reconcile_console import format_reconcile

        return format_reconcile(result, verbose=verbose)
    msg = f"no console text for {kind!r}; known: {', '.join(KINDS)}"
    raise ValueError(msg)


def document(kind: str, result: Any, *, spec: Any = None, survey: str = "") -> dict[str, Any]:
    """The JSON document a command prints with ``--json``."""
    from oreflow.report import output

    if kind == "run":
        return output.result_document(result)
    if kind == "optimize":
        return output.optimize_document(result, case=spec.path if spec is not None else None)
    if kind == "pareto":
        return output.pareto_document(result, spec.name if spec is not None else "")
    if kind == "compare":
        frame, names, notes = result
        return {"cases": names, "kpis": json.loads(frame.to_json()), "notes": notes}
    if kind == "reconcile":
        from oreflow.report.reconcile_report import reconcile_to_json

        return reconcile_to_json(result, survey=survey)
    msg = f"no document for {kind!r}; known: {', '.join(KINDS)}"
    raise ValueError(msg)


def _html_writer(kind: str, result: Any, spec: Any, survey: str) -> Callable[[Path], None]:
    from oreflow.report.html import report_html

    def write(path: Path) -> None:
        path.write_text(report_html(kind, result, spec=spec, survey=survey), encoding="utf-8")

    return write


def write_outputs(
    kind: str, result: Any, out_dir: Any, *, spec: Any = None, survey: str = ""
) -> list[Path]:
    """Write a command's files and its ``report.html`` into ``out_dir`` (all or nothing).

    ``out_dir``: a path, or an ``OutputFolder`` the caller checked and locked before computing.
    """
    from oreflow.report import output

    html: Mapping[str, Callable[[Path], None]] = {
        "report.html": _html_writer(kind, result, spec, survey)
    }
    if kind == "run":
        return output.write_run_outputs(result, out_dir, extra=html)
    if kind == "optimize":
        if result.plan is None:
            return output.write_all(out_dir, dict(html))
        doc = output.optimize_document(result, case=spec.path if spec is not None else None)
        return output.write_run_outputs(result.plan, out_dir, document=doc, extra=html)
    if kind == "pareto":
        return output.write_pareto_outputs(
            result, out_dir, spec.name if spec is not None else "", extra=html
        )
    if kind == "compare":
        frame = result[0]
        return output.write_all(out_dir, {"compare.csv": lambda p: frame.to_csv(p)})
    if kind == "reconcile":
        from oreflow.report.reconcile_report import write_reconcile_outputs

        folder = getattr(out_dir, "path", out_dir)
        written = list(write_reconcile_outputs(result, folder, survey=survey).values())
        return written + output.write_all(out_dir, dict(html))
    msg = f"nothing to write for {kind!r}; known: {', '.join(KINDS)}"
    raise ValueError(msg)

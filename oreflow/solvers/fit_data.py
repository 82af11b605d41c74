"""Test-work files for ``oreflow fit``: reading and checking them, and writing fits to cases.

A test file is a table (CSV, or the first sheet of an xlsx) with one row per
measurement and a header row naming the columns of the chosen model (``oreflow fit
--list``). Extraction may be given as ``extraction_frac`` or ``extraction_pct``. Other
columns (a test name, notes) are ignored. Every problem is reported with the file,
the row (as a spreadsheet shows it: the header is row 1) and the column.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from pathlib import Path

import numpy as np

from oreflow.errors import CaseError, Problem
from oreflow.solvers.fit import FitResult
from oreflow.solvers.fit_types import FitModel

_ALIASES = {"extraction_pct": ("extraction_frac", 0.01)}


def _table(path: Path) -> tuple[list[str], list[list[object]]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
        wb.close()
    else:
        import csv

        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = [
                list(r)
                for r in csv.reader(line for line in fh if not line.lstrip().startswith("#"))
            ]
    rows = [r for r in rows if any(c not in (None, "") for c in r)]
    if not rows:
        return [], []
    header = [str(c).strip() if c is not None else "" for c in rows[0]]
    return header, rows[1:]


#: Fewest data rows of a test file (published series can be short: hold parameters with
#: ``--fix`` so that fewer are free than there are rows).
_MIN_ROWS = 2


def read_testwork(path: str | Path, model: FitModel) -> dict[str, np.ndarray]:
    """Read and check a test file for ``model``.

    Returns
    -------
    dict of str to numpy.ndarray
        The model's columns (observed, required and the condition columns present).

    Raises
    ------
    CaseError
        With one problem per missing column and per bad cell.
    """
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise CaseError([Problem(file, "", "no such file")])
    try:
        header, rows = _table(path)
    except Exception as exc:  # any reader failure is a bad file, said in one line
        raise CaseError([Problem(file, "", f"cannot read the file: {exc}")]) from None
    problems: list[Problem] = []
    if not header:
        raise CaseError([Problem(file, "row 1", "the file is empty; a header row is needed")])
    where: dict[str, tuple[int, float]] = {}
    passing: list[str] = []  # columns given as cumulative % passing
    for j, name in enumerate(header):
        if name in _ALIASES:
            target, scale = _ALIASES[name]
            where[target] = (j, scale)
        elif name in model.cumulative:
            where[model.cumulative[name]] = (j, 1.0)
            passing.append(model.cumulative[name])
        elif name:
            where.setdefault(name, (j, 1.0))
    needed = (model.observed, *model.columns)
    for name in needed:
        if name not in where:
            alias = [a for a, t in model.cumulative.items() if t == name]
            hint = " (or extraction_pct)" if name == "extraction_frac" else ""
            hint = f" (or {alias[0]})" if alias else hint
            problems.append(
                Problem(file, "row 1", f"no column {name!r}{hint}; model {model.name!r} needs "
                        f"{', '.join(needed)}")
            )  # fmt: skip
    wanted = [c for c in (*needed, *model.conditions, *model.optional) if c in where]
    wanted = list(dict.fromkeys(wanted))
    out = {c: np.full(len(rows), np.nan) for c in wanted}
    for i, row in enumerate(rows):
        for c in wanted:
            j, scale = where[c]
            cell = row[j] if j < len(row) else None
            col_name = header[j]
            loc = f"row {i + 2}, column {col_name}"
            if cell is None or (isinstance(cell, str) and not cell.strip()):
                if c in model.scalars and i > 0:
                    out[c][i] = out[c][0]  # one value for the file, on the first row
                    continue
                problems.append(Problem(file, loc, "empty cell; a number is needed"))
                continue
            try:
                value = float(cell) * scale
            except (TypeError, ValueError):
                problems.append(Problem(file, loc, f"{cell!r} is not a number"))
                continue
            if not math.isfinite(value):
                problems.append(Problem(file, loc, f"{cell!r} is not a finite number"))
                continue
            lo, hi = model.ranges.get(c, (-math.inf, math.inf))
            if not lo <= value <= hi:
                problems.append(
                    Problem(file, loc, f"{value:g} is outside [{lo:g}, {hi:g}] for {c}")
                )
                continue
            if c in model.scalars and i > 0 and np.isfinite(out[c][0]) and value != out[c][0]:
                problems.append(Problem(file, loc, f"{value:g} differs from the first row's "
                                        f"{out[c][0]:g}; {c} is one value for the survey"))  # fmt: skip
                continue
            out[c][i] = value
    for c in passing:
        problems.extend(_to_retained(out, c, header[where[c][0]], file))
    if model.check is not None and not any(p.key == "row 1" for p in problems):
        problems.extend(model.check(out, file))
    if not problems and len(rows) < _MIN_ROWS:
        problems.append(
            Problem(file, "", f"{len(rows)} data row(s); a fit needs at least {_MIN_ROWS} "
                    "(and more rows than free parameters: hold the others with --fix)")
        )  # fmt: skip
    if problems:
        raise CaseError(problems)
    return out


def _to_retained(out: dict[str, np.ndarray], c: str, col: str, file: str) -> list[Problem]:
    """Turn cumulative % passing each row's top size into % in each class, in place."""
    p = out[c]
    bad = [Problem(file, f"row {i + 2}, column {col}", f"{p[i]:g} % passing is above the "
                   f"row above's {p[i - 1]:g}; passing falls with size")
           for i in range(1, len(p)) if p[i] > p[i - 1]]  # fmt: skip
    if not bad and np.all(np.isfinite(p)):
        out[c] = p - np.append(p[1:], 0.0)  # the pan keeps all that passes its top size
    return bad


def _section_span(lines: list[str], header: str) -> tuple[int, int] | None:
    start = next(
        (i for i, ln in enumerate(lines) if ln.strip().split("#")[0].strip() == header), None
    )
    if start is None:
        return None
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")), len(lines)
    )
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return start, end


def case_text_with_fit(
    text: str, case_file: str, unit: str, species: str | None, model: FitModel,
    result: FitResult, test_file: str,
) -> str:  # fmt: skip
    """The case text with the fitted values written into the unit's sections.

    Each fitted value replaces the key's line (or is added at the end of its section) with
    a comment naming the test file, the fit's RMSE and n. The model's constants (the rate
    law, the reference conditions the fitted values hold at) and the values computed from
    the data are written with a comment saying so, not "fitted"; its defaults
    (``case_defaults``: references the fit does not depend on) only where the section
    lacks the key, so a case's own reference is kept.
    """
    lines = text.splitlines()
    problems: list[Problem] = []
    about = f"oreflow fit to {Path(test_file).name} (model {model.name}"
    note = f"# fitted by {about}, RMSE {result.rmse:.3g}, n {result.n})"
    set_note = f"# set by {about}: the fitted values hold at it)"
    derived_note = f"# computed from the data by {about})"
    default_note = f"# reference of {about}; not fitted, the fit does not depend on it)"
    targets = [(key, result.values[name], note, True) for name, key in model.case_keys.items()
               if name not in result.held]  # fmt: skip
    targets += [(k, v, set_note, True) for k, v in model.case_constants.items()]
    targets += [(k, v, derived_note, True) for k, v in result.derived.items()]
    targets += [(k, v, default_note, False) for k, v in model.case_defaults.items()]
    for key, value, comment, replace in targets:
        name = key.rsplit(".", 1)[-1]
        if "{species}" in key:
            if species is None:
                problems.append(Problem(case_file, f"units.{unit}", f"{name} belongs to a leach "
                                        "species: give --species"))  # fmt: skip
                continue
            key = key.format(species=species)
        *sub, leaf = key.split(".")
        header = "[" + ".".join(["units", unit, *sub]) + "]"
        span = _section_span(lines, header)
        if span is None:
            problems.append(Problem(case_file, header.strip("[]"), "no such section in the case"))
            continue
        start, end = span
        shown = f'"{value}"' if isinstance(value, str) else f"{value:.6g}"
        new = f"{leaf} = {shown}  {comment}"
        pattern = re.compile(rf"^\s*{re.escape(leaf)}\s*=")
        hit = next((i for i in range(start + 1, end) if pattern.match(lines[i])), None)
        if hit is None:
            lines.insert(end, new)
        elif replace:
            lines[hit] = new
    if problems:
        raise CaseError(problems)
    return "\n".join(lines) + "\n"


def write_case(
    case_path: str | Path, unit: str, species: str | None, model: FitModel, result: FitResult,
    test_file: str,
) -> None:  # fmt: skip
    """Write the fitted values into ``case_path``; the case is checked before it is replaced."""
    from oreflow.flowsheet.case import parse_case

    path = Path(case_path)
    file = str(path)
    if not path.is_file():
        raise CaseError([Problem(file, "", "no such case file")])
    text = case_text_with_fit(
        path.read_text(encoding="utf-8"), file, unit, species, model, result, test_file
    )
    parse_case(text, file)  # raises CaseError: nothing written
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

"""Survey files as tables of raw cells: CSV sections or Excel sheets, with row numbers.

Reading only: the cells are validated into measurements by ``survey.py``.
"""

from __future__ import annotations

import csv
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from oreflow.errors import Problem


@dataclass(frozen=True)
class Table:
    """Raw cells of one table, with the row numbers they came from."""

    sheet: str | None
    columns: tuple[str, ...]
    header_row: int
    rows: tuple[tuple[int, tuple[object, ...]], ...]
    row_word: str = "row"

    def where(self, row: int) -> str:
        """Locator of a row (``row 7`` or ``sheet measurements, row 7``)."""
        here = f"{self.row_word} {row}"
        return f"sheet {self.sheet}, {here}" if self.sheet else here

    def where_column(self, column: str) -> str:
        """Locator of a column."""
        return f"sheet {self.sheet}, column {column}" if self.sheet else f"column {column}"


def looks_utf16(path: Path) -> bool:
    """Whether the file starts with a UTF-16 byte-order mark."""
    with path.open("rb") as handle:
        return handle.read(2) in (b"\xff\xfe", b"\xfe\xff")


def read_csv_tables(path: Path) -> tuple[Table | None, Table | None]:
    """The ``[measurements]`` and ``[nodes]`` sections of a CSV file (None if absent)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        lines = list(enumerate(csv.reader(handle), start=1))
    sections: dict[str, list[tuple[int, list[str]]]] = {}
    current = "measurements"
    for number, cells in lines:
        first = cells[0].strip().lower() if cells else ""
        if first in ("[nodes]", "[measurements]") and not any(c.strip() for c in cells[1:]):
            current = first.strip("[]")
            sections[current] = []
            continue
        if first.startswith("#") or not any(c.strip() for c in cells):
            continue
        sections.setdefault(current, []).append((number, cells))

    def table(name: str) -> Table | None:
        body = sections.get(name)
        if not body:
            return None
        (header_row, header), *rows = body
        return Table(
            sheet=None,
            columns=tuple(c.strip().lower() for c in header),
            header_row=header_row,
            rows=tuple((n, tuple(cells)) for n, cells in rows),
        )

    return table("measurements"), table("nodes")


def read_xlsx_tables(path: Path) -> tuple[Table | None, Table | None]:
    """The ``measurements`` and ``nodes`` sheets of a workbook (None if absent)."""
    import openpyxl

    with warnings.catch_warnings():
        # openpyxl warns about styles and data validation it cannot read; the cell
        # values, which are all we use, are unaffected.
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        names = {name.strip().lower(): name for name in book.sheetnames}
        if "measurements" in names:
            measurement_sheet = names["measurements"]
        elif len(book.sheetnames) == 1:
            measurement_sheet = book.sheetnames[0]
        else:
            return None, None

        def table(sheet: str) -> Table | None:
            rows = [
                (i, tuple(r))
                for i, r in enumerate(book[sheet].iter_rows(values_only=True), start=1)
                if any(c is not None and str(c).strip() for c in r)
            ]
            if not rows:
                return None
            (header_row, header), *body = rows
            return Table(
                sheet=sheet,
                columns=tuple(str(c or "").strip().lower() for c in header),
                header_row=header_row,
                rows=tuple(body),
            )

        nodes = table(names["nodes"]) if "nodes" in names else None
        return table(measurement_sheet), nodes
    finally:
        book.close()


def cell_text(cell: object) -> str:
    """A cell as stripped text; blank (None or NaN) is empty."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        # pandas writes missing cells as NaN: they are blank, not "nan".
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def cell_number(cell: object) -> float | None:
    """Float value of a cell; None when blank; raises ValueError when not a number."""
    if cell is None:
        return None
    if isinstance(cell, bool):
        msg = "not a number"
        raise ValueError(msg)
    if isinstance(cell, int | float):
        # A NaN cell (pandas' missing value) is blank; a "nan" string is an error below.
        return None if math.isnan(cell) else float(cell)
    text = str(cell).strip()
    if not text:
        return None
    return float(text)


def check_columns(
    file: str, table: Table, known: Sequence[str], required: Sequence[str]
) -> list[Problem]:
    """Unknown, repeated and missing columns of a table."""
    problems = [
        Problem(
            file,
            table.where_column(c or "(blank)"),
            f"unknown column {c!r}; expected some of: {', '.join(known)}",
        )
        for c in table.columns
        if c and c not in known
    ]
    problems += [
        Problem(file, table.where_column(c), f"column {c!r} appears more than once")
        for c in sorted({c for c in table.columns if c and table.columns.count(c) > 1})
    ]
    problems += [
        Problem(file, table.where_column(c), "required column is missing")
        for c in required
        if c not in table.columns
    ]
    return problems


def row_cells(table: Table, cells: tuple[object, ...]) -> dict[str, object]:
    """A row's cells by column name."""
    values = dict(zip(table.columns, cells, strict=False))
    return {c: values.get(c) for c in table.columns}

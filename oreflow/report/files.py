"""Writing result files: one atomic writer, one JSON sanitiser, one Excel writer.

``write_all`` writes a set of files into an output folder under its lock, each under a
temporary name renamed into place when all are complete (``oreflow.core.files``), so a
failed or interrupted run leaves no half-written output and files get the umask's modes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from oreflow.core.files import OutputFolder, locked, write_files

__all__ = ["OutputFolder", "clean", "records", "write_all", "write_excel"]


def clean(value: Any) -> Any:
    """JSON-safe value: NaN and infinities become null, numpy scalars plain Python."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows (index included) as JSON-safe dicts."""
    return [clean(r) for r in frame.reset_index().to_dict(orient="records")]


def write_excel(sheets: dict[str, pd.DataFrame], path: Path) -> None:
    """One workbook, one sheet per frame (openpyxl)."""
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for sheet, frame in sheets.items():
            frame.to_excel(xl, sheet_name=sheet)


def write_all(
    out_dir: str | Path | OutputFolder, writers: dict[str, Callable[[Path], None]]
) -> list[Path]:
    """Write each file to a temporary name, then rename all into place (under the lock).

    ``out_dir`` may be an ``OutputFolder`` the caller already holds (checked and locked
    before computing); a path is checked and locked here.
    """
    with locked(out_dir) as folder:
        return write_files(folder, writers)

"""A matplotlib figure for the reports that draw plots (study, tornado, fit).

Matplotlib's object API only (``Figure`` on the Agg canvas; no ``pyplot``, no global
figure state), imported when a figure is made, never at import of the report.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any


def new_figure(width: float = 7.0, height: float = 4.5) -> Any:
    """A matplotlib Figure on the Agg canvas, ``width`` x ``height`` inches."""
    if "MPLCONFIGDIR" not in os.environ:
        home_cache = Path.home() / ".cache"
        if not os.access(home_cache if home_cache.exists() else Path.home(), os.W_OK):
            # read-only home: matplotlib would fail to write its font cache
            os.environ["MPLCONFIGDIR"] = tempfile.mkdtemp(prefix="oreflow-mpl-")
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")

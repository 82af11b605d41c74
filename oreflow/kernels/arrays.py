"""Array helpers shared by kernels, units and solvers."""

from __future__ import annotations

import numpy as np


def safe_div(
    num: np.ndarray | float,
    den: np.ndarray | float,
    fill: float = 0.0,
    where: np.ndarray | bool | None = None,
) -> np.ndarray:
    """``num / den`` where ``where`` holds (default: ``den > 0``), ``fill`` elsewhere.

    The result is a new float64 array of the broadcast shape of ``num``, ``den`` and
    ``where``; no division is made where the mask is false, so an empty stream gives
    ``fill`` without a warning.

    Examples
    --------
    >>> safe_div(np.array([1.0, 2.0]), np.array([4.0, 0.0]))
    array([0.25, 0.  ])
    >>> safe_div(1.0, np.array([0.0, 2.0]), fill=np.nan)
    array([nan, 0.5])
    """
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    mask = den > 0 if where is None else np.asarray(where)
    out = np.full(np.broadcast_shapes(num.shape, den.shape, mask.shape), fill, dtype=np.float64)
    return np.divide(num, den, out=out, where=mask)

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
    shape = num.shape
    if not shape == den.shape == mask.shape:  # broadcast_shapes alone took half the call
        shape = np.broadcast_shapes(shape, den.shape, mask.shape)
    out = np.empty(shape)
    out.fill(fill)
    return np.divide(num, den, out=out, where=mask)


def read_only(a: np.ndarray) -> np.ndarray:
    """A read-only view of ``a`` (no copy), for a kernel argument that the kernel only reads.

    Numba types a read-only and a writable array as two types and compiles a kernel once
    for each: ``np.broadcast_to`` gives read-only views, so an input that is per case in
    one call and broadcast from a scalar in another would compile twice. Call sites that
    pass every input through here compile one specialisation.

    Examples
    --------
    >>> v = read_only(np.zeros(2))
    >>> v.flags.writeable, v.base is not None
    (False, True)
    """
    view = a.view()
    view.flags.writeable = False
    return view


def unique_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of a 2-D array and, per row, the index of its distinct row.

    As ``np.unique(rows, axis=0, return_inverse=True)`` (sorted rows, flat inverse),
    without its sort where every row holds the same bits as the first: a batch whose
    cases share one setting, the usual case, costs one comparison. A row holding NaN
    takes the sort, as ``np.unique`` keeps each such row apart (NaN equals nothing),
    identical rows included.

    Examples
    --------
    >>> unique_rows(np.array([[1.0, 2.0], [1.0, 2.0]]))
    (array([[1., 2.]]), array([0, 0]))
    >>> unique_rows(np.array([[3.0], [1.0], [3.0]]))
    (array([[1.],
           [3.]]), array([1, 0, 1]))
    """
    rows = np.asarray(rows)
    bits = np.ascontiguousarray(rows).view(np.uint8).reshape(rows.shape[0], rows[:1].nbytes)
    nan_free = rows.dtype.kind not in "fc" or not np.isnan(rows[:1]).any()
    if rows.shape[0] and nan_free and np.all(bits == bits[:1]):
        return rows[:1].copy(), np.zeros(rows.shape[0], dtype=np.intp)
    distinct, inverse = np.unique(rows, axis=0, return_inverse=True)
    return distinct, inverse.reshape(-1)

"""Study scenarios: sampling (grids x Monte Carlo) and the check of every draw.

Grid variables form a full factorial; every grid point gets the same ``n_samples``
Monte Carlo draws (common random numbers, so grid points differ only by the grid).
Monte Carlo variables are drawn by a **Gaussian copula**: independent standard normals
``e`` from ``numpy.random.default_rng(seed)`` (PCG64), correlated as ``z = e @ L.T`` with
``L`` the Cholesky factor of the study's correlation matrix, turned into uniforms
``u = Phi(z)`` and into values by each marginal's inverse CDF:

- ``normal(mean, sd)``: ``mean + sd * z``;
- ``lognormal(mean, sd)`` (arithmetic mean and sd of the variable):
  ``exp(mu + s z)`` with ``s^2 = ln(1 + (sd/mean)^2)``, ``mu = ln(mean) - s^2 / 2``;
- ``triangular(min, mode, max)`` and ``uniform(min, max)``: closed-form inverse CDFs;
- ``empirical`` (a CSV column, e.g. block-model grades): the inverse empirical CDF,
  ``sorted(x)[floor(u n)]`` (a bootstrap that keeps the correlation).

The correlation matrix is that of the normal scores ``z``; the rank (Spearman) correlation
of the values is ``(6/pi) asin(rho/2)``, within 0.02 of ``rho``. Optional ``clip_min`` /
``clip_max`` clip the values (for physical bounds such as fractions).

Every draw is checked against the cases' rules before the first scenario runs
(``oreflow.solvers.study_screen``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator

import numpy as np
import pandas as pd

from oreflow.flowsheet.study import StudySpec, Variable


def _phi(z: np.ndarray) -> np.ndarray:
    """Standard normal CDF (no scipy)."""
    erfc = np.frompyfunc(math.erfc, 1, 1)
    return 0.5 * erfc(-np.asarray(z, dtype=float) / math.sqrt(2.0)).astype(float)


def _inverse_cdf(var: Variable, z: np.ndarray) -> np.ndarray:
    p = var.params
    if var.dist == "normal":
        x = p["mean"] + p["sd"] * z
    elif var.dist == "lognormal":
        s2 = math.log1p((p["sd"] / p["mean"]) ** 2)
        x = np.exp(math.log(p["mean"]) - s2 / 2.0 + math.sqrt(s2) * z)
    else:
        u = np.clip(_phi(z), 0.0, np.nextafter(1.0, 0.0))
        if var.dist == "uniform":
            x = p["min"] + u * (p["max"] - p["min"])
        elif var.dist == "triangular":
            a, c, b = p["min"], p["mode"], p["max"]
            fc = (c - a) / (b - a)
            x = np.where(
                u < fc,
                a + np.sqrt(u * (b - a) * (c - a)),
                b - np.sqrt((1.0 - u) * (b - a) * (b - c)),
            )
        else:  # empirical: inverse empirical CDF
            data = np.sort(np.asarray(var.values))
            x = data[np.minimum((u * data.size).astype(np.int64), data.size - 1)]
    return np.clip(x, *var.clip)


def draw(spec: StudySpec, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """``n`` correlated draws of every Monte Carlo variable."""
    randoms = [v for v in spec.variables if not v.is_grid]
    e = rng.standard_normal((n, len(randoms)))
    if spec.correlation is not None:
        e = e @ np.linalg.cholesky(spec.correlation).T
    return {v.name: _inverse_cdf(v, e[:, j]) for j, v in enumerate(randoms)}


def sample(spec: StudySpec) -> pd.DataFrame:
    """Scenario table: one row per scenario, one column per variable, index ``scenario``.

    Same seed, same table (numpy's PCG64 stream is stable across versions for
    ``standard_normal``). Columns ``grid_point`` and ``sample`` locate each row.
    """
    grids = [v for v in spec.variables if v.is_grid]
    randoms = [v for v in spec.variables if not v.is_grid]
    n_mc = spec.n_samples if randoms else 1
    points = list(itertools.product(*(v.values for v in grids))) or [()]
    drawn = draw(spec, np.random.default_rng(spec.seed), n_mc)
    n = len(points) * n_mc
    cols: dict[str, np.ndarray] = {
        "grid_point": np.repeat(np.arange(len(points)), n_mc),
        "sample": np.tile(np.arange(n_mc), len(points)),
    }
    for v in spec.variables:
        if v.is_grid:
            j = grids.index(v)
            cols[v.name] = np.repeat(np.array([pt[j] for pt in points], dtype=float), n_mc)
        else:
            cols[v.name] = np.tile(drawn[v.name], len(points))
    frame = pd.DataFrame(cols, index=pd.RangeIndex(n, name="scenario"))
    return frame


def iter_scenarios(spec: StudySpec, block: int) -> Iterator[pd.DataFrame]:
    """The scenario table of ``sample`` in consecutive blocks of ``block`` rows.

    The same rows, values and labels as ``sample(spec)`` (each grid point's draws come
    from the seed's stream, drawn in pieces: numpy's generators continue a stream where
    the last call stopped), but only one block is in memory at a time: what lets a study
    of millions of scenarios run in memory bounded by its chunk size.
    """
    grids = [v for v in spec.variables if v.is_grid]
    randoms = [v for v in spec.variables if not v.is_grid]
    n_mc = spec.n_samples if randoms else 1
    points = list(itertools.product(*(v.values for v in grids))) or [()]
    n = len(points) * n_mc
    rng, at = None, (-1, 0)  # the stream of the current grid point, and where it stands
    for lo in range(0, n, block):
        hi = min(lo + block, n)
        pieces = []
        start = lo
        while start < hi:
            gp, s0 = divmod(start, n_mc)
            if at[0] != gp:
                rng, at = np.random.default_rng(spec.seed), (gp, 0)
            assert at[1] == s0, "blocks are drawn in order"
            m = min(hi - start, n_mc - s0)
            drawn = draw(spec, rng, m) if randoms else {}
            at = (gp, s0 + m)
            cols: dict[str, np.ndarray] = {
                "grid_point": np.full(m, gp, dtype=np.int64),
                "sample": np.arange(s0, s0 + m, dtype=np.int64),
            }
            for v in spec.variables:
                if v.is_grid:
                    cols[v.name] = np.full(m, float(points[gp][grids.index(v)]))
                else:
                    cols[v.name] = drawn[v.name]
            index = pd.RangeIndex(start, start + m, name="scenario")
            pieces.append(pd.DataFrame(cols, index=index))
            start += m
        frame = pieces[0] if len(pieces) == 1 else pd.concat(pieces)
        frame.index = pd.RangeIndex(lo, hi, name="scenario")
        yield frame


def route_overrides(spec: StudySpec, route: str, scenarios: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per-case override arrays of one route (``ore.*``, ``units.*`` and ``economics.*`` keys).

    A key set by several variables gets the sum of their ``offset + scale * value``.
    """
    out: dict[str, np.ndarray] = {}
    for v in spec.variables:
        for m in v.maps.get(route, ()):
            value = m.offset + m.scale * scenarios[v.name].to_numpy(dtype=float)
            out[m.key] = out[m.key] + value if m.key in out else value  # contributions add
    return out

"""Studies: scenarios (grids x Monte Carlo), batched simulation of every route, chunked results.

Sampling
--------
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

Execution
---------
Scenarios are cut into chunks of ``chunk_cases``; a work item is one (route, chunk),
simulated in one batched call (``simulate_chunks``) and reduced to its KPIs. Items run on
every core by default: in this process and a local pool of one process per other core
(``workers`` sets the total, 1 runs them all here), or on a Dask cluster
(``scheduler``). Each finished item is written as one Parquet file, atomically
(temporary name, then ``os.replace``); ``resume`` skips the items already on disk, so an
interrupted study keeps what finished. Results do not depend on where an item ran.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import hashlib
import itertools
import json
import logging
import math
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from oreflow.errors import CaseError, Problem
from oreflow.flowsheet.study import StudySpec, Variable

logger = logging.getLogger(__name__)

MANIFEST = "study.json"
CHUNK_DIR = "chunks"


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


def sample(spec: StudySpec) -> pd.DataFrame:
    """Scenario table: one row per scenario, one column per variable, index ``scenario``.

    Same seed, same table (numpy's PCG64 stream is stable across versions for
    ``standard_normal``). Columns ``grid_point`` and ``sample`` locate each row.
    """
    grids = [v for v in spec.variables if v.is_grid]
    randoms = [v for v in spec.variables if not v.is_grid]
    n_mc = spec.n_samples if randoms else 1
    points = list(itertools.product(*(v.values for v in grids))) or [()]
    rng = np.random.default_rng(spec.seed)
    e = rng.standard_normal((n_mc, len(randoms)))
    if spec.correlation is not None:
        e = e @ np.linalg.cholesky(spec.correlation).T
    drawn = {v.name: _inverse_cdf(v, e[:, j]) for j, v in enumerate(randoms)}
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


def case_text(case: Any) -> str:
    """The text of a route's case file, checked against the hash it was validated with.

    Workers receive the text, not the path, so that a Dask cluster on other machines
    needs oreflow installed but not the case files.
    """
    try:
        text = Path(case.path).read_text(encoding="utf-8")
    except OSError as exc:
        msg = f"cannot read the case file to send it to the workers: {exc}"
        raise CaseError([Problem(case.path, "", msg)]) from None
    if hashlib.sha256(text.encode()).hexdigest() != case.sha256:
        msg = "case file changed since the study was loaded; load the study again"
        raise CaseError([Problem(case.path, "", msg)])
    return text


@functools.lru_cache(maxsize=16)
def _plant(text: str, file: str) -> Any:
    """Compiled plant of a case text, once per process and case."""
    from oreflow.flowsheet.case import parse_case
    from oreflow.flowsheet.compile import compile_case

    return compile_case(parse_case(text, file))


def _with_economics(sim: Any, econ: Mapping[str, np.ndarray]) -> None:
    """Give a simulated chunk per-case economics figures (prices are applied after the balance)."""
    if not econ:
        return
    spec = sim.plant.spec
    params = dict(spec.economics.params)
    params.update({k.removeprefix("economics."): v for k, v in econ.items()})
    economics = replace(spec.economics, params=params)
    sim.plant = replace(sim.plant, spec=replace(spec, economics=economics))


def simulate_figures(
    plant: Any,
    overrides: Mapping[str, np.ndarray],
    n_cases: int,
    metrics: tuple[str, ...] = (),
    *,
    file: str = "",
    missing_ok: bool = False,
    share_prefixes: bool = False,
) -> dict[str, np.ndarray]:
    """KPIs (and the unit metrics named ``units.UNIT.METRIC``) of ``n_cases`` batched cases.

    ``economics.*`` keys are prices (applied after the balance); the rest are
    simulation overrides. A unit metric the plant does not report is an error, or
    NaN with ``missing_ok`` (a route on which the unit is another option). With
    ``share_prefixes``, cases that agree upstream of a block share its simulation
    (``oreflow.solvers.prefix``: a scenario's mode combinations).
    """
    from oreflow.solvers.prefix import simulate_shared_chunks
    from oreflow.solvers.results import kpi_arrays
    from oreflow.solvers.simulate import simulate_chunks
    from oreflow.solvers.unit_figures import UnitFigures

    sim_over = {k: v for k, v in overrides.items() if not k.startswith("economics.")}
    econ = {k: v for k, v in overrides.items() if k.startswith("economics.")}
    parts = []
    run = simulate_shared_chunks if share_prefixes else simulate_chunks
    for lo, hi, chunk in run(plant, n_cases=n_cases, overrides=sim_over):
        _with_economics(chunk, {k: np.asarray(v)[lo:hi] for k, v in econ.items()})
        cols = kpi_arrays(chunk)
        figures = UnitFigures(chunk)
        for name in metrics:
            try:
                cols[name] = figures.get(name)
            except KeyError:
                if missing_ok:
                    cols[name] = np.full(hi - lo, np.nan)
                    continue
                msg = f"{name!r} is neither a KPI nor a unit metric of this case"
                raise CaseError([Problem(file, "constraints", msg)]) from None
        parts.append(cols)
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def evaluate(
    text: str,
    file: str,
    overrides: Mapping[str, np.ndarray],
    n_cases: int,
) -> dict[str, np.ndarray]:
    """KPIs of ``n_cases`` scenarios of one case, simulated in batched chunks.

    Top-level and picklable: what process-pool and Dask workers run. ``economics.*``
    keys are prices (applied after the balance); the rest are simulation overrides.
    """
    return simulate_figures(_plant(text, file), overrides, n_cases, file=file)


@dataclass(frozen=True)
class WorkItem:
    """One route over one chunk of scenarios: what a worker runs and one Parquet file holds."""

    route: str
    chunk: int
    lo: int
    hi: int

    @property
    def filename(self) -> str:
        """Chunk file, relative to the output folder."""
        return f"{CHUNK_DIR}/{self.route}/chunk_{self.chunk:06d}.parquet"


def work_items(spec: StudySpec) -> list[WorkItem]:
    """Every (route, chunk) of a study, chunk-major so that routes finish chunks together."""
    n, size = spec.n_scenarios, spec.chunk_cases
    return [
        WorkItem(route, k, lo, min(lo + size, n))
        for k, lo in enumerate(range(0, n, size))
        for route in spec.routes
    ]


def _run_item(
    text: str,
    file: str,
    item: WorkItem,
    scenarios: pd.DataFrame,
    overrides: Mapping[str, np.ndarray],
    mode: str = "simulate",
    selection: str = "enumerate",
) -> pd.DataFrame:
    """Rows of one work item: scenario variables + route + (plan +) KPIs."""
    if mode == "reoptimize":
        from oreflow.solvers.study_optimize import reoptimize_rows

        return reoptimize_rows(text, file, item.route, scenarios, overrides, selection)
    kpis = evaluate(text, file, overrides, item.hi - item.lo)
    frame = scenarios.reset_index()
    frame.insert(1, "route", item.route)
    return pd.concat([frame, pd.DataFrame(kpis)], axis=1)


def _write_parquet_atomic(frame: pd.DataFrame, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@dataclass
class StudyResult:
    """What a study produced.

    Attributes
    ----------
    spec : StudySpec
        The study.
    scenarios : pandas.DataFrame
        One row per scenario (index ``scenario``), one column per variable.
    results : pandas.DataFrame
        One row per scenario and route: ``scenario``, ``route``, the variables, the KPIs.
    out_dir : Path or None
        Where chunks (and ``results.parquet``) were written.
    meta : dict
        Timings, counts, where items ran.
    """

    spec: StudySpec
    scenarios: pd.DataFrame
    results: pd.DataFrame
    out_dir: Path | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def kpi(self, name: str) -> pd.DataFrame:
        """One KPI as a (scenario x route) table."""
        return self.results.pivot(index="scenario", columns="route", values=name)


def _manifest(spec: StudySpec, items: list[WorkItem]) -> dict[str, Any]:
    return {
        "study": spec.name,
        "study_sha256": spec.sha256,
        "n_scenarios": spec.n_scenarios,
        "chunk_cases": spec.chunk_cases,
        "routes": {r: {"case": c.path, "sha256": c.sha256} for r, c in spec.routes.items()},
        "n_items": len(items),
    }


def _prepare_out(spec: StudySpec, out: Path, items: list[WorkItem], resume: bool) -> set[str]:
    """Check or write the manifest; return the chunk files already done."""
    out.mkdir(parents=True, exist_ok=True)
    manifest = _manifest(spec, items)
    path = out / MANIFEST
    done: set[str] = set()
    if path.is_file():
        old = json.loads(path.read_text(encoding="utf-8"))
        if resume and old.get("study_sha256") != spec.sha256:
            msg = (
                "the study or one of its cases changed since this folder was written; "
                "resume needs the same study (or remove the folder)"
            )
            raise CaseError([Problem(str(path), "study_sha256", msg)])
        if resume:
            done = {it.filename for it in items if (out / it.filename).is_file()}
        else:
            for it in items:  # a fresh run: stale chunks must not leak into the results
                with contextlib.suppress(FileNotFoundError):
                    (out / it.filename).unlink()
    elif resume:
        logger.info("nothing to resume in %s: starting from the first chunk", out)
    fd, tmp = tempfile.mkstemp(prefix=".study.", suffix=".tmp", dir=out)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=2)
    os.replace(tmp, path)
    return done


#: Below this many evaluations the default runs in this process: starting the pool
#: (about 1 s the first time in a process) costs more than the second core saves
#: (measured: 512 scenarios of refractory_pox_cil 1.28 s with the pool, 0.49 s without;
#: even at about 2,000).
POOL_MIN_EVALUATIONS = 2048


def default_workers() -> int:
    """Processes of the local default: every core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity mask on this platform (macOS, Windows)
        return os.cpu_count() or 1


def _pool_context() -> Any:
    """Start method of the local pool: forkserver where the platform has it, else spawn.

    Workers fork from a server that imported oreflow and compiled its kernels once
    (``oreflow._study_worker``), so a pool starts in milliseconds after the first; a
    fork of this process instead could copy the caller's threads in the middle of their
    work, and spawn re-imports everything in every worker (about a second each).
    """
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["oreflow._study_worker"])
    return ctx


def _local_map(
    calls: list[tuple[WorkItem, tuple]], workers: int
) -> Iterator[tuple[WorkItem, pd.DataFrame]]:
    """Run the items here (``workers`` 1) or here and in a pool of ``workers - 1`` processes.

    This process is one of the workers: it runs items from the start, while the pool's
    processes start (the forkserver's first start takes about a second), and between
    its own items it hands over what the pool finished. A thread feeds the pool, one
    item ahead of each of its processes, so that starting them does not hold this
    process up.
    """
    pending = collections.deque(calls)
    if workers <= 1:
        while pending:
            item, args = pending.popleft()
            yield item, _run_item(*args)
        return
    import multiprocessing

    if getattr(multiprocessing.current_process(), "_inheriting", False):
        # a pool process importing a script that runs the study at its top level (the
        # check multiprocessing itself makes): stop at once; the caller runs it alone
        raise RuntimeError(MAIN_GUARD_MSG)
    done_items: set[WorkItem] = set()
    try:
        for item, frame in _pool_map(pending, len(calls), workers):
            done_items.add(item)
            yield item, frame
    except BrokenProcessPool:
        logger.warning("%s; running the rest of the study in this process", MAIN_GUARD_MSG)
        for item, args in calls:
            if item not in done_items:
                yield item, _run_item(*args)


#: Why a pool could not start, in the user's terms.
MAIN_GUARD_MSG = (
    "the study's worker processes could not start: a script that runs a study on "
    'several cores must do so under `if __name__ == "__main__":` (as any Python '
    "process pool needs), or pass workers=1"
)


def _pool_map(
    pending: collections.deque, n_calls: int, workers: int
) -> Iterator[tuple[WorkItem, pd.DataFrame]]:
    """The items run here and in a pool of ``workers - 1`` processes (see ``_local_map``)."""
    import queue
    import threading
    from concurrent.futures import Future, ProcessPoolExecutor

    lock = threading.Lock()
    stop = threading.Event()
    room = threading.Semaphore(2 * (workers - 1))  # items queued or running in the pool
    finished: queue.Queue[tuple[WorkItem | None, Future | BaseException]] = queue.Queue()
    submitted: list[Future] = []

    def feed(pool: ProcessPoolExecutor) -> None:
        try:
            while not stop.is_set():
                if not room.acquire(timeout=0.1):
                    continue
                with lock:
                    if not pending:
                        return
                    item, args = pending.popleft()
                fut = pool.submit(_run_item, *args)
                submitted.append(fut)
                fut.add_done_callback(lambda f, it=item: (finished.put((it, f)), room.release()))
        except BaseException as exc:  # a pool that cannot start: raised in this process
            finished.put((None, exc))

    with ProcessPoolExecutor(max_workers=workers - 1, mp_context=_pool_context()) as pool:
        feeder = threading.Thread(target=feed, args=(pool,), name="oreflow-study-feed")
        feeder.start()
        try:
            for _ in range(n_calls):
                try:
                    item, done = finished.get_nowait()
                except queue.Empty:
                    with lock:
                        mine = pending.popleft() if pending else None
                    if mine is not None:
                        yield mine[0], _run_item(*mine[1])
                        continue
                    item, done = finished.get()
                if isinstance(done, BaseException):
                    raise done
                yield item, done.result()
        finally:
            stop.set()
            feeder.join()
            for fut in submitted:
                fut.cancel()


def _dask_map(
    calls: list[tuple[WorkItem, tuple]], scheduler: Any
) -> Iterator[tuple[WorkItem, pd.DataFrame]]:
    try:
        from dask.distributed import Client, as_completed
    except ImportError as exc:
        msg = "Dask distributed is not installed: pip install 'oreflow[study]'"
        raise CaseError([Problem("--scheduler", "", msg)]) from exc
    own = not isinstance(scheduler, Client)
    client = Client(scheduler) if own else scheduler
    try:
        futures = {}
        for item, args in calls:
            fut = client.submit(
                _run_item, *args, pure=False, key=f"oreflow-{item.route}-{item.chunk}"
            )
            futures[fut] = item
        try:
            for fut in as_completed(list(futures)):
                yield futures[fut], fut.result()
        finally:
            client.cancel(list(futures))
    finally:
        if own:
            client.close()


def run_study(
    spec: StudySpec,
    *,
    out_dir: str | Path | None = None,
    workers: int | None = None,
    scheduler: Any = None,
    resume: bool = False,
    progress: Callable[[int, int], None] | None = None,
    on_chunk: Callable[[WorkItem], None] | None = None,
) -> StudyResult:
    """Run a study: every route over every scenario.

    Mode ``simulate`` simulates each route as written; ``reoptimize`` chooses each
    route's modes and ore rate per scenario (``oreflow.solvers.study_optimize``);
    ``robust`` chooses one mode combination per route for every scenario (a scenario
    MILP; runs in this process, writes ``results.parquet`` only).

    Parameters
    ----------
    spec : StudySpec
        The study.
    out_dir : str or Path, optional
        Folder for ``study.json``, the chunk files and ``results.parquet``; without it
        nothing is written (and ``resume`` is not possible).
    workers : int, optional
        Processes running the items: this one and ``workers - 1`` in a local pool; 1
        runs them all here. By default every core (``default_workers``); never more
        processes than work items.
    scheduler : str or dask.distributed.Client, optional
        Dask scheduler address (``tcp://host:8786``) or a client; overrides ``workers``.
    resume : bool
        Keep the chunk files already in ``out_dir`` and run the rest.
    progress : callable(done, total), optional
        Called after every finished work item.
    on_chunk : callable(WorkItem), optional
        Called after each work item is stored (tests use it to interrupt a study).

    Returns
    -------
    StudyResult
        Scenarios and the results table (sorted by scenario, then route order).
    """
    t0 = time.perf_counter()
    if spec.mode == "robust":
        from oreflow.solvers.study_optimize import run_robust

        if resume:
            msg = "mode 'robust' solves one MILP over every scenario: it has no chunks to resume"
            raise CaseError([Problem(spec.path, "study.mode", msg)])
        if (workers is not None and workers > 1) or scheduler is not None:
            logger.info("mode 'robust' runs in this process (its MILP couples the scenarios)")
        return run_robust(spec, out_dir=out_dir, progress=progress)
    scenarios = sample(spec)
    items = work_items(spec)
    out = Path(out_dir) if out_dir is not None else None
    if resume and out is None:
        raise CaseError([Problem(spec.path, "", "resume needs an output folder (--out DIR)")])
    done = _prepare_out(spec, out, items, resume) if out is not None else set()
    overrides = {r: route_overrides(spec, r, scenarios) for r in spec.routes}
    texts = {r: case_text(c) for r, c in spec.routes.items()}
    calls = []
    for item in items:
        if item.filename in done:
            continue
        case = spec.routes[item.route]
        over = {k: v[item.lo : item.hi] for k, v in overrides[item.route].items()}
        args = (
            texts[item.route],
            case.path,
            item,
            scenarios.iloc[item.lo : item.hi],
            over,
            spec.mode,
            spec.selection,
        )
        calls.append((item, args))
    frames: dict[WorkItem, pd.DataFrame] = {}
    if out is not None:
        for item in items:
            if item.filename in done:
                frames[item] = pd.read_parquet(out / item.filename)
    n_done = len(frames)
    if progress is not None:
        progress(n_done, len(items))
    evaluations = sum(it.hi - it.lo for it, _ in calls)
    if workers is None:  # the default: every core, unless the study is too small to pay
        workers = default_workers() if evaluations >= POOL_MIN_EVALUATIONS else 1
    n_workers = max(1, min(workers, len(calls)))
    runner = _dask_map(calls, scheduler) if scheduler is not None else _local_map(calls, n_workers)
    try:
        for item, frame in runner:
            if out is not None:
                _write_parquet_atomic(frame, out / item.filename)
            frames[item] = frame
            n_done += 1
            if progress is not None:
                progress(n_done, len(items))
            if on_chunk is not None:
                on_chunk(item)
    finally:
        with contextlib.suppress(Exception):
            runner.close()  # type: ignore[attr-defined]
    order = {r: i for i, r in enumerate(spec.routes)}
    results = pd.concat(
        [frames[it] for it in sorted(frames, key=lambda it: (it.lo, order[it.route]))],
        ignore_index=True,
    )
    seconds = time.perf_counter() - t0
    meta = {
        "seconds": seconds,
        "n_scenarios": spec.n_scenarios,
        "n_routes": len(spec.routes),
        "evaluations": spec.n_scenarios * len(spec.routes),
        "evaluations_run": sum(it.hi - it.lo for it, _ in calls),
        "chunks_resumed": len(done),
        "executor": "dask" if scheduler is not None else f"local x{n_workers}",
        "study_sha256": spec.sha256,
    }
    if out is not None:
        _write_parquet_atomic(results, out / "results.parquet")
    return StudyResult(spec, scenarios, results, out, meta)

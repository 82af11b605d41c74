"""Studies: scenarios (grids x Monte Carlo), batched simulation of every route, chunked results.

Scenarios come from ``oreflow.solvers.study_sampling`` (grids x Monte Carlo), every draw
checked by the cases' rules in ``oreflow.solvers.study_screen``; KPIs from
``oreflow.solvers.study_eval``, and the output folder (manifest, chunks, resume, lock)
is ``oreflow.solvers.study_io``.

Execution
---------
Scenarios are cut into chunks of ``chunk_cases``; a work item is one (route, chunk),
simulated in one batched call (``simulate_chunks``) and reduced to its KPIs. Items run on
every core by default: in this process and a local pool of one process per other core
(``workers`` sets the total, 1 runs them all here), or on a Dask cluster
(``scheduler``). Each finished item is written as one Parquet file, atomically
(temporary name, then ``os.replace``); ``resume`` skips the items already on disk, so an
interrupted study keeps what finished. Results do not depend on where an item ran.

Memory
------
Scenarios are drawn, checked and sent to the workers chunk by chunk, and a finished
chunk is written and dropped, so memory follows the chunk size, not the number of
samples. The results returned in memory (``StudyResult.results``, what the report's
statistics read) hold every scenario up to ``IN_MEMORY_MAX_SCENARIOS``; a larger study
needs an output folder, keeps every ``stride``-th scenario in memory (a systematic
subsample of independent draws: the statistics of the report are those of a Monte
Carlo sample of that size) and writes the full ``results.parquet`` from its chunks.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from oreflow.core.files import OutputFolder
from oreflow.errors import CaseError, Problem
from oreflow.flowsheet.study import StudySpec
from oreflow.solvers.study_eval import (
    StudyResult,
    check_closed,
    check_compare_kpi,
    evaluate,
    simulate_figures,
)
from oreflow.solvers.study_io import (
    CHUNK_DIR,
    MANIFEST,
    RESULTS,
    case_text,
    concat_chunks,
    prepare_folder,
    read_chunk,
    require_pyarrow,
    write_parquet,
)
from oreflow.solvers.study_sampling import route_overrides, sample
from oreflow.solvers.study_screen import Screen, iter_screened, screen, screened_sample

__all__ = [
    "MANIFEST",
    "StudyResult",
    "WorkItem",
    "case_text",
    "evaluate",
    "route_overrides",
    "run_study",
    "sample",
    "simulate_figures",
    "work_items",
]

logger = logging.getLogger(__name__)

#: Seconds to wait for a Dask scheduler before giving up with one line.
SCHEDULER_TIMEOUT_S = 5.0


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


def work_items(spec: StudySpec, n_scenarios: int | None = None) -> list[WorkItem]:
    """Every (route, chunk) of a study, chunk-major so that routes finish chunks together.

    Chunks are ranges of scenario labels (``lo`` to ``hi``); scenarios rejected as out
    of range leave their chunk smaller. ``n_scenarios``: the study's by default.
    """
    n = spec.n_scenarios if n_scenarios is None else n_scenarios
    size = spec.chunk_cases
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
    kpis = evaluate(text, file, overrides, len(scenarios))
    frame = scenarios.reset_index()
    frame.insert(1, "route", item.route)
    return pd.concat([frame, kpi_frame(kpis, len(scenarios))], axis=1)


def kpi_frame(kpis: Mapping[str, np.ndarray], n: int) -> pd.DataFrame:
    """The KPI columns of a work item as one frame, its float columns in one 2-D block.

    Written into one (columns, rows) array, which pandas keeps as its block, instead of
    one array per column that it checks and copies into that block: about half of the
    time a 256-scenario item spent building its 190-column frame [measured]. The same
    frame (``DataFrame.equals``) as ``pandas.DataFrame(kpis)``.
    """
    if not kpis or not all(np.asarray(v).dtype == np.float64 for v in kpis.values()):
        return pd.DataFrame(kpis)
    block = np.empty((len(kpis), n))
    for row, values in zip(block, kpis.values(), strict=True):
        row[:] = values
    return pd.DataFrame(block.T, columns=list(kpis), copy=False)


def _run_owned_item(*args: Any) -> pd.DataFrame:
    """``_run_item`` in a Dask worker, which keeps freed memory for reuse from then on.

    (``oreflow.solvers.heap``: about a fifth less CPU.) The process running the study
    is left as it is, unless it is the ``oreflow`` command (``oreflow.cli.main``).
    """
    from oreflow.solvers.heap import keep_freed_memory

    keep_freed_memory()
    return _run_item(*args)


def _init_worker(pid: int) -> None:
    """Pool initializer: watch the study's process, and keep freed memory for reuse."""
    from oreflow.solvers.heap import keep_freed_memory

    keep_freed_memory()
    watch_parent(pid)


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


class _Feed:
    """The work items still to run, drawn one at a time (from any thread) as runners free up.

    Items are made lazily (a chunk's scenarios are drawn when its first item is taken),
    so only the items in flight are in memory; ``inflight`` keeps those taken and not yet
    finished, for a rerun if the pool breaks.
    """

    def __init__(self, calls: Iterator[tuple[WorkItem, tuple]], n: int) -> None:
        import threading

        self._calls = calls
        self._lock = threading.Lock()
        self.n = n
        self.inflight: dict[WorkItem, tuple] = {}

    def take(self) -> tuple[WorkItem, tuple] | None:
        with self._lock:
            call = next(self._calls, None)
            if call is not None:
                self.inflight[call[0]] = call[1]
            return call

    def done(self, item: WorkItem) -> None:
        with self._lock:
            self.inflight.pop(item, None)


def _local_map(feed: _Feed, workers: int) -> Iterator[tuple[WorkItem, pd.DataFrame]]:
    """Run the items here (``workers`` 1) or here and in a pool of ``workers - 1`` processes.

    This process is one of the workers: it runs items from the start, while the pool's
    processes start (the forkserver's first start takes about a second), and between
    its own items it hands over what the pool finished. A thread feeds the pool, one
    item ahead of each of its processes, so that starting them does not hold this
    process up.
    """
    if workers <= 1:
        while (call := feed.take()) is not None:
            item, args = call
            frame = _run_item(*args)
            feed.done(item)
            yield item, frame
        return
    import multiprocessing

    if getattr(multiprocessing.current_process(), "_inheriting", False):
        # a pool process importing a script that runs the study at its top level (the
        # check multiprocessing itself makes): stop at once; the caller runs it alone
        raise RuntimeError(MAIN_GUARD_MSG)
    try:
        yield from _pool_map(feed, workers)
    except BrokenProcessPool:
        logger.warning("%s; running the rest of the study in this process", MAIN_GUARD_MSG)
        for item, args in list(feed.inflight.items()):
            frame = _run_item(*args)
            feed.done(item)
            yield item, frame
        yield from _local_map(feed, 1)


#: Seconds between a pool worker's checks that the study's main process still lives.
PARENT_POLL_S = 0.5


def watch_parent(pid: int) -> None:
    """Pool initializer: end this worker as soon as the process running the study is gone.

    A main process killed by any signal (SIGKILL included, which it cannot handle)
    would otherwise leave its workers, forked from the forkserver, waiting for work
    forever. A daemon thread polls the main process (``os.kill(pid, 0)``).
    """
    import threading

    def gone() -> bool:
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):  # dead, or the pid reused by another user
            return True
        try:  # killed but not yet reaped by its own parent: a zombie
            with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
                return fh.read().rpartition(")")[2].split()[0] in ("Z", "X")
        except OSError:
            return False

    def watch() -> None:
        while not gone():
            time.sleep(PARENT_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, name="oreflow-watch-parent", daemon=True).start()


#: Why a pool could not start, in the user's terms.
MAIN_GUARD_MSG = (
    "the study's worker processes could not start: a script that runs a study on "
    'several cores must do so under `if __name__ == "__main__":` (as any Python '
    "process pool needs), or pass workers=1"
)


def _pool_map(feed: _Feed, workers: int) -> Iterator[tuple[WorkItem, pd.DataFrame]]:
    """The items run here and in a pool of ``workers - 1`` processes (see ``_local_map``)."""
    import queue
    import threading
    from concurrent.futures import Future, ProcessPoolExecutor

    stop = threading.Event()
    room = threading.Semaphore(2 * (workers - 1))  # items queued or running in the pool
    finished: queue.Queue[tuple[WorkItem | None, Future | BaseException]] = queue.Queue()
    submitted: list[Future] = []
    fed_all = threading.Event()

    def feed_pool(pool: ProcessPoolExecutor) -> None:
        try:
            while not stop.is_set():
                if not room.acquire(timeout=0.1):
                    continue
                call = feed.take()
                if call is None:
                    fed_all.set()
                    return
                item, args = call
                fut = pool.submit(_run_item, *args)
                submitted.append(fut)
                fut.add_done_callback(lambda f, it=item: (finished.put((it, f)), room.release()))
        except BaseException as exc:  # a pool that cannot start: raised in this process
            finished.put((None, exc))

    with ProcessPoolExecutor(
        max_workers=workers - 1,
        mp_context=_pool_context(),
        initializer=_init_worker,
        initargs=(os.getpid(),),
    ) as pool:
        feeder = threading.Thread(target=feed_pool, args=(pool,), name="oreflow-study-feed")
        feeder.start()
        try:
            for _ in range(feed.n):
                try:
                    item, done = finished.get_nowait()
                except queue.Empty:
                    mine = None if fed_all.is_set() else feed.take()
                    if mine is not None:
                        frame = _run_item(*mine[1])
                        feed.done(mine[0])
                        yield mine[0], frame
                        continue
                    item, done = finished.get()
                if isinstance(done, BaseException):
                    raise done
                frame = done.result()
                feed.done(item)  # type: ignore[arg-type]
                yield item, frame  # type: ignore[misc]
        finally:
            stop.set()
            feeder.join()
            for fut in submitted:
                fut.cancel()


def _client(scheduler: Any) -> Any:
    """A Dask client: the caller's, or one connected to an address within a few seconds."""
    try:
        from dask.distributed import Client
    except ImportError:
        msg = "Dask distributed is not installed: pip install 'oreflow[study]'"
        raise CaseError([Problem("--scheduler", "", msg)]) from None
    if isinstance(scheduler, Client):
        return scheduler
    try:
        return Client(scheduler, timeout=SCHEDULER_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as exc:
        msg = (
            f"cannot reach the Dask scheduler {scheduler!r} within {SCHEDULER_TIMEOUT_S:g} s "
            f"({type(exc).__name__}); check the address, or run without --scheduler"
        )
        raise CaseError([Problem("--scheduler", "", msg)]) from None


#: Work items submitted to a Dask cluster ahead of those finished, per worker thread:
#: enough to keep every thread busy, few enough that scenarios are drawn as they are run.
DASK_AHEAD_PER_THREAD = 2


def _dask_map(feed: _Feed, client: Any) -> Iterator[tuple[WorkItem, pd.DataFrame]]:
    from dask.distributed import as_completed

    threads = max(1, sum(client.nthreads().values()))
    futures: dict[Any, WorkItem] = {}
    running = as_completed()

    def submit() -> bool:
        call = feed.take()
        if call is None:
            return False
        item, args = call
        fut = client.submit(
            _run_owned_item, *args, pure=False, key=f"oreflow-{item.route}-{item.chunk}"
        )
        futures[fut] = item
        running.add(fut)
        return True

    try:
        for _ in range(DASK_AHEAD_PER_THREAD * threads):
            if not submit():
                break
        for fut in running:
            item = futures.pop(fut)
            frame = fut.result()
            feed.done(item)
            submit()
            yield item, frame
    finally:
        client.cancel(list(futures))


def check_run_options(
    spec: StudySpec, *, workers: int | None, out_dir: Any, resume: bool, overwrite: bool
) -> None:
    """Options that cannot work, refused before anything is computed."""
    if workers is not None and workers < 1:
        msg = f"must be at least 1 (got {workers}); 1 runs the study in this process"
        raise CaseError([Problem("--workers", "", msg)])
    if resume and out_dir is None:
        raise CaseError([Problem(spec.path, "", "resume needs an output folder (--out DIR)")])
    if resume and overwrite:
        msg = "--resume keeps the folder's chunks, --overwrite removes them: choose one"
        raise CaseError([Problem(spec.path, "", msg)])
    if out_dir is not None:
        require_pyarrow(str(out_dir))


def run_study(
    spec: StudySpec,
    *,
    out_dir: str | Path | OutputFolder | None = None,
    workers: int | None = None,
    scheduler: Any = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
    on_chunk: Callable[[WorkItem], None] | None = None,
    report_files: tuple[str, ...] = (),
) -> StudyResult:
    """Run a study: every route over every scenario.

    Mode ``simulate`` simulates each route as written; ``reoptimize`` chooses each
    route's modes and ore rate per scenario (``oreflow.solvers.study_optimize``);
    ``robust`` chooses one mode combination per route for every scenario (a scenario
    MILP; runs in this process, writes ``results.parquet`` only).

    Everything is checked before the first scenario: the options, the output folder
    (``study_io.prepare_folder``: locked, not another study's), every draw of every
    route (``study_sampling.screened_sample``).

    Parameters
    ----------
    spec : StudySpec
        The study.
    out_dir : str, Path or OutputFolder, optional
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
    overwrite : bool
        Replace another study's results in ``out_dir``.
    progress : callable(done, total), optional
        Called after every finished work item.
    on_chunk : callable(WorkItem), optional
        Called after each work item is stored (tests use it to interrupt a study).
    report_files : tuple of str
        Files a report writes into the folder (not "foreign" files).

    Returns
    -------
    StudyResult
        Scenarios and the results table (sorted by scenario, then route order).
    """
    check_run_options(spec, workers=workers, out_dir=out_dir, resume=resume, overwrite=overwrite)
    with contextlib.ExitStack() as stack:
        folder = None
        if out_dir is not None:
            folder = out_dir if isinstance(out_dir, OutputFolder) else OutputFolder(out_dir)
            if not isinstance(out_dir, OutputFolder):
                stack.enter_context(folder)
        return _run(
            spec, folder, workers, scheduler, resume, overwrite, progress, on_chunk, report_files
        )


#: Scenarios of a study whose results are all kept in memory (``StudyResult.results``):
#: about 0.3 GB per route at 200 KPI and variable columns. Above it, a systematic
#: subsample of about this size is kept and the full results stay on disk.
IN_MEMORY_MAX_SCENARIOS = 200_000


def memory_stride(spec: StudySpec) -> int:
    """Keep every ``stride``-th scenario's results in memory (1: all of them)."""
    return max(1, -(-spec.n_scenarios // IN_MEMORY_MAX_SCENARIOS))


def check_size(spec: StudySpec, has_folder: bool) -> None:
    """A study too large to hold in memory needs an output folder (or, robust, fewer scenarios)."""
    n = spec.n_scenarios
    if n <= IN_MEMORY_MAX_SCENARIOS:
        return
    if spec.mode == "robust":
        msg = (
            f"{n:,} scenarios: mode 'robust' solves one MILP over every scenario, at most "
            f"{IN_MEMORY_MAX_SCENARIOS:,}; lower n_samples (or the grid)"
        )
        raise CaseError([Problem(spec.path, "study.n_samples", msg)])
    if not has_folder:
        msg = (
            f"{n:,} scenarios: a study above {IN_MEMORY_MAX_SCENARIOS:,} scenarios keeps its "
            "full results on disk only: give an output folder (--out DIR, or out_dir=)"
        )
        raise CaseError([Problem(spec.path, "study.n_samples", msg)])


def _calls(
    spec: StudySpec,
    screened: Screen,
    items: list[WorkItem],
    done: set[str],
    texts: Mapping[str, str],
    kept: list[pd.DataFrame],
    stride: int,
) -> Iterator[tuple[WorkItem, tuple]]:
    """The work items to run, each with its chunk's scenarios and overrides, made lazily.

    Also collects the scenarios kept in memory (every ``stride``-th label) into ``kept``.
    """
    by_chunk: dict[int, list[WorkItem]] = collections.defaultdict(list)
    for item in items:
        by_chunk[item.chunk].append(item)
    for k, scenarios in enumerate(iter_screened(spec, screened, spec.chunk_cases)):
        kept.append(scenarios[scenarios.index.to_numpy() % stride == 0])
        for item in by_chunk[k]:
            if item.filename in done or scenarios.empty:
                continue
            over = route_overrides(spec, item.route, scenarios)
            case = spec.routes[item.route]
            args = (
                texts[item.route],
                case.path,
                item,
                scenarios,
                over,
                spec.mode,
                spec.selection,
            )
            yield item, args


def _run(
    spec: StudySpec,
    folder: OutputFolder | None,
    workers: int | None,
    scheduler: Any,
    resume: bool,
    overwrite: bool,
    progress: Callable[[int, int], None] | None,
    on_chunk: Callable[[WorkItem], None] | None,
    report_files: tuple[str, ...],
) -> StudyResult:
    t0 = time.perf_counter()
    check_size(spec, folder is not None)
    if spec.mode == "robust":
        from oreflow.solvers.study_optimize import run_robust

        if resume:
            msg = "mode 'robust' solves one MILP over every scenario: it has no chunks to resume"
            raise CaseError([Problem(spec.path, "study.mode", msg)])
        if (workers is not None and workers > 1) or scheduler is not None:
            logger.info("mode 'robust' runs in this process (its MILP couples the scenarios)")
        check_compare_kpi(spec, {r: case_text(c) for r, c in spec.routes.items()})
        scenarios, screen_info = screened_sample(spec)
        if folder is not None:
            prepare_folder(
                spec, folder, (), resume=False, overwrite=overwrite, report_files=report_files
            )
        return run_robust(spec, scenarios, screen_info, folder=folder, progress=progress)
    texts = {r: case_text(c) for r, c in spec.routes.items()}
    check_compare_kpi(spec, texts)
    screened = screen(spec)
    items = work_items(spec)
    out = folder.path if folder is not None else None
    done: set[str] = set()
    if folder is not None:
        done = prepare_folder(
            spec,
            folder,
            (it.filename for it in items),
            resume=resume,
            overwrite=overwrite,
            report_files=report_files,
        )
    client = _client(scheduler) if scheduler is not None else None
    stride = memory_stride(spec)
    rows_of = {it: it.hi - it.lo - screened.n_rejected_in(it.lo, it.hi) for it in items}
    to_run = [it for it in items if it.filename not in done and rows_of[it] > 0]
    frames: dict[WorkItem, pd.DataFrame] = {}
    if out is not None:
        for item in items:
            if item.filename in done:
                frames[item] = _kept(read_chunk(out, item.filename), stride)
    n_done = len(frames)
    n_items = n_done + len(to_run)
    if progress is not None:
        progress(n_done, n_items)
    evaluations = sum(rows_of[it] for it in to_run)
    if workers is None:  # the default: every core, unless the study is too small to pay
        workers = default_workers() if evaluations >= POOL_MIN_EVALUATIONS else 1
    n_workers = max(1, min(workers, len(to_run)))
    kept: list[pd.DataFrame] = []
    feed = _Feed(_calls(spec, screened, items, done, texts, kept, stride), len(to_run))
    runner = _dask_map(feed, client) if client is not None else _local_map(feed, n_workers)
    try:
        for item, frame in runner:
            check_closed(spec, item.route, frame)
            if out is not None:
                write_parquet(frame, out, item.filename)
            frames[item] = _kept(frame, stride)
            n_done += 1
            if progress is not None:
                progress(n_done, n_items)
            if on_chunk is not None:
                on_chunk(item)
        if feed.take() is not None:  # also draws the chunks all resumed, for ``kept``
            msg = "a study's work item was left unrun"
            raise RuntimeError(msg)
    finally:
        with contextlib.suppress(Exception):
            runner.close()  # type: ignore[attr-defined]
        if client is not None and client is not scheduler:
            client.close()
    order = {r: i for i, r in enumerate(spec.routes)}
    results = pd.concat(
        [frames[it] for it in sorted(frames, key=lambda it: (it.lo, order[it.route]))],
        ignore_index=True,
    )
    scenarios = pd.concat(kept) if kept else pd.DataFrame()
    n_scenarios = spec.n_scenarios - int(screened.info["scenarios_rejected"])
    meta = {
        "seconds": time.perf_counter() - t0,
        "n_scenarios": n_scenarios,
        "n_routes": len(spec.routes),
        "evaluations": n_scenarios * len(spec.routes),
        "evaluations_run": evaluations,
        "chunks_resumed": len(done),
        "executor": "dask" if scheduler is not None else f"local x{n_workers}",
        "study_sha256": spec.sha256,
        "out_of_range": screened.info,
        "in_memory": {"stride": stride, "scenarios": len(scenarios)},
    }
    if out is not None:
        if stride == 1:
            write_parquet(results, out, RESULTS)
        else:
            concat_chunks(out, [it.filename for it in items if rows_of[it] > 0], RESULTS)
    return StudyResult(spec, scenarios, results, out, meta)


def _kept(frame: pd.DataFrame, stride: int) -> pd.DataFrame:
    """The rows of a chunk's results kept in memory (every ``stride``-th scenario)."""
    if stride == 1:
        return frame
    return frame[frame["scenario"].to_numpy() % stride == 0].reset_index(drop=True)

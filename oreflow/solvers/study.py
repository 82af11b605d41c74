"""Studies: scenarios (grids x Monte Carlo), batched simulation of every route, chunked results.

Scenarios come from ``oreflow.solvers.study_sampling`` (grids x Monte Carlo, every draw
checked by the case's rules), KPIs from ``oreflow.solvers.study_eval``, and the output
folder (manifest, chunks, resume, lock) is ``oreflow.solvers.study_io``.

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
    case_text,
    prepare_folder,
    read_chunk,
    require_pyarrow,
    write_parquet,
)
from oreflow.solvers.study_sampling import route_overrides, sample, screened_sample

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

    ``n_scenarios``: rows of the scenario table (fewer than the study's when some were
    rejected as out of range).
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
    kpis = evaluate(text, file, overrides, item.hi - item.lo)
    frame = scenarios.reset_index()
    frame.insert(1, "route", item.route)
    return pd.concat([frame, pd.DataFrame(kpis)], axis=1)


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

    with ProcessPoolExecutor(
        max_workers=workers - 1,
        mp_context=_pool_context(),
        initializer=watch_parent,
        initargs=(os.getpid(),),
    ) as pool:
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


def _dask_map(
    calls: list[tuple[WorkItem, tuple]], client: Any
) -> Iterator[tuple[WorkItem, pd.DataFrame]]:
    from dask.distributed import as_completed

    futures = {}
    for item, args in calls:
        fut = client.submit(_run_item, *args, pure=False, key=f"oreflow-{item.route}-{item.chunk}")
        futures[fut] = item
    try:
        for fut in as_completed(list(futures)):
            yield futures[fut], fut.result()
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
    if spec.mode == "robust":
        from oreflow.solvers.study_optimize import run_robust

        if resume:
            msg = "mode 'robust' solves one MILP over every scenario: it has no chunks to resume"
            raise CaseError([Problem(spec.path, "study.mode", msg)])
        if (workers is not None and workers > 1) or scheduler is not None:
            logger.info("mode 'robust' runs in this process (its MILP couples the scenarios)")
        check_compare_kpi(spec, {r: case_text(c) for r, c in spec.routes.items()})
        scenarios, screen = screened_sample(spec)
        if folder is not None:
            prepare_folder(
                spec, folder, (), resume=False, overwrite=overwrite, report_files=report_files
            )
        return run_robust(spec, scenarios, screen, folder=folder, progress=progress)
    texts = {r: case_text(c) for r, c in spec.routes.items()}
    check_compare_kpi(spec, texts)
    scenarios, screen = screened_sample(spec)
    items = work_items(spec, len(scenarios))
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
    overrides = {r: route_overrides(spec, r, scenarios) for r in spec.routes}
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
                frames[item] = read_chunk(out, item.filename)
    n_done = len(frames)
    if progress is not None:
        progress(n_done, len(items))
    evaluations = sum(it.hi - it.lo for it, _ in calls)
    if workers is None:  # the default: every core, unless the study is too small to pay
        workers = default_workers() if evaluations >= POOL_MIN_EVALUATIONS else 1
    n_workers = max(1, min(workers, len(calls)))
    runner = _dask_map(calls, client) if client is not None else _local_map(calls, n_workers)
    try:
        for item, frame in runner:
            check_closed(spec, item.route, frame)
            if out is not None:
                write_parquet(frame, out, item.filename)
            frames[item] = frame
            n_done += 1
            if progress is not None:
                progress(n_done, len(items))
            if on_chunk is not None:
                on_chunk(item)
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
    seconds = time.perf_counter() - t0
    meta = {
        "seconds": seconds,
        "n_scenarios": len(scenarios),
        "n_routes": len(spec.routes),
        "evaluations": len(scenarios) * len(spec.routes),
        "evaluations_run": sum(it.hi - it.lo for it, _ in calls),
        "chunks_resumed": len(done),
        "executor": "dask" if scheduler is not None else f"local x{n_workers}",
        "study_sha256": spec.sha256,
        "out_of_range": screen,
    }
    if out is not None:
        write_parquet(results, out, "results.parquet")
    return StudyResult(spec, scenarios, results, out, meta)

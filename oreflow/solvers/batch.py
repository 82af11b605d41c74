"""KPIs of a batch of cases, on one core or split between forked processes.

A batch is simulated chunk by chunk (``simulate_param_chunks``, ``KPI_CHUNK_CASES`` at a
time) and each chunk reduced to its KPI arrays at once, so memory stays bounded by the
chunk. With more than one worker the cases are split into contiguous parts; every part
but the first runs in a child process forked from this one (it inherits the compiled
plant and the loaded kernels, so it starts in milliseconds), and the first part runs
here meanwhile. A child writes its KPI arrays to a memory file this process made for it
(``os.memfd_create``, Linux) and sends back only their names and places; this process
reads them in place. Pickled through the pipe, the 135 KPIs of 5,000 cases (5.4 MB)
took 10-15 ms of this process's CPU after its own part, read in place 5 ms
[measured, free_milling_cil]; without memory files (not Linux) they come pickled.
Results come in case order whatever the number of workers, and agree to the recycles'
tolerance, not always to the last bit: a recycle iterates a chunk until all its cases
have converged, so a case may take another pass when the cases sharing its chunk change.

Forking needs the ``fork`` start method (Linux, macOS with care); where it is missing,
or in a daemonic process (a study's pool worker) that may not have children, or for a
batch too small to pay for a fork, the batch runs here.
"""

from __future__ import annotations

import itertools
import logging
import mmap
import multiprocessing
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np

from oreflow.flowsheet.compile import CompiledPlant

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

#: Fewest cases per worker worth a fork: a fork and the pickled KPIs back cost about
#: 20-50 ms, about 200 cases of the plant benchmark [measured, free_milling_cil].
MIN_CASES_PER_WORKER = 1024
#: Cases simulated and reduced to KPIs together: the units outside recycle loops, the
#: KPIs and the closure audit make fewer Python calls per case than on the recycle
#: iteration's 256-case parts (``simulate.CHUNK_CASES``, which loops still use). On
#: free_milling_cil, 10,000 cases: KPIs 0.48-0.52 -> 0.32-0.36 CPU s, the whole batch
#: 1.40-1.56 -> 1.21-1.30 s; 2,048 was no faster [measured].
KPI_CHUNK_CASES = 1024


def default_workers(n_cases: int) -> int:
    """Workers for a batch: every core, each with at least ``MIN_CASES_PER_WORKER`` cases."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, n_cases // MIN_CASES_PER_WORKER))


def idle_cores() -> int:
    """Cores not busy with other work (at least 1).

    This process's cores less the 1-minute load average, the core this process runs on
    counted as idle.
    On a machine shared with other jobs a forked worker only takes turns with them on
    the cores they keep busy, and costs its own pages: measured on the shared 2-core
    sandbox at a load average of 1.9-4.7, a superstructure tabulation on two workers
    took longer (wall) than in one process (benchmarks/README.md).
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cores = cores or 1
    try:
        load = os.getloadavg()[0]
    except OSError:  # not available on this system: assume the cores are free
        return cores
    return max(1, min(cores, int(cores - load + 1.5)))


def _can_fork() -> bool:
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and not multiprocessing.current_process().daemon
    )


def _part_kpis(
    plant: CompiledPlant, params: Mapping[str, Mapping[str, np.ndarray]], lo: int, hi: int
) -> dict[str, np.ndarray]:
    """KPI arrays of cases ``lo:hi`` of the batch."""
    from oreflow.solvers.results import kpi_arrays
    from oreflow.solvers.simulate import simulate_param_chunks

    chunks = simulate_param_chunks(plant, params, lo, hi, chunk_cases=KPI_CHUNK_CASES)
    parts = [kpi_arrays(c) for _, _, c in chunks]
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


#: Alignment of each KPI array in a child's memory file [bytes]: a cache line.
SHARED_ALIGN_BYTES = 64
#: Map a memory file with its pages in place (Linux): one call instead of a page fault
#: per 4 kB page read or written.
_POPULATE = getattr(mmap, "MAP_POPULATE", 0)


def _memory_file() -> int | None:
    """A new anonymous memory file's descriptor, or None where the system has none."""
    try:
        return os.memfd_create("oreflow-kpis")
    except (AttributeError, OSError):  # not Linux, or a kernel without memfd
        return None


def _write_shared(
    kpis: dict[str, np.ndarray], fd: int
) -> list[tuple[str, str, tuple[int, ...], int]] | None:
    """Write ``kpis`` to the memory file ``fd``; their (name, dtype, shape, offset).

    None (nothing written) where a value is not an array or holds Python objects: those
    are pickled.
    """
    if any(not isinstance(v, np.ndarray) or v.dtype.hasobject for v in kpis.values()):
        return None
    places, size = [], 0
    for name, v in kpis.items():
        places.append((name, v.dtype.str, v.shape, size))
        size += -(-v.nbytes // SHARED_ALIGN_BYTES) * SHARED_ALIGN_BYTES
    os.ftruncate(fd, max(size, 1))
    with mmap.mmap(fd, max(size, 1), flags=mmap.MAP_SHARED | _POPULATE) as mm:
        for (_, dtype, _, offset), v in zip(places, kpis.values(), strict=True):
            view = np.frombuffer(mm, dtype=dtype, count=v.size, offset=offset)
            view[:] = v.reshape(-1)
            del view  # the map closes only once no array looks into it
    return places


def _read_shared(
    places: list[tuple[str, str, tuple[int, ...], int]], fd: int
) -> dict[str, np.ndarray]:
    """The arrays ``_write_shared`` wrote to ``fd``, read-only views of its map."""
    size = os.fstat(fd).st_size
    # unmapped with the last view
    mm = mmap.mmap(fd, size, flags=mmap.MAP_SHARED | _POPULATE, prot=mmap.PROT_READ)
    return {
        name: np.frombuffer(mm, dtype=dtype, count=int(np.prod(shape)), offset=offset).reshape(
            shape
        )
        for name, dtype, shape, offset in places
    }


def _child(fn: Callable[[Any], Any], item: Any, conn: Any) -> None:
    """Body of a forked worker: send back ``fn(item)``, or the exception it raised."""
    from oreflow.solvers.heap import keep_freed_memory

    keep_freed_memory()  # a process of oreflow's own (oreflow.solvers.heap)
    try:
        conn.send(("ok", fn(item)))
    except BaseException as exc:  # handed to the parent, which raises it
        try:
            conn.send(("error", exc))
        except Exception:  # an exception that cannot be pickled: its text
            conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        conn.close()


def fork_map(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``[fn(item) for item in items]``, every item but the first in a forked child.

    The first item runs here while the children run theirs; results come back in
    order, pickled. A child that has sent its result is not waited for: it is reaped
    once it has ended (here if it already has, else by the next fork or at exit). An
    exception in a child is raised here. Where a fork is not
    possible (``_can_fork``) every item runs here, one after the other.
    """
    if len(items) <= 1 or not _can_fork():
        return [fn(item) for item in items]
    from threadpoolctl import threadpool_limits

    # one BLAS thread in this process and in each child while they share the cores:
    # OpenBLAS's own threads (as many as cores, each busy-waiting) would compete with
    # the other processes (superstructure optimize, 2 cores: 5.6 -> 3.9-5.0 s wall)
    with threadpool_limits(1, user_api="blas"):
        return _fork_map(fn, items)


def _fork_map(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    ctx = multiprocessing.get_context("fork")
    children = []
    try:
        for item in items[1:]:
            recv, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_child, args=(fn, item, send))
            proc.daemon = True  # dies with this process
            proc.start()
            send.close()
            children.append((proc, recv))
        out = [fn(items[0])]
        delivered = set()
        for proc, recv in children:
            try:
                status, value = recv.recv()
            except EOFError:
                proc.join()
                msg = f"a batch worker process ended without a result (exit code {proc.exitcode})"
                raise RuntimeError(msg) from None
            if status == "error":
                raise value
            out.append(value)
            delivered.add(proc.pid)
    finally:
        for proc, recv in children:
            recv.close()
            if proc.pid in delivered:
                # its result is here: it ends by itself, not waited for (unmapping a
                # worker's memory took 10-60 ms [measured, free_milling_cil]); reaped
                # now if it has ended, else by the next fork or at exit (multiprocessing)
                proc.join(timeout=0)
                continue
            if proc.is_alive():
                proc.terminate()
            proc.join()
    return out


def balanced_groups(sizes: Sequence[float], n_groups: int) -> list[list[int]]:
    """Indices of ``sizes`` in ``n_groups`` groups of about equal total size.

    Largest first, each to the group with the least so far; each group in index order,
    the groups in order of their first index (empty groups left out).
    """
    groups: list[list[int]] = [[] for _ in range(max(1, n_groups))]
    load = [0.0] * len(groups)
    for i in sorted(range(len(sizes)), key=lambda i: (-sizes[i], i)):
        g = min(range(len(groups)), key=lambda g: (load[g], g))
        groups[g].append(i)
        load[g] += sizes[i]
    return sorted((sorted(g) for g in groups if g), key=lambda g: g[0])


def batch_kpis(
    plant: CompiledPlant,
    overrides: Mapping[str, Any],
    n_cases: int,
    workers: int | None = None,
) -> dict[str, np.ndarray]:
    """KPI arrays, (n_cases,) each, of a batch; see the module docstring.

    Parameters
    ----------
    plant : CompiledPlant
        The plant.
    overrides : Mapping[str, array-like]
        Per-case values; checked against the case's ranges and rules first
        (``CaseError`` names the batch case).
    n_cases : int
        Cases in the batch.
    workers : int, optional
        Processes to use; default ``default_workers(n_cases)``. 1 runs here.
    """
    if n_cases < 1:
        msg = "a batch needs at least one case"
        raise ValueError(msg)
    n_work = default_workers(n_cases) if workers is None else max(1, int(workers))
    n_work = min(n_work, n_cases)
    params = plant.param_arrays(n_cases, overrides)
    if n_work == 1 or not _can_fork():
        return _part_kpis(plant, params, 0, n_cases)
    bounds = np.linspace(0, n_cases, n_work + 1).round().astype(int)
    # a memory file per child's part (the first part runs here): module docstring
    fds = [_memory_file() if k else None for k in range(n_work)]

    def run(item: tuple[int, int, int | None]) -> Any:
        lo, hi, fd = item
        kpis = _part_kpis(plant, params, lo, hi)
        places = None if fd is None else _write_shared(kpis, fd)
        return kpis if places is None else places

    try:
        pairs = zip(itertools.pairwise(bounds), fds, strict=True)
        items = [(int(lo), int(hi), fd) for (lo, hi), fd in pairs]
        parts = [
            out if fd is None or isinstance(out, dict) else _read_shared(out, fd)
            for out, fd in zip(fork_map(run, items), fds, strict=True)
        ]
    finally:
        for fd in fds:
            if fd is not None:
                os.close(fd)
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}

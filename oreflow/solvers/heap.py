"""Freed memory kept for reuse while batches run: glibc's trim and mmap thresholds fixed.

A batched simulation allocates and frees arrays of about a megabyte (a chunk of 256
cases by some 430 stream components) hundreds of times per chunk. glibc's ``malloc``
adapts its thresholds as it goes: blocks above the mmap threshold are fresh mappings, and
the top of the heap goes back to the system once more than twice that threshold is
free. Either way the next array of the same size faults in zeroed pages again (the
GNU C Library Reference Manual, "Malloc Tunable Parameters"; ``mallopt(3)``:
``M_MMAP_THRESHOLD``, ``M_TRIM_THRESHOLD`` and their dynamic adjustment).

Measured on the Monte Carlo study of ``refractory_pox_cil`` (4,096 scenarios, one
process, benchmarks/README.md): 110,000 to 140,000 minor page faults and 2.1 to 2.3 s of
CPU with glibc's dynamic thresholds; 11,000 faults and 1.6 to 1.9 s with them fixed at
32 MB (mmap) and 64 MB (trim), the same peak resident memory (318 MB). The process then
keeps at most 64 MB of freed heap for reuse; larger blocks still come from, and go back
to, the system.

Set only in processes oreflow owns, once each: the ``oreflow`` command
(``oreflow.cli.main``), a study's pool workers and Dask work items
(``oreflow.solvers.study``), and the forked workers of a batch
(``oreflow.solvers.batch.fork_map``). A process that merely imports ``oreflow.api`` keeps
its allocator as it was. A user who sets glibc's thresholds (``MALLOC_MMAP_THRESHOLD_``,
``MALLOC_TRIM_THRESHOLD_``, ``MALLOC_TOP_PAD_``, or the same through ``GLIBC_TUNABLES``:
``glibc.malloc.mmap_threshold`` and the like) keeps their choice;
``OREFLOW_KEEP_FREED_MEMORY=0`` switches it off; other C libraries (macOS, musl) are
left alone (docs/study.md#allocator).
"""

from __future__ import annotations

import ctypes
import functools
import os
import sys

#: ``mallopt`` parameter numbers (glibc ``malloc.h``).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
#: Blocks up to this size come from the heap [bytes]: glibc's own ceiling for its
#: dynamic threshold on 64-bit systems (``DEFAULT_MMAP_THRESHOLD_MAX``).
MMAP_THRESHOLD_BYTES = 32 * 2**20
#: Freed heap kept at the top before any goes back to the system [bytes]: a chunk's
#: working set of arrays, with room to spare.
TRIM_THRESHOLD_BYTES = 64 * 2**20
#: Environment variables through which a user sets glibc's thresholds.
USER_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")
#: The same thresholds among glibc's tunables (``GLIBC_TUNABLES=glibc.malloc.x=v:...``).
USER_TUNABLES = (
    "glibc.malloc.mmap_threshold",
    "glibc.malloc.trim_threshold",
    "glibc.malloc.top_pad",
    "glibc.malloc.mmap_max",
)
#: Environment variable that switches it off (``0``, ``no``, ``false`` or ``off``).
SWITCH = "OREFLOW_KEEP_FREED_MEMORY"


def user_chose() -> bool:
    """True where the environment sets glibc's thresholds or switches this off."""
    if os.environ.get(SWITCH, "").strip().lower() in ("0", "no", "false", "off"):
        return True
    if any(v in os.environ for v in USER_SETTINGS):
        return True
    tunables = os.environ.get("GLIBC_TUNABLES", "")
    names = {part.split("=", 1)[0].strip() for part in tunables.split(":")}
    return any(name in names for name in USER_TUNABLES)


@functools.cache
def keep_freed_memory() -> bool:
    """Fix glibc's mmap and trim thresholds in this process; True when they were set.

    False (nothing changed) off Linux, without glibc's ``mallopt``, or where the user
    set the thresholds or switched this off through the environment (``user_chose``).
    Called by the processes oreflow owns only (module docstring).
    """
    if not sys.platform.startswith("linux") or user_chose():
        return False
    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return False
    # glibc only: musl's mallopt does nothing
    if not (hasattr(libc, "gnu_get_libc_version") and hasattr(libc, "mallopt")):
        return False
    mallopt = libc.mallopt
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    ok = mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1
    return mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES) == 1 and ok

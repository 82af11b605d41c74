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

Set once per process by the callers that run batches in it (a study's work items); a
user who sets glibc's ``MALLOC_MMAP_THRESHOLD_`` or ``MALLOC_TRIM_THRESHOLD_`` keeps
their choice, and other C libraries (macOS, musl) are left alone.
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


@functools.cache
def keep_freed_memory() -> bool:
    """Fix glibc's mmap and trim thresholds in this process; True when they were set.

    False (nothing changed) off Linux, without glibc's ``mallopt``, or where the user
    set the thresholds through the environment.
    """
    if not sys.platform.startswith("linux") or any(v in os.environ for v in USER_SETTINGS):
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

"""What the local worker processes of a study load before they fork.

A study's local pool starts its workers from a forkserver that imports this module
once (``oreflow.solvers.study``); every worker is then a fork of a process that already
holds numpy, pandas, numba and the kernels, compiled, so a pool starts in milliseconds
instead of the second a fresh interpreter takes to import them and the 0.4 s CPU each
worker spent loading the kernels from numba's cache (measured on
``refractory_pox_cil``). This module sits above the layers (it reads the bundled cases
through ``oreflow.api``) and nothing imports it but the forkserver.

One BLAS thread per worker: the pool already keeps every core busy, and the KPI
matrix products are small (a chunk of cases by the components), so OpenBLAS threads
only compete with the other workers; under that contention a product measured up to
100x slower here (0.08 ms alone, 4-8 ms contended). The variables must be set before
numpy loads OpenBLAS, hence before the imports below; a value the user set is kept.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import logging  # noqa: E402

from oreflow.api import bundled_cases  # noqa: E402
from oreflow.solvers.study import evaluate  # noqa: E402

logger = logging.getLogger(__name__)


def _warm() -> None:
    """Run every bundled case's study path once (2 cases): its kernels are then compiled.

    Only a head start: a case that fails here fails again, with its message, in the
    worker that runs it, so the failure is logged and the server starts anyway.
    """
    for path in bundled_cases():
        try:
            evaluate(path.read_text(encoding="utf-8"), str(path), {}, 2)
        except Exception:
            logger.debug("warm-up of %s failed", path, exc_info=True)


_warm()

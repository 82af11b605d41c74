"""What the local worker processes of a study load before they fork.

A study's local pool starts its workers from a forkserver that imports this module
once (``run_study``); every worker is then a fork of a process that already holds
numpy, pandas, numba and the plant models, so a pool starts in milliseconds instead
of the second a fresh interpreter takes to import them.

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

import importlib  # noqa: E402
import pkgutil  # noqa: E402

import oreflow.kernels  # noqa: E402
import oreflow.solvers.results  # noqa: E402  (simulation and KPIs)
import oreflow.solvers.study  # noqa: E402  (what a worker runs)

for _mod in pkgutil.iter_modules(oreflow.kernels.__path__, "oreflow.kernels."):
    importlib.import_module(_mod.name)  # numba and the kernels' dispatchers

"""Wheel build hook: ship the compiled kernels, so the first command after install is warm.

``pip install .`` builds the wheel on the machine it installs on. This hook compiles the
kernels that ``oreflow run`` and ``oreflow optimize`` call (``oreflow.kernels._precompile``,
in a child process on an empty ``NUMBA_CACHE_DIR``) and puts Numba's cache files into the
wheel as ``oreflow/kernels/__pycache__``, where Numba looks for them when the package
directory is writable (a virtual environment). Numba keys each entry on the CPU, its own
version, the source file's content and the function's bytecode: on another machine, or
with another numba, the entries are ignored and the kernels compile on first use as
before. Any failure here leaves the wheel without the cache, never without the package.
Editable installs compile on first use (their cache lives next to the sources). The
checkout the wheel is built from gets the same files in its own ``__pycache__`` for each
kernel that has none there yet (the README's tests import the checkout, not the wheel).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

try:
    import fcntl
except ImportError:  # not POSIX: the checkout compiles on first use
    fcntl = None  # type: ignore[assignment]


class KernelCacheHook(BuildHookInterface):
    """Compile the listed kernel signatures and add their cache files to the wheel."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Compile into a temporary cache and force-include its files."""
        self._tmp: str | None = None
        if version == "editable" or os.environ.get("OREFLOW_NO_KERNEL_CACHE"):
            return
        self._tmp = tempfile.mkdtemp(prefix="oreflow-kernels-")
        # pip isolates the build environment through PYTHONPATH (a sitecustomize): keep it
        path = os.pathsep.join(filter(None, [self.root, os.environ.get("PYTHONPATH")]))
        env = dict(os.environ, NUMBA_CACHE_DIR=self._tmp, PYTHONPATH=path)
        self.app.display_info("oreflow: compiling kernels into the wheel (once per install) ...")
        try:
            done = subprocess.run(
                [sys.executable, "-m", "oreflow.kernels._precompile"],
                cwd=self.root,
                env=env,
                capture_output=True,
                text=True,
                timeout=1800,
                check=False,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            self.app.display_warning(f"oreflow: kernels not precompiled ({exc})")
            return
        if done.returncode != 0:
            self.app.display_warning(f"oreflow: kernels not precompiled\n{done.stderr[-2000:]}")
            return
        self.app.display_info(done.stdout.strip())
        for path in sorted(Path(self._tmp).glob("kernels_*/*")):
            if path.suffix in {".nbi", ".nbc"}:
                build_data["force_include"][str(path)] = f"oreflow/kernels/__pycache__/{path.name}"
        # the checkout built from (the README's tests import it) gets the same cache
        for built in Path(self._tmp).glob("kernels_*"):
            _seed(built, Path(self.root, "oreflow", "kernels", "__pycache__"))

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the temporary cache once the wheel is written."""
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)


def _seed(built: Path, target: Path) -> int:
    """Copy each kernel's cache files into ``target`` where it has no index yet; the count.

    Under the lock every save of ``oreflow.kernels._jit.njit`` holds, data files first and
    the index last, each by a rename: a process reading or saving that kernel meanwhile
    sees either no index or a whole one. A kernel already cached there is left as it is.
    """
    if fcntl is None:
        return 0
    try:
        target.mkdir(exist_ok=True)
    except OSError:
        return 0
    copied = 0
    for index in sorted(built.glob("*.nbi")):
        stem = index.name.removesuffix(".nbi")
        try:
            with open(target / f"{index.name}.lock", "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if (target / index.name).exists():
                    continue
                for item in [*sorted(built.glob(f"{glob.escape(stem)}.*.nbc")), index]:
                    part = target / f"{item.name}.seed.{os.getpid()}"
                    shutil.copyfile(item, part)
                    os.replace(part, target / item.name)
                copied += 1
        except OSError:
            continue
    return copied

"""Wheel build hook: ship the compiled kernels, so the first command after install is warm.

``pip install .`` builds the wheel on the machine it installs on. This hook compiles the
kernels that ``oreflow run`` and ``oreflow optimize`` call (``oreflow.kernels._precompile``,
in child processes side by side, on an empty ``NUMBA_CACHE_DIR``) and puts Numba's cache files into the
wheel as ``oreflow/kernels/__pycache__``, where Numba looks for them when the package
directory is writable (a virtual environment). Numba keys each entry on the CPU, its own
version, the source file's content and the function's bytecode: on another machine, or
with another numba, the entries are ignored and the kernels compile on first use as
before. Any failure here leaves the wheel without the cache, never without the package.
Editable installs compile on first use (their cache lives next to the sources).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class KernelCacheHook(BuildHookInterface):
    """Compile the listed kernel signatures and add their cache files to the wheel."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Compile into a temporary cache and force-include its files."""
        self._tmp: str | None = None
        if version == "editable" or os.environ.get("OREFLOW_NO_KERNEL_CACHE"):
            return
        self._tmp = tempfile.mkdtemp(prefix="oreflow-kernels-")
        env = dict(os.environ, NUMBA_CACHE_DIR=self._tmp, PYTHONPATH=self.root)
        parts = min(os.cpu_count() or 1, 4)  # whole modules per process, side by side
        self.app.display_info(f"oreflow: compiling kernels into the wheel ({parts} processes) ...")
        command = [sys.executable, "-m", "oreflow.kernels._precompile", "--part"]
        running: list[subprocess.Popen[str]] = []
        try:
            for k in range(parts):
                running.append(
                    subprocess.Popen(
                        [*command, f"{k}/{parts}"],
                        cwd=self.root,
                        env=env,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                        text=True,
                    )
                )
            finished = [(p, *p.communicate(timeout=1800)) for p in running]
        except (OSError, subprocess.SubprocessError) as exc:
            for p in running:  # no compiler left behind
                p.kill()
                p.wait()
            self.app.display_warning(f"oreflow: kernels not precompiled ({exc})")
            return
        for p, out, err in finished:
            if p.returncode != 0:
                self.app.display_warning(f"oreflow: kernels not precompiled\n{err[-2000:]}")
                return
            self.app.display_info(out.strip())
        for path in sorted(Path(self._tmp).glob("kernels_*/*")):
            if path.suffix in {".nbi", ".nbc"}:
                build_data["force_include"][str(path)] = f"oreflow/kernels/__pycache__/{path.name}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the temporary cache once the wheel is written."""
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)

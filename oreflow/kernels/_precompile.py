"""Compile the kernels the bundled commands call, ahead of their first run.

A cold ``oreflow optimize`` spends about 90 % of its time compiling kernels (Numba).
``kernel_signatures.txt`` next to this module lists every kernel specialisation that
``oreflow run`` and ``oreflow optimize`` on the bundled default case compile, one
``module.qualname(argument types)`` a line; ``compile_manifest`` compiles each into
Numba's on-disk cache without running a flowsheet (kernels need only numpy and numba).
The wheel build runs it (``hatch_build.py``) and ships the cache inside the package, so
the first command after ``pip install`` loads machine code instead of compiling it.
Numba keys that cache on the CPU, the numba version, each source file's content and the
function's bytecode, so an entry that does not fit this machine is ignored and compiled
as before: the manifest changes how soon code is compiled, never what it computes.

``tests/kernels/test_kernel_manifest.py`` checks that the manifest still covers what
the commands compile, and rewrites it when run as a script.

Usage: ``python -m oreflow.kernels._precompile [MANIFEST]``.
"""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from oreflow.kernels._jit import TYPE_NAMES, kernels_of

MANIFEST = Path(__file__).with_name("kernel_signatures.txt")


def format_signature(module: str, qualname: str, args: Iterable[Any]) -> str:
    """One manifest line: ``module.qualname(repr of each argument type)``."""
    return f"{module}.{qualname}({', '.join(repr(a) for a in args)})"


def parse_line(line: str) -> tuple[str, str, tuple[Any, ...]]:
    """``(module, qualname, argument types)`` of a manifest line (inverse of ``format_signature``)."""
    head, _, rest = line.strip().partition("(")
    module, _, qualname = head.rpartition(".")
    args = eval(f"({rest[:-1]},)", {"__builtins__": {}}, TYPE_NAMES) if rest[:-1] else ()
    return module, qualname, tuple(args)


def read_manifest(path: Path = MANIFEST) -> list[str]:
    """The manifest's lines (comments and blank lines left out)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [s for s in (line.strip() for line in lines) if s and not s.startswith("#")]


def signatures_in_use() -> list[str]:
    """Manifest lines of every signature the loaded kernel modules hold now (sorted)."""
    lines = set()
    for name, module in list(sys.modules.items()):
        if not name.startswith("oreflow.kernels.") or module is None:
            continue
        for qualname, args in kernels_of(module):
            line = format_signature(name, qualname, args)
            if "Literal[" not in line:  # a constant from a caller: compiled inside it only
                lines.add(line)
    return sorted(lines)


def compile_manifest(path: Path = MANIFEST) -> tuple[int, list[str]]:
    """Compile (or load from the cache) every signature listed; ``(done, failed lines)``."""
    done, failed = 0, []
    for line in read_manifest(path):
        try:
            module, qualname, args = parse_line(line)
            dispatcher = importlib.import_module(module)
            for part in qualname.split("."):
                dispatcher = getattr(dispatcher, part)
            dispatcher.compile(args)
            done += 1
        except Exception:  # a stale line costs a compile later, never a result
            failed.append(line)
    return done, failed


def main(argv: list[str] | None = None) -> int:
    """Compile the manifest's kernels; report the count and time on stdout."""
    argv = sys.argv[1:] if argv is None else argv
    path = Path(argv[0]) if argv else MANIFEST
    t0 = time.perf_counter()
    done, failed = compile_manifest(path)
    print(f"compiled {done} kernel specialisations in {time.perf_counter() - t0:.1f} s")  # noqa: T201
    for line in failed:
        print(f"not compiled: {line}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Which recycle loops of the shipped and test cases are solved directly, which by Anderson.

Runs every case in ``cases/`` and ``cases/tests/`` once (nominal values) and reports,
per recycle block: its units, the path that converged it and the passes of the block
(probes included) as ``BlockSolver.solve`` returns them. Paths:

- ``direct``: a closed ball-mill circuit solved by ``oreflow.solvers.closed_circuit``
  (solids by the coarse-to-fine sweep with a secant on the mill feed, water by secant
  rounds), then confirmed by the general iteration;
- ``solids+anderson``: a ball-mill circuit inside a larger block (a leach and carbon
  circuit returning solution to it): its solids solved so, then Anderson on the block;
- ``secant-rounds``: linear units triangular in species (differential flotation banks):
  secant rounds per component, then confirmed by the general iteration;
- ``secant+anderson``: every unit declares itself linear; a per-component secant start
  (two probe passes), then Anderson;
- ``anderson``: Anderson-accelerated substitution from zero flows.

Run from the repository root: ``python -m benchmarks.loop_census`` (about 45 CPU-s; add
``--json`` for one JSON line per block). It measures nothing in time.
"""

from __future__ import annotations

import argparse
import collections
import json
from pathlib import Path
from typing import Any

from oreflow.solvers import closed_circuit, simulate

ROOT = Path(__file__).resolve().parent.parent


def census(files: list[Path]) -> list[dict[str, Any]]:
    """One row per recycle block of every case: units, path, passes (or the error)."""
    import oreflow

    rows: list[dict[str, Any]] = []
    case = {"file": ""}
    solids_found = {"ok": False}
    solve, tear = simulate.BlockSolver.solve, simulate.tear_solids

    def tear_solids(*args: Any, **kwargs: Any) -> Any:
        out = tear(*args, **kwargs)
        solids_found["ok"] = out is not None
        return out

    def counted(self: simulate.BlockSolver, rtol: float, max_iter: int) -> int:
        solids_found["ok"] = False
        passes = solve(self, rtol, max_iter)
        loop = self.mill_loop
        if isinstance(loop, closed_circuit.TriangularLoop):
            path = "secant-rounds"
        elif loop is not None and solids_found["ok"]:
            path = "solids+anderson" if loop.returned else "direct"
        elif self.linear:
            path = "secant+anderson"
        else:
            path = "anderson"
        rows.append(
            {
                "case": case["file"],
                "units": [type(self.plant.models[n]).__name__ for n in self.block.nodes],
                "nodes": list(self.block.nodes),
                "path": path,
                "passes": int(passes),
            }
        )
        return passes

    simulate.BlockSolver.solve = counted  # type: ignore[method-assign]
    simulate.tear_solids = tear_solids
    try:
        for path in files:
            case["file"] = str(path.relative_to(ROOT))
            try:
                oreflow.simulate(path)
            except Exception as error:  # a case that does not run is reported, not fatal
                rows.append({"case": case["file"], "error": repr(error)[:200]})
    finally:
        simulate.BlockSolver.solve = solve  # type: ignore[method-assign]
        simulate.tear_solids = closed_circuit.tear_solids
    return rows


def summary(rows: list[dict[str, Any]]) -> str:
    """The blocks by path and set of unit models, most common first."""
    counts: collections.Counter[tuple[str, tuple[str, ...]]] = collections.Counter()
    passes: dict[tuple[str, tuple[str, ...]], list[int]] = collections.defaultdict(list)
    for row in rows:
        if "error" in row:
            continue
        key = (row["path"], tuple(sorted(set(row["units"]))))
        counts[key] += 1
        passes[key].append(row["passes"])
    lines = ["blocks  path             passes  units"]
    for (path, units), count in counts.most_common():
        spread = passes[(path, units)]
        span = f"{min(spread)}-{max(spread)}" if min(spread) != max(spread) else str(spread[0])
        lines.append(f"{count:>6}  {path:<15}  {span:>6}  {', '.join(units)}")
    return "\n".join(lines)


def main() -> None:
    """Print the census of every shipped and test case."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="one JSON line per block")
    args = parser.parse_args()
    files = sorted((ROOT / "cases").glob("*.toml")) + sorted((ROOT / "cases/tests").glob("*.toml"))
    rows = census(files)
    if args.json:
        for row in rows:
            print(json.dumps(row))
    else:
        for row in rows:
            if "error" in row:
                print(f"{row['case']}: {row['error']}")
        print(summary(rows))


if __name__ == "__main__":
    main()

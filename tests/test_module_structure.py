"""Module structure of the package: no import cycles, no private name imported across modules.

A module's private names (``_solver``, ``_apply``) are its own: a second module that
needs one needs a public function, or the code belongs in a shared module. An import
cycle (``a`` imports ``b``, which imports ``a``, at module level or inside a function)
means two modules are one job split in two, or one job split wrongly. Both are read from
the source (``ast``), so lazy imports inside functions count.

``ALLOWED_CYCLES`` and ``ALLOWED_PRIVATE`` list what is still being fixed; they only
shrink: an entry that no longer occurs fails the test too, so that it is removed.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "oreflow"

#: Import cycles still to be removed (each a set of modules that import each other).
ALLOWED_CYCLES: list[frozenset[str]] = []
#: Private names still imported across modules: (importing module, source module, name).
ALLOWED_PRIVATE: set[tuple[str, str, str]] = set()


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, str | None]]:
    """(module imported, name imported from it or None) for every import in a file."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            out += [(source, alias.name) for alias in node.names]
    return out


def _graph() -> tuple[dict[str, set[str]], list[tuple[str, str, str]]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    edges: dict[str, set[str]] = {m: set() for m in modules}
    private = []
    for module, path in modules.items():
        for source, name in _imports(path):
            if not source.startswith("oreflow"):
                continue
            target = f"{source}.{name}" if name and f"{source}.{name}" in modules else source
            if target in modules and target != module:
                edges[module].add(target)
            imported = name if name is not None else source.rpartition(".")[2]
            if (
                target != module
                and imported.startswith("_")
                and not imported.startswith("__")
                and f"{source}.{imported}" not in modules  # a module, not a name in one
            ):
                private.append((module, source, imported))
    return edges, private


def _cycles(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(frozenset(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles_beyond_the_allowed_ones():
    cycles = _cycles(_graph()[0])
    new = [sorted(c) for c in cycles if not any(c <= allowed for allowed in ALLOWED_CYCLES)]
    assert not new, f"import cycles: {new}"
    gone = [sorted(a) for a in ALLOWED_CYCLES if not any(c <= a for c in cycles)]
    assert not gone, f"no longer cycles, remove them from ALLOWED_CYCLES: {gone}"


def test_no_private_name_imported_across_modules():
    private = set(_graph()[1])
    new = sorted(private - ALLOWED_PRIVATE)
    assert not new, f"private names imported across modules (module, source, name): {new}"
    gone = sorted(ALLOWED_PRIVATE - private)
    assert not gone, f"no longer imported, remove them from ALLOWED_PRIVATE: {gone}"


def test_the_checks_see_a_cycle_and_a_private_import(tmp_path):
    """The two checks fail on what they are meant to catch (a test that can fail)."""
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(edges) == [frozenset({"a", "b", "c"})]
    path = PACKAGE / "solvers" / "highs.py"
    assert ("oreflow.errors", "SolveError") in _imports(path)


def _guarded_divisions(path: Path) -> int:
    """Calls of ``np.divide`` (or ``numpy.divide``) in a file, read from its syntax tree."""
    calls = 0
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "divide"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in {"np", "numpy"}
        ):
            calls += 1
    return calls


def test_safe_division_has_one_home():
    """Division guarded against empty streams is ``kernels.arrays.safe_div``, nowhere else.

    Six private helpers and about 120 ``np.divide(..., where=)`` sites once differed in
    their fill values; one helper keeps the convention (``fill`` where ``den <= 0``) single.
    """
    home = PACKAGE / "kernels" / "arrays.py"
    sites = {
        str(p.relative_to(PACKAGE)): n
        for p in PACKAGE.rglob("*.py")
        if p != home and (n := _guarded_divisions(p))
    }
    assert not sites, f"np.divide outside kernels/arrays.safe_div: {sites}"
    assert _guarded_divisions(home) == 1

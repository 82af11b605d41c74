"""Every example in the package's docstrings runs and shows what it says (doctest).

The modules are found by their source text (a ``>>>`` line), so a module whose examples
the doctest finder cannot see (a decorator hiding the docstring) fails instead of being
skipped silently.
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "oreflow"
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _modules_with_examples() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if ">>>" not in path.read_text(encoding="utf-8"):
            continue
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


MODULES = _modules_with_examples()


def test_examples_are_found():
    assert len(MODULES) >= 10, MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report: list[str] = []
    attempted = 0
    for test in finder.find(module, name):
        if test.examples:
            runner.run(test, out=report.append)
            attempted += len(test.examples)
    assert attempted > 0, f"{name} has '>>>' lines but no example the doctest finder sees"
    failed = runner.summarize(verbose=False).failed
    assert failed == 0, "".join(report)

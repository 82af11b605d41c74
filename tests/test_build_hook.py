"""The wheel build hook's seeding of a checkout's kernel cache (``hatch_build._seed``).

The hook copies the cache it compiled into the checkout the wheel is built from, so the
README's tests (which import the checkout) start warm. A kernel already cached there
must be left as it is: the checkout's own entries may be newer than the build's.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytest.importorskip("hatchling")  # the hook's base class (the `test` extra installs it)


@pytest.fixture(scope="module")
def hook():
    spec = importlib.util.spec_from_file_location("hatch_build", ROOT / "hatch_build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cache(where: Path, stem: str, text: str) -> None:
    where.mkdir(parents=True, exist_ok=True)
    (where / f"{stem}.nbi").write_text(f"index {text}")
    (where / f"{stem}.1.nbc").write_text(f"code {text}")


def test_seed_copies_kernels_the_checkout_lacks_and_keeps_its_own(hook, tmp_path):
    built, target = tmp_path / "built", tmp_path / "checkout" / "__pycache__"
    _cache(built, "psd.passing_size_um-10.py311", "built")
    _cache(built, "stream_sums.class_totals-20.py311", "built")
    _cache(target, "stream_sums.class_totals-20.py311", "mine")

    assert hook._seed(built, target) == 1
    assert (target / "psd.passing_size_um-10.py311.nbi").read_text() == "index built"
    assert (target / "psd.passing_size_um-10.py311.1.nbc").read_text() == "code built"
    # the checkout's own entry is not replaced
    assert (target / "stream_sums.class_totals-20.py311.nbi").read_text() == "index mine"
    assert (target / "stream_sums.class_totals-20.py311.1.nbc").read_text() == "code mine"
    # nothing half-written is left behind (each file lands by a rename)
    assert not list(target.glob("*.seed.*"))
    # a second build seeds nothing more
    assert hook._seed(built, target) == 0

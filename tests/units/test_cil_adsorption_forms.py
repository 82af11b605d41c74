"""The carbon-adsorption rate law as a choice of the cil unit (``adsorption_model``).

On the shipped ``free_milling_cil``: the default and ``nicol_fleming`` are the same plant
to the last bit; ``freundlich`` with n_F = 1 and ``kn`` with n = 1 (``kn_k`` = k K, the
defaults) coincide with it; a k-n law with n < 1 at the same k loads the (heavily loaded)
carbon more slowly and loses more gold in solution, and a larger k wins it back.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import oreflow
from oreflow.errors import CaseError

CASE = Path(oreflow.bundled_case("free_milling_cil"))


def _recovery(tmp_path: Path, extra: str) -> float:
    text = CASE.read_text().replace("[units.cil]\n", "[units.cil]\n" + extra, 1)
    path = tmp_path / "case.toml"
    path.write_text(text)
    return float(oreflow.simulate(oreflow.load_case(path)).kpis["gold_recovery_frac"])


@pytest.fixture(scope="module")
def default_recovery() -> float:
    return float(oreflow.simulate(oreflow.load_case(CASE)).kpis["gold_recovery_frac"])


def test_nicol_fleming_is_the_default(tmp_path, default_recovery):
    assert _recovery(tmp_path, 'adsorption_model = "nicol_fleming"\n') == default_recovery


@pytest.mark.parametrize(
    "extra", ['adsorption_model = "freundlich"\nfreundlich_n = 1.0\n', 'adsorption_model = "kn"\n']
)
def test_forms_coincide_at_their_linear_limit(tmp_path, default_recovery, extra):
    assert _recovery(tmp_path, extra) == pytest.approx(default_recovery, rel=1e-9)


def test_kn_below_one_loses_gold_and_k_wins_it_back(tmp_path, default_recovery):
    slow = _recovery(tmp_path, 'adsorption_model = "kn"\nkn_n = 0.7\n')
    fast = _recovery(tmp_path, 'adsorption_model = "kn"\nkn_n = 0.7\nkn_k = 600.0\n')
    assert slow < fast < default_recovery + 1e-3
    assert default_recovery - slow > 1e-3


def test_unknown_model_is_refused(tmp_path):
    text = CASE.read_text().replace("[units.cil]\n", '[units.cil]\nadsorption_model = "hsdm"\n', 1)
    path = tmp_path / "case.toml"
    path.write_text(text)
    with pytest.raises(CaseError, match="adsorption_model"):
        oreflow.load_case(path)

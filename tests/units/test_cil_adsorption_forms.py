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


@pytest.mark.parametrize(("case", "unit"), [("cn_cip_pregrob", "cip"), ("cn_heap_cic", "columns")])
def test_cip_and_cic_take_the_forms_too(tmp_path, case, unit):
    """On a CIP with a preg-robbing ore and on heap-leach carbon columns: n = 1 with k = k_NF K coincides."""
    src = CASE.parent / "tests" / f"{case}.toml"
    spec = oreflow.load_case(src)
    base = float(oreflow.simulate(spec).kpis["gold_recovery_frac"])
    p = spec.unit(unit).params
    kn_k = p["adsorption_k_per_h"] * p["adsorption_k_eq_m3_t"]
    header = f"[units.{unit}]\n"
    text = src.read_text().replace(header, header + f"kn_k = {kn_k!r}\n", 1)
    text = text.replace(header, header + 'adsorption_model = "kn"\n', 1)
    assert text != src.read_text()
    path = tmp_path / "case.toml"
    path.write_text(text)
    kn = float(oreflow.simulate(oreflow.load_case(path)).kpis["gold_recovery_frac"])
    path.write_text(
        text.replace('adsorption_model = "kn"\n', 'adsorption_model = "kn"\nkn_n = 0.6\n')
    )
    kn_slow = float(oreflow.simulate(oreflow.load_case(path)).kpis["gold_recovery_frac"])
    assert kn == pytest.approx(base, rel=1e-9)
    assert kn_slow < base

"""``oreflow fit --write-case`` of the carbon models sets the cil unit's rate law.

A carbon-activity test generated from ``q = k C t^n`` (k 120, n 0.7, 1 % noise) fitted
with ``fleming_kn`` writes ``adsorption_model = "kn"``, ``kn_k`` and ``kn_n`` into the
case, which then loads and runs with the k-n form; an isotherm generated from
``q = K_F C^(1/n_F)`` fitted with ``freundlich`` writes the Freundlich form with K_F as
the slope at 1 mg/L.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import oreflow
from oreflow.cli import main
from oreflow.flowsheet.case import load_case

SRC = Path(__file__).resolve().parents[2] / "cases" / "free_milling_cil.toml"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_kn_fit_sets_the_kn_rate_law_of_the_case(tmp_path):
    rng = np.random.default_rng(5)
    t = np.array([0.25, 0.5, 1.0, 2.0, 4.0, 8.0] * 2)
    c = np.repeat([2.0, 5.0], 6)
    q = 120.0 * c * t**0.7 * (1.0 + rng.normal(0.0, 0.01, t.size))
    rows = "\n".join(f"{a},{b},{x}" for a, b, x in zip(t, c, q, strict=True))
    test = _write(tmp_path / "activity.csv", "time_h,solution_au_mg_l,carbon_au_g_t\n" + rows)
    case = _write(tmp_path / "case.toml", SRC.read_text(encoding="utf-8"))
    argv = ["fit", str(test), "--model", "fleming_kn", "--write-case", str(case), "--unit", "cil"]
    assert main(argv) == 0
    cil = load_case(case).unit("cil")
    assert cil.params["adsorption_model"] == "kn"
    assert cil.params["kn_k"] == pytest.approx(120.0, rel=0.05)
    assert cil.params["kn_n"] == pytest.approx(0.7, rel=0.03)
    # the rate law is set with the fit, not fitted
    assert 'adsorption_model = "kn"  # set by oreflow fit to activity.csv' in case.read_text()
    assert (
        "kn_k = " in case.read_text()
        and "# fitted by oreflow fit to activity.csv" in case.read_text()
    )
    rec = oreflow.simulate(oreflow.load_case(case)).kpis["gold_recovery_frac"]
    assert 0.5 < rec < 1.0


def test_freundlich_fit_sets_the_freundlich_isotherm_of_the_case(tmp_path):
    rng = np.random.default_rng(6)
    c = np.array([0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0])
    q = 8000.0 * c ** (1.0 / 2.5) * (1.0 + rng.normal(0.0, 0.01, c.size))
    rows = "\n".join(f"{a},{x}" for a, x in zip(c, q, strict=True))
    test = _write(tmp_path / "iso.csv", "solution_au_mg_l,carbon_au_g_t\n" + rows)
    case = _write(tmp_path / "case.toml", SRC.read_text(encoding="utf-8"))
    argv = ["fit", str(test), "--model", "freundlich", "--write-case", str(case), "--unit", "cil"]
    assert main(argv) == 0
    cil = load_case(case).unit("cil")
    assert cil.params["adsorption_model"] == "freundlich"
    assert cil.params["freundlich_ref_mg_l"] == 1.0
    assert cil.params["adsorption_k_eq_m3_t"] == pytest.approx(8000.0, rel=0.03)
    assert cil.params["freundlich_n"] == pytest.approx(2.5, rel=0.05)

"""Parameter tornado: which model parameters drive a route's difference to the baseline."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from oreflow.flowsheet.study import load_study
from oreflow.solvers.sensitivity import TOP_N, parameter_tornado
from oreflow.solvers.study_eval import compiled_plant, simulate_figures
from oreflow.solvers.study_io import case_text

STUDY = Path(__file__).resolve().parents[2] / "cases" / "studies" / "cyanide_vs_cyanide_free.toml"


@pytest.fixture(scope="module")
def spec():
    return load_study(STUDY)


@pytest.fixture(scope="module")
def table(spec):
    return parameter_tornado(spec, "glycine")


def kpi_at(spec, route, overrides):
    case = spec.routes[route]
    plant = compiled_plant(case_text(case), case.path)
    figs = simulate_figures(plant, {k: np.array([v]) for k, v in overrides.items()}, 1)
    return float(figs[spec.compare_kpi][0])


def test_top_ten_sorted_by_swing_with_sources(table):
    assert 0 < len(table) <= TOP_N
    swing = table["swing"].abs().to_numpy()
    assert np.all(np.diff(swing) <= 0)
    assert table["source"].str.len().gt(0).all()
    # the glycine leach's own levers and constants are among the drivers
    assert any(p.startswith("glycine:units.leach.") for p in table.index)


def test_each_row_is_a_re_simulated_difference(spec, table):
    """The difference at a parameter's high value equals two direct simulations."""
    name = table.index[0]
    route, _, key = name.partition(":")
    other = "cil" if route == "glycine" else "glycine"
    high = table.loc[name, "high_value"]
    moved = kpi_at(spec, route, {key: high})
    fixed = kpi_at(spec, other, {})
    diff = moved - fixed if route == "glycine" else fixed - moved
    assert table.loc[name, "difference_at_high"] == pytest.approx(diff, rel=1e-9, abs=1e-9)
    nominal = kpi_at(spec, "glycine", {}) - kpi_at(spec, "cil", {})
    assert table.attrs["nominal_difference"] == pytest.approx(nominal, rel=1e-9)


def test_report_draws_the_parameter_tornado(spec, tmp_path):
    from oreflow.report.study_report import write_study_report
    from oreflow.solvers.study import run_study

    small = dataclasses.replace(spec, n_samples=8)
    result = run_study(small, workers=1)
    tables = {"glycine": parameter_tornado(small, "glycine")}  # the report does not simulate
    written = {p.name: p for p in write_study_report(result, tmp_path, parameters=tables)}
    png = written["parameter_tornado_glycine.png"]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "parameter_tornado_glycine.png" in (tmp_path / "report.html").read_text("utf-8")

"""``oreflow fit`` on a closed ball-mill circuit survey: the selection function of
``ball_mill`` and the Lynch-Rao curve of ``hydrocyclone`` recovered from a survey the
simulator generates (ex03's circuit) with noise, intervals that cover the truth, bad
survey files refused cell by cell, and the fitted case simulating the survey back."""

import json
from pathlib import Path

import numpy as np
import pytest

from oreflow import api
from oreflow.cli import main
from oreflow.solvers.fit import fit, get_model
from oreflow.solvers.fit_data import read_testwork

CASE = Path(__file__).resolve().parents[2] / "cases" / "tests" / "ex03_pbm_circuit.toml"
TRUTH = {"selection_a_t_kwh": 1.0, "selection_alpha": 1.0, "d50c_um": 100.0, "alpha": 3.0,
         "bypass_frac": 0.25}  # fmt: skip
STREAMS = {"fresh_feed_pct": "ore.feed", "mill_feed_pct": "mix.out",
           "discharge_pct": "mill.discharge", "underflow_pct": "cyclone.underflow",
           "overflow_pct": "cyclone.overflow"}  # fmt: skip


@pytest.fixture(scope="module")
def circuit():
    """ex03 simulated: size distributions [% per class] and the overflow P80."""
    r = api.simulate(CASE)
    s = r.streams_by_size
    cols = {}
    for col, name in STREAMS.items():
        v = s[s.stream == name].gangue_tph.to_numpy()
        cols[col] = 100.0 * v / v.sum()
    cols["size_um"] = s[s.stream == "ore.feed"].upper_um.to_numpy()
    return cols, float(r.streams.loc["cyclone.overflow", "p80_um"])


def _survey(cols, rng, sd_pct):
    """Survey columns with measurement noise on the discharge and underflow (sd in %)."""
    n = len(cols["size_um"])
    d = {k: v.copy() for k, v in cols.items()}
    for k in ("discharge_pct", "underflow_pct"):
        noisy = np.maximum(d[k] + rng.normal(0.0, sd_pct, n), 0.0)
        d[k] = 100.0 * noisy / noisy.sum()  # a reconciled survey: each stream sums to 100
    d["fresh_feed_tph"] = np.full(n, 300.0)
    d["mill_power_kw"] = np.full(n, 3600.0)
    return d


def _csv(path, d, drop=()):
    keys = [k for k in ("size_um", *STREAMS, "fresh_feed_tph", "mill_power_kw", "wi_kwh_t",
                        "discharge_solids_pct", "underflow_solids_pct") if k in d and k not in drop]  # fmt: skip
    rows = [",".join(keys)]
    for i in range(len(d["size_um"])):
        # one value per survey: on the first row only, the cells below left empty
        rows.append(",".join("" if (k in ("fresh_feed_tph", "mill_power_kw",
                                           "discharge_solids_pct", "underflow_solids_pct")
                                     and i) else f"{d[k][i]:.6g}" for k in keys))  # fmt: skip
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_survey_fit_recovers_the_mill_and_cyclone_parameters(circuit):
    cols, _ = circuit
    d = _survey(cols, np.random.default_rng(5), 0.05)
    mill = fit("ball_mill_survey", d)
    assert mill.success
    assert set(mill.held) == {"selection_mu_mm", "selection_lambda"}
    assert mill.values["selection_a_t_kwh"] == pytest.approx(1.0, rel=0.03)
    assert mill.values["selection_alpha"] == pytest.approx(1.0, abs=0.03)
    cyc = fit("cyclone_survey", d)
    assert cyc.values["d50c_um"] == pytest.approx(100.0, rel=0.03)
    assert cyc.values["alpha"] == pytest.approx(3.0, rel=0.1)
    assert cyc.values["bypass_frac"] == pytest.approx(0.25, abs=0.02)
    # the mill feed rebuilt from the fresh feed and the underflow gives the same fit
    no_feed = {k: v for k, v in d.items() if k != "mill_feed_pct"}
    again = fit("ball_mill_survey", no_feed)
    assert again.values["selection_a_t_kwh"] == pytest.approx(1.0, rel=0.03)
    # freed, the fall-off is found too from a quiet survey
    low = _survey(cols, np.random.default_rng(5), 0.01)
    full = fit("ball_mill_survey", low, free=("selection_mu_mm", "selection_lambda"))
    assert full.held == {}
    assert full.values["selection_mu_mm"] == pytest.approx(3.0, rel=0.1)
    assert full.values["selection_lambda"] == pytest.approx(2.5, rel=0.2)


def test_survey_intervals_cover_the_truth_at_about_their_stated_rate(circuit):
    # 30 noisy surveys (sd 0.2 % per class): each 95 % interval should miss ~1.5 times;
    # at least 25 of 30 (P(>= 25 | 0.95) = 0.98) and not all-covering by huge width
    cols, _ = circuit
    rng = np.random.default_rng(2026)
    names = ("selection_a_t_kwh", "selection_alpha", "d50c_um", "alpha", "bypass_frac")
    hits = dict.fromkeys(names, 0)
    n_sets = 30
    for _ in range(n_sets):
        d = _survey(cols, rng, 0.2)
        for model in ("ball_mill_survey", "cyclone_survey"):
            r = fit(model, d)
            for name in names:
                if name in r.values:
                    hits[name] += r.ci_low[name] <= TRUTH[name] <= r.ci_high[name]
                    assert r.ci_high[name] - r.ci_low[name] < TRUTH[name]
    for name, count in hits.items():
        assert count >= 25, (name, count)


def test_fitted_case_simulates_the_survey_back(circuit, tmp_path, capsys):
    cols, p80 = circuit
    d = _survey(cols, np.random.default_rng(9), 0.1)
    d["discharge_solids_pct"] = np.full(len(d["size_um"]), 70.0)
    d["underflow_solids_pct"] = np.full(len(d["size_um"]), 78.0)
    survey = _csv(tmp_path / "survey_2026.csv", d, drop=("mill_feed_pct",))
    # a case whose mill and cyclone are far from the plant
    text = CASE.read_text(encoding="utf-8")
    for old, new in (("selection_a_t_kwh = 1.0", "selection_a_t_kwh = 0.4"),
                     ("selection_alpha = 1.0", "selection_alpha = 1.4"),
                     ("d50c_um = 100.0", "d50c_um = 160.0"), ("bypass_frac = 0.25", "")):  # fmt: skip
        text = text.replace(old, new)
    case = tmp_path / "plant.toml"
    case.write_text(text, encoding="utf-8")
    off = float(api.simulate(case).streams.loc["cyclone.overflow", "p80_um"])
    assert abs(off - p80) > 15.0
    for model, unit in (("ball_mill_survey", "mill"), ("cyclone_survey", "cyclone")):
        argv = ["fit", str(survey), "--model", model, "--write-case", str(case), "--unit", unit,
                "--json"]  # fmt: skip
        assert main(argv) == 0
        doc = json.loads(capsys.readouterr().out)
    assert doc["derived"]["water_to_underflow_frac"] == pytest.approx(
        0.6735 * (22 / 78) / (30 / 70), rel=0.02
    )
    text = case.read_text(encoding="utf-8")
    assert "# fitted by oreflow fit to survey_2026.csv (model ball_mill_survey" in text
    assert "bypass_frac = " in text and "water_to_underflow_frac = " in text
    back = float(api.simulate(case).streams.loc["cyclone.overflow", "p80_um"])
    # stated tolerance: the overflow P80 within 3 % of the surveyed circuit's
    assert back == pytest.approx(p80, rel=0.03)


def test_shipped_example_survey_fits():
    path = (
        Path(__file__).resolve().parents[2] / "data" / "testwork" / "comm_ball_mill_survey_ex03.csv"
    )
    for name in ("ball_mill_survey", "cyclone_survey"):
        r = fit(name, read_testwork(path, get_model(name)))
        assert r.success and r.rmse < 0.5


def _drop_column(t, name):
    j = t[0].index(name)
    return [r[:j] + r[j + 1 :] for r in t]


def _set(t, row, name, value):
    t[row - 1][t[0].index(name)] = value  # row as a spreadsheet numbers it
    return t


def _swap_sizes(t):
    j = t[0].index("size_um")
    t[3][j], t[4][j] = t[4][j], t[3][j]
    return t


@pytest.mark.parametrize(
    ("edit", "messages"),
    [
        (lambda t: _drop_column(t, "underflow_pct"), ["row 1", "no column 'underflow_pct'"]),
        (_swap_sizes, ["row 5, column size_um", "is not below the row above"]),
        (
            lambda t: _set(t, 3, "discharge_pct", "-1.5"),
            ["row 3, column discharge_pct", "-1.5 is outside [0, 100]"],
        ),
        (
            lambda t: _set(_set(t, 2, "mill_power_kw", "3600 kW"), 6, "overflow_pct", "-2"),
            [
                "row 2, column mill_power_kw: '3600 kW' is not a number",
                "row 6, column overflow_pct",
            ],
        ),
    ],
)
def test_bad_survey_files_are_refused_cell_by_cell(circuit, tmp_path, capsys, edit, messages):
    cols, _ = circuit
    d = _survey(cols, np.random.default_rng(1), 0.0)
    table = [r.split(",") for r in _csv(tmp_path / "s.csv", d).read_text().splitlines()]
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(",".join(r) for r in edit(table)) + "\n", encoding="utf-8")
    case = tmp_path / "case.toml"
    case.write_text(CASE.read_text(encoding="utf-8"), encoding="utf-8")
    before = case.read_text(encoding="utf-8")
    argv = ["fit", str(bad), "--model", "ball_mill_survey", "--write-case", str(case),
            "--unit", "mill"]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for m in messages:
        assert m in err
        assert sum(m in line and str(bad) in line for line in err.splitlines()) == 1, err
    assert case.read_text(encoding="utf-8") == before


def test_cumulative_passing_columns_give_the_same_fit(circuit, tmp_path, capsys):
    cols, _ = circuit
    d = _survey(cols, np.random.default_rng(4), 0.1)
    retained = read_testwork(_csv(tmp_path / "r.csv", d), get_model("cyclone_survey"))
    table = [r.split(",") for r in (tmp_path / "r.csv").read_text().splitlines()]
    for j, name in enumerate(table[0]):
        if name.endswith("_pct"):
            table[0][j] = name.replace("_pct", "_passing_pct")
            passing = np.cumsum([float(r[j]) for r in table[1:]][::-1])[::-1]
            for r, p in zip(table[1:], passing, strict=True):
                r[j] = f"{min(p, 100.0):.8g}"
    path = tmp_path / "p.csv"
    path.write_text("\n".join(",".join(r) for r in table) + "\n", encoding="utf-8")
    data = read_testwork(path, get_model("cyclone_survey"))
    for k in ("discharge_pct", "underflow_pct", "overflow_pct"):
        np.testing.assert_allclose(data[k], retained[k], atol=1e-4)
    a = fit("cyclone_survey", data).values["d50c_um"]
    assert a == pytest.approx(fit("cyclone_survey", retained).values["d50c_um"], rel=1e-4)
    # passing that rises with falling size is refused at its row
    j = table[0].index("overflow_passing_pct")
    table[5][j] = "101"
    path.write_text("\n".join(",".join(r) for r in table) + "\n", encoding="utf-8")
    assert main(["fit", str(path), "--model", "cyclone_survey"]) == 2
    err = capsys.readouterr().err
    assert "row 6, column overflow_passing_pct" in err


def test_specific_energy_stands_for_power_and_tonnage(circuit, tmp_path, capsys):
    cols, _ = circuit
    d = _survey(cols, np.random.default_rng(6), 0.1)
    by_power = fit("ball_mill_survey", d).values["selection_a_t_kwh"]
    d2 = {k: v for k, v in d.items() if k not in ("mill_power_kw", "fresh_feed_tph")}
    d2["specific_energy_kwh_t"] = np.full(len(d["size_um"]), 12.0)  # 3600 kW / 300 t/h
    assert fit("ball_mill_survey", d2).values["selection_a_t_kwh"] == pytest.approx(by_power)
    # neither: one message
    path = _csv(tmp_path / "s.csv", d, drop=("mill_power_kw",))
    assert main(["fit", str(path), "--model", "ball_mill_survey"]) == 2
    assert "no columns 'mill_power_kw' and 'fresh_feed_tph', or 'specific_energy_kwh_t'" in (
        capsys.readouterr().err
    )


def test_survey_ore_work_index_is_written_as_the_selection_reference(circuit, tmp_path, capsys):
    cols, _ = circuit
    d = _survey(cols, np.random.default_rng(3), 0.1)
    d["wi_kwh_t"] = np.full(len(d["size_um"]), 14.0)
    assert fit("ball_mill_survey", d).derived == {"selection_wi_ref_kwh_t": 14.0}
    path = _csv(tmp_path / "s.csv", d)
    argv = ["fit", str(path), "--model", "ball_mill_survey", "--free", "selection_lambda",
            "--free", "nope"]  # fmt: skip
    assert main(argv) == 2
    assert "--free nope: model 'ball_mill_survey' has no parameter 'nope'" in (
        capsys.readouterr().err
    )
    assert main([*argv[:-2], "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["parameters"]["selection_lambda"]["held"] is None
    assert doc["parameters"]["selection_mu_mm"]["held"].startswith("ball_mill default")

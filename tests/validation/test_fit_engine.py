"""``oreflow fit``: parameters recovered from model-generated noisy data, intervals that
cover the truth at their stated rate, and bad test files refused cell by cell."""

import json

import numpy as np
import pytest

from oreflow.cli import main
from oreflow.errors import CaseError
from oreflow.solvers.fit import fit, get_model
from oreflow.solvers.fit_data import read_testwork

TIMES_H = np.array([1.0, 2.0, 4.0, 6.0, 8.0, 12.0, 24.0, 36.0, 48.0])


def _first_order_data(rng, k=0.18, ult=0.93, sd=0.01):
    x = ult * (1.0 - np.exp(-k * TIMES_H)) + rng.normal(0.0, sd, TIMES_H.size)
    return {"time_h": TIMES_H, "extraction_frac": x}


def test_first_order_recovers_known_parameters():
    result = fit("first_order", _first_order_data(np.random.default_rng(7), sd=0.002))
    assert result.success
    assert result.values["k_per_h"] == pytest.approx(0.18, rel=0.03)
    assert result.values["ultimate_frac"] == pytest.approx(0.93, abs=0.005)
    assert result.rmse < 0.003
    assert result.dof == TIMES_H.size - 2


def test_confidence_intervals_cover_the_truth_at_their_stated_rate():
    # 400 data sets from the model with known noise: the 95 % intervals of k must cover
    # the truth in 95 % of them (binomial sd 1.1 %; the bound 0.91-0.985 is > 3 sd wide)
    rng = np.random.default_rng(2024)
    hits = {"k_per_h": 0, "ultimate_frac": 0}
    n_sets = 400
    for _ in range(n_sets):
        r = fit("first_order", _first_order_data(rng))
        hits["k_per_h"] += r.ci_low["k_per_h"] <= 0.18 <= r.ci_high["k_per_h"]
        hits["ultimate_frac"] += r.ci_low["ultimate_frac"] <= 0.93 <= r.ci_high["ultimate_frac"]
    for name, count in hits.items():
        assert 0.91 <= count / n_sets <= 0.985, (name, count / n_sets)


def test_cyanidation_model_recovers_rate_and_exposure_from_a_grind_and_cyanide_series():
    model = get_model("cyanidation")
    rng = np.random.default_rng(3)
    grid = np.array(
        [(t, c, p) for c in (100.0, 300.0, 1000.0) for p in (53.0, 106.0, 212.0) for t in TIMES_H]
    )
    data = {"time_h": grid[:, 0], "nacn_mg_l": grid[:, 1], "p80_um": grid[:, 2]}
    truth = np.array([0.25, 0.96, 15.0, 12.0, 0.6])
    full = {**data, "do_mg_l": np.full(len(grid), 8.0), "ph": np.full(len(grid), 10.5),
            "temp_c": np.full(len(grid), 25.0)}  # fmt: skip
    data["extraction_frac"] = model.predict(truth, full) + rng.normal(0, 0.005, len(grid))
    r = fit(model, data)
    assert r.held == {"ea_kj_mol": "temp_c does not vary in the data"}
    assert r.values["k_per_h"] == pytest.approx(0.25, rel=0.03)
    assert r.values["locked_access_frac"] == pytest.approx(0.6, abs=0.03)
    for name in ("k_per_h", "locked_access_frac"):
        assert r.ci_low[name] < r.values[name] < r.ci_high[name]


def test_isotherms_recover_known_parameters():
    c = np.array([0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0])
    rng = np.random.default_rng(5)
    q = 2.0e4 * c**0.5 * (1 + rng.normal(0, 0.01, c.size))
    r = fit("freundlich", {"solution_au_mg_l": c, "carbon_au_g_t": q})
    assert r.values["n_f"] == pytest.approx(2.0, rel=0.05)
    q = 3.0e4 * 0.8 * c / (1 + 0.8 * c) * (1 + rng.normal(0, 0.01, c.size))
    r = fit("langmuir", {"solution_au_mg_l": c, "carbon_au_g_t": q})
    assert r.values["q_max_g_t"] == pytest.approx(3.0e4, rel=0.1)


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_test_file_lists_every_problem_with_row_and_column(tmp_path, capsys):
    bad = _write(
        tmp_path / "bad.csv",
        "time_h,extraction_pct\n1,20\n2,abc\n,55\n8,140\n",
    )
    with pytest.raises(CaseError) as err:
        read_testwork(bad, get_model("first_order"))
    keys = [p.key for p in err.value.problems]
    assert keys == [
        "row 3, column extraction_pct",
        "row 4, column time_h",
        "row 5, column extraction_pct",
    ]
    out_dir = tmp_path / "out"
    assert main(["fit", str(bad), "--model", "first_order", "--out", str(out_dir)]) == 2
    assert "row 3, column extraction_pct" in capsys.readouterr().err
    assert not out_dir.exists()


def test_missing_column_and_unknown_model_are_input_errors(tmp_path, capsys):
    f = _write(tmp_path / "t.csv", "time_h,recovery\n1,0.2\n2,0.3\n4,0.5\n")
    assert main(["fit", str(f), "--model", "first_order"]) == 2
    assert "no column 'extraction_frac'" in capsys.readouterr().err
    assert main(["fit", str(f), "--model", "nonsense"]) == 2
    assert "unknown model 'nonsense'" in capsys.readouterr().err


def test_fit_writes_a_case_with_a_comment_naming_the_test_file(tmp_path, capsys):
    rng = np.random.default_rng(11)
    d = _first_order_data(rng, sd=0.003)
    rows = "\n".join(f"{t},{x}" for t, x in zip(d["time_h"], d["extraction_frac"], strict=True))
    test = _write(tmp_path / "bottle_roll.csv", "time_h,extraction_frac\n" + rows + "\n")
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "cases" / "free_milling_cil.toml"
    case = _write(tmp_path / "case.toml", src.read_text(encoding="utf-8"))
    argv = ["fit", str(test), "--model", "first_order", "--json",
            "--write-case", str(case), "--unit", "cil", "--species", "au_free"]  # fmt: skip
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    k = doc["parameters"]["k_per_h"]["value"]
    text = case.read_text(encoding="utf-8")
    assert f"k_per_h = {k:.6g}  # fitted by oreflow fit to bottle_roll.csv" in text
    from oreflow.flowsheet.case import load_case

    assert load_case(case).unit("cil").tables["leach"]["au_free"]["k_per_h"] == pytest.approx(
        float(f"{k:.6g}")
    )
    # a unit the case lacks: nothing written
    before = case.read_text(encoding="utf-8")
    argv[-3] = "nope"
    assert main(argv) == 2
    assert case.read_text(encoding="utf-8") == before


def test_cyanidation_fit_writes_its_reference_conditions_with_the_rate_constant(tmp_path):
    from pathlib import Path

    model = get_model("cyanidation")
    rng = np.random.default_rng(8)
    nacn = np.repeat([100.0, 300.0, 1000.0], TIMES_H.size)
    t = np.tile(TIMES_H, 3)
    full = {"time_h": t, "nacn_mg_l": nacn, "do_mg_l": np.full(t.size, 8.0),
            "ph": np.full(t.size, 10.5), "temp_c": np.full(t.size, 25.0),
            "p80_um": np.full(t.size, 75.0)}  # fmt: skip
    x = model.predict(np.array([0.3, 0.95, 15.0, 20.0, 0.5]), full)
    x = x + rng.normal(0, 0.004, t.size)
    rows = "\n".join(f"{a},{b},{c}" for a, b, c in zip(t, nacn, x, strict=True))
    test = _write(tmp_path / "series.csv", "time_h,nacn_mg_l,extraction_frac\n" + rows + "\n")
    src = Path(__file__).resolve().parents[2] / "cases" / "free_milling_cil.toml"
    case = _write(tmp_path / "case.toml", src.read_text(encoding="utf-8"))
    argv = ["fit", str(test), "--model", "cyanidation", "--fix", "ultimate_frac=0.95",
            "--write-case", str(case), "--unit", "cil", "--species", "au_free"]  # fmt: skip
    assert main(argv) == 0
    from oreflow.flowsheet.case import load_case

    cil = load_case(case).unit("cil")
    assert cil.params["ref_nacn_mg_l"] == 300.0
    assert cil.params["ref_temp_c"] == 25.0
    assert cil.tables["leach"]["au_free"]["k_per_h"] == pytest.approx(0.3, rel=0.05)
    text = case.read_text(encoding="utf-8")
    assert "ultimate_frac = 0.98" in text  # held by --fix: not written

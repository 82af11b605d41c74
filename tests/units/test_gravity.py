"""Gravity concentrator: Laplante's standardised GRG test; docs/models.md#gravity (ex05) analytically and through a milling circuit."""

from pathlib import Path

import numpy as np
import pytest

import oreflow
from oreflow.conventions import RTOL_CLOSURE, RTOL_RECYCLE_CLOSURE
from oreflow.errors import CaseError
from oreflow.flowsheet.case import parse_case
from tests.kernels.reference_separation import grg_captured_frac

CASE = Path(__file__).resolve().parents[2] / "cases" / "tests" / "pre_ex05_gravity.toml"
#: The cyclone of the test case sends GRG to the overflow at q = 0.1 within about 1e-8
#: (its reduced curve at the particle sizes); the recycle converges to 1e-12.
RTOL_FLOWSHEET = 1e-6


def metrics(result, unit):
    return result.units.query("unit == @unit").set_index("metric")["value"]


def captured(result):
    """GRG in the gravity concentrate over GRG in the fresh feed."""
    s = result.streams
    return s.loc["knelson.concentrate", "au_grg_tph"] / s.loc["ore.feed", "au_grg_tph"]


def test_flowsheet_reproduces_ex05_capture():
    r = oreflow.simulate(CASE)
    assert r.kpis["closure_max_rel"] <= RTOL_RECYCLE_CLOSURE
    assert (r.units.query("metric == 'closure_max_rel'")["value"] <= RTOL_CLOSURE).all()
    expected = grg_captured_frac(0.10, 0.30, 0.50, 0.20)
    assert expected == pytest.approx(0.347938, abs=5e-7)
    assert captured(r) == pytest.approx(expected, rel=RTOL_FLOWSHEET)
    # GRG = 50 % of the gold: 17.40 % of the gold reports to the gravity concentrate
    assert r.kpis["gold_recovery_frac"] == pytest.approx(0.5 * expected, rel=RTOL_FLOWSHEET)
    assert r.kpis["gravity_au_frac"] == pytest.approx(0.5 * expected, rel=RTOL_FLOWSHEET)
    assert metrics(r, "knelson")["au_grg_recovery_frac"] == pytest.approx(0.5, rel=1e-12)


@pytest.mark.parametrize(
    ("bleed", "e", "h"),
    [(0.3, 0.5, 0.2), (0.1, 0.5, 0.2), (0.6, 0.25, 0.0), (1.0, 0.9, 0.5), (0.3, 0.0, 0.2)],
)
def test_flowsheet_agrees_with_the_geometric_series(bleed, e, h):
    r = oreflow.simulate(
        CASE,
        overrides={
            "units.bleed.fractions.gravity.frac": bleed,
            "units.bleed.fractions.mill.frac": 1.0 - bleed,
            "units.knelson.grg_recovery_frac": e,
            "units.mill.grg_loss_frac": h,
        },
    )
    assert r.kpis["closure_max_rel"] <= RTOL_RECYCLE_CLOSURE
    assert captured(r) == pytest.approx(
        grg_captured_frac(0.10, bleed, e, h), rel=RTOL_FLOWSHEET, abs=1e-12
    )


def test_more_bleed_and_better_unit_capture_more():
    frame = oreflow.simulate_batch(
        CASE,
        {
            "units.bleed.fractions.gravity.frac": [0.1, 0.3, 0.5],
            "units.bleed.fractions.mill.frac": [0.9, 0.7, 0.5],
        },
    )
    assert np.all(np.diff(frame["gravity_au_frac"]) > 0)
    frame = oreflow.simulate_batch(CASE, {"units.knelson.grg_recovery_frac": [0.0, 0.2, 0.5]})
    assert frame["gravity_au_frac"].iloc[0] == 0.0
    assert np.all(np.diff(frame["gravity_au_frac"]) > 0)


def test_fine_grg_is_recovered_less():
    frame = []
    for fine in (0.0, 20.0, 60.0):
        r = oreflow.simulate(CASE, overrides={"units.knelson.fine_half_um": fine})
        frame.append(metrics(r, "knelson")["au_grg_recovery_frac"])
    assert frame[0] == pytest.approx(0.5, rel=1e-12)
    assert np.all(np.diff(frame) < 0)


def _with_pyrite(text: str) -> str:
    return text.replace(
        'solids = ["gangue", "au_grg", "au_free"]',
        'solids = ["gangue", "pyrite", "au_grg", "au_free"]',
    ).replace(
        "[ore.feed.deportment]", "[ore.feed.mineralogy]\npyrite = 0.02\n[ore.feed.deportment]"
    )


def test_mass_pull_and_heavy_minerals(write_case):
    text = _with_pyrite(CASE.read_text()).replace("mass_pull_frac = 0.0", "mass_pull_frac = 0.001")
    r = oreflow.simulate(write_case(text))
    assert r.kpis["closure_max_rel"] <= RTOL_RECYCLE_CLOSURE
    m = metrics(r, "knelson")
    assert m["mass_pull_frac"] == pytest.approx(0.001, rel=1e-12)
    s = r.streams
    rec = {
        sp: s.loc["knelson.concentrate", f"{sp}_tph"] / s.loc["bleed.gravity", f"{sp}_tph"]
        for sp in ("gangue", "pyrite")
    }
    assert rec["pyrite"] == pytest.approx(10.0 * rec["gangue"], rel=1e-9)  # heavy_enrichment
    # a concentrate slurry at 50 % solids
    assert s.loc["knelson.concentrate", "solids_pct"] == pytest.approx(50.0, rel=1e-9)
    assert m["concentrate_au_gpt"] > 50.0 * m["feed_au_gpt"]


def test_trash_screen_and_fluidisation_water(write_case):
    text = CASE.read_text().replace(
        "mass_pull_frac = 0.0",
        "mass_pull_frac = 0.0\nscreen_aperture_um = 150.0\nfluidisation_water_t_t = 0.05",
    )
    r = oreflow.simulate(write_case(text))
    assert r.kpis["closure_max_rel"] <= RTOL_RECYCLE_CLOSURE
    by = r.streams_by_size.set_index(["stream", "upper_um"])
    conc = by.loc["knelson.concentrate", "au_grg_tph"]
    assert conc.loc[300.0] == 0.0  # the -300+212 µm class cannot pass a 150 µm screen
    assert conc.iloc[3] > 0.0
    m = metrics(r, "knelson")
    assert m["fluidisation_water_tph"] == pytest.approx(
        0.05 * r.streams.loc["bleed.gravity", "solids_tph"], rel=1e-12
    )


def test_gravity_nonsense_is_a_case_error():
    text = CASE.read_text()
    with pytest.raises(CaseError, match="au_grg"):
        parse_case(
            text.replace('"au_grg", ', "")
            .replace("au_grg = 0.5\n", "")
            .replace("au_free = 0.5", "au_free = 1.0")
            .replace("grg_loss_frac = 0.2\n", ""),
            "g.toml",
        )
    with pytest.raises(CaseError, match="out of range"):
        parse_case(text.replace("grg_recovery_frac = 0.5", "grg_recovery_frac = 1.5"), "g.toml")
    with pytest.raises(CaseError, match="out of range"):
        parse_case(text.replace("fine_half_um = 0.0", "fine_half_um = -5.0"), "g.toml")


@pytest.mark.parametrize(
    ("key", "default", "value"),
    [("heavy_density_t_m3", 4.0, 2.0), ("screen_aperture_um", 0.0, 150.0)],
)
def test_per_case_screen_and_density_act_as_in_the_case_file(key, default, value):
    """Overrides of the trash screen and heavy cut are honoured per case, not fixed at build."""
    from oreflow.flowsheet.case import load_case
    from oreflow.flowsheet.compile import compile_case
    from oreflow.solvers.simulate import simulate_plant

    path = CASE.parents[1] / "free_milling_glycine.toml"
    text = path.read_text(encoding="utf-8")
    edited = text.replace("grg_recovery_frac = 0.40", f"grg_recovery_frac = 0.40\n{key} = {value}")
    batch = simulate_plant(
        compile_case(load_case(path)),
        n_cases=2,
        overrides={f"units.knelson.{key}": np.array([default, value])},
    )
    alone = simulate_plant(compile_case(parse_case(edited, "edited.toml")), n_cases=1)
    conc = batch.streams["knelson.concentrate"]
    assert not np.allclose(conc[0], conc[1])
    np.testing.assert_allclose(
        conc[1], alone.streams["knelson.concentrate"][0], rtol=RTOL_RECYCLE_CLOSURE
    )

"""Flotation bank: Klimpel 1980; docs/models.md#flotation (ex05 rougher), kinetics by size, entrainment, circuits."""

from pathlib import Path

import numpy as np
import pytest

import oreflow
from oreflow.conventions import RTOL_CLOSURE, RTOL_EXACT, RTOL_RECYCLE_CLOSURE
from oreflow.errors import CaseError
from oreflow.flowsheet.case import load_case, parse_case
from oreflow.kernels.separation import savassi_entrainment
from tests.kernels.reference_separation import klimpel_bank_recovery

ROOT = Path(__file__).resolve().parents[2] / "cases"
CASE = ROOT / "tests" / "pre_ex05_rougher.toml"
SHIPPED = ROOT / "low_grade_preconcentration.toml"
#: ex05's mass pull leaves out the gold itself (2 g/t of the feed, 78 % floated: 1.6e-6
#: t/t, 2.9e-5 of the mass pull); the case's concentrate carries it.
RTOL_GOLD_MASS = 5e-5


def metrics(result, unit):
    return result.units.query("unit == @unit").set_index("metric")["value"]


def by_size(result, stream, species):
    frame = result.streams_by_size.query("stream == @stream").set_index("upper_um")
    return frame[f"{species}_tph"].to_numpy()


def test_rougher_reproduces_ex05():
    r = oreflow.simulate(CASE)
    assert r.kpis["closure_max_rel"] <= RTOL_CLOSURE
    m = metrics(r, "rougher")
    assert m["closure_max_rel"] <= RTOL_CLOSURE
    r_py = klimpel_bank_recovery(0.95, 2.0, 16.0, 8)
    r_g = klimpel_bank_recovery(0.06, 0.10, 16.0, 8)
    assert r_py == pytest.approx(0.916072, abs=5e-7)
    assert r_g == pytest.approx(0.029103, abs=5e-7)
    assert m["pyrite_recovery_frac"] == pytest.approx(r_py, rel=RTOL_EXACT)
    assert m["gangue_recovery_frac"] == pytest.approx(r_g, rel=RTOL_EXACT)
    # gold follows its carriers
    assert m["au_sulfide_recovery_frac"] == pytest.approx(r_py, rel=RTOL_EXACT)
    assert m["au_silicate_recovery_frac"] == pytest.approx(r_g, rel=RTOL_EXACT)
    assert m["au_recovery_frac"] == pytest.approx(0.783027, abs=5e-7)
    assert 100.0 * m["mass_pull_frac"] == pytest.approx(5.3999, abs=5e-4)
    assert m["mass_pull_frac"] == pytest.approx(0.053998648, rel=RTOL_GOLD_MASS)
    assert m["concentrate_au_gpt"] == pytest.approx(29.00, abs=5e-3)
    assert m["tails_au_gpt"] == pytest.approx(0.4587, abs=5e-5)
    assert 100.0 * m["concentrate_s_frac"] == pytest.approx(25.45, abs=5e-3)
    assert r.kpis["flotation_concentrate_frac"] == pytest.approx(m["mass_pull_frac"], rel=1e-12)


def test_single_rate_constant_option(write_case):
    text = CASE.read_text().replace("n_cells = 8", 'n_cells = 8\nrate_distribution = "single"')
    m = metrics(oreflow.simulate(write_case(text)), "rougher")
    expected = 0.95 * (1.0 - (1.0 + 2.0 * 16.0 / 8) ** -8)
    assert m["pyrite_recovery_frac"] == pytest.approx(expected, rel=RTOL_EXACT)


def test_longer_residence_never_lowers_recovery_and_reaches_the_ultimate():
    taus = [1e-6, 2.0, 8.0, 16.0, 60.0, 600.0]
    frame = oreflow.simulate_batch(CASE, {"units.rougher.residence_min": taus})
    assert np.all(np.diff(frame["flotation_au_frac"]) > 0)
    r = oreflow.simulate(CASE, overrides={"units.rougher.residence_min": 1e-6})
    assert metrics(r, "rougher")["au_recovery_frac"] < 1e-5  # no time, no flotation
    r = oreflow.simulate(CASE, overrides={"units.rougher.residence_min": 600.0})
    m = metrics(r, "rougher")
    assert m["pyrite_recovery_frac"] == pytest.approx(0.95, rel=1e-3)
    assert m["pyrite_recovery_frac"] < 0.95


def test_cell_volume_gives_the_residence_time(write_case):
    r = oreflow.simulate(CASE)
    pulp_m3_h = metrics(r, "rougher")["volume_m3"] * 60.0 * 0.85 / 16.0
    cell = 16.0 * pulp_m3_h / (60.0 * 8 * 0.85)
    text = CASE.read_text().replace("residence_min = 16.0", f"cell_volume_m3 = {float(cell)!r}")
    m = metrics(oreflow.simulate(write_case(text)), "rougher")
    assert m["residence_min"] == pytest.approx(16.0, rel=1e-12)
    assert m["au_recovery_frac"] == pytest.approx(0.783027, abs=5e-7)
    assert m["power_kw"] == pytest.approx(8 * cell * 1.0, rel=1e-12)


def test_kinetics_by_size_peak_at_intermediate_sizes(write_case):
    text = (
        CASE.read_text()
        .replace("fine_half_um = 0.0\ncoarse_half_um = 0.0\n", "")
        .replace("n_classes = 8", "n_classes = 14")  # down to 3 µm, below fine_half_um
    )
    r = oreflow.simulate(write_case(text))
    rec = by_size(r, "rougher.concentrate", "pyrite") / by_size(r, "ore.feed", "pyrite")
    peak = int(np.argmax(rec))
    assert 0 < peak < len(rec) - 1
    assert np.all(np.diff(rec[: peak + 1]) > 0)  # coarse classes (first) float less
    assert np.all(np.diff(rec[peak:]) < 0)  # and so do the fines
    flat = metrics(oreflow.simulate(CASE), "rougher")["pyrite_recovery_frac"]
    assert metrics(r, "rougher")["pyrite_recovery_frac"] < flat


def test_entrainment_follows_the_water_and_favours_fines(write_case):
    text = (
        CASE.read_text()
        .replace("water_recovery_frac = 0.0", "water_recovery_frac = 0.2")
        .replace("[units.rougher.kinetics.gangue]\nk_max_per_min = 0.10\nr_inf_frac = 0.06\n", "")
    )
    r = oreflow.simulate(write_case(text))
    assert r.kpis["closure_max_rel"] <= RTOL_CLOSURE
    rec = by_size(r, "rougher.concentrate", "gangue") / by_size(r, "ore.feed", "gangue")
    spec = load_case(write_case(text, "again.toml"))
    ent = savassi_entrainment(spec.comps.sizes.representative_um(), 30.0, 0.7)
    np.testing.assert_allclose(rec, 0.2 * ent, rtol=1e-12)
    assert np.all(np.diff(rec) > 0)  # finer classes come later and are entrained more
    s = r.streams
    assert s.loc["rougher.concentrate", "water_tph"] == pytest.approx(
        0.2 * s.loc["ore.feed", "water_tph"], rel=1e-12
    )


def test_rougher_scavenger_cleaner_circuit_converges_and_closes():
    r = oreflow.simulate(SHIPPED)
    assert r.kpis["closure_max_rel"] <= RTOL_RECYCLE_CLOSURE
    flot = r.units.query("type == 'flotation_bank' and metric == 'closure_max_rel'")
    assert len(flot) == 3 and (flot["value"] <= RTOL_CLOSURE).all()
    # the cleaner tails and scavenger concentrate come back to the rougher
    s = r.streams
    assert s.loc["cleaner.tails", "to"] == "rougher_feed.cleaner"
    assert s.loc["rougher_feed.out", "solids_tph"] == pytest.approx(
        s.loc["cyclone.overflow", "solids_tph"]
        + s.loc["scavenger.concentrate", "solids_tph"]
        + s.loc["cleaner.tails", "solids_tph"],
        rel=1e-12,
    )
    cleaner = metrics(r, "cleaner")
    rougher = metrics(r, "rougher")
    assert cleaner["concentrate_au_gpt"] > rougher["concentrate_au_gpt"] > rougher["feed_au_gpt"]
    assert r.kpis["flotation_concentrate_frac"] == pytest.approx(
        s.loc["cleaner.concentrate", "solids_tph"] / 400.0, rel=1e-12
    )
    assert r.kpis["use_pax_kg_t"] > 0.0


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        (
            'carrier = "pyrite"',
            'carrier = "chalcopyrite"',
            "units.rougher.kinetics.au_sulfide.carrier",
        ),
        (
            'carrier = "pyrite"',
            'carrier = "pyrite"\nk_max_per_min = 1.0\nr_inf_frac = 0.9',
            "units.rougher.kinetics.au_sulfide",
        ),
        (
            'carrier = "gangue"',
            'carrier = "au_sulfide"',
            "units.rougher.kinetics.au_silicate.carrier",
        ),
        (
            '[units.rougher.kinetics.au_silicate]\ncarrier = "gangue"\n',
            "",
            "units.rougher.kinetics",
        ),
        (
            "k_max_per_min = 2.0\nr_inf_frac = 0.95",
            "k_max_per_min = 2.0",
            "units.rougher.kinetics.pyrite",
        ),
        (
            "[units.rougher.kinetics.pyrite]",
            "[units.rougher.kinetics.pyrrhotite]",
            "units.rougher.kinetics.pyrrhotite",
        ),
        ("residence_min = 16.0", "residence_min = -16.0", "units.rougher.residence_min"),
        (
            "residence_min = 16.0",
            "residence_min = 16.0\ncell_volume_m3 = 10.0",
            "units.rougher.residence_min",
        ),
        ("r_inf_frac = 0.95", "r_inf_frac = 1.95", "units.rougher.kinetics.pyrite.r_inf_frac"),
    ],
)
def test_flotation_nonsense_is_a_case_error(old, new, key):
    text = CASE.read_text()
    assert old in text
    with pytest.raises(CaseError) as info:
        parse_case(text.replace(old, new, 1), "f.toml")
    assert key in {p.key for p in info.value.problems}, info.value


def test_a_batch_of_mixed_settings_equals_each_case_alone():
    """Recoveries are computed once per distinct setting of a batch: each case is still its own.

    Four settings interleaved over seven cases (residence time, a rate constant, the size
    law, the water recovery); every stream and unit figure of every case must be what the
    case gives simulated alone, bit for bit.
    """
    from oreflow.flowsheet.compile import compile_case
    from oreflow.solvers.simulate import simulate_plant

    plant = compile_case(load_case(CASE))
    settings = [
        {"residence_min": 16.0, "k": 2.0, "coarse": 0.0, "rw": 0.0},
        {"residence_min": 8.0, "k": 2.0, "coarse": 0.0, "rw": 0.0},
        {"residence_min": 16.0, "k": 1.5, "coarse": 0.0, "rw": 0.1},
        {"residence_min": 16.0, "k": 2.0, "coarse": 150.0, "rw": 0.0},
    ]
    order = [0, 1, 0, 2, 3, 1, 0]
    keys = {
        "residence_min": "units.rougher.residence_min",
        "k": "units.rougher.kinetics.pyrite.k_max_per_min",
        "coarse": "units.rougher.coarse_half_um",
        "rw": "units.rougher.water_recovery_frac",
    }
    overrides = {key: np.array([settings[i][k] for i in order]) for k, key in keys.items()}
    batch = simulate_plant(plant, n_cases=len(order), overrides=overrides)
    conc = batch.streams["rougher.concentrate"]
    assert len({tuple(row) for row in conc}) == len(settings)  # the settings do differ
    for case, i in enumerate(order):
        alone = simulate_plant(plant, overrides={keys[k]: v for k, v in settings[i].items()})
        for name, flows in alone.streams.items():
            np.testing.assert_array_equal(batch.streams[name][case], flows[0], err_msg=name)
        for name, value in alone.units["rougher"].metrics.items():
            assert np.asarray(batch.units["rougher"].metrics[name])[case] == value[0], name


def test_outlets_into_the_previous_pass_are_the_outlets_alone():
    """A recycle pass hands a bank its last outlets to overwrite: the same arrays, bit for bit.

    Also a bank whose recoveries are alike for every case keeps them as one row.
    """
    from oreflow.flowsheet.compile import compile_case
    from oreflow.solvers.simulate import unit_context

    plant = compile_case(load_case(CASE))
    n = 5
    params = plant.param_arrays(n, {"ore.feed.au_gpt": np.linspace(1.0, 3.0, n)})
    bank = plant.models["rougher"]
    state = bank.prepare(params["rougher"], unit_context(plant, params, "rougher", n))
    assert state.recovery.shape[0] == 1  # one setting: one row for every case
    rng = np.random.default_rng(3)
    feed = rng.uniform(0.0, 10.0, (n, plant.spec.comps.n_comp))
    alone = bank.apply_outlets(state, (feed,))
    previous = tuple(np.full_like(a, np.nan) for a in alone)
    into = bank.apply_outlets(state, (feed,), previous)
    for a, b, buf in zip(alone, into, previous, strict=True):
        assert b is buf
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(alone[0], bank.apply(state, (feed,)).outlets[0])
    fewer = bank.apply_outlets(state, (feed[:2],), previous)  # another shape: fresh arrays
    assert fewer[0] is not previous[0]
    np.testing.assert_array_equal(fewer[0], alone[0][:2])

"""Flowsheet simulation: closure, recycle convergence, worked examples through the plant."""

from pathlib import Path

import numpy as np
import pytest

import oreflow
from oreflow.conventions import RTOL_CLOSURE, RTOL_RECYCLE_CLOSURE
from oreflow.errors import ConvergenceError
from oreflow.flowsheet.case import load_case, parse_case
from oreflow.flowsheet.compile import compile_case
from oreflow.solvers.results import build_results, closure_arrays
from oreflow.solvers.simulate import simulate_plant

CASES = Path(__file__).resolve().parents[2] / "cases"
SHIPPED = sorted(CASES.glob("*.toml"))
TEST_CASES = sorted((CASES / "tests").glob("*.toml"))


RTOL_EX = 1e-5  # ex03 and ex07 are printed to 6-7 significant digits


@pytest.mark.parametrize("path", SHIPPED + TEST_CASES, ids=lambda p: p.stem)
def test_every_case_closes_per_species_phase_size_and_element(path):
    result = oreflow.simulate(path)
    views = set(result.closure["view"])
    assert views >= {"species", "phase", "size_class"}
    if result.kpis["au_feed_g_h"] > 0:
        assert "element" in views
    assert result.closure["rel_err"].max() <= RTOL_RECYCLE_CLOSURE
    assert result.kpis["closure_max_rel"] <= RTOL_RECYCLE_CLOSURE
    gold = result.closure.query("view == 'element' and name == 'au'")
    if len(gold):
        # gold is neither made nor destroyed: in + added == out without any reaction term
        row = gold.iloc[0]
        assert row.in_tph + row.added_tph == pytest.approx(row.out_tph, rel=RTOL_RECYCLE_CLOSURE)


def test_acyclic_case_closes_exactly():
    result = oreflow.simulate(CASES / "tests" / "ex07_cil.toml")
    assert result.meta["tears"] == []
    assert result.closure["rel_err"].max() <= RTOL_CLOSURE


def test_pbm_closed_circuit_reproduces_models_ex03():
    """Austin, Klimpel & Luckie 1984; Whiten 1974; Herbst & Fuerstenau 1980; docs/models.md#ball_mill: tau 3.917977 min (mill feed 918.8416 t/h), CL 2.062805, P80 93.5102 µm."""
    result = oreflow.simulate(CASES / "tests" / "ex03_pbm_circuit.toml")
    mill = result.units.query("unit == 'mill'").set_index("metric")["value"]
    assert mill["mill_feed_tph"] == pytest.approx(918.8416, rel=RTOL_EX)
    assert 60.0 * 60.0 / mill["mill_feed_tph"] == pytest.approx(
        3.917977, rel=RTOL_EX
    )  # tau = 60 H / M
    assert mill["circulating_load_frac"] == pytest.approx(2.062805, rel=RTOL_EX)
    assert mill["circuit_p80_um"] == pytest.approx(93.5102, rel=RTOL_EX)
    assert mill["circuit_f80_um"] == pytest.approx(1867.24, rel=RTOL_EX)
    assert result.streams.loc["mill.discharge", "p80_um"] == pytest.approx(245.9278, rel=RTOL_EX)


def test_cil_train_reproduces_models_ex07():
    """Nicol, Fleming & Cromberge 1984; Fleming et al. 2011, Miner. Eng. 24:484; docs/models.md#cil CIL: recovery to carbon 92.328 %, tail 0.13658 g/t, C6 0.01379 mg/L, q1 1527.3 g/t."""
    result = oreflow.simulate(CASES / "tests" / "ex07_cil.toml")
    cil = result.units.query("unit == 'cil'").set_index("metric")["value"]
    assert result.kpis["gold_recovery_frac"] == pytest.approx(0.92328, abs=5e-6)
    assert cil["tails_au_gpt"] == pytest.approx(0.13658, abs=5e-6)
    assert cil["soluble_loss_au_mg_l"] == pytest.approx(0.01379, abs=5e-6)
    assert cil["loaded_carbon_au_g_t"] == pytest.approx(1527.3, abs=0.05)


def test_non_convergence_names_stream_component_and_residual():
    plant = compile_case(load_case(CASES / "free_milling_cil.toml"))
    with pytest.raises(ConvergenceError) as info:
        simulate_plant(plant, max_iter=3, direct=False)  # the general iteration
    err = info.value
    assert err.stream in plant.topology.blocks[1].tears or err.stream in {
        t for b in plant.topology.blocks for t in b.tears
    }
    assert err.iterations == 3
    assert err.residual > 1e-6
    assert err.species in plant.spec.comps.component_names()
    assert err.stream in str(err) and err.species in str(err)


def test_tears_are_found_and_recycle_converges(mini_case_text):
    plant = compile_case(parse_case(mini_case_text, "mini.toml"))
    tears = [t for b in plant.topology.blocks for t in b.tears]
    assert tears == ["cyclone.underflow"]  # the stream entering the mixer is preferred
    sim = simulate_plant(plant)
    assert 1 < sim.iterations["cyclone.underflow"] < 100
    recycle = sim.streams["cyclone.underflow"]
    assert recycle[0, :].sum() > 100.0  # a real circulating load


def test_batch_equals_one_by_one():
    path = CASES / "free_milling_cil.toml"
    grades = np.array([1.2, 2.0, 3.1])
    wi = np.array([12.0, 14.0, 16.5])
    batch = oreflow.simulate_batch(path, {"ore.main.au_gpt": grades, "ore.main.wi_kwh_t": wi})
    for i in range(3):
        single = oreflow.simulate(
            path, overrides={"ore.main.au_gpt": grades[i], "ore.main.wi_kwh_t": wi[i]}
        )
        for key in ("gold_recovery_frac", "specific_energy_kwh_t", "nacn_kg_t", "residue_tph"):
            assert batch[key].iloc[i] == pytest.approx(single.kpis[key], rel=1e-9)


def test_harder_ore_grinds_coarser_and_recovers_less():
    frame = oreflow.simulate_batch(
        CASES / "free_milling_cil.toml", {"ore.main.wi_kwh_t": [11.0, 14.0, 17.0]}
    )
    assert np.all(np.diff(frame["gold_recovery_frac"]) < 0)


def test_longer_leach_never_lowers_recovery():
    volumes = [4.0, 12.0, 24.0, 48.0]
    frame = oreflow.simulate_batch(
        CASES / "free_milling_cil.toml", {"units.cil.residence_h": volumes}
    )
    assert np.all(np.diff(frame["gold_recovery_frac"]) > 0)


def test_finer_cut_gives_finer_product_and_more_circulating_load():
    path = CASES / "free_milling_cil.toml"
    cuts = [60.0, 80.0, 110.0]
    p80, cl = [], []
    for d in cuts:
        r = oreflow.simulate(path, overrides={"units.cyclone.d50c_um": d})
        mill = r.units.query("unit == 'mill'").set_index("metric")["value"]
        p80.append(mill["circuit_p80_um"])
        cl.append(mill["circulating_load_frac"])
    assert np.all(np.diff(p80) > 0)
    assert np.all(np.diff(cl) < 0)


def test_free_gold_builds_up_in_the_circulating_load():
    r = oreflow.simulate(CASES / "free_milling_cil.toml")
    s = r.streams
    gangue_ratio = (
        s.loc["cyclone.underflow", "gangue_tph"] / s.loc["cyclone.overflow", "gangue_tph"]
    )
    gold_ratio = (
        s.loc["cyclone.underflow", "au_free_tph"] / s.loc["cyclone.overflow", "au_free_tph"]
    )
    assert gold_ratio > 2.0 * gangue_ratio


def test_units_do_what_their_settings_say():
    r = oreflow.simulate(CASES / "free_milling_cil.toml")
    s = r.streams
    assert s.loc["mill_feed.out", "solids_pct"] == pytest.approx(72.0, rel=1e-9)
    assert s.loc["thickener.underflow", "solids_pct"] == pytest.approx(50.0, rel=1e-9)
    assert s.loc["cil.tails", "nacn_mg_l"] == pytest.approx(250.0, rel=1e-9)
    # overflow water of the thickener returns to the cyclone feed
    assert s.loc["thickener.overflow", "water_tph"] > 0.0
    assert s.loc["thickener.overflow", "solids_tph"] == 0.0


def test_zero_leach_time_leaches_nothing_and_long_time_reaches_the_ultimate():
    path = CASES / "tests" / "ex07_cil.toml"
    short = oreflow.simulate(path, overrides={"units.cil.residence_h": 1e-9})
    cil = short.units.query("unit == 'cil'").set_index("metric")["value"]
    assert cil["au_leach_extraction_frac"] == pytest.approx(0.0, abs=1e-9)
    # the top of residence_h's declared range (an override beyond it is a case error)
    long = oreflow.simulate(path, overrides={"units.cil.residence_h": 500.0})
    cil = long.units.query("unit == 'cil'").set_index("metric")["value"]
    assert cil["au_leach_extraction_frac"] == pytest.approx(0.94, rel=1e-4)


def test_results_tables_are_complete():
    r = oreflow.simulate(CASES / "free_milling_cil.toml")
    for col in (
        "solids_tph",
        "water_tph",
        "solids_pct",
        "p80_um",
        "au_gpt",
        "au_g_h",
        "gangue_tph",
        "au_free_tph",
    ):
        assert col in r.streams.columns
    for key in (
        "gold_recovery_frac",
        "gold_produced_g_h",
        "specific_energy_kwh_t",
        "nacn_kg_t",
        "residue_tph",
    ):
        assert np.isfinite(r.kpis[key])
    assert 0.8 < r.kpis["gold_recovery_frac"] < 0.95
    mill = r.units.query("unit == 'mill'").set_index("metric")["value"]
    assert 0.8 < mill["operating_wi_ratio"] < 1.3  # a Bond-consistent circuit
    audit = closure_arrays(simulate_plant(compile_case(load_case(CASES / "free_milling_cil.toml"))))
    assert (
        audit["component_rel"].shape[1] == r.streams.shape[0] * 0 + audit["totals"]["in"].shape[1]
    )


def test_build_results_for_a_batch_case_matches_single():
    plant = compile_case(load_case(CASES / "free_milling_cil.toml"))
    sim = simulate_plant(plant, n_cases=2, overrides={"ore.main.au_gpt": [1.0, 3.0]})
    second = build_results(sim, case=1)
    single = oreflow.simulate(CASES / "free_milling_cil.toml", overrides={"ore.main.au_gpt": 3.0})
    assert second.kpis["gold_produced_g_h"] == pytest.approx(
        single.kpis["gold_produced_g_h"], rel=1e-9
    )


def test_plitt_cyclone_in_a_circuit_closes_and_reports_its_cut(mini_case_text):
    plitt = (
        'model = "plitt"\ncount = 2\ndiameter_cm = 38.0\ninlet_cm = 10.0\nvortex_finder_cm = 13.0\n'
        "apex_cm = 7.5\nfree_vortex_height_cm = 110.0"
    )
    text = mini_case_text.replace("d50c_um = 90.0", plitt)
    result = oreflow.simulate(parse_case(text, "plitt.toml"))
    cyc = result.units.query("unit == 'cyclone'").set_index("metric")["value"]
    assert result.kpis["closure_max_rel"] <= RTOL_RECYCLE_CLOSURE
    assert np.isfinite(cyc["d50c_um"])
    assert 10.0 < cyc["pressure_kpa"] < 1000.0
    # Plitt: a more dilute feed is cut finer (exp(0.063 Cv) in d50c)
    dilute = oreflow.simulate(
        parse_case(text.replace("solids_frac = 0.65", "solids_frac = 0.45"), "plitt.toml")
    )
    dcyc = dilute.units.query("unit == 'cyclone'").set_index("metric")["value"]
    assert dcyc["d50c_um"] < cyc["d50c_um"]
    assert 0.0 < cyc["water_to_underflow_frac"] < 1.0
    # a bigger apex sends more water to the underflow
    wider = oreflow.simulate(
        parse_case(text.replace("apex_cm = 7.5", "apex_cm = 9.5"), "plitt.toml")
    )
    wcyc = wider.units.query("unit == 'cyclone'").set_index("metric")["value"]
    assert wcyc["water_to_underflow_frac"] > cyc["water_to_underflow_frac"]


@pytest.mark.parametrize("path", SHIPPED + TEST_CASES, ids=lambda p: p.stem)
def test_every_unit_balances_what_it_reports(path):
    result = oreflow.simulate(path)
    audits = result.units.query("metric == 'closure_max_rel'")
    assert len(audits) >= 1
    assert audits["value"].max() <= RTOL_RECYCLE_CLOSURE


def test_fishhook_with_zero_beta_is_lynch_rao_and_beta_raises_fines_to_underflow(mini_case_text):
    base = oreflow.simulate(parse_case(mini_case_text, "lr.toml"))
    zero = oreflow.simulate(
        parse_case(
            mini_case_text.replace("d50c_um = 90.0", 'd50c_um = 90.0\nmodel = "fishhook"'),
            "fh.toml",
        )
    )
    hook = oreflow.simulate(
        parse_case(
            mini_case_text.replace(
                "d50c_um = 90.0", 'd50c_um = 90.0\nmodel = "fishhook"\nfishhook_beta = 0.5'
            ),
            "fh.toml",
        )
    )
    assert zero.streams.loc["cyclone.overflow", "p80_um"] == pytest.approx(
        base.streams.loc["cyclone.overflow", "p80_um"], rel=1e-9
    )
    assert hook.kpis["closure_max_rel"] <= RTOL_RECYCLE_CLOSURE
    assert hook.streams.loc["cyclone.overflow", "p80_um"] != pytest.approx(
        base.streams.loc["cyclone.overflow", "p80_um"], rel=1e-6
    )


@pytest.mark.parametrize(
    "psd",
    [
        'model = "ggs"\nk_um = 4000.0\nm = 0.7',
        'model = "sieve"\nsizes_um = [6700.0, 4750.0, 3350.0, 2360.0, 1180.0, 600.0, 300.0]\n'
        "passing_frac = [0.98, 0.90, 0.78, 0.64, 0.42, 0.27, 0.17]",
        'model = "rrb"\nx63_um = 2000.0\nn = 0.9',
    ],
    ids=["ggs", "sieve", "rrb_x63"],
)
def test_every_feed_psd_form_runs_and_gives_its_f80(mini_case_text, psd):
    text = mini_case_text.replace('model = "rrb"\nf80_um = 3000.0\nn = 1.0', psd)
    spec = parse_case(text, "psd.toml")
    from oreflow.units.ore_feed import psd_f80_um

    result = oreflow.simulate(spec)
    f80 = result.streams.loc["ore.main", "p80_um"]
    # class-edge interpolation of the discretised feed vs the closed form or sieve table
    assert f80 == pytest.approx(psd_f80_um(spec.unit("ore.main").tables["psd"]), rel=0.03)
    assert result.kpis["closure_max_rel"] <= RTOL_RECYCLE_CLOSURE


def test_a_leach_fed_no_solution_is_a_case_error(mini_case_text):
    from oreflow.errors import CaseError

    text = mini_case_text.replace(
        'inlets.feed = "cyclone.overflow"', 'inlets.feed = "ore.dry"'
    ).replace(
        "[units.tailings]",
        '[units.dump]\ntype = "tailings"\ninlets.feed = "cyclone.overflow"\n\n[units.tailings]',
    )
    text += '\n[ore.dry]\nrate_tph = 10.0\nau_gpt = 1.0\nmoisture_frac = 0.0\nwi_kwh_t = 12.0\n[ore.dry.psd]\nmodel = "rrb"\nf80_um = 100.0\nn = 1.0\n'
    with pytest.raises(CaseError) as info:
        oreflow.simulate(parse_case(text, "dry.toml"))
    assert info.value.problems[0].key == "units.cil"
    assert "no solution" in info.value.problems[0].message


def test_mill_parameters_vary_per_case_in_a_batch():
    path = CASES / "free_milling_cil.toml"
    frame = oreflow.simulate_batch(
        path,
        {"units.mill.selection_a_t_kwh": [0.8, 1.1, 1.4], "units.mill.diameter_m": [5.0, 5.5, 6.0]},
    )
    for i, (a, d) in enumerate([(0.8, 5.0), (1.1, 5.5), (1.4, 6.0)]):
        single = oreflow.simulate(
            path, overrides={"units.mill.selection_a_t_kwh": a, "units.mill.diameter_m": d}
        )
        assert frame["gold_recovery_frac"].iloc[i] == pytest.approx(
            single.kpis["gold_recovery_frac"], rel=1e-9
        )
        assert frame["mill_power_kw"].iloc[i] == pytest.approx(
            single.kpis["mill_power_kw"], rel=1e-12
        )
    assert frame["mill_power_kw"].is_monotonic_increasing


def test_breakage_function_cannot_vary_per_case():
    from oreflow.errors import CaseError

    with pytest.raises(CaseError) as info:
        oreflow.simulate_batch(
            CASES / "free_milling_cil.toml", {"units.mill.breakage_phi": [0.5, 0.6]}
        )
    assert info.value.problems[0].key == "units.mill.breakage_phi"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_outlets_only_path_equals_apply(path):
    """What recycle passes compute (``apply_outlets``) is what ``apply`` reports, bit for bit."""
    from oreflow.solvers.simulate import port_order, unit_context

    plant = compile_case(load_case(path))
    if not any(getattr(m, "apply_outlets", None) for m in plant.models.values()):
        pytest.skip("no unit of this case has an outlets-only path (no mill, mixer, thickener)")
    ore = plant.spec.ores[0].name  # a regional case has no ore.main
    sim = simulate_plant(plant, n_cases=3, overrides={f"{ore}.au_gpt": [1.0, 2.5, 6.0]})
    inlets_of, _ = port_order(plant)
    checked = 0
    for node, model in plant.models.items():
        if getattr(model, "apply_outlets", None) is None:
            continue
        state = model.prepare(sim.params[node], unit_context(plant, sim.params, node, 3))
        inlets = tuple(sim.streams[s] for s in inlets_of[node])
        for fast, full in zip(
            model.apply_outlets(state, inlets), model.apply(state, inlets).outlets, strict=True
        ):
            np.testing.assert_array_equal(fast, full)
        checked += 1
    assert checked >= 1


def test_mill_grinds_again_unless_state_and_feed_solids_are_the_same_bits():
    """The ball mill reuses its last product's solids only for the same state and solids.

    Each answer equals a freshly compiled mill's from a freshly prepared state (which
    has no last grind): water moves through with the reused solids; other solids, or
    another state (another selection function and power) after the same solids, grind
    again. The last grind lives on the state, not on the mill.
    """
    from oreflow.solvers.simulate import unit_context

    path = oreflow.bundled_case("free_milling_cil")
    sim = simulate_plant(compile_case(load_case(path)), n_cases=3)
    plant, fresh = compile_case(load_case(path)), compile_case(load_case(path))
    mill, ctx = plant.models["mill"], unit_context(plant, sim.params, "mill", 3)
    params = sim.params["mill"]
    other = dict(params, selection_a_t_kwh=params["selection_a_t_kwh"] * 1.3)
    state = mill.prepare(params, ctx)
    feed = sim.streams["mill_feed.out"]
    comps = plant.spec.comps
    wetter = feed.copy()
    wetter[:, comps.solution_offset("water")] *= 2.0
    coarser = feed.copy()
    coarser[:, 0] *= 1.5
    first = mill.apply_outlets(state, (feed,))[0]
    for inlet, st, p in (
        (wetter, state, params),
        (coarser, state, params),
        (feed, mill.prepare(other, ctx), other),
        (feed, mill.prepare(params, ctx), params),
    ):
        mill.apply_outlets(state, (feed,))  # the last grind: ``state`` on ``feed``
        got = mill.apply_outlets(st, (inlet,))[0]
        new = fresh.models["mill"].prepare(p, unit_context(fresh, sim.params, "mill", 3))
        want = fresh.models["mill"].apply_outlets(new, (inlet,))[0]
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(
        mill.apply_outlets(state, (wetter,))[0][:, : comps.n_solids_comp],
        first[:, : comps.n_solids_comp],
    )
    assert not np.array_equal(mill.apply_outlets(state, (coarser,))[0], first)
    assert not hasattr(mill, "_last_grind")  # nothing of a simulation stays on the mill


def test_size_laws_set_per_case_equal_one_by_one():
    """Flotation and leach size laws that differ between cases of a batch (computed once
    per distinct setting) give each case what it gets alone."""
    path = CASES / "refractory_pox_cil.toml"
    over = {
        "units.rougher.coarse_half_um": np.array([150.0, 300.0, 150.0]),
        "units.cleaner.entrainment_xi_um": np.array([20.0, 20.0, 35.0]),
        "units.cil.leach_d_ref_um": np.array([40.0, 75.0, 40.0]),
    }
    batch = oreflow.simulate_batch(path, over)
    for i in range(3):
        single = oreflow.simulate(path, overrides={k: float(v[i]) for k, v in over.items()})
        for key in ("gold_recovery_frac", "flotation_au_frac", "margin_usd_t"):
            assert batch[key].iloc[i] == pytest.approx(single.kpis[key], rel=1e-9)
    assert batch["gold_recovery_frac"].nunique() == 3

"""Economics: NSR by metal, operating cost by unit and item, margin; the [economics] section."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest

import oreflow
from oreflow.conventions import GRAMS_PER_TROY_OZ, RTOL_EXACT, RTOL_WORKED_EXAMPLE
from oreflow.errors import CaseError
from oreflow.flowsheet.case import parse_case
from oreflow.flowsheet.economics import ECONOMICS_PARAMS, REAGENT_PRICES
from oreflow.solvers.economics import consumable_costs_usd_h, dore_nsr_usd_h, nsr_usd_t

TESTS = Path(__file__).resolve().parents[2] / "cases" / "tests"
ROUTES = TESTS / "res_residue_routes.toml"
EX09 = TESTS / "res_ex09_nsr.toml"
EX08 = TESTS / "res_ex08_detox.toml"
README = Path(__file__).resolve().parents[2] / "cases" / "README.md"


def metrics(result, unit):
    return result.units.query("unit == @unit").set_index("metric")["value"]


@pytest.fixture(scope="module")
def routes():
    return oreflow.simulate(ROUTES)


def _variant(write_case, path, *pairs):
    text = path.read_text(encoding="utf-8")
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return write_case(text)


def test_nsr_reproduces_models_ex09():
    """cases/README.md, economics section: 2.0 g/t, 90 % -> 0.057871 oz/t -> 112.0739 USD/t."""
    oz_per_t = 2.0 * 0.9 / GRAMS_PER_TROY_OZ
    assert oz_per_t == pytest.approx(0.057871, rel=RTOL_WORKED_EXAMPLE)
    nsr = nsr_usd_t(2.0, 0.90, 2000.0, 0.999, 1.0, 0.5, 0.03)
    assert nsr == pytest.approx(112.0739, rel=RTOL_WORKED_EXAMPLE)
    # vectorised over cases (prices as arrays too)
    many = nsr_usd_t(np.array([2.0, 4.0]), 0.9, np.array([2000.0, 2000.0]), 0.999, 1.0, 0.5, 0.03)
    assert many == pytest.approx([112.0739, 2 * 112.0739], rel=RTOL_WORKED_EXAMPLE)


def test_nsr_through_a_case_reproduces_ex09():
    result = oreflow.simulate(EX09)
    k = result.kpis
    assert k["gold_recovery_frac"] == pytest.approx(0.9, rel=RTOL_EXACT)
    assert k["nsr_usd_t"] == pytest.approx(112.0739, rel=RTOL_WORKED_EXAMPLE)
    assert k["revenue_au_usd_h"] * 0.97 == pytest.approx(k["revenue_usd_h"], rel=RTOL_EXACT)
    assert k["royalty_usd_h"] == pytest.approx(0.03 * k["revenue_au_usd_h"], rel=RTOL_EXACT)
    # the only cost here is pumping the tailings (oreflow.solvers.utilities)
    utilities_usd_t = k["cost_utilities_usd_h"] / k["ore_tph"]
    assert k["operating_cost_usd_t"] == pytest.approx(utilities_usd_t, rel=RTOL_EXACT)
    assert k["margin_usd_t"] == pytest.approx(k["nsr_usd_t"] - utilities_usd_t, rel=RTOL_EXACT)
    # every price that matters is given; only the fixed cost (0) is left to its default
    assert k["economics_assumed_count"] == 1.0


def test_run_report_labels_default_prices(routes):
    from oreflow.report.console import format_run

    text = format_run(routes, verbose=True)
    assert "margin_usd_h" in text
    assert "18 economic figures are oreflow's assumed defaults" in text
    names = routes.meta["economics_assumed"]
    assert len(names) == 18 == routes.kpis["economics_assumed_count"]
    assert "reagent_usd_kg.o2" in names  # the CIL's set point may buy oxygen
    assert all(n in " ".join(text.split()) for n in names)  # the note names every one
    assert "economic figure" not in format_run(oreflow.simulate(EX08))


def test_cost_buildup_with_default_prices_reproduces_ex09():
    """cases/README.md, economics section: ex09's [A] consumptions at the default prices -> 7.0043 USD/t."""
    spec = parse_case(
        EX09.read_text(encoding="utf-8").split("[economics]")[0] + "[economics]\n", "x"
    )
    econ = spec.economics
    assert econ is not None
    w = 10.0 * 15.0 * (1.0 / np.sqrt(75.0) - 1.0 / np.sqrt(2000.0))  # Bond, 13.9664 kWh/t
    assert w == pytest.approx(13.9664, rel=RTOL_WORKED_EXAMPLE)
    use_kg_t = {
        "media": 0.060 * w,
        "nacn": 0.90,
        "lime": 1.2 + 1.39 * 0.76,  # leach lime + detox Ca(OH)2 as CaO (ex09's 0.76)
        "smbs": 1.78,
        "cuso4": 0.12,
        "carbon": 0.03,
    }
    prices = {item: econ.price_usd_kg(item)[0] for item in use_kg_t}
    costs = consumable_costs_usd_h({k: np.array([v]) for k, v in use_kg_t.items()}, prices)
    power = w * econ.params["electricity_usd_kwh"]
    assert power == pytest.approx(1.3966, rel=RTOL_WORKED_EXAMPLE)
    assert costs["media"][0] == pytest.approx(1.0056, rel=RTOL_WORKED_EXAMPLE)
    assert costs["nacn"][0] == pytest.approx(2.5200, rel=RTOL_EXACT)
    total = power + sum(float(c[0]) for c in costs.values())
    assert total == pytest.approx(7.0043, rel=RTOL_WORKED_EXAMPLE)
    assert 112.0739 - total == pytest.approx(105.0696, rel=RTOL_WORKED_EXAMPLE)
    # oxygen at USD 100/t: POX oxygen 432.5 kg/t concentrate -> 43.25 USD/t
    assert 432.5 * econ.price_usd_kg("o2")[0] == pytest.approx(43.25, rel=RTOL_EXACT)


def test_default_prices_are_the_models_values():
    assert {
        k: v[0]
        for k, v in REAGENT_PRICES.items()
        if k in ("nacn", "lime", "smbs", "cuso4", "carbon")
    } == {
        "nacn": 2.80,
        "lime": 0.25,
        "smbs": 0.60,
        "cuso4": 3.00,
        "carbon": 3.00,
    }
    for name, price in REAGENT_PRICES.items():
        assert price[1], f"{name} has no source"


def test_revenue_uses_the_gold_produced(routes):
    k = routes.kpis
    expected = dore_nsr_usd_h(k["gold_produced_g_h"], 2000.0, 0.999, 1.0, 0.5)
    assert k["revenue_au_usd_h"] == pytest.approx(float(expected), rel=RTOL_EXACT)
    assert k["revenue_usd_h"] == pytest.approx(k["revenue_au_usd_h"] * 0.97, rel=RTOL_EXACT)
    assert k["cost_usd_oz"] == pytest.approx(
        k["operating_cost_usd_h"] / (k["gold_produced_g_h"] / GRAMS_PER_TROY_OZ), rel=RTOL_EXACT
    )


def test_costs_by_unit_and_by_line_add_up(routes):
    k = routes.kpis
    by_unit = sum(v for key, v in k.items() if key.startswith("cost_unit_"))
    assert by_unit + k["cost_fixed_usd_h"] == pytest.approx(k["operating_cost_usd_h"], rel=1e-12)
    lines = (
        k["cost_power_usd_h"]
        + sum(v for key, v in k.items() if key.startswith("cost_item_"))
        + k["cost_water_usd_h"]
        + k["cost_other_usd_h"]
        + k["cost_residue_usd_h"]
        - k["credit_residue_usd_h"]
        + k["cost_utilities_usd_h"]
        + k["cost_fixed_usd_h"]
    )
    assert lines == pytest.approx(k["operating_cost_usd_h"], rel=1e-12)
    assert k["margin_usd_h"] == pytest.approx(
        k["revenue_usd_h"] - k["operating_cost_usd_h"], rel=1e-12
    )
    assert k["margin_usd_t"] == pytest.approx(k["margin_usd_h"] / k["ore_tph"], rel=RTOL_EXACT)
    assert k["cost_fixed_usd_h"] == 2000.0


def test_each_unit_is_charged_for_what_it_reports(routes):
    k = routes.kpis
    d = metrics(routes, "detox")
    detox = (
        d["power_kw"] * 0.10
        + d["use_smbs_kg_h"] * 0.60
        + d["use_lime_kg_h"] * 0.25
        + d["use_cuso4_kg_h"] * 3.0
        + k["utility_detox_kw"] * 0.10  # its agitator (oreflow.solvers.utilities)
    )
    assert k["utility_detox_kw"] > 0
    assert k["cost_unit_detox_usd_h"] == pytest.approx(detox, rel=RTOL_EXACT)
    f = metrics(routes, "filter")
    fed = routes.streams.loc["detox.out", "solids_tph"]
    assert k["cost_unit_filter_usd_h"] == pytest.approx(
        f["power_kw"] * 0.10 + 0.5 * fed, rel=RTOL_EXACT
    )
    p = metrics(routes, "paste")
    assert k["cost_unit_paste_usd_h"] == pytest.approx(
        p["use_binder_kg_h"] * 0.12 + 4.0 * p["solids_tph"], rel=RTOL_EXACT
    )
    assert k["cost_unit_tsf_usd_h"] == pytest.approx(  # storage and the tailings pumps
        metrics(routes, "tsf")["solids_tph"] + k["utility_tsf_kw"] * 0.10, rel=RTOL_EXACT
    )
    c = metrics(routes, "cil")
    assert k["cost_item_nacn_usd_h"] == pytest.approx(c["use_nacn_kg_h"] * 2.8, rel=RTOL_EXACT)
    assert k["cost_item_lime_usd_h"] == pytest.approx(
        (c["use_lime_kg_h"] + d["use_lime_kg_h"]) * 0.25, rel=RTOL_EXACT
    )


def test_case_prices_replace_defaults_and_are_counted(write_case, routes):
    path = _variant(
        write_case,
        ROUTES,
        (
            "[economics.unit_usd_t]",
            "electricity_usd_kwh = 0.2\n[economics.reagent_usd_kg]\nnacn = 3.5\n[economics.unit_usd_t]",
        ),
    )
    k = oreflow.simulate(path).kpis
    c = metrics(routes, "cil")
    assert k["cost_item_nacn_usd_h"] == pytest.approx(c["use_nacn_kg_h"] * 3.5, rel=RTOL_EXACT)
    assert k["cost_power_usd_h"] == pytest.approx(
        2.0 * routes.kpis["cost_power_usd_h"], rel=RTOL_EXACT
    )
    assert k["economics_assumed_count"] == routes.kpis["economics_assumed_count"] - 2


def test_credits_count_only_eligible_residue(write_case):
    credits = (
        "[economics.unit_usd_t]",
        "backfill_credit_usd_t = 3.0\nbuilding_materials_credit_usd_t = 5.0\n[economics.unit_usd_t]",
    )
    result = oreflow.simulate(_variant(write_case, ROUTES, credits))
    paste, bricks = metrics(result, "paste")["solids_tph"], metrics(result, "bricks")["solids_tph"]
    assert result.kpis["credit_residue_usd_h"] == pytest.approx(
        3.0 * paste + 5.0 * bricks, rel=RTOL_EXACT
    )
    # not detoxed enough for bricks (limit 5 mg/L): no building-materials credit
    worse = oreflow.simulate(
        _variant(write_case, ROUTES, credits, ("wad_target_mg_l = 2.0", "wad_target_mg_l = 20.0"))
    )
    # (its paste tonnage differs by the detox's Cu(OH)2: 20 mg/L WAD keeps more Cu dissolved)
    worse_paste = metrics(worse, "paste")["solids_tph"]
    assert worse.kpis["credit_residue_usd_h"] == pytest.approx(3.0 * worse_paste, rel=1e-9)


def test_concentrate_sales(write_case):
    text = EX09.read_text(encoding="utf-8")
    text = (
        text.replace(
            'solids = ["gangue", "au_free"]', 'solids = ["gangue", "chalcopyrite", "au_free"]'
        )
        .replace("wi_kwh_t = 15.0", "wi_kwh_t = 15.0\n[ore.main.mineralogy]\nchalcopyrite = 0.02")
        .replace(
            "fractions = { dore = 0.9, residue = 0.1 }", "fractions = { dore = 0.1, residue = 0.9 }"
        )
        .replace('kind = "gold"', 'kind = "concentrate"')
    )
    result = oreflow.simulate(write_case(text))
    k = result.kpis
    conc = result.streams.loc["plant.dore"]
    dmt = conc["solids_tph"]
    au_g_h = conc["au_g_h"]
    cu_tph = conc["chalcopyrite_tph"] * 0.34630
    assert k["gold_produced_g_h"] == 0.0  # concentrate gold is not doré
    assert k["revenue_au_usd_h"] == pytest.approx(
        au_g_h * 0.95 / GRAMS_PER_TROY_OZ * 2000.0, rel=RTOL_EXACT
    )
    assert k["revenue_cu_usd_h"] == pytest.approx(cu_tph * 0.965 * (9000.0 - 176.0), rel=1e-4)
    assert k["concentrate_charges_usd_h"] == pytest.approx(80.0 * dmt, rel=RTOL_EXACT)
    nsr = k["revenue_au_usd_h"] + k["revenue_cu_usd_h"] - k["concentrate_charges_usd_h"]
    assert k["revenue_usd_h"] == pytest.approx(0.97 * nsr, rel=RTOL_EXACT)
    assert k["cost_usd_oz"] == pytest.approx(
        k["operating_cost_usd_h"] / (au_g_h / GRAMS_PER_TROY_OZ), rel=RTOL_EXACT
    )


def test_without_economics_there_is_no_margin():
    k = oreflow.simulate(EX08).kpis
    assert not any(key.startswith(("margin", "revenue", "cost_", "nsr")) for key in k.index)
    assert "use_smbs_kg_t" in k.index  # consumptions are still reported


def test_missing_price_is_a_case_error():
    spec = oreflow.load_case(ROUTES)
    prices = {k: v for k, v in spec.economics.default_usd_kg.items() if k != "smbs"}
    econ = dataclasses.replace(spec.economics, default_usd_kg=prices)
    with pytest.raises(CaseError) as info:
        oreflow.simulate(dataclasses.replace(spec, economics=econ))
    (problem,) = info.value.problems
    assert problem.key == "economics.reagent_usd_kg.smbs"
    assert "detox" in problem.message


def test_batch_of_cases_is_vectorised():
    grades = np.array([1.0, 2.0, 4.0])
    frame = oreflow.simulate_batch(EX09, {"ore.main.au_gpt": grades})
    for i, g in enumerate(grades):
        single = oreflow.simulate(EX09, overrides={"ore.main.au_gpt": g}).kpis
        assert frame["margin_usd_h"].iloc[i] == pytest.approx(
            single["margin_usd_h"], rel=RTOL_EXACT
        )
    assert frame["nsr_usd_t"].to_numpy() == pytest.approx(
        112.0739 / 2 * grades, rel=RTOL_WORKED_EXAMPLE
    )


def test_economics_of_the_kpis_named_are_those_of_the_full_set():
    # a tabulation names the KPIs it reads (lean_figures): the count of defaulted
    # figures is then left out, and every figure returned is the same to the bit
    from oreflow.flowsheet.compile import compile_case
    from oreflow.solvers.economics import economics_kpis
    from oreflow.solvers.lean_figures import LazyTotals
    from oreflow.solvers.simulate import simulate_plant

    plant = compile_case(oreflow.load_case(EX09))
    sim = simulate_plant(plant, n_cases=3, overrides={"ore.main.au_gpt": np.array([1.0, 2.0, 4.0])})
    full = economics_kpis(sim, LazyTotals(sim))
    lean = economics_kpis(sim, LazyTotals(sim), {"margin_usd_h"})
    assert set(lean) == set(full) - {"economics_assumed_count"}
    for name, values in lean.items():
        np.testing.assert_array_equal(values, full[name], err_msg=name)
    named = economics_kpis(sim, LazyTotals(sim), {"economics_assumed_count"})
    np.testing.assert_array_equal(named["economics_assumed_count"], full["economics_assumed_count"])


@pytest.mark.parametrize(
    ("section", "key", "words"),
    [
        ("au_usd_oz = -5.0", "economics.au_usd_oz", "out of range"),
        ("gold_usd_oz = 2000.0", "economics.gold_usd_oz", "unknown key"),
        ("royalty_nsr_frac = 3.0", "economics.royalty_nsr_frac", "out of range"),
        (
            "[economics.reagent_usd_kg]\nnacn = -1.0",
            "economics.reagent_usd_kg.nacn",
            "out of range",
        ),
        (
            '[economics.reagent_usd_kg]\nnacn = "cheap"',
            "economics.reagent_usd_kg.nacn",
            "must be a number",
        ),
        (
            "[economics.reagent_usd_kg]\nmedia = 1.0",
            "economics.reagent_usd_kg.media",
            "media_usd_kg",
        ),
        (
            '[economics.reagent_usd_kg]\n"Bad Name" = 1.0',
            "economics.reagent_usd_kg.Bad Name",
            "lower-case",
        ),
        ("[economics.unit_usd_t]\nmil = 1.0", "economics.unit_usd_t.mil", "not a unit"),
    ],
)
def test_bad_economics_is_a_case_error(section, key, words):
    text = (
        EX09.read_text(encoding="utf-8").split("[economics]")[0] + "[economics]\n" + section + "\n"
    )
    with pytest.raises(CaseError) as info:
        parse_case(text, "case.toml")
    assert any(p.key == key and words in p.message for p in info.value.problems), info.value


def test_economics_section_is_documented():
    text = README.read_text(encoding="utf-8")
    assert "### `[economics]`" in text
    for p in ECONOMICS_PARAMS:
        assert f"`{p.name}`" in text
    for item in REAGENT_PRICES:
        assert f"`{item}`" in text

"""Every bad-input rule gives its own message naming file and key; nothing runs."""

import pytest

from oreflow.errors import CaseError
from oreflow.flowsheet.case import load_case, parse_case


def problems_of(text, file="bad.toml"):
    with pytest.raises(CaseError) as info:
        parse_case(text, file)
    return info.value.problems


def one_problem(text, key, fragment):
    found = problems_of(text)
    matching = [p for p in found if p.key == key and fragment in p.message]
    assert matching, (
        f"no problem at {key!r} containing {fragment!r}; got: {[str(p) for p in found]}"
    )
    assert all(p.file == "bad.toml" for p in found)
    return found


def test_mini_case_is_valid(mini_case_text):
    spec = parse_case(mini_case_text, "mini.toml")
    assert [u.name for u in spec.units] == ["mix", "mill", "cyclone", "cil", "tailings", "elution"]
    assert spec.comps.n_cls == 14


def test_toml_syntax_error():
    found = problems_of("[case\nname = 1")
    assert len(found) == 1
    assert "TOML syntax error" in found[0].message


def test_missing_file():
    with pytest.raises(CaseError) as info:
        load_case("/nonexistent/plant.toml")
    assert info.value.problems[0].message == "file not found"


def test_unknown_key_suggests_closest(mini_case_text):
    text = mini_case_text.replace("power_kw = 1500.0", "power_kw = 1500.0\nselection_alfa = 1.0")
    one_problem(text, "units.mill.selection_alfa", "did you mean 'selection_alpha'")


def test_unknown_section(mini_case_text):
    one_problem(mini_case_text + "\n[unitz.x]\ntype = 'mixer'\n", "unitz", "did you mean 'units'")


def test_missing_required_key(mini_case_text):
    one_problem(
        mini_case_text.replace("rate_tph = 100.0\n", ""),
        "ore.main.rate_tph",
        "missing required key",
    )


def test_wrong_type(mini_case_text):
    one_problem(
        mini_case_text.replace("rate_tph = 100.0", 'rate_tph = "fast"'),
        "ore.main.rate_tph",
        "must be a number",
    )


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("rate_tph = 100.0", "rate_tph = -5.0", "ore.main.rate_tph"),  # negative flow
        ("au_gpt = 2.0", "au_gpt = -1.0", "ore.main.au_gpt"),
        (
            "solids_frac = 0.65",
            "solids_frac = 1.3",
            "units.mix.solids_frac",
        ),  # % solids outside (0, 1)
        ("solids_frac = 0.65", "solids_frac = 0.0", "units.mix.solids_frac"),
        (
            "ultimate_frac = 0.95",
            "ultimate_frac = 1.2",
            "units.cil.leach.au_free.ultimate_frac",
        ),  # fraction
        ("residence_h = 24.0", "residence_h = -3.0", "units.cil.residence_h"),
    ],
)
def test_out_of_range(mini_case_text, old, new, key):
    one_problem(mini_case_text.replace(old, new), key, "out of range")


def test_p80_not_below_f80(mini_case_text):
    text = mini_case_text.replace("design_p80_um = 106.0", "design_p80_um = 4000.0")
    one_problem(text, "units.mill.design_p80_um", "is not below the F80")


def test_sieve_series_must_decrease(mini_case_text):
    text = mini_case_text.replace(
        'model = "rrb"\nf80_um = 3000.0\nn = 1.0',
        'model = "sieve"\nsizes_um = [4000.0, 2000.0, 2000.0, 500.0]\npassing_frac = [0.95, 0.7, 0.6, 0.3]',
    )
    one_problem(text, "ore.main.psd.sizes_um", "strictly decreasing")


def test_size_edges_must_decrease(mini_case_text):
    text = mini_case_text.replace(
        "top_um = 8000.0\nn_classes = 14", "edges_um = [1000.0, 500.0, 700.0, 100.0]"
    )
    one_problem(text, "case.sizes.edges_um", "strictly decreasing")


def test_unknown_unit_type(mini_case_text):
    one_problem(
        mini_case_text.replace('type = "ball_mill"', 'type = "ball_mil"'),
        "units.mill.type",
        "did you mean 'ball_mill'",
    )


def test_undeclared_species_in_leach_table(mini_case_text):
    text = mini_case_text + "\n[units.cil.leach.au_sulfide]\nk_per_h = 0.1\nultimate_frac = 0.3\n"
    one_problem(text, "units.cil.leach.au_sulfide", "not a declared solid species")


def test_undeclared_species_in_case(mini_case_text):
    text = mini_case_text.replace('solids = ["gangue", "au_free"]', 'solids = ["gangue", "au_fre"]')
    one_problem(text, "case.solids", "did you mean 'au_free'")


def test_undeclared_inlet_port(mini_case_text):
    text = mini_case_text.replace('inlets.feed = "mill.discharge"', 'inlets.fed = "mill.discharge"')
    found = one_problem(text, "units.cyclone.inlets.fed", "has no inlet 'fed'")
    assert any(p.key == "units.cyclone.inlets.feed" and "missing" in p.message for p in found)


def test_undeclared_outlet_port(mini_case_text):
    text = mini_case_text.replace(
        'inlets.feed = "cyclone.overflow"', 'inlets.feed = "cyclone.product"'
    )
    one_problem(text, "units.cil.inlets.feed", "has no outlet 'product'")


def test_unknown_stream(mini_case_text):
    text = mini_case_text.replace('inlets.feed = "cil.tails"', 'inlets.feed = "cyl.tails"')
    one_problem(text, "units.tailings.inlets.feed", "did you mean 'cil.tails'")


def test_inlet_fed_twice(mini_case_text):
    text = mini_case_text.replace(
        'inlets.feed = "cil.tails"', 'inlets.feed = ["cil.tails", "cyclone.overflow"]'
    )
    one_problem(text, "units.tailings.inlets.feed", "inlet fed twice")


def test_stream_feeding_two_inlets(mini_case_text):
    text = mini_case_text.replace('inlets.feed = "cil.loaded_carbon"', 'inlets.feed = "cil.tails"')
    one_problem(text, "units.cil", "feeds 2 inlets")


def test_outlet_going_nowhere(mini_case_text):
    text = mini_case_text.replace(
        '\n[units.elution]\ntype = "product"\ninlets.feed = "cil.loaded_carbon"\n', ""
    )
    one_problem(text, "units.cil", "outlet goes nowhere: 'cil.loaded_carbon'")


def test_loop_with_no_feed_cannot_be_torn(mini_case_text):
    text = (
        mini_case_text
        + """
[units.a]
type = "mixer"
inlets.x = "b.out"
[units.b]
type = "splitter"
inlets.feed = "a.out"
fractions = { out = 0.5, bleed = 0.5 }
[units.bleed_end]
type = "product"
inlets.feed = "b.bleed"
kind = "water"
"""
    )
    one_problem(text, "units.a", "cannot be torn: no feed enters it")


def test_loop_that_nothing_leaves_cannot_be_torn(mini_case_text):
    text = (
        mini_case_text
        + """
[units.a]
type = "mixer"
inlets.x = "b.out"
inlets.y = "ore.extra"
[units.b]
type = "splitter"
inlets.feed = "a.out"
fractions = { out = 1.0 }
[ore.extra]
rate_tph = 1.0
au_gpt = 0.0
wi_kwh_t = 10.0
[ore.extra.psd]
model = "rrb"
f80_um = 1000.0
n = 1.0
"""
    )
    one_problem(text, "units.a", "nothing leaves it")


def test_all_problems_reported_at_once(mini_case_text):
    text = (
        mini_case_text.replace("rate_tph = 100.0", "rate_tph = -1.0")
        .replace('type = "ball_mill"', 'type = "ballmill"')
        .replace("d50c_um = 90.0", "d50c_um = 90.0\nd50_um = 3.0")
    )
    keys = {p.key for p in problems_of(text)}
    assert {"ore.main.rate_tph", "units.mill.type", "units.cyclone.d50_um"} <= keys


def test_gold_deportment_must_sum_to_one(mini_case_text):
    text = mini_case_text.replace(
        'solids = ["gangue", "au_free"]', 'solids = ["gangue", "au_free", "au_silicate"]'
    )
    text = text.replace(
        "wi_kwh_t = 14.0\n",
        "wi_kwh_t = 14.0\ndeportment = { au_free = 0.7, au_silicate = 0.2 }\n",
        1,
    )
    text = text.replace(
        "ultimate_frac = 0.95\n",
        "ultimate_frac = 0.95\n[units.cil.leach.au_silicate]\nk_per_h = 0.1\nultimate_frac = 0.6\n",
    )
    one_problem(text, "ore.main.deportment", "must sum to 1")


def test_leach_without_kinetics_for_a_gold_class(mini_case_text):
    text = mini_case_text.replace(
        'solids = ["gangue", "au_free"]', 'solids = ["gangue", "au_free", "au_silicate"]'
    )
    text = text.replace(
        "wi_kwh_t = 14.0\n",
        "wi_kwh_t = 14.0\ndeportment = { au_free = 0.8, au_silicate = 0.2 }\n",
        1,
    )
    one_problem(text, "units.cil.leach", "no leach kinetics for gold species au_silicate")


@pytest.mark.parametrize("sense", ["max", "min"])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_a_limit_table_refuses_non_finite_bounds(mini_case_text, sense, value):
    # TOML reads nan and inf; a NaN bound once came back from optimize as "infeasible"
    one_problem(
        mini_case_text + f"\n[constraints.{sense}]\nmill_power_kw = {value}\n",
        f"constraints.{sense}.mill_power_kw",
        "must be a finite number",
    )

"""Ship or sell: the regional case with one satellite's filter cake split between the
centre and a concentrate sale, the split a train decision (cases/tests/regional_ship_or_sell.toml).

The centre's autoclave is not additive in the concentrates it blends, so a split far
from the tabulated one misses the model at first; the optimizer re-tabulates at the
chosen split as at the chosen blend, and the plan verifies and equals the enumeration
and an independent simulation of it (real HiGHS).
"""

import itertools
from pathlib import Path

import pytest

from oreflow import api
from oreflow.flowsheet.case import load_case
from oreflow.solvers import optimize as optimize_module
from oreflow.solvers.optimize import at_split, optimize
from oreflow.solvers.optimize_result import spec_of
from oreflow.solvers.tabulate import route_axes, route_spec

ROOT = Path(__file__).resolve().parents[2]
PATH = ROOT / "cases" / "tests" / "regional_ship_or_sell.toml"
SPLIT = "north_cake_split"

pytestmark = pytest.mark.solver


@pytest.fixture(scope="module")
def spec():
    return load_case(PATH)


@pytest.fixture(scope="module")
def result(spec):
    return optimize(spec)


def test_the_split_is_re_tabulated_until_the_plan_verifies(result):
    assert result.status == "optimal"
    assert result.meta["max_rel_diff"] <= 1e-6
    blend = result.meta["blend"]
    rounds = blend["history"]
    assert blend["stopped"] == "verified"
    assert blend["rounds"] == len(rounds) >= 2
    # the first table, at the written half-and-half split, missed the plan (the defect)
    assert rounds[0]["tabulated_split"][SPLIT] == {"centre": 0.5, "sale": 0.5}
    assert rounds[0]["max_rel_diff"] > 1e-6
    # each later round is tabulated at the split (and blend) the previous one chose
    for before, after in itertools.pairwise(rounds):
        for outlet, frac in before["chosen_split"][SPLIT].items():
            assert after["tabulated_split"][SPLIT][outlet] == pytest.approx(frac, abs=1e-12)
        assert after["tabulated_tph"] == pytest.approx(before["chosen_tph"], rel=1e-12)
    assert rounds[-1]["max_rel_diff"] == result.meta["max_rel_diff"]


def test_the_plan_equals_the_enumeration(result):
    enum = result.meta["enumeration"]
    assert enum["column"] == result.decisions["column"]
    assert enum["objective"] == pytest.approx(result.decisions["objective"], rel=1e-7)
    for ore, rate in result.decisions["blend_tph"].items():
        assert enum["source_tph"][ore] == pytest.approx(rate, rel=1e-6, abs=1e-6)
    split = result.decisions["train_tph"]
    assert enum["destination_tph"][f"{SPLIT}.sale"] == pytest.approx(
        split[f"{SPLIT}.sale"], rel=1e-6, abs=1e-6
    )
    # a real choice: some of the cake goes each way
    assert split[f"{SPLIT}.sale"] > 0.0 and split[f"{SPLIT}.centre"] > 0.0


def test_the_plan_equals_an_independent_simulation(spec, result):
    """The case run as written at the plan's route, modes, rates and split."""
    split = result.decisions["train_tph"]
    made = sum(split.values())
    route = {k: ("" if v == "as written" else v) for k, v in result.decisions["route"].items()}
    fractions = {SPLIT: {o: split[f"{SPLIT}.{o}"] / made for o in ("centre", "sale")}}
    plan_spec = at_split(route_spec(spec, route), fractions)
    overrides = {f"{o}.rate_tph": r for o, r in result.decisions["blend_tph"].items()}
    for axis in route_axes(spec_of(spec).axes, route):
        overrides[axis.key] = result.decisions["modes"][axis.label]
    run = api.simulate(plan_spec, overrides=overrides)
    assert run.kpis["closure_max_rel"] <= 1e-9
    assert run.kpis["margin_usd_h"] == pytest.approx(result.decisions["objective"], rel=1e-6)
    units = run.units.set_index(["unit", "metric"])["value"]
    sold = units["north_concentrate_sale", "solids_tph"]
    assert sold == pytest.approx(split[f"{SPLIT}.sale"], rel=1e-9)
    # the centre is full: its capacity binds at the simulated plan
    assert units["pox", "solids_in_tph"] == pytest.approx(11.0, rel=1e-9)


def test_rounds_that_run_out_report_unverified_and_why(spec, monkeypatch):
    monkeypatch.setattr(optimize_module, "BLEND_ROUNDS", 1)
    short = optimize(spec)
    assert short.status == "unverified"
    assert short.meta["blend"]["rounds"] == 1
    assert short.meta["blend"]["stopped"] == "1 rounds, the most"
    text = api.console_text("optimize", short, spec=spec)
    assert "1 tabulate-solve-verify round(s), stopped: 1 rounds, the most" in text


# ---------------------------------------------------------------- two satellites, two splits

EAST_SPLIT = "east_cake_split"


def two_splits(names: str = f'["{SPLIT}", "{EAST_SPLIT}"]') -> str:
    """The case with the east satellite choosing between the centre and a sale too."""
    text = PATH.read_text(encoding="utf-8")
    text = text.replace(
        '[units.east_haulage]\ntype = "haulage"\ninlets.feed = "east_filter.cake"',
        f'[units.{EAST_SPLIT}]\ntype = "splitter"\ninlets.feed = "east_filter.cake"\n'
        "fractions = { centre = 0.5, sale = 0.5 }\n\n"
        '[units.east_concentrate_sale]\ntype = "product"\n'
        f'inlets.feed = "{EAST_SPLIT}.sale"\nkind = "concentrate"\n\n'
        f'[units.east_haulage]\ntype = "haulage"\ninlets.feed = "{EAST_SPLIT}.centre"',
    )
    text = text.replace(f'train_splitter = "{SPLIT}"', f"train_splitter = {names}")
    text += '\n[economics.concentrate_terms.east_concentrate_sale]\nbasis = "gold_concentrate"\n'
    assert text.count(EAST_SPLIT) >= 3 and f"train_splitter = {names}" in text
    return text


@pytest.fixture(scope="module")
def both():
    from oreflow.flowsheet.case import parse_case

    return optimize(parse_case(two_splits(), str(PATH)))


def test_two_train_splitters_each_chosen_and_equal_to_the_enumeration(both):
    assert both.status == "optimal"
    assert both.meta["max_rel_diff"] <= 1e-6
    split = both.decisions["train_tph"]
    assert set(split) == {f"{s}.{o}" for s in (SPLIT, EAST_SPLIT) for o in ("centre", "sale")}
    enum = both.meta["enumeration"]
    assert enum["column"] == both.decisions["column"]
    assert enum["objective"] == pytest.approx(both.decisions["objective"], rel=1e-7)
    for s in (SPLIT, EAST_SPLIT):
        assert enum["destination_tph"][f"{s}.sale"] == pytest.approx(
            split[f"{s}.sale"], rel=1e-6, abs=1e-6
        )
    # each round is tabulated at both splits the previous one chose
    rounds = both.meta["blend"]["history"]
    for before, after in itertools.pairwise(rounds):
        assert after["tabulated_split"] == before["chosen_split"]


def test_two_train_splitters_plan_equals_an_independent_simulation(both):
    from oreflow.flowsheet.case import parse_case

    spec = parse_case(two_splits(), str(PATH))
    split = both.decisions["train_tph"]
    route = {k: ("" if v == "as written" else v) for k, v in both.decisions["route"].items()}
    fractions = {}
    for s in (SPLIT, EAST_SPLIT):
        made = split[f"{s}.centre"] + split[f"{s}.sale"]
        fractions[s] = {o: split[f"{s}.{o}"] / made for o in ("centre", "sale")}
    plan_spec = at_split(route_spec(spec, route), fractions)
    overrides = {f"{o}.rate_tph": r for o, r in both.decisions["blend_tph"].items()}
    for axis in route_axes(spec_of(spec).axes, route):
        overrides[axis.key] = both.decisions["modes"][axis.label]
    run = api.simulate(plan_spec, overrides=overrides)
    assert run.kpis["closure_max_rel"] <= 1e-9
    assert run.kpis["margin_usd_h"] == pytest.approx(both.decisions["objective"], rel=1e-6)


@pytest.mark.parametrize(
    ("names", "key"),
    [
        (f'["{SPLIT}", "east_split"]', "constraints.train_splitter[1]"),
        (f'["{SPLIT}", "{SPLIT}"]', "constraints.train_splitter[1]"),
        ('["pox"]', "constraints.train_splitter[0]"),
        ("[]", "constraints.train_splitter"),
    ],
)
def test_a_bad_train_splitter_list_is_one_clear_problem(names, key, tmp_path, capsys):
    from oreflow.cli import main
    from oreflow.errors import CaseError
    from oreflow.flowsheet.case import parse_case

    with pytest.raises(CaseError) as info:
        parse_case(two_splits(names), "bad.toml")
    (problem,) = info.value.problems
    assert (problem.file, problem.key) == ("bad.toml", key)
    path = tmp_path / "bad.toml"
    path.write_text(two_splits(names), encoding="utf-8")
    assert main(["optimize", str(path)]) == 2
    err = capsys.readouterr().err
    assert key in err and "Traceback" not in err

"""Scale rules of the plan: each site below its least scale is flagged in ``run`` and held at
it by ``optimize``; above it, nothing is said."""

import re

import pytest

from oreflow.api import optimize, simulate
from oreflow.flowsheet.case import parse_case
from oreflow.solvers.scale import sites
from oreflow.units import UNIT_TYPES
from oreflow.units.scale_rules import SCALE_RULES
from tests.conftest import CASES


def _at_rate(name: str, ore: str, rate_tph: float, extra: str = ""):
    text = (CASES / name).read_text(encoding="utf-8")
    pattern = rf"(\[ore\.{ore}\]\n(?:[a-z_]+ = .*\n)*?rate_tph = )[0-9.]+"
    text, n = re.subn(pattern, rf"\g<1>{rate_tph!r}", text)
    assert n == 1
    return parse_case(text + extra, name)


def _scale_warnings(spec) -> list[str]:
    return [w for w in simulate(spec).warnings if "least scale" in w]


def test_every_declared_site_has_a_rule_and_every_rule_a_site():
    declared = {t.scale_site for t in UNIT_TYPES.values()} - {""}
    assert declared == set(SCALE_RULES)
    for kind, rules in SCALE_RULES.items():
        assert all(r.site == kind and r.min_t_d > 0 and r.source for r in rules)


@pytest.mark.parametrize(
    ("name", "ore", "below_tph", "above_tph", "kind", "least_t_d"),
    [
        # concentrator: feed = ore rate
        ("tests/pre_ex05_rougher.toml", "feed", 20.0, 21.0, "concentrator", 500.0),
        # heap: feed = ore rate (the barren solution carries no solids)
        ("tests/cn_heap_cic.toml", "heap", 80.0, 85.0, "heap_leach", 2000.0),
        # concentrate treatment: the autoclave takes 221.6 t/d of concentrate at 181.2 t/h
        ("refractory_pox_cil.toml", "main", 150.0, 170.0, "concentrate_treatment", 200.0),
    ],
)
def test_a_site_below_its_least_scale_is_flagged_and_above_it_is_not(
    name, ore, below_tph, above_tph, kind, least_t_d
):
    below = _scale_warnings(_at_rate(name, ore, below_tph))
    assert len(below) == 1
    assert f"the {kind} " in below[0] and f"least scale of {least_t_d:.4g} t/d" in below[0]
    assert "gold industry 2025-2027" in below[0]  # the rule's source is named
    assert _scale_warnings(_at_rate(name, ore, above_tph)) == []


def test_sites_group_circuits_and_separate_satellites():
    spec = parse_case((CASES / "satellite_concentrator.toml").read_text(), "sat.toml")
    found = {(s.kind, s.units) for s in sites(spec)}
    assert found == {
        ("concentrator", ("sat_flotation",)),
        ("concentrator", ("flotation",)),
        ("concentrate_treatment", ("pox",)),
    }
    spec = parse_case((CASES / "refractory_pox_cil.toml").read_text(), "pox.toml")
    circuit = [s for s in sites(spec) if s.kind == "concentrator"]
    assert [s.units for s in circuit] == [("rougher", "scavenger", "cleaner")]


def test_a_whole_ore_autoclave_is_not_a_concentrate_plant():
    # no flotation concentrate reaches it: the 200 t/d rule does not apply
    for name in ("tests/ox_pox_acid_cil.toml", "tests/ox_pox_alkaline.toml"):
        spec = parse_case((CASES / name).read_text(), name)
        assert [s for s in sites(spec) if s.kind == "concentrate_treatment"] == []


@pytest.mark.parametrize("mode", ["report", "enforce"])
def test_the_optimizer_holds_a_site_at_its_least_scale(mode):
    # least residue is least throughput: the rule binds at 500 t/d = 20.83 t/h
    extra = (
        f'\n[constraints]\nore_tph_min = 5.0\nore_tph_max = 100.0\nscale_rules = "{mode}"\n'
        '\n[objective]\nsense = "minimize"\nkpi = "residue_tph"\n'
    )
    result = optimize(_at_rate("tests/pre_ex05_rougher.toml", "feed", 100.0, extra))
    assert result.status == "optimal"
    rate = result.decisions["ore_tph"]
    flagged = [w for w in result.plan.warnings if "least scale" in w]
    if mode == "report":
        assert rate == pytest.approx(5.0)
        assert len(flagged) == 1
    else:
        assert rate == pytest.approx(500.0 / 24.0, rel=1e-9)
        assert flagged == []
        prices = result.shadow_prices.set_index("limit")["shadow_price"]
        assert prices.loc["scale.units.rougher.site_feed_tph.min"] != 0.0


def test_a_reoptimizing_study_holds_each_scenarios_site_at_its_least_scale(tmp_path):
    """Was: study re-optimization added the envelopes but not the scale rules."""
    from oreflow.api import study

    extra = (
        "\n[constraints]\nore_tph_min = 5.0\nore_tph_max = 100.0\n"
        '\n[objective]\nsense = "minimize"\nkpi = "residue_tph"\n'
    )
    text = (CASES / "tests" / "pre_ex05_rougher.toml").read_text(encoding="utf-8") + extra
    case = tmp_path / "rougher.toml"
    case.write_text(text, encoding="utf-8")
    path = tmp_path / "scale_study.toml"
    path.write_text(
        f"""[study]
name = "scale"
mode = "reoptimize"
n_samples = 3
seed = 5
compare_kpi = "residue_tph"

[routes]
rougher = "{case.as_posix()}"

[variables.grade]
dist = "uniform"
min = 4.0
max = 6.0
key = "ore.feed.au_gpt"
""",
        encoding="utf-8",
    )
    result = study(path, workers=1)
    rates = result.results["plan.ore_tph"].to_numpy()
    assert (result.results["status"] == "optimal").all()
    assert rates == pytest.approx([500.0 / 24.0] * 3, rel=1e-9)

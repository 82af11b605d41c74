"""Operating envelopes: each declared bound trips on a plant that crosses it, and the
shipped free-milling plant as written sits inside every one."""

import json
from pathlib import Path

import pytest

import oreflow
from oreflow.cli import main
from oreflow.flowsheet.case import parse_case
from oreflow.units import UNIT_TYPES
from oreflow.units.envelopes import ENVELOPES
from tests.conftest import CASES

FM = CASES / "free_milling_cil.toml"
RP = CASES / "refractory_pox_cil.toml"
LG = CASES / "low_grade_preconcentration.toml"
TS = CASES / "carbonaceous_thiosulfate.toml"
#: The low-grade case's concentrate thickener (ahead of its CIL) as a case override.
THICKENED = "units.concentrate_thickener.underflow_solids_frac"

PLITT = (
    'model = "plitt"\ncount = 2\ndiameter_cm = 38.0\ninlet_cm = 10.0\nvortex_finder_cm = 13.0\n'
    "apex_cm = 7.5\nfree_vortex_height_cm = 110.0"
)


def _keys(result) -> set[str]:
    """``units.UNIT.METRIC:side`` of every warning of a run."""
    out = set()
    for w in result.warnings:
        key, rest = w.split(" = ", 1)
        out.add(f"{key}:{'max' if rest.split(' ')[2] == 'above' else 'min'}")
    return out


# (case, overrides, the bound that must trip) - one row per declared bound
TRIPS = [
    (FM, {"units.cyclone.d50c_um": 35.0}, "units.mill.circulating_load_frac:max"),
    (FM, {"units.cyclone.d50c_um": 35.0}, "units.mill.slurry_m3_h_per_m3:max"),
    (FM, {"units.mill.ball_fill_frac": 0.48}, "units.mill.charge_filling_frac:max"),
    (FM, {"units.mill.ball_fill_frac": 0.2}, "units.mill.charge_filling_frac:min"),
    (FM, {"units.cyclone.d50c_um": 35.0}, "units.cyclone.overflow_solids_frac:min"),
    (FM, {"units.cyclone_feed.solids_frac": 0.72}, "units.cyclone.overflow_solids_frac:max"),
    (
        FM,
        {"units.cyclone.water_to_underflow_frac": 0.12},
        "units.cyclone.underflow_solids_vol_frac:max",
    ),
    (FM, {"units.mill_feed.solids_frac": 0.97}, "units.mill_feed.solids_frac_shortfall:max"),
    (
        FM,
        {"units.thickener.underflow_solids_frac": 0.75},
        "units.thickener.underflow_solids_frac:max",
    ),
    (FM, {"units.thickener.underflow_solids_frac": 0.75}, "units.cil.pulp_solids_frac:max"),
    (LG, {THICKENED: 0.25}, "units.cil.pulp_solids_frac:min"),
    (
        FM,
        {"units.thickener.underflow_solids_frac": 0.2},
        "units.thickener.underflow_solids_excess_frac:max",
    ),
    (FM, {"units.cil.nacn_mg_l": 20.0}, "units.cil.nacn_mg_l:min"),
    (FM, {"units.cil.nacn_mg_l": 1500.0}, "units.cil.nacn_mg_l:max"),
    # oxygen holds about 39 mg/L at 25 °C against the uptake: 50 is out of reach
    (TS, {"units.ril.do_mg_l": 50.0}, "units.ril.do_shortfall_mg_l:max"),
    (RP, {"units.pox.temperature_degc": 175.0}, "units.pox.temperature_degc:min"),
    (RP, {"units.pox.temperature_degc": 240.0}, "units.pox.temperature_degc:max"),
    (RP, {"units.pox.residence_min": 30.0}, "units.pox.residence_min:min"),
    (RP, {"units.pox.residence_min": 200.0}, "units.pox.residence_min:max"),
    (RP, {"units.ccd.underflow_solids_frac": 0.75}, "units.ccd.underflow_solids_frac:max"),
    (FM, {"units.detox.wad_target_mg_l": 80.0}, "units.tailings.wad_cn_mg_l:max"),
]


@pytest.mark.parametrize(("path", "overrides", "bound"), TRIPS, ids=[t[2] for t in TRIPS])
def test_each_envelope_bound_trips(path, overrides, bound):
    result = oreflow.simulate(path, overrides=overrides)
    assert bound in _keys(result)


def test_free_milling_as_written_is_inside_every_envelope():
    assert oreflow.simulate(FM).warnings == ()


def test_plitt_cyclone_pressure_and_roping_geometry_trip(mini_case_text):
    text = mini_case_text.replace("d50c_um = 90.0", PLITT)
    inside = oreflow.simulate(parse_case(text, "plitt.toml"))
    geometry = {k for k in _keys(inside) if "pressure" in k or "spigot" in k}
    assert not geometry  # 48 kPa, spigot/vortex 0.58
    small_spigot = oreflow.simulate(parse_case(text.replace("apex_cm = 7.5", "apex_cm = 3.0"), "p"))
    assert "units.cyclone.spigot_to_vortex_ratio:min" in _keys(small_spigot)
    one = text.replace("count = 2", "count = 1").replace("inlet_cm = 10.0", "inlet_cm = 8.0")
    assert "units.cyclone.pressure_kpa:max" in _keys(oreflow.simulate(parse_case(one, "p")))
    many = text.replace("count = 2", "count = 12")
    assert "units.cyclone.pressure_kpa:min" in _keys(oreflow.simulate(parse_case(many, "p")))


def test_thickener_unit_area_trips_when_too_small(mini_case_text):
    text = mini_case_text.replace(
        '[units.cil]\ntype = "cil"\ninlets.feed = "cyclone.overflow"',
        '[units.thk]\ntype = "thickener"\ninlets.feed = "cyclone.overflow"\n'
        "underflow_solids_frac = 0.5\narea_m2 = AREA\n\n"
        '[units.water]\ntype = "product"\ninlets.feed = "thk.overflow"\n\n'
        '[units.cil]\ntype = "cil"\ninlets.feed = "thk.underflow"',
    )
    # 100 t/h = 2,400 t/d: 48 m² is 0.02 m²/(t/d), the high-rate thickener's least
    small = oreflow.simulate(parse_case(text.replace("AREA", "30.0"), "t.toml"))
    large = oreflow.simulate(parse_case(text.replace("AREA", "300.0"), "t.toml"))
    assert "units.thk.unit_area_m2_per_t_d:min" in _keys(small)
    assert "units.thk.unit_area_m2_per_t_d:min" not in _keys(large)


def test_tailings_cyanide_rules_pick_their_envelope():
    """ICMC judges the discharge's WAD cyanide; HJ 943 the total cyanide of its leachate."""
    text = FM.read_text(encoding="utf-8")
    old = '[units.tailings]\ntype = "tailings"\n'
    assert old in text
    hj = parse_case(text.replace(old, old + 'rules = "hj943"\n'), "hj.toml")
    # 80 mg/L WAD: above ICMC's 50; its leachate at L/S 10 is 80 x (W/S)/10, above 5 mg/L
    keys = _keys(oreflow.simulate(hj, overrides={"units.detox.wad_target_mg_l": 80.0}))
    assert "units.tailings.leachate_cn_limit_frac:max" in keys
    assert "units.tailings.wad_cn_mg_l:max" not in keys  # the ICMC bound is not HJ 943's
    result = oreflow.simulate(hj, overrides={"units.detox.wad_target_mg_l": 30.0})
    t = result.units.query("unit == 'tailings'").set_index("metric")["value"]
    ws = t["water_tph"] / t["solids_tph"]
    assert t["leachate_total_cn_mg_l"] == pytest.approx(30.0 * ws / 10.0, rel=1e-9)
    assert t["leachate_cn_limit_frac"] == pytest.approx(t["leachate_total_cn_mg_l"] / 5.0)
    assert _keys(result) == set()  # 30 mg/L: 3.7 mg/L leachate, within 5
    icmc = _keys(oreflow.simulate(FM, overrides={"units.detox.wad_target_mg_l": 80.0}))
    assert "units.tailings.leachate_cn_limit_frac:max" not in icmc


def test_every_declared_bound_has_a_trip_test():
    tested = {b.split(":")[0].rsplit(".", 1)[1] + ":" + b.split(":")[1] for _, _, b in TRIPS}
    tested |= {
        "spigot_to_vortex_ratio:min",
        "pressure_kpa:max",
        "pressure_kpa:min",
        "unit_area_m2_per_t_d:min",
        "leachate_cn_limit_frac:max",  # test_tailings_cyanide_rules_pick_their_envelope
        # tests/units/test_residue_metals.py (paste and tailings trip it)
        "leachate_metals_limit_frac:max",
    }
    declared = {
        f"{lim.metric}:{side}"
        for limits in ENVELOPES.values()
        for lim in limits
        for side, bound in (("max", lim.hi), ("min", lim.lo))
        if bound is not None
    }
    assert declared <= tested
    for name, limits in ENVELOPES.items():
        assert UNIT_TYPES[name].envelope == limits  # attached to the registered type
        for lim in limits:
            assert lim.source and lim.why


def test_run_reports_warnings_in_text_json_and_log(capsys, caplog, tmp_path):
    # the low-grade case's concentrate thickened only to 25 %: its leach feed cannot
    # reach 40 % by dilution, and the CIL runs below its envelope
    text = LG.read_text(encoding="utf-8")
    assert text.count("underflow_solids_frac = 0.50") == 1
    path = str(tmp_path / LG.name)
    Path(path).write_text(
        text.replace("underflow_solids_frac = 0.50", "underflow_solids_frac = 0.25"),
        encoding="utf-8",
    )
    assert main(["run", path]) == 0
    text = capsys.readouterr().out
    assert "Warnings" in text and "units.leach_feed.solids_frac_shortfall" in text
    assert main(["run", path, "--json"]) == 0
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert any("units.cil.pulp_solids_frac" in w for w in doc["warnings"])
    assert "units.leach_feed.solids_frac_shortfall" in caplog.text


def test_mixer_reports_the_solids_it_delivers_against_its_target():
    result = oreflow.simulate(LG, overrides={THICKENED: 0.25})
    mix = result.units.query("unit == 'leach_feed'").set_index("metric")["value"]
    cil = result.units.query("unit == 'cil'").set_index("metric")["value"]
    assert mix["solids_frac"] == pytest.approx(cil["pulp_solids_frac"], rel=1e-9)
    assert mix["solids_frac_shortfall"] == pytest.approx(0.40 - mix["solids_frac"], rel=1e-9)
    assert mix["solids_frac_shortfall"] > 0.1
    # as shipped, the thickener makes the target reachable: no shortfall
    shipped = oreflow.simulate(LG).units.query("unit == 'leach_feed'").set_index("metric")
    assert shipped.loc["solids_frac_shortfall", "value"] == 0.0

"""Leachable metals of the residue (oreflow.units.residue_metals): the standard leachate's
Cu, Zn, Pb, As and Ag by hand, the HJ 943 rules refusing a paste over a metal limit while
storage takes it, and the optimizer's choice moving with the limit (real HiGHS, equal to
enumeration)."""

from pathlib import Path

import numpy as np
import pytest

import oreflow
from oreflow.core.components import CATALOGUE, ComponentSet, SizeClasses
from oreflow.flowsheet.case import parse_case
from oreflow.solvers.optimize import optimize
from oreflow.units.residue_metals import (
    CUSCN_CU_MG_L,
    METAL_LIMITS,
    METALS,
    LeachableMetals,
    limit_name,
)

ROOT = Path(__file__).resolve().parents[2]
BASE = (ROOT / "cases" / "tests" / "res_residue_routes.toml").read_text(encoding="utf-8")
CU_OH2 = 63.546 / (63.546 + 2 * (15.999 + 1.008))  # Cu in Cu(OH)2


def cu_oh2_saturation_mg_l(ph: float) -> float:
    """Cu over Cu(OH)2 written out (Stumm & Morgan 1996 ch. 6 constants)."""
    h = 10.0**-ph
    betas = (-8.0, -17.3, -27.8, -39.6)
    total = 1.0 + sum(10.0**b / h ** (n + 1) for n, b in enumerate(betas))
    return 10.0**8.64 * h * h * total * 63.546e3


def _comps() -> ComponentSet:
    solids = ("gangue", "cuscn", "scorodite", "as2o3", "cu_hydroxide", "galena", "sphalerite")
    return ComponentSet(
        SizeClasses((100.0, 10.0)),
        tuple(CATALOGUE[s] for s in solids),
        tuple(CATALOGUE[s] for s in ("water", "cu_aq", "as_aq", "ag_aq")),
        (),
    )


def test_hand_computed_leachate_of_a_small_residue():
    """100 t/h of dry residue with 17.65 t/h of water at L/S 10: 1000 m3/h of leachate.

    Pore water: 10 mg/L Cu, 2 mg/L As, 0.5 mg/L Ag (all of it stays dissolved).
    Solids: CuSCN with 1 kg/h Cu (saturates at sqrt(1.77e-13) M = 0.0267 mg/L),
    scorodite with 0.2 kg/h As (0.2 mg/L, under its 0.5 mg/L), As2O3 with 3 kg/h As (all
    of it: 3 mg/L), Cu(OH)2 with 0.5 kg/h Cu (saturated at the leachate pH), galena and
    sphalerite (nothing).
    """
    comps = _comps()
    x = np.zeros((2, comps.n_comp))
    n_s = comps.n_solids_comp
    sol = {s.name: n_s + k for k, s in enumerate(comps.solution)}
    solid = {s.name: k for k, s in enumerate(comps.solids)}
    water = 0.15 / 0.85 * 100.0
    x[:, sol["water"]] = water
    x[:, sol["cu_aq"]] = 10.0 * water / 1e6
    x[:, sol["as_aq"]] = 2.0 * water / 1e6
    x[:, sol["ag_aq"]] = 0.5 * water / 1e6
    cuscn_cu = 63.546 / (63.546 + 32.06 + 12.011 + 14.007)
    scorodite_as = 74.922 / (55.845 + 74.922 + 4 * 15.999 + 2 * (2 * 1.008 + 15.999))
    as2o3_as = 2 * 74.922 / (2 * 74.922 + 3 * 15.999)
    # half of each solid in the fine class, half in the coarse: the estimate ignores size
    for c in range(comps.n_cls):
        off = c * comps.n_solid
        x[:, off + solid["cuscn"]] = 0.5 * 1e-3 / cuscn_cu
        x[:, off + solid["scorodite"]] = 0.5 * 0.2e-3 / scorodite_as
        x[:, off + solid["as2o3"]] = 0.5 * 3e-3 / as2o3_as
        x[:, off + solid["cu_hydroxide"]] = 0.5 * 0.5e-3 / CU_OH2
        x[:, off + solid["galena"]] = 0.5 * 1.0
        x[:, off + solid["sphalerite"]] = 0.5 * 1.0
    gangue = 100.0 - x[0, :n_s].sum()
    for c in range(comps.n_cls):
        x[:, c * comps.n_solid + solid["gangue"]] = 0.5 * gangue
    solids = x[:, :n_s].sum(axis=1)
    assert solids == pytest.approx([100.0, 100.0], rel=1e-12)
    ph = np.array([7.0, 9.0])
    c = LeachableMetals(comps).tenors(x, solids, x[:, sol["water"]], 10.0, ph)
    dilution = water / 1000.0
    cu = [10.0 * dilution + CUSCN_CU_MG_L + cu_oh2_saturation_mg_l(p) for p in ph]
    assert pytest.approx(np.sqrt(1.77e-13) * 63.546e3, rel=1e-12) == CUSCN_CU_MG_L
    assert c[:, METALS.index("cu")] == pytest.approx(cu, rel=1e-4)
    assert c[:, METALS.index("as")] == pytest.approx(2.0 * dilution + 0.2 + 3.0, rel=1e-4)
    assert c[:, METALS.index("ag")] == pytest.approx(0.5 * dilution, rel=1e-4)
    assert c[:, METALS.index("pb")] == pytest.approx(0.0, abs=0.0)  # galena: nothing in 18 h
    assert c[:, METALS.index("zn")] == pytest.approx(0.0, abs=0.0)
    # the hydroxide's copper falls a hundredfold from pH 7 to 9
    assert cu_oh2_saturation_mg_l(7.0) > 100.0 * cu_oh2_saturation_mg_l(9.0)
    # a wet residue whose water exceeds L/S: the leachate is its pore water, undiluted
    wet = LeachableMetals(comps).tenors(x, np.full(2, 1.0), x[:, sol["water"]], 10.0, ph)
    assert wet[0, METALS.index("ag")] == pytest.approx(0.5 + 0.0, rel=1e-3)


def _hj943(cu_limit_mg_l: float | None, share: float = 0.2, tsf: str = "") -> str:
    """Paste and TSF under HJ 943; bricks refuse every residue (1 mg/L WAD limit)."""
    text = (
        BASE
        + f"""
[units.detox.modes]
wad_target_mg_l = [2.0, 8.0]

[constraints]
residue_splitter = "split"
residue_utilisation_frac_min = {share!r}
[constraints.max]
"units.paste.solids_tph" = 60.0    # mine voids to fill [assumed]

[objective]
sense = "maximize"
kpi = "margin_usd_h"
"""
    ).replace('use = "bricks"', 'use = "bricks"\nwad_limit_mg_l = 1.0')
    paste = "binder_frac = 0.04"
    old_tsf = '[units.tsf]\ntype = "tailings"\ninlets.feed = "split.tsf"'
    assert paste in text and old_tsf in text
    cu = "" if cu_limit_mg_l is None else f"\nleachate_cu_limit_mg_l = {cu_limit_mg_l!r}"
    text = text.replace(paste, f'{paste}\nrules = "hj943"{cu}')
    return text.replace(old_tsf, f'{old_tsf}\nrules = "hj943"{tsf}')


def _metrics(text: str, wad: float):
    sim = oreflow.simulate(
        parse_case(text, "hj.toml"), overrides={"units.detox.wad_target_mg_l": wad}
    )
    return sim, sim.units.set_index(["unit", "metric"])["value"]


def test_paste_refuses_a_residue_over_its_copper_limit_and_storage_takes_it():
    """Detox to 8 mg/L WAD leaves 6.5 mg/L Cu (held by the residual cyanide): its leachate
    at L/S 10 carries about 0.12 mg/L Cu, above a 0.05 mg/L backfill limit, far below the
    100 mg/L of GB 5085.3 for storage; cyanide (0.14 mg/L) passes the paste's 0.5 mg/L."""
    sim, m = _metrics(_hj943(0.05), 8.0)
    detox = sim.units.query("unit == 'detox'").set_index("metric")["value"]
    ws = 0.15 / 0.85
    paste_solids = m["paste", "solids_tph"]
    cu_oh_g_h = (
        detox["cu_hydroxide_kg_h"]
        * CU_OH2
        * 1e3
        * paste_solids
        / (m["paste", "solids_tph"] + m["bricks", "solids_tph"] + m["tsf", "solids_tph"])
    )
    hand = detox["cu_out_mg_l"] * ws / 10.0 + min(
        cu_oh_g_h / (10.0 * paste_solids), cu_oh2_saturation_mg_l(8.0)
    )
    assert m["paste", "leachate_cu_mg_l"] == pytest.approx(hand, rel=1e-6)
    assert 0.05 < m["paste", "leachate_cu_mg_l"] < 0.5
    assert m["paste", "cyanide_ok_flag"] == 1.0
    assert m["paste", "metals_ok_flag"] == 0.0 and m["paste", "eligible_flag"] == 0.0
    assert m["paste", "leachate_metals_limit_frac"] == pytest.approx(hand / 0.05, rel=1e-6)
    # the run warns for the paste, not for the TSF that takes the same residue
    assert any("units.paste.leachate_metals_limit_frac" in w for w in sim.warnings)
    assert not [w for w in sim.warnings if "units.tsf" in w]
    assert m["tsf", "leachate_cu_mg_l"] == pytest.approx(hand, rel=1e-6)
    assert sim.kpis["tailings_leachate_cu_mg_l"] == pytest.approx(hand, rel=1e-6)
    refused = m["paste", "solids_tph"] + m["bricks", "solids_tph"]
    assert sim.kpis["residue_not_eligible_tph"] == pytest.approx(refused, rel=1e-12)
    # the 2 mg/L detox leaves 1.6 mg/L Cu: 0.034 mg/L in the leachate, within 0.05
    _, low = _metrics(_hj943(0.05), 2.0)
    assert low["paste", "metals_ok_flag"] == 1.0 and low["paste", "eligible_flag"] == 1.0
    # under the ICMC rules the metals are reported and decide nothing
    _, icmc = _metrics(_hj943(0.05).replace('rules = "hj943"', 'rules = "icmc"'), 8.0)
    assert icmc["paste", "leachate_cu_mg_l"] == pytest.approx(hand, rel=1e-6)
    assert icmc["paste", "metals_ok_flag"] == 1.0 and icmc["paste", "eligible_flag"] == 1.0


def test_storage_over_its_metal_limit_is_warned():
    sim, m = _metrics(_hj943(None, tsf="\nleachate_cu_limit_mg_l = 0.01"), 2.0)
    assert m["tsf", "leachate_metals_limit_frac"] == pytest.approx(
        m["tsf", "leachate_cu_mg_l"] / 0.01, rel=1e-12
    )
    assert any("units.tsf.leachate_metals_limit_frac" in w for w in sim.warnings)
    assert m["paste", "eligible_flag"] == 1.0  # 0.034 mg/L within the GB 8978 0.5


def test_default_limits_are_the_cited_tables():
    assert {m: v for m, (v, _) in METAL_LIMITS["storage"].items()} == {
        "cu": 100.0, "zn": 100.0, "pb": 5.0, "as": 5.0, "ag": 5.0,
    }  # fmt: skip
    assert {m: v for m, (v, _) in METAL_LIMITS["backfill"].items()} == {
        "cu": 0.5, "zn": 2.0, "pb": 1.0, "as": 0.5, "ag": 0.5,
    }  # fmt: skip
    for table in METAL_LIMITS.values():
        assert set(table) == set(METALS)
        for _, source in table.values():
            assert "GB" in source
    assert limit_name("cu") == "leachate_cu_limit_mg_l"


@pytest.mark.solver
def test_copper_limit_changes_the_optimizers_choice():
    """A real HiGHS solve: with 20 % of the residue to be used and backfill the only use,
    the default 0.5 mg/L Cu limit lets the cheaper 8 mg/L detox feed the paste; at
    0.05 mg/L that residue (0.12 mg/L Cu) is refused and the plan moves to the 2 mg/L
    detox; each plan equals the enumeration of the same columns."""
    loose, strict = (
        optimize(parse_case(_hj943(None), "a.toml")),
        optimize(parse_case(_hj943(0.05), "b.toml")),
    )
    assert loose.status == strict.status == "optimal"
    for result in (loose, strict):
        kpis = result.plan.kpis
        assert kpis["residue_utilisation_frac"] == pytest.approx(0.2, rel=1e-6)
        assert kpis["residue_not_eligible_tph"] == pytest.approx(0.0, abs=1e-9)
        enum = result.meta["enumeration"]
        assert enum["column"] == result.decisions["column"]
        assert enum["objective"] == pytest.approx(result.decisions["objective"], rel=1e-9)
    assert loose.decisions["modes"]["units.detox.wad_target_mg_l"] == 8.0
    assert strict.decisions["modes"]["units.detox.wad_target_mg_l"] == 2.0
    assert strict.plan.kpis["margin_usd_h"] < loose.plan.kpis["margin_usd_h"]
    assert strict.plan.kpis["tailings_leachate_cu_mg_l"] < 0.05


@pytest.mark.solver
def test_storage_metal_limit_is_a_limit_in_optimize():
    """Without split decisions the TSF's metal envelope is a limit: a 0.05 mg/L Cu limit
    on the stored residue's leachate moves the plan from the 8 to the 2 mg/L detox."""
    base = BASE + (
        "\n[units.detox.modes]\nwad_target_mg_l = [2.0, 8.0]\n\n"
        '[objective]\nsense = "maximize"\nkpi = "margin_usd_h"\n'
    )
    old_tsf = '[units.tsf]\ntype = "tailings"\ninlets.feed = "split.tsf"'
    strict_text = base.replace(
        old_tsf, f'{old_tsf}\nrules = "hj943"\nleachate_cu_limit_mg_l = 0.05'
    )
    loose = optimize(parse_case(base, "a.toml"))
    strict = optimize(parse_case(strict_text, "b.toml"))
    assert loose.status == strict.status == "optimal"
    assert loose.decisions["modes"]["units.detox.wad_target_mg_l"] == 8.0
    assert strict.decisions["modes"]["units.detox.wad_target_mg_l"] == 2.0
    assert (
        strict.plan.kpis["tailings_leachate_cu_mg_l"]
        < 0.05
        < (loose.plan.kpis["tailings_leachate_cu_mg_l"])
    )
    assert not [w for w in strict.plan.warnings if "leachate_metals" in w]

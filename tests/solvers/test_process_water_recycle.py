"""Cyanide-bearing process water recycled from the tailings thickener (issue 15).

copper_gold_cil sends its CIL tails straight to detox; the variant here thickens them
(60 % solids) and returns the overflow to the cyclone feed, a ``recycle`` share of it,
the ``bleed`` joining the underflow to detox. The recycle is a tear stream of the
plant's recycle block; the water KPIs count it as recycled water, and
``recycled_<species>_mg_l`` the copper, thiocyanate and cyanide it brings back.
cases/copper_gold_water_recycle.toml ships the 90 % point; copper_gold_sart does the
same through SART, which takes the copper out.
"""

from pathlib import Path

import numpy as np
import pytest

import oreflow
from oreflow.conventions import RTOL_CLOSURE
from oreflow.flowsheet.case import parse_case

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "cases"


def recycle_text(recycle_frac: float) -> str:
    text = (CASES / "copper_gold_cil.toml").read_text(encoding="utf-8")
    ret = 'inlets.return_water = "thickener.overflow"\n'
    detox = '[units.detox]\ntype = "inco_detox"\ninlets.feed = "cil.tails"\n'
    for old, new in (
        (ret, ret + 'inlets.process_water = "tails_water.recycle"\n'),
        (
            detox,
            '[units.tails_thickener]\ntype = "thickener"\ninlets.feed = "cil.tails"\n'
            "underflow_solids_frac = 0.60\n\n"
            '[units.tails_water]\ntype = "splitter"\ninlets.feed = "tails_thickener.overflow"\n'
            f"fractions.recycle = {recycle_frac!r}\nfractions.bleed = {1.0 - recycle_frac!r}\n\n"
            '[units.detox_feed]\ntype = "mixer"\ninlets.underflow = "tails_thickener.underflow"\n'
            'inlets.bleed = "tails_water.bleed"\n\n'
            '[units.detox]\ntype = "inco_detox"\ninlets.feed = "detox_feed.out"\n',
        ),
    ):
        assert old in text
        text = text.replace(old, new, 1)
    return text


def _cil(result):
    return result.units.query("unit == 'cil'").set_index("metric")["value"]


SHIPPED = CASES / "copper_gold_water_recycle.toml"


def test_shipped_case_is_copper_gold_cil_with_90_percent_recycled():
    shipped = SHIPPED.read_text(encoding="utf-8")
    built = recycle_text(0.9)
    start = "[case.sizes]"
    assert shipped[shipped.index(start) :] == built[built.index(start) :]


@pytest.fixture(scope="module")
def runs():
    base = oreflow.simulate(CASES / "copper_gold_cil.toml")
    recycled = {
        f: oreflow.simulate(parse_case(recycle_text(f), f"recycle_{f}.toml")) for f in (0.5, 1.0)
    }
    recycled[0.9] = oreflow.simulate(SHIPPED)
    return base, recycled


def test_recycle_saves_fresh_water_and_cyanide_and_builds_up_copper_and_scn(runs):
    base, recycled = runs
    seq = [base, recycled[0.5], recycled[0.9], recycled[1.0]]
    for r in seq:
        assert r.kpis["closure_max_rel"] < RTOL_CLOSURE  # the recycle's steady state
    fresh = [r.kpis["water_m3_t"] for r in seq]
    nacn = [r.kpis["use_nacn_kg_t"] for r in seq]
    smbs = [r.kpis["use_smbs_kg_t"] for r in seq]
    cu = [_cil(r)["tails_cu_mg_l"] for r in seq]
    scn = [_cil(r)["tails_scn_mg_l"] for r in seq]
    assert np.all(np.diff(fresh) < 0) and np.all(np.diff(nacn) < 0) and np.all(np.diff(smbs) < 0)
    assert np.all(np.diff(cu) > 0) and np.all(np.diff(scn) > 0)
    # measured: 0.959 -> 0.659 (90 %) -> 0.625 (100 %) m3/t fresh, 1.858 -> 1.708 -> 1.691
    # kg/t NaCN, Cu 347 -> 489 -> 513 mg/L (the shipped case's header gives the 90 % point;
    # with the mill's worn steel in the balance since issue 15: +0.1 % water, -0.5 mg/L Cu)
    assert fresh[2] == pytest.approx(0.659, abs=5e-4) and fresh[3] < 0.7 * fresh[0]
    assert nacn[2] == pytest.approx(1.708, abs=5e-4) and nacn[3] < 0.93 * nacn[0]
    assert cu[2] == pytest.approx(489.4, abs=0.5) and cu[3] > 1.4 * cu[0]
    k0, k1 = base.kpis, recycled[1.0].kpis
    assert k1["water_recycled_m3_h"] > k0["water_recycled_m3_h"] + 100.0
    assert k1["recycled_cu_aq_mg_l"] > k0["recycled_cu_aq_mg_l"]
    assert k1["recycled_scn_mg_l"] > 0.0 == k0["recycled_scn_mg_l"]


def test_sart_on_the_recycle_holds_copper_but_not_thiocyanate(runs):
    base, recycled = runs
    sart = oreflow.simulate(CASES / "copper_gold_sart.toml")
    c0, c_sart, c_rec = _cil(base), _cil(sart), _cil(recycled[1.0])
    assert c_sart["tails_cu_mg_l"] < c0["tails_cu_mg_l"] * 1.02  # SART takes the copper out
    assert c_sart["tails_cu_mg_l"] < c_rec["tails_cu_mg_l"]
    assert c_sart["tails_scn_mg_l"] == pytest.approx(c_rec["tails_scn_mg_l"], rel=0.01)
    assert sart.kpis["use_nacn_kg_t"] < recycled[1.0].kpis["use_nacn_kg_t"]
    assert sart.kpis["water_m3_t"] == pytest.approx(recycled[1.0].kpis["water_m3_t"], rel=0.01)


def test_the_process_water_loop_converges_or_names_its_tear_stream():
    from oreflow.errors import ConvergenceError
    from oreflow.flowsheet.compile import compile_case
    from oreflow.solvers.simulate import simulate_plant

    plant = compile_case(parse_case(recycle_text(0.9), "recycle.toml"))
    block = next(b for b in plant.topology.blocks if "tails_water" in b.nodes)
    assert block.tears and "cil" in block.nodes  # the leach sits inside the water loop
    sim = simulate_plant(plant)
    # one solve of the block's tears together (measured: 40 iterations)
    assert 1 < sim.iterations[",".join(block.tears)] < 200
    with pytest.raises(ConvergenceError) as info:
        simulate_plant(plant, max_iter=3, direct=False)
    err = info.value
    assert err.stream in {t for b in plant.topology.blocks for t in b.tears}
    assert err.stream in str(err)

"""An open carbon circuit's barren carbon is no richer than the carbon the train loads.

The fresh carbon of a CIL without a ``carbon`` inlet stands for what an elution outside
the flowsheet returns, at ``barren_carbon_au_g_t``. With no ore, that carbon used to
desorb into the pulp's solution (low_grade_preconcentration: -3.4e-5 g/h of gold
"produced", the gold leaving in the tailings). An elution only takes gold off the
carbon: where the train would load less than the set barren loading, the barren loading
is the one the train returns unchanged.
"""

from pathlib import Path

import numpy as np
import pytest

import oreflow
from oreflow.errors import ConvergenceError
from oreflow.flowsheet.case import load_case
from oreflow.flowsheet.compile import compile_case
from oreflow.solvers.simulate import CLOSURE_GATE_REL, simulate_plant
from oreflow.units.adsorption_rate import barren_at_most_loaded

CASES = Path(__file__).resolve().parents[2] / "cases"
PER_OUNCE = ("cost_usd_oz", "c1_usd_oz", "co2_kg_oz")


def _cil(result):
    return result.units.query("unit == 'cil'").set_index("metric")["value"]


@pytest.mark.parametrize("name", ["low_grade_preconcentration", "free_milling_cil"])
def test_no_ore_produces_no_gold_and_closes(name):
    r = oreflow.simulate(CASES / f"{name}.toml", overrides={"ore.main.rate_tph": 0.0})
    k = r.kpis
    assert k["ore_tph"] == 0.0 and k["au_feed_g_h"] == 0.0
    assert abs(k["gold_produced_g_h"]) <= 1e-12
    assert k["closure_max_rel"] <= CLOSURE_GATE_REL
    cil = _cil(r)
    assert cil["barren_carbon_au_g_t"] == 0.0 and cil["loaded_carbon_au_g_t"] == 0.0
    assert r.streams.loc["cil.tails", "au_g_h"] == 0.0  # nothing off the carbon
    # per ounce of no gold: NaN, as every KPI divided by a production of 0 (safe_div)
    for key in PER_OUNCE:
        if key in k.index:
            assert np.isnan(k[key]), key
    assert np.isfinite(k["operating_cost_usd_h"])


def test_a_trickle_of_ore_loads_the_carbon_as_it_comes_and_design_keeps_the_set_barren():
    plant = compile_case(load_case(CASES / "low_grade_preconcentration.toml"))
    rates = np.array([1e-6, 400.0, 0.0])
    batch = simulate_plant(plant, n_cases=3, overrides={"ore.main.rate_tph": rates})
    cil = batch.units["cil"].metrics
    # a trickle: the carbon leaves as loaded as it came, gold neither made nor lost on it
    assert 0.0 < cil["barren_carbon_au_g_t"][0] < 50.0
    assert cil["loaded_carbon_au_g_t"][0] == pytest.approx(
        cil["barren_carbon_au_g_t"][0], rel=1e-12
    )
    # design: the set 50 g/t, and the carbon the case loads alone (to the round-off a
    # batch's grinding iterates leave)
    assert cil["barren_carbon_au_g_t"][1] == 50.0 and cil["loaded_carbon_au_g_t"][1] > 50.0
    alone = simulate_plant(plant)
    for name in ("cil.loaded_carbon", "cil.tails"):
        np.testing.assert_allclose(batch.streams[name][1], alone.streams[name][0], rtol=1e-12)
    assert cil["barren_carbon_au_g_t"][2] == 0.0


def test_the_barren_loading_is_the_train_s_fixed_point():
    # a linear train L(b) = a + c b per case and metal: where L(B) < B, b = a / (1 - c)
    # exactly; where the carbon loads above B, B and the first result are kept
    a = np.array([[0.0, 2.0], [10.0, 0.0], [80.0, 10.0]])
    c = np.array([[0.999, 0.5], [0.6, 0.9], [0.7, 0.2]])
    barren = np.array([[50.0, 5.0], [50.0, 5.0], [50.0, 5.0]])
    calls = []

    def train(b, rows):
        calls.append(b.copy())
        loading = (a[rows] + c[rows] * b)[:, None, :] * np.ones((1, 3, 1))
        return np.zeros((rows.size, 3, 2)), loading, np.zeros((rows.size, 3)), None

    first = train(barren, np.arange(3))
    (_, loading, _, its), b = barren_at_most_loaded(train, barren, first)
    expected = np.array([[0.0, 4.0], [25.0, 0.0], [50.0, 5.0]])
    np.testing.assert_allclose(b, expected, rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(
        loading[:, 0, :], np.where(b < barren, b, a + c * barren), rtol=1e-13
    )
    assert its is None and len(calls) <= 4
    assert all(len(b) == 2 for b in calls[1:])  # only the open rows 0 and 1 run again
    # row 2 loads above B in both metals: its result is the first call's, untouched
    assert np.array_equal(loading[2], first[1][2])


def _one_metal(loaded):
    """A train of one case and metal loading ``loaded(b)`` [g/t] at barren ``b``."""
    calls = []

    def train(b, rows):
        calls.append(float(b[0, 0]))
        return None, loaded(b)[:, None, :], None, None

    return train, calls


@pytest.mark.parametrize("noise", [1e-10, 1e-9])
def test_a_noisy_train_keeps_the_bracket_and_finds_the_root_to_the_noise(noise):
    # the inner solver settled to `noise` only: the secant wandered on it and came back
    # after 30 runs with its last iterate; the bracket [0, B] holds the root
    rng = np.random.default_rng(0)
    train, calls = _one_metal(lambda b: 0.5 * b + 0.3 + noise * rng.standard_normal(b.shape))
    barren = np.array([[1.0]])
    (_, loading, _, _), b = barren_at_most_loaded(train, barren, train(barren, np.arange(1)))
    assert abs(b[0, 0] - 0.6) <= 20 * noise  # the root of 0.5 b + 0.3 = b, to the noise
    assert abs(loading[0, 0, 0] - b[0, 0]) <= 5 * noise
    assert len(calls) <= 20  # the secant used all its 30 runs on the noise


def test_a_train_loading_non_monotonically_gets_a_root_in_the_bracket():
    # carbon competition can make L(b) non-monotone: the secant left [0, B] and came back
    # with b = 0 and L(0) - 0 = 0.01 after 30 runs, silently
    train, _ = _one_metal(lambda b: 0.45 * np.sin(3.0 * np.pi * b) ** 2 + 0.01)
    barren = np.array([[1.0]])
    (_, loading, _, _), b = barren_at_most_loaded(train, barren, train(barren, np.arange(1)))
    assert 0.0 < b[0, 0] < 1.0
    assert abs(loading[0, 0, 0] - b[0, 0]) <= 2e-12


def test_a_train_with_no_fixed_point_names_the_unit_and_the_residual():
    # L jumps across b = L(b): no root, the error says so instead of a silent last iterate
    train, _ = _one_metal(lambda b: np.where(b < 0.4, 0.5, 0.3))
    barren = np.array([[1.0]])
    with pytest.raises(
        ConvergenceError, match=r"'leach_cil\.loaded_carbon'.*barren carbon au.*residual 1\.0"
    ):
        barren_at_most_loaded(
            train, barren, train(barren, np.arange(1)), "leach_cil", ("au",), max_iter=20
        )

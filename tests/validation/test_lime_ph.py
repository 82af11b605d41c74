"""Lime answers the pH it holds (issue 12: the lime-pH link).

Was: ``lime_kg_t`` was a constant, so a study or an optimizer could raise the CIL's pH
(less HCN, a faster leach) for free. The lime taken now doubles for every
``lime_ph_doubling`` of pH above ``lime_ref_ph`` (an exponential stand-in for the ore's
titration curve [assumed form]); at the reference pH nothing changes.
"""

from pathlib import Path

import numpy as np
import pytest

import oreflow

CASE = Path(__file__).resolve().parents[2] / "cases" / "free_milling_cil.toml"
PH = [10.0, 10.5, 11.0, 11.5]


def _metric_of(result, unit, name):
    units = result.units
    row = units[(units["unit"] == unit) & (units["metric"] == name)]
    return float(row["value"].iloc[0])


def _metric(result, name):
    return _metric_of(result, "cil", name)


@pytest.fixture(scope="module")
def by_ph():
    return [oreflow.simulate(CASE, overrides={"units.cil.ph": ph}) for ph in PH]


def test_lime_doubles_per_half_a_ph_unit_and_is_unchanged_at_the_reference(by_ph):
    lime = np.array([_metric(r, "use_lime_kg_h") for r in by_ph])
    # the CIL's feed solids: the ore and the mill's worn steel (oreflow.units.media_wear)
    worn_tph = _metric_of(by_ph[1], "mill", "use_media_kg_h") / 1000.0
    solids_tph = by_ph[1].kpis["ore_tph"] + worn_tph
    assert lime[1] == pytest.approx(1.0 * solids_tph, rel=1e-9)  # 1 kg/t at pH 10.5
    np.testing.assert_allclose(lime[1:] / lime[:-1], 2.0, rtol=1e-12)


def test_higher_ph_leaches_faster_and_costs_lime(by_ph):
    rate = np.array([_metric(r, "leach_rate_factor") for r in by_ph])
    assert np.all(np.diff(rate) > 0.0)  # more cyanide as CN- (HCN pKa 9.2 at 25 °C)
    cost = np.array([r.kpis["operating_cost_usd_t"] for r in by_ph])
    assert cost[3] > cost[1]  # pH 11.5 takes 4 times the lime of pH 10.5

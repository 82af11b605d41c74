"""Shared set-up of the one-lever optimum tests: the free-milling CIL cut to one axis.

``test_cyanide_optimum``, ``test_oxygen_optimum`` and ``tests/units/test_cil_slurry_heat``
each give the shipped ``free_milling_cil`` one grid of one leach lever (cyanide, dissolved
oxygen, slurry temperature) with its other modes cut (grind energy 13 kWh/t, cyclone and
leach time as written), and check that ``oreflow.optimize`` chooses the level an
enumeration at the optimizer's ore rate finds best (real HiGHS).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oreflow.api import optimize, simulate_batch

CIL_CASE = Path(__file__).resolve().parents[2] / "cases" / "free_milling_cil.toml"


def cil_cut_to_one_axis(text: str, axis: str | None = None) -> str:
    """``free_milling_cil``'s text with the grind, cyclone and leach-time modes cut.

    ``axis`` (e.g. ``"do_mg_l = [4.0, 8.0]"``) replaces the cyanide grid; None keeps it.
    """
    text = re.sub(r"specific_energy_kwh_t = \[[^\]]*\]", "specific_energy_kwh_t = [13.0]", text)
    text = text.replace(
        "design_p80_um = 75.0\n", "design_p80_um = 75.0\nspecific_energy_kwh_t = 13.0\n"
    )
    text = re.sub(r"\[units\.cyclone\.modes\][^\n]*\n[^\n]*\n", "", text)
    text = re.sub(r"residence_h = \[[^\]]*\]\n", "", text)
    if axis is not None:
        text = re.sub(r"nacn_mg_l = \[[^\]]*\]\n", f"{axis}\n", text)
        assert axis in text
    return text


def choice_equals_enumeration(
    case: Path, key: str, grid: list[float], wad_limit_mg_l: float | None = 50.0
) -> tuple[float, pd.DataFrame]:
    """Optimize ``case``; assert its level of ``key`` is the enumeration's best; return both.

    The enumeration simulates every level of ``grid`` at the optimizer's ore rate; levels
    whose tailings WAD cyanide breaks ``wad_limit_mg_l`` (the case's limit) do not count.
    """
    result = optimize(case)
    assert result.status == "optimal"
    level = result.decisions["modes"][key]
    ore = result.decisions["ore_tph"]
    enum = simulate_batch(case, {key: np.array(grid), "ore.main.rate_tph": ore})
    margin = enum["margin_usd_h"].to_numpy()
    if wad_limit_mg_l is not None:
        ok = enum["tailings_wad_cn_mg_l"].to_numpy() <= wad_limit_mg_l + 1e-9
        margin = np.where(ok, margin, -np.inf)
    assert grid[int(np.argmax(margin))] == level
    assert result.decisions["objective"] == pytest.approx(float(margin.max()), rel=1e-6)
    return level, enum


def with_economics(text: str, key: str, value: float) -> str:
    """A case's text with ``[economics]`` ``key`` set to ``value`` (any line of it dropped)."""
    text = re.sub(rf"(?m)^{re.escape(key)} = .*$", "", text)
    return text.replace("[economics]\n", f"[economics]\n{key} = {value}\n", 1)


def levels_by_price(
    case_at: Callable[[float], Path],
    key: str,
    grid: list[float],
    prices: tuple[float, ...],
    wad_limit_mg_l: float | None = 50.0,
) -> dict[float, tuple[float, pd.DataFrame]]:
    """At each price, the case ``case_at(price)`` writes: the level chosen (checked against
    the enumeration by ``choice_equals_enumeration``) and the enumeration."""
    return {
        price: choice_equals_enumeration(case_at(price), key, grid, wad_limit_mg_l)
        for price in prices
    }

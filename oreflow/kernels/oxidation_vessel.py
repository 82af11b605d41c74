"""Balances of an oxidation vessel (autoclave or bio-oxidation tank train).

Oxygen and reaction heat of the sulfur and carbon oxidised; the conversion of the
mineral hosting sulfide-locked gold, which frees it (Marsden & House 2006, *The
Chemistry of Gold Extraction*, 2nd ed., SME, ch. 5: gold extraction follows sulfide
oxidation); and the heat balance. The reaction heat of the sulfides and carbon oxidised is set against the sensible heat
that raises the feed slurry to the operating temperature plus losses
(``oreflow.kernels.oxidation.slurry_heat_mj_h``; Thomas 2005, *Advances in Gold Ore
Processing*, Dev. Miner. Process. 15, ch. on pressure oxidation; standard enthalpies
from Wagman et al. 1982, NBS tables). A surplus is removed by cooling or by quench
water (the water that, heated from its own temperature to the operating one, takes the
surplus away); a deficit is the heat direct steam or a hotter feed must bring. The
autothermal feed temperature is the feed temperature at which the reaction heat alone
would hold the vessel at temperature.
"""

from __future__ import annotations

import numpy as np

from oreflow.kernels.arrays import safe_div


def heat_balance(
    heat_gen_mj_h: np.ndarray,
    solids_tph: np.ndarray,
    water_tph: np.ndarray,
    feed_temperature_degc: np.ndarray,
    temperature_degc: np.ndarray,
    solids_cp_kj_kg_k: np.ndarray,
    water_cp_kj_kg_k: np.ndarray,
    loss_frac: np.ndarray,
    quench_temperature_degc: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Heat required, surplus, deficit, quench water and autothermal feed temperature.

    Parameters
    ----------
    heat_gen_mj_h : (n,) float64
        Reaction heat released [MJ/h].
    solids_tph, water_tph : (n,) float64
        Dry solids and water flows of the feed [t/h].
    feed_temperature_degc, temperature_degc : (n,) float64
        Feed and operating temperature [°C].
    solids_cp_kj_kg_k, water_cp_kj_kg_k : (n,) float64
        Heat capacities [kJ/(kg K)].
    loss_frac : (n,) float64
        Losses as a fraction of the sensible heat [-].
    quench_temperature_degc : (n,) float64 or None
        Temperature of the quench water that takes a surplus away; None: the surplus
        is removed by cooling and no water is added.

    Returns
    -------
    heat_req : (n,) float64
        Heat to raise the feed to temperature, losses included [MJ/h].
    surplus, deficit : (n,) float64
        Reaction heat above, and below, ``heat_req`` [MJ/h].
    quench_tph : (n,) float64
        Quench water added [t/h] (0 without quench, or where the quench water is not
        colder than the vessel).
    t_auto_degc : (n,) float64
        Feed temperature at which the reaction heat just holds the vessel at
        temperature [°C] (may be negative: the heat would carry a colder feed).

    Examples
    --------
    >>> one = np.ones(1)
    >>> req, surplus, deficit, quench, t_auto = heat_balance(
    ...     np.array([1000.0]), one, one, 25.0 * one, 210.0 * one, one, 4.0 * one,
    ...     0.0 * one, 25.0 * one)
    >>> float(req[0]), float(surplus[0]), float(deficit[0])
    (925.0, 75.0, 0.0)
    >>> round(float(quench[0]), 6), float(t_auto[0])
    (0.101351, 10.0)
    """
    # imported here: the oxidation kernels compile with numba, which ``import oreflow``
    # must not load
    from oreflow.kernels.oxidation import slurry_heat_mj_h

    heat_req = slurry_heat_mj_h(
        solids_tph,
        water_tph,
        feed_temperature_degc,
        temperature_degc,
        solids_cp_kj_kg_k,
        water_cp_kj_kg_k,
        loss_frac,
    )
    surplus = np.maximum(heat_gen_mj_h - heat_req, 0.0)
    deficit = np.maximum(heat_req - heat_gen_mj_h, 0.0)
    quench = np.zeros(np.shape(heat_gen_mj_h))
    if quench_temperature_degc is not None:
        d_t = temperature_degc - quench_temperature_degc
        quench = safe_div(surplus, water_cp_kj_kg_k * d_t, where=d_t > 0)
    capacity = (solids_tph * solids_cp_kj_kg_k + water_tph * water_cp_kj_kg_k) * (
        1.0 + loss_frac
    )  # MJ/(h K)
    t_auto = temperature_degc - safe_div(heat_gen_mj_h, capacity)
    return heat_req, surplus, deficit, quench, t_auto


def oxygen_and_heat(
    s_oxidised_tph: np.ndarray,
    o2_mol_per_mol_s: np.ndarray,
    heat_mj_kg_s: np.ndarray,
    carbon_burnt_tph: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Stoichiometric oxygen [t/h] and reaction heat [MJ/h] of the oxidation.

    Parameters
    ----------
    s_oxidised_tph : (n, n_mineral) float64
        Sulfide sulfur oxidised of each mineral [t/h].
    o2_mol_per_mol_s : (n_mineral,) float64
        O2 per S of each mineral's oxidation [mol/mol]
        (``oreflow.kernels.oxidation.O2_MOL_PER_MOL_S``).
    heat_mj_kg_s : (n, n_mineral) float64
        Reaction heat per kg of each mineral's S [MJ/kg S].
    carbon_burnt_tph : (n,) float64
        Organic carbon burnt to CO2 [t/h].
    """
    from oreflow.kernels import oxidation as kox

    o2 = (s_oxidised_tph * o2_mol_per_mol_s).sum(
        axis=1
    ) * kox.M_O2 / kox.M_S + carbon_burnt_tph * kox.O2_T_PER_T_C
    heat = (s_oxidised_tph * heat_mj_kg_s).sum(axis=1) * 1000.0
    heat = heat + carbon_burnt_tph * 1000.0 * kox.HEAT_MJ_PER_KG_C
    return o2, heat


def host_conversion(
    extent: np.ndarray, s_feed_cls: np.ndarray, host: int | None = None
) -> np.ndarray:
    """Conversion of the host of the sulfide-locked gold, per case and size class.

    Parameters
    ----------
    extent : (n, n_cls, n_mineral) float64
        Fraction of each mineral oxidised.
    s_feed_cls : (n, n_cls, n_mineral) float64
        Sulfide sulfur fed per class and mineral [t/h].
    host : int or None
        The mineral hosting the gold; None: the sulfides together, their conversion
        weighted by sulfur in each class (the first mineral's where a class has none).

    Examples
    --------
    >>> ext = np.array([[[0.5, 1.0], [0.2, 0.4]]])
    >>> s = np.array([[[1.0, 3.0], [0.0, 0.0]]])
    >>> host_conversion(ext, s)
    array([[0.875, 0.2  ]])
    >>> host_conversion(ext, s, 1)
    array([[1. , 0.4]])
    """
    if host is not None:
        return extent[:, :, host]
    s_cls = s_feed_cls.sum(axis=2)
    weighted = (s_feed_cls * extent).sum(axis=2)
    return np.where(s_cls > 0, weighted / np.where(s_cls > 0, s_cls, 1.0), extent[:, :, 0])

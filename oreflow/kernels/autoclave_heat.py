"""Heat balance of an oxidation vessel (autoclave or bio-oxidation tank train).

The reaction heat of the sulfides and carbon oxidised is set against the sensible heat
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

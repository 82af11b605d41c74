"""Oxygen and air for sparged leach tanks: what the tanks consume, what is supplied, the blower.

Plain NumPy on per-case arrays (called once per batch by the leach units).

**Consumed.** The tanks take the oxygen the pulp uses, ``OUR x solids held`` (the ore's
uptake per tonne of solids per hour times the tonnes in the tanks, ``solids_tph x
residence_h``), plus the oxygen dissolved in the solution that leaves them
(``DO x solution_m3_h``); the feed is taken to arrive without dissolved oxygen
[assumed, the conservative side].

**Supplied.** Only a share of the oxygen blown in dissolves: the transfer efficiency.
At a dissolved oxygen ``C`` it falls with the driving force,
``OTE = SOTE (C*_d − C) / C*_d``, the field correction of a clean-water transfer
efficiency in diffused aeration (ASCE Standard 2-91, Measurement of oxygen transfer in
clean water, and Metcalf & Eddy, Wastewater Engineering, as stated by secondary design
calculators; alpha, beta and temperature factors taken as 1 [assumed]). ``C*_d`` is the
saturation under the sparged gas at mid-depth, the surface saturation times
``(P_atm + rho g h / 2) / P_atm`` (Henry's law on the gas's oxygen partial pressure
at half the sparger's submergence, the mid-depth convention of aeration design
[assumed]). Oxygen supplied = consumed / OTE.

**Air and the blower.** Air carries 20.95 % O2 by volume, 0.2992 kg O2 per Nm³
(O2 1.4276 kg/Nm³ at 0 °C and 1 atm: 31.998 g/mol over 22.414 L/mol). The blower
raises it from the atmosphere to the sparger's hydrostatic head plus the pipe and
sparger losses, adiabatic compression of an ideal gas
``P = k/(k−1) P1 Q1 ((P2/P1)^((k−1)/k) − 1) / eta``, k = 1.4 (the same equation as
the flotation blowers of :mod:`oreflow.solvers.bulk_utilities`; e.g. Perry's Chemical
Engineers' Handbook, compressors), ``Q1`` at the intake temperature.
"""

from __future__ import annotations

import numpy as np

from oreflow.kernels.arrays import safe_div
from oreflow.kernels.cyanidation import AIR_O2_FRAC, ATM_KPA, O2_G_MOL

#: Molar volume of an ideal gas at 0 °C and 1 atm [L/mol].
NORMAL_L_MOL = 22.414
#: Oxygen density at 0 °C and 1 atm [kg/Nm³].
O2_KG_NM3 = O2_G_MOL / NORMAL_L_MOL
#: Oxygen carried by one normal cubic metre of air [kg/Nm³].
AIR_O2_KG_NM3 = AIR_O2_FRAC * O2_KG_NM3
#: Ratio of specific heats of air [-].
AIR_GAMMA = 1.4
#: Standard gravity [m/s²].
G_M_S2 = 9.80665
_T0_K = 273.15


def oxygen_consumed_kg_h(
    uptake_g_t_h: np.ndarray,
    solids_held_t: np.ndarray,
    do_mg_l: np.ndarray,
    solution_m3_h: np.ndarray,
) -> np.ndarray:
    """Oxygen the tanks consume [kg/h]: the ore's uptake plus the DO carried out.

    Examples
    --------
    >>> float(oxygen_consumed_kg_h(5.0, 1000.0, 8.0, 500.0))  # 5 kg/h + 4 kg/h
    9.0
    """
    uptake = np.asarray(uptake_g_t_h, dtype=np.float64) * np.asarray(solids_held_t)
    return (uptake + np.asarray(do_mg_l, dtype=np.float64) * np.asarray(solution_m3_h)) / 1000.0


def hydrostatic_kpa(pulp_t_m3: np.ndarray, depth_m: np.ndarray) -> np.ndarray:
    """Pressure of ``depth_m`` of pulp of density ``pulp_t_m3`` [kPa], ``rho g h``."""
    return np.asarray(pulp_t_m3, dtype=np.float64) * G_M_S2 * np.asarray(depth_m)


def mid_depth_saturation_mg_l(surface_mg_l: np.ndarray, head_kpa: np.ndarray) -> np.ndarray:
    """Saturation at half the sparger's submergence [mg/L] (Henry's law on total pressure)."""
    return (
        np.asarray(surface_mg_l, dtype=np.float64)
        * (ATM_KPA + 0.5 * np.asarray(head_kpa))
        / ATM_KPA
    )


def transfer_efficiency(
    sote_frac: np.ndarray, do_mg_l: np.ndarray, saturation_mg_l: np.ndarray
) -> np.ndarray:
    """Share of the oxygen blown in that dissolves at ``do_mg_l``, ``SOTE (C* − C)/C*`` [-].

    Examples
    --------
    >>> round(float(transfer_efficiency(0.1, 4.0, 16.0)), 12)
    0.075
    """
    sat = np.asarray(saturation_mg_l, dtype=np.float64)
    force = safe_div(np.maximum(sat - np.asarray(do_mg_l), 0.0), sat)
    return np.asarray(sote_frac, dtype=np.float64) * force


def oxygen_supplied_kg_h(consumed_kg_h: np.ndarray, efficiency: np.ndarray) -> np.ndarray:
    """Oxygen blown in [kg/h]: consumed over the transfer efficiency (inf where it is 0)."""
    return safe_div(consumed_kg_h, efficiency, fill=np.inf)


def air_nm3_h(o2_supplied_kg_h: np.ndarray) -> np.ndarray:
    """Air that carries ``o2_supplied_kg_h`` [Nm³/h] (20.95 % O2 by volume).

    Examples
    --------
    >>> round(float(air_nm3_h(299.2)), 0)
    1000.0
    """
    return np.asarray(o2_supplied_kg_h, dtype=np.float64) / AIR_O2_KG_NM3


def blower_kw(
    air_nm3_h_: np.ndarray, delta_kpa: np.ndarray, intake_temp_c: np.ndarray, efficiency: np.ndarray
) -> np.ndarray:
    """Shaft power of an adiabatic blower [kW] raising air by ``delta_kpa`` from 1 atm.

    Examples
    --------
    >>> round(float(blower_kw(3600.0 * 273.15 / 293.15, 40.0, 20.0, 0.70)), 2)  # 1 m³/s
    50.53
    """
    q1_m3_s = (
        np.asarray(air_nm3_h_, dtype=np.float64)
        * (np.asarray(intake_temp_c) + _T0_K)
        / _T0_K
        / 3600.0
    )
    return adiabatic_blower_kw(q1_m3_s, delta_kpa, efficiency)


def adiabatic_blower_kw(
    intake_m3_s: np.ndarray, delta_kpa: np.ndarray | float, efficiency: np.ndarray | float
) -> np.ndarray:
    """Shaft power [kW] compressing ``intake_m3_s`` of air (at intake) by ``delta_kpa`` from 1 atm.

    ``P = k/(k-1) P1 Q ((P2/P1)^((k-1)/k) - 1) / eta``, k = 1.4 (ideal diatomic gas).

    Examples
    --------
    >>> round(float(adiabatic_blower_kw(1.0, 40.0, 0.70)), 2)
    50.53
    """
    k = AIR_GAMMA
    ratio = (ATM_KPA + np.asarray(delta_kpa, dtype=np.float64)) / ATM_KPA
    work = k / (k - 1.0) * ATM_KPA * intake_m3_s * (ratio ** ((k - 1.0) / k) - 1.0)
    return work / np.asarray(efficiency, dtype=np.float64)

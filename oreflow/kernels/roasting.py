"""Conversions of a two-stage fluid-bed roaster and the leachable share of its gold.

Each stage is a fluidised bed, whose solids are well mixed: a particle population of
one mean residence time in mixed flow converts, for a first-order decay of the
unreacted share, ``X = k t / (1 + k t)`` (Levenspiel 1999, Chemical Reaction
Engineering 3rd ed., ch. 25, particles of one size in mixed flow, reaction-controlled
limit). The rate constants are Arrhenius in the bed temperature,

    k(T) = k_ref exp[-(Ea / R)(1/T - 1/T_ref)]  (T in K),

and, in the oxidising second stage, first order in the bed's mean O2 mole fraction
``y`` over that of air at 20 % excess (``y = y_in (1 - 1 / (2 lambda))``, the mean of
inlet and outlet at ``lambda`` times the stoichiometric O2) [assumed order]. Stage 1 (450-600 °C, oxygen
deficient) decomposes arsenopyrite to pyrrhotite and volatile As4O6 and drives the
labile sulfur off pyrite; stage 2 (600-750 °C, oxidising) burns what sulfide is left
to hematite and SO2 and the organic carbon to CO2 (two-stage practice as in the
introduction of "Selective arsenic-fixing roast of refractory gold concentrate", journal
article, introduction only).

Over-roasting. The particles burn hotter than the bed (a roasting particle may be
several hundred degrees above the furnace gas: "The influence of roasting temperature
upon gold extraction by cyanidation from refractory gold ores", CIM Bulletin 1952,
abstract only), more so in oxygen-enriched gas: ``T_p = T_2 + dT_O2 (y_in - 0.21)``
[assumed linear]. Above a sintering onset the calcine's pores close and hematite
recrystallises round the freed gold; the share of freed gold so re-encapsulated is a
logistic step

    s(T_p) = s_max / (1 + exp[-(T_p - T_s) / w])

[assumed form; its constants in ``oreflow.units.roaster`` were set so that roasting in
oxygen loses about 20 points of gold extraction between 550 and 650 °C, as Dunn &
Chamberlain 1997, Miner. Eng. 10:919 report (97 % to 78 %; abstract only)].

The array contract is that of :mod:`oreflow.kernels`: per-case float64 arrays in, per-case
arrays out.
"""

from __future__ import annotations

import math

import numpy as np

from oreflow.kernels._jit import njit
from oreflow.kernels.oxidation import KELVIN, R_J_MOL_K

#: O2 mole fraction of air [-] (dry air, 20.95 %: CRC Handbook).
AIR_O2_FRAC = 0.2095


@njit
def mixed_flow_conversion(
    k_ref_per_min: float,
    activation_kj_mol: float,
    temperature_degc: float,
    ref_temperature_degc: float,
    o2_factor: float,
    residence_min: float,
) -> float:
    """Conversion ``k t / (1 + k t)`` of a well-mixed bed, Arrhenius ``k`` times ``o2_factor``."""
    inv = 1.0 / (temperature_degc + KELVIN) - 1.0 / (ref_temperature_degc + KELVIN)
    k = k_ref_per_min * math.exp(-activation_kj_mol * 1000.0 / R_J_MOL_K * inv) * o2_factor
    kt = max(k * residence_min, 0.0)
    return kt / (1.0 + kt)


@njit
def sintered_share(
    particle_degc: float, onset_degc: float, width_degc: float, max_share: float
) -> float:
    """Share of freed gold re-encapsulated by sintering, ``s_max / (1 + e^{-(T_p - T_s)/w})``."""
    return max_share / (1.0 + math.exp(-(particle_degc - onset_degc) / width_degc))


@njit
def roast_conversions(
    stage1_degc: np.ndarray,
    stage2_degc: np.ndarray,
    stage1_min: np.ndarray,
    stage2_min: np.ndarray,
    o2_in_frac: np.ndarray,
    o2_excess_frac: np.ndarray,
    constants: np.ndarray,
) -> np.ndarray:
    """Per-case conversions of the two stages, (n_cases, 5).

    Parameters
    ----------
    stage1_degc, stage2_degc, stage1_min, stage2_min : numpy.ndarray
        (n,) bed temperatures [°C] and mean solids residence times [min].
    o2_in_frac : numpy.ndarray
        (n,) O2 mole fraction of the stage-2 fluidising gas [-].
    o2_excess_frac : numpy.ndarray
        (n,) O2 supplied beyond the stoichiometric demand, per unit demand [-].
    constants : numpy.ndarray
        (n, 16) per case: ``k_ref`` [1/min], Ea [kJ/mol], T_ref [°C] of arsenopyrite (stage 1),
        of pyrite's labile sulfur (stage 1), of sulfide oxidation (stage 2), of organic
        carbon (stage 2); then dT_O2 [°C per unit O2 fraction], T_s, w [°C], s_max [-].

    Returns
    -------
    numpy.ndarray
        Columns: arsenopyrite decomposed in stage 1, pyrite labile S driven off in
        stage 1, sulfide oxidised in stage 2, organic carbon burnt, sintered share of
        the freed gold [-].
    """
    n = stage1_degc.shape[0]
    out = np.zeros((n, 5))
    for i in range(n):
        # bed-mean O2: arithmetic mean of inlet and outlet at the excess supplied
        lam = 1.0 + max(o2_excess_frac[i], 0.0)
        y_mean = o2_in_frac[i] * (1.0 - 0.5 / lam)
        o2_factor = y_mean / (AIR_O2_FRAC * (1.0 - 0.5 / 1.2))
        out[i, 0] = mixed_flow_conversion(
            constants[i, 0], constants[i, 1], stage1_degc[i], constants[i, 2], 1.0, stage1_min[i]
        )
        out[i, 1] = mixed_flow_conversion(
            constants[i, 3], constants[i, 4], stage1_degc[i], constants[i, 5], 1.0, stage1_min[i]
        )
        out[i, 2] = mixed_flow_conversion(
            constants[i, 6],
            constants[i, 7],
            stage2_degc[i],
            constants[i, 8],
            o2_factor,
            stage2_min[i],
        )
        out[i, 3] = mixed_flow_conversion(
            constants[i, 9],
            constants[i, 10],
            stage2_degc[i],
            constants[i, 11],
            o2_factor,
            stage2_min[i],
        )
        particle = stage2_degc[i] + constants[i, 12] * (o2_in_frac[i] - AIR_O2_FRAC)
        out[i, 4] = sintered_share(particle, constants[i, 13], constants[i, 14], constants[i, 15])
    return out

"""Elemental sulfur of low- and medium-temperature acid pressure oxidation.

Below about 160-180 °C part of the sulfide sulfur of an acid autoclave stops at
elemental sulfur S0 instead of sulfate; above about 180-200 °C (total pressure
oxidation) sulfide goes to sulfate completely (Jorjani & Ghahreman 2017, Hydrometallurgy
171:333-343, review: "oxidative leaching ... above 180 °C ... completely converts the
sulfide minerals" to sulfate; Papangelakis & Demopoulos 1991, Hydrometallurgy 26:309,
pyrite: the S0 yield falls as temperature rises; Marsden & House 2006, ch. 5).
Driver: temperature. The fraction of each mineral's oxidised sulfur that reports as S0
is a falling logistic, shifted to reach zero at the total-oxidation temperature
``T_tot`` = 200 °C and zero above it,

``f_S0(T) = max(L(T) - L(T_tot), 0)``, ``L(T) = f_max / (1 + exp((T - T_50) / w))``

with, per mineral, the low-temperature ceiling ``f_max``, the temperature of half of it
``T_50`` and the width ``w``. The anchors: f_S0 = 0 from 200 °C for every mineral
(Jorjani & Ghahreman 2017: complete conversion above 180 °C; 200 °C [assumed] inside
it, so that 200-230 °C plants such as Goldstrike, Lihir, Pueblo Viejo make none); pyrrhotite and chalcopyrite give mostly S0 at 110-150 °C
(the low-temperature Sherritt pyrrhotite leach and the medium-temperature copper
processes, Jorjani & Ghahreman 2017); pyrite gives less (Papangelakis & Demopoulos
1991). The values of ``f_max``, ``T_50`` and ``w`` are [assumed] within those
statements: the search tools gave the reviews' text, not their tables, so no point
of the curve is a measured figure. S0 consumes no further oxygen and makes no acid:
each mol S stopping at S0 saves 1.5 mol O2 (6 e-) and 1 mol H2SO4, and 623.4 kJ of
reaction heat (S0 + 1.5 O2 + H2O -> H2SO4(aq): ΔHf H2SO4(aq) -909.27, H2O(l)
-285.83 kJ/mol, Wagman et al. 1982, NBS tables [S arithmetic, L data]).

Not modelled (say so when reporting): molten sulfur (above 119 °C) wetting unreacted
sulfide and slowing its oxidation, which is why autoclaves avoid 120-180 °C without
surfactants; the S0 is taken to leave as a solid in the residue (species ``sulfur``).
Its cyanide cost (S0 + CN- -> SCN-, 1 mol NaCN per mol S, Marsden & House 2006 ch. 6)
is paid in a CIL whose leach table lists ``sulfur`` with testwork kinetics
(``oreflow.units.cil``'s reactive sulfides); no default rate is assumed.
"""

from __future__ import annotations

import numpy as np

#: Logistic parameters per mineral of ``oreflow.kernels.oxidation.MINERALS``
#: (pyrite, arsenopyrite, pyrrhotite, chalcopyrite): ceiling f_max [-], T_50 [°C],
#: width w [°C]. [assumed] within Jorjani & Ghahreman 2017 and Papangelakis &
#: Demopoulos 1991 (see the module docstring).
S0_MAX_FRAC = np.array([0.60, 0.70, 0.95, 0.95])
S0_T50_DEGC = np.array([150.0, 155.0, 165.0, 170.0])
S0_WIDTH_DEGC = np.array([12.0, 12.0, 12.0, 12.0])
#: Temperature from which all oxidised sulfide S goes to sulfate [°C] [assumed within
#: Jorjani & Ghahreman 2017, "above 180 °C"].
TOTAL_OXIDATION_DEGC = 200.0

#: mol O2 saved per mol S stopping at S0 instead of sulfate [S, electron balance]:
#: S0 -> SO4(2-) is 6 electrons, 4 per O2.
O2_MOL_SAVED_PER_MOL_S0 = 1.5
#: Reaction heat not released per kg S stopping at S0 [MJ/kg S] [S arithmetic, L data]:
#: (909.27 - 285.83) kJ/mol / 32.06 g/mol.
HEAT_MJ_SAVED_PER_KG_S0 = (909.27 - 285.83) / 32.06


def s0_fraction(temperature_degc: np.ndarray, mineral: int) -> np.ndarray:
    """Fraction of a mineral's oxidised sulfur that reports as elemental sulfur [-].

    Parameters
    ----------
    temperature_degc : (n,) float64
        Autoclave temperature [°C].
    mineral : int
        Index in ``oreflow.kernels.oxidation.MINERALS``.

    Examples
    --------
    >>> t = np.array([110.0, 150.0, 200.0, 220.0])
    >>> [round(float(f), 3) for f in s0_fraction(t, 0)]
    [0.57, 0.291, 0.0, 0.0]
    >>> [round(float(f), 3) for f in s0_fraction(t, 2)]
    [0.892, 0.69, 0.0, 0.0]
    """

    def logistic(t: np.ndarray) -> np.ndarray:
        z = np.clip((t - S0_T50_DEGC[mineral]) / S0_WIDTH_DEGC[mineral], -50.0, 50.0)
        return S0_MAX_FRAC[mineral] / (1.0 + np.exp(z))

    t = np.asarray(temperature_degc, dtype=np.float64)
    return np.maximum(logistic(t) - logistic(np.asarray(TOTAL_OXIDATION_DEGC)), 0.0)

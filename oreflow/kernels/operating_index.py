"""Operating Morrell work index: Morrell's law inverted for a measured energy.

Bond's law inverted is ``comminution_energy.bond_operating_work_index_kwh_t``; a SAG
mill reports both (``oreflow.units.sag_mill.operating_indices``).

A mill's operating work index is the index its measured specific energy implies between
its feed and product sizes; its ratio to the laboratory index is the efficiency figure
metallurgists benchmark circuits by. The figure means something only with its basis
stated: which power (pinion, motor input, the power the charge dissipates), per tonne
of what (fresh feed, mill feed), between which sizes (circuit F80 and P80, or a SAG
mill's F80 and transfer size T80). Sizes in µm, energies in kWh/t (metric tonne).

References
----------
Bond, F.C. (1961) Brit. Chem. Eng. 6:378–385, 543–548 [L]. Rowland, C.A. (1976) The Bond
work index, a tool to measure grinding efficiency. SME-AIME Fall Meeting, Denver (opening
only read). Morrell, S. (2008) Miner. Eng. 21:224–233 (abstract only read).
"""

from __future__ import annotations

import numpy as np

from oreflow.kernels._jit import njit
from oreflow.kernels.comminution_energy import morrell_size_term


@njit
def morrell_operating_index_kwh_t(
    specific_energy_kwh_t: float | np.ndarray,
    x1_um: float | np.ndarray,
    x2_um: float | np.ndarray,
) -> float | np.ndarray:
    """Operating Morrell work index, the inverse of Morrell's law for a measured energy.

    ``Mi_op = W / (4 (x2^f(x2) - x1^f(x1)))``, ``f(x) = -(0.295 + x/10^6)``: the index
    a mill shows in operation, as Bond's operating work index is for Bond's law
    (:func:`bond_operating_work_index_kwh_t`). Its ratio to the laboratory index (Mia
    from the SMC test for an AG/SAG mill) is the energy-utilisation efficiency Morrell
    compares circuits by (Morrell 2008, abstract only read; the Global Mining Guidelines
    Group's "Morrell method" guideline, opening only read). NaN where x2 >= x1.

    Parameters
    ----------
    specific_energy_kwh_t : float or (n,) float64
        Specific energy on the stated power basis [kWh/t].
    x1_um : float or (n,) float64
        Feed 80 % passing size [µm].
    x2_um : float or (n,) float64
        Product 80 % passing size [µm].

    Returns
    -------
    float or (n,) float64
        Operating work index [kWh/t].

    References
    ----------
    Morrell, S. (2004) Int. J. Miner. Process. 74:133–141 [L]. Morrell, S. (2008) A
    method for predicting the specific energy requirement of comminution circuits and
    assessing their energy utilisation efficiency. Miner. Eng. 21:224–233 (abstract only
    read). Global Mining Guidelines Group (2016, rev. 2021) The Morrell method to
    determine the efficiency of industrial grinding circuits (opening only read).

    Examples
    --------
    ex01: 11.0847 kWh/t from 750 to 75 µm is Mib 20 kWh/t.

    >>> round(float(morrell_operating_index_kwh_t(11.0847, 750.0, 75.0)), 3)
    20.0
    """
    span = 4.0 * (morrell_size_term(x2_um) - morrell_size_term(x1_um))
    return specific_energy_kwh_t / np.where(span > 0.0, span, np.nan)

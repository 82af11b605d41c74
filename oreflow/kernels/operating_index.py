"""Operating work indices: Bond's and Morrell's laws inverted for a measured energy.

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
from oreflow.kernels.arrays import safe_div
from oreflow.kernels.comminution_energy import (
    bond_operating_work_index_kwh_t,
    morrell_size_term,
)


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


def tumbling_operating_indices(
    energy_kwh_t: np.ndarray,
    f80_um: np.ndarray,
    t80_um: np.ndarray,
    wi_kwh_t: np.ndarray,
    mia_kwh_t: np.ndarray | None,
) -> dict[str, np.ndarray]:
    """Operating work indices of a tumbling (SAG/AG) mill on one stated energy basis.

    ``operating_wi_kwh_t`` (Bond's law inverted, Rowland 1976) and ``operating_mia_kwh_t``
    (Morrell's law inverted, Morrell 2008) from the specific energy the mill breaks ore
    with, per tonne of mill feed, from the feed F80 to the discharge T80; each with its
    ratio to the laboratory index the mill is given (NaN where there is none).
    """
    ground = t80_um < f80_um
    wi_op = np.where(ground, bond_operating_work_index_kwh_t(energy_kwh_t, f80_um, t80_um), np.nan)
    mia_op = morrell_operating_index_kwh_t(energy_kwh_t, f80_um, t80_um)
    mia = np.full_like(energy_kwh_t, np.nan) if mia_kwh_t is None else mia_kwh_t
    return {
        "operating_wi_kwh_t": wi_op,
        "operating_wi_ratio": safe_div(wi_op, wi_kwh_t, fill=np.nan),
        "operating_mia_kwh_t": mia_op,
        "operating_mia_ratio": safe_div(mia_op, mia, fill=np.nan),
    }

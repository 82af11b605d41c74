"""Ultrafine (stirred-mill) regrinding: energy, product classes, exposure of locked gold.

Bond energy with Rowland's fineness factor (Bond 1952, Trans. AIME 193:484; Rowland & Kjos
1980) or a stirred-mill energy-size power law [assumed form], the product size classes,
and a Gaudin-type liberation of gold locked in sulfides [assumed form]. Sizes in µm, energies in
kWh/t.

The array contract is that of :mod:`oreflow.kernels`; flows in t/h.
"""

from __future__ import annotations

import math

import numpy as np

from oreflow.kernels._jit import njit
from oreflow.kernels.comminution_energy import bond_energy_kwh_t, rowland_ef5


@njit
def fine_grind_energy_kwh_t(
    model: int,
    wi_kwh_t: float,
    f80_um: float,
    p80_um: float,
    power_law_k: float,
    power_law_exponent: float,
) -> float:
    """Specific energy of a fine (stirred-mill) regrind from F80 to P80.

    ``model = 0``: Bond's law with Rowland's EF5,
    ``E = 10 Wi (1/√P80 - 1/√F80) EF5(P80)`` (Bond 1952, Trans. AIME 193:484; Rowland & Kjos 1980; Wills & Finch 2016; docs/models.md#ball_mill); EF5 was fitted down to
    about 10 µm and its use below is an extrapolation [L].
    ``model = 1``: stirred-mill energy-size power law
    ``E = K (P80^(-z) - F80^(-z))`` (sizes in µm), the form of signature-plot fits
    [assumed form; calibrate K and z to a signature test].
    Zero when ``P80 >= F80`` (nothing to grind).

    Parameters
    ----------
    model : int
        0 Bond with EF5, 1 power law.
    wi_kwh_t : float
        Bond ball-mill work index [kWh/t] (model 0).
    f80_um, p80_um : float
        Feed and product P80 [µm].
    power_law_k : float
        K [kWh/t µm^z] (model 1).
    power_law_exponent : float
        z [-] (model 1).

    Returns
    -------
    float
        Specific energy [kWh/t].
    """
    if not p80_um < f80_um:
        return 0.0
    if model == 0:
        return bond_energy_kwh_t(wi_kwh_t, f80_um, p80_um) * rowland_ef5(p80_um)
    return power_law_k * (p80_um**-power_law_exponent - f80_um**-power_law_exponent)


@njit
def locked_gold_exposure(
    p80_um: float,
    f80_um: float,
    grain_um: float,
    exponent: float,
    liberable_frac: float,
) -> float:
    """Fraction of the locked gold that a regrind from F80 to P80 exposes.

    Exposure of inclusions of size ``d_g`` at grind size x:
    ``E(x) = 1 - exp[-(d_g/x)^m]`` (a Gaudin-type liberation curve [assumed form]).
    Of the gold still locked at F80, the fraction ``L`` that sits in inclusions (the
    rest is submicroscopic or in solid solution and is not freed by grinding, Marsden
    & House 2006 ch. 2 [L]) is exposed in proportion to the gain in E:

        f = L [E(P80) - E(F80)] / [1 - E(F80)],

    0 at ``P80 >= F80`` and ``L`` as ``P80 -> 0``; finer grinding never lowers it.

    Parameters
    ----------
    p80_um, f80_um : float
        Product and feed P80 [µm].
    grain_um : float
        Characteristic size of the locked gold inclusions d_g [µm].
    exponent : float
        Sharpness m of the curve [-].
    liberable_frac : float
        Fraction L of the locked gold in inclusions that grinding can expose [-].

    Returns
    -------
    float
        Fraction of the locked gold exposed [-].
    """
    if not p80_um < f80_um:
        return 0.0
    e_feed = -math.expm1(-((grain_um / f80_um) ** exponent))
    e_prod = -math.expm1(-((grain_um / p80_um) ** exponent))
    return liberable_frac * (e_prod - e_feed) / (1.0 - e_feed)


@njit
def regrind_class_masses(
    edges_um: np.ndarray, class_mass: np.ndarray, product_passing: np.ndarray
) -> np.ndarray:
    """Redistribute solids over size classes so that nothing gets coarser.

    Per case and species, the product's cumulative passing at each class edge is the
    larger of the feed's and the target product distribution's, so that the regrind
    never coarsens a particle and each species keeps its mass.

    Parameters
    ----------
    edges_um : (n_cls,) float64
        Descending class edges [µm].
    class_mass : (n_cases, n_cls, n_sp) float64
        Feed solids per class and species [t/h].
    product_passing : (n_cases, n_cls) float64
        Target cumulative passing at each edge [-] (1 at the top edge).

    Returns
    -------
    (n_cases, n_cls, n_sp) float64
        Product solids per class and species [t/h].
    """
    n_cases, n_cls, n_sp = class_mass.shape
    out = np.zeros_like(class_mass)
    passing = np.empty(n_cls + 1)
    for i in range(n_cases):
        for s in range(n_sp):
            total = 0.0
            for c in range(n_cls):
                total += class_mass[i, c, s]
            if total <= 0.0:
                continue
            # feed passing at edge c = mass in classes c..end over the total
            below = total
            for c in range(n_cls):
                feed_p = below / total
                passing[c] = max(feed_p, product_passing[i, c]) if c > 0 else 1.0
                below -= class_mass[i, c, s]
            passing[n_cls] = 0.0
            for c in range(n_cls - 1):
                out[i, c, s] = total * (passing[c] - passing[c + 1])
            # the sink takes the rest, so the species' mass is kept to rounding
            acc = 0.0
            for c in range(n_cls - 1):
                acc += out[i, c, s]
            out[i, n_cls - 1, s] = total - acc
    return out

"""Product size from specific energy: inverse energy laws and the survival-function grind.

The size a tumbling (Morrell), Bond or regrind mill reaches with a given specific energy,
found by closed form or bisection on ln(size) from the laws of
:mod:`oreflow.kernels.comminution_energy`, and a product size distribution at a target
P80 by a Rosin-Rammler survival function (Morrell 2004, 2008; Bond 1961; Rowland & Kjos
1980; docs/models.md#sag_mill). Sizes are in µm, specific energies in kWh/t (metric tonne), power in kW, mill dimensions
in m. Size classes follow the convention of :mod:`oreflow.kernels.psd`: descending edges
``e_0 > ... > e_last``, class ``c`` holds ``(e_{c+1}, e_c]``, the last class is the sink.
Solids arrays are ``(n_cases, n_cls, n_species)`` in t/h.

Confidence tags: [S] checked source, [L] standard reference value not re-checked here,
[A] assumed.
"""

from __future__ import annotations

import math

import numpy as np

from oreflow.kernels._jit import njit
from oreflow.kernels.comminution_energy import (
    MORRELL_SPLIT_UM,
    morrell_energy_kwh_t,
    morrell_size_term,
    regrind_energy_kwh_t,
)
from oreflow.kernels.psd import passing_size_um

#: Lower end of the bisections on ln(size) of the energy-size inversions [µm].
_SIZE_LO_UM = 1.0e-3
_BISECT_ITER = 200


#: Laws :func:`_invert_decreasing` inverts: Morrell's size term, the regrind energy.
_MORRELL = 0
_REGRIND = 1


@njit
def _invert_decreasing(
    law: int, a: float, b: float, c: float, target: float, top_um: float
) -> float:
    """Size x in (_SIZE_LO_UM, top_um) where a decreasing law equals ``target``, by bisection on ln x.

    ``law`` picks the function of x (a plain switch: the laws are not passed as functions
    so that the kernel stays one cached specialisation): ``_MORRELL`` is
    ``x^f(x)``, ``_REGRIND`` is ``regrind_energy_kwh_t(a, b, x, c)`` (Wi, F80, D).
    """
    lo = math.log(_SIZE_LO_UM)
    hi = math.log(top_um)
    for _ in range(_BISECT_ITER):
        mid = 0.5 * (lo + hi)
        x = math.exp(mid)
        value = morrell_size_term(x) if law == _MORRELL else regrind_energy_kwh_t(a, b, x, c)
        if value > target:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-15:
            break
    return math.exp(0.5 * (lo + hi))


@njit
def _morrell_invert(m_i_kwh_t: float, x1_um: float, energy_kwh_t: float) -> float:
    """Size x2 < x1 with ``4 M_i (x2^f(x2) - x1^f(x1)) = E``, by bisection on ln x2."""
    # x^f(x) decreases with x over the range of interest
    target = energy_kwh_t / (4.0 * m_i_kwh_t) + morrell_size_term(x1_um)
    return _invert_decreasing(_MORRELL, 0.0, 0.0, 0.0, target, x1_um)


@njit
def sag_product_size_um(
    energy_kwh_t: float,
    f80_um: float,
    mia_kwh_t: float,
    mib_kwh_t: float,
    fine_wi_kwh_t: float,
) -> float:
    """Transfer size T80 a tumbling (AG/SAG) mill reaches with a given specific energy.

    Morrell's energy-size relation inverted (Morrell 2004; docs/models.md#sag_mill). Above 750 µm the coarse
    index Mia applies, ``E = 4 Mia (T80^f(T80) - F80^f(F80))``, ``f(x) = -(0.295 +
    x/10^6)``; Morrell states Mia for F80 to 750 µm, and using it to an end point above
    750 µm is the same equation with another limit [assumed]. Energy beyond what reaches
    750 µm grinds on with Mib, or, when ``mib_kwh_t`` is NaN, with Bond's law and the
    ball-mill work index ``fine_wi_kwh_t`` from 750 µm. A feed already finer than
    750 µm is ground by the fine section alone.

    Parameters
    ----------
    energy_kwh_t : float
        Specific energy per tonne of mill feed [kWh/t].
    f80_um : float
        Feed 80 % passing size [µm].
    mia_kwh_t : float
        Morrell coarse work index Mia [kWh/t] (SMC test).
    mib_kwh_t : float
        Morrell fine work index Mib [kWh/t], or NaN to use Bond below 750 µm.
    fine_wi_kwh_t : float
        Bond ball-mill work index used when ``mib_kwh_t`` is NaN [kWh/t].

    Returns
    -------
    float
        T80 [µm]; F80 when the energy is 0.

    References
    ----------
    Morrell, S. (2004) Int. J. Miner. Process. 74:133–141.
    DOI 10.1016/j.minpro.2003.10.002 [L]. Morrell, S. (2008) Miner. Eng. 21:224–233 [L].
    """
    if not energy_kwh_t > 0.0 or not f80_um > 0.0:
        return f80_um
    x1 = f80_um
    rest = energy_kwh_t
    if x1 > MORRELL_SPLIT_UM:
        coarse = morrell_energy_kwh_t(mia_kwh_t, x1, MORRELL_SPLIT_UM)
        if rest <= coarse:
            return _morrell_invert(mia_kwh_t, x1, rest)
        rest -= coarse
        x1 = MORRELL_SPLIT_UM
    if math.isnan(mib_kwh_t):
        inv = rest / (10.0 * fine_wi_kwh_t) + 1.0 / math.sqrt(x1)
        return 1.0 / (inv * inv)
    return _morrell_invert(mib_kwh_t, x1, rest)


@njit
def bond_product_size_um(energy_kwh_t: float, f80_um: float, wi_kwh_t: float) -> float:
    """P80 reached with a given specific energy by Bond's law, the inverse of W(F80, P80).

    ``P80 = (E/(10 Wi) + 1/sqrt(F80))^-2`` (Bond 1952, Trans. AIME 193:484; Rowland & Kjos 1980; Wills & Finch 2016; docs/models.md#ball_mill).

    Parameters
    ----------
    energy_kwh_t : float
        Specific energy [kWh/t].
    f80_um : float
        Feed 80 % passing size [µm].
    wi_kwh_t : float
        Bond work index [kWh/t].

    Returns
    -------
    float
        P80 [µm].

    References
    ----------
    Bond, F.C. (1961) Crushing and grinding calculations. Brit. Chem. Eng. 6:378–385,
    543–548.

    Examples
    --------
    The inverse of :func:`oreflow.kernels.comminution_energy.bond_energy_kwh_t` (ex01):

    >>> round(bond_product_size_um(13.96642, 2000.0, 15.0), 2)
    75.0
    """
    if not energy_kwh_t > 0.0:
        return f80_um
    inv = energy_kwh_t / (10.0 * wi_kwh_t) + 1.0 / math.sqrt(f80_um)
    return 1.0 / (inv * inv)


@njit
def regrind_product_size_um(
    energy_kwh_t: float, wi_kwh_t: float, f80_um: float, d_m: float
) -> float:
    """P80 a regrind mill reaches with a given specific energy (inverse of regrind_energy).

    Bisection on ln(P80): :func:`regrind_energy_kwh_t` decreases monotonically from
    infinity at P80 → 0 to 0 at P80 = F80.

    Parameters
    ----------
    energy_kwh_t : float
        Specific energy at the pinion [kWh/t].
    wi_kwh_t : float
        Bond ball-mill work index [kWh/t].
    f80_um : float
        Feed 80 % passing size [µm].
    d_m : float
        Mill diameter for EF3 [m] (0: reference mill).

    Returns
    -------
    float
        P80 [µm]; F80 for zero energy.

    References
    ----------
    Bond (1961); Rowland & Kjos (1980) [L].
    """
    if not energy_kwh_t > 0.0 or not f80_um > 0.0:
        return f80_um
    return _invert_decreasing(_REGRIND, wi_kwh_t, f80_um, d_m, energy_kwh_t, f80_um)


@njit
def survival_product_into(
    out: np.ndarray, feed: np.ndarray, edges_um: np.ndarray, x63_um: float, modulus: float
) -> None:
    """Mill product as the feed with a Rosin–Rammler survival function applied.

    The mass of each species coarser than every edge e is multiplied by
    ``S(e) = exp(-(e/x63)^n)``: ``Q_prod(e) = Q_feed(e) S(e)``. The product is never
    coarser than the feed at any size, each species keeps its mass exactly (the sum
    telescopes), the same S acts on every species (breakage does not sort minerals), and
    x63 → ∞ returns the feed. At fine sizes the fragments follow ``(x/x63)^n``, so the
    modulus n is the fine-end (Gates–Gaudin–Schuhmann) slope of the fragments (0.5–1.0
    for ground products [L], Wills & Finch 2016; Ouchterlony 2005; docs/models.md#kernels-psd). The survival form is [assumed]: an
    energy-size model for the transfer size with a one-parameter product shape.

    Parameters
    ----------
    out : (n_cls, n_species) float64
        Output array, overwritten with the product [t/h].
    feed : (n_cls, n_species) float64
        Feed per class and species [t/h].
    edges_um : (n_cls,) float64
        Descending class edges [µm].
    x63_um : float
        Size at which 1/e of the coarser material survives [µm].
    modulus : float
        Survival-function modulus n [-].
    """
    surv = np.empty(feed.shape[0] - 1)
    _survival_at_edges(surv, edges_um, x63_um, modulus)
    _apply_survival(out, feed, surv)


@njit
def _survival_at_edges(
    surv: np.ndarray, edges_um: np.ndarray, x63_um: float, modulus: float
) -> None:
    """``S(e) = exp(-(e/x63)^n)`` at every edge below the top one (the same for every species)."""
    for c in range(surv.shape[0]):
        e = edges_um[c + 1]
        surv[c] = math.exp(-((e / x63_um) ** modulus)) if x63_um > 0.0 else 0.0


@njit
def _apply_survival(out: np.ndarray, feed: np.ndarray, surv: np.ndarray) -> None:
    """The product of :func:`survival_product_into` from the survival at the edges."""
    n_cls, n_sp = feed.shape
    last = n_cls - 1
    for k in range(n_sp):
        coarser = 0.0  # feed mass coarser than e_c (0 at the top edge: oversize is lumped)
        prev = 0.0  # product mass coarser than e_c
        total = 0.0
        for c in range(n_cls):
            total += feed[c, k]
        for c in range(last):
            coarser += feed[c, k]
            now = coarser * surv[c]
            out[c, k] = now - prev
            prev = now
        out[last, k] = total - prev


@njit
def grind_to_p80_batch(
    feed: np.ndarray, edges_um: np.ndarray, target_p80_um: np.ndarray, modulus: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Grind each case's feed to a target P80 with the survival-function product.

    For each case, x63 of :func:`survival_product_into` is found by bisection on ln x63 so
    that the P80 of the whole product (log-linear between edges, as everywhere in
    oreflow) equals the target; the product P80 increases monotonically with x63. A
    target at or above the feed P80, or a feed without solids, leaves the feed
    unchanged (x63 = inf). A target finer than the sink can hold sends everything to
    the sink.

    Parameters
    ----------
    feed : (n_cases, n_cls, n_species) float64
        Feed per class and species [t/h].
    edges_um : (n_cls,) float64
        Descending class edges [µm].
    target_p80_um : (n_cases,) float64
        P80 to reach [µm].
    modulus : (n_cases,) float64
        Survival-function modulus n [-].

    Returns
    -------
    product : (n_cases, n_cls, n_species) float64
        Product [t/h].
    x63_um : (n_cases,) float64
        Survival-function size per case [µm] (inf where nothing was ground).
    """
    n_cases, n_cls, n_sp = feed.shape
    out = np.empty_like(feed)
    x63 = np.empty(n_cases)
    by_size = np.empty(n_cls)
    # S(e) once per trial x63, not once per species: the same numbers, 1/n_species the
    # exponentials (the bisection's cost)
    surv = np.empty(n_cls - 1)
    for c in range(n_cases):
        fc = feed[c]
        for i in range(n_cls):
            s = 0.0
            for k in range(n_sp):
                s += fc[i, k]
            by_size[i] = s
        p80_feed = passing_size_um(edges_um, by_size, 0.8)
        target = target_p80_um[c]
        if math.isnan(p80_feed) or not target < p80_feed:
            out[c] = fc
            x63[c] = math.inf
            continue
        # brackets where (e/x63)^n is e^40 at the finest edge (everything broken) and
        # e^-40 at the top edge (nothing broken)
        lo = math.log(edges_um[n_cls - 1]) - 40.0 / modulus[c]
        hi = math.log(edges_um[0]) + 40.0 / modulus[c]
        oc = out[c]
        for _ in range(_BISECT_ITER):
            mid = 0.5 * (lo + hi)
            _survival_at_edges(surv, edges_um, math.exp(mid), modulus[c])
            _apply_survival(oc, fc, surv)
            for i in range(n_cls):
                s = 0.0
                for k in range(n_sp):
                    s += oc[i, k]
                by_size[i] = s
            if passing_size_um(edges_um, by_size, 0.8) > target:
                hi = mid
            else:
                lo = mid
            if hi - lo < 1e-14:
                break
        x63[c] = math.exp(0.5 * (lo + hi))
        _survival_at_edges(surv, edges_um, x63[c], modulus[c])
        _apply_survival(oc, fc, surv)
    return out, x63

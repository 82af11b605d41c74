"""Liberation classes by size and the flotation of free and locked particles.

Liberation (King 1979; Wills & Finch 2016 §1.4): a mineral of mean grain (intercept)
size ``g`` sits in particles of size ``d``. Along a line through a random texture
(King's Markov model of the linear section) the chance that a length ``d`` inside the
mineral meets no boundary with another phase falls as ``exp(-d/g)``; oreflow takes the
particle's chance of holding no foreign phase as ``exp(-lambda)``, ``lambda = (d/g)^m``
(``m = 1`` is the linear-intercept result; m is a fitted steepness [assumed form for
particles, King 1979 derives it for chords]). The foreign phase is the mineral's sulfide
partner with share ``p`` of its boundary and gangue with ``1 - p``; the two contacts are
independent Poisson events, so the mineral's mass splits into four classes

    free            exp(-lambda)
    binary, gangue  exp(-p lambda) (1 - exp(-(1 - p) lambda))
    binary, partner exp(-(1 - p) lambda) (1 - exp(-p lambda))
    ternary         (1 - exp(-p lambda)) (1 - exp(-(1 - p) lambda))

which sum to 1, give all free as d/g -> 0 (infinitely fine grind) and all ternary
(locked) as d/g -> infinity (no grind). Grinding finer moves each size class's mass to
finer classes, where more of it is free: this is how grind and regrind act on flotation.

Flotation of each class (Gaudin 1939; Sutherland 1989: a composite floats at a rate
set by its exposed floatable surface [L]): free particles float at the mineral's own
rate k; a binary with gangue at ``e k`` (``e``, the exposed surface fraction
[assumed 0.5]); a binary with the sulfide partner at the mean ``(k + k_p)/2`` of the
two phases' rates; a ternary at ``e (k + k_p)/2``. Each class's recovery in an N-cell
bank is the first-order (or Klimpel) bank formula of ``oreflow.kernels.separation``
with the mineral's R_inf, and what does not float is entrained with the water. The
gangue locked in floating binaries and ternaries (equal volumes of mineral and gangue
[assumed]) reports to the concentrate with them: this is the dilution that a regrind
before cleaning removes.

References
----------
King, R.P. (1979) A model for the quantitative estimation of mineral liberation by
grinding. Int. J. Miner. Process. 6:207-220 [L].
Gaudin, A.M. (1939) Principles of Mineral Dressing. McGraw-Hill, ch. 4 [L].
Sutherland, D.N. (1989) Batch flotation behaviour of composite particles. Minerals
Engineering 2(3):351-367 [L].
Wills, B.A., Finch, J.A. (2016) Wills' Mineral Processing Technology, 8th ed.,
Butterworth-Heinemann, §1.4 and ch. 12 [L].
"""

from __future__ import annotations

import math

import numpy as np

from oreflow.kernels._jit import njit
from oreflow.kernels.separation import first_order_bank_frac, klimpel_bank_frac

#: Liberation classes, in the order of the last axis of ``liberation_classes``.
CLASSES = ("free", "binary_gangue", "binary_partner", "ternary")


@njit
def liberation_classes(
    d_um: np.ndarray,
    grain_um: np.ndarray,
    partner_frac: np.ndarray,
    exponent: np.ndarray,
) -> np.ndarray:
    """Share of each mineral's mass in each liberation class, by case and size class.

    Parameters
    ----------
    d_um : (n_cls,) float64
        Representative particle size of each size class [µm].
    grain_um : (n_cases, n_species) float64
        Mean grain size of each mineral [µm]; 0 for a species without liberation (all
        of it counted free).
    partner_frac : (n_cases, n_species) float64
        Share of the mineral's boundary shared with its sulfide partner [-].
    exponent : (n_cases,) float64
        Steepness m of ``lambda = (d/g)^m`` [-].

    Returns
    -------
    (n_cases, n_cls, n_species, 4) float64
        Shares in the classes of ``CLASSES``; each row sums to 1.
    """
    n_cases, n_sp = grain_um.shape
    n_cls = d_um.shape[0]
    out = np.zeros((n_cases, n_cls, n_sp, 4))
    for c in range(n_cases):
        m = exponent[c]
        for i in range(n_cls):
            for j in range(n_sp):
                g = grain_um[c, j]
                if g <= 0.0:
                    out[c, i, j, 0] = 1.0
                    continue
                lam = (d_um[i] / g) ** m
                p = partner_frac[c, j]
                no_partner = math.exp(-p * lam)
                no_gangue = math.exp(-(1.0 - p) * lam)
                out[c, i, j, 0] = no_partner * no_gangue
                out[c, i, j, 1] = no_partner * (1.0 - no_gangue)
                out[c, i, j, 2] = no_gangue * (1.0 - no_partner)
                out[c, i, j, 3] = (1.0 - no_partner) * (1.0 - no_gangue)
    return out


@njit
def _true_frac(k_tau: float, n_cells: int, klimpel: bool) -> float:
    if klimpel:
        return klimpel_bank_frac(k_tau, n_cells)
    return first_order_bank_frac(k_tau, n_cells)


@njit
def composite_flotation(
    k_per_min: np.ndarray,
    r_inf_frac: np.ndarray,
    shares: np.ndarray,
    partner: np.ndarray,
    exposure_frac: np.ndarray,
    tau_min: np.ndarray,
    n_cells: int,
    klimpel: bool,
    entrainment: np.ndarray,
    water_recovery_frac: np.ndarray,
    gangue_t_per_t: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Recovery of each mineral over its liberation classes, and the gangue it lifts.

    Parameters
    ----------
    k_per_min : (n_cases, n_cls, n_species) float64
        Rate constant of the free mineral (k_max of a Klimpel bank) [1/min]; 0 for a
        species that floats only by entrainment.
    r_inf_frac : (n_cases, n_cls, n_species) float64
        Recovery at infinite time [-].
    shares : (n_cases, n_cls, n_species, 4) float64
        Liberation classes (``liberation_classes``).
    partner : (n_species,) int64
        Index of each mineral's sulfide partner, -1 for none.
    exposure_frac : (n_cases,) float64
        Exposed surface fraction e of a mineral locked with gangue [-].
    tau_min : (n_cases,) float64
        Residence time of the bank [min].
    n_cells : int
        Number of equal cells [-].
    klimpel : bool
        Rectangular k distribution (True) or a single k (False).
    entrainment : (n_cases, n_cls) float64
        Degree of entrainment by size [-].
    water_recovery_frac : (n_cases,) float64
        Fraction of the feed water reporting to the concentrate [-].
    gangue_t_per_t : (n_species,) float64
        Gangue mass per mass of mineral in a composite of equal volumes (density ratio)
        [-].

    Returns
    -------
    recovery : (n_cases, n_cls, n_species) float64
        Recovery of each species to the concentrate, true flotation of its classes plus
        entrainment of what did not float [-].
    lift : (n_cases, n_cls, n_species) float64
        Gangue floated in composites per tonne of the mineral fed [t/t].
    """
    n_cases, n_cls, n_sp = k_per_min.shape
    rec = np.empty((n_cases, n_cls, n_sp))
    lift = np.zeros((n_cases, n_cls, n_sp))
    for c in range(n_cases):
        tau = tau_min[c]
        e = exposure_frac[c]
        for i in range(n_cls):
            ent = entrainment[c, i] * water_recovery_frac[c]
            for j in range(n_sp):
                k = k_per_min[c, i, j]
                r = r_inf_frac[c, i, j]
                p = partner[j]
                kp = k_per_min[c, i, p] if p >= 0 else 0.0
                r_free = r * _true_frac(k * tau, n_cells, klimpel)
                r_bg = r * _true_frac(e * k * tau, n_cells, klimpel)
                r_bp = r * _true_frac(0.5 * (k + kp) * tau, n_cells, klimpel)
                r_t = r * _true_frac(0.5 * e * (k + kp) * tau, n_cells, klimpel)
                s = shares[c, i, j]
                true = s[0] * r_free + s[1] * r_bg + s[2] * r_bp + s[3] * r_t
                rec[c, i, j] = true + (1.0 - true) * ent
                if k > 0.0:
                    lift[c, i, j] = gangue_t_per_t[j] * (s[1] * r_bg + s[3] * r_t)
    return rec, lift


@njit
def gangue_recovery(
    solids: np.ndarray,
    lift: np.ndarray,
    gangue: int,
    entrainment: np.ndarray,
    water_recovery_frac: np.ndarray,
    recovery: np.ndarray,
) -> None:
    """Set the gangue's recovery: floated in composites, then entrained.

    ``f = min(1, sum_j m_j lift_j / m_g)`` of the gangue of a size class floats with the
    minerals locked in it; of the rest ``ENT R_w`` is entrained. A class without gangue
    keeps the entrainment recovery.

    Parameters
    ----------
    solids : (n_cases, n_cls, n_species) float64
        Bank feed solids [t/h].
    lift : (n_cases, n_cls, n_species) float64
        As :func:`composite_flotation` [t/t].
    gangue : int
        Index of the gangue species.
    entrainment : (n_cases, n_cls) float64
        Degree of entrainment by size [-].
    water_recovery_frac : (n_cases,) float64
        Fraction of the feed water reporting to the concentrate [-].
    recovery : (n_cases, n_cls, n_species) float64
        Recoveries; the gangue column is overwritten.
    """
    n_cases, n_cls, n_sp = solids.shape
    for c in range(n_cases):
        for i in range(n_cls):
            ent = entrainment[c, i] * water_recovery_frac[c]
            m_g = solids[c, i, gangue]
            floated = 0.0
            for j in range(n_sp):
                floated += solids[c, i, j] * lift[c, i, j]
            f = min(1.0, floated / m_g) if m_g > 0.0 else 0.0
            recovery[c, i, gangue] = f + (1.0 - f) * ent

"""Gold-on-carbon rate laws beyond Nicol-Fleming: a Freundlich isotherm and Fleming's k-n rate.

The counter-current train of :mod:`oreflow.kernels.adsorption` is linear in the tenor C
and the loading q of each tank, with the Nicol-Fleming rate per tonne of carbon

    r = k (K C − q)                                          (``nicol_fleming``)

(Nicol, Fleming & Cromberge 1984, J. S. Afr. IMM 84:50 and 84:70). Two further forms of
the gold rate are offered, each solved by writing it, tank by tank, in that linear form
with a tank's own k_j and K_j taken at the previous iterate and repeating until they
settle (successive substitution, damped in the logarithm):

``freundlich``
    the same film rate towards a Freundlich equilibrium loading
    (Freundlich 1906; the isotherm of gold cyanide on carbon in Le Roux, Bryson & Young
    1991, J. S. Afr. IMM 91:95, and Liebenberg & van Deventer 1997, Miner. Eng. 10:959):

        q*(C) = K C_ref (C / C_ref)^(1/n_F),      r = k (q*(C) − q)

    ``K`` (``adsorption_k_eq_m3_t``) is the slope q*/C at the reference tenor ``C_ref``;
    n_F = 1 is the Nicol-Fleming form. Linear form: K_j = K (C_j/C_ref)^(1/n_F − 1).
``kn``
    Fleming's carbon-activity law ``q = k C t^n`` for fresh carbon in a solution held at
    C (Fleming & Nicol 1984, J. S. Afr. IMM 84:85; the "k and n" of the carbon activity
    test, one of the rate models compared by Le Roux, Bryson & Young 1991) written as a
    rate by eliminating t, ``dq/dt = n k^(1/n) C^(1/n) q^(1 − 1/n)``, with the tenor C
    replaced by the distance from equilibrium ``C − C*(q)`` so that loaded carbon stops
    at the isotherm (``C*`` from the isotherm above, linear when n_F = 1) [assumed
    combination; it keeps the t^n law exactly while C* ≪ C]:

        r = n k^(1/n) q^(1 − 1/n) |C − C*|^(1/n) sign(C − C*)

    n < 1 (0.6-0.9 is what activity tests show, ``oreflow fit --model fleming_kn``)
    gives fast loading of lightly loaded carbon slowing as it fills (n > 1 would leave
    fresh carbon unloaded: the unit takes n <= 1); n = 1 is the
    film-diffusion form ``r = k (C − q/K)``, Nicol-Fleming with k_NF = k/K. Linear form:
    k_j = −∂r/∂q (the exact tangent in the loading) and K_j such that k_j (K_j C_j − q_j)
    is the rate at the iterate; where that tangent is not negative, the secant
    K_j = q_j / C*_j, k_j = n k^(1/n) q_j^(1−1/n) |C_j − C*_j|^(1/n − 1) / K_j.

The substitutions are damped in the logarithm of k_j and K_j; a step whose train leaves
the physical range (a tenor or loading a hundred times above all the gold fed) is
undone and retried shorter. A case that does not settle within ``_FORM_MAX_ITER``
keeps its last physical iterate and is counted -1 (the carbon unit's
``adsorption_form_iterations`` metric). Gold is conserved by every iterate (each is a
linear train); the rate law is met to the tolerance where it settled, except in tanks
with tenors of order 1e-9 mg/L and below, where a Freundlich isotherm with n_F > 1 is
infinitely steep and the secants are bounded.

Units as in :mod:`oreflow.kernels.adsorption`: C in g/m³ = mg/L, q in g/t of carbon, t in
h; k of ``kn`` in (g/t)/(mg/L)/h^n = m³/(t·h^n). Only gold (the first metal) follows the
chosen form; silver and copper keep Nicol-Fleming.
"""

from __future__ import annotations

import numpy as np

from oreflow.kernels._jit import njit
from oreflow.kernels.adsorption import train_case, train_scratch

#: Codes of the gold rate forms, as passed to :func:`adsorption_train_forms_batch`.
FORMS = {"nicol_fleming": 0, "freundlich": 1, "kn": 2}

#: Largest number of successive substitutions of a non-linear form.
_FORM_MAX_ITER = 1000
#: They stop when no tank's k_j or K_j moves by more than this (relative).
_FORM_TOL = 1.0e-11
#: Damping: the new log k_j is this share of the computed one plus the rest of the old;
#: a step whose train leaves the physical range (a tenor or loading above all the gold
#: fed) is undone and retried at a quarter of the share (down to ``_FORM_RELAX_MIN``),
#: which then doubles back to ``_FORM_RELAX`` over the physical steps.
_FORM_RELAX = 0.5
_FORM_RELAX_MIN = 0.01
#: Floors keeping the secants finite at a tank with no gold [mg/L, g/t].
_C_FLOOR = 1.0e-12
_Q_FLOOR = 1.0e-9
#: A solved tenor or loading above all the gold fed (by this factor) is not physical.
_PHYSICAL_SLACK = 100.0
#: A secant K_j or k_j is held within these factors of the case's K and k/K.
_SECANT_SPAN = 1.0e12


@njit
def freundlich_loading_g_t(
    c_mg_l: np.ndarray, k_eq_m3_t: float, c_ref_mg_l: float, n_f: float
) -> np.ndarray:
    """Equilibrium loading ``q* = K C_ref (C/C_ref)^(1/n_F)`` [g/t].

    Examples
    --------
    >>> import numpy as np
    >>> float(freundlich_loading_g_t(np.array([4.0]), 1000.0, 1.0, 2.0)[0])
    2000.0
    """
    out = np.empty(c_mg_l.shape[0])
    for i in range(c_mg_l.shape[0]):
        c = max(c_mg_l[i], 0.0)
        out[i] = k_eq_m3_t * c_ref_mg_l * (c / c_ref_mg_l) ** (1.0 / n_f)
    return out


@njit
def freundlich_tenor_mg_l(q_g_t: float, k_eq_m3_t: float, c_ref_mg_l: float, n_f: float) -> float:
    """Tenor in equilibrium with a loading, the inverse of :func:`freundlich_loading_g_t` [mg/L]."""
    q = max(q_g_t, 0.0)
    return c_ref_mg_l * (q / (k_eq_m3_t * c_ref_mg_l)) ** n_f


@njit
def kn_rate_g_t_h(
    c_mg_l: float, q_g_t: float, k: float, n: float, k_eq_m3_t: float, c_ref_mg_l: float, n_f: float
) -> float:
    """Fleming k-n adsorption rate towards the isotherm, per tonne of carbon [g/(t·h)].

    Examples
    --------
    >>> kn_rate_g_t_h(1.0, 100.0, 150.0, 1.0, 1.0e4, 1.0, 1.0)  # n = 1: k (C - q/K)
    148.5
    """
    drive = c_mg_l - freundlich_tenor_mg_l(q_g_t, k_eq_m3_t, c_ref_mg_l, n_f)
    mag = n * k ** (1.0 / n) * max(q_g_t, _Q_FLOOR) ** (1.0 - 1.0 / n) * abs(drive) ** (1.0 / n)
    return mag if drive >= 0.0 else -mag


@njit
def kn_batch_loading_g_t(c_mg_l: float, k: float, n: float, time_h: np.ndarray) -> np.ndarray:
    """Loading of fresh carbon after ``time_h`` at a held tenor, far from equilibrium: ``k C t^n``."""
    return k * c_mg_l * time_h**n


@njit
def _clip(x: float, lo: float, hi: float) -> float:
    return min(max(x, lo), hi)


@njit
def _secants(
    form: int,
    tenor: np.ndarray,
    loading: np.ndarray,
    k_base: float,
    k_eq: float,
    c_ref: float,
    n_f: float,
    kn_k: float,
    kn_n: float,
    rate_fac: float,
    gold_k: np.ndarray,
    gold_keq: np.ndarray,
    relax: float,
) -> float:
    """Update the tanks' k_j, K_j of the linear form from the last iterate (in place); largest change."""
    change = 0.0
    for j in range(tenor.shape[0]):
        c = max(tenor[j], _C_FLOOR)
        if form == 1:
            k_new = k_base
            keq_new = k_eq * (c / c_ref) ** (1.0 / n_f - 1.0)
        else:
            # the tangent in q (exact) and the secant in C through the current rate
            q = max(loading[j], _Q_FLOOR)
            c_star = freundlich_tenor_mg_l(q, k_eq, c_ref, n_f)
            drive = c - c_star
            mag = max(abs(drive), _C_FLOOR)
            s = kn_n * kn_k ** (1.0 / kn_n) * rate_fac
            r0 = s * q ** (1.0 - 1.0 / kn_n) * mag ** (1.0 / kn_n) * (1.0 if drive >= 0 else -1.0)
            r_c = s * q ** (1.0 - 1.0 / kn_n) * mag ** (1.0 / kn_n - 1.0) / kn_n
            r_q = (1.0 - 1.0 / kn_n) * r0 / q - r_c * n_f * c_star / q
            if -r_q > 0.0:
                k_new = -r_q
                keq_new = max((r0 / k_new + q) / c, 1e-300)
            else:  # no useful tangent: the secant through the isotherm
                keq_new = q / max(c_star, _C_FLOOR)
                k_new = r_c * kn_n / keq_new
        keq_new = _clip(keq_new, k_eq / _SECANT_SPAN, k_eq * _SECANT_SPAN)
        k_hi = max(k_base, 1e-300) * _SECANT_SPAN
        k_new = _clip(k_new, k_hi / _SECANT_SPAN**2, k_hi)
        # damped in the logarithm
        k_next = np.exp(relax * np.log(k_new) + (1.0 - relax) * np.log(gold_k[j]))
        keq_next = np.exp(relax * np.log(keq_new) + (1.0 - relax) * np.log(gold_keq[j]))
        # the undamped distance measures convergence
        change = max(change, abs(k_new / gold_k[j] - 1.0), abs(keq_new / gold_keq[j] - 1.0))
        gold_k[j] = k_next
        gold_keq[j] = keq_next
    return change


@njit
def adsorption_train_forms_batch(
    solution_m3_h: np.ndarray,
    feed_tenor_g_m3: np.ndarray,
    source_g_h: np.ndarray,
    carbon_tph: np.ndarray,
    barren_loading_g_t: np.ndarray,
    carbon_per_tank_t: np.ndarray,
    k_per_h: np.ndarray,
    k_eq_m3_t: np.ndarray,
    molar_mass_g_mol: np.ndarray,
    capacity_g_t: np.ndarray,
    solids_tph: np.ndarray,
    ore_k_m3_t: np.ndarray,
    feed_ore_g_h: np.ndarray,
    reversible: bool,
    form: int,
    c_ref_mg_l: np.ndarray,
    n_f: np.ndarray,
    kn_k: np.ndarray,
    kn_n: np.ndarray,
    rate_fac: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The train of ``adsorption_train_batch`` with gold on the ``form`` rate law.

    Arguments up to ``reversible`` as in
    :func:`oreflow.kernels.adsorption.adsorption_train_batch` (``k_per_h[:, 0]``, the
    Nicol-Fleming k of gold, is used by ``freundlich`` and as the start of ``kn``).

    Parameters
    ----------
    form : int
        ``FORMS[name]``: 0 Nicol-Fleming (the linear train, no iteration), 1 Freundlich,
        2 k-n.
    c_ref_mg_l, n_f : (n_cases,) float64
        Reference tenor of K and Freundlich exponent n_F (1: linear isotherm).
    kn_k, kn_n : (n_cases,) float64
        Fleming's k [m³/(t·h^n)] and n of the k-n form.
    rate_fac : (n_cases,) float64
        Film factor of the carbon size, agitation and pulp applied to the k-n rate.

    Returns
    -------
    tenor_g_m3, loading_g_t, ore_gold_g_h
        As ``adsorption_train_batch``.
    iterations : (n_cases,) float64
        Substitutions used per case; ``-1`` where they did not settle within
        ``_FORM_MAX_ITER`` (the last iterate is returned).

    Examples
    --------
    >>> import numpy as np
    >>> one, z = np.ones(1), np.zeros(1)
    >>> args = (np.array([100.0]), np.zeros((1, 1)), np.full((1, 3, 1), 50.0),
    ...         np.array([0.5]), np.zeros((1, 1)), np.full((1, 3), 10.0),
    ...         np.full((1, 1), 0.015), np.full((1, 1), 1.0e4), np.array([196.97]),
    ...         np.array([np.inf]), z, z, z, True)
    >>> c1, q1, _, _ = adsorption_train_forms_batch(*args, 1, one, one, one, one, one)
    >>> c2, q2, _, _ = adsorption_train_forms_batch(*args, 2, one, one, 150 * one, one, one)
    >>> bool(abs(c1[0, -1, 0] - c2[0, -1, 0]) < 1e-9)   # n_F = 1 and n = 1 coincide
    True
    """
    n_cases = solution_m3_h.shape[0]
    n_tanks = source_g_h.shape[1]
    n_met = source_g_h.shape[2]
    tenor_out = np.empty((n_cases, n_tanks, n_met))
    loading_out = np.empty((n_cases, n_tanks, n_met))
    ore_out = np.zeros((n_cases, n_tanks))
    iterations = np.zeros(n_cases)
    scratch = train_scratch(n_tanks, n_met)
    gold_k = np.empty(n_tanks)
    gold_keq = np.empty(n_tanks)
    tenor = np.empty(n_tanks)
    loading = np.empty(n_tanks)
    good_k = np.empty(n_tanks)
    good_keq = np.empty(n_tanks)
    for i in range(n_cases):
        k_eq = k_eq_m3_t[i, 0]
        # k-n starts from its film-diffusion equivalent k/K (exact at n = 1)
        k_base = kn_k[i] * rate_fac[i] / max(k_eq, 1e-300) if form == 2 else k_per_h[i, 0]
        gold_k[:] = k_base
        gold_keq[:] = k_eq
        # no tenor or loading can exceed all the gold coming in, carried by the solution
        # alone or by the carbon alone
        gold_in = (
            solution_m3_h[i] * max(feed_tenor_g_m3[i, 0], 0.0)
            + carbon_tph[i] * max(barren_loading_g_t[i, 0], 0.0)
            + max(feed_ore_g_h[i], 0.0)
        )
        for j in range(n_tanks):
            gold_in += max(source_g_h[i, j, 0], 0.0)
        c_max = _PHYSICAL_SLACK * gold_in / max(solution_m3_h[i], 1e-300) + _C_FLOOR
        q_max = _PHYSICAL_SLACK * gold_in / max(carbon_tph[i], 1e-300) + _Q_FLOOR
        used = -1.0
        # a Freundlich secant with n_F >= 1 moves against the tenor it sets: undamped
        # substitution converges monotonically there
        top = 1.0 if form == 1 and n_f[i] >= 1.0 else _FORM_RELAX
        relax = top
        settled = True
        for it in range(_FORM_MAX_ITER + 1):
            train_case(
                i, solution_m3_h, feed_tenor_g_m3, source_g_h, carbon_tph,
                barren_loading_g_t, carbon_per_tank_t, k_per_h, k_eq_m3_t, molar_mass_g_mol,
                capacity_g_t, solids_tph, ore_k_m3_t, feed_ore_g_h, reversible, gold_k,
                gold_keq, tenor_out, loading_out, ore_out, scratch,
            )  # fmt: skip
            if form == 0 or k_eq <= 0.0 or k_base <= 0.0:
                used = float(it)
                break
            physical = True
            for j in range(n_tanks):
                c, q = tenor_out[i, j, 0], loading_out[i, j, 0]
                if not (-_C_FLOOR <= c <= c_max and -_Q_FLOOR <= q <= q_max):
                    physical = False
            if physical:
                settled = True
                good_k[:] = gold_k
                good_keq[:] = gold_keq
                for j in range(n_tanks):
                    tenor[j] = tenor_out[i, j, 0]
                    loading[j] = loading_out[i, j, 0]
            else:
                # the step left the physical range: back to the last good secants, shorter
                settled = False
                relax = max(0.25 * relax, _FORM_RELAX_MIN)
                gold_k[:] = good_k
                gold_keq[:] = good_keq
            change = _secants(
                form, tenor, loading, k_base, k_eq, c_ref_mg_l[i], n_f[i], kn_k[i], kn_n[i],
                rate_fac[i], gold_k, gold_keq, relax,
            )  # fmt: skip
            if physical and change <= _FORM_TOL:
                used = float(it + 1)
                break
            if physical:
                relax = min(2.0 * relax, top)
        if not settled:  # end on the last physical iterate
            train_case(
                i, solution_m3_h, feed_tenor_g_m3, source_g_h, carbon_tph,
                barren_loading_g_t, carbon_per_tank_t, k_per_h, k_eq_m3_t, molar_mass_g_mol,
                capacity_g_t, solids_tph, ore_k_m3_t, feed_ore_g_h, reversible, good_k,
                good_keq, tenor_out, loading_out, ore_out, scratch,
            )  # fmt: skip
        iterations[i] = used
    return tenor_out, loading_out, ore_out, iterations

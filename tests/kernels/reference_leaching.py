"""Reference implementations of the ex07 cyanide-leach formulas (Marsden & House 2006).

Single-species forms of the production kernels in ``oreflow.kernels.leaching`` and
``oreflow.kernels.adsorption``, kept as parity references: each test compares a production
kernel with one of these on the same inputs, and the ex07 worked numbers are checked
against them. They are compiled with the package's ``njit`` so the jit and plain-Python
forms can both be compared.
"""

from __future__ import annotations

import math

import numpy as np

from oreflow.kernels._jit import njit
from oreflow.kernels.leaching import (
    AU_G_MOL,
    CN_PER_AU,
    CN_PER_CU,
    CN_PER_S,
    CU_G_MOL,
    NACN_G_MOL,
    S_G_MOL,
)

_G_PER_KG = 1.0e3


@njit
def first_order_tank_extraction(
    k_per_h: np.ndarray,
    ultimate_frac: np.ndarray,
    residence_h: float,
    n_tanks: int,
) -> np.ndarray:
    """Cumulative first-order extraction after each tank of an equal-volume train.

    Each tank is a perfect mixer with residence time ``residence_h / n_tanks``; the
    leachable gold falls by a factor ``1 + k τ/N`` per tank, so after the last tank

        R = R∞ [1 − (1 + k τ/N)^(−N)]                      (Crundwell & Godorr 1997; Ling et al. 1996; Lima & Hodouin 2005; docs/models.md#cil)

    For a first-order rate the micro- and macro-mixed (segregated) cascades give the
    same answer, so this form is exact for one size/deportment class.

    Parameters
    ----------
    k_per_h : (n,) float64
        First-order leach rate constant [1/h]; typical 0.1-0.5 [L].
    ultimate_frac : (n,) float64
        Extraction at infinite residence time R∞ [-], in [0, 1].
    residence_h : float
        Total slurry residence time of the train τ [h], >= 0.
    n_tanks : int
        Number of equal tanks in series N [-], >= 0.

    Returns
    -------
    (n, n_tanks) float64
        Cumulative extraction after tank ``j`` [-].

    References
    ----------
    O. Levenspiel, *Chemical Reaction Engineering*, 3rd ed., Wiley, 1999, ch. 6
    (first-order reaction in N equal mixed-flow reactors; textbook result, no DOI).

    Examples
    --------
    >>> import numpy as np
    >>> r = first_order_tank_extraction(np.array([0.25]), np.array([0.95]), 24.0, 6)
    >>> round(float(r[0, -1]), 6)
    0.935156
    """
    n = k_per_h.shape[0]
    if ultimate_frac.shape[0] != n:
        msg = "k_per_h and ultimate_frac must have the same length"
        raise ValueError(msg)
    out = np.zeros((n, n_tanks))
    if n_tanks <= 0:
        return out
    tau_h = residence_h / n_tanks
    for i in range(n):
        # log1p/expm1 keep 1 − (1 + x)^(−m) accurate when k τ/N is small, where the
        # direct form would lose digits to cancellation.
        log_growth = math.log1p(k_per_h[i] * tau_h)
        for j in range(n_tanks):
            out[i, j] = ultimate_frac[i] * -math.expm1(-(j + 1) * log_growth)
    return out


@njit
def cil_leach_batch(
    solids_au_tph: np.ndarray,
    k_per_h: np.ndarray,
    ultimate_frac: np.ndarray,
    tank_residence_h: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """First-order leaching of gold classes through a train of perfectly mixed tanks.

    Gold in the solids is split into classes by particle size and by deportment
    (e.g. free, sulfide-locked, silicate-locked). Each class leaches at first order
    towards its own ultimate extraction: a fraction ``R∞`` of its feed is leachable
    and the rest never dissolves. In tank ``j`` (a perfect mixer of residence time
    ``τ_j``, tanks may differ) the leachable gold of a class falls as

        L_j = L_{j−1} / (1 + k τ_j),      L_0 = R∞ · feed          (Crundwell & Godorr 1997; Ling et al. 1996; Lima & Hodouin 2005; docs/models.md#cil)

    and ``L_{j−1} − L_j`` dissolves. With one class, ``R∞ = 1 − G∞/G0`` and equal
    tanks this is the lumped profile ``G_j = G∞ + (G_{j−1} − G∞)/(1 + k τ_j)``.
    Being linear, the result is the same for segregated and micromixed solids.

    Parameters
    ----------
    solids_au_tph : (n_cases, n_cls, n_dep) float64
        Gold in the leach-feed solids per size class and deportment class [t/h].
    k_per_h : (n_cases, n_cls, n_dep) float64
        First-order leach rate constant per class [1/h], >= 0.
    ultimate_frac : (n_cases, n_cls, n_dep) float64
        Ultimate (leachable) extraction per class R∞ [-], in [0, 1].
    tank_residence_h : (n_cases, n_tanks) float64
        Slurry residence time of each tank [h], >= 0.

    Returns
    -------
    leached_tph : (n_cases, n_tanks) float64
        Gold dissolved in tank ``j``, summed over all classes [t/h].
    residue_au_tph : (n_cases, n_cls, n_dep) float64
        Gold per class in the solids leaving the last tank [t/h].

    Notes
    -----
    Conservation is exact up to rounding, ``Σ_j leached + Σ residue = Σ feed``: the
    dissolved gold is taken as the difference of successive ``L_j``, so the sum over
    tanks telescopes to ``L_0 − L_N``.

    References
    ----------
    O. Levenspiel, *Chemical Reaction Engineering*, 3rd ed., Wiley, 1999, ch. 6
    (first order in mixed-flow reactors in series; no DOI).
    J. Marsden and I. House, *The Chemistry of Gold Extraction*, 2nd ed., SME, 2006
    (leach kinetics with a non-leachable residue; no DOI).
    """
    n_cases = solids_au_tph.shape[0]
    n_cls = solids_au_tph.shape[1]
    n_dep = solids_au_tph.shape[2]
    if k_per_h.shape != solids_au_tph.shape or ultimate_frac.shape != solids_au_tph.shape:
        msg = "k_per_h and ultimate_frac must have the shape of solids_au_tph"
        raise ValueError(msg)
    if tank_residence_h.shape[0] != n_cases:
        msg = "tank_residence_h must have n_cases rows"
        raise ValueError(msg)
    n_tanks = tank_residence_h.shape[1]
    leached_tph = np.zeros((n_cases, n_tanks))
    residue_au_tph = np.empty((n_cases, n_cls, n_dep))
    for i in range(n_cases):
        for c in range(n_cls):
            for d in range(n_dep):
                feed = solids_au_tph[i, c, d]
                leachable = ultimate_frac[i, c, d] * feed
                for j in range(n_tanks):
                    remaining = leachable / (1.0 + k_per_h[i, c, d] * tank_residence_h[i, j])
                    leached_tph[i, j] += leachable - remaining
                    leachable = remaining
                residue_au_tph[i, c, d] = (feed - ultimate_frac[i, c, d] * feed) + leachable
    return leached_tph, residue_au_tph


@njit
def carbon_cascade_batch(
    solution_m3_h: np.ndarray,
    feed_tenor_g_m3: np.ndarray,
    leach_source_g_h: np.ndarray,
    carbon_tph: np.ndarray,
    barren_loading_g_t: np.ndarray,
    carbon_per_tank_t: np.ndarray,
    k_per_h: np.ndarray,
    k_eq_m3_t: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Steady state of a counter-current CIP/CIL carbon-adsorption train.

    Slurry flows from tank 1 to tank N, carbon from tank N to tank 1: barren carbon
    enters tank N and loaded carbon leaves tank 1. Adsorption follows the
    Nicol-Fleming rate ``R = k (K C − q)`` per tonne of carbon. The balances of
    Nicol, Fleming & Cromberge 1984; Fleming et al. 2011, Miner. Eng. 24:484; docs/models.md#cil, for tank ``j`` holding ``M_j`` t of carbon:

        solution:  Q_l (C_{j−1} − C_j) + S_j = M_j k (K C_j − q_j)
        carbon:    F_c (q_{j+1} − q_j)        + M_j k (K C_j − q_j) = 0

    with ``C_0`` the feed tenor (CIP; 0 for CIL fed with fresh solution) and
    ``q_{N+1}`` the barren loading. With ``k`` and ``K`` fixed this is a 2N linear
    system per case; it is block tridiagonal and is solved here by elimination tank by
    tank, forward in slurry order then back-substituted in carbon order.

    Parameters
    ----------
    solution_m3_h : (n_cases,) float64
        Solution flow with the slurry Q_l [m³/h], > 0.
    feed_tenor_g_m3 : (n_cases,) float64
        Gold tenor of the solution entering tank 1, C_0 [g/m³].
    leach_source_g_h : (n_cases, n_tanks) float64
        Gold dissolved from the solids in each tank S_j [g/h] (zeros for CIP; for CIL
        ``1e6 x leached_tph`` of :func:`cil_leach_batch`).
    carbon_tph : (n_cases,) float64
        Carbon advance rate F_c [t/h], >= 0.
    barren_loading_g_t : (n_cases,) float64
        Loading of the eluted carbon entering tank N, q_{N+1} [g/t].
    carbon_per_tank_t : (n_cases, n_tanks) float64
        Carbon inventory of each tank M_j [t], >= 0.
    k_per_h : (n_cases,) float64
        Nicol-Fleming rate constant k [1/h], >= 0; fitted per plant, indicative
        0.005-0.05 [assumed, Nicol, Fleming & Cromberge 1984; Fleming et al. 2011, Miner. Eng. 24:484; docs/models.md#cil].
    k_eq_m3_t : (n_cases,) float64
        Nicol-Fleming pseudo-equilibrium constant K [m³/t], >= 0; fitted per plant,
        indicative 1e3-1e5 [assumed, Nicol, Fleming & Cromberge 1984; Fleming et al. 2011, Miner. Eng. 24:484; docs/models.md#cil].

    Returns
    -------
    tenor_g_m3 : (n_cases, n_tanks) float64
        Solution tenor leaving tank ``j`` C_j [g/m³].
    loading_g_t : (n_cases, n_tanks) float64
        Carbon loading in (and leaving) tank ``j`` q_j [g/t].

    Notes
    -----
    *Elimination.* Carrying ``C_{j−1} = α + β q_j`` from the upstream tank, the solution
    balance gives ``C_j = u + v q_j`` and the carbon balance then
    ``q_j = γ_j + δ_j q_{j+1}``, with pivot ``D_j = F_c + M_j k Q_l (1 − K β)/(Q_l + M_j k K)``.
    Induction from ``β = 0`` at the feed shows ``0 <= K β <= 1`` (a richer incoming
    carbon can raise the tenor by at most its equilibrium value), so ``D_j >= F_c`` and
    no pivoting is needed; ``1 − K β`` is carried as its own product of positive
    factors so that it never suffers cancellation.

    *Limits.* A tank without carbon (``M_j k = 0``) passes the carbon through unchanged,
    ``q_j = q_{j+1}``. With ``F_c = 0`` the carbon in a tank ends at equilibrium,
    ``q_j = K C_j``, and adsorbs nothing at steady state. In both cases, and when
    both are zero, all dissolved gold stays in solution:
    ``Q_l C_N = Q_l C_0 + Σ S_j``. With no carbon anywhere the loading reported is
    the barren loading.

    *Closure.* ``Q_l (C_0 − C_N) + Σ S_j = F_c (q_1 − q_{N+1})`` to rounding.

    *Desorption.* If the barren loading exceeds ``K C`` the carbon desorbs gold; more
    carbon then raises the tenor instead of lowering it.

    References
    ----------
    M. J. Nicol, C. A. Fleming and G. Cromberge, "The absorption of gold cyanide onto
    activated carbon. I. The kinetics of absorption from pulps" and "II. Application
    of the kinetic model to multistage absorption circuits", J. S. Afr. Inst. Min.
    Metall. 84:50 and 84:70, 1984 (no DOI found for these papers).
    C. A. Fleming, A. Mezei, E. Bourricaudy, M. Canizares and M. Ashbury, "Factors
    influencing the rate of gold cyanide leaching and adsorption on activated carbon,
    and their impact on the design of CIL and CIP circuits", Miner. Eng.
    24:484-494, 2011 (DOI not verified here).
    """
    n_cases = solution_m3_h.shape[0]
    n_tanks = leach_source_g_h.shape[1]
    if (
        feed_tenor_g_m3.shape[0] != n_cases
        or carbon_tph.shape[0] != n_cases
        or barren_loading_g_t.shape[0] != n_cases
        or k_per_h.shape[0] != n_cases
        or k_eq_m3_t.shape[0] != n_cases
        or leach_source_g_h.shape[0] != n_cases
    ):
        msg = "every per-case input must have n_cases rows"
        raise ValueError(msg)
    if carbon_per_tank_t.shape != leach_source_g_h.shape:
        msg = "carbon_per_tank_t must have the shape of leach_source_g_h"
        raise ValueError(msg)
    tenor_g_m3 = np.empty((n_cases, n_tanks))
    loading_g_t = np.empty((n_cases, n_tanks))
    # Elimination coefficients of one case: C_j = alpha_j + beta_j q_{j+1} and
    # q_j = gamma_j + delta_j q_{j+1}.
    alpha = np.empty(n_tanks)
    beta = np.empty(n_tanks)
    gamma = np.empty(n_tanks)
    delta = np.empty(n_tanks)
    for i in range(n_cases):
        flow = solution_m3_h[i]
        carbon = carbon_tph[i]
        k_eq = k_eq_m3_t[i]
        c_alpha = feed_tenor_g_m3[i]  # C_{j−1} = c_alpha + c_beta q_j
        c_beta = 0.0
        slack = 1.0  # 1 − K c_beta, kept apart because K c_beta may approach 1
        for j in range(n_tanks):
            transfer = carbon_per_tank_t[i, j] * k_per_h[i]  # M_j k [t/h]
            mixed = flow + transfer * k_eq  # Q_l + M_j k K [m³/h]
            u = (flow * c_alpha + leach_source_g_h[i, j]) / mixed
            v = (flow * c_beta + transfer) / mixed
            w = flow * slack / mixed  # 1 − K v
            pivot = carbon + transfer * w
            if pivot > 0.0:
                gamma[j] = transfer * k_eq * u / pivot
                delta[j] = carbon / pivot
                slack = (carbon + transfer) * w / pivot
            else:
                # No carbon in the tank and none flowing: the loading is undefined;
                # report the loading of the carbon that would pass through.
                gamma[j] = 0.0
                delta[j] = 1.0
                slack = w
            alpha[j] = u + v * gamma[j]
            beta[j] = v * delta[j]
            c_alpha = alpha[j]
            c_beta = beta[j]
        q_next = barren_loading_g_t[i]
        for j in range(n_tanks - 1, -1, -1):
            tenor_g_m3[i, j] = alpha[j] + beta[j] * q_next
            q_next = gamma[j] + delta[j] * q_next
            loading_g_t[i, j] = q_next
    return tenor_g_m3, loading_g_t


@njit
def fleming_kn_loading_g_t(k: float, n: float, c_g_m3: float, t_h: float) -> float:
    """Carbon loading of the Fleming "k, n" carbon-activity test, ``q = k C t^n``.

    This is the empirical form used to rate the activity of fresh against regenerated
    carbon in a standard batch test; it is **not** used in the counter-current cascade,
    which uses the Nicol-Fleming ``(k, K)`` rate (:func:`carbon_cascade_batch`).
    Nicol, Fleming & Cromberge 1984; Fleming et al. 2011, Miner. Eng. 24:484; docs/models.md#cil asks for the form to be checked against Fleming & Nicol (1984)
    before use; it is coded here as given there. Works element-wise on arrays too.

    Parameters
    ----------
    k : float or ndarray
        Activity constant [(g/t)/(g/m³)/h^n] = [m³/(t·h^n)].
    n : float or ndarray
        Time exponent [-], typically below 1.
    c_g_m3 : float or ndarray
        Solution tenor at time ``t_h`` [g/m³].
    t_h : float or ndarray
        Contact time [h], >= 0.

    Returns
    -------
    float or ndarray
        Gold loading on carbon [g/t].

    References
    ----------
    C. A. Fleming and M. J. Nicol, "The absorption of gold cyanide onto activated
    carbon. III. Factors influencing the rate of loading and the equilibrium capacity",
    J. S. Afr. Inst. Min. Metall. 84(4):85-93, 1984 (no DOI found).

    Examples
    --------
    >>> fleming_kn_loading_g_t(100.0, 0.5, 2.0, 4.0)
    400.0
    """
    return k * c_g_m3 * t_h**n


@njit
def freundlich_loading_g_t(k_f: float, n_f: float, c_g_m3: float) -> float:
    """Equilibrium carbon loading of the Freundlich isotherm, ``q = K_F C^(1/n_F)``.

    Works element-wise on arrays too.

    Parameters
    ----------
    k_f : float or ndarray
        Freundlich capacity constant [(g/t)/(g/m³)^(1/n_F)].
    n_f : float or ndarray
        Freundlich intensity exponent n_F [-], > 0.
    c_g_m3 : float or ndarray
        Equilibrium solution tenor [g/m³], >= 0.

    Returns
    -------
    float or ndarray
        Equilibrium gold loading on carbon [g/t].

    References
    ----------
    H. Freundlich, "Über die Adsorption in Lösungen", Z. Phys. Chem. 57:385-470,
    1907, doi:10.1515/zpch-1907-5723.

    Examples
    --------
    >>> freundlich_loading_g_t(2000.0, 2.0, 0.25)
    1000.0
    """
    return k_f * c_g_m3 ** (1.0 / n_f)


@njit
def nacn_consumption_kg_t(
    solution_m3_t: float,
    tail_nacn_mg_l: float,
    cu_dissolved_g_t: float,
    s_to_scn_g_t: float,
    au_g_t: float,
    other_kg_t: float,
) -> np.ndarray:
    """Sodium-cyanide consumption by mechanism, per tonne of ore (Marsden & House 2006; docs/models.md#cil).

    Each chemical term is stoichiometric, converted to NaCN with the molar masses
    M(NaCN) = 49.008, M(Cu) = 63.546, M(S) = 32.06, M(Au) = 196.967 g/mol [S] (Marsden & House print 49.01, 63.55, 196.97):

    - soluble loss: ``V_sol · C_tail``, cyanide left in the tailings solution
      (g/m³ x m³/t = g/t, /1000 to kg/t);
    - copper: 2 Cu²⁺ + 7 CN⁻ + 2 OH⁻ → 2 Cu(CN)₃²⁻ + CNO⁻ + H₂O, i.e. 3.5 mol CN⁻ per
      mol Cu, ``3.5 x 49.008/63.546 = 2.699`` kg NaCN per kg Cu;
    - thiocyanate: S + CN⁻ → SCN⁻, ``49.008/32.06 = 1.529`` kg NaCN per kg S;
    - gold: Au(CN)₂⁻, ``2 x 49.008/196.967 = 0.4976`` kg NaCN per kg Au (negligible);
    - other: oxidation to cyanate and HCN volatilisation, an input; 0.05-0.3 kg/t is
      typical [assumed, Marsden & House 2006; docs/models.md#cil].

    Parameters
    ----------
    solution_m3_t : float
        Solution leaving with the tailings per tonne of ore V_sol [m³/t].
    tail_nacn_mg_l : float
        Free cyanide, as NaCN, in the tailings solution [mg/L] = [g/m³].
    cu_dissolved_g_t : float
        Copper dissolved as Cu(II) cyanide per tonne of ore [g/t].
    s_to_scn_g_t : float
        Sulfur converted to thiocyanate per tonne of ore [g/t].
    au_g_t : float
        Gold dissolved as aurocyanide per tonne of ore [g/t].
    other_kg_t : float
        Other losses (cyanate oxidation, HCN volatilisation) [kg/t].

    Returns
    -------
    (5,) float64
        NaCN consumed [kg/t] by soluble loss, copper, thiocyanate, gold and other, in
        that order; the total is the sum.

    References
    ----------
    J. Marsden and I. House, *The Chemistry of Gold Extraction*, 2nd ed., SME, 2006
    (cyanide consumption by copper minerals and reactive sulfides; no DOI).

    Examples
    --------
    >>> parts = nacn_consumption_kg_t(1.5, 300.0, 100.0, 50.0, 2.0, 0.10)
    >>> round(float(parts.sum()), 4)
    0.8974
    """
    out = np.empty(5)
    out[0] = solution_m3_t * tail_nacn_mg_l / _G_PER_KG
    out[1] = cu_dissolved_g_t / _G_PER_KG * CN_PER_CU * NACN_G_MOL / CU_G_MOL
    out[2] = s_to_scn_g_t / _G_PER_KG * CN_PER_S * NACN_G_MOL / S_G_MOL
    out[3] = au_g_t / _G_PER_KG * CN_PER_AU * NACN_G_MOL / AU_G_MOL
    out[4] = other_kg_t
    return out


@njit
def preg_robbed_fraction(
    k_ore_m3_t: float,
    k_carbon_m3_t: float,
    carbon_t_t: float,
    solution_m3_t: float,
) -> float:
    """Fraction of the dissolved gold held by the ore at equilibrium in one tank.

    Linear partition of aurocyanide between solution, activated carbon and the
    preg-robbing constituents of the ore (Goodall, Leatham & Scales 2005, Miner. Eng. 18:1135; docs/models.md#cil), per tonne of ore:

        f_ore = K_ore / (V + K_c m_c + K_ore)

    Carbon in the pulp (CIL) competes with the ore; without it (``m_c = 0``, CIP) the
    ore keeps ``K_ore / (V + K_ore)``.

    Parameters
    ----------
    k_ore_m3_t : float
        Ore partition coefficient K_ore [m³/t ore], >= 0 (measured, e.g. by spiked-gold
        tests).
    k_carbon_m3_t : float
        Activated-carbon partition coefficient K_c [m³/t carbon], >= 0.
    carbon_t_t : float
        Carbon in the pulp per tonne of ore m_c [t/t], >= 0.
    solution_m3_t : float
        Solution per tonne of ore V [m³/t], >= 0.

    Returns
    -------
    float
        Fraction of the dissolved gold on the ore [-], in [0, 1]; 0 when
        ``K_ore = 0``.

    References
    ----------
    W. R. Goodall, J. D. Leatham and P. J. Scales, "A new method for determination of
    preg-robbing in gold ores", Miner. Eng. 18:1135-1141, 2005,
    doi:10.1016/j.mineng.2005.05.014 (measurement of K_ore; the partition model
    itself is the [assumed] linear-equilibrium form of Goodall, Leatham & Scales 2005, Miner. Eng. 18:1135; docs/models.md#cil).

    Examples
    --------
    >>> round(preg_robbed_fraction(0.8, 1.0e4, 0.015, 1.5), 6)
    0.005253
    """
    if k_ore_m3_t <= 0.0:
        return 0.0
    return k_ore_m3_t / (solution_m3_t + k_carbon_m3_t * carbon_t_t + k_ore_m3_t)


@njit
def heap_recovery_curve(
    mass_frac: np.ndarray,
    k_per_d: np.ndarray,
    ultimate_frac: np.ndarray,
    times_d: np.ndarray,
) -> np.ndarray:
    """Recovery of a heap against leach time: the mass-weighted sum over size classes.

    ``R(t) = Σ_c m_c R∞_c (1 − exp(−k_c t)) / Σ_c m_c`` (Marsden & House 2006; docs/models.md#heap_leach), for plotting
    and for choosing the leach cycle.

    Parameters
    ----------
    mass_frac : (n_cls,) float64
        Metal (or ore) mass in each class [any unit], >= 0.
    k_per_d : (n_cls,) float64
        Rate constant of each class [1/d].
    ultimate_frac : (n_cls,) float64
        Ultimate extraction of each class [-].
    times_d : (n_t,) float64
        Leach times [d], >= 0.

    Returns
    -------
    (n_t,) float64
        Recovery at each time [-].

    Examples
    --------
    >>> import numpy as np
    >>> r = heap_recovery_curve(np.array([1.0, 1.0]), np.array([0.1, 0.01]),
    ...                         np.array([0.9, 0.5]), np.array([0.0, 1e9]))
    >>> [round(float(x), 6) for x in r]
    [0.0, 0.7]
    """
    total = mass_frac.sum()
    out = np.zeros(times_d.shape[0])
    if total <= 0.0:
        return out
    for t in range(times_d.shape[0]):
        acc = 0.0
        for c in range(mass_frac.shape[0]):
            acc += mass_frac[c] * ultimate_frac[c] * -math.expm1(-k_per_d[c] * times_d[t])
        out[t] = acc / total
    return out

"""Cyanide-leach kernels: CIL/CIP tank trains, carbon adsorption and the cyanide budget.

Array contract (shared by every module in ``oreflow.kernels``):

- inputs and outputs are float64/int64 numpy arrays or Python scalars, never pandas;
- gold mass flows are in t/h (1 g/h = 1e-6 t/h), except the carbon cascade, which works in
  g/h because its balance is written in tenor x volume (g/m³ x m³/h);
- solution volume is in m³/h, equal to water in t/h (density 1 t/m³, SI units, oreflow's conventions);
- solution tenor ``C`` is in g/m³ = mg/L and carbon loading ``q`` in g Au per t carbon;
- times are in h, rate constants in 1/h and fractions in [0, 1];
- kernels never mutate their inputs.

The models are those of Crundwell & Godorr 1997; Ling et al. 1996; Lima & Hodouin 2005; docs/models.md#cil; Nicol, Fleming & Cromberge 1984; Fleming et al. 2011, Miner. Eng. 24:484; the worked numbers of its
example ex07 are reproduced in ``tests/kernels/test_leaching.py``.
"""

from __future__ import annotations

import math

import numpy as np

from oreflow import conventions as mm
from oreflow.kernels._jit import njit

#: Molar masses [g/mol] used for the cyanide budget, rounded to 2 decimals as in
#: Marsden & House 2006; docs/models.md#cil [S] (IUPAC standard atomic weights: NaCN 49.007, Cu 63.546,
#: S 32.06, Au 196.967; the rounding moves no factor by more than 5e-5 relative).
NACN_G_MOL = 49.01
CU_G_MOL = 63.55
S_G_MOL = 32.06
AU_G_MOL = 196.97

#: mol CN⁻ consumed per mol Cu(II) dissolved [S]: 2 Cu²⁺ + 7 CN⁻ + 2 OH⁻ →
#: 2 Cu(CN)₃²⁻ + CNO⁻ + H₂O (6 CN⁻ complexed and 1 oxidised to cyanate per 2 Cu).
CN_PER_CU = 3.5
#: mol CN⁻ per mol S converted to thiocyanate [S]: S + CN⁻ → SCN⁻.
CN_PER_S = 1.0
#: mol CN⁻ per mol Au dissolved as aurocyanide [S]: Elsner, Au(CN)₂⁻.
CN_PER_AU = 2.0

#: Suggested exponent of the rate constant on relative particle size [assumed].
DEFAULT_K_SIZE_EXPONENT = 0.5
#: Suggested exponent of the ultimate extraction on relative particle size [assumed].
DEFAULT_ULTIMATE_SIZE_EXPONENT = 0.15

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
    M(NaCN) = 49.01, M(Cu) = 63.55, M(S) = 32.06, M(Au) = 196.97 g/mol [S]:

    - soluble loss: ``V_sol · C_tail``, cyanide left in the tailings solution
      (g/m³ x m³/t = g/t, /1000 to kg/t);
    - copper: 2 Cu²⁺ + 7 CN⁻ + 2 OH⁻ → 2 Cu(CN)₃²⁻ + CNO⁻ + H₂O, i.e. 3.5 mol CN⁻ per
      mol Cu, ``3.5 x 49.01/63.55 = 2.699`` kg NaCN per kg Cu;
    - thiocyanate: S + CN⁻ → SCN⁻, ``49.01/32.06 = 1.529`` kg NaCN per kg S;
    - gold: Au(CN)₂⁻, ``2 x 49.01/196.97 = 0.4976`` kg NaCN per kg Au (negligible);
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
def size_dependent_leach_params(
    d_rep_um: np.ndarray,
    k_ref_per_h: float,
    ultimate_ref_frac: float,
    d_ref_um: float,
    k_size_exponent: float = DEFAULT_K_SIZE_EXPONENT,
    ultimate_size_exponent: float = DEFAULT_ULTIMATE_SIZE_EXPONENT,
) -> tuple[np.ndarray, np.ndarray]:
    """Leach rate constant and ultimate extraction per size class, by a power law.

    Crundwell & Godorr 1997; Ling et al. 1996; Lima & Hodouin 2005; docs/models.md#cil states only that both the rate constant and the ultimate extraction
    fall as particle size rises (less gold exposed or liberated, longer diffusion
    paths). This kernel uses an **assumed** power law in the relative size, flat below
    the reference size:

        k_i  = k_ref  · min(1, d_ref/d_i)^a
        R∞_i = R∞_ref · min(1, d_ref/d_i)^b

    The form and the exponents are [assumed], not fitted; replace them with
    size-by-size leach tests of the ore in question.

    Parameters
    ----------
    d_rep_um : (n_cls,) float64
        Representative particle size of each class [µm], >= 0.
    k_ref_per_h : float
        Rate constant at and below the reference size [1/h].
    ultimate_ref_frac : float
        Ultimate extraction at and below the reference size [-], in [0, 1].
    d_ref_um : float
        Reference size [µm], e.g. the P80 at which ``k_ref`` and ``R∞_ref`` were
        measured.
    k_size_exponent : float, optional
        Exponent ``a`` of the rate constant [-]; default 0.5 [assumed].
    ultimate_size_exponent : float, optional
        Exponent ``b`` of the ultimate extraction [-]; default 0.15 [assumed].

    Returns
    -------
    k_per_h : (n_cls,) float64
        Rate constant per class [1/h].
    ultimate_frac : (n_cls,) float64
        Ultimate extraction per class [-].

    Examples
    --------
    >>> import numpy as np
    >>> k, r = size_dependent_leach_params(np.array([50.0, 300.0]), 0.3, 0.95, 75.0)
    >>> [round(float(x), 4) for x in k], [round(float(x), 4) for x in r]
    ([0.3, 0.15], [0.95, 0.7716])
    """
    n_cls = d_rep_um.shape[0]
    k_per_h = np.empty(n_cls)
    ultimate_frac = np.empty(n_cls)
    for i in range(n_cls):
        # Compare before dividing so that a zero size needs no special case.
        if d_rep_um[i] <= d_ref_um:
            k_per_h[i] = k_ref_per_h
            ultimate_frac[i] = ultimate_ref_frac
        else:
            relative = d_ref_um / d_rep_um[i]
            k_per_h[i] = k_ref_per_h * relative**k_size_exponent
            ultimate_frac[i] = ultimate_ref_frac * relative**ultimate_size_exponent
    return k_per_h, ultimate_frac


# ---------------------------------------------------------------------------------------
# Multi-species leach trains, multi-metal adsorption with preg-robbing, heap leaching.
# ---------------------------------------------------------------------------------------

#: Further molar masses [g/mol], IUPAC 2021 (``oreflow.conventions``, not rounded):
#: Ag, Fe, Zn, CN, OCN; and NaCN by IUPAC weights for the mass conversion of free
#: cyanide carried as NaCN to CN (the unit of WAD figures), as in the detox model.
AG_G_MOL = mm.AG_G_MOL
FE_G_MOL = mm.FE_G_MOL
ZN_G_MOL = mm.ZN_G_MOL
CN_G_MOL = mm.CN_G_MOL
OCN_G_MOL = mm.OCN_G_MOL
NACN_IUPAC_G_MOL = mm.NACN_G_MOL
#: Mass of CN per mass of NaCN [-].
CN_PER_NACN = CN_G_MOL / NACN_IUPAC_G_MOL
#: mol CN⁻ per mol Ag dissolved as Ag(CN)₂⁻ [S] (a weak-acid-dissociable complex).
CN_PER_AG = 2.0
#: mol CN⁻ per mol Fe complexed as ferrocyanide Fe(CN)₆⁴⁻ [S] (a strong complex, not WAD).
CN_PER_FE_FERROCYANIDE = 6.0
#: mol CN⁻ complexed per mol Cu as Cu(CN)₃²⁻, the predominant copper cyanide at the free
#: cyanide of a leach (Marsden & House 2006, ch. 6 [L]) [S for the stoichiometry].
CN_WAD_PER_CU = 3.0
#: mol CN⁻ per mol Zn dissolved as Zn(CN)₄²⁻ in zinc cementation [S].
CN_PER_ZN = 4.0

#: Largest number of passes of the site-competition fixed point between metals.
_COMPETITION_MAX_ITER = 200
#: The competition passes stop when no site factor moves by more than this [-].
_COMPETITION_TOL = 1.0e-14


@njit
def leach_train_batch(
    solids_tph: np.ndarray,
    k_per_h: np.ndarray,
    ultimate_frac: np.ndarray,
    tank_residence_h: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """First-order dissolution of several solid species through a train of mixed tanks.

    The per-species form of :func:`cil_leach_batch`: each (size class, species) cell
    dissolves at first order towards its ultimate extraction, tank by tank,

        L_j = L_{j−1} / (1 + k τ_j),      L_0 = R∞ · feed           (Crundwell & Godorr 1997; Ling et al. 1996; Lima & Hodouin 2005; docs/models.md#cil)

    and the amount dissolved in each tank is kept per species, so that the metal each
    species releases (gold, silver, copper, sulfur) can be tracked tank by tank.

    Parameters
    ----------
    solids_tph : (n_cases, n_cls, n_sp) float64
        Mass of each leachable species per size class in the feed [t/h].
    k_per_h : (n_cases, n_cls, n_sp) float64
        First-order rate constant of each cell [1/h], >= 0.
    ultimate_frac : (n_cases, n_cls, n_sp) float64
        Ultimate extraction of each cell R∞ [-], in [0, 1].
    tank_residence_h : (n_cases, n_tanks) float64
        Slurry residence time of each tank [h], >= 0.

    Returns
    -------
    dissolved_tph : (n_cases, n_tanks, n_sp) float64
        Mass of each species dissolved in tank ``j``, summed over size classes [t/h].
    residue_tph : (n_cases, n_cls, n_sp) float64
        Mass of each cell leaving the last tank [t/h].

    Notes
    -----
    ``Σ_j dissolved + Σ_cls residue = Σ_cls feed`` per species, to rounding (the sum
    over tanks telescopes). Linear kinetics make segregated and micromixed trains equal.

    References
    ----------
    O. Levenspiel, *Chemical Reaction Engineering*, 3rd ed., Wiley, 1999, ch. 6 (no DOI).

    Examples
    --------
    >>> import numpy as np
    >>> feed = np.ones((1, 1, 2))
    >>> d, r = leach_train_batch(feed, np.full((1, 1, 2), 0.25),
    ...                          np.array([[[0.95, 0.5]]]), np.full((1, 6), 4.0))
    >>> round(float(d[0, :, 0].sum()), 6), round(float(r[0, 0, 1]), 6)
    (0.935156, 0.507812)
    """
    n_cases, n_cls, n_sp = solids_tph.shape
    if k_per_h.shape != solids_tph.shape or ultimate_frac.shape != solids_tph.shape:
        msg = "k_per_h and ultimate_frac must have the shape of solids_tph"
        raise ValueError(msg)
    if tank_residence_h.shape[0] != n_cases:
        msg = "tank_residence_h must have n_cases rows"
        raise ValueError(msg)
    n_tanks = tank_residence_h.shape[1]
    dissolved = np.zeros((n_cases, n_tanks, n_sp))
    residue = np.empty((n_cases, n_cls, n_sp))
    for i in range(n_cases):
        for c in range(n_cls):
            for s in range(n_sp):
                feed = solids_tph[i, c, s]
                leachable = ultimate_frac[i, c, s] * feed
                for j in range(n_tanks):
                    remaining = leachable / (1.0 + k_per_h[i, c, s] * tank_residence_h[i, j])
                    dissolved[i, j, s] += leachable - remaining
                    leachable = remaining
                residue[i, c, s] = (feed - ultimate_frac[i, c, s] * feed) + leachable
    return dissolved, residue


@njit
def _cascade_one(
    flow: float,
    feed_tenor: float,
    source: np.ndarray,
    carbon: float,
    barren: float,
    transfer: np.ndarray,
    k_eq: np.ndarray,
    ore_k: float,
    feed_ore_g_h: float,
    active: np.ndarray,
    tenor: np.ndarray,
    loading: np.ndarray,
    ore_g_h: np.ndarray,
    work: np.ndarray,
) -> None:
    """One metal, one case: counter-current cascade with a preg-robbing ore (in place).

    ``transfer[j] = M_j k`` [t/h], ``k_eq[j]`` the (site-corrected) K of tank j,
    ``ore_k = Q_s K_ore`` [m³/h] the preg-robbing capacity of the ore flow, ``active[j]``
    whether the ore exchanges gold with the solution in tank j (False: it keeps what it
    holds). Outputs C_j, q_j and the gold carried by the ore out of tank j (g/h).
    ``work`` is a (7, n_tanks) scratch array. See :func:`adsorption_train_batch`.
    """
    n_tanks = source.shape[0]
    # Carried forms, affine in the loading q_j of the current tank:
    # C_{j-1} = ca + cb q_j;  P_{j-1} = pa + pb q_j (gold on ore, g/h);
    # ec = 1 - K_j cb and ep = ore_k - K_j pb, kept as sums of non-negative terms.
    ca = feed_tenor
    cb = 0.0
    pa = feed_ore_g_h
    pb = 0.0
    ec = 1.0
    ep = ore_k
    for j in range(n_tanks):
        t = transfer[j]
        kj = k_eq[j]
        if active[j]:
            out_flow = flow + ore_k
            ia = flow * ca + pa
            ib = flow * cb + pb
            slack = flow * ec + ep
        else:
            out_flow = flow
            ia = flow * ca
            ib = flow * cb
            slack = flow * ec
        mixed = out_flow + t * kj
        if mixed > 0.0:
            u = (ia + source[j]) / mixed
            v = (ib + t) / mixed
            w = slack / mixed  # 1 - K_j v
        else:
            u = 0.0
            v = 0.0
            w = 1.0
        pivot = carbon + t * w
        if pivot > 0.0:
            gamma = t * kj * u / pivot
            delta = carbon / pivot
            kept = (carbon + t) * w / pivot  # 1 - K_j v delta
        else:
            gamma = 0.0
            delta = 1.0
            kept = w
        ca_next = u + v * gamma
        cb_next = v * delta
        k_next = k_eq[j + 1] if j + 1 < n_tanks else kj
        if kj > 0.0:
            ratio = k_next / kj
            ec_next = (1.0 - ratio) + ratio * kept
        else:
            ec_next = 1.0 - k_next * cb_next
        if active[j]:
            pa_next = ore_k * ca_next
            pb_next = ore_k * cb_next
            ep_next = ore_k * ec_next
        else:
            pa_next = pa + pb * gamma
            pb_next = pb * delta
            if kj > 0.0:
                ratio = k_next / kj
                ep_next = ore_k * (1.0 - ratio * delta) + ratio * delta * ep
            else:
                ep_next = ore_k - k_next * pb_next
        work[0, j] = ca_next
        work[1, j] = cb_next
        work[2, j] = gamma
        work[3, j] = delta
        work[4, j] = pa_next
        work[5, j] = pb_next
        ca = ca_next
        cb = cb_next
        pa = pa_next
        pb = pb_next
        ec = ec_next
        ep = ep_next
    q_next = barren
    for j in range(n_tanks - 1, -1, -1):
        tenor[j] = work[0, j] + work[1, j] * q_next
        ore_g_h[j] = work[4, j] + work[5, j] * q_next
        q_next = work[2, j] + work[3, j] * q_next
        loading[j] = q_next


@njit
def _solve_metal(
    flow: float,
    feed_tenor: float,
    source: np.ndarray,
    carbon: float,
    barren: float,
    transfer: np.ndarray,
    k_eq: np.ndarray,
    ore_k: float,
    feed_ore_g_h: float,
    reversible: bool,
    tenor: np.ndarray,
    loading: np.ndarray,
    ore_g_h: np.ndarray,
    work: np.ndarray,
) -> None:
    """Cascade of one metal; with a held (irreversible) preg-robbing ore, find where the ore adsorbs.

    Tank j is *active* when the ore there would adsorb more than it already holds,
    ``ore_k C_j >= P_{j-1}``; in a *holding* tank the ore keeps its gold. Starting from
    every tank active, the first inconsistent tank is flipped until none is left.
    """
    n_tanks = source.shape[0]
    active = np.ones(n_tanks, dtype=np.bool_)
    _cascade_one(
        flow, feed_tenor, source, carbon, barren, transfer, k_eq, ore_k, feed_ore_g_h,
        active, tenor, loading, ore_g_h, work,
    )  # fmt: skip
    if reversible or (ore_k <= 0.0 and feed_ore_g_h <= 0.0):
        return
    for _ in range(4 * n_tanks + 4):
        flip = -1
        for j in range(n_tanks):
            held = feed_ore_g_h if j == 0 else ore_g_h[j - 1]
            tol = 1e-12 * max(held, ore_k * tenor[j], 1e-300)
            wants = ore_k * tenor[j]
            if active[j] and wants < held - tol:
                flip = j
                break
            if (not active[j]) and wants > held + tol:
                flip = j
                break
        if flip < 0:
            return
        active[flip] = not active[flip]
        _cascade_one(
            flow, feed_tenor, source, carbon, barren, transfer, k_eq, ore_k, feed_ore_g_h,
            active, tenor, loading, ore_g_h, work,
        )  # fmt: skip


@njit
def adsorption_train_batch(
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
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counter-current carbon train for several metals, with site competition and preg-robbing.

    Each metal m (gold first, then e.g. silver and copper) follows its own Nicol-Fleming
    rate ``k_m (K_m,j C − q)`` in the counter-current cascade of
    :func:`carbon_cascade_batch` (Nicol, Fleming & Cromberge 1984; Fleming et al. 2011, Miner. Eng. 24:484; docs/models.md#cil). Two couplings are added:

    *Competition for sites* [assumed form]. The constant K of a metal is fitted at the
    plant's own loadings, so a metal's own loading is already in it; the other metals
    take sites from it by their molar loading, in the manner of a competitive Langmuir
    isotherm:

        K_m,j = K_m / (1 + Σ_{i≠m} (q_i,j M_Au / M_i) / Q_cap)

    with ``Q_cap`` the site capacity of the carbon expressed as gold (g/t); at low
    loadings the factor is ``1 − Σ/Q_cap``. With one metal, or ``Q_cap`` infinite, the
    metals are independent. The coupled problem is solved by fixed-point passes over
    the linear cascades (a contraction while the other metals hold a small share of
    the sites).

    *Preg-robbing* of the first metal (gold) by the ore, Goodall, Leatham & Scales 2005, Miner. Eng. 18:1135; docs/models.md#cil: in each tank
    the ore holds ``K_ore C_j`` g per t of ore at equilibrium with the solution, and
    carries it to the next tank, so the solution balance of tank j gains the ore term

        Q_l C_{j−1} + P_{j−1} + S_j = (Q_l + Q_s K_ore) C_j + M_j k (K C_j − q_j)

    with ``P_{j−1}`` the gold arriving on the ore [g/h]. If ``reversible`` is False the
    ore keeps the most it has held (preg-robbed gold does not desorb within the leach
    [assumed]): in a tank where ``Q_s K_ore C_j`` falls below the gold arriving on the
    ore, the ore passes through without exchange. With carbon at equilibrium in a single
    tank (``M k`` ≫ ``F_c``) the fraction of the dissolved gold on the ore is
    ``K_ore / (V + K_c m_c + K_ore)`` (:func:`preg_robbed_fraction`).

    Parameters
    ----------
    solution_m3_h : (n_cases,) float64
        Solution flow Q_l [m³/h], >= 0.
    feed_tenor_g_m3 : (n_cases, n_met) float64
        Tenor of each metal in the solution entering tank 1 [g/m³].
    source_g_h : (n_cases, n_tanks, n_met) float64
        Metal dissolved from the solids in each tank S_j [g/h].
    carbon_tph : (n_cases,) float64
        Carbon advance F_c [t/h], >= 0.
    barren_loading_g_t : (n_cases, n_met) float64
        Loading of each metal on the carbon entering the last tank [g/t].
    carbon_per_tank_t : (n_cases, n_tanks) float64
        Carbon inventory of each tank M_j [t], >= 0 (0 for a leach tank of a CIP).
    k_per_h : (n_cases, n_met) float64
        Nicol-Fleming rate constant of each metal [1/h], >= 0 (0: does not adsorb).
    k_eq_m3_t : (n_cases, n_met) float64
        Nicol-Fleming constant K of each metal [m³/t], >= 0.
    molar_mass_g_mol : (n_met,) float64
        Molar mass of each metal [g/mol]; the first is gold's.
    capacity_g_t : (n_cases,) float64
        Site capacity Q_cap as gold-equivalent loading [g/t]; ``inf`` or <= 0 for none.
    solids_tph : (n_cases,) float64
        Ore flow Q_s [t/h], >= 0.
    ore_k_m3_t : (n_cases,) float64
        Preg-robbing partition coefficient of the ore K_ore [m³/t ore], >= 0.
    feed_ore_g_h : (n_cases,) float64
        Gold already preg-robbed on the ore fed to tank 1 [g/h], >= 0.
    reversible : bool
        Whether preg-robbed gold returns to solution when the tenor falls.

    Returns
    -------
    tenor_g_m3 : (n_cases, n_tanks, n_met) float64
        Tenor of each metal leaving tank j C_j [g/m³].
    loading_g_t : (n_cases, n_tanks, n_met) float64
        Loading of each metal on the carbon of tank j q_j [g/t].
    ore_gold_g_h : (n_cases, n_tanks) float64
        Gold held by the ore leaving tank j [g/h].

    Notes
    -----
    *Closure*, per metal: ``Q_l C_0 + P_0 + Σ S_j = Q_l C_N + P_N + F_c (q_1 − q_{N+1})``
    (P only for gold). The forward elimination is Gaussian elimination in natural order
    of a column-diagonally-dominant system, so its pivots stay positive; the quantities
    ``1 − K β`` are carried as sums of non-negative terms where the K of successive
    tanks do not rise (see :func:`carbon_cascade_batch`).

    References
    ----------
    M. J. Nicol, C. A. Fleming and G. Cromberge, J. S. Afr. Inst. Min. Metall. 84:50
    and 84:70, 1984 (no DOI found). W. R. Goodall, J. D. Leatham and P. J. Scales,
    Miner. Eng. 18:1135-1141, 2005, doi:10.1016/j.mineng.2005.05.014 (measuring
    K_ore). J. Marsden and I. House, *The Chemistry of Gold Extraction*, 2nd ed., SME,
    2006, ch. 7 (silver and copper on carbon; no DOI).

    Examples
    --------
    >>> import numpy as np
    >>> c, q, p = adsorption_train_batch(
    ...     np.array([1.5]), np.zeros((1, 1)), np.array([[[1.0]]]), np.array([0.0]),
    ...     np.zeros((1, 1)), np.zeros((1, 1)), np.zeros((1, 1)), np.zeros((1, 1)),
    ...     np.array([196.97]), np.array([np.inf]), np.array([1.0]), np.array([0.8]),
    ...     np.zeros(1), True)
    >>> round(float(p[0, 0]), 6)  # K_ore / (V + K_ore) with no carbon
    0.347826
    """
    n_cases = solution_m3_h.shape[0]
    n_tanks = source_g_h.shape[1]
    n_met = source_g_h.shape[2]
    if (
        source_g_h.shape[0] != n_cases
        or feed_tenor_g_m3.shape[0] != n_cases
        or barren_loading_g_t.shape[0] != n_cases
        or k_per_h.shape[0] != n_cases
        or k_eq_m3_t.shape[0] != n_cases
        or carbon_tph.shape[0] != n_cases
        or capacity_g_t.shape[0] != n_cases
        or solids_tph.shape[0] != n_cases
        or ore_k_m3_t.shape[0] != n_cases
        or feed_ore_g_h.shape[0] != n_cases
    ):
        msg = "every per-case input must have n_cases rows"
        raise ValueError(msg)
    if (
        feed_tenor_g_m3.shape[1] != n_met
        or barren_loading_g_t.shape[1] != n_met
        or k_per_h.shape[1] != n_met
        or k_eq_m3_t.shape[1] != n_met
        or molar_mass_g_mol.shape[0] != n_met
    ):
        msg = "every per-metal input must have n_met columns"
        raise ValueError(msg)
    if carbon_per_tank_t.shape[0] != n_cases or carbon_per_tank_t.shape[1] != n_tanks:
        msg = "carbon_per_tank_t must be (n_cases, n_tanks)"
        raise ValueError(msg)
    tenor_out = np.empty((n_cases, n_tanks, n_met))
    loading_out = np.empty((n_cases, n_tanks, n_met))
    ore_out = np.zeros((n_cases, n_tanks))
    work = np.empty((7, n_tanks))
    transfer = np.empty(n_tanks)
    k_tank = np.empty(n_tanks)
    source = np.empty(n_tanks)
    tenor = np.empty(n_tanks)
    loading = np.empty(n_tanks)
    ore = np.empty(n_tanks)
    zeros = np.zeros(n_tanks)
    phi = np.empty((n_tanks, n_met))
    for i in range(n_cases):
        cap = capacity_g_t[i]
        compete = n_met > 1 and cap > 0.0 and np.isfinite(cap)
        phi[:, :] = 1.0
        for _ in range(_COMPETITION_MAX_ITER):
            for m in range(n_met):
                for j in range(n_tanks):
                    transfer[j] = carbon_per_tank_t[i, j] * k_per_h[i, m]
                    k_tank[j] = k_eq_m3_t[i, m] * phi[j, m]
                    source[j] = source_g_h[i, j, m]
                if m == 0:
                    _solve_metal(
                        solution_m3_h[i], feed_tenor_g_m3[i, m], source, carbon_tph[i],
                        barren_loading_g_t[i, m], transfer, k_tank,
                        solids_tph[i] * ore_k_m3_t[i], feed_ore_g_h[i], reversible,
                        tenor, loading, ore, work,
                    )  # fmt: skip
                    for j in range(n_tanks):
                        ore_out[i, j] = ore[j]
                else:
                    _solve_metal(
                        solution_m3_h[i], feed_tenor_g_m3[i, m], source, carbon_tph[i],
                        barren_loading_g_t[i, m], transfer, k_tank, 0.0, 0.0, True,
                        tenor, loading, zeros.copy(), work,
                    )  # fmt: skip
                for j in range(n_tanks):
                    tenor_out[i, j, m] = tenor[j]
                    loading_out[i, j, m] = loading[j]
            if not compete:
                break
            change = 0.0
            for j in range(n_tanks):
                for m in range(n_met):
                    taken = 0.0
                    for other in range(n_met):
                        if other != m:
                            taken += (
                                max(loading_out[i, j, other], 0.0)
                                * molar_mass_g_mol[0]
                                / molar_mass_g_mol[other]
                            )
                    new = 1.0 / (1.0 + taken / cap)
                    change = max(change, abs(new - phi[j, m]))
                    phi[j, m] = new
            if change <= _COMPETITION_TOL:
                break
    return tenor_out, loading_out, ore_out


@njit
def heap_leach_batch(
    solids_tph: np.ndarray,
    k_per_d: np.ndarray,
    ultimate_frac: np.ndarray,
    cycle_d: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Heap leaching of each size class and species over a leach cycle.

    Each parcel of ore on the heap is leached for the cycle time t, as a batch
    (Marsden & House 2006; docs/models.md#heap_leach):

        R(t) = R∞(d) · (1 − exp(−k(d) t))

    per size class and species, so the steady-state dissolution of ore stacked at a
    constant rate is ``feed · R(t_cycle)``.

    Parameters
    ----------
    solids_tph : (n_cases, n_cls, n_sp) float64
        Mass of each leachable species per size class stacked [t/h].
    k_per_d : (n_cases, n_cls, n_sp) float64
        First-order rate constant of each cell [1/d], >= 0.
    ultimate_frac : (n_cases, n_cls, n_sp) float64
        Ultimate extraction of each cell R∞ [-], in [0, 1].
    cycle_d : (n_cases,) float64
        Leach cycle (irrigation time of a lift) [d], >= 0.

    Returns
    -------
    dissolved_tph : (n_cases, n_sp) float64
        Mass of each species dissolved [t/h].
    residue_tph : (n_cases, n_cls, n_sp) float64
        Mass of each cell left in the spent heap [t/h].

    References
    ----------
    J. Marsden and I. House, *The Chemistry of Gold Extraction*, 2nd ed., SME, 2006,
    ch. 6 (heap leaching; no DOI). Typical ranges [L] in Marsden & House 2006; docs/models.md#heap_leach.

    Examples
    --------
    >>> import numpy as np
    >>> d, r = heap_leach_batch(np.ones((1, 1, 1)), np.full((1, 1, 1), 0.05),
    ...                         np.full((1, 1, 1), 0.8), np.array([60.0]))
    >>> round(float(d[0, 0]), 6)
    0.76017
    """
    n_cases, n_cls, n_sp = solids_tph.shape
    if k_per_d.shape != solids_tph.shape or ultimate_frac.shape != solids_tph.shape:
        msg = "k_per_d and ultimate_frac must have the shape of solids_tph"
        raise ValueError(msg)
    if cycle_d.shape[0] != n_cases:
        msg = "cycle_d must have n_cases entries"
        raise ValueError(msg)
    dissolved = np.zeros((n_cases, n_sp))
    residue = np.empty((n_cases, n_cls, n_sp))
    for i in range(n_cases):
        for c in range(n_cls):
            for s in range(n_sp):
                feed = solids_tph[i, c, s]
                # -expm1 keeps R accurate when k t is small
                out = feed * ultimate_frac[i, c, s] * -math.expm1(-k_per_d[i, c, s] * cycle_d[i])
                dissolved[i, s] += out
                residue[i, c, s] = feed - out
    return dissolved, residue


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

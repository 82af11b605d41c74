"""Counter-current carbon (or resin) adsorption trains: several metals, site competition, preg-robbing.

Each metal follows the Nicol-Fleming rate ``k (K C - q)`` in a counter-current cascade of
mixed tanks (Nicol, Fleming & Cromberge 1984; Fleming et al. 2011, Miner. Eng. 24:484;
docs/models.md#cil). Gold flows in this module are in g/h because the balance is written in
tenor x volume (g/m³ x m³/h).

Units as in :mod:`oreflow.kernels.leaching`: solution in m³/h (= t/h of water), tenor
``C`` in g/m³ = mg/L, carbon loading ``q`` in g per t of carbon, times in h; the array
contract is that of :mod:`oreflow.kernels`.
"""

from __future__ import annotations

import numpy as np

from oreflow.kernels._jit import njit

#: Largest number of passes of the site-competition fixed point between metals.
_COMPETITION_MAX_ITER = 200

#: The competition passes stop when no site factor moves by more than this [-].
_COMPETITION_TOL = 1.0e-14


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
    the single-metal ex07 cascade (``carbon_cascade_batch`` in
    ``tests/kernels/reference_leaching.py``; Nicol, Fleming & Cromberge 1984; Fleming et al. 2011, Miner. Eng. 24:484; docs/models.md#cil). Two couplings are added:

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
    ``K_ore / (V + K_c m_c + K_ore)`` (``preg_robbed_fraction`` of the ex07 reference).

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
    tanks do not rise (as in the single-metal reference ``carbon_cascade_batch``).

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
    scratch = train_scratch(n_tanks, n_met)
    gold_k = np.empty(n_tanks)
    gold_keq = np.empty(n_tanks)
    for i in range(n_cases):
        gold_k[:] = k_per_h[i, 0]
        gold_keq[:] = k_eq_m3_t[i, 0]
        train_case(
            i, solution_m3_h, feed_tenor_g_m3, source_g_h, carbon_tph, barren_loading_g_t,
            carbon_per_tank_t, k_per_h, k_eq_m3_t, molar_mass_g_mol, capacity_g_t,
            solids_tph, ore_k_m3_t, feed_ore_g_h, reversible, gold_k, gold_keq,
            tenor_out, loading_out, ore_out, scratch,
        )  # fmt: skip
    return tenor_out, loading_out, ore_out


@njit
def train_scratch(n_tanks: int, n_met: int) -> tuple[np.ndarray, ...]:
    """Work arrays of :func:`train_case` (allocated once per batch)."""
    return (
        np.empty((7, n_tanks)),
        np.empty(n_tanks),
        np.empty(n_tanks),
        np.empty(n_tanks),
        np.empty(n_tanks),
        np.empty(n_tanks),
        np.empty(n_tanks),
        np.zeros(n_tanks),
        np.empty((n_tanks, n_met)),
    )


@njit
def train_case(
    i: int,
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
    gold_k_per_h: np.ndarray,
    gold_k_eq_m3_t: np.ndarray,
    tenor_out: np.ndarray,
    loading_out: np.ndarray,
    ore_out: np.ndarray,
    scratch: tuple[np.ndarray, ...],
) -> None:
    """Case ``i`` of :func:`adsorption_train_batch`, with gold's k and K given per tank (in place).

    ``gold_k_per_h`` and ``gold_k_eq_m3_t`` (n_tanks,) replace ``k_per_h[i, 0]`` and
    ``k_eq_m3_t[i, 0]`` tank by tank: the linearised rate of a non-linear isotherm or
    rate law (:mod:`oreflow.kernels.adsorption_forms`); equal to them in every tank, the
    Nicol-Fleming train.
    """
    work, transfer, k_tank, source, tenor, loading, ore, zeros, phi = scratch
    n_tanks = source_g_h.shape[1]
    n_met = source_g_h.shape[2]
    cap = capacity_g_t[i]
    compete = n_met > 1 and cap > 0.0 and np.isfinite(cap)
    # ``n_tanks >= 0`` below: True known only at run time; a literal True would compile
    # _solve_metal a second time (a Literal[bool] specialisation, 0.5 s of a cold start)
    phi[:, :] = 1.0
    for _ in range(_COMPETITION_MAX_ITER):
        for m in range(n_met):
            for j in range(n_tanks):
                if m == 0:
                    transfer[j] = carbon_per_tank_t[i, j] * gold_k_per_h[j]
                    k_tank[j] = gold_k_eq_m3_t[j] * phi[j, m]
                else:
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
                    barren_loading_g_t[i, m], transfer, k_tank, 0.0, 0.0, n_tanks >= 0,
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

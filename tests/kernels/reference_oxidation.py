"""Reference forms of the oxidation kernels (ex06 and closed forms), kept as parity references.

Each is a closed form that a production kernel in ``oreflow.kernels.oxidation_kinetics``,
``oreflow.kernels.oxidation`` or ``oreflow.kernels.ccd`` must reproduce: the single-particle
conversion (averaged by quadrature against the series closed form), the ex06 autothermal
sulfide grade from the slurry heat, and the CCD closed form for equal stages.
"""

from __future__ import annotations

from oreflow.kernels._jit import njit


@njit
def shrinking_particle_conversion(time_min: float, t_star_min: float) -> float:
    """Batch conversion of one particle, surface-reaction control.

    ``1 - (1 - X)^(1/3) = t / t*``, so ``X = 1 - (1 - t/t*)^3`` for ``t < t*`` and 1
    after (Papangelakis & Demopoulos 1990, Can. Metall. Q. 29(1):13; docs/models.md#pox; Levenspiel 1999, *Chemical Reaction Engineering*, 3rd ed.,
    ch. 25).

    Parameters
    ----------
    time_min : float
        Time in the reactor [min], >= 0.
    t_star_min : float
        Time for complete conversion [min], > 0.

    Returns
    -------
    float
        Conversion X [-].
    """
    if time_min >= t_star_min:
        return 1.0
    if time_min <= 0.0:
        return 0.0
    r = 1.0 - time_min / t_star_min
    return 1.0 - r * r * r


@njit
def autothermal_sulfide_kg_t(
    solids_frac: float,
    feed_temperature_degc: float,
    temperature_degc: float,
    heat_mj_kg_s: float,
    solids_cp_kj_kg_k: float = 0.85,
    water_cp_kj_kg_k: float = 4.3,
    loss_frac: float = 0.10,
) -> float:
    """Sulfide S per tonne of solids whose oxidation heat just balances the slurry heat.

    ``S_req = Q_req / ΔH_S`` with ``Q_req`` from :func:`slurry_heat_mj_h` per tonne of
    solids at mass fraction solids ``w`` (water ``(1 - w)/w`` t per t) (Thomas 2005; Wagman et al. 1982, NBS tables; docs/models.md#pox;
    ex06: 45.38 kg/t at 50 % solids, 25 -> 210 °C, pyrite heat).

    Parameters
    ----------
    solids_frac : float
        Mass fraction of solids of the autoclave feed [-], in (0, 1].
    feed_temperature_degc, temperature_degc : float
        Feed and operating temperature [°C].
    heat_mj_kg_s : float
        Reaction heat per kg of S oxidised [MJ/kg S].
    solids_cp_kj_kg_k, water_cp_kj_kg_k : float
        Heat capacities [kJ/(kg K)]; defaults 0.85 and 4.3 [A/L] Thomas 2005; Wagman et al. 1982, NBS tables; docs/models.md#pox.
    loss_frac : float
        Losses as a fraction of the sensible heat [-]; default 0.10 [A].

    Returns
    -------
    float
        Sulfide S needed [kg/t of solids].
    """
    water_t = (1.0 - solids_frac) / solids_frac
    q_mj_t = (
        (solids_cp_kj_kg_k + water_t * water_cp_kj_kg_k)
        * (temperature_degc - feed_temperature_degc)
        * (1.0 + loss_frac)
    )
    return q_mj_t / heat_mj_kg_s


@njit
def ccd_underflow_fraction_closed_form(
    n_stages: int, feed_liquor: float, wash: float, underflow_liquor: float
) -> float:
    """Fraction of the feed solutes lost in the final underflow, closed form (clean wash).

    ``φ = U / (L_f S_N + W R^(N-1))`` with ``R = W/U`` and ``S_N = Σ_{k<N} R^k``; for a
    feed carrying the underflow liquor (``L_f = U``) it is the textbook
    ``(R - 1)/(R^(N+1) - 1)`` (Wills & Finch 2016 ch. 15), and ``1/(N+1)`` at ``R = 1``.

    Parameters
    ----------
    n_stages : int
        Number of stages N [-].
    feed_liquor, wash, underflow_liquor : float
        L_f, W and U [t/h], with ``L_f + W >= U > 0``.

    Returns
    -------
    float
        φ [-].
    """
    r = wash / underflow_liquor
    s_n = 0.0
    term = 1.0
    for _ in range(n_stages):
        s_n += term
        term *= r
    return underflow_liquor / (feed_liquor * s_n + wash * r ** (n_stages - 1))

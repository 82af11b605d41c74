"""Reference closed forms of flotation and gravity recovery (ex05), kept for the parity tests.

Klimpel's batch and bank recovery (Klimpel 1980; ex05) and the captured fraction of
gravity-recoverable gold in a bleed circuit (Laplante's GRG series); the tests compare
``oreflow.kernels.separation.flotation_bank_batch`` and the gravity unit's recycle with
them.
"""

from __future__ import annotations

import math

from oreflow.kernels._jit import njit
from oreflow.kernels.separation import KLIMPEL_SERIES_K, klimpel_bank_frac


@njit
def grg_captured_frac(
    overflow_frac: float, bleed_frac: float, unit_recovery_frac: float, loss_frac: float
) -> float:
    """Fraction of the gravity-recoverable gold (GRG) a bleed gravity circuit captures.

    Per cyclone pass a GRG particle reports to the overflow with probability q (it is
    then leached downstream, not lost); otherwise a fraction g_b of the underflow is
    bled to the concentrator, which captures it with probability e; a particle that
    returns to the mill loses its gravity recoverability with probability h. Summing
    the geometric series over passes (Laplante's standardised GRG test; docs/models.md#gravity):

        captured = c / (1 - r),  c = (1 - q) g_b e,  r = (1 - q)(1 - g_b e)(1 - h).

    ex05: q 0.10, g_b 0.30, e 0.50, h 0.20 gives c 0.135, r 0.612 and 0.347938.

    Parameters
    ----------
    overflow_frac : float
        GRG reporting to the cyclone overflow per pass, q [-].
    bleed_frac : float
        Fraction of the cyclone underflow bled to the concentrator, g_b [-].
    unit_recovery_frac : float
        Concentrator recovery of the GRG it is fed, per pass, e [-].
    loss_frac : float
        Probability per mill pass that GRG stops being gravity recoverable, h [-].

    Returns
    -------
    float
        Fraction of the feed GRG reporting to the gravity concentrate [-]; 0 when no
        GRG can ever be captured (c = 0).

    References
    ----------
    Laplante, A.R., Gray, S. (2005) Advances in gravity gold technology. In Adams, M.D.
    (ed.) Developments in Mineral Processing 15, Elsevier, 280–307 [L] (population-balance
    reasoning; the closed form is docs/models.md's simplification [A structure]).
    """
    c = (1.0 - overflow_frac) * bleed_frac * unit_recovery_frac
    if c <= 0.0:
        return 0.0
    r = (1.0 - overflow_frac) * (1.0 - bleed_frac * unit_recovery_frac) * (1.0 - loss_frac)
    return c / (1.0 - r)


@njit
def klimpel_batch_recovery(r_inf_frac: float, k_max_per_min: float, t_min: float) -> float:
    """Batch flotation recovery with Klimpel's rectangular distribution of k on [0, k_max].

    ``R(t) = R_inf [1 - (1 - e^(-k_max t))/(k_max t)]``; ex05: R_inf 0.92, k_max 1.5,
    t 10 min gives 0.858667.

    Parameters
    ----------
    r_inf_frac : float
        Recovery at infinite time [-].
    k_max_per_min : float
        Upper end of the rate-constant distribution [1/min].
    t_min : float
        Flotation time [min].

    Returns
    -------
    float
        Recovery [-].

    References
    ----------
    Klimpel, R.R. (1980) Selection of chemical reagents for flotation. In Mular, A.L.,
    Bhappu, R.B. (eds) Mineral Processing Plant Design, 2nd ed., SME, 907–934 [L].
    """
    kt = k_max_per_min * t_min
    if kt <= 0.0:
        return 0.0
    if kt < KLIMPEL_SERIES_K:
        # 1 - (1 - e^-x)/x = x/2 - x²/6 + x³/24 - ...
        return r_inf_frac * kt * (0.5 - kt / 6.0 + kt * kt / 24.0)
    return r_inf_frac * (1.0 + math.expm1(-kt) / kt)


@njit
def klimpel_bank_recovery(
    r_inf_frac: float, k_max_per_min: float, tau_min: float, n_cells: int
) -> float:
    """Recovery of an N-cell bank with Klimpel's rectangular k distribution.

    ``R = R_inf x klimpel_bank_frac(k_max τ, N)``. ex05 (R_inf 0.92, k_max 1.5,
    τ 12 min): N = 1 → 0.769506, N = 4 → 0.852261, N = 8 → 0.861603.

    Parameters
    ----------
    r_inf_frac : float
        Recovery at infinite time [-].
    k_max_per_min : float
        Upper end of the rate-constant distribution [1/min].
    tau_min : float
        Total mean residence time of the bank [min].
    n_cells : int
        Number of equal cells [-].

    Returns
    -------
    float
        Recovery [-].

    References
    ----------
    Klimpel, R.R. (1980) in Mineral Processing Plant Design, 2nd ed., SME, 907–934 [L].
    """
    return r_inf_frac * klimpel_bank_frac(k_max_per_min * tau_min, n_cells)

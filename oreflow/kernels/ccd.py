"""Counter-current decantation washing: ideal mixing stages.

The fraction of each solute in the feed liquor that leaves with the washed underflow of a
train of ideal mixing-and-settling stages (Wills & Finch 2016, ch. 15; Marsden & House
2006, ch. 7). Flows in t/h (liquor m³/h = t/h).
"""

from __future__ import annotations

import numpy as np

from oreflow.kernels._jit import njit


@njit
def ccd_underflow_fractions(
    n_stages: int,
    feed_liquor_tph: np.ndarray,
    wash_tph: np.ndarray,
    underflow_liquor_tph: np.ndarray,
) -> np.ndarray:
    """Fractions of the feed solutes and of the wash solutes leaving in the last underflow.

    N ideal stages (perfect mixing, the underflow liquor at the overflow tenor), solids
    from stage 1 to N, wash solution into stage N, product liquor from the stage-1
    overflow. Every stage underflow carries ``U`` of solution, so stages 2..N overflow
    the wash rate ``W`` and stage 1 overflows ``L_f + W - U``. The tenors solve a
    tridiagonal system (Thomas algorithm), once for a unit of feed solute and once for
    a unit of wash solute. When ``L_f + W < U`` the underflow takes all the liquor
    (``U`` is lowered to ``L_f + W``). For a clean wash the feed fraction has the closed
    form ``U / (L_f S_N + W R^(N-1))``, ``R = W/U``, ``S_N = 1 + R + ... + R^(N-1)``, kept
    as the parity reference in ``tests/kernels/reference_oxidation.py``.

    Parameters
    ----------
    n_stages : int
        Number of thickeners N [-], >= 1.
    feed_liquor_tph, wash_tph, underflow_liquor_tph : (n,) float64
        Solution in the feed, wash solution, and solution wanted in each underflow [t/h].

    Returns
    -------
    (n, 2) float64
        Fraction of feed solute and of wash solute reaching the final underflow [-].

    References
    ----------
    Wills, B.A., Finch, J.A. (2016) Wills' Mineral Processing Technology, 8th ed.,
    Butterworth-Heinemann, ch. 15 (counter-current decantation); Marsden, J.O.,
    House, C.I. (2006) The Chemistry of Gold Extraction, 2nd ed., SME, ch. 7 [L].
    """
    n = feed_liquor_tph.shape[0]
    out = np.zeros((n, 2))
    a = np.zeros(n_stages)
    b = np.zeros(n_stages)
    c = np.zeros(n_stages)
    d = np.zeros(n_stages)
    cp = np.zeros(n_stages)
    dp = np.zeros(n_stages)
    x = np.zeros(n_stages)
    for i in range(n):
        lf = feed_liquor_tph[i]
        w = wash_tph[i]
        u = min(underflow_liquor_tph[i], lf + w)
        if u <= 0.0:
            continue  # no liquor leaves with the solids
        for source in range(2):
            for j in range(n_stages):
                a[j] = -u if j > 0 else 0.0
                c[j] = -w if j < n_stages - 1 else 0.0
                b[j] = u + w
                d[j] = 0.0
            b[0] = lf + w
            # unit solute from the feed (stage 1) or from the wash (stage N)
            if source == 0:
                d[0] += 1.0
            else:
                d[n_stages - 1] += 1.0
            cp[0] = c[0] / b[0]
            dp[0] = d[0] / b[0]
            for j in range(1, n_stages):
                den = b[j] - a[j] * cp[j - 1]
                cp[j] = c[j] / den
                dp[j] = (d[j] - a[j] * dp[j - 1]) / den
            x[n_stages - 1] = dp[n_stages - 1]
            for j in range(n_stages - 2, -1, -1):
                x[j] = dp[j] - cp[j] * x[j + 1]
            out[i, source] = min(max(u * x[n_stages - 1], 0.0), 1.0)
    return out

"""Comminution energy laws: Bond's third law, Rowland's efficiency factors, Morrell.

Specific energy from a feed to a product size (Bond 1952, Trans. AIME 193:484; Rowland &
Kjos 1980; Morrell 2004, Int. J. Miner. Process. 74:133; Wills & Finch 2016, ch. 5 and 7;
docs/models.md#ball_mill). The inverse relations (the size a given energy reaches) are in
:mod:`oreflow.kernels.grind_size`. Sizes are in µm, specific energies in kWh/t (metric tonne), power in kW, mill dimensions
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

#: Rowland EF2 (open-circuit ball mill) against the product-control fraction passing
#: [-] [L] (Rowland & Kjos 1980 as tabulated in Wills & Finch 2016; Bond 1952, Trans. AIME 193:484; Rowland & Kjos 1980; Wills & Finch 2016; docs/models.md#ball_mill).
EF2_PASSING_FRAC = np.array([0.50, 0.60, 0.70, 0.80, 0.90, 0.92, 0.95, 0.98])
EF2_FACTOR = np.array([1.035, 1.05, 1.10, 1.20, 1.40, 1.46, 1.57, 1.70])

#: Rowland EF1 for dry grinding [-] [L].
EF1_DRY = 1.3

#: Bond reference mill diameter inside liners, 8 ft [m] [L].
BOND_REFERENCE_D_M = 2.44

#: Diameter above which EF3 is held constant [m] and its value there [-] [L]
#: ((2.44/3.81)^0.2 = 0.9147 rounds to Rowland's 0.914).
EF3_LIMIT_D_M = 3.81
EF3_LARGE_MILL = 0.914

#: Rowland optimum-feed-size constants, Fo = 4000 sqrt(14.3/Wi) µm with metric Wi; 14.3 is
#: 13/0.907, the metric form of Rowland's 13 [L].
FO_SCALE_UM = 4000.0
FO_WI_KWH_T = 14.3

#: EF5 applies below this P80 [µm] [L].
EF5_LIMIT_UM = 75.0

#: EF7 applies below this reduction ratio [-] [L].
EF7_LIMIT_RATIO = 6.0

#: Morrell's boundary between the coarse (Mia, tumbling) and fine (Mib, ball-mill)
#: sections of a circuit [µm] [L] (Morrell 2004, 2008; Morrell 2004; docs/models.md#sag_mill).
MORRELL_SPLIT_UM = 750.0

#: Reduction ratio below which EF7 is held at its value there [-]: the energy
#: ``(1/sqrt(P80) - 1/sqrt(F80)) x EF7`` as a function of Rr = F80/P80 has its minimum at
#: Rr = 1.5827 (root of its derivative), so below it Rowland's factor, fitted for
#: reduction ratios of about 2-6, would make a coarser product cost more energy. Holding
#: EF7 there keeps energy monotone in P80 [assumed, S derivation of the minimum].
EF7_MIN_ENERGY_RATIO = 1.5827174500835888


@njit
def bond_energy_kwh_t(
    wi_kwh_t: float | np.ndarray, f80_um: float | np.ndarray, p80_um: float | np.ndarray
) -> float | np.ndarray:
    """Bond's third law: specific energy to grind from F80 to P80.

    ``W = 10 Wi (1/sqrt(P80) - 1/sqrt(F80))``, at the mill pinion, for Bond's reference
    condition (wet overflow ball mill, 2.44 m inside liners, closed circuit at 250 %
    circulating load).

    Parameters
    ----------
    wi_kwh_t : float or (n,) float64
        Bond work index, metric [kWh/t] (1.1023 x the short-ton value).
    f80_um : float or (n,) float64
        Feed 80 % passing size [µm].
    p80_um : float or (n,) float64
        Product 80 % passing size [µm].

    Returns
    -------
    float or (n,) float64
        Specific energy [kWh/t].

    References
    ----------
    Bond, F.C. (1952) The third theory of comminution. Trans. AIME 193:484–494.
    Bond, F.C. (1961) Crushing and grinding calculations. Brit. Chem. Eng. 6:378–385,
    543–548.

    Examples
    --------
    ex01: Wi 15 kWh/t from F80 2000 µm to P80 75 µm.

    >>> round(float(bond_energy_kwh_t(15.0, 2000.0, 75.0)), 4)
    13.9664
    """
    return 10.0 * wi_kwh_t * (1.0 / np.sqrt(p80_um) - 1.0 / np.sqrt(f80_um))


@njit
def bond_operating_work_index_kwh_t(
    specific_energy_kwh_t: float | np.ndarray,
    f80_um: float | np.ndarray,
    p80_um: float | np.ndarray,
) -> float | np.ndarray:
    """Operating work index, the inverse of Bond's law for a measured specific energy.

    ``Wi_op = W / (10 (1/sqrt(P80) - 1/sqrt(F80)))``; Wi_op/Wi_lab benchmarks a circuit's
    efficiency.

    Parameters
    ----------
    specific_energy_kwh_t : float or (n,) float64
        Measured specific energy at the pinion [kWh/t].
    f80_um : float or (n,) float64
        Feed 80 % passing size [µm].
    p80_um : float or (n,) float64
        Product 80 % passing size [µm].

    Returns
    -------
    float or (n,) float64
        Operating work index [kWh/t].

    References
    ----------
    Bond, F.C. (1961) Brit. Chem. Eng. 6:378–385, 543–548. Rowland, C.A. (1973)
    Comparison of work indices calculated from operating data with those from laboratory
    test data. Proc. 10th IMPC, London, 47–61 [L].
    """
    return specific_energy_kwh_t / (10.0 * (1.0 / np.sqrt(p80_um) - 1.0 / np.sqrt(f80_um)))


@njit
def rowland_open_circuit_factor(open_circuit_passing_frac: float) -> float:
    """Rowland EF2 for an open-circuit ball mill, interpolated in the Rowland table.

    Linear interpolation in the (fraction passing, EF2) table of Bond 1952, Trans. AIME 193:484; Rowland & Kjos 1980; Wills & Finch 2016; docs/models.md#ball_mill; outside
    0.50–0.98 the end values are held [assumed]. A value ``<= 0`` means closed circuit
    and gives 1.

    Parameters
    ----------
    open_circuit_passing_frac : float
        Fraction of the product passing the control size [-].

    Returns
    -------
    float
        EF2 [-].

    References
    ----------
    Rowland, C.A., Kjos, D.M. (1980) Rod and ball mills. In Mular, A.L., Bhappu, R.B.
    (eds) Mineral Processing Plant Design, 2nd ed., SME, 239–278 [L].
    """
    p = open_circuit_passing_frac
    if p <= 0.0:
        return 1.0
    n = EF2_PASSING_FRAC.shape[0]
    if p <= EF2_PASSING_FRAC[0]:
        return EF2_FACTOR[0]
    if p >= EF2_PASSING_FRAC[n - 1]:
        return EF2_FACTOR[n - 1]
    i = 0
    while EF2_PASSING_FRAC[i + 1] < p:
        i += 1
    w = (p - EF2_PASSING_FRAC[i]) / (EF2_PASSING_FRAC[i + 1] - EF2_PASSING_FRAC[i])
    return EF2_FACTOR[i] + w * (EF2_FACTOR[i + 1] - EF2_FACTOR[i])


@njit
def rowland_ef5(p80_um: float) -> float:
    """Rowland's fineness factor ``EF5 = (P80 + 10.3)/(1.145 P80)`` below 75 µm, else 1.

    A NaN P80 gives 1, as in :func:`rowland_factors`.

    Parameters
    ----------
    p80_um : float
        Product P80 [µm], > 0.

    Returns
    -------
    float
        EF5 [-].

    References
    ----------
    Rowland, C.A., Kjos, D.M. (1980) Rod and ball mills. In Mular, A.L., Bhappu, R.B.
    (eds) Mineral Processing Plant Design, 2nd ed., SME, 239-278 [L].
    """
    if p80_um < EF5_LIMIT_UM:
        return (p80_um + 10.3) / (1.145 * p80_um)
    return 1.0


@njit
def rowland_factors(
    wi_kwh_t: float,
    f80_um: float,
    p80_um: float,
    d_m: float,
    dry: bool,
    open_circuit_passing_frac: float,
) -> np.ndarray:
    """Rowland efficiency factors of a ball mill (metric form).

    ``W_design = W_Bond x product``. EF6 and EF8 are rod-mill factors and are not
    included. [L] metric forms of Wills & Finch (2016); Rowland & Kjos (1980) original.

    - EF1 dry grinding: 1.3 if ``dry`` else 1.
    - EF2 open circuit: :func:`rowland_open_circuit_factor`.
    - EF3 diameter: ``(2.44/D)^0.2`` for ``D < 3.81 m``, else 0.914.
    - EF4 oversize feed: ``[Rr + (Wi - 7)(F80 - Fo)/Fo]/Rr`` when ``F80 > Fo``, with
      ``Fo = 4000 sqrt(14.3/Wi)`` µm and ``Rr = F80/P80``. The ``(Wi - 7)`` term was fitted
      in short-ton units and is kept unchanged with metric Wi (effect < 1 %, docs/models.md).
    - EF5 fineness: ``(P80 + 10.3)/(1.145 P80)`` when ``P80 < 75 µm``.
    - EF7 low reduction ratio: ``[2(Rr - 1.35) + 0.26]/[2(Rr - 1.35)]`` when ``Rr < 6``;
      the formula diverges at ``Rr = 1.35``, so ``Rr <= 1.35`` gives NaN.

    Parameters
    ----------
    wi_kwh_t : float
        Bond ball-mill work index, metric [kWh/t].
    f80_um : float
        Feed 80 % passing size [µm].
    p80_um : float
        Product 80 % passing size [µm].
    d_m : float
        Mill diameter inside liners [m].
    dry : bool
        True for dry grinding.
    open_circuit_passing_frac : float
        Product-control fraction passing of an open circuit [-]; ``<= 0`` means closed
        circuit.

    Returns
    -------
    (8,) float64
        ``[EF1, EF2, EF3, EF4, EF5, EF7, Fo_um, product]`` — the factors [-], the optimum
        feed size Fo [µm] and the product of the six factors [-].

    References
    ----------
    Rowland, C.A., Kjos, D.M. (1980) Rod and ball mills. In Mular, A.L., Bhappu, R.B.
    (eds) Mineral Processing Plant Design, 2nd ed., SME, 239–278 [L].
    Wills, B.A., Finch, J.A. (2016) Wills' Mineral Processing Technology, 8th ed.,
    Butterworth-Heinemann, ch. 5 and 7 [L].
    """
    ef1 = EF1_DRY if dry else 1.0
    ef2 = rowland_open_circuit_factor(open_circuit_passing_frac)
    ef3 = (BOND_REFERENCE_D_M / d_m) ** 0.2 if d_m < EF3_LIMIT_D_M else EF3_LARGE_MILL
    fo_um = FO_SCALE_UM * math.sqrt(FO_WI_KWH_T / wi_kwh_t)
    rr = f80_um / p80_um
    ef4 = 1.0
    if f80_um > fo_um:
        ef4 = (rr + (wi_kwh_t - 7.0) * (f80_um - fo_um) / fo_um) / rr
    ef5 = rowland_ef5(p80_um)
    ef7 = 1.0
    if rr < EF7_LIMIT_RATIO:
        # the formula diverges at Rr = 1.35; NaN flags a meaningless design point
        ef7 = (2.0 * (rr - 1.35) + 0.26) / (2.0 * (rr - 1.35)) if rr > 1.35 else math.nan
    out = np.empty(8)
    out[0] = ef1
    out[1] = ef2
    out[2] = ef3
    out[3] = ef4
    out[4] = ef5
    out[5] = ef7
    out[6] = fo_um
    out[7] = ef1 * ef2 * ef3 * ef4 * ef5 * ef7
    return out


@njit
def morrell_size_term(x_um: float | np.ndarray) -> float | np.ndarray:
    """``x^f(x)`` with ``f(x) = -(0.295 + x/10^6)``, the size term of Morrell's law [L].

    It decreases with x over the sizes of interest, which the inversions in
    :mod:`oreflow.kernels.grind_size` rely on.
    """
    return x_um ** (-(0.295 + x_um / 1.0e6))


@njit
def morrell_energy_kwh_t(
    m_i_kwh_t: float | np.ndarray, x1_um: float | np.ndarray, x2_um: float | np.ndarray
) -> float | np.ndarray:
    """Morrell size-specific energy from x1 to x2.

    ``W = 4 M_i (x2^f(x2) - x1^f(x1))``, ``f(x) = -(0.295 + x/10^6)``. ``M_i`` is Mia
    (tumbling, F80 to 750 µm), Mib (ball mill, 750 µm to P80), Mic or Mih [L].

    Parameters
    ----------
    m_i_kwh_t : float or (n,) float64
        Morrell work index of the stage [kWh/t].
    x1_um : float or (n,) float64
        Feed 80 % passing size [µm].
    x2_um : float or (n,) float64
        Product 80 % passing size [µm].

    Returns
    -------
    float or (n,) float64
        Specific energy [kWh/t].

    References
    ----------
    Morrell, S. (2004) An alternative energy–size relationship to that proposed by Bond
    for the design and optimisation of grinding circuits. Int. J. Miner. Process.
    74:133–141. DOI 10.1016/j.minpro.2003.10.002 [L].
    Morrell, S. (2008) A method for predicting the specific energy requirement of
    comminution circuits and assessing their energy utilisation efficiency. Miner. Eng.
    21:224–233 [L].
    """
    return 4.0 * m_i_kwh_t * (morrell_size_term(x2_um) - morrell_size_term(x1_um))


@njit
def regrind_energy_kwh_t(wi_kwh_t: float, f80_um: float, p80_um: float, d_m: float) -> float:
    """Bond energy of a (wet, closed-circuit) regrind ball mill with Rowland's factors.

    ``W = 10 Wi (1/sqrt(P80) - 1/sqrt(F80)) x EF3 EF4 EF5 EF7`` (Bond 1952, Trans. AIME 193:484; Rowland & Kjos 1980; Wills & Finch 2016; docs/models.md#ball_mill and ex01
    case 3: F80 150, P80 38, D 2.0 m gives EF3 1.04057, EF5 1.11009, EF7 1.05005, product
    1.21294). Rowland's EF5 and EF7 are adjusted where, as printed, they would make a
    finer product cheaper [assumed]: EF7 is evaluated at ``max(Rr, EF7_MIN_ENERGY_RATIO)``
    and also above Rr = 6 (where Rowland stops it at 1.028, a 2.8 % step; it tends to 1
    beyond), and EF5 is kept at least 1 (as printed it is 0.993 just below its 75 µm
    threshold). A product at or above the feed size costs nothing.

    Parameters
    ----------
    wi_kwh_t : float
        Bond ball-mill work index of the concentrate [kWh/t].
    f80_um : float
        Feed 80 % passing size [µm].
    p80_um : float
        Product 80 % passing size [µm].
    d_m : float
        Mill diameter inside liners for EF3 [m]; 0 or less means the Bond reference
        2.44 m (EF3 = 1).

    Returns
    -------
    float
        Specific energy at the pinion [kWh/t].

    References
    ----------
    Rowland, C.A., Kjos, D.M. (1980) Rod and ball mills. In Mular, A.L., Bhappu, R.B.
    (eds) Mineral Processing Plant Design, 2nd ed., SME, 239–278 [L].
    """
    if not p80_um < f80_um:
        return 0.0
    d = d_m if d_m > 0.0 else BOND_REFERENCE_D_M
    # np.bool_, not a literal False: the same specialisation as the callers from Python
    ef = rowland_factors(wi_kwh_t, f80_um, p80_um, d, np.bool_(False), 0.0)
    # EF5 as printed dips below 1 between 71 and 75 µm (1.145 P80 > P80 + 10.3), which
    # would make a 74 µm product cheaper than a 76 µm one; it penalises fineness only
    factor = ef[2] * ef[3] * max(ef[4], 1.0)
    # EF7 is applied at every ratio: Rowland stops it at Rr = 6, where it is still 1.028,
    # a step that would make a finer product cheaper; beyond 6 it tends to 1
    rr = max(f80_um / p80_um, EF7_MIN_ENERGY_RATIO)
    factor *= (2.0 * (rr - 1.35) + 0.26) / (2.0 * (rr - 1.35))
    return bond_energy_kwh_t(wi_kwh_t, f80_um, p80_um) * factor

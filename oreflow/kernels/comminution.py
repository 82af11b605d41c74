"""Comminution kernels: Bond/Rowland and Morrell energy, mill power, Austin ball-mill PBM.

Covers Bond 1952, Trans. AIME 193:484; Rowland & Kjos 1980; Wills & Finch 2016; docs/models.md#ball_mill; Rowland & Kjos 1980; Austin 1990, Miner. Metall. Process. 7:57; Morrell 1996 and Austin, Klimpel & Luckie 1984; Whiten 1974; Herbst & Fuerstenau 1980; docs/models.md#ball_mill. Sizes are in µm (mm only inside the Austin selection
function, ``x / 1 mm``), specific energies in kWh/t (metric tonne), power in kW, mill
dimensions in m. Size classes follow the convention of :mod:`oreflow.kernels.psd`:
descending edges ``e_0 > ... > e_last``, class ``c`` holds ``(e_{c+1}, e_c]``, the last
class is the sink. Solids arrays are ``(n_cases, n_cls, n_species)`` in t/h.

Confidence tags follow tags: [S] checked source, [L] standard reference, [A] assumed: [S] checked, [L] literature value not re-checked
here, [A] assumed.
"""

from __future__ import annotations

import math

import numpy as np

from oreflow.kernels._jit import njit
from oreflow.kernels.psd import passing_size_um

# ------------------------------------------------------------------ constants
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
#: Bond/Rowland ball-mill power constant [kW per t of balls, D in m]: 3.1 kW/short ton
#: converted, 3.1 x 3.2808^0.3 x 1.1023 (Rowland & Kjos 1980; Austin 1990, Miner. Metall. Process. 7:57; Morrell 1996; docs/models.md#ball_mill and ex01 use 4.879) [L].
BOND_BALL_POWER_CONSTANT = 4.879
#: Diameter above which the ball-size (slump) term applies [m] [L].
SLUMP_LIMIT_D_M = 3.3
#: Bulk density of a steel-ball charge [t/m³] [L].
STEEL_BALL_BULK_DENSITY_T_M3 = 4.65
#: Critical-speed constant 60 sqrt(2 g)/(2 π) = 42.30 [rpm m^0.5] [S derivation].
CRITICAL_SPEED_CONSTANT = 42.3
#: Austin (1990) SAG power constants: K, A, bed porosity, steel density [L].
AUSTIN_SAG_K = 10.6
AUSTIN_SAG_A = 1.03
AUSTIN_SAG_BED_POROSITY = 0.4
STEEL_DENSITY_T_M3 = 7.9


# ------------------------------------------------------------------ specific energy
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
    ef5 = 1.0
    if p80_um < EF5_LIMIT_UM:
        ef5 = (p80_um + 10.3) / (1.145 * p80_um)
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
    f2 = -(0.295 + x2_um / 1.0e6)
    f1 = -(0.295 + x1_um / 1.0e6)
    return 4.0 * m_i_kwh_t * (x2_um**f2 - x1_um**f1)


# ------------------------------------------------------------------ mill power
@njit
def critical_speed_rpm(d_m: float | np.ndarray, ball_d_m: float = 0.0) -> float | np.ndarray:
    """Critical speed of a tumbling mill, ``Nc = 42.3/sqrt(D - d)``.

    Parameters
    ----------
    d_m : float or (n,) float64
        Mill diameter inside liners [m].
    ball_d_m : float, optional
        Ball (or rock) diameter [m]; 0 neglects it.

    Returns
    -------
    float or (n,) float64
        Critical speed [rpm].

    References
    ----------
    Wills, B.A., Finch, J.A. (2016) Wills' Mineral Processing Technology, 8th ed., ch. 7
    (42.3 = 60 sqrt(2 g)/(2 π) with g = 9.81 m/s²) [S derivation].
    """
    return CRITICAL_SPEED_CONSTANT / np.sqrt(d_m - ball_d_m)


@njit
def ball_charge_t(
    d_m: float,
    l_m: float,
    ball_fill_frac: float,
    ball_bulk_density_t_m3: float = STEEL_BALL_BULK_DENSITY_T_M3,
) -> float:
    """Mass of the ball charge, ``Vp (π/4) D² L ρ_bulk``.

    Parameters
    ----------
    d_m : float
        Mill diameter inside liners [m].
    l_m : float
        Effective grinding length [m].
    ball_fill_frac : float
        Fraction of the mill volume loaded with balls, Vp [-].
    ball_bulk_density_t_m3 : float, optional
        Bulk density of the charge [t/m³]; 4.65 for steel balls [L].

    Returns
    -------
    float
        Ball charge [t].

    References
    ----------
    Rowland, C.A., Kjos, D.M. (1980) in Mineral Processing Plant Design, 2nd ed., SME [L].
    """
    return ball_fill_frac * 0.25 * math.pi * d_m * d_m * l_m * ball_bulk_density_t_m3


@njit
def bond_ball_mill_specific_power_kw_t(
    d_m: float, ball_fill_frac: float, critical_speed_frac: float, ball_top_mm: float
) -> float:
    """Bond/Rowland pinion power per tonne of balls, slump term included.

    ``kWb = 4.879 D^0.3 (3.2 - 3 Vp) Cs (1 - 0.1/2^(9 - 10 Cs)) + Ss`` with the ball-size
    term ``Ss = 1.102 (B - 12.5 D)/50.8`` for ``D > 3.3 m`` (0 otherwise); overflow
    discharge (multiply by about 1.16 for grate discharge [L]).

    Parameters
    ----------
    d_m : float
        Mill diameter inside liners [m].
    ball_fill_frac : float
        Fraction of the mill volume loaded with balls, Vp [-] (0.30–0.45 [L]).
    critical_speed_frac : float
        Fraction of critical speed, Cs [-].
    ball_top_mm : float
        Top ball size, B [mm].

    Returns
    -------
    float
        Pinion power per tonne of balls [kW/t].

    References
    ----------
    Bond, F.C. (1961) Brit. Chem. Eng. 6:378–385, 543–548. Rowland, C.A., Kjos, D.M.
    (1980) in Mineral Processing Plant Design, 2nd ed., SME, 239–278 [L].
    """
    cs = critical_speed_frac
    kwb = (
        BOND_BALL_POWER_CONSTANT
        * d_m**0.3
        * (3.2 - 3.0 * ball_fill_frac)
        * cs
        * (1.0 - 0.1 / 2.0 ** (9.0 - 10.0 * cs))
    )
    if d_m > SLUMP_LIMIT_D_M:
        kwb += 1.102 * (ball_top_mm - 12.5 * d_m) / 50.8
    return kwb


@njit
def bond_ball_mill_power_kw(
    d_m: float,
    l_m: float,
    ball_fill_frac: float,
    critical_speed_frac: float,
    ball_top_mm: float,
    ball_bulk_density_t_m3: float = STEEL_BALL_BULK_DENSITY_T_M3,
) -> float:
    """Bond/Rowland ball-mill pinion power (overflow discharge).

    ``P = kWb x M_balls``; see :func:`bond_ball_mill_specific_power_kw_t` and
    :func:`ball_charge_t`. ex01: 5.0 x 7.0 m, Vp 0.35, Cs 0.75, B 65 mm gives
    kWb 12.2995 + Ss 0.0542 kW/t, 223.69 t of balls, P = 2763.4 kW.

    Parameters
    ----------
    d_m : float
        Mill diameter inside liners [m].
    l_m : float
        Effective grinding length [m].
    ball_fill_frac : float
        Fraction of the mill volume loaded with balls, Vp [-].
    critical_speed_frac : float
        Fraction of critical speed, Cs [-].
    ball_top_mm : float
        Top ball size [mm].
    ball_bulk_density_t_m3 : float, optional
        Bulk density of the ball charge [t/m³]; 4.65 for steel [L].

    Returns
    -------
    float
        Pinion power [kW].

    References
    ----------
    Bond, F.C. (1961) Brit. Chem. Eng. 6:378–385, 543–548. Rowland, C.A., Kjos, D.M.
    (1980) in Mineral Processing Plant Design, 2nd ed., SME, 239–278 [L].
    """
    kwb = bond_ball_mill_specific_power_kw_t(d_m, ball_fill_frac, critical_speed_frac, ball_top_mm)
    return kwb * ball_charge_t(d_m, l_m, ball_fill_frac, ball_bulk_density_t_m3)


@njit
def austin_sag_power_kw(
    d_m: float,
    l_m: float,
    total_fill_frac: float,
    ball_fill_frac: float,
    critical_speed_frac: float,
    ore_density_t_m3: float,
    slurry_solids_frac: float,
    ball_density_t_m3: float = STEEL_DENSITY_T_M3,
    bed_porosity_frac: float = AUSTIN_SAG_BED_POROSITY,
    k_factor: float = AUSTIN_SAG_K,
    a_factor: float = AUSTIN_SAG_A,
) -> float:
    """Austin (1990) net power of the cylindrical section of a SAG mill.

    ``P = K D^2.5 L (1 - A J) [(1 - ε)(ρs/wc) J + 0.6 J_B (ρb - ρs/wc)] φc
    (1 - 0.1/2^(9 - 10 φc))``. Treat it as a default to recalibrate with a K multiplier
    from surveys (Rowland & Kjos 1980; Austin 1990, Miner. Metall. Process. 7:57; Morrell 1996; docs/models.md#ball_mill); ex01: 10.36 x 5.2 m, J 0.28, J_B 0.12, φc 0.75,
    ρs 2.7, wc 0.80 gives 8752.4 kW.

    Parameters
    ----------
    d_m : float
        Mill diameter inside liners [m].
    l_m : float
        Effective grinding length [m].
    total_fill_frac : float
        Total charge filling J [-].
    ball_fill_frac : float
        Ball filling J_B [-].
    critical_speed_frac : float
        Fraction of critical speed φc [-].
    ore_density_t_m3 : float
        Ore (solids) density ρs [t/m³].
    slurry_solids_frac : float
        Mass fraction of solids in the mill slurry wc [-].
    ball_density_t_m3 : float, optional
        Ball density ρb [t/m³]; 7.9 for steel [L].
    bed_porosity_frac : float, optional
        Charge bed porosity ε [-]; 0.4 [L].
    k_factor : float, optional
        Austin's constant K [kW m^-3.5]; 10.6 [L].
    a_factor : float, optional
        Austin's filling constant A [-]; 1.03 [L].

    Returns
    -------
    float
        Net power [kW].

    References
    ----------
    Austin, L.G. (1990) A mill power equation for SAG mills. Minerals & Metallurgical
    Processing 7(1):57–63 [L] (no DOI checked). Doll, A. (2013) A comparison of SAG mill
    power models. Procemin 2013, Santiago [L].
    """
    rho_slurry = ore_density_t_m3 / slurry_solids_frac
    load = (1.0 - bed_porosity_frac) * rho_slurry * total_fill_frac + 0.6 * ball_fill_frac * (
        ball_density_t_m3 - rho_slurry
    )
    phi = critical_speed_frac
    speed = phi * (1.0 - 0.1 / 2.0 ** (9.0 - 10.0 * phi))
    return k_factor * d_m**2.5 * l_m * (1.0 - a_factor * total_fill_frac) * load * speed


# ------------------------------------------------------------------ Austin PBM
@njit
def austin_selection(
    upper_um: np.ndarray, a: float, alpha: float, mu_mm: float, lam: float
) -> np.ndarray:
    """Austin specific breakage rate at each upper size.

    ``S_i = a (x_i / 1 mm)^α / (1 + (x_i/μ)^Λ)`` with ``x_i`` the class **upper** size.
    The caller passes the upper sizes of the real classes (``edges_um[:-1]``) and appends
    or sets the sink's rate to 0 (the sink never breaks). The unit of ``a`` is the
    caller's and carries over to S: 1/min for a time-based rate (ex03), or t/kWh for the
    specific-energy form S^E of Herbst & Fuerstenau (1980), where ``S^E x E = S τ``.

    Parameters
    ----------
    upper_um : (n,) float64
        Upper size of each class [µm].
    a : float
        Rate at 1 mm without the fall-off [1/min or t/kWh] (0.5–1.5 1/min full scale [L]).
    alpha : float
        Slope α [-] (0.6–1.5 [L]).
    mu_mm : float
        Size where the fall-off factor is 1/2, μ [mm] (1–5 mm for 50–75 mm balls [L]).
    lam : float
        Fall-off exponent Λ [-] (2–5 [L]).

    Returns
    -------
    (n,) float64
        Specific breakage rate per class, in the unit of ``a``.

    References
    ----------
    Austin, L.G., Klimpel, R.R., Luckie, P.T. (1984) Process Engineering of Size
    Reduction: Ball Milling. SME-AIME, New York [L].
    Herbst, J.A., Fuerstenau, D.W. (1980) Scale-up procedure for continuous grinding mill
    design using population balance models. Int. J. Miner. Process. 7:1–31.
    DOI 10.1016/0301-7516(80)90034-4.
    """
    n = upper_um.shape[0]
    out = np.empty(n)
    for i in range(n):
        x_mm = upper_um[i] / 1000.0
        out[i] = a * x_mm**alpha / (1.0 + (x_mm / mu_mm) ** lam)
    return out


@njit
def austin_breakage_matrix(
    edges_um: np.ndarray, phi: float, gamma: float, beta: float
) -> np.ndarray:
    """Interval breakage matrix of the normalised Austin breakage function.

    Cumulative: ``B_i,j = φ (e_i/e_{j+1})^γ + (1 - φ)(e_i/e_{j+1})^β`` for ``i > j``
    (0-based), the fraction of fragments of parent class ``j`` finer than the top of class
    ``i``; ``B_{j+1,j} = 1``, so every fragment leaves its parent class. Intervals:
    ``b[i, j] = B_i,j - B_{i+1,j}`` for ``j < i < n_cls - 1`` and the sink row
    ``b[n_cls-1, j] = B_{n_cls-1,j}`` collects the rest. Each parent column
    ``j < n_cls - 1`` therefore sums to 1 (to rounding, ~1e-16), the diagonal and the
    upper triangle are 0, and the sink column is all 0 (the sink never breaks).

    Parameters
    ----------
    edges_um : (n_cls,) float64
        Descending class edges [µm].
    phi : float
        Fraction of fine-fragment component φ [-] (0.4–0.7 [L]).
    gamma : float
        Fine-end slope γ [-] (0.5–1.5 [L]).
    beta : float
        Coarse-end slope β [-] (2.5–5 [L]).

    Returns
    -------
    (n_cls, n_cls) float64
        ``b[i, j]``: mass fraction of broken parent ``j`` that lands in class ``i`` [-].

    References
    ----------
    Austin, L.G., Klimpel, R.R., Luckie, P.T. (1984) Process Engineering of Size
    Reduction: Ball Milling. SME-AIME, New York [L].
    """
    n_cls = edges_um.shape[0]
    b = np.zeros((n_cls, n_cls))
    last = n_cls - 1
    for j in range(last):
        bottom = edges_um[j + 1]
        b_upper = 1.0  # B_{j+1,j}: the whole broken mass is finer than the parent
        for i in range(j + 1, last):
            # B at the top of class i + 1, i.e. at the bottom of class i
            r = edges_um[i + 1] / bottom
            b_lower = phi * r**gamma + (1.0 - phi) * r**beta
            b[i, j] = b_upper - b_lower
            b_upper = b_lower
        b[last, j] = b_upper  # the sink collects everything finer than e_last
    return b


@njit
def mill_mixers_into(
    out: np.ndarray, feed: np.ndarray, rate_times_tau: np.ndarray, b: np.ndarray, n_mixers: int
) -> None:
    """Austin matrix mill as N equal perfect mixers in series, written into ``out``.

    For each case and species, each mixer solves ``(I + t (I - b) diag(S)) p = f`` with
    ``t S_i = rate_times_tau[c, i, k] / n_mixers`` by forward substitution (the matrix is
    lower triangular, Austin, Klimpel & Luckie 1984; Whiten 1974; Herbst & Fuerstenau 1980; docs/models.md#ball_mill):

        p_i = (f_i + Σ_{j<i} b_ij (t S_j p_j)) / (1 + t S_i).

    ``rate_times_tau`` is ``S_i τ`` for the whole mill; with the selection function in
    the specific-energy form it equals ``S_i^E [t/kWh] x E [kWh/t]`` (Herbst & Fuerstenau
    1980). The sink's rate is ignored (the sink never breaks), and only the strictly
    lower triangle of ``b`` is read. With columns of ``b`` summing to 1, every species'
    mass is conserved to rounding. ``out`` may be the same array as ``feed``.

    Parameters
    ----------
    out : (n_cases, n_cls, n_species) float64
        Output array, overwritten with the mill product [t/h].
    feed : (n_cases, n_cls, n_species) float64
        Mill feed per class and species [t/h].
    rate_times_tau : (n_cases, n_cls, n_species) float64
        Breakage rate times total mean residence time, ``S_i τ`` [-].
    b : (n_cls, n_cls) float64
        Interval breakage matrix (:func:`austin_breakage_matrix`) [-].
    n_mixers : int
        Number of equal mixers in series [-] (3 is the usual default [L]).

    References
    ----------
    Austin, L.G., Klimpel, R.R., Luckie, P.T. (1984) Process Engineering of Size
    Reduction: Ball Milling. SME-AIME, New York [L].
    Herbst, J.A., Fuerstenau, D.W. (1980) Int. J. Miner. Process. 7:1–31.
    DOI 10.1016/0301-7516(80)90034-4.
    """
    n_cases, n_cls, n_sp = feed.shape
    if (
        out.shape != feed.shape
        or rate_times_tau.shape != feed.shape
        or b.shape[0] != n_cls
        or b.shape[1] != n_cls
    ):
        msg = "out, feed and rate_times_tau must share one shape and b be (n_cls, n_cls)"
        raise ValueError(msg)
    inv_n = 1.0 / n_mixers if n_mixers > 0 else 0.0
    # Work with the case axis innermost so the compiler can vectorise across cases;
    # each case still sums in the same order (f_i, then parents j = 0, 1, ...), so the
    # result is the same as solving case by case. Species are independent: each goes
    # through all mixers in a small (n_cls, n_cases) buffer that stays in cache (two
    # whole-batch copies cost more than the substitution itself).
    p = np.empty((n_cls, n_cases))
    r = np.empty((n_cls, n_cases))
    g = np.empty(n_cases)  # t S_j p_j of the parent class just solved
    last = n_cls - 1
    for k in range(n_sp):
        # A species absent from every case's feed stays absent (0 / (1 + t) = 0 for
        # every finite t >= 0): minerals that only form downstream skip the substitution.
        absent = True
        for c in range(n_cases):
            for i in range(n_cls):
                t = rate_times_tau[c, i, k]
                if feed[c, i, k] != 0.0 or not (t >= 0.0 and t < math.inf):
                    absent = False
                    break
            if not absent:
                break
        if absent:
            for c in range(n_cases):
                for i in range(n_cls):
                    out[c, i, k] = feed[c, i, k]
            continue
        for c in range(n_cases):
            for i in range(n_cls):
                p[i, c] = feed[c, i, k]
                r[i, c] = rate_times_tau[c, i, k] * inv_n
        for _ in range(n_mixers):
            # Column-oriented forward substitution: once p_j is known its breakage
            # products are added to every finer class. The sink (j = last) never breaks.
            for j in range(last):
                for c in range(n_cases):
                    t = r[j, c]
                    v = p[j, c] / (1.0 + t)
                    p[j, c] = v
                    g[c] = t * v
                for i in range(j + 1, n_cls):
                    bij = b[i, j]
                    for c in range(n_cases):
                        p[i, c] += bij * g[c]
        for c in range(n_cases):
            for i in range(n_cls):
                out[c, i, k] = p[i, c]


@njit
def mill_mixers_batch(
    feed: np.ndarray, rate_times_tau: np.ndarray, b: np.ndarray, n_mixers: int
) -> np.ndarray:
    """Austin matrix mill as N equal perfect mixers in series, for a batch of cases.

    Allocating wrapper of :func:`mill_mixers_into` (see there for the model). ex03's
    hand case: one mixer, ``S τ = [1.0, 0.4, 0]``, ``b21 = 0.6``, ``b31 = 0.4``,
    ``b32 = 1``, feed ``[100, 0, 0]`` gives ``[50, 21.428571, 28.571429]``.

    Parameters
    ----------
    feed : (n_cases, n_cls, n_species) float64
        Mill feed per class and species [t/h].
    rate_times_tau : (n_cases, n_cls, n_species) float64
        Breakage rate times total mean residence time, ``S_i τ`` [-] (equivalently
        ``S_i^E x E``); the sink's entry is ignored.
    b : (n_cls, n_cls) float64
        Interval breakage matrix, columns summing to 1 [-].
    n_mixers : int
        Number of equal mixers in series [-].

    Returns
    -------
    (n_cases, n_cls, n_species) float64
        Mill product [t/h].

    References
    ----------
    Austin, L.G., Klimpel, R.R., Luckie, P.T. (1984) Process Engineering of Size
    Reduction: Ball Milling. SME-AIME, New York [L].
    Herbst, J.A., Fuerstenau, D.W. (1980) Int. J. Miner. Process. 7:1–31.
    DOI 10.1016/0301-7516(80)90034-4.
    """
    out = np.empty_like(feed)
    mill_mixers_into(out, feed, rate_times_tau, b, n_mixers)
    return out


# ------------------------------------------------------------------ SAG and regrind (issue 3)
#: Morrell's boundary between the coarse (Mia, tumbling) and fine (Mib, ball-mill)
#: sections of a circuit [µm] [L] (Morrell 2004, 2008; Morrell 2004; docs/models.md#sag_mill).
MORRELL_SPLIT_UM = 750.0
#: Reduction ratio below which EF7 is held at its value there [-]: the energy
#: ``(1/sqrt(P80) - 1/sqrt(F80)) x EF7`` as a function of Rr = F80/P80 has its minimum at
#: Rr = 1.5827 (root of its derivative), so below it Rowland's factor, fitted for
#: reduction ratios of about 2-6, would make a coarser product cost more energy. Holding
#: EF7 there keeps energy monotone in P80 [assumed, S derivation of the minimum].
EF7_MIN_ENERGY_RATIO = 1.5827174500835888
#: Lower end of the bisections on ln(size) of the energy-size inversions [µm].
_SIZE_LO_UM = 1.0e-3
_BISECT_ITER = 200


@njit
def _morrell_g(x_um: float) -> float:
    """``x^f(x)`` with ``f(x) = -(0.295 + x/10^6)`` (Morrell's size function)."""
    return x_um ** (-(0.295 + x_um / 1.0e6))


@njit
def _morrell_invert(m_i_kwh_t: float, x1_um: float, energy_kwh_t: float) -> float:
    """Size x2 < x1 with ``4 M_i (x2^f(x2) - x1^f(x1)) = E``, by bisection on ln x2."""
    target = energy_kwh_t / (4.0 * m_i_kwh_t) + _morrell_g(x1_um)
    lo = math.log(_SIZE_LO_UM)
    hi = math.log(x1_um)
    for _ in range(_BISECT_ITER):
        mid = 0.5 * (lo + hi)
        # x^f(x) decreases with x over the range of interest
        if _morrell_g(math.exp(mid)) > target:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-15:
            break
    return math.exp(0.5 * (lo + hi))


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
        coarse = 4.0 * mia_kwh_t * (_morrell_g(MORRELL_SPLIT_UM) - _morrell_g(x1))
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
    """
    if not energy_kwh_t > 0.0:
        return f80_um
    inv = energy_kwh_t / (10.0 * wi_kwh_t) + 1.0 / math.sqrt(f80_um)
    return 1.0 / (inv * inv)


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
    ef = rowland_factors(wi_kwh_t, f80_um, p80_um, d, False, 0.0)
    # EF5 as printed dips below 1 between 71 and 75 µm (1.145 P80 > P80 + 10.3), which
    # would make a 74 µm product cheaper than a 76 µm one; it penalises fineness only
    factor = ef[2] * ef[3] * max(ef[4], 1.0)
    # EF7 is applied at every ratio: Rowland stops it at Rr = 6, where it is still 1.028,
    # a step that would make a finer product cheaper; beyond 6 it tends to 1
    rr = max(f80_um / p80_um, EF7_MIN_ENERGY_RATIO)
    factor *= (2.0 * (rr - 1.35) + 0.26) / (2.0 * (rr - 1.35))
    return bond_energy_kwh_t(wi_kwh_t, f80_um, p80_um) * factor


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
    lo = math.log(_SIZE_LO_UM)
    hi = math.log(f80_um)
    for _ in range(_BISECT_ITER):
        mid = 0.5 * (lo + hi)
        if regrind_energy_kwh_t(wi_kwh_t, f80_um, math.exp(mid), d_m) > energy_kwh_t:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-15:
            break
    return math.exp(0.5 * (lo + hi))


@njit
def _survival_product_case(
    out: np.ndarray, feed: np.ndarray, edges_um: np.ndarray, x63_um: float, modulus: float
) -> None:
    """Product of one case: coarser-than-e_k mass multiplied by exp(-(e_k/x63)^n)."""
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
            e = edges_um[c + 1]
            surv = math.exp(-((e / x63_um) ** modulus)) if x63_um > 0.0 else 0.0
            now = coarser * surv
            out[c, k] = now - prev
            prev = now
        out[last, k] = total - prev


@njit
def survival_product(
    feed: np.ndarray, edges_um: np.ndarray, x63_um: float, modulus: float
) -> np.ndarray:
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
    feed : (n_cls, n_species) float64
        Feed per class and species [t/h].
    edges_um : (n_cls,) float64
        Descending class edges [µm].
    x63_um : float
        Size at which 1/e of the coarser material survives [µm].
    modulus : float
        Survival-function modulus n [-].

    Returns
    -------
    (n_cls, n_species) float64
        Product [t/h].
    """
    out = np.empty_like(feed)
    _survival_product_case(out, feed, edges_um, x63_um, modulus)
    return out


@njit
def grind_to_p80_batch(
    feed: np.ndarray, edges_um: np.ndarray, target_p80_um: np.ndarray, modulus: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Grind each case's feed to a target P80 with the survival-function product.

    For each case, x63 of :func:`survival_product` is found by bisection on ln x63 so
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
            _survival_product_case(oc, fc, edges_um, math.exp(mid), modulus[c])
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
        _survival_product_case(oc, fc, edges_um, x63[c], modulus[c])
    return out, x63

"""Pre-enrichment and sizing kernels: gravity, flotation, ore sorting, screens.

Covers Laplante's standardised GRG test; docs/models.md#gravity; Robben & Wotruba 2019 and the screen partition of Lynch & Rao 1975; Napier-Munn et al. 1996; Nageswararao 2016, Powder Technol. 297:106; docs/models.md#cyclone. Sizes are in µm, flotation
times and rate constants in min and 1/min (SI units, oreflow's conventions: "min for grinding and
flotation"), grades in g/t, fractions in [0, 1]. Solids arrays are
``(n_cases, n_cls, n_species)``; size classes follow :mod:`oreflow.kernels.psd`
(descending edges, the last class is the sink). Kernels never mutate their inputs.

Confidence tags follow tags: [S] checked source, [L] standard reference, [A] assumed: [S] checked, [L] literature value not re-checked
here, [A] assumed.
"""

from __future__ import annotations

import math

import numpy as np

from oreflow.kernels._jit import njit
from oreflow.kernels.classification import lynch_rao_partition
from oreflow.kernels.psd import representative_sizes_um

#: Below this K = k_max τ the Klimpel bank formula loses digits to cancellation; a
#: three-term series (error O(K^4)) is used instead [S derivation].
KLIMPEL_SERIES_K = 1.0e-3
#: Savassi's entrainment constant: ENT(ξ) = 2/(e^2.292 + e^-2.292) = 0.2 defines ξ [L].
SAVASSI_CONSTANT = 2.292


# ------------------------------------------------------------------ gravity (Laplante's standardised GRG test; docs/models.md#gravity)


@njit
def size_window(
    d_um: np.ndarray, fine_half_um: float, coarse_half_um: float, exponent: float
) -> np.ndarray:
    """Size-dependence factor falling to 1/2 at a fine and at a coarse size.

    ``w(d) = d^m/(d^m + d_f^m) x 1/(1 + (d/d_c)^m)``: 1 between the two sizes, 1/2 at
    ``d_f`` (if the coarse size is far away) and at ``d_c``. A size of 0 switches that end
    off. The form is a smooth plateau [assumed]; it stands in for the measured
    size-by-size response of a concentrator or flotation cell.

    Parameters
    ----------
    d_um : (n,) float64
        Particle sizes [µm].
    fine_half_um : float
        Size where the fine-end factor is 1/2 [µm]; 0 for no fine-end decline.
    coarse_half_um : float
        Size where the coarse-end factor is 1/2 [µm]; 0 for no coarse-end decline.
    exponent : float
        Steepness m of both ends [-].

    Returns
    -------
    (n,) float64
        Factor in [0, 1] [-].
    """
    n = d_um.shape[0]
    out = np.ones(n)
    for i in range(n):
        d = d_um[i]
        if fine_half_um > 0.0:
            # d^m/(d^m + f^m) written as 1/(1 + (f/d)^m): no overflow for coarse d
            out[i] /= 1.0 + (fine_half_um / d) ** exponent
        if coarse_half_um > 0.0:
            out[i] /= 1.0 + (d / coarse_half_um) ** exponent
    return out


# ------------------------------------------------------------------ flotation (Klimpel 1980; docs/models.md#flotation)


@njit
def klimpel_bank_frac(k_tau: float, n_cells: int) -> float:
    """Fraction of R_inf recovered by N equal perfect mixers, k rectangular on [0, k_max].

    Average of ``1 - (1 + k τ/N)^(-N)`` over k uniform on [0, k_max] (Klimpel 1980; docs/models.md#flotation):

        N > 1:  1 - N/((N - 1) K) [1 - (1 + K/N)^(1 - N)],   K = k_max τ
        N = 1:  1 - ln(1 + K)/K

    For K below ``KLIMPEL_SERIES_K`` the three-term series
    ``K/2 - (N + 1) K²/(6N) + (N + 1)(N + 2) K³/(24 N²)`` avoids cancellation.

    Parameters
    ----------
    k_tau : float
        K = k_max τ [-].
    n_cells : int
        Number of equal cells N [-], at least 1.

    Returns
    -------
    float
        R / R_inf [-], in [0, 1).
    """
    if k_tau <= 0.0:
        return 0.0
    n = float(n_cells)
    if k_tau < KLIMPEL_SERIES_K:
        return k_tau * (
            0.5
            - (n + 1.0) * k_tau / (6.0 * n)
            + (n + 1.0) * (n + 2.0) * k_tau * k_tau / (24.0 * n * n)
        )
    if n_cells == 1:
        return 1.0 - math.log1p(k_tau) / k_tau
    # 1 - (1 + K/N)^(1-N) = -expm1((1 - N) log1p(K/N)), exact for small K/N
    return 1.0 + n / ((n - 1.0) * k_tau) * math.expm1((1.0 - n) * math.log1p(k_tau / n))


@njit
def first_order_bank_frac(k_tau: float, n_cells: int) -> float:
    """Fraction of R_inf recovered by N equal perfect mixers with a single rate constant.

    ``1 - (1 + k τ/N)^(-N)`` (Klimpel 1980; docs/models.md#flotation). ex05: k 0.75, τ 12, N 8, R_inf 0.92 gives
    0.917787.

    Parameters
    ----------
    k_tau : float
        k τ [-].
    n_cells : int
        Number of equal cells N [-].

    Returns
    -------
    float
        R / R_inf [-].

    References
    ----------
    García-Zúñiga, H. (1935) La eficiencia de la flotación es una función exponencial del
    tiempo. Boletín Minero, Sociedad Nacional de Minería, Chile, 47:83–86 [L].
    """
    if k_tau <= 0.0:
        return 0.0
    n = float(n_cells)
    return -math.expm1(-n * math.log1p(k_tau / n))


@njit
def savassi_entrainment(d_um: np.ndarray, xi_um: float, drainage: float) -> np.ndarray:
    """Degree of entrainment by size, Savassi's classification function.

    ``ENT(d) = 2/(exp(2.292 (d/ξ)^adj) + exp(-2.292 (d/ξ)^adj))``: 1 for the finest
    particles (they follow the water), 0.2 at d = ξ, falling for coarser ones. Recovery by
    entrainment of a species is ``ENT x R_water`` of what did not float.

    Parameters
    ----------
    d_um : (n,) float64
        Particle sizes [µm].
    xi_um : float
        Entrainment parameter ξ, the size entrained at 20 % of the water recovery [µm].
    drainage : float
        Drainage parameter adj [-].

    Returns
    -------
    (n,) float64
        Degree of entrainment [-].

    References
    ----------
    Savassi, O.N., Alexander, D.J., Franzidis, J.-P., Manlapig, E.V. (1998) An empirical
    model for entrainment in industrial flotation plants. Minerals Engineering
    11(3):243–256 [L] (form and constant not re-checked here).
    """
    n = d_um.shape[0]
    out = np.empty(n)
    for i in range(n):
        a = SAVASSI_CONSTANT * (d_um[i] / xi_um) ** drainage
        if a > 700.0:
            out[i] = 0.0
        else:
            out[i] = 2.0 / (math.exp(a) + math.exp(-a))
    return out


@njit
def _bank_recovery(k_tau: float, r_inf: float, ent: float, n_cells: int, klimpel: bool) -> float:
    """Recovery of one cell of the bank table: true flotation plus entrainment of the rest."""
    frac = klimpel_bank_frac(k_tau, n_cells) if klimpel else first_order_bank_frac(k_tau, n_cells)
    rf = r_inf * frac
    return rf + (1.0 - rf) * ent


@njit
def flotation_bank_batch(
    k_max_per_min: np.ndarray,
    r_inf_frac: np.ndarray,
    tau_min: np.ndarray,
    n_cells: int,
    klimpel: bool,
    entrainment: np.ndarray,
    water_recovery_frac: np.ndarray,
) -> np.ndarray:
    """Recovery to concentrate of every case, size class and species of one bank.

    True flotation: ``R_f = R_inf x klimpel_bank_frac(k_max τ, N)`` (or the single-k
    form when ``klimpel`` is false, with ``k_max`` read as k). Entrainment of what did not
    float: ``R = R_f + (1 - R_f) ENT(d) R_w``.

    Parameters
    ----------
    k_max_per_min : (n_cases, n_cls, n_species) float64
        Upper end of each rate distribution (or the single k) [1/min]; 0 for species
        that do not float.
    r_inf_frac : (n_cases, n_cls, n_species) float64
        Recovery at infinite time [-].
    tau_min : (n_cases,) float64
        Total residence time of the bank [min].
    n_cells : int
        Number of equal cells [-].
    klimpel : bool
        Rectangular k distribution (True) or a single k (False).
    entrainment : (n_cases, n_cls) float64
        Degree of entrainment by size [-].
    water_recovery_frac : (n_cases,) float64
        Fraction of the feed water reporting to the concentrate [-].

    Returns
    -------
    (n_cases, n_cls, n_species) float64
        Recovery to concentrate [-].

    References
    ----------
    Klimpel (1980) [L]; Savassi et al. (1998) Minerals Engineering 11(3):243–256 [L].
    """
    n_cases, n_cls, n_sp = k_max_per_min.shape
    out = np.empty((n_cases, n_cls, n_sp))
    for c in range(n_cases):
        tau = tau_min[c]
        rw = water_recovery_frac[c]
        for i in range(n_cls):
            ent = entrainment[c, i] * rw
            for k in range(n_sp):
                out[c, i, k] = _bank_recovery(
                    k_max_per_min[c, i, k] * tau, r_inf_frac[c, i, k], ent, n_cells, klimpel
                )
    return out


@njit
def flotation_bank_split_into(
    concentrate: np.ndarray,
    tails: np.ndarray,
    feed: np.ndarray,
    k_max_per_min: np.ndarray,
    r_inf_frac: np.ndarray,
    tau_min: np.ndarray,
    n_cells: int,
    klimpel: bool,
    entrainment: np.ndarray,
    water_recovery_frac: np.ndarray,
    rate_source: np.ndarray,
    solution_start: int,
    solution_stop: int,
) -> None:
    """Concentrate and tails of one bank, :func:`flotation_bank_batch` applied to the feed.

    Each solid component goes to the concentrate with its recovery, the solution
    species ``solution_start:solution_stop`` with the water recovery, anything else
    stays in the tails; tails are feed minus concentrate. A species that floats with a
    carrier has the carrier's rate constants and ultimate recoveries, so its recovery
    is the carrier's: ``rate_source`` names, for each species, the species whose
    recovery it takes (itself, or a carrier that takes its own), which spares
    computing the same value twice.

    The caller allocates the outputs: two large arrays allocated inside a kernel on
    every call of a recycle loop cost more than the arithmetic (the allocator hands the
    memory back to the system and takes fresh pages each time).

    Parameters
    ----------
    concentrate, tails : (n_cases, n_comp) float64
        Output arrays, overwritten with the concentrate and tails [t/h].
    feed : (n_cases, n_comp) float64
        Bank feed [t/h]; the solids block first, size class by size class.
    k_max_per_min, r_inf_frac : (n_cases, n_cls, n_species) float64
        As :func:`flotation_bank_batch`.
    tau_min : (n_cases,) float64
        Total residence time of the bank [min].
    n_cells : int
        Number of equal cells [-].
    klimpel : bool
        Rectangular k distribution (True) or a single k (False).
    entrainment : (n_cases, n_cls) float64
        Degree of entrainment by size [-].
    water_recovery_frac : (n_cases,) float64
        Fraction of the feed water reporting to the concentrate [-].
    rate_source : (n_species,) int64
        Species whose recovery each species takes; ``rate_source[rate_source[j]]`` must
        equal ``rate_source[j]``.
    solution_start, solution_stop : int
        Component slice of the solution species.

    References
    ----------
    Klimpel (1980) [L]; Savassi et al. (1998) Minerals Engineering 11(3):243–256 [L].
    """
    n_cases, n_cls, n_sp = k_max_per_min.shape
    n_comp = feed.shape[1]
    conc = concentrate
    rec = np.empty(n_sp)
    for c in range(n_cases):
        for j in range(n_comp):
            conc[c, j] = 0.0
        tau = tau_min[c]
        rw = water_recovery_frac[c]
        for i in range(n_cls):
            ent = entrainment[c, i] * rw
            for k in range(n_sp):
                if rate_source[k] != k:
                    continue
                rec[k] = _bank_recovery(
                    k_max_per_min[c, i, k] * tau, r_inf_frac[c, i, k], ent, n_cells, klimpel
                )
            base = i * n_sp
            for k in range(n_sp):
                conc[c, base + k] = feed[c, base + k] * rec[rate_source[k]]
        for j in range(solution_start, solution_stop):
            conc[c, j] = feed[c, j] * rw
        for j in range(n_comp):
            tails[c, j] = feed[c, j] - conc[c, j]


@njit
def recovery_split_into(
    concentrate: np.ndarray,
    tails: np.ndarray,
    feed: np.ndarray,
    recovery: np.ndarray,
    water_recovery_frac: np.ndarray,
    solution_start: int,
    solution_stop: int,
) -> None:
    """Concentrate and tails of one bank from its recoveries, already computed.

    What :func:`flotation_bank_split_into` does after the recoveries, for a bank whose
    residence time does not depend on its feed: its recoveries
    (:func:`flotation_bank_batch`) are then the same on every pass of a recycle loop
    and are computed once. Same products, bit for bit.

    Parameters
    ----------
    concentrate, tails : (n_cases, n_comp) float64
        Output arrays, overwritten with the concentrate and tails [t/h].
    feed : (n_cases, n_comp) float64
        Bank feed [t/h]; the solids block first, size class by size class.
    recovery : (n_cases, n_cls, n_species) or (1, n_cls, n_species) float64
        Recovery of each solid component to the concentrate [-]; one row for every
        case alike (a bank's recoveries are usually the same for a whole batch).
    water_recovery_frac : (n_cases,) float64
        Fraction of the feed water (and of every solution species) to the concentrate [-].
    solution_start, solution_stop : int
        Component slice of the solution species.
    """
    n_cases, n_comp = feed.shape
    _, n_cls, n_sp = recovery.shape
    n_solids = n_cls * n_sp
    shared = recovery.shape[0] == 1
    for c in range(n_cases):
        rw = water_recovery_frac[c]
        rc = 0 if shared else c
        for i in range(n_cls):
            for k in range(n_sp):
                j = i * n_sp + k
                concentrate[c, j] = feed[c, j] * recovery[rc, i, k]
        for j in range(n_solids, n_comp):
            concentrate[c, j] = 0.0
        for j in range(solution_start, solution_stop):
            concentrate[c, j] = feed[c, j] * rw
        for j in range(n_comp):
            tails[c, j] = feed[c, j] - concentrate[c, j]


# ------------------------------------------------------------------ sorting (Robben & Wotruba 2019; docs/models.md#sorter)
@njit
def normal_cdf(z: float) -> float:
    """Standard normal cumulative distribution Φ(z) = erfc(-z/√2)/2 [-]."""
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


@njit
def sorting_split(
    mean_grade_gpt: float, grade_sigma: float, cutoff_gpt: float, sensor_sigma: float
) -> tuple[float, float]:
    """Mass rejected and metal lost by a sensor-based sorter on lognormal particle grades.

    Particle grades ln g ~ N(μ, σ²) with mean ḡ = e^(μ + σ²/2); the sensor reads
    ln g_m = ln g + ε, ε ~ N(0, s²); particles reading below g_c are rejected
    (Robben & Wotruba 2019; docs/models.md#sorter, partial expectations of the lognormal):

        M_r = Φ((ln g_c - μ)/√(σ² + s²)),   L = Φ((ln g_c - μ - σ²)/√(σ² + s²)).

    ex05 (ḡ 1.5, σ 1.2, g_c 0.5): s = 0 gives 0.376187 / 0.064822, s = 0.5 gives
    0.385434 / 0.080917.

    Parameters
    ----------
    mean_grade_gpt : float
        Mean grade of the sorted particles ḡ [g/t].
    grade_sigma : float
        Standard deviation of ln(particle grade) σ [-].
    cutoff_gpt : float
        Sensor cutoff grade g_c [g/t].
    sensor_sigma : float
        Standard deviation of the sensor's log error s [-].

    Returns
    -------
    tuple of float
        (mass rejected M_r, metal lost L) [-]. A feed without metal is rejected whole
        (1, 1); a cutoff of 0 rejects nothing (0, 0); with σ = s = 0 every particle has
        the mean grade and is rejected (1, 1) exactly when ḡ < g_c.

    References
    ----------
    Lessard, J., de Bakker, J., McHugh, L. (2014) Development of ore sorting and its
    impact on mineral processing economics. Minerals Engineering 65:88–97 [L].
    """
    if cutoff_gpt <= 0.0:
        return 0.0, 0.0
    if mean_grade_gpt <= 0.0:
        return 1.0, 1.0
    mu = math.log(mean_grade_gpt) - 0.5 * grade_sigma * grade_sigma
    sd = math.sqrt(grade_sigma * grade_sigma + sensor_sigma * sensor_sigma)
    z = math.log(cutoff_gpt)
    if sd <= 0.0:
        r = 1.0 if mean_grade_gpt < cutoff_gpt else 0.0
        return r, r
    mass = normal_cdf((z - mu) / sd)
    metal = normal_cdf((z - mu - grade_sigma * grade_sigma) / sd)
    return mass, metal


@njit
def sorting_split_batch(
    mean_grade_gpt: np.ndarray,
    grade_sigma: np.ndarray,
    cutoff_gpt: np.ndarray,
    sensor_sigma: np.ndarray,
) -> np.ndarray:
    """Row-wise :func:`sorting_split`.

    Parameters
    ----------
    mean_grade_gpt, grade_sigma, cutoff_gpt, sensor_sigma : (n_cases,) float64
        As in :func:`sorting_split` [g/t or -].

    Returns
    -------
    (n_cases, 2) float64
        Mass rejected and metal lost per case [-].
    """
    n = mean_grade_gpt.shape[0]
    out = np.empty((n, 2))
    for i in range(n):
        m, loss = sorting_split(mean_grade_gpt[i], grade_sigma[i], cutoff_gpt[i], sensor_sigma[i])
        out[i, 0] = m
        out[i, 1] = loss
    return out


# ------------------------------------------------------------------ screens
@njit
def screen_partition(
    edges_um: np.ndarray,
    d50_um: float,
    alpha: float,
    bypass_frac: float,
    aperture_um: float,
) -> np.ndarray:
    """Partition to oversize of a vibrating screen, by size class.

    Whiten's efficiency curve with bypass (the Lynch–Rao form of Lynch & Rao 1975; Napier-Munn et al. 1996; Nageswararao 2016, Powder Technol. 297:106; docs/models.md#cyclone, read
    for a screen): ``E_o(d) = Rf + (1 - Rf) Ec(d/d50)`` at each class's representative
    size, where Rf is the fines carried to the oversize with its water. A class whose
    lower edge is at or above the aperture cannot pass and reports to the oversize
    whole.

    Parameters
    ----------
    edges_um : (n_cls,) float64
        Descending class edges [µm].
    d50_um : float
        Size with a 50 % chance of passing the (reduced) curve [µm].
    alpha : float
        Sharpness [-]; screens are sharper than cyclones (> 6 for fine screens [L]).
    bypass_frac : float
        Fraction of every size carried to the oversize, Rf [-].
    aperture_um : float
        Screen aperture [µm].

    Returns
    -------
    (n_cls,) float64
        Partition to oversize [-], non-decreasing with size.

    References
    ----------
    Whiten, W.J., in Napier-Munn, T.J., Morrell, S., Morrison, R.D., Kojovic, T. (1996)
    Mineral Comminution Circuits: Their Operation and Optimisation. JKMRC Monograph 2 [L].
    Lynch, A.J., Rao, T.C. (1975) Proc. 11th IMPC, Cagliari, 245–269 [L].
    """
    rep = representative_sizes_um(edges_um)
    part = lynch_rao_partition(rep, d50_um, alpha, bypass_frac)
    n_cls = edges_um.shape[0]
    for c in range(n_cls - 1):
        if edges_um[c + 1] >= aperture_um:
            part[c] = 1.0
    return part

"""Rate laws of the cyanide-free lixiviants: how leach kinetics answer their drivers.

Every leach unit keeps its testwork rate constant ``k_ref`` per gold class, measured at
the lixiviant's *reference conditions*; the kernels here give the factor
``F(conditions) / F(reference)`` that carries it to the conditions of each case, so a
case at the reference conditions keeps ``k_ref`` exactly. The forms (and the sources of
their constants) are:

- **glycine** (alkaline glycine alone): the complexing ligand is the glycinate anion
  (pKa₂ 9.78), saturating (Langmuir) above a half-saturation tenor; Arrhenius in
  temperature; an oxidant term ``1 + g · D/(D + D_half)`` over the rate with air
  alone; copper(II) catalysis ``1 + g_Cu · Cu/(Cu + Cu_half)``;
- **thiosulfate**: saturating in thiosulfate, order 0.3 in ammonia (Zhang, Senanayake
  & Nicol 2004), copper(II) catalysis as above, Arrhenius with its own activation
  energy on the copper-catalysed path (copper lowers the activation energy of gold
  leaching, 27.99 to 15.54 kJ/mol: Jiang et al. 1993, abstract); degradation to
  polythionates first order in thiosulfate with an uncatalysed and a copper-catalysed
  term, the latter suppressed by ammonia; dissolved oxygen scales the gold rate by its
  order (:func:`oxygen_share_factor` with share 1) and the degradation by the share of
  it that oxygen drives;
- **halide**: power law in active chlorine and chloride, times the net forward share
  of the reversible Au/AuCl₄⁻ couple at the pulp's Eh,
  ``1 − 10^(−3 (Eh − E_eq)/59.16 mV)`` (zero at or below equilibrium), times Arrhenius
  at 25 °C (gold in chloride-hypochlorite, Ea 53.43 kJ/mol: Kozin, Prokopenko &
  Bogdanova 2005, abstract).

Array contract as in ``oreflow.kernels.leaching``: float64 arrays of shape (n_cases,)
in, (n_cases,) out; inputs are never mutated.
"""

from __future__ import annotations

import numpy as np

from oreflow.kernels._jit import njit

#: Gas constant [J/(mol K)] and Faraday constant [C/mol] (CODATA 2018) [S].
R_J_MOL_K = 8.314462618
FARADAY_C_MOL = 96485.33212
#: Second acid dissociation constant of glycine (NH3+ -> NH2), pKa2 = 9.78 at 25 °C
#: (CRC Handbook of Chemistry and Physics, "Dissociation constants of amino acids") [S].
GLYCINE_PKA2 = 9.78
#: Standard potential of AuCl4- + 3 e- -> Au + 4 Cl-, 1.002 V vs SHE (A. J. Bard,
#: R. Parsons and J. Jordan, *Standard Potentials in Aqueous Solution*, IUPAC/Dekker,
#: 1985) [S].
E0_AUCL4_V = 1.002
_KELVIN = 273.15


@njit
def arrhenius_factor(temp_c: float, ref_c: float, ea_kj_mol: float) -> float:
    """``exp(−Ea/R (1/T − 1/T_ref))``: the rate at ``temp_c`` over the rate at ``ref_c``.

    Examples
    --------
    >>> round(arrhenius_factor(35.0, 25.0, 50.0), 4)
    1.9243
    """
    t = temp_c + _KELVIN
    t_ref = ref_c + _KELVIN
    return np.exp(-ea_kj_mol * 1000.0 / R_J_MOL_K * (1.0 / t - 1.0 / t_ref))


@njit
def saturation(conc: float, half: float) -> float:
    """Langmuir saturation ``c/(c + c_half)``: order 1 at ``c ≪ c_half``, 0 above.

    Examples
    --------
    >>> saturation(1.0, 1.0)
    0.5
    """
    if conc <= 0.0:
        return 0.0
    return conc / (conc + half)


@njit
def glycinate_frac(ph: float) -> float:
    """Share of glycine present as the glycinate anion at ``ph`` (pKa₂ 9.78).

    Examples
    --------
    >>> round(glycinate_frac(9.78), 3)
    0.5
    """
    return 1.0 / (1.0 + 10.0 ** (GLYCINE_PKA2 - ph))


@njit
def _glycine_rate(
    gly_g_l: float,
    ph: float,
    temp_c: float,
    ox_kg_t: float,
    cu_mg_l: float,
    gly_half_g_l: float,
    ea_kj_mol: float,
    ox_gain: float,
    ox_half_kg_t: float,
    cu_gain: float,
    cu_half_mg_l: float,
) -> float:
    lig = saturation(gly_g_l * glycinate_frac(ph), gly_half_g_l)
    ox = 1.0 + ox_gain * saturation(ox_kg_t, ox_half_kg_t)
    cu = 1.0 + cu_gain * saturation(cu_mg_l, cu_half_mg_l)
    return lig * ox * cu * arrhenius_factor(temp_c, 25.0, ea_kj_mol)


@njit
def glycine_rate_factor(
    gly_g_l: np.ndarray,
    ph: np.ndarray,
    temp_c: np.ndarray,
    ox_kg_t: np.ndarray,
    cu_mg_l: np.ndarray,
    ref: np.ndarray,
    gly_half_g_l: np.ndarray,
    ea_kj_mol: np.ndarray,
    ox_gain: np.ndarray,
    ox_half_kg_t: np.ndarray,
    cu_gain: np.ndarray,
    cu_half_mg_l: np.ndarray,
) -> np.ndarray:
    """Gold leach rate in alkaline glycine relative to the reference conditions.

        F = S(c_gly · x_gly⁻(pH), c_half) · (1 + g_ox S(D, D_half)) ·
            (1 + g_Cu S(Cu, Cu_half)) · exp(−Ea/R (1/T − 1/298.15))

    with ``S(c, h) = c/(c + h)`` and ``x_gly⁻`` the glycinate share; the result is
    ``F(case)/F(ref)``.

    Parameters
    ----------
    gly_g_l, ph, temp_c, ox_kg_t, cu_mg_l : (n,) float64
        Free glycine [g/L], pH, temperature [°C], strong-oxidant dose [kg/t] (0 for
        air alone), copper(II) in solution [mg/L].
    ref : (n, 6) float64
        The same five drivers at the reference conditions of ``k_ref``, then the
        oxidant gain of the reference oxidant.
    gly_half_g_l, ea_kj_mol, ox_gain, ox_half_kg_t, cu_gain, cu_half_mg_l : (n,) float64
        Constants of the rate law (see the glycine unit for their sources).

    Returns
    -------
    (n,) float64
        Rate factor [-], >= 0; 1 at the reference conditions.
    """
    n = gly_g_l.shape[0]
    # the loop below reads every column at rows 0..n-1 (no bounds checks in kernels)
    if not (
        ph.shape[0] == n
        and temp_c.shape[0] == n
        and ox_kg_t.shape[0] == n
        and cu_mg_l.shape[0] == n
        and ref.shape[0] == n
        and ref.shape[1] == 6
        and gly_half_g_l.shape[0] == n
        and ea_kj_mol.shape[0] == n
        and ox_gain.shape[0] == n
        and ox_half_kg_t.shape[0] == n
        and cu_gain.shape[0] == n
        and cu_half_mg_l.shape[0] == n
    ):
        msg = "glycine_rate_factor: every column needs n rows, and ref (n, 6)"
        raise ValueError(msg)
    drivers = np.empty((n, 6))
    consts = np.empty((n, 5))
    for i in range(n):  # columns by a loop: np.stack costs about 0.5 CPU-s to compile
        drivers[i, 0] = gly_g_l[i]
        drivers[i, 1] = ph[i]
        drivers[i, 2] = temp_c[i]
        drivers[i, 3] = ox_kg_t[i]
        drivers[i, 4] = cu_mg_l[i]
        drivers[i, 5] = ox_gain[i]
        consts[i, 0] = gly_half_g_l[i]
        consts[i, 1] = ea_kj_mol[i]
        consts[i, 2] = ox_half_kg_t[i]
        consts[i, 3] = cu_gain[i]
        consts[i, 4] = cu_half_mg_l[i]
    return _relative_rates(_GLYCINE, drivers, ref, consts)


@njit
def _thiosulfate_rate(
    s2o3_m: float,
    nh3_m: float,
    cu_mm: float,
    temp_c: float,
    ammoniacal: bool,
    s2o3_half_m: float,
    nh3_order: float,
    cu_gain: float,
    cu_half_mm: float,
    ea_kj_mol: float,
    cu_ea_kj_mol: float,
) -> float:
    plain = arrhenius_factor(temp_c, 25.0, ea_kj_mol)
    rate = saturation(s2o3_m, s2o3_half_m) * plain
    if ammoniacal:
        nh3 = nh3_m**nh3_order if nh3_m > 0.0 else 0.0
        cu_path = arrhenius_factor(temp_c, 25.0, cu_ea_kj_mol) / plain  # 1 at 25 °C
        rate *= nh3 * (1.0 + cu_gain * saturation(cu_mm, cu_half_mm) * cu_path)
    return rate


@njit
def thiosulfate_rate_factor(
    s2o3_m: np.ndarray,
    nh3_m: np.ndarray,
    cu_mm: np.ndarray,
    temp_c: np.ndarray,
    ammoniacal: bool,
    ref: np.ndarray,
    s2o3_half_m: np.ndarray,
    nh3_order: np.ndarray,
    cu_gain: np.ndarray,
    cu_half_mm: np.ndarray,
    ea_kj_mol: np.ndarray,
    cu_ea_kj_mol: np.ndarray,
) -> np.ndarray:
    """Gold leach rate in thiosulfate relative to the reference conditions.

        F = S([S₂O₃], K_S) · [NH₃]^a · (A(Ea) + g_Cu S([Cu], K_Cu) A(Ea_Cu))

    with ``A(E) = exp(−E/R (1/T − 1/298.15))``: the uncatalysed path (oxygen) and the
    copper(II)-catalysed path each with its activation energy (the ammonia and copper
    terms only in the ammoniacal system; calcium thiosulfate with oxygen has neither
    and follows ``A(Ea)``). With ``Ea_Cu = Ea`` it is the single Arrhenius factor.

    Parameters
    ----------
    s2o3_m, nh3_m, cu_mm, temp_c : (n,) float64
        Thiosulfate [mol/L], ammonia [mol/L], copper(II) [mmol/L], temperature [°C].
    ammoniacal : bool
        The Cu(II)-NH₃ catalysed system (else CaTS with oxygen).
    ref : (n, 4) float64
        Thiosulfate, ammonia, copper and temperature of the reference conditions.
    s2o3_half_m, nh3_order, cu_gain, cu_half_mm, ea_kj_mol, cu_ea_kj_mol : (n,) float64
        Constants of the rate law.

    Returns
    -------
    (n,) float64
        Rate factor [-]; 1 at the reference conditions.
    """
    n = s2o3_m.shape[0]
    # the loop below reads every column at rows 0..n-1 (no bounds checks in kernels)
    if not (
        nh3_m.shape[0] == n
        and cu_mm.shape[0] == n
        and temp_c.shape[0] == n
        and ref.shape[0] == n
        and ref.shape[1] == 4
        and s2o3_half_m.shape[0] == n
        and nh3_order.shape[0] == n
        and cu_gain.shape[0] == n
        and cu_half_mm.shape[0] == n
        and ea_kj_mol.shape[0] == n
        and cu_ea_kj_mol.shape[0] == n
    ):
        msg = "thiosulfate_rate_factor: every column needs n rows, and ref (n, 4)"
        raise ValueError(msg)
    system = 1.0 if ammoniacal else 0.0
    drivers = np.empty((n, 4))
    consts = np.empty((n, 7))
    for i in range(n):  # columns by a loop: np.stack costs about 0.5 CPU-s to compile
        drivers[i, 0] = s2o3_m[i]
        drivers[i, 1] = nh3_m[i]
        drivers[i, 2] = cu_mm[i]
        drivers[i, 3] = temp_c[i]
        consts[i, 0] = s2o3_half_m[i]
        consts[i, 1] = nh3_order[i]
        consts[i, 2] = cu_gain[i]
        consts[i, 3] = cu_half_mm[i]
        consts[i, 4] = ea_kj_mol[i]
        consts[i, 5] = system
        consts[i, 6] = cu_ea_kj_mol[i]
    return _relative_rates(_THIOSULFATE, drivers, ref, consts)


@njit
def thiosulfate_degradation_per_h(
    base_per_h: np.ndarray,
    cu_per_h_mm: np.ndarray,
    cu_mm: np.ndarray,
    nh3_m: np.ndarray,
    nh3_half_m: np.ndarray,
    temp_c: np.ndarray,
    ea_kj_mol: np.ndarray,
) -> np.ndarray:
    """First-order rate of thiosulfate oxidation to polythionates [1/h].

        k_d = (k_0 + k_Cu [Cu] / (1 + [NH₃]/K_NH₃)) · exp(−Ea/R (1/T − 1/298.15))

    Copper(II) catalyses the oxidation by oxygen; ammonia holds copper as the
    tetrammine and slows it.

    Parameters
    ----------
    base_per_h, cu_per_h_mm : (n,) float64
        Uncatalysed rate [1/h] and copper-catalysed rate per mM Cu [1/(h mM)] at 25 °C
        and no ammonia.
    cu_mm, nh3_m, nh3_half_m, temp_c, ea_kj_mol : (n,) float64
        Copper [mM], ammonia [M], ammonia that halves the catalysed rate [M],
        temperature [°C], activation energy [kJ/mol].

    Returns
    -------
    (n,) float64
        Degradation rate constant [1/h].

    Examples
    --------
    >>> import numpy as np
    >>> one = np.ones(1)
    >>> float(thiosulfate_degradation_per_h(one * 0.002, one * 0.001, one, 0 * one, one,
    ...       25 * one, 40 * one)[0])
    0.003
    """
    n = base_per_h.shape[0]
    out = np.empty(n)
    for i in range(n):
        cat = cu_per_h_mm[i] * cu_mm[i] / (1.0 + nh3_m[i] / nh3_half_m[i])
        out[i] = (base_per_h[i] + cat) * arrhenius_factor(temp_c[i], 25.0, ea_kj_mol[i])
    return out


@njit
def aucl4_equilibrium_v(cl_m: float, au_m: float, temp_c: float) -> float:
    """Equilibrium potential of Au/AuCl₄⁻ [V vs SHE] by the Nernst equation.

        E_eq = E° + RT/(3F) ln([AuCl₄⁻]/[Cl⁻]⁴)

    Examples
    --------
    >>> round(aucl4_equilibrium_v(1.0, 1e-5, 25.0), 4)
    0.9034
    """
    t = temp_c + _KELVIN
    return E0_AUCL4_V + R_J_MOL_K * t / (3.0 * FARADAY_C_MOL) * np.log(au_m / cl_m**4)


@njit
def _halide_rate(
    ox_mg_l: float,
    cl_m: float,
    eh_v: float,
    temp_c: float,
    au_m: float,
    ox_order: float,
    cl_order: float,
    ea_kj_mol: float,
) -> float:
    if ox_mg_l <= 0.0 or cl_m <= 0.0:
        return 0.0
    eta = eh_v - aucl4_equilibrium_v(cl_m, au_m, temp_c)
    if eta <= 0.0:
        return 0.0
    t = temp_c + _KELVIN
    drive = 1.0 - np.exp(-3.0 * FARADAY_C_MOL * eta / (R_J_MOL_K * t))
    rate = ox_mg_l**ox_order * cl_m**cl_order * drive
    return rate * arrhenius_factor(temp_c, 25.0, ea_kj_mol)  # exactly 1.0 at 25 °C


@njit
def halide_rate_factor(
    ox_mg_l: np.ndarray,
    cl_m: np.ndarray,
    eh_mv: np.ndarray,
    temp_c: np.ndarray,
    ref: np.ndarray,
    au_m: float,
    ox_order: np.ndarray,
    cl_order: np.ndarray,
    ea_kj_mol: np.ndarray,
) -> np.ndarray:
    """Gold leach rate in chloride/hypochlorite relative to the reference conditions.

        F = [Cl₂]^n_ox · [Cl⁻]^n_Cl · (1 − exp(−3F (Eh − E_eq)/RT)) ·
            exp(−Ea/R (1/T − 1/298.15))

    the third factor the net forward share of a reversible three-electron couple (zero
    at or below the equilibrium potential ``E_eq`` of Au/AuCl₄⁻ at the chloride tenor),
    the last the kinetic temperature dependence of gold dissolution (Ea 53.43 kJ/mol
    for gold metal in chloride-hypochlorite at 277-304 K, "kinetic control": L. F.
    Kozin, V. A. Prokopenko and A. K. Bogdanova, Protection of Metals 41(1):22-29,
    2005, abstract only).

    Parameters
    ----------
    ox_mg_l, cl_m, eh_mv, temp_c : (n,) float64
        Active chlorine [mg/L as Cl₂], chloride [mol/L], Eh [mV vs SHE], temperature [°C].
    ref : (n, 4) float64
        The same four at the reference conditions.
    au_m : float
        Gold tenor at which E_eq is taken [mol/L].
    ox_order, cl_order : (n,) float64
        Reaction orders in active chlorine and in chloride.
    ea_kj_mol : (n,) float64
        Activation energy of gold dissolution [kJ/mol].

    Returns
    -------
    (n,) float64
        Rate factor [-]; 1 at the reference conditions.
    """
    n = ox_mg_l.shape[0]
    # the loop below reads every column at rows 0..n-1 (no bounds checks in kernels)
    if not (
        cl_m.shape[0] == n
        and eh_mv.shape[0] == n
        and temp_c.shape[0] == n
        and ref.shape[0] == n
        and ref.shape[1] == 4
        and ox_order.shape[0] == n
        and cl_order.shape[0] == n
        and ea_kj_mol.shape[0] == n
    ):
        msg = "halide_rate_factor: every column needs n rows, and ref (n, 4)"
        raise ValueError(msg)
    drivers = np.empty((n, 4))
    consts = np.empty((n, 4))
    for i in range(n):  # columns by a loop: np.stack costs about 0.5 CPU-s to compile
        drivers[i, 0] = ox_mg_l[i]
        drivers[i, 1] = cl_m[i]
        drivers[i, 2] = eh_mv[i]
        drivers[i, 3] = temp_c[i]
        consts[i, 0] = au_m
        consts[i, 1] = ox_order[i]
        consts[i, 2] = cl_order[i]
        consts[i, 3] = ea_kj_mol[i]
    return _relative_rates(_HALIDE, drivers, ref, consts)


#: Rate laws of :func:`_rate` (the lixiviants of this module).
_GLYCINE = 0
_THIOSULFATE = 1
_HALIDE = 2


@njit
def _rate(law: int, d: np.ndarray, c: np.ndarray) -> float:
    # One rate law at one set of drivers ``d`` with its constants ``c`` (rows of the
    # arrays the ``*_rate_factor`` functions stack, in their order).
    if law == _GLYCINE:
        return _glycine_rate(d[0], d[1], d[2], d[3], d[4], c[0], c[1], d[5], c[2], c[3], c[4])
    if law == _THIOSULFATE:
        return _thiosulfate_rate(
            d[0], d[1], d[2], d[3], c[5] > 0.5, c[0], c[1], c[2], c[3], c[4], c[6]
        )
    return _halide_rate(d[0], d[1], d[2] / 1000.0, d[3], c[0], c[1], c[2], c[3])


@njit
def _relative_rates(
    law: int, drivers: np.ndarray, ref: np.ndarray, consts: np.ndarray
) -> np.ndarray:
    # F(case)/F(reference) per case, 0 where the reference rate is 0: the one loop of
    # every ``*_rate_factor``.
    n = drivers.shape[0]
    out = np.empty(n)
    for i in range(n):
        num = _rate(law, drivers[i], consts[i])
        den = _rate(law, ref[i], consts[i])
        out[i] = num / den if den > 0.0 else 0.0
    return out


def oxygen_share_factor(
    do_mg_l: np.ndarray, ref_do_mg_l: np.ndarray, share: np.ndarray, order: np.ndarray
) -> np.ndarray:
    """A rate at the dissolved oxygen over the rate at the reference oxygen [-].

        f = 1 + s ((DO / DO_ref)^m − 1)

    ``s`` is the share of the reference rate that oxygen drives (the rest goes on without
    it), ``m`` its order in oxygen; exactly 1 at the reference oxygen. With ``s`` = 1 it
    is the power law ``(DO/DO_ref)^m``. Thiosulfate: Breuer & Jeffrey (2003, Miner. Eng.
    16:21, abstract) find the oxidation of thiosulfate with copper(II) much faster with
    oxygen than without, by two paths, one through copper(II) and one through the
    radicals formed when oxygen re-oxidises copper(I); Xia (2008, PhD thesis, Queen's
    University, abstract) cuts the consumption with 0.7 % oxygen in the gas.

    Examples
    --------
    >>> one = np.ones(1)
    >>> float(oxygen_share_factor(8 * one, 8 * one, 0.3 * one, 0.7 * one)[0])
    1.0
    >>> float(oxygen_share_factor(0 * one, 8 * one, 0.5 * one, one)[0])  # no oxygen: half
    0.5
    >>> round(float(oxygen_share_factor(2 * one, 8 * one, one, 0.5 * one)[0]), 12)
    0.5
    """
    ratio = np.asarray(do_mg_l, dtype=np.float64) / np.asarray(ref_do_mg_l, dtype=np.float64)
    share = np.asarray(share, dtype=np.float64)
    out = 1.0 + share * (np.power(ratio, order) - 1.0)
    return np.asarray(np.where(ratio == 1.0, 1.0, out), dtype=np.float64)

"""Residue-side kernels: INCO SO₂/air cyanide destruction, filtration, paste, fines.

Array contract (shared by every module in ``oreflow.kernels``):

- inputs and outputs are float64/int64 numpy arrays or Python scalars, never pandas;
- solution volume is in m³/h, equal to water in t/h (density 1 t/m³, SI units, oreflow's conventions);
- tenors are in mg/L = g/m³, so ``mg/L x m³/h / 1000`` is kg/h;
- cyanide tenors are expressed *as CN* (26.018 g/mol);
- times are in h, rate constants in 1/h and fractions in [0, 1];
- kernels never mutate their inputs.

The models are those of Mudder, Botz & Smith 2001, Chemistry and Treatment of Cyanidation Wastes, §6.12; docs/models.md#detox; Adams (ed.) 2016, Gold Ore Processing; the worked numbers of its
example ex08 are reproduced in ``tests/kernels/test_residue.py``.
"""

from __future__ import annotations

import math

import numpy as np

from oreflow import conventions as mm
from oreflow.conventions import (
    CN_G_MOL,
    CU_G_MOL,
    CUSO4_5H2O_G_MOL,
    O2_G_MOL,
)
from oreflow.kernels._jit import njit
from oreflow.kernels.psd import SINK_SIZE_RATIO

#: Molar masses [g/mol] exactly as worked example ex08 uses them [S]: the sulfur compounds
#: with S taken as 32.066 (the IUPAC 2021 conventional value 32.06 moves no ratio by
#: more than 1e-4 relative); the rest are the IUPAC values of ``oreflow.conventions``.
SO2_G_MOL = 64.064
CAOH2_G_MOL = 74.093
NA2S2O5_G_MOL = 190.10
SO4_G_MOL = SO2_G_MOL + O2_G_MOL
S_G_MOL = 32.066
#: Read from this module by the units: the values of ``oreflow.conventions``.
CAO_G_MOL = mm.CAO_G_MOL
NACN_G_MOL = mm.NACN_G_MOL
OCN_G_MOL = mm.OCN_G_MOL

#: Theoretical SO₂ demand, g SO₂ per g CN oxidised: CN⁻ + SO₂ + O₂ + H₂O → OCN⁻ +
#: SO₄²⁻ + 2 H⁺ (Mudder, Botz & Smith 2001, *Chemistry and Treatment of Cyanidation
#: Wastes*, 2nd ed., Mining Journal Books, §6.12) [S].
SO2_PER_CN_THEORETICAL = SO2_G_MOL / CN_G_MOL
#: SO₂ yield of sodium metabisulfite, g SO₂ per g Na₂S₂O₅ (Na₂S₂O₅ + H₂O → 2 NaHSO₃) [S].
SO2_PER_SMBS = 2.0 * SO2_G_MOL / NA2S2O5_G_MOL

#: Columns of :func:`inco_reagents_kg_h`.
INCO_COLUMNS = (
    "cn_removed_kg_h",
    "so2_kg_h",
    "smbs_kg_h",
    "caoh2_kg_h",
    "cu_added_kg_h",
    "cuso4_5h2o_kg_h",
    "o2_demand_kg_h",
)


@njit
def cstr_series_remaining_frac(k_per_h: float, residence_h: float, n_tanks: int) -> float:
    """Fraction of a first-order reactant left after equal perfectly mixed tanks in series.

    ``(1 + k τ/N)^-N``: 1 at τ = 0, tending to 0 as τ → ∞, never increasing with τ.

    Parameters
    ----------
    k_per_h : float
        First-order rate constant [1/h], >= 0.
    residence_h : float
        Total residence time of the train [h], >= 0.
    n_tanks : int
        Number of equal tanks [-], >= 1.

    Returns
    -------
    float
        Remaining fraction [-] in (0, 1].

    References
    ----------
    Levenspiel (1999) *Chemical Reaction Engineering*, 3rd ed., Wiley, ch. 6 (tanks in
    series).
    """
    return (1.0 + k_per_h * residence_h / n_tanks) ** (-float(n_tanks))


@njit
def inco_outlet_wad_mg_l(
    wad_in_mg_l: np.ndarray,
    target_mg_l: np.ndarray,
    destruction_frac: np.ndarray,
    k_per_h: np.ndarray,
    residence_h: np.ndarray,
    n_tanks: int,
) -> np.ndarray:
    """WAD cyanide leaving an INCO SO₂/air reactor train, per case.

    The SO₂ dosing is controlled to reach a set outlet (``target_mg_l``) or a set
    destruction (``destruction_frac``, used where the target is NaN). The reactor can do
    no better than first-order destruction in ``n_tanks`` equal mixed tanks of total
    residence ``residence_h`` allows:

    ``C_out = min(C_in, max(C_set, C_in (1 + k τ/N)^-N))``

    so zero residence time changes nothing and infinite residence time reaches the set
    point (the unit's ultimate).

    Parameters
    ----------
    wad_in_mg_l : (n_cases,) float64
        WAD cyanide in the feed solution, as CN [mg/L].
    target_mg_l : (n_cases,) float64
        Outlet set point as CN [mg/L]; NaN to use ``destruction_frac``.
    destruction_frac : (n_cases,) float64
        Destruction set point [-] (used where ``target_mg_l`` is NaN).
    k_per_h : (n_cases,) float64
        First-order destruction rate constant at the design SO₂ ratio and copper [1/h].
    residence_h : (n_cases,) float64
        Total residence time [h].
    n_tanks : int
        Number of equal tanks in series [-].

    Returns
    -------
    (n_cases,) float64
        Outlet WAD cyanide as CN [mg/L].

    References
    ----------
    Mudder, Botz & Smith 2001, Chemistry and Treatment of Cyanidation Wastes, §6.12; docs/models.md#detox (performance < 1-5 mg/L in 30-120 min [L]); Mudder, Botz & Smith
    (2001) §6.12. The first-order form and its rate constant are [assumed].
    """
    n = wad_in_mg_l.shape[0]
    out = np.empty(n)
    for i in range(n):
        c_in = wad_in_mg_l[i]
        use_target = not math.isnan(target_mg_l[i])
        c_set = target_mg_l[i] if use_target else c_in * (1.0 - destruction_frac[i])
        c_kin = c_in * cstr_series_remaining_frac(k_per_h[i], residence_h[i], n_tanks)
        out[i] = min(c_in, max(c_set, c_kin))
    return out


@njit
def inco_reagents_kg_h(
    solution_m3_h: np.ndarray,
    wad_in_mg_l: np.ndarray,
    wad_out_mg_l: np.ndarray,
    so2_cn_ratio: np.ndarray,
    cu_target_mg_l: np.ndarray,
    cu_present_mg_l: np.ndarray,
    smbs: bool,
) -> np.ndarray:
    """Reagent demand of the INCO SO₂/air process, per case.

    - CN removed ``m_CN = Q (C_in - C_out) / 1000`` [kg/h];
    - SO₂ ``= r m_CN`` with the practical ratio r (theoretical 2.462 g/g);
      sodium metabisulfite ``= SO₂ / 0.674``;
    - lime: every SO₂ ends as sulfuric acid (cyanide oxidation or oxidation of the
      excess SO₂), ``Ca(OH)₂ = SO₂ x 74.093/64.064``; with metabisulfite the sodium
      brings one equivalent of base per SO₂ pair
      (Na₂S₂O₅ + 2 CN⁻ + 2 O₂ + H₂O → 2 OCN⁻ + 2 Na⁺ + 2 SO₄²⁻ + 2 H⁺), halving it;
    - copper catalyst made up to ``cu_target_mg_l`` where cyanide is destroyed,
      as CuSO₄·5H₂O;
    - oxygen: 1 mol O₂ per mol CN oxidised and ½ mol per mol of the excess SO₂.

    Parameters
    ----------
    solution_m3_h : (n_cases,) float64
        Solution flow [m³/h].
    wad_in_mg_l, wad_out_mg_l : (n_cases,) float64
        WAD cyanide in and out, as CN [mg/L].
    so2_cn_ratio : (n_cases,) float64
        SO₂ applied per CN removed [g/g].
    cu_target_mg_l, cu_present_mg_l : (n_cases,) float64
        Copper set point and copper already in solution [mg/L].
    smbs : bool
        Whether the SO₂ comes as sodium metabisulfite (halves the lime).

    Returns
    -------
    (n_cases, 7) float64
        Columns ``INCO_COLUMNS`` [kg/h].

    References
    ----------
    Mudder, Botz & Smith 2001, Chemistry and Treatment of Cyanidation Wastes, §6.12; docs/models.md#detox and ex08 [S stoichiometry; practical ratio 3-5 g/g and Cu 10-50 mg/L
    L]; Mudder, Botz & Smith (2001) §6.12.
    """
    n = solution_m3_h.shape[0]
    out = np.zeros((n, 7))
    lime_factor = CAOH2_G_MOL / SO2_G_MOL * (0.5 if smbs else 1.0)
    for i in range(n):
        removed = max(wad_in_mg_l[i] - wad_out_mg_l[i], 0.0) * solution_m3_h[i] / 1000.0
        so2 = so2_cn_ratio[i] * removed
        cu = 0.0
        if removed > 0.0:
            cu = max(cu_target_mg_l[i] - cu_present_mg_l[i], 0.0) * solution_m3_h[i] / 1000.0
        mol_cn = removed / CN_G_MOL
        mol_excess_so2 = max(so2 / SO2_G_MOL - mol_cn, 0.0)
        out[i, 0] = removed
        out[i, 1] = so2
        out[i, 2] = so2 / SO2_PER_SMBS
        out[i, 3] = so2 * lime_factor
        out[i, 4] = cu
        out[i, 5] = cu * CUSO4_5H2O_G_MOL / CU_G_MOL
        out[i, 6] = (mol_cn + 0.5 * mol_excess_so2) * O2_G_MOL
    return out


@njit
def cake_liquor_split(
    feed_water_tph: np.ndarray,
    cake_solids_tph: np.ndarray,
    cake_moisture_frac: np.ndarray,
    wash_ratio_m3_t: np.ndarray,
    wash_efficiency_frac: np.ndarray,
) -> np.ndarray:
    """Water and solute split of a filter with an optional one-stage displacement wash.

    The cake holds ``W_c = S m / (1 - m)`` of liquor (all the feed water if the feed is
    drier than that). Wash water ``W_w = R S`` replaces a fraction
    ``d = E min(W_w / W_c, 1)`` of the cake liquor volume for volume; the rest of the
    wash water leaves with the filtrate. Solutes left in the cake: the feed's solutes x
    ``(W_c / W_f)(1 - d)``.

    Parameters
    ----------
    feed_water_tph : (n_cases,) float64
        Water in the filter feed [t/h].
    cake_solids_tph : (n_cases,) float64
        Dry solids to the cake [t/h].
    cake_moisture_frac : (n_cases,) float64
        Target mass fraction of water in the wet cake [-], in [0, 1).
    wash_ratio_m3_t : (n_cases,) float64
        Wash water per tonne of cake solids [m³/t].
    wash_efficiency_frac : (n_cases,) float64
        Displacement efficiency E [-].

    Returns
    -------
    (n_cases, 4) float64
        Columns: cake water [t/h], wash water [t/h], share of the feed solutes left in
        the cake [-], fraction of the cake liquor displaced [-].

    References
    ----------
    Wills & Finch 2016; docs/models.md#filtration (water in a dewatered product ``S (1 - w)/w``); the displacement
    model with an efficiency is [assumed] (the form mass-balance simulators use for a
    single wash stage).
    """
    n = feed_water_tph.shape[0]
    out = np.zeros((n, 4))
    for i in range(n):
        m = cake_moisture_frac[i]
        need = cake_solids_tph[i] * m / (1.0 - m)
        cake_water = min(need, feed_water_tph[i])
        wash = wash_ratio_m3_t[i] * cake_solids_tph[i]
        displaced = 0.0
        if cake_water > 0.0:
            displaced = wash_efficiency_frac[i] * min(wash / cake_water, 1.0)
        share = cake_water / feed_water_tph[i] if feed_water_tph[i] > 0.0 else 0.0
        out[i, 0] = cake_water
        out[i, 1] = wash
        out[i, 2] = share * (1.0 - displaced)
        out[i, 3] = displaced
    return out


@njit
def pulp_density_t_m3(solids_frac: np.ndarray, solids_density_t_m3: np.ndarray) -> np.ndarray:
    """Density of a pulp from its mass fraction of solids: ``1 / (w/ρs + (1 - w))``.

    Parameters
    ----------
    solids_frac : (n,) float64
        Mass fraction of solids [-].
    solids_density_t_m3 : (n,) float64
        Density of the solids [t/m³] (water 1 t/m³).

    Returns
    -------
    (n,) float64
        Pulp density [t/m³].

    References
    ----------
    Wills & Finch 2016; docs/models.md#filtration and ex08 (``pulp_density``).
    """
    n = solids_frac.shape[0]
    out = np.empty(n)
    for i in range(n):
        w = solids_frac[i]
        out[i] = 1.0 / (w / solids_density_t_m3[i] + (1.0 - w))
    return out


@njit
def paste_recipe(
    solids_tph: np.ndarray,
    solids_density_t_m3: np.ndarray,
    paste_solids_frac: np.ndarray,
    binder_frac: np.ndarray,
) -> np.ndarray:
    """Paste-fill volume, water and binder for dry tailings made up to a paste.

    Binder is dosed as a fraction of the dry tailings mass; its volume is left out of the
    paste density, as in worked example ex08.

    Parameters
    ----------
    solids_tph : (n,) float64
        Dry tailings to the paste plant [t/h].
    solids_density_t_m3 : (n,) float64
        Density of the tailings solids [t/m³].
    paste_solids_frac : (n,) float64
        Mass fraction of solids of the paste [-], 0.70-0.85 [L].
    binder_frac : (n,) float64
        Binder per dry tailings [-], 0.02-0.08 [L].

    Returns
    -------
    (n, 6) float64
        Columns: paste density [t/m³], solids per m³ of paste [t/m³], paste volume
        [m³/h], paste water [t/h], binder [kg/h], binder per m³ of paste [kg/m³].

    References
    ----------
    Adams (ed.) 2016, Gold Ore Processing; docs/models.md#residue and ex08 (75 % w/w, SG 2.80: 1.9310 t/m³, 1.4483 t/m³, 57.93 kg/m³ at
    4 % binder) [L ranges].
    """
    n = solids_tph.shape[0]
    out = np.zeros((n, 6))
    rho = pulp_density_t_m3(paste_solids_frac, solids_density_t_m3)
    for i in range(n):
        w = paste_solids_frac[i]
        solids_m3 = rho[i] * w
        out[i, 0] = rho[i]
        out[i, 1] = solids_m3
        out[i, 2] = solids_tph[i] / solids_m3
        out[i, 3] = solids_tph[i] * (1.0 - w) / w
        out[i, 4] = binder_frac[i] * solids_tph[i] * 1000.0
        out[i, 5] = binder_frac[i] * solids_m3 * 1000.0
    return out


@njit
def passing_frac_at_batch(
    edges_um: np.ndarray, class_mass: np.ndarray, size_um: np.ndarray
) -> np.ndarray:
    """Fraction of the mass finer than a size, per row, from class masses.

    The passing at edge ``e_k`` is the mass in classes ``k..n_cls-1`` over the total;
    between edges it is interpolated linearly in ln(size), and inside the sink from 0 at
    ``e_last/√2`` to ``P(e_last)``: the convention of
    ``oreflow.kernels.psd.passing_size_um``, of which this is the inverse.

    Parameters
    ----------
    edges_um : (n_cls,) float64
        Descending class edges [µm].
    class_mass : (n_rows, n_cls) float64
        Mass in each class per row [t/h or -].
    size_um : (n_rows,) float64
        Size of each row [µm], > 0.

    Returns
    -------
    (n_rows,) float64
        Fraction passing [-]; 0 for empty rows.

    References
    ----------
    Wills & Finch 2016; Ouchterlony 2005; docs/models.md#kernels-psd (log-linear interpolation between sieves).
    """
    n_rows, n_cls = class_mass.shape
    out = np.zeros(n_rows)
    x_sink = edges_um[n_cls - 1] * SINK_SIZE_RATIO
    for r in range(n_rows):
        x = size_um[r]
        total = 0.0
        for k in range(n_cls):
            total += class_mass[r, k]
        if not total > 0.0:
            continue
        if x >= edges_um[0]:
            out[r] = 1.0
            continue
        if x <= x_sink:
            continue
        cum = 0.0
        p_lo = 0.0
        x_lo = x_sink
        for k in range(n_cls - 1, -1, -1):
            cum += class_mass[r, k]
            p_hi = cum / total
            x_hi = edges_um[k]
            if x <= x_hi:
                w = (math.log(x) - math.log(x_lo)) / (math.log(x_hi) - math.log(x_lo))
                out[r] = p_lo + w * (p_hi - p_lo)
                break
            p_lo = p_hi
            x_lo = x_hi
    return out

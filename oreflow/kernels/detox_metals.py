"""Metals and iron cyanides in INCO SO₂/air cyanide destruction.

In the INCO process the weak-acid-dissociable (WAD) complexes are oxidised to cyanate;
iron cyanides are not oxidised but precipitate with copper as insoluble copper
ferrocyanide, and the metals the WAD complexes release (and the copper catalyst)
precipitate as hydroxides at the detox pH of 8-10 (Mudder, Botz & Smith 2001,
*Chemistry and Treatment of Cyanidation Wastes*, 2nd ed., Mining Journal Books, §6.12;
Devuyst, Conard & Ettel 1989, "Inco's SO₂-air cyanide removal process", CIM; the
abstract states both removals, [S] for the chemistry):

    2 Cu²⁺ + Fe(CN)₆⁴⁻ → Cu₂Fe(CN)₆(s)
    Cu²⁺ + 2 OH⁻ → Cu(OH)₂(s)

Dissolved copper left, per case:

``Cu_out = min(Cu_available, max(Cu_floor, Cu_bound + Cu_sol(pH)))``

- ``Cu_bound``: the residual WAD cyanide leaving the reactor is taken as the copper
  complex Cu(CN)₃²⁻, the copper-cyanide species of pH 8-10 (Cu:CN 63.546/(3 x 26.018)
  = 0.8141 g/g) [assumed: the residual WAD of an INCO effluent is mostly copper
  cyanide, the catalyst];
- ``Cu_sol(pH)``: dissolved copper in equilibrium with Cu(OH)₂(s), summed over Cu²⁺,
  CuOH⁺, Cu(OH)₂(aq), Cu(OH)₃⁻ and Cu(OH)₄²⁻ (hydrolysis constants at 25 °C, Stumm &
  Morgan 1996, *Aquatic Chemistry* 3rd ed., Wiley, ch. 6; Baes & Mesmer 1976, *The
  Hydrolysis of Cations*, Wiley) [L: values as quoted there, not re-checked]. It falls
  from about 0.3 mg/L at pH 7 to about 1e-3 mg/L at pH 9-10 and rises again above
  pH 11 (the anionic hydroxo complexes).
- ``Cu_floor``: the dissolved copper plants leave in practice, above the equilibrium
  figures (fine hydroxide passing the filter, copper held by ammonia or thiocyanate):
  0.51 mg/L after SMBS-air treatment of a gold tailings slurry to 0.105 mg/L cyanide
  (Qiu, Guo, Zheng & Yan 2015, *Nonferrous Metals (Extractive Metallurgy)* 2015(12):59,
  doi:10.3969/j.issn.1007-7545.2015.12.016; abstract) [fit to that one campaign].

Iron cyanide left is ``min(Fe(CN)_in, residual)``; the residual is a parameter of the
unit. Copper for the ferrocyanide is taken from the dissolved copper first; a shortfall
is dosed as copper sulfate. Lime: one Ca(OH)₂ per Cu precipitated as hydroxide [S
stoichiometry].

The array contract is that of :mod:`oreflow.kernels`: tenors in mg/L (g/m³), flows in
m³/h, masses in kg/h, cyanide as CN.
"""

from __future__ import annotations

import numpy as np

from oreflow.conventions import ATOMIC_WEIGHT_G_MOL, CN_G_MOL, CU_G_MOL, FE_G_MOL
from oreflow.kernels._jit import njit

#: Copper held by residual WAD cyanide as Cu(CN)₃²⁻, g Cu per g CN [S stoichiometry].
CU_PER_WAD_CN = CU_G_MOL / (3.0 * CN_G_MOL)
#: Copper ferrocyanide Cu₂Fe(CN)₆ [g/mol] and the copper it takes per g of CN [S].
CU2FECN6_G_MOL = 2.0 * CU_G_MOL + FE_G_MOL + 6.0 * CN_G_MOL
CU_PER_FECN_CN = 2.0 * CU_G_MOL / (6.0 * CN_G_MOL)
#: Fe per g of iron-cyanide CN (Fe(CN)₆, 1 Fe per 6 CN) [S].
FE_PER_FECN_CN = FE_G_MOL / (6.0 * CN_G_MOL)
#: Ca(OH)₂ per g of Cu precipitated as Cu(OH)₂ [S].
CAOH2_PER_CU = (
    ATOMIC_WEIGHT_G_MOL["ca"] + 2.0 * (ATOMIC_WEIGHT_G_MOL["o"] + ATOMIC_WEIGHT_G_MOL["h"])
) / CU_G_MOL

#: log10 of the hydrolysis constants of Cu²⁺ at 25 °C, written with H⁺ (Stumm & Morgan
#: 1996 ch. 6; Baes & Mesmer 1976) [L, not re-checked]:
#: Cu(OH)₂(s) + 2 H⁺ = Cu²⁺ + 2 H₂O (log *Ks0); Cu²⁺ + n H₂O = Cu(OH)ₙ^(2-n) + n H⁺ (log *βn).
LOG_KS0_CU_OH2 = 8.64
LOG_BETA_CU = (-8.0, -17.3, -27.8, -39.6)

#: Columns of :func:`inco_metals_kg_h`.
METAL_COLUMNS = (
    "fecn_removed_kg_h",  # iron cyanide precipitated, as CN
    "cu_ferrocyanide_kg_h",  # Cu2Fe(CN)6 formed
    "cu_to_ferrocyanide_kg_h",  # its copper
    "cu_extra_kg_h",  # copper dosed (as CuSO4) for the ferrocyanide beyond the copper present
    "cu_hydroxide_cu_kg_h",  # copper precipitated as Cu(OH)2
    "cu_out_mg_l",  # dissolved copper left
    "caoh2_kg_h",  # lime for the hydroxide
)


@njit
def cu_hydroxide_solubility_mg_l(ph: float, log_ks0: float) -> float:
    """Total dissolved copper in equilibrium with Cu(OH)₂(s) at ``ph`` [mg/L].

    ``[Cu]_T = *Ks0 [H⁺]² (1 + Σ *βn / [H⁺]ⁿ)`` with the hydroxo complexes n = 1-4.

    Parameters
    ----------
    ph : float
        Solution pH [-].
    log_ks0 : float
        log10 *Ks0 of the solid (8.64 for fresh Cu(OH)₂, about 7.65 for CuO) [-].

    Returns
    -------
    float
        Dissolved copper [mg/L].

    References
    ----------
    Stumm & Morgan 1996, *Aquatic Chemistry* 3rd ed., ch. 6 (solubility of oxides and
    hydroxides); Baes & Mesmer 1976 (hydrolysis constants) [L, not re-checked].
    """
    h = 10.0 ** (-ph)
    cu2 = 10.0**log_ks0 * h * h
    total = 1.0
    for n in range(4):
        total += 10.0 ** LOG_BETA_CU[n] / h ** (n + 1)
    return cu2 * total * CU_G_MOL * 1000.0


@njit
def inco_metals_kg_h(
    solution_m3_h: np.ndarray,
    cu_mg_l: np.ndarray,
    fecn_in_mg_l: np.ndarray,
    fecn_residual_mg_l: np.ndarray,
    wad_out_mg_l: np.ndarray,
    ph: np.ndarray,
    log_ks0: np.ndarray,
    cu_floor_mg_l: np.ndarray,
    active: np.ndarray,
) -> np.ndarray:
    """Iron-cyanide and copper precipitation in an INCO reactor, per case.

    Parameters
    ----------
    solution_m3_h : (n_cases,) float64
        Solution flow [m³/h].
    cu_mg_l : (n_cases,) float64
        Dissolved copper after the catalyst make-up [mg/L].
    fecn_in_mg_l, fecn_residual_mg_l : (n_cases,) float64
        Iron cyanide in, and the least left, as CN [mg/L].
    wad_out_mg_l : (n_cases,) float64
        WAD cyanide leaving, as CN [mg/L].
    ph : (n_cases,) float64
        Reactor pH [-].
    log_ks0 : (n_cases,) float64
        log10 *Ks0 of the copper hydroxide [-].
    cu_floor_mg_l : (n_cases,) float64
        Least dissolved copper left in practice [mg/L].
    active : (n_cases,) bool
        Whether the reactor runs (zero residence changes nothing).

    Returns
    -------
    (n_cases, 7) float64
        Columns ``METAL_COLUMNS``.

    References
    ----------
    Mudder, Botz & Smith 2001 §6.12; Devuyst, Conard & Ettel 1989 (CIM) [S chemistry];
    see the module docstring for what is assumed.
    """
    n = solution_m3_h.shape[0]
    out = np.zeros((n, 7))
    for i in range(n):
        q = solution_m3_h[i]
        cu = cu_mg_l[i]
        if not active[i] or q <= 0.0:
            out[i, 5] = cu
            continue
        fecn_gone = max(fecn_in_mg_l[i] - fecn_residual_mg_l[i], 0.0)
        cu_fecn = fecn_gone * CU_PER_FECN_CN
        extra = max(cu_fecn - cu, 0.0)
        cu_left = cu + extra - cu_fecn
        keep = CU_PER_WAD_CN * wad_out_mg_l[i] + cu_hydroxide_solubility_mg_l(ph[i], log_ks0[i])
        keep = max(keep, cu_floor_mg_l[i])
        cu_out = min(cu_left, keep)
        to_hydroxide = cu_left - cu_out
        out[i, 0] = fecn_gone * q / 1000.0
        out[i, 1] = fecn_gone / (6.0 * CN_G_MOL) * CU2FECN6_G_MOL * q / 1000.0
        out[i, 2] = cu_fecn * q / 1000.0
        out[i, 3] = extra * q / 1000.0
        out[i, 4] = to_hydroxide * q / 1000.0
        out[i, 5] = cu_out
        out[i, 6] = to_hydroxide * q / 1000.0 * CAOH2_PER_CU
    return out

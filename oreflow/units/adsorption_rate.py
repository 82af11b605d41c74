"""Drivers of the carbon adsorption rate of the CIL/CIP/CIC trains, and carbon attrition.

``adsorption_k_per_h`` (and the silver and copper constants) are the Nicol-Fleming
rate constants per unit carbon mass, ``dq/dt = k (K C - q)``, measured at a reference
condition: carbon granules of ``ref_carbon_d_mm``, agitation of ``ref_agitation_kw_m3``
and, when ``ref_pulp_solids_frac`` is given, a pulp of that solids fraction. Each case
scales them by :func:`oreflow.kernels.carbon_circuit.film_rate_factor`: the film
diffusion that controls loading onto fresh carbon (Nicol, Fleming & Cromberge 1984,
J. S. Afr. IMM 84:50; Fleming & Nicol 1984, J. S. Afr. IMM 84:85, whose synopsis
reports a faster rate with more agitation and smaller carbon, and a slower one in pulp
than in solution) gives

- carbon size: ``(ref_carbon_d_mm / carbon_d_mm)^carbon_size_exponent``, 1 for the
  external area per mass ``6 / (rho d)`` of film diffusion;
- agitation: ``(agitation_kw_m3 / ref_agitation_kw_m3)^agitation_exponent``, 1/4 from
  the particle-liquid mass transfer of Calderbank & Moo-Young (1961, Chem. Eng. Sci.
  16:39); the agitator draws ``agitation_kw_m3`` x tank volume, priced as utility power;
- pulp: at the same power a denser, more viscous pulp thins less the film, by
  ``(rho/rho_ref)^(-a) (nu/nu_ref)^(a - 2/3)`` with the pulp viscosity of Thomas (1965,
  J. Colloid Sci. 20:267) on the solids volume fraction (``ref_pulp_solids_frac``
  omitted: no pulp correction, k holds at the unit's own pulp).

Carbon concentration drives the rate per unit volume: the transfer of tank j is
``M_j k`` with ``M_j = carbon_g_l x V_j`` (Nicol, Fleming & Cromberge 1984: the
solution-phase rate is proportional to the mass of carbon), so more carbon lowers the
soluble loss. What it costs: the carbon worn to fines by the agitators grows with the
carbon held, so the open-circuit carbon loss ``carbon_loss_g_t`` holds at
``carbon_loss_ref_g_l`` and scales with ``carbon_g_l / carbon_loss_ref_g_l`` [assumed
linear: each granule wears at a rate set by the agitation, not by how many there are].
At the defaults every factor is 1: cases written before these keys run as before.

Copper competes for the carbon's sites with gold (the site competition of
``oreflow.kernels.adsorption.adsorption_train_batch``: gold's K falls as copper loads;
Dai, Breuer & Jeffrey 2010, Miner. Metall. Process. 27:190: copper lowers the
equilibrium gold loading). How much copper loads depends on its cyanide complex: carbon
takes the singly charged Cu(CN)2⁻ and repels the higher complexes (Ibrado & Fuerstenau
1990), and at leach free cyanide the main competitor is Cu(CN)3²⁻ (Souza, Majuste &
Ciminelli 2014, Hydrometallurgy). With ``cu_adsorption_ref_nacn_mg_l`` given,
``cu_adsorption_k_eq_m3_t`` holds at that free cyanide and scales with the copper
affinity ``f2 + cu_cn3_affinity_frac f3`` of
:func:`oreflow.kernels.carbon_circuit.copper_affinity` over its value there, so more free
cyanide keeps copper off the carbon and leaves more sites to gold.

The gold rate law is ``adsorption_model`` (:mod:`oreflow.kernels.adsorption_forms`):
``"nicol_fleming"`` (default, ``k (K C − q)``), ``"freundlich"`` (the same rate towards
the Freundlich loading ``K C_ref (C/C_ref)^(1/freundlich_n)``) or ``"kn"`` (Fleming's
carbon-activity law ``q = kn_k C t^kn_n`` as a rate towards the isotherm). With
``freundlich_n = 1`` and ``kn_n = 1``, ``kn_k = k K``, all three give the same train.

**Temperature** (:mod:`oreflow.kernels.carbon_temperature`). The constants hold at
``ref_adsorption_temp_c``; at the solution's ``temp_c`` the gold isotherm constant
``adsorption_k_eq_m3_t`` moves by van 't Hoff with ``adsorption_dh_kj_mol`` (fitted to
Aworn, Thiravetyan & Nakbanpote 2005, abstract only: -8.25 kJ/mol, exothermic, so warm
pulp holds less gold on the carbon and leaves more in solution), and every metal's film
rate by the Stokes-Einstein diffusivity and the viscosity of warm water through the
Calderbank & Moo-Young correlation in tanks and that of Wilson & Geankoplis (1966) in
columns (2.17 and 1.66 at 60 over 25 °C). The carbon's capacity ``carbon_capacity_g_t``
stays at every temperature [assumed]. The film-transfer coefficient of gold ``k K`` (the rate onto
fresh carbon) moves with the film only: the Nicol-Fleming k of gold is divided by the
isotherm factor. Silver and copper keep their K at every temperature (no data found). At
``temp_c = ref_adsorption_temp_c`` every factor is exactly 1.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from oreflow.core.schema import Param, frac, positive
from oreflow.errors import ConvergenceError
from oreflow.kernels.arrays import safe_div
from oreflow.kernels.carbon_circuit import (
    copper_affinity,
    film_rate_factor,
    thomas_relative_viscosity,
)
from oreflow.kernels.carbon_temperature import (
    COLUMN_FILM_EXPONENT,
    film_temperature_factor,
    isotherm_temperature_factor,
)
from oreflow.kernels.cyanidation import cyanide_ion_mol_l

#: Density of the pulp's solution [t/m³] (water; dissolved salts add about 1 %).
_SOLUTION_T_M3 = 1.0

ADSORPTION_RATE_PARAMS: tuple[Param, ...] = (
    positive(
        "carbon_d_mm",
        "mm",
        2.0,
        "mean diameter of the carbon granules in the tanks",
        "6x12 mesh (3.35-1.70 mm) or 6x16 mesh carbon [L] Marsden & House 2006 ch. 7",
        hi=10.0,
    ),
    positive(
        "ref_carbon_d_mm",
        "mm",
        2.0,
        "carbon diameter at which the adsorption rate constants were measured",
        "testwork; equal to carbon_d_mm by default",
        hi=10.0,
    ),
    Param(
        "carbon_size_exponent",
        "-",
        1.0,
        "exponent of the rate constant on 1/carbon diameter",
        "1: film diffusion to the external area 6/(rho d) per mass [S]; rate falls as "
        "carbon coarsens, Fleming & Nicol 1984, J. S. Afr. IMM 84:85 [L]",
        lo=0.0,
        hi=3.0,
    ),
    positive(
        "agitation_kw_m3",
        "kW/m³",
        0.08,
        "agitator power per m³ of tank (drives the film mass transfer; priced as utility power)",
        "0.08 kW/m³ for moderate solids suspension, as oreflow.solvers.equipment sizes "
        "agitators [assumed]",
        hi=5.0,
    ),
    positive(
        "ref_agitation_kw_m3",
        "kW/m³",
        0.08,
        "agitator power per m³ at which the adsorption rate constants were measured",
        "testwork; equal to agitation_kw_m3 by default",
        hi=5.0,
    ),
    Param(
        "agitation_exponent",
        "-",
        0.25,
        "exponent of the rate constant on agitator power per volume",
        "1/4: k_f Sc^(2/3) = 0.13 (P/V mu/rho^2)^(1/4), Calderbank & Moo-Young 1961, "
        "Chem. Eng. Sci. 16:39 [L]",
        lo=0.0,
        hi=1.0,
    ),
    frac(
        "ref_pulp_solids_frac",
        None,
        "pulp solids (w/w) at which the rate constants were measured (0: clear solution); "
        "omit for no pulp correction",
        "testwork",
        hi=0.75,
    ),
    positive(
        "carbon_loss_ref_g_l",
        "g/L",
        15.0,
        "carbon concentration at which carbon_loss_g_t holds; the attrition loss scales "
        "with carbon_g_l over it (open carbon circuit)",
        "assumed linear in the carbon held; 15 g/L the middle of 10-25 g/L [L] Marsden & "
        "House 2006 ch. 7",
        hi=100.0,
    ),
)


#: Gold rate laws of the carbon trains (``FORMS`` of oreflow.kernels.adsorption_forms).
ADSORPTION_MODELS = ("nicol_fleming", "freundlich", "kn")

ADSORPTION_FORM_PARAMS: tuple[Param, ...] = (
    Param(
        "adsorption_model",
        "-",
        "nicol_fleming",
        "rate law of gold on carbon: nicol_fleming k (K C - q), freundlich (the same rate "
        "towards a Freundlich loading) or kn (Fleming's q = k C t^n as a rate)",
        "Nicol, Fleming & Cromberge 1984, J. S. Afr. IMM 84:50; Fleming & Nicol 1984, "
        "J. S. Afr. IMM 84:85; compared by Le Roux, Bryson & Young 1991, J. S. Afr. IMM "
        "91:95 (synopsis read)",
        kind=str,
        choices=ADSORPTION_MODELS,
    ),
    Param(
        "freundlich_n",
        "-",
        1.0,
        "Freundlich exponent n_F of the gold isotherm q* = K C_ref (C/C_ref)^(1/n_F) "
        "(freundlich and kn models); 1: linear",
        "assumed; 1 is the Nicol-Fleming linear isotherm; fit your isotherm points with "
        "oreflow fit --model freundlich",
        lo=0.2,
        hi=10.0,
    ),
    positive(
        "freundlich_ref_mg_l",
        "mg/L",
        1.0,
        "gold tenor at which adsorption_k_eq_m3_t is the isotherm's slope q*/C",
        "assumed; about the tenor of the first adsorption tank [L] Marsden & House 2006 ch. 7",
        hi=1000.0,
    ),
    positive(
        "kn_k",
        "m³/(t·h^n)",
        150.0,
        "Fleming's k of the gold carbon-activity law q = k C t^n (kn model), at the "
        "reference carbon size, agitation and pulp",
        "assumed; 150 = adsorption_k_per_h x adsorption_k_eq_m3_t defaults, the k-n form "
        "then equal to Nicol-Fleming at kn_n = 1; fit a carbon activity test with oreflow "
        "fit --model fleming_kn",
        hi=1e7,
    ),
    Param(
        "kn_n",
        "-",
        1.0,
        "Fleming's n of the gold carbon-activity law (kn model)",
        "assumed; 1 is film diffusion; activity tests of fresh carbon give n below 1 "
        "(Fleming & Nicol 1984, J. S. Afr. IMM 84:85, synopsis read); above 1 fresh carbon "
        "would not load",
        lo=0.05,
        hi=1.0,
    ),
)


ADSORPTION_TEMPERATURE_PARAMS: tuple[Param, ...] = (
    Param(
        "adsorption_dh_kj_mol",
        "kJ/mol",
        -8.25,
        "enthalpy of adsorption of gold on the carbon: the isotherm constant K moves as "
        "exp(-dH/R (1/T - 1/T_ref)) (negative: exothermic, warm solution loads less)",
        "fitted on one data set by oreflow fit --model carbon_vant_hoff to Aworn, "
        "Thiravetyan & Nakbanpote 2005, J. Colloid Interface Sci. 287:394 (abstract only; "
        "76.78/60.95/56.13/51.90 mg/g at 20/30/40/60 C): standard error 2.42 kJ/mol, "
        "95 % interval -18.7 to +2.2 (2 dof), R2 0.856; "
        "data/testwork/ads_temperature_aworn2005.csv",
        lo=-100.0,
        hi=50.0,
    ),
    Param(
        "ref_adsorption_temp_c",
        "°C",
        25.0,
        "solution temperature at which the adsorption constants (k, K, kn_k) were measured",
        "testwork; the range of the units' temp_c (atmospheric tanks and columns kept below "
        "boiling), so a reference is never outside the temperatures a unit can run at",
        lo=0.0,
        hi=80.0,
    ),
)

#: The solution temperature of carbon columns (tanks take the leach's ``temp_c``).
COLUMN_TEMP_PARAM = Param(
    "temp_c",
    "°C",
    25.0,
    "temperature of the pregnant solution through the carbon columns",
    "plant figure",
    lo=0.0,
    hi=80.0,
)


def adsorption_train(
    spec_params: Mapping[str, object],
    params: Mapping[str, np.ndarray],
    rate_factor: np.ndarray,
    *train_args: object,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """The counter-current train of the case's gold rate law (``adsorption_model``).

    ``train_args`` are those of ``oreflow.kernels.adsorption.adsorption_train_batch``;
    the default ``nicol_fleming`` calls it directly (no iteration) and returns None as
    the fourth item; the other forms return the substitutions used per case there
    (``-1`` where they did not settle: the last physical iterate is kept).
    """
    from oreflow.kernels.adsorption import adsorption_train_batch
    from oreflow.kernels.adsorption_forms import FORMS, adsorption_train_forms_batch

    form = FORMS[str(spec_params.get("adsorption_model", "nicol_fleming"))]
    if form == 0:
        return (*adsorption_train_batch(*train_args), None)
    n = rate_factor.shape[0]
    one = np.ones(n)
    return adsorption_train_forms_batch(
        *train_args,
        form,
        one * params["freundlich_ref_mg_l"],
        one * params["freundlich_n"],
        one * params["kn_k"],
        one * params["kn_n"],
        np.ascontiguousarray(rate_factor, dtype=np.float64),
    )


#: Tolerance of the open circuit's barren loading: ``|L(b) - b|`` (or the bracket on
#: ``b``) within ``BARREN_RTOL`` of the set barren loading plus ``BARREN_ATOL_G_T`` g/t.
BARREN_RTOL = 1e-12
BARREN_ATOL_G_T = 1e-12
#: ``|L(b) - b|`` accepted once the bracket is that narrow: the train's own round-off.
BARREN_ROUNDOFF_RTOL = 1e-9
#: Train runs allowed after the one at ``b = 0`` (bisection alone halves the bracket to
#: 1e-12 in 40).
BARREN_MAX_ITER = 60


def barren_at_most_loaded(
    train: Callable[[np.ndarray, np.ndarray], tuple[Any, ...]],
    barren_g_t: np.ndarray,
    trained: tuple[Any, ...],
    unit: str = "cil",
    metals: tuple[str, ...] = (),
    rtol: float = BARREN_RTOL,
    atol_g_t: float = BARREN_ATOL_G_T,
    max_iter: int = BARREN_MAX_ITER,
) -> tuple[tuple[Any, ...], np.ndarray]:
    """An open circuit's barren loading, no higher than the loading the train gives it.

    The barren carbon of an open carbon circuit stands for what an elution outside the
    flowsheet returns, and an elution only takes metal off the carbon. Where the train
    loads the carbon less than the set barren loading ``B`` (no ore: the carbon only
    desorbs into the pulp's solution), the barren loading ``b`` is where the carbon
    leaves as loaded as it came, ``g(b) = L(b) - b = 0`` with ``0 <= b < B`` [assumed].
    ``g(0) = L(0) >= 0`` and ``g(B) < 0`` bracket the root; it is found per case and
    metal by regula falsi with the Illinois modification (Dowell & Jarratt 1971, BIT
    11:168), which keeps the bracket and is exact in one step where the isotherm is
    linear (``L(0) = 0`` with no metal in the feed, hence ``b = 0``), to
    ``|g| <= rtol B + atol_g_t``, or the bracket that narrow with ``|g| <= 1e-9 B``
    where the train's own round-off (its non-linear forms settle to about 1e-11) hides
    the sign of ``g``.
    Only the cases still open are run again. Cases and metals whose carbon loads above
    ``B`` keep ``B`` and their first result.

    Parameters
    ----------
    train : callable
        ``train(barren_g_t, rows) -> (tenor, loading, ore_g_h, iterations)``, the
        adsorption train of the cases ``rows`` (an index array; ``barren_g_t`` holds
        theirs) (``adsorption_train``); ``loading[:, 0, m]`` is the loaded carbon's [g/t].
    barren_g_t : (n, n_metal) float64
        Set barren loading [g/t].
    trained : tuple
        ``train(barren_g_t, arange(n))``, already computed.
    unit, metals : str, tuple of str
        The unit's name and its metals, named in the error.
    rtol, atol_g_t : float
        Tolerance on ``g`` [-, g/t].
    max_iter : int
        Train runs allowed after the one at ``b = 0``.

    Returns
    -------
    trained, barren_g_t
        The train's result and the barren loading of every case (rows changed only
        where the carbon loaded less than the set barren loading).

    Raises
    ------
    ConvergenceError
        A case and metal whose ``g`` is still above the tolerance after ``max_iter`` runs.
    """
    low_all = trained[1][:, 0, :] < barren_g_t
    rows = np.flatnonzero(low_all.any(axis=1))
    if rows.size == 0:
        return trained, barren_g_t
    merged = tuple(None if x is None else np.array(x, copy=True) for x in trained)
    barren_out = np.array(barren_g_t, dtype=np.float64, copy=True)

    def run(b: np.ndarray, at: np.ndarray) -> np.ndarray:
        result = train(b, rows[at])
        for out, new in zip(merged, result, strict=True):
            if out is not None:
                out[rows[at]] = new
        barren_out[rows[at]] = b
        return result[1][:, 0, :] - b

    top = barren_g_t[rows]
    low = low_all[rows]
    tol = rtol * top + atol_g_t
    b_hi, g_hi = top.copy(), trained[1][rows, 0, :] - top
    b_lo = np.where(low, 0.0, top)
    g_lo = run(b_lo, np.arange(rows.size))
    b, g = b_lo.copy(), g_lo.copy()
    side = np.zeros(low.shape, dtype=np.int8)  # bracket end replaced last: -1 low, +1 high
    open_ = low & (np.abs(g) > tol)  # converged: |g| or the bracket within tol
    for _ in range(max_iter):
        at = np.flatnonzero(open_.any(axis=1))
        if at.size == 0:
            break
        step = open_[at]
        lo, hi, glo, ghi = b_lo[at], b_hi[at], g_lo[at], g_hi[at]
        denom = glo - ghi  # > 0 on a bracket
        falsi = safe_div(glo * hi - ghi * lo, denom, where=step & (denom > 0))
        x = np.where(denom > 0, falsi, 0.5 * (lo + hi))  # a bracket lost to the coupling
        x = np.where(step, np.clip(x, np.minimum(lo, hi), np.maximum(lo, hi)), b[at])
        gx = run(x, at)
        b[at], g[at] = x, gx
        up = step & (gx >= 0.0)  # the root lies above x: x is the new low end
        down = step & ~up
        side_at = side[at]
        b_lo[at] = np.where(up, x, lo)
        g_lo[at] = np.where(up, gx, np.where(down & (side_at == 1), 0.5 * glo, glo))
        b_hi[at] = np.where(down, x, hi)
        g_hi[at] = np.where(down, gx, np.where(up & (side_at == -1), 0.5 * ghi, ghi))
        side[at] = np.where(up, -1, np.where(down, 1, side_at))
        narrow = np.abs(b_hi[at] - b_lo[at]) <= tol[at]  # b found; g at the train's round-off?
        settled = (np.abs(gx) <= tol[at]) | (
            narrow & (np.abs(gx) <= BARREN_ROUNDOFF_RTOL * top[at])
        )
        open_[at] = low[at] & ~settled
    if open_.any():
        excess = np.where(open_, np.abs(g) / top, 0.0)
        r, m = np.unravel_index(int(np.argmax(excess)), excess.shape)
        metal = metals[m] if m < len(metals) else str(m)
        stream, species = f"{unit}.loaded_carbon", f"barren carbon {metal} loading"
        raise ConvergenceError(
            stream,
            species,
            float(excess[r, m]),
            max_iter + 1,
            int(rows[r]),
            what="barren loading of the open carbon circuit",
        )
    return merged, barren_out


COPPER_SPECIATION_PARAMS: tuple[Param, ...] = (
    positive(
        "cu_adsorption_ref_nacn_mg_l",
        "mg/L",
        None,
        "free cyanide (as NaCN) at which cu_adsorption_k_eq_m3_t holds; given, copper "
        "loading follows the copper cyanide speciation at nacn_mg_l; omitted, K of copper "
        "holds at every cyanide level",
        "testwork (copper loading at the plant's free cyanide)",
        hi=2e4,
    ),
    frac(
        "cu_cn3_affinity_frac",
        0.05,
        "carbon affinity of Cu(CN)3 2- per mol relative to Cu(CN)2- (Cu(CN)4 3- taken as "
        "not loading)",
        "assumed; small because carbon repels multiply charged complexes (Ibrado & "
        "Fuerstenau 1990, SME), large enough that Cu(CN)3 2- is the main competitor at "
        "CN:Cu > 4 (Souza, Majuste & Ciminelli 2014, Hydrometallurgy)",
    ),
)


def copper_k_eq_factor(params: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    """K of copper at the case's free cyanide over K at the reference free cyanide [-]."""
    if "cu_adsorption_ref_nacn_mg_l" not in params:
        return np.ones(n)
    ph, temp = params["ph"], params["temp_c"]
    a3 = params["cu_cn3_affinity_frac"]
    here = copper_affinity(cyanide_ion_mol_l(params["nacn_mg_l"], ph, temp), a3)
    ref = copper_affinity(cyanide_ion_mol_l(params["cu_adsorption_ref_nacn_mg_l"], ph, temp), a3)
    return np.ones(n) * safe_div(here, ref, fill=1.0)


def pulp_ratios(
    params: Mapping[str, np.ndarray],
    solids_tph: np.ndarray,
    solids_m3_h: np.ndarray,
    solution_m3_h: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Kinematic viscosity and density of the pulp over those of the reference pulp [-]."""
    n = solids_tph.shape[0]
    if "ref_pulp_solids_frac" not in params:
        return np.ones(n), np.ones(n)
    rho_s = safe_div(solids_tph, solids_m3_h, fill=2.7)  # t/m³ of the solids
    pulp = solids_m3_h + solution_m3_h
    phi = safe_div(solids_m3_h, pulp)
    rho = safe_div(solids_tph + solution_m3_h * _SOLUTION_T_M3, pulp, fill=_SOLUTION_T_M3)
    w = np.broadcast_to(params["ref_pulp_solids_frac"], (n,))
    phi_ref = (w / rho_s) / (w / rho_s + (1.0 - w) / _SOLUTION_T_M3)
    rho_ref = phi_ref * rho_s + (1.0 - phi_ref) * _SOLUTION_T_M3
    nu = thomas_relative_viscosity(phi) / rho
    nu_ref = thomas_relative_viscosity(phi_ref) / rho_ref
    return nu / nu_ref, rho / rho_ref


def adsorption_rate_factor(
    params: Mapping[str, np.ndarray],
    solids_tph: np.ndarray,
    solids_m3_h: np.ndarray,
    solution_m3_h: np.ndarray,
) -> np.ndarray:
    """Rate constants of the case over their reference values, per case [-].

    Carbon size, agitation, pulp and the solution temperature (the film factor of
    :func:`oreflow.kernels.carbon_temperature.film_temperature_factor`).
    """
    nu, rho = pulp_ratios(params, solids_tph, solids_m3_h, solution_m3_h)
    one = np.ones(solids_tph.shape[0])
    # columns (cic) are not agitated: only the carbon size applies there, and their film
    # follows Wilson & Geankoplis (1966) rather than Calderbank & Moo-Young
    agitated = "agitation_kw_m3" in params
    warm = film_temperature_factor(
        params["temp_c"],
        params["ref_adsorption_temp_c"],
        params["agitation_exponent"] if agitated else COLUMN_FILM_EXPONENT,
    )
    return (
        one
        * warm
        * film_rate_factor(
            params["carbon_d_mm"],
            params["ref_carbon_d_mm"],
            params["carbon_size_exponent"],
            params["agitation_kw_m3"] if agitated else one,
            params["ref_agitation_kw_m3"] if agitated else one,
            params["agitation_exponent"] if agitated else 0.0 * one,
            nu,
            rho,
        )
    )


def gold_isotherm_factor(params: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    """K of gold at the solution's temperature over K at ``ref_adsorption_temp_c`` [-]."""
    return np.ones(n) * isotherm_temperature_factor(
        params["temp_c"], params["ref_adsorption_temp_c"], params["adsorption_dh_kj_mol"]
    )


def attrition_scale(params: Mapping[str, np.ndarray]) -> np.ndarray:
    """Open-circuit carbon loss over ``carbon_loss_g_t``: the carbon held over its reference."""
    return np.asarray(params["carbon_g_l"] / params["carbon_loss_ref_g_l"], dtype=np.float64)

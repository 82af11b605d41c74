"""Models of cyanide leaching and carbon adsorption registered with ``oreflow fit``.

``first_order``
    one bottle-roll curve: ``X = R∞ (1 − exp(−k t))``.
``cyanidation``
    leach curves at several cyanide, oxygen, pH, temperature and grind levels with the
    drivers of the CIL/CIP unit (:mod:`oreflow.kernels.cyanidation`): ``k`` is the rate
    constant at the unit's reference conditions (``REFERENCE``) and ``R∞`` the ultimate
    extraction of exposed gold; grind acts through the exposure of gold grains averaged
    over a Rosin-Rammler product of the test's P80 (spread ``RRB_SPREAD``).
``freundlich``, ``langmuir``
    equilibrium isotherms of gold on carbon, ``q = K_F C^(1/n_F)`` and
    ``q = q_max b C / (1 + b C)``; ``--write-case`` writes the Freundlich fit as the
    carbon unit's ``adsorption_model = "freundlich"`` with ``adsorption_k_eq_m3_t = K_F``
    at ``freundlich_ref_mg_l = 1`` (K_F is the slope q/C at 1 mg/L).
``fleming_kn``
    the Fleming carbon-activity test, ``q = k C t^n`` (Fleming & Nicol 1984, J. S. Afr.
    IMM 84:85); ``--write-case`` writes ``adsorption_model = "kn"``, ``kn_k`` and
    ``kn_n`` (:mod:`oreflow.kernels.adsorption_forms`).
``carbon_vant_hoff``
    gold loadings of carbon at one tenor (or capacities) at several temperatures,
    ``q = q_25 exp(-dH/R (1/T - 1/298.15 K))`` (:mod:`oreflow.kernels.carbon_temperature`);
    ``--write-case`` writes ``adsorption_dh_kj_mol`` with ``ref_adsorption_temp_c = 25``.
"""

from __future__ import annotations

import numpy as np

from oreflow.kernels import cyanidation as cy
from oreflow.kernels.carbon_temperature import isotherm_temperature_factor
from oreflow.solvers.fit_types import Data, FitModel, FitParam
from oreflow.units.cil_kinetics import CYANIDATION_PARAMS

#: The CIL unit's default activation energy, read from its declaration so the two cannot drift.
_LEACH_EA_KJ_MOL = next(p.default for p in CYANIDATION_PARAMS if p.name == "leach_ea_kj_mol")

#: Conditions at which a leach table's ``k_per_h`` holds in the CIL/CIP unit (its
#: ``ref_*`` parameters' defaults): NaCN [mg/L], DO [mg/L], pH, temperature [°C].
REFERENCE = {"nacn_mg_l": 300.0, "do_mg_l": 8.0, "ph": 10.5, "temp_c": 25.0}
#: Rosin-Rammler spread of a test's grind product [assumed]: ground products of closed
#: ball-mill circuits show 0.8-1.3 (Wills & Finch 2016, Mineral Processing Technology,
#: 8th ed., ch. 4).
RRB_SPREAD = 1.0
_N_SIZES = 48


def _first_order(theta: np.ndarray, data: Data) -> np.ndarray:
    return cy.batch_first_order(data["time_h"], theta[0], theta[1])


def rrb_mean_ultimate(
    p80_um: np.ndarray, ultimate: float, grain_um: float, access: float, spread: float = RRB_SPREAD
) -> np.ndarray:
    """Mass-weighted ultimate extraction of Rosin-Rammler products of P80 ``p80_um`` [-]."""
    p80 = np.asarray(p80_um, dtype=np.float64)
    d63 = p80 / (-np.log(0.2)) ** (1.0 / spread)
    edges = np.geomspace(1e-3, 20.0, _N_SIZES + 1)  # in units of d63
    cdf = 1.0 - np.exp(-(edges**spread))
    w = np.diff(cdf)
    w = w / w.sum()
    mid = np.sqrt(edges[1:] * edges[:-1])
    d = d63[..., None] * mid
    return cy.ultimate_by_size(d, ultimate, grain_um, access) @ w


def cyanidation_extraction(theta: np.ndarray, data: Data) -> np.ndarray:
    """Batch extraction under the cyanidation drivers (theta: k, R∞, Ea, grain, access)."""
    k, ult, ea, grain, access = theta
    ref = REFERENCE
    rate = cy.mixed_rate_factor(
        data["nacn_mg_l"], data["do_mg_l"], data["ph"], data["temp_c"],
        ref["nacn_mg_l"], ref["do_mg_l"], ref["ph"], ref["temp_c"],
    ) * cy.arrhenius_factor(data["temp_c"], ea, ref["temp_c"])  # fmt: skip
    ultimate = rrb_mean_ultimate(data["p80_um"], ult, grain, access)
    return cy.batch_first_order(data["time_h"], k * rate, ultimate)


def _freundlich(theta: np.ndarray, data: Data) -> np.ndarray:
    return theta[0] * np.maximum(data["solution_au_mg_l"], 0.0) ** (1.0 / theta[1])


def _langmuir(theta: np.ndarray, data: Data) -> np.ndarray:
    c = data["solution_au_mg_l"]
    return theta[0] * theta[1] * c / (1.0 + theta[1] * c)


def _fleming_kn(theta: np.ndarray, data: Data) -> np.ndarray:
    return theta[0] * data["solution_au_mg_l"] * data["time_h"] ** theta[1]


def _vant_hoff(theta: np.ndarray, data: Data) -> np.ndarray:
    return theta[0] * isotherm_temperature_factor(data["temp_c"], 25.0, theta[1])


_LEACH_RANGES = {
    "time_h": (0.0, 1e4),
    "extraction_frac": (0.0, 1.0),
    "nacn_mg_l": (0.0, 2e4),
    "do_mg_l": (0.0, 100.0),
    "ph": (0.0, 14.0),
    "temp_c": (0.0, 100.0),
    "p80_um": (1.0, 1e5),
}
_K = FitParam("k_per_h", "1/h", 0.2, 1e-6, 100.0, "first-order rate constant")
_ULT = FitParam("ultimate_frac", "-", 0.9, 0.0, 1.0, "extraction at infinite time")

FIRST_ORDER = FitModel(
    name="first_order",
    params=(_K, _ULT),
    observed="extraction_frac",
    columns=("time_h",),
    predict=_first_order,
    ranges=_LEACH_RANGES,
    case_keys={
        "k_per_h": "leach.{species}.k_per_h",
        "ultimate_frac": "leach.{species}.ultimate_frac",
    },
    doc="one batch leach curve: X = R∞ (1 - exp(-k t)); columns time_h, extraction_frac",
)

CYANIDATION = FitModel(
    name="cyanidation",
    params=(
        FitParam("k_per_h", "1/h", 0.2, 1e-6, 100.0, "rate constant at the reference conditions"),
        FitParam("ultimate_frac", "-", 0.95, 0.0, 1.0, "ultimate extraction of exposed gold"),
        # held at the unit default (Julian & Smart, data/testwork/cn_temperature_julian_smart.csv)
        # when the tests were all run at one temperature
        FitParam(
            "ea_kj_mol", "kJ/mol", _LEACH_EA_KJ_MOL, 0.0, 150.0, "activation energy", "temp_c"
        ),
        FitParam("grain_um", "µm", 20.0, 0.1, 1000.0, "gold grain size", "p80_um"),
        FitParam(
            "locked_access_frac",
            "-",
            0.5,
            0.0,
            1.0,
            "share of locked gold reached through pores and cracks",
            "p80_um",
        ),
    ),
    observed="extraction_frac",
    columns=("time_h",),
    conditions={**REFERENCE, "p80_um": 75.0},
    predict=cyanidation_extraction,
    ranges=_LEACH_RANGES,
    case_keys={
        "k_per_h": "leach.{species}.k_per_h",
        "ultimate_frac": "leach.{species}.ultimate_frac",
        "grain_um": "leach.{species}.grain_um",
        "locked_access_frac": "leach.{species}.locked_access_frac",
        "ea_kj_mol": "leach_ea_kj_mol",
    },
    case_constants={f"ref_{k}": v for k, v in REFERENCE.items()},
    doc="leach curves with drivers: columns time_h, extraction_frac and any of nacn_mg_l, "
    "do_mg_l, ph, temp_c, p80_um",
)

_ISO_RANGES = {"solution_au_mg_l": (0.0, 1e4), "carbon_au_g_t": (0.0, 1e6), "time_h": (0.0, 1e4)}

FREUNDLICH = FitModel(
    name="freundlich",
    params=(
        FitParam("k_f", "(g/t)/(mg/L)^(1/n)", 1e4, 1e-6, 1e8, "Freundlich capacity"),
        FitParam("n_f", "-", 2.0, 0.1, 20.0, "Freundlich intensity"),
    ),
    observed="carbon_au_g_t",
    columns=("solution_au_mg_l",),
    predict=_freundlich,
    ranges=_ISO_RANGES,
    case_keys={"k_f": "adsorption_k_eq_m3_t", "n_f": "freundlich_n"},
    case_constants={"adsorption_model": "freundlich", "freundlich_ref_mg_l": 1.0},
    doc="isotherm q = K_F C^(1/n_F); columns solution_au_mg_l, carbon_au_g_t",
)

LANGMUIR = FitModel(
    name="langmuir",
    params=(
        FitParam("q_max_g_t", "g/t", 3e4, 1e-3, 1e7, "capacity"),
        FitParam("b_l_mg", "L/mg", 1.0, 1e-8, 1e4, "affinity"),
    ),
    observed="carbon_au_g_t",
    columns=("solution_au_mg_l",),
    predict=_langmuir,
    ranges=_ISO_RANGES,
    doc="isotherm q = q_max b C / (1 + b C); columns solution_au_mg_l, carbon_au_g_t",
)

FLEMING_KN = FitModel(
    name="fleming_kn",
    params=(
        FitParam("k", "(g/t)/(mg/L)/h^n", 100.0, 1e-6, 1e7, "activity constant"),
        FitParam("n", "-", 0.8, 0.01, 2.0, "time exponent"),
    ),
    observed="carbon_au_g_t",
    columns=("solution_au_mg_l", "time_h"),
    predict=_fleming_kn,
    ranges=_ISO_RANGES,
    case_keys={"k": "kn_k", "n": "kn_n"},
    case_constants={"adsorption_model": "kn"},
    doc="carbon activity q = k C t^n; columns time_h, solution_au_mg_l, carbon_au_g_t",
)

CARBON_VANT_HOFF = FitModel(
    name="carbon_vant_hoff",
    params=(
        FitParam("q_25_g_t", "g/t", 3e4, 1e-6, 1e8, "loading (or capacity) at 25 °C"),
        FitParam("dh_kj_mol", "kJ/mol", -10.0, -200.0, 100.0, "enthalpy of adsorption", "temp_c"),
    ),
    observed="carbon_au_g_t",
    columns=("temp_c",),
    predict=_vant_hoff,
    ranges={"temp_c": (0.0, 100.0), "carbon_au_g_t": (0.0, 1e8)},
    case_keys={"dh_kj_mol": "adsorption_dh_kj_mol"},
    # the enthalpy does not depend on the reference temperature: a case's own is kept
    case_defaults={"ref_adsorption_temp_c": 25.0},
    doc="carbon loading at one tenor against temperature, q = q_25 exp(-dH/R (1/T - "
    "1/298.15)); columns temp_c, carbon_au_g_t",
)

#: The models registered with ``oreflow fit`` from the start.
BUILTIN = (FIRST_ORDER, CYANIDATION, FREUNDLICH, LANGMUIR, FLEMING_KN, CARBON_VANT_HOFF)

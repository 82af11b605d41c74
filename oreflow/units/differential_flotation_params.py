"""Parameters of the differential flotation bank (``oreflow.units.differential_flotation``).

The bank's own keys (residence, reagent doses, pH, liberation) and those it shares with
the flotation bank, and the kinetics table of each floatable species: rate constant,
ultimate recovery or carrier, grain size and partner (liberation), and the response to
each depressant, the activator and pH. Sources are given key by key.
"""

from __future__ import annotations

from dataclasses import replace

from oreflow.core.schema import Param, frac, positive
from oreflow.units import flotation
from oreflow.units.base import TableSchema

_SHARED = (
    "n_cells",
    "air_holdup_frac",
    "rate_distribution",
    "water_recovery_frac",
    "entrainment_xi_um",
    "entrainment_drainage",
    "fine_half_um",
    "coarse_half_um",
    "size_exponent",
    "pax_g_t",
    "frother_g_t",
    "specific_power_kw_m3",
)
_DOSE = dict(lo=0.0, hi=5000.0)


def _own_doc(p: Param) -> Param:
    """A shared key, with this bank's meaning where it differs from the flotation bank's."""
    if p.name != "coarse_half_um":
        return p
    return replace(
        p,
        doc="size at which k falls to half at the coarse end (detachment); "
        "R_inf stays flat, the locked coarse share being in the liberation classes",
    )


PARAMS: tuple[Param, ...] = (
    positive(
        "residence_min",
        "min",
        16.0,
        "total pulp residence time of the bank",
        "roughers 10-30 min [L] Klimpel 1980; cleaners shorter; docs/models.md#flotation",
        hi=600.0,
    ),
    *(_own_doc(p) for p in flotation.PARAMS if p.name in _SHARED),
    Param(
        "cuso4_g_t",
        "g/t",
        0.0,
        "copper sulfate activator per tonne of bank feed solids",
        "zinc circuits 100-500 g/t [L] Wills & Finch 2016 §12.13",
        **_DOSE,
    ),
    Param(
        "znso4_g_t",
        "g/t",
        0.0,
        "zinc sulfate (sphalerite depressant) per tonne of bank feed solids",
        "copper and lead circuits 100-1000 g/t [L] Wills & Finch 2016 §12.13",
        **_DOSE,
    ),
    Param(
        "nacn_g_t",
        "g/t",
        0.0,
        "sodium cyanide (sphalerite and pyrite depressant; copper minerals' in a Cu/Pb "
        "separation floating galena) per tonne of bank feed solids",
        "10-100 g/t with ZnSO4 [L] Wills & Finch 2016 §12.13; separation dose from testwork",
        **_DOSE,
    ),
    Param(
        "na2so3_g_t",
        "g/t",
        0.0,
        "sodium sulfite (cyanide-free depressant with ZnSO4) per tonne of bank feed solids",
        "Shen, Fornasiero & Ralston 2001 (abstract read); dose from testwork",
        **_DOSE,
    ),
    Param(
        "ph",
        "-",
        9.0,
        "pulp pH set with lime",
        "lead circuits 8.5-10, zinc circuits 10.5-12 (pyrite depression) [L] Wills & Finch 2016 §12.13",
        lo=4.0,
        hi=13.0,
    ),
    Param(
        "ph_natural",
        "-",
        8.0,
        "pH of the pulp without lime",
        "assumed; slightly alkaline sulfide pulp in process water",
        lo=4.0,
        hi=13.0,
    ),
    Param(
        "lime_kg_t_per_ph",
        "kg/t",
        0.4,
        "lime per tonne of bank feed solids per pH unit above ph_natural",
        "assumed; zinc circuits at pH 11-12 use 1-3 kg/t [L] Wills & Finch 2016 §12.13",
        lo=0.0,
        hi=50.0,
    ),
    positive(
        "ph_width",
        "-",
        0.3,
        "steepness w of the pH factor 1/(1 + exp((pH - pH_half)/w))",
        "assumed; pyrite floatability falls over about one pH unit [L] Fuerstenau et al. 2007",
        hi=5.0,
    ),
    frac(
        "locked_exposure_frac",
        0.5,
        "exposed floatable surface of a mineral locked with gangue (rate factor)",
        "assumed; composites float at the rate of their exposed surface [L] Sutherland 1989",
    ),
    positive(
        "liberation_exponent",
        "-",
        1.0,
        "steepness m of lambda = (d/grain)^m in the liberation classes",
        "1 is King's (1979) linear-section result [L]; fitted to liberation data otherwise",
        hi=5.0,
    ),
    Param(
        "froth_feed",
        "-",
        False,
        "the bank cleans a froth product (a cleaner): the non-floating share 1 - R_inf of "
        "each mineral stayed in the tails of the bank that floated it, so it is not charged "
        "again here (R_inf = 1, so its kinetics take no r_inf_frac; rates, liberation "
        "classes and entrainment unchanged)",
        "R_inf is the floatable share of the ore's mineral [L] Klimpel 1980; a froth "
        "product holds only what floated or was entrained [assumed: the entrained "
        "non-floating share of a cleaner feed is neglected]",
        kind=bool,
    ),
    Param(
        "gangue",
        "-",
        "gangue",
        "solid species locked with the floatable minerals in binaries and ternaries",
        "mineralogy",
        kind=str,
    ),
)

_HALF = "dose that halves the rate constant; 0: no response"
KINETICS_TABLE = TableSchema(
    params=(
        *flotation.KINETICS_TABLE.params,
        Param(
            "grain_um",
            "µm",
            0.0,
            "mean grain size; 0: counted free at every size",
            "mineralogy (QEMSCAN/MLA)",
            lo=0.0,
            hi=1.0e5,
        ),
        Param(
            "partner",
            "-",
            None,
            "sulfide most often locked with this mineral",
            "mineralogy",
            kind=str,
        ),
        frac(
            "partner_frac",
            0.0,
            "share of the mineral's locked boundary shared with the partner",
            "mineralogy",
        ),
        Param(
            "znso4_half_g_t",
            "g/t",
            0.0,
            f"ZnSO4 {_HALF}",
            "testwork [assumed when not given]",
            lo=0.0,
            hi=1e5,
        ),
        Param("nacn_half_g_t", "g/t", 0.0, f"NaCN {_HALF}", "testwork", lo=0.0, hi=1e5),
        Param("na2so3_half_g_t", "g/t", 0.0, f"Na2SO3 {_HALF}", "testwork", lo=0.0, hi=1e5),
        Param(
            "cuso4_half_g_t",
            "g/t",
            0.0,
            "CuSO4 dose reaching half the activation",
            "testwork",
            lo=0.0,
            hi=1e5,
        ),
        Param(
            "activated_factor",
            "-",
            1.0,
            "rate constant fully activated by CuSO4 over its unactivated value",
            "testwork",
            lo=1.0,
            hi=1000.0,
        ),
        Param(
            "ph_half",
            "-",
            0.0,
            "pH at which lime halves the rate constant; 0: no pH response",
            "testwork",
            lo=0.0,
            hi=14.0,
        ),
    ),
    key_phase="solid",
    doc="flotation kinetics, liberation and reagent response of each floatable species, or its carrier",
)

#: Kinetics keys that scale the rate constant with the bank's reagents: (dose, half-dose).
DEPRESSANTS = (("znso4_g_t", "znso4_half_g_t"), ("nacn_g_t", "nacn_half_g_t"))
DEPRESSANTS += (("na2so3_g_t", "na2so3_half_g_t"),)

"""Acid-base accounting (ABA) of a residue: acid potential, neutralisation potential, NPR.

Static ABA as the residue destinations report it (``paste_backfill``,
``building_materials``, ``tailings``):

- **AP** (acid potential) ``= 31.25 x sulfide S [%]`` kg CaCO₃/t: the pyrite reaction
  ``FeS₂ + 15/4 O₂ + 7/2 H₂O → Fe(OH)₃ + 2 H₂SO₄`` takes 2 mol CaCO₃ per 2 mol S,
  100.09 / 32.06 = 3.125 kg CaCO₃ per kg S, i.e. 31.25 per % S per tonne (Sobek et al.
  1978, EPA-600/2-78-054 [L]; Price 2009, MEND Report 1.20.1 [L, not read here]). The
  sulfide S is the residue assay's (sulfur outside gypsum, basic ferric sulfate and
  jarosite): sulfate sulfur is not acid potential.
- **NP** (neutralisation potential) from the carbonate minerals the stream carries, as
  kg CaCO₃/t: calcite 1 CO₃ per CaCO₃, dolomite 2 CO₃ per CaMg(CO₃)₂ (CaNP, the Ca and
  Mg carbonates); **siderite counts zero**: the alkalinity FeCO₃ gives on dissolution
  is given back as acid when its Fe²⁺ oxidises and Fe³⁺ hydrolyses
  (``FeCO₃ + ¼ O₂ + 3/2 H₂O → Fe(OH)₃ + CO₂``: no net neutralisation; Skousen et al.
  1997, WV Mine Drainage Task Force, siderite in ABA [abstract read]; the siderite
  correction of Price 2009 [L, not read here]); it is reported apart
  (``siderite_np_kg_caco3_t``), as an upper bound an unoxidised Sobek test would
  show. Residual lime (``residual_lime_kg_t``, CaO per tonne of residue solids, a plant
  figure: oreflow carries the pulp's lime as dissolved calcium, not as a solid) adds
  100.09 / 56.08 kg CaCO₃ per kg CaO.
- **NPR** ``= NP / AP`` (infinite without sulfide). Screening (Price 2009 [L, not
  read here]): NPR < 1 potentially acid generating, 1-2 uncertain, above 2 not
  potentially acid generating; a destination's ``npr_min`` (0: not a condition)
  refuses a residue below it; 2 is the screening figure [assumed as an acceptance
  rule].
"""

from __future__ import annotations

import numpy as np

from oreflow.core.components import ComponentSet
from oreflow.core.formulas import formula_mass_g_mol
from oreflow.core.schema import Param
from oreflow.kernels.arrays import safe_div

CACO3_G_MOL = formula_mass_g_mol("CaCO3")
CAO_G_MOL = formula_mass_g_mol("CaO")
#: kg CaCO3 per tonne per % sulfide S (Sobek et al. 1978): 10 x 100.09 / 32.06.
AP_PER_PCT_S = 31.25
#: Carbonates counted in NP: species -> (formula, CO3 per formula unit).
NP_CARBONATES = {"calcite": ("CaCO3", 1.0), "dolomite": ("CaMg(CO3)2", 2.0)}
#: Carbonates not counted (their NP is offset by iron oxidation and hydrolysis).
NP_EXCLUDED = {"siderite": ("FeCO3", 1.0)}


def _np_vector(comps: ComponentSet, carbonates: dict[str, tuple[str, float]]) -> np.ndarray:
    """Kg CaCO3 per t/h of each stream component (solid carbonates only), (n_comp,)."""
    vec = np.zeros(comps.n_comp)
    names = [s.name for s in comps.species]
    species_of = comps.component_species()
    for k in range(comps.n_solids_comp):
        entry = carbonates.get(names[species_of[k]])
        if entry is not None:
            formula, n_co3 = entry
            vec[k] = 1000.0 * n_co3 * CACO3_G_MOL / formula_mass_g_mol(formula)
    return vec


class AcidBase:
    """ABA of stream arrays (precomputed per case species)."""

    def __init__(self, comps: ComponentSet) -> None:
        self.np_vec = _np_vector(comps, NP_CARBONATES)
        self.siderite_vec = _np_vector(comps, NP_EXCLUDED)

    def figures(
        self, x: np.ndarray, solids_tph: np.ndarray, sulfide_s_frac: np.ndarray, lime_kg_t
    ) -> dict[str, np.ndarray]:
        """AP, NP, NPR [kg CaCO3/t, -] of stream arrays (n, n_comp)."""
        per = safe_div(1.0, solids_tph)
        ap = AP_PER_PCT_S * 100.0 * sulfide_s_frac
        lime_np = np.asarray(lime_kg_t, dtype=np.float64) * CACO3_G_MOL / CAO_G_MOL
        np_ = (x @ self.np_vec) * per + lime_np
        return {
            "ap_kg_caco3_t": ap,
            "np_kg_caco3_t": np_,
            "siderite_np_kg_caco3_t": (x @ self.siderite_vec) * per,
            "npr": safe_div(np_, ap, fill=np.inf),
        }


def aba_params(default_npr_min: float = 0.0) -> tuple[Param, ...]:
    """The ABA parameters of a residue destination."""
    return (
        Param(
            "residual_lime_kg_t",
            "kg/t",
            0.0,
            "residual lime in the residue, as CaO per tonne of residue solids (counted in NP)",
            "plant figure (assay of the residue); 0 counts none",
            lo=0.0,
            hi=1000.0,
        ),
        Param(
            "npr_min",
            "-",
            default_npr_min,
            "least neutralisation potential ratio NP/AP the destination accepts (0: no condition)",
            "NPR > 2 not potentially acid generating, Price 2009, MEND Report 1.20.1 [L, not "
            "read here]; as an acceptance rule [assumed]",
            lo=0.0,
            hi=100.0,
        ),
    )

"""Leachable metals of the residue: a standard leachate's Cu, Zn, Pb, As and Ag, and their limits.

Every residue destination (``tailings``, ``paste_backfill``, ``building_materials``)
reports the estimated tenor of each metal of ``METALS`` in a standard leachate of the
residue it receives, ``leachate_cu_mg_l`` ..., and ``leachate_metals_limit_frac``, the
largest ratio of a tenor to its limit (``leachate_<metal>_limit_mg_l``). Under the
destination's ``rules = "hj943"`` (China) the limits decide: paste backfill and building
materials refuse a residue above any of them (``metals_ok_flag`` = 0, not eligible: the
optimizer sends it nothing), and storage, paste and building materials each carry the
envelope ``leachate_metals_limit_frac`` <= 1 (a warning in ``run``, a limit in
``optimize``; ``oreflow.units.envelopes``). Under ``"icmc"`` (cyanide only) they are reported.

The estimate (kernel ``oreflow.kernels.leachate``): the test is HJ/T 299-2007 (sulfuric/
nitric acid extractant at pH 3.20, L/S 10 L/kg, 18 h) or HJ 557-2010 (water, L/S 10)
[L]; the leachate volume is ``max(L/S x dry solids, pore water)``; the metals of the pore
water (every solution species, by its element content) stay dissolved; each solid phase of
``LEACHABLE_PHASES`` dissolves up to its saturation in the leachate; every other solid
(sulfides, silicates, metals, the SART and roaster products not listed) gives nothing in
18 h [assumed: oxidised sulfide coatings are not modelled, so the figure is a lower bound
for a sulfide residue exposed to air]. The leachate pH, ``leachate_ph``, is a parameter:
the extractant carries 0.63 mmol/L of acid (pH 3.20), 6.3 mmol H+ per kg of residue at
L/S 10, about 0.3 kg CaCO3/t [S arithmetic], far below the neutralising potential of a
lime-treated residue (``oreflow.units.acid_base``), so the residue's own buffer sets
the leachate pH; 8.0 is [assumed] for a lime-treated detox residue.

Limits (``METAL_LIMITS``): storage and building materials default to the hazardous-waste
thresholds of GB 5085.3-2007 (*Identification standards for hazardous wastes -
Identification for extraction toxicity*, Table 1: Cu 100, Zn 100, Pb 5, As 5, Ag 5 mg/L
by HJ/T 299); the Cu, Zn and As figures agree with a public compilation of that table
(a compliance-checking code's table of GB 5085.3 limits), the Pb and Ag figures are
[not confirmed] (they equal the US TCLP figures, 40 CFR 261.24). HJ 943-2018 names
GB 8978 among its normative references (its scope and references read at
m.bzxz.net/bzxz/178233.html; its limit table not read): backfill defaults to the
first-grade figures of GB 8978-1996 (*Integrated wastewater discharge standard*: Cu 0.5,
Zn 2.0, Pb 1.0, As 0.5, Ag 0.5 mg/L), the same source as the backfill cyanide default
(``oreflow.units.residue_rules``) — **every backfill figure is [not confirmed]**; set the
limits from the permit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from oreflow.conventions import AS_G_MOL, ATOMIC_WEIGHT_G_MOL, CU_G_MOL, G_PER_T
from oreflow.core.components import ELEMENTS, ComponentSet
from oreflow.core.schema import Param
from oreflow.kernels.arrays import safe_div

#: Metals judged in the leachate (every one is an element of ``ELEMENTS``).
METALS = ("cu", "zn", "pb", "as", "ag")

#: Copper of CuCN in pure water, sqrt(Ksp) with Ksp = 3.5e-20 (Kelter, Mosher & Scott 2009,
#: *Chemistry: The Practical Science*, App. 5 Table A5.4) [S arithmetic] [mg/L].
CUCN_CU_MG_L = (3.5e-20) ** 0.5 * CU_G_MOL * 1e3
#: Copper of CuSCN in pure water, sqrt(Ksp) with Ksp = 1.77e-13 (CRC values as tabulated in
#: eCampusOntario, *General Chemistry for Gee-Gees*, App. L) [S arithmetic] [mg/L].
CUSCN_CU_MG_L = (1.77e-13) ** 0.5 * CU_G_MOL * 1e3
#: Copper of Cu2Fe(CN)6 in pure water: Ksp = 4 s^3 = 1.3e-16 (University of
#: Wisconsin general-chemistry table of Ksp at 25 C), Cu = 2 s [S arithmetic] [mg/L].
CU_FERROCYANIDE_CU_MG_L = 2.0 * (1.3e-16 / 4.0) ** (1.0 / 3.0) * CU_G_MOL * 1e3
#: Arsenic of As2O3 at its water solubility, 17.8 g/L at 20 C (ECHA registration
#: dossier of diarsenic trioxide, OECD 105 flask method) [L] [mg/L]: all of it dissolves.
AS2O3_AS_MG_L = 17.8e3 * 2.0 * AS_G_MOL / (2.0 * AS_G_MOL + 3.0 * ATOMIC_WEIGHT_G_MOL["o"])

#: Solid species that give metal to the leachate -> (metal, saturation [mg/L] or None for
#: the pH-dependent copper hydroxide, source).
LEACHABLE_PHASES: dict[str, tuple[str, float | None, str]] = {
    "cu_hydroxide": (
        "cu",
        None,
        "Cu(OH)2 equilibrium at leachate_ph, log *Ks0 8.64 and the hydroxo complexes "
        "(Stumm & Morgan 1996 ch. 6; Baes & Mesmer 1976) [L, not re-checked]: about "
        "0.3 mg/L at pH 7, 0.006 at pH 8",
    ),
    "cucn": ("cu", CUCN_CU_MG_L, "sqrt(Ksp 3.5e-20) in pure water [S]"),
    "cuscn": ("cu", CUSCN_CU_MG_L, "sqrt(Ksp 1.77e-13) in pure water [S]"),
    "cu_ferrocyanide": ("cu", CU_FERROCYANIDE_CU_MG_L, "Ksp 1.3e-16 in pure water [S]"),
    "scorodite": (
        "as",
        0.5,
        "[assumed]: crystalline scorodite releases 'very low, almost negligible' arsenic "
        "at pH 3-6 (Fujita et al. 2009, Mater. Trans. 50:321, abstract); 0.5 mg/L is taken",
    ),
    "ferric_arsenate": (
        "as",
        1.0,
        "[assumed]: amorphous ferric arsenate with Fe:As >= 3 is more soluble than "
        "scorodite (Langmuir, Mahoney & Rowson 2006, Geochim. Cosmochim. Acta 70:2942, "
        "abstract); 1 mg/L is taken",
    ),
    "as2o3": ("as", AS2O3_AS_MG_L, "17.8 g/L As2O3 (ECHA dossier, OECD 105) [L]"),
}

_GB5085 = "GB 5085.3-2007 Table 1 (HJ/T 299 leachate)"
_GB8978 = "GB 8978-1996 first grade, for a leachate reaching groundwater under HJ 943-2018"
#: Default leachate limit of each metal per destination [mg/L] and its source.
METAL_LIMITS: dict[str, dict[str, tuple[float, str]]] = {
    "storage": {
        "cu": (100.0, f"{_GB5085}; as in a public compilation of the table [L]"),
        "zn": (100.0, f"{_GB5085}; as in a public compilation of the table [L]"),
        "pb": (5.0, f"{_GB5085} [not confirmed]; = US TCLP 40 CFR 261.24"),
        "as": (5.0, f"{_GB5085}; as in a public compilation of the table [L]"),
        "ag": (5.0, f"{_GB5085} [not confirmed]; = US TCLP 40 CFR 261.24"),
    },
    "backfill": {
        "cu": (0.5, f"{_GB8978} [not confirmed]"),
        "zn": (2.0, f"{_GB8978} [not confirmed]"),
        "pb": (1.0, f"{_GB8978} [not confirmed]"),
        "as": (0.5, f"{_GB8978} [not confirmed]"),
        "ag": (0.5, f"{_GB8978} [not confirmed]"),
    },
}
METAL_LIMITS["building_materials"] = {
    m: (v, f"taken equal to the hazardous-waste threshold: {s}")
    for m, (v, s) in METAL_LIMITS["storage"].items()
}


def limit_name(metal: str) -> str:
    """The parameter holding a metal's leachate limit."""
    return f"leachate_{metal}_limit_mg_l"


def metals_params(destination: str) -> tuple[Param, ...]:
    """The leachate pH and the metal limits of a destination (module docstring)."""
    out = [
        Param(
            "leachate_ph",
            "-",
            8.0,
            "pH of the residue's standard leachate (sets the copper hydroxide's solubility)",
            "[assumed] for a lime-treated residue: its NP buffers the HJ/T 299 extractant "
            "(pH 3.20, about 0.3 kg CaCO3/t at L/S 10); see oreflow.units.residue_metals",
            lo=2.0,
            hi=13.0,
        )
    ]
    for metal, (limit, source) in METAL_LIMITS[destination].items():
        out.append(
            Param(
                limit_name(metal),
                "mg/L",
                limit,
                f"largest {metal.capitalize()} of the standard leachate under rules = 'hj943'",
                source,
                lo=0.0,
                hi=1e5,
            )
        )
    return tuple(out)


class LeachableMetals:
    """Per-stream leachate metal estimate of a case's species (precomputed matrices)."""

    def __init__(self, comps: ComponentSet) -> None:
        em = comps.element_matrix()
        n_s = comps.n_solids_comp
        n_sol = n_s + len(comps.solution)
        cols = [ELEMENTS.index(m) for m in METALS]
        self.pore = np.zeros((comps.n_comp, len(METALS)))
        self.pore[n_s:n_sol] = em[n_s:n_sol][:, cols] * G_PER_T
        names = np.array([comps.species[k].name for k in comps.component_species()])
        solid = np.zeros(comps.n_comp, dtype=bool)
        solid[:n_s] = True
        phases = [p for p in LEACHABLE_PHASES if any(s.name == p for s in comps.solids)]
        self.phases = tuple(phases)
        self.phase = np.zeros((comps.n_comp, len(phases)))
        metal_of, fixed = [], []
        for j, p in enumerate(phases):
            metal, sat, _ = LEACHABLE_PHASES[p]
            col = ELEMENTS.index(metal)
            self.phase[:, j] = np.where(solid & (names == p), em[:, col], 0.0) * G_PER_T
            metal_of.append(METALS.index(metal))
            fixed.append(np.inf if sat is None else sat)
        self.phase_metal = np.array(metal_of, dtype=np.int64)
        self.fixed = np.array(fixed, dtype=np.float64)
        self.cu_oh = [j for j, p in enumerate(phases) if LEACHABLE_PHASES[p][1] is None]

    def tenors(
        self,
        x: np.ndarray,
        solids_tph: np.ndarray,
        water_tph: np.ndarray,
        ls_l_kg: np.ndarray | float,
        ph: np.ndarray | float,
    ) -> np.ndarray:
        """Leachate tenor of each metal of ``METALS`` [mg/L], (n_cases, n_metals)."""
        from oreflow.kernels.detox_metals import LOG_KS0_CU_OH2
        from oreflow.kernels.leachate import cu_hydroxide_saturation_mg_l, leachate_metals_mg_l

        n = x.shape[0]
        volume = np.maximum(np.asarray(ls_l_kg) * solids_tph, water_tph)
        sat = np.tile(self.fixed, (n, 1))
        if self.cu_oh:
            ph_arr = np.ascontiguousarray(np.broadcast_to(np.asarray(ph, dtype=np.float64), (n,)))
            sat[:, self.cu_oh[0]] = cu_hydroxide_saturation_mg_l(ph_arr, LOG_KS0_CU_OH2)
        return leachate_metals_mg_l(
            np.ascontiguousarray(x @ self.pore),
            np.ascontiguousarray(x @ self.phase),
            self.phase_metal,
            sat,
            np.ascontiguousarray(volume, dtype=np.float64),
        )

    def figures(
        self,
        x: np.ndarray,
        solids_tph: np.ndarray,
        water_tph: np.ndarray,
        params: Mapping[str, np.ndarray],
    ) -> dict[str, np.ndarray]:
        """``leachate_<metal>_mg_l`` of every metal and ``leachate_metals_limit_frac``.

        ``params``: the destination's ``leachate_ls_l_kg``, ``leachate_ph`` and metal limits.
        """
        n = x.shape[0]
        c = self.tenors(x, solids_tph, water_tph, params["leachate_ls_l_kg"], params["leachate_ph"])
        out = {f"leachate_{m}_mg_l": c[:, k] for k, m in enumerate(METALS)}
        limits = np.column_stack(
            [
                np.broadcast_to(np.asarray(params[limit_name(m)], dtype=np.float64), (n,))
                for m in METALS
            ]
        )
        # a zero limit refuses any metal and passes none
        ratio = np.where(c > 0.0, safe_div(c, limits, fill=np.inf), 0.0)
        frac = ratio.max(axis=1)
        out["leachate_metals_limit_frac"] = frac
        return out


def metals_rule(fig: dict[str, np.ndarray], tol: float) -> tuple[np.ndarray, Callable[[int], str]]:
    """The metals rule of a residue sink: every leachate metal within its limit."""
    frac = fig["leachate_metals_limit_frac"]
    ok = frac <= 1.0 + tol

    def words(i: int) -> str:
        tenors = ", ".join(f"{m.capitalize()} {fig[f'leachate_{m}_mg_l'][i]:.4g}" for m in METALS)
        return f"leachate metals {frac[i]:.4g} x their limit ({tenors} mg/L; HJ 943 rules)"

    return ok, words

"""Cyanide chemistry shared by the cyanide leaches (CIL, CIP, heap leach).

Where the elements of a dissolving species go in cyanide and the cyanide they take
(:class:`CyanideChemistry`; Marsden & House 2006, *The Chemistry of Gold Extraction*,
2nd ed., SME, ch. 6), the per-size rate constants and ultimate extractions of a leach
table (:func:`size_kinetics`), and the state a cyanide leach prepares
(:class:`LeachState`). The equations are in the docstring of ``oreflow.units.cil``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from oreflow.core.components import ELEMENTS, ComponentSet
from oreflow.core.schema import REQUIRED, Param, frac
from oreflow.errors import CaseError, Problem
from oreflow.units.base import UnitSpec
from oreflow.units.tanks import size_law

DISSOLUTION_PARAMS: tuple[Param, ...] = (
    frac(
        "ultimate_frac",
        REQUIRED,
        "extraction at infinite time, at sizes up to the reference size",
        "diagnostic leach testwork; copper minerals: Hedley & Tabachnick 1958 [L]",
    ),
    frac(
        "scn_frac",
        1.0,
        "share of the dissolved species' sulfur that forms thiocyanate (the rest: sulfate so4_aq)",
        "assumed; S to SCN- Marsden & House 2006; docs/models.md#cil",
    ),
    frac(
        "ferrocyanide_frac",
        0.0,
        "share of the dissolved species' iron complexed as ferrocyanide (the rest: ferric "
        "hydroxide metal_hydroxides)",
        "assumed; pyrrhotite forms some ferrocyanide [L] Marsden & House 2006 ch. 6",
    ),
)

#: Column of each element in ``ELEMENTS``.
EL_INDEX = {e: ELEMENTS.index(e) for e in ELEMENTS}
#: The metals carried in solution and on carbon: name, solution and carbon species.
METALS = (("au", "au_aq", "au_carbon"), ("ag", "ag_aq", "ag_carbon"), ("cu", "cu_aq", "cu_carbon"))
#: Gold species a leach table does not list (preg-robbed gold stays on the ore).
NOT_LEACHED = ("au_pregrobbed",)


def molar_mass(metal: str) -> float:
    """Molar mass of a metal of ``METALS`` [g/mol]."""
    from oreflow.kernels import leaching as kl

    return {"au": kl.AU_G_MOL, "ag": kl.AG_G_MOL, "cu": kl.CU_G_MOL}[metal]


class CyanideChemistry:
    """Where the elements of dissolving species go in cyanide, and the cyanide they take.

    Parameters
    ----------
    comps : ComponentSet
        Species of the case.
    names : list of str
        Solid species that dissolve (the leach table), in table order.
    """

    def __init__(self, comps: ComponentSet, names: list[str]) -> None:
        self.comps = comps
        self.names = names
        self.idx = [comps.solid_index(n) for n in names]
        self.el = np.array(
            [[comps.solids[i].elements.get(e, 0.0) for e in ELEMENTS] for i in self.idx],
            dtype=np.float64,
        ).reshape(len(names), len(ELEMENTS))
        self.speciated = comps.has("cn_wad")

    def _off(self, name: str) -> int | None:
        c = self.comps
        if not c.has(name):
            return None
        sp = next(s for s in c.species if s.name == name)
        if sp.phase == "solution":
            return c.solution_offset(name)
        if sp.phase == "adsorbent":
            return c.adsorbent_offset(name)
        return c.solid_index(name)

    @staticmethod
    def needs(
        comps: ComponentSet, name: str, scn_frac: float, ferrocyanide_frac: float
    ) -> list[tuple[str, str]]:
        """(element, product species) pairs a dissolving species needs declared."""
        sp = comps.solids[comps.solid_index(name)]
        el = sp.elements
        out = []
        for e, prod in (("au", "au_aq"), ("ag", "ag_aq"), ("as", "as_aq")):
            if el.get(e, 0.0) > 0:
                out.append((e, prod))
        if el.get("cu", 0.0) > 0:
            out += [("cu", "cu_aq"), ("cu", "cn_wad")]
        if el.get("s", 0.0) > 0:
            if scn_frac > 0:
                out.append(("s", "scn"))
            if scn_frac < 1:
                out.append(("s", "so4_aq"))
        if el.get("fe", 0.0) > 0:
            if ferrocyanide_frac > 0:
                out.append(("fe", "fe_aq"))
            if ferrocyanide_frac < 1:
                out.append(("fe", "metal_hydroxides"))
        return out

    @staticmethod
    def check_table(
        spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem]
    ) -> None:
        """Validate the leach table: every gold/silver class has kinetics, every entry dissolves."""
        key = f"units.{spec.name}.leach"
        table = spec.tables.get("leach", {})
        gold = [s.name for s in comps.solids if s.au_frac > 0 and s.name not in NOT_LEACHED]
        missing = [g for g in gold if g not in table]
        if missing:
            problems.append(
                Problem(file, key, f"no leach kinetics for gold species {', '.join(missing)}")
            )
        silver = [
            s.name
            for s in comps.solids
            if s.elements.get("ag", 0.0) > 0 and s.au_frac == 0 and s.name not in table
        ]
        if silver and comps.has("ag_aq"):
            problems.append(
                Problem(file, key, f"no leach kinetics for silver species {', '.join(silver)}")
            )
        for name, entry in table.items():
            sp = comps.solids[comps.solid_index(name)]
            el = sp.elements
            if el.get("c", 0.0) > 0:
                problems.append(
                    Problem(
                        file,
                        f"{key}.{name}",
                        f"{name!r} carries carbon, which does not dissolve in cyanide (for "
                        "preg-robbing by carbonaceous matter set pregrob_k_m3_t)",
                    )
                )
                continue
            if not any(el.get(e, 0.0) > 0 for e in ("au", "ag", "cu", "s", "fe", "as")):
                problems.append(
                    Problem(
                        file,
                        f"{key}.{name}",
                        f"{name!r} has nothing that dissolves in cyanide (no Au, Ag, Cu, S, Fe "
                        "or As); only gold and silver classes, copper minerals and reactive "
                        "sulfides belong in the leach table",
                    )
                )
                continue
            for e, prod in CyanideChemistry.needs(
                comps, name, entry.get("scn_frac", 1.0), entry.get("ferrocyanide_frac", 0.0)
            ):
                if not comps.has(prod):
                    problems.append(
                        Problem(
                            file,
                            f"{key}.{name}",
                            f"{name!r} releases {e.capitalize()} into {prod!r}: declare "
                            f"{prod!r} in [case]",
                        )
                    )

    def check_params(self, spec: UnitSpec, params: Mapping[str, np.ndarray]) -> None:
        """At run time: per-case scn/ferrocyanide shares must not need undeclared species."""
        problems = []
        for name in self.names:
            scn = params.get(f"leach.{name}.scn_frac", np.ones(1))
            fe = params.get(f"leach.{name}.ferrocyanide_frac", np.zeros(1))
            for s_val, f_val in ((scn.min(), fe.min()), (scn.max(), fe.max())):
                for e, prod in self.needs(self.comps, name, float(s_val), float(f_val)):
                    if not self.comps.has(prod):
                        problems.append(
                            Problem(
                                spec.file,
                                f"units.{spec.name}.leach.{name}",
                                f"{name!r} releases {e.capitalize()} into {prod!r}: declare "
                                f"{prod!r} in [case]",
                            )
                        )
        if problems:
            raise CaseError(list(dict.fromkeys(problems)))

    def metal_tph(self, dissolved: np.ndarray) -> np.ndarray:
        """Au, Ag, Cu released by the dissolved species, (..., 3) [t/h]."""
        return dissolved @ self.el[:, [EL_INDEX["au"], EL_INDEX["ag"], EL_INDEX["cu"]]]

    def react(
        self,
        dissolved: np.ndarray,
        params: Mapping[str, np.ndarray],
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Products other than the dissolved precious metals and copper, and the NaCN taken.

        Parameters
        ----------
        dissolved : (n_cases, n_sp) float64
            Mass of each leach-table species dissolved [t/h].
        params : Mapping[str, numpy.ndarray]
            Per-case parameters (``leach.NAME.scn_frac``, ``leach.NAME.ferrocyanide_frac``,
            ``nacn_per_cu_mol_mol``, ``cn_wad_per_cu_mol_mol``).

        Returns
        -------
        products : (n_cases, n_comp) float64
            Increments of thiocyanate, sulfate, ferrocyanide iron, arsenic, cyanate
            (solution) and ferric hydroxide (solids, finest class) [t/h].
        nacn : dict of (n_cases,) float64
            NaCN consumed [t/h] by ``cu``, ``scn``, ``ferrocyanide`` and
            ``complexation`` (Au and Ag, speciated cases only).
        """
        from oreflow.kernels.cyanide_budget import cyanate_tph, element_routes, nacn_taken_tph

        c = self.comps
        n = dissolved.shape[0]
        products = np.zeros((n, c.n_comp))
        n_sp = len(self.names)
        scn = np.stack([params[f"leach.{m}.scn_frac"] for m in self.names], axis=1).reshape(n, n_sp)
        ferro = np.stack(
            [params[f"leach.{m}.ferrocyanide_frac"] for m in self.names], axis=1
        ).reshape(n, n_sp)
        s_scn, s_so4, fe_ferro, fe_hyd, as_tot, metals = element_routes(
            dissolved, self.el, scn, ferro, EL_INDEX["s"], EL_INDEX["fe"], EL_INDEX["as"]
        )
        cu = metals[:, EL_INDEX["cu"]]

        def put(name: str, element: str, amount: np.ndarray) -> None:
            off = self._off(name)
            if off is None:
                return
            sp = next(s for s in c.species if s.name == name)
            mass = amount / sp.elements[element]
            if sp.phase == "solid":
                c.solids_view(products)[:, -1, off] += mass
            else:
                products[:, off] += mass

        put("scn", "s", s_scn)
        put("so4_aq", "s", s_so4)
        put("fe_aq", "fe", fe_ferro)
        put("metal_hydroxides", "fe", fe_hyd)
        put("as_aq", "as", as_tot)
        per_cu = params["nacn_per_cu_mol_mol"]
        ocn = self._off("ocn")
        if ocn is not None:
            products[:, ocn] += cyanate_tph(cu, per_cu, params["cn_wad_per_cu_mol_mol"])
        precious = (
            (metals[:, EL_INDEX["au"]], metals[:, EL_INDEX["ag"]])
            if self.speciated
            else (None, None)
        )
        return products, nacn_taken_tph(cu, s_scn, fe_ferro, per_cu, *precious)

    @staticmethod
    def wad_cn_per_metal(params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """WAD cyanide (as CN) carried per tonne of dissolved metal [t/t], per case."""
        from oreflow.kernels import leaching as kl

        wad_cu = params["cn_wad_per_cu_mol_mol"]
        return {
            "au": np.zeros_like(wad_cu),
            "ag": np.full_like(wad_cu, kl.CN_PER_AG * kl.CN_G_MOL / kl.AG_G_MOL),
            "cu": wad_cu * kl.CN_G_MOL / kl.CU_G_MOL,
        }


def size_kinetics(
    spec: UnitSpec,
    chem: CyanideChemistry,
    params: Mapping[str, np.ndarray],
    n_cases: int,
    rate_key: str,
    size_law_params: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Rate constant and ultimate extraction per case, size class and leach species.

    The per-case shares of the leach table are checked first (``check_params``).

    Parameters
    ----------
    spec : UnitSpec
        The unit, with its leach table.
    chem : CyanideChemistry
        Its chemistry.
    params : Mapping[str, numpy.ndarray]
        Per-case parameters (``leach.NAME.<rate_key>``, ``leach.NAME.ultimate_frac``).
    n_cases : int
        Number of cases.
    rate_key : str
        Rate-constant key of the leach table (``k_per_h``, ``k_per_d``).
    size_law_params : tuple of (n_cases,) float64
        Reference size [µm], exponent of k and exponent of the ultimate extraction of
        ``oreflow.units.tanks.size_law``.

    Returns
    -------
    (k, ultimate) of shape (n_cases, n_cls, n_leach).
    """
    chem.check_params(spec, params)
    rep_um = chem.comps.sizes.representative_um()
    n_cls = chem.comps.n_cls
    k = np.empty((n_cases, n_cls, len(chem.names)))
    ult = np.empty((n_cases, n_cls, len(chem.names)))
    d_ref_um, k_exponent, ultimate_exponent = size_law_params
    for d, name in enumerate(chem.names):
        k[:, :, d], ult[:, :, d] = size_law(
            rep_um,
            params[f"leach.{name}.{rate_key}"],
            params[f"leach.{name}.ultimate_frac"],
            d_ref_um,
            k_exponent,
            ultimate_exponent,
            n_cases,
        )
    return k, ult


class LeachState(NamedTuple):
    """What a cyanide leach prepares once per simulation (also the heap leach's)."""

    params: Mapping[str, np.ndarray]
    k: np.ndarray | None  # (n_cases, n_cls, n_leach) rate constant; None: nothing leaches
    ultimate: np.ndarray | None  # (n_cases, n_cls, n_leach) ultimate extraction

"""Reactions as stoichiometry, and the reagents and gases that cross a unit's boundary.

A unit type declares its chemistry as a table of reactions (``UnitType.reactions``;
the tables live together in ``oreflow.units.reaction_tables``). A reaction is written
as an equation between species of the catalogue (``oreflow.core.components``) and
*external* materials: reagents a unit draws from outside the streams (oxygen, lime,
limestone, SO2, ...) and gases and dissolved salts that leave them (CO2, N2, HCN, the
sodium of consumed cyanide). Every formula mass comes from ``oreflow.core.formulas``,
so a reaction balanced in atoms is balanced in mass.

Why externals and not new stream species: the stream vector of a case holds only the
species the case declares, and every kernel reads it on the hot path (recycle loops of
10k-case batches); a reagent such as oxygen or limestone never travels between units,
it is consumed where it is added. Reporting it as a per-unit flow keeps the stream
layout and the kernels unchanged, and lets the closure audit count it in (reagents)
or out (gases, vented to the atmosphere) of the unit that uses it.

Extents. Combinations of a table's reactions that change no species must change no
external either (checked with the balance when the package loads), so the reagents
and gases are fixed by the species changes a unit reports (``reacted``). The audit recovers the extents by least
squares, turns them into external flows, and counts the part of the reported change
that no combination of the unit's reactions explains as an imbalance of elements: a
unit whose kernel makes mass the table does not (a precipitate without its reagent, a
wrong ratio) does not close.

>>> r = Reaction.parse("pyrite oxidation", "4 pyrite + 15 O2 + 8 water -> 2 hematite + 8 h2so4")
>>> max(abs(v) for v in r.imbalance_g().values()) < 1e-9
True
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from oreflow.core.formulas import STEEL_FORMULA, atoms, formula_mass_g_mol


@dataclass(frozen=True)
class External:
    """A reagent, gas or dissolved salt that crosses a unit's boundary.

    Attributes
    ----------
    name : str
        Key used in reaction tables (``O2``, ``CaCO3``, ``CO2_gas``).
    formula : str
        Chemical formula (``oreflow.core.formulas``).
    kind : {"reagent", "gas", "dissolved", "delivered"}
        A reagent enters; a gas leaves by the vent; a dissolved salt leaves with the
        solution but is not a stream species of the case (a counter-ion). A delivered
        external is the part of a bought reagent the unit reports as an added species
        (the HOCl of sodium hypochlorite, added as ``hocl``): a reaction driven by the
        reagent's price figure makes it, and the audit counts it against the reagent
        (in) instead of as a flow out, since the added species already enters.
    description : str
        What it is.
    """

    name: str
    formula: str
    kind: str
    description: str = ""


def _ext(name: str, formula: str, kind: str, description: str) -> External:
    return External(name, formula, kind, description)


#: Reagents, gases and dissolved salts of the reaction tables.
EXTERNALS: Mapping[str, External] = MappingProxyType(
    {
        e.name: e
        for e in (
            _ext("O2", "O2", "reagent", "oxygen (oxygen plant or air)"),
            _ext("N2", "N2", "reagent", "nitrogen of sparged air (enters and leaves)"),
            _ext(
                "H2O",
                "H2O",
                "reagent",
                "water of reaction consumed (+) or made (-) that the kernels do not move in or out of the process water [assumed]",
            ),
            _ext("CaO", "CaO", "reagent", "quicklime"),
            _ext("Ca(OH)2", "Ca(OH)2", "reagent", "hydrated lime / milk of lime"),
            _ext("CaCO3", "CaCO3", "reagent", "limestone, as calcite"),
            _ext("SO2", "SO2", "reagent", "sulfur dioxide (gas, or from sodium metabisulfite)"),
            _ext("Na2S2O5", "Na2S2O5", "reagent", "sodium metabisulfite (SMBS)"),
            _ext(
                "CuSO4·5H2O", "CuSO4·5H2O", "reagent", "copper sulfate pentahydrate (INCO catalyst)"
            ),
            _ext("KMnO4", "KMnO4", "reagent", "potassium permanganate (glycine oxidant)"),
            _ext("NaOH", "NaOH", "reagent", "caustic soda"),
            _ext("NaHS", "NaHS", "reagent", "sodium hydrosulfide"),
            _ext("Zn", "Zn", "reagent", "zinc dust"),
            _ext("NaOCl", "NaOCl", "reagent", "sodium hypochlorite"),
            _ext("H2O2", "H2O2", "reagent", "hydrogen peroxide"),
            _ext("NaCl", "NaCl", "reagent", "sodium chloride"),
            _ext("Cl2", "Cl2", "reagent", "chlorine gas"),
            _ext("HCl", "HCl", "reagent", "hydrochloric acid"),
            _ext("Cl-", "Cl", "dissolved", "chloride ion not in the case's cl_aq, in solution"),
            _ext("CN-", "CN", "dissolved", "cyanide ion of an eluant, in solution"),
            _ext("Cu2+", "Cu", "dissolved", "copper ion of a case without cu_aq, in solution"),
            _ext("NaCN", "NaCN", "reagent", "sodium cyanide a unit does not add as nacn"),
            _ext(
                "HOCl_added",
                "HOCl",
                "delivered",
                "hypochlorous acid of a bought oxidant, delivered as the unit's added hocl",
            ),
            _ext("Na2S", "Na2S", "reagent", "sodium sulfide"),
            _ext(
                "S_added",
                "S",
                "delivered",
                "sulfide of bought NaHS or Na2S, delivered as the unit's added hs_aq",
            ),
            _ext(
                "SO4_added",
                "SO4",
                "delivered",
                "sulfate of bought sulfuric acid, delivered as the unit's added so4_aq",
            ),
            _ext(
                "Cl_added",
                "Cl",
                "delivered",
                "chloride of bought salt, delivered as the unit's added cl_aq",
            ),
            _ext("Na2CO3", "Na2CO3", "reagent", "soda ash"),
            _ext("H2SO4", "H2SO4", "reagent", "sulfuric acid (made by an acid plant: leaves)"),
            _ext("CH4", "CH4", "reagent", "natural gas, as methane (roaster fuel)"),
            _ext("CO2_gas", "CO2", "gas", "carbon dioxide vented"),
            _ext("O2_gas", "O2", "gas", "oxygen vented unused"),
            _ext("N2_gas", "N2", "gas", "nitrogen vented"),
            _ext("H2O_gas", "H2O", "gas", "water vapour vented"),
            _ext("SO2_gas", "SO2", "gas", "sulfur dioxide vented"),
            _ext("HCN_gas", "HCN", "gas", "hydrogen cyanide volatilised"),
            _ext("NH3_gas", "NH3", "gas", "ammonia volatilised"),
            _ext("Na+", "Na", "dissolved", "sodium ion of consumed reagents, in solution"),
            _ext("Ca2+", "Ca", "dissolved", "calcium ion, in solution"),
            _ext("K+", "K", "dissolved", "potassium ion, in solution"),
            _ext("Mg2+", "Mg", "dissolved", "magnesium ion, in solution"),
            _ext("OH-", "OH", "dissolved", "hydroxide ion, in solution"),
            _ext("H+", "H", "dissolved", "hydrogen ion, in solution"),
            _ext("NH4+", "NH4", "dissolved", "ammonium ion, in solution"),
            _ext("Zn2+", "Zn", "dissolved", "zinc ion (zinc cyanide), in solution"),
            _ext("S2-", "S", "dissolved", "sulfide released by a dissolving mineral, in solution"),
            _ext("SO4_2-", "SO4", "dissolved", "sulfate of a case without so4_aq, in solution"),
            _ext(
                "O_aq",
                "O",
                "dissolved",
                "oxygen of dissolved oxyanions (arsenate) outside their species' mass basis",
            ),
        )
    }
)

_TERM = re.compile(r"^\s*(\d+(?:\.\d+)?(?:/\d+)?)?\s*([A-Za-z0-9_()·+\-]+)\s*$")


@dataclass(frozen=True)
class Reaction:
    """One reaction of a unit type's table.

    Attributes
    ----------
    name : str
        What happens (``"pyrite oxidation"``).
    coefficients : Mapping[str, float]
        Participant -> moles per unit extent; negative for what is consumed. A
        participant is a catalogue species or an ``EXTERNALS`` name.
    source : str
        Where the stoichiometry comes from.
    driver : str
        For a reaction between externals only: the unit metric (``use_<item>_kg_h``)
        whose kg/h of the first reagent it consumes sets its extent (limestone turned
        to lime and CO2, soda ash taking acid, oxygen bought beyond what reacts).
    less_added : str
        A species whose addition by the unit [t/h] is taken off the driver (the
        unreacted limestone a neutralisation adds as calcite).
    surplus : bool
        The driver less what the species-fixed reactions already take of the reagent
        (the oxygen bought but not used, vented).
    mop_up : bool
        Whatever of the reagent the other reactions make and none takes (the SO2 of
        metabisulfite where the case has no ``so4_aq``: oxidised to dissolved sulfate);
        runs only where the driver is reported.
    """

    name: str
    coefficients: Mapping[str, float]
    source: str = ""
    driver: str = ""
    less_added: str = ""
    surplus: bool = False
    mop_up: bool = False

    @classmethod
    def parse(cls, name: str, equation: str, source: str = "", **driven: Any) -> Reaction:
        """A reaction from ``"4 pyrite + 15 O2 -> 2 hematite + ..."`` (``" + "`` separates terms)."""
        if equation.count("->") != 1:
            msg = f"reaction {name!r}: write one '->' in {equation!r}"
            raise ValueError(msg)
        coef: dict[str, float] = {}
        for side, sign in zip(equation.split("->"), (-1.0, 1.0), strict=True):
            for term in side.split(" + "):
                m = _TERM.match(term)
                if m is None:
                    msg = f"reaction {name!r}: cannot read the term {term!r}"
                    raise ValueError(msg)
                text = m.group(1) or "1"
                num, _, den = text.partition("/")
                n = float(num) / (float(den) if den else 1.0)
                coef[m.group(2)] = coef.get(m.group(2), 0.0) + sign * n
        return cls(name, MappingProxyType(coef), source, **driven)

    @property
    def reagent(self) -> str:
        """The first external the reaction consumes (what its driver counts)."""
        return next(p for p, n in self.coefficients.items() if p in EXTERNALS and n < 0)

    def imbalance_g(self) -> dict[str, float]:
        """Grams of each element made (+) or lost (-) per unit extent: zero when balanced."""
        out: dict[str, float] = {}
        for part, n in self.coefficients.items():
            for el, k in atoms(formula_of(part)).items():
                out[el] = out.get(el, 0.0) + n * k
        from oreflow.conventions import ATOMIC_WEIGHT_G_MOL

        return {el: v * ATOMIC_WEIGHT_G_MOL[el] for el, v in out.items()}


def formula_of(participant: str) -> str:
    """Formula of a reaction participant: an ``EXTERNALS`` name or a catalogue species."""
    if participant in EXTERNALS:
        return EXTERNALS[participant].formula
    from oreflow.core.components import CATALOGUE

    if participant not in CATALOGUE:
        msg = f"{participant!r} is neither a catalogue species nor an external reagent/gas"
        raise KeyError(msg)
    formula = SPECIES_FORMULA.get(participant) or _lumped_formula(participant)
    if formula is None:
        msg = f"species {participant!r} has no single formula to react with"
        raise KeyError(msg)
    return formula


#: Lumped species that react as 100 g of their stated composition (a pseudo formula
#: of that mass): silicate gangue (the ash of burnt carbonaceous matter) and
#: carbonaceous matter.
LUMPED = ("gangue", "carbonaceous")


def _lumped_formula(name: str) -> str | None:
    """Atoms in 100 g of a lumped species, written as a formula (``C7.49...Si0.16...``)."""
    if name not in LUMPED:
        return None
    from oreflow.conventions import ATOMIC_WEIGHT_G_MOL
    from oreflow.core.components import CATALOGUE

    fracs = CATALOGUE[name].elements
    return "".join(
        f"{el.capitalize()}{100.0 * f / ATOMIC_WEIGHT_G_MOL[el]!r}"
        for el, f in sorted(fracs.items())
    )


def molar_mass_g_mol(participant: str) -> float:
    """Formula mass of a reaction participant [g/mol]."""
    return formula_mass_g_mol(formula_of(participant))


#: The formula unit of each catalogue species that reactions may use (its mass basis:
#: ``so4_aq`` is SO4, ``cn_wad`` is CN). Lumped species react as 100 g (``LUMPED``);
#: resin does not react.
SPECIES_FORMULA: Mapping[str, str] = MappingProxyType(
    {
        "quartz": "SiO2", "pyrite": "FeS2", "arsenopyrite": "FeAsS", "pyrrhotite": "FeS",
        "chalcopyrite": "CuFeS2", "calcite": "CaCO3", "dolomite": "CaMg(CO3)2",
        "siderite": "FeCO3", "au_free": "Au", "au_sulfide": "Au", "au_silicate": "Au",
        "au_grg": "Au", "ag": "Ag", "hematite": "Fe2O3", "magnetite": "Fe3O4",
        "gypsum": "CaSO4·2H2O", "scorodite": "FeAsO4·2H2O",
        "basic_ferric_sulfate": "Fe(OH)SO4", "jarosite": "KFe3(SO4)2(OH)6", "sulfur": "S",
        "chalcocite": "Cu2S", "cu2s": "Cu2S", "ag2s": "Ag2S", "cucn": "CuCN", "cuscn": "CuSCN", "metal_hydroxides": "Fe(OH)3",
        "cu_hydroxide": "Cu(OH)2", "mno2": "MnO2", "cu_ferrocyanide": "Cu2Fe(CN)6", "au_pregrobbed": "Au",
        "cu_metal": "Cu", "steel": STEEL_FORMULA, "water": "H2O", "au_aq": "Au", "ag_aq": "Ag", "cu_aq": "Cu",
        "nacn": "NaCN", "cn_wad": "CN", "scn": "SCN", "fe_cn": "Fe(CN)6", "ocn": "OCN",
        "h2so4": "H2SO4", "so4_aq": "SO4", "as2o3": "As2O3", "fe_aq": "Fe", "hs_aq": "S", "co2": "CO2",
        "as_aq": "As", "s2o3": "S2O3", "polythionates": "S4O6", "glycine": "C2H5NO2",
        "nh3": "NH3", "cl_aq": "Cl", "hocl": "HOCl", "carbon": "C", "au_carbon": "Au",
        "ag_carbon": "Ag", "cu_carbon": "Cu", "au_resin": "Au", "ag_resin": "Ag",
        "cu_resin": "Cu", "acanthite": "Ag2S", "ag_galena": "Ag", "ag_tetrahedrite": "Ag",
        "ag_electrum": "Ag",
    }
)  # fmt: skip

#: Largest element imbalance a reaction of a table may have, relative to the mass of
#: its participants [-]: round-off of the formula masses.
BALANCE_RTOL = 1e-12


def table_problems(type_name: str, reactions: tuple[Reaction, ...]) -> list[str]:
    """What is wrong with a unit type's reaction table: one line per problem.

    Each reaction must balance every element (to ``BALANCE_RTOL`` of the mass of its
    participants) and name known participants; the species columns of the table must
    be linearly independent, so that reported species changes fix the extents.
    """
    import numpy as np

    problems = []
    for r in reactions:
        try:
            imb = r.imbalance_g()
            scale = sum(abs(n) * molar_mass_g_mol(p) for p, n in r.coefficients.items())
        except (KeyError, ValueError) as exc:
            problems.append(f"{type_name}: reaction {r.name!r}: {exc}")
            continue
        bad = {el: v for el, v in imb.items() if abs(v) > BALANCE_RTOL * scale}
        if bad:
            shown = ", ".join(f"{el} {v:+.4g} g" for el, v in sorted(bad.items()))
            problems.append(f"{type_name}: reaction {r.name!r} does not balance: {shown}")
    for r in reactions:
        if r.driver and any(p not in EXTERNALS for p in r.coefficients):
            problems.append(f"{type_name}: driven reaction {r.name!r} may name externals only")
        if r.driver and not any(n < 0 and p in EXTERNALS for p, n in r.coefficients.items()):
            problems.append(f"{type_name}: driven reaction {r.name!r} consumes no reagent")
    reactions = tuple(r for r in reactions if not r.driver)
    if problems or not reactions:
        return problems
    species = sorted({p for r in reactions for p in r.coefficients if p not in EXTERNALS})
    externals = sorted({p for r in reactions for p in r.coefficients if p in EXTERNALS})
    s_mat = np.array([[r.coefficients.get(s, 0.0) for r in reactions] for s in species])
    e_mat = np.array([[r.coefficients.get(e, 0.0) for r in reactions] for e in externals])
    s_mat = s_mat.reshape(len(species), len(reactions))
    e_mat = e_mat.reshape(len(externals), len(reactions))
    # combinations of reactions that change no species (a path written twice, via
    # an intermediate) must change no external either: the species changes then fix
    # the external flows whatever the split between them
    _, sv, vt = np.linalg.svd(s_mat)
    rank = int((sv > 1e-10 * max(sv.max(initial=0.0), 1.0)).sum())
    null = vt[rank:].T
    if null.size and np.abs(e_mat @ null).max(initial=0.0) > 1e-9:
        problems.append(
            f"{type_name}: two paths with the same species changes take different "
            "reagents, so the species changes cannot fix the reagents and gases"
        )
    return problems

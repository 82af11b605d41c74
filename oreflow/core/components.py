"""Species, size classes and the layout of the stream vector.

A stream is one float64 vector of mass flows [t/h] laid out as

``[solids (n_cls x n_solid, size-major) | solution (n_solution) | adsorbent (n_adsorbent)]``

so that conservation is a column sum and kernels see plain arrays. Size classes follow
the convention of ``oreflow.kernels.psd``: descending edges e_0 > ... > e_last; class c
holds (e_{c+1}, e_c]; the last class is the sink below e_last; mass above e_0 is lumped
into class 0.

The species catalogue below gives each known species its phase, density and element
content. Densities are handbook values [L] (Deer, Howie & Zussman, *An Introduction to
the Rock-Forming Minerals*, 3rd ed. 2013; Anthony et al., *Handbook of Mineralogy*,
Mineralogical Society of America); element mass fractions are stoichiometric [S]
(IUPAC 2021 standard atomic weights, ``oreflow.conventions``). A case may declare species outside the catalogue
with ``[case.species_properties.NAME]``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import numpy as np

from oreflow.core import base_metal_sulfides as bms
from oreflow.core.formulas import STEEL_FORMULA, formula_mass_g_mol, mass_fractions

Phase = Literal["solid", "solution", "adsorbent"]

#: Elements tracked for grades and element closure: every element of every catalogue
#: species, so that the elements and the total mass close together (the first seven
#: keep their indices).
ELEMENTS = (
    "au", "ag", "cu", "s", "fe", "as", "c",
    "ca", "mg", "na", "k", "o", "h", "n", "mn", "si", "al", "cl",
    "pb", "zn", "sb",
)  # fmt: skip


@dataclass(frozen=True)
class Species:
    """One species of the stream.

    Attributes
    ----------
    name : str
        Identifier used in case files (``au_free``, ``pyrite``, ``water``).
    phase : {"solid", "solution", "adsorbent"}
        Where the species lives.
    density_t_m3 : float
        Density of the pure species [t/m³]; 1.0 for solution species.
    hydraulic_density_t_m3 : float
        Density of the particles that carry it in a classifier [t/m³]. Equal to
        ``density_t_m3`` except for locked gold, which travels with its host particle.
    elements : Mapping[str, float]
        Mass fraction of each element of ``ELEMENTS`` in the species [-], from its full
        formula: they sum to 1.
    description : str
        What the species is, with its source.
    """

    name: str
    phase: Phase
    density_t_m3: float
    hydraulic_density_t_m3: float
    elements: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    description: str = ""

    @property
    def au_frac(self) -> float:
        """Gold mass fraction of the species [-]."""
        return float(self.elements.get("au", 0.0))


def _sp(
    name: str,
    phase: Phase,
    density: float,
    elements: dict[str, float] | None = None,
    hydraulic: float | None = None,
    description: str = "",
) -> Species:
    return Species(
        name,
        phase,
        density,
        density if hydraulic is None else hydraulic,
        MappingProxyType(dict(elements or {})),
        description,
    )


# Element mass fractions of every species from its full formula (or, for a lumped
# species, a stated mixture of formulas), with the atomic weights of
# ``oreflow.conventions`` (IUPAC 2021): each species' fractions sum to 1, so the total
# mass and every element close together. A species recorded "as X" (``cn_wad`` as CN,
# ``so4_aq`` as SO4) carries the formula X; its counter-ions are not in its mass.
_f = mass_fractions
#: Silicate gangue as a quartz-feldspar rock, 60 % quartz, 20 % orthoclase, 20 % albite
#: by mass: a granitoid/greywacke host of the mesothermal gold deposits [assumed].
_GANGUE = {"SiO2": 0.6, "KAlSi3O8": 0.2, "NaAlSi3O8": 0.2}
#: Carbonaceous matter: 90 % carbon (the catalogue's TCM figure [assumed]), the rest
#: its silicate ash, of the gangue's composition [assumed]: burnt, it leaves gangue.
_CARBONACEOUS = {"C": 0.9, **{k: 0.1 * v for k, v in _GANGUE.items()}}
#: Strong-base anion-exchange resin: the repeat unit of trimethylbenzylammonium
#: polystyrene in chloride form, C12H18NCl (type I quaternary-ammonium resin;
#: Marsden & House 2006 §7.10 resin-in-pulp) [assumed: the divinylbenzene cross-link
#: counted as styrene].
_RESIN = "C12H18NCl"

CATALOGUE: MappingProxyType = MappingProxyType(
    {
        s.name: s
        for s in (
            _sp(
                "gangue",
                "solid",
                2.70,
                _f(_GANGUE),
                description="silicate gangue (quartz-feldspar), 2.65-2.75 t/m³ [L]; as 60 % quartz SiO2, 20 % orthoclase KAlSi3O8, 20 % albite NaAlSi3O8 by mass [assumed]",
            ),
            _sp("quartz", "solid", 2.65, _f("SiO2"), description="quartz SiO2 [L]"),
            _sp("pyrite", "solid", 5.01, _f("FeS2"), description="pyrite FeS2, 4.95-5.10 t/m³ [L]"),
            _sp("arsenopyrite", "solid", 6.07, _f("FeAsS"), description="arsenopyrite FeAsS [L]"),
            _sp(
                "pyrrhotite",
                "solid",
                4.61,
                _f("FeS"),
                description="pyrrhotite Fe(1-x)S, as FeS [L]",
            ),
            _sp("chalcopyrite", "solid", 4.19, _f("CuFeS2"), description="chalcopyrite CuFeS2 [L]"),
            _sp("calcite", "solid", 2.71, _f("CaCO3"), description="calcite CaCO3 [L]"),
            _sp(
                "dolomite",
                "solid",
                2.84,
                _f("CaMg(CO3)2"),
                description="dolomite CaMg(CO3)2, 2.84-2.86 t/m³ [L]; consumes acid in acid oxidation",
            ),
            _sp(
                "siderite",
                "solid",
                3.96,
                _f("FeCO3"),
                description="siderite FeCO3, 3.9-4.0 t/m³ [L]; oxidised to hematite and CO2 in POX",
            ),
            _sp(
                "carbonaceous",
                "solid",
                2.10,
                _f(_CARBONACEOUS),
                description="carbonaceous matter (TCM), 1.9-2.3 t/m³ [L]; 90 % C, the rest silicate ash of the gangue composition [assumed]",
            ),
            _sp(
                "au_free",
                "solid",
                19.3,
                _f("Au"),
                description="free (liberated or exposed) gold; pure gold 19.3 t/m³ [S]",
            ),
            _sp(
                "au_sulfide",
                "solid",
                19.3,
                _f("Au"),
                hydraulic=5.01,
                description="gold locked in sulfides; classifies with its pyrite host [assumed]",
            ),
            _sp(
                "au_silicate",
                "solid",
                19.3,
                _f("Au"),
                hydraulic=2.70,
                description="gold locked in silicates; classifies with its gangue host [assumed]",
            ),
            _sp(
                "au_grg",
                "solid",
                19.3,
                _f("Au"),
                description="gravity-recoverable free gold (GRG); its deportment is the ore's GRG test value (Laplante's standardised test, Laplante's standardised GRG test; docs/models.md#gravity) [S definition]",
            ),
            _sp(
                "ag",
                "solid",
                10.49,
                _f("Ag"),
                description="silver (native and in silver minerals), as Ag metal [S]",
            ),
            _sp(
                "acanthite",
                "solid",
                7.22,
                _f("Ag2S"),
                description="acanthite (argentite) Ag2S, the ore's silver sulfide, 7.2-7.4 t/m³ [L]; a silver class of the ore (oreflow.core.silver_minerals)",
            ),
            _sp(
                "ag_galena",
                "solid",
                10.49,
                _f("Ag"),
                hydraulic=7.58,
                description="silver held in galena (solid solution, inclusions), as Ag; classifies and floats with its galena host [assumed]",
            ),
            _sp(
                "ag_tetrahedrite",
                "solid",
                10.49,
                _f("Ag"),
                hydraulic=4.97,
                description="silver in fahlore (argentian tetrahedrite to freibergite (Ag,Cu)12(Sb,As)4S13), as Ag; classifies and floats with its tetrahedrite host [assumed]",
            ),
            _sp(
                "ag_electrum",
                "solid",
                10.49,
                _f("Ag"),
                hydraulic=19.3,
                description="silver alloyed in electrum (native Au-Ag alloy, 15-50 % Ag), as Ag; classifies, concentrates by gravity and floats with the free gold it is alloyed in [assumed]; a silver class of the ore (oreflow.core.silver_minerals)",
            ),
            _sp(
                "hematite",
                "solid",
                5.26,
                _f("Fe2O3"),
                description="hematite Fe2O3 (POX residue) [L]",
            ),
            _sp("magnetite", "solid", 5.18, _f("Fe3O4"), description="magnetite Fe3O4 [L]"),
            _sp(
                "as2o3",
                "solid",
                3.74,
                _f("As2O3"),
                description="arsenic trioxide As2O3 condensed from roaster off-gas (arsenolite, 3.74 t/m³ [L])",
            ),
            _sp(
                "gypsum",
                "solid",
                2.32,
                _f("CaSO4·2H2O"),
                description="gypsum CaSO4.2H2O (neutralisation product) [L]",
            ),
            _sp(
                "scorodite",
                "solid",
                3.28,
                _f("FeAsO4·2H2O"),
                description="scorodite FeAsO4.2H2O (stable arsenic residue) [L]",
            ),
            _sp(
                "basic_ferric_sulfate",
                "solid",
                2.80,
                _f("Fe(OH)SO4"),
                description="basic ferric sulfate Fe(OH)SO4 (POX at high acid); density assumed [assumed]",
            ),
            _sp(
                "jarosite",
                "solid",
                3.10,
                _f("KFe3(SO4)2(OH)6"),
                description="(hydronium/potassium) jarosite, as KFe3(SO4)2(OH)6 [L]",
            ),
            _sp("sulfur", "solid", 2.07, _f("S"), description="elemental sulfur S0 [L]"),
            _sp(
                "chalcocite",
                "solid",
                5.65,
                _f("Cu2S"),
                description="chalcocite Cu2S [L]",
            ),
            _sp(
                "cu2s",
                "solid",
                5.60,
                _f("Cu2S"),
                description="copper sulfide precipitated from cyanide solution by SART, as Cu2S (synthetic chalcocite/digenite); density of chalcocite 5.5-5.8 t/m³ [L], element fractions of Cu2S [S]",
            ),
            _sp(
                "ag2s",
                "solid",
                7.2,
                _f("Ag2S"),
                description="silver sulfide precipitated from cyanide solution by SART, as Ag2S (acanthite, 7.2-7.4 t/m³ [L]); element fractions of Ag2S [S]",
            ),
            _sp(
                "cucn",
                "solid",
                2.92,
                _f("CuCN"),
                description="copper(I) cyanide precipitated from acidified cyanide solution by AVR, as CuCN (2.92 t/m³, CRC Handbook [L]); element fractions of CuCN [S]",
            ),
            _sp(
                "cuscn",
                "solid",
                2.85,
                _f("CuSCN"),
                description="copper(I) thiocyanate precipitated from acidified thiocyanate-bearing cyanide solution by AVR, as CuSCN (2.85 t/m³, CRC Handbook [L]); element fractions of CuSCN [S]",
            ),
            _sp(
                "metal_hydroxides",
                "solid",
                3.40,
                _f("Fe(OH)3"),
                description="ferric hydroxide Fe(OH)3 and other metal hydroxides from neutralisation/detox, as Fe(OH)3; density assumed [assumed]",
            ),
            _sp(
                "mno2",
                "solid",
                5.03,
                _f("MnO2"),
                description="manganese dioxide MnO2 (pyrolusite, 4.4-5.1 t/m³ [L]) from permanganate reduced in a glycine leach; leaves with the residue",
            ),
            _sp(
                "cu_hydroxide",
                "solid",
                3.37,
                _f("Cu(OH)2"),
                description="copper hydroxide Cu(OH)2 precipitated by neutralisation above pH ~7; density 3.37 t/m³ [L]",
            ),
            _sp(
                "cu_ferrocyanide",
                "solid",
                2.2,
                _f("Cu2Fe(CN)6"),
                description="copper ferrocyanide Cu2Fe(CN)6, the iron cyanide precipitated by INCO detox (Mudder, Botz & Smith 2001 §6.12); density assumed [assumed]",
            ),
            _sp(
                "au_pregrobbed",
                "solid",
                19.3,
                _f("Au"),
                hydraulic=2.10,
                description="dissolved gold adsorbed on the ore's carbonaceous matter (preg-robbed, Goodall, Leatham & Scales 2005, Miner. Eng. 18:1135; docs/models.md#cil), as Au; made by a cil/cip, not leachable; classifies with its carbonaceous host [assumed]",
            ),
            _sp(
                "steel",
                "solid",
                7.85,
                _f(STEEL_FORMULA),
                description="worn grinding-media steel, as Fe100C4Mn: 98.2 % Fe, 0.84 % C, 0.97 % Mn by mass, a high-carbon ball steel within SAE J403 grade 1080 (0.75-0.88 % C, 0.60-0.90 % Mn) [L; the grade assumed]; 7.85 t/m³ [L]",
            ),
            _sp(
                "cu_metal",
                "solid",
                8.96,
                _f("Cu"),
                description="metallic copper (electrowinning cathode deposit, zinc-cementation precipitate), 8.96 t/m³ [S]",
            ),
            _sp(
                "water",
                "solution",
                1.0,
                _f("H2O"),
                description="process water H2O, 1 t/m³ (SI units, oreflow's conventions)",
            ),
            _sp("au_aq", "solution", 1.0, _f("Au"), description="dissolved gold (as Au)"),
            _sp("ag_aq", "solution", 1.0, _f("Ag"), description="dissolved silver (as Ag)"),
            _sp("cu_aq", "solution", 1.0, _f("Cu"), description="dissolved copper (as Cu)"),
            _sp(
                "nacn",
                "solution",
                1.0,
                _f("NaCN"),
                description="free cyanide, as NaCN",
            ),
            _sp(
                "cn_wad",
                "solution",
                1.0,
                _f("CN"),
                description="weak-acid-dissociable cyanide complexes, as CN (their metal is in cu_aq, ag_aq, au_aq; their cation in the unit's dissolved salts)",
            ),
            _sp(
                "scn",
                "solution",
                1.0,
                _f("SCN"),
                description="thiocyanate, as SCN",
            ),
            _sp(
                "fe_cn",
                "solution",
                1.0,
                _f("Fe(CN)6"),
                description="iron cyanide complexes (ferro-/ferricyanide, strong-acid dissociable), as the Fe(CN)6 anion; tenors are set and reported as CN (x 6 CN / Fe(CN)6, ``FE_CN_AS_CN``)",
            ),
            _sp("ocn", "solution", 1.0, _f("OCN"), description="cyanate, as OCN"),
            _sp("h2so4", "solution", 1.0, _f("H2SO4"), description="free sulfuric acid, as H2SO4"),
            _sp("so4_aq", "solution", 1.0, _f("SO4"), description="dissolved sulfate, as SO4"),
            _sp("fe_aq", "solution", 1.0, _f("Fe"), description="dissolved iron, as Fe"),
            _sp(
                "hs_aq",
                "solution",
                1.0,
                _f("S"),
                description="dissolved sulfide (HS-, H2S, S2-) from a sulfidising reagent such as NaHS, as S",
            ),
            _sp(
                "co2",
                "solution",
                1.0,
                _f("CO2"),
                description="carbon dioxide from carbonates and organic carbon, as CO2; leaves oxidation vessels by their vent [S stoichiometry]",
            ),
            _sp("as_aq", "solution", 1.0, _f("As"), description="dissolved arsenic, as As"),
            _sp("s2o3", "solution", 1.0, _f("S2O3"), description="thiosulfate ion S2O3"),
            _sp(
                "polythionates",
                "solution",
                1.0,
                _f("S4O6"),
                description="tetrathionate and higher polythionates, as S4O6",
            ),
            _sp(
                "glycine",
                "solution",
                1.0,
                _f("C2H5NO2"),
                description="glycine C2H5NO2",
            ),
            _sp("nh3", "solution", 1.0, _f("NH3"), description="ammonia NH3"),
            _sp("cl_aq", "solution", 1.0, _f("Cl"), description="chloride, as Cl"),
            _sp(
                "hocl",
                "solution",
                1.0,
                _f("HOCl"),
                description="active chlorine (hypochlorous acid / hypochlorite), as HOCl; tenors are set and reported as Cl2 equivalent (1 mol HOCl takes 2 e-, as 1 mol Cl2; ``HOCL_PER_CL2``)",
            ),
            _sp(
                "carbon",
                "adsorbent",
                1.0,
                _f("C"),
                description="activated carbon (mass of carbon), as C; its ash ignored [assumed]",
            ),
            _sp("au_carbon", "adsorbent", 1.0, _f("Au"), description="gold loaded on carbon"),
            _sp("ag_carbon", "adsorbent", 1.0, _f("Ag"), description="silver loaded on carbon"),
            _sp("cu_carbon", "adsorbent", 1.0, _f("Cu"), description="copper loaded on carbon"),
            _sp(
                "resin",
                "adsorbent",
                1.0,
                _f(_RESIN),
                description="strong-base anion-exchange resin (mass of resin), as its repeat unit C12H18NCl [assumed]",
            ),
            _sp("au_resin", "adsorbent", 1.0, _f("Au"), description="gold loaded on resin"),
            _sp("ag_resin", "adsorbent", 1.0, _f("Ag"), description="silver loaded on resin"),
            _sp("cu_resin", "adsorbent", 1.0, _f("Cu"), description="copper loaded on resin"),
            _sp(
                "galena",
                "solid",
                7.58,
                bms.GALENA,
                description="galena PbS, 7.58 t/m³ [L] (Anthony et al., Handbook of Mineralogy: 7.58 measured, 7.60 calculated)",
            ),
            _sp(
                "sphalerite",
                "solid",
                4.00,
                bms.SPHALERITE,
                description="sphalerite (Zn,Fe)S with 15 mol % FeS (8.7 % Fe, marmatitic; SPHALERITE_FE_MOLE_FRAC [assumed]), 3.9-4.2 t/m³ [L], falling with iron",
            ),
            _sp(
                "bornite",
                "solid",
                5.07,
                bms.BORNITE,
                description="bornite Cu5FeS4, 5.06-5.09 t/m³ [L]",
            ),
            _sp(
                "tetrahedrite",
                "solid",
                4.97,
                bms.TETRAHEDRITE,
                description="tetrahedrite Cu12Sb4S13 (end member; natural fahlore carries Fe, Zn, Ag for Cu), 4.6-5.1 t/m³, 4.97 [L]",
            ),
            _sp(
                "tennantite",
                "solid",
                4.62,
                bms.TENNANTITE,
                description="tennantite Cu12As4S13 (end member of the fahlore series with tetrahedrite), 4.62 t/m³ [L]",
            ),
        )
    }
)


#: Tonnes of the iron cyanide species ``fe_cn`` (as the Fe(CN)6 anion) per tonne of
#: its cyanide, as CN: tenors of ``fe_cn`` are set and reported as CN, the analytical
#: convention for total cyanide (Mudder, Botz & Smith 2001), and converted here.
FE_CN_PER_CN = 1.0 / (CATALOGUE["fe_cn"].elements["c"] + CATALOGUE["fe_cn"].elements["n"])
#: Tonnes of the active-chlorine species ``hocl`` (as HOCl) per tonne of its Cl2
#: equivalent: active chlorine is dosed and reported as Cl2 (HOCl + H+ + 2 e- -> Cl- +
#: H2O takes the electrons of one Cl2), and converted here.
HOCL_PER_CL2 = formula_mass_g_mol("HOCl") / formula_mass_g_mol("Cl2")
#: Tonnes of species per tonne of the basis its tenor is given in (mg/L) [-], for the
#: species whose mass basis differs from the basis of their tenors.
TENOR_BASIS: MappingProxyType = MappingProxyType({"fe_cn": FE_CN_PER_CN, "hocl": HOCL_PER_CL2})


@dataclass(frozen=True)
class SizeClasses:
    """Size-class series of a case.

    Attributes
    ----------
    edges_um : tuple of float
        Descending class edges [µm]; the last class is the sink below the last edge.
    """

    edges_um: tuple[float, ...]

    @property
    def n_cls(self) -> int:
        """Number of classes including the sink."""
        return len(self.edges_um)

    def edges(self) -> np.ndarray:
        """Edges as a float64 array [µm]."""
        return np.asarray(self.edges_um, dtype=np.float64)

    def representative_um(self) -> np.ndarray:
        """Geometric-mean size of each class; the sink uses e_last/√2 [µm] (Austin, Klimpel & Luckie 1984; Whiten 1974; Herbst & Fuerstenau 1980; docs/models.md#ball_mill)."""
        e = self.edges()
        rep = np.empty_like(e)
        rep[:-1] = np.sqrt(e[:-1] * e[1:])
        rep[-1] = e[-1] / np.sqrt(2.0)
        return rep

    def labels(self) -> tuple[str, ...]:
        """Human labels such as ``-4750+3359`` and ``-26`` for the sink."""
        e = self.edges_um
        out = [f"-{e[c]:.4g}+{e[c + 1]:.4g}" for c in range(len(e) - 1)]
        out.append(f"-{e[-1]:.4g}")
        return tuple(out)


@dataclass(frozen=True)
class ComponentSet:
    """The species and size classes of a case, and the stream-vector layout."""

    sizes: SizeClasses
    solids: tuple[Species, ...]
    solution: tuple[Species, ...]
    adsorbent: tuple[Species, ...]

    @property
    def n_cls(self) -> int:
        """Number of size classes including the sink."""
        return self.sizes.n_cls

    @property
    def n_solid(self) -> int:
        """Number of solid species."""
        return len(self.solids)

    @property
    def n_solids_comp(self) -> int:
        """Length of the solids block (classes x solid species)."""
        return self.n_cls * self.n_solid

    @property
    def n_comp(self) -> int:
        """Length of the stream vector."""
        return self.n_solids_comp + len(self.solution) + len(self.adsorbent)

    @property
    def species(self) -> tuple[Species, ...]:
        """All species, solids first."""
        return self.solids + self.solution + self.adsorbent

    @functools.cached_property
    def _solid_at(self) -> dict[str, int]:
        """Index of each solid species by name (looked up thousands of times a batch)."""
        return {s.name: i for i, s in enumerate(self.solids)}

    @functools.cached_property
    def _solution_at(self) -> dict[str, int]:
        return {s.name: i for i, s in enumerate(self.solution)}

    @functools.cached_property
    def _species_matrix(self) -> np.ndarray:
        matrix = np.array(
            [[s.elements.get(el, 0.0) for el in ELEMENTS] for s in self.species], dtype=np.float64
        ).reshape(len(self.species), len(ELEMENTS))
        matrix.flags.writeable = False
        return matrix

    def solid_index(self, name: str) -> int:
        """Index of a solid species within the solids block's species axis."""
        at = self._solid_at.get(name)
        return [s.name for s in self.solids].index(name) if at is None else at

    def solution_offset(self, name: str) -> int:
        """Position of a solution species in the stream vector."""
        at = self._solution_at.get(name)
        if at is None:
            at = [s.name for s in self.solution].index(name)  # raises ValueError
        return self.n_solids_comp + at

    def adsorbent_offset(self, name: str) -> int:
        """Position of an adsorbent species in the stream vector."""
        names = [s.name for s in self.adsorbent]
        return self.n_solids_comp + len(self.solution) + names.index(name)

    def has(self, name: str) -> bool:
        """Whether the case declares a species of that name."""
        return (
            name in self._solid_at
            or name in self._solution_at
            or any(s.name == name for s in self.adsorbent)
        )

    def component_names(self) -> tuple[str, ...]:
        """One label per stream-vector entry: ``species[size]`` for solids."""
        labels = self.sizes.labels()
        solids = [f"{s.name}[{lab}]" for lab in labels for s in self.solids]
        return tuple(solids + [s.name for s in self.solution] + [s.name for s in self.adsorbent])

    def component_species(self) -> np.ndarray:
        """Index into ``species`` of each stream-vector entry, (n_comp,) int64."""
        solids = np.tile(np.arange(self.n_solid), self.n_cls)
        rest = np.arange(self.n_solid, len(self.species))
        return np.concatenate([solids, rest]).astype(np.int64)

    def component_size(self) -> np.ndarray:
        """Size class of each entry, -1 for solution and adsorbent, (n_comp,) int64."""
        solids = np.repeat(np.arange(self.n_cls), self.n_solid)
        rest = np.full(len(self.solution) + len(self.adsorbent), -1)
        return np.concatenate([solids, rest]).astype(np.int64)

    def component_phase(self) -> tuple[str, ...]:
        """Phase of each stream-vector entry."""
        return tuple(self.species[i].phase for i in self.component_species())

    def species_element_matrix(self) -> np.ndarray:
        """Mass fraction of each element (columns, ``ELEMENTS``) in each species, (n_species, n_el)."""
        return self._species_matrix.copy()

    def element_matrix(self) -> np.ndarray:
        """Mass fraction of each element (columns, ``ELEMENTS``) in each entry, (n_comp, n_el)."""
        return self._species_matrix[self.component_species()]

    def solids_view(self, x: np.ndarray) -> np.ndarray:
        """View of the solids block of stream array(s) as (..., n_cls, n_solid)."""
        lead = x.shape[:-1]
        return x[..., : self.n_solids_comp].reshape(*lead, self.n_cls, self.n_solid)

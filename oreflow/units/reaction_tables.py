"""The reaction table of every unit type, as stoichiometry, in one place.

Each table (``REACTIONS[type]``) lists the reactions a unit of that type may run,
between species of the catalogue and external reagents, gases and dissolved ions
(``oreflow.core.reactions.EXTERNALS``). The registry (``oreflow.units``) attaches each
table to its ``UnitType.reactions`` and refuses to load if a reaction does not balance
every element or if two paths with the same species changes take different reagents. The audit turns
each unit's species changes into extents of these reactions, and so into the
oxygen, lime, cyanide and water it takes in and the CO2, HCN and dissolved ions it
gives out (``oreflow.solvers.external_flows``).

Species recorded "as X" react as X: ``fe_aq`` is Fe, ``so4_aq`` is SO4, ``cn_wad`` is
CN; the ions they leave behind or need (H+, OH-, Na+, the oxygen of dissolved
oxyanions) are dissolved externals. ``H2O`` is water of reaction the kernels do not
move in or out of the process water [assumed: small against the pulp water].

Sources: sulfide oxidation, acid dissolution and carbonate reactions of pressure and
bacterial oxidation (Marsden & House 2006 §5.6-5.7; Thomas 2005, Dev. Miner. Process.
15, ch. 17; Papangelakis & Demopoulos 1990, Can. Metall. Q. 29:1), lime and limestone
neutralisation (Marsden & House 2006 §5.7), cyanidation, cyanate and thiocyanate
formation and copper cyanide complexes (Marsden & House 2006 ch. 6; Habashi 1966),
INCO SO2/air oxidation of cyanide and copper ferrocyanide (Mudder, Botz & Smith 2001
§6.12), SART sulfide precipitation (Fleming 2005, in Adams (ed.) Dev. Miner. Process.
15), AVR copper cyanide precipitation and HCN stripping (Dai, Simons & Breuer 2012,
Miner. Eng. 25:1, abstract only; Elbow Creek Engineering 2014, AVR flowsheet),
thiosulfate oxidation to tetrathionate (Aylmore & Muir 2001, Miner. Metall.
Process. 18:221), glycine oxidation (Eksteen & Oraby 2015, Miner. Eng. 70:36: abstract
only), carbon elution and electrowinning (Marsden & House 2006 ch. 7-8).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from oreflow.core.formulas import formula_mass_g_mol
from oreflow.core.reactions import Reaction

_P = Reaction.parse
_MH = "Marsden & House 2006"
_MBS = "Mudder, Botz & Smith 2001 §6.12"

# fmt: off
#: Gold, silver and copper changing phase without changing element: the lixiviant's
#: ligand is accounted by its own reactions.
_GOLD_LEACH = (
    _P("free gold dissolves", "au_free -> au_aq", _MH),
    _P("sulfide-locked gold dissolves", "au_sulfide -> au_aq", _MH),
    _P("silicate-locked gold dissolves", "au_silicate -> au_aq", _MH),
    _P("gravity gold dissolves", "au_grg -> au_aq", _MH),
    _P("silver dissolves", "ag -> ag_aq", _MH),
    _P("acanthite dissolves, its sulfide freed", "acanthite -> 2 ag_aq + S2-", _MH),
    _P("silver held in galena dissolves", "ag_galena -> ag_aq", _MH),
    _P("silver held in fahlore dissolves", "ag_tetrahedrite -> ag_aq", _MH),
    _P("silver alloyed in electrum dissolves", "ag_electrum -> ag_aq", _MH),
)
_CARBON = (
    _P("gold adsorbs on carbon", "au_aq -> au_carbon", _MH),
    _P("silver adsorbs on carbon", "ag_aq -> ag_carbon", _MH),
    _P("copper adsorbs on carbon", "cu_aq -> cu_carbon", _MH),
    _P("gold preg-robbed by the ore's carbon", "au_aq -> au_pregrobbed", _MH),
)
_RESIN = (
    _P("gold loads on resin", "au_aq -> au_resin", _MH),
    _P("silver loads on resin", "ag_aq -> ag_resin", _MH),
    _P("copper loads on resin", "cu_aq -> cu_resin", _MH),
)
_ACID = (
    _P("sulfuric acid dissociates", "h2so4 -> so4_aq + 2 H+", _MH),
    _P("ferric iron hydrolyses", "fe_aq + 3 OH- -> metal_hydroxides", _MH),
    _P("copper hydroxide precipitates", "cu_aq + 2 OH- -> cu_hydroxide", _MH),
    _P("scorodite dissolves or forms", "scorodite -> fe_aq + as_aq + 6 O_aq + 4 H+", _MH),
)
_C_PER_100G = 90.0 / formula_mass_g_mol("C")  # mol C in 100 g of carbonaceous matter
_TCM_BURNS = Reaction(
    "carbonaceous matter burns, its ash left as gangue",
    MappingProxyType(
        {"carbonaceous": -1.0, "O2": -_C_PER_100G, "co2": _C_PER_100G, "gangue": 0.1}
    ),
    _MH,
)
#: Sulfide, carbonate and iron reactions of an oxidation vessel (acid or alkaline POX,
#: bacterial oxidation): sulfur oxidised to sulfate or left elemental, iron to
#: hematite, ferric sulfate, basic ferric sulfate or jarosite, arsenic to scorodite or
#: arsenate, carbonates to gypsum and CO2, carbonaceous matter to CO2. Paths through an
#: intermediate (elemental sulfur, sulfuric acid) are also written whole, for cases
#: that do not declare the intermediate; the loader checks they take the same reagents.
_OXIDATION = (
    _P("pyrite to hematite and elemental sulfur", "4 pyrite + 3 O2 -> 2 hematite + 8 sulfur", _MH),
    _P("pyrrhotite to hematite and elemental sulfur", "4 pyrrhotite + 3 O2 -> 2 hematite + 4 sulfur", _MH),
    _P("elemental sulfur to sulfuric acid", "2 sulfur + 3 O2 + 2 H2O -> 2 h2so4", _MH),
    _P("pyrite to hematite and acid", "4 pyrite + 15 O2 + 8 H2O -> 2 hematite + 8 h2so4", _MH),
    _P("pyrite to hematite and sulfate", "4 pyrite + 15 O2 + 8 H2O -> 2 hematite + 8 so4_aq + 16 H+", _MH),
    _P("pyrite to ferric sulfate and acid", "2 pyrite + 7.5 O2 + H2O -> 2 fe_aq + 3 so4_aq + h2so4", _MH),
    _P("pyrite oxidised, acid taken by calcite (alkaline POX)", "4 pyrite + 8 calcite + 15 O2 + 16 H2O -> 2 hematite + 8 gypsum + 8 co2", _MH),
    _P("pyrrhotite to hematite and acid", "4 pyrrhotite + 9 O2 + 4 H2O -> 2 hematite + 4 h2so4", _MH),
    _P("pyrrhotite oxidised, acid taken by calcite (alkaline POX)", "4 pyrrhotite + 9 O2 + 4 calcite + 8 H2O -> 2 hematite + 4 gypsum + 4 co2", _MH),
    _P("arsenopyrite to scorodite", "2 arsenopyrite + 7 O2 + 6 H2O -> 2 scorodite + 2 h2so4", _MH),
    _P("arsenopyrite to scorodite, acid taken by calcite (alkaline POX)", "2 arsenopyrite + 7 O2 + 2 calcite + 8 H2O -> 2 scorodite + 2 gypsum + 2 co2", _MH),
    _P("chalcopyrite dissolves", "chalcopyrite + 4 O2 -> cu_aq + fe_aq + 2 so4_aq", _MH),
    _P("siderite to hematite", "4 siderite + O2 -> 2 hematite + 4 co2", _MH),
    _P("calcite neutralises acid", "calcite + h2so4 + H2O -> gypsum + co2", _MH),
    _P("dolomite neutralises acid", "dolomite + 2 h2so4 -> gypsum + Mg2+ + so4_aq + 2 co2", _MH),
    _P("lime neutralises acid", "h2so4 + CaO + H2O -> gypsum", _MH),
    _P("pyrite oxidised, acid taken by lime (alkaline POX)", "4 pyrite + 15 O2 + 8 CaO + 16 H2O -> 2 hematite + 8 gypsum", _MH),
    _P("hematite dissolves as ferric sulfate", "hematite + 3 h2so4 -> 2 fe_aq + 3 so4_aq + 3 H2O", _MH),
    _P("basic ferric sulfate forms", "hematite + 2 h2so4 -> 2 basic_ferric_sulfate + H2O", _MH),
    _P("jarosite precipitates", "3 fe_aq + 2 so4_aq + K+ + 6 OH- -> jarosite", _MH),
    _P("sulfide-locked gold liberated", "au_sulfide -> au_free", _MH),
    _TCM_BURNS,
    _P("sulfuric acid dissociates", "h2so4 -> so4_aq + 2 H+", _MH),
    _P("scorodite dissolves or forms", "scorodite -> fe_aq + as_aq + 6 O_aq + 4 H+", _MH),
)
#: Lime (as CaO) neutralisation of acid, dissolved metals, basic ferric sulfate and
#: jarosite; the ore's own carbonates neutralise acid too.
_NEUTRALISATION = (
    _P("lime neutralises sulfuric acid", "h2so4 + CaO + H2O -> gypsum", _MH),
    _P("basic ferric sulfate to hydroxide and gypsum", "basic_ferric_sulfate + CaO + 3 H2O -> metal_hydroxides + gypsum", _MH),
    _P("jarosite to hydroxide and gypsum, a quarter of its sulfate left dissolved", "jarosite + 1.5 CaO + 4.5 H2O -> 3 metal_hydroxides + 1.5 gypsum + 0.5 so4_aq + K+", _MH),
    _P("calcite neutralises acid", "calcite + h2so4 + H2O -> gypsum + co2", _MH),
    _P("dolomite neutralises acid", "dolomite + 2 h2so4 -> gypsum + Mg2+ + so4_aq + 2 co2", _MH),
    *_ACID,
)
#: Cyanide: complexed by copper (WAD), oxidised to cyanate, turned to thiocyanate by
#: the sulfide of minerals or elemental sulfur, or lost as HCN; minerals dissolve.
_CYANIDE = (
    _P("cyanide complexes a metal (WAD)", "nacn -> cn_wad + Na+", _MH),
    _P("cyanide oxidised to cyanate", "2 nacn + O2 -> 2 ocn + 2 Na+", _MH),
    _P("cyanide consumed, lost as HCN", "nacn + H2O -> HCN_gas + Na+ + OH-", _MH),
    _P("cyanide takes the sulfide of a mineral (SCN)", "nacn + S2- -> scn + Na+", _MH),
    _P("cyanide takes elemental sulfur (SCN)", "nacn + sulfur -> scn + Na+", _MH),
    _P("chalcocite dissolves", "chalcocite -> 2 cu_aq + S2-", _MH),
    _P("chalcopyrite dissolves, iron to hydroxide", "chalcopyrite + 3 OH- -> cu_aq + metal_hydroxides + 2 S2-", _MH),
    _P("pyrrhotite gives its sulfide, iron to hydroxide", "pyrrhotite + 3 OH- -> metal_hydroxides + S2-", _MH),
    _P("pyrite gives its sulfide, iron to hydroxide", "pyrite + 3 OH- -> metal_hydroxides + 2 S2-", _MH),
    _P("iron dissolves", "pyrrhotite -> fe_aq + S2-", _MH),
    _P("sulfide oxidised to sulfate", "S2- + 2 O2 -> so4_aq", _MH),
)
#: INCO SO2/air: the SO2 enters as sulfate (the unit adds ``so4_aq``), the air's oxygen
#: oxidises free and WAD cyanide to cyanate; copper precipitates as hydroxide or, with
#: iron cyanide, as copper ferrocyanide.
_DETOX = (
    _P("SO2 oxidised to sulfate", "SO2 + 0.5 O2 + H2O -> so4_aq + 2 H+", _MBS),
    _P("copper sulfate catalyst dissolves", "CuSO4·5H2O -> cu_aq + so4_aq + 5 H2O", _MBS),
    _P("free cyanide to cyanate", "2 nacn + O2 -> 2 ocn + 2 Na+", _MBS),
    _P("WAD cyanide to cyanate", "2 cn_wad + O2 -> 2 ocn", _MBS),
    _P("copper hydroxide precipitates", "cu_aq + 2 OH- -> cu_hydroxide", _MBS),
    _P("copper ferrocyanide precipitates", "fe_cn + 2 cu_aq -> cu_ferrocyanide", _MBS),
)
_SART = (
    _P("copper sulfide precipitates", "2 cu_aq + hs_aq -> cu2s", "Fleming 2005"),
    _P("silver sulfide precipitates", "2 ag_aq + hs_aq -> ag2s", "Fleming 2005"),
    _P("cyanide freed from copper", "cn_wad + Na+ -> nacn", "Fleming 2005"),
    _P("cyanide lost as HCN from the acidified solution", "nacn + H2O -> HCN_gas + Na+ + OH-", "Fleming 2005"),
    _P("lime neutralises the acid", "h2so4 + CaO + H2O -> gypsum", "Fleming 2005"),
    _P("sulfate with lime to gypsum", "so4_aq + CaO + 2 H+ + H2O -> gypsum", "Fleming 2005"),
)
#: The eluant's caustic and cyanide and the acid wash: dissolved, they leave with the
#: spent eluant and wash water (to the leach or tailings) as ions.
_ELUANT = (
    _P("caustic soda of the eluant", "NaOH -> Na+ + OH-", _MH, driver="use_naoh_kg_h"),
    _P("cyanide of the eluant", "NaCN -> Na+ + CN-", _MH, driver="use_nacn_kg_h"),
    _P("hydrochloric acid wash", "HCl -> H+ + Cl-", _MH, driver="use_hcl_kg_h"),
)
#: SART's bought reagents: the sulfide of NaHS (or Na2S) and the sulfate of the acid are
#: the ``hs_aq`` and ``so4_aq`` the unit adds, their sodium and hydrogen left dissolved;
#: lime beyond what makes gypsum dissolves.
_SART_BOUGHT = (
    _P("sodium hydrosulfide bought, its sulfide added", "NaHS -> S_added + Na+ + H+", "Fleming 2005", driver="use_nahs_kg_h"),
    _P("sodium sulfide bought, its sulfide added", "Na2S -> S_added + 2 Na+", "Fleming 2005", driver="use_na2s_kg_h"),
    _P("sulfuric acid bought, its sulfate added", "H2SO4 -> SO4_added + 2 H+", "Fleming 2005", driver="use_h2so4_kg_h"),
    _P("lime beyond what makes gypsum, dissolved", "CaO + H2O -> Ca2+ + 2 OH-", "Fleming 2005", driver="use_lime_kg_h", surplus=True),
)
#: AVR: copper cyanide (or thiocyanate) precipitates, the rest of the complexes' cyanide
#: and the free cyanide go to HCN; what the caustic scrubber absorbs or the lime
#: re-neutralises is free cyanide again (no net change), what the stack loses is HCN.
_AVR = (
    _P("copper cyanide precipitates", "cu_aq + cn_wad -> cucn", "Dai, Simons & Breuer 2012"),
    _P("copper thiocyanate precipitates", "cu_aq + scn -> cuscn", "Dai, Simons & Breuer 2012"),
    _P("cyanide freed from copper", "cn_wad + Na+ -> nacn", "Dai, Simons & Breuer 2012"),
    _P("HCN lost by the stack", "nacn + H2O -> HCN_gas + Na+ + OH-", "Elbow Creek Engineering 2014"),
    _P("sulfate with lime to gypsum", "so4_aq + CaO + 2 H+ + H2O -> gypsum", "Elbow Creek Engineering 2014"),
    _P("caustic soda to the absorber", "NaOH -> Na+ + OH-", "Elbow Creek Engineering 2014", driver="use_naoh_kg_h"),
)
_ELUTION = (
    _P("gold eluted", "au_carbon -> au_aq", _MH),
    _P("silver eluted", "ag_carbon -> ag_aq", _MH),
    _P("copper eluted", "cu_carbon -> cu_aq", _MH),
    _P("gold eluted from resin", "au_resin -> au_aq", _MH),
    _P("silver eluted from resin", "ag_resin -> ag_aq", _MH),
    _P("copper eluted from resin", "cu_resin -> cu_aq", _MH),
)
_ELECTROWINNING = (
    _P("gold plated", "au_aq -> au_free", _MH),
    _P("silver plated", "ag_aq -> ag", _MH),
    _P("copper plated", "cu_aq -> cu_metal", _MH),
)
_MERRILL_CROWE = (
    _P("gold cemented on zinc", "au_aq -> au_free", _MH),
    _P("silver cemented on zinc", "ag_aq -> ag", _MH),
    _P("copper cemented on zinc", "cu_aq -> cu_metal", _MH),
    _P("cyanide taken by the zinc, as HCN equivalent", "nacn + H2O -> HCN_gas + Na+ + OH-", _MH),
    _P("cyanide freed from the cemented copper", "cn_wad + Na+ -> nacn", _MH),
)
_EVAPORATION = (_P("water evaporates from the heap and ponds", "water -> H2O_gas", _MH),)
_THIOSULFATE = (
    *_GOLD_LEACH,
    *_RESIN,
    _P("thiosulfate oxidised to tetrathionate", "2 s2o3 -> polythionates", "Aylmore & Muir 2001"),
    _P("ammonia lost", "nh3 -> NH3_gas", "Aylmore & Muir 2001"),
)
_GLYCINE = (
    *_GOLD_LEACH,
    *_CARBON,
    *_CYANIDE,
    _P("glycine oxidised", "glycine + 1.5 O2 + H+ -> 2 CO2_gas + NH4+ + H2O", "Eksteen & Oraby 2015"),
    _P("permanganate reduced to MnO2, its oxygen given to the leach", "2 KMnO4 + H2O -> 2 mno2 + 2 K+ + 2 OH- + 1.5 O2", "Oraby, Eksteen & O'Connor 2020"),
)
#: Chloride/hypochlorite leach (``oreflow.units.halide``): active chlorine (``hocl``, as
#: HOCl) is reduced to chloride, its oxygen equivalent (HOCl + H+ + 2 e- = Cl- + H2O,
#: half an O2 per HOCl) oxidising the sulfides completely (Fe(III), sulfate, arsenate,
#: Cu(II), as the unit's electron count) or leaving with what decomposes; oxidised iron
#: dissolves or hydrolyses to Fe(OH)3; the oxidant and salt bought deliver the HOCl and
#: chloride the unit adds, their sodium left dissolved; NaOH, lime and HCl adjust pH.
_HL = "Marsden & House 2006 ch. 7"
_HALIDE = (
    *_GOLD_LEACH,
    *_CARBON,
    *_RESIN,
    _P("active chlorine reduced to chloride, its oxygen given", "2 hocl -> 2 cl_aq + 2 H+ + O2", _HL),
    _P("chloride of hydrolysed chlorine gas joins the chloride", "Cl- -> cl_aq", _HL),
    _P("pyrite oxidised to ferric iron and sulfate", "pyrite + 3.75 O2 + 0.5 H2O -> fe_aq + 2 so4_aq + H+", _HL),
    _P("pyrrhotite oxidised to ferric iron and sulfate", "pyrrhotite + 2.25 O2 + H+ -> fe_aq + so4_aq + 0.5 H2O", _HL),
    _P("arsenopyrite oxidised to ferric iron, arsenate and sulfate", "arsenopyrite + 3.5 O2 + H2O -> fe_aq + as_aq + so4_aq + 4 O_aq + 2 H+", _HL),
    _P("chalcopyrite oxidised to Cu(II), ferric iron and sulfate", "chalcopyrite + 4.25 O2 + H+ -> cu_aq + fe_aq + 2 so4_aq + 0.5 H2O", _HL),
    _P("chalcocite oxidised to Cu(II) and sulfate", "chalcocite + 2.5 O2 + 2 H+ -> 2 cu_aq + so4_aq + H2O", _HL),
    _P("elemental sulfur oxidised to sulfate", "sulfur + 1.5 O2 + H2O -> so4_aq + 2 H+", _HL),
    _P("ferric iron hydrolyses to Fe(OH)3", "fe_aq + 3 H2O -> metal_hydroxides + 3 H+", _HL),
    # the same, iron to Fe(OH)3 directly, for cases that declare no dissolved iron
    _P("pyrite oxidised to Fe(OH)3 and sulfate", "pyrite + 3.75 O2 + 3.5 H2O -> metal_hydroxides + 2 so4_aq + 4 H+", _HL),
    _P("pyrrhotite oxidised to Fe(OH)3 and sulfate", "pyrrhotite + 2.25 O2 + 2.5 H2O -> metal_hydroxides + so4_aq + 2 H+", _HL),
    _P("arsenopyrite oxidised to Fe(OH)3, arsenate and sulfate", "arsenopyrite + 3.5 O2 + 4 H2O -> metal_hydroxides + as_aq + so4_aq + 4 O_aq + 5 H+", _HL),
    _P("chalcopyrite oxidised to Cu(II), Fe(OH)3 and sulfate", "chalcopyrite + 4.25 O2 + 2.5 H2O -> cu_aq + metal_hydroxides + 2 so4_aq + 2 H+", _HL),
    _P("sodium hypochlorite bought, its HOCl added", "NaOCl + H2O -> HOCl_added + Na+ + OH-", _HL, driver="use_naocl_kg_h"),
    _P("chlorine gas bought, hydrolysed to HOCl (added) and HCl", "Cl2 + H2O -> HOCl_added + H+ + Cl-", _HL, driver="use_cl2_kg_h"),
    _P("salt bought, its chloride added", "NaCl -> Cl_added + Na+", _HL, driver="use_nacl_kg_h"),
    _P("caustic soda neutralises acid", "NaOH -> Na+ + OH-", _HL, driver="use_naoh_kg_h"),
    _P("hydrochloric acid added", "HCl -> H+ + Cl-", _HL, driver="use_hcl_kg_h"),
)
#: Reagents a unit buys that react with externals only: their extent is the unit's
#: own figure of what it buys.
_SMBS = _P("metabisulfite gives its SO2", "Na2S2O5 + H2O -> 2 SO2 + 2 Na+ + 2 OH-", _MBS, driver="use_smbs_kg_h")
_SO2_LEFT = _P("SO2 no sulfate species takes, oxidised to dissolved sulfate", "SO2 + 0.5 O2 + H2O -> SO4_2- + 2 H+", _MBS, driver="use_smbs_kg_h", mop_up=True)
_CUSO4_LEFT = _P("copper sulfate no copper species takes, dissolved (case without cu_aq)", "CuSO4·5H2O -> Cu2+ + SO4_2- + 5 H2O", _MBS, driver="use_cuso4_kg_h", surplus=True)
_LIME_ALKALI = _P("lime raises the pH, its calcium left dissolved", "CaO + H2O -> Ca2+ + 2 OH-", _MH, driver="use_lime_kg_h")
_NAOH_ALKALI = _P("caustic soda raises the pH, its sodium left dissolved", "NaOH -> Na+ + OH-", _MH, driver="use_naoh_kg_h")
_LIMESTONE = _P("limestone takes acid as lime, its CO2 vented", "CaCO3 -> CaO + CO2_gas", _MH, driver="use_limestone_kg_h", less_added="calcite")
_SODA_ASH = _P("soda ash takes acid, its CO2 vented", "Na2CO3 + 2 H+ -> 2 Na+ + CO2_gas + H2O", _MH, driver="use_soda_ash_kg_h")
#: The available CaO of the quicklime a neutralisation buys (``lime_cao_kg_h``: the
#: priced lime times ``lime_cao_frac``) beyond what its reactions take (the
#: ``lime_excess_frac`` for the solids' buffering), and the lime of reacted limestone
#: no reaction takes: dissolved as Ca2+ and OH- (Ca(OH)2 in the residue water).
_LIME_LEFT = _P("lime beyond what reacts, dissolved", "CaO + H2O -> Ca2+ + 2 OH-", _MH, driver="lime_cao_kg_h", surplus=True)
_O2_VENTED = _P("oxygen bought beyond what reacts, vented", "O2 -> O2_gas", _MH, driver="use_o2_kg_h", surplus=True)
# fmt: on

_TC = "two-stage roasting ('Selective arsenic-fixing roast of refractory gold concentrate', introduction)"
_TCM_ROASTED = Reaction(
    "carbonaceous matter burns in the roaster, its CO2 vented, its ash left as gangue",
    MappingProxyType(
        {"carbonaceous": -1.0, "O2": -_C_PER_100G, "CO2_gas": _C_PER_100G, "gangue": 0.1}
    ),
    _TC,
)
# fmt: off
#: Two-stage roasting (``oreflow.units.roaster``): arsenic volatilised and condensed as
#: As2O3, sulfide burnt to hematite and SO2, carbon to CO2, calcite sulfated; the
#: quench water hydrates ferric arsenate and calcium sulfate; the cake moisture is
#: evaporated; air's N2 and the unused O2 leave with the off-gas; natural gas burns
#: where the roast is not autogenous; the acid plant turns SO2 into sulfuric acid.
_ROASTING = (
    _P("arsenopyrite to pyrrhotite and As4O6, condensed as As2O3", "2 arsenopyrite + 1.5 O2 -> as2o3 + 2 pyrrhotite", _TC),
    _P("pyrite loses its labile sulfur", "pyrite + O2 -> pyrrhotite + SO2_gas", _TC),
    _P("pyrrhotite to magnetite", "3 pyrrhotite + 5 O2 -> magnetite + 3 SO2_gas", _TC),
    _P("pyrite to hematite", "4 pyrite + 11 O2 -> 2 hematite + 8 SO2_gas", _TC),
    _P("pyrrhotite to hematite", "4 pyrrhotite + 7 O2 -> 2 hematite + 4 SO2_gas", _TC),
    _P("magnetite to hematite", "4 magnetite + O2 -> 6 hematite", _TC),
    _P("arsenopyrite to ferric arsenate in the calcine", "2 arsenopyrite + 6 O2 + 4 H2O -> 2 scorodite + 2 SO2_gas", _TC),
    _P("As2O3 fixed as ferric arsenate with calcine iron", "as2o3 + hematite + O2 + 4 H2O -> 2 scorodite", _TC),
    _P("calcite takes SO2 as calcium sulfate", "calcite + SO2_gas + 0.5 O2 + 2 H2O -> gypsum + CO2_gas", _TC),
    _P("off-gas SO2 scrubbed with lime to gypsum", "SO2_gas + CaO + 0.5 O2 + 2 H2O -> gypsum", _TC),
    _TCM_ROASTED,
    _P("sulfide-locked gold freed into the porous calcine", "au_sulfide -> au_free", _TC),
    _P("cake moisture evaporated", "water -> H2O_gas", _TC),
    _P("natural gas burnt", "CH4 + 2 O2 -> CO2_gas + 2 H2O_gas", _TC, driver="use_natural_gas_kg_h"),
    _P("oxygen supplied beyond what reacts, in the off-gas", "O2 -> O2_gas", _TC, driver="o2_supplied_kg_h", surplus=True),
    _P("nitrogen of the air, in the off-gas", "N2 -> N2_gas", _TC, driver="n2_supplied_kg_h"),
    _P("SO2 converted to sulfuric acid (acid plant)", "SO2_gas + 0.5 O2 + H2O -> H2SO4", "contact process stoichiometry (SO2 to SO3, absorbed in water)", driver="acid_plant_so2_kg_h"),
)
# fmt: on

#: Unit type -> its reaction table.
REACTIONS: Mapping[str, tuple[Reaction, ...]] = MappingProxyType(
    {
        "pox_acid": (*_OXIDATION, _LIMESTONE, _SODA_ASH, _O2_VENTED),
        "pox_alkaline": (*_OXIDATION, _LIMESTONE, _SODA_ASH, _O2_VENTED),
        "bio_oxidation": (*_OXIDATION, _O2_VENTED),
        "neutralisation": (*_NEUTRALISATION, _LIMESTONE, _LIME_LEFT),
        "cil": (*_GOLD_LEACH, *_CARBON, *_CYANIDE, _LIME_ALKALI),
        "cip": (*_GOLD_LEACH, *_CARBON, *_CYANIDE, _LIME_ALKALI),
        "inco_detox": (*_DETOX, _SMBS, _SO2_LEFT, _LIME_ALKALI, _CUSO4_LEFT),
        "sart": (*_SART, *_SART_BOUGHT),
        "avr": (*_AVR, *_SART_BOUGHT),
        "elution": (*_ELUTION, *_ELUANT),
        "electrowinning": _ELECTROWINNING,
        "merrill_crowe": _MERRILL_CROWE,
        "thiosulfate_ril": (*_THIOSULFATE, _LIME_ALKALI),
        "glycine_leach": (*_GLYCINE, _NAOH_ALKALI, _LIME_ALKALI),
        "halide_leach": (*_HALIDE, _LIME_ALKALI),
        "heap_leach": (*_GOLD_LEACH, *_CYANIDE, *_EVAPORATION),
        "glycine_heap_leach": (*_GLYCINE, *_EVAPORATION),
        "thiosulfate_heap_leach": (*_THIOSULFATE, *_EVAPORATION),
        "roaster": _ROASTING,
        "smelting": (_P("carbon fines burn", "carbon + O2 -> CO2_gas", _MH),),
        "ball_mill": (_P("gravity gold reports as free gold", "au_grg -> au_free", _MH),),
    }
)

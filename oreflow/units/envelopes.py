"""Operating envelopes of the unit types: the ranges of their figures a plant runs in.

Each entry bounds a figure a unit reports (or a parameter it is given, such as an
autoclave's temperature, or its circuit's figure, such as a ball mill's circulating
load). After every simulation each bound is checked (a warning in ``run``, naming the
unit, the figure, the range and its source); in ``optimize`` the same figures are
accepted under ``[constraints]`` and the verified plan is checked against every
envelope.

Sources
-------
- Circulating load: 150-350 % in closed ball-mill circuits, higher loads adding little
  classification benefit and overloading mill and pumps (Napier-Munn, Morrell, Morrison
  & Kojovic 1996, *Mineral Comminution Circuits*, JKMRC Monograph 2, ch. 11; Wills &
  Finch 2016, *Wills' Mineral Processing Technology* 8th ed., §7.7). The upper bound
  used here, 400 %, sits above that range so that only the unworkable is flagged.
- Ball-mill charge filling: overflow mills run 30-40 %, at most about 45 % before balls
  leave with the discharge (Rowland & Kjos 1980, in *Mineral Processing Plant Design*
  2nd ed., SME, pp. 239-278).
- Cyclone pressure: 35-150 kPa in grinding circuits, 50-100 kPa typical (Arterburn 1982,
  "The sizing and selection of hydrocyclones", in *Design and Installation of
  Comminution Circuits*, SME, pp. 592-607).
- Roping: the underflow ropes when its solids volume fraction exceeds about 0.56
  (Concha, Barrientos, Montero & Sampaio 1996, Int. J. Miner. Process. 44-45:743-749);
  ropes rather than sprays when the spigot is small relative to the vortex finder.
- Leach pulp density: CIL/CIP pulps at 35-50 % solids w/w, the upper end limited by
  viscosity (carbon suspension, oxygen transfer) (Marsden & House 2006, *The Chemistry
  of Gold Extraction* 2nd ed., SME, §7.6).
- Dissolved oxygen set point: a sparged tank holds at most ``C* − OUR/kLa`` of the gas
  it is sparged with (the steady gas-liquid balance, :mod:`oreflow.kernels.cyanidation`);
  above what oxygen holds the set point is out of the plant's reach.
- Free cyanide in CIL/CIP: 100-500 mg/L NaCN in practice (Marsden & House 2006 §7.6);
  the envelope, 50-1000 mg/L, is [assumed] around that range.
- Pressure oxidation temperature: whole-ore and concentrate acid POX for gold runs at
  190-230 °C; below about 160 °C sulfide oxidises partly to elemental sulfur, which melts
  (119 °C), coats sulfides and occludes gold, and above 230 °C the vessel's design
  pressure is exceeded (Thomas 2005, in Adams ed. *Advances in Gold Ore Processing*,
  Elsevier, ch. 14; Marsden & House 2006 §5.7).
- Tailings discharge: WAD cyanide at most 50 mg/L at each point of discharge into a
  tailings facility (International Cyanide Management Code; Mudder, Botz & Smith 2001,
  *Chemistry and Treatment of Cyanidation Wastes*, §6.12), or, with ``rules = "hj943"``,
  the total cyanide of the residue's standard leachate at most the unit's limit (China
  HJ 943-2018; ``oreflow.units.residue_rules``, figures [not confirmed]).
- Leachable metals: under ``rules = "hj943"`` the Cu, Zn, Pb, As and Ag of the residue's
  standard leachate at most each destination's limits (storage and building materials:
  GB 5085.3-2007; backfill: GB 8978-1996 first grade, [not confirmed];
  ``oreflow.units.residue_metals``), at the tailings discharge, the paste fill and the
  building-materials plant.
- Thickener underflow: conventional and high-rate thickeners deliver up to about 65-70 %
  solids; above that is paste, another machine (Concha 2014, *Solid-Liquid Separation
  in the Mining Industry*, Springer, ch. 8).
"""

from __future__ import annotations

from types import MappingProxyType

from oreflow.units.base import EnvelopeLimit

_JKMRC = "Napier-Munn et al. 1996 JKMRC Monograph 2 ch. 11; Wills & Finch 2016 §7.7"
_ROWLAND = "Rowland & Kjos 1980, Mineral Processing Plant Design, SME"
_ARTERBURN = "Arterburn 1982, Design and Installation of Comminution Circuits, SME"
_CONCHA_ROPE = "Concha et al. 1996, Int. J. Miner. Process. 44-45:743"
_MARSDEN = "Marsden & House 2006, The Chemistry of Gold Extraction, §7.6"
_THOMAS = "Thomas 2005, Advances in Gold Ore Processing ch. 14; Marsden & House 2006 §5.7"
_CONCHA_THK = "Concha 2014, Solid-Liquid Separation in the Mining Industry, ch. 8"

_LEACH = (
    EnvelopeLimit(
        "pulp_solids_frac",
        0.30,
        0.55,
        _MARSDEN,
        "dilute pulp needs tank volume and cyanide; dense pulp is too viscous to "
        "suspend carbon and take up oxygen",
    ),
)

_OXYGEN = EnvelopeLimit(
    "do_shortfall_mg_l",
    None,
    0.005,
    "mass transfer: a tank holds at most C* - OUR/kLa of the gas it is sparged with "
    "(oreflow.units.oxygen_supply)",
    "the dissolved-oxygen set point is above what oxygen holds at the tanks' kla_per_h "
    "against the ore's uptake: raise the kLa (spargers, agitation) or lower the set point",
)

_CYANIDE = (
    EnvelopeLimit(
        "nacn_mg_l",
        50.0,
        1000.0,
        "plants hold 100-500 mg/L NaCN; " + _MARSDEN + " (bounds [assumed] around it)",
        "below it gold dissolution is cyanide-starved (the leach model is not fitted "
        "there); above it cyanide is wasted to detox",
    ),
)

_ICMC = "ICMC (International Cyanide Management Code) 50 mg/L WAD; Mudder, Botz & Smith 2001 §6.12"

_TAILINGS = (
    EnvelopeLimit(
        "wad_cn_mg_l",
        None,
        50.0,
        _ICMC,
        "WAD cyanide above the ICMC limit at the point of discharge into the tailings "
        "facility (open water accessible to wildlife): destroy cyanide upstream (inco_detox)",
        needs=(("rules", "icmc"),),
    ),
    EnvelopeLimit(
        "leachate_cn_limit_frac",
        None,
        1.0,
        "HJ 943-2018 (China), storage of cyanide residue in the tailings facility; "
        "limit figure [not confirmed], see oreflow.units.residue_rules",
        "the residue's standard leachate carries more total cyanide than HJ 943 allows "
        "for the tailings facility (leachate_total_cn_limit_mg_l): destroy cyanide upstream",
        needs=(("rules", "hj943"),),
    ),
)

_METALS = EnvelopeLimit(
    "leachate_metals_limit_frac",
    None,
    1.0,
    "GB 5085.3-2007 (storage, building materials), GB 8978-1996 first grade (backfill) "
    "under HJ 943-2018; figures partly [not confirmed], see oreflow.units.residue_metals",
    "a metal of the residue's standard leachate is above the destination's limit "
    "(leachate_<metal>_limit_mg_l): store it elsewhere or fix the metal upstream",
    needs=(("rules", "hj943"),),
)

#: Unit type -> its operating envelope.
ENVELOPES: MappingProxyType[str, tuple[EnvelopeLimit, ...]] = MappingProxyType(
    {
        "ball_mill": (
            EnvelopeLimit(
                "circulating_load_frac",
                None,
                4.0,
                _JKMRC,
                "the circuit recirculates more than the mill and its pumps pass",
            ),
            EnvelopeLimit(
                "charge_filling_frac",
                0.25,
                0.45,
                _ROWLAND,
                "an overflow mill loses balls above about 45 % filling",
            ),
            EnvelopeLimit(
                "slurry_m3_h_per_m3",
                None,
                8.0,
                "[assumed]; cf. the overflow-mill flow limits of Arbiter 1991 and Shi 2016",
                "slurry passes faster than an overflow mill holds it (overfilling)",
                needs=(("diameter_m", None), ("length_m", None)),
            ),
        ),
        "hydrocyclone": (
            EnvelopeLimit(
                "pressure_kpa",
                35.0,
                150.0,
                _ARTERBURN,
                "outside the cyclone's working range",
                needs=(("model", "plitt"),),
            ),
            EnvelopeLimit(
                "overflow_solids_frac",
                0.20,
                0.50,
                "[assumed] range of grinding-circuit overflows; " + _ARTERBURN,
                "a dilute overflow needs a thickener before leaching; a dense one cuts coarse",
            ),
            EnvelopeLimit(
                "underflow_solids_vol_frac",
                None,
                0.56,
                _CONCHA_ROPE,
                "the underflow ropes: coarse solids report to the overflow",
            ),
            EnvelopeLimit(
                "spigot_to_vortex_ratio",
                0.34,
                None,
                "[assumed] geometric roping guide after Mular & Jull 1980",
                "the spigot is too small for the vortex finder: the underflow ropes",
                needs=(("model", "plitt"),),
            ),
        ),
        "mixer": (
            EnvelopeLimit(
                "solids_frac_shortfall",
                None,
                0.005,
                "mass balance: dilution water only lowers % solids",
                "the target % solids is above what the inlets deliver; dilution cannot "
                "remove water (a thickener or cyclone is needed)",
                needs=(("solids_frac", None),),
            ),
        ),
        "thickener": (
            EnvelopeLimit(
                "underflow_solids_frac",
                None,
                0.70,
                _CONCHA_THK,
                "above about 70 % solids the underflow is paste (a paste thickener)",
            ),
            EnvelopeLimit(
                "underflow_solids_excess_frac",
                None,
                0.005,
                "mass balance: a thickener only removes water",
                "the feed is already denser than the underflow asked for: the set point "
                "cannot be met (a thickener adds no water)",
            ),
            EnvelopeLimit(
                "unit_area_m2_per_t_d",
                0.02,
                None,
                "high-rate thickeners 0.02-0.1 m²/(t/d); " + _CONCHA_THK,
                "the thickener is too small for its solids flux",
                needs=(("area_m2", None),),
            ),
        ),
        "ccd": (
            EnvelopeLimit(
                "underflow_solids_frac",
                None,
                0.70,
                _CONCHA_THK,
                "above about 70 % solids the underflow is paste (a paste thickener)",
            ),
        ),
        "pox_acid": (
            EnvelopeLimit(
                "temperature_degc",
                190.0,
                230.0,
                _THOMAS,
                "below 190 °C elemental sulfur forms and coats sulfides (molten above "
                "119 °C); above 230 °C the vessel's design pressure is exceeded",
            ),
            EnvelopeLimit(
                "residence_min",
                40.0,
                150.0,
                _THOMAS,
                "outside the 1-2 h of installed autoclaves (a short one leaves sulfide, a "
                "long one is an oversized vessel)",
            ),
        ),
        "tailings": (*_TAILINGS, _METALS),
        "paste_backfill": (_METALS,),
        "building_materials": (_METALS,),
        "cil": (*_LEACH, *_CYANIDE, _OXYGEN),
        "cip": (*_LEACH, *_CYANIDE, _OXYGEN),
        "glycine_leach": _LEACH,
        "thiosulfate_ril": (*_LEACH, _OXYGEN),
    }
)

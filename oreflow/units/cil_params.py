"""Parameter declarations of the carbon trains (``cil``, ``cip``, ``cic``).

The model and its sources are in the docstring of ``oreflow.units.cil``; each figure here
cites its own source or is marked assumed.
"""

from __future__ import annotations

from oreflow.core.schema import REQUIRED, Param, positive
from oreflow.units.adsorption_rate import (
    ADSORPTION_FORM_PARAMS,
    ADSORPTION_RATE_PARAMS,
    ADSORPTION_TEMPERATURE_PARAMS,
    COLUMN_TEMP_PARAM,
    COPPER_SPECIATION_PARAMS,
)
from oreflow.units.base import TableSchema
from oreflow.units.cil_kinetics import CYANIDATION_PARAMS, GRAIN_PARAMS, SULFIDE_O2_PARAMS
from oreflow.units.cyanide_chemistry import DISSOLUTION_PARAMS
from oreflow.units.oxygen_supply import OXYGEN_SUPPLY_PARAMS
from oreflow.units.slurry_heat import feed_temperature_param
from oreflow.units.tanks import SIZE_LAW_PARAMS

_TRAIN_PARAMS: tuple[Param, ...] = (
    Param(
        "n_tanks",
        "-",
        6,
        "number of equal leach tanks in series",
        "6-8 [L] Marsden & House 2006; Habashi 1966; docs/models.md#cil",
        kind=int,
        lo=1,
        hi=20,
    ),
    positive(
        "residence_h",
        "h",
        None,
        "total slurry residence time of the leach tanks (or give tank_volume_m3)",
        "24-48 h [L] Marsden & House 2006; Habashi 1966; docs/models.md#cil",
        hi=500.0,
    ),
    positive(
        "tank_volume_m3",
        "m³",
        None,
        "live volume of each leach tank; residence then follows the pulp flow",
        "plant figure",
        hi=1e5,
    ),
)

_PRELEACH = Param(
    "preleach_tanks",
    "-",
    0,
    "leading tanks of the train that hold no carbon (pre-leach); must be fewer than n_tanks",
    "plant figure; 0-2 in most CIL plants [L] Marsden & House 2006 ch. 7",
    kind=int,
    lo=0,
    hi=19,
)

_CIP_PARAMS: tuple[Param, ...] = (
    Param(
        "adsorption_tanks",
        "-",
        6,
        "number of adsorption (carbon) tanks after the leach tanks",
        "5-8 [L] Marsden & House 2006 ch. 7",
        kind=int,
        lo=1,
        hi=20,
    ),
    positive(
        "adsorption_residence_h",
        "h",
        None,
        "total residence time of the adsorption tanks (or give adsorption_tank_volume_m3)",
        "0.5-1 h per tank [L] Marsden & House 2006 ch. 7",
        hi=100.0,
    ),
    positive(
        "adsorption_tank_volume_m3",
        "m³",
        None,
        "live volume of each adsorption tank",
        "plant figure",
        hi=1e5,
    ),
)

_CYANIDE_PARAMS: tuple[Param, ...] = (
    Param(
        "nacn_mg_l",
        "mg/L",
        300.0,
        "free cyanide held in the pulp solution, as NaCN",
        "150-500 mg/L [L] Marsden & House 2006; Habashi 1966; docs/models.md#cil",
        lo=0.0,
        hi=5000.0,
    ),
    Param(
        "nacn_chemical_consumption_kg_t",
        "kg/t",
        0.25,
        "NaCN destroyed per tonne of solids by what the leach table does not model "
        "(oxidation to cyanate, HCN volatilisation; and complexes and SCN of minerals not listed)",
        "assumed; 0.05-0.3 kg/t for oxidation and volatilisation [A], free-milling totals "
        "0.3-1.0 kg/t [L] Marsden & House 2006; Habashi 1966; docs/models.md#cil, Marsden & House 2006; docs/models.md#cil",
        lo=0.0,
        hi=50.0,
    ),
    positive(
        "nacn_per_cu_mol_mol",
        "mol/mol",
        3.5,
        "cyanide consumed per mol of copper dissolved (complexed plus oxidised to cyanate)",
        "2 Cu2+ + 7 CN- -> 2 Cu(CN)3 2- + CNO- [S] Marsden & House 2006; docs/models.md#cil (2.70 kg NaCN/kg Cu); "
        "3.0 for Cu(I) minerals",
        hi=6.0,
    ),
    positive(
        "cn_wad_per_cu_mol_mol",
        "mol/mol",
        3.0,
        "cyanide held per mol of dissolved copper in its weak-acid-dissociable complex",
        "Cu(CN)3 2- predominates at leach free cyanide [L] Marsden & House 2006 ch. 6",
        lo=2.0,
        hi=4.0,
    ),
    Param(
        "lime_kg_t",
        "kg/t",
        1.0,
        "lime (CaO) per tonne of solids to hold the pulp at lime_ref_ph",
        "0.5-2 kg/t for free-milling ore at pH 10.5-11 [L] Marsden & House 2006; "
        "docs/models.md#cil",
        lo=0.0,
        hi=100.0,
    ),
    Param(
        "lime_ref_ph",
        "-",
        10.5,
        "pH at which lime_kg_t holds the pulp (a point of the ore's lime titration)",
        "lime titration of the leach feed [A]",
        lo=7.0,
        hi=13.5,
    ),
    positive(
        "lime_ph_doubling",
        "-",
        0.5,
        "rise of the pulp pH that doubles the lime taken: the slope of the titration "
        "curve, steep above pH 10.5 where magnesium and other ore buffers precipitate",
        "assumed; fit to the ore's lime titration (Marsden & House 2006 ch. 6: lime "
        "consumption rises sharply above pH 10.5-11)",
        hi=5.0,
    ),
)

_CARBON_DOSE = positive(
    "carbon_g_l",
    "g/L",
    15.0,
    "carbon concentration in the pulp of each carbon tank",
    "10-25 g/L [L] Marsden & House 2006 ch. 7",
    hi=100.0,
)

_CARBON_PARAMS: tuple[Param, ...] = (
    Param(
        "carbon_advance_kg_t",
        "kg/t",
        None,
        "carbon advanced per tonne of solids fed, instead of carbon_advance_t_d: the intensive "
        "setting that scales with throughput (optimization)",
        "plant figure; about 1 kg/t is typical [L] Marsden & House 2006 ch. 7",
        lo=0.0,
        hi=100.0,
    ),
    Param(
        "carbon_advance_t_d",
        "t/d",
        5.0,
        "carbon moved counter-current per day (with a carbon inlet: topped up to this with fresh carbon)",
        "assumed; Nicol, Fleming & Cromberge 1984; Fleming et al. 2011, Miner. Eng. 24:484; docs/models.md#cil example 6 t/d",
        lo=0.0,
        hi=1000.0,
    ),
    Param(
        "barren_carbon_au_g_t",
        "g/t",
        50.0,
        "gold on the carbon entering the last tank (ignored with a carbon inlet)",
        "25-100 g/t [L] Marsden & House 2006; docs/models.md#recovery",
        lo=0.0,
        hi=10000.0,
    ),
    positive(
        "adsorption_k_per_h",
        "1/h",
        0.015,
        "Nicol-Fleming adsorption rate constant of gold per unit carbon mass, at the "
        "reference carbon size, agitation and pulp (ref_carbon_d_mm, ref_agitation_kw_m3, "
        "ref_pulp_solids_frac)",
        "assumed; 0.005-0.05 [A] Nicol, Fleming & Cromberge 1984; Fleming et al. 2011, Miner. Eng. 24:484; docs/models.md#cil",
        hi=10.0,
    ),
    positive(
        "adsorption_k_eq_m3_t",
        "m³/t",
        1.0e4,
        "Nicol-Fleming pseudo-equilibrium constant K of gold",
        "assumed; 1e3-1e5 [A] Nicol, Fleming & Cromberge 1984; Fleming et al. 2011, Miner. Eng. 24:484; docs/models.md#cil",
        hi=1e7,
    ),
    Param(
        "barren_carbon_ag_g_t",
        "g/t",
        0.0,
        "silver on the carbon entering the last tank (ignored with a carbon inlet)",
        "assumed",
        lo=0.0,
        hi=1e5,
    ),
    Param(
        "ag_adsorption_k_per_h",
        "1/h",
        0.015,
        "Nicol-Fleming rate constant of silver (used when ag_carbon is declared)",
        "assumed, as gold [A]",
        lo=0.0,
        hi=10.0,
    ),
    Param(
        "ag_adsorption_k_eq_m3_t",
        "m³/t",
        2000.0,
        "Nicol-Fleming constant K of silver: silver loads more weakly than gold",
        "assumed; Ag(CN)2- is held several times less strongly than Au(CN)2- [L] "
        "Marsden & House 2006 ch. 7; Marsden & House 2006; docs/models.md#recovery",
        lo=0.0,
        hi=1e7,
    ),
    Param(
        "barren_carbon_cu_g_t",
        "g/t",
        0.0,
        "copper on the carbon entering the last tank (ignored with a carbon inlet)",
        "assumed",
        lo=0.0,
        hi=1e5,
    ),
    Param(
        "cu_adsorption_k_per_h",
        "1/h",
        0.015,
        "Nicol-Fleming rate constant of copper (used when cu_carbon is declared)",
        "assumed, as gold [A]",
        lo=0.0,
        hi=10.0,
    ),
    Param(
        "cu_adsorption_k_eq_m3_t",
        "m³/t",
        30.0,
        "Nicol-Fleming constant K of copper: Cu(CN)3 2- loads weakly at leach free cyanide",
        "assumed [A]; weak copper loading at high CN:Cu [L] Marsden & House 2006 ch. 7",
        lo=0.0,
        hi=1e7,
    ),
    positive(
        "carbon_capacity_g_t",
        "g/t",
        30000.0,
        "site capacity of the carbon as gold-equivalent loading (moles x M_Au); other metals "
        "take sites from each other, K_m / (1 + other metals / capacity) (no effect on a "
        "gold-only circuit)",
        "assumed; equilibrium gold loadings of 20-40 kg/t at high tenor [L] Marsden & House "
        "2006 ch. 7",
        hi=1e9,
    ),
    Param(
        "carbon_loss_g_t",
        "g/t",
        30.0,
        "carbon lost as fines per tonne of solids at carbon_loss_ref_g_l, made up with fresh "
        "carbon (without a carbon inlet)",
        "20-50 g/t [L] Marsden & House 2006; docs/models.md#recovery",
        lo=0.0,
        hi=1000.0,
    ),
)


_PREGROB_PARAMS: tuple[Param, ...] = (
    Param(
        "pregrob_k_m3_t",
        "m³/t",
        0.0,
        "preg-robbing partition coefficient of the carbonaceous matter: m³ of solution per "
        "t of carbonaceous matter (K_ore = this x carbonaceous fraction); 0 = none",
        "measure by spiked-gold tests (Goodall, Leatham & Scales 2005, Miner. Eng. 18:1135); "
        "ex07 K_ore 0.8 m³/t ore [A] Goodall, Leatham & Scales 2005, Miner. Eng. 18:1135; docs/models.md#cil",
        lo=0.0,
        hi=1e6,
    ),
    Param(
        "pregrob_reversible",
        "-",
        False,
        "whether preg-robbed gold returns to solution where the tenor falls (true: docs/models.md "
        "Goodall, Leatham & Scales 2005, Miner. Eng. 18:1135; docs/models.md#cil equilibrium in every tank; false: the ore keeps the most it has held)",
        "assumed; preg-robbed gold desorbs slowly [L] Marsden & House 2006 ch. 6",
        kind=bool,
    ),
    Param(
        "blanking_kg_t",
        "kg/t",
        0.0,
        "kerosene or diesel dosed per tonne of solids to blank the carbonaceous matter "
        "(priced as the consumable 'kerosene' when preg-robbing is on)",
        "plant figure; blanking agents coat carbonaceous matter [L] Marsden & House 2006 ch. 6",
        lo=0.0,
        hi=20.0,
    ),
    positive(
        "blanking_half_kg_t",
        "kg/t",
        0.5,
        "blanking dose that halves the preg-robbing partition coefficient, "
        "K_ore / (1 + dose / this)",
        "assumed; measure by spiked-gold tests with and without the agent (Goodall, Leatham & "
        "Scales 2005, Miner. Eng. 18:1135)",
        hi=100.0,
    ),
)

CIL_PARAMS: tuple[Param, ...] = (
    *_TRAIN_PARAMS,
    _PRELEACH,
    *_CYANIDE_PARAMS,
    *CYANIDATION_PARAMS,
    *SULFIDE_O2_PARAMS,
    *OXYGEN_SUPPLY_PARAMS,
    _CARBON_DOSE,
    *_CARBON_PARAMS,
    *ADSORPTION_RATE_PARAMS,
    *ADSORPTION_FORM_PARAMS,
    *ADSORPTION_TEMPERATURE_PARAMS,
    *COPPER_SPECIATION_PARAMS,
    *SIZE_LAW_PARAMS,
    *_PREGROB_PARAMS,
    feed_temperature_param("feed_temp_c", CYANIDATION_PARAMS, "temp_c"),
)
CIP_PARAMS: tuple[Param, ...] = (
    *_TRAIN_PARAMS,
    *_CIP_PARAMS,
    *_CYANIDE_PARAMS,
    *CYANIDATION_PARAMS,
    *SULFIDE_O2_PARAMS,
    *OXYGEN_SUPPLY_PARAMS,
    _CARBON_DOSE,
    *_CARBON_PARAMS,
    *ADSORPTION_RATE_PARAMS,
    *ADSORPTION_FORM_PARAMS,
    *ADSORPTION_TEMPERATURE_PARAMS,
    *COPPER_SPECIATION_PARAMS,
    *SIZE_LAW_PARAMS,
    *_PREGROB_PARAMS,
    feed_temperature_param("feed_temp_c", CYANIDATION_PARAMS, "temp_c"),
)
CIC_PARAMS: tuple[Param, ...] = (
    Param(
        "n_columns",
        "-",
        5,
        "number of carbon columns in series",
        "4-6 [L] Marsden & House 2006 ch. 7",
        kind=int,
        lo=1,
        hi=20,
    ),
    positive(
        "carbon_per_column_t",
        "t",
        4.0,
        "carbon held in each column",
        "assumed; 1-10 t per column [L] Marsden & House 2006 ch. 7",
        hi=1000.0,
    ),
    *_CARBON_PARAMS,
    *ADSORPTION_RATE_PARAMS[:3],
    *ADSORPTION_FORM_PARAMS,
    *ADSORPTION_TEMPERATURE_PARAMS,
    COLUMN_TEMP_PARAM,
    _CYANIDE_PARAMS[3],
)

LEACH_TABLE = TableSchema(
    params=(
        positive(
            "k_per_h",
            "1/h",
            REQUIRED,
            "first-order dissolution rate constant at the reference conditions (ref_*), at "
            "sizes up to leach_d_ref_um or at any size with grain_um",
            "testwork; 0.1-0.5 1/h [A/L] Crundwell & Godorr 1997; Ling et al. 1996; Lima & Hodouin 2005; docs/models.md#cil",
            hi=100.0,
        ),
        *DISSOLUTION_PARAMS,
        *GRAIN_PARAMS,
    ),
    key_phase="solid",
    doc="first-order dissolution of each gold and silver class, and of cyanide-soluble "
    "copper minerals and reactive sulfides",
)

"""Silver classes of an ore: the minerals and hosts that carry its silver.

An ore's silver head grade (``ag_gpt``) is split between the silver classes the case
declares by its ``[ore.NAME.silver_deportment]`` table (share of the silver, as Ag, in
each class; they sum to 1), as its gold is split by ``deportment``. Where the silver is
decides the route: it floats, leaches and reports where its carrier does.

Classes (``ORE_SILVER_SPECIES``; each is a catalogue species of
``oreflow.core.components``):

``ag``
    native silver, and silver in minerals the case does not separate (as Ag metal):
    the one class of a case without a deportment table, which is oreflow's behaviour
    before the silver classes existed.
``acanthite``
    Ag2S (argentite above 177 °C, acanthite at room temperature; 7.2-7.4 t/m³, Anthony
    et al., *Handbook of Mineralogy* [L]), the commonest independent silver mineral of
    epithermal and base-metal ores. Independent silver minerals float like galena and
    report mostly to the lead concentrate (vendor note "Recovering associated silver
    ... occurrence states and efficient extraction processes in Cu-Pb-Zn ores",
    hncmcl.com, excerpt read); in cyanide it leaches slowly, polysulfide forming on
    its surface: 37 % of the silver of pure acanthite in 48 h at 500 mg/L NaCN
    (Deschenes et al. 2011, Miner. Metall. Process. 28(1):37-43, abstract only).
``ag_galena``
    silver held in galena (solid solution and sub-microscopic inclusions), as Ag, with
    the hydraulic density of its host: it floats and classifies with galena and reports
    to the lead concentrate [assumed: a carrier, as locked gold is]. Most associated
    silver of Cu-Pb-Zn ores is in the lattices of galena, chalcopyrite and sphalerite,
    not in minerals of its own (vendor note above).
``ag_tetrahedrite``
    silver in fahlore (argentian tetrahedrite, the freibergite end of the series
    (Ag,Cu)12(Sb,As)4S13, 4.6-5.1 t/m³ [L] Anthony et al.), as Ag, with the hydraulic
    density of tetrahedrite: it floats with tetrahedrite into the copper concentrate.
    Silver in fahlore is largely refractory to cyanide: the silver sulfosalts
    stephanite and pyrargyrite give 12.6 % and 10.4 % of their silver in 48 h, against
    37 % for acanthite under the same conditions (Deschenes et al. 2011, abstract
    only), and tetrahedrite itself only 21.9 % of its copper in 24 h (Hedley &
    Tabachnick 1958, as tabulated by Marsden & House 2006 ch. 6 [L, not re-checked]).
    oreflow takes pyrargyrite's figure for silver in fahlore [assumed: an Ag-Sb
    sulfosalt for an Ag-Sb sulfosalt].
``ag_electrum``
    silver alloyed with gold in electrum (gold with 15-50 % Ag; Macdonald, E.H. 2007,
    *Handbook of Gold Exploration and Evaluation*, Woodhead, ch. 1, excerpt read), as Ag. Its grains are the ore's free gold: the class has no gold
    of its own (that stays in the gold deportment, ``au_grg`` and ``au_free``), and its
    silver goes where those grains go [assumed: one electrum composition per size
    class]. It classifies at gold's hydraulic density; a gravity concentrator recovers
    it in each size class at the recovery of the free gold of that class, weighted by
    the gravity-recoverable and other free gold (``oreflow.units.gravity``); in a
    flotation bank it takes the free gold as its carrier (``carrier = "au_free"``); in
    cyanide it dissolves at the free gold's rate (a case gives it the ``k_per_h`` and
    ``ultimate_frac`` of ``au_free``) [assumed: dissolving the alloy frees its gold and
    its silver together]. The published direction is that alloyed silver does not slow
    the leach: a minor amount of silver in gold disturbs the passivation of pure gold,
    its dissolution then mass-transfer controlled (Aghamirian & Yen 2005, Minerals
    Engineering 18:89-102, abstract only), and alloyed silver eliminates passivation in
    the rate data of gold, silver and gold-silver alloy discs reviewed in "A review of
    effects of silver, lead, sulfide and carbonaceous matter on gold cyanidation and
    mechanistic interpretation" (Hydrometallurgy, abstract only); no rate of electrum
    against its silver content was found, so a gold rate measured on the ore stands
    for it. Adding the class splits the ore's silver, never its gold, so every element
    closes as before.

The cyanide rates a case gives its leach table for these classes are in
``CYANIDE_REFERENCE``: a first-order batch rate ``k`` from one published point
``E = 1 - exp(-k t)`` (ultimate extraction 1) [assumed form].
"""

from __future__ import annotations

import math
from types import MappingProxyType

#: Solid species that carry an ore's silver head grade (the keys of a silver
#: deportment), in the order the catalogue lists them.
ORE_SILVER_SPECIES = ("ag", "acanthite", "ag_galena", "ag_tetrahedrite", "ag_electrum")

#: The free-gold species whose grains carry the silver of electrum, gravity-recoverable
#: first: where they go, the electrum silver of the same size class goes.
ELECTRUM_GOLD = ("au_grg", "au_free")

#: Silver classes held in a base-metal host: the host mineral they float with (the
#: carrier of a flotation kinetics table) and whose density they classify at.
SILVER_HOSTS = MappingProxyType({"ag_galena": "galena", "ag_tetrahedrite": "tetrahedrite"})


def first_order_k_per_h(extraction_frac: float, hours: float) -> float:
    """Batch first-order rate constant giving ``extraction_frac`` in ``hours`` [1/h].

    Examples
    --------
    >>> round(first_order_k_per_h(0.37, 48.0), 5)
    0.00963
    """
    return -math.log(1.0 - extraction_frac) / hours


#: Cyanide leach of each silver class at reference conditions: the published point
#: (extraction, hours) and its source, and the first-order k it gives [1/h].
CYANIDE_REFERENCE = MappingProxyType(
    {
        "acanthite": (
            0.37,
            48.0,
            "Deschenes et al. 2011, Miner. Metall. Process. 28(1):37 (abstract only): "
            "pure acanthite, 500 mg/L NaCN",
        ),
        "ag_tetrahedrite": (
            0.104,
            48.0,
            "Deschenes et al. 2011 (abstract only): pure pyrargyrite Ag3SbS3, 500 mg/L "
            "NaCN, as the analogue of silver in the Ag-Sb sulfosalt fahlore [assumed]",
        ),
    }
)
CYANIDE_K_PER_H = MappingProxyType(
    {name: first_order_k_per_h(e, h) for name, (e, h, _) in CYANIDE_REFERENCE.items()}
)

"""Default prices of the consumables unit types report (``use_<item>_kg_h``).

Reagents several unit types draw (cyanide, lime, copper sulfate, ...) are declared once
here, with their source; a unit type lists the ones it reports in ``UnitType.prices``
(an item only one type uses may be declared in that type's own module). The figures
are test values or assumptions **[A]**, not market data; each carries its source.
"""

from __future__ import annotations

from oreflow.units.base import Price

NACN = Price(2.80, "[A] cases/README.md, economics section (2.0-3.8, delivered, 98 % basis)")
LIME = Price(
    0.25, "[A] cases/README.md, economics section quicklime CaO (0.15-0.40); lime items are CaO"
)
SMBS = Price(0.60, "[A] cases/README.md, economics section sodium metabisulfite (0.4-0.9)")
SO2 = Price(0.40, "assumed (liquid SO2; no docs/models.md figure)")
CUSO4 = Price(3.00, "[A] cases/README.md, economics section CuSO4.5H2O (2-4)")
CARBON = Price(3.00, "[A] cases/README.md, economics section activated carbon (2-5)")
BINDER = Price(0.12, "assumed (Portland cement about USD 100-150/t)")
THIOSULFATE = Price(0.45, "[A] cases/README.md, economics section Ca or NH4 thiosulfate (0.3-0.8)")
GLYCINE = Price(2.00, "[A] cases/README.md, economics section technical glycine (1.5-3)")
RESIN = Price(10.0, "[A] assumed reagent uses and prices")
NAOH = Price(0.60, "[A] assumed reagent uses and prices")
KMNO4 = Price(2.50, "[A] assumed reagent uses and prices")
NAOCL = Price(0.35, "[A] assumed reagent uses and prices")
NACL = Price(0.08, "[A] assumed reagent uses and prices")
FERRIC_SULFATE = Price(0.30, "[A] assumed reagent uses and prices")
LIMESTONE = Price(0.035, "[A] cases/README.md, economics section (0.02-0.05, midpoint)")
CATS = Price(0.50, "[A] assumed reagent uses and prices calcium thiosulfate")
HCL = Price(0.15, "[A] assumed reagent uses and prices (acid/base)")
NH3 = Price(0.50, "assumed")
H2O2 = Price(1.00, "assumed")
CL2 = Price(0.30, "assumed")
SODA_ASH = Price(0.30, "assumed")
ZINC = Price(3.00, "assumed (zinc dust)")
LEAD_NITRATE = Price(1.50, "assumed")
PAX = Price(2.00, "assumed (xanthate collector)")
FROTHER = Price(2.50, "assumed")
FLUX = Price(1.00, "assumed (smelting flux)")
CERAMIC_MEDIA = Price(4.00, "assumed (ceramic grinding media)")

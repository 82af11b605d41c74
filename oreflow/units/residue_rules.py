"""Cyanide rules of the residue destinations: ICMC, or China's HJ 943-2018.

Two rule sets decide whether cyanide residue may go to a destination (``rules`` on
``paste_backfill``, ``building_materials`` and ``tailings``):

- ``"icmc"`` (default, the rules oreflow applied before): WAD cyanide of the residue's
  water — the International Cyanide Management Code's 50 mg/L at the tailings
  discharge (Mudder, Botz & Smith 2001, *Chemistry and Treatment of Cyanidation Wastes*,
  §6.12; docs/models.md#detox) and the destination's own pore-water limit underground or
  in a product.
- ``"hj943"``: China's HJ 943-2018, *Technical specification for pollution control of
  cyanide leaching residue in gold industry* (黄金行业氰渣污染控制技术规范), which
  decides storage in a tailings facility (尾矿库处置), mine backfill (井下充填) and
  co-processing in a cement kiln or building materials (水泥窑协同处置) by the total
  cyanide of a standard leachate of the residue. The National Hazardous Waste List
  (2021) lists cyanide residue as HW33 (092-003-33) and exempts it at disposal when it
  meets HJ 943 for the tailings facility or cement kiln; GB 5085.3-2007 sets the
  hazardous-waste leachate threshold for cyanide (5 mg/L as CN⁻, leachate by HJ/T 299,
  sulfuric/nitric acid, liquid/solid 10 L/kg) [L]. The figures of each destination
  below are the defaults of ``leachate_total_cn_limit_mg_l``; the text of HJ 943 could
  not be read with the tools of this project (only its scope and normative references,
  m.bzxz.net/bzxz/178233.html): **every HJ 943 figure is [not confirmed]**; set the
  limit from the standard's Table.

Leachate estimate (what is assumed): the standard leach (HJ 557-2010 water leach or
HJ/T 299-2007 acid leach, both at liquid/solid ``leachate_ls_l_kg`` = 10 L/kg of dry
residue [L]) dissolves all the cyanide of the residue's pore water and none of the
cyanide held in solids (copper ferrocyanide, cyanide adsorbed on carbonaceous matter);
the pore water counts towards the leachant volume (the residue as it reaches the
destination: for backfill, before binder is added):

``C_leachate = C_pore x min(W/S / (L/S), 1)``

with ``C_pore`` the total cyanide (free + WAD + iron cyanides, as CN) of the residue's
water, ``W/S`` its water per dry solids. The figure is therefore a lower bound where
the solids hold leachable cyanide. Checked against one campaign: tailings liquid at
23.4 mg/L total cyanide and about 20 % moisture gave a toxicity leachate below 0.5 mg/L
(Lan et al. 2018, Gold 39(4):68-70, abstract); the estimate is 0.585 mg/L
(tests/validation/test_detox_inco.py). The leachable metals of the same leachate (Cu,
Zn, Pb, As, Ag) and their limits are ``oreflow.units.residue_metals``; the leachate's own
pH limit (6-9 in several Chinese rules) is not modelled.
"""

from __future__ import annotations

import numpy as np

from oreflow.core.schema import Param
from oreflow.kernels.arrays import safe_div

HJ943 = "HJ 943-2018 (China MEE), Technical specification for pollution control of cyanide leaching residue in gold industry"
GB5085 = "GB 5085.3-2007 leachate cyanide 5 mg/L as CN- by HJ/T 299 (L/S 10 L/kg) [L]"

#: HJ 943 default leachate total-cyanide limit of each destination [mg/L] and its source.
HJ943_LIMITS: dict[str, tuple[float, str]] = {
    "storage": (
        5.0,
        f"{HJ943}: storage in the tailings facility; taken equal to the hazardous-waste "
        f"threshold of {GB5085} [not confirmed]",
    ),
    "backfill": (
        0.5,
        f"{HJ943}: mine backfill; taken as GB 8978-1996 first-class total cyanide 0.5 mg/L "
        "for a leachate reaching groundwater, the leachate figure Chinese INCO campaigns aim "
        "at for general industrial solid waste (Lan et al. 2018, Gold 39(4):68) [not confirmed]",
    ),
    "building_materials": (
        5.0,
        f"{HJ943}: cement-kiln co-processing and building materials; taken equal to "
        f"{GB5085} [not confirmed]",
    ),
}


def rules_params(destination: str) -> tuple[Param, ...]:
    """The ``rules``, ``leachate_ls_l_kg`` and leachate-limit declarations of a destination."""
    limit, source = HJ943_LIMITS[destination]
    return (
        Param(
            "rules",
            "-",
            "icmc",
            "cyanide rules of the destination: 'icmc' (WAD cyanide of the residue water) or "
            "'hj943' (China: total cyanide of the standard leachate)",
            "ICMC (Mudder, Botz & Smith 2001 §6.12); " + HJ943 + "; default 'icmc' keeps "
            "the rules of earlier versions",
            kind=str,
            choices=("icmc", "hj943"),
        ),
        Param(
            "leachate_ls_l_kg",
            "L/kg",
            10.0,
            "liquid/solid ratio of the standard leach test (leachant plus pore water per kg "
            "of dry residue)",
            "HJ 557-2010 (water) and HJ/T 299-2007 (acid) leach at 10 L/kg [L]",
            lo=1.0,
            hi=100.0,
        ),
        Param(
            "leachate_total_cn_limit_mg_l",
            "mg/L",
            limit,
            "largest total cyanide (as CN) of the standard leachate under rules = 'hj943'",
            source,
            lo=0.0,
            hi=1000.0,
        ),
    )


def leachate_mg_l(
    pore_mg_l: np.ndarray, water_tph: np.ndarray, solids_tph: np.ndarray, ls_l_kg: np.ndarray
) -> np.ndarray:
    """Tenor of a standard leachate from the residue's pore water (module docstring) [mg/L].

    Parameters
    ----------
    pore_mg_l : (n_cases,) float64
        Tenor of the residue's water [mg/L].
    water_tph, solids_tph : (n_cases,) float64
        Water and dry solids of the residue [t/h].
    ls_l_kg : (n_cases,) float64
        Liquid/solid ratio of the test [L/kg].

    Returns
    -------
    (n_cases,) float64
        Leachate tenor [mg/L]; 0 without solids.
    """
    ws = safe_div(water_tph, solids_tph)
    return pore_mg_l * np.minimum(safe_div(ws, ls_l_kg), 1.0)

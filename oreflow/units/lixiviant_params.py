"""Declarations and checks shared by the cyanide-free leach trains.

The train parameters (tanks, residence, adsorbent), the leach and base-metal mineral
tables and the case checks of a train (``check_train``, ``check_minerals``) used by the
thiosulfate, glycine and halide units; the model is described in
``oreflow.units.lixiviant_common``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from oreflow.core.components import ComponentSet
from oreflow.core.schema import REQUIRED, Param, frac, positive
from oreflow.errors import Problem
from oreflow.units.base import TableSchema, UnitSpec
from oreflow.units.tanks import SIZE_LAW_PARAMS, check_residence_or_volume

#: Precious metals leached and adsorbed, with their dissolved species.
METALS = ("au", "ag")
#: Elements of a sulfide mineral (with a formal total oxidation state of zero).
MINERAL_ELEMENTS = ("cu", "fe", "s", "as")
#: Tolerance on the element fractions of a mineral summing to its whole formula [-]
#: (the catalogue's fractions carry 5 decimals).
WHOLE_FORMULA_TOL = 1e-3


@dataclass(frozen=True)
class TrainDefaults:
    """Defaults of the train parameters that differ between lixiviants."""

    n_tanks: int
    k_per_h: float
    k_eq_m3_t: float
    ag_k_eq_m3_t: float
    inventory_g_l: float
    advance_t_d: float
    barren_g_t: float
    loss_g_t: float
    adsorption_source: str
    inventory_source: str
    loss_source: str


def train_params(word: str, d: TrainDefaults) -> tuple[Param, ...]:
    """Parameters of the tank train and its adsorbent, ``word`` naming the adsorbent."""
    return (
        Param(
            "n_tanks",
            "-",
            d.n_tanks,
            "number of equal tanks in series",
            "6-8 tanks [L] (Marsden & House 2006; Habashi 1966; docs/models.md#cil; the same practice for RIL/RIP)",
            kind=int,
            lo=1,
            hi=20,
        ),
        positive(
            "residence_h",
            "h",
            None,
            "total slurry residence time of the train (or give tank_volume_m3)",
            "testwork; see the unit's docstring",
            hi=500.0,
        ),
        positive(
            "tank_volume_m3",
            "m³",
            None,
            "live volume of each tank; residence then follows the pulp flow",
            "plant figure",
            hi=1e5,
        ),
        *SIZE_LAW_PARAMS,
        Param(
            f"{word}_g_l",
            "g/L",
            d.inventory_g_l,
            f"{word} concentration in the pulp of each tank",
            d.inventory_source,
            lo=0.0,
            hi=100.0,
        ),
        Param(
            f"{word}_advance_t_d",
            "t/d",
            d.advance_t_d,
            f"{word} moved counter-current per day (loaded {word} leaves the first tank)",
            "assumed",
            lo=0.0,
            hi=1000.0,
        ),
        Param(
            f"barren_{word}_au_g_t",
            "g/t",
            d.barren_g_t,
            f"gold left on eluted {word} returned to the last tank",
            "assumed",
            lo=0.0,
            hi=10000.0,
        ),
        positive(
            "adsorption_k_per_h",
            "1/h",
            d.k_per_h,
            "Nicol-Fleming adsorption rate constant k of gold",
            d.adsorption_source,
            hi=10.0,
        ),
        positive(
            "adsorption_k_eq_m3_t",
            "m³/t",
            d.k_eq_m3_t,
            "Nicol-Fleming pseudo-equilibrium constant K of gold",
            d.adsorption_source,
            hi=1e8,
        ),
        positive(
            "ag_adsorption_k_eq_m3_t",
            "m³/t",
            d.ag_k_eq_m3_t,
            "Nicol-Fleming K of silver (same k as gold); used when silver leaches",
            "assumed: silver loads more weakly than gold and competes with it (Marsden & House 2006; docs/models.md#recovery)",
            hi=1e8,
        ),
        Param(
            f"{word}_loss_g_t",
            "g/t",
            d.loss_g_t,
            f"{word} lost by attrition per tonne of solids (made up with fresh {word})",
            d.loss_source,
            lo=0.0,
            hi=5000.0,
        ),
    )


def leach_table(doc: str, source: str) -> TableSchema:
    """Leach kinetics per gold (or silver) species."""
    return TableSchema(
        params=(
            positive(
                "k_per_h",
                "1/h",
                REQUIRED,
                "first-order leach rate constant at sizes up to leach_d_ref_um",
                source,
                hi=1000.0,
            ),
            frac(
                "ultimate_frac",
                REQUIRED,
                "extraction at infinite time, at sizes up to leach_d_ref_um",
                "diagnostic leach testwork",
            ),
        ),
        key_phase="solid",
        doc=doc,
        gold_only=False,
    )


def mineral_table(doc: str, source: str) -> TableSchema:
    """Dissolution kinetics per base-metal mineral (copper minerals, sulfides)."""
    return TableSchema(
        params=(
            positive(
                "k_per_h",
                "1/h",
                REQUIRED,
                "first-order dissolution rate constant at sizes up to leach_d_ref_um",
                source,
                hi=1000.0,
            ),
            frac(
                "ultimate_frac",
                REQUIRED,
                "fraction dissolved at infinite time, at sizes up to leach_d_ref_um",
                source,
            ),
        ),
        key_phase="solid",
        doc=doc,
    )


def metal_frac(comps: ComponentSet, name: str, metal: str) -> float:
    """Mass fraction of a precious metal in a solid species (gold by its deportment)."""
    return float(comps.solids[comps.solid_index(name)].elements.get(metal, 0.0))


def check_train(
    spec: UnitSpec, comps: ComponentSet, file: str, problems: list[Problem], ads: str
) -> None:
    """Rules shared by the trains: residence, species, kinetics of every gold species."""
    key = f"units.{spec.name}"
    check_residence_or_volume(spec, file, problems)
    for name in ("water", "au_aq", ads, f"au_{ads}"):
        if not comps.has(name):
            problems.append(
                Problem(file, key, f"a {spec.type} needs the species {name!r} declared in [case]")
            )
    table = spec.tables.get("leach", {})
    for name in table:
        solid = comps.solids[comps.solid_index(name)]
        if not any(solid.elements.get(m, 0.0) > 0 for m in METALS):
            problems.append(
                Problem(
                    file,
                    f"{key}.leach.{name}",
                    f"{name!r} is not a gold or silver species; base-metal minerals go in "
                    "their own table",
                )
            )
        elif any(el not in METALS for el in solid.elements):
            problems.append(
                Problem(
                    file,
                    f"{key}.leach.{name}",
                    f"{name!r} holds elements other than gold and silver and cannot be "
                    "leached as a precious-metal class",
                )
            )
    if any(metal_frac(comps, n, "ag") > 0 for n in table):
        for name in ("ag_aq", f"ag_{ads}"):
            if not comps.has(name):
                problems.append(
                    Problem(
                        file,
                        f"{key}.leach",
                        f"silver is leached: declare the species {name!r} in [case]",
                    )
                )
    gold = [s.name for s in comps.solids if s.au_frac > 0]
    missing = [g for g in gold if g not in table]
    if missing:
        problems.append(
            Problem(
                file, f"{key}.leach", f"no leach kinetics for gold species {', '.join(missing)}"
            )
        )


def is_sulfide(comps: ComponentSet, name: str) -> bool:
    """A solid holding sulfur and only Cu, Fe, S, As (formal oxidation total zero)."""
    el = comps.solids[comps.solid_index(name)].elements
    return el.get("s", 0.0) > 0 and all(e in MINERAL_ELEMENTS for e in el)


def check_minerals(
    spec: UnitSpec,
    comps: ComponentSet,
    file: str,
    problems: list[Problem],
    table_name: str,
    routing: Mapping[str, str],
    must_hold: str,
    whole_formula: bool = False,
) -> None:
    """Minerals of a dissolution table: known elements, a declared product for each.

    ``must_hold`` is the element every listed mineral must contain ("cu" for copper
    co-leaching, "s" for sulfide oxidation); its elements must all have a product in
    ``routing``. With ``whole_formula`` the tracked elements must make up the whole
    mineral (to 1e-3), as an electron count from them needs: a sulfide of an untracked
    metal (ZnS, PbS) would otherwise be charged the electrons of its sulfur only.
    """
    key = f"units.{spec.name}.{table_name}"
    allowed = tuple(routing)
    for name in spec.tables.get(table_name, {}):
        el = comps.solids[comps.solid_index(name)].elements
        if el.get(must_hold, 0.0) <= 0:
            problems.append(
                Problem(file, f"{key}.{name}", f"{name!r} holds no {must_hold}; not a valid entry")
            )
            continue
        foreign = [e for e in el if e not in allowed]
        if foreign:
            problems.append(
                Problem(
                    file,
                    f"{key}.{name}",
                    f"{name!r} holds {', '.join(foreign)}; only minerals of "
                    f"{', '.join(allowed)} can be dissolved here",
                )
            )
            continue
        if whole_formula and abs(sum(el.values()) - 1.0) > WHOLE_FORMULA_TOL:
            problems.append(
                Problem(
                    file,
                    f"{key}.{name}",
                    f"{name!r} is only {sum(el.values()):.3f} Cu, Fe, S and As by mass: its "
                    "other elements are not tracked, so its oxidant demand cannot be counted",
                )
            )
            continue
        for e in el:
            product = routing[e]
            if not comps.has(product):
                problems.append(
                    Problem(
                        file,
                        f"{key}.{name}",
                        f"dissolving {name!r} releases {e}: declare the species {product!r} in [case]",
                    )
                )

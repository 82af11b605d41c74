"""Ore sources: ``[ore.NAME]`` sections, each feeding the plant one stream ``ore.NAME``.

An ore source turns a dry feed rate, head grades, mineralogy, gold deportment and a
feed size distribution into a stream: mass per size class and species. Every species
is given the feed PSD (gold deportment by size is not measured by the usual
diagnostic leach; the same-PSD assumption is the common default [assumed]). The Bond
ball-mill work index travels with the ore to the mills it reaches.

PSD forms (Wills & Finch 2016; Ouchterlony 2005; docs/models.md#kernels-psd): Rosin-Rammler-Bennett ``P(x) = 1 - exp(-(x/x63)^n)`` given
by ``x63_um`` or ``f80_um`` with ``n``; Gates-Gaudin-Schuhmann ``P(x) = (x/k)^m``; or a
measured sieve table (log-linear interpolation, RRB extrapolation outside it).

Water that comes with the ore (``moisture_frac``; a tailings slurry reclaimed by
hydraulic monitors or a dredge arrives as a pumped slurry, ``moisture_frac`` about
0.5-0.7 [assumed]) may carry dissolved species:
the optional table ``[ore.NAME.pore_water]`` gives the tenor of each declared
solution species in that water [mg/L], e.g. the residual free cyanide (``nacn``, as
NaCN), weak-acid-dissociable complexes (``cn_wad``, as CN) and iron cyanides
(``fe_cn``, as CN) of an old cyanidation tailings deposit, which then reach the leach
(free cyanide lowers its NaCN make-up) and the cyanide destruction. Without the table
the water is clean, as before.

The silver head grade is split between the silver classes of
``oreflow.core.silver_minerals`` (native silver ``ag``, ``acanthite``, silver in galena
``ag_galena``, silver in fahlore ``ag_tetrahedrite``, silver alloyed in electrum
``ag_electrum``) by the optional table
``[ore.NAME.silver_deportment]`` (share of the silver, as Ag, in each class; they sum
to 1). A class that is a mineral brings its other elements with its silver (acanthite
its sulfur: ``Ag / 0.8706`` t of Ag2S per t of Ag), taken from the rest of the ore
before the mineralogy shares it. Without the table all the silver is ``ag``, as before.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from itertools import pairwise
from typing import Any

import numpy as np

from oreflow.conventions import G_PER_T
from oreflow.core.components import TENOR_BASIS, ComponentSet
from oreflow.core.schema import REQUIRED, Param, frac, positive, suggest
from oreflow.core.silver_minerals import ELECTRUM_GOLD, ORE_SILVER_SPECIES
from oreflow.errors import Problem
from oreflow.units.base import PrepareContext, UnitResult, UnitSpec

ORE_PARAMS: tuple[Param, ...] = (
    positive("rate_tph", "t/h", REQUIRED, "dry ore feed rate", "plant figure", hi=1e5),
    frac(
        "moisture_frac",
        0.03,
        "mass fraction of water in the ore as fed (wet basis; a slurry feed may be wetter)",
        "crushed ore 0.02-0.05 [L] (Wills & Finch 2016 §1)",
        hi=0.95,
    ),
    Param("au_gpt", "g/t", REQUIRED, "gold head grade", "plant figure", lo=0.0, hi=1e5),
    Param(
        "ag_gpt",
        "g/t",
        0.0,
        "silver head grade (needs a silver class: 'ag', 'acanthite', 'ag_galena', "
        "'ag_tetrahedrite' or 'ag_electrum')",
        "plant figure",
        lo=0.0,
        hi=1e5,
    ),
    positive(
        "wi_kwh_t",
        "kWh/t",
        REQUIRED,
        "Bond ball-mill work index (metric), from the Bond ball-mill test",
        "testwork; gold ores 10-20 kWh/t [L] (Bond 1952, Trans. AIME 193:484; Rowland & Kjos 1980; Wills & Finch 2016; docs/models.md#ball_mill)",
        hi=50.0,
    ),
    Param("description", "-", "", "what the ore is", "case author", kind=str),
    Param("source", "-", "", "where the ore figures come from", "case author", kind=str),
)

PSD_PARAMS: tuple[Param, ...] = (
    Param(
        "model",
        "-",
        None,
        "feed PSD form",
        "Wills & Finch 2016; Ouchterlony 2005; docs/models.md#kernels-psd",
        kind=str,
        choices=("rrb", "ggs", "sieve"),
    ),
    positive("x63_um", "µm", None, "RRB size at 63.2 % passing", "testwork", hi=1e6),
    positive("f80_um", "µm", None, "80 % passing size (RRB, with n)", "testwork", hi=1e6),
    positive(
        "n",
        "-",
        None,
        "RRB distribution modulus; crushed feeds 0.5-1.0 [L]",
        "Wills & Finch 2016; Ouchterlony 2005; docs/models.md#kernels-psd",
        hi=10.0,
    ),
    positive("k_um", "µm", None, "GGS size modulus (100 % passing size)", "testwork", hi=1e6),
    positive(
        "m",
        "-",
        None,
        "GGS distribution modulus, 0.5-1.0 [L]",
        "Wills & Finch 2016; Ouchterlony 2005; docs/models.md#kernels-psd",
        hi=10.0,
    ),
    Param(
        "sizes_um",
        "µm",
        None,
        "sieve sizes, strictly decreasing",
        "testwork",
        kind=list,
        lo=0.0,
        lo_open=True,
    ),
    Param(
        "passing_frac",
        "-",
        None,
        "cumulative fraction passing each sieve",
        "testwork",
        kind=list,
        lo=0.0,
        hi=1.0,
    ),
)

#: Entry of ``[ore.NAME.pore_water]``: tenor of one solution species in the ore's water.
PORE_WATER_PARAM = Param(
    "mg_l",
    "mg/L",
    None,
    "tenor of a dissolved species in the water that comes with the ore (nacn as NaCN, "
    "cn_wad and fe_cn as CN, metals as metal)",
    "site assay of the water with the ore; natural attenuation lowers the cyanide of a "
    "tailings impoundment, often to very low levels (Botz & Mudder 2000, Miner. Metall. "
    "Process. 17(4):228, abstract)",
    lo=0.0,
    hi=1e6,
)

ORE_TABLES = ("mineralogy", "deportment", "silver_deportment", "psd", "pore_water")


def check_silver_deportment(
    table: Any, comps: ComponentSet, file: str, key: str, problems: list[Problem]
) -> dict[str, float]:
    """Validate ``[ore.NAME.silver_deportment]`` (silver class = share of the silver).

    Without the table, a case whose only silver class is ``ag`` keeps all its silver
    there (``{}``: the feed's original arithmetic); one other class alone takes it all;
    several need the table whatever the case's ``ag_gpt`` (a study or API override may
    give the ore silver). A table given must list classes summing to 1: an empty one
    would put all the silver in ``ag``, or drop it when ``ag`` is not declared.
    """
    declared = [s for s in ORE_SILVER_SPECIES if comps.has(s)]
    if table is None:
        if declared == ["ag"] or not declared:
            return {}
        if len(declared) == 1:
            return {declared[0]: 1.0}
        problems.append(
            Problem(file, key, f"missing: split the silver between {', '.join(declared)}")
        )
        return {}
    if not isinstance(table, dict):
        problems.append(Problem(file, key, "must be a table of silver class = share of the silver"))
        return {}
    if not table:
        classes = ", ".join(declared) or "a declared silver class"
        problems.append(
            Problem(
                file, key, f"is empty: give each silver class's share ({classes}), summing to 1"
            )
        )
        return {}
    out: dict[str, float] = {}
    for name, value in table.items():
        if name not in declared:
            why = (
                "is not a silver class" + suggest(name, list(ORE_SILVER_SPECIES))
                if name not in ORE_SILVER_SPECIES
                else "is not a declared solid species"
            )
            problems.append(Problem(file, f"{key}.{name}", f"{name!r} {why}"))
        elif isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(
                Problem(file, f"{key}.{name}", f"must be a number, got {type(value).__name__}")
            )
        elif not 0.0 <= value <= 1.0:
            problems.append(Problem(file, f"{key}.{name}", f"{value:g} is out of range [0, 1] [-]"))
        else:
            out[name] = float(value)
    if out.get("ag_electrum", 0.0) > 0 and not any(comps.has(g) for g in ELECTRUM_GOLD):
        problems.append(
            Problem(
                file,
                f"{key}.ag_electrum",
                "electrum silver is alloyed in the free gold: declare "
                f"{' or '.join(ELECTRUM_GOLD)} in [case] solids",
            )
        )
    if out and abs(sum(out.values()) - 1.0) > 1e-9:
        problems.append(
            Problem(
                file, key, f"silver deportment must sum to 1, it sums to {sum(out.values()):.6g}"
            )
        )
    return out


def check_psd(psd: Mapping[str, Any], file: str, prefix: str, problems: list[Problem]) -> None:
    """Cross-key rules of a PSD table (which keys each model needs, monotone sieves)."""
    model = psd.get("model")
    need = {"rrb": ("n",), "ggs": ("k_um", "m"), "sieve": ("sizes_um", "passing_frac")}.get(
        model or "", ()
    )
    for key in need:
        if psd.get(key) is None:
            problems.append(Problem(file, f"{prefix}{key}", f"missing: the {model} PSD needs it"))
    if model == "rrb" and (psd.get("x63_um") is None) == (psd.get("f80_um") is None):
        problems.append(
            Problem(file, f"{prefix}x63_um", "give exactly one of x63_um or f80_um for an RRB PSD")
        )
    if model == "sieve" and psd.get("sizes_um") and psd.get("passing_frac"):
        sizes, passing = psd["sizes_um"], psd["passing_frac"]
        if len(sizes) != len(passing):
            problems.append(
                Problem(file, f"{prefix}passing_frac", "must have one value per sieve size")
            )
        elif len(sizes) < 3:
            problems.append(Problem(file, f"{prefix}sizes_um", "give at least 3 sieves"))
        elif any(b >= a for a, b in pairwise(sizes)):
            problems.append(
                Problem(file, f"{prefix}sizes_um", "sieve series must be strictly decreasing")
            )
        elif any(b > a for a, b in pairwise(passing)):
            problems.append(
                Problem(
                    file,
                    f"{prefix}passing_frac",
                    "cumulative passing must not increase as sieve size decreases",
                )
            )


def check_pore_water(
    table: Any, comps: ComponentSet, file: str, prefix: str, problems: list[Problem]
) -> dict[str, float]:
    """Validate ``[ore.NAME.pore_water]`` (solution species = mg/L); the valid entries."""
    if not isinstance(table, dict):
        problems.append(Problem(file, prefix.rstrip("."), "must be a table of species = mg/L"))
        return {}
    known = [s.name for s in comps.solution if s.name != "water"]
    p = PORE_WATER_PARAM
    out: dict[str, float] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if name == "water":
            problems.append(
                Problem(file, key, "the water is moisture_frac; list dissolved species")
            )
        elif name not in known:
            problems.append(
                Problem(
                    file,
                    key,
                    f"species {name!r} is not a declared solution species{suggest(name, known)}",
                )
            )
        elif isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(Problem(file, key, f"must be a number, got {type(value).__name__}"))
        elif not p.lo <= value <= p.hi:
            problems.append(Problem(file, key, f"{value:g} is out of range [0, {p.hi:g}] mg/L"))
        else:
            out[name] = float(value)
    return out


def rrb_x63_um(psd: Mapping[str, Any]) -> float:
    """RRB x63 from either x63_um or f80_um [µm]."""
    if psd.get("x63_um") is not None:
        return float(psd["x63_um"])
    return float(psd["f80_um"]) / (-math.log(0.2)) ** (1.0 / float(psd["n"]))


def psd_f80_um(psd: Mapping[str, Any]) -> float:
    """80 % passing size of a feed PSD table [µm] (closed form, or log-linear sieve)."""
    model = psd["model"]
    if model == "rrb":
        return rrb_x63_um(psd) * (-math.log(0.2)) ** (1.0 / float(psd["n"]))
    if model == "ggs":
        return float(psd["k_um"]) * 0.8 ** (1.0 / float(psd["m"]))
    sizes = np.asarray(psd["sizes_um"])[::-1]
    passing = np.asarray(psd["passing_frac"])[::-1]
    return float(np.exp(np.interp(0.8, passing, np.log(sizes))))


def class_fractions(psd: Mapping[str, Any], edges_um: np.ndarray) -> np.ndarray:
    """Mass fraction of the feed in each size class (incl. sink), sums to 1."""
    from oreflow.kernels import psd as kpsd
    from oreflow.kernels import sieve as ksieve

    model = psd["model"]
    if model == "rrb":
        return kpsd.class_fractions_rrb(edges_um, rrb_x63_um(psd), float(psd["n"]))
    if model == "ggs":
        return kpsd.class_fractions_ggs(edges_um, float(psd["k_um"]), float(psd["m"]))
    return ksieve.class_fractions_sieve(
        np.asarray(psd["sizes_um"], dtype=np.float64),
        np.asarray(psd["passing_frac"], dtype=np.float64),
        edges_um,
    )


class OreSource:
    """Compiled ore source: builds the feed stream for every case.

    Per-case parameters (batch overrides) are ``rate_tph``, ``au_gpt``, ``ag_gpt``,
    ``moisture_frac``, ``wi_kwh_t`` and the table entries ``deportment.SPECIES``,
    ``silver_deportment.SPECIES``, ``mineralogy.SPECIES`` and ``pore_water.SPECIES``
    (mg/L).
    """

    def __init__(self, spec: UnitSpec, comps: ComponentSet) -> None:
        self.spec = spec
        self.comps = comps
        self.class_frac = class_fractions(spec.tables["psd"], comps.sizes.edges())

    def prepare(self, params: Mapping[str, np.ndarray], ctx: PrepareContext) -> Any:
        """The feed stream of every case, (n_cases, n_comp)."""
        c = self.comps
        n = ctx.n_cases
        rate = params["rate_tph"]
        species_tph = np.zeros((n, c.n_solid))
        gold = rate * params["au_gpt"] / G_PER_T
        silver = rate * params["ag_gpt"] / G_PER_T
        for name in self.spec.tables["deportment"]:
            species_tph[:, c.solid_index(name)] += gold * params[f"deportment.{name}"]
        silver_t = silver  # t/h of the silver classes' species, their other elements too
        if self.spec.tables.get("silver_deportment"):
            silver_t = np.zeros(n)
            for name in self.spec.tables["silver_deportment"]:
                j = c.solid_index(name)
                mass = silver * params[f"silver_deportment.{name}"] / c.solids[j].elements["ag"]
                species_tph[:, j] += mass
                silver_t = silver_t + mass
        elif c.has("ag"):
            species_tph[:, c.solid_index("ag")] += silver
        rest = rate - gold - silver_t
        for name in self.spec.tables["mineralogy"]:
            species_tph[:, c.solid_index(name)] += rest * params[f"mineralogy.{name}"]
        feed = np.zeros((n, c.n_comp))
        c.solids_view(feed)[:] = self.class_frac[None, :, None] * species_tph[:, None, :]
        if c.has("water"):
            w = params["moisture_frac"]
            water_tph = rate * w / (1.0 - w)
            feed[:, c.solution_offset("water")] = water_tph
            for name in self.spec.tables.get("pore_water", {}):
                # mg/L x m3/h = g/h; water at 1 t/m3
                feed[:, c.solution_offset(name)] = (
                    water_tph * params[f"pore_water.{name}"] / G_PER_T * TENOR_BASIS.get(name, 1.0)
                )
        return feed

    def apply(self, state: Any, inlets: tuple[np.ndarray, ...]) -> UnitResult:
        """The prepared feed; an ore source has no inlets."""
        return UnitResult((state,), metrics={})

"""Least scales of new plants: the rules a plan's sites are checked against.

A unit type joins a kind of site by its ``UnitType.scale_site`` (a flotation bank is
part of a concentrator, a heap of a heap-leach site, an autoclave or bio-oxidation
train of a concentrate-treatment plant). The units of one kind connected to each other
(directly or through mixers) form one site, and its scale is the solids entering it
from outside, in t/d (``oreflow.solvers.scale``). Each rule is checked after every
simulation (a warning in ``run``) and, in ``optimize``, is a limit of the plan unless
``[constraints] scale_rules = "report"``.

Sources
-------
The three thresholds are those of China's national plan for the gold industry,
2025-2027 (黄金产业高质量发展实施方案 (2025—2027年), Ministry of Industry and Information
Technology with other ministries, 2025): new independent concentrators of at least
500 t/d, heap-leach sites of at least 2,000 t/d and gold-concentrate smelting
(treatment) plants of at least 200 t/d. The thresholds are as the plan is quoted in
this project's issue on associated metals and scale rules; the plan's clause numbers
were not checked against its published text [not checked]. Reading "concentrate
smelter" as any plant oxidising a flotation concentrate (roaster, autoclave,
bio-oxidation) and "concentrator" as a flotation plant is oreflow's [assumed]
interpretation. Other jurisdictions' rules are further rows of ``SCALE_RULES``.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

_PLAN = (
    "China national plan for the gold industry 2025-2027 "
    "(黄金产业高质量发展实施方案 2025—2027年), MIIT et al. 2025 [clause not checked]"
)


@dataclass(frozen=True)
class ScaleRule:
    """A least scale of one kind of site.

    Attributes
    ----------
    site : str
        Kind of site (the ``UnitType.scale_site`` of its units).
    min_t_d : float
        Least solids the site treats [t/d].
    jurisdiction : str
        Who sets the rule (shown with the warning).
    source : str
        The rule's text.
    why : str
        What the rule is for.
    fed_by : str
        KPI family whose concentrate must feed the site for the rule to apply (a
        concentrate plant is one only when fed a flotation concentrate); empty: always.
    """

    site: str
    min_t_d: float
    jurisdiction: str
    source: str
    why: str
    fed_by: str = ""


#: The rules, by kind of site.
SCALE_RULES: MappingProxyType[str, tuple[ScaleRule, ...]] = MappingProxyType(
    {
        "concentrator": (
            ScaleRule(
                "concentrator",
                500.0,
                "China",
                _PLAN,
                "new independent concentrators at least 500 t/d",
            ),
        ),
        "heap_leach": (
            ScaleRule(
                "heap_leach",
                2000.0,
                "China",
                _PLAN,
                "new heap-leach sites at least 2,000 t/d",
            ),
        ),
        "concentrate_treatment": (
            ScaleRule(
                "concentrate_treatment",
                200.0,
                "China",
                _PLAN,
                "gold-concentrate smelting (treatment) plants at least 200 t/d",
                fed_by="flotation",
            ),
        ),
    }
)

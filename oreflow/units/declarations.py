"""What a unit type declares beyond its ports and parameters, as plain values.

The value types of the fields of ``oreflow.units.base.UnitType`` that the rest of the
code reads (see docs/architecture.md, "The unit contract"): the schema of a table keyed
by species (``TableSchema``), an operating-envelope bound (``EnvelopeLimit``), a
consumable's default price (``Price``), a cyanide-free route's plant KPIs
(``RouteKpis``), the slurry pump feeding a unit (``Pumping``), its equipment sizing
(``Sizing``, of a kind in ``SIZING_KINDS``), and the KPI families a type may join
(``KPI_FAMILIES``). ``oreflow.units.base`` re-exports every name, so a unit module
imports its whole contract from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from oreflow.core.schema import Param


@dataclass(frozen=True)
class TableSchema:
    """A nested table of a unit keyed by species (``[units.cil.leach.au_free]``).

    Attributes
    ----------
    params : tuple of Param
        Schema of each entry.
    key_phase : str
        Phase the keys must be species of (``"solid"``).
    doc : str
        What the table is for.
    gold_only : bool
        Whether keys must be gold-bearing species.
    """

    params: tuple[Param, ...]
    key_phase: str
    doc: str
    gold_only: bool = False


@dataclass(frozen=True)
class EnvelopeLimit:
    """One bound of a unit type's operating envelope on a metric it reports.

    Attributes
    ----------
    metric : str
        Metric of the unit's report (or of its circuit, ``circulating_load_frac``).
    lo, hi : float or None
        Bounds of the range a plant runs in; None: unbounded on that side.
    source : str
        Where the range comes from (paper, book, plant practice) or ``[assumed]``.
    why : str
        What goes wrong outside the range (shown with the warning).
    needs : tuple of (str, str or None)
        When the unit reports the figure: each parameter named is set (None) or has
        the value given (``("model", "plitt")``); empty: always.
    """

    metric: str
    lo: float | None
    hi: float | None
    source: str
    why: str
    needs: tuple[tuple[str, str | None], ...] = ()

    def applies(self, params: Mapping[str, Any]) -> bool:
        """Whether a unit with these parameters reports the figure."""
        return all(
            params.get(k) is not None if v is None else params.get(k) == v for k, v in self.needs
        )


@dataclass(frozen=True)
class Price:
    """Default price of a consumable item a unit type reports as ``use_<item>_kg_h``.

    Attributes
    ----------
    usd_kg : float
        Price [USD/kg] used when the case's ``[economics.reagent_usd_kg]`` gives none.
    source : str
        Where the figure comes from (or ``assumed``).
    """

    usd_kg: float
    source: str


@dataclass(frozen=True)
class RouteKpis:
    """Plant KPIs of a cyanide-free leach route (a type of the ``lixiviant_route`` family).

    Every KPI is named ``<type>_<suffix>`` and summed over the units of the type; the
    figures every route reports (consumables per tonne of ore, gold extraction, gold on
    the loaded adsorbent) need nothing declared beyond ``loaded_port``.

    Attributes
    ----------
    loaded_port : str
        Outlet carrying the loaded adsorbent.
    adsorbent : str
        Adsorbent species when the unit has no ``adsorbent`` parameter.
    per_t_ore : tuple of (str, str)
        (metric in kg per t of solids fed to the unit, KPI suffix): reported in kg per t
        of ore fed to the plant.
    tails_mg_l : tuple of (str, str)
        (solution species in the ``tails`` outlet, KPI suffix): its concentration in the
        tails solution of all the route's units [mg/L].
    metric_mg_l : tuple of (str, str)
        (metric in mg/L of the tails solution, KPI suffix): averaged over the tails water
        of the units that report it [mg/L].
    """

    loaded_port: str
    adsorbent: str = "carbon"
    per_t_ore: tuple[tuple[str, str], ...] = ()
    tails_mg_l: tuple[tuple[str, str], ...] = ()
    metric_mg_l: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Pumping:
    """The slurry pump feeding a unit, whose power the plant's utilities count.

    The pump lifts the unit's feed pulp against a pressure plus a static head:
    ``P = Q (p + rho_pulp g H) / eta`` (``oreflow.solvers.utilities``).

    Attributes
    ----------
    head_m : float
        Static head [m].
    pressure_kpa : float
        Delivery pressure [kPa] when the unit reports none (0: open discharge).
    pressure_metric : str
        Metric of the unit's report giving its delivery pressure [kPa] (a cyclone's
        operating pressure); empty: always ``pressure_kpa``.
    source : str
        Where the head and pressure come from (or ``[assumed]``).
    """

    head_m: float
    pressure_kpa: float = 0.0
    pressure_metric: str = ""
    source: str = "[assumed]"


#: Sizing kinds a unit type may declare (``Sizing.kind``), each sized by
#: ``oreflow.solvers.equipment`` from the unit's report and feed.
SIZING_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "metric": "one item on `curve`, sized by the metric `metric` (absent in a case: none)",
        "feed": "one item on `curve`, sized by the solids fed [t/h]",
        "tanks": "agitated tanks of the volume `metric` (default tank_volume_m3), n_tanks "
        "(plus the count parameter `extra_count`) of them, each with an agitator drive",
        "carbon_tanks": "the tanks above, plus an elution plant for the carbon advanced "
        "unless another unit of the plant is sized as one (item elution_ew)",
        "cyclone": "a hydrocyclone cluster: diameter from the cut size, count from the flow",
        "thickener": "settling area, one thickener per stage (n_stages)",
        "filter": "filter area from the cake solids",
        "flotation": "n_cells cells of the bank's volume",
        "autoclave": "autoclave working volume, oxygen plant and steam boiler",
    }
)


@dataclass(frozen=True)
class Sizing:
    """How the equipment of a unit type is sized and costed (a kind of ``SIZING_KINDS``).

    Attributes
    ----------
    kind : str
        Key of ``SIZING_KINDS``.
    curve : str
        Cost curve of the item (``oreflow.core.cost_curves.CURVES``), for ``metric``
        and ``feed``.
    item : str
        Name of the item (``metric``; ``feed`` names it after its curve).
    metric : str
        Metric sizing the item (``metric``) or giving the tank volume (``tanks``).
    basis : str
        What the size is taken from, shown with the item (``metric``).
    extra_count : str
        Parameter counting further tanks of the same size (``tanks``).
    """

    kind: str
    curve: str = ""
    item: str = ""
    metric: str = ""
    basis: str = ""
    extra_count: str = ""

    def __post_init__(self) -> None:
        if self.kind not in SIZING_KINDS:
            msg = f"unknown sizing kind {self.kind!r}"
            raise ValueError(msg)


#: KPI families a unit type may join (``UnitType.kpi_families``): the plant KPIs that
#: aggregate over every unit of the family, and the metrics each member must report.
KPI_FAMILIES: Mapping[str, str] = MappingProxyType(
    {
        "cyanide_leach": "cyanide budget (nacn_*_kg_t, cu_dissolved_g_t per t of solids fed)",
        "lixiviant_route": "cyanide-free route KPIs per type (use_*_kg_h, loaded adsorbent)",
        "oxidation": "sulfide oxidation, O2 and acid (sulfide_s_*_tph, o2_demand_kg_h, ...)",
        "autoclave": "autothermal margin (heat_generated_mj_t, heat_required_mj_t, solids_in_tph)",
        "neutralisation": "lime, limestone and precipitates (use_lime_kg_h, gypsum_tph, ...)",
        "ccd_wash": "CCD wash water (wash_water_m3_h)",
        "ultrafine": "ultrafine grinding power (power_kw)",
        "sorting": "sorting rejects (outlet 'reject')",
        "gravity": "gravity gold (outlet 'concentrate')",
        "flotation": "flotation concentrate (outlet 'concentrate'; a bank fed by another's "
        "concentrate is a cleaner)",
        "product": "a plant product sink (param 'kind': 'gold' counts towards recovery)",
        "passthrough": "joins streams without changing them (concentrate tracing looks through)",
        "residue_storage": "residue to storage (tailings facility: storage_m3_h, WAD cyanide)",
        "residue_backfill": "residue to backfill (eligible_flag)",
        "residue_building_materials": "residue to building materials (eligible_flag)",
    }
)

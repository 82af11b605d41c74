"""Plant survey files: CSV or Excel -> validated, frozen measurements.

A survey is a long ("tidy") table of measurements, one row each:

==========  ========  ==============================================================
column      required  meaning
==========  ========  ==============================================================
stream      yes       stream name, as in the flowsheet (``feed``, ``cyclone.overflow``)
quantity    yes       what was measured, with its unit in the name (table below)
value       yes       the measured value, in the quantity's unit, >= 0
size_um     no        size class [µm]: the aperture the class is retained on (its
                      lower bound); 0 is the pan. Only for ``mass_frac`` (required)
                      and solids assays (an assay by size)
sd          no        standard deviation; blank takes the default for the quantity
sd_kind     with sd   ``abs`` (same unit as ``value``) or ``rel`` (fraction of value)
comment     no        free text, ignored
==========  ========  ==============================================================

Quantities (``<sp>`` is a species name: lower-case letters and digits, ``au``, ``s``):

===================  =======  =====================================================
quantity             unit     meaning
===================  =======  =====================================================
``solids_tph``       t/h      dry solids flow
``water_tph``        t/h      water (solution) flow; 1 t/h = 1 m³/h
``solids_pct``       %        pulp solids by mass, in (0, 100]
``carbon_tph``       t/h      carbon (adsorbent) flow
``<sp>_gpt``         g/t      solids assay; with ``size_um``, assay of that class
``<sp>_pct``         %        solids assay (``s_pct``, ``cu_pct``); ditto by size
``mass_frac``        -        mass fraction of the solids in the size class
``<sp>_mg_l``        mg/L     solution tenor (``au_mg_l``)
``carbon_<sp>_gpt``  g/t      carbon loading (``carbon_au_gpt``)
===================  =======  =====================================================

The node list (optional when the flowsheet comes from a case file) is a second table
with columns ``node``, ``inlets``, ``outlets`` (stream names separated by ``;``) and
optional ``reactive`` (true where species move between solids, solution and carbon).
In a CSV file the two tables are sections headed by a line ``[nodes]`` and a line
``[measurements]``; a CSV file without section lines holds measurements only. In an
Excel workbook they are the sheets ``nodes`` and ``measurements`` (a workbook with one
sheet holds measurements only). ``docs/survey.md`` is the user-facing description.

Every problem found is reported at once in a :class:`~oreflow.errors.CaseError`, each
naming the row and column (``row 7, column value``; rows are the file's line numbers,
or the sheet's row numbers in Excel, so the header is row 1 of a plain file).
"""

from __future__ import annotations

import csv
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from oreflow.errors import CaseError, Problem
from oreflow.flowsheet.network import Network, Node, network_problems
from oreflow.flowsheet.survey_file import (
    Table,
    cell_number,
    cell_text,
    check_columns,
    looks_utf16,
    read_csv_tables,
    read_xlsx_tables,
    row_cells,
)

#: Quantity kinds and the phase each belongs to.
KINDS: Mapping[str, str] = {
    "solids_flow": "solids",
    "water_flow": "water",
    "carbon_flow": "carbon",
    "pct_solids": "pulp",
    "assay": "solids",
    "mass_frac": "solids",
    "tenor": "water",
    "loading": "carbon",
}

_SPECIES_RE = re.compile(r"^[a-z][a-z0-9]*$")
_RESERVED_SPECIES = frozenset({"solids", "water", "carbon", "mass", "passing", "pulp"})
_FIXED_QUANTITIES = {
    "solids_tph": ("solids_flow", None, "tph"),
    "water_tph": ("water_flow", None, "tph"),
    "carbon_tph": ("carbon_flow", None, "tph"),
    "solids_pct": ("pct_solids", None, "pct"),
    "mass_frac": ("mass_frac", None, "frac"),
}
_MEASUREMENT_COLUMNS = ("stream", "quantity", "value", "size_um", "sd", "sd_kind", "comment")
_MEASUREMENT_REQUIRED = ("stream", "quantity", "value")
_NODE_COLUMNS = ("node", "inlets", "outlets", "reactive", "comment")
_NODE_REQUIRED = ("node", "inlets", "outlets")
_TRUE = frozenset({"true", "yes", "1", "y"})
_FALSE = frozenset({"false", "no", "0", "n", ""})


@dataclass(frozen=True)
class Quantity:
    """A parsed quantity name.

    Attributes
    ----------
    name : str
        The name as written in the survey (``au_gpt``).
    kind : str
        One of :data:`KINDS`.
    species : str or None
        The species for assays, tenors and loadings (``au``); None otherwise.
    unit : str
        ``tph``, ``pct``, ``gpt``, ``frac`` or ``mg_l``.
    """

    name: str
    kind: str
    species: str | None
    unit: str

    @property
    def sized(self) -> bool:
        """Whether the quantity may (or, for ``mass_frac``, must) carry a size class."""
        return self.kind in ("assay", "mass_frac")

    @property
    def phase(self) -> str:
        """``solids``, ``water``, ``carbon`` or ``pulp`` (% solids: solids and water)."""
        return KINDS[self.kind]


def parse_quantity(name: str) -> Quantity:
    """Parse a quantity name such as ``au_gpt``, ``solids_pct`` or ``carbon_au_gpt``.

    Parameters
    ----------
    name : str
        The quantity name (lower case).

    Returns
    -------
    Quantity
        The parsed quantity.

    Raises
    ------
    ValueError
        With a message saying what is wrong, when the name is not a known quantity.

    Examples
    --------
    >>> parse_quantity("carbon_au_gpt")
    Quantity(name='carbon_au_gpt', kind='loading', species='au', unit='gpt')
    >>> parse_quantity("s_pct").kind
    'assay'
    """
    if name in _FIXED_QUANTITIES:
        kind, species, unit = _FIXED_QUANTITIES[name]
        return Quantity(name, kind, species, unit)
    if name == "passing_frac":
        msg = (
            "cumulative passing is not accepted (differencing it correlates the errors "
            "of neighbouring classes); give mass_frac retained in each class"
        )
        raise ValueError(msg)
    match = re.fullmatch(r"carbon_([a-z0-9]+)_gpt", name)
    if match:
        kind, species, unit = "loading", match.group(1), "gpt"
    else:
        match = re.fullmatch(r"([a-z0-9]+)_(gpt|pct|mg_l)", name)
        if not match:
            msg = (
                f"unknown quantity {name!r}; expected solids_tph, water_tph, solids_pct, "
                "carbon_tph, mass_frac, <species>_gpt, <species>_pct, <species>_mg_l or "
                "carbon_<species>_gpt"
            )
            raise ValueError(msg)
        species, unit = match.group(1), match.group(2)
        kind = "tenor" if unit == "mg_l" else "assay"
    if not _SPECIES_RE.match(species) or species in _RESERVED_SPECIES:
        msg = (
            f"unknown quantity {name!r}: {species!r} is not a species name (lower-case "
            "letters and digits, starting with a letter, not solids/water/carbon/mass)"
        )
        raise ValueError(msg)
    return Quantity(name, kind, species, unit)


@dataclass(frozen=True)
class DefaultSd:
    """Default standard deviation of one kind of measurement: ``max(rel * |value|, floor)``.

    Attributes
    ----------
    kind : str
        Quantity kind (one of :data:`KINDS`).
    species : str or None
        Species it applies to; None for every species of that kind.
    rel : float
        Relative standard deviation [-] (fraction of the value).
    floor : float
        Smallest standard deviation, in the quantity's unit, so that a zero reading
        (below detection) still has a finite weight.
    source : str
        Where the number comes from; ``[assumed]`` where no source backs it.
    """

    kind: str
    species: str | None
    rel: float
    floor: float
    source: str


#: Default standard deviations, most specific first. ``docs/survey.md`` shows the same table.
DEFAULT_SDS: tuple[DefaultSd, ...] = (
    DefaultSd(
        "assay",
        "au",
        0.10,
        0.01,
        "Smith & Ichiyen 1973; Hodouin & Everell 1980; docs/survey.md: fire assay Au 5-10 %; upper end since sampling error dominates",
    ),
    DefaultSd("assay", "ag", 0.10, 0.1, "[assumed] as fire-assay Au"),
    DefaultSd(
        "assay",
        "s",
        0.05,
        0.01,
        "Smith & Ichiyen 1973; Hodouin & Everell 1980; docs/survey.md: S by LECO 2-5 %; upper end since sampling error dominates",
    ),
    DefaultSd("assay", None, 0.05, 0.01, "[assumed] base-metal and iron assays"),
    DefaultSd("solids_flow", None, 0.05, 0.0, "[assumed] weightometer or slurry meter"),
    DefaultSd("water_flow", None, 0.10, 0.0, "[assumed] water flow meter"),
    DefaultSd("carbon_flow", None, 0.10, 0.0, "[assumed] carbon transfer estimate"),
    DefaultSd("pct_solids", None, 0.0, 1.0, "[assumed] 1 percentage point (density scale)"),
    DefaultSd("mass_frac", None, 0.05, 0.002, "[assumed] sieve analysis of a split sample"),
    DefaultSd("tenor", None, 0.05, 0.002, "[assumed] AAS/ICP solution analysis"),
    DefaultSd("loading", None, 0.10, 1.0, "[assumed] carbon sampling and fire assay"),
)


def default_sd(quantity: Quantity, value: float) -> float:
    """Default standard deviation of a measured value, in the quantity's unit.

    Parameters
    ----------
    quantity : Quantity
        What was measured.
    value : float
        The measured value, in the quantity's unit.

    Returns
    -------
    float
        ``max(rel * |value|, floor)`` from the first matching :data:`DEFAULT_SDS` row.

    Examples
    --------
    >>> default_sd(parse_quantity("au_gpt"), 2.0)
    0.2
    """
    for row in DEFAULT_SDS:
        if row.kind == quantity.kind and row.species in (None, quantity.species):
            return max(row.rel * abs(value), row.floor)
    msg = f"no default standard deviation for {quantity.name!r}"  # unreachable: table covers KINDS
    raise KeyError(msg)


@dataclass(frozen=True)
class Measurement:
    """One validated measurement of a survey.

    Attributes
    ----------
    stream : str
        Stream name.
    quantity : str
        Quantity name (``au_gpt``); :func:`parse_quantity` gives its meaning.
    size_um : float or None
        Size class [µm] (lower aperture; 0 is the pan), or None for the whole stream.
    value : float
        Measured value, in the quantity's unit.
    sd : float
        Standard deviation, absolute, in the quantity's unit (>= 0).
    sd_is_default : bool
        True when ``sd`` came from :data:`DEFAULT_SDS`.
    where : str
        Where the row is in the file (``row 7`` or ``sheet measurements, row 7``).
    parsed : Quantity
        The parsed quantity (kind, species, unit); parsed once, when the measurement is
        made, unless given.
    """

    stream: str
    quantity: str
    size_um: float | None
    value: float
    sd: float
    sd_is_default: bool
    where: str
    parsed: Quantity = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.parsed is None:
            object.__setattr__(self, "parsed", parse_quantity(self.quantity))
        elif self.parsed.name != self.quantity:
            msg = f"parsed quantity {self.parsed.name!r} is not {self.quantity!r}"
            raise ValueError(msg)

    def at(self, column: str) -> str:
        """Locator of one cell of this measurement's row, for a :class:`Problem` key."""
        return f"{self.where}, column {column}"


@dataclass(frozen=True)
class Survey:
    """A validated plant survey.

    Attributes
    ----------
    file : str
        The file it was read from (for error messages).
    measurements : tuple of Measurement
        Every measurement, in file order.
    network : Network or None
        The node list given in the survey (or with the records), if any.
    """

    file: str
    measurements: tuple[Measurement, ...]
    network: Network | None = None

    @classmethod
    def from_records(
        cls,
        records: Iterable[Mapping[str, object]],
        *,
        network: Network | None = None,
        file: str = "<records>",
    ) -> Survey:
        """Build a survey from in-memory rows (e.g. ``DataFrame.to_dict("records")``).

        Parameters
        ----------
        records : iterable of mapping
            One mapping a measurement, with the columns of the file format.
        network : Network, optional
            The flowsheet; streams are checked against it and it is kept as the
            survey's network.
        file : str
            Name used in error messages; rows are then called ``record 1`` onwards.

        Returns
        -------
        Survey
            The validated survey.

        Raises
        ------
        CaseError
            With every problem found.
        """
        rows = [dict(r) for r in records]
        columns: list[str] = []
        for row in rows:
            columns.extend(str(k) for k in row if str(k) not in columns)
        table = Table(
            sheet=None,
            columns=tuple(c.strip().lower() for c in columns),
            header_row=0,
            rows=tuple((i + 1, tuple(row.get(c) for c in columns)) for i, row in enumerate(rows)),
            row_word="record",
        )
        return _build_survey(file, table, None, network)

    @property
    def species(self) -> tuple[str, ...]:
        """Species measured in any phase, in order of first appearance."""
        seen: dict[str, None] = {}
        for m in self.measurements:
            sp = m.parsed.species
            if sp is not None:
                seen[sp] = None
        return tuple(seen)

    @property
    def size_classes_um(self) -> tuple[float, ...]:
        """Size classes [µm] measured anywhere in the survey, coarsest first."""
        return tuple(
            sorted({m.size_um for m in self.measurements if m.size_um is not None}, reverse=True)
        )

    @property
    def streams(self) -> tuple[str, ...]:
        """Streams with at least one measurement, in order of first appearance."""
        return tuple(dict.fromkeys(m.stream for m in self.measurements))


def read_survey(path: str | Path) -> Survey:
    """Read and validate a survey file (``.csv`` or ``.xlsx``).

    Parameters
    ----------
    path : str or Path
        The survey file.

    Returns
    -------
    Survey
        The validated survey, with its node list when the file has one.

    Raises
    ------
    CaseError
        With every problem found, each naming its row and column.
    """
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise CaseError([Problem(file, "", "file not found")])
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            measurements, nodes = read_csv_tables(path)
        except UnicodeDecodeError as err:
            encoding = " (it looks like UTF-16)" if looks_utf16(path) else ""
            raise CaseError(
                [
                    Problem(
                        file,
                        "",
                        f"not a UTF-8 text file{encoding}: byte {err.start} cannot be "
                        "read; save the survey as CSV UTF-8",
                    )
                ]
            ) from None
        except csv.Error as err:
            msg = f"not a readable CSV file ({err}); save the survey as CSV UTF-8"
            raise CaseError([Problem(file, "", msg)]) from None
    elif suffix in (".xlsx", ".xlsm"):
        try:
            measurements, nodes = read_xlsx_tables(path)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
            msg = f"not a readable Excel workbook ({type(err).__name__}: {err})"
            raise CaseError([Problem(file, "", msg)]) from None
    else:
        raise CaseError(
            [Problem(file, "", f"unknown survey file type {suffix!r}: use .csv or .xlsx")]
        )
    if measurements is None:
        msg = "no measurements table found (in Excel, a sheet named 'measurements')"
        raise CaseError([Problem(file, "", msg)])
    return _build_survey(file, measurements, nodes, None)


def survey_network_problems(survey: Survey, network: Network) -> list[Problem]:
    """Check a survey against a flowsheet: every measured stream must be in it.

    Parameters
    ----------
    survey : Survey
        The survey.
    network : Network
        The flowsheet.

    Returns
    -------
    list of Problem
        One per measurement on a stream that is not in the flowsheet.
    """
    known = set(network.streams)
    listing = ", ".join(network.streams)
    return [
        Problem(
            survey.file,
            m.at("stream"),
            f"stream {m.stream!r} is not in the flowsheet (streams: {listing})",
        )
        for m in survey.measurements
        if m.stream not in known
    ]


def with_scale(survey: Survey, network: Network, scale_tph: float) -> Survey:
    """The survey with an exact solids flow on the network's first feed stream.

    For a survey that measures no flow: its assays fix every split, and one flow set by
    the user fixes the scale (splits and recoveries do not depend on it).

    Parameters
    ----------
    survey : Survey
        A survey without flow measurements.
    network : Network
        The flowsheet (its first feed stream takes the scale).
    scale_tph : float
        Solids flow of that feed [t/h].

    Returns
    -------
    Survey
        The survey plus one measurement ``solids_tph = scale_tph`` with sd 0, whose
        ``where`` is ``scale_tph (set by the user)``.

    Raises
    ------
    CaseError
        When the survey already measures a flow, or the network has no feed stream.
    """
    flows = [
        m
        for m in survey.measurements
        if m.parsed.kind in ("solids_flow", "water_flow", "carbon_flow")
    ]
    if flows:
        msg = (
            f"the survey measures {flows[0].quantity} on {flows[0].stream!r} "
            f"({flows[0].where}), which sets the scale; scale_tph is for surveys of "
            "assays without any flow"
        )
        raise CaseError([Problem(survey.file, "scale_tph", msg)])
    if not network.feeds:
        raise CaseError([Problem(survey.file, "scale_tph", "the flowsheet has no feed stream")])
    scale = Measurement(
        network.feeds[0], "solids_tph", None, scale_tph, 0.0, False, "scale_tph (set by the user)"
    )
    return Survey(survey.file, (*survey.measurements, scale), survey.network)


def _build_nodes(file: str, table: Table) -> tuple[Network | None, list[Problem]]:
    problems = check_columns(file, table, _NODE_COLUMNS, _NODE_REQUIRED)
    if problems:
        return None, problems
    nodes: list[Node] = []
    wheres: list[str] = []
    for row, cells in table.rows:
        values = row_cells(table, cells)
        where = table.where(row)
        reactive_text = cell_text(values.get("reactive")).lower()
        if reactive_text not in _TRUE | _FALSE:
            problems.append(
                Problem(
                    file,
                    f"{where}, column reactive",
                    f"reactive must be true or false, not {reactive_text!r}",
                )
            )

        def streams(column: str, values: dict[str, object] = values) -> tuple[str, ...]:
            text = cell_text(values.get(column))
            return tuple(s.strip() for s in text.split(";") if s.strip())

        nodes.append(
            Node(
                cell_text(values.get("node")),
                streams("inlets"),
                streams("outlets"),
                reactive_text in _TRUE,
            )
        )
        wheres.append(where)
    problems += [
        Problem(file, f"{wheres[index]}, column {field}", message)
        for index, field, message in network_problems(nodes)
    ]
    if problems:
        return None, problems
    return Network(tuple(nodes), file), problems


def _build_survey(
    file: str, table: Table, nodes_table: Table | None, network: Network | None
) -> Survey:
    problems: list[Problem] = []
    survey_network = None
    if nodes_table is not None:
        survey_network, node_problems = _build_nodes(file, nodes_table)
        problems += node_problems
    column_problems = check_columns(file, table, _MEASUREMENT_COLUMNS, _MEASUREMENT_REQUIRED)
    if column_problems:
        raise CaseError(problems + column_problems)

    measurements: list[Measurement] = []
    seen: dict[tuple[str, str, float | None], str] = {}
    species_unit: dict[str, tuple[str, str]] = {}
    for row, cells in table.rows:
        values = row_cells(table, cells)
        where = table.where(row)
        row_problems: list[Problem] = []

        def problem(
            column: str,
            message: str,
            where: str = where,
            row_problems: list[Problem] = row_problems,
        ) -> None:
            row_problems.append(Problem(file, f"{where}, column {column}", message))

        stream = cell_text(values.get("stream"))
        if not stream:
            problem("stream", "stream name is empty")
        quantity_name = cell_text(values.get("quantity")).lower()
        quantity: Quantity | None = None
        if not quantity_name:
            problem("quantity", "quantity is empty")
        else:
            try:
                quantity = parse_quantity(quantity_name)
            except ValueError as err:
                problem("quantity", str(err))

        value = _parse_number(values.get("value"), "value", problem, required=True)
        size_um = _parse_number(values.get("size_um"), "size_um", problem, required=False)
        sd = _parse_number(values.get("sd"), "sd", problem, required=False)
        sd_kind = cell_text(values.get("sd_kind")).lower()

        if size_um is not None and size_um < 0:
            problem("size_um", f"negative size class {size_um:g} µm")
        if quantity is not None:
            if quantity.kind == "mass_frac" and size_um is None:
                problem("size_um", "mass_frac needs the size class it was retained in")
            elif size_um is not None and not quantity.sized:
                problem(
                    "size_um",
                    f"{quantity.name} is measured on the whole stream; leave size_um blank",
                )
            if value is not None:
                _check_value_range(quantity, value, problem)
            if quantity.kind == "assay" and quantity.species is not None:
                first = species_unit.setdefault(quantity.species, (quantity.unit, where))
                if first[0] != quantity.unit:
                    problem(
                        "quantity",
                        f"species {quantity.species!r} is assayed in {quantity.unit} here but "
                        f"in {first[0]} at {first[1]}; use one unit per species",
                    )
        if sd is not None and sd < 0:
            problem("sd", f"negative standard deviation {sd:g}")
        if sd is not None and not sd_kind:
            problem("sd_kind", "sd is given without sd_kind: write abs or rel")
        elif sd_kind and sd_kind not in ("abs", "rel"):
            problem("sd_kind", f"sd_kind must be abs or rel, not {sd_kind!r}")
        elif sd_kind and sd is None:
            problem("sd", f"sd_kind is {sd_kind} but sd is blank")
        elif sd_kind == "rel" and sd is not None and sd > 1.0:
            problem(
                "sd",
                f"relative sd {sd:g} is {100 * sd:g} % of the value; a relative sd is a "
                "fraction (write 0.05 for 5 %)",
            )
        elif sd_kind == "rel" and sd is not None and sd > 0 and value == 0.0:
            problem("sd", "a relative sd of a zero reading is zero; give an absolute sd")

        if stream and quantity is not None:
            key = (stream, quantity.name, size_um)
            if key in seen:
                problem(
                    "quantity",
                    f"duplicate of {seen[key]} (same stream, quantity and size_um)",
                )
            else:
                seen[key] = where

        if row_problems or quantity is None or value is None:
            problems += row_problems
            continue
        if sd is None:
            sd_abs, is_default = default_sd(quantity, value), True
        else:
            sd_abs = sd * abs(value) if sd_kind == "rel" else sd
            is_default = False
        measurements.append(
            Measurement(stream, quantity.name, size_um, value, sd_abs, is_default, where, quantity)
        )

    if not table.rows:
        problems.append(
            Problem(file, table.where_column("value"), "the survey has no measurements")
        )
    the_network = network if network is not None else survey_network
    survey = Survey(file, tuple(measurements), the_network)
    if the_network is not None:
        problems += survey_network_problems(survey, the_network)
    if problems:
        raise CaseError(problems)
    return survey


def _parse_number(
    cell: object, column: str, problem: Callable[..., None], *, required: bool
) -> float | None:
    try:
        number = cell_number(cell)
    except ValueError:
        problem(column, f"{cell_text(cell)!r} is not a number")
        return None
    if number is None:
        if required:
            problem(column, "value is blank")
        return None
    if not math.isfinite(number):
        problem(column, f"{number} is not a finite number")
        return None
    return number


_DESCRIPTION = {
    "solids_flow": "solids flow",
    "water_flow": "water flow",
    "carbon_flow": "carbon flow",
    "pct_solids": "% solids",
    "assay": "assay",
    "mass_frac": "mass fraction",
    "tenor": "solution tenor",
    "loading": "carbon loading",
}


#: Largest accepted value of each kind, in its unit: far beyond any plant, so that only
#: a unit slip or a corrupt cell is refused (before it overflows the statistics).
#: Flows: the largest concentrators treat about 1e4 t/h ([assumed] order of magnitude),
#: so 1e7 t/h is a thousand times that. Tenors and loadings: 1e6 mg/L and 1e6 g/t are
#: the pure substance.
_LARGEST = {
    "solids_flow": 1e7,
    "water_flow": 1e7,
    "carbon_flow": 1e7,
    "tenor": 1e6,
    "loading": 1e6,
}


def _check_value_range(quantity: Quantity, value: float, problem: Callable[..., None]) -> None:
    what = _DESCRIPTION[quantity.kind]
    largest = _LARGEST.get(quantity.kind)
    if largest is not None and value > largest:
        problem(
            "value",
            f"{what} {value:g} ({quantity.name}) is above {largest:g}, beyond any plant; "
            "check the unit and the cell",
        )
    elif value < 0:
        problem("value", f"negative {what} {value:g} ({quantity.name}); a measured value is >= 0")
    elif quantity.kind == "pct_solids" and not 0 < value <= 100:
        problem("value", f"% solids {value:g} is outside (0, 100]")
    elif quantity.kind == "assay" and quantity.unit == "pct" and value > 100:
        problem("value", f"assay {value:g} % is above 100 %")
    elif quantity.kind == "assay" and quantity.unit == "gpt" and value > 1e6:
        problem("value", f"assay {value:g} g/t is above 1e6 g/t (100 %)")
    elif quantity.kind == "mass_frac" and value > 1:
        problem(
            "value", f"mass fraction {value:g} is above 1; mass_frac is a fraction, not percent"
        )

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
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from oreflow.errors import CaseError, Problem
from oreflow.flowsheet.network import Network, Node, network_problems

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
    """

    stream: str
    quantity: str
    size_um: float | None
    value: float
    sd: float
    sd_is_default: bool
    where: str

    def at(self, column: str) -> str:
        """Locator of one cell of this measurement's row, for a :class:`Problem` key."""
        return f"{self.where}, column {column}"

    @property
    def parsed(self) -> Quantity:
        """The parsed quantity."""
        return parse_quantity(self.quantity)


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
        table = _Table(
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


@dataclass(frozen=True)
class _Table:
    """Raw cells of one table, with the row numbers they came from."""

    sheet: str | None
    columns: tuple[str, ...]
    header_row: int
    rows: tuple[tuple[int, tuple[object, ...]], ...]
    row_word: str = "row"

    def where(self, row: int) -> str:
        here = f"{self.row_word} {row}"
        return f"sheet {self.sheet}, {here}" if self.sheet else here

    def where_column(self, column: str) -> str:
        return f"sheet {self.sheet}, column {column}" if self.sheet else f"column {column}"


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
        measurements, nodes = _read_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        measurements, nodes = _read_xlsx(path)
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


def _read_csv(path: Path) -> tuple[_Table | None, _Table | None]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        lines = list(enumerate(csv.reader(handle), start=1))
    sections: dict[str, list[tuple[int, list[str]]]] = {}
    current = "measurements"
    for number, cells in lines:
        first = cells[0].strip().lower() if cells else ""
        if first in ("[nodes]", "[measurements]") and not any(c.strip() for c in cells[1:]):
            current = first.strip("[]")
            sections[current] = []
            continue
        if first.startswith("#") or not any(c.strip() for c in cells):
            continue
        sections.setdefault(current, []).append((number, cells))

    def table(name: str) -> _Table | None:
        body = sections.get(name)
        if not body:
            return None
        (header_row, header), *rows = body
        return _Table(
            sheet=None,
            columns=tuple(c.strip().lower() for c in header),
            header_row=header_row,
            rows=tuple((n, tuple(cells)) for n, cells in rows),
        )

    return table("measurements"), table("nodes")


def _read_xlsx(path: Path) -> tuple[_Table | None, _Table | None]:
    import openpyxl

    with warnings.catch_warnings():
        # openpyxl warns about styles and data validation it cannot read; the cell
        # values, which are all we use, are unaffected.
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        names = {name.strip().lower(): name for name in book.sheetnames}
        if "measurements" in names:
            measurement_sheet = names["measurements"]
        elif len(book.sheetnames) == 1:
            measurement_sheet = book.sheetnames[0]
        else:
            return None, None

        def table(sheet: str) -> _Table | None:
            rows = [
                (i, tuple(r))
                for i, r in enumerate(book[sheet].iter_rows(values_only=True), start=1)
                if any(c is not None and str(c).strip() for c in r)
            ]
            if not rows:
                return None
            (header_row, header), *body = rows
            return _Table(
                sheet=sheet,
                columns=tuple(str(c or "").strip().lower() for c in header),
                header_row=header_row,
                rows=tuple(body),
            )

        nodes = table(names["nodes"]) if "nodes" in names else None
        return table(measurement_sheet), nodes
    finally:
        book.close()


def _text(cell: object) -> str:
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        # pandas writes missing cells as NaN: they are blank, not "nan".
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _number(cell: object) -> float | None:
    """Float value of a cell; None when blank; raises ValueError when not a number."""
    if cell is None:
        return None
    if isinstance(cell, bool):
        msg = "not a number"
        raise ValueError(msg)
    if isinstance(cell, int | float):
        # A NaN cell (pandas' missing value) is blank; a "nan" string is an error below.
        return None if math.isnan(cell) else float(cell)
    text = str(cell).strip()
    if not text:
        return None
    return float(text)


def _check_columns(
    file: str, table: _Table, known: Sequence[str], required: Sequence[str]
) -> list[Problem]:
    problems = [
        Problem(
            file,
            table.where_column(c or "(blank)"),
            f"unknown column {c!r}; expected some of: {', '.join(known)}",
        )
        for c in table.columns
        if c and c not in known
    ]
    problems += [
        Problem(file, table.where_column(c), f"column {c!r} appears more than once")
        for c in sorted({c for c in table.columns if c and table.columns.count(c) > 1})
    ]
    problems += [
        Problem(file, table.where_column(c), "required column is missing")
        for c in required
        if c not in table.columns
    ]
    return problems


def _cells(table: _Table, cells: tuple[object, ...]) -> dict[str, object]:
    values = dict(zip(table.columns, cells, strict=False))
    return {c: values.get(c) for c in table.columns}


def _build_nodes(file: str, table: _Table) -> tuple[Network | None, list[Problem]]:
    problems = _check_columns(file, table, _NODE_COLUMNS, _NODE_REQUIRED)
    if problems:
        return None, problems
    nodes: list[Node] = []
    wheres: list[str] = []
    for row, cells in table.rows:
        values = _cells(table, cells)
        where = table.where(row)
        reactive_text = _text(values.get("reactive")).lower()
        if reactive_text not in _TRUE | _FALSE:
            problems.append(
                Problem(
                    file,
                    f"{where}, column reactive",
                    f"reactive must be true or false, not {reactive_text!r}",
                )
            )

        def streams(column: str, values: dict[str, object] = values) -> tuple[str, ...]:
            text = _text(values.get(column))
            return tuple(s.strip() for s in text.split(";") if s.strip())

        nodes.append(
            Node(
                _text(values.get("node")),
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
    file: str, table: _Table, nodes_table: _Table | None, network: Network | None
) -> Survey:
    problems: list[Problem] = []
    survey_network = None
    if nodes_table is not None:
        survey_network, node_problems = _build_nodes(file, nodes_table)
        problems += node_problems
    column_problems = _check_columns(file, table, _MEASUREMENT_COLUMNS, _MEASUREMENT_REQUIRED)
    if column_problems:
        raise CaseError(problems + column_problems)

    measurements: list[Measurement] = []
    seen: dict[tuple[str, str, float | None], str] = {}
    species_unit: dict[str, tuple[str, str]] = {}
    for row, cells in table.rows:
        values = _cells(table, cells)
        where = table.where(row)
        row_problems: list[Problem] = []

        def problem(
            column: str,
            message: str,
            where: str = where,
            row_problems: list[Problem] = row_problems,
        ) -> None:
            row_problems.append(Problem(file, f"{where}, column {column}", message))

        stream = _text(values.get("stream"))
        if not stream:
            problem("stream", "stream name is empty")
        quantity_name = _text(values.get("quantity")).lower()
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
        sd_kind = _text(values.get("sd_kind")).lower()

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
            Measurement(stream, quantity.name, size_um, value, sd_abs, is_default, where)
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
        number = _number(cell)
    except ValueError:
        problem(column, f"{_text(cell)!r} is not a number")
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


def _check_value_range(quantity: Quantity, value: float, problem: Callable[..., None]) -> None:
    what = _DESCRIPTION[quantity.kind]
    if value < 0:
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

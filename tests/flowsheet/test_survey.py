"""Survey files: format, defaults, and one clear message per bad input (row and column)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from oreflow.conventions import RTOL_EXACT
from oreflow.errors import CaseError
from oreflow.flowsheet.network import Network, Node
from oreflow.flowsheet.survey import (
    DEFAULT_SDS,
    Survey,
    default_sd,
    parse_quantity,
    read_survey,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "surveys"


def problems_of(excinfo: pytest.ExceptionInfo[CaseError]) -> dict[str, str]:
    return {p.key: p.message for p in excinfo.value.problems}


# --------------------------------------------------------------------------- format
def test_csv_with_node_section():
    survey = read_survey(DATA / "rougher.csv")
    assert survey.network is not None
    assert survey.network.nodes == (Node("rougher", ("feed",), ("conc", "tail"), False),)
    assert len(survey.measurements) == 10
    assert survey.species == ("au", "s", "fe")
    au = survey.measurements[1]
    assert (au.stream, au.quantity, au.size_um, au.value) == ("feed", "au_gpt", None, 2.0)
    # A relative sd is a fraction of the value; rows are the file's line numbers.
    assert au.sd == pytest.approx(0.05 * 2.0, rel=RTOL_EXACT)
    assert not au.sd_is_default
    assert au.where == "row 10"


def test_csv_without_sections_is_measurements_only():
    survey = read_survey(DATA / "measurements_only.csv")
    assert survey.network is None
    assert [m.stream for m in survey.measurements] == ["F", "M", "U", "O"]
    assert survey.measurements[0].where == "row 2"


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)


def test_xlsx_matches_csv(tmp_path):
    path = tmp_path / "rougher.xlsx"
    write_xlsx(
        path,
        {
            "nodes": [["node", "inlets", "outlets"], ["rougher", "feed", "conc; tail"]],
            "measurements": [
                ["stream", "quantity", "size_um", "value", "sd", "sd_kind"],
                ["feed", "solids_tph", None, 100, 1, "abs"],
                ["feed", "au_gpt", None, 2.0, 0.05, "rel"],
                ["feed", "s_pct", None, 1.72, 0.03, "rel"],
                ["feed", "fe_pct", None, 4.2, 0.02, "rel"],
                ["conc", "au_gpt", None, 24.0, 0.05, "rel"],
                ["conc", "s_pct", None, 19.5, 0.03, "rel"],
                ["conc", "fe_pct", None, 19.0, 0.02, "rel"],
                ["tail", "au_gpt", None, 0.4, 0.10, "rel"],
                ["tail", "s_pct", None, 0.55, 0.05, "rel"],
                ["tail", "fe_pct", None, 3.2, 0.02, "rel"],
            ],
        },
    )
    from_xlsx = read_survey(path)
    from_csv = read_survey(DATA / "rougher.csv")
    assert from_xlsx.network is not None
    assert from_csv.network is not None
    assert from_xlsx.network.nodes == from_csv.network.nodes
    key = [(m.stream, m.quantity, m.size_um, m.value, m.sd) for m in from_xlsx.measurements]
    assert key == [(m.stream, m.quantity, m.size_um, m.value, m.sd) for m in from_csv.measurements]
    assert from_xlsx.measurements[0].where == "sheet measurements, row 2"


def test_xlsx_errors_name_sheet_row_and_column(tmp_path):
    path = tmp_path / "bad.xlsx"
    write_xlsx(
        path,
        {
            "measurements": [
                ["stream", "quantity", "value"],
                ["feed", "au_gpt", -1.0],
            ]
        },
    )
    with pytest.raises(CaseError) as excinfo:
        read_survey(path)
    assert "negative assay" in problems_of(excinfo)["sheet measurements, row 2, column value"]


def test_defaults_by_measurement_type():
    au = parse_quantity("au_gpt")
    assert default_sd(au, 2.0) == pytest.approx(0.2, rel=RTOL_EXACT)  # fire assay 10 %
    assert default_sd(au, 0.0) == pytest.approx(0.01, rel=RTOL_EXACT)  # floor
    assert default_sd(parse_quantity("s_pct"), 2.0) == pytest.approx(0.1, rel=RTOL_EXACT)
    assert default_sd(parse_quantity("cu_pct"), 1.0) == pytest.approx(0.05, rel=RTOL_EXACT)
    assert default_sd(parse_quantity("solids_pct"), 55.0) == pytest.approx(1.0, rel=RTOL_EXACT)
    # Every row cites its source or says it is assumed.
    assert all(row.source.startswith(("Smith & Ichiyen 1973", "[assumed]")) for row in DEFAULT_SDS)
    survey = read_survey(DATA / "unobservable.csv")
    pct = survey.measurements[1]
    assert pct.sd_is_default is False
    assert pct.sd == pytest.approx(1.0, rel=RTOL_EXACT)


def test_parse_quantity():
    assert parse_quantity("carbon_au_gpt").kind == "loading"
    assert parse_quantity("au_mg_l").kind == "tenor"
    assert parse_quantity("cu_pct").species == "cu"
    assert parse_quantity("solids_pct").kind == "pct_solids"
    assert parse_quantity("mass_frac").sized
    with pytest.raises(ValueError, match="mass_frac retained"):
        parse_quantity("passing_frac")
    with pytest.raises(ValueError, match="unknown quantity"):
        parse_quantity("au_ppm")
    with pytest.raises(ValueError, match="not a species"):
        parse_quantity("water_gpt")


# --------------------------------------------------------------------------- bad input
EXPECTED_BAD_ROWS = {
    "row 8, column value": "negative assay -2",
    "row 9, column quantity": "unknown quantity 'au_ppb'",
    "row 10, column stream": "stream name is empty",
    "row 11, column value": "'abc' is not a number",
    "row 12, column sd_kind": "without sd_kind",
    "row 13, column sd_kind": "must be abs or rel",
    "row 14, column sd": "relative sd 5",
    "row 15, column quantity": "duplicate of row 7",
    "row 16, column size_um": "mass_frac needs the size class",
    "row 17, column size_um": "negative size class",
    "row 18, column size_um": "leave size_um blank",
    "row 19, column value": "outside (0, 100]",
    "row 20, column value": "mass fraction 1.4 is above 1",
    "row 21, column stream": "'scavenger' is not in the flowsheet",
    "row 22, column quantity": "use one unit per species",
    "row 24, column sd": "relative sd of a zero reading",
    "row 25, column quantity": "cumulative passing is not accepted",
    "row 26, column sd": "sd is blank",
    "row 27, column sd": "negative standard deviation",
}


def test_every_bad_row_is_reported_at_once():
    with pytest.raises(CaseError) as excinfo:
        read_survey(DATA / "bad_rows.csv")
    found = problems_of(excinfo)
    assert set(found) == set(EXPECTED_BAD_ROWS)
    for key, fragment in EXPECTED_BAD_ROWS.items():
        assert fragment in found[key], (key, found[key])
    assert excinfo.value.exit_code == 2
    assert all(p.file.endswith("bad_rows.csv") for p in excinfo.value.problems)


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        ("stream,quantity\nfeed,au_gpt\n", "column value", "required column is missing"),
        (
            "stream,quantity,value,sdev\nfeed,au_gpt,2\n",
            "column sdev",
            "unknown column 'sdev'",
        ),
        (
            "stream,quantity,value,value\nfeed,au_gpt,2,3\n",
            "column value",
            "appears more than once",
        ),
        ("stream,quantity,value\n", "column value", "no measurements"),
        (
            "[nodes]\nnode,inlets,outlets\nr,feed,\n[measurements]\nstream,quantity,value\n"
            "feed,au_gpt,2\n",
            "row 3, column outlets",
            "has no outlet stream",
        ),
        (
            "[nodes]\nnode,inlets,outlets\na,feed,x\nb,feed,y\n[measurements]\n"
            "stream,quantity,value\nfeed,au_gpt,2\n",
            "row 4, column inlets",
            "already has destination node 'a'",
        ),
        (
            "[nodes]\nnode,inlets,outlets\na,feed,x\na,x,y\n[measurements]\n"
            "stream,quantity,value\nfeed,au_gpt,2\n",
            "row 4, column node",
            "listed twice",
        ),
        (
            "[nodes]\nnode,inlets,outlets,reactive\na,feed,x;y,maybe\n[measurements]\n"
            "stream,quantity,value\nfeed,au_gpt,2\n",
            "row 3, column reactive",
            "true or false",
        ),
        (
            "[nodes]\nnode,inlets,outlets\na,feed,feed;y\n[measurements]\n"
            "stream,quantity,value\nfeed,au_gpt,2\n",
            "row 3, column outlets",
            "both an inlet and an outlet",
        ),
    ],
)
def test_structural_problems(tmp_path, text, key, fragment):
    path = tmp_path / "survey.csv"
    path.write_text(text)
    with pytest.raises(CaseError) as excinfo:
        read_survey(path)
    found = problems_of(excinfo)
    assert key in found, found
    assert fragment in found[key]


def test_file_problems(tmp_path):
    with pytest.raises(CaseError, match="file not found"):
        read_survey(tmp_path / "missing.csv")
    other = tmp_path / "survey.txt"
    other.write_text("stream,quantity,value\n")
    with pytest.raises(CaseError, match=r"use \.csv or \.xlsx"):
        read_survey(other)


def test_records_and_external_network():
    network = Network.from_nodes({"rougher": (["feed"], ["conc", "tail"])})
    records = [
        {"stream": "feed", "quantity": "au_gpt", "value": 2.0},
        {"stream": "scav", "quantity": "au_gpt", "value": float("nan")},
    ]
    with pytest.raises(CaseError) as excinfo:
        Survey.from_records(records, network=network)
    found = problems_of(excinfo)
    # A NaN cell (pandas' missing value) is blank, not "nan".
    assert found == {"record 2, column value": "value is blank"}
    survey = Survey.from_records(records[:1], network=network)
    assert survey.measurements[0].sd_is_default


# --------------------------------------------------------------------------- network
def test_network_from_nodes():
    net = Network.from_nodes(
        {"mill": (["F", "U"], ["M"]), "cyclone": (["M"], ["U", "O"])}, reactive=["mill"]
    )
    assert net.streams == ("F", "U", "M", "O")
    assert net.feeds == ("F",)
    assert net.products == ("O",)
    assert net.source_of("U") == "cyclone"
    assert net.destination_of("U") == "mill"
    assert net.nodes[0].reactive
    with pytest.raises(CaseError, match="listed as reactive or grinding but not a node"):
        Network.from_nodes({"mill": (["F"], ["M"])}, reactive=["pox"])
    with pytest.raises(CaseError, match="already has source node"):
        Network.from_nodes({"a": (["F"], ["M"]), "b": (["G"], ["M"])})


def test_import_does_not_load_pyomo():
    code = (
        "import sys, oreflow.flowsheet.survey, oreflow.solvers.reconcile, "
        "oreflow.report.reconcile_report; "
        "assert not any(m.split('.')[0] in ('pyomo', 'highspy') for m in sys.modules)"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)

"""An ore's deportment tables: a table given must carry the metal, never silently drop it.

An empty ``[ore.NAME.silver_deportment]`` used to run with all the silver as native
``ag`` (cyanide silver recovery 53.7 % instead of 31.4 % on ``cn_silver_minerals``), or
with the silver dropped from the feed when ``ag`` is not declared; an empty gold
``[ore.NAME.deportment]`` gave a head grade of 0; a case declaring several silver classes
with ``ag_gpt = 0`` and no table let a study override of ``ag_gpt`` put all the silver in
``ag``. Each is now one message naming the file and the key, exit 2, nothing written.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from oreflow.cli import main
from oreflow.errors import CaseError
from oreflow.flowsheet.case import parse_case

CASES = Path(__file__).resolve().parents[2] / "cases"
CN_TEXT = (CASES / "tests" / "cn_silver_minerals.toml").read_text(encoding="utf-8")
TABLE = "[ore.feed.silver_deportment]\nag = 0.5\nacanthite = 0.3\nag_tetrahedrite = 0.2\n"
SOLIDS = '"au_free", "ag", "acanthite", "ag_tetrahedrite"]'
LEACH_AG = "[units.cil.leach.ag]\nk_per_h = 0.15\nultimate_frac = 0.75\n"
EMPTY_SILVER = CN_TEXT.replace(TABLE, "[ore.feed.silver_deportment]\n")
#: the same without native silver declared: before, its silver vanished from the feed
EMPTY_SILVER_NO_AG = EMPTY_SILVER.replace(SOLIDS, '"au_free", "acanthite", "ag_tetrahedrite"]')
EMPTY_SILVER_NO_AG = EMPTY_SILVER_NO_AG.replace(LEACH_AG, "")
#: a gold deportment table given empty: before, a head grade of 0 g/t
EMPTY_GOLD = CN_TEXT.replace(TABLE, TABLE + "[ore.feed.deportment]\n")


def test_fixtures_edit_the_shipped_case():
    for edited in (EMPTY_SILVER, EMPTY_SILVER_NO_AG, EMPTY_GOLD):
        assert edited != CN_TEXT
    assert EMPTY_SILVER_NO_AG.count("ag_tetrahedrite") == EMPTY_SILVER.count("ag_tetrahedrite")
    assert '"ag"' not in EMPTY_SILVER_NO_AG
    assert "leach.ag]" not in EMPTY_SILVER_NO_AG
    parse_case(CN_TEXT, "cn.toml")  # the shipped case loads


def _problems(text: str) -> list:
    with pytest.raises(CaseError) as info:
        parse_case(text, "bad.toml")
    return list(info.value.problems)


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        (EMPTY_SILVER, "ore.feed.silver_deportment", "ag, acanthite, ag_tetrahedrite"),
        (EMPTY_SILVER_NO_AG, "ore.feed.silver_deportment", "acanthite, ag_tetrahedrite"),
        (EMPTY_GOLD, "ore.feed.deportment", "au_free"),
    ],
    ids=["silver", "silver-without-ag", "gold"],
)
def test_an_empty_deportment_table_is_one_problem(text, key, fragment):
    found = _problems(text)
    assert [(p.file, p.key) for p in found] == [("bad.toml", key)], [str(p) for p in found]
    assert "is empty" in found[0].message
    assert fragment in found[0].message
    assert "summing to 1" in found[0].message


def test_several_silver_classes_need_the_table_without_silver_in_the_case():
    # ag_gpt = 0 in the file: a study or API override of ag_gpt would put it all in 'ag'
    text = CN_TEXT.replace(TABLE, "").replace("ag_gpt = 60.0", "ag_gpt = 0.0")
    assert text.count("ag_gpt = 0.0") == 1
    found = _problems(text)
    assert [p.key for p in found] == ["ore.feed.silver_deportment"]
    assert "split the silver between ag, acanthite, ag_tetrahedrite" in found[0].message


@pytest.mark.parametrize("text", [EMPTY_SILVER, EMPTY_GOLD], ids=["silver", "gold"])
def test_the_command_line_stops_with_exit_2_and_writes_nothing(text, tmp_path, capsys):
    case = tmp_path / "empty_table.toml"
    case.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    code = main(["run", str(case), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "empty_table.toml" in err
    assert "deportment: is empty" in err
    assert "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())

"""The bad-input corpus (``tests/bad_inputs/expected.toml``): each input gives its message.

Every entry runs the command line in this process and checks the exit code, that the
message is there, that there is no traceback, and that nothing was written under
``--out`` unless the command succeeded.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from oreflow.cli import main

CORPUS = Path(__file__).resolve().parents[1] / "bad_inputs"
ENTRIES = tomllib.loads((CORPUS / "expected.toml").read_text(encoding="utf-8"))["input"]


def _id(entry: dict) -> str:
    return f"{Path(entry['file']).stem}-{entry['args'][0]}-{'-'.join(entry['args'][2:4])}"


@pytest.mark.parametrize("entry", ENTRIES, ids=[_id(e) for e in ENTRIES])
def test_bad_input_gives_its_message(entry, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(CORPUS)  # messages name the file as given, relative to the corpus
    out = tmp_path / "out"
    args = [a.format(file=entry["file"], out=out) for a in entry["args"]]
    code = main(args)
    err = capsys.readouterr().err
    assert code == entry["exit"], err
    assert re.search(entry["message"], err), err
    assert "Traceback" not in err
    if code != 0:
        assert not out.exists() or not any(out.iterdir())


def test_every_corpus_file_is_used():
    used = {Path(e["file"]).name for e in ENTRIES}
    data = {"not_a_csv.bin", "grades_text_cell.csv", "expected.toml"}
    files = {p.name for p in CORPUS.iterdir() if p.is_file()} - data
    assert files <= used, files - used

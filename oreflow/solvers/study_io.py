"""A study's files: the case texts sent to workers, the output folder, chunks and resume.

The output folder holds ``study.json`` (the manifest: which study, which cases, their
hashes), ``chunks/ROUTE/chunk_NNNNNN.parquet`` (one per finished work item) and
``results.parquet``. It is checked and locked before the first scenario
(``oreflow.core.files``): a folder holding another study's results, or files that are
not a study's, is refused unless the caller resumes (same study) or overwrites; a fresh
run removes every chunk of an earlier run, so none can leak into its results.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from oreflow.core.files import LOCK_NAME, OutputFolder, is_temporary, write_files
from oreflow.errors import CaseError, Problem

logger = logging.getLogger(__name__)

MANIFEST = "study.json"
CHUNK_DIR = "chunks"
RESULTS = "results.parquet"


def require_pyarrow(where: str) -> None:
    """Refuse before any computing when Parquet cannot be written (``oreflow[study]``)."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        msg = "writing study results needs pyarrow: pip install 'oreflow[study]'"
        raise CaseError([Problem(where, "--out", msg)]) from None


def case_text(case: Any) -> str:
    """The text of a route's case file, checked against the hash it was validated with.

    Workers receive the text, not the path, so that a Dask cluster on other machines
    needs oreflow installed but not the case files.
    """
    try:
        text = Path(case.path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        msg = f"cannot read the case file to send it to the workers: {exc}"
        raise CaseError([Problem(case.path, "", msg)]) from None
    if hashlib.sha256(text.encode()).hexdigest() != case.sha256:
        msg = "case file changed since the study was loaded; load the study again"
        raise CaseError([Problem(case.path, "", msg)])
    return text


def write_parquet(frame: pd.DataFrame, folder: Path, name: str) -> None:
    """One Parquet file written atomically (temporary name, then rename)."""
    write_files(folder, {name: lambda p: frame.to_parquet(p, index=False)})


def concat_chunks(folder: Path, names: list[str], name: str) -> None:
    """Write the chunk files, in order, as one Parquet file, a chunk at a time (atomically).

    What a study too large for memory writes as ``results.parquet``: each chunk becomes
    a row group, so memory holds one chunk, not the study. Routes report different KPIs:
    the columns are the union of the chunks' in order of appearance, a column missing
    from a chunk is NaN (numbers; integers become floats) or null (text), as
    ``pandas.concat`` of the chunks would give.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    schemas = [pq.read_schema(folder / chunk) for chunk in names]
    fields: dict[str, pa.DataType] = {}
    for sch in schemas:
        for f in sch:
            fields.setdefault(f.name, f.type)
    for col, typ in fields.items():
        if (pa.types.is_integer(typ) or pa.types.is_boolean(typ)) and any(
            col not in sch.names for sch in schemas
        ):
            fields[col] = pa.float64()
    schema = pa.schema(list(fields.items()))

    def conform(table: pa.Table) -> pa.Table:
        n = table.num_rows
        arrays = []
        for f in schema:
            if f.name in table.column_names:
                arrays.append(table.column(f.name).cast(f.type))
            elif pa.types.is_floating(f.type):
                arrays.append(pa.array(np.full(n, np.nan), type=f.type))
            else:
                arrays.append(pa.nulls(n, type=f.type))
        return pa.Table.from_arrays(arrays, schema=schema)

    def write(path: Path) -> None:
        with pq.ParquetWriter(path, schema) as writer:
            for chunk in names:
                writer.write_table(conform(pq.read_table(folder / chunk)))

    write_files(folder, {name: write})


def read_chunk(folder: Path, name: str) -> pd.DataFrame:
    """A chunk written earlier (resume); an unreadable one is an error naming it."""
    try:
        return pd.read_parquet(folder / name)
    except Exception as exc:  # pyarrow raises its own types for a damaged file
        msg = f"cannot read this chunk ({type(exc).__name__}); run again with --overwrite"
        raise CaseError([Problem(str(folder / name), "", msg)]) from None


def manifest(spec: Any, n_items: int) -> dict[str, Any]:
    """What identifies a study's results in its folder."""
    return {
        "study": spec.name,
        "study_sha256": spec.sha256,
        "n_scenarios": spec.n_scenarios,
        "chunk_cases": spec.chunk_cases,
        "routes": {r: {"case": c.path, "sha256": c.sha256} for r, c in spec.routes.items()},
        "n_items": n_items,
    }


def _foreign_files(folder: Path) -> list[str]:
    """Files in the folder that are not a study's own."""
    own = {MANIFEST, CHUNK_DIR, RESULTS, LOCK_NAME}
    return sorted(
        p.name
        for p in folder.iterdir()
        if p.name not in own and not is_temporary(p.name) and not p.name.startswith(".probe.")
    )


def prepare_folder(
    spec: Any,
    folder: OutputFolder,
    chunk_names: Iterable[str],
    *,
    resume: bool,
    overwrite: bool,
    report_files: Iterable[str] = (),
) -> set[str]:
    """Check the (locked) folder against the study and write the manifest.

    Returns the chunk files already done (``resume``). Refuses, with one message, a
    folder holding another study's results or unrelated files, unless ``overwrite``
    (which removes an earlier study's chunks and results; other files are left alone).
    """
    out = folder.path
    path = out / MANIFEST
    names = list(chunk_names)
    old: dict[str, Any] | None = None
    if path.is_file():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            old = {}
    report = set(report_files)
    if old is None:
        foreign = [f for f in _foreign_files(out) if f not in report]
        if foreign and not overwrite:
            msg = (
                f"the folder holds files that are not a study's ({', '.join(foreign[:3])}"
                f"{', ...' if len(foreign) > 3 else ''}); choose an empty folder or pass --overwrite"
            )
            raise CaseError([Problem(str(out), "--out", msg)])
        if resume:
            logger.info("nothing to resume in %s: starting from the first chunk", out)
    elif old.get("study_sha256") != spec.sha256 and not overwrite:
        what = f"study {old.get('study')!r}" if old.get("study") else "another study"
        hint = (
            "resume needs the same study: pass --overwrite to replace them"
            if resume
            else "pass --overwrite to replace them, or choose another folder"
        )
        msg = f"the folder holds the results of {what} (another study or changed cases); {hint}"
        raise CaseError([Problem(str(path), "--out", msg)])
    done: set[str] = set()
    if resume and old is not None and old.get("study_sha256") == spec.sha256:
        done = {n for n in names if (out / n).is_file()}
    else:  # a fresh run: no chunk of an earlier run may leak into the results
        shutil.rmtree(out / CHUNK_DIR, ignore_errors=True)
        (out / RESULTS).unlink(missing_ok=True)
    body = json.dumps(manifest(spec, len(names)), indent=2)
    write_files(out, {MANIFEST: lambda p: p.write_text(body, encoding="utf-8")})
    return done

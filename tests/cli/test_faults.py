"""Faults with real processes: a study killed by a signal, two writers, stale temporary
files, unwritable or foreign output folders, a full disk, file modes, an unreachable
scheduler.

The full disk and the read-only folder are real file systems: a small ``tmpfs`` mounted
for the test (read-only for the latter), so that the kernel itself refuses the writes
(ENOSPC, EROFS), for root too. Where mounting is not permitted the tests are skipped.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from oreflow.core.files import OutputFolder

ROOT = Path(__file__).resolve().parents[2]
CIL = ROOT / "cases" / "free_milling_cil.toml"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

STUDY = """
[study]
name = "{name}"
n_samples = {n}
seed = 3
chunk_cases = 32

[routes]
cil = "{cil}"

[variables.grade]
dist = "lognormal"
mean = 2.0
sd = 0.4
key = "ore.main.au_gpt"
"""


def _cli(*args: str, umask: int | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    pre = (lambda: os.umask(umask)) if umask is not None else None
    return subprocess.run(
        [sys.executable, "-m", "oreflow.cli", *args],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=timeout,
        preexec_fn=pre,
    )


def _study(tmp_path: Path, name: str = "faults", n: int = 64) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(STUDY.format(name=name, n=n, cil=CIL), encoding="utf-8")
    return path


def _descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (from /proc)."""
    parent = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat_line = (entry / "stat").read_text()
            except OSError:
                continue
            parent[int(entry.name)] = int(stat_line.rpartition(")")[2].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        children = {p for p, pp in parent.items() if pp in frontier} - found
        found |= children
        frontier = children
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def test_one_line_and_exit_2_for_an_out_that_is_a_file(tmp_path):
    """Was: exit 1 with a traceback, after the computing (defect 3)."""
    res = _cli("run", str(CIL), "--out", str(CIL))
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and "exists and is not a folder" in res.stderr
    assert "Traceback" not in res.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to folders of mode 0555")
def test_read_only_out_folder_is_refused_before_computing(tmp_path):
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    try:
        res = _cli("run", str(CIL), "--out", str(out))
    finally:
        out.chmod(0o755)
    assert res.returncode == 2 and "cannot write here: permission denied" in res.stderr


def _mount_tmpfs(where: Path, options: str) -> None:
    res = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({res.stderr.strip() or res.returncode})")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 200 KiB file system (tmpfs): about three chunks of the study below fit."""
    where = tmp_path / "disk"
    where.mkdir()
    _mount_tmpfs(where, "size=200k,mode=0755")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=False)


def _leftovers(folder: Path) -> list[str]:
    """Temporary or empty (half-written) files left in a folder tree."""
    return [
        str(p)
        for p in folder.rglob("*")
        if p.is_file() and (p.name.startswith(".") or p.stat().st_size == 0)
    ]


def test_read_only_file_system_is_refused_before_computing(tmp_path):
    """A folder on a read-only file system: refused in one line, for root as well."""
    where = tmp_path / "ro"
    where.mkdir()
    _mount_tmpfs(where, "size=64k,ro")
    try:
        res = _cli("run", str(CIL), "--out", str(where / "out"))
    finally:
        subprocess.run(["umount", str(where)], check=False)
    assert res.returncode == 2, res.stderr
    assert res.stderr.count("\n") == 1 and "read-only" in res.stderr
    assert "Traceback" not in res.stderr


def test_full_disk_is_one_line_exit_2_and_leaves_no_file(small_disk):
    """Was: a full disk under --out was exit 1 with a traceback (defect 3)."""
    tiny = small_disk / "filler"
    tiny.write_bytes(b"\0" * (180 * 1024))  # the run's files no longer fit
    out = small_disk / "out"
    res = _cli("run", str(CIL), "--out", str(out))
    assert res.returncode == 2, res.stderr
    assert res.stderr.count("\n") == 1 and "no space left on the device" in res.stderr
    assert "Traceback" not in res.stderr
    assert not out.exists() or not any(out.iterdir())


def test_study_on_a_full_disk_keeps_whole_chunks_and_resumes_to_the_same_results(
    tmp_path, small_disk
):
    """A disk that fills in the middle of a study: exit 2 in one line, every chunk on disk
    is whole, no temporary file is left, and after space is freed ``--resume`` finishes
    with the results of an uninterrupted run."""
    study = _study(tmp_path, "disk", n=256)  # 8 chunks of about 60 kB: 3 fit
    out = small_disk / "out"
    res = _cli("study", str(study), "--workers", "1", "--out", str(out))
    assert res.returncode == 2, res.stderr
    assert res.stderr.count("\n") == 1 and "no space left on the device" in res.stderr
    assert "Traceback" not in res.stderr
    chunks = sorted((out / "chunks" / "cil").glob("chunk_*.parquet"))
    assert 0 < len(chunks) < 8
    assert not _leftovers(out)
    import pandas as pd

    for chunk in chunks:
        assert len(pd.read_parquet(chunk)) == 32  # whole, readable
    subprocess.run(["mount", "-o", "remount,size=16m", str(small_disk)], check=True)
    res = _cli("study", str(study), "--workers", "1", "--out", str(out), "--resume")
    assert res.returncode == 0, res.stderr
    full = tmp_path / "full"
    assert _cli("study", str(study), "--workers", "1", "--out", str(full)).returncode == 0
    resumed = pd.read_parquet(out / "results.parquet")
    pd.testing.assert_frame_equal(resumed, pd.read_parquet(full / "results.parquet"))


def test_out_below_a_file_is_refused_in_one_line(tmp_path):
    target = tmp_path / "a_file"
    target.write_text("x")
    res = _cli("run", str(CIL), "--out", str(target / "sub"))
    assert res.returncode == 2
    assert "cannot write here" in res.stderr and "Traceback" not in res.stderr


def test_files_get_the_umask_modes_and_stale_temporaries_go(tmp_path):
    """Was: every file 0600 (mkstemp); .tmp files of a killed run never removed."""
    out = tmp_path / "out"
    out.mkdir()
    stale = [out / ".result.json.4242.deadbeef.oreflow-tmp", out / ".streams.csv.a1B2c3D4.tmp"]
    for p in stale:
        p.write_text("half")
    res = _cli("run", str(CIL), "--out", str(out), umask=0o022)
    assert res.returncode == 0, res.stderr
    assert not any(p.exists() for p in stale)
    for name in ("result.json", "streams.csv", "oreflow.xlsx"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o644
    assert not (out / ".oreflow.lock").exists()


def test_a_second_writer_is_refused_by_the_lock(tmp_path):
    out = tmp_path / "out"
    with OutputFolder(out):  # this process holds the folder, as a running study would
        res = _cli("run", str(CIL), "--out", str(out))
    assert res.returncode == 2
    assert "another oreflow run is writing to this folder" in res.stderr
    assert not (out / "result.json").exists()


def test_another_studys_folder_needs_overwrite(tmp_path):
    """Was: both exit 0, the first study's results silently lost (defect 3)."""
    out = tmp_path / "out"
    first = _cli("study", str(_study(tmp_path, "first")), "--workers", "1", "--out", str(out))
    assert first.returncode == 0, first.stderr
    second_file = _study(tmp_path, "second", n=32)
    refused = _cli("study", str(second_file), "--workers", "1", "--out", str(out))
    assert refused.returncode == 2
    assert "holds the results of study 'first'" in refused.stderr
    assert len(list((out / "chunks" / "cil").glob("*.parquet"))) == 2  # untouched
    again = _cli("study", str(second_file), "--workers", "1", "--out", str(out), "--overwrite")
    assert again.returncode == 0, again.stderr
    assert len(list((out / "chunks" / "cil").glob("*.parquet"))) == 1  # none of the first's


def test_workers_zero_is_refused():
    res = _cli(
        "study", str(ROOT / "cases" / "studies" / "cyanide_vs_cyanide_free.toml"), "--workers", "0"
    )
    assert res.returncode == 2 and "--workers: must be at least 1" in res.stderr


@pytest.mark.slow
def test_unreachable_scheduler_fails_in_seconds_with_one_line(tmp_path):
    """Was: 32 s and two chained tracebacks (defect 4)."""
    pytest.importorskip("dask.distributed")
    t0 = time.monotonic()
    res = _cli("study", str(_study(tmp_path)), "--scheduler", "tcp://127.0.0.1:9")
    assert res.returncode == 2, res.stderr
    assert "cannot reach the Dask scheduler" in res.stderr
    assert "Traceback" not in res.stderr
    assert time.monotonic() - t0 < 60  # the timeout is 5 s; the rest is start-up on a busy box


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_killed_study_leaves_no_process_behind(tmp_path, sig):
    """Was: the forkserver, a worker and the resource tracker ran on indefinitely."""
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "oreflow.cli",
            "study",
            str(_study(tmp_path, n=20_000)),
            "--workers",
            "2",
            "--out",
            str(out),
        ],
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        family: set[int] = set()
        while time.monotonic() < deadline:
            family |= _descendants(proc.pid)
            if len(list(out.glob("chunks/cil/*.parquet"))) >= 4 and len(family) >= 2:
                break
            assert proc.poll() is None, "the study ended before it could be killed"
            time.sleep(0.2)
        else:
            pytest.fail("the study wrote no chunks in 300 s")
        family |= _descendants(proc.pid)
        proc.send_signal(sig)
        proc.wait(timeout=60)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(_alive(p) for p in family):
            time.sleep(0.2)
        assert not [p for p in family if _alive(p)]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    # a new run into the folder removes what the killed one left and resumes
    res = _cli(
        "study",
        str(_study(tmp_path, n=20_000)),
        "--workers",
        "1",
        "--out",
        str(out),
        "--resume",
        "--json",
        timeout=900,
    )
    assert res.returncode == 0, res.stderr
    assert not [p for p in out.rglob("*") if p.name.endswith((".oreflow-tmp", ".tmp"))]

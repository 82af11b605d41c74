"""Output folders: checked before computing, locked while written, files replaced atomically.

Every file oreflow writes goes first to a hidden temporary name in its folder
(``.NAME.PID.RANDOM.oreflow-tmp``), opened with mode 0666 so that the user's umask
decides who may read it (``tempfile.mkstemp`` would make it 0600), and is renamed into
place by ``os.replace`` (atomic on one file system). A run that is killed leaves only
such temporary files; the next run into the folder removes them while it holds the
folder's lock (``.oreflow.lock``, an advisory ``flock``), which also refuses a second
writer. Every failure is a ``CaseError`` naming the folder: one line, exit code 2.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from oreflow.errors import CaseError, Problem

TMP_SUFFIX = ".oreflow-tmp"
LOCK_NAME = ".oreflow.lock"
#: Temporary names of earlier oreflow versions (``mkstemp``: 8 random characters + .tmp).
_LEGACY_TMP = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")


def _error(folder: Path, message: str, option: str = "--out") -> CaseError:
    return CaseError([Problem(str(folder), option, message)])


def _why(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "no space left on the device"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.EROFS:
        return "the file system is read-only"
    return exc.strerror or str(exc)


def is_temporary(name: str) -> bool:
    """Whether a file name is one of oreflow's temporary files."""
    return name.endswith(TMP_SUFFIX) or bool(_LEGACY_TMP.match(name))


def check_folder(folder: str | Path, option: str = "--out") -> Path:
    """Create the folder if needed and prove it writable; ``CaseError`` if not.

    Called before any computing, so a bad ``--out`` costs nothing.
    """
    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise _error(path, "exists and is not a folder", option)
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".probe.{os.getpid()}.{secrets.token_hex(4)}{TMP_SUFFIX}"
        fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
        os.close(fd)
        probe.unlink()
    except OSError as exc:
        raise _error(path, f"cannot write here: {_why(exc)}", option) from None
    return path


def remove_stale_temporaries(folder: Path) -> int:
    """Remove temporary files a killed run left in the folder (and below); return how many.

    Only under the folder's lock: no other oreflow process is writing there then.
    """
    removed = 0
    for root, _, files in os.walk(folder):
        for name in files:
            if is_temporary(name):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(root, name))
                    removed += 1
    return removed


class OutputFolder:
    """A checked, locked output folder; use as a context manager.

    Entering checks the folder (``check_folder``), takes its lock (a second writer gets
    a ``CaseError``) and removes stale temporary files. Leaving removes the lock file
    and releases the lock; a folder this run created and left empty is removed, so a
    failed run leaves nothing behind.
    """

    def __init__(self, folder: str | Path, option: str = "--out") -> None:
        self.path = Path(folder)
        self.option = option
        self._fd: int | None = None
        self._created = False

    def _busy(self) -> CaseError:
        return _error(
            self.path,
            "another oreflow run is writing to this folder; wait for it or choose another folder",
            self.option,
        )

    def __enter__(self) -> OutputFolder:
        self._created = not self.path.exists()
        check_folder(self.path, self.option)
        lock = self.path / LOCK_NAME
        try:
            import fcntl
        except ImportError:  # no flock on this platform: no lock, the rest still holds
            fcntl = None  # type: ignore[assignment]
        try:
            fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o666)
        except OSError as exc:
            raise _error(self.path, f"cannot write here: {_why(exc)}", self.option) from None
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                # the holder before us removes the file as it leaves: a lock on a removed
                # file guards nothing, so it must still be the file at that path
                same = os.fstat(fd).st_ino == os.stat(lock).st_ino
            except OSError:
                same = False
            if not same:
                os.close(fd)
                raise self._busy()
        self._fd = fd
        remove_stale_temporaries(self.path)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            (self.path / LOCK_NAME).unlink()
        os.close(self._fd)  # closing the descriptor releases the flock
        self._fd = None
        if self._created:
            with contextlib.suppress(OSError):
                self.path.rmdir()  # only if empty: the run wrote nothing


@contextlib.contextmanager
def locked(folder: str | Path | OutputFolder, option: str = "--out") -> Iterator[Path]:
    """The folder's path under its lock: reuses an ``OutputFolder`` the caller holds."""
    if isinstance(folder, OutputFolder):
        yield folder.path
        return
    with OutputFolder(folder, option) as held:
        yield held.path


def _temp_name(target: Path) -> Path:
    return target.parent / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}{TMP_SUFFIX}"


def _create(path: Path) -> None:
    """Create an empty file whose mode follows the umask (0666 & ~umask)."""
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))


def write_files(folder: Path, writers: dict[str, Callable[[Path], None]]) -> list[Path]:
    """Write each file to a temporary name, then rename all into place.

    ``writers`` maps a path relative to ``folder`` to a function writing that file at
    the path it is given. If any writer fails, no file is replaced and the temporary
    files are removed; an ``OSError`` (disk full, permission) becomes a ``CaseError``.
    The caller holds the folder's lock.
    """
    temps: dict[Path, Path] = {}
    try:
        for name, write in writers.items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = _temp_name(target)
            _create(tmp)
            temps[target] = tmp
            write(tmp)
        for target, tmp in temps.items():
            os.replace(tmp, target)
    except BaseException as exc:
        for tmp in temps.values():
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        if isinstance(exc, OSError):
            raise _error(folder, f"cannot write the results: {_why(exc)}") from None
        raise
    return list(temps)


#: Largest text file oreflow reads again for help text [bytes] (a case is about 20 kB).
MAX_TEXT_BYTES = 4 * 1024 * 1024


def read_small_text(path: str | Path) -> str:
    """A regular UTF-8 file of at most ``MAX_TEXT_BYTES``; ``ValueError`` otherwise."""
    p = Path(path)
    if not p.is_file() or p.stat().st_size > MAX_TEXT_BYTES:
        msg = f"{path}: not a regular file of at most {MAX_TEXT_BYTES} bytes"
        raise ValueError(msg)
    return p.read_text(encoding="utf-8-sig")

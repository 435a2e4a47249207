"""Files written whole or not at all, and content hashes: the one place for each.

Every file vidkit writes for someone else to read (videos, sidecars, manifests, job records,
downloads, uploads to a local store) is first written to a hidden temporary name beside its
final one and renamed into place, so a crash, a full disk or Ctrl-C never leaves half a file
under the real name.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TextIO

CHUNK = 1 << 20


def sha256_file(path: Path, chunk: int = CHUNK) -> str:
    """The hex SHA-256 of a file's bytes, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def temp_beside(path: Path, tag: str = "part") -> Path:
    """A hidden temporary name beside ``path``, unique to this process and thread, keeping the
    suffix (ffmpeg picks the container from it): ``.name.part-PID-TID.ext``."""
    return path.with_name(f".{path.stem}.{tag}-{os.getpid()}-{threading.get_ident()}{path.suffix}")


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success rename it to ``path``, else remove it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_beside(path)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


# the temporaries of temp_beside, and the ".name.PID.TID.tmp|part" ones older versions wrote
_LEFTOVER = re.compile(r"^\..+\.(?:part-(\d+)(?:-\d+)?\.[^.]+|(\d+)\.\d+\.(?:tmp|part))$")


def leftover_pid(name: str) -> int | None:
    """The process id in a temporary's name made by :func:`temp_beside`, else None."""
    m = _LEFTOVER.match(name)
    return int(m.group(1) or m.group(2)) if m else None


def sweep_leftovers(
    folders: Iterable[Path], *, older_than: float = 600.0, now: Callable[[], float] = time.time
) -> list[Path]:
    """Delete hidden temporaries a killed run left behind (``kill -9``, power loss).

    Ctrl-C cleans up after itself; this is for what could not. A temporary is removed only
    when the process that wrote it is gone and it has not changed for ``older_than`` seconds,
    so a run still going on elsewhere (another machine sharing the folder) keeps its files.
    Batch output folders and local storage are swept with this one function.
    """
    removed: list[Path] = []
    for folder in folders:
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for path in entries:
            pid = leftover_pid(path.name)
            if pid is None:
                continue
            try:
                if now() - path.stat().st_mtime < older_than or _alive(pid):
                    continue
                path.unlink()
            except OSError:
                continue
            removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8, line endings as given) to ``path`` atomically."""
    with atomic_path(path) as tmp:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8", newline="")
        else:
            tmp.write_bytes(data)


# OWASP "CSV injection": a text cell starting with one of these is a live formula in Excel,
# LibreOffice and Google Sheets (=HYPERLINK(...) sends the sheet's data elsewhere).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """``value`` as a CSV cell a spreadsheet shows as text: text that would start a formula
    gets a leading ``'``; numbers (and everything that is not text) are left as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(
    stream: TextIO,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    lineterminator: str = "\r\n",
) -> None:
    """Write a header and rows as CSV, every text cell made :func:`spreadsheet_safe`. The one
    CSV writer: every CSV file vidkit writes for people goes through here."""
    writer = csv.writer(stream, lineterminator=lineterminator)
    writer.writerow([spreadsheet_safe(c) for c in header])
    for row in rows:
        writer.writerow([spreadsheet_safe(c) for c in row])

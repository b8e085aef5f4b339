"""Where an export's output goes: replaced only when an export wrote it, whole or not at all.

- Never destroys: an existing output is replaced only if an export wrote it (a corpus folder
  holds the export's marker file, its files and its card and nothing else; a file starts the
  way a JSON Lines or CSV export starts, is a Parquet file whose footer names newscrawl, or is
  empty). The database, its ``-wal``/``-shm``/``-journal``, any SQLite file and any folder
  holding other things are refused, ``--force`` or not.
- One at a time: an ``flock`` on a hidden lock file beside the output (``.NAME.lock``) keeps two
  exports from racing to one path; the second fails at once with one line. The kernel drops
  the lock of a killed export, so a stale lock file never blocks the next one.
- No junk: temporary names carry the writer's pid (``NAME.tmp-PID-XXXXXXXX``, a replaced folder
  ``NAME.old-PID-XXXXXXXX``). The next export to that place, holding the lock, removes those of
  dead processes, and puts back an old folder a kill left without its replacement.
- Durable: data is synced before the rename that publishes it, and a folder is swapped for the
  old one in one step (``renameat2(RENAME_EXCHANGE)`` where the file system has it).
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

MARKER_NAME = ".newscrawl-export"  # in every corpus folder: what says an export wrote it
INDEX_NAME = "index.csv"
CARD_NAME = "README.md"  # the dataset card an export may write into a corpus folder
CARD_MARK = "# dataset card written by scrapy export for: "  # a card's second line
PARQUET_MAGIC = b"PAR1"
CORPUS_FILE = re.compile(r"[0-9]{3,}_[0-9a-f]{16}\.txt")
SQLITE_HEADER = b"SQLite format 3\x00"
DATABASE_SUFFIXES = ("", "-wal", "-shm", "-journal")
_FIRST_LINE_LIMIT = 16 * 1024 * 1024
_RENAME_EXCHANGE = 2
LEGACY_QUIET_SECONDS = 15 * 60


class ExportError(Exception):
    """An export problem a person can act on; the message is one line."""


# -- what may be replaced --------------------------------------------------------------------


def refuse_database(path: Path, database: Path | None) -> None:
    """Refuse an output that is the database or one of its companion files, existing or not."""
    if database is None:
        return
    real, db = path.resolve(), database.resolve()
    if real in {Path(f"{db}{suffix}") for suffix in DATABASE_SUFFIXES} or _same_file(real, db):
        raise ExportError(f"{path} is the database itself: give --output another file name")


def check_replaceable(path: Path, wants_folder: bool, force: bool) -> None:
    """Raise unless writing ``path`` loses nothing an export did not write (with --force)."""
    if not path.exists():
        return
    if path.is_dir() != wants_folder:
        kind = "a folder" if path.is_dir() else "a file"
        needs = "a folder" if wants_folder else "a file name"
        fmt = "txt" if wants_folder else "jsonl, csv and parquet"
        raise ExportError(f"{path} is {kind}; --format {fmt} needs {needs} for --output")
    if wants_folder:
        foreign = _foreign_entries(path)
        if foreign is None:
            return  # an empty folder: nothing to lose
        if foreign:
            shown = ", ".join(foreign[:3]) + (", …" if len(foreign) > 3 else "")
            raise ExportError(
                f"{path} holds things no export wrote ({shown}): newscrawl never replaces them,"
                " --force or not; give --output a new or empty folder"
            )
    else:
        problem = _not_an_export_file(path)
        if problem:
            raise ExportError(
                f"{path} {problem}: newscrawl replaces only a file an export wrote, --force or"
                " not; give --output another file name"
            )
    if not force:
        raise ExportError(f"{path} holds an earlier export: add --force to replace it")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _foreign_entries(folder: Path) -> list[str] | None:
    """Entries of a folder an export did not write; None for an empty folder."""
    names, foreign = [], []
    with os.scandir(folder) as entries:
        for entry in entries:
            names.append(entry.name)
            ours = (
                entry.name in (MARKER_NAME, INDEX_NAME)
                or CORPUS_FILE.fullmatch(entry.name)
                or (entry.name == CARD_NAME and is_card(Path(entry.path)))
            )
            if not ours or not entry.is_file(follow_symlinks=False):
                foreign.append(entry.name + ("/" if entry.is_dir() else ""))
    if not names:
        return None
    if not foreign and MARKER_NAME not in names and INDEX_NAME not in names:
        foreign.append("no export marker")
    return sorted(foreign)


def is_card(path: Path) -> bool:
    """A dataset card an export wrote (not a README someone put there)."""
    try:
        with open(path, "rb") as stream:
            head = stream.read(len(CARD_MARK) + 4)
    except OSError:
        return False
    return head == f"---\n{CARD_MARK}".encode()


def _not_an_export_file(path: Path) -> str | None:
    """Why a file is not one an export wrote, or None when it is (or is empty)."""
    if not path.is_file():
        return "is not a regular file"
    with open(path, "rb") as stream:
        first = stream.readline(_FIRST_LINE_LIMIT)
    if first.startswith(SQLITE_HEADER):
        return "is an SQLite database"
    if first.startswith(PARQUET_MAGIC):
        return None if _parquet_export(path) else "is a Parquet file no export wrote"
    if not first:
        return None
    line = first.removeprefix(b"\xef\xbb\xbf").rstrip(b"\r\n")
    try:
        row = json.loads(line)
    except ValueError:
        row = None
    if isinstance(row, dict) and {"content_hash", "url", "title"} <= row.keys():
        return None
    header = line.decode("utf-8", "replace").split(",")
    if {"content_hash", "url", "title"} <= set(header):
        return None
    return "does not look like an export (JSON Lines, CSV or Parquet of articles)"


def _parquet_export(path: Path) -> bool:
    """A whole Parquet file whose footer carries the key every Parquet export writes."""
    with open(path, "rb") as stream:
        size = stream.seek(0, os.SEEK_END)
        if size < 12:
            return False
        stream.seek(-8, os.SEEK_END)
        tail = stream.read(8)
        length = int.from_bytes(tail[:4], "little")
        if tail[4:] != PARQUET_MAGIC or length > min(size - 12, _FIRST_LINE_LIMIT):
            return False
        stream.seek(-8 - length, os.SEEK_END)
        footer = stream.read(length)
    return b"newscrawl" in footer and b"content_hash" in footer


# -- one export at a time per output, and what killed ones left ------------------------------


@contextmanager
def output_lock(path: Path) -> Iterator[None]:
    """Hold ``path``'s export lock; an ExportError at once if another export holds it."""
    lock = path.with_name(f".{path.name}.lock")
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise ExportError(
            f"cannot write in {path.parent} ({error.strerror}): choose another --output"
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ExportError(
                f"another export is writing {path} right now: wait for it to finish,"
                " or choose another --output"
            ) from None
        yield
    finally:
        os.close(fd)  # releases the lock


def _temporary_sibling(path: Path, kind: str) -> Path:
    return path.with_name(f"{path.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}")


def clean_leftovers(path: Path) -> None:
    """Remove what killed exports to ``path`` left; put back an old folder left without a new one.

    Call with ``path``'s lock held: no live export to ``path`` can own what is removed. Names
    without a pid come from versions before the lock; those are removed once untouched for
    LEGACY_QUIET_SECONDS, as a writer still going would keep touching them.
    """
    leftover = re.compile(rf"{re.escape(path.name)}\.(tmp|old)-(?:([0-9]+)-)?[0-9a-f]{{8}}")
    quiet_since = time.time() - LEGACY_QUIET_SECONDS
    found = []
    with os.scandir(path.parent) as entries:
        for entry in entries:
            match = leftover.fullmatch(entry.name)
            if not match:
                continue
            if match[2] is None:
                stale = entry.stat(follow_symlinks=False).st_mtime < quiet_since
            else:
                stale = not _alive(int(match[2]))
            if stale:
                found.append((match[1], Path(entry.path)))
    for kind, stale_path in sorted(found):
        if kind == "old" and not path.exists() and stale_path.is_dir():
            stale_path.rename(path)  # killed between moving the old corpus aside and the new in
        elif stale_path.is_dir() and not stale_path.is_symlink():
            shutil.rmtree(stale_path)
        else:
            stale_path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


# -- writing ---------------------------------------------------------------------------------


@contextmanager
def atomic_file(target: Path) -> Iterator[BinaryIO]:
    """A file that appears at ``target`` complete, or not at all."""
    temporary = _temporary_sibling(target, "tmp")
    try:
        with open(temporary, "xb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
        _sync_dir(target.parent)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_folder(target: Path, marker: dict) -> Iterator[Path]:
    """A folder that appears at ``target`` complete, or not at all, with ``marker`` in it.

    A non-empty folder cannot be renamed over another: the new one is swapped with the old in
    one step, and the old one deleted once the new one is in place.
    """
    temporary = _temporary_sibling(target, "tmp")
    temporary.mkdir()
    try:
        yield temporary
        (temporary / MARKER_NAME).write_text(json.dumps(marker) + "\n", encoding="utf-8")
        _sync_folder(temporary)
        if target.exists():
            old = _temporary_sibling(target, "old")
            if _exchange(temporary, target):
                temporary.rename(old)
            else:
                target.rename(old)
                temporary.rename(target)
            _sync_dir(target.parent)
            shutil.rmtree(old)
        else:
            temporary.rename(target)
            _sync_dir(target.parent)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step; False where the system or file system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except AttributeError:
        return False
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _sync_folder(folder: Path) -> None:
    """Every file in ``folder`` on disk: one ``syncfs`` where there is one, else each file."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        syncfs = getattr(ctypes.CDLL(None, use_errno=True), "syncfs", None)
        if syncfs is None or syncfs(fd) != 0:
            for entry in os.scandir(folder):
                with open(entry.path, "rb") as stream:
                    os.fsync(stream.fileno())
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

"""The layout of a Slack workspace export, read the same way from a folder or a zip.

An export holds listing files at its root (``users.json``, ``channels.json``, and in some
exports ``groups.json``, ``mpims.json``, ``dms.json``) and one folder per conversation with
one ``YYYY-MM-DD.json`` per day. A zip may put all of it under one top folder. The archive
hands out one file's bytes at a time, so memory holds one day file, never the export.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from shequn.errors import SourceFormatError

__all__ = ["LISTINGS", "DayFile", "SlackArchive", "is_day_file", "looks_like_export"]

#: Listing files naming the conversations, with the chat type each one's entries have.
LISTINGS: dict[str, str] = {
    "channels.json": "channel",
    "groups.json": "private_channel",
    "mpims.json": "mpim",
    "dms.json": "dm",
}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")


def is_day_file(name: str) -> bool:
    return _DAY.match(name) is not None


@dataclass(frozen=True)
class DayFile:
    """One file inside a conversation folder; ``label`` names it in errors, ``size`` is on disk."""

    folder: str
    name: str
    size: int

    @property
    def label(self) -> str:
        return f"{self.folder}/{self.name}"


class SlackArchive:
    """A Slack export opened from a folder or a zip; use as a context manager.

    ``bytes_read`` counts the bytes taken from disk (compressed sizes in a zip), so progress
    compares with the size of the export as the user sees it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.bytes_read = 0
        self._zip: zipfile.ZipFile | None = None
        self._prefix = ""
        if not path.is_dir():
            try:
                self._zip = zipfile.ZipFile(path)  # closed in close()
            except zipfile.BadZipFile:
                raise SourceFormatError(str(path), "top level", "expected a Slack export folder or zip") from None
            self._prefix = _zip_prefix(self._zip.namelist()) or ""

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> SlackArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def top(self, name: str) -> bytes | None:
        """The bytes of a root listing file (``users.json``), or None when absent."""
        if self._zip is None:
            file = self.path / name
            return self._count(file.read_bytes()) if file.is_file() else None
        try:
            info = self._zip.getinfo(self._prefix + name)
        except KeyError:
            return None
        self.bytes_read += info.compress_size
        return self._zip.read(info)

    def folders(self) -> Iterator[tuple[str, list[DayFile]]]:
        """Each conversation folder with its files in name order, folders in name order."""
        if self._zip is None:
            for folder in sorted(p for p in self.path.iterdir() if p.is_dir()):
                files = sorted(p for p in folder.iterdir() if p.is_file())
                yield folder.name, [DayFile(folder.name, f.name, f.stat().st_size) for f in files]
            return
        grouped: dict[str, list[DayFile]] = {}
        for info in self._zip.infolist():
            if info.is_dir() or not info.filename.startswith(self._prefix):
                continue
            parts = PurePosixPath(info.filename[len(self._prefix) :]).parts
            if len(parts) == 2:
                grouped.setdefault(parts[0], []).append(DayFile(parts[0], parts[1], info.compress_size))
        for folder in sorted(grouped):
            yield folder, sorted(grouped[folder], key=lambda f: f.name)

    def read(self, day: DayFile) -> bytes:
        self.bytes_read += day.size
        if self._zip is None:
            return (self.path / day.folder / day.name).read_bytes()
        return self._zip.read(f"{self._prefix}{day.folder}/{day.name}")

    def _count(self, data: bytes) -> bytes:
        self.bytes_read += len(data)
        return data


def _zip_prefix(names: list[str]) -> str | None:
    """The folder inside a zip that holds the listing files ("" at the root), or None."""
    found = [n for n in names if PurePosixPath(n).name in LISTINGS and n.count("/") <= 1]
    if not found:
        return None
    shallowest = min(found, key=lambda n: n.count("/"))
    return shallowest[: shallowest.rfind("/") + 1]


def looks_like_export(path: Path) -> bool:
    """Is ``path`` (a folder or a zip) a Slack export?

    It must hold a listing file that is a JSON array and a conversation folder with a day
    file. Both are needed: DiscordChatExporter archives also ship a ``channels.json`` (an
    object keyed by category), and a lone channel folder has day files but no listing.
    """
    if path.is_dir():
        listed = [path / name for name in LISTINGS if (path / name).is_file()]
        if not any(_is_array(_head(file)) for file in listed):
            return False
        return any(
            is_day_file(file.name)
            for folder in path.iterdir()
            if folder.is_dir()
            for file in folder.iterdir()
            if file.is_file()
        )
    if not path.is_file() or not zipfile.is_zipfile(path):
        return False
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            prefix = _zip_prefix(names)
            if prefix is None:
                return False
            listed = [prefix + name for name in LISTINGS if prefix + name in names]
            if not any(_is_array(_head_in_zip(zf, name)) for name in listed):
                return False
            return any(
                len(PurePosixPath(n[len(prefix) :]).parts) == 2 and is_day_file(PurePosixPath(n).name)
                for n in names
                if n.startswith(prefix)
            )
    except (zipfile.BadZipFile, OSError):
        return False


def _is_array(head: bytes) -> bool:
    return head.lstrip().startswith(b"[")


def _head(file: Path) -> bytes:
    with open(file, "rb") as fh:
        return fh.read(64)


def _head_in_zip(zf: zipfile.ZipFile, name: str) -> bytes:
    with zf.open(name) as fh:
        return fh.read(64)

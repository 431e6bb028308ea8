"""What every importer shares: its contract, options, time and key helpers.

An importer is a module under ``shequn.sources`` (or a plugin registered in the
``shequn.sources`` entry-point group) with:

- ``NAME`` (the carrier/format name users type after ``--format``) and ``VERSION``;
- ``sniff(path, head) -> bool``: does this file look like ours? ``head`` is the first
  64 KiB of the file (or of the chat file inside a zip); decide from content, not the name;
- ``read(path, options) -> Iterator[Record]``: a generator of :mod:`shequn.model` records
  that never holds the whole export in memory, raising
  :class:`~shequn.errors.SourceFormatError` with the place where the file broke;
- optionally ``claims_folder(path) -> bool`` for exports that are a folder (or a zip of
  one) read as a whole, such as a Slack workspace export;
- optionally ``COMPANION_FILES``: names of files the importer reads beside an export
  (PyWxDump's ``users.json``), which a folder import must not take as exports.

An importer that reads millions of messages may hand its events over in bulk, as
:class:`~shequn.model.EventRows` (one list per field) instead of one ``Event`` each: the
store takes both, and ``EventRows.events()`` turns rows back into records for any reader of
the stream that wants them one by one. Telegram does so.
"""

from __future__ import annotations

import hashlib
import io
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import BinaryIO, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shequn.errors import ConfigError
from shequn.model import Record

__all__ = [
    "HEAD_BYTES",
    "ContentKeys",
    "ProgressReader",
    "ReadOptions",
    "SourceModule",
    "local_to_utc_us",
    "utc_us",
    "zone",
]

HEAD_BYTES = 64 * 1024
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ReadOptions:
    """What the user told the import, passed to every importer.

    ``tz`` is the zone in which wall-clock times without an offset are read (the
    community's zone unless ``--tz`` says otherwise). ``chat_name`` names the chat when the
    file does not (``--group``). ``day`` is the date of a log whose lines carry times only
    and whose file name has no date (``--day``, IRC). ``progress`` is called with bytes read
    so far.
    """

    tz: str = "UTC"
    chat_name: str | None = None
    day: date | None = None
    progress: Callable[[int], None] | None = field(default=None, compare=False)


class SourceModule(Protocol):
    NAME: str
    VERSION: str

    def sniff(self, path: Path, head: bytes) -> bool: ...

    def read(self, path: Path, options: ReadOptions) -> Iterator[Record]: ...


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``, or a ConfigError that says what was wrong."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown time zone {name!r} (use an IANA name such as Asia/Shanghai)") from exc


def utc_us(dt: datetime) -> int:
    """UTC epoch microseconds of an aware datetime."""
    delta = dt - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def local_to_utc_us(naive: datetime, tz: ZoneInfo) -> int:
    """Epoch microseconds of a wall-clock time read in ``tz``.

    Ambiguous times (the repeated hour when clocks go back) take the first occurrence
    (``fold=0``); times in the skipped hour are read with the offset before the gap, which
    is what a phone that wrote them would have shown.
    """
    return utc_us(naive.replace(tzinfo=tz))


class ContentKeys:
    """Keys for events of carriers without message ids (WhatsApp, IRC, QQ).

    The key hashes time, sender and text plus the occurrence of that same triple at that same
    timestamp, so two identical messages in one minute stay two events while a re-export of
    the same chat yields the same keys. Exports are not always in time order (WhatsApp writes
    12:25 before 12:24), so the counts of the last ``RECENT`` timestamps are kept, not only
    the current one; memory stays constant.
    """

    RECENT = 64
    __slots__ = ("_counts",)

    def __init__(self) -> None:
        self._counts: OrderedDict[str, dict[tuple[str, str], int]] = OrderedDict()

    def key(self, ts: str, sender: str, text: str) -> str:
        counts = self._counts.get(ts)
        if counts is None:
            counts = self._counts[ts] = {}
            if len(self._counts) > self.RECENT:
                self._counts.popitem(last=False)
        else:
            self._counts.move_to_end(ts)
        n = counts.get((sender, text), 0)
        counts[(sender, text)] = n + 1
        digest = hashlib.md5(f"{ts}\x1f{sender}\x1f{text}".encode(), usedforsecurity=False).hexdigest()
        return f"h:{digest[:24]}:{n}"


class ProgressReader(io.RawIOBase):
    """A binary stream that reports how many bytes were read, for the progress bar."""

    def __init__(self, raw: BinaryIO, progress: Callable[[int], None] | None) -> None:
        self._raw = raw
        self._progress = progress
        self._done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        n = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        if n:
            self._done += n
            if self._progress is not None:
                self._progress(self._done)
        return n or 0

    def close(self) -> None:
        self._raw.close()
        super().close()

"""An mbox file cut into its messages, one at a time (RFC 4155; FORMATS.md §11).

Messages start at a ``From `` line carrying the sender and an asctime date
(``From jgb at example.com  Thu Apr 14 11:06:56 2016``). The standard library's
:class:`mailbox.mbox` keeps a table of every message's offsets, which grows with the file;
this reader keeps only the message being read, so memory follows the largest mail.

A body line that merely begins with "From " and was not escaped (mboxo writers forget)
is told apart by the date the separator must carry. ``>From `` escapes are left as written:
mboxo and mboxrd cannot be told apart from the file.
Monthly archives compressed with gzip (HyperKitty's ``.mbox.gz``) are read as they are.
"""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from shequn.errors import SourceFormatError
from shequn.sources._base import ProgressReader

__all__ = ["Chunk", "is_separator", "opened", "split_messages"]

_SEPARATOR = re.compile(
    rb"From \S.*?\s(?P<date>(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+[A-Z][a-z]{2}\s+\d{1,2}\s+\d{1,2}:\d\d(?::\d\d)?"
    rb"(?:\s+[+-]\d{4}|\s+[A-Z]{3,4})?\s+\d{4})(?:\s+[+-]\d{4})?\s*$"
)
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True, slots=True)
class Chunk:
    """One message: the line its ``From `` separator is on, the separator's date, the raw mail."""

    line: int
    envelope_date: datetime | None
    envelope_date_text: str
    data: bytes


def is_separator(line: bytes) -> bool:
    """Whether a line is an mbox ``From `` separator (with its asctime date)."""
    return line.startswith(b"From ") and _SEPARATOR.match(line.rstrip(b"\r\n")) is not None


def _envelope_date(text: str) -> datetime | None:
    """The separator's date, a wall-clock time in the delivering machine's zone."""
    parts = text.split()
    if len(parts) == 6:  # "Thu Apr 14 11:06:56 +0200 2016" (zone before the year)
        parts = parts[:4] + parts[5:]
    for fmt in ("%a %b %d %H:%M:%S %Y", "%a %b %d %H:%M %Y"):
        try:
            return datetime.strptime(" ".join(parts[:5]), fmt)
        except ValueError:
            continue
    return None


@contextmanager
def opened(path: Path, progress: Callable[[int], None] | None = None) -> Iterator[BinaryIO]:
    """The file's bytes as a buffered stream, decompressed if it is gzip."""
    with open(path, "rb") as fh, io.BufferedReader(ProgressReader(fh, progress), buffer_size=1 << 20) as raw:
        if raw.peek(2)[:2] == _GZIP_MAGIC:
            with gzip.GzipFile(fileobj=raw) as unzipped, io.BufferedReader(unzipped, buffer_size=1 << 20) as stream:
                yield stream  # type: ignore[misc]
        else:
            yield raw


def split_messages(path: Path, progress: Callable[[int], None] | None = None) -> Iterator[Chunk]:
    """Each message of the mbox at ``path``, in file order.

    Blank lines before the first separator are allowed; anything else there means the file
    is no mbox, and is an error naming the line.
    """
    with opened(path, progress) as stream:
        lines: list[bytes] = []
        start: tuple[int, str] | None = None
        number = 0
        try:
            for number, line in enumerate(stream, start=1):
                if line.startswith(b"From ") and (found := _SEPARATOR.match(line.rstrip(b"\r\n"))):
                    if start is not None:
                        yield _chunk(start, lines)
                    start, lines = (number, found["date"].decode("ascii", "replace")), []
                elif start is not None:
                    lines.append(line)
                elif line.strip():
                    raise SourceFormatError(
                        str(path), f"line {number}", "expected an mbox 'From ' line (From sender date) before any mail"
                    )
        except (OSError, EOFError) as exc:  # a damaged gzip stream
            raise SourceFormatError(str(path), f"line {number + 1}", f"cannot read on: {exc}") from None
        if start is not None:
            yield _chunk(start, lines)


def _chunk(start: tuple[int, str], lines: list[bytes]) -> Chunk:
    if lines and lines[-1].strip() == b"":
        lines = lines[:-1]  # the blank line before the next separator belongs to no mail
    return Chunk(start[0], _envelope_date(start[1]), start[1], b"".join(lines))

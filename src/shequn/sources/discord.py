"""DiscordChatExporter (Tyrrrz) exports: JSON, CSV (both dialects) and PlainText.

Each layout has its own reader; this module only recognises which one a file is. HTML
exports are not read (they carry nothing the JSON export lacks; export JSON instead).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from shequn.errors import SourceFormatError
from shequn.model import Record
from shequn.sources._base import HEAD_BYTES, ReadOptions
from shequn.sources._discord_csv import HEADERS, csv_messages
from shequn.sources._discord_flat import read_flat
from shequn.sources._discord_json import looks_like_json, read_json
from shequn.sources._discord_text import looks_like_text, text_messages

__all__ = ["NAME", "VERSION", "read", "sniff"]

NAME = "discord"
VERSION = "1.0"


def _layout(head: bytes) -> str | None:
    if looks_like_json(head):
        return "json"
    if head.lstrip(b"\xef\xbb\xbf").startswith(HEADERS):
        return "csv"
    if looks_like_text(head):
        return "text"
    return None


def sniff(path: Path, head: bytes) -> bool:
    """A DiscordChatExporter JSON root, CSV header or PlainText preamble."""
    return _layout(head) is not None


def read(path: Path, options: ReadOptions) -> Iterator[Record]:
    """The records of one exported channel (or one partition of it)."""
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    layout = _layout(head)
    if layout == "json":
        yield from read_json(path, options)
    elif layout == "csv":
        yield from read_flat(path, options, csv_messages)
    elif layout == "text":
        yield from read_flat(path, options, text_messages)
    else:
        raise SourceFormatError(
            str(path),
            "line 1",
            "expected a DiscordChatExporter export: a JSON object with guild and channel,"
            " the CSV header AuthorID,Author,Date,… or the PlainText '=====' / Guild: / Channel: preamble",
        )

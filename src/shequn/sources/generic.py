"""The generic layout: CSV or JSONL for any carrier shequn has no importer for.

Documented in ``docs/formats-generic.md``: one row per event with the columns ``group``,
``time``, ``sender_id``, ``sender_name``, ``text`` and optionally ``id``, ``reply_to``,
``thread``, ``kind``, ``subkind``, ``target_id``, ``target_name``, ``mentions``. A file may
hold several groups; each becomes a chat when first seen. The file is recognised only by
its header row (or first object's keys): ``time``, ``text`` and ``sender_id`` or
``sender_name`` must be there, which no carrier's own export has (DiscordChatExporter's
CSV says ``AuthorID,Author,Date,Content``). Rows: :mod:`._generic_rows`; files:
:mod:`._generic_files`.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import msgspec

from shequn.errors import SourceFormatError
from shequn.model import Chat, Record
from shequn.sources._base import HEAD_BYTES, ReadOptions
from shequn.sources._generic_files import csv_dialect, csv_rows, is_jsonl, jsonl_rows
from shequn.sources._generic_rows import RowReader, has_required

__all__ = ["NAME", "VERSION", "read", "sniff"]

NAME = "generic"
VERSION = "1.0"


def sniff(path: Path, head: bytes) -> bool:
    """The header row (CSV) or the first object's keys (JSONL) name the layout's required columns."""
    if path.is_file() and zipfile.is_zipfile(path):
        return False
    text = head.removeprefix(b"\xef\xbb\xbf")
    if is_jsonl(text):
        first = text.lstrip().split(b"\n", 1)[0]
        try:
            value = msgspec.json.decode(first)
        except msgspec.DecodeError:
            return False
        return isinstance(value, dict) and has_required({str(k).lower() for k in value})
    first_line = text.split(b"\n", 1)[0].rstrip(b"\r")
    if len(first_line) >= HEAD_BYTES:
        return False
    try:
        return csv_dialect(first_line.decode("utf-8")) is not None
    except UnicodeDecodeError:
        return False


def read(path: Path, options: ReadOptions) -> Iterator[Record]:
    """One event per row, each group's Chat before its first event."""
    where = str(path)
    if path.is_dir():
        raise SourceFormatError(where, "top level", "expected a CSV or JSONL file, got a folder")
    with open(path, "rb") as fh:
        jsonl = is_jsonl(fh.read(HEAD_BYTES))
    if jsonl:
        rows = jsonl_rows(path, options.progress)
        label = "key"
    else:
        rows = csv_rows(path, options.progress)
        label = "column"
    reader = RowReader(where, options.tz, lambda pos, name: f"{pos}, {label} {name}")
    default_group = options.chat_name or path.stem
    declared: set[str] = set()
    for seq, (line, row) in enumerate(rows):
        group = _text(row.get("group")) or default_group
        if group not in declared:
            declared.add(group)
            yield Chat(carrier=NAME, native_id=group, name=group)
        yield reader.event(row, group, f"line {line}", seq)


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None

"""The rows of a generic CSV or JSONL file, one at a time, with the line each starts on.

CSV: a header row names the columns (any case, any order; ``,``, ``;`` or TAB separated,
chosen by which one makes the header hold the required columns), then one row per event;
quoted cells may span lines. JSONL: one JSON object per line. Both are UTF-8 (a BOM is
allowed); a byte that is not UTF-8 is an error naming its line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec

from shequn.errors import SourceFormatError
from shequn.sources._base import ProgressReader
from shequn.sources._generic_rows import has_required

__all__ = ["csv_dialect", "csv_rows", "header_columns", "is_jsonl", "jsonl_rows"]

_DELIMITERS = (",", ";", "\t")


def is_jsonl(head: bytes) -> bool:
    """Whether the file's first non-blank character opens a JSON object."""
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def header_columns(line: str, delimiter: str) -> list[str]:
    return [cell.strip().lower() for cell in next(csv.reader([line], delimiter=delimiter), [])]


def csv_dialect(first_line: str) -> str | None:
    """The delimiter under which the header holds the required columns, if any."""
    for delimiter in _DELIMITERS:
        if has_required(set(header_columns(first_line, delimiter))):
            return delimiter
    return None


def _text_lines(stream: io.BufferedReader, where: str) -> Iterator[str]:
    """The stream's lines decoded one by one, so that a bad byte is reported on its own line."""
    for number, raw in enumerate(stream, start=1):
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SourceFormatError(where, f"line {number}", f"bytes are not UTF-8 ({exc.reason})") from None


def csv_rows(path: Path, progress: Callable[[int], None] | None = None) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line, row)`` for each data row, ``line`` being where the row starts; the header is checked first."""
    where = str(path)
    with open(path, "rb") as raw:
        lines = _text_lines(io.BufferedReader(ProgressReader(raw, progress), buffer_size=1 << 20), where)
        first = next(lines, "").rstrip("\r\n")
        delimiter = csv_dialect(first)
        if delimiter is None:
            raise SourceFormatError(
                where, "line 1", "expected a header row with time, text and sender_id or sender_name columns"
            )
        columns = header_columns(first, delimiter)
        reader = csv.reader(lines, delimiter=delimiter)
        done = 1  # physical lines read so far, the header's included
        try:
            for cells in reader:
                line, done = done + 1, reader.line_num + 1
                if not any(cell.strip() for cell in cells):
                    continue  # a blank line
                if len(cells) > len(columns):
                    raise SourceFormatError(
                        where, f"line {line}", f"expected at most {len(columns)} cells (the header's), got {len(cells)}"
                    )
                yield line, dict(zip(columns, cells, strict=False))
        except csv.Error as exc:
            raise SourceFormatError(where, f"line {done + 1}", f"not valid CSV ({exc})") from None


def jsonl_rows(path: Path, progress: Callable[[int], None] | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line, object)`` for each non-blank line, keys lower-cased."""
    where = str(path)
    decoder = msgspec.json.Decoder()
    with open(path, "rb") as raw:
        stream = io.BufferedReader(ProgressReader(raw, progress), buffer_size=1 << 20)
        for number, line in enumerate(stream, start=1):
            if number == 1:
                line = line.removeprefix(b"\xef\xbb\xbf")
            if not line.strip():
                continue
            try:
                value = decoder.decode(line)
            except msgspec.DecodeError as exc:
                raise SourceFormatError(where, f"line {number}", f"not valid JSON ({exc})") from None
            if not isinstance(value, dict):
                raise SourceFormatError(where, f"line {number}", f"expected a JSON object, got {type(value).__name__}")
            yield number, {str(k).lower(): v for k, v in value.items()}

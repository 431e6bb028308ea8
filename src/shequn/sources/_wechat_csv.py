"""CSV rows of a WeChat dump, each with the line it starts on, read with the ``csv`` module.

Fields may hold newlines (multi-line messages, XML), so a row can span several lines; the
line number reported is the one the row starts on. Rows are read one at a time.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from shequn.errors import SourceFormatError
from shequn.sources._base import ReadOptions
from shequn.sources._qq_encoding import DecodedLines

__all__ = ["Columns", "csv_rows"]

# A message's XML can exceed the csv module's default 128 KiB field limit.
_FIELD_LIMIT = 64 * 1024 * 1024


class _Lines:
    """Text lines for ``csv.reader`` that remember the number of the last line handed out."""

    def __init__(self, lines: DecodedLines) -> None:
        self._it = iter(lines)
        self.number = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        self.number, text = next(self._it)
        return text


class Columns:
    """Where each named column is in a header row; a row may be shorter than the header."""

    def __init__(self, header: list[str]) -> None:
        self.names = [h.strip() for h in header]
        self._index = {name: i for i, name in enumerate(self.names)}

    def __contains__(self, name: str) -> bool:
        return name in self._index

    def index(self, name: str) -> int | None:
        """The position of column ``name``, or None if the header lacks it."""
        return self._index.get(name)

    def get(self, row: list[str], name: str) -> str:
        """The field ``name`` of ``row``, or "" when the row stops before it."""
        i = self._index.get(name)
        return row[i] if i is not None and i < len(row) else ""


def csv_rows(path: Path, options: ReadOptions) -> Iterator[tuple[int, list[str]]]:
    """``(line, fields)`` for every non-empty row, the header included."""
    csv.field_size_limit(max(csv.field_size_limit(), _FIELD_LIMIT))
    lines = _Lines(DecodedLines(path, options.progress))
    reader = csv.reader(lines, strict=True)
    while True:
        start = lines.number + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise SourceFormatError(str(path), f"line {start}", f"not valid CSV: {exc}") from None
        if row:
            yield start, row

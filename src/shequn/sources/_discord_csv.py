"""DiscordChatExporter CSV: ``AuthorID,Author,Date,Content,Attachments,Reactions``.

Two dialects exist. The current one separates with ``,`` and writes ISO dates with an offset
(or, in some versions, the culture's short date). The old one (2018–2020) separates with
``;``, ends every row with a ``;`` and writes ``05-Dec-19 04:22 PM`` without an offset, read in
the import's zone. Every field is quoted, so content may span lines; ``csv`` copes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from shequn.errors import SourceFormatError
from shequn.model import Chat
from shequn.sources._base import ProgressReader, ReadOptions
from shequn.sources._discord_flat import FlatMessage, flat_chat, parse_reactions

__all__ = ["HEADERS", "csv_messages"]

_COLUMNS = ("AuthorID", "Author", "Date", "Content", "Attachments", "Reactions")
HEADERS = (",".join(_COLUMNS).encode(), ";".join(_COLUMNS).encode() + b";")


def _delimiter(head: bytes) -> str:
    return ";" if head.lstrip(b"\xef\xbb\xbf").startswith(HEADERS[1]) else ","


def csv_messages(path: Path, options: ReadOptions) -> Iterator[Chat | FlatMessage]:
    """The chat, then each row as a message, in file order."""
    with open(path, "rb") as fh:
        delimiter = _delimiter(fh.read(len(HEADERS[1]) + 3))
    width = len(_COLUMNS) + (1 if delimiter == ";" else 0)  # the old dialect's trailing ';'
    name = str(path)
    with (
        open(path, "rb") as raw,
        io.TextIOWrapper(
            io.BufferedReader(ProgressReader(raw, options.progress)), encoding="utf-8-sig", newline=""
        ) as text,
    ):
        reader = csv.reader(text, delimiter=delimiter, strict=True)
        start = 1
        try:
            header = next(reader, None)
            if header is None or tuple(header[: len(_COLUMNS)]) != _COLUMNS:
                raise SourceFormatError(name, "line 1", f"expected the header {delimiter.join(_COLUMNS)}")
            yield flat_chat(path, options)
            start = reader.line_num + 1
            for row in reader:
                pos = f"line {start}"
                start = reader.line_num + 1
                if not row:
                    continue  # a blank line holds no row
                if len(row) != width or (width > len(_COLUMNS) and row[-1]):
                    raise SourceFormatError(
                        name, pos, f"expected {width} fields separated by {delimiter!r}, got {len(row)}"
                    )
                author_id, author, date, content, attachments, reactions = row[: len(_COLUMNS)]
                if not author:
                    raise SourceFormatError(name, pos, "expected an Author, got an empty field")
                yield FlatMessage(
                    author=author,
                    author_id=author_id or None,
                    date=date,
                    content=content,
                    attachments=sum(1 for url in attachments.split(",") if url.strip()),
                    reactions=parse_reactions(reactions, csv_field=True),
                    pos=pos,
                )
        except csv.Error as exc:
            raise SourceFormatError(name, f"line {start}", f"broken CSV: {exc}") from None
        except UnicodeDecodeError as exc:
            raise SourceFormatError(name, f"line {start}", f"not UTF-8 text: {exc.reason}") from None

"""DiscordChatExporter PlainText (``.txt``).

::

    ==============================================================
    Guild: Komodo
    Channel: dev-general
    Topic: …                      (optional; older versions add Messages: and Range:)
    ==============================================================

    [02-Jul-18 08:51 PM] dukeleto#7326            (" (pinned)" after the author when pinned)
    woot, welcome to the new #dev-general channel

    {Attachments}
    https://cdn.discordapp.com/…

    {Reactions}
    👍 (2) kekw

A message runs from its header line to the next header. A header is a line
``[date] author`` that follows a blank line and whose date reads in the file's own date
pattern, so body lines such as ``[New Thread 0x7f…] …`` stay body. After the text come the
``{Attachments}``, ``{Embed}``, ``{Stickers}`` and ``{Reactions}`` blocks, each after a blank
line. Newer versions end with a ``====`` / ``Exported N message(s)`` / ``====`` trailer.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

from shequn.errors import SourceFormatError
from shequn.model import Chat
from shequn.sources._base import ProgressReader, ReadOptions
from shequn.sources._discord_common import DATE_EXAMPLES, DateReader
from shequn.sources._discord_flat import FlatMessage, flat_chat, parse_reactions

__all__ = ["looks_like_text", "text_messages"]

_RULE = re.compile(r"^={20,}$")
_HEADER = re.compile(r"^\[(?P<date>[^\]]+)\] (?P<author>.+)$")
_EXPORTED = re.compile(r"^Exported [\d,.\s\u00a0\u202f]+ message")
_BLOCKS = frozenset({"{Attachments}", "{Embed}", "{Stickers}", "{Reactions}"})
_PINNED = " (pinned)"


def looks_like_text(head: bytes) -> bool:
    """The ``====`` rule, then ``Guild:`` and ``Channel:`` lines."""
    lines = head.lstrip(b"\xef\xbb\xbf").replace(b"\r\n", b"\n").split(b"\n", 3)
    return (
        len(lines) >= 3
        and _RULE.match(lines[0].decode("ascii", "replace")) is not None
        and lines[1].startswith(b"Guild: ")
        and lines[2].startswith(b"Channel: ")
    )


def _body(lines: list[str]) -> tuple[str, int, tuple[tuple[str, int], ...]]:
    """(text, attachment count, reactions) of the lines after a message header."""
    end = len(lines)
    while end and not lines[end - 1]:
        end -= 1
    first_block = next((i for i in range(1, end) if lines[i] in _BLOCKS and not lines[i - 1]), end)
    content_end = first_block - 1 if first_block < end else end
    text = "\n".join(lines[:content_end]).rstrip("\n")
    attachments = 0
    reactions: tuple[tuple[str, int], ...] = ()
    block = None
    for line in lines[first_block:end]:
        if not line:
            block = None
        elif block is None and line in _BLOCKS:
            block = line
        elif block == "{Attachments}":
            attachments += 1
        elif block == "{Reactions}":
            reactions += parse_reactions(line, csv_field=False)
    return text, attachments, reactions


def _trim_trailer(lines: list[str]) -> list[str]:
    """The last message's lines without the ``Exported N message(s)`` trailer."""
    end = len(lines)
    while end and not lines[end - 1]:
        end -= 1
    if end >= 3 and _RULE.match(lines[end - 1]) and _EXPORTED.match(lines[end - 2]) and _RULE.match(lines[end - 3]):
        return lines[: end - 3]
    return lines


def text_messages(path: Path, options: ReadOptions) -> Iterator[Chat | FlatMessage]:
    """The chat, then each message, in file order."""
    name = str(path)
    dates = DateReader(options.tz)
    line_no = 0
    with (
        open(path, "rb") as raw,
        io.TextIOWrapper(io.BufferedReader(ProgressReader(raw, options.progress)), encoding="utf-8-sig") as text,
    ):
        try:
            numbered = enumerate((line.rstrip("\n") for line in text), 1)
            preamble: dict[str, str] = {}
            for line_no, line in numbered:
                if line_no == 1:
                    if not _RULE.match(line):
                        raise SourceFormatError(name, "line 1", "expected the '=====' rule that opens the export")
                    continue
                if _RULE.match(line):
                    break
                key, sep, value = line.partition(": ")
                if sep and key in {"Guild", "Channel", "Topic", "After", "Before", "Range", "Messages"}:
                    preamble[key] = value
            else:
                raise SourceFormatError(name, f"line {line_no + 1}", "file ends inside the header block")
            if "Channel" not in preamble:
                raise SourceFormatError(name, "line 3", "expected 'Channel: <name>' in the header block")
            yield flat_chat(path, options, guild=preamble.get("Guild"), channel=preamble["Channel"])
            header: tuple[str, str, int] | None = None  # date, author, line
            body: list[str] = []
            previous_blank = True
            for line_no, line in numbered:
                found = _HEADER.match(line) if previous_blank else None
                if found is not None:
                    read = dates.read if header is None else dates.read_known
                    found = found if read(found["date"]) is not None else None
                if found is not None:
                    if header is not None:
                        yield _message(header, body)
                    header, body, previous_blank = (found["date"], found["author"], line_no), [], False
                    continue
                if header is None and line and not (_RULE.match(line) or _EXPORTED.match(line)):
                    raise SourceFormatError(
                        name,
                        f"line {line_no}",
                        f"expected a message header '[date] author', dates like {DATE_EXAMPLES}",
                    )
                body.append(line)
                previous_blank = not line
            if header is not None:
                yield _message(header, _trim_trailer(body))
        except UnicodeDecodeError as exc:
            raise SourceFormatError(name, f"line {line_no + 1}", f"not UTF-8 text: {exc.reason}") from None


def _message(header: tuple[str, str, int], body: list[str]) -> FlatMessage:
    date, author, line_no = header
    pinned = author.endswith(_PINNED)
    if pinned:
        author = author[: -len(_PINNED)]
    content, attachments, reactions = _body(body)
    return FlatMessage(
        author=author,
        date=date,
        content=content,
        attachments=attachments,
        reactions=reactions,
        pinned=pinned,
        pos=f"line {line_no}",
    )

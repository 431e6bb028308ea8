"""Stream the ``messages`` of a DiscordChatExporter JSON file, one message's bytes at a time.

DiscordChatExporter writes JSON indented by two spaces (``\\n``, or ``\\r\\n`` when exported on
Windows), so every message is an object that opens with a line ``    {`` and closes with a
line ``    }``: deeper objects are indented further and strings never hold a raw newline.
Cutting at those lines and decoding each piece with msgspec is several times faster than a
streaming parser and holds one message at a time. A file laid out differently (minified,
re-indented by another tool) is streamed with ijson instead, each message re-encoded so
both paths hand the same bytes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import ijson
import orjson

from shequn.errors import SourceFormatError
from shequn.sources._base import ProgressReader

__all__ = ["Indented", "MessageBytes", "indented_layout", "line_of", "message_bytes"]

HEAD_LIMIT = 1 << 20  # guild, channel and dateRange come before the messages and are small
_BLOCK = 1 << 20
_ARRAY = b'"messages": ['

MessageBytes = tuple[int, bytes, int]  # index in messages, the object's bytes, its byte offset (-1 unknown)
Progress = Callable[[int], None] | None


@dataclass(frozen=True)
class Indented:
    """Where DiscordChatExporter's indented messages array starts, and its line break."""

    head: bytes  # the root object with an empty messages array: guild, channel, dateRange…
    start: int  # offset just after '"messages": ['
    newline: bytes

    @property
    def opens(self) -> bytes:
        return self.newline + b"    {" + self.newline

    @property
    def closes(self) -> bytes:
        return self.newline + b"    }"

    @property
    def ends(self) -> bytes:
        return self.newline + b"  ]"


def line_of(path: Path, offset: int) -> int:
    """The 1-based line holding byte ``offset`` (only computed when reporting an error)."""
    line, done = 1, 0
    with open(path, "rb") as fh:
        while done < offset and (block := fh.read(min(_BLOCK, offset - done))):
            line += block.count(b"\n")
            done += len(block)
    return line


def indented_layout(path: Path) -> Indented | None:
    """The layout DiscordChatExporter writes, if the file has it; None for any other JSON."""
    with open(path, "rb") as fh:
        head = fh.read(HEAD_LIMIT)
    for newline in (b"\n", b"\r\n"):
        at = head.find(newline + b"  " + _ARRAY)
        if at < 0:
            continue
        start = at + len(newline) + 2 + len(_ARRAY)
        layout = Indented(head[:at] + newline + b'  "messages": []' + newline + b"}", start, newline)
        rest = head[start : start + 16]
        if rest.startswith((layout.opens, layout.ends, b"]")):
            return layout
    return None


def message_bytes(path: Path, layout: Indented | None, progress: Progress) -> Iterator[MessageBytes]:
    """Each message object's bytes: cut from the indented layout, or streamed by ijson."""
    if layout is None:
        yield from _ijson_messages(path, progress)
    else:
        yield from _cut_messages(path, layout, progress)


class _Window:
    """The unread part of the file's last blocks, refilled as the cutting moves on."""

    __slots__ = ("base", "buf", "done", "fh", "pos", "progress")

    def __init__(self, fh: BinaryIO, start: int, progress: Progress) -> None:
        fh.seek(start)
        self.fh = fh
        self.buf = b""
        self.base = start  # file offset of buf[0]
        self.pos = 0
        self.done = start
        self.progress = progress

    def fill(self, need: int) -> bool:
        """At least ``need`` unread bytes in the window; False if the file ends first."""
        while len(self.buf) - self.pos < need:
            more = self.fh.read(_BLOCK)
            if not more:
                return False
            self.buf, self.base, self.pos = self.buf[self.pos :] + more, self.base + self.pos, 0
            self.done += len(more)
            if self.progress is not None:
                self.progress(self.done)
        return True

    def find(self, pattern: bytes, start: int) -> int:
        """Window index of ``pattern`` at or after window index ``start``; -1 if the file ends first."""
        while (at := self.buf.find(pattern, start)) < 0:
            start = max(start, len(self.buf) - len(pattern)) - self.pos  # as an index after the refill
            if not self.fill(len(self.buf) - self.pos + 1):
                return -1
        return at


def _cut_messages(path: Path, layout: Indented, progress: Progress) -> Iterator[MessageBytes]:
    name = str(path)
    opens, closes, ends = layout.opens, layout.closes, layout.ends
    with open(path, "rb") as fh:
        win = _Window(fh, layout.start, progress)
        index = 0
        while True:
            win.fill(len(opens) + 1)
            if win.buf.startswith(b",", win.pos):
                win.pos += 1
                win.fill(len(opens))
            if win.buf.startswith((ends, b"]"), win.pos):
                return
            if not win.buf.startswith(opens, win.pos):
                line = line_of(path, win.base + win.pos) + 1
                found = "the file ends" if len(win.buf) - win.pos < len(opens) else "something else"
                raise SourceFormatError(
                    name, f"messages[{index}]", f"expected a message object or ']' at line {line}, {found} there"
                )
            end = win.find(closes, win.pos + len(opens) - len(layout.newline))
            first = win.base + win.pos + len(layout.newline)
            if end < 0:
                raise SourceFormatError(
                    name, f"messages[{index}]", f"the file ends inside this message (from line {line_of(path, first)})"
                )
            stop = end + len(closes)
            yield index, win.buf[win.pos + len(layout.newline) : stop], first
            win.pos = stop
            index += 1


def _ijson_messages(path: Path, progress: Progress) -> Iterator[MessageBytes]:
    count = 0
    with open(path, "rb") as raw:
        try:
            for item in ijson.items(ProgressReader(raw, progress), "messages.item", use_float=True):
                yield count, orjson.dumps(item), -1
                count += 1
        except ijson.JSONError as exc:
            raise SourceFormatError(str(path), f"messages[{count}]", f"broken JSON: {exc}") from None

"""The fast reader: Telegram Desktop's own pretty-printed layout, read by lines and chunks.

Telegram Desktop writes ``result.json`` one key per line, indented one space per level, and
a JSON string cannot hold a raw newline. So a line that is only ``}`` at the indent of the
message list's items ends a message, and a line that is only ``]`` at the indent of the
``"messages"`` key ends the list: no other line can look like that. The reader therefore
never tokenises the file in Python. It walks the few lines around the chats (names, types,
ids), and inside a message list it cuts a run of whole messages (about 64 KiB) at the last
item end in the window, wraps the run in ``[...]`` and lets msgspec decode it in one call.

Memory is one window of the file plus one decoded run, whatever the file's size. The same
indentation rules hold for other pretty-printers (Python's ``json.dump(indent=2)``); files
that do not look like this at the top (minified, CRLF, tabs) go to the streaming reader.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterator
from typing import BinaryIO

import msgspec

from shequn.errors import SourceFormatError
from shequn.model import Record
from shequn.sources._telegram_chats import ChatPicker
from shequn.sources._telegram_events import ChatEvents, MessageError
from shequn.sources._telegram_schema import MESSAGES, Message, decode_head

__all__ = ["PrettyReader", "looks_pretty"]

CHUNK = 64 << 10  # bytes of messages per msgspec call: small runs keep objects out of the older GC generations
BLOCK = 4 << 20  # bytes read from the file at a time

_SECTIONS = ("chats", "left_chats")
_HEAD_KEYS = frozenset({"name", "type", "id"})
_KEY_LINE = re.compile(rb' *"((?:[^"\\]|\\.)*)"\s*:\s*(.*?)\s*$')
_FIRST_LINES = re.compile(rb'\{\n +"')
_MESSAGES_LINE = re.compile(rb'\n( *)"messages": \[\n( *)(.)')
_DECODE_AT = re.compile(r"\(byte (\d+)\)")
_VALIDATE_AT = re.compile(r"^(.*) - at `\$\[(\d+)\](.*)`$", re.DOTALL)

Records = Generator[list[Record], None, int]  # yields runs of records, returns where the reader stopped


def looks_pretty(head: bytes) -> bool:
    """Does the file start the way Telegram Desktop writes it (one key per line, LF, spaces)?"""
    if not _FIRST_LINES.match(head) or b"\r\n" in head:
        return False
    first = _MESSAGES_LINE.search(head)
    if first is None:  # an account export whose chats start beyond the head
        return True
    key_indent, item_indent, opener = len(first.group(1)), len(first.group(2)), first.group(3)
    return (opener == b"{" and item_indent > key_indent) or (opener == b"]" and item_indent == key_indent)


def _indent(line: bytes) -> int:
    return len(line) - len(line.lstrip(b" "))


class _Window:
    """The part of the file still needed: bytes from ``base`` on, read in blocks, dropped when used."""

    def __init__(self, raw: BinaryIO, progress: Callable[[int], None] | None) -> None:
        self._raw = raw
        self._progress = progress
        self._read = 0
        self._lines = 0  # newlines before base
        self.data = b""
        self.base = 0
        self.eof = False

    @property
    def end(self) -> int:
        return self.base + len(self.data)

    def more(self) -> bool:
        """Read one more block; False at the end of the file."""
        if self.eof:
            return False
        block = self._raw.read(BLOCK)
        if not block:
            self.eof = True
            return False
        self._read += len(block)
        if self._progress is not None:
            self._progress(self._read)
        self.data = self.data + block if self.data else block
        return True

    def fill(self, upto: int) -> None:
        while self.end < upto and self.more():
            pass

    def release(self, upto: int) -> None:
        """Forget the bytes before ``upto`` once they fill a block (copying less often than every chunk)."""
        cut = upto - self.base
        if cut >= BLOCK:
            self._lines += self.data.count(b"\n", 0, cut)
            self.data = self.data[cut:]
            self.base = upto

    def find(self, pattern: bytes, start: int, *, release: bool = False) -> int:
        """Where ``pattern`` next occurs from ``start`` (reading on as needed), or -1."""
        frm = start
        while True:
            found = self.data.find(pattern, frm - self.base)
            if found >= 0:
                return found + self.base
            frm = max(start, self.end - len(pattern) + 1)
            if release:
                self.release(frm)
            if not self.more():
                return -1

    def line(self, pos: int) -> tuple[bytes, int]:
        """The line starting at ``pos`` (without its newline) and where the next one starts."""
        newline = self.find(b"\n", pos)
        if newline < 0:
            return self.data[pos - self.base :], self.end
        return self.data[pos - self.base : newline - self.base], newline + 1

    def line_no(self, pos: int) -> int:
        return self._lines + self.data.count(b"\n", 0, pos - self.base) + 1


class PrettyReader:
    """Records of a Telegram Desktop export in its own layout."""

    def __init__(self, raw: BinaryIO, label: str, picker: ChatPicker, progress: Callable[[int], None] | None) -> None:
        self.window = _Window(raw, progress)
        self.label = label
        self.picker = picker
        self._account = False

    def _error(self, pos: int, where: str, problem: str) -> SourceFormatError:
        return SourceFormatError(self.label, f"line {self.window.line_no(pos)} ({where})", problem)

    def _line(self, pos: int, where: str) -> tuple[bytes, int]:
        if pos >= self.window.end and not self.window.more():
            raise self._error(pos, where, "file ends early (expected the rest of the chat or export)")
        return self.window.line(pos)

    def _next_line(self, pos: int) -> int:
        """Where the line after the one holding ``pos`` starts."""
        newline = self.window.find(b"\n", pos)
        return self.window.end if newline < 0 else newline + 1

    # -- the objects around the messages -----------------------------------------------

    def chunks(self) -> Iterator[list[Record]]:
        """The export's records, a run at a time (a chat's head, or a decoded run of messages)."""
        pos = self._next_line(0)  # past the root's "{" line
        _, chats = yield from self._object(pos, "", root=True)
        if not chats and not self._account:
            raise self._error(0, "root", "no messages and no chats: not a Telegram Desktop export")
        self.picker.finish(self._account)

    def _object(self, pos: int, path: str, *, root: bool = False) -> Generator[list[Record], None, tuple[int, bool]]:
        """Walk an object from its first key line: its head keys, its messages, its sections.

        Returns where the next line after the object starts and whether the object was a chat
        (had a ``messages`` list). Lines at the key indent are keys; the first line less
        indented is the object's end.
        """
        where = path or "root"
        line, nxt = self._line(pos, where)
        indent = _indent(line)
        head: dict[str, bytes] = {}
        chat = False
        while True:
            if _indent(line) != indent or not line[indent:].startswith(b'"'):
                if line.strip().startswith(b"}") and _indent(line) < indent:
                    break
                raise self._error(pos, where, f"expected a key or the end of the object, got {line[:60]!r}")
            match = _KEY_LINE.fullmatch(line)
            if match is None:
                raise self._error(pos, where, f"expected a key line, got {line[:60]!r}")
            key, value = match.group(1).decode(), match.group(2).removesuffix(b",").rstrip()
            if key == "messages" and value in (b"[", b"[]"):
                nxt = yield from self._chat(head, path, nxt, indent, empty=value == b"[]")
                chat = True
            elif root and key in _SECTIONS and value == b"{":
                self._account = True
                nxt = yield from self._section(key, nxt)
            elif value in (b"{", b"["):
                nxt = self._skip(nxt, indent, value, f"{path}.{key}" if path else key)
            elif key in _HEAD_KEYS:
                head[key] = value
            pos = nxt
            line, nxt = self._line(pos, where)
        if root:
            self._check_trailing(nxt)
        return nxt, chat

    def _skip(self, pos: int, indent: int, opener: bytes, where: str) -> int:
        """Pass over a container value that opened at the end of a line indented ``indent``."""
        close = b"\n" + b" " * indent + (b"}" if opener == b"{" else b"]")
        found = self.window.find(close, pos - 1, release=True)
        if found < 0:
            raise self._error(self.window.end, where, "file ends inside this value")
        return self._next_line(found + len(close))

    def _section(self, section: str, pos: int) -> Records:
        """``"chats": {"about": …, "list": [chat, …]}`` of a full-account export."""
        line, nxt = self._line(pos, section)
        indent = _indent(line)
        while not (line.strip().startswith(b"}") and _indent(line) < indent):
            match = _KEY_LINE.fullmatch(line)
            if match is None or _indent(line) != indent:
                raise self._error(pos, section, f"expected a key, got {line[:60]!r}")
            key, value = match.group(1).decode(), match.group(2).removesuffix(b",").rstrip()
            if key == "list" and value == b"[":
                nxt = yield from self._list(section, nxt)
            elif value in (b"{", b"["):
                nxt = self._skip(nxt, indent, value, f"{section}.{key}")
            pos = nxt
            line, nxt = self._line(pos, section)
        return nxt

    def _list(self, section: str, pos: int) -> Records:
        """The chats of a section, one object each."""
        index = 0
        while True:
            where = f"{section}.list[{index}]"
            line, nxt = self._line(pos, where)
            item = line.strip()
            if item in (b"]", b"],"):
                return nxt
            if item == b"{":
                nxt, _ = yield from self._object(nxt, where)
            elif item not in (b"{}", b"{},"):
                raise self._error(pos, where, f"expected a chat object, got {line[:60]!r}")
            index += 1
            pos = nxt

    def _check_trailing(self, pos: int) -> None:
        while True:
            rest = self.window.data[pos - self.window.base :]
            if rest.strip():
                raise self._error(pos, "after the root", "unexpected data after the end of the export")
            pos = self.window.end
            if not self.window.more():
                return

    # -- a chat and its messages -------------------------------------------------------

    def _chat(self, fields: dict[str, bytes], path: str, pos: int, indent: int, *, empty: bool) -> Records:
        """Open the chat whose head keys were read, then its message list (starting at ``pos``)."""
        try:
            head = decode_head(fields)
        except msgspec.MsgspecError as exc:
            raise self._error(pos, path or "root", f"chat name, type or id not understood: {exc}") from None
        record, events = self.picker.open(head, path)
        yield [record]
        if not empty:
            pos = yield from self._messages(events, pos, indent, f"{path}.messages" if path else "messages")
        if events is not None:
            self.picker.close(events)
            yield events.finish()
        return pos

    def _messages(self, events: ChatEvents | None, pos: int, indent: int, where: str) -> Records:
        """The message list whose key line is indented ``indent``; its items start at ``pos``."""
        w = self.window
        line, nxt = self._line(pos, where)
        if line.strip() in (b"]", b"],"):
            return nxt
        item_indent = _indent(line)
        if line[item_indent:] != b"{" or item_indent <= indent:
            raise self._error(pos, f"{where}[0]", "expected each message to start on a line of its own with {")
        list_end = b"\n" + b" " * indent + b"]"
        if events is None:  # a chat that is not imported: find the end of its list and move on
            found = w.find(list_end, pos - 1, release=True)
            if found < 0:
                raise self._error(w.end, where, "file ends inside the message list")
            return self._next_line(found + len(list_end))
        item_end = b"\n" + b" " * item_indent + b"}"
        between = b",\n" + b" " * item_indent + b"{"
        start = pos + item_indent  # the "{" of the next message to decode
        index = 0
        size = CHUNK
        while True:
            w.release(start)
            w.fill(start + size)
            data, base = w.data, w.base
            stop = min(start + size, w.end) - base
            closed = data.find(list_end, start - base, stop)
            limit = closed if closed >= 0 else stop
            last = data.rfind(item_end, start - base, limit)
            if last < 0:
                if closed < 0 and w.end >= start + size:
                    size *= 2  # one message longer than the window: look further
                    continue
                problem = "file ends inside a message" if closed < 0 else "the list ends inside a message"
                raise self._error(start, f"{where}[{index}]", problem)
            run_end = last + len(item_end)
            batch = self._decode(data, base, start, run_end, item_end, where, index)
            try:
                records = events.records(batch, index)
            except MessageError as exc:
                at = self._item_start(data, base, start, exc.index - index, item_end)
                raise self._error(at, f"{where}[{exc.index}]{exc.field}", exc.problem) from None
            yield records
            index += len(batch)
            size = CHUNK
            after = base + run_end
            w.fill(after + len(between))
            data, base = w.data, w.base
            if data.startswith(between, after - base):
                start = after + len(between) - 1
            elif data.startswith(list_end, after - base):
                return self._next_line(after + len(list_end))
            elif w.eof and w.end - after < len(between):
                raise self._error(after, f"{where}[{index}]", "file ends after a message (expected , or ])")
            else:
                raise self._error(after, f"{where}[{index}]", "expected , and the next message, or ] after a message")

    def _decode(
        self, data: bytes, base: int, start: int, run_end: int, item_end: bytes, where: str, index: int
    ) -> list[Message]:
        """Decode the messages from ``start`` (absolute) to ``run_end`` (relative to ``base``) in one call."""
        try:
            return MESSAGES.decode(b"[" + data[start - base : run_end] + b"]")
        except msgspec.ValidationError as exc:
            found = _VALIDATE_AT.match(str(exc))
            if found is None:
                raise self._error(start, f"{where}[{index}]", str(exc)) from None
            offset = int(found.group(2))
            at = self._item_start(data, base, start, offset, item_end)
            raise self._error(at, f"{where}[{index + offset}]{found.group(3)}", found.group(1)) from None
        except msgspec.DecodeError as exc:
            byte = _DECODE_AT.search(str(exc))
            at = start + int(byte.group(1)) - 1 if byte else start
            offset = data.count(item_end, start - base, at - base)
            raise self._error(at, f"{where}[{index + offset}]", f"invalid JSON: {exc}") from None

    @staticmethod
    def _item_start(data: bytes, base: int, start: int, offset: int, item_end: bytes) -> int:
        """Where message number ``offset`` of a run that starts at ``start`` begins."""
        pos = start - base
        for _ in range(offset):
            found = data.find(item_end, pos)
            if found < 0:
                break
            # "\n" + indent + "}" then "," + "\n" + indent + "{": twice the end's length to the next "{"
            pos = found + 2 * len(item_end)
        return pos + base

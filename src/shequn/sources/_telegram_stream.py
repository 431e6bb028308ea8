"""The general reader: any valid JSON layout (minified, CRLF, tabs), streamed with ijson.

Telegram Desktop's own files go to the faster line-based reader; this one takes what other
tools write (re-saved or minified exports, lookalikes of ``result.json``). It reads in one
of two ways, chosen by a first look at the file's start:

- a single chat (the usual case): the chat's head is read from the first parser events,
  then the file is read again from the start by ijson's ``items`` in C, which builds the
  messages several times faster than any per-token loop in Python;
- anything else (a full-account export): one walk over the parser's events in Python,
  following the chats and building each message with ``ObjectBuilder``.

Either way batches of built messages go through ``msgspec.convert`` into the same structs
the fast reader decodes, so all readers give the same records. Memory is one batch.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import ijson
import msgspec

from shequn.errors import SourceFormatError
from shequn.model import Record
from shequn.sources._base import ProgressReader
from shequn.sources._telegram_chats import ChatPicker
from shequn.sources._telegram_events import ChatEvents, MessageError
from shequn.sources._telegram_schema import ChatHead, Message

__all__ = ["StreamReader"]

BATCH = 200  # small batches keep built messages out of the older GC generations (2x faster than 1000)

# where a chat object sits in each layout
_CHAT_OBJECTS = {"": "", "chats.list.item": "chats", "left_chats.list.item": "left_chats"}
_HEAD_FIELDS = {(f"{chat}.{key}" if chat else key): key for chat in _CHAT_OBJECTS for key in ("name", "type", "id")}
_MESSAGE_LISTS = {(f"{chat}.messages" if chat else "messages"): chat for chat in _CHAT_OBJECTS}
_SECTIONS = ("chats", "left_chats")
_SCALARS = frozenset({"string", "number", "null", "boolean"})
_VALIDATE_AT = re.compile(r"^(.*) - at `\$\[(\d+)\](.*)`$", re.DOTALL)


class StreamReader:
    """Records of a Telegram export in any JSON layout, from a seekable binary stream."""

    def __init__(
        self, raw: BinaryIO, label: str, picker: ChatPicker, progress: Callable[[int], None] | None = None
    ) -> None:
        self.raw = raw
        self.start = raw.tell()
        self.label = label
        self.picker = picker
        self.progress = progress
        self._where = "root"  # the last place reached, for errors from the parser
        self._inside = False  # whether that place is a message being read

    def chunks(self) -> Iterator[list[Record]]:
        """The export's records, a run at a time (a chat's head, or a batch of messages)."""
        try:
            head = self._single_chat_head()
            self.raw.seek(self.start)
            stream = ProgressReader(self.raw, self.progress) if self.progress else self.raw
            if head is None:
                yield from self._walk(stream)  # type: ignore[arg-type]
            else:
                yield from self._single(stream, head)  # type: ignore[arg-type]
        except ijson.JSONError as exc:
            text = str(exc)
            if "premature EOF" in text or "Incomplete" in text:
                problem = "file ends inside a message" if self._inside else "file ends early"
            else:
                problem = f"invalid JSON: {text.splitlines()[0]}"
            raise SourceFormatError(self.label, self._where, problem) from None

    def _single_chat_head(self) -> dict[str, Any] | None:
        """The head of a single-chat export (its keys before ``messages``), or None for an account export."""
        head: dict[str, Any] = {}
        for prefix, event, value in ijson.parse(self.raw, use_float=True):
            if prefix in ("name", "type", "id") and event in _SCALARS:
                head[prefix] = value
            elif prefix == "messages" and event == "start_array":
                return head
            elif prefix in _SECTIONS and event == "start_map":
                return None
        raise SourceFormatError(self.label, "root", "no messages and no chats: not a Telegram export")

    def _single(self, stream: BinaryIO, head: dict[str, Any]) -> Iterator[list[Record]]:
        """A single-chat export: its messages built by ijson in C, a batch at a time."""
        record, events = self.picker.open(self._head(head, ""), "")
        yield [record]
        if events is not None:
            batch: list[dict] = []
            first = 0
            self._inside = True
            try:
                for message in ijson.items(stream, "messages.item", use_float=True):
                    batch.append(message)
                    if len(batch) >= BATCH:
                        yield self._flush(events, batch, first, "messages")
                        first += len(batch)
                        batch = []
            except ijson.JSONError:
                self._where = f"messages[{first + len(batch)}]"
                raise
            yield self._flush(events, batch, first, "messages")
            self.picker.close(events)
            yield events.finish()
        self.picker.finish(False)

    def _walk(self, stream: BinaryIO) -> Iterator[list[Record]]:
        """Any layout: follow the parser's events through the chats, building messages in Python."""
        head: dict[str, Any] = {}
        list_index = {"chats": -1, "left_chats": -1}
        events: ChatEvents | None = None
        in_list = False  # inside a message list
        list_prefix = item_prefix = where = ""
        builder: Any = None
        batch: list[dict] = []
        first = index = 0
        for prefix, event, value in ijson.parse(stream, use_float=True):
            if builder is not None:
                builder.event(event, value)
                if event == "end_map" and prefix == item_prefix:
                    batch.append(builder.value)
                    builder = None
                    index += 1
                    self._where, self._inside = f"{where}[{index}]", False
                    if len(batch) >= BATCH:
                        yield self._flush(events, batch, first, where)  # type: ignore[arg-type]
                        batch, first = [], index
                continue
            if in_list:
                if prefix == list_prefix and event == "end_array":
                    in_list = False
                    self._where = where.removesuffix(".messages") if where != "messages" else "root"
                    if events is not None:
                        yield self._flush(events, batch, first, where)
                        self.picker.close(events)
                        yield events.finish()
                        batch = []
                elif events is None:
                    continue  # a chat that is not imported: its messages are parsed, not built
                elif prefix == item_prefix and event == "start_map":
                    self._inside = True
                    builder = ijson.ObjectBuilder()
                    builder.event(event, value)
                else:
                    raise SourceFormatError(self.label, f"{where}[{index}]", f"expected a message object, got {event}")
                continue
            if prefix in _HEAD_FIELDS and event in _SCALARS:
                head[_HEAD_FIELDS[prefix]] = value
            elif event == "start_map" and prefix in _SECTIONS:
                self._where = prefix
            elif event == "start_map" and prefix in _CHAT_OBJECTS and prefix:
                section = _CHAT_OBJECTS[prefix]
                list_index[section] += 1
                head = {}
                self._where = f"{section}.list[{list_index[section]}]"
            elif event == "start_array" and prefix in _MESSAGE_LISTS:
                section = _CHAT_OBJECTS[_MESSAGE_LISTS[prefix]]
                path = f"{section}.list[{list_index[section]}]" if section else ""
                record, events = self.picker.open(self._head(head, path), path)
                yield [record]
                in_list = True
                list_prefix, item_prefix = prefix, prefix + ".item"
                where = f"{path}.messages" if path else "messages"
                self._where = f"{where}[0]"
                first = index = 0
        self.picker.finish(True)

    def _head(self, head: dict[str, Any], path: str) -> ChatHead:
        try:
            return msgspec.convert(head, ChatHead)
        except msgspec.ValidationError as exc:
            raise SourceFormatError(self.label, path or "root", f"chat name, type or id: {exc}") from None

    def _flush(self, events: ChatEvents, batch: list[dict], first: int, where: str) -> list[Record]:
        """Convert a batch of built messages into the shared structs and turn it into records."""
        if not batch:
            return []
        try:
            messages = msgspec.convert(batch, list[Message])
        except msgspec.ValidationError as exc:
            found = _VALIDATE_AT.match(str(exc))
            if found is None:
                raise SourceFormatError(self.label, f"{where}[{first}]", str(exc)) from None
            place = f"{where}[{first + int(found.group(2))}]{found.group(3)}"
            raise SourceFormatError(self.label, place, found.group(1)) from None
        try:
            return events.records(messages, first)
        except MessageError as exc:
            raise SourceFormatError(self.label, f"{where}[{exc.index}]{exc.field}", exc.problem) from None

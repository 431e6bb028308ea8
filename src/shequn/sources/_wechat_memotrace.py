"""MemoTrace (留痕 / WeChatMsg) CSV: one row of the PC client's ``MSG`` table per line.

Columns (FORMATS.md §5.1): ``localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,
StrContent,StrTime,Remark,NickName,Sender``. ``CreateTime`` is UTC epoch seconds and is
used for the time; ``StrTime`` is the exporting PC's wall clock and is kept as the original
string. In group chats ``Sender`` is the author's wxid and ``NickName`` their nickname;
members who left the group are written with the wxid in every name column.

Keys are content keys, not ``localId``: MemoTrace renumbers ``localId`` when it merges the
client's ``MSG0.db``, ``MSG1.db``… into one database, so the same message can carry another
``localId`` in a later export, while its time, author, type and content do not change.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from shequn.errors import SourceFormatError
from shequn.model import Event, Record
from shequn.sources._base import ContentKeys, ReadOptions
from shequn.sources._qq_clock import WallClock
from shequn.sources._wechat_common import (
    SYSTEM_TYPES,
    RecentTexts,
    chat_of,
    clock_parts,
    mentions_in,
    message_kind,
)
from shequn.sources._wechat_csv import Columns, csv_rows
from shequn.sources._wechat_system import system_action, system_events
from shequn.sources._wechat_xml import parse_appmsg
from shequn.sources._zh_system import SELF, NameResolver

__all__ = ["HEADER_COLUMNS", "REQUIRED", "read_memotrace_csv"]

HEADER_COLUMNS = (
    "localId",
    "TalkerId",
    "Type",
    "SubType",
    "IsSender",
    "CreateTime",
    "Status",
    "StrContent",
    "StrTime",
    "Remark",
    "NickName",
    "Sender",
)
REQUIRED = ("Type", "SubType", "IsSender", "CreateTime", "StrContent", "StrTime")


def read_memotrace_csv(path: Path, options: ReadOptions) -> Iterator[Record]:
    chat = chat_of(path, options, suffix="_utf8")
    yield chat
    rows = csv_rows(path, options)
    first = next(rows, None)
    if first is None:
        return
    line, header = first
    columns = Columns(header)
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise SourceFormatError(str(path), f"line {line}", f"MemoTrace CSV header lacks {', '.join(missing)}")
    reader = _RowReader(str(path), chat.native_id, columns, options)
    for line, row in rows:
        yield from reader.row(line, row)
    yield from reader.names.aliases(chat.native_id)


class _RowReader:
    """Turns rows into events, keeping the little state rows need (keys, quotes, names)."""

    def __init__(self, path: str, chat_id: str, columns: Columns, options: ReadOptions) -> None:
        self.path = path
        self.chat_id = chat_id
        # Required columns are in the header (the caller checked); a row may still stop early.
        self.required = [i for i in (columns.index(name) for name in REQUIRED) if i is not None]
        self.width = max(self.required) + 1
        self.optional = [columns.index(name) for name in ("Sender", "NickName", "Remark")]
        self.tz_name = options.tz
        self.clock = WallClock(options.tz)
        self.keys = ContentKeys()
        self.recent = RecentTexts()
        self.names = NameResolver()
        self.seq = 0

    def _ints(self, values: tuple[str, str, str], line: int) -> tuple[int, int, int]:
        """Type, SubType and IsSender as integers."""
        numbers = []
        for name, value in zip(REQUIRED, values, strict=False):
            try:
                numbers.append(int(value))
            except ValueError:
                raise SourceFormatError(
                    self.path, f"line {line}", f"{name}: expected an integer, got {value!r}"
                ) from None
        return numbers[0], numbers[1], numbers[2]

    def _time(self, create: str, str_time: str, line: int) -> tuple[int, str, str | None, str]:
        """(epoch µs, original string, assumed zone, key part) of a row."""
        if create:
            if not create.isdigit():
                raise SourceFormatError(
                    self.path, f"line {line}", f"CreateTime: expected epoch seconds, got {create!r}"
                )
            return int(create) * 1_000_000, str_time or create, None, create
        try:
            ts_us = self.clock.utc_us(*clock_parts(str_time))
        except ValueError as exc:
            raise SourceFormatError(self.path, f"line {line}", f"CreateTime is empty and StrTime: {exc}") from None
        return ts_us, str_time, self.tz_name, str_time

    def _optional(self, row: list[str]) -> tuple[str | None, str | None, str | None]:
        """Sender wxid, nickname and remark; a name equal to the wxid (a member who left) is None."""
        sender, nickname, remark = (row[i].strip() if i is not None and i < len(row) else "" for i in self.optional)
        sender_id = sender or None
        return (
            sender_id,
            nickname if nickname and nickname != sender else None,
            remark if remark and remark != sender else None,
        )

    def row(self, line: int, row: list[str]) -> list[Event]:
        if len(row) < self.width:
            row = row + [""] * (self.width - len(row))
        i_type, i_sub, i_is_sender, i_create, i_content, i_time = self.required
        msg_type, sub_type, is_sender = self._ints((row[i_type], row[i_sub], row[i_is_sender]), line)
        ts_us, ts_original, tz_assumed, ts_key = self._time(row[i_create].strip(), row[i_time].strip(), line)
        content = row[i_content]
        sender, nickname, remark = self._optional(row)
        key = self.keys.key(ts_key, sender or f"is_sender:{is_sender}", f"{msg_type}/{sub_type}/{content}")
        pos = f"line {line}"
        if msg_type in SYSTEM_TYPES:
            action, text = system_action(msg_type, sub_type, content)
            events = system_events(
                action,
                text,
                names=self.names,
                chat_id=self.chat_id,
                key=key,
                ts_us=ts_us,
                ts_original=ts_original,
                tz_assumed=tz_assumed,
                pos=pos,
                seq=self.seq,
            )
            self.seq += len(events)
            return events
        self.names.saw(nickname, sender, ts_us)
        self.names.saw(remark, sender, ts_us)
        if is_sender == 1:
            self.names.saw(SELF, sender, ts_us)
        subkind, text, attrs, reply_to = self._content(msg_type, sub_type, content)
        if subkind == "text":
            self.recent.add(sender, text, key)
        self.seq += 1
        return [
            Event(
                chat_id=self.chat_id,
                key=key,
                kind="message",
                subkind=subkind,
                ts_us=ts_us,
                ts_original=ts_original,
                tz_assumed=tz_assumed,
                actor_id=sender,
                actor_name=nickname or remark,
                text=text,
                reply_to_key=reply_to,
                mention_names=mentions_in(text),
                attrs=attrs or None,
                pos=pos,
                seq=self.seq - 1,
            )
        ]

    def _content(self, msg_type: int, sub_type: int, content: str) -> tuple[str, str | None, dict, str | None]:
        """(subkind, text, attrs, replied-to key) of a message row.

        Only texts keep ``StrContent``: for media it is the client's XML about the file. An
        app message (49) shows its title; a quoted reply links to the quoted message when
        that message can be told apart (see :class:`RecentTexts`).
        """
        subkind, media = message_kind(msg_type, sub_type)
        attrs: dict = {"media": media} if media else {}
        if subkind == "other" and media is None:
            attrs["type"] = f"{msg_type}/{sub_type}"
        if msg_type == 1:
            return subkind, content or None, attrs, None
        if msg_type != 49:
            return subkind, None, attrs, None
        app = parse_appmsg(content) if "<" in content else None
        if app is None:
            return subkind, content.strip() or None, attrs, None
        reply_to = None
        if app.quote is not None:
            attrs["quote"] = app.quote.attrs()
            if app.quote.msg_type in (None, "1"):  # a quoted text, which RecentTexts can find
                reply_to = self.recent.find(app.quote.author_id, app.quote.text)
        return subkind, app.title, attrs, reply_to

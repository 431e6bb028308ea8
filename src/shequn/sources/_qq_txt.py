"""The grammar of QQ's message-manager TXT export (FORMATS.md §6).

::

    消息记录（此消息记录为文本格式，不支持重新导入）

    ================================================================
    消息分组:我的群聊
    ================================================================
    消息对象:开源社区交流群
    ================================================================

    2019-09-23 20:43:38 小明(10001)
    大家好

    2019-09-23 20:45:02 【管理员】老王<laowang@example.com>
    欢迎
    [图片]

Each ``消息对象`` opens a chat (a full-history export holds many). A message is a header
``YYYY-MM-DD H:MM:SS sender`` (or 12-hour ``8:43:38 PM``, or ``上午 08:00:00``), then body
lines up to the next header. The sender is ``nickname(QQ号)``, ``nickname<email>``, or a
bare nickname in discussion groups; the nickname may carry title tags (``【管理员】``).

A line is a header, rule or section line only right after a blank line or another such
line, so a message's own line that happens to look like one stays in the message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from shequn.errors import SourceFormatError
from shequn.model import Chat, Event, Record
from shequn.sources._base import ContentKeys, ReadOptions
from shequn.sources._qq_clock import WallClock
from shequn.sources._qq_encoding import DecodedLines
from shequn.sources._zh_system import NameResolver, action_events, parse_qq_system

__all__ = ["BANNER", "CARRIER", "HEADER", "SENDER_ID", "looks_like_qq", "read_qq_txt"]

CARRIER = "qq"
BANNER = "消息记录（此消息记录为文本格式"
HEADER = re.compile(
    r"^(?P<date>\d{4}-\d{1,2}-\d{1,2}) (?:(?P<cn>上午|下午) )?(?P<time>\d{1,2}:\d{2}:\d{2})"
    r"(?: (?P<ampm>[AaPp][Mm]))? (?P<sender>\S.*)$"
)
#: The id at the end of a sender: ``(QQ号)`` or ``<email>``.
SENDER_ID = re.compile(r"(?:\((?P<qq>\d+)\)|<(?P<email>[^<>\s]+@[^<>\s]+)>)$")

_RULE = re.compile(r"^={10,}\s*$")
_SECTION_LINE = re.compile(r"^消息对象[:：]", re.M)
_SECTION = re.compile(r"^(?P<what>消息分组|消息对象)[:：](?P<value>.*)$")
_TITLES = re.compile(r"^((?:【[^】]*】)+)")
_SYSTEM_IDS = frozenset({"10000", "1000000"})
_SYSTEM_NAME = "系统消息"
_PLACEHOLDERS = {
    "[图片]": ("media", "image"),
    "[表情]": ("sticker", None),
    "[语音]": ("media", "voice"),
    "[视频]": ("media", "video"),
    "[文件]": ("media", "file"),
}


@dataclass
class _Message:
    line: int
    header: re.Match[str]
    body: list[str] = field(default_factory=list)


@dataclass
class _Section:
    """One chat of the file and what its events need: keys and name resolution."""

    chat: Chat
    keys: ContentKeys = field(default_factory=ContentKeys)
    names: NameResolver = field(default_factory=NameResolver)


def looks_like_qq(text: str) -> bool:
    """Whether the start of a file is a QQ export: its banner or a ``消息对象:`` line, or else
    message headers that mostly end in ``(QQ号)``/``<email>``.

    The majority rule is what tells QQ from MemoTrace's WeChat TXT (same header shape, names
    only); the WeChat importer asks this same function, so the two never both claim a file.
    """
    if BANNER in text or _SECTION_LINE.search(text):
        return True
    lines = [line.rstrip("\r") for line in text.split("\n")[:400]]
    headers = with_id = 0
    for before, line in pairwise(["", *lines]):
        found = HEADER.match(line) if not before.strip() else None
        if found is not None:
            headers += 1
            with_id += bool(SENDER_ID.search(found["sender"]))
    return with_id > 0 and with_id * 2 > headers


def _clock_parts(found: re.Match[str]) -> tuple[int, int, int, int, int, int]:
    """The header's local date and time; 12-hour clocks (``PM``, ``下午``) made 24-hour."""
    year, month, day = (int(p) for p in found["date"].split("-"))
    hour, minute, second = (int(p) for p in found["time"].split(":"))
    marker = found["cn"] or found["ampm"]
    if marker:
        afternoon = marker in ("下午", "PM", "pm", "Pm", "pM")
        if afternoon and hour < 12:
            hour += 12
        elif not afternoon and hour == 12:
            hour = 0
    return year, month, day, hour, minute, second


def _sender(raw: str) -> tuple[str | None, str | None, list[str]]:
    """(account id, nickname, title tags) of a header's sender part."""
    found = SENDER_ID.search(raw)
    account = (found["qq"] or found["email"]) if found else None
    nickname = raw[: found.start()] if found else raw
    titles: list[str] = []
    tags = _TITLES.match(nickname)
    if tags:
        titles = re.findall(r"【([^】]*)】", tags.group(1))
        nickname = nickname[tags.end() :]
    nickname = nickname.strip()
    if not nickname or nickname == account:  # some clients print the number for want of a name
        return account, None, titles
    return account, nickname, titles


class _Reader:
    def __init__(self, path: Path, options: ReadOptions) -> None:
        self.path = path
        self.options = options
        self.clock = WallClock(options.tz)
        self.section: _Section | None = None
        self.category: str | None = None
        self.seq = 0

    def open_chat(self, name: str) -> Iterator[Record]:
        """Close the current chat and open ``name`` (the file's name when the file gives none)."""
        yield from self.close_chat()
        native_id = name.strip() or self.options.chat_name or self.path.stem
        chat = Chat(CARRIER, native_id, native_id, self.category)
        self.section = _Section(chat)
        yield chat

    def close_chat(self) -> Iterator[Record]:
        if self.section is not None:
            yield from self.section.names.aliases(self.section.chat.native_id)
            self.section = None

    def message(self, msg: _Message) -> list[Event]:
        section = self.section
        assert section is not None
        body = msg.body
        while body and not body[-1].strip():
            body.pop()
        header = msg.header
        ts_original = header.string[: header.start("sender")].rstrip()
        parts = _clock_parts(header)
        try:
            ts_us = self.clock.utc_us(*parts)
        except ValueError:
            raise SourceFormatError(
                str(self.path), f"line {msg.line}", f"{ts_original!r} is not a valid time"
            ) from None
        account, nickname, titles = _sender(header["sender"])
        content = "\n".join(body)
        chat_id = section.chat.native_id
        stamp = "{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d}".format(*parts)  # the same whatever clock QQ used
        key = section.keys.key(stamp, account or f"name:{nickname or ''}", content)
        pos = f"line {msg.line}"
        if account in _SYSTEM_IDS or (account is None and nickname == _SYSTEM_NAME):
            text = content.strip()
            action = parse_qq_system(text)
            for person in (action.actor, *action.targets):
                if person is not None and not person.native_id:
                    section.names.want(person.name)
            events = action_events(
                action,
                chat_id=chat_id,
                key=key,
                ts_us=ts_us,
                ts_original=ts_original,
                tz_assumed=self.options.tz,
                text=text or None,
                pos=pos,
                seq=self.seq,
            )
            self.seq += len(events)
            return events
        section.names.saw(nickname, account, ts_us)
        lines = [line.strip() for line in body if line.strip()]
        kinds = {_PLACEHOLDERS.get(line) for line in lines}
        attrs: dict = {"titles": titles} if titles else {}
        if lines and None not in kinds:  # placeholders only: "[图片]", "[表情]"…
            subkind, media = next(iter(kinds)) if len(kinds) == 1 else ("media", "mixed")  # type: ignore[misc]
            if media:
                attrs["media"] = media
            text = None
        else:
            subkind, text = "text", content or None
        self.seq += 1
        return [
            Event(
                chat_id=chat_id,
                key=key,
                kind="message",
                subkind=subkind,
                ts_us=ts_us,
                ts_original=ts_original,
                tz_assumed=self.options.tz,
                actor_id=account,
                actor_name=nickname,
                text=text,
                attrs=attrs or None,
                pos=pos,
                seq=self.seq - 1,
            )
        ]


def read_qq_txt(path: Path, options: ReadOptions) -> Iterator[Record]:
    reader = _Reader(path, options)
    pending: _Message | None = None
    after_blank = True  # the file's start counts as a blank line
    after_structure = False
    after_rule = False
    for number, raw in DecodedLines(path, options.progress):
        line = raw.rstrip("\r\n")
        boundary = after_blank or after_structure
        section = _SECTION.match(line) if after_rule else None
        if section is not None or (boundary and (_RULE.match(line) or line.startswith(BANNER))):
            if pending is not None:
                yield from reader.message(pending)
                pending = None
            if section is not None and section["what"] == "消息分组":
                reader.category = section["value"].strip() or None
            elif section is not None:
                yield from reader.open_chat(section["value"])
            after_blank, after_structure, after_rule = False, True, bool(_RULE.match(line))
            continue
        header = HEADER.match(line) if boundary else None
        if header is not None:
            if pending is not None:
                yield from reader.message(pending)
            if reader.section is None:
                yield from reader.open_chat("")
            pending = _Message(number, header)
        elif pending is not None:
            pending.body.append(line)
        elif line.strip():
            raise SourceFormatError(
                str(path), f"line {number}", "expected a message header 'YYYY-MM-DD H:MM:SS nickname(QQ号)'"
            )
        after_blank, after_structure, after_rule = not line.strip(), False, False
    if pending is not None:
        yield from reader.message(pending)
    yield from reader.close_chat()

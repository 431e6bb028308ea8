"""MemoTrace TXT: ``{StrTime} {name}`` then the content, blocks separated by a blank line.

Written by MemoTrace's ``TxtExporter`` (FORMATS.md §5.1)::

    2024-03-02 10:00:05 张三
    大家好

    2024-03-02 10:01:00 "张三"邀请"李四"加入了群聊

A system line has its text on the header line and no body. Media are placeholders
(``[图片]``, ``[语音]``, ``[视频]``, ``[表情包]``, ``[文件]``, ``[音乐分享]``), a shared link
is an indented ``[链接]:title:…`` block, and a quoted reply ends with ``引用:{name}:{text}``.
Names are the exporter's remark for the member, HTML- and JavaScript-escaped by MemoTrace
(``&amp;``, ``\\'``); they are unescaped here. There are no ids: members are known by name
and events by content keys. Times are the exporting PC's wall clock, read in ``--tz``.

A line opens a new block only when it looks like a header *and* follows a blank line, so a
message whose own line starts with a date stays part of that message.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

from shequn.errors import SourceFormatError
from shequn.model import Event, Record
from shequn.sources._base import ContentKeys, ReadOptions
from shequn.sources._qq_clock import WallClock
from shequn.sources._qq_encoding import DecodedLines
from shequn.sources._wechat_common import RecentTexts, chat_of, clock_parts, mentions_in
from shequn.sources._wechat_system import system_action, system_events
from shequn.sources._zh_system import NameResolver

__all__ = ["HEADER", "read_memotrace_txt"]

HEADER = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?: (.*))?$")

_PLACEHOLDERS = {
    "[图片]": ("media", "image"),
    "[语音]": ("media", "voice"),
    "[视频]": ("media", "video"),
    "[表情包]": ("sticker", None),
    "[文件]": ("media", "file"),
    "[音乐分享]": ("other", "music"),
}
_JS_ESCAPE = re.compile(r"\\(.)")
_JS_CHARS = {"n": "\n", "r": "\r", "t": "\t"}
_QUOTE_MARK = "引用:"


def _unescape(name: str) -> str:
    """A display name as MemoTrace escaped it for HTML and JavaScript, restored."""
    if "\\" in name:
        name = _JS_ESCAPE.sub(lambda m: _JS_CHARS.get(m.group(1), m.group(1)), name)
    return html.unescape(name) if "&" in name else name


def read_memotrace_txt(path: Path, options: ReadOptions) -> Iterator[Record]:
    chat = chat_of(path, options)
    yield chat
    blocks = _Blocks(str(path), chat.native_id, options)
    pending: tuple[int, str, str, list[str]] | None = None
    after_blank = True
    for number, raw in DecodedLines(path, options.progress):
        line = raw.rstrip("\r\n")
        header = HEADER.match(line) if after_blank else None
        if header is not None:
            if pending is not None:
                yield from blocks.block(*pending)
            pending = (number, header.group(1), header.group(2) or "", [])
        elif pending is not None:
            pending[3].append(line)
        elif line.strip():
            raise SourceFormatError(str(path), f"line {number}", "expected a message header 'YYYY-MM-DD HH:MM:SS name'")
        after_blank = not line.strip()
    if pending is not None:
        yield from blocks.block(*pending)


class _Blocks:
    """Turns a header and its body lines into events."""

    def __init__(self, path: str, chat_id: str, options: ReadOptions) -> None:
        self.path = path
        self.chat_id = chat_id
        self.tz_name = options.tz
        self.clock = WallClock(options.tz)
        self.keys = ContentKeys()
        self.recent = RecentTexts()
        self.names = NameResolver()  # no ids in TXT: names are noted but never resolved
        self.seq = 0

    def block(self, line: int, str_time: str, rest: str, body: list[str]) -> list[Event]:
        while body and not body[-1].strip():
            body.pop()
        try:
            ts_us = self.clock.utc_us(*clock_parts(str_time))
        except ValueError:
            raise SourceFormatError(self.path, f"line {line}", f"{str_time!r} is not a valid date and time") from None
        pos = f"line {line}"
        if not body:
            action, text = system_action(10000, 0, rest)
            key = self.keys.key(str_time, "", text)
            events = system_events(
                action,
                text,
                names=self.names,
                chat_id=self.chat_id,
                key=key,
                ts_us=ts_us,
                ts_original=str_time,
                tz_assumed=self.tz_name,
                pos=pos,
                seq=self.seq,
            )
            self.seq += len(events)
            return events
        name = _unescape(rest).strip() or None
        content = "\n".join(body)
        key = self.keys.key(str_time, name or "", content)
        subkind, text, attrs, reply_to = self._classify(body)
        if subkind == "text":
            self.recent.add(name, text, key)
        self.seq += 1
        return [
            Event(
                chat_id=self.chat_id,
                key=key,
                kind="message",
                subkind=subkind,
                ts_us=ts_us,
                ts_original=str_time,
                tz_assumed=self.tz_name,
                actor_name=name,
                text=text,
                reply_to_key=reply_to,
                mention_names=mentions_in(text),
                attrs=attrs or None,
                pos=pos,
                seq=self.seq - 1,
            )
        ]

    def _classify(self, body: list[str]) -> tuple[str, str | None, dict, str | None]:
        """(subkind, text, attrs, replied-to key) of a message body."""
        first = body[0].strip()
        if len(body) == 1 and first in _PLACEHOLDERS:
            subkind, media = _PLACEHOLDERS[first]
            return subkind, None, {"media": media} if media else {}, None
        if first.startswith("[链接]"):
            return "other", "\n".join(part.strip() for part in body).strip(), {"media": "link"}, None
        for i in range(1, len(body)):
            if body[i].startswith(_QUOTE_MARK):
                quoted = "\n".join(body[i:])[len(_QUOTE_MARK) :]
                text = "\n".join(body[:i])
                if quoted == "未知":  # MemoTrace could not read the quoted message
                    return "text", text, {"quote": {}}, None
                author, _, quoted_text = quoted.partition(":")
                quote = {k: v for k, v in (("author_name", author), ("text", quoted_text)) if v}
                return "text", text, {"quote": quote}, self.recent.find(author, quoted_text)
        return "text", "\n".join(body), {}, None

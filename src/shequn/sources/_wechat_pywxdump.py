"""PyWxDump CSV: ``id,MsgSvrID,type_name,is_sender,talker,room_name,msg,src,CreateTime``.

Written by PyWxDump's ``export_csv`` (one file per 5,000 messages, ``{chat}_{start}_{end}.csv``,
with a ``users.json`` of names beside it). Unlike MemoTrace it keeps ``MsgSvrID``, the
server's message id, which is the key here, and ``room_name``, the chat's ``…@chatroom``
id. ``talker`` is the author's wxid, ``我`` for the exporter, ``系统``/``未知`` for system
rows. ``type_name`` is PyWxDump's Chinese name of the (Type, SubType) pair. ``CreateTime``
is the exporting PC's wall clock (``%Y-%m-%d %H:%M:%S``), read in ``--tz``. Older releases
wrote one ``content`` column holding a Python dict ``{'src': …, 'msg': …}`` instead of
``msg``/``src``; both are read.

A quoted reply's ``msg`` is ``{title}\\n\\n[引用]({time}){name}:{text}``: the quoted
message is identified when exactly one earlier row has that time and text.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import orjson

from shequn.errors import SourceFormatError
from shequn.model import Chat, Event, Record, Skip
from shequn.sources._base import ContentKeys, ReadOptions
from shequn.sources._qq_clock import WallClock
from shequn.sources._wechat_common import CARRIER, RecentTexts, clock_parts, mentions_in, message_kind
from shequn.sources._wechat_csv import Columns, csv_rows
from shequn.sources._wechat_system import system_action, system_events
from shequn.sources._zh_system import NameResolver

__all__ = ["HEADER_START", "read_pywxdump_csv"]

HEADER_START: Final = ("id", "MsgSvrID", "type_name", "is_sender", "talker", "room_name")

#: PyWxDump's ``type_converter`` table, name -> (Type, SubType); duplicate names keep the
#: first pair, as PyWxDump's own reverse lookup does.
_TYPES: Final[dict[str, tuple[int, int]]] = {
    "文本": (1, 0),
    "图片": (3, 0),
    "语音": (34, 0),
    "添加好友": (37, 0),
    "推荐公众号": (42, 0),
    "视频": (43, 0),
    "动画表情": (47, 0),
    "位置": (48, 0),
    "文件": (49, 0),
    "粘贴的文本": (49, 1),
    "(分享)音乐": (49, 3),
    "(分享)卡片式链接": (49, 4),
    "游戏相关": (49, 7),
    "用户上传的GIF表情": (49, 8),
    "位置共享": (49, 17),
    "合并转发的聊天记录": (49, 19),
    "(分享)笔记": (49, 24),
    "(分享)小程序": (49, 33),
    "(分享)视频号视频": (49, 51),
    "接龙": (49, 53),
    "引用回复": (49, 57),
    "带有引用的文本消息": (49, 57),
    "视频号直播或直播回放": (49, 63),
    "群公告": (49, 87),
    "转账": (49, 2000),
    "赠送红包封面": (49, 2003),
    "语音通话": (50, 0),
    "系统通知": (10000, 0),
    "消息撤回1": (10000, 1),
    "拍一拍": (10000, 4),
    "消息撤回5": (10000, 5),
    "消息撤回6": (10000, 6),
    "消息撤回33": (10000, 33),
    "消息撤回36": (10000, 36),
    "消息撤回57": (10000, 57),
    "邀请加群": (10000, 8000),
}
_NO_AUTHOR: Final = frozenset({"", "系统", "未知"})
_EXPORTER: Final = "我"
_REPLY = re.compile(r"^(?P<title>.*?)\n\n\[引用\]\((?P<time>[^)]*)\)(?P<quoted>.*)$", re.S)
_PLACEHOLDER_TEXT: Final = frozenset({"图片", "视频", "表情"})


def _users(path: Path) -> tuple[dict[str, str], Skip | None]:
    """wxid -> display name from the ``users.json`` beside the CSV, if there is one.

    The file is small (one entry per member), so it is read whole. A file that is not the
    expected object of objects is skipped, counted, and the names are left out.
    """
    users_file = path.parent / "users.json"
    if not users_file.is_file():
        return {}, None
    try:
        users = orjson.loads(users_file.read_bytes())
    except orjson.JSONDecodeError:
        users = None
    if not isinstance(users, dict):
        return {}, Skip("users.json is not a PyWxDump user list; names left out", "users.json")
    names = {}
    for wxid, user in users.items():
        name = (user.get("nickname") or user.get("remark") or user.get("account")) if isinstance(user, dict) else None
        if isinstance(name, str) and name:
            names[wxid] = name
    return names, None


def _content(columns: Columns, row: list[str]) -> str:
    """The message text: ``msg``, or ``content['msg']`` of older releases."""
    if "msg" in columns:
        return columns.get(row, "msg")
    content = columns.get(row, "content")
    if content.startswith("{"):
        try:
            value = ast.literal_eval(content)
        except (ValueError, SyntaxError):
            return content
        if isinstance(value, dict):
            return str(value.get("msg") or "")
    return content


def read_pywxdump_csv(path: Path, options: ReadOptions) -> Iterator[Record]:
    rows = csv_rows(path, options)
    first = next(rows, None)
    if first is None:
        return
    line, header = first
    columns = Columns(header)
    if tuple(columns.names[: len(HEADER_START)]) != HEADER_START or "CreateTime" not in columns:
        raise SourceFormatError(str(path), f"line {line}", "PyWxDump CSV header must start " + ",".join(HEADER_START))
    names, skipped = _users(path)
    if skipped:
        yield skipped
    reader = _RowReader(str(path), path.stem, columns, names, options)
    for line, row in rows:
        yield from reader.row(line, row)
    for chat_id, resolver in reader.resolvers.items():
        yield from resolver.aliases(chat_id)


class _RowReader:
    def __init__(
        self, path: str, fallback_chat: str, columns: Columns, names: dict[str, str], options: ReadOptions
    ) -> None:
        self.path = path
        self.columns = columns
        self.user_names = names
        self.chat_name = options.chat_name
        self.fallback_chat = options.chat_name or fallback_chat
        self.tz_name = options.tz
        self.clock = WallClock(options.tz)
        self.keys: dict[str, ContentKeys] = {}
        self.resolvers: dict[str, NameResolver] = {}
        self.recent: dict[str, RecentTexts] = {}
        self.seq = 0

    def _chat(self, room: str) -> tuple[str, Chat | None]:
        """The chat id of a row, and a new Chat record the first time a chat appears."""
        chat_id = room or self.fallback_chat
        if chat_id in self.keys:
            return chat_id, None
        self.keys[chat_id] = ContentKeys()
        self.resolvers[chat_id] = NameResolver()
        self.recent[chat_id] = RecentTexts()
        name = self.chat_name or self.user_names.get(chat_id) or chat_id
        chat_type = "chatroom" if chat_id.endswith("@chatroom") else None
        return chat_id, Chat(CARRIER, chat_id, name, chat_type)

    def row(self, line: int, row: list[str]) -> Iterator[Record]:
        get = self.columns.get
        pos = f"line {line}"
        chat_id, new_chat = self._chat(get(row, "room_name").strip())
        if new_chat is not None:
            yield new_chat
        str_time = get(row, "CreateTime").strip()
        if str_time.isdigit():
            ts_us, tz_assumed = int(str_time[:10]) * 1_000_000, None
        else:
            try:
                ts_us, tz_assumed = self.clock.utc_us(*clock_parts(str_time)), self.tz_name
            except ValueError as exc:
                raise SourceFormatError(self.path, pos, f"CreateTime: {exc}") from None
        type_name = get(row, "type_name").strip()
        msg_type, sub_type = _TYPES.get(type_name, (0, 0))
        talker = get(row, "talker").strip()
        svrid = get(row, "MsgSvrID").strip()
        content = _content(self.columns, row)
        key = svrid if svrid.isdigit() and svrid != "0" else self.keys[chat_id].key(str_time, talker, content)
        native_id = key if key == svrid else None
        if msg_type == 10000:
            action, text = system_action(msg_type, sub_type, content)
            events = system_events(
                action,
                text,
                names=self.resolvers[chat_id],
                chat_id=chat_id,
                key=key,
                ts_us=ts_us,
                ts_original=str_time,
                tz_assumed=tz_assumed,
                pos=pos,
                seq=self.seq,
            )
            self.seq += len(events)
            yield from events
            return
        actor_id = None if talker in _NO_AUTHOR or talker == _EXPORTER else talker
        actor_name = _EXPORTER if talker == _EXPORTER else self.user_names.get(talker)
        self.resolvers[chat_id].saw(actor_name, actor_id, ts_us)
        subkind, media = message_kind(msg_type, sub_type)
        attrs: dict = {"media": media} if media else {}
        if msg_type == 0:
            attrs["type_name"] = type_name
        text: str | None = content or None
        reply_to = None
        recent = self.recent[chat_id]
        reply = _REPLY.match(content) if msg_type == 49 and sub_type == 57 else None
        if reply is not None:
            author, _, quoted = reply.group("quoted").partition(":")
            text = reply.group("title")
            attrs["quote"] = {k: v for k, v in (("author_name", author), ("text", quoted)) if v}
            reply_to = recent.find(reply.group("time"), quoted)
        elif subkind != "text" and (text in _PLACEHOLDER_TEXT or text == type_name):
            text = None
        if subkind == "text":
            recent.add(str_time, text, key)
        self.seq += 1
        yield Event(
            chat_id=chat_id,
            key=key,
            kind="message",
            subkind=subkind,
            ts_us=ts_us,
            ts_original=str_time,
            tz_assumed=tz_assumed,
            native_id=native_id,
            actor_id=actor_id,
            actor_name=actor_name,
            text=text,
            reply_to_key=reply_to,
            mention_names=mentions_in(text),
            attrs=attrs or None,
            pos=pos,
            seq=self.seq - 1,
        )

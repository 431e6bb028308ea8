"""DiscordChatExporter JSON: ``guild``, ``channel``, then ``messages`` with ids, replies and reactors.

Ids are snowflake strings, so messages key by their own id and members by their account id.
Who is who follows :mod:`shequn.model`:

- ``GuildMemberJoin`` is a join (``link``) of its author; ``RecipientAdd``/``RecipientRemove``
  (group DMs) add, remove or let leave the first mentioned user;
- a reaction's reactors are listed in ``users`` by current versions, one event each; what
  ``count`` has beyond them (old exports list nobody) is one ``anonymous`` reaction event
  with that count;
- ``reference`` to a message of the same channel is a reply; a ``Forward`` or a reference
  elsewhere is kept in ``attrs``;
- ``timestampEdited`` becomes an ``edit`` event at the edit time;
- authors, reactors and mentioned users marked ``isBot`` are flagged once per file.

A thread (``GuildPublicThread`` …) is its own file whose ``category``/``categoryId`` name
the parent channel. Its messages go to the parent channel's chat with ``thread_key`` = the
thread id, which is also the key of the parent's ``ThreadCreated`` link (and, for threads
started from a message, that message's own id), so a thread reads as part of its channel.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import ijson
import msgspec
import orjson

from shequn.errors import SourceFormatError
from shequn.model import Chat, Event, Record
from shequn.sources._base import ReadOptions, utc_us
from shequn.sources._discord_common import CARRIER, full_name, snowflake_us
from shequn.sources._discord_json_stream import indented_layout, line_of, message_bytes

__all__ = ["looks_like_json", "read_json"]

THREAD_TYPES = frozenset({"GuildPublicThread", "GuildPrivateThread", "GuildNewsThread"})

# DiscordChatExporter names the message types it knows and writes the number for the rest.
_TYPE_NAMES = {
    "0": "Default",
    "1": "RecipientAdd",
    "2": "RecipientRemove",
    "3": "Call",
    "4": "ChannelNameChange",
    "5": "ChannelIconChange",
    "6": "ChannelPinnedMessage",
    "7": "GuildMemberJoin",
    "18": "ThreadCreated",
    "19": "Reply",
    "20": "ChatInputCommand",
    "21": "ThreadStarterMessage",
    "23": "ContextMenuCommand",
}
_MESSAGE_TYPES = frozenset({"Default", "Reply", "ChatInputCommand", "ContextMenuCommand"})
_SERVICE_TYPES = {
    "ThreadCreated": "thread_created",
    "ChannelPinnedMessage": "pin_message",
    "ChannelIconChange": "icon_change",
    "Call": "call",
    "ThreadStarterMessage": "thread_starter",
}
_RENAMED_PREFIX = "Changed the channel name: "


class _User(msgspec.Struct, rename="camel", gc=False):
    id: str
    name: str = ""
    discriminator: str | None = None
    is_bot: bool = False


class _Emoji(msgspec.Struct, gc=False):
    id: str | None = None
    name: str = ""


class _Reaction(msgspec.Struct, gc=False):
    emoji: _Emoji
    count: int = 1
    users: list[_User] | None = None


class _Reference(msgspec.Struct, rename="camel", gc=False):
    type: str | None = None
    message_id: str | None = None
    channel_id: str | None = None


class _Message(msgspec.Struct, rename="camel", gc=False):
    id: str
    timestamp: str
    author: _User
    type: str | int = "Default"
    timestamp_edited: str | None = None
    call_ended_timestamp: str | None = None
    is_pinned: bool = False
    content: str | None = ""
    attachments: list[msgspec.Raw] = []
    stickers: list[msgspec.Raw] = []
    reactions: list[_Reaction] = []
    mentions: list[_User] = []
    reference: _Reference | None = None


class _Guild(msgspec.Struct, gc=False):
    id: str | None = None
    name: str = ""


class _Channel(msgspec.Struct, rename="camel", gc=False):
    id: str
    type: str | None = None
    category_id: str | None = None
    category: str | None = None
    name: str = ""


class _Root(msgspec.Struct, gc=False):
    channel: _Channel
    guild: _Guild | None = None


_OPENING = re.compile(rb'^(?:\xef\xbb\xbf)?\s*\{\s*"guild"\s*:\s*\{')
_CHANNEL = re.compile(rb'"channel"\s*:\s*\{')
_MESSAGE = msgspec.json.Decoder(_Message)
_ROOT = msgspec.json.Decoder(_Root)


def looks_like_json(head: bytes) -> bool:
    """A JSON object that opens with DiscordChatExporter's ``guild`` object and has a ``channel``."""
    return _OPENING.match(head) is not None and _CHANNEL.search(head, 0, 4096) is not None


def _where(prefix: str, exc: msgspec.ValidationError) -> tuple[str, str]:
    """Split msgspec's "Expected `str`, got `int` - at `$.author.id`" into place and problem."""
    problem, _, path = str(exc).partition(" - at `$")
    return prefix + path.rstrip("`"), problem


def _root(path: Path, head: bytes | None) -> _Root:
    """Guild and channel, from the cut-off head or (any other layout) by streaming."""
    try:
        if head is not None:
            return _ROOT.decode(head)
        parts: dict[str, object] = {}
        for key in ("guild", "channel"):
            with open(path, "rb") as fh:
                found = next(ijson.items(fh, key, use_float=True), None)
            if found is not None:
                parts[key] = found
        return _ROOT.decode(orjson.dumps(parts))
    except msgspec.ValidationError as exc:
        where, problem = _where("", exc)
        raise SourceFormatError(str(path), where.lstrip(".") or "root", problem) from None
    except (msgspec.DecodeError, ijson.JSONError) as exc:
        raise SourceFormatError(str(path), "guild/channel", f"broken JSON before the messages: {exc}") from None


def read_json(path: Path, options: ReadOptions) -> Iterator[Record]:
    """Chat, then every message's events in file order."""
    layout = indented_layout(path)
    root = _root(path, layout.head if layout else None)
    reader = _Reader(path, root)
    yield reader.chat
    yield from reader.opening()
    for index, raw, offset in message_bytes(path, layout, options.progress):
        try:
            msg = _MESSAGE.decode(raw)
        except msgspec.ValidationError as exc:
            raise SourceFormatError(str(path), *_where(f"messages[{index}]", exc)) from None
        except msgspec.DecodeError as exc:
            line = f" (message from line {line_of(path, offset)})" if offset >= 0 else ""
            raise SourceFormatError(str(path), f"messages[{index}]", f"broken JSON{line}: {exc}") from None
        yield from reader.events(msg, index)


class _Reader:
    """One file's chat and the state its events need: order, flagged bots, the last time read."""

    def __init__(self, path: Path, root: _Root) -> None:
        self.path = str(path)
        channel, guild = root.channel, root.guild
        self.channel_id = channel.id
        guild_name = guild.name if guild and guild.name else None
        self.thread: _Channel | None = None
        if channel.type in THREAD_TYPES and channel.category_id:
            self.thread = channel
            parent = channel.category or channel.category_id
            self.chat = Chat(CARRIER, channel.category_id, f"{guild_name} / {parent}" if guild_name else parent)
        else:
            name = f"{guild_name} / {channel.name}" if guild_name else channel.name
            self.chat = Chat(CARRIER, channel.id, name, channel.type)
        self.chat_id = self.chat.native_id
        self.thread_key = self.thread.id if self.thread else None
        self.same_chat = {self.channel_id, self.chat_id}
        self.flagged: set[str] = set()
        self.seq = 0
        self._last_ts: tuple[str, int] = ("", 0)

    def opening(self) -> Iterator[Event]:
        """For a thread file: the thread itself, named, at the time its id was made."""
        if self.thread is None:
            return
        ts_us = snowflake_us(self.thread.id)
        if ts_us is None:
            raise SourceFormatError(self.path, "channel.id", f"expected a numeric snowflake, got {self.thread.id!r}")
        self.seq += 1
        yield Event(
            chat_id=self.chat_id,
            key=f"thread:{self.thread.id}",
            kind="service",
            subkind="thread",
            ts_us=ts_us,
            thread_key=self.thread_key,
            text=self.thread.name,
            attrs={"channel_id": self.thread.id, "channel_type": self.thread.type, "name": self.thread.name},
            pos="channel",
            seq=self.seq,
        )

    def _ts(self, text: str | None, where: str) -> int:
        if text == self._last_ts[0]:
            return self._last_ts[1]
        try:
            dt = datetime.fromisoformat(text or "")
        except ValueError:
            dt = None
        if dt is None or dt.tzinfo is None:
            raise SourceFormatError(self.path, where, f"expected an ISO 8601 time with offset, got {text!r}")
        ts_us = utc_us(dt)
        self._last_ts = (text or "", ts_us)
        return ts_us

    def _event(self, **fields) -> Event:  # type: ignore[no-untyped-def]
        self.seq += 1
        return Event(chat_id=self.chat_id, seq=self.seq, **fields)

    def _flags(self, users: list[_User], ts_us: int, pos: str) -> Iterator[Event]:
        for user in users:
            if user.is_bot and user.id not in self.flagged:
                self.flagged.add(user.id)
                yield self._event(
                    key=f"flag:bot:{user.id}",
                    kind="flag",
                    subkind="bot",
                    ts_us=ts_us,
                    target_id=user.id,
                    target_name=full_name(user.name, user.discriminator),
                    attrs={"value": True},
                    pos=pos,
                )

    def events(self, msg: _Message, index: int) -> Iterator[Event]:
        pos = f"messages[{index}]"
        ts_us = self._ts(msg.timestamp, f"{pos}.timestamp")
        author = msg.author
        author_name = full_name(author.name, author.discriminator)
        kind_name = str(msg.type)
        kind_name = _TYPE_NAMES.get(kind_name, kind_name)
        if author.is_bot or msg.mentions:
            yield from self._flags([author, *msg.mentions], ts_us, pos)
        self.seq += 1
        ev = Event(
            chat_id=self.chat_id,
            key=msg.id,
            kind="message",
            ts_us=ts_us,
            ts_original=msg.timestamp,
            native_id=msg.id,
            actor_id=author.id,
            actor_name=author_name,
            thread_key=self.thread_key,
            text=msg.content or None,
            pos=pos,
            seq=self.seq,
        )
        attrs: dict = {}
        self._link(ev, msg, attrs)
        self._kind(ev, msg, kind_name, attrs)
        if msg.mentions:
            ev.mention_ids = list(dict.fromkeys(m.id for m in msg.mentions))
        if msg.attachments:
            attrs["attachments"] = len(msg.attachments)
        if msg.is_pinned:
            attrs["pinned"] = True
        ev.attrs = attrs or None
        yield ev
        if msg.timestamp_edited:
            edited = self._ts(msg.timestamp_edited, f"{pos}.timestampEdited")
            yield self._event(
                key=f"edit:{msg.id}:{edited}",
                kind="edit",
                ts_us=edited,
                ts_original=msg.timestamp_edited,
                actor_id=author.id,
                actor_name=author_name,
                reply_to_key=msg.id,
                thread_key=ev.thread_key,
                pos=f"{pos}.timestampEdited",
            )
        for j, reaction in enumerate(msg.reactions):
            yield from self._reactions(msg, reaction, ts_us, author_name, f"{pos}.reactions[{j}]")

    def _link(self, ev: Event, msg: _Message, attrs: dict) -> None:
        """Reply, forward or cross-channel reference, from ``reference``."""
        ref = msg.reference
        if ref is None:
            return
        if ref.type == "Forward":
            attrs["forwarded"] = {"channel_id": ref.channel_id, "message_id": ref.message_id}
        elif ref.message_id and (ref.channel_id is None or ref.channel_id in self.same_chat):
            ev.reply_to_key = ref.message_id
        elif ref.message_id:
            attrs["reference"] = {"channel_id": ref.channel_id, "message_id": ref.message_id}

    def _kind(self, ev: Event, msg: _Message, kind_name: str, attrs: dict) -> None:
        """Kind and subkind from the message type; system types name who joined or left."""
        if kind_name in _MESSAGE_TYPES:
            if msg.content:
                ev.subkind = "text"
            elif msg.stickers:
                ev.subkind = "sticker"
            elif msg.attachments:
                ev.subkind = "media"
            else:
                ev.subkind = "other"
            return
        if kind_name == "GuildMemberJoin":
            ev.kind, ev.subkind, ev.target_id, ev.target_name = "join", "link", ev.actor_id, ev.actor_name
        elif kind_name in ("RecipientAdd", "RecipientRemove") and msg.mentions:
            who = msg.mentions[0]
            ev.target_id, ev.target_name = who.id, full_name(who.name, who.discriminator)
            if kind_name == "RecipientAdd":
                ev.kind, ev.subkind = "join", "added"
            elif who.id == ev.actor_id:
                ev.kind = "leave"
            else:
                ev.kind, ev.subkind = "removal", "admin"
        elif kind_name == "ChannelNameChange":
            ev.kind = "rename"
            text = msg.content or ""
            if text.startswith(_RENAMED_PREFIX):
                attrs["title"] = text[len(_RENAMED_PREFIX) :]
        else:
            ev.kind = "service"
            ev.subkind = _SERVICE_TYPES.get(kind_name) or kind_name.lower()
            if kind_name == "ThreadCreated" and msg.reference and msg.reference.channel_id:
                ev.thread_key = msg.reference.channel_id
                attrs["thread_channel_id"] = msg.reference.channel_id
            if kind_name == "Call" and msg.call_ended_timestamp:
                attrs["ended"] = msg.call_ended_timestamp

    def _reactions(self, msg: _Message, reaction: _Reaction, ts_us: int, author_name: str, pos: str) -> Iterator[Event]:
        emoji = reaction.emoji
        custom = bool(emoji.id)
        emoji_key = emoji.id if custom else emoji.name
        attrs = {"emoji": emoji.name, "emoji_id": emoji.id} if custom else {"emoji": emoji.name}
        users = reaction.users or []
        yield from self._flags(users, ts_us, pos)
        for user in users:
            self.seq += 1
            yield Event(
                chat_id=self.chat_id,
                seq=self.seq,
                key=f"r:{msg.id}:{emoji_key}:{user.id}",
                kind="reaction",
                subkind="custom" if custom else "emoji",
                ts_us=ts_us,
                actor_id=user.id,
                actor_name=full_name(user.name, user.discriminator),
                target_id=msg.author.id,
                target_name=author_name,
                reply_to_key=msg.id,
                thread_key=self.thread_key,
                attrs=attrs,
                pos=pos,
            )
        unnamed = reaction.count - len(users)
        if unnamed > 0:
            yield self._event(
                key=f"r:{msg.id}:{emoji_key}:anonymous",
                kind="reaction",
                subkind="anonymous",
                ts_us=ts_us,
                target_id=msg.author.id,
                target_name=author_name,
                reply_to_key=msg.id,
                thread_key=self.thread_key,
                attrs={**attrs, "count": unnamed},
                pos=pos,
            )

"""Events from DiscordChatExporter's flat layouts (CSV and PlainText), which carry no message ids.

Both layouts write one row per message: author, date, text, attachment URLs and reaction
counts. There is no message id, type, reply link or reactor, so:

- keys are :class:`~shequn.sources._base.ContentKeys` over (time, author name, text); CSV
  and PlainText write the same three, so the same channel exported in both layouts gives
  the same keys and imports once;
- system messages are known only by the fallback text DiscordChatExporter writes for them
  ("Joined the server.", "Pinned a message." …), which this module turns back into events;
- reactions are counts per emoji, i.e. anonymous reactions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path

from shequn.errors import SourceFormatError
from shequn.model import Chat, Event, Record
from shequn.sources._base import ContentKeys, ReadOptions
from shequn.sources._discord_common import CARRIER, DATE_EXAMPLES, DateReader, chat_from_file_name

__all__ = ["FlatEvents", "FlatMessage", "flat_chat", "parse_reactions", "previous_partition", "read_flat"]

_REACTION = re.compile(r"(.+?) \((\d+)\)")
_COUNT_TOKEN = re.compile(r"\((\d+)\)")
_PARTITION = re.compile(r"^\d+$")
_PART = re.compile(r"^(?P<base>.*) \[part (?P<n>\d+)\]$")
_CHAIN_LIMIT = 16  # partitions looked back through when whole partitions share one minute

# Fallback texts of system messages -> (kind, subkind). Exact matches only: a member who types
# one of these word for word is indistinguishable, and that is rare enough to accept.
_SYSTEM_TEXTS = {
    "Joined the server.": ("join", "link"),
    "Pinned a message.": ("service", "pin_message"),
    "Started a thread.": ("service", "thread_created"),
    "Changed the channel icon.": ("service", "icon_change"),
    "Changed the channel name.": ("rename", None),
    "Left the group.": ("leave", None),
    "Added a recipient.": ("service", "recipient_add"),
    "Removed a recipient.": ("service", "recipient_remove"),
}
_RENAMED = re.compile(r"^Changed the channel name: (?P<title>.+)$", re.DOTALL)
_ADDED = re.compile(r"^Added (?P<who>.+) to the group\.$")
_REMOVED = re.compile(r"^Removed (?P<who>.+) from the group\.$")
_CALL = re.compile(r"^Started a call that lasted (?P<minutes>[\d,.]+) minutes\.$")


@dataclass(slots=True)
class FlatMessage:
    """One message as a flat layout writes it."""

    author: str
    date: str
    content: str
    pos: str
    author_id: str | None = None
    attachments: int = 0
    reactions: tuple[tuple[str, int], ...] = ()
    pinned: bool = False


MessageSource = Callable[[Path, ReadOptions], Iterator[Chat | FlatMessage]]


def parse_reactions(text: str, *, csv_field: bool) -> tuple[tuple[str, int], ...]:
    """Emoji and counts: CSV writes ``👍 (2),kekw (1)``; PlainText ``👍 (2) kekw`` (no count = 1)."""
    text = text.strip()
    if not text:
        return ()
    if csv_field:
        return tuple((m[1].lstrip(","), int(m[2])) for m in _REACTION.finditer(text))
    found: list[tuple[str, int]] = []
    for token in text.split():
        count = _COUNT_TOKEN.fullmatch(token)
        if count is not None and found:
            found[-1] = (found[-1][0], int(count[1]))
        else:
            found.append((token, 1))
    return tuple(found)


def flat_chat(path: Path, options: ReadOptions, *, guild: str | None = None, channel: str | None = None) -> Chat:
    """The chat a CSV or PlainText file belongs to.

    In order: the channel id in DiscordChatExporter's file name (``… [id].csv``); the chat the
    user named (``--group``); the channel named inside the file (PlainText); the folder of a
    partition file named only by its number (``dev-general/17.csv``). Anything else cannot be
    placed, and the error says how to name it.
    """
    if channel:
        channel = channel.rsplit(" / ", 1)[-1]  # newer versions write "Category / channel"
    from_name = chat_from_file_name(path)
    if from_name is not None:
        native_id, name = from_name
        if guild and channel:
            name = f"{guild} / {channel}"
        return Chat(carrier=CARRIER, native_id=native_id, name=name)
    if options.chat_name:
        return Chat(carrier=CARRIER, native_id=options.chat_name, name=options.chat_name)
    if channel:
        return Chat(carrier=CARRIER, native_id=channel, name=f"{guild} / {channel}" if guild else channel)
    if _PARTITION.match(path.stem) and path.parent.name:
        return Chat(carrier=CARRIER, native_id=path.parent.name, name=path.parent.name)
    raise SourceFormatError(
        str(path),
        "file name",
        "cannot tell which channel this export is: the name lacks DiscordChatExporter's [channel id];"
        " pass --group CHANNEL to name it",
    )


def previous_partition(path: Path) -> Path | None:
    """The partition written just before ``path`` (``17.csv`` -> ``16.csv``,
    ``x [part 3].csv`` -> ``x [part 2].csv``, ``x [part 2].csv`` -> ``x.csv``), if it is there."""
    stem, suffix = path.stem, path.suffix
    before: str | None = None
    if _PARTITION.match(stem) and int(stem) > 1:
        before = f"{int(stem) - 1}"
    elif (part := _PART.match(stem)) is not None and int(part["n"]) > 1:
        n = int(part["n"])
        before = part["base"] if n == 2 else f"{part['base']} [part {n - 1}]"
    if before is None:
        return None
    found = path.with_name(before + suffix)
    return found if found.is_file() else None


def read_flat(path: Path, options: ReadOptions, source: MessageSource) -> Iterator[Record]:
    """Chat, then every message's events; keys continue the count of the previous partition.

    A content key counts repeats of (minute, author, text). When an export is split into
    partitions, two "ok"s in one minute can fall on both sides of a cut; counting afresh in
    the second file would give both the same key and drop one. So before reading a
    partition, the previous one's messages run through the key counter (nothing is
    yielded for them), exactly as if the files were one.
    """
    items = source(path, options)
    chat = next(items)
    assert isinstance(chat, Chat)
    yield chat
    events = FlatEvents(chat.native_id, DateReader(options.tz), path)
    events.continue_from(path, replace(options, progress=None), source)  # progress is this file's alone
    for msg in items:
        assert isinstance(msg, FlatMessage)
        yield from events.events(msg)


class FlatEvents:
    """Turns flat messages of one chat into events, keeping keys and order across the file."""

    __slots__ = ("_dates", "_keys", "_path", "chat_id", "seq")

    def __init__(self, chat_id: str, dates: DateReader, path: Path) -> None:
        self.chat_id = chat_id
        self._dates = dates
        self._keys = ContentKeys()
        self._path = str(path)
        self.seq = 0

    def continue_from(self, path: Path, options: ReadOptions, source: MessageSource) -> None:
        """Count the keys of the partitions before ``path``, oldest first.

        Usually one file back suffices; only when that whole partition lies in the minute the
        count continues from does the one before it matter too.
        """
        chain: list[Path] = []
        earlier = previous_partition(path)
        while earlier is not None and len(chain) < _CHAIN_LIMIT:
            chain.insert(0, earlier)
            self._keys = ContentKeys()
            spans = [self._count(p, options, source) for p in chain]
            if spans[0] is None or spans[0][0] != spans[0][1]:
                break
            earlier = previous_partition(earlier)

    def _count(self, path: Path, options: ReadOptions, source: MessageSource) -> tuple[int, int] | None:
        """Run one file's messages through the key counter; (first, last) time, None if empty."""
        first: int | None = None
        ts_us = 0
        for msg in islice(source(path, options), 1, None):
            assert isinstance(msg, FlatMessage)
            when = self._dates.read(msg.date)
            if when is None:
                raise SourceFormatError(str(path), msg.pos, f"expected a date like {DATE_EXAMPLES}, got {msg.date!r}")
            ts_us = when[0]
            first = ts_us if first is None else first
            self._keys.key(str(ts_us), msg.author, msg.content)
        return None if first is None else (first, ts_us)

    def events(self, msg: FlatMessage) -> list[Event]:
        """The message (or the system event its text stands for) and its anonymous reactions."""
        when = self._dates.read(msg.date)
        if when is None:
            raise SourceFormatError(self._path, msg.pos, f"expected a date like {DATE_EXAMPLES}, got {msg.date!r}")
        ts_us, tz_assumed = when
        key = self._keys.key(str(ts_us), msg.author, msg.content)
        self.seq += 1
        main = Event(
            chat_id=self.chat_id,
            key=key,
            kind="message",
            ts_us=ts_us,
            ts_original=msg.date,
            tz_assumed=tz_assumed,
            actor_id=msg.author_id,
            actor_name=msg.author,
            text=msg.content,
            pos=msg.pos,
            seq=self.seq,
        )
        is_system = not msg.attachments and self._system(main, msg)
        if not is_system:
            main.subkind = "text" if msg.content else ("media" if msg.attachments else "other")
        attrs: dict = {}
        if msg.attachments:
            attrs["attachments"] = msg.attachments
        if msg.pinned:
            attrs["pinned"] = True
        if attrs:
            main.attrs = {**(main.attrs or {}), **attrs}
        out = [main]
        for emoji, count in msg.reactions:
            self.seq += 1
            out.append(
                Event(
                    chat_id=self.chat_id,
                    key=f"r:{key}:{emoji}",
                    kind="reaction",
                    subkind="anonymous",
                    ts_us=ts_us,
                    ts_original=msg.date,
                    tz_assumed=tz_assumed,
                    target_id=msg.author_id,
                    target_name=msg.author,
                    reply_to_key=key,
                    attrs={"emoji": emoji, "count": count},
                    pos=msg.pos,
                    seq=self.seq,
                )
            )
        return out

    @staticmethod
    def _system(ev: Event, msg: FlatMessage) -> bool:
        """Turn ``ev`` into the system event its fallback text names; False if it is a message."""
        text = msg.content
        known = _SYSTEM_TEXTS.get(text)
        if known is not None:
            ev.kind, ev.subkind = known
            if ev.kind in ("join", "leave"):
                ev.target_id, ev.target_name = msg.author_id, msg.author
            return True
        if (m := _RENAMED.match(text)) is not None:
            ev.kind, ev.attrs = "rename", {"title": m["title"]}
            return True
        if (m := _ADDED.match(text)) is not None:
            ev.kind, ev.subkind, ev.target_name = "join", "added", m["who"]
            return True
        if (m := _REMOVED.match(text)) is not None:
            ev.kind, ev.subkind, ev.target_name = "removal", "admin", m["who"]
            return True
        if (m := _CALL.match(text)) is not None:
            ev.kind, ev.subkind, ev.attrs = "service", "call", {"minutes": m["minutes"]}
            return True
        return False

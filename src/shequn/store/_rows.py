"""Turn importer records into rows of the log: ids, identities and provenance.

This is the one place where an importer's references (native ids, display names, keys
within a chat) become the log's ids, so every importer gets the same id rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson
import pyarrow as pa

from shequn import ids
from shequn.errors import SourceFormatError
from shequn.model import EVENT_KINDS, Alias, Chat, Event
from shequn.store.schema import EVENT_COLUMNS

__all__ = ["ARROW_EVENTS", "RowBuilder"]

_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "BIGINT": pa.int64(),
    "TIMESTAMP": pa.timestamp("us"),
    "BIGINT[]": pa.list_(pa.int64()),
}
ARROW_EVENTS = pa.schema([(name, _ARROW_TYPES[sql]) for name, sql in EVENT_COLUMNS])


@dataclass
class _ChatInfo:
    chat: Chat
    group_id: int


@dataclass
class RowBuilder:
    """Builds event rows for one import of one file.

    Keeps the chats and identities it has seen (a few per member, never per message), and
    the first/last time and count, for the import's summary.
    """

    community_id: int
    import_id: int
    source_file: str
    importer: str
    importer_version: str
    chats: dict[str, _ChatInfo] = field(default_factory=dict)
    identities: dict[tuple, tuple] = field(default_factory=dict)  # key -> identity row
    _id_cache: dict[tuple, int] = field(default_factory=dict)

    def add_chat(self, chat: Chat) -> None:
        if chat.native_id not in self.chats:
            self.chats[chat.native_id] = _ChatInfo(chat, ids.group_id(chat.carrier, chat.native_id))

    def _chat(self, chat_id: str, pos: str) -> _ChatInfo:
        try:
            return self.chats[chat_id]
        except KeyError:
            raise SourceFormatError(self.source_file, pos, f"event of undeclared chat {chat_id!r}") from None

    def identity(self, info: _ChatInfo, native_id: str | None, name: str | None) -> int | None:
        """The identity id for a native id, or a name scoped to the chat; None if neither."""
        if not native_id and not name:
            return None
        carrier = info.chat.carrier
        key = (carrier, native_id) if native_id else (carrier, info.chat.native_id, ids.name_key(name or ""))
        found = self._id_cache.get(key)
        if found is None:
            if native_id:
                found = ids.identity_id(carrier, native_id)
                self.identities[key] = (found, carrier, native_id, None, None)
            else:
                found = ids.identity_id(carrier, None, group_native_id=info.chat.native_id, name=name)
                self.identities[key] = (found, carrier, None, info.group_id, key[2])
            self._id_cache[key] = found
        return found

    def alias_event(self, alias: Alias, seq: int) -> Event:
        """A name-only identity resolved to a native id becomes a ``merge`` event."""
        return Event(
            chat_id=alias.chat_id,
            key=f"alias:{ids.name_key(alias.name)}:{alias.native_id}",
            kind="merge",
            subkind=alias.rule,
            ts_us=alias.ts_us,
            actor_name=alias.name,
            target_id=alias.native_id,
            pos=alias.pos,
            seq=seq,
        )

    def events_table(self, events: list[Event]) -> pa.Table:
        """One Arrow table of event rows, in the column order of ``EVENT_COLUMNS``."""
        n = len(events)
        cols: dict[str, list] = {name: [None] * n for name, _ in EVENT_COLUMNS}
        event_id, group, actor, target, reply, thread, mentions, attrs = (
            cols["event_id"],
            cols["group_id"],
            cols["identity_id"],
            cols["target_identity_id"],
            cols["reply_to_event_id"],
            cols["thread_id"],
            cols["mentions"],
            cols["attrs"],
        )
        for i, ev in enumerate(events):
            if ev.kind not in EVENT_KINDS:
                raise SourceFormatError(self.source_file, ev.pos, f"unknown event kind {ev.kind!r}")
            info = self._chat(ev.chat_id, ev.pos)
            carrier, chat_native = info.chat.carrier, info.chat.native_id
            event_id[i] = ids.event_id(carrier, chat_native, ev.key)
            group[i] = info.group_id
            if ev.actor_id or ev.actor_name:
                actor[i] = self.identity(info, ev.actor_id, ev.actor_name)
            if ev.target_id or ev.target_name:
                target[i] = self.identity(info, ev.target_id, ev.target_name)
            if ev.reply_to_key is not None:
                reply[i] = ids.event_id(carrier, chat_native, ev.reply_to_key)
            if ev.thread_key is not None:
                thread[i] = ids.event_id(carrier, chat_native, ev.thread_key)
            if ev.mention_ids or ev.mention_names:
                found = [self.identity(info, m, None) for m in ev.mention_ids or ()]
                found += [self.identity(info, None, m) for m in ev.mention_names or ()]
                mentions[i] = found
            if ev.attrs:
                attrs[i] = orjson.dumps(ev.attrs, option=orjson.OPT_SORT_KEYS).decode()
        cols["community_id"] = [self.community_id] * n
        cols["kind"] = [e.kind for e in events]
        cols["subkind"] = [e.subkind for e in events]
        cols["native_id"] = [e.native_id for e in events]
        cols["actor_name"] = [e.actor_name for e in events]
        cols["ts"] = pa.array([e.ts_us for e in events], pa.int64()).cast(pa.timestamp("us"))
        cols["ts_original"] = [e.ts_original for e in events]
        cols["tz_assumed"] = [e.tz_assumed for e in events]
        cols["text"] = [e.text for e in events]
        cols["seq"] = [e.seq for e in events]
        cols["source_file"] = [self.source_file] * n
        cols["source_pos"] = [e.pos for e in events]
        cols["importer"] = [self.importer] * n
        cols["importer_version"] = [self.importer_version] * n
        cols["import_id"] = [self.import_id] * n
        arrays = [
            cols[name] if isinstance(cols[name], pa.Array) else pa.array(cols[name], type=ARROW_EVENTS.field(name).type)
            for name in ARROW_EVENTS.names
        ]
        return pa.Table.from_arrays(arrays, schema=ARROW_EVENTS)

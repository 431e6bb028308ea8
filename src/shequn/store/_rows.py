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
from shequn.model import EVENT_KINDS, Action, Alias, Chat, Event
from shequn.store.schema import EVENT_COLUMNS

__all__ = ["ARROW_EVENTS", "ARROW_STAGE", "IMPORT_CONSTANTS", "RowBuilder", "action_rows"]

_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "BIGINT": pa.int64(),
    "TIMESTAMP": pa.timestamp("us"),
    "BIGINT[]": pa.list_(pa.int64()),
}
ARROW_EVENTS = pa.schema([(name, _ARROW_TYPES[sql]) for name, sql in EVENT_COLUMNS])
#: Columns that are the same for every event of one import: not staged, but filled in when
#: the stage moves into ``events`` (less to convert, write and read back per event).
IMPORT_CONSTANTS = ("community_id", "source_file", "importer", "importer_version", "import_id")
ARROW_STAGE = pa.schema([f for f in ARROW_EVENTS if f.name not in IMPORT_CONSTANTS])


@dataclass
class _ChatInfo:
    chat: Chat
    group_id: int
    key_prefix: str  # event_key(carrier, chat, "") : a key appended gives what the id hashes
    natives: dict[str, int]  # native id -> identity id, shared by the chats of one carrier
    names: dict[str, int] = field(default_factory=dict)  # display name as written -> identity id


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
    _natives: dict[str, dict[str, int]] = field(default_factory=dict)  # carrier -> native id -> identity

    def add_chat(self, chat: Chat) -> None:
        if chat.native_id not in self.chats:
            self.chats[chat.native_id] = _ChatInfo(
                chat,
                ids.group_id(chat.carrier, chat.native_id),
                ids.event_key(chat.carrier, chat.native_id, ""),
                self._natives.setdefault(chat.carrier, {}),
            )

    def _chat(self, chat_id: str, pos: str) -> _ChatInfo:
        try:
            return self.chats[chat_id]
        except KeyError:
            raise SourceFormatError(self.source_file, pos, f"event of undeclared chat {chat_id!r}") from None

    def identity(self, info: _ChatInfo, native_id: str | None, name: str | None) -> int | None:
        """The identity id for a native id, or a name scoped to the chat; None if neither.

        Looked up in per-chat caches first: an export names the same few hundred people
        millions of times.
        """
        if native_id:
            found = info.natives.get(native_id)
            if found is None:
                carrier = info.chat.carrier
                found = ids.identity_id(carrier, native_id)
                self.identities[(carrier, native_id)] = (found, carrier, native_id, None, None)
                info.natives[native_id] = found
            return found
        if not name:
            return None
        found = info.names.get(name)
        if found is None:
            carrier, key = info.chat.carrier, ids.name_key(name)
            found = ids.identity_id(carrier, None, group_native_id=info.chat.native_id, name=name)
            self.identities[(carrier, info.chat.native_id, key)] = (found, carrier, None, info.group_id, key)
            info.names[name] = found
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
        """One Arrow table of staged event rows (``ARROW_STAGE``: the events' columns less the
        import's constants).

        ``event_id``, ``reply_to_event_id`` and ``thread_id`` hold what the ids hash
        (:func:`shequn.ids.event_key`); the move from the stage into ``events`` hashes them.
        """
        n = len(events)
        cols: dict[str, list] = {name: [None] * n for name in ARROW_STAGE.names}
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
        kinds = EVENT_KINDS
        chat_id: str | None = None
        info: _ChatInfo | None = None
        for i, ev in enumerate(events):
            if ev.kind not in kinds:
                raise SourceFormatError(self.source_file, ev.pos, f"unknown event kind {ev.kind!r}")
            if not ev.key:
                raise SourceFormatError(self.source_file, ev.pos, "event without a key")
            if ev.chat_id != chat_id or info is None:
                chat_id, info = ev.chat_id, self._chat(ev.chat_id, ev.pos)
            prefix = info.key_prefix
            event_id[i] = prefix + ev.key
            group[i] = info.group_id
            if ev.actor_id:
                who = info.natives.get(ev.actor_id)
                actor[i] = who if who is not None else self.identity(info, ev.actor_id, None)
            elif ev.actor_name:
                who = info.names.get(ev.actor_name)
                actor[i] = who if who is not None else self.identity(info, None, ev.actor_name)
            if ev.target_id or ev.target_name:
                target[i] = self.identity(info, ev.target_id, ev.target_name)
            if ev.reply_to_key is not None:
                reply[i] = prefix + ev.reply_to_key
            if ev.thread_key is not None:
                thread[i] = prefix + ev.thread_key
            if ev.mention_ids or ev.mention_names:
                found = [self.identity(info, m, None) for m in ev.mention_ids or ()]
                found += [self.identity(info, None, m) for m in ev.mention_names or ()]
                mentions[i] = found
            if ev.attrs:
                attrs[i] = orjson.dumps(ev.attrs, option=orjson.OPT_SORT_KEYS).decode()
        cols["kind"] = [e.kind for e in events]
        cols["subkind"] = [e.subkind for e in events]
        cols["native_id"] = [e.native_id for e in events]
        cols["actor_name"] = [e.actor_name for e in events]
        cols["ts"] = pa.array([e.ts_us for e in events], pa.int64()).cast(pa.timestamp("us"))
        cols["ts_original"] = [e.ts_original for e in events]
        cols["tz_assumed"] = [e.tz_assumed for e in events]
        cols["text"] = [e.text for e in events]
        cols["seq"] = [e.seq for e in events]
        cols["source_pos"] = [e.pos for e in events]
        arrays = [
            cols[name] if isinstance(cols[name], pa.Array) else pa.array(cols[name], type=ARROW_STAGE.field(name).type)
            for name in ARROW_STAGE.names
        ]
        return pa.Table.from_arrays(arrays, schema=ARROW_STAGE)


def action_rows(actions: list[Action], community_id: int, import_id: int, source: str, version: str) -> pa.Table:
    """Event rows for operator actions, ids already hashed (actions are few; no stage needed)."""
    scope = f"community:{community_id}"
    rows: dict[str, list] = {name: [] for name in ARROW_EVENTS.names}
    for seq, act in enumerate(actions):
        if act.kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {act.kind!r}")
        attrs = dict(act.attrs or {})
        if act.batch:
            attrs["batch"] = act.batch
        values = {
            "event_id": ids.event_id("shequn", scope, act.key),
            "community_id": community_id,
            "group_id": act.group_id,
            "kind": act.kind,
            "subkind": act.subkind,
            "native_id": None,
            "identity_id": act.identity_id,
            "actor_name": None,
            "target_identity_id": act.target_identity_id,
            "ts": act.ts_us,
            "ts_original": None,
            "tz_assumed": None,
            "reply_to_event_id": None,
            "thread_id": None,
            "text": act.text,
            "mentions": None,
            "attrs": orjson.dumps(attrs, option=orjson.OPT_SORT_KEYS).decode() if attrs else None,
            "seq": seq,
            "source_file": source,
            "source_pos": f"action {seq}",
            "importer": "shequn",
            "importer_version": version,
            "import_id": import_id,
        }
        for name, value in values.items():
            rows[name].append(value)
    arrays = []
    for field_ in ARROW_EVENTS:
        if field_.name == "ts":
            arrays.append(pa.array(rows["ts"], pa.int64()).cast(pa.timestamp("us")))
        else:
            arrays.append(pa.array(rows[field_.name], type=field_.type))
    return pa.Table.from_arrays(arrays, schema=ARROW_EVENTS)

"""Turn importer records into rows of the log: ids, identities and provenance.

This is the one place where an importer's references (native ids, display names, keys
within a chat) become the log's ids, so every importer gets the same id rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from shequn import ids
from shequn.errors import SourceFormatError
from shequn.model import EVENT_KINDS, Action, Alias, Chat, Event, EventRows
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
#: The fields of an event that become staged columns (all but the chat, which gives the group).
_FIELDS = (*EventRows.DENSE, *EventRows.SPARSE)
#: Fields that name other things (events, people) and become ids.
_REFERENCES = ("key", "reply_to_key", "thread_key", "actor_id", "actor_name", "target_id", "target_name")


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
        (:func:`shequn.ids.event_key`); the move into ``events`` hashes them.
        """
        chat_ids = [e.chat_id for e in events]
        fields: dict[str, list] = {"key": [e.key for e in events], "kind": [e.kind for e in events]}
        self._check(events, chat_ids, fields["key"], fields["kind"])
        for name in _FIELDS:
            if name not in fields:
                fields[name] = [getattr(e, name) for e in events]
        mentioned = [
            (i, e.mention_ids, e.mention_names, self.chats[chat_ids[i]])
            for i, e in enumerate(events)
            if e.mention_ids or e.mention_names
        ]
        return self._table(len(events), chat_ids, fields, mentioned)

    def rows_table(self, rows: EventRows) -> pa.Table:
        """The same as :meth:`events_table`, for events handed over as columns."""
        n = len(rows)
        keys, kinds = rows.key, rows.kind
        if not (set(kinds) <= EVENT_KINDS and all(keys)) or rows.chat_id not in self.chats:
            self._check(rows.events(), [rows.chat_id] * n, keys, kinds)
        info = self.chats[rows.chat_id]
        fields = {name: rows.column(name) for name in _FIELDS}
        by_id, by_name = rows.sparse["mention_ids"], rows.sparse["mention_names"]
        mentioned = [(i, by_id.get(i), by_name.get(i), info) for i in sorted(by_id.keys() | by_name.keys())]
        return self._table(n, [rows.chat_id], fields, mentioned)

    def _table(self, n: int, chat_ids: list[str], fields: dict[str, list], mentioned: list[tuple]) -> pa.Table:
        """Staged rows of ``n`` events given field by field; ``chat_ids`` holds each row's chat,
        or a single chat for all of them.

        The work is done a column at a time: identities are resolved per distinct value (an
        export names the same few hundred people millions of times) and spread over the rows
        by Arrow, and the id keys get their chat's prefix in one call per chat. Rows of several
        chats, even interleaved, are taken chat by chat and put back in order.
        """
        refs = {name: pa.array(fields[name], pa.string()) for name in _REFERENCES}
        if len(chat_ids) == 1 or chat_ids.count(chat_ids[0]) == n:
            linked = self._links(self.chats[chat_ids[0]], refs)
        else:
            by_chat = pa.array(chat_ids, pa.string()).dictionary_encode()
            parts: list[dict[str, pa.Array]] = []
            places: list[pa.Array] = []
            for code, chat_id in enumerate(by_chat.dictionary.to_pylist()):
                rows = pc.indices_nonzero(pc.equal(by_chat.indices, code))
                parts.append(self._links(self.chats[chat_id], {k: v.take(rows) for k, v in refs.items()}))
                places.append(rows)
            back = pc.sort_indices(pa.concat_arrays(places))  # where each original row went
            linked = {k: pa.concat_arrays([p[k] for p in parts]).take(back) for k in parts[0]}
        cols: dict[str, pa.Array | list] = {
            **linked,
            "kind": fields["kind"],
            "subkind": fields["subkind"],
            "native_id": fields["native_id"],
            "actor_name": refs["actor_name"],
            "ts": pa.array(fields["ts_us"], pa.int64()).cast(pa.timestamp("us")),
            "ts_original": fields["ts_original"],
            "tz_assumed": fields["tz_assumed"],
            "text": fields["text"],
            "mentions": self._mentions(n, mentioned),
            "attrs": _attrs_json(fields["attrs"]),
            "seq": fields["seq"],
            "source_pos": fields["pos"],
        }
        arrays = [
            cols[name] if isinstance(cols[name], pa.Array) else pa.array(cols[name], type=ARROW_STAGE.field(name).type)
            for name in ARROW_STAGE.names
        ]
        return pa.Table.from_arrays(arrays, schema=ARROW_STAGE)

    def _check(self, events: list[Event], chat_ids: list[str], keys: list[str], kinds: list[str]) -> None:
        """Raise for the first event of an unknown kind, without a key, or of an undeclared chat."""
        chats = self.chats
        if set(kinds) <= EVENT_KINDS and all(keys) and all(c in chats for c in set(chat_ids)):
            return
        for ev in events:
            if ev.kind not in EVENT_KINDS:
                raise SourceFormatError(self.source_file, ev.pos, f"unknown event kind {ev.kind!r}")
            if not ev.key:
                raise SourceFormatError(self.source_file, ev.pos, "event without a key")
            self._chat(ev.chat_id, ev.pos)

    def _links(self, info: _ChatInfo, refs: dict[str, pa.Array]) -> dict[str, pa.Array]:
        """The columns of one chat's rows that refer to something: ids to hash, the group, identities."""
        prefix = pa.scalar(info.key_prefix)
        return {
            "event_id": pc.binary_join_element_wise(prefix, refs["key"], ""),
            "group_id": pa.repeat(pa.scalar(info.group_id, pa.int64()), len(refs["key"])),
            "identity_id": self._identities(info, refs["actor_id"], refs["actor_name"]),
            "target_identity_id": self._identities(info, refs["target_id"], refs["target_name"]),
            "reply_to_event_id": pc.binary_join_element_wise(prefix, refs["reply_to_key"], ""),
            "thread_id": pc.binary_join_element_wise(prefix, refs["thread_key"], ""),
        }

    def _identities(self, info: _ChatInfo, native_ids: pa.Array, names: pa.Array) -> pa.Array:
        """Identity ids of one chat's rows: by native id where there is one, else by name.

        Resolved once per distinct value; a name gets an identity only on rows without a native
        id (a name beside an id is only how that account was shown).
        """
        by_id = native_ids.dictionary_encode()
        resolved = [self.identity(info, v, None) for v in by_id.dictionary.to_pylist()]
        found = pa.array(resolved, pa.int64()).take(by_id.indices)
        missing = found.is_null()
        if not pc.any(pc.and_(missing, pc.is_valid(names))).as_py():
            return found
        by_name = names.dictionary_encode()
        wanted = pc.unique(by_name.indices.filter(missing)).to_pylist()
        values = by_name.dictionary.to_pylist()
        named: list[int | None] = [None] * len(values)
        for k in wanted:
            if k is not None:
                named[k] = self.identity(info, None, values[k])
        return pc.coalesce(found, pa.array(named, pa.int64()).take(by_name.indices))

    def _mentions(self, n: int, mentioned: list[tuple]) -> list:
        """The mentioned identities of each row: ``mentioned`` holds (row, ids, names, chat) of
        the rows that mention someone (a quarter of a chat's messages)."""
        out: list = [None] * n
        identity = self.identity
        for i, by_id, by_name, info in mentioned:
            found: list[int | None] = []
            for m in by_id or ():
                who = info.natives.get(m)
                found.append(who if who is not None else identity(info, m, None))
            for m in by_name or ():
                who = info.names.get(m)
                found.append(who if who is not None else identity(info, None, m))
            out[i] = found
        return out


def _attrs_json(attrs: list[dict | None]) -> list[str | None]:
    """Attributes as JSON text with sorted keys (the same dict gives the same text)."""
    dumps, sort = orjson.dumps, orjson.OPT_SORT_KEYS
    return [dumps(a, option=sort).decode() if a else None for a in attrs]


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

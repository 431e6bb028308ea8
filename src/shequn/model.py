"""The canonical records that importers yield and the store writes.

An importer turns a carrier's file into a stream of three record types:

- :class:`Chat` — a group or channel (one per chat, before its events);
- :class:`Event` — one thing that happened in a chat: a message, a reaction, a join…;
- :class:`EventRows` — many events of one chat as columns, for exports with millions of them;
- :class:`Alias` — "the name-only identity X is the account with native id Y", for
  carriers whose member lists carry names only (Telegram ``invite_members``);
- :class:`Skip` — something read and deliberately left out, with the reason.

Records are plain ``msgspec`` structs: cheap to build (an export has millions), typed, and
free of store details. The store turns them into rows (ids, identities, provenance).
"""

from __future__ import annotations

from typing import Any, ClassVar, Final

import msgspec

__all__ = [
    "EVENT_KINDS",
    "MESSAGE_SUBKINDS",
    "Action",
    "Alias",
    "Chat",
    "Event",
    "EventRows",
    "Record",
    "Skip",
]

#: Every kind of event the log holds. Later features add their kinds here (rsvp, checkin,
#: order, programme, moderation); the store accepts any listed kind.
EVENT_KINDS: Final = frozenset(
    {
        "message",  # subkind: text, media, sticker, poll, other
        "reaction",  # subkind: emoji, custom, paid, anonymous (counted but reactors unknown)
        "join",  # subkind: created, added, link, request, inferred
        "leave",  # the member left by themselves
        "removal",  # subkind: admin, pruned, ads
        "rename",  # the chat's title changed; attrs.title
        "edit",  # a later edit of a message, where the carrier logs edits apart
        "service",  # any other service line; subkind names it (pin_message, migrate…)
        "merge",  # two identities are one person; subkind: name_resolved, mapping, manual
        "unmerge",
        "flag",  # a member flagged bot / staff / protected
        "rsvp",
        "checkin",
        "order",
        "programme",
        "moderation",
    }
)

MESSAGE_SUBKINDS: Final = frozenset({"text", "media", "sticker", "poll", "other"})


class Chat(msgspec.Struct, frozen=True, gc=False):
    """A group, channel or chat as the carrier names it."""

    carrier: str
    native_id: str
    name: str | None = None
    chat_type: str | None = None  # carrier's own word: private_supergroup, channel, group…


class Event(msgspec.Struct, kw_only=True, gc=False):
    """One thing that happened in a chat.

    Times are UTC epoch microseconds (``ts_us``); ``ts_original`` keeps the string in the
    file and ``tz_assumed`` the zone used to read it when the file gave no offset.

    Identity references are native ids where the carrier has them (``actor_id``) and
    display names otherwise (``actor_name``); the store turns them into identity ids.
    ``key`` is the event's id within its chat: a native message id where the carrier has
    one, else a content key (see :func:`shequn.sources._base.ContentKeys`).

    Who is who, by kind:

    - message: ``actor`` wrote it;
    - reaction: ``actor`` reacted (absent for counted-but-unnamed reactors), ``target`` wrote
      the message, ``reply_to_key`` is the message;
    - join / leave / removal: ``target`` is always the member whose membership changes;
      ``actor`` is who did it (the same member for a self-join or a leave, the admin who
      added or removed someone);
    - merge / unmerge: ``actor`` and ``target`` are the two identities;
    - flag: ``target`` is flagged; ``subkind`` is the flag (bot, staff, protected) and
      ``attrs.value`` true or false.
    """

    chat_id: str  # the Chat.native_id this event happened in
    key: str
    kind: str
    ts_us: int
    ts_original: str | None = None
    tz_assumed: str | None = None
    subkind: str | None = None
    native_id: str | None = None  # the carrier's own message id, when it has one
    actor_id: str | None = None
    actor_name: str | None = None
    target_id: str | None = None  # who it was done to (removed member, reacted-to author)
    target_name: str | None = None
    reply_to_key: str | None = None  # key of the event replied to, in the same chat
    thread_key: str | None = None
    text: str | None = None
    mention_ids: list[str] | None = None  # native ids of mentioned accounts
    mention_names: list[str] | None = None  # names/handles where no id is known
    attrs: dict | None = None
    pos: str = ""  # where in the file: "line 12" or "messages[1042]"
    seq: int = 0  # order in the file, kept for carriers without reply links


class Alias(msgspec.Struct, frozen=True, gc=False):
    """A name-only identity in a chat is the account ``native_id`` (same carrier)."""

    chat_id: str
    name: str
    native_id: str
    ts_us: int  # when the file first showed the name with the id
    rule: str = "name_resolved"
    pos: str = ""


class Skip(msgspec.Struct, frozen=True, gc=False):
    """Something in the file that was read and deliberately not imported, with why.

    Skips are counted by reason in the import summary; ``--strict`` turns them into errors.
    """

    reason: str
    pos: str = ""


class Action(msgspec.Struct, kw_only=True, frozen=True):
    """Something the operator did through shequn: merge identities, flag a member, prune.

    Actions go into the same log as imported events (kind ``merge``, ``unmerge``, ``flag``,
    ``removal``…), but they name identities and groups by the log's own ids, and their
    ``key`` is unique within the community (so recording the same action twice adds it
    once). ``batch`` ties the actions of one command together, so one command can be undone.
    """

    kind: str
    key: str
    ts_us: int
    subkind: str | None = None
    identity_id: int | None = None  # who did it (None: the operator)
    target_identity_id: int | None = None  # who it was done to
    group_id: int | None = None  # None: the whole community
    text: str | None = None
    attrs: dict | None = None
    batch: str | None = None


class EventRows:
    """Many events of one chat, held as one list per field of :class:`Event`.

    The same events as ``Event`` records, handed over in bulk: an importer that reads
    millions of messages appends each field to its list instead of building an object per
    message, and the store turns each list into a column in one call. Fields that most
    events leave empty are kept sparse (row number -> value). :meth:`events` gives the
    ``Event`` records back, for readers of an importer's output that want them one by one.
    """

    #: Fields with a value (or an explicit None) in every row, in :class:`Event`'s order.
    DENSE: ClassVar = (
        "key", "kind", "ts_us", "ts_original", "subkind", "native_id", "actor_id", "actor_name",
        "reply_to_key", "text", "attrs", "pos", "seq",
    )  # fmt: skip
    #: Fields most rows leave empty: only the rows that have them hold an entry.
    SPARSE: ClassVar = ("tz_assumed", "target_id", "target_name", "thread_key", "mention_ids", "mention_names")

    __slots__ = ("_appends", "chat_id", "sparse", *DENSE)

    def __init__(self, chat_id: str) -> None:
        self.chat_id = chat_id
        self.key: list[str] = []
        self.kind: list[str] = []
        self.ts_us: list[int] = []
        self.ts_original: list[str | None] = []
        self.subkind: list[str | None] = []
        self.native_id: list[str | None] = []
        self.actor_id: list[str | None] = []
        self.actor_name: list[str | None] = []
        self.reply_to_key: list[str | None] = []
        self.text: list[str | None] = []
        self.attrs: list[dict | None] = []
        self.pos: list[str] = []
        self.seq: list[int] = []
        self.sparse: dict[str, dict[int, Any]] = {name: {} for name in self.SPARSE}
        # each dense list's append, with where its field sits in an Event's tuple of fields
        self._appends = tuple((getattr(self, name).append, _FIELD_AT[name]) for name in self.DENSE)

    def __len__(self) -> int:
        return len(self.key)

    def add(self, event: Event) -> None:
        """Append one event given as a record (for the rarer kinds an importer builds one by one)."""
        if event.chat_id != self.chat_id:
            raise ValueError(f"event of chat {event.chat_id!r} added to the rows of chat {self.chat_id!r}")
        row = len(self)
        values = msgspec.structs.astuple(event)
        for append, at in self._appends:
            append(values[at])
        for name, at in _SPARSE_AT:
            if values[at] is not None:
                self.sparse[name][row] = values[at]

    def column(self, name: str) -> list:
        """All rows' values of one field (a sparse field filled with None)."""
        if name in self.sparse:
            values: list = [None] * len(self)
            for row, value in self.sparse[name].items():
                values[row] = value
            return values
        return getattr(self, name)

    def events(self) -> list[Event]:
        """The rows as :class:`Event` records, in row order."""
        columns = {name: self.column(name) for name in (*self.DENSE, *self.SPARSE)}
        return [
            Event(chat_id=self.chat_id, **{name: values[row] for name, values in columns.items()})
            for row in range(len(self))
        ]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EventRows):
            return NotImplemented
        return self.chat_id == other.chat_id and self.events() == other.events()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"EventRows(chat_id={self.chat_id!r}, rows={len(self)})"


_FIELD_AT: Final = {name: at for at, name in enumerate(Event.__struct_fields__)}
_SPARSE_AT: Final = tuple((name, _FIELD_AT[name]) for name in EventRows.SPARSE)

Record = Chat | Event | EventRows | Alias | Skip

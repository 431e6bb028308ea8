"""The canonical records that importers yield and the store writes.

An importer turns a carrier's file into a stream of three record types:

- :class:`Chat` — a group or channel (one per chat, before its events);
- :class:`Event` — one thing that happened in a chat: a message, a reaction, a join…;
- :class:`Alias` — "the name-only identity X is the account with native id Y", for
  carriers whose member lists carry names only (Telegram ``invite_members``);
- :class:`Skip` — something read and deliberately left out, with the reason.

Records are plain ``msgspec`` structs: cheap to build (an export has millions), typed, and
free of store details. The store turns them into rows (ids, identities, provenance).
"""

from __future__ import annotations

from typing import Final

import msgspec

__all__ = [
    "EVENT_KINDS",
    "MESSAGE_SUBKINDS",
    "Action",
    "Alias",
    "Chat",
    "Event",
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


Record = Chat | Event | Alias | Skip

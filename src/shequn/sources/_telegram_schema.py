"""The parts of a Telegram Desktop message the importer reads, as typed ``msgspec`` structs.

Both readers (the fast one for Telegram Desktop's own layout and the streaming fallback)
hand batches of message JSON to :data:`MESSAGES`, so a field is read the same way whichever
path found it. Only the fields the log needs are declared: msgspec skips the rest
(``text_entities``, thumbnails, sizes) without building objects for them, which is most of
the speed. Keys are omitted by the exporter when empty, so every field has a default.

The structs are untracked by the garbage collector (``gc=False``): they hold no cycles, and
an export decodes millions of them.
"""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = ["MESSAGES", "ChatHead", "Entity", "Message", "Reaction", "Reactor", "decode_head"]


class Entity(msgspec.Struct, gc=False):
    """One run of a message's text: ``{"type": "mention", "text": "@ann"}``."""

    type: str = "plain"
    text: str = ""
    user_id: int | str | None = None  # mention_name: a user without a public handle


class Reactor(msgspec.Struct, gc=False):
    """One of the few latest reactors the export lists under ``recent``."""

    name: str | None = msgspec.field(name="from", default=None)
    from_id: str | None = None
    date: str | None = None
    date_unixtime: str | int | None = None


class Reaction(msgspec.Struct, gc=False):
    """One reaction on a message: the exact ``count`` and some of the reactors."""

    type: str = "emoji"  # emoji, custom_emoji, paid
    count: int = 0
    emoji: str | None = None
    document_id: str | None = None
    recent: list[Reactor] | None = None


class Message(msgspec.Struct, gc=False):
    """A message, service message or placeholder (``type`` says which)."""

    id: int
    type: str = "message"
    date: str | None = None
    date_unixtime: str | int | None = None
    edited: str | None = None
    edited_unixtime: str | int | None = None
    # who: ``from`` for messages, ``actor`` for service messages (null for deleted accounts)
    name: str | None = msgspec.field(name="from", default=None)
    from_id: str | None = None
    author: str | None = None  # a channel post's signature
    actor: str | None = None
    actor_id: str | None = None
    # service messages
    action: str | None = None
    title: str | None = None
    new_title: str | None = None
    members: list[str | None] | None = None
    inviter: str | None = None
    message_id: int | None = None
    information_text: str | None = None
    duration_seconds: int | None = None
    # links to other messages; UNSET tells "absent" from an explicit null (a hidden sender)
    reply_to_message_id: int | None = None
    reply_to_peer_id: str | int | None = None
    forwarded_from: Any = msgspec.UNSET
    via_bot: str | None = None
    # content
    photo: str | None = None
    file: str | None = None
    file_name: str | None = None
    media_type: str | None = None
    paid_stars_amount: int | None = None
    poll: dict[str, Any] | None = None
    # what an "other" message holds; only their presence is read (a location can be null)
    contact_information: Any = msgspec.UNSET
    location_information: Any = msgspec.UNSET
    place_name: Any = msgspec.UNSET
    game_title: Any = msgspec.UNSET
    invoice_information: Any = msgspec.UNSET
    text: str | list[str | Entity] = ""
    reactions: list[Reaction] | None = None


class ChatHead(msgspec.Struct, gc=False):
    """The keys of a chat object that come before its ``messages``."""

    name: str | None = None
    type: str | None = None
    id: int | str | None = None


MESSAGES = msgspec.json.Decoder(list[Message])
"""Decodes a JSON array of messages (the readers wrap a run of message objects in ``[...]``)."""

_HEAD = msgspec.json.Decoder(ChatHead)


def decode_head(fields: dict[str, bytes]) -> ChatHead:
    """A chat's head from its keys' raw JSON values (``{"name": b'"Readers"', "id": b"42"}``)."""
    body = b",".join(b'"' + key.encode() + b'":' + value for key, value in fields.items())
    return _HEAD.decode(b"{" + body + b"}")

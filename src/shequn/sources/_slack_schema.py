"""The parts of a Slack export that the importer reads, as typed structs.

Typed decoding does two jobs at once: it is the fastest way to read the day files, and a
wrong shape fails with the JSON path of the offending field (``$[17].ts``), which becomes the
place named in the error. Only fields the importer uses are declared; everything else in
Slack's rich objects (``blocks``, ``user_profile`` images, file URLs) is skipped unparsed.
Fields that only one subtype uses and whose shape varies between Slack versions are typed
``Any`` and checked where they are read, so an odd value elsewhere cannot fail an import.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

import msgspec

from shequn.errors import SourceFormatError

__all__ = [
    "Attachment",
    "Comment",
    "Conversation",
    "Edited",
    "File",
    "Message",
    "Profile",
    "Reaction",
    "User",
    "decode",
    "ts_to_us",
]

T = TypeVar("T")


class Profile(msgspec.Struct, gc=False):
    real_name: str | None = None
    display_name: str | None = None


class User(msgspec.Struct, gc=False):
    """One entry of ``users.json``: the workspace's accounts, bots included."""

    id: str
    name: str | None = None
    real_name: str | None = None
    is_bot: bool = False
    deleted: bool = False
    profile: Profile | None = None


class Conversation(msgspec.Struct, gc=False):
    """One entry of ``channels.json`` / ``groups.json`` / ``mpims.json`` / ``dms.json``."""

    id: str
    name: str | None = None


class Reaction(msgspec.Struct, gc=False):
    name: str
    users: list[str] = []
    count: int | None = None


class Edited(msgspec.Struct, gc=False):
    user: str | None = None
    ts: str | None = None


class File(msgspec.Struct, gc=False):
    id: str | None = None
    name: str | None = None
    mimetype: str | None = None
    mode: str | None = None  # "tombstone" for a file deleted after it was shared


class Attachment(msgspec.Struct, gc=False):
    fallback: str | None = None
    text: str | None = None


class Comment(msgspec.Struct, gc=False):
    user: str | None = None


class BotProfile(msgspec.Struct, gc=False):
    name: str | None = None


class Message(msgspec.Struct, gc=False):
    """One object of a day file."""

    ts: str
    type: str | None = None
    subtype: str | None = None
    user: str | None = None
    text: str | None = None
    hidden: bool = False
    bot_id: str | None = None
    username: str | None = None
    bot_profile: BotProfile | None = None
    user_profile: Profile | None = None
    thread_ts: str | None = None
    inviter: str | None = None
    edited: Edited | None = None
    reactions: list[Reaction] | None = None
    files: list[File] | None = None
    file: File | None = None  # exports before 2019 share one file per message
    comment: Comment | None = None  # file_comment (before 2019): the comment's author is here
    attachments: list[Attachment] | None = None
    name: Any = None  # channel_name: the new name
    old_name: Any = None  # channel_name: the name before
    topic: Any = None  # channel_topic: the new topic
    purpose: Any = None  # channel_purpose: the new purpose


_DECODERS: dict[Any, msgspec.json.Decoder] = {}
_AT_PATH = re.compile(r"^(?P<problem>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_AT_BYTE = re.compile(r"\(byte (\d+)\)")
_TS = re.compile(r"^(\d{1,12})(?:\.(\d{1,6}))?$")


def decode(data: bytes, kind: type[T], path: str, label: str) -> T:
    """``data`` decoded as ``kind``, or a SourceFormatError naming ``label`` and the place.

    ``label`` is the file inside the export (``general/2024-01-02.json``); the place is the
    JSON path of a wrong field (``[17].ts``) or the line of malformed JSON.
    """
    decoder = _DECODERS.get(kind)
    if decoder is None:
        decoder = _DECODERS[kind] = msgspec.json.Decoder(kind)
    try:
        return decoder.decode(data)
    except msgspec.ValidationError as exc:
        found = _AT_PATH.match(str(exc))
        assert found is not None  # the pattern matches any string
        where = found["path"] or "top level"
        raise SourceFormatError(path, f"{label}: {where}", _lower_first(found["problem"])) from None
    except msgspec.DecodeError as exc:
        byte = _AT_BYTE.search(str(exc))
        line = data.count(b"\n", 0, int(byte[1])) + 1 if byte else 1
        raise SourceFormatError(path, f"{label}: line {line}", f"not valid JSON ({exc})") from None


def ts_to_us(ts: str) -> int | None:
    """Epoch microseconds of a Slack ``ts`` (``"1661628935.330089"``), exactly, or None.

    Read as two integers rather than a float: a float keeps only about 16 digits, and two
    messages a microsecond apart must keep distinct, ordered times.
    """
    found = _TS.match(ts)
    if found is None:
        return None
    seconds, fraction = found.groups()
    return int(seconds) * 1_000_000 + int((fraction or "").ljust(6, "0"))


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text

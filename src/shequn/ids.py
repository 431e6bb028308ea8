"""Deterministic ids, so that importing the same thing twice finds the same rows.

Event ids are 128-bit (32 hex characters): the log can hold billions of events and a
collision would silently drop one as a duplicate. Community, group and identity ids are
63-bit integers: there are few of them, and integer keys keep joins and group-bys cheap on
every engine (DuckDB, PostgreSQL, Spark, Parquet).
"""

from __future__ import annotations

import hashlib

__all__ = ["community_id", "event_id", "event_key", "group_id", "identity_id", "int_id", "name_key"]

_SEP = "\x1f"  # unit separator: cannot occur in a native id or a display name we keep


def _digest(parts: tuple[str, ...]) -> bytes:
    for part in parts:
        if part is None or part == "":
            raise ValueError(f"empty id part in {parts!r}")
    return hashlib.md5(_SEP.join(parts).encode("utf-8"), usedforsecurity=False).digest()


def int_id(*parts: str) -> int:
    """A non-negative 63-bit integer id from the joined parts (fits a signed BIGINT).

    The first 8 bytes of the MD5 read little-endian, shifted right by one: the same number
    as DuckDB's ``md5_number_upper(key) >> 1``, so ids can also be computed in SQL.
    """
    return int.from_bytes(_digest(parts)[:8], "little") >> 1


def event_key(carrier: str, group_native_id: str, key: str) -> str:
    """What an event id hashes: carrier, chat and key within the chat, joined.

    The store hashes these in SQL (``md5(...)``, the same digest on DuckDB and PostgreSQL),
    a column at a time, which is many times faster than hashing row by row in Python.
    """
    return f"{carrier}{_SEP}{group_native_id}{_SEP}{key}"


def event_id(carrier: str, group_native_id: str, key: str) -> str:
    """The id of one event: its carrier, its chat and its key within the chat."""
    return _digest((carrier, group_native_id, key)).hex()


def community_id(name: str) -> int:
    return int_id("community", name_key(name))


def group_id(carrier: str, native_id: str) -> int:
    return int_id("group", carrier, native_id)


def name_key(name: str) -> str:
    """The form of a display name used in ids: trimmed, inner spaces folded, case folded."""
    return " ".join(name.split()).casefold()


def identity_id(
    carrier: str, native_id: str | None, *, group_native_id: str | None = None, name: str | None = None
) -> int:
    """One account on one carrier.

    With a native id (Telegram ``user123``, a Slack ``U…``, a wxid) the id is global to the
    carrier. Carriers that only show names (WhatsApp contacts, IRC nicks, Telegram member
    lists) get an id scoped to the chat and the name, until a later record links it to a
    native id.
    """
    if native_id:
        return int_id("identity", carrier, native_id)
    if not name or not group_native_id:
        raise ValueError("an identity needs a native id, or a chat and a name")
    return int_id("identity-name", carrier, group_native_id, name_key(name))

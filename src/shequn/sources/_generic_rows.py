"""One row of the generic layout (CSV or JSONL) turned into a log event.

The layout is documented in ``docs/formats-generic.md``; this module is its one reading, so
the CSV and JSONL forms cannot drift apart. A row is a mapping of lower-cased column names
to values (strings, or JSON scalars); an empty value is an absent one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from shequn.errors import SourceFormatError
from shequn.model import Event
from shequn.sources._base import ContentKeys, local_to_utc_us, utc_us, zone

__all__ = ["COLUMNS", "KINDS", "REQUIRED", "RowReader", "has_required"]

#: Every column the layout knows; others are ignored.
COLUMNS = (
    "group",
    "time",
    "sender_id",
    "sender_name",
    "text",
    "id",
    "reply_to",
    "thread",
    "kind",
    "subkind",
    "target_id",
    "target_name",
    "mentions",
)
REQUIRED = ("time", "text")
SENDER = ("sender_id", "sender_name")
#: kind -> subkind when the row gives none.
KINDS: dict[str, str | None] = {
    "message": "text",
    "join": None,
    "leave": None,
    "removal": "admin",
    "reaction": "emoji",
    "service": None,
}

_EPOCH = re.compile(r"-?\d{1,15}(?:\.\d+)?")
_MILLIS_FROM = 100_000_000_000  # epoch seconds this large are year 5138: the file means milliseconds


def has_required(columns: set[str]) -> bool:
    """Whether a header (or a first object's keys) has what every row needs."""
    return set(REQUIRED) <= columns and bool(columns & set(SENDER))


def _value(raw: Any) -> str | None:
    if raw is None or isinstance(raw, bool):
        return None if raw is None else str(raw).lower()
    text = raw.strip() if isinstance(raw, str) else str(raw)
    return text or None


class RowReader:
    """Turns rows into events for one file, declaring nothing itself: ``chat_of`` names the group.

    ``where`` builds the place of a problem from a row's position and a column name
    (``line 5, column time``).
    """

    def __init__(self, path: str, tz: str, where: Callable[[str, str], str]) -> None:
        self.path = path
        self.tz_name = tz
        self.tz = zone(tz)
        self.where = where
        self.keys = ContentKeys()

    def event(self, row: Mapping[str, Any], chat_id: str, pos: str, seq: int) -> Event:
        """The event of one row at ``pos`` (``line 5``) in the chat ``chat_id``."""
        get = {name: _value(row.get(name)) for name in COLUMNS if name != "mentions"}
        kind = (get["kind"] or "message").lower()
        if kind not in KINDS:
            raise SourceFormatError(
                self.path, self.where(pos, "kind"), f"expected one of {', '.join(KINDS)}, got {kind!r}"
            )
        ts_us, original, tz_assumed = self._time(row.get("time"), pos)
        sender_id, sender_name = get["sender_id"], get["sender_name"]
        if kind != "service" and not (sender_id or sender_name):
            raise SourceFormatError(self.path, self.where(pos, "sender_id"), "expected sender_id or sender_name")
        target_id, target_name = get["target_id"], get["target_name"]
        if kind in ("join", "leave") and not (target_id or target_name):
            target_id, target_name = sender_id, sender_name  # a member who joined or left by themselves
        if kind == "removal" and not (target_id or target_name):
            raise SourceFormatError(self.path, self.where(pos, "target_id"), "a removal needs target_id or target_name")
        if kind == "message":
            target_id = target_name = None
        text = get["text"]
        attrs = None
        if kind == "reaction":
            if not get["reply_to"]:
                raise SourceFormatError(self.path, self.where(pos, "reply_to"), "a reaction needs the id it reacts to")
            attrs = {"emoji": text} if text else None
            text = None
        key = get["id"] or self.keys.key(
            original, sender_id or sender_name or "", f"{kind}\x1f{target_id or target_name or ''}\x1f{text or ''}"
        )
        return Event(
            chat_id=chat_id,
            key=key,
            kind=kind,
            subkind=get["subkind"] or KINDS[kind],
            ts_us=ts_us,
            ts_original=original,
            tz_assumed=tz_assumed,
            native_id=get["id"],
            actor_id=sender_id,
            actor_name=sender_name,
            target_id=target_id,
            target_name=target_name,
            reply_to_key=get["reply_to"],
            thread_key=get["thread"],
            text=text if kind != "message" else text or "",
            mention_ids=_mentions(row.get("mentions")),
            attrs=attrs,
            pos=pos,
            seq=seq,
        )

    def _time(self, raw: Any, pos: str) -> tuple[int, str, str | None]:
        """UTC microseconds, the time as written, and the zone assumed (None when the time says)."""
        text = _value(raw)
        if text is None:
            raise SourceFormatError(self.path, self.where(pos, "time"), "expected a time, got nothing")
        if _EPOCH.fullmatch(text):
            seconds, _, fraction = text.lstrip("-").partition(".")
            value = int(seconds) * 1_000_000 + int(fraction[:6].ljust(6, "0"))
            if value >= _MILLIS_FROM * 1_000_000:
                raise SourceFormatError(
                    self.path, self.where(pos, "time"), f"{text} is too large for epoch seconds (milliseconds?)"
                )
            return (-value if text.startswith("-") else value), text, None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise SourceFormatError(
                self.path, self.where(pos, "time"), f"expected ISO 8601 or epoch seconds, got {text!r}"
            ) from None
        if moment.tzinfo is None:
            return local_to_utc_us(moment, self.tz), text, self.tz_name
        return utc_us(moment), text, None


def _mentions(raw: Any) -> list[str] | None:
    """``a;b;c`` (or a JSON list) as ids."""
    if raw is None:
        return None
    items = raw if isinstance(raw, list) else str(raw).split(";")
    found = [text for text in (_value(item) for item in items) if text]
    return found or None

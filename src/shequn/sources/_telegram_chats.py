"""Which chats of a Telegram export are imported, and what each one is called.

A single-chat export is one chat; a full-account export holds every chat of the account,
most of them conversations between two people. Only group-like chats are a community's
business: the others are skipped whole (one counted skip per chat, their messages unread).
``--group`` names the chat of a single-chat export, or picks chats by name out of a
full-account export.
"""

from __future__ import annotations

from shequn.errors import SourceFormatError
from shequn.ids import name_key
from shequn.model import Chat, Skip
from shequn.sources._base import ReadOptions
from shequn.sources._telegram_events import GROUP_TYPES, PERSONAL_TYPES, ChatEvents
from shequn.sources._telegram_schema import ChatHead

__all__ = ["ChatPicker"]


class ChatPicker:
    """Opens each chat the reader meets: its :class:`Chat` record and its :class:`ChatEvents`,
    or a :class:`Skip` and ``None`` when the chat is not imported."""

    def __init__(self, label: str, options: ReadOptions) -> None:
        self.label = label
        self.options = options
        self.seq = 0  # running order of events over the whole file
        self.chats_seen = 0
        self._offered: list[str] = []  # group chats of a full-account export, for the error message
        self._picked = False

    def open(self, head: ChatHead, path: str) -> tuple[Chat | Skip, ChatEvents | None]:
        """The chat at JSON path ``path`` ("" for a single-chat export, else ``chats.list[3]``)."""
        self.chats_seen += 1
        place = path or "messages"
        if head.id is None or head.id == "":
            raise SourceFormatError(self.label, f"{path}.id" if path else "id", "chat has no id (expected a number)")
        chat_type = head.type or ""
        if chat_type in PERSONAL_TYPES:
            return Skip("personal chat", place), None
        if chat_type not in GROUP_TYPES:
            return Skip("chat of unknown type", place), None
        name = head.name
        wanted = self.options.chat_name
        if wanted is not None and not path:
            name = wanted
        elif wanted is not None:
            self._offered.append(name or str(head.id))
            if name is None or name_key(name) != name_key(wanted):
                return Skip("chat not selected", place), None
            self._picked = True
        native_id = str(head.id)
        where = f"{path}.messages" if path else "messages"
        return Chat("telegram", native_id, name, chat_type), ChatEvents(native_id, where, self.options.tz, self.seq)

    def close(self, events: ChatEvents) -> None:
        """The chat's events are done; later chats continue its numbering."""
        self.seq = events.seq

    def finish(self, account_export: bool) -> None:
        """Raise when ``--group`` named a chat that a full-account export does not hold."""
        wanted = self.options.chat_name
        if account_export and wanted is not None and not self._picked:
            offered = ", ".join(repr(n) for n in self._offered) or "no group chats"
            raise SourceFormatError(self.label, "chats", f"no group chat named {wanted!r}; the export has {offered}")

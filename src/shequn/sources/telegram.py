"""Telegram Desktop JSON exports (``result.json``): a single chat or a whole account.

See FORMATS.md §1. The file is one JSON document that can reach gigabytes, so it is never
loaded whole. Files in Telegram Desktop's own layout are read by :mod:`._telegram_pretty`,
which cuts the message lists along the exporter's line structure and decodes runs of
messages with msgspec; anything else that is valid JSON goes through the ijson reader in
:mod:`._telegram_stream`. Both feed :mod:`._telegram_events`, which makes the records, so
the layout of a file never changes what is imported. Events come in runs of rows
(:class:`~shequn.model.EventRows`): an export holds millions, and rows cost far less than
an object per event.

What becomes what:

- each group-like chat is a :class:`~shequn.model.Chat` (``native_id`` = the chat id);
  personal, bot and saved-messages chats are skipped whole;
- messages are ``message`` events keyed by their id; reactions are one ``reaction`` per
  listed reactor plus one ``anonymous`` event for the rest of the count;
- service messages become joins (created, added, link, request), leaves, removals, renames,
  or ``service`` events named after their action;
- member lists name people without ids: when the same chat shows such a name with an
  account id elsewhere, an :class:`~shequn.model.Alias` links the two at the chat's end.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from shequn.errors import SourceFormatError
from shequn.model import Record
from shequn.sources._base import HEAD_BYTES, ReadOptions
from shequn.sources._telegram_chats import ChatPicker
from shequn.sources._telegram_pretty import PrettyReader, looks_pretty
from shequn.sources._telegram_stream import StreamReader

__all__ = ["NAME", "VERSION", "read", "sniff"]

NAME = "telegram"
VERSION = "1.0"

_BOM = b"\xef\xbb\xbf"
_CHAT_TYPE = re.compile(
    rb'"type"\s*:\s*"(?:personal_chat|bot_chat|private_group|private_supergroup|public_supergroup'
    rb'|private_channel|public_channel|saved_messages|replies)"'
)
_MESSAGES = re.compile(rb'"messages"\s*:\s*\[')
_TELEGRAM_ID = re.compile(rb'"(?:from_id|actor_id)"\s*:\s*"(?:user|channel|chat)\d+"')
_SECTIONS = re.compile(rb'"(?:chats|left_chats)"\s*:\s*\{\s*"(?:about|list)"')
# a full-account export opens with "about" (in the app's language) and then one of its sections
_ACCOUNT_START = re.compile(
    rb'\{\s*"about"\s*:\s*"(?:[^"\\]|\\.)*"\s*,\s*"(?:personal_information|profile_pictures|stories|contacts'
    rb'|frequent_contacts|sessions|web_sessions|other_data|chats|left_chats)"'
)
_DISCORD = re.compile(rb'"guild"\s*:\s*\{')


def sniff(path: Path, head: bytes) -> bool:
    """A JSON object holding a Telegram chat (``messages`` of chat objects) or an account's ``chats``."""
    head = head.removeprefix(_BOM).lstrip()
    if not head.startswith(b"{") or _DISCORD.search(head):
        return False
    if _SECTIONS.search(head) or _ACCOUNT_START.match(head):
        return True
    return _MESSAGES.search(head) is not None and bool(_CHAT_TYPE.search(head) or _TELEGRAM_ID.search(head))


@contextmanager
def _open(path: Path) -> Iterator[BinaryIO]:
    """The export as a binary stream: the file, or the largest ``.json`` inside a zip."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [i for i in archive.infolist() if i.filename.lower().endswith(".json")]
            if not members:
                raise SourceFormatError(str(path), "zip", "no .json file inside (expected result.json)")
            with archive.open(max(members, key=lambda i: i.file_size)) as member:
                yield member  # type: ignore[misc]
    else:
        with open(path, "rb") as fh:
            yield fh


def read(path: Path, options: ReadOptions) -> Iterator[Record]:
    """The records of a Telegram Desktop export, chat by chat, in file order."""
    label = str(path)
    picker = ChatPicker(label, options)
    with _open(path) as raw:
        head = raw.read(HEAD_BYTES)
        start = len(_BOM) if head.startswith(_BOM) else 0
        raw.seek(start)  # both readers start at the JSON itself; a BOM is not part of it
        if looks_pretty(head[start:]):
            chunks = PrettyReader(raw, label, picker, options.progress).chunks()
        else:
            chunks = StreamReader(raw, label, picker, options.progress).chunks()
        for chunk in chunks:
            yield from chunk

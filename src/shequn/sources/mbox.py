"""Mailing-list archives in mbox form (Mailman/Pipermail, HyperKitty, any MUA) — FORMATS.md §11.

Each mail is one message event. Its ``Message-ID`` is its key (a hash of date, sender and
text when it has none), ``In-Reply-To`` (else the last of ``References``) the message it
answers, and the first of ``References`` its thread's root; a mail that starts a thread is
its own root. The sender is the lower-cased address (``actor_id``) with the display name
(``actor_name``). Dates carry offsets and are read as written; only a mail without a usable
``Date`` falls back to the ``From `` line's date, read in ``--tz``.

The chat is the list: ``List-Id`` (one chat per list, declared on first sight, as archives
of several lists exist), else ``--group``, else the file's name. Quoted lines (``> …``)
stay in the text and are counted in ``attrs.quoted_lines``; the subject is kept in
``attrs.subject``. The file is read one mail at a time (:mod:`._mbox_split`).
"""

from __future__ import annotations

import gzip
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

from shequn.errors import SourceFormatError
from shequn.model import Chat, Event, Record
from shequn.sources._base import HEAD_BYTES, ContentKeys, ReadOptions, local_to_utc_us, utc_us, zone
from shequn.sources._mbox_message import Mail, read_mail
from shequn.sources._mbox_split import Chunk, is_separator, split_messages

__all__ = ["NAME", "VERSION", "read", "sniff"]

NAME = "mbox"
VERSION = "1.0"

_HEADER = re.compile(rb"^[A-Za-z][A-Za-z0-9-]*:[ \t]", re.M)


def sniff(path: Path, head: bytes) -> bool:
    """The first line is a ``From sender date`` separator and mail headers follow it."""
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as fh:
                head = fh.read(HEAD_BYTES)
        except (OSError, EOFError):
            return False
    elif path.is_file() and zipfile.is_zipfile(path):
        return False
    text = head.lstrip(b"\r\n")
    first, _, rest = text.partition(b"\n")
    return is_separator(first) and _HEADER.match(rest) is not None


def read(path: Path, options: ReadOptions) -> Iterator[Record]:
    """One message event per mail, after the Chat of its list."""
    where = str(path)
    if path.is_dir():
        raise SourceFormatError(where, "top level", "expected an mbox file, got a folder")
    tz = zone(options.tz)
    fallback_chat = options.chat_name or path.name.removesuffix(".gz").rsplit(".", 1)[0]
    declared: set[str] = set()
    keys = ContentKeys()
    for seq, chunk in enumerate(split_messages(path, options.progress)):
        mail = read_mail(chunk.data)
        pos = f"line {chunk.line}"
        if not (mail.address or mail.date_text or mail.message_id):
            raise SourceFormatError(where, f"line {chunk.line + 1}", "expected mail headers (From, Date, Message-ID)")
        chat_id = mail.list_id or fallback_chat
        if chat_id not in declared:
            declared.add(chat_id)
            name = mail.list_name if mail.list_id else chat_id
            yield Chat(carrier=NAME, native_id=chat_id, name=name or chat_id, chat_type="mailing_list")
        ts_us, original, tz_assumed, from_envelope = _when(mail, chunk, options.tz, tz, where)
        attrs: dict = {}
        if mail.subject:
            attrs["subject"] = mail.subject
        if mail.quoted_lines:
            attrs["quoted_lines"] = mail.quoted_lines
        if mail.attachments:
            attrs["attachments"] = mail.attachments
        if mail.fallback_charset:
            attrs["decoded_as"] = mail.fallback_charset
        if from_envelope:
            attrs["date_from"] = "envelope"
        key = mail.message_id or keys.key(str(ts_us), mail.address or "", f"{mail.subject}\x1f{mail.text}")
        yield Event(
            chat_id=chat_id,
            key=key,
            kind="message",
            subkind="text",
            ts_us=ts_us,
            ts_original=original,
            tz_assumed=tz_assumed,
            native_id=mail.message_id,
            actor_id=mail.address,
            actor_name=mail.display_name,
            reply_to_key=mail.parent_id,
            thread_key=mail.root_id or key,
            text=mail.text,
            attrs=attrs or None,
            pos=pos,
            seq=seq,
        )


def _when(mail: Mail, chunk: Chunk, tz_name: str, tz: ZoneInfo, where: str) -> tuple[int, str | None, str | None, bool]:
    """UTC microseconds, the time as written, the zone assumed, and whether it came from the ``From `` line."""
    if mail.date is not None:
        if mail.date.tzinfo is not None:
            return utc_us(mail.date), mail.date_text, None, False
        return local_to_utc_us(mail.date, tz), mail.date_text, tz_name, False
    if chunk.envelope_date is not None:
        return local_to_utc_us(chunk.envelope_date, tz), chunk.envelope_date_text, tz_name, True
    raise SourceFormatError(where, f"line {chunk.line}", "neither the Date header nor the 'From ' line gives a date")

"""What the importer needs from one mail: ids and thread links, sender, date, list, text.

Parsing is the standard library's (:mod:`email`, ``compat32`` policy: it keeps headers as
written, so odd ones — Pipermail's ``jgb at example.com (Name)``, undeclared 8-bit names —
are decoded here by rules rather than dropped by a strict parser). Threading follows
RFC 5322: ``In-Reply-To`` names the parent, ``References`` the chain from the thread's root.
Text comes from the first ``text/plain`` part that is not an attachment, else from the first
``text/html`` part stripped of its markup. Each part is decoded with its declared charset;
undeclared (or wrongly declared) bytes are tried as UTF-8, then Latin-1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import decode_header
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from email.utils import parseaddr, parsedate_to_datetime

from shequn.sources._discourse_html import html_to_text

__all__ = ["Mail", "read_mail"]

_PARSER = BytesParser(policy=compat32)

_MSG_ID = re.compile(r"<([^<>\s]+)>")
_QUOTED = re.compile(r"^[ \t]*>(?!From )", re.M)
_SURROGATE = re.compile("[\udc80-\udcff]")
#: ``Name <addr>``, ``"Name" <addr>`` or a bare address: most From headers, read without the slow parser.
_PLAIN_FROM = re.compile(
    r'\s*(?:"([^"\\]*)"|([^"<>()@,;:\\]*?))\s*<([^<>\s]+@[^<>\s]+)>\s*'  # [Name] <addr>
    r'|\s*([^<>\s"(),;:]+@[^<>\s"(),;:]+)\s*'  # addr
)
_WANTED = frozenset({"from", "date", "message-id", "in-reply-to", "references", "list-id", "subject"})


@dataclass(frozen=True, slots=True)
class Mail:
    message_id: str | None
    parent_id: str | None  # the mail this one answers
    root_id: str | None  # the first mail of the thread, as far as References go
    address: str | None  # lower-cased
    display_name: str | None
    date: datetime | None  # aware when the header gives an offset
    date_text: str | None
    subject: str | None
    list_id: str | None
    list_name: str | None
    text: str
    quoted_lines: int
    attachments: int
    fallback_charset: str | None  # set when some text was not in the charset declared


def _header_text(value: str | None) -> str | None:
    """A header as text: raw 8-bit bytes decoded (UTF-8, else Latin-1), encoded words decoded."""
    if value is None:
        return None
    raw = _undo_surrogates(value)
    if "=?" not in raw:  # no encoded words: the usual case, without the decoder's cost
        return " ".join(raw.split()) or None
    try:
        parts = decode_header(raw)
    except Exception:  # a malformed encoded word: keep the header as written
        return " ".join(raw.split()) or None
    out = []
    for part, charset in parts:
        if isinstance(part, bytes):
            out.append(_decode(part, charset)[0])
        else:
            out.append(part)
    return " ".join("".join(out).split()) or None


def _undo_surrogates(text: str) -> str:
    """compat32 keeps undeclared 8-bit header bytes as surrogates; read them as UTF-8 or Latin-1."""
    if text.isascii() or not _SURROGATE.search(text):
        return text
    return _decode(text.encode("ascii", "surrogateescape"), None)[0]


def _decode(data: bytes, charset: str | None) -> tuple[str, str | None]:
    """Text of ``data`` in ``charset``, else UTF-8, else Latin-1; and the fallback used, if any."""
    if charset:
        try:
            return data.decode(charset), None
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8"), (None if not charset else "utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _ids(value: str | None) -> list[str]:
    return _MSG_ID.findall(value) if value else []


def _sender(value: str | None) -> tuple[str | None, str | None]:
    """Address (lower-cased) and display name of a From header, Pipermail's ``x at y`` undone."""
    text = value or ""
    if "@" not in text and " at " in text:
        text = text.replace(" at ", "@", 1)
    found = _PLAIN_FROM.fullmatch(text)
    if found is not None:
        name, address = (found[1] or found[2] or "").strip(), found[3] or found[4]
    else:
        name, address = parseaddr(text)
    return (address.lower() or None), (_header_text(name) if name else None)


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None and value.rstrip().endswith("-0000"):
        moment = moment.replace(tzinfo=UTC)  # RFC 5322: UTC, the sender's own zone unknown
    return moment


def _list(value: str | None) -> tuple[str | None, str | None]:
    """``List-Id: GNOME Desktop Development List <desktop-devel-list.gnome.org>`` as (id, name)."""
    text = _header_text(value)
    if not text:
        return None, None
    found = re.search(r"<([^<>]+)>", text)
    if found is None:
        return text.strip(), None
    name = text[: found.start()].strip().strip('"') or None
    return found[1].strip(), name


def _is_attachment(part: Message) -> bool:
    disposition = part.get("Content-Disposition")
    if disposition is None:
        return part.get_param("name") is not None  # a named part without disposition: a file
    return disposition.split(";", 1)[0].strip().lower() == "attachment"


def _body(msg: Message) -> tuple[str, str | None, int]:
    """The mail's text, the charset fallback used, and how many attachments it carries."""
    plain = html = None
    attachments = 0
    for part in msg.walk() if msg.is_multipart() else (msg,):
        if part.is_multipart():
            continue
        if _is_attachment(part):
            attachments += 1
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and plain is None:
            plain = part
        elif kind == "text/html" and html is None:
            html = part
    chosen = plain or html
    if chosen is None:
        return "", None, attachments
    payload = chosen.get_payload(decode=True)
    if not isinstance(payload, bytes):
        payload = str(chosen.get_payload()).encode("utf-8", "surrogateescape")
    text, fallback = _decode(payload, chosen.get_content_charset())
    if chosen is html:
        text = html_to_text(text)[0]
    return text.replace("\r\n", "\n").strip(), fallback, attachments


def _headers(msg: Message) -> dict[str, str]:
    """The first value of each header, as written (undeclared 8-bit bytes read as UTF-8 or Latin-1)."""
    found: dict[str, str] = {}
    for name, value in msg.raw_items():
        key = name.lower()
        if key in _WANTED and key not in found:
            found[key] = _undo_surrogates(value)
    return found


def read_mail(data: bytes) -> Mail:
    """The fields of one raw mail (headers and body, without the mbox separator)."""
    msg = _PARSER.parsebytes(data, headersonly=True)  # one body string: cheap for the usual plain mail
    if msg.get_content_maintype() == "multipart":
        msg = _PARSER.parsebytes(data)
    headers = _headers(msg)
    message_ids = _ids(headers.get("message-id"))
    parents = _ids(headers.get("in-reply-to"))
    references = _ids(headers.get("references"))
    parent = parents[0] if parents else (references[-1] if references else None)
    root = references[0] if references else parent
    address, name = _sender(headers.get("from"))
    date_text = headers.get("date")
    list_id, list_name = _list(headers.get("list-id"))
    text, fallback, attachments = _body(msg)
    return Mail(
        message_id=message_ids[0] if message_ids else None,
        parent_id=parent,
        root_id=root,
        address=address,
        display_name=name,
        date=_date(date_text),
        date_text=" ".join(date_text.split()) if date_text else None,
        subject=_header_text(headers.get("subject")),
        list_id=list_id,
        list_name=list_name,
        text=text,
        quoted_lines=len(_QUOTED.findall(text)),
        attachments=attachments,
        fallback_charset=fallback,
    )

"""WhatsApp "Export chat" files (``.txt``, or a ``.zip`` holding the chat ``.txt``) — FORMATS.md §4.

The export is plain text: a header (date and time in the phone's locale), then ``Name:
text`` for a message or a sentence for a system line; lines without a header continue the
message above. What this importer decides, and why:

- **Dates** are read in the one order that fits every header of the file (one streaming
  pass over the bytes first, see :mod:`._whatsapp_dates`); if two orders fit and would
  read some date differently, the locale chooses and a ``Skip`` says which order was used,
  so ``--strict`` refuses the guess.
- **Times** are wall clock in ``--tz`` (``tz_assumed``); ``ts_original`` keeps the header's
  text. Exports are not in time order: ``seq`` keeps the file's order.
- **The chat** has no id: ``--group``, else the name in the file name, else the name the
  iOS encryption notice is sent under, else the title of the "created group" line.
- **Keys** hash the header's wall-clock time (as ``YYYY-MM-DDTHH:MM:SS``, so a phone that
  switched 12/24 hours or spaces between exports keeps its keys), the sender and the text
  as written, so a re-import or a later, longer export of the same chat from the same phone
  adds only what is new.
- **Members** are names as saved on the exporting phone; a sender that is a phone number
  gets ``actor_id`` ``+`` and digits, the same in every chat. The exporter appears in
  system lines as "You", "Du", "你" or only in a Spanish verb; all of them become the name
  identity ``You``.
- **System lines** (English, German, Spanish, Chinese; see :mod:`._whatsapp_system`) become
  join, leave, removal, rename and service events, one join per added name; the encryption
  notice is ``Skip("banner")`` and a sentence no rule knows is ``Skip("unrecognised system
  line")``, counted, never silent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final

from shequn.errors import SourceFormatError
from shequn.model import Chat, Event, Record, Skip
from shequn.sources._base import HEAD_BYTES, ContentKeys, ReadOptions, zone
from shequn.sources._whatsapp_body import classify_body
from shequn.sources._whatsapp_clock import WallClock
from shequn.sources._whatsapp_dates import DateOrder, infer_order, scan_dates
from shequn.sources._whatsapp_file import ChatFile, chat_name_from_file, not_utf8
from shequn.sources._whatsapp_header import HEADER_EXAMPLE, MARK_SET, MARKS, STARTERS, family_of
from shequn.sources._whatsapp_system import QUOTES, SystemFact, classify_system

__all__ = ["NAME", "VERSION", "read", "sniff"]

NAME = "whatsapp"
VERSION = "1.0"

#: A message longer than this is a file that is not really a WhatsApp export (WhatsApp caps
#: a message at 65,536 characters); stopping keeps memory flat on such files.
MAX_MESSAGE_CHARS: Final = 1_000_000

_QUOTE: Final = re.compile(f"[{re.escape(QUOTES)}]")
_PHONE: Final = re.compile(r"\+?\d[\d \u00a0\u202f()\-.]{5,}\d")
_NON_DIGIT: Final = re.compile(r"\D")
_BANNER_STARTS: Final = (
    "Messages and calls",
    "Messages you send",
    "Nachrichten und Anrufe",
    "Los mensajes",
    "消息和通话",
)


def sniff(path: Path, head: bytes) -> bool:
    """The first non-empty line is a WhatsApp header, Android or iOS."""
    text = head.decode("utf-8", "replace").replace("\ufeff", "")
    for line in text.split("\n", 50)[:50]:
        if line.strip(" \t\r" + MARKS):
            return family_of(line.rstrip("\r")) is not None
    return False


def _sender_and_body(rest: str, language: str | None) -> tuple[str | None, str, SystemFact | None]:
    """Split a header's remainder into sender and body; sender None for a system line.

    Names hold no ``": "`` but a group title can (``changed the group name to "A: B"``),
    so a would-be sender with a quote in it is first tried as a system line.
    """
    cut = rest.find(": ")
    if cut > 0:
        if _QUOTE.search(rest, 0, cut) is None:
            return rest[:cut], rest[cut + 2 :], None
        fact = classify_system(rest, language)
        return (None, rest, fact) if fact is not None else (rest[:cut], rest[cut + 2 :], None)
    if cut < 0 and rest.endswith(":") and len(rest) > 1:
        return rest[:-1], "", None  # a message with nothing left in it (a view-once photo)
    return None, rest, None


@dataclass(frozen=True)
class _Head:
    """What the first 64 KiB tell before the messages are read."""

    family: re.Pattern[str]
    language: str | None  # en, de, es, zh: first from a system line, else from AM/PM words
    chat_name: str | None  # from the iOS encryption notice's sender or the "created group" line
    notice_sender: str | None  # the chat's own name as iOS writes it before system lines


def _read_head(head: bytes, where: str) -> _Head:
    text = head.decode("utf-8", "replace").replace("\ufeff", "")
    lines = [line.rstrip("\r") for line in text.split("\n")]
    if len(head) == HEAD_BYTES:
        lines.pop()  # may be cut mid-line
    family = None
    for number, line in enumerate(lines, 1):
        if line.strip(" \t" + MARKS):
            family = family_of(line)
            if family is None:
                raise SourceFormatError(
                    where, f"line {number}", f"expected a WhatsApp message header such as {HEADER_EXAMPLE}"
                )
            break
    if family is None:
        raise SourceFormatError(
            where, "line 1", f"no text: expected a WhatsApp message header such as {HEADER_EXAMPLE}"
        )
    spoken = clock_language = created = notice_sender = None
    for line in lines:
        m = family.match(line)
        if m is None:
            continue
        half_day = m["pre"] or m["ampm"] or ""
        if clock_language is None and half_day:
            clock_language = "zh" if half_day in {"上午", "下午"} else "es" if "." in half_day else None  # a. m.
        sender, body, fact = _sender_and_body(m["rest"], spoken)
        if sender is not None and body.lstrip(MARKS).startswith(_BANNER_STARTS):
            notice_sender = notice_sender or sender.strip(MARKS)
            sender, body = None, body.lstrip(MARKS)
        if sender is None:
            fact = fact or classify_system(body, spoken)
            if fact is not None:
                spoken = spoken or fact.language
                if fact.subkind == "created" and fact.attrs and created is None:
                    created = fact.attrs["title"]
    return _Head(family, spoken or clock_language, notice_sender or created, notice_sender)


def _person(name: str) -> tuple[str | None, str]:
    """(actor_id, actor_name): a phone number is an id valid in every chat, a name is not."""
    if _PHONE.fullmatch(name):
        digits = _NON_DIGIT.sub("", name)
        if len(digits) >= 7:
            return "+" + digits, name
    return None, name


class _Parser:
    """Turns header lines and their continuations into records, in file order."""

    def __init__(self, where: str, chat_id: str, tz_name: str, order: DateOrder, head: _Head) -> None:
        self.where = where
        self.chat_id = chat_id
        self.tz_name = tz_name
        self.clock = WallClock(order, zone(tz_name))
        self.family = head.family
        self.language = head.language
        self.notice_sender = head.notice_sender
        self.keys = ContentKeys()
        self.people: dict[str, tuple[str | None, str | None]] = {}  # a few per member, never per message
        self.seq = 0
        # The last header's date and time as written, as wall clock and as UTC microseconds:
        # consecutive messages often share them, so they are read once per change.
        self._ts = ""
        self._wall = ""
        self._us = 0

    def records(self, stream: BinaryIO) -> Iterator[Record]:
        """Every record of the chat text; a message is complete when the next header comes.

        The loop is the hot path of the importer (one turn per line of the export), so it
        decodes and matches inline instead of through helpers.
        """
        match = self.family.match
        emit = self._emit
        where = self.where
        start = 0
        header: re.Match[str] | None = None
        more: list[str] = []
        size = 0
        for number, raw in enumerate(stream, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise SourceFormatError(where, f"line {number}", not_utf8(raw, exc)) from None
            if "\ufeff" in line:
                line = line.replace("\ufeff", "")
            line = line.rstrip("\r\n")
            m = match(line) if line and line[0] in STARTERS else None
            if m is None:
                if header is None:
                    if line.strip(" \t" + MARKS):
                        raise SourceFormatError(
                            where, f"line {number}", f"expected a WhatsApp message header such as {HEADER_EXAMPLE}"
                        )
                    continue
                more.append(line)
                size += len(line)
                if size > MAX_MESSAGE_CHARS:
                    raise SourceFormatError(
                        where,
                        f"line {number}",
                        f"the message of line {start} runs on for over {MAX_MESSAGE_CHARS:,} characters"
                        " without a new header; is this a WhatsApp export?",
                    )
                continue
            if header is not None:
                out = emit(start, header, more)
                if type(out) is list:
                    yield from out
                else:
                    yield out
                if more:
                    more = []
            start, header, size = number, m, 0
        if header is not None:
            out = emit(start, header, more)
            yield from out if type(out) is list else (out,)

    def _emit(self, number: int, m: re.Match[str], more: list[str]) -> Record | list[Record]:
        ts, d1, d2, d3, pre, hour, minute, second, ampm, rest = m.groups()
        if ts != self._ts:
            try:
                self._wall, self._us = self.clock.read((d1, d2, d3), hour, minute, second, pre, ampm)
            except ValueError:
                raise SourceFormatError(
                    self.where,
                    f"line {number}",
                    f"{ts!r} is not a date and time in {self.clock.order.name} order (the order of the other dates)",
                ) from None
            self._ts = ts
        sender, body, fact = _sender_and_body(rest, self.language)
        if more:
            body = "\n".join([body, *more]).rstrip("\n")
        if sender is None:
            return self._system(number, body, fact)
        sender = sender.strip(MARKS)
        if body[:1] in MARK_SET:
            body = body.lstrip(MARKS)
            if sender == self.notice_sender or body.startswith(_BANNER_STARTS):
                # iOS writes some system lines under the chat's name, which in a one-to-one chat is
                # also the other person's: only a sentence a rule knows is taken as a system line.
                fact = classify_system(body.split("\n", 1)[0], self.language)
                if fact is not None:
                    return self._system(number, body, fact)
        person = self.people.get(sender) or self._ref(sender)
        subkind, text, attrs = classify_body(body)
        self.seq += 1
        return Event(
            chat_id=self.chat_id,
            key=self.keys.key(self._wall, sender, body),
            kind="message",
            subkind=subkind,
            ts_us=self._us,
            ts_original=ts,
            tz_assumed=self.tz_name,
            actor_id=person[0],
            actor_name=person[1],
            text=text,
            attrs=attrs,
            pos=f"line {number}",
            seq=self.seq,
        )

    def _system(self, number: int, text: str, fact: SystemFact | None) -> Record | list[Record]:
        pos = f"line {number}"
        first_line = text.split("\n", 1)[0]
        fact = fact or classify_system(first_line, self.language)
        if fact is None:
            return Skip("unrecognised system line", pos)
        if fact.kind == "banner":
            return Skip("banner", pos)
        self.language = fact.language
        actor = self._ref(fact.actor)
        if fact.kind in {"join", "removal"} and len(fact.targets) > 1:
            return [self._event(fact, pos, f"{text}\x1f{t}", text, actor, self._ref(t)) for t in fact.targets]
        target = self._ref(fact.targets[0]) if fact.targets else (None, None)
        return self._event(fact, pos, text, text, actor, target)

    def _ref(self, name: str | None) -> tuple[str | None, str | None]:
        """(actor_id, name) of a sender or a name in a system line, remembered per name."""
        if not name:
            return None, None
        found = self.people.get(name)
        if found is None:
            found = self.people[name] = _person(name)
        return found

    def _event(
        self,
        fact: SystemFact,
        pos: str,
        key_text: str,
        text: str,
        actor: tuple[str | None, str | None],
        target: tuple[str | None, str | None],
    ) -> Event:
        self.seq += 1
        return Event(
            chat_id=self.chat_id,
            key=self.keys.key(self._wall, "", key_text),
            kind=fact.kind,
            subkind=fact.subkind,
            ts_us=self._us,
            ts_original=self._ts,
            tz_assumed=self.tz_name,
            actor_id=actor[0],
            actor_name=actor[1],
            target_id=target[0],
            target_name=target[1],
            text=text,
            attrs=fact.attrs,
            pos=pos,
            seq=self.seq,
        )


def _chat_name(options: ReadOptions, chat_file: ChatFile, head: _Head, where: str) -> str:
    if options.chat_name:
        return options.chat_name
    for name in chat_file.names():
        found = chat_name_from_file(name)
        if found:
            return found
    if head.chat_name:
        return head.chat_name
    raise SourceFormatError(
        where,
        "file name",
        "cannot tell which chat this is (the file is not named 'WhatsApp Chat with …' and the first lines"
        " do not name the group); name it with --group",
    )


def read(path: Path, options: ReadOptions) -> Iterator[Record]:
    """The chat, then its events in file order."""
    where = str(path)
    zone(options.tz)
    with ChatFile(path) as chat_file:
        head = _read_head(chat_file.head(), where)
        with chat_file.open() as stream:
            order = infer_order(scan_dates(stream), head.language)
        name = _chat_name(options, chat_file, head, where)
        yield Chat(carrier=NAME, native_id=name, name=name)
        if order.ambiguous:
            yield Skip(f"ambiguous dates read as {order.name} ({order.basis})", "every header")
        parser = _Parser(where, name, options.tz, order, head)
        with chat_file.open(options.progress) as stream:
            yield from parser.records(stream)

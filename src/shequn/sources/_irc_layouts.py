"""The line layouts of common IRC loggers: where the time is, and where the body starts.

Each layout splits a line into a :class:`Stamp` (what the line says about when) and the
meaning of its body (:mod:`._irc_grammar`). A file is read with one layout, chosen from its
first lines by :func:`detect_layout`; a line that does not fit the file's layout is an error.

====================  ============================================================
layout                 line
====================  ============================================================
``bracket``            ``[12:34] <nick> text`` — irclogs.ubuntu.com, ZNC; Ubuntu's
                       ``=== …`` status lines carry no time at all
``irssi``              ``12:34 <@nick> text``, ``-!- …``, day from ``--- Day changed``
``weechat``            ``2024-03-05 12:34:56<TAB>nick<TAB>text``
``limnoria``           ``2012-10-17T09:16:21+0000  <nick> text`` (Supybot ChannelLogger)
``prefixed``           ``rust 2018-05-29 [21:20:37] <nick> text`` (IRC disentanglement
                       corpus, new domains: channel and day before each line)
====================  ============================================================
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from shequn.sources._irc_grammar import Said, parse_body, parse_status, strip_mode

__all__ = ["LAYOUTS", "BadTime", "Layout", "Line", "Stamp", "detect_layout"]

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Stamp:
    """When a line says it happened. ``hms`` is None on lines that carry no time."""

    original: str | None = None
    day: date | None = None
    hms: tuple[int, int, int] | None = None
    offset_s: int | None = None  # UTC offset the line states, in seconds


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a log: its stamp and body, or (``marker`` set) the day a marker line names.

    The body is read only when asked (:meth:`said`): the first pass over a file needs stamps only.
    """

    stamp: Stamp
    body: str = ""
    grammar: Callable[[str], Said] | None = None
    marker: date | None = None
    channel: str | None = None

    def said(self) -> Said | None:
        return self.grammar(self.body) if self.grammar is not None else None


@dataclass(frozen=True, slots=True)
class Layout:
    name: str
    example: str
    dated: bool  # lines carry their day
    parse: Callable[[str], Line | None]  # None: the line is not in this layout


def _hms(h: str, m: str, s: str | None) -> tuple[int, int, int] | None:
    hour, minute, second = int(h), int(m), int(s or 0)
    if hour > 23 or minute > 59 or second > 60:
        return None
    return hour, minute, min(second, 59)  # a leap second is kept in its minute


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


class BadTime(ValueError):
    """A line in the file's layout whose time or date is not a real one."""


def _checked(value: _T | None, original: str) -> _T:
    if value is None:
        raise BadTime(f"{original!r} is not a valid date and time")
    return value


# -- bracket: [12:34] <nick> text ------------------------------------------------------------

_BRACKET = re.compile(r"\[(\d{1,2}):(\d\d)(?::(\d\d))?\] ?(.*)")


def _bracket(text: str) -> Line | None:
    if found := _BRACKET.fullmatch(text):
        original = text[1 : text.index("]")]
        hms = _checked(_hms(found[1], found[2], found[3]), original)
        return Line(Stamp(original=original, hms=hms), found[4], parse_body)
    if text.startswith("=== "):
        return Line(Stamp(), text, parse_body)
    return None


# -- irssi: 12:34 <@nick> text, --- Day changed Tue Mar 05 2024 ----------------------------

_IRSSI = re.compile(r"(\d\d):(\d\d)(?::(\d\d))? (.*)")
_IRSSI_MARKER = re.compile(r"--- (?:Log opened|Log closed|Day changed) (.+)")


def _irssi(text: str) -> Line | None:
    if found := _IRSSI.fullmatch(text):
        original = text[: found.end(3) if found[3] else found.end(2)]
        hms = _checked(_hms(found[1], found[2], found[3]), original)
        return Line(Stamp(original=original, hms=hms), found[4], parse_body)
    if found := _IRSSI_MARKER.fullmatch(text):
        when = found[1].strip()
        for fmt in ("%a %b %d %H:%M:%S %Y", "%a %b %d %Y"):
            try:
                return Line(Stamp(original=when), marker=datetime.strptime(when, fmt).date())
            except ValueError:
                continue
        raise BadTime(f"{when!r} is not a date like 'Tue Mar 05 2024'")
    return None


# -- weechat: 2024-03-05 12:34:56<TAB>prefix<TAB>text ----------------------------------------

_WEECHAT = re.compile(r"(\d{4}-\d\d-\d\d) (\d\d):(\d\d):(\d\d)\t[^\t]*(?:\t.*)?")


def _weechat_said(columns: str) -> Said:
    prefix, _, body = columns.partition("\t")
    body = body.rstrip()
    mark = prefix.strip()
    if mark in ("-->", "<--", "--"):
        return parse_status(body)
    if mark == "*":
        found = re.fullmatch(r"(\S+)(?: (.*))?", body)
        return parse_body(f"* {found[1]} {found[2] or ''}") if found else Said(skip="status line")
    if mark in ("=!=", ""):
        return Said(skip="status line")
    if found := re.fullmatch(r"Notice\((\S+?)\)", mark):
        return parse_body(f"-{found[1]}- {body}")
    return parse_body(f"<{strip_mode(mark)}> {body}")


def _weechat(text: str) -> Line | None:
    if found := _WEECHAT.fullmatch(text):
        day = _checked(_day(found[1]), found[1])
        hms = _checked(_hms(found[2], found[3], found[4]), text[11:19])
        return Line(Stamp(original=text[:19], day=day, hms=hms), text[20:], _weechat_said)
    return None


# -- limnoria: 2012-10-17T09:16:21+0000  <nick> text -----------------------------------------

_LIMNORIA = re.compile(r"(\d{4}-\d\d-\d\d)T(\d\d):(\d\d):(\d\d)(Z|[+-]\d\d:?\d\d)?(?:\s+(.*))?")


def _offset(text: str | None) -> int | None:
    if text is None:
        return None
    if text == "Z":
        return 0
    digits = text[1:].replace(":", "")
    seconds = int(digits[:2]) * 3600 + int(digits[2:]) * 60
    return -seconds if text[0] == "-" else seconds


def _limnoria(text: str) -> Line | None:
    if found := _LIMNORIA.fullmatch(text):
        original = text[: found.end(5) if found[5] else found.end(4)]
        day = _checked(_day(found[1]), original)
        hms = _checked(_hms(found[2], found[3], found[4]), original)
        stamp = Stamp(original=original, day=day, hms=hms, offset_s=_offset(found[5]))
        return Line(stamp, found[6] or "", parse_body)
    return None


# -- prefixed: rust 2018-05-29 [21:20:37] <nick> text ----------------------------------------

_PREFIXED = re.compile(r"([^\s\[<]\S*) (\d{4}-\d\d-\d\d) (?:\[(\d\d):(\d\d)(?::(\d\d))?\] ?)?(.*)")


def _prefixed(text: str) -> Line | None:
    if found := _PREFIXED.fullmatch(text):
        day = _checked(_day(found[2]), found[2])
        hms = None
        original = found[2]
        if found[3] is not None:
            original = text[found.start(2) : text.index("]", found.end(2)) + 1]
            hms = _checked(_hms(found[3], found[4], found[5]), original)
        return Line(Stamp(original=original, day=day, hms=hms), found[6], parse_body, channel=found[1])
    return None


#: Most specific first: detection prefers the earlier layout on a tie.
LAYOUTS: tuple[Layout, ...] = (
    Layout("weechat", "2024-03-05 12:34:56<TAB>nick<TAB>text", True, _weechat),
    Layout("limnoria", "2012-10-17T09:16:21+0000  <nick> text", True, _limnoria),
    Layout("prefixed", "rust 2018-05-29 [21:20:37] <nick> text", True, _prefixed),
    Layout("irssi", "12:34 <nick> text", False, _irssi),
    Layout("bracket", "[12:34] <nick> text", False, _bracket),
)


def _fits(layout: Layout, text: str) -> tuple[bool, bool]:
    """Whether a line reads in ``layout`` as something known, and whether it is a message."""
    try:
        line = layout.parse(text)
    except BadTime:
        return False, False
    if line is None:
        return False, False
    if line.marker is not None:
        return True, False
    said = line.said()
    if said is None or said.skip in ("unrecognised line", "empty line"):
        return False, False
    return True, said.skip is None and said.kind == "message"


def detect_layout(lines: Iterable[str], *, sample: int = 200) -> Layout | None:
    """The layout most of the first non-blank ``lines`` read in, if it reads at least 60% of them.

    At least two lines must be messages, so a file of other ``[12:34]`` lines is not IRC.
    """
    texts = [t for t in (line.rstrip("\r\n") for line in lines) if t.strip()][:sample]
    if not texts:
        return None
    best: tuple[int, Layout] | None = None
    for layout in LAYOUTS:
        fits = messages = 0
        for text in texts:
            ok, message = _fits(layout, text)
            fits += ok
            messages += message
        if messages >= min(2, len(texts)) and fits * 10 >= len(texts) * 6 and (best is None or fits > best[0]):
            best = (fits, layout)
    return best[1] if best else None

"""The header that starts every WhatsApp message, in its two families and many locales.

Android writes ``{date}, {time} - {rest}`` and iOS ``[{date}, {time}] {rest}``; the date's
field order, the year's width, 12 or 24 hours and the AM/PM words follow the phone's locale
(FORMATS.md §4.1). One pattern per family covers them all, so a file is read with the one
family its first header shows; which date field is the day is settled over the whole file
by :mod:`shequn.sources._whatsapp_dates`.

Direction marks (U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) sit around headers, senders
and attachments, and the exporter scatters U+FEFF anywhere; the patterns let marks through
where they occur, and readers drop every U+FEFF before matching.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "ANDROID",
    "HEADER_EXAMPLE",
    "IOS",
    "MARKS",
    "MARK_SET",
    "STARTERS",
    "family_of",
    "hour_of_day",
]

#: Invisible direction marks WhatsApp puts around headers, names and attachment markers.
MARKS: Final = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
MARK_SET: Final = frozenset(MARKS)
#: First characters a header line can have: anything else is a continuation, unmatched.
STARTERS: Final = frozenset("0123456789[" + MARKS)

HEADER_EXAMPLE: Final = "'1/29/18, 23:45 - Name: text' (Android) or '[29.01.18, 23:45:03] Name: text' (iOS)"

_M = f"[{MARKS}]*"
_SP = "[ \u00a0\u202f]"  # space, no-break space, narrow no-break space (Android 2023+ before AM/PM)
_DATE = r"(?P<d1>\d{1,4})[./-](?P<d2>\d{1,2})[./-](?P<d3>\d{1,4})\.?"
_TIME = (
    rf"(?P<pre>上午|下午|午前|午後)?{_SP}?"  # Chinese and Japanese put the half-day word first
    r"(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?:[:.](?P<s>\d{2}))?"
    rf"(?:{_SP}?(?P<ampm>[AaPp]\.?{_SP}?[Mm]\.?|上午|下午))?"
)
_STAMP = rf"(?P<ts>{_DATE},?{_SP}{_TIME})"

#: ``[29.01.18, 23:45:03] rest`` — groups ts, d1, d2, d3, pre, h, mi, s, ampm, rest.
IOS: Final = re.compile(rf"{_M}\[{_M}{_STAMP}{_M}\]{_SP}?{_M}(?P<rest>.*)")
#: ``29.01.18, 23:45 - rest`` — the same groups in the same order.
ANDROID: Final = re.compile(rf"{_M}{_STAMP}{_SP}[-–]{_SP}{_M}(?P<rest>.*)")

_PM_WORDS: Final = frozenset({"下午", "午後"})
_HALF_DAY_WORDS: Final = frozenset({"上午", "下午", "午前", "午後"})


def family_of(line: str) -> re.Pattern[str] | None:
    """The header pattern (:data:`IOS` or :data:`ANDROID`) that ``line`` starts with, if any.

    A line whose text after the header opens like an IRC log (``<nick>``, ``* nick``) is not
    taken: those logs share the bracketed timestamp but never WhatsApp's ``Name: text``.
    """
    for family in (IOS, ANDROID):
        m = family.match(line)
        if m is not None and not m["rest"].startswith(("<", "* ", "-!-", "***")):
            return family
    return None


def hour_of_day(hour: int, pre: str | None, ampm: str | None) -> int:
    """The 0–23 hour of a header's clock, given its AM/PM word before or after the time.

    Hours past 12 keep their value whatever the word says: hand-edited exports write
    ``23:59 PM`` and ``00:04 AM`` (WhatsR samples), which mean what the digits say.
    """
    word = pre or ampm
    if word is None or hour > 12:
        return hour
    pm = word in _PM_WORDS if word in _HALF_DAY_WORDS else word[0] in "Pp"
    if pm:
        return hour if hour == 12 else hour + 12
    return 0 if hour == 12 else hour

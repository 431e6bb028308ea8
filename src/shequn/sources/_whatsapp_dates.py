"""Which field of a WhatsApp date is the day: settled over the whole file, not line by line.

``1/2/18`` is 2 January in London and 1 February in New York, and the export never says
which phone wrote it. One streaming pass over the raw bytes collects the distinct date
strings of the header lines (a few thousand at most: one per day of the chat), then:

1. an order survives only if every date fits it: a month field never exceeds 12, a day
   field never exceeds 31, a four-digit field is the year;
2. if several survive, the locale decides: Chinese text reads year first, German and
   Spanish text or ``.`` separators read day first, English with unpadded two-digit years
   (``1/29/18``) reads month first, padded dates (``29/01/2018``) day first;
3. when the surviving orders would read some date differently, the choice is reported
   (:attr:`DateOrder.ambiguous`) so the import can say so instead of guessing silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import BinaryIO, Final

__all__ = ["ORDERS", "DateOrder", "infer_order", "scan_dates"]

#: Order name -> positions of (year, month, day) among the three date fields.
ORDERS: Final[dict[str, tuple[int, int, int]]] = {
    "D/M/Y": (2, 1, 0),
    "M/D/Y": (2, 0, 1),
    "Y/M/D": (0, 1, 2),
}

_MARK = rb"(?:\xef\xbb\xbf|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9])*"
# A line break, a header's date, then a clock within a few bytes (room for 上午/下午 and odd
# spaces): the lines the header patterns accept, loose enough to never miss one. Starting
# with a literal line break (not ``^``) lets the regex engine jump from line to line.
_SCAN: Final = re.compile(
    rb"\n" + _MARK + rb"\[?" + _MARK + rb"(\d{1,4}[./-]\d{1,2}[./-]\d{1,4})\.?,?(?: |\xc2\xa0|\xe2\x80\xaf)"
    rb"[^\n\d]{0,8}\d{1,2}[:.]\d{2}"
)
_SPLIT: Final = re.compile(rb"[./-]")
_CHUNK = 1 << 20
_LINE_START_KEPT = 96  # bytes of an over-long line kept across chunks: enough for its header


@dataclass(frozen=True)
class DateOrder:
    """The order a file's dates are read in, and why."""

    name: str  # a key of ORDERS
    basis: str  # "dates" when the dates alone decide, else the hint that chose
    ambiguous: bool = False  # another order fits every date and would read some differently

    @property
    def positions(self) -> tuple[int, int, int]:
        return ORDERS[self.name]


def scan_dates(stream: BinaryIO) -> set[bytes]:
    """The distinct date strings of the header lines, read in chunks (memory stays flat)."""
    found: set[bytes] = set()
    carry = b"\n"  # the incomplete last line so far, with the line break before it
    while chunk := stream.read(_CHUNK):
        buf = carry + chunk
        cut = buf.rfind(b"\n")
        if cut:
            found.update(_SCAN.findall(buf, 0, cut))
            carry = buf[cut:]
        else:  # one line longer than a chunk: only its start can hold a header
            carry = buf[:_LINE_START_KEPT]
    found.update(_SCAN.findall(carry))
    return found


def _fields(date: bytes) -> tuple[bytes, ...]:
    return tuple(_SPLIT.split(date))


def _fits(order: tuple[int, int, int], fields: list[tuple[bytes, ...]]) -> bool:
    """Every date reads as a date in ``order`` (years have two or four digits)."""
    year, month, day = order
    return all(
        len(f[month]) <= 2 and len(f[day]) <= 2 and int(f[month]) <= 12 and int(f[day]) <= 31 and len(f[year]) != 3
        for f in fields
    )


def _reading(order: tuple[int, int, int], f: tuple[bytes, ...]) -> tuple[int, int, int]:
    return int(f[order[0]]), int(f[order[1]]), int(f[order[2]])


def _preference(fields: list[tuple[bytes, ...]], dates: set[bytes], language: str | None) -> tuple[list[str], str]:
    """Orders from most to least likely for this locale, and the hint that ranked them."""
    if language == "zh":
        return ["Y/M/D", "D/M/Y", "M/D/Y"], "Chinese text"
    if language in {"de", "es"}:
        return ["D/M/Y", "Y/M/D", "M/D/Y"], {"de": "German text", "es": "Spanish text"}[language]
    if any(b"." in d for d in dates):
        return ["D/M/Y", "Y/M/D", "M/D/Y"], "'.' separators"
    padded = any(len(x) == 2 and x.startswith(b"0") for f in fields for x in f)
    short_years = all(len(f[2]) <= 2 for f in fields)
    if short_years and not padded:
        return ["M/D/Y", "D/M/Y", "Y/M/D"], "US-style unpadded dates"
    return ["D/M/Y", "M/D/Y", "Y/M/D"], "zero-padded dates" if padded else "four-digit years"


def infer_order(dates: set[bytes], language: str | None = None) -> DateOrder:
    """The order that reads every date in ``dates``; ``language`` breaks ties.

    Year-first with a two-digit year is considered only for Chinese text or when the first
    field cannot be anything but a year, so a German ``12.01.18`` is never read as 2012.
    """
    fields = [f for f in map(_fields, dates) if len(f) == 3]
    ranked, hint = _preference(fields, dates, language)
    year_first_possible = language == "zh" or any(len(f[0]) == 4 or int(f[0]) > 31 for f in fields)
    candidates = [n for n in ranked if (n != "Y/M/D" or year_first_possible) and _fits(ORDERS[n], fields)]
    if len(candidates) == 1:
        return DateOrder(candidates[0], "dates")
    if not candidates:  # nothing reads every date: the line that breaks the likeliest order is reported later
        return DateOrder(ranked[0], hint)
    chosen = candidates[0]
    ambiguous = any(
        _reading(ORDERS[chosen], f) != _reading(ORDERS[other], f) for other in candidates[1:] for f in fields
    )
    return DateOrder(chosen, hint if ambiguous else "dates", ambiguous)

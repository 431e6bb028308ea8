"""Header times to UTC, fast: a chat has millions of headers but few distinct days and hours.

Each header is wall-clock time in the zone the user names (WhatsApp writes no offset). The
zone's offset is looked up once per hour of the day being read, not once per header; an
hour in which the offset changes part-way (a transition off the hour) is converted minute
by minute with :func:`~shequn.sources._base.local_to_utc_us`, so every time comes out
exactly as that function would give it.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from shequn.sources._base import local_to_utc_us
from shequn.sources._whatsapp_dates import DateOrder
from shequn.sources._whatsapp_header import hour_of_day

__all__ = ["WallClock"]

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_HOUR_US = 3_600_000_000


class WallClock:
    """Reads a header's date and time fields in the file's date order and a time zone."""

    __slots__ = ("_date", "_date_iso", "_day", "_day_us", "_offsets", "order", "tz")

    def __init__(self, order: DateOrder, tz: ZoneInfo) -> None:
        self.order = order
        self.tz = tz
        self._date: tuple[str, str, str] | None = None
        self._day = date(1970, 1, 1)
        self._date_iso = ""
        self._day_us = 0
        self._offsets: dict[int, int | None] = {}  # hour -> offset in µs; None: it changes in that hour

    def _set_day(self, fields: tuple[str, str, str]) -> None:
        y, m, d = self.order.positions
        year = int(fields[y])
        self._day = date(year + 2000 if year < 100 else year, int(fields[m]), int(fields[d]))  # ValueError if none
        self._date = fields
        self._date_iso = self._day.isoformat()
        self._day_us = (self._day.toordinal() - _EPOCH_ORDINAL) * 24 * _HOUR_US
        self._offsets = {}

    def _offset(self, hour: int) -> int | None:
        """The zone's offset through ``hour`` of the current day, or None if it changes within it."""
        day = self._day
        wall = self._day_us + hour * _HOUR_US
        first = local_to_utc_us(datetime(day.year, day.month, day.day, hour), self.tz) - wall
        last = local_to_utc_us(datetime(day.year, day.month, day.day, hour, 59, 59), self.tz) - wall - 3_599_000_000
        return first if first == last else None

    def read(
        self,
        fields: tuple[str, str, str],
        hour_text: str,
        minute_text: str,
        second_text: str | None,
        pre: str | None,
        ampm: str | None,
    ) -> tuple[str, int]:
        """(wall clock as ``YYYY-MM-DDTHH:MM:SS``, UTC epoch microseconds); ValueError if not a time."""
        if fields != self._date:
            self._set_day(fields)
        hour = hour_of_day(int(hour_text), pre, ampm)
        minute = int(minute_text)
        second = int(second_text) if second_text else 0
        if hour > 23 or minute > 59 or second > 59:
            raise ValueError("not a time of day")
        offsets = self._offsets
        if hour not in offsets:
            offsets[hour] = self._offset(hour)
        offset = offsets[hour]
        wall_iso = f"{self._date_iso}T{hour:02d}:{minute:02d}:{second:02d}"
        if offset is None:
            day = self._day
            return wall_iso, local_to_utc_us(datetime(day.year, day.month, day.day, hour, minute, second), self.tz)
        return wall_iso, self._day_us + ((hour * 60 + minute) * 60 + second) * 1_000_000 + offset

"""Wall-clock times without an offset (QQ, MemoTrace TXT, PyWxDump) as UTC epoch µs, fast.

:func:`~shequn.sources._base.local_to_utc_us` asks the zone for every time, which is most of
the cost of reading a large text export. A zone's offset is the same for a whole hour except
in the hour of a clock change, so the offset is looked up once per hour and reused; an hour
whose start and end disagree is looked up time by time. The results are exactly those of
``local_to_utc_us`` (first occurrence in a repeated hour, the earlier offset in a skipped one).
"""

from __future__ import annotations

from datetime import date, datetime

from shequn.sources._base import local_to_utc_us, zone

__all__ = ["WallClock"]

_EPOCH_DAY = date(1970, 1, 1).toordinal()
_MIXED = object()  # the hour of a clock change: no single offset
_CACHE_LIMIT = 50_000


class WallClock:
    """Converts local date-time parts in one zone to UTC epoch microseconds."""

    def __init__(self, tz_name: str) -> None:
        self.tz = zone(tz_name)
        self._days: dict[tuple[int, int, int], int] = {}
        self._hours: dict[int, object] = {}

    def _day(self, year: int, month: int, day: int) -> int:
        """Days since 1970-01-01; ValueError for a date that does not exist."""
        found = self._days.get((year, month, day))
        if found is None:
            if len(self._days) > _CACHE_LIMIT:
                self._days.clear()
            found = self._days[(year, month, day)] = date(year, month, day).toordinal() - _EPOCH_DAY
        return found

    def _offset_us(self, local_s: int) -> int:
        """UTC minus local, in µs, for a local time given as seconds since the epoch."""
        return local_to_utc_us(_naive(local_s), self.tz) - local_s * 1_000_000

    def utc_us(self, year: int, month: int, day: int, hour: int, minute: int, second: int) -> int:
        """The instant of a local time; ValueError if the parts are no valid date and time."""
        if not (0 <= hour < 24 and 0 <= minute < 60 and 0 <= second < 60):
            raise ValueError(f"no such time {hour}:{minute:02d}:{second:02d}")
        local_s = self._day(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second
        hour_key = local_s // 3_600
        offset = self._hours.get(hour_key)
        if offset is None:
            if len(self._hours) > _CACHE_LIMIT:
                self._hours.clear()
            start = self._offset_us(hour_key * 3_600)
            offset = start if start == self._offset_us(hour_key * 3_600 + 3_599) else _MIXED
            self._hours[hour_key] = offset
        if offset is _MIXED:
            return local_s * 1_000_000 + self._offset_us(local_s)
        return local_s * 1_000_000 + offset  # type: ignore[operator]


def _naive(local_s: int) -> datetime:
    """The naive date-time ``local_s`` seconds after 1970-01-01 00:00 (no zone involved)."""
    days, rest = divmod(local_s, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    return datetime.combine(date.fromordinal(days + _EPOCH_DAY), datetime.min.time()).replace(
        hour=hours, minute=minutes, second=seconds
    )

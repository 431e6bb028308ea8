"""Days for IRC logs whose lines carry only a time of day.

irclogs.ubuntu.com, ZNC and many irssi setups write ``[12:34]`` and leave the day to the
file's name (``2004-11-15.txt``, ``#chan/2016/07/07.txt``). Two things make that harder than
it looks, both seen in the Ubuntu samples:

- a file can run past midnight, so the clock going back means the next day;
- the early Ubuntu logs (2004–2007) used a 12-hour clock *without* AM/PM: ``[12:59]`` is
  followed by ``[01:00]``. When a file has shown no hour above 12 and its clock drops from
  11 or 12 to 0 or 1, it is read as a 12-hour clock and each drop adds half a day. Which
  half a line really fell in cannot be known from such a file; times stay in order.

Which line does the file's date belong to? Day files hold one day and every rule agrees.
Excerpts such as the IRC disentanglement corpus (1,000 lines of context before the
annotated part, named after the annotated day) reach back over midnight, so the date in
the name is taken as the day of the file's *last* line; the importer finds the first
line's day by running the same clock over the file once (see :mod:`shequn.sources.irc`).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

__all__ = ["DayClock", "date_from_path"]

#: A day in a name, found at every position (a lookahead), so ``5000.2024-03-05`` still finds 2024-03-05.
_NAME_DATE = re.compile(r"(?=(?<!\d)(\d{4})[-_.]?(\d\d)[-_.]?(\d\d)(?!\d))")
#: A drop smaller than this is the clock wobbling (or a DST fall-back), not a new day.
_TOLERANCE = timedelta(minutes=90)
_HALF_DAY = timedelta(hours=12)
_DAY = timedelta(days=1)


def date_from_path(path: Path) -> date | None:
    """The day a log's path names: ``…2004-11-15…`` or ``20041115`` in the file name, else ``…/2016/07/07…``."""
    for found in _NAME_DATE.finditer(path.name):
        day = _valid(*found.groups())
        if day is not None:
            return day
    parts = [*path.parent.parts[-3:], path.stem]
    for i in range(len(parts) - 2):
        if all(p.isdigit() for p in parts[i : i + 3]) and len(parts[i]) == 4:
            day = _valid(*parts[i : i + 3])
            if day is not None:
                return day
    return None


def _valid(year: str, month: str, day: str) -> date | None:
    try:
        found = date(int(year), int(month), int(day))
    except ValueError:
        return None
    return found if 1988 <= found.year <= 2100 else None  # IRC was born in 1988


class DayClock:
    """Turns the times of day of successive lines into datetimes that keep moving forward."""

    __slots__ = ("_last", "_max_hour", "_prev_hour", "_shift", "_start", "twelve_hour")

    def __init__(self, start: date) -> None:
        self._last: datetime | None = None
        self.twelve_hour = False
        self.restart(start)

    def restart(self, day: date) -> None:
        """A day marker (irssi's ``--- Day changed``) says which day the following lines are on."""
        self._start = datetime(day.year, day.month, day.day)
        self._shift = timedelta(0)
        self._max_hour = 0
        self._prev_hour = 0
        if self._last is not None and self._last > self._start:
            self._last = self._start  # the marker is the truth: no rollover against the old day

    def at(self, hour: int, minute: int, second: int) -> datetime:
        """The wall-clock datetime of the next line, shown at ``hour:minute:second``."""
        moment = self._start + self._shift + timedelta(hours=hour, minutes=minute, seconds=second)
        last = self._last
        if last is not None and moment < last - _TOLERANCE:
            if not self.twelve_hour and self._max_hour <= 12 and self._prev_hour in (11, 12) and hour in (0, 1):
                self.twelve_hour = True
            step = _HALF_DAY if self.twelve_hour else _DAY
            while moment < last - _TOLERANCE:
                self._shift += step
                moment += step
        self._max_hour = max(self._max_hour, hour)
        self._prev_hour = hour
        self._last = moment
        return moment

    @property
    def last(self) -> datetime | None:
        return self._last

"""Calendar days in the community's zone, as an expression every engine can run.

Ibis has no portable time-zone conversion (DuckDB, PostgreSQL and Spark each spell it
differently, and some need an extension), so local time is built as ``ts + offset``: the
offset is a constant for a fixed-offset zone, else a ``CASE`` over the zone's UTC-offset
transitions inside the data's time range, worked out here in Python with :mod:`zoneinfo`.
A year of a zone with daylight saving time is two branches, so the expression stays cheap.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import ibis

from shequn.sources._base import zone

__all__ = ["OffsetSteps", "day_value", "local_day", "local_time", "offset_steps"]

#: ``((None, offset0), (t1, offset1), …)``: ``offset_k`` (seconds east of UTC) is in force
#: from the naive-UTC instant ``t_k`` on; the first step is in force before everything.
OffsetSteps = tuple[tuple[datetime | None, int], ...]

_SAMPLE = timedelta(days=1)  # zones change offset at most a few times a year, never twice a day


def _offset(tz: Any, epoch_seconds: int) -> int:
    moment = datetime.fromtimestamp(epoch_seconds, UTC)
    offset = moment.astimezone(tz).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def _epoch(naive_utc: datetime) -> int:
    return int(naive_utc.replace(tzinfo=UTC).timestamp())


def offset_steps(tz_name: str, start: datetime | None, end: datetime | None) -> OffsetSteps:
    """The offsets of ``tz_name`` in force between ``start`` and ``end`` (naive UTC).

    Transitions are found by sampling once a day and bisecting each change down to the
    second, so the result is exact for every real zone. Without a range (an empty log) the
    zone's offset at the epoch stands for all time.
    """
    tz = zone(tz_name)
    if start is None or end is None:
        return ((None, _offset(tz, 0)),)
    first = _epoch(start) - 86_400
    last = _epoch(end) + 86_400
    steps: list[tuple[datetime | None, int]] = [(None, _offset(tz, first))]
    step = int(_SAMPLE.total_seconds())
    here, here_offset = first, steps[0][1]
    while here < last:
        nxt = min(here + step, last)
        nxt_offset = _offset(tz, nxt)
        if nxt_offset != here_offset:
            lo, hi = here, nxt  # offset(lo) is the old one, offset(hi) the new one
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _offset(tz, mid) == here_offset:
                    lo = mid
                else:
                    hi = mid
            steps.append((datetime.fromtimestamp(hi, UTC).replace(tzinfo=None), nxt_offset))
        here, here_offset = nxt, nxt_offset
    return tuple(steps)


def day_value(day: date) -> Any:
    """A calendar day as an expression: a cast of its ISO text, which every engine reads alike
    (Ibis spells date literals with a function that PostgreSQL lacks)."""
    return ibis.literal(day.isoformat()).cast("date")


def local_time(ts: Any, steps: OffsetSteps) -> Any:
    """The wall-clock time of the UTC timestamp expression ``ts`` in the zone of ``steps``."""
    base = ibis.interval(seconds=steps[0][1])
    if len(steps) == 1:
        return ts + base
    branches = [(ts >= ibis.timestamp(start), ibis.interval(seconds=offset)) for start, offset in reversed(steps[1:])]
    return ts + ibis.cases(*branches, else_=base)


def local_day(ts: Any, steps: OffsetSteps) -> Any:
    """The calendar day (in the zone of ``steps``) of the UTC timestamp expression ``ts``."""
    return local_time(ts, steps).date()

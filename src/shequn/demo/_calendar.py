"""The demo's fixed calendar: six months in one zone, with the storyline's special days.

Every date is fixed (never the wall clock), so the demo writes the same files on any day.
The zone is UTC+8 all year (Asia/Shanghai has had no daylight saving since 1991), which lets
the writers turn epoch seconds into local wall-clock strings with integer arithmetic and
lookup tables instead of a ``datetime`` per message.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Final

__all__ = [
    "END_TS",
    "HOUR_WEIGHTS",
    "N_DAYS",
    "OFFSET",
    "QUIET_HOURS",
    "START",
    "START_TS",
    "ZONE",
    "day_dates",
    "day_of",
    "festival_factor",
    "hhmm",
    "hhmmss",
    "iso_local",
    "ritual_days",
    "topic_days",
]

ZONE: Final = "Asia/Shanghai"
OFFSET: Final = 8 * 3600  # seconds east of UTC, the same every day of the period
START: Final = date(2026, 1, 5)  # a Monday
END: Final = date(2026, 6, 30)
N_DAYS: Final = (END - START).days + 1
#: Epoch seconds of local midnight on the first day, and of the end of the last day.
START_TS: Final = int(datetime(START.year, START.month, START.day, tzinfo=UTC).timestamp()) - OFFSET
END_TS: Final = START_TS + N_DAYS * 86_400

#: Relative chat activity per local hour. Hours 1–6 are silent, so a question asked at 03:00
#: in a group without reply links has nobody writing for the next two hours.
HOUR_WEIGHTS: Final = (
    0.6, 0, 0, 0, 0, 0, 0, 0.5, 1.0, 1.4, 1.6, 1.6,
    1.8, 1.3, 1.3, 1.4, 1.4, 1.2, 1.0, 1.3, 1.9, 2.0, 1.7, 1.1,
)  # fmt: skip
QUIET_HOURS: Final = (3, 4)  # [start, end) hours in which unanswered night questions are placed

#: Chinese New Year week 2026 (Feb 15–22): groups go quiet.
_FESTIVAL = (date(2026, 2, 15), date(2026, 2, 22))


def day_dates() -> list[date]:
    """The calendar date of each day index of the period."""
    return [START + timedelta(days=i) for i in range(N_DAYS)]


def day_of(ts: int) -> int:
    """The day index (0 = first day) of epoch seconds ``ts`` in the demo's zone."""
    return (ts - START_TS) // 86_400


def festival_factor(day: date) -> float:
    """Activity multiplier for a day: lower during the Spring Festival holiday."""
    return 0.45 if _FESTIVAL[0] <= day <= _FESTIVAL[1] else 1.0


def topic_days() -> list[int]:
    """Day indexes of the weekly topic evening (every Wednesday)."""
    return [i for i, d in enumerate(day_dates()) if d.weekday() == 2]


def ritual_days() -> list[int]:
    """Day indexes of the monthly ritual: the first Sunday of each month within the period."""
    return [i for i, d in enumerate(day_dates()) if d.weekday() == 6 and d.day <= 7]


@cache
def hhmmss() -> tuple[str, ...]:
    """``HH:MM:SS`` for every second of a day, indexed by second of day."""
    return tuple(f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400))


@cache
def hhmm() -> tuple[str, ...]:
    """``HH:MM`` for every minute of a day, indexed by minute of day."""
    return tuple(f"{m // 60:02d}:{m % 60:02d}" for m in range(1_440))


def iso_local(ts: int) -> str:
    """``YYYY-MM-DDTHH:MM:SS+08:00`` for epoch seconds, for truth.json (not a hot path)."""
    local = datetime.fromtimestamp(ts + OFFSET, tz=UTC).replace(tzinfo=None)
    return local.isoformat() + "+08:00"

"""Local days built as ``ts + offset`` from the zone's transitions."""

from __future__ import annotations

from datetime import date, datetime

import ibis
import pytest

from shequn.errors import ConfigError
from shequn.metrics._localtime import local_day, offset_steps


def test_fixed_offset_zone_is_one_constant() -> None:
    steps = offset_steps("Asia/Shanghai", datetime(2020, 1, 1), datetime(2024, 12, 31))
    assert steps == ((None, 8 * 3600),)


def test_summer_time_transitions_to_the_second() -> None:
    # EU rules: 2024-03-31 01:00 UTC to +2, 2024-10-27 01:00 UTC back to +1
    steps = offset_steps("Europe/Berlin", datetime(2024, 1, 1), datetime(2024, 12, 1))
    assert steps == (
        (None, 3600),
        (datetime(2024, 3, 31, 1, 0), 7200),
        (datetime(2024, 10, 27, 1, 0), 3600),
    )


def test_empty_log_uses_the_zone_offset_at_the_epoch() -> None:
    assert offset_steps("UTC", None, None) == ((None, 0),)


def test_unknown_zone_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown time zone"):
        offset_steps("Mars/Olympus", None, None)


def test_local_day_runs_on_duckdb() -> None:
    times = [datetime(2024, 3, 30, 23, 30), datetime(2024, 3, 31, 21, 30), datetime(2024, 3, 31, 22, 30)]
    table = ibis.memtable({"ts": times}, schema={"ts": "timestamp"})
    steps = offset_steps("Europe/Berlin", times[0], times[-1])
    backend = ibis.duckdb.connect()
    days = backend.to_pyarrow(table.select(day=local_day(table.ts, steps))).column("day").to_pylist()
    # 00:30 (+1) on 03-31; 23:30 (+2) on 03-31; 00:30 (+2) on 04-01
    assert days == [date(2024, 3, 31), date(2024, 3, 31), date(2024, 4, 1)]

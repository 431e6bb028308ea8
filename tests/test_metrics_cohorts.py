"""Retention and newcomers: cohort matrices, activation, time to first message, lurkers."""

from __future__ import annotations

from datetime import date

import pytest

from metrics_fixtures import QUIET, LogBuilder, measure, value
from shequn.metrics.cohorts import cohort_activity, cohort_presence, matrix_rows

__all__ = ["measure"]
pytestmark = QUIET

D = date(2024, 3, 13)  # a Wednesday: cohort weeks start Mon 02-26, 03-04, 03-11


def newcomers() -> LogBuilder:
    """Joiners around three cohort weeks; times at noon unless said.

    ann  joins 02-27 (week 02-26), posts 02-28 and 03-05, stays
    bob  joins 02-29 (week 02-26), posts 03-12, leaves 03-12 20:00
    cat  joins 03-05 (week 03-04), posts 03-06, leaves 03-08
    dan  joins 03-06 (week 03-04), posts 03-11, stays
    eve  no join seen, posts 03-12 (inferred span, week 03-11)
    lou  joins 02-20 (week 02-19, before the three cohorts), never posts
    old  joins 02-01, posts 03-12
    """
    log = LogBuilder()
    log.join("A", "ann", "2024-02-27").messages("A", "ann", "2024-02-28", "2024-03-05")
    log.join("A", "bob", "2024-02-29").messages("A", "bob", "2024-03-12").leave("A", "bob", "2024-03-12 20:00")
    log.join("A", "cat", "2024-03-05").messages("A", "cat", "2024-03-06").leave("A", "cat", "2024-03-08")
    log.join("A", "dan", "2024-03-06").messages("A", "dan", "2024-03-11")
    log.messages("A", "eve", "2024-03-12")
    log.join("A", "lou", "2024-02-20")
    log.join("A", "old", "2024-02-01").messages("A", "old", "2024-03-12")
    return log


@pytest.fixture(scope="module")
def ctx(measure):
    return measure(newcomers(), as_of=D)


def matrix(ctx, fn) -> list[tuple[date, int, list[float | None]]]:
    rows = matrix_rows(ctx.backend.to_pyarrow(fn(ctx, weeks=3)).to_pylist(), weeks=3)
    return [(r["cohort"], r["size"], r["cells"]) for r in rows]


def test_activity_matrix(ctx) -> None:
    # cohort 02-26 = {ann, bob}: k0 (02-26..03-03) ann; k1 (03-04..03-10) ann; k2 (03-11..D) bob
    # cohort 03-04 = {cat, dan}: k0 cat; k1 dan; k2 starts 03-18, after D: empty
    # cohort 03-11 = {eve}: k0 eve; k1, k2 after D: empty
    assert matrix(ctx, cohort_activity) == [
        (date(2024, 2, 26), 2, [0.5, 0.5, 0.5]),
        (date(2024, 3, 4), 2, [0.5, 0.5, None]),
        (date(2024, 3, 11), 1, [1.0, None, None]),
    ]


def test_presence_matrix(ctx) -> None:
    # cohort 02-26: in at end of 03-03: ann bob; of 03-10: ann bob; of D (03-13): ann (bob left 03-12)
    # cohort 03-04: end of 03-10: dan (cat left 03-08); end of D: dan
    # cohort 03-11: end of D: eve
    assert matrix(ctx, cohort_presence) == [
        (date(2024, 2, 26), 2, [1.0, 1.0, 0.5]),
        (date(2024, 3, 4), 2, [0.5, 0.5, None]),
        (date(2024, 3, 11), 1, [1.0, None, None]),
    ]


def test_matrix_through_the_catalog_has_twelve_weeks(ctx) -> None:
    rows = value(ctx, "cohort_activity")
    # twelve cohorts, Mondays from 12 weeks back to D's week; lou's week 02-19 is among them
    assert [r["cohort"] for r in rows][-4:] == [
        date(2024, 2, 19),
        date(2024, 2, 26),
        date(2024, 3, 4),
        date(2024, 3, 11),
    ]
    lou_week = rows[-4]
    # lou never posted: 0 for every week up to D (k0..k3), empty after (k4 starts 03-18)
    assert (lou_week["size"], lou_week["cells"][:5]) == (1, [0.0, 0.0, 0.0, 0.0, None])
    # a week nobody joined is a cohort of size 0 with only empty cells
    assert rows[0]["size"] == 0 and set(rows[0]["cells"]) == {None}


def test_activation_rate(ctx) -> None:
    # period: seen joins on 02-06..03-06 (the 30 days ending D-7): ann bob cat dan lou
    # (eve's join is inferred, old joined 02-01); posted within 7 days: ann (1 day), cat (1 day),
    # dan (5 days); bob took 12 days, lou never posted  ->  3 / 5
    assert value(ctx, "activation_rate") == pytest.approx(3 / 5)


def test_time_to_first_message(ctx) -> None:
    # hours from join to first message: ann 24, bob 288, cat 24, dan 120 (lou never posted)
    # median of 24, 24, 120, 288 = (24 + 120) / 2
    assert value(ctx, "time_to_first_message") == pytest.approx(72.0)


def test_lurker_share(ctx) -> None:
    # members now: ann dan eve lou old; joined before D-7 = 03-06: ann (02-27), lou, old
    # (dan joined on 03-06 itself, eve on 03-12); never posted: lou  ->  1 / 3
    assert value(ctx, "lurker_share") == pytest.approx(1 / 3)


def test_as_of_default_and_earlier_day(measure) -> None:
    default = measure(newcomers())
    assert default.day == date(2024, 3, 12)  # the last messages (bob, eve, old)
    earlier = measure(newcomers(), as_of=date(2024, 3, 5))
    rows = matrix(earlier, cohort_activity)
    # D = 03-05 (Tue): cohorts 02-19 {lou}, 02-26 {ann, bob}, 03-04 {cat (joined 03-05)}
    # ann posted 03-05 (k1 of 02-26); cat posts only on 03-06, after D
    assert rows == [
        (date(2024, 2, 19), 1, [0.0, 0.0, 0.0]),
        (date(2024, 2, 26), 2, [0.5, 0.5, None]),
        (date(2024, 3, 4), 1, [0.0, None, None]),
    ]

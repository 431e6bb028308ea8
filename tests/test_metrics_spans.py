"""Membership spans and the other derived tables, read back row by row."""

from __future__ import annotations

from datetime import date, datetime

from metrics_fixtures import CARRIER, QUIET, LogBuilder, measure
from shequn import ids
from shequn.model import Alias, Event

__all__ = ["measure"]
pytestmark = QUIET


def member(name: str) -> int:
    return ids.identity_id(CARRIER, name)


def spans_of(ctx, name: str) -> list[tuple]:
    """(opened, closed, inferred, close_reason) of one member's spans, oldest first, UTC times."""
    spans = ctx.all_spans
    rows = ctx.backend.to_pyarrow(spans.filter(spans.member_id == member(name))).to_pylist()
    rows.sort(key=lambda r: r["opened_at"])
    return [
        (
            r["opened_at"].strftime("%m-%d %H:%M"),
            r["closed_at"].strftime("%m-%d %H:%M") if r["closed_at"] else None,
            r["join_inferred"],
            r["close_reason"],
        )
        for r in rows
    ]


def test_joins_while_open_and_leaves_while_closed_are_ignored(measure) -> None:
    log = LogBuilder()
    log.join("A", "ann", "2024-03-01 10:00").join("A", "ann", "2024-03-02 10:00")  # second join: already in
    log.leave("A", "ann", "2024-03-03 10:00").leave("A", "ann", "2024-03-04 10:00")  # second leave: already out
    log.join("A", "ann", "2024-03-05 10:00")
    assert spans_of(measure(log), "ann") == [
        ("03-01 10:00", "03-03 10:00", False, "leave"),
        ("03-05 10:00", None, False, None),
    ]


def test_span_inferred_at_first_activity_without_a_join(measure) -> None:
    log = LogBuilder()
    log.leave("A", "bob", "2024-03-01 10:00")  # a leave with no span open: ignored
    log.messages("A", "bob", "2024-03-02 10:00", "2024-03-03 10:00")
    log.join("A", "bob", "2024-03-04 10:00")  # seen only after his first message: he was already in
    log.removal("A", "bob", "2024-03-06 10:00", reason="pruned")
    assert spans_of(measure(log), "bob") == [("03-02 10:00", "03-06 10:00", True, "pruned")]


def test_join_at_the_same_moment_as_the_first_message_is_seen(measure) -> None:
    log = LogBuilder()
    log.join("A", "cat", "2024-03-02 10:00").messages("A", "cat", "2024-03-02 10:00")
    log.removal("A", "cat", "2024-03-03 10:00", reason="")  # no reason given
    ctx = measure(log)
    assert spans_of(ctx, "cat") == [("03-02 10:00", "03-03 10:00", False, "removal")]


def test_spans_are_per_group(measure) -> None:
    log = LogBuilder()
    log.join("A", "dan", "2024-03-01 10:00").messages("B", "dan", "2024-03-02 10:00").leave("A", "dan", "2024-03-03")
    ctx = measure(log)
    assert spans_of(ctx, "dan") == [
        ("03-01 10:00", "03-03 12:00", False, "leave"),
        ("03-02 10:00", None, True, None),
    ]
    presence = ctx.backend.to_pyarrow(ctx.presence).to_pylist()
    # A [03-01, 03-03) and B [03-02, open) overlap: one stretch in the community
    assert [(r["start_day"], r["end_day"]) for r in presence] == [(date(2024, 3, 1), date(9999, 12, 31))]


def test_flagged_members_have_spans_marked_not_human(measure) -> None:
    log = LogBuilder()
    log.flag("A", "robo", "bot", "2024-03-01 00:00").messages("A", "robo", "2024-03-02 10:00")
    ctx = measure(log)
    spans = ctx.backend.to_pyarrow(ctx.all_spans).to_pylist()
    assert [(r["member_id"], r["join_inferred"], r["human"]) for r in spans] == [(member("robo"), True, False)]
    assert ctx.backend.to_pyarrow(ctx.spans.count()).as_py() == 0
    flags = ctx.backend.to_pyarrow(ctx.flags).to_pylist()
    assert [(f["member_id"], f["bot"], f["staff"], f["protected"]) for f in flags] == [
        (member("robo"), True, False, False)
    ]


def test_merged_identities_are_one_member(measure) -> None:
    # the join names "Ann Lee" only; her messages come from account ann7; an alias says they are one
    log = LogBuilder()
    join = Event(
        chat_id="A", key="j1", kind="join", subkind="added", ts_us=log_ts("2024-03-01 10:00"), target_name="Ann Lee"
    )
    log.groups.append("A")
    log.events.append(join)
    log.messages("A", "ann7", "2024-03-02 10:00")
    log.events.append(Alias("A", "Ann Lee", "ann7", log_ts("2024-03-02 10:00")))  # type: ignore[arg-type]
    ctx = measure(log)
    spans = ctx.backend.to_pyarrow(ctx.spans).to_pylist()
    # one member, whose span opened at the seen join (not inferred at the message)
    assert [(r["opened_at"], r["join_inferred"]) for r in spans] == [(datetime(2024, 3, 1, 10, 0), False)]


def test_member_day_counts_per_local_day(measure) -> None:
    log = LogBuilder()
    first = log.message("A", "ann", "2024-03-01 15:00")  # 23:00 in Shanghai, day 03-01
    log.message("A", "ann", "2024-03-01 16:30", reply_to=first)  # 00:30 on 03-02
    log.message("A", "ann", "2024-03-01 17:00")  # 01:00 on 03-02
    log.reaction("A", "bob", "2024-03-01 17:05", on=first)
    ctx = measure(log, timezone="Asia/Shanghai")
    rows = ctx.backend.to_pyarrow(ctx.member_day.order_by(["member_id", "day"])).to_pylist()
    by_member = {(r["member_id"], r["day"]): (r["messages"], r["replies"], r["reactions"], r["counted"]) for r in rows}
    assert by_member == {
        (member("ann"), date(2024, 3, 1)): (1, 0, 0, 1),
        (member("ann"), date(2024, 3, 2)): (2, 1, 0, 2),
        (member("bob"), date(2024, 3, 2)): (0, 0, 1, 0),  # reactions are not counted by default
    }


def test_europe_day_boundaries_follow_summer_time(measure) -> None:
    # Berlin moves from UTC+1 to UTC+2 at 2024-03-31 01:00 UTC
    log = LogBuilder()
    log.messages("A", "ann", "2024-03-30 23:30")  # 00:30 (+1) on 03-31
    log.messages("A", "bob", "2024-03-31 21:30")  # 23:30 (+2) on 03-31
    log.messages("A", "cat", "2024-03-31 22:30")  # 00:30 (+2) on 04-01
    ctx = measure(log, timezone="Europe/Berlin")
    rows = ctx.backend.to_pyarrow(ctx.member_day).to_pylist()
    days = {r["member_id"]: r["day"] for r in rows}
    assert days == {member("ann"): date(2024, 3, 31), member("bob"): date(2024, 3, 31), member("cat"): date(2024, 4, 1)}


def log_ts(when: str) -> int:
    from metrics_fixtures import utc

    return utc(when)

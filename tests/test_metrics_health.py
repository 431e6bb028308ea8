"""Health KPIs on small hand-built logs, every expected number worked out by hand below."""

from __future__ import annotations

from datetime import date

import pytest

from metrics_fixtures import QUIET, LogBuilder, measure, value

__all__ = ["measure"]
pytestmark = QUIET

D = date(2024, 3, 10)


def club() -> LogBuilder:
    """Three groups, eight humans, a bot and a staff member; D = 2024-03-10 (UTC).

    Spans of humans, as [opened, closed) local days:
      ann  A [03-01, open)                        messages 03-02, 03-08, 03-10 ×2
      bob  A [03-02, 03-09 leave)                 message 03-09 (before leaving)
      cat  B [03-05 inferred, open)               messages 03-05, 03-10 (no join seen)
      dan  A [03-03, 03-06 leave), B [03-04, open) no messages
      eve  B [03-08, 03-09 pruned), B [03-10, open) no messages
      fay  A [03-10, 03-10 leave)                 message 03-10 (joined and left that day)
      gil  C [03-01, open)                        no messages
      hal  A [02-20 inferred, 02-25 leave)        message 02-20
    bot (flagged bot) and sue (flagged staff) join A and post on 03-10: never counted.
    """
    log = LogBuilder()
    log.join("A", "ann", "2024-03-01 10:00").messages(
        "A", "ann", "2024-03-02 10:00", "2024-03-08 10:00", "2024-03-10 10:00", "2024-03-10 11:00"
    )
    log.join("A", "bob", "2024-03-02 10:00").messages("A", "bob", "2024-03-09 09:00")
    log.leave("A", "bob", "2024-03-09 18:00")
    log.messages("B", "cat", "2024-03-05 10:00", "2024-03-10 12:00")
    log.join("A", "dan", "2024-03-03 10:00").join("B", "dan", "2024-03-04 10:00").leave("A", "dan", "2024-03-06 10:00")
    log.join("B", "eve", "2024-03-08 10:00").removal("B", "eve", "2024-03-09 10:00", reason="pruned")
    log.join("B", "eve", "2024-03-10 10:00")
    log.join("A", "fay", "2024-03-10 08:00").messages("A", "fay", "2024-03-10 09:00")
    log.leave("A", "fay", "2024-03-10 20:00")
    log.join("C", "gil", "2024-03-01 10:00")
    log.messages("A", "hal", "2024-02-20 10:00").leave("A", "hal", "2024-02-25 10:00")
    log.flag("A", "bot", "bot", "2024-02-01 00:00").join("A", "bot", "2024-03-01 09:00")
    for minute in range(5):
        log.message("A", "bot", f"2024-03-10 12:0{minute}")
    log.flag("A", "sue", "staff", "2024-02-01 00:00").join("A", "sue", "2024-03-01 09:00")
    log.messages("A", "sue", "2024-03-10 13:00")
    return log


@pytest.fixture(scope="module")
def club_ctx(measure):
    return measure(club(), RETENTION_DAYS=7, ACTIVE_DAYS=4, INTERACTION_DAYS=5)


def test_as_of_defaults_to_the_last_day_with_counted_activity(club_ctx) -> None:
    # the last human message is cat's on 03-10 12:00; bot and sue post later that day but do not count
    assert club_ctx.day == D


def test_membership_counts(club_ctx) -> None:
    # first span on or before D: ann bob cat dan eve fay gil hal = 8 (bot and sue are not human)
    assert value(club_ctx, "joined_total") == 8
    # in at the end of 03-10: ann, cat, dan (still in B), eve (rejoined), gil = 5;
    # bob left 03-09, fay left the day she came, hal left in February
    assert value(club_ctx, "members_now") == 5
    assert value(club_ctx, "survival") == pytest.approx(5 / 8)


def test_retention_with_a_seven_day_window(club_ctx) -> None:
    # first span on or before D-7 = 03-03: ann (03-01), bob (03-02), dan (03-03), gil (03-01), hal (02-20)
    # in at the end of join_day + 7: ann 03-08 yes; bob 03-09 no (left that day); dan 03-10 yes (B);
    # gil 03-08 yes; hal 02-27 no  ->  3 / 5
    assert value(club_ctx, "retention_7") == pytest.approx(3 / 5)


def test_active_rate_over_four_days(club_ctx) -> None:
    # members in at the end of   03-07: ann bob cat dan gil = 5        active and in: none      -> 0
    #                            03-08: + eve = 6                     ann                      -> 1/6
    #                            03-09: ann cat dan gil = 4           bob posted but left      -> 0
    #                            03-10: ann cat dan eve gil = 5       ann, cat (fay left)      -> 2/5
    assert value(club_ctx, "active_rate_4") == pytest.approx((0 + 1 / 6 + 0 + 2 / 5) / 4)


def test_active_share_over_four_days(club_ctx) -> None:
    # of the 5 members now, ann and cat posted in 03-07..03-10
    assert value(club_ctx, "active_share_4") == pytest.approx(2 / 5)


def test_today(club_ctx) -> None:
    # humans posting on 03-10: ann, cat, fay (fay left later that day but still counts) = 3
    assert value(club_ctx, "active_today") == 3
    assert value(club_ctx, "participation_today") == pytest.approx(3 / 5)
    # groups with a human span open at the end of 03-10: A (ann), B (cat dan eve), C (gil);
    # with counted activity on 03-10: A and B (the bot's and sue's posts in A would not count)
    assert value(club_ctx, "groups_active_today") == pytest.approx(2 / 3)


def test_interactions_per_day_over_five_days(club_ctx) -> None:
    # human messages in 03-06..03-10: ann 03-08 + 2 on 03-10, bob 03-09, cat 03-10, fay 03-10 = 6;
    # bot's 5 and sue's 1 are left out  ->  6 / 5
    assert value(club_ctx, "interactions_per_day") == pytest.approx(6 / 5)


def test_wau_mau_stickiness(club_ctx) -> None:
    # 03-04..03-10: ann bob cat fay = 4; 30 days (02-10..03-10) add hal (02-20) = 5
    assert value(club_ctx, "wau") == 4
    assert value(club_ctx, "mau") == 5
    # active member-days in the 30 days: hal 1, ann 3 (03-02, 03-08, 03-10), bob 1, cat 2, fay 1 = 8
    # mean DAU = 8 / 30; stickiness = (8 / 30) / 5
    assert value(club_ctx, "stickiness") == pytest.approx(8 / 30 / 5)


def test_new_left_and_net_growth(club_ctx) -> None:
    # first spans in 03-04..03-10: cat 03-05, eve 03-08, fay 03-10 = 3
    assert value(club_ctx, "new_members") == 3
    # stopped being in during 03-04..03-10: bob (03-09), eve (pruned 03-09) = 2; dan left A but stayed
    # in B; fay was never in at the end of a day
    assert value(club_ctx, "left_members") == 2
    # in at the end of 03-03: ann bob dan gil = 4; now 5  ->  +1
    assert value(club_ctx, "net_growth") == 1


def test_membership_flow_per_day(club_ctx) -> None:
    from shequn.metrics.health import membership_flow

    rows = club_ctx.backend.to_pyarrow(membership_flow(club_ctx, period="day", periods=3)).to_pylist()
    # 03-08: new eve, nobody left, in: ann bob cat dan eve gil = 6
    # 03-09: bob and eve left, in: ann cat dan gil = 4
    # 03-10: new fay, eve back (not new), in: ann cat dan eve gil = 5
    assert [(r["period_end"].day, r["new"], r["left"], r["members"]) for r in rows] == [
        (8, 1, 0, 6),
        (9, 0, 2, 4),
        (10, 1, 0, 5),
    ]


def test_default_windows_use_catalog_parameters(measure) -> None:
    ctx = measure(club())
    # 80-day windows hold all of the log: retention_80 has nobody who joined 80 days before D
    assert value(ctx, "retention_80") is None
    # of the 5 members now, ann and cat posted in the 80 days
    assert value(ctx, "active_share_80") == pytest.approx(2 / 5)
    # 30-day interactions: the 6 above plus ann 03-02, cat 03-05, hal 02-20 = 9 messages / 30 days
    assert value(ctx, "interactions_per_day") == pytest.approx(9 / 30)


def test_time_zone_decides_the_day(measure) -> None:
    log = LogBuilder()
    log.messages("A", "ann", "2024-03-09 23:30")  # 07:30 on 03-10 in Shanghai
    log.messages("A", "bob", "2024-03-09 15:00")  # 23:00 on 03-09 in Shanghai
    utc = measure(log)
    shanghai = measure(log, timezone="Asia/Shanghai")
    assert (utc.day, value(utc, "active_today")) == (date(2024, 3, 9), 2)
    assert (shanghai.day, value(shanghai, "active_today")) == (date(2024, 3, 10), 1)
    # ann's inferred span opens on her local day
    assert value(shanghai, "new_members") == 2 and value(shanghai, "members_now") == 2


def test_empty_windows(measure) -> None:
    later = measure(club(), as_of=date(2024, 6, 1))
    # nobody posted in the 30 days before 06-01; the five members are still in
    assert (value(later, "active_today"), value(later, "wau"), value(later, "mau")) == (0, 0, 0)
    assert value(later, "members_now") == 5
    assert value(later, "participation_today") == 0.0
    assert value(later, "stickiness") is None  # mau is 0
    assert value(later, "interactions_per_day") == 0.0
    assert value(later, "active_rate_80") == pytest.approx(0.0)
    before = measure(club(), as_of=date(2024, 1, 1))
    assert (value(before, "joined_total"), value(before, "members_now")) == (0, 0)
    assert value(before, "survival") is None
    assert value(before, "participation_today") is None
    assert value(before, "active_rate_80") is None  # no day had members
    assert value(before, "groups_active_today") is None
    assert value(before, "new_members") == 0 and value(before, "net_growth") == 0


def test_bot_flag_taken_back_counts_again(measure) -> None:
    log = LogBuilder()
    log.flag("A", "robo", "bot", "2024-03-01 00:00").flag("A", "robo", "bot", "2024-03-02 00:00", value=False)
    log.messages("A", "robo", "2024-03-05 10:00").messages("A", "ann", "2024-03-05 11:00")
    # the later flag event (value false) wins: robo is human again, so 2 are active
    assert value(measure(log), "active_today") == 2


def test_staff_and_bots_left_out(measure) -> None:
    log = LogBuilder()
    log.flag("A", "sue", "staff", "2024-03-01 00:00").flag("A", "robo", "bot", "2024-03-01 00:00")
    log.messages("A", "sue", "2024-03-05 10:00").messages("A", "robo", "2024-03-05 10:00")
    log.messages("A", "ann", "2024-03-05 11:00")
    ctx = measure(log)
    assert (value(ctx, "active_today"), value(ctx, "members_now"), value(ctx, "joined_total")) == (1, 1, 1)


def test_reactions_count_only_when_asked(measure) -> None:
    log = LogBuilder()
    post = log.message("A", "ann", "2024-03-05 10:00")
    log.reaction("A", "bob", "2024-03-05 11:00", on=post)
    # off (default): bob has no counted activity, so no span either
    off = measure(log)
    assert (value(off, "active_today"), value(off, "members_now")) == (1, 1)
    # on: bob's reaction is counted activity and opens his inferred span
    on = measure(log, COUNT_REACTIONS=True)
    assert (value(on, "active_today"), value(on, "members_now")) == (2, 2)
    # interactions_per_day counts messages only: 1 message / 30 days either way
    assert value(on, "interactions_per_day") == pytest.approx(1 / 30)


def test_group_filter(measure) -> None:
    ctx = measure(club(), groups=["B"], RETENTION_DAYS=7, ACTIVE_DAYS=4)
    # B only: cat [03-05 inferred, open), dan [03-04, open), eve [03-08, 03-09) and [03-10, open)
    assert value(ctx, "joined_total") == 3
    assert value(ctx, "members_now") == 3
    assert value(ctx, "active_today") == 1  # cat
    # D stays the community's last active day, not B's
    assert ctx.day == D


def test_income_per_currency(measure) -> None:
    log = club()
    log.order("A", "ann", "2024-03-01 10:00", 100, "CNY", "paid")
    log.order("A", "ann", "2024-03-05 10:00", 99.5, "cny", "paid")
    log.order("A", "bob", "2024-03-06 10:00", 100, "CNY", "refunded")
    log.order("A", "bob", "2024-03-06 11:00", 12, "USD", "paid")
    log.order("A", "cat", "2024-03-07 10:00", 50, "USD", "pending")
    log.order("A", "cat", "2024-01-01 10:00", 70, "USD", "paid")  # before the 30 days
    ctx = measure(log)
    # CNY: 100 + 99.5 - 100 = 99.5; USD: 12 (pending moves nothing, January is outside 02-10..03-10)
    assert value(ctx, "income") == {"CNY": 99.5, "USD": 12.0}
    assert value(measure(club()), "income") == {}

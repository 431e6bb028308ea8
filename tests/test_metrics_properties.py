"""Invariants over random small logs, and the span rules checked against a plain-Python reading."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics_fixtures import QUIET, LogBuilder, measure, value
from shequn.metrics import METRICS

__all__ = ["measure"]
pytestmark = QUIET

START = datetime(2024, 3, 1)
MEMBERS = ("ann", "bob", "cat", "dan", "eve")
KINDS = ("join", "join", "leave", "removal", "message", "message", "message")

events = st.lists(
    st.tuples(
        st.sampled_from(KINDS),
        st.sampled_from(MEMBERS),
        st.sampled_from(("A", "B")),
        st.integers(min_value=0, max_value=20),  # day
        st.integers(min_value=0, max_value=23),  # hour
    ),
    min_size=1,
    max_size=30,
)


def when(day: int, hour: int) -> str:
    return (START + timedelta(days=day, hours=hour)).strftime("%Y-%m-%d %H:%M")


def build(items: list[tuple], bot: str | None) -> LogBuilder:
    log = LogBuilder()
    if bot is not None:
        log.flag("A", bot, "bot", "2024-02-01 00:00")
    for kind, who, group, day, hour in items:
        if kind == "join":
            log.join(group, who, when(day, hour))
        elif kind == "leave":
            log.leave(group, who, when(day, hour))
        elif kind == "removal":
            log.removal(group, who, when(day, hour), reason="pruned")
        else:
            log.message(group, who, when(day, hour))
    return log


def reference(items: list[tuple], bot: str | None, day: date) -> dict[str, int]:
    """joined_total, members_now and active_today by the catalog's words, one event at a time."""
    humans = [m for m in MEMBERS if m != bot]
    ordered = [(START + timedelta(days=d, hours=h), seq, kind, who, group) for seq, (kind, who, group, d, h) in
               enumerate(items, start=1)]  # fmt: skip
    spans: dict[str, list[tuple[date, date | None]]] = {m: [] for m in humans}
    for who in humans:
        for group in ("A", "B"):
            mine = sorted((t, s, k) for t, s, k, w, g in ordered if w == who and g == group)
            posts = [t for t, _, k in mine if k == "message"]
            if posts and not any(k == "join" and t <= posts[0] for t, _, k in mine):
                mine = sorted([*mine, (posts[0], -1, "join")])
            opened: datetime | None = None
            for t, _, k in mine:
                if k == "join" and opened is None:
                    opened = t
                elif k in {"leave", "removal"} and opened is not None:
                    spans[who].append((opened.date(), t.date()))
                    opened = None
            if opened is not None:
                spans[who].append((opened.date(), None))
    joined = sum(1 for m in humans if any(o <= day for o, _ in spans[m]))
    now = sum(1 for m in humans if any(o <= day and (c is None or c > day) for o, c in spans[m]))
    active = {w for t, _, k, w, _ in ordered if k == "message" and w in humans and t.date() == day}
    return {"joined_total": joined, "members_now": now, "active_today": len(active)}


SHARES = [m.name() for m in METRICS.values() if m.unit == "share"]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=events, bot=st.sampled_from((None, "eve")), as_of_day=st.integers(min_value=0, max_value=25))
def test_invariants_and_reference(measure, items, bot, as_of_day) -> None:
    day = (START + timedelta(days=as_of_day)).date()
    ctx = measure(build(items, bot), as_of=day)
    got = {name: value(ctx, name) for name in ("joined_total", "members_now", "active_today", "wau", "mau")}
    expected = reference(items, bot, day)
    assert {k: got[k] for k in expected} == expected
    assert got["active_today"] <= got["wau"] <= got["mau"] <= got["joined_total"]
    assert got["members_now"] <= got["joined_total"]
    assert value(ctx, "new_members") <= got["joined_total"]
    for name in SHARES:
        share = value(ctx, name)
        assert share is None or 0.0 <= share <= 1.0, (name, share)
    for name in ("cohort_activity", "cohort_presence"):
        for row in value(ctx, name):
            for k, cell in enumerate(row["cells"]):
                starts_after = row["cohort"] + timedelta(weeks=k) > day
                assert (cell is None) == (starts_after or row["size"] == 0), (name, row, k)
                assert cell is None or 0.0 <= cell <= 1.0

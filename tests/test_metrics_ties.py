"""Ties on a small hand-built log: interactions, decayed weights, strong vs weak, the network."""

from __future__ import annotations

from datetime import date

import pytest

from metrics_fixtures import CARRIER, QUIET, LogBuilder, measure
from shequn import ids
from shequn.metrics.ties import ENTRIES, network, network_summary, strong_tie_share, strong_ties_per_member, ties
from shequn.model import Event

__all__ = ["measure"]
pytestmark = QUIET

D = date(2024, 6, 30)
NAMES = ("ann", "bob", "cat", "dan", "eve", "fay", "gus", "bot", "sue")


def member(name: str) -> int:
    return ids.identity_id(CARRIER, name)


WHO = {member(name): name for name in NAMES}


def mention(log: LogBuilder, group: str, who: str, when: str, *others: str, reply_to: Event | None = None) -> Event:
    event = log.message(group, who, when, reply_to=reply_to)
    event.mention_ids = list(others)
    return event


def town() -> LogBuilder:
    """D = 2024-06-30, the tie window (D-90, D] = 04-02 … 06-30; HALF_LIFE 30, STRONG_TIE_DAYS 3.

    ann–bob  strong: ann replies to bob on 06-10, 06-11, 06-12; bob to ann on 06-13, 06-14, 06-15
    ann–eve  weak:   ann mentions eve on 06-01, 06-02, 06-03; eve mentions ann on 06-04, 06-05 (2 days)
    bob–eve  weak:   bob mentions eve on 04-01 (outside), 04-02, 04-03; eve mentions bob 06-06, 06-07, 06-08
    ann–fay  weak:   ann's 06-01 message mentions fay too
    cat–dan  weak, in group B: cat mentions dan on 06-30 (age 0), dan replies to cat and mentions her
             on 05-31 (age 30; one interaction), cat mentions dan on 05-01 (age 60) and 03-02 (age 120,
             outside the window but weighed), and on 07-01 (after D: ignored)
    no ties: fay replies to and mentions herself, replies to bot, mentions staff sue; bot mentions fay;
             gus posts alone; a reply to a message that is not in the log.
    """
    log = LogBuilder()
    log.flag("A", "bot", "bot", "2024-01-01").flag("A", "sue", "staff", "2024-01-01")
    a0 = log.message("A", "ann", "2024-06-01 08:00")
    b0 = log.message("A", "bob", "2024-06-01 09:00")
    for day in (10, 11, 12):
        log.message("A", "ann", f"2024-06-{day} 10:00", reply_to=b0)
    for day in (13, 14, 15):
        log.message("A", "bob", f"2024-06-{day} 10:00", reply_to=a0)
    mention(log, "A", "ann", "2024-06-01 11:00", "eve", "fay")
    mention(log, "A", "ann", "2024-06-02 11:00", "eve")
    mention(log, "A", "ann", "2024-06-03 11:00", "eve")
    mention(log, "A", "eve", "2024-06-04 11:00", "ann")
    mention(log, "A", "eve", "2024-06-05 11:00", "ann")
    for day in ("04-01", "04-02", "04-03"):
        mention(log, "A", "bob", f"2024-{day} 11:00", "eve")
    for day in ("06-06", "06-07", "06-08"):
        mention(log, "A", "eve", f"2024-{day} 11:00", "bob")
    c0 = mention(log, "B", "cat", "2024-03-02 12:00", "dan")
    mention(log, "B", "cat", "2024-05-01 12:00", "dan")
    mention(log, "B", "dan", "2024-05-31 12:00", "cat", reply_to=c0)
    mention(log, "B", "cat", "2024-06-30 12:00", "dan")
    mention(log, "B", "cat", "2024-07-01 12:00", "dan")
    f0 = log.message("A", "fay", "2024-06-20 12:00")
    mention(log, "A", "fay", "2024-06-20 13:00", "fay", reply_to=f0)
    bot_post = mention(log, "A", "bot", "2024-06-20 14:00", "fay")
    log.message("A", "fay", "2024-06-20 15:00", reply_to=bot_post)
    mention(log, "A", "fay", "2024-06-20 16:00", "sue")
    ghost = Event(chat_id="A", key="not-in-the-log", kind="message", ts_us=0)
    log.message("A", "gus", "2024-06-20 12:00", reply_to=ghost)
    return log


@pytest.fixture(scope="module")
def town_ctx(measure):
    return measure(town(), as_of=D)


def pairs(ctx) -> dict[frozenset, dict]:
    rows = ctx.backend.to_pyarrow(ties(ctx)).to_pylist()
    return {frozenset((WHO[r["a"]], WHO[r["b"]])): r for r in rows}


def directed(row: dict, source: str) -> tuple[int, int]:
    """(days from ``source`` to the other, days back) of a pair's row."""
    forward = (row["days_ab"], row["days_ba"])
    return forward if WHO[row["a"]] == source else forward[::-1]


def test_the_pairs_and_which_are_strong(town_ctx) -> None:
    found = pairs(town_ctx)
    assert {tuple(sorted(p)): r["strong"] for p, r in found.items()} == {
        ("ann", "bob"): True,  # 3 days each way
        ("ann", "eve"): False,  # 3 days one way, 2 back
        ("bob", "eve"): False,  # bob's 04-01 is outside (D-90, D]: 2 days one way
        ("ann", "fay"): False,
        ("cat", "dan"): False,
    }
    assert directed(found[frozenset(("ann", "bob"))], "ann") == (3, 3)
    assert directed(found[frozenset(("ann", "eve"))], "ann") == (3, 2)
    assert directed(found[frozenset(("bob", "eve"))], "bob") == (2, 3)


def test_tie_weight_decays_with_age_over_both_directions(town_ctx) -> None:
    cat_dan = pairs(town_ctx)[frozenset(("cat", "dan"))]
    # ages 0, 30, 60, 120 days, half-life 30: 1 + 0.5 + 0.25 + 0.0625 (07-01 is after D)
    assert cat_dan["weight"] == pytest.approx(1.8125)
    # dan's reply that also mentions cat is one interaction, not two
    assert cat_dan["interactions"] == 4
    assert directed(cat_dan, "cat") == (2, 1)  # 06-30 and 05-01 in the window; dan 05-31
    assert cat_dan["last_day"] == D
    ann_bob = pairs(town_ctx)[frozenset(("ann", "bob"))]
    # ages 20, 19, 18 (ann) and 17, 16, 15 (bob)
    assert ann_bob["weight"] == pytest.approx(sum(0.5 ** (age / 30) for age in (20, 19, 18, 17, 16, 15)))


def test_strong_tie_days_setting(measure) -> None:
    ctx = measure(town(), as_of=D, STRONG_TIE_DAYS=2)
    found = pairs(ctx)
    assert found[frozenset(("ann", "eve"))]["strong"]  # 3 and 2 days now suffice
    assert found[frozenset(("bob", "eve"))]["strong"]  # 2 and 3
    assert not found[frozenset(("cat", "dan"))]["strong"]  # 2 and 1


def test_strong_ties_per_member_and_share(town_ctx) -> None:
    rows = town_ctx.backend.to_pyarrow(strong_ties_per_member(town_ctx)).to_pylist()
    # only members with a strong tie have a row: ann-bob is the one strong pair
    counts = {WHO[r["member_id"]]: r["strong_ties"] for r in rows}
    assert counts == {"ann": 1, "bob": 1}
    # active in the window: ann bob cat dan eve fay gus (bot and sue are not counted); strong: ann, bob
    assert town_ctx.backend.to_pyarrow(strong_tie_share(town_ctx)).as_py() == pytest.approx(2 / 7)


def test_network_summary(town_ctx) -> None:
    summary = network(town_ctx)
    # nodes: the 7 active members; edges: ann-bob, ann-eve, bob-eve, ann-fay, cat-dan
    assert (summary["members"], summary["ties"], summary["strong_ties"]) == (7, 5, 1)
    assert summary["density"] == pytest.approx(5 / 21)  # 5 of 7·6/2 pairs
    # clustering: ann 1/3 (of bob-eve-fay only bob-eve tied), bob 1, eve 1, the rest 0; mean over 7
    assert summary["mean_clustering"] == pytest.approx((1 / 3 + 1 + 1) / 7)
    cores = {WHO[m]: k for m, k in summary["core_numbers"].items()}
    assert cores == {"ann": 2, "bob": 2, "eve": 2, "fay": 1, "cat": 1, "dan": 1, "gus": 0}


def test_network_of_nobody() -> None:
    assert network_summary([]) == {
        "members": 0,
        "ties": 0,
        "strong_ties": 0,
        "density": None,
        "mean_clustering": None,
        "core_numbers": {},
    }


def test_group_filter_keeps_the_groups_interactions(measure) -> None:
    ctx = measure(town(), as_of=D, groups=["A"])
    assert frozenset(("cat", "dan")) not in pairs(ctx)
    assert len(pairs(ctx)) == 4


def test_catalog_entries(town_ctx) -> None:
    from shequn.metrics import evaluate

    by_key = {entry.key: entry for entry in ENTRIES}
    assert set(by_key) == {"strong_tie_share", "ties", "network"}
    assert evaluate(town_ctx, by_key["strong_tie_share"]) == pytest.approx(2 / 7)
    assert len(evaluate(town_ctx, by_key["ties"])) == 5
    assert evaluate(town_ctx, by_key["network"])["ties"] == 5
    for entry in ENTRIES:
        assert f"``{entry.key}``" in (entry.function.__doc__ or ""), entry.key

"""Members on small hand-built logs: score, levels with their facts, concentration, slipping,
and the ``members`` / ``member`` commands. Every expected number is worked out in the comments."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import ibis
import pyarrow as pa
import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from metrics_fixtures import CARRIER, QUIET, LogBuilder, measure, value
from shequn import ids
from shequn.cli_members import register
from shequn.metrics import evaluate
from shequn.metrics.levels import LEVELS, level_facts, member_levels
from shequn.metrics.members import (
    ENTRIES,
    absence_factor,
    activity_score,
    member_list,
    slipping,
    top10_share,
)
from shequn.model import Event
from shequn.store import Store

__all__ = ["measure"]
pytestmark = QUIET

D = date(2024, 6, 30)


def member(name: str) -> int:
    return ids.identity_id(CARRIER, name)


def named(rows: list[dict], column: str = "member_id") -> dict[str, dict]:
    by_id = {member(n): n for n in NAMES}
    return {by_id[r[column]]: r for r in rows}


def rows_of(ctx, expr) -> list[dict]:
    return ctx.backend.to_pyarrow(expr).to_pylist()


def level_rows(rows: list[dict]) -> list[dict]:
    """member_levels' rows as the catalog shows them, one dict at a time: the reference the
    catalog's column-by-column build is checked against."""
    order = {name: i for i, name in enumerate(LEVELS)}
    out = [{"member_id": r["member_id"], "level": r["level"], "facts": level_facts(r)} for r in rows]
    return sorted(out, key=lambda r: (order[r["level"]], r["member_id"]))


def scalar(ctx, expr):
    return ctx.backend.to_pyarrow(expr).as_py()


def checkin(log: LogBuilder, group: str, who: str, when: str, *, by: str | None = None) -> Event:
    """A check-in: by the member (actor), or recorded by someone else for them (target)."""
    if by is None:
        return log._add(group, "checkin", when, actor_id=who)
    return log._add(group, "checkin", when, actor_id=by, target_id=who)


# -- activity score --------------------------------------------------------------------------


def scoring() -> tuple[LogBuilder, list[str]]:
    """D = 2024-06-30, HALF_LIFE 30; ages in days to D. Returns the log and the answer keys.

    sam: message 06-30 (age 0), message 05-31 (age 30), reply to ann's 05-01 message on 05-01
         (age 60), reply to his own message on 06-30, an answer on 06-20 (age 10), a check-in
         on 05-31 (age 30), a message on 07-01 (after D) and a reaction on 06-30.
    ann: message 05-01 (age 60), a check-in on 06-30 recorded by an admin for her.
    rey: replies on 06-30 to the bot's message and to a message not in the log.
    bot (flagged bot) and sue (flagged staff) post on 06-30.
    """
    log = LogBuilder()
    log.flag("A", "bot", "bot", "2024-01-01").flag("A", "sue", "staff", "2024-01-01")
    ann_post = log.message("A", "ann", "2024-05-01 08:00")
    own = log.message("A", "sam", "2024-06-30 08:00")
    log.message("A", "sam", "2024-05-31 08:00")
    log.message("A", "sam", "2024-05-01 09:00", reply_to=ann_post)
    log.message("A", "sam", "2024-06-30 09:00", reply_to=own)
    answer = log.message("A", "sam", "2024-06-20 09:00", reply_to=ann_post)
    checkin(log, "A", "sam", "2024-05-31 10:00")
    log.message("A", "sam", "2024-07-01 09:00")
    log.reaction("A", "sam", "2024-06-30 10:00", on=ann_post)
    checkin(log, "A", "ann", "2024-06-30 10:00", by="admin")
    bot_post = log.message("A", "bot", "2024-06-30 07:00")
    log.message("A", "rey", "2024-06-30 09:00", reply_to=bot_post)
    log.message("A", "rey", "2024-06-30 10:00", reply_to=Event(chat_id="A", key="gone", kind="message", ts_us=0))
    log.messages("A", "sue", "2024-06-30 11:00")
    return log, [answer.key]


def answers_table(keys: list[str]):
    return ibis.memtable(pa.table({"event_id": [ids.event_id(CARRIER, "A", key) for key in keys]}))


def test_score_weights_and_decay(measure) -> None:
    log, answer_keys = scoring()
    ctx = measure(log, as_of=D, COUNT_REACTIONS=True)  # reactions have no weight even when counted
    scores = named(rows_of(ctx, activity_score(ctx, answers_table(answer_keys))))
    assert set(scores) == {"sam", "ann", "rey"}  # no bot, no staff
    sam = scores["sam"]
    # messages: 06-30 → 1·1, 05-31 → 1·0.5, own-reply 06-30 → 1·1
    # reply to ann 05-01 → 2·0.25; answer 06-20 → 3·0.5^(10/30); check-in 05-31 → 5·0.5
    assert sam["score"] == pytest.approx(1 + 0.5 + 1 + 0.5 + 3 * 0.5 ** (1 / 3) + 2.5)
    assert (sam["messages"], sam["replies"], sam["answers"], sam["checkins"]) == (3, 1, 1, 1)
    assert sam["last_day"] == D
    # ann: message 05-01 → 0.25; the admin's check-in for her on 06-30 → 5
    assert scores["ann"]["score"] == pytest.approx(5.25)
    # rey: a reply to the bot's message is a reply (another member wrote it) → 2; to a missing message → 1
    assert scores["rey"]["score"] == pytest.approx(3.0)
    assert (scores["rey"]["messages"], scores["rey"]["replies"]) == (1, 1)


def test_score_without_answers_and_with_other_settings(measure) -> None:
    log, _ = scoring()
    ctx = measure(log, as_of=D, HALF_LIFE=10, WEIGHT_REPLY=4.0)
    scores = named(rows_of(ctx, activity_score(ctx)))
    # sam: the answer is now a reply (to ann): 4·0.5^(10/10) = 2; reply 05-01 (age 60) → 4·0.5^6
    # messages 1 + 0.5^3 + 1; check-in 5·0.5^3
    assert scores["sam"]["score"] == pytest.approx(1 + 0.125 + 1 + 2 + 4 / 64 + 5 * 0.125)
    assert scores["rey"]["score"] == pytest.approx(4 + 1)


# -- levels ----------------------------------------------------------------------------------


def levels_log() -> LogBuilder:
    """D = 2024-06-30. Windows: (D-30, D] from 06-01, (D-60, D] from 05-02, newcomer from 06-17.

    Everyone joins A on 2024-01-01 unless said otherwise.
    cora  8 active days 06-01…06-08 with a strong tie to tim                     -> core
    tim   7 active days (06-01, 06-05…06-07, 06-23…06-25), strong ties to cora and cody -> active
    cody  8 active days but 05-31 is outside: 7 in the window, strong tie to tim   -> active
    ivy   8 active days 06-10…06-17, no tie                                        -> active
    pat   2 active days 06-29, 06-30                                               -> active
    una   1 active day 06-30                                                       -> casual
    cas   last message 05-02 (59 days before D)                                    -> casual
    dor   last message 05-01 (60 days before D)                                    -> dormant
    lurk  never posted                                                             -> dormant
    olga  joined 06-16 (14 days before D), never posted                            -> dormant
    nina  joined 06-17 (13 days before D), never posted                            -> newcomer
    nick  joined 06-20, posts every day since, strong-tie-free                     -> newcomer
    gone  posts 06-10, 06-11, leaves 06-12                                         -> no level
    bot, sue (bot, staff) post every day                                           -> no level
    """
    log = LogBuilder()
    log.flag("A", "bot", "bot", "2024-01-01 00:00").flag("A", "sue", "staff", "2024-01-01 00:00")
    for name in ("cora", "tim", "cody", "ivy", "pat", "una", "cas", "dor", "lurk", "gone", "bot", "sue"):
        log.join("A", name, "2024-01-01 08:00")
    log.join("A", "olga", "2024-06-16 08:00").join("A", "nina", "2024-06-17 08:00").join(
        "A", "nick", "2024-06-20 08:00"
    )
    t0 = log.message("A", "tim", "2024-06-01 09:00")
    log.messages("A", "cora", "2024-06-01 10:00", "2024-06-08 10:00")
    c_posts = [log.message("A", "cora", f"2024-06-0{day} 10:00", reply_to=t0) for day in (2, 3, 4)]
    for day in (5, 6, 7):
        log.message("A", "cora", f"2024-06-0{day} 09:00")
        log.message("A", "tim", f"2024-06-0{day} 10:00", reply_to=c_posts[0])
    y0 = log.message("A", "cody", "2024-06-20 10:00", reply_to=t0)
    for day in (21, 22):
        log.message("A", "cody", f"2024-06-{day} 10:00", reply_to=t0)
    for day in (23, 24, 25):
        log.message("A", "tim", f"2024-06-{day} 10:00", reply_to=y0)
    log.messages("A", "cody", "2024-05-31 10:00", "2024-06-26 10:00", "2024-06-27 10:00", "2024-06-28 10:00")
    log.messages("A", "cody", "2024-06-29 10:00")
    log.messages("A", "ivy", *(f"2024-06-{day} 10:00" for day in range(10, 18)))
    log.messages("A", "pat", "2024-06-29 10:00", "2024-06-30 10:00")
    log.messages("A", "una", "2024-06-30 10:00")
    log.messages("A", "cas", "2024-05-02 10:00")
    log.messages("A", "dor", "2024-05-01 10:00")
    log.messages("A", "nick", *(f"2024-06-{day} 10:00" for day in range(20, 31)))
    log.messages("A", "gone", "2024-06-10 10:00", "2024-06-11 10:00").leave("A", "gone", "2024-06-12 10:00")
    for day in range(1, 31):
        log.messages("A", "bot", f"2024-06-{day:02d} 11:00")
        log.messages("A", "sue", f"2024-06-{day:02d} 11:00")
    return log


NAMES = (
    *("cora", "tim", "cody", "ivy", "pat", "una", "cas", "dor", "lurk", "olga", "nina", "nick", "gone"),
    *("bot", "sue", "sam", "ann", "rey", "top", "two", "slip", "edge", "over", "late", "new"),
    *(f"p{i}" for i in range(12)),
)


@pytest.fixture(scope="module")
def levels_ctx(measure):
    return measure(levels_log(), as_of=D)


def test_each_level_and_its_facts(levels_ctx) -> None:
    found = named(level_rows(rows_of(levels_ctx, member_levels(levels_ctx))))
    assert {name: row["level"] for name, row in found.items()} == {
        "nina": "newcomer",
        "nick": "newcomer",  # newcomer wins over active: first match
        "cora": "core",
        "tim": "active",  # strong ties but 7 < CORE_DAYS active days
        "cody": "active",  # 05-31 is outside (D-30, D]
        "ivy": "active",  # 8 days, no strong tie
        "pat": "active",
        "una": "casual",
        "cas": "casual",
        "dor": "dormant",
        "lurk": "dormant",
        "olga": "dormant",
    }
    facts = {name: row["facts"] for name, row in found.items()}
    assert facts["cora"] == {"active_days_30": 8, "strong_ties": 1}
    assert facts["tim"] == {"active_days_30": 7, "strong_ties": 2}
    assert facts["cody"] == {"active_days_30": 7, "strong_ties": 1}
    assert facts["ivy"] == {"active_days_30": 8, "strong_ties": 0}
    assert facts["pat"] == {"active_days_30": 2, "strong_ties": 0}
    assert facts["una"] == {"active_days_30": 1, "last_active": "2024-06-30", "days_since_active": 0}
    assert facts["cas"] == {"active_days_30": 0, "last_active": "2024-05-02", "days_since_active": 59}
    assert facts["dor"] == {"last_active": "2024-05-01", "days_since_active": 60}
    assert facts["lurk"] == {"last_active": None, "days_since_active": None}
    assert facts["nina"] == {"first_day": "2024-06-17", "days_since_join": 13}
    assert facts["nick"] == {"first_day": "2024-06-20", "days_since_join": 10}


def test_catalog_levels_match_the_row_by_row_facts(levels_ctx) -> None:
    # the catalog builds the front page's levels column by column from the engine's ordered
    # table; it must give exactly what level_rows makes of member_levels' rows, in the same order
    expected = level_rows(rows_of(levels_ctx, member_levels(levels_ctx)))
    got = evaluate(levels_ctx, ENTRIES[1])
    assert ENTRIES[1].key == "member_levels"
    assert got == expected
    assert [r["level"] for r in got][:2] == ["newcomer", "newcomer"]


def test_levels_partition_members_now(levels_ctx) -> None:
    rows = rows_of(levels_ctx, member_levels(levels_ctx))
    assert len(rows) == len({r["member_id"] for r in rows}) == value(levels_ctx, "members_now") == 12


def test_level_thresholds_are_settings(measure) -> None:
    # CORE_DAYS 7: tim and cody become core; NEWCOMER_DAYS 15: olga (14 days) is a newcomer;
    # PRUNE_DAYS 61: dor's 05-01 (60 days) is inside (D-61, D], so casual
    ctx = measure(levels_log(), as_of=D, CORE_DAYS=7, NEWCOMER_DAYS=15, PRUNE_DAYS=61)
    found = {name: row["level"] for name, row in named(rows_of(ctx, member_levels(ctx))).items()}
    assert (found["tim"], found["cody"], found["olga"], found["dor"]) == ("core", "core", "newcomer", "casual")


def test_member_list_has_names_and_scores(levels_ctx) -> None:
    rows = named(rows_of(levels_ctx, member_list(levels_ctx)))
    # pat: messages on 06-29 (age 1) and 06-30 (age 0): 0.5^(1/30) + 1
    assert rows["pat"]["score"] == pytest.approx(0.5 ** (1 / 30) + 1)
    assert rows["lurk"]["score"] == 0.0
    assert rows["pat"]["name"] == f"{CARRIER}:pat"  # no display name in the log: the account


# -- the partition, on random logs ------------------------------------------------------------

START = datetime(2024, 3, 1)
PEOPLE = ("ann", "bob", "cat", "dan", "eve", "fay")
steps = st.lists(
    st.tuples(
        st.sampled_from(("join", "leave", "message", "message", "reply", "reply")),
        st.sampled_from(PEOPLE),
        st.sampled_from(("A", "B")),
        st.integers(min_value=0, max_value=80),  # day
    ),
    min_size=1,
    max_size=40,
)


def random_log(items: list[tuple], staff: str | None) -> LogBuilder:
    log = LogBuilder()
    if staff is not None:
        log.flag("A", staff, "staff", "2024-01-01")
    posted: list[Event] = []
    for i, (kind, who, group, day) in enumerate(items):
        when = (START + timedelta(days=day, minutes=i)).strftime("%Y-%m-%d %H:%M")
        if kind == "join":
            log.join(group, who, when)
        elif kind == "leave":
            log.leave(group, who, when)
        else:
            target = next((e for e in reversed(posted) if e.chat_id == group), None) if kind == "reply" else None
            posted.append(log.message(group, who, when, reply_to=target))
    return log


def expected_level(row: dict, day: date) -> str:
    """The catalog's rules, first match wins, applied to a row's facts."""
    if row["first_day"] > day - timedelta(days=14):
        return "newcomer"
    if row["active_days_30"] >= 8 and row["strong_ties"] > 0:
        return "core"
    if row["active_days_30"] >= 2:
        return "active"
    if row["last_active"] is not None and row["last_active"] > day - timedelta(days=60):
        return "casual"
    return "dormant"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=steps, staff=st.sampled_from((None, "fay")), as_of_day=st.integers(min_value=20, max_value=90))
def test_levels_partition_random_logs(measure, items, staff, as_of_day) -> None:
    day = (START + timedelta(days=as_of_day)).date()
    ctx = measure(random_log(items, staff), as_of=day)
    rows = rows_of(ctx, member_levels(ctx))
    ids_seen = [r["member_id"] for r in rows]
    assert len(ids_seen) == len(set(ids_seen)) == value(ctx, "members_now")
    if staff is not None:
        assert member(staff) not in ids_seen
    for row in rows:
        assert row["level"] in LEVELS
        assert row["level"] == expected_level(row, day), row
        # active days in (D-30, D], counted from the builder's own messages
        mine = {
            (START + timedelta(days=d, minutes=i)).date()
            for i, (kind, who, _, d) in enumerate(items)
            if kind != "join" and kind != "leave" and member(who) == row["member_id"]
        }
        assert row["active_days_30"] == sum(1 for d in mine if day - timedelta(days=30) < d <= day)


# -- concentration ----------------------------------------------------------------------------


def posters() -> LogBuilder:
    """D = 2024-06-30, window (D-30, D] from 06-01. 12 posters: top 50 messages, two 20,
    p0…p9 3 each: 100 in all. top 10 % of 12 posters is 2 (rounded up).
    Outside the count: top's message of 05-31, the bot's 40 messages."""
    log = LogBuilder()
    log.flag("A", "bot", "bot", "2024-01-01")
    log.messages("A", "top", *(f"2024-06-{1 + i % 30:02d} {8 + i // 30:02d}:00" for i in range(50)))
    log.messages("A", "two", *(f"2024-06-{1 + i:02d} 10:00" for i in range(20)))
    for p in range(10):
        log.messages("A", f"p{p}", "2024-06-10 10:00", "2024-06-11 10:00", "2024-06-30 10:00")
    log.messages("A", "top", "2024-05-31 10:00")
    log.messages("A", "bot", *(f"2024-06-{1 + i % 30:02d} 12:{i // 30:02d}" for i in range(40)))
    return log


def test_top10_share_and_absence_factor(measure) -> None:
    ctx = measure(posters(), as_of=D)
    # top two posters: (50 + 20) / 100
    assert scalar(ctx, top10_share(ctx)) == pytest.approx(0.7)
    # top alone wrote 50 of 100: at least half
    assert scalar(ctx, absence_factor(ctx)) == 1
    # one more message by p0 makes 101: 50 is less than half, 50 + 20 is not
    more = posters()
    more.messages("A", "p0", "2024-06-29 10:00")
    ctx = measure(more, as_of=D)
    assert scalar(ctx, absence_factor(ctx)) == 2
    assert scalar(ctx, top10_share(ctx)) == pytest.approx(70 / 101)


def test_concentration_of_a_quiet_window(measure) -> None:
    ctx = measure(posters(), as_of=date(2024, 8, 1))  # nothing in 07-03 … 08-01
    assert scalar(ctx, top10_share(ctx)) is None
    assert scalar(ctx, absence_factor(ctx)) is None


# -- slipping ---------------------------------------------------------------------------------


def slipping_log() -> LogBuilder:
    """D = 2024-06-30; "then" = D-30 = 05-31. Before: (D-120, D-30] = 03-03 … 05-31.

    slip  9 messages before (3 a month), none since: 0 < 3/3                  -> slipping
    edge  9 before, 1 since: 1 is not below 3/3                             -> not slipping
    over  10 before, 1 since: 1 < 10/9                                       -> slipping
    late  10 before but only one day in (D-60, D-30]: casual then             -> not slipping
    new   joined 05-25, 7 messages 05-25 … 05-31, none since: a newcomer then -> not slipping
    gone  9 before, then left on 06-10                                        -> not slipping (not in)
    """
    log = LogBuilder()
    for name in ("slip", "edge", "over", "late", "gone"):
        log.join("A", name, "2024-03-01 08:00")
    log.join("A", "new", "2024-05-25 08:00")
    nine = [f"2024-05-{day} 10:00" for day in range(20, 29)]  # 9 days within (D-60, D-30]
    log.messages("A", "slip", *nine)
    log.messages("A", "edge", *nine).messages("A", "edge", "2024-06-15 10:00")
    log.messages("A", "over", *nine, "2024-04-01 10:00").messages("A", "over", "2024-06-15 10:00")
    log.messages("A", "late", *(f"2024-03-{day} 10:00" for day in range(10, 19)), "2024-05-20 10:00")
    log.messages("A", "new", *(f"2024-05-{day} 11:00" for day in range(25, 32)))
    log.messages("A", "gone", *nine).leave("A", "gone", "2024-06-10 10:00")
    return log


def test_slipping_members(measure) -> None:
    ctx = measure(slipping_log(), as_of=D)
    found = named(rows_of(ctx, slipping(ctx)))
    assert set(found) == {"slip", "over"}
    assert (found["slip"]["recent"], found["slip"]["before"], found["slip"]["level_then"]) == (0, 9, "active")
    assert found["over"]["mean_before"] == pytest.approx(10 / 3)


# -- catalog entries and the commands ---------------------------------------------------------


def test_catalog_entries(levels_ctx) -> None:
    by_key = {entry.key: entry for entry in ENTRIES}
    assert set(by_key) == {
        "activity_score",
        "member_levels",
        "top10_share",
        "absence_factor",
        "slipping",
        "prune_candidates",
    }
    levels = evaluate(levels_ctx, by_key["member_levels"])
    assert [row["level"] for row in levels].count("dormant") == 3
    assert len(evaluate(levels_ctx, by_key["prune_candidates"])) == 3  # dor, lurk, olga
    for entry in ENTRIES:
        assert f"``{entry.key}``" in (entry.function.__doc__ or ""), entry.key


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """A stand-in for the shequn command, with the member commands on it."""

    register(app)
    return app


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("members") / "log.duckdb"
    with Store(path) as store:
        levels_log().write(store, community="club")
    return str(path)


def run(cli: typer.Typer, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_members_json_and_filters(cli, db) -> None:
    code, output = run(cli, "members", "--db", db, "--as-of", "2024-06-30", "--level", "active", "--json")
    assert code == 0, output
    data = json.loads(output)
    assert data["weights"] == {"messages": 1.0, "replies": 2.0, "answers": 3.0, "checkins": 5.0}
    assert data["as_of"] == "2024-06-30" and data["half_life_days"] == 30
    names = [row["name"] for row in data["members"]]
    assert sorted(names) == sorted(f"{CARRIER}:{n}" for n in ("tim", "cody", "ivy", "pat"))
    scores = [row["score"] for row in data["members"]]
    assert scores == sorted(scores, reverse=True)
    code, output = run(cli, "members", "--db", db, "--as-of", "2024-06-30", "--sort", "name", "--limit", "2", "--csv")
    assert code == 0, output
    rows = list(csv.DictReader(io.StringIO(output)))
    assert [r["name"] for r in rows] == [f"{CARRIER}:cas", f"{CARRIER}:cody"]
    assert json.loads(rows[0]["facts"]) == {"active_days_30": 0, "last_active": "2024-05-02", "days_since_active": 59}


def test_members_table_shows_weights_and_reasons(cli, db) -> None:
    code, output = run(cli, "members", "--db", db, "--as-of", "2024-06-30", "--sort", "last_active")
    assert code == 0, output
    assert "score weights: messages 1, replies 2, answers 3, checkins 5; half-life 30 days" in output
    assert "active_days_30=8 strong_ties=1" in output  # cora
    assert str(member("cora")) in output


def test_member_page(cli, db) -> None:
    code, output = run(cli, "member", f"{CARRIER}:cora", "--db", db, "--as-of", "2024-06-30", "--json")
    assert code == 0, output
    page = json.loads(output)
    assert page["member_id"] == member("cora")
    assert page["level"] == {"level": "core", "facts": {"active_days_30": 8, "strong_ties": 1}}
    assert [(t["other"], t["strong"], t["days_out"], t["days_in"]) for t in page["ties"]] == [
        (member("tim"), True, 3, 3)
    ]
    assert page["score"]["counts"] == {"messages": 5, "replies": 3, "answers": 0, "checkins": 0}
    assert [(s["opened_day"], s["closed_day"]) for s in page["spans"]] == [("2024-01-01", None)]
    assert len(page["recent"]) == 8 and page["recent"][0]["ts"].startswith("2024-06-08")
    code, output = run(cli, "member", str(member("gone")), "--db", db, "--as-of", "2024-06-30")
    assert code == 0, output
    assert "level: none" in output and "leave" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["members", "--level", "vip"], "--level 'vip': use one of newcomer, core"),
        (["members", "--sort", "age"], "--sort 'age': use one of score"),
        (["members", "--json", "--csv"], "choose one of --json and --csv"),
        (["member", "telegram:nobody"], "no member 'telegram:nobody'"),
        (["member", "99"], "no member '99'"),
    ],
)
def test_errors_are_one_line(cli, db, args: list[str], message: str) -> None:
    code, output = run(cli, *args, "--db", db)
    assert code == 1
    assert message in output and "Traceback" not in output


def test_missing_log(cli, tmp_path: Path) -> None:
    code, output = run(cli, "members", "--db", str(tmp_path / "none.duckdb"))
    assert code == 1 and "no such log" in output

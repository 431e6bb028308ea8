"""Moderation over a small hand-built log: ad scores, the flagged list, bans, the metrics and
the ``moderate`` commands.

The log (all times UTC, March 2024), three Telegram groups A, B, C:

- ann joins A on the 1st, says ordinary things in A on the 2nd and 3rd, leaves A on the 8th;
- bob joins A, B and C on the 1st, says "hello everyone" in A on the 4th, then on the 5th
  posts the same job ad in A (three times, 10:00-10:02), B (10:05) and C (10:10, other
  numbers), and leaves C on the 6th;
- cat joins B on the 6th at 12:00 and posts her shop link an hour later (quiet period);
- dan is flagged staff and posts the same event announcement with a link in A and B;
- eve joins A on the 1st and leaves it on the 3rd (the group's usual leaving, before ads);
- fay joins B on the 11th and says something ordinary on the 12th: the last counted
  activity, so D (the metrics' day) is 2024-03-12 (dan's later-looking lines are staff's).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import orjson
import pytest
import typer
from typer.testing import CliRunner

from shequn.errors import ConfigError
from shequn.metrics import context_for
from shequn.metrics.values import evaluate
from shequn.model import Chat, Event
from shequn.moderation import (
    AD_SCORES,
    ban_member,
    ensure_ad_scores,
    flagged_messages,
    load_rules,
    metrics,
    parse_rules,
    resolve_member,
)
from shequn.store import ImportMeta, Store

AD = "宝妈兼职，手机操作，日结300元，有意者加vx：abc_12345"
AD_VARIANT = "宝妈兼职，手机操作，日结500元，有意者加vx：abc_12345"
SHOP = "大家好，我的小店 https://myshop.example.xyz 欢迎看看"
NOTICE = "本周读书会报名链接 https://www.huodongxing.com/event/123456 名额有限先到先得"


def utc_us(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1_000_000)


class Log:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def add(self, group: str, kind: str, when: str, who: str, **kw: object) -> Log:
        seq = len(self.events) + 1
        fields = {"actor_id": who, "actor_name": who.capitalize()}
        if kind in {"join", "leave", "removal", "flag"}:
            fields["target_id"] = who
        if kind == "flag":
            fields["actor_id"] = "admin"
            fields["actor_name"] = "Admin"
        fields.update(kw)  # type: ignore[arg-type]
        self.events.append(
            Event(chat_id=group, key=f"{kind}:{who}:{seq}", kind=kind, ts_us=utc_us(when), seq=seq, **fields)  # type: ignore[arg-type]
        )
        return self

    def say(self, group: str, when: str, who: str, text: str, **kw: object) -> Log:
        return self.add(group, "message", when, who, subkind="text", text=text, **kw)

    def write(self, store: Store) -> None:
        com = store.ensure_community("club")
        chats = [Chat(carrier="telegram", native_id=g, name=f"Group {g}") for g in ("A", "B", "C")]
        meta = ImportMeta(path="log.json", size=1, sha256="0", importer="telegram", importer_version="1")
        store.import_records(iter([*chats, *self.events]), community=com, meta=meta)


def build() -> Log:
    log = Log()
    for g in ("A", "B", "C"):
        log.add(g, "join", "2024-03-01 08:00", "bob")
    log.add("A", "join", "2024-03-01 09:00", "ann").add("A", "join", "2024-03-01 09:30", "eve")
    log.add("A", "join", "2024-03-01 09:40", "dan").add("B", "join", "2024-03-01 09:40", "dan")
    log.add("A", "flag", "2024-03-01 09:50", "dan", subkind="staff", attrs={"value": True})
    log.say("A", "2024-03-02 09:00", "ann", "大家好，这周六的读书会改到下午两点")
    log.say("A", "2024-03-03 09:00", "ann", "谢谢群主，辛苦了")
    log.add("A", "leave", "2024-03-03 12:00", "eve")
    log.say("A", "2024-03-04 09:00", "bob", "hello everyone")
    log.say("A", "2024-03-05 10:00", "bob", AD)
    log.say("A", "2024-03-05 10:01", "bob", AD)
    log.say("A", "2024-03-05 10:02", "bob", AD)
    log.say("B", "2024-03-05 10:05", "bob", AD)
    log.say("C", "2024-03-05 10:10", "bob", AD_VARIANT)
    log.say("A", "2024-03-05 11:00", "dan", NOTICE)
    log.say("B", "2024-03-05 11:01", "dan", NOTICE)
    log.add("C", "leave", "2024-03-06 09:00", "bob")
    log.add("B", "join", "2024-03-06 12:00", "cat")
    log.say("B", "2024-03-06 13:00", "cat", SHOP)
    log.add("A", "leave", "2024-03-08 09:00", "ann")
    log.say("B", "2024-03-09 09:00", "dan", "下周见")
    log.add("B", "join", "2024-03-11 09:00", "fay").say("B", "2024-03-12 09:00", "fay", "周末愉快")
    return log


@pytest.fixture
def club(store: Store):
    build().write(store)
    com = store.community("club")
    assert com is not None
    return com


def test_scores_every_message_once_and_flags_the_ads(store: Store, club) -> None:
    rules = load_rules(None, club.settings)
    assert ensure_ad_scores(store, club, rules) is True
    assert ensure_ad_scores(store, club, rules) is False  # current: nothing to rebuild
    total = store.query(f"SELECT count(*) FROM {AD_SCORES}")[0][0]
    messages = store.query("SELECT count(*) FROM events WHERE kind = 'message'")[0][0]
    assert total == messages == 13  # in build(): ann 2, bob 6 (hello and 5 ads), dan 3, cat 1, fay 1
    found = flagged_messages(store, club, 0.5)
    assert [(f.ts.strftime("%d %H:%M"), f.group, f.member) for f in found] == [
        ("05 10:10", "Group C", "Bob"),
        ("05 10:05", "Group B", "Bob"),
        ("05 10:02", "Group A", "Bob"),
        ("05 10:01", "Group A", "Bob"),
        ("05 10:00", "Group A", "Bob"),
    ]
    assert all(f.text in {AD, AD_VARIANT} for f in found)


def test_context_reasons_reach_the_stored_rows(store: Store, club) -> None:
    ensure_ad_scores(store, club, load_rules(None, club.settings))
    rows = {
        (r[0], r[1]): orjson.loads(r[2]) if r[2] else []
        for r in store.query(
            "SELECT strftime(ts, '%d %H:%M'), actor_name, reasons FROM ad_scores ORDER BY ts, event_id"
        )
    }
    codes = {key: {r["code"] for r in reasons} for key, reasons in rows.items()}
    assert "same_text_groups" not in codes[("05 10:00", "Bob")]  # the first post has nothing before it
    assert {"repeated", "same_text_groups"} <= codes[("05 10:05", "Bob")]  # 4th post, 2nd group
    assert "same_text_groups" in codes[("05 10:10", "Bob")]  # near-same text, 3rd group
    assert "new_member_contact" in codes[("06 13:00", "Cat")]  # a link an hour after joining
    assert codes[("05 11:01", "Dan")] == {"allowed_member"}  # staff cross-posts are never ads
    versions = store.query("SELECT DISTINCT model_version FROM ad_scores")
    assert versions == [("ads-v1",)]


def test_scan_since_and_rules_changes_rebuild(store: Store, club) -> None:
    rules = load_rules(None, club.settings)
    ensure_ad_scores(store, club, rules)
    assert flagged_messages(store, club, 0.5, since=date(2024, 3, 6)) == []
    allowed = parse_rules({"ads": {"allowed_members": ["bob"]}})
    assert ensure_ad_scores(store, club, allowed) is True  # the rules that matter changed
    assert flagged_messages(store, club, 0.5) == []


def test_ban_records_one_removal_per_open_group_in_one_batch(store: Store, club) -> None:
    ensure_ad_scores(store, club, load_rules(None, club.settings))
    at = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
    ban = ban_member(store, club, "bob", at=at, note="job ads in three groups")
    assert ban.added == 2  # bob left C on the 6th: only A and B are open
    rows = store.query(
        """SELECT g.native_id, e.subkind, i.native_id, e.ts, e.text, e.attrs FROM events e
           JOIN groups g USING (group_id) JOIN identities i ON i.identity_id = e.target_identity_id
           WHERE e.kind = 'removal' ORDER BY g.native_id"""
    )
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in rows] == [
        ("A", "ads", "bob", datetime(2024, 3, 10, 12, 0), "job ads in three groups"),
        ("B", "ads", "bob", datetime(2024, 3, 10, 12, 0), "job ads in three groups"),
    ]
    batches = {orjson.loads(r[5])["batch"] for r in rows}
    assert len(batches) == 1
    again = ban_member(store, club, "bob", at=datetime(2024, 3, 11, tzinfo=UTC))
    assert (again.added, again.actions) == (0, [])  # no open membership left
    spans = context_for(store, "club").all_spans
    closed = store.ibis.to_pyarrow(spans.filter(spans.close_reason == "ads").select("group_id")).num_rows
    assert closed == 2


def test_ban_dry_run_records_nothing(store: Store, club) -> None:
    ban = ban_member(store, club, "bob", at=datetime(2024, 3, 10, tzinfo=UTC), dry_run=True)
    assert len(ban.actions) == 2 and ban.added == 0
    assert store.query("SELECT count(*) FROM events WHERE kind = 'removal'")[0][0] == 0


def test_members_are_found_by_id_native_id_or_name(store: Store, club) -> None:
    by_native = resolve_member(store, club, "bob")
    by_name = resolve_member(store, club, "Bob")
    by_id = resolve_member(store, club, str(by_native.member_id))
    assert by_native.member_id == by_name.member_id == by_id.member_id
    with pytest.raises(ConfigError, match="no member 'zed'"):
        resolve_member(store, club, "zed")


def test_a_name_shared_by_two_members_is_refused(store: Store) -> None:
    log = Log()
    log.say("A", "2024-03-01 10:00", "u1", "hi", actor_name="Sam").say(
        "B", "2024-03-01 11:00", "u2", "yo", actor_name="Sam"
    )
    log.write(store)
    com = store.community("club")
    with pytest.raises(ConfigError, match="names several members"):
        resolve_member(store, com, "Sam")


# -- metrics ------------------------------------------------------------------------------


def values(store: Store, name: str) -> list[dict]:
    ctx = context_for(store, "club")
    return evaluate(ctx, metrics.METRICS[name])


def test_ad_rate_per_group_and_week(store: Store, club) -> None:
    ensure_ad_scores(store, club, load_rules(None, club.settings))
    names = dict(store.query("SELECT group_id, native_id FROM groups"))
    rows = values(store, "ad_rate")
    # weeks end on D = 03-12: 03-06..03-12 and 02-28..03-05 hold every message; dan is staff,
    # so his messages are not counted messages
    readable = sorted(
        (names[r["group_id"]], r["period_start"].isoformat(), r["messages"], r["flagged"], r["ad_rate"]) for r in rows
    )
    assert readable == [
        ("A", "2024-02-28", 6, 3, 0.5),  # ann 2, bob's hello, bob's 3 ads
        ("B", "2024-02-28", 1, 1, 1.0),  # bob's ad
        ("B", "2024-03-06", 2, 0, 0.0),  # cat's shop link (not flagged), fay
        ("C", "2024-02-28", 1, 1, 1.0),  # bob's ad with other numbers
    ]


def test_repeat_offenders(store: Store, club) -> None:
    ensure_ad_scores(store, club, load_rules(None, club.settings))
    rows = values(store, "repeat_offenders")
    assert [(r["name"], r["groups"], r["flagged"]) for r in rows] == [("Bob", 3, 5)]


def test_leaves_after_ads(store: Store, club) -> None:
    ensure_ad_scores(store, club, load_rules(None, club.settings))
    rows = values(store, "leaves_after_ads")
    names = dict(store.query("SELECT group_id, native_id FROM groups"))
    # Group A has one wave day (the 5th: three flagged ads; B and C have one each, no wave).
    # The 7 days after it (6th-12th) are all up to D; ann left on the 8th, inside them. A's
    # first scored day is the 2nd: 11 days to D, 4 outside the windows, with eve's leave on the 3rd.
    assert [(names[r["group_id"]], r["waves"], r["leaves_after"], r["days_after"]) for r in rows] == [("A", 1, 1, 7)]
    assert rows[0]["rate_after"] == pytest.approx(1 / 7)
    assert rows[0]["usual_rate"] == pytest.approx(1 / 4)
    assert rows[0]["ratio"] == pytest.approx(4 / 7)


def test_metrics_without_scores_see_no_flagged_messages(store: Store, club) -> None:
    assert values(store, "repeat_offenders") == []


# -- commands -----------------------------------------------------------------------------


def _app() -> typer.Typer:
    from shequn.cli_moderate import register

    app = typer.Typer()
    register(app)
    return app


def test_moderate_scan_and_ban_commands(store: Store, club) -> None:
    db = str(Path(store.path))
    store.close()
    runner = CliRunner()
    scan = runner.invoke(_app(), ["moderate", "scan", "--json", "--db", db])
    assert scan.exit_code == 0, scan.output
    listed = orjson.loads(scan.stdout)
    assert [(row["group"], row["member"]) for row in listed][:2] == [("Group C", "Bob"), ("Group B", "Bob")]
    assert len(listed) == 5 and listed[0]["reasons"]
    since = runner.invoke(_app(), ["moderate", "scan", "--since", "2024-03-06", "--json", "--db", db])
    assert orjson.loads(since.stdout) == []
    bad = runner.invoke(_app(), ["moderate", "scan", "--since", "March", "--db", db])
    assert bad.exit_code == 1 and "not a day" in bad.output
    ban = runner.invoke(_app(), ["moderate", "ban", "bob", "--json", "--db", db])
    assert ban.exit_code == 0, ban.output
    assert sorted(orjson.loads(ban.stdout)["groups"]) == ["Group A", "Group B"]
    missing = runner.invoke(_app(), ["moderate", "ban", "nobody", "--db", db])
    assert missing.exit_code == 1 and "no member 'nobody'" in missing.output

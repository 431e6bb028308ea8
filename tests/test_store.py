"""The log's guarantees, independent of any importer: ids, idempotency, atomicity, merges."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from shequn import ids
from shequn.errors import SourceFormatError, StoreError
from shequn.model import Alias, Chat, Event, EventRows, Skip
from shequn.store import ImportMeta, Store

CHAT = Chat(carrier="telegram", native_id="100", name="Readers")
META = ImportMeta(path="x.json", size=1, sha256="0", importer="telegram", importer_version="1")
T0 = 1_700_000_000_000_000


def msg(key: str, actor: str, seconds: int, text: str = "hi", **kw) -> Event:
    return Event(
        chat_id="100",
        key=key,
        kind="message",
        subkind="text",
        ts_us=T0 + seconds * 1_000_000,
        native_id=key,
        actor_id=actor,
        actor_name=actor.upper(),
        text=text,
        pos=f"messages[{key}]",
        **kw,
    )


def run(store: Store, records, community: str = "c") -> object:
    com = store.ensure_community(community)
    return store.import_records(iter(records), community=com, meta=META)


def count(store: Store, sql: str = "SELECT count(*) FROM events") -> int:
    return store.con.execute(sql).fetchall()[0][0]


def test_import_writes_events_groups_and_identities(store: Store) -> None:
    summary = run(store, [CHAT, msg("1", "user1", 0), msg("2", "user2", 60, reply_to_key="1")])
    assert (summary.events_added, summary.duplicates, summary.members_seen, summary.groups_seen) == (2, 0, 2, 1)
    assert count(store, "SELECT count(*) FROM identities") == 2
    reply = store.con.execute("SELECT reply_to_event_id FROM events WHERE native_id = '2'").fetchall()[0][0]
    assert reply == ids.event_id("telegram", "100", "1")
    assert store.con.execute("SELECT name FROM groups").fetchall()[0][0] == "Readers"


def test_second_import_adds_nothing_and_overlap_adds_only_new(store: Store) -> None:
    first = [CHAT, msg("1", "user1", 0), msg("2", "user2", 60)]
    run(store, first)
    again = run(store, first)
    assert (again.events_added, again.duplicates) == (0, 2)
    overlap = run(store, [CHAT, msg("2", "user2", 60), msg("3", "user1", 120)])
    assert (overlap.events_added, overlap.duplicates) == (1, 1)
    assert count(store) == 3


def test_failure_halfway_leaves_log_unchanged(store: Store) -> None:
    run(store, [CHAT, msg("1", "user1", 0)])

    def broken() -> Iterator:
        yield CHAT
        for i in range(2, 120_000):  # more than one batch reaches the stage before the error
            yield msg(str(i), "user1", i)
        raise SourceFormatError("x.json", "messages[120000]", "expected an object")

    with pytest.raises(SourceFormatError, match=r"messages\[120000\]"):
        run(store, broken())
    assert count(store) == 1
    assert count(store, "SELECT count(*) FROM identities") == 1
    status = store.con.execute("SELECT status, error FROM imports ORDER BY import_id DESC LIMIT 1").fetchall()[0]
    assert status[0] == "failed" and "messages[120000]" in status[1]
    assert not store.con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_name LIKE '_stage%'"
    ).fetchall()


def test_event_of_undeclared_chat_is_an_error(store: Store) -> None:
    with pytest.raises(SourceFormatError, match="undeclared chat"):
        run(store, [msg("1", "user1", 0)])
    assert count(store) == 0


def test_group_cannot_change_community(store: Store) -> None:
    run(store, [CHAT, msg("1", "user1", 0)], community="a")
    with pytest.raises(StoreError, match="already belongs to community 'a'"):
        run(store, [CHAT, msg("2", "user1", 5)], community="b")
    assert count(store) == 1


def test_skips_are_counted_by_reason(store: Store) -> None:
    summary = run(store, [CHAT, Skip("unsupported"), Skip("unsupported"), Skip("empty"), msg("1", "u", 0)])
    assert summary.skipped == {"unsupported": 2, "empty": 1}


def test_alias_merges_name_identity_into_account(store: Store) -> None:
    join = Event(
        chat_id="100", key="j1", kind="join", subkind="added", ts_us=T0, target_name="Ann Lee", pos="messages[0]"
    )
    run(store, [CHAT, join, msg("1", "user7", 10), Alias("100", "Ann Lee", "user7", T0 + 10)])
    name_id = ids.identity_id("telegram", None, group_native_id="100", name="ann  lee")
    account = ids.identity_id("telegram", "user7")
    members = dict(store.con.execute("SELECT identity_id, member_id FROM identity_member").fetchall())
    assert members[name_id] == members[account] == min(name_id, account)


def test_unmerge_splits_again(store: Store) -> None:
    alias = Alias("100", "Ann", "user7", T0)
    run(store, [CHAT, msg("1", "user7", 10), alias])
    unmerge = Event(chat_id="100", key="u1", kind="unmerge", ts_us=T0 + 99, actor_name="Ann", target_id="user7")
    run(store, [CHAT, unmerge])
    assert count(store, "SELECT count(DISTINCT member_id) FROM identity_member") == 2


def test_reopen_keeps_schema_version(tmp_path) -> None:
    path = tmp_path / "l.duckdb"
    Store(path).close()
    with Store(path, read_only=True) as s:
        assert s.schema_version() == 1


def test_actions_are_recorded_once_and_merge_identities(store: Store) -> None:
    from shequn.model import Action

    run(store, [CHAT, msg("1", "user1", 0), msg("2", "user2", 5)])
    a, b = ids.identity_id("telegram", "user1"), ids.identity_id("telegram", "user2")
    com = store.community("c")
    merge = Action(
        kind="merge",
        subkind="mapping",
        key=f"merge:{a}:{b}",
        ts_us=T0 + 10,
        identity_id=a,
        target_identity_id=b,
        batch="b1",
    )
    first = store.record_actions([merge], community=com, source="identities import map.csv")
    again = store.record_actions([merge], community=com, source="identities import map.csv")
    assert (first.events_added, again.events_added, again.duplicates) == (1, 0, 1)
    assert count(store, "SELECT count(DISTINCT member_id) FROM identity_member") == 1
    row = store.con.execute("SELECT group_id, source_file, importer, attrs FROM events WHERE kind = 'merge'").fetchall()
    assert row == [(None, "identities import map.csv", "shequn", '{"batch":"b1"}')]


def test_a_key_repeated_within_one_file_is_added_once_first_occurrence_kept(log_store: Store) -> None:
    first, again = msg("1", "user1", 0, text="first"), msg("1", "user1", 0, text="again")
    again.seq = 1
    summary = run(log_store, [CHAT, again, first])  # file order is not seq order
    assert (summary.records_read, summary.events_added, summary.duplicates) == (2, 1, 1)
    assert log_store.query("SELECT text FROM events") == [("first",)]


def test_content_keys_count_repeats_across_out_of_order_timestamps() -> None:
    from shequn.sources._base import ContentKeys

    keys = ContentKeys()
    # WhatsApp writes 12:25 before 12:24 at times; the same "ok" at 12:25 twice stays two events
    first = keys.key("12:25", "Ann", "ok")
    keys.key("12:24", "Bob", "hi")
    second = keys.key("12:25", "Ann", "ok")
    assert first != second and first.endswith(":0") and second.endswith(":1")
    again = ContentKeys()  # a re-export of the same lines gives the same keys
    assert [again.key("12:25", "Ann", "ok"), again.key("12:24", "Bob", "hi"), again.key("12:25", "Ann", "ok")][::2] == [
        first,
        second,
    ]


def rows_of(events: list[Event]) -> EventRows:
    rows = EventRows(events[0].chat_id)
    for ev in events:
        rows.add(ev)
    return rows


LOGGED = "SELECT * EXCLUDE (import_id) FROM events ORDER BY event_id"


def test_events_handed_over_as_rows_make_the_same_log_as_event_records(tmp_path) -> None:
    mention = msg("3", "user1", 120, mention_ids=["user2"], mention_names=["@bob"], attrs={"b": 1, "a": [2]})
    events = [
        msg("1", "user1", 0, tz_assumed="Asia/Shanghai"),
        msg("2", "user2", 60, reply_to_key="1", thread_key="1"),
        mention,
        Event(chat_id="100", key="j", kind="join", ts_us=T0, actor_id="user1", target_name="Ann", pos="m[9]"),
    ]
    with Store(tmp_path / "a.duckdb") as by_event, Store(tmp_path / "b.duckdb") as by_rows:
        one = run(by_event, [CHAT, *events])
        two = run(by_rows, [CHAT, rows_of(events)])
        assert (one.records_read, one.events_added, one.messages_read, one.members_seen) == (4, 4, 3, 2)
        assert (two.records_read, two.events_added, two.messages_read, two.members_seen) == (4, 4, 3, 2)
        assert by_rows.query(LOGGED) == by_event.query(LOGGED)
        assert by_rows.query("SELECT * FROM identities ORDER BY 1") == by_event.query(
            "SELECT * FROM identities ORDER BY 1"
        )
    assert rows_of(events).events() == events


def test_rows_of_an_undeclared_chat_or_an_unknown_kind_are_errors_naming_the_place(store: Store) -> None:
    with pytest.raises(SourceFormatError, match=r"messages\[1\].*undeclared chat"):
        run(store, [rows_of([msg("1", "user1", 0)])])
    odd = Event(chat_id="100", key="x", kind="poke", ts_us=T0, pos="messages[7]")
    with pytest.raises(SourceFormatError, match=r"messages\[7\].*unknown event kind 'poke'"):
        run(store, [CHAT, rows_of([msg("1", "user1", 0), odd])])
    assert count(store) == 0


def test_one_file_with_a_known_chat_and_a_new_chat(log_store: Store) -> None:
    """The known chat's rows skip what the log has; the new chat's rows go straight in, its repeats dropped."""
    other = Chat(carrier="telegram", native_id="200", name="Writers")
    run(log_store, [CHAT, msg("1", "user1", 0), msg("2", "user2", 60)])

    def in_200(key: str, seconds: int, text: str, seq: int) -> Event:
        return Event(chat_id="200", key=key, kind="message", ts_us=T0 + seconds, actor_id="user3", text=text, seq=seq)

    summary = run(
        log_store,
        [CHAT, msg("2", "user2", 60), msg("3", "user1", 120), other, in_200("1", 0, "first", 5),
         in_200("1", 0, "again", 6), in_200("2", 9, "next", 7)],
    )  # fmt: skip
    assert (summary.records_read, summary.events_added, summary.duplicates) == (5, 3, 2)
    assert (summary.messages_read, summary.members_seen, summary.groups_seen) == (5, 3, 2)
    assert log_store.query(
        "SELECT native_id, text FROM events WHERE group_id = ? ORDER BY 1", [ids.group_id("telegram", "200")]
    ) == [
        (None, "first"),
        (None, "next"),
    ]
    again = run(log_store, [CHAT, msg("3", "user1", 120), other, in_200("2", 9, "next", 7)])
    assert (again.events_added, again.duplicates) == (0, 2)
    assert count(log_store) == 5


def test_repeats_across_batches_of_a_new_chat_keep_the_first(store: Store) -> None:
    from shequn.store.log import BATCH

    events = [msg(str(i), "user1", i) for i in range(BATCH + 10)]
    late = msg("5", "user1", 5, text="late")
    late.seq = BATCH + 50
    summary = run(store, [CHAT, *events, late])
    assert (summary.records_read, summary.events_added, summary.duplicates) == (BATCH + 11, BATCH + 10, 1)
    assert store.query("SELECT text FROM events WHERE native_id = '5'") == [("hi",)]


def test_engine_error_halfway_is_reported_and_settings_come_back(store: Store, monkeypatch) -> None:
    from shequn.store._dialect import DuckDBDialect

    settings = "SELECT current_setting('threads'), current_setting('memory_limit')"
    before = store.query(settings)
    calls = []

    def failing(self, table, sql, params=None) -> None:
        calls.append(table.num_rows)
        if len(calls) == 2:
            self.con.execute("SELECT error('disk on fire')")
        batch = table  # noqa: F841 - read by DuckDB through its name
        self.con.execute(sql.format(rows="batch"), params)

    monkeypatch.setattr(DuckDBDialect, "insert_rows", failing)
    with pytest.raises(duckdb.Error, match="disk on fire"):
        run(store, [CHAT, *(msg(str(i), "user1", i) for i in range(50_000))])
    assert count(store) == 0 and count(store, "SELECT count(*) FROM groups") == 0
    assert store.query(settings) == before
    status = store.query("SELECT status, error FROM imports")
    assert status[0][0] == "failed" and "disk on fire" in status[0][1]

"""The log on every engine: the store's guarantees on PostgreSQL, and Ibis giving one answer.

One small log is built by hand (two Telegram chats around a UTC midnight, a reply chain, a
reaction, mentions by id and by name, a name-only member later resolved by an alias) and
copied to DuckDB, PostgreSQL and Spark; each Ibis expression must return the values worked
out by hand below on all three. Fixtures come from ``tests/engines.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from engines import EngineUnderTest, PostgresServer, load_log
from shequn import ids
from shequn.engines import copy_log, engine_of, open_log
from shequn.errors import SourceFormatError, StoreError
from shequn.export import export_tables
from shequn.model import Alias, Chat, Event
from shequn.sources._base import utc_us
from shequn.store import ImportMeta, Store
from shequn.store.postgres import redact

READERS = Chat(carrier="telegram", native_id="100", name="Readers")
WRITERS = Chat(carrier="telegram", native_id="200", name="Writers")
META = ImportMeta(path="hand.json", size=1, sha256="0", importer="telegram", importer_version="1")


def at(text: str) -> int:
    """UTC epoch microseconds of an ISO time written without zone (read as UTC)."""
    return utc_us(datetime.fromisoformat(text).replace(tzinfo=UTC))


def message(chat: Chat, key: str, when: str, actor: str | None, **kw: Any) -> Event:
    return Event(
        chat_id=chat.native_id,
        key=key,
        kind="message",
        subkind="text",
        ts_us=at(when),
        native_id=key,
        actor_id=actor,
        actor_name=actor.upper() if actor else kw.pop("actor_name"),
        text=kw.pop("text", f"text of {key}"),
        pos=f"messages[{key}]",
        **kw,
    )


HAND_LOG = [
    READERS,
    WRITERS,
    # Readers: a message a microsecond before midnight UTC, replies after it.
    message(READERS, "m1", "2023-11-14 23:59:59.999999", "u1", text='first "quoted", with a comma\nand a new line'),
    message(READERS, "m2", "2023-11-15 00:00:00", "u2", reply_to_key="m1", mention_ids=["u1"]),
    Event(
        chat_id="100",
        key="j1",
        kind="join",
        subkind="link",
        ts_us=at("2023-11-15 00:30:00"),
        actor_id="u3",
        target_id="u3",
        pos="messages[j1]",
    ),
    Event(
        chat_id="100",
        key="r1",
        kind="reaction",
        subkind="emoji",
        ts_us=at("2023-11-15 01:00:00"),
        actor_id="u3",
        target_id="u1",
        reply_to_key="m1",
        attrs={"emoji": "👍"},
        pos="messages[m1].reactions[0]",
    ),
    message(READERS, "m3", "2023-11-15 12:00:00", "u1", reply_to_key="m2", mention_ids=["u2", "u3"]),
    # Writers: 20:00 UTC is already the 16th in Asia/Shanghai; Ann Lee is known by name only.
    message(WRITERS, "m4", "2023-11-15 20:00:00", "u3", mention_names=["Ann Lee"]),
    message(WRITERS, "m5", "2023-11-16 00:00:01", None, actor_name="Ann Lee", text=""),
    Alias("200", "Ann Lee", "u1", at("2023-11-16 00:00:02")),
    Event(
        chat_id="200",
        key="l1",
        kind="leave",
        ts_us=at("2023-11-16 09:00:00"),
        actor_id="u2",
        target_id="u2",
        pos="messages[l1]",
    ),
]
HAND_EVENTS = 9  # the eight events above plus the merge event the alias becomes

A = ids.group_id("telegram", "100")
B = ids.group_id("telegram", "200")
U1, U2, U3 = (ids.identity_id("telegram", u) for u in ("u1", "u2", "u3"))
ANN = ids.identity_id("telegram", None, group_native_id="200", name="Ann Lee")
U1_MEMBER = min(U1, ANN)  # the alias merges Ann Lee into u1; a member is its smallest identity


def run(store: Store, records: Any, community: str = "hand") -> Any:
    return store.import_records(iter(records), community=store.ensure_community(community), meta=META)


def count(store: Store, table: str = "events") -> int:
    return store.query(f"SELECT count(*) FROM {table}")[0][0]


@pytest.fixture
def hand_log(tmp_path: Path) -> Iterator[Store]:
    """The hand-built log in a DuckDB file."""
    store = Store(tmp_path / "hand.duckdb")
    run(store, HAND_LOG)
    yield store
    store.close()


# -- the store's guarantees, on DuckDB and on PostgreSQL ------------------------------------


def test_double_import_adds_nothing(log_store: Store) -> None:
    first = run(log_store, HAND_LOG)
    again = run(log_store, HAND_LOG)
    assert (first.events_added, first.duplicates, first.groups_seen, first.messages_read) == (HAND_EVENTS, 0, 2, 5)
    assert (again.events_added, again.duplicates) == (0, HAND_EVENTS)
    assert count(log_store) == HAND_EVENTS
    assert count(log_store, "identities") == 4
    assert log_store.query("SELECT status, events_added FROM imports ORDER BY import_id") == [
        ("done", HAND_EVENTS),
        ("done", 0),
    ]
    assert (first.first_ts, first.last_ts) == (
        datetime(2023, 11, 14, 23, 59, 59, 999999),
        datetime(2023, 11, 16, 0, 0, 1),
    )


def test_failing_import_leaves_nothing(log_store: Store) -> None:
    run(log_store, [READERS, message(READERS, "m1", "2023-11-14 10:00:00", "u1")])

    def broken() -> Iterator[Any]:
        yield READERS
        for i in range(120_000):  # more than one staged batch before the file breaks
            yield message(READERS, f"k{i}", "2023-11-14 11:00:00", f"user{i % 7}")
        raise SourceFormatError("hand.json", "messages[120000]", "expected an object")

    with pytest.raises(SourceFormatError, match=r"messages\[120000\]"):
        run(log_store, broken())
    assert (count(log_store), count(log_store, "identities"), count(log_store, "identity_member")) == (1, 1, 1)
    status, error = log_store.query("SELECT status, error FROM imports ORDER BY import_id DESC LIMIT 1")[0]
    assert status == "failed" and "messages[120000]" in error
    stages = log_store.query("SELECT table_name FROM information_schema.tables WHERE table_name LIKE '\\_stage%'")
    assert stages == []
    assert run(log_store, [READERS, message(READERS, "m2", "2023-11-14 12:00:00", "u2")]).events_added == 1


def test_unmerge_splits_a_member_again(log_store: Store) -> None:
    run(log_store, HAND_LOG)
    assert dict(log_store.query("SELECT identity_id, member_id FROM identity_member WHERE identity_id IN (?, ?)",
                                [U1, ANN])) == {U1: U1_MEMBER, ANN: U1_MEMBER}  # fmt: skip
    unmerge = Event(chat_id="200", key="u1", kind="unmerge", ts_us=at("2023-11-17 00:00:00"),
                    actor_name="Ann Lee", target_id="u1")  # fmt: skip
    run(log_store, [WRITERS, unmerge])
    assert log_store.query("SELECT count(DISTINCT member_id) FROM identity_member")[0][0] == 4


def test_read_only_log_refuses_writes(log_store: Store, tmp_path: Path) -> None:
    run(log_store, HAND_LOG)
    target = log_store.path if log_store.engine == "postgres" else tmp_path / "log.duckdb"
    if log_store.engine == "duckdb":
        log_store.close()  # DuckDB lets one process open a file either read-write or read-only
    with Store(target, read_only=True) as reader:
        assert reader.schema_version() == 1
        assert reader.community("hand") is not None
        with pytest.raises(reader.dialect.errors):
            reader.dialect.execute("DELETE FROM events")
        assert count(reader) == HAND_EVENTS


@pytest.mark.postgres
def test_postgres_rows_equal_duckdb_rows(hand_log: Store, pg_server: PostgresServer) -> None:
    """Every column of every row, text with quotes and new lines, empty strings, lists, times."""
    with Store(pg_server.create_database()) as pg:
        run(pg, HAND_LOG)
        for table, order in [("events", "event_id"), ("identities", "identity_id"), ("groups", "group_id"),
                             ("identity_member", "identity_id")]:  # fmt: skip
            sql = f"SELECT * FROM {table} ORDER BY {order}"
            assert pg.query(sql) == hand_log.query(sql), table
        assert pg.query("SELECT text FROM events WHERE native_id = 'm5'") == [("",)]  # empty, not NULL
        assert pg.query("SELECT mentions FROM events WHERE native_id = 'm3'") == [([U2, U3],)]


@pytest.mark.postgres
def test_postgres_copy_and_parameters_keep_odd_values(pg_server: PostgresServer) -> None:
    """A NULL inside a list survives COPY; a ``%`` in a literal next to parameters is no placeholder."""
    odd = pa.table(
        {
            "mentions": pa.array([[9], [1, None, 3], None, []], pa.list_(pa.int64())),
            "text": pa.array(["sliced off", "100% sure", None, ""], pa.string()),
        }
    ).slice(1)  # batches read from a log are often slices of a larger buffer
    with Store(pg_server.create_database()) as pg, pg.dialect.registered("_odd", odd):
        assert pg.query("SELECT mentions, text FROM _odd") == [([1, None, 3], "100% sure"), (None, None), ([], "")]
        assert pg.query("SELECT count(*) FROM _odd WHERE text LIKE '%\\%%' ESCAPE '\\' AND text <> ?", ["x"]) == [(1,)]


@pytest.mark.postgres
def test_postgres_recovery_waits_for_a_running_import(pg_server: PostgresServer) -> None:
    """Opening the log marks a 'running' import as interrupted only when no writer holds the lock."""
    url = pg_server.create_database()
    with Store(url) as writer:
        writer.dialect.execute(
            "INSERT INTO imports (import_id, path, started_at, status) VALUES (7, 'big.json', ?, 'running')",
            [datetime(2023, 11, 15)],
        )
        with writer.dialect.writer_lock():
            Store(url).close()  # another process opening the log meanwhile
            assert writer.query("SELECT status FROM imports") == [("running",)]
        Store(url).close()
        assert writer.query("SELECT status, error FROM imports") == [("failed", "interrupted")]


@pytest.mark.postgres
def test_copy_log_only_into_an_empty_log(hand_log: Store, pg_server: PostgresServer) -> None:
    with Store(pg_server.create_database()) as pg:
        assert copy_log(hand_log, pg) == {
            "communities": 1,
            "groups": 2,
            "identities": 4,
            "identity_member": 4,
            "events": HAND_EVENTS,
            "imports": 1,
        }
        with pytest.raises(StoreError, match="not empty"):
            copy_log(hand_log, pg)
        assert count(pg) == HAND_EVENTS


# -- one answer from every engine ------------------------------------------------------------


def counts_per_kind_and_utc_day(log: Any) -> Any:
    e = log.table("events")
    return e.group_by(e.group_id, e.kind, day=e.ts.date()).aggregate(n=e.count())


def message_members_per_group(log: Any) -> Any:
    e = log.table("events")
    posted = e.filter(e.kind == "message").join(log.table("identity_member"), "identity_id")
    return posted.group_by(posted.group_id).aggregate(members=posted.member_id.nunique())


def message_members_overall(log: Any) -> Any:
    e = log.table("events")
    posted = e.filter(e.kind == "message").join(log.table("identity_member"), "identity_id")
    return posted.aggregate(members=posted.member_id.nunique())


def replies_with_their_targets(log: Any) -> Any:
    e = log.table("events")
    replies = e.filter(e.kind == "message")
    targets = replies.view()
    joined = replies.join(targets, replies.reply_to_event_id == targets.event_id)
    return joined.select(reply=replies.native_id, replier=replies.identity_id, replied_to=targets.identity_id)


def mentions_per_member(log: Any) -> Any:
    e = log.table("events")
    mentioned = e.select(identity_id=e.mentions.unnest())
    joined = mentioned.join(log.table("identity_member"), "identity_id")
    return joined.group_by(joined.member_id).aggregate(n=joined.count())


def message_times(log: Any) -> Any:
    e = log.table("events")
    return e.filter(e.kind == "message").select(e.native_id, e.ts, e.text)


def names_seen(log: Any) -> Any:
    return log.table("identity_names").select("identity_id", "name", "events")


EXPECTED: dict[Callable[[Any], Any], list[tuple]] = {
    counts_per_kind_and_utc_day: sorted(
        [
            (A, "join", date(2023, 11, 15), 1),
            (A, "message", date(2023, 11, 14), 1),  # m1, one microsecond before midnight
            (A, "message", date(2023, 11, 15), 2),  # m2 at midnight, m3
            (A, "reaction", date(2023, 11, 15), 1),
            (B, "leave", date(2023, 11, 16), 1),
            (B, "merge", date(2023, 11, 16), 1),
            (B, "message", date(2023, 11, 15), 1),  # m4 at 20:00 UTC stays on the 15th
            (B, "message", date(2023, 11, 16), 1),
        ]
    ),
    message_members_per_group: sorted([(A, 2), (B, 2)]),  # Readers: u1, u2; Writers: u3, Ann Lee (= u1)
    message_members_overall: [(3,)],  # u1, u2, u3: Ann Lee is u1
    replies_with_their_targets: [("m2", U2, U1), ("m3", U1, U2)],  # the reaction on m1 is not a reply
    mentions_per_member: sorted([(U1_MEMBER, 2), (U2, 1), (U3, 1)]),  # m2 → u1, m4 → Ann Lee (= u1)
    message_times: [
        ("m1", datetime(2023, 11, 14, 23, 59, 59, 999999), 'first "quoted", with a comma\nand a new line'),
        ("m2", datetime(2023, 11, 15), "text of m2"),
        ("m3", datetime(2023, 11, 15, 12), "text of m3"),
        ("m4", datetime(2023, 11, 15, 20), "text of m4"),
        ("m5", datetime(2023, 11, 16, 0, 0, 1), ""),
    ],
    # identity_names counts events with an actor name: messages, and the merge made by the alias
    names_seen: sorted([(U1, "U1", 2), (U2, "U2", 1), (U3, "U3", 1), (ANN, "Ann Lee", 2)]),
}


def rows(log: Any, expr: Any) -> list[tuple]:
    """The result as sorted plain tuples, whatever engine computed it."""
    table = log.to_pyarrow(expr)
    return sorted(tuple(row.values()) for row in table.to_pylist())


@pytest.mark.parametrize("query", list(EXPECTED), ids=lambda f: f.__name__)
def test_engines_agree(engine: EngineUnderTest, hand_log: Store, query: Callable[[Any], Any]) -> None:
    log = load_log(engine, hand_log)
    assert rows(log, query(log)) == EXPECTED[query]


@pytest.mark.spark
@pytest.mark.slow
def test_spark_reads_utc_whatever_the_machine_zone(hand_log: Store, tmp_path: Path, spark: Any) -> None:
    """A fresh Spark process on a machine set to Asia/Shanghai still buckets by UTC day.

    Needs ``spark`` only to skip where Spark cannot run; the session under test is the child's.
    """
    folder = tmp_path / "parquet"
    export_tables(hand_log, folder, "parquet")
    script = (
        "import json, sys\n"
        "from shequn.engines import open_log\n"
        "log = open_log(sys.argv[1], engine='spark')\n"
        "e = log.table('events')\n"
        "m = e.filter(e.kind == 'message')\n"
        "expr = m.select(m.native_id, ts=m.ts.cast('string'), day=m.ts.date().cast('string'))\n"
        "print(json.dumps(sorted(tuple(r.values()) for r in log.to_pyarrow(expr).to_pylist())))\n"
    )
    env = {**os.environ, "TZ": "Asia/Shanghai"}
    done = subprocess.run([sys.executable, "-c", script, str(folder)], env=env, capture_output=True, text=True,
                          timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert [tuple(row) for row in found] == [
        ("m1", "2023-11-14 23:59:59.999999", "2023-11-14"),
        ("m2", "2023-11-15 00:00:00", "2023-11-15"),
        ("m3", "2023-11-15 12:00:00", "2023-11-15"),
        ("m4", "2023-11-15 20:00:00", "2023-11-15"),
        ("m5", "2023-11-16 00:00:01", "2023-11-16"),
    ]


def test_postgres_url_is_told_from_a_file_and_its_password_kept_out() -> None:
    assert [engine_of(db) for db in ("postgresql://u@h/db", "postgres://h/db", "log.duckdb")] == [
        "postgres",
        "postgres",
        "duckdb",
    ]
    assert redact("postgresql://bob:s3cret@db.example:5433/log?sslmode=require") == (
        "postgresql://bob:***@db.example:5433/log?sslmode=require"
    )
    assert redact("postgresql://bob@db.example/log") == "postgresql://bob@db.example/log"


def test_open_log_names_the_engine(hand_log: Store, tmp_path: Path) -> None:
    hand_log.close()
    log = open_log(tmp_path / "hand.duckdb")
    assert log.table("events").count().execute() == HAND_EVENTS
    with pytest.raises(StoreError, match=r"no events\.parquet"):
        open_log(tmp_path, engine="spark")

"""The generic CSV/JSONL importer (docs/formats-generic.md): fixtures in tests/data/generic.

``messages.csv`` and ``messages.jsonl`` hold the same ten rows (two groups; ISO times with and
without offset, epoch seconds; a reply in a thread; a multi-line cell; self and added joins,
a reaction, a removal, a leave; mentions; two identical rows without id; an unknown column);
``semicolon.csv`` has other separators, case and order; the rest are broken one way each.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shequn import sources
from shequn.errors import SourceFormatError
from shequn.importer import import_file
from shequn.model import Chat, Event
from shequn.sources import generic, head_of
from shequn.sources._base import ReadOptions
from shequn.store import Store

DATA = Path(__file__).parent / "data"
FIXTURES = DATA / "generic"
CSV = FIXTURES / "messages.csv"
JSONL = FIXTURES / "messages.jsonl"


def records(path: Path, **options) -> list:
    return list(generic.read(path, ReadOptions(**options)))


def events(path: Path, **options) -> list[Event]:
    return [r for r in records(path, **options) if type(r) is Event]


def one(store: Store, sql: str):  # type: ignore[no-untyped-def]
    return store.con.execute(sql).fetchall()[0][0]


def error(path: Path, **options) -> SourceFormatError:
    with pytest.raises(SourceFormatError) as err:
        records(path, **options)
    return err.value


# -- detection -----------------------------------------------------------------------------


def test_layout_files_are_detected() -> None:
    for path in sorted(FIXTURES.iterdir()):
        assert sources.detect(path) is generic, path


def test_other_formats_are_not_claimed(tmp_path: Path) -> None:
    others = [p for p in DATA.rglob("*") if p.is_file() and "generic" not in p.relative_to(DATA).parts]
    assert [p for p in others if generic.sniff(p, head_of(p))] == []
    dce = tmp_path / "dce.csv"
    dce.write_text(
        'AuthorID,Author,Date,Content,Attachments,Reactions\n"1","a","2020-01-01T00:00:00+00:00","hi","",""\n'
    )
    assert not generic.sniff(dce, dce.read_bytes())
    half = tmp_path / "half.csv"
    half.write_text("time,text\n2024-01-02,hi\n")  # no sender column
    assert not generic.sniff(half, half.read_bytes())


@pytest.mark.samples
def test_other_carriers_samples_are_not_claimed(samples: Path) -> None:
    others = [p for p in samples.rglob("*") if p.is_file()]
    assert [p for p in others if generic.sniff(p, head_of(p))] == []


# -- what the records say ------------------------------------------------------------------


def test_rows_become_events_by_kind() -> None:
    recs = records(CSV)
    assert [r for r in recs if type(r) is Chat] == [
        Chat(carrier="generic", native_id="Readers", name="Readers"),
        Chat(carrier="generic", native_id="Writers", name="Writers"),
    ]
    assert recs[8].native_id == "Writers" and recs[9].key == "w1"  # declared where first seen, before its event
    got = [
        (e.pos, e.chat_id, e.kind, e.subkind, e.actor_id, e.actor_name, e.target_id, e.target_name, e.reply_to_key)
        for e in events(CSV)
    ]
    assert got == [
        ("line 2", "Readers", "message", "text", "u1", "Ann Lee", None, None, None),
        ("line 3", "Readers", "message", "text", "u2", "Bob", None, None, "m1"),
        ("line 5", "Readers", "join", "link", "u3", "Cat", "u3", "Cat", None),  # joined by themselves
        ("line 6", "Readers", "join", "added", "u1", "Ann Lee", "u4", "Dan", None),
        ("line 7", "Readers", "reaction", "emoji", "u1", "Ann Lee", "u2", "Bob", "m2"),
        ("line 8", "Readers", "removal", "admin", "u1", "Ann Lee", "u5", "Spammer", None),
        ("line 9", "Readers", "leave", None, "u3", "Cat", "u3", "Cat", None),
        ("line 10", "Writers", "message", "text", "u2", "Bob", None, None, None),
        ("line 11", "Readers", "message", "text", None, "Eve", None, None, None),
        ("line 12", "Readers", "message", "text", None, "Eve", None, None, None),
    ]


def test_fields_times_ids_and_mentions() -> None:
    got = events(CSV)
    assert [(e.key, e.native_id, e.thread_key) for e in got[:2]] == [("m1", "m1", "m1"), ("m2", "m2", "m1")]
    assert got[1].text == "Thanks Ann,\nglad to be here"  # a quoted cell over two lines
    assert [(e.ts_us, e.ts_original, e.tz_assumed) for e in got[:4]] == [
        (1704157200_000000, "2024-01-02T09:00:00+08:00", None),
        (1704186300_000000, "2024-01-02 09:05:00", "UTC"),  # no offset: read in --tz
        (1704158100_000000, "1704158100", None),
        (1704158160_500000, "1704158160.5", None),
    ]
    assert events(CSV, tz="Asia/Shanghai")[1].ts_us == 1704186300_000000 - 8 * 3600_000000
    assert got[4].attrs == {"emoji": "👍"} and got[4].text is None
    assert (got[1].mention_ids, got[7].mention_ids) == (["u1"], ["u1", "u3"])
    assert got[8].key.startswith("h:") and got[8].key != got[9].key  # same row twice: two events
    assert got[0].attrs is None  # the unknown column channel_colour is ignored


def test_jsonl_reads_like_csv() -> None:
    def fields(e: Event) -> tuple:
        return (e.chat_id, e.key, e.kind, e.subkind, e.ts_us, e.actor_id, e.target_id, e.reply_to_key, e.text)

    assert [fields(e) for e in events(JSONL)] == [fields(e) for e in events(CSV)]
    assert [e.pos for e in events(JSONL)][4:6] == ["line 5", "line 7"]  # the blank line 6 is no row


def test_other_separators_case_and_default_group() -> None:
    got = events(FIXTURES / "semicolon.csv")
    assert [(e.chat_id, e.actor_name, e.text) for e in got] == [
        ("semicolon", "Ann", "semicolons, commas inside"),
        ("semicolon", "Bob", "second"),
    ]
    assert {e.chat_id for e in events(FIXTURES / "semicolon.csv", chat_name="Team")} == {"Team"}


# -- errors --------------------------------------------------------------------------------


def test_errors_name_line_and_column() -> None:
    bad = error(FIXTURES / "bad_time.csv")
    assert (bad.where, bad.problem) == ("line 3, column time", "expected ISO 8601 or epoch seconds, got 'yesterday'")
    bad = error(FIXTURES / "bad_kind.jsonl")
    assert bad.where == "line 2, key kind" and "got 'poke'" in bad.problem
    bad = error(FIXTURES / "millis.csv")
    assert (bad.where, bad.problem) == (
        "line 2, column time",
        "1704189600000 is too large for epoch seconds (milliseconds?)",
    )
    assert error(FIXTURES / "not_utf8.csv").where == "line 3"
    assert error(FIXTURES / "too_many_cells.csv").problem == "expected at most 3 cells (the header's), got 4"


def test_rows_missing_what_their_kind_needs(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("time,sender_id,text,kind,reply_to\n2024-01-02T10:00:00Z,,hi,,\n")
    assert error(path).where == "line 2, column sender_id"
    path.write_text("time,sender_id,text,kind,reply_to\n2024-01-02T10:00:00Z,u1,+1,reaction,\n")
    assert error(path).where == "line 2, column reply_to"
    path.write_text("time,sender_id,text,kind\n2024-01-02T10:00:00Z,u1,,removal\n")
    assert error(path).where == "line 2, column target_id"
    path.write_text("time,sender_id,text\n,u1,hi\n")
    assert error(path).problem == "expected a time, got nothing"
    path.write_text('{"time": 1, "sender_id": "u1", "text": "a"}\n[1, 2]\n')
    assert (error(path).where, error(path).problem) == ("line 2", "expected a JSON object, got list")


def test_header_without_the_required_columns_when_forced(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("when,who,what\n2024,ann,hi\n")
    assert (error(path).where, error(path).problem) == (
        "line 1",
        "expected a header row with time, text and sender_id or sender_name columns",
    )


# -- through the log -----------------------------------------------------------------------


def test_import_detects_and_double_import_adds_nothing(store: Store) -> None:
    first = import_file(store, CSV)
    assert first.importer == "generic"
    # 5 messages by u1, u2, u2 (Writers), and Eve twice; members per identity: u1, u2, Eve-in-Readers
    assert (first.messages_read, first.members_seen, first.groups_seen) == (5, 3, 2)
    assert first.events_added == 10
    again = import_file(store, JSONL)  # the same rows in the other form
    assert (again.events_added, again.duplicates) == (0, 10)
    reply = one(store, "SELECT reply_to_event_id FROM events WHERE native_id = 'm2'")
    assert reply == one(store, "SELECT event_id FROM events WHERE native_id = 'm1'")


def test_overlapping_file_adds_only_the_new_rows(store: Store, tmp_path: Path) -> None:
    import_file(store, CSV)
    lines = CSV.read_text(encoding="utf-8").splitlines(keepends=True)
    later = tmp_path / "later.csv"
    later.write_text("".join([lines[0], *lines[9:], "Readers,2024-01-03T00:00:00Z,u9,Ivy,new,m9,,,,,,,,\n"]))
    summary = import_file(store, later)
    assert (summary.events_added, summary.duplicates) == (1, 3)


def test_corrupted_file_leaves_the_log_unchanged(store: Store) -> None:
    import_file(store, CSV)
    before = one(store, "SELECT count(*) FROM events")
    with pytest.raises(SourceFormatError, match="line 3, column time"):
        import_file(store, FIXTURES / "bad_time.csv")
    assert one(store, "SELECT count(*) FROM events") == before
    assert one(store, "SELECT count(*) FROM groups WHERE native_id = 'bad_time'") == 0
    status, error_text = store.con.execute(
        "SELECT status, error FROM imports ORDER BY import_id DESC LIMIT 1"
    ).fetchall()[0]
    assert status == "failed" and "column time" in error_text

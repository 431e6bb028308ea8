"""DiscordChatExporter importer: JSON, CSV (both dialects) and PlainText, fixtures and real samples."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from shequn import ids
from shequn.errors import SourceFormatError
from shequn.importer import import_file, import_paths
from shequn.model import Chat, Event
from shequn.sources import discord
from shequn.sources._base import ReadOptions, utc_us
from shequn.sources._discord_flat import previous_partition
from shequn.store import Store

DATA = Path(__file__).parent / "data" / "discord"
GENERAL = "910000000000000001"
THREAD = "920000000000000001"
ANN, BOB, CARL, BOT, DAVE = (f"10000000000000000{n}" for n in (1, 2, 3, 9, 4))


def records(path: Path, tz: str = "UTC", group: str | None = None) -> list:
    return list(discord.read(path, ReadOptions(tz=tz, chat_name=group)))


def events(path: Path, tz: str = "UTC", group: str | None = None) -> list[Event]:
    return [r for r in records(path, tz, group) if type(r) is Event]


def count(store: Store, sql: str, params: list | None = None) -> int:
    return store.con.execute(sql, params).fetchall()[0][0]


def us(*args: int) -> int:
    return utc_us(datetime(*args, tzinfo=UTC))


# -- detection ------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(p for p in DATA.rglob("*") if p.is_file()), ids=lambda p: p.name)
def test_every_fixture_sniffs_as_discord(path: Path) -> None:
    assert discord.sniff(path, path.read_bytes()[:65536])


@pytest.mark.parametrize(
    "head",
    [
        b'{\n "name": "Readers", "type": "private_supergroup", "id": 1, "messages": []}',  # Telegram
        b'[{"type": "message", "user": "U1", "ts": "1661628935.330089", "text": "hi"}]',  # Slack day file
        b"12/5/19, 4:22 PM - Ann: hello\n",  # WhatsApp
        b"date,author,text\n2024-01-01,ann,hi\n",  # a generic CSV
        b"AuthorID,Author,Date\n1,ann,2024\n",  # a CSV that only starts like ours
        b"=====\nsome other text file\n",
        b"From ann@example.org Thu Apr  7 10:00:00 2016\n",  # mbox
    ],
)
def test_other_formats_are_not_claimed(tmp_path: Path, head: bytes) -> None:
    assert not discord.sniff(tmp_path / "x", head)


@pytest.mark.samples
def test_no_other_sample_is_claimed(samples: Path) -> None:
    others = [p for p in samples.rglob("*") if p.is_file() and "discord" not in p.parts]
    assert others
    claimed = [p for p in others if discord.sniff(p, p.read_bytes()[:65536])]
    assert claimed == []


def test_detection_picks_discord_for_each_layout(store: Store) -> None:
    for path in (DATA / "channel.json", DATA / "dev-test" / "1.csv", DATA / "dev-test" / "1.txt"):
        assert import_file(store, path, fmt="auto").importer == "discord"


def test_unknown_content_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some notes\n")
    with pytest.raises(SourceFormatError, match="line 1: expected a DiscordChatExporter export"):
        records(path)


# -- JSON -----------------------------------------------------------------------------


def test_json_chat_is_the_channel_named_guild_slash_channel() -> None:
    chat = records(DATA / "channel.json")[0]
    assert chat == Chat("discord", GENERAL, "Test Guild / general", "GuildTextChat")


def test_json_events_kinds_actors_and_links() -> None:
    got = [
        (e.key, e.kind, e.subkind, e.actor_id, e.target_id, e.reply_to_key, e.thread_key)
        for e in events(DATA / "channel.json")
    ]
    assert got == [
        ("1200000000000000001", "join", "link", ANN, ANN, None, None),
        ("1200000000000000002", "message", "text", ANN, None, None, None),
        ("edit:1200000000000000002:1709373660000000", "edit", None, ANN, None, "1200000000000000002", None),
        ("1200000000000000003", "message", "text", BOB, None, "1200000000000000002", None),
        (f"r:1200000000000000003:👍:{ANN}", "reaction", "emoji", ANN, BOB, "1200000000000000003", None),
        (f"r:1200000000000000003:👍:{CARL}", "reaction", "emoji", CARL, BOB, "1200000000000000003", None),
        ("r:1200000000000000003:👍:anonymous", "reaction", "anonymous", None, BOB, "1200000000000000003", None),
        (
            f"r:1200000000000000003:782589696621805568:{ANN}",
            "reaction",
            "custom",
            ANN,
            BOB,
            "1200000000000000003",
            None,
        ),
        (f"flag:bot:{BOT}", "flag", "bot", None, BOT, None, None),
        ("1200000000000000004", "message", "text", BOT, None, None, None),  # type "20": a slash-command reply
        ("1200000000000000005", "service", "pin_message", ANN, None, "1200000000000000002", None),
        ("1200000000000000006", "rename", None, ANN, None, None, None),
        ("1200000000000000007", "service", "thread_created", BOB, None, None, THREAD),
        ("1200000000000000008", "message", "media", CARL, None, None, None),
        ("1200000000000000009", "message", "sticker", CARL, None, None, None),
        ("1200000000000000010", "message", "text", ANN, None, None, None),
    ]


def test_json_times_are_utc_and_keep_the_original() -> None:
    hello = events(DATA / "channel.json")[1]
    assert hello.ts_us == us(2024, 3, 2, 10, 0, 5, 123000)  # written as 12:00:05.123+02:00
    assert (hello.ts_original, hello.tz_assumed) == ("2024-03-02T12:00:05.123+02:00", None)
    assert [e.seq for e in events(DATA / "channel.json")] == list(range(1, 17))


def test_json_names_mentions_and_attrs() -> None:
    by_key = {e.key: e for e in events(DATA / "channel.json")}
    hello = by_key["1200000000000000002"]
    assert (hello.actor_name, hello.mention_ids, hello.attrs) == ("ann", [BOB], {"pinned": True})
    assert by_key["1200000000000000003"].actor_name == "bob#1234"  # legacy discriminator kept
    assert by_key[f"flag:bot:{BOT}"].attrs == {"value": True}
    assert by_key["r:1200000000000000003:👍:anonymous"].attrs == {"emoji": "👍", "count": 1}
    assert by_key[f"r:1200000000000000003:782589696621805568:{ANN}"].attrs == {
        "emoji": "kekw",
        "emoji_id": "782589696621805568",
    }
    assert by_key["1200000000000000006"].attrs == {"title": "lobby"}
    assert by_key["1200000000000000008"].attrs == {
        "forwarded": {"channel_id": "910000000000000099", "message_id": "1100000000000000001"},
        "attachments": 1,
    }
    elsewhere = by_key["1200000000000000010"]  # a reference to another channel is no reply here
    assert elsewhere.reply_to_key is None
    assert elsewhere.attrs == {"reference": {"channel_id": "910000000000000099", "message_id": "1100000000000000002"}}


def test_json_thread_goes_to_its_parent_channel() -> None:
    recs = records(DATA / "thread.json")
    assert recs[0] == Chat("discord", GENERAL, "Test Guild / general", None)
    got = [(e.key, e.kind, e.subkind, e.reply_to_key, e.thread_key) for e in recs[1:]]
    assert got == [
        (f"thread:{THREAD}", "service", "thread", None, THREAD),
        ("1210000000000000001", "message", "text", None, THREAD),
        ("1210000000000000002", "message", "text", "1210000000000000001", THREAD),
    ]
    assert recs[1].text == "Help with setup"


def test_json_thread_and_its_creation_share_one_thread_id(store: Store) -> None:
    import_file(store, DATA / "channel.json")
    import_file(store, DATA / "thread.json")
    threads = store.con.execute(
        "SELECT DISTINCT thread_id, group_id FROM events WHERE thread_id IS NOT NULL"
    ).fetchall()
    assert threads == [(ids.event_id("discord", GENERAL, THREAD), ids.group_id("discord", GENERAL))]
    assert count(store, "SELECT count(*) FROM events WHERE thread_id IS NOT NULL") == 4  # created + opened + 2


def test_json_group_dm_adds_leaves_and_removals() -> None:
    got = [(e.kind, e.subkind, e.actor_id, e.target_id, e.attrs) for e in events(DATA / "group_dm.json")]
    assert got == [
        ("join", "added", ANN, DAVE, None),
        ("leave", None, DAVE, DAVE, None),
        ("removal", "admin", ANN, BOB, None),
        ("service", "call", ANN, None, {"ended": "2024-03-03T09:19:00+00:00"}),
    ]


def test_json_old_export_without_reactors_or_reference_type() -> None:
    got = [(e.key, e.kind, e.subkind, e.actor_id, e.reply_to_key, e.attrs) for e in events(DATA / "no_reactors.json")]
    assert got == [
        ("1230000000000000001", "message", "text", ANN, None, None),
        (
            "r:1230000000000000001:👋:anonymous",
            "reaction",
            "anonymous",
            None,
            "1230000000000000001",
            {"emoji": "👋", "count": 2},
        ),
        ("1230000000000000002", "message", "text", BOB, "1230000000000000001", None),
    ]


def _comparable(recs: list) -> list:
    return [orjson.dumps(r, default=lambda s: {f: getattr(s, f) for f in s.__struct_fields__}) for r in recs]


@pytest.mark.parametrize("layout", ["minified", "crlf", "four-space indent"])
def test_json_other_layouts_read_the_same(tmp_path: Path, layout: str) -> None:
    source = DATA / "channel.json"
    raw = source.read_bytes()
    copy = tmp_path / "copy.json"
    if layout == "minified":
        copy.write_bytes(orjson.dumps(orjson.loads(raw)))
    elif layout == "crlf":
        copy.write_bytes(raw.replace(b"\n", b"\r\n"))
    else:
        copy.write_bytes(raw.replace(b"\n  ", b"\n    "))
    assert _comparable(records(copy)) == _comparable(records(source))


@pytest.mark.parametrize(
    ("name", "where", "problem"),
    [
        ("truncated.json", "messages[2]", r"the file ends inside this message \(from line 81\)"),
        (
            "bad_timestamp.json",
            "messages[1].timestamp",
            "expected an ISO 8601 time with offset, got '2024-03-02 10:02'",
        ),
        ("bad_author_id.json", "messages[1].author.id", "Expected `str`, got `int`"),
    ],
)
def test_json_errors_name_the_place(name: str, where: str, problem: str) -> None:
    with pytest.raises(SourceFormatError, match=problem) as caught:
        records(DATA / name)
    assert caught.value.where == where


def test_json_broken_minified_file_names_the_message(tmp_path: Path) -> None:
    path = tmp_path / "min.json"
    path.write_bytes(orjson.dumps(orjson.loads((DATA / "channel.json").read_bytes()))[:-700])
    with pytest.raises(SourceFormatError) as caught:
        records(path)
    assert caught.value.where.startswith("messages[")


def test_json_double_import_adds_nothing_and_overlap_adds_only_new(store: Store) -> None:
    first = import_file(store, DATA / "channel.json")
    assert (first.events_added, first.messages_read, first.members_seen) == (16, 6, 4)
    again = import_file(store, DATA / "channel.json")
    assert (again.events_added, again.duplicates) == (0, 16)
    assert import_file(store, DATA / "overlap_a.json").events_added == 3
    overlap = import_file(store, DATA / "overlap_b.json")
    assert (overlap.events_added, overlap.duplicates) == (2, 2)


def test_json_corrupted_file_leaves_the_log_unchanged(store: Store) -> None:
    import_file(store, DATA / "overlap_a.json")
    before = count(store, "SELECT count(*) FROM events")
    with pytest.raises(SourceFormatError, match=r"truncated\.json: messages\[2\]"):
        import_file(store, DATA / "truncated.json")
    assert count(store, "SELECT count(*) FROM events") == before
    status = store.con.execute("SELECT status, error FROM imports ORDER BY import_id DESC LIMIT 1").fetchall()[0]
    assert status[0] == "failed" and "messages[2]" in status[1]


def test_json_channel_without_id_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"guild": {"id": "1", "name": "G"}, "channel": {"name": "general"}, "messages": []}')
    with pytest.raises(SourceFormatError, match="missing required field `id`") as caught:
        records(path)
    assert caught.value.where == "channel"


@pytest.mark.parametrize("name", ["channel.json", "dev-test/2.csv", f"general [{GENERAL}].txt"])
def test_progress_reports_bytes_up_to_the_file_size(name: str) -> None:
    path = DATA / name
    seen: list[int] = []
    list(discord.read(path, ReadOptions(progress=seen.append)))
    assert seen and seen == sorted(seen) and seen[-1] == path.stat().st_size


# -- CSV ------------------------------------------------------------------------------


def test_previous_partition_follows_both_namings(tmp_path: Path) -> None:
    names = ["7.csv", "8.csv", "G - C - x [1].csv", "G - C - x [1] [part 2].csv", "G - C - x [1] [part 3].csv"]
    for name in names:
        (tmp_path / name).write_text("")
    found = {n: previous_partition(tmp_path / n) for n in names}
    assert found == {
        "7.csv": None,  # 6.csv is not there
        "8.csv": tmp_path / "7.csv",
        "G - C - x [1].csv": None,
        "G - C - x [1] [part 2].csv": tmp_path / "G - C - x [1].csv",
        "G - C - x [1] [part 3].csv": tmp_path / "G - C - x [1] [part 2].csv",
    }


def test_csv_current_dialect() -> None:
    recs = records(DATA / f"general [{GENERAL}].csv")
    assert recs[0] == Chat("discord", GENERAL, "general", None)
    got = [(e.kind, e.subkind, e.actor_id, e.actor_name, e.target_id, e.ts_us, e.tz_assumed, e.attrs) for e in recs[1:]]
    hello_us = us(2024, 3, 2, 10, 0, 5, 123000)  # 12:00:05.1230000+02:00, seven decimals as .NET writes them
    assert got == [
        ("join", "link", ANN, "ann", ANN, us(2024, 3, 2, 9, 59), None, None),
        ("message", "text", BOB, "bob#1234", None, hello_us, None, {"attachments": 2}),
        ("reaction", "anonymous", None, None, BOB, hello_us, None, {"emoji": "👍", "count": 2}),
        ("reaction", "anonymous", None, None, BOB, hello_us, None, {"emoji": "kekw", "count": 1}),
        ("service", "pin_message", ANN, "ann", None, us(2024, 3, 2, 10, 4), None, None),
        ("message", "media", CARL, "carl", None, us(2024, 3, 2, 10, 7), None, {"attachments": 1}),
    ]
    assert recs[2].text == 'hello "all", how are you?\nsecond line'
    assert [e.pos for e in recs[1:]] == ["line 2", "line 3", "line 3", "line 3", "line 5", "line 6"]
    assert recs[3].reply_to_key == recs[2].key


def test_csv_old_dialect_reads_local_time_in_the_zone() -> None:
    first = events(DATA / "dev-test" / "1.csv", tz="Asia/Shanghai")[0]
    assert (first.ts_original, first.tz_assumed) == ("05-Dec-19 04:20 PM", "Asia/Shanghai")
    assert first.ts_us == us(2019, 12, 5, 8, 20)
    assert records(DATA / "dev-test" / "1.csv")[0] == Chat("discord", "dev-test", "dev-test", None)


def test_csv_partitions_continue_the_repeat_count_across_the_cut() -> None:
    # "ok" by ComputerGenie at 04:22 ends 1.csv and starts 2.csv: two messages, two keys.
    keys = [e.key for p in ("1.csv", "2.csv") for e in events(DATA / "dev-test" / p) if e.kind != "reaction"]
    assert len(keys) == len(set(keys)) == 8
    assert keys[2].endswith(":0") and keys[3].endswith(":1") and keys[2][:-2] == keys[3][:-2]


def test_csv_count_continues_through_a_partition_that_is_all_one_minute(tmp_path: Path) -> None:
    folder = tmp_path / "dev-x"
    folder.mkdir()
    header = "AuthorID;Author;Date;Content;Attachments;Reactions;\n"
    ok = '"1";"ann";"05-Dec-19 04:22 PM";"ok";"";"";\n'
    first = '"1";"ann";"05-Dec-19 04:21 PM";"hi";"";"";\n'
    for name, rows in (("1.csv", first + ok), ("2.csv", ok + ok), ("3.csv", ok)):
        (folder / name).write_text(header + rows)
    keys = [e.key for n in ("1.csv", "2.csv", "3.csv") for e in events(folder / n)]
    assert [k[-2:] for k in keys] == [":0", ":0", ":1", ":2", ":3"]
    assert len(set(keys)) == 5


def test_csv_repartitioned_reexport_adds_only_the_new_message(store: Store) -> None:
    for name in ("1.csv", "2.csv"):
        import_file(store, DATA / "dev-test" / name)
    assert count(store, "SELECT count(*) FROM events WHERE kind IN ('message', 'service')") == 8
    added = [import_file(store, DATA / "repartitioned" / "dev-test" / n).events_added for n in ("1.csv", "2.csv")]
    assert added == [0, 1]
    assert count(store, "SELECT count(*) FROM events WHERE kind IN ('message', 'service')") == 9


def test_csv_folder_of_partitions_imports_file_by_file(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "dev-test"
    folder.mkdir()
    for name in ("1.csv", "2.csv"):
        shutil.copy(DATA / "dev-test" / name, folder / name)
    summaries = import_paths(store, [folder])
    assert [(Path(s.path).name, s.importer, s.events_added) for s in summaries] == [
        ("1.csv", "discord", 5),
        ("2.csv", "discord", 5),
    ]
    assert [s.events_added for s in import_paths(store, [folder])] == [0, 0]


def test_csv_without_channel_asks_for_group(store: Store) -> None:
    with pytest.raises(SourceFormatError, match="pass --group CHANNEL"):
        records(DATA / "export.csv")
    summary = import_file(store, DATA / "export.csv", group="dev-test")
    assert summary.events_added == 1
    assert store.con.execute("SELECT native_id FROM groups").fetchall() == [("dev-test",)]


@pytest.mark.parametrize(
    ("name", "where", "problem"),
    [
        ("bad_date [910000000000000005].csv", "line 5", "expected a date like .*, got '31-Foo-19 04:22 PM'"),
        ("bad_fields [910000000000000006].csv", "line 3", "expected 6 fields separated by ',', got 4"),
    ],
)
def test_csv_errors_name_the_line(store: Store, name: str, where: str, problem: str) -> None:
    import_file(store, DATA / "channel.json")
    before = count(store, "SELECT count(*) FROM events")
    with pytest.raises(SourceFormatError, match=problem) as caught:
        import_file(store, DATA / name)
    assert caught.value.where == where
    assert count(store, "SELECT count(*) FROM events") == before


def test_csv_cut_inside_a_quoted_field_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / f"cut [{GENERAL}].csv"
    path.write_bytes((DATA / f"general [{GENERAL}].csv").read_bytes().split(b"second line")[0])
    with pytest.raises(SourceFormatError, match="line 3: broken CSV"):
        records(path)


# -- PlainText ------------------------------------------------------------------------


def test_text_current_layout() -> None:
    recs = records(DATA / f"general [{GENERAL}].txt", tz="Asia/Shanghai")
    assert recs[0] == Chat("discord", GENERAL, "Test Guild / general", None)
    got = [(e.kind, e.subkind, e.actor_name, e.ts_us, e.tz_assumed, e.attrs, e.pos) for e in recs[1:]]
    at = us(2024, 3, 2, 2, 0)  # 3/2/2024 10:00 AM read in Asia/Shanghai
    minute = 60_000_000
    assert got == [
        ("message", "text", "ann", at, "Asia/Shanghai", {"pinned": True}, "line 9"),
        ("reaction", "anonymous", None, at, "Asia/Shanghai", {"emoji": "👍", "count": 2}, "line 9"),
        ("reaction", "anonymous", None, at, "Asia/Shanghai", {"emoji": "kekw", "count": 1}, "line 9"),
        ("message", "text", "bob#1234", at + minute, "Asia/Shanghai", None, "line 18"),
        ("message", "media", "carl", at + 2 * minute, "Asia/Shanghai", {"attachments": 2}, "line 25"),
        ("join", "link", "ann", at + 3 * minute, "Asia/Shanghai", None, "line 40"),
    ]
    assert recs[1].text == "hello all\n\nsecond paragraph\n[not a header] because no blank line comes before it"
    assert recs[4].text == "see gdb output:\n\n[New Thread 0x7ffff1e6b700 (LWP 110)]\ndone"
    assert recs[5].text == ""
    assert recs[6].target_name == "ann"


def test_text_and_csv_of_one_partition_give_the_same_keys(store: Store) -> None:
    for name in ("1", "2"):
        csv_keys = [e.key for e in events(DATA / "dev-test" / f"{name}.csv")]
        text_keys = [e.key for e in events(DATA / "dev-test" / f"{name}.txt")]
        assert csv_keys == text_keys
    added = [import_file(store, DATA / "dev-test" / n).events_added for n in ("1.csv", "2.csv", "1.txt", "2.txt")]
    assert added == [5, 5, 0, 0]


def test_text_bad_first_header_names_the_line() -> None:
    with pytest.raises(SourceFormatError, match="expected a message header") as caught:
        records(DATA / "bad_header [910000000000000007].txt")
    assert caught.value.where == "line 6"


# -- real samples ---------------------------------------------------------------------

GUILD = "discord/dce-json-example-guild"
CHILL_FULL = "Example guild - Text Channels - chill talk [1012224565567125544].json"
CHILL_PART = "Example guild - Text Channels - chill talk [1012224565567125544] without deleted message.json"
GENERAL_FILE = "Example guild - Text Channels - general [1012224565567721552].json"
THREAD_FILE = "Example guild - general - Thomas is Thomas [1060927310439657577].json"


@pytest.mark.samples
@pytest.mark.parametrize(
    ("name", "messages", "joins", "authors", "reaction_events", "edits"),
    [
        # jq -r '[([.messages[]|select(.type=="Default" or .type=="Reply")]|length),
        #   ([.messages[]|select(.type=="GuildMemberJoin")]|length),
        #   ([.messages[]|select(.type=="Default" or .type=="Reply")|.author.id]|unique|length),
        #   ([.messages[].reactions[]]|length), ([.messages[]|select(.timestampEdited!=null)]|length)]|@tsv'
        # (no reaction lists users, so each reaction is one anonymous event)
        (CHILL_PART, 5, 0, 3, 0, 0),
        (CHILL_FULL, 6, 0, 4, 0, 0),
        (GENERAL_FILE, 31, 3, 3, 4, 1),
        (THREAD_FILE, 5, 0, 3, 1, 0),
    ],
)
def test_sample_json_counts(
    samples: Path, name: str, messages: int, joins: int, authors: int, reaction_events: int, edits: int
) -> None:
    got = events(samples / GUILD / name)
    kinds = [e.kind for e in got]
    assert kinds.count("message") == messages
    assert kinds.count("join") == joins
    assert len({e.actor_id for e in got if e.kind == "message"}) == authors
    assert kinds.count("reaction") == reaction_events
    assert kinds.count("edit") == edits


@pytest.mark.samples
def test_sample_json_deleted_message_pair_imports_the_union_once(store: Store, samples: Path) -> None:
    part = import_file(store, samples / GUILD / CHILL_PART)
    full = import_file(store, samples / GUILD / CHILL_FULL)
    assert (part.events_added, full.events_added, full.duplicates) == (5, 1, 5)
    spam = store.con.execute("SELECT actor_name FROM events WHERE native_id = '1060954094627463098'").fetchall()
    assert spam == [("aLittleSpammyBot#9001",)]  # the message only the full export still has
    assert import_file(store, samples / GUILD / CHILL_PART).events_added == 0


@pytest.mark.samples
def test_sample_json_guild_imports_with_thread_in_general(store: Store, samples: Path) -> None:
    for path in sorted((samples / GUILD).glob("*.json")):
        import_file(store, path)
    rows = store.con.execute(
        "SELECT g.name, count(*) FILTER (kind = 'message'), count(*) FILTER (kind = 'join'),"
        " count(DISTINCT identity_id) FILTER (kind = 'message')"
        " FROM events JOIN groups g USING (group_id) GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert rows == [("Example guild / chill talk", 6, 0, 4), ("Example guild / general", 36, 3, 3)]
    thread = ids.event_id("discord", "1012224565567721552", "1060927310439657577")
    assert count(store, "SELECT count(*) FROM events WHERE thread_id = ?", [thread]) == 1 + 1 + 5 + 1
    replies = count(store, "SELECT count(*) FROM events WHERE kind = 'message' AND reply_to_event_id IS NOT NULL")
    assert replies == 2 + 1 + 2  # general: 2 replies; chill talk: 1 (to the deleted spam); thread: 2


KOMODO = "discord/komodo-dce-2019"


@pytest.mark.samples
def test_sample_csv_counts(samples: Path) -> None:
    # python3: for each csv.reader(open(f), delimiter=";") row after the header -> 23,740 rows,
    # 319 distinct row[0]; 7 rows are exactly "Pinned a message." (no attachment), 0 are
    # "Joined the server."; re.findall(r" \(\d+\)", row[5]) sums to 1,229 reactions.
    kinds: dict[str, int] = {}
    authors: set[str | None] = set()
    keys: set[str] = set()
    for path in sorted((samples / KOMODO / "csv" / "dev-general").glob("*.csv")):
        for ev in events(path):
            kinds[ev.kind] = kinds.get(ev.kind, 0) + 1
            if ev.kind == "message":
                authors.add(ev.actor_id)
            if ev.kind in ("message", "service"):
                keys.add(ev.key)
    assert kinds == {"message": 23_733, "service": 7, "reaction": 1_229}
    assert len(authors) == 319
    assert len(keys) == 23_740  # no two messages share a key, even across partition cuts (87.csv|88.csv)


@pytest.mark.samples
def test_sample_text_agrees_with_csv_per_file(store: Store, samples: Path) -> None:
    # grep -c of headers "[dd-MMM-yy hh:mm tt] " after a blank line: 100 in each of 1.txt … 10.txt
    base = samples / KOMODO
    for n in range(1, 11):
        csv_events = events(base / "csv" / "dev-general" / f"{n}.csv")
        text_events = events(base / "plaintext" / "dev-general" / f"{n}.txt")
        assert sum(e.kind in ("message", "service") for e in text_events) == 100
        assert [e.key for e in text_events] == [e.key for e in csv_events]
    for n in range(1, 11):
        import_file(store, base / "csv" / "dev-general" / f"{n}.csv")
    added = sum(import_file(store, base / "plaintext" / "dev-general" / f"{n}.txt").events_added for n in range(1, 11))
    assert added == 0


@pytest.mark.samples
@pytest.mark.slow
def test_sample_csv_folder_imports_every_message_once(store: Store, samples: Path) -> None:
    summaries = import_paths(store, [samples / KOMODO / "csv" / "dev-general"], tz="UTC")
    assert len(summaries) == 238 and {s.importer for s in summaries} == {"discord"}
    assert count(store, "SELECT count(*) FROM events WHERE kind = 'message'") == 23_733
    assert count(store, "SELECT count(DISTINCT identity_id) FROM events WHERE kind = 'message'") == 319
    assert count(store, "SELECT count(*) FROM events WHERE kind = 'join'") == 0

"""The Telegram Desktop importer: one fixture per trap in tests/data/telegram, and the real sample.

The fixtures are in Telegram Desktop's own layout (one key per line, one space per level);
their times are 2024-03-02 around 10:00 UTC, written by a machine in Berlin (UTC+1).
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from shequn.errors import SourceFormatError
from shequn.importer import import_file
from shequn.model import Alias, Chat, Event, EventRows, Record, Skip
from shequn.sources import _telegram_pretty, _telegram_stream, detect, telegram
from shequn.sources._base import ReadOptions
from shequn.sources._telegram_chats import ChatPicker
from shequn.sources._telegram_pretty import looks_pretty
from shequn.sources._telegram_stream import StreamReader
from shequn.store import Store

DATA = Path(__file__).parent / "data" / "telegram"
T0 = 1_709_373_600_000_000  # 2024-03-02T10:00:00Z, the fixtures' first second
SEC = 1_000_000
VALID = [
    "text_forms.json",
    "replies_edits.json",
    "old_export.json",
    "account.json",
    "reactions.json",
    "service_actions.json",
    "media_kinds.json",
    "unsupported.json",
    "personal_chat.json",
]


def flat(records: Iterable[Record]) -> list[Record]:
    """The records with each run of rows (EventRows) spread into its Event records, in place."""
    return [one for r in records for one in (r.events() if type(r) is EventRows else (r,))]


def read(path: Path | str, tz: str = "Europe/Berlin", group: str | None = None) -> list[Record]:
    return flat(telegram.read(DATA / path, ReadOptions(tz=tz, chat_name=group)))


def events(records: list[Record]) -> list[Event]:
    return [r for r in records if type(r) is Event]


def by_key(records: list[Record]) -> dict[str, Event]:
    return {e.key: e for e in events(records)}


def walked(path: Path, tz: str = "Europe/Berlin") -> list[Record]:
    """The records through the streaming reader's general event walk, whatever the layout."""
    picker = ChatPicker(str(path), ReadOptions(tz=tz))
    with open(path, "rb") as raw:
        return flat(r for chunk in StreamReader(raw, str(path), picker)._walk(raw) for r in chunk)


def error_of(path: Path, **options: str) -> SourceFormatError:
    with pytest.raises(SourceFormatError) as caught:
        list(telegram.read(path, ReadOptions(**options)))
    return caught.value


# -- detection ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*VALID, "minified.json", "truncated.json", "bad_date.json"])
def test_sniff_knows_telegram_exports_by_content(name: str, tmp_path: Path) -> None:
    renamed = tmp_path / "export.txt"  # the name plays no part
    renamed.write_bytes((DATA / name).read_bytes())
    assert telegram.sniff(renamed, renamed.read_bytes()[:65536])


@pytest.mark.parametrize(
    "head",
    [
        b'{"guild": {"id": "1", "name": "G"}, "channel": {"id": "2", "type": "GuildTextChat"}, "messages": [',
        b'[{"type": "message", "user": "U1", "text": "hi", "ts": "1.0"}]',
        b'{"messages": [{"id": 1, "text": "a chat of some other tool"}]}',
        b"not json at all",
    ],
)
def test_sniff_rejects_other_json(head: bytes) -> None:
    assert not telegram.sniff(Path("x.json"), head)


def test_sniff_rejects_the_discord_exports(samples: Path) -> None:
    # DiscordChatExporter JSON also has a "messages" list; it must stay Discord's
    files = sorted((samples / "discord" / "dce-json-example-guild").glob("*.json"))
    assert files
    assert not any(telegram.sniff(f, f.read_bytes()[:65536]) for f in files)


def test_detect_picks_telegram() -> None:
    assert detect(DATA / "text_forms.json").NAME == "telegram"
    assert detect(DATA / "minified.json").NAME == "telegram"


# -- messages ----------------------------------------------------------------------------


def test_text_as_string_or_runs_and_mentions() -> None:
    records = read("text_forms.json")
    assert records[0] == Chat("telegram", "1488123456", "Rustaceans Berlin", "private_supergroup")
    got = [(e.key, e.subkind, e.actor_id, e.text, e.mention_ids, e.mention_names) for e in events(records)]
    assert got == [
        ("10", "text", "user5001", "hi all, is the meetup still on?", None, None),
        ("11", "text", "user4242", "yes @mia_k — 19:00 at c-base", None, ["@mia_k"]),
        ("12", "text", "user5001", "thanks Olaf and @jonas!", ["user777"], ["@jonas"]),
        ("13", "media", "user777", None, None, None),
        ("14", "text", "user777", "see the wiki", None, None),
        ("15", "text", "user4242", 'line one\u2028line two 🦀 "quoted" \\ done', None, None),
    ]
    assert [e.pos for e in events(records)] == [f"messages[{i}]" for i in range(6)]
    assert [e.seq for e in events(records)] == [1, 2, 3, 4, 5, 6]


def test_date_unixtime_wins_over_the_wall_clock() -> None:
    berlin, shanghai = events(read("text_forms.json")), events(read("text_forms.json", tz="Asia/Shanghai"))
    assert [e.ts_us for e in berlin] == [e.ts_us for e in shanghai]
    first = berlin[0]
    assert (first.ts_us, first.ts_original, first.tz_assumed) == (T0 + 5 * SEC, "2024-03-02T11:00:05", None)


def test_old_export_reads_dates_in_the_given_zone() -> None:
    # no date_unixtime before 2022: "2021-06-01T09:15:00" is 01:15 UTC in Asia/Shanghai (UTC+8, no DST)
    records = read("old_export.json", tz="Asia/Shanghai")
    hello = by_key(records)["2"]
    assert hello.ts_us == int(datetime(2021, 6, 1, 1, 15, tzinfo=UTC).timestamp()) * SEC
    assert (hello.ts_original, hello.tz_assumed) == ("2021-06-01T09:15:00", "Asia/Shanghai")
    in_utc = by_key(read("old_export.json", tz="UTC"))["2"]
    assert in_utc.ts_us - hello.ts_us == 8 * 3600 * SEC
    assert by_key(records)["3"].attrs == {"edited": "2021-06-01T09:20:00"}


def test_replies_edits_forwards_and_signatures() -> None:
    got = {e.key: (e.reply_to_key, e.actor_id, e.actor_name, e.attrs) for e in events(read("replies_edits.json"))}
    assert got == {
        "20": (None, "user5001", "Mia K", None),
        "21": ("20", "user4242", "Jonas", None),
        "22": (None, "user4242", "Jonas", None),  # a reply to another chat's message links nothing here
        "23": (None, "user5001", "Mia K", {"edited_unixtime": 1709373840}),
        "24": (None, "user777", "Olaf", {"forwarded_from": "Rust News"}),
        "25": (None, "user777", "Olaf", {"media_type": "animation", "via_bot": "@gif", "forwarded_from": None}),
        "26": (None, "user9", None, None),  # the account was deleted before the export
        "27": (None, "channel1488123456", "Rustaceans Berlin", {"author": "Admin Ann"}),
    }


def test_media_polls_and_other_content() -> None:
    got = {e.key: (e.subkind, e.text, e.attrs) for e in events(read("media_kinds.json"))}
    answers = [{"text": "Tue", "voters": 1}, {"text": "Thu", "voters": 2}]
    poll = {"question": "Which day?", "closed": False, "total_voters": 3, "answers": answers}
    assert got == {
        "40": ("media", None, {"media_type": "photo"}),
        "41": ("sticker", None, {"media_type": "sticker"}),
        "42": ("media", None, {"media_type": "voice_message"}),
        "43": ("media", "the slides", {"media_type": "document", "file_name": "slides.pdf"}),
        # the exporting account's own vote ("chosen") is left out
        "44": ("poll", None, {"poll": poll}),
        "45": ("other", None, {"media_type": "contact"}),
        "46": ("other", None, {"media_type": "location"}),
        "47": ("other", None, {"media_type": "location"}),  # a location Telegram could not resolve is null
        "48": ("media", "paid preview", {"paid_stars_amount": 5}),
    }


def test_unsupported_message_is_a_counted_skip() -> None:
    records = read("unsupported.json")
    assert Skip("unsupported message", "messages[1]") in records
    assert [e.key for e in events(records)] == ["50", "52"]


def test_reactions_name_who_they_can_and_count_the_rest() -> None:
    reactions = [e for e in events(read("reactions.json")) if e.kind == "reaction"]
    got = [(e.key, e.subkind, e.actor_id, e.attrs, (e.ts_us - T0) // SEC, e.tz_assumed) for e in reactions]
    berlin, sticker = "Europe/Berlin", "5368324170671202286"  # a custom emoji is known by its document id
    # reactors' dates are wall clock (11:04 in Berlin = 10:04 UTC); the unnamed rest takes the message's time
    assert got == [
        ("30:reaction:👍:user5001", "emoji", "user5001", {"emoji": "👍"}, 240, berlin),
        ("30:reaction:👍:user777", "emoji", "user777", {"emoji": "👍"}, 300, berlin),
        ("30:reaction:👍:anonymous", "anonymous", None, {"emoji": "👍", "count": 1}, 0, None),
        (f"30:reaction:{sticker}:anonymous", "anonymous", None, {"document_id": sticker, "count": 1}, 0, None),
        ("30:reaction:paid:user5001", "paid", "user5001", {"type": "paid"}, 360, berlin),
        ("30:reaction:paid:anonymous", "anonymous", None, {"type": "paid", "count": 1}, 0, None),
        ("31:reaction:❤:user4242", "emoji", "user4242", {"emoji": "❤"}, 420, berlin),
    ]
    assert [(e.target_id, e.reply_to_key) for e in reactions] == [("user4242", "30")] * 6 + [("user5001", "31")]


# -- service messages and member names ---------------------------------------------------


def test_every_service_action() -> None:
    got = [
        (e.key, e.kind, e.subkind, e.actor_id, e.target_id, e.target_name, e.attrs, e.text)
        for e in events(read("service_actions.json"))
        if e.kind != "message"
    ]
    assert got == [
        ("1", "join", "created", "user1", "user1", "Ann", {"title": "Readers"}, None),
        # the creator is listed among the members too; they get one join, not two
        ("1:2", "join", "added", "user1", None, "Bob", None, None),
        ("1:3", "join", "added", "user1", None, "Cleo", None, None),
        ("2", "join", "added", "user1", None, "Dan", None, None),
        ("2:1", "join", "added", "user1", None, "Eve", None, None),
        ("3", "join", "added", "user6", "user6", "Finn", None, None),  # added themselves: a public group
        ("4", "join", "link", "user7", "user7", "Gus", {"inviter": "Group"}, None),
        ("5", "join", "request", "user8", "user8", "Hana", None, None),
        ("6", "leave", None, "user2", "user2", "Bob", None, None),
        ("7", "removal", "admin", "user1", None, "Eve", None, None),
        ("8", "rename", None, "user1", None, None, {"title": "Readers Club"}, None),
        ("9", "service", "migrate_to_supergroup", "user1", None, None, None, None),
        ("10", "service", "migrate_from_group", "user1", None, None, {"title": "Readers Club"}, None),
        ("11", "service", "pin_message", "user1", None, None, {"message_id": 12}, None),
        ("13", "service", "custom", "user1", None, None, None, "Ann changed the group rules"),
        ("15:1", "join", "added", "user1", None, "Kim", None, None),
    ]


def test_member_names_resolve_to_accounts_the_chat_shows() -> None:
    records = read("service_actions.json")
    aliases = [r for r in records if type(r) is Alias]
    # Bob shows his id when he leaves, Dan and Cleo when they write; Eve never does
    assert aliases == [
        Alias("1500000001", "Bob", "user2", T0 + 300 * SEC, pos="messages[5]"),
        Alias("1500000001", "Cleo", "user3", T0 + 780 * SEC, pos="messages[13]"),
        Alias("1500000001", "Dan", "user4", T0 + 660 * SEC, pos="messages[11]"),
    ]
    skips = [r for r in records if type(r) is Skip]
    assert skips == [
        Skip("member without a name", "messages[14].members[0]"),
        Skip("member name shared by several accounts", "messages[14]"),  # two accounts called Kim wrote
    ]
    assert records.index(aliases[0]) > max(records.index(e) for e in events(records))  # at the chat's end


# -- chats -------------------------------------------------------------------------------


def test_account_export_reads_group_chats_and_left_chats() -> None:
    records = read("account.json")
    shape = [(type(r).__name__, getattr(r, "pos", None) or getattr(r, "name", None)) for r in records]
    assert shape == [
        ("Skip", "chats.list[0]"),  # the personal chat: none of its messages are read
        ("Chat", "Rustaceans Berlin"),
        ("Event", "chats.list[1].messages[0]"),
        ("Event", "chats.list[1].messages[1]"),
        ("Event", "chats.list[1].messages[2]"),
        ("Skip", "chats.list[2]"),  # saved messages
        ("Chat", "Empty Group"),
        ("Chat", "Rust News"),
        ("Event", "left_chats.list[0].messages[0]"),
        ("Event", "left_chats.list[0].messages[1]"),
    ]
    assert {r.reason for r in records if type(r) is Skip} == {"personal chat"}
    chat_types = [r.chat_type for r in records if type(r) is Chat]
    assert chat_types == ["private_supergroup", "private_group", "public_channel"]
    assert [e.seq for e in events(records)] == [1, 2, 3, 4, 5]


def test_group_option_picks_a_chat_of_an_account_export() -> None:
    records = read("account.json", group="rust  NEWS")  # matched as names are: spaces and case folded
    assert [r.name for r in records if type(r) is Chat] == ["Rust News"]
    assert Counter(r.reason for r in records if type(r) is Skip) == {"personal chat": 2, "chat not selected": 2}


def test_group_option_naming_no_chat_lists_the_chats() -> None:
    error = error_of(DATA / "account.json", chat_name="Rustaceans Hamburg")
    assert error.where == "chats"
    assert "'Rustaceans Berlin', 'Empty Group', 'Rust News'" in error.problem


def test_group_option_names_a_single_chat() -> None:
    assert read("text_forms.json", group="Berlin meetups")[0].name == "Berlin meetups"


def test_personal_chat_export_is_one_skip() -> None:
    assert read("personal_chat.json") == [Skip("personal chat", "messages")]


# -- readers and layouts -----------------------------------------------------------------


def _variants(path: Path, tmp_path: Path) -> dict[str, Path]:
    value = json.loads(path.read_text(encoding="utf-8"))
    texts = {
        "minified": json.dumps(value, ensure_ascii=False, separators=(",", ":")),
        "python-indent-2": json.dumps(value, ensure_ascii=False, indent=2),
        "crlf": path.read_text(encoding="utf-8").replace("\n", "\r\n"),
        "tabs": json.dumps(value, indent="\t"),
        "bom": "\ufeff" + path.read_text(encoding="utf-8"),
    }
    out = {}
    for name, text in texts.items():
        out[name] = tmp_path / f"{name}-{path.name}"
        out[name].write_text(text, encoding="utf-8")
    return out


@pytest.mark.parametrize("name", VALID)
def test_every_layout_and_reader_gives_the_same_records(name: str, tmp_path: Path) -> None:
    path = DATA / name
    expected = read(path)
    assert looks_pretty(path.read_bytes()[:65536])  # the fixture itself goes the fast way
    variants = _variants(path, tmp_path)
    assert looks_pretty(variants["python-indent-2"].read_bytes()[:65536])
    assert not any(looks_pretty(variants[v].read_bytes()[:65536]) for v in ("minified", "crlf", "tabs"))
    for variant, file in variants.items():
        assert read(file) == expected, variant
    assert walked(path) == expected


@pytest.mark.parametrize("name", VALID)
def test_tiny_windows_and_batches_change_nothing(name: str, tmp_path: Path, monkeypatch) -> None:
    # every fixture fits one window; shrinking the sizes makes each message its own run and
    # every read a few bytes, so runs continue across "," lines and block edges
    expected = read(name)
    minified = _variants(DATA / name, tmp_path)["minified"]
    monkeypatch.setattr(_telegram_pretty, "CHUNK", 7)
    monkeypatch.setattr(_telegram_pretty, "BLOCK", 5)
    monkeypatch.setattr(_telegram_stream, "BATCH", 1)
    assert read(name) == expected
    assert read(minified) == expected
    assert walked(DATA / name) == expected


def test_committed_minified_fixture_matches_its_pretty_twin() -> None:
    assert not looks_pretty((DATA / "minified.json").read_bytes()[:65536])
    assert read("minified.json") == read("service_actions.json")


def test_zip_of_an_export(tmp_path: Path) -> None:
    archive = tmp_path / "ChatExport_2024-03-02.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(DATA / "text_forms.json", "ChatExport_2024-03-02/result.json")
        zf.writestr("ChatExport_2024-03-02/photos/readme.txt", "not the export")
    assert flat(telegram.read(archive, ReadOptions(tz="Europe/Berlin"))) == read("text_forms.json")


@pytest.mark.parametrize("layout", ["pretty", "minified"])
def test_progress_reports_bytes_read(layout: str, tmp_path: Path) -> None:
    path = DATA / "text_forms.json" if layout == "pretty" else _variants(DATA / "text_forms.json", tmp_path)["minified"]
    seen: list[int] = []
    list(telegram.read(path, ReadOptions(progress=seen.append)))
    assert seen and seen[-1] == path.stat().st_size


# -- broken files ------------------------------------------------------------------------


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


@pytest.fixture(params=["usual", "tiny"])
def windows(request, monkeypatch) -> None:
    """Run a test with the usual window sizes, then with tiny ones (line counts across dropped blocks)."""
    if request.param == "tiny":
        monkeypatch.setattr(_telegram_pretty, "CHUNK", 7)
        monkeypatch.setattr(_telegram_pretty, "BLOCK", 5)


@pytest.mark.usefixtures("windows")
def test_truncated_file_names_the_line_and_message() -> None:
    path = DATA / "truncated.json"
    text = path.read_text(encoding="utf-8")
    start = text.rindex("\n  {") + 1  # the message the file ends in starts here
    error = error_of(path)
    assert error.where == f"line {_line_of(text, start)} (messages[2])" == "line 59 (messages[2])"
    assert error.problem == "file ends inside a message"
    assert str(error).startswith(f"{path}: line 59 (messages[2]): ")


def test_truncated_minified_file_names_the_message(tmp_path: Path) -> None:
    minified = _variants(DATA / "text_forms.json", tmp_path)["minified"]
    text = minified.read_text(encoding="utf-8")
    minified.write_text(text[: text.index('"id":12') + 20], encoding="utf-8")
    error = error_of(minified)
    assert (error.where, error.problem) == ("messages[2]", "file ends inside a message")


@pytest.mark.usefixtures("windows")
def test_file_cut_between_messages(tmp_path: Path) -> None:
    text = (DATA / "text_forms.json").read_text(encoding="utf-8")
    end = text.index("\n  }", text.index('"id": 12')) + len("\n  },")
    cut = tmp_path / "cut.json"
    cut.write_text(text[:end], encoding="utf-8")
    error = error_of(cut)
    assert error.where == f"line {_line_of(text, end)} (messages[3])"
    assert error.problem == "file ends after a message (expected , or ])"


@pytest.mark.usefixtures("windows")
def test_message_without_a_date_names_the_field() -> None:
    text = (DATA / "bad_date.json").read_text(encoding="utf-8")
    error = error_of(DATA / "bad_date.json")
    assert error.where == f"line {_line_of(text, text.rindex(chr(10) + '  {') + 1)} (messages[1].date)"
    assert error.problem == "no date (expected date or date_unixtime)"


@pytest.mark.usefixtures("windows")
@pytest.mark.parametrize(
    ("old", "new", "where", "problem"),
    [
        ('"id": 14,', '"id": "fourteen",', "messages[4].id", "Expected `int`, got `str`"),
        ('"date_unixtime": "1709373790"', '"date_unixtime": "soon"', "messages[3].date_unixtime", "expected epoch"),
        ('"id": 13,', '"id": 13,,', "messages[3]", "invalid JSON"),
    ],
)
def test_bad_values_name_the_message_in_both_readers(old: str, new: str, where: str, problem: str, tmp_path) -> None:
    text = (DATA / "text_forms.json").read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "broken.json"
    broken.write_text(text.replace(old, new), encoding="utf-8")
    pretty = error_of(broken)
    assert pretty.where.startswith("line ") and pretty.where.endswith(f"({where})") and problem in pretty.problem
    minified = _variants(broken, tmp_path)["minified"] if "invalid" not in problem else None
    if minified is not None:
        stream = error_of(minified)
        assert stream.where == where and problem in stream.problem


def test_chat_without_an_id(tmp_path: Path) -> None:
    path = tmp_path / "no_id.json"
    path.write_text('{\n "name": "X",\n "type": "private_group",\n "messages": [\n ]\n}', encoding="utf-8")
    error = error_of(path)
    assert (error.where, error.problem) == ("id", "chat has no id (expected a number)")


# -- the real sample ---------------------------------------------------------------------


def test_real_sample(samples: Path) -> None:
    # counted with jq: 12 messages, 8 "message" and 4 "service" (create_group with members
    # [creator, "User 2"], two invite_members, one remove_members by another member), no
    # date_unixtime; media by jq `.media_type // photo/file`: 1 photo, 1 voice, 1 animation,
    # 1 sticker, 1 plain file; the other 3 are text
    path = samples / "telegram" / "roboteam-test-group" / "result.json"
    records = flat(telegram.read(path, ReadOptions(tz="Europe/Moscow")))
    assert records[0] == Chat("telegram", "123456789", "Test 2022", "private_group")
    found = events(records)
    assert len(found) == 13
    assert Counter((e.kind, e.subkind) for e in found) == {
        ("message", "text"): 3,
        ("message", "media"): 4,
        ("message", "sticker"): 1,
        ("join", "created"): 1,
        ("join", "added"): 3,
        ("removal", "admin"): 1,
    }
    moscow = datetime(2022, 3, 16, 19, 23, 47, tzinfo=ZoneInfo("Europe/Moscow"))
    assert (found[0].ts_us, found[0].tz_assumed) == (int(moscow.timestamp()) * SEC, "Europe/Moscow")
    assert [r for r in records if type(r) is Alias] == [
        Alias("123456789", "Get My ID", "user460693903", found[4].ts_us, pos="messages[3]")
    ]
    assert not [r for r in records if type(r) is Skip]


# -- through the importer ----------------------------------------------------------------


def _count(store: Store, sql: str = "SELECT count(*) FROM events") -> int:
    return store.con.execute(sql).fetchall()[0][0]


def test_import_detects_and_a_second_import_adds_nothing(store: Store, samples: Path) -> None:
    path = samples / "telegram" / "roboteam-test-group" / "result.json"
    first = import_file(store, path, fmt="auto", tz="Europe/Moscow")
    assert first.importer == "telegram"
    assert (first.records_read, first.events_added, first.messages_read) == (14, 14, 8)  # 13 events + 1 merge
    again = import_file(store, path, fmt="auto", tz="Europe/Moscow")
    assert (again.events_added, again.duplicates) == (0, 14)
    assert _count(store) == 14


def test_extended_export_adds_only_the_new_messages(store: Store, tmp_path: Path) -> None:
    value = json.loads((DATA / "text_forms.json").read_text(encoding="utf-8"))
    early = tmp_path / "early.json"
    early.write_text(json.dumps({**value, "messages": value["messages"][:2]}, indent=1), encoding="utf-8")
    first = import_file(store, early, tz="Europe/Berlin")
    later = import_file(store, DATA / "text_forms.json", tz="Europe/Berlin")
    assert (first.events_added, later.events_added, later.duplicates) == (2, 4, 2)
    assert _count(store) == 6


def test_truncated_import_leaves_the_log_unchanged(store: Store) -> None:
    import_file(store, DATA / "replies_edits.json", tz="Europe/Berlin")
    before = _count(store)
    with pytest.raises(SourceFormatError, match=r"line 59 \(messages\[2\]\): file ends inside a message"):
        import_file(store, DATA / "truncated.json", tz="Europe/Berlin")
    assert _count(store) == before == 8


def test_imports_keep_each_files_size_and_hash_done_or_failed(store: Store) -> None:
    # the hash is computed beside the import and written when the import ends, either way
    good, bad = DATA / "replies_edits.json", DATA / "truncated.json"
    import_file(store, good, tz="Europe/Berlin")
    with pytest.raises(SourceFormatError):
        import_file(store, bad, tz="Europe/Berlin")
    rows = store.con.execute("SELECT path, size, sha256, status FROM imports ORDER BY import_id").fetchall()
    assert rows == [
        (str(path), path.stat().st_size, hashlib.sha256(path.read_bytes()).hexdigest(), status)
        for path, status in ((good, "done"), (bad, "failed"))
    ]


def test_account_import_counts_skipped_chats(store: Store) -> None:
    summary = import_file(store, DATA / "account.json", tz="Europe/Berlin")
    assert summary.skipped == {"personal chat": 2}
    assert (summary.groups_seen, summary.events_added) == (3, 5)
    names = {row[0] for row in store.con.execute("SELECT name FROM groups").fetchall()}
    assert names == {"Rustaceans Berlin", "Empty Group", "Rust News"}

"""The IRC log importer: one fixture per logger layout in tests/data/irc, then the real samples.

Fixtures: ``ubuntu_2024-03-05.txt`` (irclogs.ubuntu.com: untimed ``===`` lines, both action
styles, a notice, an empty message, the logger's ``<bur[n] er>`` nick, a midnight rollover),
``twelve_hour_2005-07-06.txt`` (the early Ubuntu 12-hour clock), ``irssi.log`` (day markers),
``weechat.weechatlog``, ``znc/#shequn/2024-03-05.log`` (channel from the folder),
``#ceph.2012-10-17.log`` (Limnoria, offsets), ``prefixed.txt`` (disentanglement new
domains), ``linux_2008-01-01.txt`` (Elsner's #linux: entered/left the room, kicks),
``mixed_encoding_2005-02-08.txt`` (cp1252 and Latin-1 lines), and broken files.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shequn import sources
from shequn.errors import SourceFormatError
from shequn.importer import import_file
from shequn.model import Chat, Event, Skip
from shequn.sources import head_of, irc
from shequn.sources._base import ReadOptions
from shequn.sources._irc_clock import DayClock, date_from_path
from shequn.store import Store

DATA = Path(__file__).parent / "data"
IRC = DATA / "irc"
UBUNTU = IRC / "ubuntu_2024-03-05.txt"
SAMPLES_IRC = Path("irc") / "ubuntu-irc-disentanglement"


def records(path: Path, **options) -> list:
    return list(irc.read(path, ReadOptions(**options)))


def events(path: Path, **options) -> list[Event]:
    return [r for r in records(path, **options) if type(r) is Event]


def rows(path: Path, **options) -> list[tuple]:
    """(seq, kind, subkind, actor, target, text, attrs) of each event."""
    return [(e.seq, e.kind, e.subkind, e.actor_name, e.target_name, e.text, e.attrs) for e in events(path, **options)]


def iso(ts_us: int) -> str:
    return datetime.fromtimestamp(ts_us / 1e6, UTC).strftime("%Y-%m-%d %H:%M:%S")


def one(store: Store, sql: str):  # type: ignore[no-untyped-def]
    return store.con.execute(sql).fetchall()[0][0]


def kind_counts(store: Store) -> dict[str, int]:
    """Events per ``kind:subkind``."""
    return dict(
        store.con.execute("SELECT kind || ':' || coalesce(subkind, ''), count(*) FROM events GROUP BY 1").fetchall()
    )


# -- detection -----------------------------------------------------------------------------


def test_every_layout_is_detected_as_irc() -> None:
    for path in sorted(p for p in IRC.rglob("*") if p.is_file()):
        assert sources.detect(path) is irc, path


def test_other_formats_are_not_claimed() -> None:
    others = [p for p in DATA.rglob("*") if p.is_file() and "irc" not in p.relative_to(DATA).parts]
    assert others  # the other importers' fixtures (and mbox, discourse, generic)
    claimed = [p for p in others if irc.sniff(p, head_of(p))]
    assert claimed == []


@pytest.mark.samples
def test_other_carriers_samples_are_not_claimed(samples: Path) -> None:
    others = [p for p in samples.rglob("*") if p.is_file() and p.relative_to(samples).parts[0] != "irc"]
    assert len(others) > 50
    assert [p for p in others if irc.sniff(p, head_of(p))] == []


def test_a_few_bracketed_times_are_not_a_log() -> None:
    assert not irc.sniff(Path("notes.txt"), b"[10:00] meeting starts\n[11:00] lunch\nremember the milk\n")
    assert not irc.sniff(Path("x.txt"), b"[10:00] <ann> only one message\nand prose\nmore prose\n")


# -- what each layout says -----------------------------------------------------------------


def test_ubuntu_day_file() -> None:
    recs = records(UBUNTU)
    assert recs[0] == Chat(carrier="irc", native_id="#ubuntu", name="#ubuntu", chat_type="channel")
    assert [r for r in recs if type(r) is Skip] == [Skip("server notice", "line 14")]
    host = {"host": "~bob@host.example"}
    assert rows(UBUNTU) == [
        (0, "join", "link", "early", "early", None, {"host": "~early@host.example"}),
        (1, "message", "text", "alice", None, "anyone around?", None),
        (2, "join", "link", "bob", "bob", None, host),
        (3, "message", "text", "bob", None, "alice: yes", None),
        (4, "message", "text", "alice", None, "waves", {"action": True}),
        (5, "message", "text", "alice", None, "waves back the old way", {"action": True}),  # === nick does
        (6, "message", "text", "bur[n]er", None, "nick with a logger space", None),
        (7, "message", "text", "carol", None, "", None),  # <carol> alone
        (8, "message", "text", "ubottu", None, "carol: see !helpme", {"notice": True}),
        (9, "service", "nick", "bob", "bobby", None, {"old": "bob", "new": "bobby"}),
        (10, "service", "mode", "ChanServ", None, None, {"mode": "+o alice"}),
        (11, "leave", "part", "carol", "carol", None, {"host": "~carol@host.example"}),
        (12, "leave", "part", "dave", "dave", None, {"host": "~dave@host.example", "reason": '"off to bed"'}),
        (14, "message", "text", "bobby", None, "alice: bye", None),
        (15, "message", "text", "bobby", None, "alice: bye", None),
    ]


def test_file_date_is_the_day_of_the_last_line_and_untimed_lines_take_the_time_before() -> None:
    got = [(e.seq, iso(e.ts_us), e.ts_original, e.tz_assumed) for e in events(UBUNTU)]
    assert got[:3] == [
        (0, "2024-03-04 23:58:00", None, "UTC"),  # above the first time: dated by the first timed line
        (1, "2024-03-04 23:58:00", "23:58", "UTC"),
        (2, "2024-03-04 23:58:00", None, "UTC"),
    ]
    assert got[6] == (6, "2024-03-05 00:01:00", "00:01", "UTC")  # past midnight: the file's day
    assert got[-1] == (15, "2024-03-05 00:03:00", "00:03", "UTC")


def test_times_are_read_in_the_zone_given() -> None:
    first = events(UBUNTU, tz="Europe/Berlin")[1]
    assert (iso(first.ts_us), first.tz_assumed) == ("2024-03-04 22:58:00", "Europe/Berlin")


def test_identical_lines_in_one_minute_stay_two_events() -> None:
    last_two = events(UBUNTU)[-2:]
    assert last_two[0].key != last_two[1].key
    assert last_two[0].key.rsplit(":", 1)[0] == last_two[1].key.rsplit(":", 1)[0]


def test_twelve_hour_clock_keeps_moving_forward() -> None:
    got = [iso(e.ts_us)[11:16] for e in events(IRC / "twelve_hour_2005-07-06.txt", chat_name="#ubuntu")]
    assert got == ["11:58", "12:05", "12:59", "13:00", "15:35"]


def test_day_clock_rolls_over_midnight_and_half_days() -> None:
    day = datetime(2024, 3, 5).date()
    clock = DayClock(day)
    assert [clock.at(*hms).strftime("%d %H:%M") for hms in [(23, 50, 0), (23, 30, 0), (0, 5, 0)]] == [
        "05 23:50",
        "05 23:30",  # a small step back is the clock wobbling, not a new day
        "06 00:05",
    ]
    assert not clock.twelve_hour
    twelve = DayClock(day)
    assert [twelve.at(*hms).strftime("%H:%M") for hms in [(11, 0, 0), (0, 5, 0), (6, 0, 0), (1, 0, 0)]] == [
        "11:00",
        "12:05",  # "00:05" after "11:..." with no hour above 12: a 12-hour clock past noon
        "18:00",
        "01:00",  # and past midnight: the next day
    ]
    assert twelve.twelve_hour


def test_date_in_file_or_folder_name() -> None:
    assert str(date_from_path(Path("2004-11-15_03.raw.txt"))) == "2004-11-15"
    assert str(date_from_path(Path("#ceph.20121017.log"))) == "2012-10-17"
    assert str(date_from_path(Path("#chan/2016/07/07.txt"))) == "2016-07-07"
    assert str(date_from_path(Path("irc-5000.2024-03-05.log"))) == "2024-03-05"  # 5000-20-24 is no day
    assert date_from_path(Path("#chan/2016/13/07.txt")) is None
    assert date_from_path(Path("channel-two.all.raw.txt")) is None


def test_irssi_layout_and_day_markers() -> None:
    path = IRC / "irssi.log"
    assert [r for r in records(path) if type(r) is Skip] == [Skip("server notice", "line 3")]
    assert rows(path) == [
        (1, "join", "link", "alice", "alice", None, {"host": "~alice@host.example"}),
        (3, "message", "text", "alice", None, "good morning", None),  # <@alice>
        (4, "message", "text", "bob", None, "hi alice", None),  # < bob>
        (5, "message", "text", "carol", None, "hey", None),  # <+carol>
        (6, "message", "text", "bob", None, "stretches", {"action": True}),
        (7, "service", "nick", "bob", "bobby", None, {"old": "bob", "new": "bobby"}),
        (8, "service", "mode", "alice", None, None, {"mode": "+o carol"}),
        (9, "service", "topic", "alice", None, None, {"topic": "release on Friday"}),
        (10, "leave", "part", "dave", "dave", None, {"host": "~dave@host.example", "reason": "see you"}),
        (11, "leave", "quit", "erin", "erin", None, {"host": "~erin@host.example", "reason": "Quit: bye"}),
        (12, "removal", "admin", "alice", "spammer", None, {"reason": "no ads"}),
        (14, "message", "text", "bobby", None, "past midnight", None),
    ]
    times = [iso(e.ts_us) for e in events(path)]
    assert (times[0], times[-1]) == ("2024-03-05 09:00:00", "2024-03-06 00:01:00")  # no date in the name needed


def test_weechat_layout() -> None:
    path = IRC / "weechat.weechatlog"
    assert [r for r in records(path) if type(r) is Skip] == [Skip("status line", "line 10")]  # =!= error
    assert [(seq, kind, sub, actor, target) for seq, kind, sub, actor, target, _, _ in rows(path)] == [
        (0, "join", "link", "alice", "alice"),
        (1, "message", "text", "alice", None),
        (2, "message", "text", "bob", None),
        (3, "message", "text", "bob", None),
        (4, "service", "nick", "bob", "bobby"),
        (5, "service", "mode", "alice", None),
        (6, "leave", "part", "carol", "carol"),
        (7, "leave", "quit", "dave", "dave"),
        (8, "removal", "admin", "alice", "spammer"),
        (10, "service", "topic", "alice", None),
    ]
    assert events(path)[3].ts_original == "2024-03-05 09:02:30"


def test_znc_layout_names_the_channel_by_its_folder() -> None:
    path = IRC / "znc" / "#shequn" / "2024-03-05.log"
    recs = records(path)
    assert recs[0].native_id == "#shequn"
    assert [(seq, kind, sub, actor, target) for seq, kind, sub, actor, target, _, _ in rows(path)] == [
        (0, "join", "link", "alice", "alice"),
        (1, "message", "text", "alice", None),
        (2, "message", "text", "alice", None),
        (3, "service", "nick", "bob", "bobby"),
        (4, "service", "mode", "alice", None),
        (5, "leave", "part", "carol", "carol"),
        (6, "leave", "quit", "dave", "dave"),
        (7, "removal", "admin", "alice", "spammer"),
        (8, "service", "topic", "alice", None),
        (9, "message", "text", "bobby", None),
    ]


def test_limnoria_layout_with_and_without_offsets() -> None:
    path = IRC / "#ceph.2012-10-17.log"
    recs = records(path, tz="Asia/Shanghai")
    assert [r for r in recs if type(r) is Skip] == [Skip("unrecognised line", "line 12")]  # <joao&gt;
    got = {e.seq: e for e in recs if type(e) is Event}
    assert [(s, got[s].kind, got[s].subkind, got[s].actor_name, got[s].target_name) for s in sorted(got)] == [
        (0, "message", "text", "benpol", None),
        (1, "message", "text", "benpol", None),
        (2, "message", "text", "benpol", None),
        (3, "leave", "quit", "MikeMcClurg", "MikeMcClurg"),
        (4, "join", "link", "Tv_", "Tv_"),
        (5, "removal", "admin", "joao", "Tv_"),
        (6, "service", "nick", "dty_", "dty"),
        (7, "service", "mode", "joao", None),
        (8, "message", "text", "supy-bot", None),
        (9, "message", "text", "joao", None),
    ]
    assert (iso(got[8].ts_us), got[8].ts_original, got[8].tz_assumed) == (
        "2012-10-17 09:42:10",
        "2012-10-17T11:42:10+0200",
        None,
    )
    assert (iso(got[9].ts_us), got[9].tz_assumed) == ("2012-10-17 01:43:00", "Asia/Shanghai")  # no offset


def test_prefixed_layout_of_the_new_domains() -> None:
    path = IRC / "prefixed.txt"
    assert records(path)[0].native_id == "#ubuntu-meeting"
    got = events(path)
    assert [(e.kind, e.actor_name, e.text, iso(e.ts_us)) for e in got] == [
        ("message", "rodrigo_", "the new gnome-control-center panel?", "2010-11-08 13:21:00"),
        ("service", "yofel_", None, "2010-11-08 13:21:00"),  # same day, no time: the time before
        ("message", "stgraber", "waves", "2010-11-08 19:05:00"),
        ("service", "lukjad", None, "2010-11-09 00:00:00"),  # a new day without a time: its midnight
        ("message", "ubottu", "python-gtk2 (source: pygtk): Python bindings", "2010-11-09 13:18:00"),
        ("message", "persia", "tab after the nick", "2010-11-09 13:19:00"),
    ]


def test_linux_channel_rooms_quits_and_kicks() -> None:
    path = IRC / "linux_2008-01-01.txt"
    assert records(path)[0].native_id == "##linux"  # named by the mode line
    assert [(k, s, a, t, attrs) for _, k, s, a, t, _, attrs in rows(path) if k != "message"] == [
        ("join", "link", "Nella", "Nella", None),
        ("leave", "quit", "Delmer", "Delmer", {"reason": "Remote closed the connection"}),
        ("leave", "part", "Alice", "Alice", None),
        ("leave", "part", "Juana", "Juana", {"reason": '"Leaving"'}),
        ("removal", "admin", "Kacy", "Johnathon", {"reason": "WildPikachu"}),
        ("removal", "admin", "Gregg", "Lilliana", None),
        ("service", "mode", "ChanServ", None, {"mode": "+o Gregg"}),
    ]


def test_each_line_is_decoded_on_its_own() -> None:
    got = [(e.text, e.attrs) for e in events(IRC / "mixed_encoding_2005-02-08.txt", chat_name="#ubuntu")]
    assert got == [
        ("plain utf-8: café", None),
        ("cp1252 quotes: “hi” and café", {"decoded_as": "cp1252"}),
        ("latin-1 only: \x81 byte", {"decoded_as": "latin-1"}),
        ("你好 again utf-8", None),
    ]


def test_channel_name_from_group_gets_its_hash() -> None:
    path = IRC / "twelve_hour_2005-07-06.txt"
    assert records(path, chat_name="ubuntu")[0].native_id == "#ubuntu"
    assert records(path, chat_name="&local")[0].native_id == "&local"
    assert records(UBUNTU, chat_name="#other")[0].native_id == "#ubuntu"  # the lines name it


# -- errors --------------------------------------------------------------------------------


def test_time_only_lines_need_a_dated_file_name() -> None:
    with pytest.raises(SourceFormatError, match="name the file after its day") as err:
        records(IRC / "undated.txt", chat_name="#x")
    assert err.value.where == "line 1"


def test_impossible_time_names_the_line() -> None:
    with pytest.raises(SourceFormatError) as err:
        records(IRC / "bad_time_2024-03-05.txt", chat_name="#x")
    assert (err.value.where, err.value.problem) == ("line 3", "'25:61' is not a valid date and time")


def test_line_outside_the_layout_names_the_line() -> None:
    with pytest.raises(SourceFormatError, match="expected a bracket line like") as err:
        records(IRC / "not_a_log_line_2024-03-05.txt", chat_name="#x")
    assert err.value.where == "line 3"


def test_channel_must_be_known() -> None:
    with pytest.raises(SourceFormatError, match="pass --group"):
        records(IRC / "twelve_hour_2005-07-06.txt")


def test_a_file_that_is_no_log_is_an_error_when_forced() -> None:
    with pytest.raises(SourceFormatError, match="expected an IRC log"):
        records(Path(__file__))  # this test module


# -- through the log -----------------------------------------------------------------------


def test_import_detects_and_double_import_adds_nothing(store: Store) -> None:
    first = import_file(store, UBUNTU)
    assert first.importer == "irc"
    # 9 messages (actions, the notice and the empty one included) by alice, bob, bur[n]er, carol, ubottu, bobby
    assert (first.messages_read, first.members_seen, first.groups_seen) == (9, 6, 1)
    assert first.skipped == {"server notice": 1}
    again = import_file(store, UBUNTU)
    assert (again.events_added, again.duplicates) == (0, first.events_added)


def test_overlapping_log_adds_only_the_new_part(store: Store, tmp_path: Path) -> None:
    lines = (IRC / "irssi.log").read_text().splitlines(keepends=True)
    early, late = tmp_path / "early", tmp_path / "late"
    early.mkdir(), late.mkdir()
    (early / "#shequn.log").write_text("".join(lines[:10]))  # marker, join, … up to the topic change
    (late / "#shequn.log").write_text("".join(lines[:1] + lines[5:]))  # from the action on
    first = import_file(store, early / "#shequn.log")
    assert first.events_added == 8
    second = import_file(store, late / "#shequn.log")
    assert (second.events_added, second.duplicates) == (4, 5)  # new: part, quit, kick, the line past midnight
    assert one(store, "SELECT count(*) FROM events") == len(events(IRC / "irssi.log"))


def test_corrupted_log_leaves_the_log_unchanged(store: Store, tmp_path: Path) -> None:
    import_file(store, UBUNTU)
    before = one(store, "SELECT count(*) FROM events")
    broken = tmp_path / "#ubuntu.2024-03-06.txt"
    broken.write_text("[10:00] <ann> fine\n[10:01] <ben> fine\n[10:02] <ann> ok\n[99:00] <ben> broken\n")
    with pytest.raises(SourceFormatError, match="line 4"):
        import_file(store, broken)
    assert one(store, "SELECT count(*) FROM events") == before
    status, error = store.con.execute("SELECT status, error FROM imports ORDER BY import_id DESC LIMIT 1").fetchall()[0]
    assert status == "failed" and "line 4" in error


def test_progress_reports_bytes_read() -> None:
    seen: list[int] = []
    list(irc.read(UBUNTU, ReadOptions(progress=seen.append)))
    assert seen and seen[-1] == UBUNTU.stat().st_size


# -- real exports --------------------------------------------------------------------------


@pytest.mark.samples
def test_ubuntu_dev_files(store: Store, samples: Path) -> None:
    dev = sorted((samples / SAMPLES_IRC / "dev").glob("*.raw.txt"))
    assert len(dev) == 10
    for path in dev:
        import_file(store, path, group="#ubuntu")  # files after 2007 carry no join line naming it
    # Counted over the raw files (12,500 lines), in the dev folder:
    #   cat *.raw.txt | grep -cE '^\[[0-9:]+\] <'                                  -> 11615 messages
    #   cat *.raw.txt | grep -cE '^\[[0-9:]+\]  \* '                               -> 29 actions
    #   cat *.raw.txt | grep -E '^=== ' | grep -vcE 'has joined #|has left #|is now known as|^=== mode/'
    #                                                                              -> 41 old-style actions
    #   cat *.raw.txt | grep -cE '^=== .* has joined #'                            -> 496
    #   cat *.raw.txt | grep -cE '^=== .* has left #'                              -> 48
    #   cat *.raw.txt | grep -cE '^=== \S+ is now known as'                        -> 268
    #   cat *.raw.txt | grep -cE '^=== mode/'                                      -> 3   (sum: 12,500)
    # Speakers: the nicks of those three message forms, "] " inside <…> closed up, lower-cased:
    #   { grep -hE '^\[[0-9:]+\] <[^>]*>' *.raw.txt | sed -E 's/^\[[0-9:]+\] <([^>]*)>.*/\1/; s/\] /]/g; s/ +$//';
    #     grep -hE '^\[[0-9:]+\]  \* \S+' *.raw.txt | awk '{print $3}';
    #     grep -h '^=== ' *.raw.txt | grep -vE 'has joined #|has left #|is now known as|^=== mode/'
    #     | awk '{print $2}'; }
    #   | tr A-Z a-z | sort -u | wc -l                                             -> 1219
    counts = kind_counts(store)
    assert counts == {
        "message:text": 11615 + 29 + 41,
        "join:link": 496,
        "leave:part": 48,
        "service:nick": 268,
        "service:mode": 3,
    }
    assert one(store, "SELECT count(DISTINCT identity_id) FROM events WHERE kind = 'message'") == 1219
    assert one(store, "SELECT count(*) FROM groups") == 1


@pytest.mark.samples
def test_ubuntu_dev_seq_is_the_raw_line_index(samples: Path) -> None:
    """Every line the gold annotations link is the event whose seq is its number."""
    linked_lines = 0
    for raw in sorted((samples / SAMPLES_IRC / "dev").glob("*.raw.txt")):
        lines = raw.read_text(encoding="utf-8").split("\n")
        by_seq = {e.seq: e for e in events(raw, chat_name="#ubuntu")}
        for e in by_seq.values():
            assert e.pos == f"line {e.seq + 1}"
            assert e.actor_name is not None and e.actor_name.replace("]", "") in lines[e.seq].replace("] ", "]")
            assert e.text is None or e.text in lines[e.seq]
        annotation = raw.with_name(raw.name.replace(".raw.", ".annotation."))
        linked = {int(n) for line in annotation.read_text().splitlines() for n in line.split()[:2]}
        assert linked <= by_seq.keys(), raw.name
        linked_lines += len(linked)
    assert linked_lines == 2533  # distinct line numbers in the dev annotation files' first two columns


@pytest.mark.samples
def test_ubuntu_dev_days_and_clocks(samples: Path) -> None:
    dev = samples / SAMPLES_IRC / "dev"
    # 2011-11-13_02: the 1,000 context lines start at 21:29 the evening before; the named day is the last line's
    got = events(dev / "2011-11-13_02.raw.txt", chat_name="#ubuntu")
    assert (iso(got[0].ts_us), iso(got[-1].ts_us)) == ("2011-11-12 21:29:00", "2011-11-13 03:26:00")
    # 2004-11-15_03: a 12-hour clock without AM/PM, [12:59] then [01:00]: times keep going forward
    got = events(dev / "2004-11-15_03.raw.txt")
    assert [iso(e.ts_us)[11:16] for e in got if e.seq in (387, 388)] == ["12:59", "13:00"]


@pytest.mark.samples
def test_supybot_sample(store: Store, samples: Path) -> None:
    summary = import_file(store, samples / "irc" / "perceval-supybot" / "supybot_valid.log")
    # 99 lines, 1 blank. In supybot_valid.log:
    #   grep -cE '^\S+  <[^ >]+>'      -> 49 messages (one empty: "<benpol>")
    #   grep -cE '^\S+  \* '           -> 1 action;  grep -cE '^\S+  -\S+- ' -> 1 notice (-supy-bot-)
    #   grep -c 'has joined' -> 22;  grep -c 'has quit' -> 21;  grep -c 'now known' -> 3
    #   one line "<joao&gt; …" has an HTML-escaped bracket and is no IRC line
    # Speakers: { grep -E '^\S+  <[^ >]+>' | sed -E 's/^\S+  <([^>]+)>.*/\1/'; grep -E '^\S+  \* ' | awk '{print $3}';
    #             grep -oE '^\S+  -[^ ]+-' | sed -E 's/^\S+  -(.*)-$/\1/'; } | tr A-Z a-z | sort -u | wc -l -> 13
    assert (summary.messages_read, summary.members_seen, summary.groups_seen) == (51, 13, 1)
    assert summary.skipped == {"unrecognised line": 1}
    counts = kind_counts(store)
    assert counts == {"message:text": 51, "join:link": 22, "leave:quit": 21, "service:nick": 3}
    assert store.con.execute("SELECT native_id FROM groups").fetchall() == [("#ceph",)]
    assert one(store, "SELECT count(*) FROM events WHERE tz_assumed IS NOT NULL") == 0  # every line has +0000


@pytest.mark.samples
def test_channel_two_needs_a_day_and_then_reads_every_line(samples: Path, tmp_path: Path) -> None:
    original = samples / SAMPLES_IRC / "channel-two" / "channel-two.all.raw.txt"
    with pytest.raises(SourceFormatError, match="name the file after its day"):
        records(original)
    dated = tmp_path / "linux_2008-01-01.txt"
    shutil.copy(original, dated)
    # 2601 lines in channel-two.all.raw.txt:
    #   grep -cE '^\[[0-9:]+\] <'               -> 1915 messages
    #   grep '^=== ' | grep -vcE 'entered the room|left the room|now known|=== mode/'  -> 31 actions
    #   grep -c 'entered the room' -> 306;  grep -c 'left the room (quit:' -> 274
    #   grep -cE 'left the room \((Kicked|requested)' -> 2;  grep -c 'left the room' -> 334 (58 parts)
    #   grep -c 'is now known as' -> 10;  grep -c '=== mode/' -> 5
    recs = records(dated)
    assert recs[0].native_id == "##linux"
    kinds: dict[str, int] = {}
    for e in recs[1:]:
        kinds[f"{e.kind}:{e.subkind}"] = kinds.get(f"{e.kind}:{e.subkind}", 0) + 1
    assert kinds == {
        "message:text": 1915 + 31,
        "join:link": 306,
        "leave:quit": 274,
        "leave:part": 58,
        "removal:admin": 2,
        "service:nick": 10,
        "service:mode": 5,
    }


@pytest.mark.samples
def test_new_domain_files(samples: Path) -> None:
    folder = samples / SAMPLES_IRC / "new-domains"
    # Per file: grep -cE '^\S+ \S+ \[[0-9:]+\] <' (messages), grep -cE '^\S+ \S+ (\[[0-9:]+\])? +\* ' (actions),
    # grep -cE '^\S+ \S+ \[[0-9:]+\] -\S+- ' (notices), grep -c ' is now known as ': together all 1,200 lines.
    expected = {
        "mediawiki": (1174 + 26, 0),
        "rust": (1179 + 5 + 16, 0),
        "stripe": (1200, 0),
        "ubuntu-meeting": (1121 + 46 + 6, 27),
    }
    for name, (messages, nicks) in expected.items():
        recs = records(folder / f"{name}.0.ascii.txt")
        assert recs[0].native_id == f"#{name}"
        got = [r for r in recs[1:] if type(r) is Event]
        assert len(got) == 1200
        assert (sum(e.kind == "message" for e in got), sum(e.subkind == "nick" for e in got)) == (messages, nicks)

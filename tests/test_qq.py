"""The QQ importer: message-manager TXT exports (FORMATS.md §6).

No real QQ group export is public (FORMATS.md §13); the fixtures in ``tests/data/qq/`` are
written by hand from §6, one trap per file: GB18030, UTF-16, 12-hour clocks, several chats in
one file, a bad byte, an impossible date. Counts in comments were taken with grep, as noted.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from shequn import sources
from shequn.errors import SourceFormatError
from shequn.importer import import_file
from shequn.model import Alias, Chat, Event
from shequn.sources import qq
from shequn.sources._base import ReadOptions, local_to_utc_us, zone
from shequn.sources._qq_clock import WallClock
from shequn.sources._qq_encoding import DecodedLines
from shequn.sources._zh_system import parse_qq_system
from shequn.store import Store

DATA = Path(__file__).parent / "data" / "qq"
GROUP = DATA / "开源社区交流群.txt"
SHANGHAI = ReadOptions(tz="Asia/Shanghai")
T0 = 1_569_242_618_000_000  # 2019-09-23 20:43:38 Asia/Shanghai, in UTC epoch µs


def records(path: Path, options: ReadOptions = SHANGHAI) -> list:
    return list(qq.read(path, options))


def events(path: Path, options: ReadOptions = SHANGHAI) -> list[Event]:
    return [r for r in records(path, options) if type(r) is Event]


def count(store: Store, sql: str = "SELECT count(*) FROM events") -> int:
    return store.con.execute(sql).fetchall()[0][0]


# -- detection --------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(DATA.glob("*.txt")), ids=lambda p: p.name)
def test_every_fixture_is_detected_as_qq(path: Path) -> None:
    assert sources.detect(path).NAME == "qq"


@pytest.mark.parametrize(
    "text",
    [
        "2024-03-02 10:01:00 张三\n欢迎两位！\n\n2024-03-02 10:02:00 老李\n谢谢\n",  # MemoTrace WeChat TXT
        "2024-03-12 09:14:02 - Ada: hello\n",  # WhatsApp-like
        "[2024-03-12 09:14:02] Ada: hello\n",
        "localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime\n",
    ],
)
def test_sniff_leaves_other_formats_alone(tmp_path: Path, text: str) -> None:
    path = tmp_path / "x.txt"
    path.write_text(text, encoding="utf-8")
    assert not qq.sniff(path, sources.head_of(path))


@pytest.mark.samples
def test_sniff_claims_no_real_sample_of_another_carrier(samples: Path) -> None:
    files = [p for p in samples.rglob("*") if p.is_file()]
    assert len(files) > 100
    assert [p for p in files if qq.sniff(p, sources.head_of(p))] == []


# -- the main fixture -------------------------------------------------------------------


def test_group_chat_from_the_section_header() -> None:
    assert records(GROUP)[0] == Chat("qq", "开源社区交流群", "开源社区交流群", "我的群聊")


def test_group_events() -> None:
    evs = events(GROUP)
    # grep -cE '^[0-9]{4}-' -> 13 header-like lines, one inside a message: 12 blocks;
    # grep -cE '^[0-9]{4}-.*系统消息' -> 4 system lines, so 8 messages.
    assert len(evs) == 12
    assert Counter((e.kind, e.subkind) for e in evs) == {
        ("message", "text"): 6,
        ("message", "media"): 1,
        ("message", "sticker"): 1,
        ("join", None): 1,
        ("leave", None): 1,
        ("removal", "admin"): 1,
        ("service", "recall"): 1,
    }
    assert [e.seq for e in evs] == list(range(12))


def test_times_are_wall_clock_in_the_given_zone() -> None:
    first = events(GROUP)[0]
    assert (first.ts_us, first.ts_original, first.tz_assumed, first.pos) == (
        T0,
        "2019-09-23 20:43:38",
        "Asia/Shanghai",
        "line 9",
    )
    assert events(GROUP, ReadOptions(tz="UTC"))[0].ts_us == T0 + 8 * 3600 * 1_000_000


def test_senders_qq_number_email_titles_and_brackets() -> None:
    got = [(e.actor_id, e.actor_name, (e.attrs or {}).get("titles")) for e in events(GROUP) if e.kind == "message"]
    assert got == [
        ("10001", "小明", None),
        ("10002", "小红", None),
        ("laowang@example.com", "老王", ["管理员"]),
        ("10001", "小明", None),
        ("10003", "小明(二班)", None),  # brackets in the nickname: the last (digits) is the number
        ("10004", None, None),  # no nickname, only the number
        ("10005", "大刘", ["群主", "活跃"]),
        ("10005", "大刘", ["群主", "活跃"]),
    ]


def test_multi_line_bodies() -> None:
    texts = [e.text for e in events(GROUP) if e.kind == "message"]
    assert "欢迎\n[图片]" in texts  # text with a placeholder stays text
    assert "今晚八点开会，议程：\n2019-09-24 09:00:00 小明(10001)\n上面这行是我贴的旧记录" in texts
    assert "第一段\n\n第二段在空行之后" in texts


def test_placeholders_are_media_and_stickers() -> None:
    media = [(e.subkind, e.attrs, e.text) for e in events(GROUP) if e.kind == "message" and e.text is None]
    assert media == [("sticker", None, None), ("media", {"media": "voice"}, None)]


def test_system_lines() -> None:
    got = [(e.kind, e.actor_name, e.target_name, e.text) for e in events(GROUP) if e.kind != "message"]
    assert got == [
        ("join", "小红", "小红", "小红加入本群。"),
        ("service", "小明", None, "小明撤回了一条消息"),
        ("leave", "阿强", "阿强", "阿强退出了本群"),
        ("removal", None, "小黑", "小黑被管理员移出本群"),
    ]
    assert all(e.actor_id != "10000" for e in events(GROUP))  # the pseudo-sender is no member


def test_names_in_system_lines_resolve_to_qq_numbers() -> None:
    aliases = [r for r in records(GROUP) if type(r) is Alias]
    # 阿强 and 小黑 never wrote a message here, so they stay names.
    assert [(a.name, a.native_id) for a in aliases] == [("小明", "10001"), ("小红", "10002")]


def test_identical_messages_in_one_second_stay_two_events() -> None:
    same = [e for e in events(GROUP) if e.text == "收到"]
    assert len(same) == 2 and same[0].key != same[1].key


# -- encodings --------------------------------------------------------------------------


def test_gb18030_file() -> None:
    recs = records(DATA / "书法群_gb18030.txt")
    assert recs[0] == Chat("qq", "老年大学书法群", "老年大学书法群", "我的群聊")
    assert [(e.kind, e.text) for e in recs if type(e) is Event] == [
        ("message", "今天练习楷书"),
        ("join", "李阿姨加入本群。"),
        ("message", "老师好，请多指教"),
    ]


def test_utf16_file_with_bom() -> None:
    assert [e.text for e in events(DATA / "utf16_le_bom.txt")] == ["大家好"]


def test_decoder_reports_which_encoding_it_used() -> None:
    lines = DecodedLines(DATA / "书法群_gb18030.txt")
    assert next(iter(lines))[1].startswith("消息记录")
    assert lines.encoding == "gb18030"


def test_bad_byte_names_the_line() -> None:
    # The file is UTF-8 up to line 13, which holds "\xff\xfe broken" (LC_ALL=C grep -an $'\xff' bad_byte.txt).
    with pytest.raises(SourceFormatError, match=r"bad_byte\.txt: line 13: bytes b'\\xff\\xfe b' .* not UTF-8"):
        records(DATA / "bad_byte.txt")


# -- clocks, sections, no banner --------------------------------------------------------


def test_twelve_hour_clocks() -> None:
    got = [(e.ts_original, e.ts_us) for e in events(DATA / "twelve_hour_clock.txt", ReadOptions(tz="UTC"))]
    assert got == [
        ("2019-09-23 8:43:38 PM", 1_569_271_418_000_000),  # 20:43:38
        ("2019-09-24 12:05:00 AM", 1_569_283_500_000_000),  # 00:05:00
        ("2026-09-15 上午 08:00:00", 1_789_459_200_000_000),  # 08:00:00
        ("2026-09-15 下午 12:30:00", 1_789_475_400_000_000),  # 12:30:00
    ]


def test_several_chats_in_one_file() -> None:
    recs = records(DATA / "全部消息记录.txt")
    chats = [r for r in recs if type(r) is Chat]
    assert chats == [
        Chat("qq", "开源社区交流群", "开源社区交流群", "我的群聊"),
        Chat("qq", "周末爬山讨论组", "周末爬山讨论组", "多人聊天"),
        Chat("qq", "张老师", "张老师", "我的好友"),
    ]
    by_chat = [(e.chat_id, e.actor_id, e.actor_name) for e in recs if type(e) is Event]
    assert by_chat == [
        ("开源社区交流群", "10001", "小明"),
        ("周末爬山讨论组", None, "阿强"),  # discussion groups show nicknames only
        ("周末爬山讨论组", None, "小红"),
        ("张老师", "30001", "张老师"),
    ]
    # Every chat is declared before its events.
    declared: set[str] = set()
    for rec in recs:
        if type(rec) is Chat:
            declared.add(rec.native_id)
        elif type(rec) is Event:
            assert rec.chat_id in declared


def test_file_without_banner_is_named_by_group_option_or_file_name() -> None:
    assert records(DATA / "no_banner.txt")[0].native_id == "no_banner"
    named = records(DATA / "no_banner.txt", ReadOptions(tz="Asia/Shanghai", chat_name="开源社区交流群"))
    assert named[0].native_id == "开源社区交流群"


def test_impossible_date_names_the_line() -> None:
    with pytest.raises(SourceFormatError, match=r"bad_date\.txt: line 12: '2019-02-30 10:00:00' is not a valid"):
        records(DATA / "bad_date.txt")


def test_text_before_any_header_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "odd.txt"
    path.write_text("消息对象:x\n2019-09-23 20:43:38 小明(10001)\n大家好\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="line 1: expected a message header"):
        records(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("小红加入本群。", ("join", None, None, ((None, "小红"),))),
        ("小红(10002)加入本群", ("join", None, None, (("10002", "小红"),))),
        ("老王邀请小红、小黑加入了本群", ("join", "added", "老王", ((None, "小红"), (None, "小黑")))),
        ("阿强退出了本群", ("leave", None, "阿强", ((None, "阿强"),))),
        ("小黑被管理员移出本群", ("removal", "admin", None, ((None, "小黑"),))),
        ("小黑被老王移出了本群", ("removal", "admin", "老王", ((None, "小黑"),))),
        ("小明撤回了一条消息", ("service", "recall", "小明", ())),
        ("群公告已更新", ("service", "system", None, ())),
    ],
)
def test_qq_system_grammar(text: str, expected: tuple) -> None:
    action = parse_qq_system(text)
    targets = tuple((t.native_id, t.name) for t in action.targets)
    assert (action.kind, action.subkind, action.actor.name if action.actor else None, targets) == expected


# -- through the importer ---------------------------------------------------------------


def test_import_detects_and_second_import_adds_nothing(store: Store) -> None:
    first = import_file(store, GROUP, tz="Asia/Shanghai")
    # 12 events + 2 merges from the aliases; 8 messages by 6 accounts (10001, 10002, laowang@,
    # 10003, 10004, 10005).
    assert (first.importer, first.events_added, first.messages_read, first.members_seen) == ("qq", 14, 8, 6)
    again = import_file(store, GROUP, tz="Asia/Shanghai")
    assert (again.events_added, again.duplicates) == (0, 14)
    assert count(store) == 14


def test_overlapping_exports_add_only_the_new_part(store: Store) -> None:
    earlier = import_file(store, DATA / "overlap_earlier.txt", tz="Asia/Shanghai")
    later = import_file(store, DATA / "overlap_later.txt", tz="Asia/Shanghai")
    assert (earlier.events_added, later.events_added, later.duplicates) == (3, 1, 2)
    assert count(store) == 4


def test_corrupted_file_leaves_the_log_unchanged(store: Store) -> None:
    import_file(store, DATA / "overlap_earlier.txt", tz="Asia/Shanghai")
    with pytest.raises(SourceFormatError, match=r"line 13"):
        import_file(store, DATA / "bad_byte.txt", tz="Asia/Shanghai")
    assert count(store) == 3
    status = store.con.execute("SELECT status, error FROM imports ORDER BY import_id DESC LIMIT 1").fetchall()[0]
    assert status[0] == "failed" and "bad_byte.txt: line 13" in status[1]


# -- streaming and clocks ---------------------------------------------------------------


def test_records_stream_before_the_file_is_read_through() -> None:
    # bad_byte.txt breaks on line 13; the chat and the first message come out before that.
    stream = qq.read(DATA / "bad_byte.txt", SHANGHAI)
    chat, first = next(stream), next(stream)
    assert (type(chat), first.text) == (Chat, "大家好")
    with pytest.raises(SourceFormatError):
        next(stream)


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"])
def test_wall_clock_agrees_with_the_zone_through_clock_changes(tz: str) -> None:
    clock = WallClock(tz)
    when = datetime(2023, 1, 1)
    while when < datetime(2024, 1, 1):  # every 47 min 13 s for a year: each change is crossed
        parts = (when.year, when.month, when.day, when.hour, when.minute, when.second)
        assert clock.utc_us(*parts) == local_to_utc_us(when, zone(tz)), when
        when += timedelta(minutes=47, seconds=13)

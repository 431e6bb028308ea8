"""The WeChat importer: MemoTrace CSV and TXT, PyWxDump CSV (FORMATS.md §5).

No real WeChat export is public (FORMATS.md §13), so the fixtures in ``tests/data/wechat/``
are written by hand from MemoTrace's and PyWxDump's exporter code, one trap per file where
that makes sense. Counts in comments were taken from the files with grep, as noted.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import msgspec
import pytest

from shequn import sources
from shequn.errors import SourceFormatError
from shequn.importer import import_file
from shequn.model import Alias, Chat, Event, Skip
from shequn.sources import wechat
from shequn.sources._base import ReadOptions
from shequn.sources._wechat_common import RecentTexts, chat_of
from shequn.sources._zh_system import parse_wechat_system
from shequn.store import Store

DATA = Path(__file__).parent / "data" / "wechat"
GROUP_CSV = DATA / "开源读书会(20001234567@chatroom)" / "开源读书会_utf8.csv"
GROUP_TXT = DATA / "开源读书会.txt"
PYWXDUMP = DATA / "pywxdump" / "20001234567@chatroom_0_5001.csv"
SHANGHAI = ReadOptions(tz="Asia/Shanghai")
T0 = 1_709_344_800_000_000  # 2024-03-02 10:00:00 Asia/Shanghai, in UTC epoch µs


def records(path: Path, options: ReadOptions = SHANGHAI) -> list:
    return list(wechat.read(path, options))


def events(path: Path, options: ReadOptions = SHANGHAI) -> list[Event]:
    return [r for r in records(path, options) if type(r) is Event]


def head(path: Path) -> bytes:
    return sources.head_of(path)


def count(store: Store, sql: str = "SELECT count(*) FROM events") -> int:
    return store.con.execute(sql).fetchall()[0][0]


# -- detection --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [GROUP_CSV, GROUP_TXT, PYWXDUMP, DATA / "李四_short_rows_utf8.csv", DATA / "excel_resaved_gbk_utf8.csv"],
    ids=lambda p: p.name,
)
def test_sniff_claims_every_variant(path: Path) -> None:
    assert wechat.sniff(path, head(path))
    assert sources.detect(path).NAME == "wechat"


@pytest.mark.parametrize(
    "text",
    [
        "2024-03-12 09:14:02 - Ada: hello\n2024-03-12 09:15:00 - Tunde: hi\n",  # WhatsApp-like, ISO dates
        "2024-03-05 12:34:56\tnick\thello\n2024-03-05 12:35:00\t-->\tbob has joined\n",  # WeeChat
        '2016-07-07 20:40:56.609000 {"type":"message","content":"hi"}\n',  # IndieWeb JSON lines
        "消息记录（此消息记录为文本格式，不支持重新导入）\n\n2019-09-23 20:43:38 小明(10001)\n大家好\n",  # QQ
        "2019-09-23 20:43:38 小明(10001)\n大家好\n\n2019-09-23 20:44:00 小红(10002)\n你好\n",  # QQ without banner
        "AuthorID,Author,Date,Content,Attachments,Reactions\n1,a,2020-01-01,hi,,\n",  # DiscordChatExporter CSV
        "2024-03-02 10:00:00 只有一行系统消息\n",  # a log line alone: no message body under a header
    ],
)
def test_sniff_leaves_other_formats_alone(tmp_path: Path, text: str) -> None:
    path = tmp_path / "x.txt"
    path.write_text(text, encoding="utf-8")
    assert not wechat.sniff(path, head(path))


@pytest.mark.samples
def test_sniff_claims_no_real_sample_of_another_carrier(samples: Path) -> None:
    files = [p for p in samples.rglob("*") if p.is_file()]
    assert len(files) > 100  # the shared samples: Discord, Slack, Telegram, WhatsApp, IRC, mbox…
    claimed = [p for p in files if wechat.sniff(p, sources.head_of(p))]
    assert claimed == []


def test_forced_format_on_a_foreign_file_names_the_place(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"notes\.txt: line 1: expected a MemoTrace CSV header"):
        records(path)


# -- MemoTrace CSV ----------------------------------------------------------------------


def test_memotrace_chat_id_is_the_talker_id_in_the_folder_name() -> None:
    chat = records(GROUP_CSV)[0]
    assert chat == Chat("wechat", "20001234567@chatroom", "开源读书会", "chatroom")


def test_chat_falls_back_to_group_option_then_file_name(tmp_path: Path) -> None:
    plain = tmp_path / "读书会(二群)" / "读书会(二群)_utf8.csv"  # a remark in parentheses is no talker id
    assert chat_of(plain, SHANGHAI, suffix="_utf8").native_id == "读书会(二群)"
    assert chat_of(plain, ReadOptions(chat_name="读书会"), suffix="_utf8").native_id == "读书会"


def test_memotrace_group_events_in_file_order() -> None:
    evs = events(GROUP_CSV)
    # 20 data rows (grep -c '^[0-9]' on the CSV) -> 21 events: the first row invites two members.
    assert len(evs) == 21
    assert [e.seq for e in evs] == list(range(21))
    kinds = Counter((e.kind, e.subkind) for e in evs)
    assert kinds == {
        ("message", "text"): 8,
        ("message", "media"): 3,
        ("message", "sticker"): 1,
        ("message", "other"): 1,
        ("join", "added"): 2,
        ("join", "link"): 1,
        ("rename", None): 1,
        ("removal", "admin"): 1,
        ("service", "recall"): 2,
        ("service", "pat"): 1,
    }


def test_memotrace_uses_create_time_and_keeps_str_time() -> None:
    first_text = events(GROUP_CSV)[2]
    assert (first_text.ts_us, first_text.ts_original, first_text.tz_assumed) == (
        T0 + 60_000_000,
        "2024-03-02 10:01:00",
        None,  # CreateTime is epoch: no zone was assumed
    )
    # The --tz option must not move epoch times.
    assert events(GROUP_CSV, ReadOptions(tz="America/New_York"))[2].ts_us == T0 + 60_000_000


def test_memotrace_sender_wxid_and_nickname() -> None:
    evs = {e.text: e for e in events(GROUP_CSV) if e.kind == "message" and e.text}
    li = evs["谢谢邀请，大家好"]
    assert (li.actor_id, li.actor_name) == ("wxid_li4", "李四")  # NickName, not the remark 老李
    me = evs["今晚七点读第三章\n请提前准备问题"]  # a multi-line text inside CSV quotes
    assert (me.actor_id, me.actor_name) == ("wxid_me0001", "书虫")
    gone = evs["我先退了"]  # a member who left: MemoTrace writes the wxid as every name
    assert (gone.actor_id, gone.actor_name) == ("wxid_gone9", None)


def test_memotrace_media_types_map_to_subkinds() -> None:
    media = [(e.subkind, (e.attrs or {}).get("media"), e.text) for e in events(GROUP_CSV) if e.subkind != "text"]
    messages = [m for m in media if m[0] in ("media", "sticker", "other")]
    assert messages == [
        ("media", "image", None),
        ("media", "voice", None),
        ("media", "video", None),
        ("sticker", None, None),
        ("other", "link", "Rust 2024 发布"),
    ]


def test_memotrace_system_lines() -> None:
    system = [e for e in events(GROUP_CSV) if e.kind != "message"]
    got = [(e.kind, e.subkind, e.actor_name, e.target_name, e.attrs) for e in system]
    assert got == [
        ("join", "added", "张三", "李四", None),
        ("join", "added", "张三", "王五", None),
        ("join", "link", "赵六", "赵六", {"inviter": "张三"}),
        ("rename", None, "张三", None, {"title": "开源读书会·第二季"}),
        ("removal", "admin", "你", "王五", None),
        ("service", "recall", "你", None, None),  # CDATA and the "重新编辑" link are stripped
        ("service", "recall", "李四", None, None),
        ("service", "pat", "赵六", "张三", None),
    ]
    assert system[5].text == "你撤回了一条消息"
    assert system[0].key != system[1].key and system[1].key == system[0].key + ":1"


def test_memotrace_names_from_system_lines_resolve_to_wxids() -> None:
    aliases = [r for r in records(GROUP_CSV) if type(r) is Alias]
    assert {(a.name, a.native_id) for a in aliases} == {
        ("你", "wxid_me0001"),  # the exporter: the IsSender=1 rows carry their wxid
        ("张三", "wxid_zhang3"),
        ("李四", "wxid_li4"),
        ("王五", "wxid_wang5"),
        ("赵六", "wxid_zhao6"),
    }


def test_memotrace_quoted_reply_links_to_the_quoted_message() -> None:
    evs = events(GROUP_CSV)
    quoted = next(e for e in evs if e.text == "谢谢邀请，大家好")
    reply = next(e for e in evs if e.text == "不客气，一起读书")
    assert reply.reply_to_key == quoted.key
    assert reply.attrs == {
        "quote": {"author_id": "wxid_li4", "author_name": "李四", "text": "谢谢邀请，大家好", "svrid": "4410021"}
    }


def test_quote_links_only_when_the_quoted_message_is_unique() -> None:
    evs = events(DATA / "quote_utf8.csv")
    by_text = {e.text: e for e in evs}
    assert by_text["十点，图书馆门口"].reply_to_key == by_text["周六几点见？"].key
    assert by_text["好的"].reply_to_key is None  # "收到" was said twice by 王五: ambiguous
    assert by_text["好的"].attrs["quote"]["text"] == "收到"
    assert by_text["哪条？"].reply_to_key is None  # quoted message is not in this export
    assert by_text["哪条？"].attrs["quote"]["text"] == "不在这份导出里的话"


def test_recent_texts_forget_the_oldest() -> None:
    recent = RecentTexts(limit=2)
    recent.add("a", "one", "k1")
    recent.add("a", "two", "k2")
    recent.add("a", "three", "k3")
    assert (recent.find("a", "one"), recent.find("a", "two"), recent.find("b", "two")) == (None, "k2", None)


def test_identical_messages_in_one_second_stay_two_events() -> None:
    plus = [e for e in events(GROUP_CSV) if e.text == "+1"]
    assert len(plus) == 2 and plus[0].key != plus[1].key


def test_mentions_end_with_four_per_em_space() -> None:
    ev = next(e for e in events(GROUP_CSV) if e.text and e.text.startswith("@张三"))
    assert ev.mention_names == ["张三"]


def test_sysmsg_xml_rows() -> None:
    evs = events(DATA / "sysmsg_xml_utf8.csv")
    got = [(e.kind, e.subkind, e.actor_id, e.actor_name, e.target_id, e.target_name) for e in evs]
    assert got == [
        # The template names members with their wxids: no alias needed.
        ("join", "added", "wxid_li4", "李四", "wxid_qian7", "钱七"),
        ("join", "added", "wxid_li4", "李四", "wxid_sun8", "孙八"),
        ("service", "recall", None, "钱七", None, None),
        ("service", "pat", "wxid_zhao6", None, "wxid_zhang3", None),
        ("service", "system", None, None, None, None),
        ("service", "system", None, None, None, None),  # not well-formed XML: kept, marked
    ]
    assert evs[0].text == '"李四"邀请"钱七、孙八"加入了群聊'
    assert evs[2].attrs == {"recalled_svrid": "7001"}
    assert evs[4].attrs == {"sysmsg_type": "roomtoolstips"}
    assert evs[5].attrs == {"sysmsg": "unreadable"}


def test_private_chat_rows_without_name_columns() -> None:
    evs = events(DATA / "李四_short_rows_utf8.csv")
    assert [(e.text, e.actor_id) for e in evs] == [("在吗", None), ("在", None)]


def test_csv_resaved_as_gbk_is_read_as_gb18030() -> None:
    evs = events(DATA / "excel_resaved_gbk_utf8.csv")
    assert [e.text for e in evs] == ["这份文件被 Excel 另存为了 GBK", "中文照样能读"]


def test_bad_create_time_names_the_line() -> None:
    with pytest.raises(SourceFormatError, match=r"bad_createtime_utf8\.csv: line 3: CreateTime: expected epoch"):
        records(DATA / "bad_createtime_utf8.csv")


def test_cut_off_csv_names_the_row(tmp_path: Path) -> None:
    data = GROUP_CSV.read_bytes()
    cut = tmp_path / "cut_utf8.csv"
    cut.write_bytes(data[: data.index("请提前准备问题".encode())])  # inside a quoted multi-line field
    with pytest.raises(SourceFormatError, match=r"line 6: not valid CSV"):
        records(cut)


def test_header_without_required_columns(tmp_path: Path) -> None:
    path = tmp_path / "x_utf8.csv"
    path.write_text("localId,TalkerId,Type,SubType,IsSender,CreateTime\n1,2,1,0,0,1\n", encoding="utf-8-sig")
    with pytest.raises(SourceFormatError, match=r"line 1: .*header lacks StrContent, StrTime"):
        list(wechat.read(path, SHANGHAI))


# -- MemoTrace TXT ----------------------------------------------------------------------


def test_txt_blocks() -> None:
    recs = records(GROUP_TXT)
    assert recs[0] == Chat("wechat", "开源读书会", "开源读书会", None)
    evs = [r for r in recs if type(r) is Event]
    # 20 blocks: grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2} ' gives 21 header-like lines, one of them
    # inside a message; 5 are system lines (grep -cE '… (邀请|通过扫描|修改群名|移出|撤回)').
    # The first system line invites two members -> 15 messages + 6 system events.
    assert len(evs) == 21
    assert Counter(e.kind for e in evs) == {"message": 15, "join": 3, "rename": 1, "removal": 1, "service": 1}


def test_txt_times_are_wall_clock_in_the_given_zone() -> None:
    ev = events(GROUP_TXT)[2]
    assert (ev.ts_us, ev.ts_original, ev.tz_assumed) == (T0 + 60_000_000, "2024-03-02 10:01:00", "Asia/Shanghai")
    assert events(GROUP_TXT, ReadOptions(tz="UTC"))[2].ts_us == T0 + 60_000_000 + 8 * 3600 * 1_000_000


def test_txt_body_line_that_looks_like_a_header_stays_in_the_message() -> None:
    ev = next(e for e in events(GROUP_TXT) if e.actor_name == "书虫")
    assert ev.text == "今晚七点读第三章\n2024-03-09 10:00:00 下周同一时间\n请提前准备问题"


def test_txt_blank_line_inside_a_message() -> None:
    ev = next(e for e in events(GROUP_TXT) if e.text and e.text.startswith("第一段"))
    assert ev.text == "第一段\n\n第二段在空行之后"


def test_txt_placeholders_and_link_block() -> None:
    evs = events(GROUP_TXT)
    media = [(e.subkind, (e.attrs or {}).get("media")) for e in evs if e.kind == "message" and e.text is None]
    assert media == [("media", "image"), ("media", "voice"), ("media", "video"), ("sticker", None)]
    link = next(e for e in evs if e.subkind == "other")
    assert link.attrs == {"media": "link"}
    assert link.text.splitlines()[0] == "[链接]:title:Rust 2024 发布"


def test_txt_quote_links_by_name_and_text() -> None:
    evs = events(GROUP_TXT)
    quoted = next(e for e in evs if e.text == "谢谢邀请，大家好")
    reply = next(e for e in evs if e.text == "不客气，一起读书")
    assert reply.reply_to_key == quoted.key
    assert reply.attrs == {"quote": {"author_name": "老李", "text": "谢谢邀请，大家好"}}
    unknown = next(e for e in evs if e.text == "这条引用的原文不在导出里")
    assert (unknown.reply_to_key, unknown.attrs) == (None, {"quote": {}})


def test_txt_names_are_unescaped() -> None:
    ev = next(e for e in events(GROUP_TXT) if e.text == "I'm new here")
    assert ev.actor_name == "O'Brien & Co"  # written as O\'Brien &amp; Co


def test_txt_system_lines() -> None:
    got = [(e.kind, e.subkind, e.actor_name, e.target_name) for e in events(GROUP_TXT) if e.kind != "message"]
    assert got == [
        ("join", "added", "张三", "李四"),
        ("join", "added", "张三", "王五"),
        ("join", "link", "赵六", "赵六"),
        ("rename", None, "张三", None),
        ("removal", "admin", "你", "王五"),
        ("service", "recall", "你", None),
    ]


def test_txt_invalid_date_names_the_line() -> None:
    with pytest.raises(SourceFormatError, match=r"bad_date\.txt: line 4: '2024-02-30 10:02:00' is not a valid"):
        records(DATA / "bad_date.txt")


# -- PyWxDump CSV -----------------------------------------------------------------------


def test_pywxdump_keys_are_server_ids() -> None:
    recs = records(PYWXDUMP)
    assert recs[0] == Chat("wechat", "20001234567@chatroom", "20001234567@chatroom", "chatroom")
    evs = [r for r in recs if type(r) is Event]
    messages = [e for e in evs if e.kind == "message"]
    assert [e.key for e in messages] == [f"880000000000000000{i}" for i in (2, 3, 4, 5, 6, 7, 9)]
    assert all(e.native_id == e.key for e in messages)
    assert [e.key for e in evs if e.kind == "join"] == ["8800000000000000001", "8800000000000000001:1"]
    recall = evs[-1]  # MsgSvrID 0: no server id, so a content key
    assert (recall.subkind, recall.native_id, recall.key[:2]) == ("recall", None, "h:")


def test_pywxdump_names_come_from_users_json() -> None:
    evs = events(PYWXDUMP)
    names = [(e.actor_id, e.actor_name, e.subkind, e.text) for e in evs if e.kind == "message"]
    assert names == [
        ("wxid_zhang3", "张三", "text", "欢迎两位！"),
        ("wxid_li4", "李四", "text", "谢谢邀请，大家好"),
        ("wxid_wang5", "王五", "media", None),
        (None, "我", "text", "今晚七点读第三章\n请提前准备问题"),  # PyWxDump writes the exporter as 我
        ("wxid_zhang3", "张三", "media", "语音时长：3.00秒"),
        ("wxid_zhang3", "张三", "text", "不客气，一起读书"),
        ("wxid_zhao6", "赵六", "other", names[-1][3]),
    ]
    assert names[-1][3].startswith("Rust 2024 发布\n")


def test_pywxdump_quote_found_by_time_and_text() -> None:
    evs = events(PYWXDUMP)
    reply = next(e for e in evs if e.text == "不客气，一起读书")
    assert reply.reply_to_key == "8800000000000000003"
    assert reply.attrs == {"quote": {"author_name": "李四", "text": "谢谢邀请，大家好"}}


def test_pywxdump_wall_clock_times() -> None:
    ev = events(PYWXDUMP)[2]
    assert (ev.ts_us, ev.tz_assumed) == (T0 + 60_000_000, "Asia/Shanghai")


def test_pywxdump_unreadable_users_json_is_a_counted_skip(tmp_path: Path) -> None:
    shutil.copy(PYWXDUMP, tmp_path / PYWXDUMP.name)
    (tmp_path / "users.json").write_text("{not json", encoding="utf-8")
    recs = records(tmp_path / PYWXDUMP.name)
    assert Skip("users.json is not a PyWxDump user list; names left out", "users.json") in recs
    messages = [e for e in recs if type(e) is Event and e.kind == "message"]
    assert {e.actor_name for e in messages} == {None, "我"}


# -- system-line grammar ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"A"邀请"B、C"加入了群聊', ("join", "added", "A", ("B", "C"))),
        ('你邀请"B"加入了群聊', ("join", "added", "你", ("B",))),
        ('"A"邀请你和"B"加入了群聊', ("join", "added", "A", ("你", "B"))),
        ('"B"通过扫描"A"分享的二维码加入群聊', ("join", "link", None, ("B",))),
        ('"A"将"B"移出了群聊', ("removal", "admin", "A", ("B",))),
        ('你被"A"移出群聊', ("removal", "admin", "A", ("你",))),
        ('"A"修改群名为“新名字”', ("rename", None, "A", ())),
        ('"B"与群里其他人都不是朋友关系，请注意隐私安全', ("service", "privacy_notice", None, ("B",))),
        ('"B"已成为新群主', ("service", "owner_change", None, ("B",))),
        ("群公告已更新", ("service", "system", None, ())),
    ],
)
def test_wechat_system_grammar(text: str, expected: tuple) -> None:
    action = parse_wechat_system(text)
    got = (
        action.kind,
        action.subkind,
        action.actor.name if action.actor else None,
        tuple(t.name for t in action.targets),
    )
    assert got == expected


# -- through the importer ---------------------------------------------------------------


def test_import_detects_and_second_import_adds_nothing(store: Store) -> None:
    first = import_file(store, GROUP_CSV, tz="Asia/Shanghai")
    assert (first.importer, first.events_added, first.messages_read, first.groups_seen) == ("wechat", 26, 13, 1)
    # 21 events + 5 merges from the aliases; 6 accounts wrote messages (one has left the group)
    assert first.members_seen == 6
    again = import_file(store, GROUP_CSV, tz="Asia/Shanghai")
    assert (again.events_added, again.duplicates) == (0, 26)
    assert count(store) == 26


def test_overlapping_exports_add_only_the_new_part(store: Store) -> None:
    earlier = import_file(store, DATA / "overlap" / "earlier_utf8.csv", group="读书会")
    later = import_file(store, DATA / "overlap" / "later_utf8.csv", group="读书会")
    assert (earlier.events_added, later.events_added, later.duplicates) == (3, 1, 2)
    assert count(store) == 4


def test_corrupted_file_leaves_the_log_unchanged(store: Store, tmp_path: Path) -> None:
    import_file(store, DATA / "overlap" / "earlier_utf8.csv", group="读书会")
    broken = tmp_path / "broken_utf8.csv"
    text = (DATA / "overlap" / "later_utf8.csv").read_text(encoding="utf-8-sig")
    broken.write_text(text.replace("1709344980", "soon"), encoding="utf-8-sig")  # the last row's CreateTime
    with pytest.raises(SourceFormatError, match=r"broken_utf8\.csv: line 4: CreateTime"):
        import_file(store, broken, group="读书会")
    assert count(store) == 3
    status = store.con.execute("SELECT status, error FROM imports ORDER BY import_id DESC LIMIT 1").fetchall()[0]
    assert status[0] == "failed" and "line 4" in status[1]


def test_events_survive_the_store_round_trip(store: Store) -> None:
    import_file(store, GROUP_TXT, tz="Asia/Shanghai")
    rows = store.con.execute(
        "SELECT kind, subkind, actor_name, text FROM events WHERE kind = 'message' ORDER BY seq LIMIT 2"
    ).fetchall()
    assert rows == [("message", "text", "张三", "欢迎两位！"), ("message", "text", "老李", "谢谢邀请，大家好")]


def test_records_are_plain_msgspec_structs() -> None:
    # Everything an importer yields must encode (the store and the CLI's --json rely on it).
    assert msgspec.json.decode(msgspec.json.encode(records(GROUP_CSV)))


def test_records_stream_before_the_file_is_read_through() -> None:
    # bad_createtime_utf8.csv breaks on line 3; the chat and line 2 come out before that.
    stream = wechat.read(DATA / "bad_createtime_utf8.csv", SHANGHAI)
    assert type(next(stream)) is Chat
    assert next(stream).text == "第一行没问题"
    with pytest.raises(SourceFormatError):
        next(stream)

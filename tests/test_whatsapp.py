"""The WhatsApp importer: locales, system lines, media, traps, and imports into the log.

Fixtures in tests/data/whatsapp/ hold one locale or one trap each; the real exports of
../shared/samples/whatsapp are the same conversation exported eight ways.
"""

from __future__ import annotations

import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shequn import sources
from shequn.errors import SourceFormatError
from shequn.importer import import_file
from shequn.model import Chat, Event, Record, Skip
from shequn.sources import whatsapp
from shequn.sources._base import ReadOptions
from shequn.sources._whatsapp_dates import infer_order
from shequn.sources._whatsapp_file import chat_name_from_file
from shequn.store import Store

DATA = Path(__file__).parent / "data" / "whatsapp"
LAGOS = DATA / "WhatsApp Chat with Lagos Devs.txt"


def read(path: Path, tz: str = "UTC", group: str | None = "g") -> list[Record]:
    return list(whatsapp.read(path, ReadOptions(tz=tz, chat_name=group)))


def events(records: list[Record]) -> list[Event]:
    return [r for r in records if type(r) is Event]


def who(records: list[Record]) -> list[tuple]:
    """(line, kind, subkind, actor, target) of every event."""
    return [(e.pos, e.kind, e.subkind, e.actor_name, e.target_name) for e in events(records)]


def utc(event: Event) -> str:
    return datetime.fromtimestamp(event.ts_us / 1e6, UTC).strftime("%Y-%m-%d %H:%M:%S")


def skips(records: list[Record]) -> list[tuple[str, str]]:
    return [(r.reason, r.pos) for r in records if type(r) is Skip]


# -- detection -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"1/29/18, 23:45 - Bob: hi\n", True),
        ("\ufeff\n\n29.01.18, 23:45 - Du hast Bob hinzugefügt.\n".encode(), True),
        ("\u200e[29/01/2018, 23:45:03] Bob: hi\n".encode(), True),
        ("[2018/1/29 下午11:45:03] 小明: 晚上好\n".encode(), True),
        (b"[2018-01-29 23:45:03] <bob> hi from IRC\n", False),
        (b'{"name": "Readers", "messages": []}', False),
        (b"Chat with Bob\n1/29/18, 23:45 - Bob: hi\n", False),
        (b"", False),
    ],
)
def test_sniff_reads_the_first_non_empty_line(head: bytes, expected: bool) -> None:
    assert whatsapp.sniff(Path("x.txt"), head) is expected


# -- locales -------------------------------------------------------------------------


def test_english_us_android_12h_with_narrow_spaces() -> None:
    records = read(LAGOS, tz="Africa/Lagos", group=None)
    assert records[0] == Chat(carrier="whatsapp", native_id="Lagos Devs", name="Lagos Devs")
    assert skips(records) == [("banner", "line 1"), ("unrecognised system line", "line 12")]
    assert who(records) == [
        ("line 2", "join", "created", "Ada", "Ada"),
        ("line 3", "join", "added", "Ada", "Tunde"),
        ("line 3", "join", "added", "Ada", "Femi"),
        ("line 3", "join", "added", "Ada", "Ngozi"),
        ("line 4", "join", "link", "Kemi", "Kemi"),
        ("line 5", "message", "text", "Tunde", None),
        ("line 6", "message", "text", "Ada", None),
        ("line 7", "leave", None, "Femi", "Femi"),
        ("line 8", "removal", "admin", "Ada", "Ngozi"),
        ("line 9", "rename", None, "Ada", None),
        ("line 10", "service", "icon", "Ada", None),
        ("line 11", "service", "description", "Ada", None),
        ("line 13", "message", "text", "+234 803 555 0101", None),
        ("line 14", "service", "number_change", "+234 803 555 0101", None),
        ("line 15", "service", "security_code", None, "Kemi"),
        ("line 16", "join", "added", "You", "Zainab"),
        ("line 17", "join", "added", "Ada", "You"),
        ("line 18", "message", "text", "Ada", None),
    ]
    evs = events(records)
    assert [e.seq for e in evs] == list(range(1, 19))
    first = evs[0]
    assert (first.ts_original, first.tz_assumed, utc(first)) == (
        "3/12/24, 9:14\u202fAM",
        "Africa/Lagos",
        "2024-03-12 08:14:00",
    )
    assert utc(evs[14]) == "2024-03-13 23:30:00"  # 12:30 AM, written after 12:01 PM: file order is kept in seq
    assert evs[9].attrs == {"title": "Lagos Devs: 2024", "old_title": "Lagos Devs"}  # ": " inside a title
    assert evs[12].actor_id == evs[13].actor_id == "+2348035550101"
    assert evs[13].attrs == {"old_number": "+234 803 555 0101", "new_number": "+234 803 555 0202"}


def test_english_uk_ios_24h_names_the_chat_from_its_notice() -> None:
    records = read(DATA / "en_uk_ios_24h.txt", tz="Europe/London", group=None)
    assert records[0] == Chat(carrier="whatsapp", native_id="Lagos Devs", name="Lagos Devs")
    assert skips(records) == [("banner", "line 1")]
    assert who(records) == [
        ("line 2", "join", "created", "Ada", "Ada"),
        ("line 3", "join", "link", "Tunde", "Tunde"),
        ("line 4", "message", "text", "Tunde", None),
        ("line 6", "message", "text", "Ada", None),
        ("line 7", "message", "media", "Ada", None),
        ("line 8", "join", "added", "Ada", "Femi"),  # a system line written under the chat's name
        ("line 9", "leave", None, "Femi", "Femi"),
    ]
    evs = events(records)
    assert evs[0].attrs == {"title": "Lagos Devs"}  # curly quotes dropped
    assert evs[2].text == "hello everyone\nis the meetup on saturday?"
    assert [utc(e) for e in evs[:3]] == ["2024-03-12 09:14:02", "2024-03-12 09:15:40", "2024-03-12 09:16:11"]


def test_ios_one_to_one_chat_keeps_the_contacts_marked_messages() -> None:
    # The notice is sent under the contact's name, which iOS also uses for system lines;
    # the contact's own attachments (marked with U+200E too) stay messages.
    records = read(DATA / "ios_one_to_one.txt", group=None)
    assert records[0].name == "Ada Obi"
    assert skips(records) == [("banner", "line 1")]
    assert [(e.actor_name, e.subkind, e.attrs) for e in events(records)] == [
        ("Ada Obi", "text", None),
        ("Ada Obi", "media", {"media": "image", "omitted": True}),
        ("Ada Obi", "media", {"media": "image", "file": "00000004-PHOTO-2024-03-13-09-16-00.jpg"}),
        ("Tunde", "other", {"deleted": True}),
    ]


def test_german_android_24h() -> None:
    records = read(DATA / "WhatsApp-Chat mit Lesekreis.txt", group=None)
    assert records[0].name == "Lesekreis"
    assert skips(records) == [("banner", "line 1")]
    assert who(records) == [
        ("line 2", "join", "created", "Anna", "Anna"),
        ("line 3", "join", "added", "Anna", "Ben"),
        ("line 3", "join", "added", "Anna", "Carla"),
        ("line 3", "join", "added", "Anna", "Dirk"),
        ("line 4", "join", "added", "You", "Emil"),
        ("line 5", "join", "link", "Fritz", "Fritz"),
        ("line 6", "message", "text", "Ben", None),
        ("line 7", "message", "media", "Carla", None),
        ("line 8", "message", "other", "Dirk", None),
        ("line 9", "message", "text", "Ben", None),
        ("line 10", "leave", None, "Carla", "Carla"),
        ("line 11", "removal", "admin", "Anna", "Dirk"),
        ("line 12", "rename", None, "Anna", None),
        ("line 13", "service", "icon", "Anna", None),
        ("line 14", "service", "description", "Anna", None),
        ("line 15", "service", "security_code", None, "Ben"),
        ("line 16", "service", "number_change", "+49 151 23456789", None),
        ("line 17", "leave", None, "You", "You"),
    ]
    evs = events(records)
    assert evs[0].attrs == {"title": "Lesekreis"}
    assert evs[12].attrs == {"title": "Lesekreis 2018", "old_title": "Lesekreis"}
    assert (evs[8].attrs, evs[9].text, evs[9].attrs) == ({"deleted": True}, "Wann treffen wir uns?", {"edited": True})
    assert utc(evs[10]) == "2018-01-30 08:00:00"


def test_spanish_android_12h_with_p_m() -> None:
    records = read(DATA / "es_android_12h.txt")
    assert skips(records) == [("banner", "line 1")]
    assert who(records) == [
        ("line 2", "join", "created", "You", "You"),
        ("line 3", "join", "added", "You", "Beto"),
        ("line 3", "join", "added", "You", "Carla"),
        ("line 3", "join", "added", "You", "Diego"),
        ("line 4", "join", "link", "Elena", "Elena"),
        ("line 5", "message", "text", "Beto", None),
        ("line 6", "message", "media", "Carla", None),
        ("line 7", "message", "other", "Diego", None),
        ("line 8", "message", "text", "Beto", None),
        ("line 9", "leave", None, "Carla", "Carla"),
        ("line 10", "removal", "admin", "You", "Diego"),
        ("line 11", "rename", None, "You", None),
        ("line 12", "service", "icon", "You", None),
        ("line 13", "message", "text", "Beto", None),
    ]
    evs = events(records)
    # 11:45 a. m.; 12:05 p. m. (with U+202F and U+00A0); 1:10 p. m.; 12:30 a. m. is just after midnight
    assert [utc(evs[i]) for i in (0, 5, 6, 13)] == [
        "2018-01-29 11:45:00",
        "2018-01-29 12:05:00",
        "2018-01-29 13:10:00",
        "2018-01-30 00:30:00",
    ]
    assert evs[11].attrs == {"title": "Club 2018", "old_title": "Club de lectura"}
    assert (evs[7].attrs, evs[8].text, evs[8].attrs) == ({"deleted": True}, "¿Nos vemos el sábado?", {"edited": True})


def test_chinese_android_24h_year_first() -> None:
    records = read(DATA / "zh_android_24h.txt")
    assert skips(records) == [("banner", "line 1")]
    assert who(records) == [
        ("line 2", "join", "created", "You", "You"),
        ("line 3", "join", "added", "You", "小明"),
        ("line 3", "join", "added", "You", "小红"),
        ("line 3", "join", "added", "You", "Bob"),
        ("line 4", "join", "link", "小李", "小李"),
        ("line 5", "message", "text", "小明", None),
        ("line 6", "message", "media", "小红", None),
        ("line 7", "leave", None, "小红", "小红"),
        ("line 8", "removal", "admin", "You", "Bob"),
        ("line 9", "rename", None, "You", None),
        ("line 10", "service", "icon", "You", None),
        ("line 11", "message", "other", "小明", None),
    ]
    evs = events(records)
    assert evs[9].attrs == {"title": "读书会 2018", "old_title": "读书会"}
    assert utc(evs[7]) == "2018-01-30 08:00:00"


def test_chinese_ios_half_day_words_before_the_time() -> None:
    evs = events(read(DATA / "zh_ios_12h.txt", tz="Asia/Shanghai"))
    assert [(e.actor_name, e.text, utc(e)) for e in evs] == [
        ("小明", "晚上好", "2018-01-29 15:45:03"),  # 下午11:45 = 23:45 in Shanghai
        ("小红", "中午好", "2018-01-29 04:05:00"),  # 下午12:05 = 12:05
        ("小明", "半夜了", "2018-01-29 16:10:00"),  # 上午12:10 = 00:10
        ("小李", "早上好", "2018-01-30 01:15:00"),
    ]


# -- traps ---------------------------------------------------------------------------


def test_continuation_lines_and_lines_that_nearly_look_like_headers() -> None:
    evs = events(read(DATA / "multiline.txt"))
    assert [(e.pos, e.actor_name, e.text) for e in evs] == [
        (
            "line 1",
            "Bob",
            "first line\nsecond line\n\nfourth line after a blank\n29/01/2018 was a Monday\n12:30 - lunch\n"
            "[29/01/2018] note\n29/01/2018, 23:46 -not a header",
        ),
        ("line 9", "Alice", "next message"),
        ("line 10", "Bob", "last one"),  # trailing blank lines of the file are not part of it
    ]


def test_byte_order_marks_direction_marks_and_crlf() -> None:
    raw = (DATA / "marks_bom_crlf.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") == 7  # the traps are in the fixture
    evs = events(read(DATA / "marks_bom_crlf.txt"))
    assert [(e.kind, e.actor_id, e.actor_name, e.text) for e in evs] == [
        ("message", None, "Bob", "hi"),
        ("message", None, "Alice", "hello there"),
        ("message", "+447700900123", "+44 7700 900123", "from a number"),
        ("message", None, "Bob", None),
        ("leave", None, "Alice", "Alice left"),
        ("message", None, "Carol", "multi\nline"),
    ]
    assert evs[3].attrs == {"media": "image", "file": "00000003-PHOTO-2018-01-29-23-45-06.jpg"}
    assert utc(evs[2]) == "2018-01-29 23:45:05"


def test_android_media_polls_deletions_and_edits() -> None:
    evs = events(read(DATA / "media_android.txt"))
    assert [(e.subkind, e.text, e.attrs) for e in evs] == [
        ("media", None, {"media": "unknown", "omitted": True}),
        ("media", "look at this", {"media": "image", "file": "IMG-20180129-WA0001.jpg"}),
        ("sticker", None, {"media": "sticker", "file": "STK-20180129-WA0002.webp"}),
        ("media", None, {"media": "voice", "file": "PTT-20180129-WA0003.opus"}),
        ("media", None, {"media": "view_once", "omitted": True}),
        (
            "media",
            "location: https://maps.google.com/?q=6.5244,3.3792",
            {"media": "location", "lat": 6.5244, "lon": 3.3792},
        ),
        (
            "poll",
            "Meetup day?",
            {
                "question": "Meetup day?",
                "options": [{"text": "Saturday", "votes": 3}, {"text": "Sunday", "votes": 1}],
            },
        ),
        ("other", None, {"deleted": True}),
        ("other", None, {"deleted": True}),
        ("text", "see you then", {"edited": True}),
        ("media", None, {"media": "video_note", "omitted": True}),
        ("media", None, {"media": "contact", "file": "Ada Lovelace.vcf"}),
        ("text", "nothing omitted", None),
    ]


def test_ios_media_placeholders_and_attachments() -> None:
    evs = events(read(DATA / "media_ios.txt"))
    assert [(e.subkind, e.attrs) for e in evs] == [
        ("media", {"media": "image", "omitted": True}),
        ("media", {"media": "video", "omitted": True}),
        ("sticker", {"media": "sticker", "omitted": True}),
        ("media", {"media": "gif", "omitted": True}),
        ("media", {"media": "audio", "omitted": True}),
        ("media", {"media": "contact", "omitted": True}),
        ("media", {"media": "document", "omitted": True, "file": "Report.pdf"}),
        ("media", {"media": "image", "file": "00000012-PHOTO-2018-01-29-23-40-08.jpg"}),
        ("media", {"media": "voice", "file": "00000013-AUDIO-2018-01-29-23-40-09.opus"}),
        ("media", {"media": "location", "lat": 51.5, "lon": -0.12}),
    ]


def test_exporter_is_the_name_you_in_every_language() -> None:
    said_by_exporter = {
        LAGOS: "You added Zainab",
        DATA / "WhatsApp-Chat mit Lesekreis.txt": "Du hast Emil hinzugefügt.",
        DATA / "es_android_12h.txt": "Añadiste a Beto, Carla y Diego",
        DATA / "zh_android_24h.txt": "你添加了 小明、小红 和 Bob",
    }
    for path, text in said_by_exporter.items():
        assert {e.actor_name for e in events(read(path)) if e.text == text} == {"You"}, path.name


# -- dates ---------------------------------------------------------------------------


def test_ambiguous_dates_are_read_by_locale_and_reported() -> None:
    records = read(DATA / "ambiguous_dates.txt")
    assert skips(records) == [("ambiguous dates read as M/D/Y (US-style unpadded dates)", "every header")]
    assert [utc(e)[:10] for e in events(records)] == ["2018-01-02", "2018-03-04", "2018-05-06"]


def test_padded_ambiguous_dates_read_day_first(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text("01/02/2018, 10:00 - Bob: hi\n03/04/2018, 10:00 - Bob: again\n", encoding="utf-8")
    records = read(path)
    assert skips(records) == [("ambiguous dates read as D/M/Y (zero-padded dates)", "every header")]
    assert [utc(e)[:10] for e in events(records)] == ["2018-02-01", "2018-04-03"]


@pytest.mark.parametrize(
    ("dates", "language", "order", "ambiguous"),
    [
        ({b"1/29/18", b"1/30/18"}, None, "M/D/Y", False),  # 29 cannot be a month
        ({b"29.01.18", b"30.01.18"}, "de", "D/M/Y", False),
        ({b"2018/1/29"}, "zh", "Y/M/D", False),  # a four-digit first field is the year
        ({b"12.01.18"}, "de", "D/M/Y", True),  # 12 January or 1 December: the locale decides
        ({b"12/01/18"}, "zh", "Y/M/D", True),
        ({b"1/1/18", b"2/2/18"}, None, "M/D/Y", False),  # both orders read the same dates
        ({b"13/13/18"}, None, "M/D/Y", False),  # no order fits: the likeliest, and the line breaks later
    ],
)
def test_date_order_inference(dates: set[bytes], language: str | None, order: str, ambiguous: bool) -> None:
    found = infer_order(dates, language)
    assert (found.name, found.ambiguous) == (order, ambiguous)


# -- chat names and zips ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("WhatsApp Chat with Lagos Devs.txt", "Lagos Devs"),
        ("WhatsApp Chat with Lagos Devs (1).txt", "Lagos Devs"),
        ("WhatsApp Chat - Lagos Devs.zip", "Lagos Devs"),
        ("WhatsApp-Chat mit Lesekreis.txt", "Lesekreis"),
        ("Chat de WhatsApp con Club de lectura.txt", "Club de lectura"),
        ("与读书会的WhatsApp聊天.txt", "读书会"),
        ("_chat.txt", None),
        ("export.zip", None),
    ],
)
def test_chat_name_from_file_name(name: str, expected: str | None) -> None:
    assert chat_name_from_file(name) == expected


def test_chat_name_precedence(tmp_path: Path) -> None:
    assert read(LAGOS, group="Devs of Lagos")[0].name == "Devs of Lagos"  # --group wins
    plain = tmp_path / "chat.txt"
    shutil.copy(DATA / "zh_android_24h.txt", plain)
    assert read(plain, group=None)[0] == Chat(carrier="whatsapp", native_id="读书会", name="读书会")  # created line
    with pytest.raises(SourceFormatError, match="--group"):
        read(DATA / "zh_ios_12h.txt", group=None)  # no file name, no notice, no created line


def test_zip_with_chat_txt_reads_like_the_txt(tmp_path: Path) -> None:
    archive = tmp_path / "WhatsApp Chat - Lagos Devs.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(DATA / "en_uk_ios_24h.txt", "_chat.txt")
        zf.writestr("00000012-PHOTO-2024-03-12-09-17-30.jpg", b"\xff\xd8 not really a photo")
    assert sources.detect(archive) is whatsapp
    from_zip = read(archive, group=None)
    assert from_zip[0].name == "Lagos Devs"
    assert [e.key for e in events(from_zip)] == [e.key for e in events(read(DATA / "en_uk_ios_24h.txt"))]


# -- bad input -----------------------------------------------------------------------


def test_not_a_whatsapp_file_names_line_one() -> None:
    with pytest.raises(SourceFormatError, match=r"not_whatsapp\.txt: line 1: expected a WhatsApp message header"):
        read(DATA / "not_whatsapp.txt")


def test_impossible_date_names_its_line() -> None:
    with pytest.raises(SourceFormatError, match=r"line 3: '2/30/18, 23:47' is not a date and time in M/D/Y order"):
        read(DATA / "broken_date.txt")


def test_bytes_that_are_not_utf8_name_their_line(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_bytes(b"1/29/18, 23:45 - Bob: hi\n1/29/18, 23:46 - Alice: caf\xe9\n")
    with pytest.raises(SourceFormatError, match=r"line 2: not UTF-8 text \(byte 0xe9"):
        read(path)


def test_zip_with_several_texts_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.txt", "1/29/18, 23:45 - Bob: hi\n")
        zf.writestr("b.txt", "1/29/18, 23:45 - Bob: hi\n")
    with pytest.raises(SourceFormatError, match="expected one chat text"):
        read(archive)


def test_a_message_without_end_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text("1/29/18, 23:45 - Bob: start\n" + ("x" * 1000 + "\n") * 1001, encoding="utf-8")
    with pytest.raises(SourceFormatError, match="line 1002: the message of line 1 runs on"):
        read(path)


def test_progress_reports_bytes_of_the_file_on_disk(tmp_path: Path) -> None:
    seen: list[int] = []
    list(whatsapp.read(LAGOS, ReadOptions(chat_name="g", progress=seen.append)))
    assert seen[-1] == LAGOS.stat().st_size
    archive = tmp_path / "WhatsApp Chat - Lagos Devs.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(LAGOS, "_chat.txt")
    seen.clear()
    list(whatsapp.read(archive, ReadOptions(progress=seen.append)))
    assert seen == sorted(seen) and seen[-1] == archive.stat().st_size


# -- the real exports (../shared/samples) -----------------------------------------------

SAMPLE_NAMES = [
    f"{language}{system}{clock}.txt"
    for language in ("english", "german")
    for system in ("android", "ios")
    for clock in ("24h", "ampm")
]


@pytest.mark.samples
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_real_exports_agree_on_members_and_counts(samples: Path, name: str) -> None:
    # Counted independently over the raw bytes (LC_ALL=C grep -cP), with
    # H='^(\xef\xbb\xbf)*\[?(\xef\xbb\xbf)*\d+[./]\d+[./]\d+, [\d:]+( [AP]M)?(\] | - )':
    # "$H" -> 50 headers, "$H[A-Za-z]+:( |$)" -> 42 messages by Alice, Bob, Carol, Dave, Mallory;
    # "$H(You created group|Du hast die Gruppe .* erstellt)" -> 1, "$H(You added |Du hast .* hinzugef)" -> 3,
    # "$H(You removed |Du hast .* entfernt)" -> 1, "( left$|verlassen)" -> 0; the other 3 headers are the
    # encryption notice, the rename and the icon change — in all eight files.
    records = read(samples / "whatsapp" / "whatsr-test-exports" / name, tz="Europe/Berlin")
    evs = events(records)
    messages = [e for e in evs if e.kind == "message"]
    assert {e.actor_name for e in messages} == {"Alice", "Bob", "Carol", "Dave", "Mallory"}
    assert len(messages) == 42
    assert sorted((e.kind, e.subkind) for e in evs if e.kind != "message") == [
        ("join", "added"),
        ("join", "added"),
        ("join", "added"),
        ("join", "created"),
        ("removal", "admin"),
        ("rename", None),
        ("service", "icon"),
    ]
    assert [e.target_name for e in evs if e.subkind == "added"] == ["Mallory", "Alice", "Bob"]
    assert skips(records) == [("banner", "line 1")]
    assert sum(1 for e in messages if e.subkind == "media") == 4  # voice note, photo, location, live location


@pytest.mark.samples
def test_real_12h_and_24h_exports_give_the_same_keys(samples: Path) -> None:
    folder = samples / "whatsapp" / "whatsr-test-exports"
    for a, b in [("englishandroid24h.txt", "englishandroidampm.txt"), ("englishios24h.txt", "englishiosampm.txt")]:
        keys_a = [e.key for e in events(read(folder / a))]
        assert keys_a == [e.key for e in events(read(folder / b))]
        assert len(set(keys_a)) == 49


# -- imports into the log ------------------------------------------------------------


def count(store: Store, sql: str = "SELECT count(*) FROM events") -> int:
    return store.con.execute(sql).fetchall()[0][0]


def test_import_detects_the_format_and_a_second_import_adds_nothing(store: Store) -> None:
    first = import_file(store, LAGOS, fmt="auto", tz="Africa/Lagos")
    assert (first.importer, first.events_added, first.messages_read) == ("whatsapp", 18, 4)
    assert first.skipped == {"banner": 1, "unrecognised system line": 1}
    again = import_file(store, LAGOS, fmt="auto", tz="Africa/Lagos")
    assert (again.events_added, again.duplicates) == (0, 18)
    assert count(store) == 18
    assert count(store, "SELECT count(*) FROM groups WHERE name = 'Lagos Devs'") == 1


def test_a_longer_export_of_the_same_chat_adds_only_the_new_part(store: Store, tmp_path: Path) -> None:
    lines = LAGOS.read_text(encoding="utf-8").splitlines(keepends=True)
    earlier = tmp_path / "earlier" / LAGOS.name
    earlier.parent.mkdir()
    earlier.write_text("".join(lines[:8]), encoding="utf-8")  # up to "Ada removed Ngozi"
    assert import_file(store, earlier, tz="Africa/Lagos").events_added == 9
    later = import_file(store, LAGOS, tz="Africa/Lagos")
    assert (later.events_added, later.duplicates) == (9, 9)
    assert count(store) == 18


def test_a_broken_line_in_the_middle_leaves_the_log_unchanged(store: Store, tmp_path: Path) -> None:
    import_file(store, LAGOS, tz="Africa/Lagos")
    lines = LAGOS.read_text(encoding="utf-8").splitlines(keepends=True)
    broken = tmp_path / LAGOS.name
    impossible = "2/30/24, 9:00\u202fAM - Ada: no such day\n"
    new = "3/15/24, 8:00\u202fAM - Ada: a new message\n"  # would be added if the import went through
    broken.write_text("".join([*lines[:10], impossible, *lines[10:], new]), encoding="utf-8")
    with pytest.raises(SourceFormatError, match="line 11"):
        import_file(store, broken, tz="Africa/Lagos")
    assert count(store) == 18
    assert store.con.execute("SELECT status FROM imports ORDER BY import_id DESC LIMIT 1").fetchall()[0][0] == "failed"


def test_a_phone_number_is_one_identity_in_every_chat(store: Store, tmp_path: Path) -> None:
    other = tmp_path / "WhatsApp Chat with Abuja Devs.txt"
    other.write_text("3/20/24, 10:00 - \u2068+234 803-555-0101\u2069: hello Abuja\n", encoding="utf-8")
    import_file(store, LAGOS, tz="Africa/Lagos")
    import_file(store, other, tz="Africa/Lagos")
    found = store.con.execute(
        "SELECT DISTINCT identity_id FROM events WHERE kind = 'message' AND actor_name LIKE '+234%'"
    ).fetchall()
    assert count(store, "SELECT count(DISTINCT group_id) FROM events") == 2
    assert len(found) == 1


@pytest.mark.samples
def test_a_12h_export_after_a_24h_export_adds_nothing(store: Store, samples: Path) -> None:
    folder = samples / "whatsapp" / "whatsr-test-exports"
    first = import_file(store, folder / "englishandroid24h.txt", tz="Europe/Berlin", group="WhatsR test")
    second = import_file(store, folder / "englishandroidampm.txt", tz="Europe/Berlin", group="WhatsR test")
    assert (first.events_added, second.events_added, second.duplicates) == (49, 0, 49)

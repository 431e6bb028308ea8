"""The mbox importer: fixtures in tests/data/mbox, then the real samples.

``list.mbox`` holds one thread (a root, a reply by In-Reply-To and References, a reply by
References alone, without Date) and a mail without Message-ID, with the body traps
``>From`` and an unescaped "From " line; ``two_lists.mbox`` mixes lists; ``charsets.mbox``
has one charset trap per mail; ``multipart.mbox`` alternative, HTML-only and attachments;
``pipermail.mbox`` an obfuscated address; ``not_mbox.mbox`` and ``no_headers.mbox`` are broken.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from shequn import sources
from shequn.errors import SourceFormatError
from shequn.importer import import_file
from shequn.model import Chat, Event
from shequn.sources import head_of, mbox
from shequn.sources._base import ReadOptions
from shequn.sources._mbox_split import is_separator
from shequn.store import Store

DATA = Path(__file__).parent / "data"
FIXTURES = DATA / "mbox"
LIST = FIXTURES / "list.mbox"


def records(path: Path, **options) -> list:
    return list(mbox.read(path, ReadOptions(**options)))


def events(path: Path, **options) -> list[Event]:
    return [r for r in records(path, **options) if type(r) is Event]


def one(store: Store, sql: str):  # type: ignore[no-untyped-def]
    return store.con.execute(sql).fetchall()[0][0]


# -- detection -----------------------------------------------------------------------------


def test_mbox_files_are_detected(tmp_path: Path) -> None:
    for path in [LIST, FIXTURES / "two_lists.mbox", FIXTURES / "charsets.mbox", FIXTURES / "pipermail.mbox"]:
        assert sources.detect(path) is mbox, path
    packed = tmp_path / "2016-April.mbox.gz"
    packed.write_bytes(gzip.compress(LIST.read_bytes()))
    assert sources.detect(packed) is mbox


def test_other_formats_are_not_claimed() -> None:
    others = [p for p in DATA.rglob("*") if p.is_file() and "mbox" not in p.relative_to(DATA).parts]
    assert [p for p in others if mbox.sniff(p, head_of(p))] == []
    assert not mbox.sniff(FIXTURES / "not_mbox.mbox", head_of(FIXTURES / "not_mbox.mbox"))


@pytest.mark.samples
def test_other_carriers_samples_are_not_claimed(samples: Path) -> None:
    others = [p for p in samples.rglob("*") if p.is_file() and p.relative_to(samples).parts[0] != "mbox"]
    assert [p for p in others if mbox.sniff(p, head_of(p))] == []


def test_separator_needs_its_date() -> None:
    assert is_separator(b"From jgb at example.com  Thu Apr 14 11:06:56 2016\n")
    assert is_separator(b"From MAILER-DAEMON Fri Jul  8 12:08:34 2011\n")
    assert is_separator(b"From 1234@xxx Sat Jan 01 00:00:00 +0000 2022\n")  # Google Takeout
    assert not is_separator(b"From what I see, yes.\n")
    assert not is_separator(b"From: Ann <ann@example.org>\n")


# -- what the records say ------------------------------------------------------------------


def test_thread_keys_senders_and_times() -> None:
    recs = records(LIST)
    assert recs[0] == Chat(
        carrier="mbox", native_id="dev.lists.example.org", name="Example developers", chat_type="mailing_list"
    )
    got = [(e.key, e.actor_id, e.actor_name, e.reply_to_key, e.thread_key) for e in recs[1:]]
    no_id = got[3][0]
    assert got == [
        ("root-1@example.org", "ann@example.org", "Ann Lee", None, "root-1@example.org"),  # its own root
        ("reply-2@example.org", "bob@example.org", "Björn Bär", "root-1@example.org", "root-1@example.org"),
        ("reply-3@example.org", "cat@example.org", "Cat", "reply-2@example.org", "root-1@example.org"),
        (no_id, "dan@example.org", "Dan", None, no_id),
    ]
    assert no_id.startswith("h:")
    assert [e.native_id for e in recs[1:]] == ["root-1@example.org", "reply-2@example.org", "reply-3@example.org", None]
    times = [(e.ts_us, e.ts_original, e.tz_assumed, e.attrs.get("date_from")) for e in recs[1:]]
    assert times == [
        (1704186000_000000, "Tue, 02 Jan 2024 10:00:00 +0100", None, None),
        (1704191400_000000, "Tue, 2 Jan 2024 10:30:00 -0000", None, None),  # -0000 is UTC
        (1704193200_000000, "Tue Jan  2 11:00:00 2024", "UTC", "envelope"),  # no Date: the From line, in --tz
        (1704196800_000000, "Tue, 02 Jan 2024 12:00:00 +0000", None, None),
    ]
    assert events(LIST, tz="Europe/Berlin")[2].ts_us == 1704193200_000000 - 3600_000000


def test_text_keeps_quotes_and_counts_them() -> None:
    root, reply = events(LIST)[:2]
    assert root.text == (
        "Shall we release 2.0 on Friday?\n>From the changelog: nothing blocks it.\nFrom what I see, yes."
    )  # ">From" is an escape, not a quote; the unescaped "From " line stays in the body
    assert root.attrs == {"subject": "[dev] Release 2.0"}
    assert reply.text.startswith("Ann Lee wrote:\n> Shall we")
    assert reply.attrs == {"subject": "Re: [dev] Release 2.0", "quoted_lines": 2}


def test_one_chat_per_list_and_the_file_for_mails_without_one() -> None:
    chats = [r for r in records(FIXTURES / "two_lists.mbox") if type(r) is Chat]
    assert [(c.native_id, c.name) for c in chats] == [
        ("users.lists.example.org", "users.lists.example.org"),
        ("announce.lists.example.org", "Announcements"),
        ("two_lists", "two_lists"),
    ]
    grouped = [r for r in records(FIXTURES / "two_lists.mbox", chat_name="lists") if type(r) is Chat]
    assert [c.native_id for c in grouped] == ["users.lists.example.org", "announce.lists.example.org", "lists"]


def test_charsets() -> None:
    got = [(e.text, e.attrs) for e in events(FIXTURES / "charsets.mbox")]
    assert got == [
        ("Café crème", {"subject": "declared latin-1"}),
        ("naïve latin-1 without a charset", {"subject": "undeclared 8-bit", "decoded_as": "latin-1"}),
        ("señor", {"subject": "declared utf-8, sent latin-1", "decoded_as": "latin-1"}),
        ("你好, quoted-printable's cousin", {"subject": "café"}),  # base64 body, encoded-word subject
        ("café au lait", {"subject": "unknown charset name", "decoded_as": "utf-8"}),
    ]


def test_multipart_prefers_plain_text_then_html() -> None:
    got = [(e.text, e.attrs) for e in events(FIXTURES / "multipart.mbox")]
    assert got == [
        ("The plain part wins.", {"subject": "alternative"}),
        ("Only HTML & markup\n\nsecond", {"subject": "html only"}),
        ("See the patch.", {"subject": "with attachment", "attachments": 2}),
    ]


def test_pipermail_obfuscated_address() -> None:
    (mail,) = events(FIXTURES / "pipermail.mbox")
    assert (mail.actor_id, mail.actor_name) == ("jgb@example.com", "Jesus M. Gonzalez-Barahona")


def test_gzipped_archive_reads_the_same(tmp_path: Path) -> None:
    packed = tmp_path / "list.mbox.gz"
    packed.write_bytes(gzip.compress(LIST.read_bytes()))
    assert [(e.key, e.text) for e in events(packed, chat_name="x")] == [
        (e.key, e.text) for e in events(LIST, chat_name="x")
    ]
    seen: list[int] = []
    list(mbox.read(packed, ReadOptions(progress=seen.append)))
    assert seen[-1] == packed.stat().st_size  # progress counts the compressed bytes read


# -- errors --------------------------------------------------------------------------------


def test_text_before_the_first_separator_is_no_mbox() -> None:
    with pytest.raises(SourceFormatError, match="expected an mbox 'From ' line") as err:
        records(FIXTURES / "not_mbox.mbox")
    assert err.value.where == "line 1"


def test_mail_without_headers_names_its_line() -> None:
    with pytest.raises(SourceFormatError, match="expected mail headers") as err:
        records(FIXTURES / "no_headers.mbox")
    assert err.value.where == "line 9"


# -- through the log -----------------------------------------------------------------------


def test_import_detects_and_double_import_adds_nothing(store: Store) -> None:
    first = import_file(store, LIST)
    assert first.importer == "mbox"
    assert (first.messages_read, first.members_seen, first.groups_seen) == (4, 4, 1)
    again = import_file(store, LIST)
    assert (again.events_added, again.duplicates) == (0, 4)
    reply = one(store, "SELECT reply_to_event_id FROM events WHERE native_id = 'reply-3@example.org'")
    assert reply == one(store, "SELECT event_id FROM events WHERE native_id = 'reply-2@example.org'")


def test_overlapping_archive_adds_only_the_new_mails(store: Store, tmp_path: Path) -> None:
    import_file(store, LIST)
    later = tmp_path / "later.mbox"
    mails = LIST.read_bytes().split(b"\n\nFrom ")
    new = (
        b"cat@example.org  Wed Jan  3 09:00:00 2024\nFrom: Cat <cat@example.org>\nSubject: Re: [dev] Release 2.0\n"
        b"Date: Wed, 03 Jan 2024 09:00:00 +0000\nMessage-ID: <reply-5@example.org>\n"
        b"In-Reply-To: <reply-3@example.org>\nList-Id: <dev.lists.example.org>\n\nReleased.\n"
    )
    later.write_bytes(b"From " + b"\n\nFrom ".join([*mails[2:], new]))
    summary = import_file(store, later)
    assert (summary.events_added, summary.duplicates) == (1, 2)


def test_corrupted_archive_leaves_the_log_unchanged(store: Store) -> None:
    import_file(store, LIST)
    before = one(store, "SELECT count(*) FROM events")
    with pytest.raises(SourceFormatError, match="line 9"):
        import_file(store, FIXTURES / "no_headers.mbox")  # its first mail is fine; the second is not
    assert one(store, "SELECT count(*) FROM events") == before
    status, error = store.con.execute("SELECT status, error FROM imports ORDER BY import_id DESC LIMIT 1").fetchall()[0]
    assert status == "failed" and "line 9" in error


# -- real exports --------------------------------------------------------------------------


@pytest.mark.samples
def test_perceval_mbox_samples(store: Store, samples: Path) -> None:
    folder = samples / "mbox"
    for path in sorted(folder.glob("*.mbox")):
        import_file(store, path)
    # grep -c '^From ' *.mbox -> 3 2 1 2 1 3: 12 mails. Senders: grep -h '^From: ' *.mbox (cat -v for the 8-bit
    # ones) -> 8 addresses (jgb, andy, eloli, danilo, yves.yang, daniel.nehren, yuancong, luc\xedacharlie).
    # grep -h '^List-Id:' *.mbox -> 4 lists over 5 mails; the 7 others (iso8859, hyperkitty, pipermail) have none
    # and each file is its own chat: 7 groups. grep -c '^In-Reply-To:' -> 2 + 1 + 2 = 5 replies.
    assert one(store, "SELECT count(*) FROM events WHERE kind = 'message'") == 12
    assert one(store, "SELECT count(DISTINCT identity_id) FROM events") == 8
    assert one(store, "SELECT count(*) FROM groups") == 7
    assert one(store, "SELECT count(*) FROM events WHERE reply_to_event_id IS NOT NULL") == 5
    names = {r[0] for r in store.con.execute("SELECT actor_name FROM events").fetchall()}
    assert {"Jesus M. Gonzalez-Barahona", "Danilo Šegan", "Lucía Charlie", "Ô¬´Ï"} <= names
    # the multipart mails (multipart/alternative) give their text/plain part
    text = one(store, "SELECT text FROM events WHERE native_id LIKE 'FB0C1D9D%'")
    assert text.startswith("I am fairly new to eclipse.") and "<" not in text[:200]


@pytest.mark.samples
def test_same_archive_under_two_names_dedupes_with_group(store: Store, samples: Path, tmp_path: Path) -> None:
    folder = samples / "mbox"
    # cmp hyperkitty_2016_april.mbox pipermail_2016_april.mbox -> identical (no List-Id in either)
    first = import_file(store, folder / "pipermail_2016_april.mbox", group="metrics-grimoire")
    copy = tmp_path / "hyperkitty.mbox"
    shutil.copy(folder / "hyperkitty_2016_april.mbox", copy)
    second = import_file(store, copy, group="metrics-grimoire")
    assert (first.events_added, second.events_added, second.duplicates) == (3, 0, 3)

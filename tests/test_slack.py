"""The Slack workspace export importer: fixtures in tests/data/slack, then the real samples.

``workspace/`` is a small export with one trap per day file (membership, threads and
reactions, markup, a day file whose name is not the UTC day, bots, channel settings,
deletions) plus a private channel, a DM, a group DM, an unlisted folder and a stray file.
``legacy/`` is a 2016-style export; ``not_slack/`` has a ``channels.json`` that is not
Slack's (DiscordChatExporter archives ship one).
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from shequn import ids, sources
from shequn.errors import SourceFormatError
from shequn.importer import import_file
from shequn.model import Chat, Event, Skip
from shequn.sources import slack
from shequn.sources._base import ReadOptions
from shequn.sources._slack_schema import ts_to_us
from shequn.store import Store

DATA = Path(__file__).parent / "data" / "slack"
WORKSPACE = DATA / "workspace"
LEGACY = DATA / "legacy"


def records(path: Path) -> list:
    return list(slack.read(path, ReadOptions()))


def events(path: Path) -> list[Event]:
    return [r for r in records(path) if type(r) is Event]


def by_key(path: Path, chat_id: str) -> dict[str, Event]:
    return {e.key: e for e in events(path) if e.chat_id == chat_id}


def zip_folder(folder: Path, target: Path, top: str = "") -> Path:
    """The export zipped the way Slack does (``top`` puts it all under one folder)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                zf.write(file, top + file.relative_to(folder).as_posix())
    return target


def one(store: Store, sql: str, params: list | None = None):  # type: ignore[no-untyped-def]
    return store.con.execute(sql, params).fetchall()[0][0]


def kind_counts(store: Store) -> dict[str, int]:
    """Events per ``kind:subkind``."""
    rows = store.con.execute("SELECT kind || ':' || coalesce(subkind, ''), count(*) FROM events GROUP BY 1")
    return dict(rows.fetchall())


# -- detection -----------------------------------------------------------------------------


def test_claims_export_folders_and_nothing_else() -> None:
    assert slack.claims_folder(WORKSPACE)
    assert slack.claims_folder(LEGACY)
    assert not slack.claims_folder(WORKSPACE / "general")  # a channel folder alone has no listing
    assert not slack.claims_folder(DATA / "not_slack")  # channels.json is an object, no day files
    assert not slack.claims_folder(WORKSPACE / "channels.json")


def test_sniffs_zips_by_content(tmp_path: Path) -> None:
    assert slack.sniff(zip_folder(WORKSPACE, tmp_path / "export.zip"), b"")
    assert slack.sniff(zip_folder(WORKSPACE, tmp_path / "nested.zip", top="Acme Slack export/"), b"")
    assert not slack.sniff(zip_folder(DATA / "not_slack", tmp_path / "discord.zip"), b"")
    day = WORKSPACE / "general" / "2024-01-02.json"
    assert not slack.sniff(day, day.read_bytes())  # a lone day file has no channel id to import under
    renamed = tmp_path / "export.bin"
    shutil.copy(tmp_path / "export.zip", renamed)
    assert slack.sniff(renamed, b"")  # the name plays no part


def test_registry_finds_slack_for_folder_and_zip(tmp_path: Path) -> None:
    assert sources.claims_folder(WORKSPACE) is slack
    assert sources.detect(zip_folder(WORKSPACE, tmp_path / "export.zip")) is slack


# -- what the records say ------------------------------------------------------------------


def test_each_listed_folder_is_a_chat_with_its_type() -> None:
    chats = [r for r in records(WORKSPACE) if type(r) is Chat]
    assert [(c.native_id, c.name, c.chat_type) for c in chats] == [
        ("D01ANNBOB", None, "dm"),  # a DM's folder is its id
        ("C01GENERAL", "general", "channel"),
        ("G02MPIM", "mpdm-ann--bob--cat-1", "mpim"),
        ("C02OPS", "ops", "channel"),
        ("G01SECRET", "secret", "private_channel"),
    ]  # C03EMPTY is listed but has no folder: no messages, no chat


def test_skips_are_named_and_placed() -> None:
    skips = [r for r in records(WORKSPACE) if type(r) is Skip]
    assert skips == [
        Skip("not a day file", "general/notes.txt"),
        Skip("hidden message_deleted", "ops/2024-01-06.json: [2]"),
        Skip("conversation folder not in any listing", "unlisted/"),
    ]


def test_joins_by_inviter_are_added_self_joins_are_link_and_leaves() -> None:
    got = [
        (e.kind, e.subkind, e.actor_id, e.target_id)
        for e in events(WORKSPACE)
        if e.kind in {"join", "leave"} and e.chat_id in {"C01GENERAL", "G01SECRET"}
    ]
    assert got == [
        ("join", "link", "U01ANN", "U01ANN"),
        ("join", "added", "U01ANN", "U02BOB"),
        ("join", "link", "U03CAT", "U03CAT"),
        ("leave", None, "U03CAT", "U03CAT"),
        ("join", "link", "U01ANN", "U01ANN"),  # group_join in the private channel
        ("join", "added", "U01ANN", "U02BOB"),
        ("leave", None, "U02BOB", "U02BOB"),
    ]


def test_threads_link_replies_and_broadcasts_to_the_parent() -> None:
    general = by_key(WORKSPACE, "C01GENERAL")
    parent, reply, broadcast = general["1704189600.000100"], general["1704189660.000200"], general["1704189720.000300"]
    assert (parent.thread_key, parent.reply_to_key) == ("1704189600.000100", None)
    assert (reply.thread_key, reply.reply_to_key) == ("1704189600.000100", "1704189600.000100")
    assert (broadcast.kind, broadcast.reply_to_key, broadcast.attrs) == (
        "message",
        "1704189600.000100",
        {"subtype": "thread_broadcast"},
    )
    assert reply.attrs == {"edited_ts_us": 1704189700_000000}


def test_one_reaction_per_listed_user_and_the_rest_anonymous() -> None:
    reactions = [e for e in events(WORKSPACE) if e.kind == "reaction" and e.reply_to_key == "1704189600.000100"]
    assert [(e.subkind, e.actor_id, e.target_id, e.attrs) for e in reactions] == [
        ("emoji", "U02BOB", "U01ANN", {"emoji": "eyes"}),
        ("emoji", "U03CAT", "U01ANN", {"emoji": "eyes"}),
        ("anonymous", None, "U01ANN", {"emoji": "eyes", "count": 3}),  # count 5, two users listed
        ("emoji", "U02BOB", "U01ANN", {"emoji": "+1"}),
    ]
    assert len({e.key for e in reactions}) == 4


def test_markup_is_decoded_and_mentions_resolved_case_insensitively() -> None:
    msg = by_key(WORKSPACE, "C01GENERAL")["1704276000.000100"]
    assert msg.text == (
        "@Ann Lee & @cat: see #ops and #ops, the docs (https://example.com/a?b=1&c=2)"
        " or https://example.org <3 @here &lt;"
    )
    assert msg.mention_ids == ["U01ANN", "U03CAT"]  # <@u01ann> is U01ANN of users.json


def test_time_comes_from_ts_not_from_the_day_file_name() -> None:
    msg = by_key(WORKSPACE, "C01GENERAL")["1704423600.000100"]
    assert msg.pos == "general/2024-01-04.json: [0]"
    assert msg.ts_us == 1704423600_000100  # 2024-01-05T03:00:00.0001Z
    assert (msg.ts_original, msg.tz_assumed) == ("1704423600.000100", None)


def test_ts_is_read_exactly() -> None:
    assert ts_to_us("1661628935.330089") == 1661628935_330089
    assert ts_to_us("1452837318.000002") == 1452837318_000002
    assert ts_to_us("1.5") == 1_500_000
    assert ts_to_us("1452837318") == 1452837318_000000
    assert ts_to_us("1.2e9") is None
    assert ts_to_us("") is None


def test_bots_are_flagged_once_per_chat() -> None:
    ops = [e for e in events(WORKSPACE) if e.chat_id == "C02OPS"]
    flags = [(e.target_id, e.attrs, e.key) for e in ops if e.kind == "flag"]
    assert flags == [
        ("B01CI", {"value": True}, "flag:bot:B01CI"),  # bot_add names the bot installed
        ("U04DEPLOY", {"value": True}, "flag:bot:U04DEPLOY"),  # is_bot in users.json, posted twice
        (None, {"value": True}, "flag:bot:name:alerts"),  # a webhook: a username, no id
        ("USLACKBOT", {"value": True}, "flag:bot:USLACKBOT"),
    ]
    alerts = next(e for e in ops if e.kind == "flag" and e.target_id is None)
    assert alerts.target_name == "alerts"
    add = next(e for e in ops if e.subkind == "bot_add")
    assert add.actor_id == "U01ANN"  # the member who installed it is not a bot
    ci = next(e for e in ops if e.actor_id == "B01CI")
    assert (ci.kind, ci.actor_name, ci.text) == ("message", "ci", "build #12 passed")  # attachment fallback


def test_channel_settings_become_rename_and_service_lines() -> None:
    ops = by_key(WORKSPACE, "C02OPS")
    rename = ops["1704445620.000700"]
    assert (rename.kind, rename.actor_id, rename.attrs) == (
        "rename",
        "U02BOB",
        {"title": "ops", "old_title": "deploys"},
    )
    assert (ops["1704445500.000500"].subkind, ops["1704445500.000500"].attrs) == ("channel_topic", {"topic": "Deploys"})
    assert ops["1704445560.000600"].attrs == {"purpose": "Where CI talks"}


def test_deleted_thread_parent_stays_as_a_line_without_author() -> None:
    ops = by_key(WORKSPACE, "C02OPS")
    tombstone = ops["1704531600.000100"]
    assert (tombstone.kind, tombstone.subkind, tombstone.actor_id, tombstone.text) == (
        "service",
        "tombstone",
        None,
        None,
    )
    assert ops["1704531660.000200"].reply_to_key == tombstone.key
    assert "1704531720.000300" not in ops  # the hidden message_deleted notice
    assert ops["1704531780.000400"].attrs == {"files": [{"id": "F02GONE", "deleted": True}]}


def test_files_make_media_without_their_private_urls() -> None:
    msg = by_key(WORKSPACE, "C01GENERAL")["1704189780.000400"]
    assert (msg.subkind, msg.text) == ("media", None)
    assert msg.attrs == {"files": [{"id": "F01LOG", "name": "log.txt", "mimetype": "text/plain"}]}


def test_legacy_export_single_file_comments_and_bot_ids() -> None:
    got = [(e.kind, e.subkind, e.actor_id, e.actor_name, e.mention_ids) for e in events(LEGACY)]
    assert got == [
        ("join", "link", "U0HAM", "Hamza F", None),
        ("join", "added", "U0HAM", "Hamza F", None),
        ("message", "media", "U0HER", "hermione", None),  # own name in "<@U0HER> uploaded" is no mention
        ("message", "media", "U0HAM", "Hamza F", ["U0HER"]),  # file_comment: author in comment.user
        ("flag", "bot", None, None, None),
        ("message", "text", "B0GIT", None, None),
    ]
    assert events(LEGACY)[2].attrs == {
        "subtype": "file_share",
        "files": [{"id": "F0A", "name": "cities.js", "mimetype": "text/plain"}],
    }


# -- errors --------------------------------------------------------------------------------


def broken_copy(tmp_path: Path, day: str, content: str) -> Path:
    export = tmp_path / "export"
    shutil.copytree(WORKSPACE, export)
    (export / "general" / day).write_text(content, encoding="utf-8")
    return export


def test_malformed_json_names_the_file_and_line(tmp_path: Path) -> None:
    export = broken_copy(
        tmp_path, "2024-01-03.json", '[\n {"type": "message", "ts": "1704276000.000100",\n  "text": oops}\n]'
    )
    with pytest.raises(SourceFormatError) as err:
        records(export)
    assert err.value.where == "general/2024-01-03.json: line 3"


def test_wrong_field_type_names_the_json_path(tmp_path: Path) -> None:
    content = '[{"type": "message", "ts": "1704276000.000100", "text": "a"}, {"type": "message", "ts": 1704276001.5}]'
    export = broken_copy(tmp_path, "2024-01-03.json", content)
    with pytest.raises(SourceFormatError) as err:
        records(export)
    assert (err.value.where, err.value.problem) == ("general/2024-01-03.json: [1].ts", "expected `str`, got `float`")


def test_bad_ts_and_bad_listing_are_errors(tmp_path: Path) -> None:
    export = broken_copy(tmp_path, "2024-01-03.json", '[{"type": "message", "ts": "yesterday", "text": "a"}]')
    with pytest.raises(SourceFormatError, match="Slack ts") as err:
        records(export)
    assert err.value.where == "general/2024-01-03.json: [0].ts"
    (export / "users.json").write_text('[{"name": "no id"}]', encoding="utf-8")
    with pytest.raises(SourceFormatError) as err:
        records(export)
    assert err.value.where == "users.json: [0]" and "`id`" in err.value.problem


def test_folder_without_slack_listings_is_not_an_export() -> None:
    with pytest.raises(SourceFormatError, match="expected a Slack export"):
        records(WORKSPACE / "general")
    with pytest.raises(SourceFormatError) as err:
        records(DATA / "not_slack")  # its channels.json is an object keyed by category
    assert (err.value.where, err.value.problem) == ("channels.json: top level", "expected `array`, got `object`")


# -- through the log -----------------------------------------------------------------------


def test_import_of_the_workspace_folder(store: Store) -> None:
    summary = import_file(store, WORKSPACE)
    assert summary.importer == "slack"
    # 6 in general, 7 in ops, 1 in secret, 2 in the DM, 1 in the group DM (see the fixture files), by
    # U01ANN, U02BOB, U03CAT, U04DEPLOY, USLACKBOT, the bot B01CI and the webhook named "alerts"
    assert (summary.messages_read, summary.members_seen, summary.groups_seen) == (17, 7, 5)
    assert summary.skipped == {
        "not a day file": 1,
        "hidden message_deleted": 1,
        "conversation folder not in any listing": 1,
    }
    assert summary.events_added == summary.records_read == len(events(WORKSPACE))
    mentions = one(store, "SELECT mentions FROM events WHERE native_id = '1704276000.000100'")
    assert mentions == [ids.identity_id("slack", "U01ANN"), ids.identity_id("slack", "U03CAT")]
    names = dict(store.con.execute("SELECT native_id, name FROM groups").fetchall())
    assert names["C02OPS"] == "ops" and names["D01ANNBOB"] is None


def test_zip_imports_the_same_events_as_the_folder(tmp_path: Path) -> None:
    folder_keys = {(e.chat_id, e.key) for e in events(WORKSPACE)}
    for top in ("", "Acme Slack export Jan 1 2024 - Jan 8 2024/"):
        archive = zip_folder(WORKSPACE, tmp_path / "export.zip", top=top)
        zipped = events(archive)
        assert {(e.chat_id, e.key) for e in zipped} == folder_keys
        assert zipped[0].pos == "D01ANNBOB/2024-01-08.json: [0]"


def test_second_import_adds_nothing(store: Store, tmp_path: Path) -> None:
    archive = zip_folder(WORKSPACE, tmp_path / "export.zip")
    first = import_file(store, archive)
    again = import_file(store, archive)
    assert first.events_added > 0
    assert (again.events_added, again.duplicates) == (0, first.events_added)


def test_overlapping_export_adds_only_the_new_part(store: Store, tmp_path: Path) -> None:
    import_file(store, WORKSPACE)
    before = one(store, "SELECT count(*) FROM events")
    later = tmp_path / "later"
    shutil.copytree(WORKSPACE, later)
    (later / "general" / "2024-01-01.json").unlink()  # the later export starts after the joins
    (later / "general" / "2024-01-09.json").write_text(
        '[{"type": "message", "user": "U02BOB", "ts": "1704790800.000100", "text": "new week",'
        ' "reactions": [{"name": "tada", "users": ["U01ANN"], "count": 1}]}]',
        encoding="utf-8",
    )
    summary = import_file(store, later)
    assert summary.events_added == 2  # the message and its reaction
    assert one(store, "SELECT count(*) FROM events") == before + 2


def test_corrupted_export_leaves_the_log_unchanged(store: Store, tmp_path: Path) -> None:
    import_file(store, LEGACY)
    before = one(store, "SELECT count(*) FROM events")
    export = broken_copy(tmp_path, "2024-01-04.json", '[{"type": "message", "ts": "1704423600.000100", "text": "x"},')
    with pytest.raises(SourceFormatError, match=r"general/2024-01-04\.json: line 1"):
        import_file(store, export)
    assert one(store, "SELECT count(*) FROM events") == before
    assert one(store, "SELECT count(*) FROM groups WHERE native_id = 'C01GENERAL'") == 0
    status, error = store.con.execute("SELECT status, error FROM imports ORDER BY import_id DESC LIMIT 1").fetchall()[0]
    assert status == "failed" and "general/2024-01-04.json: line 1" in error


def test_progress_reports_bytes_read(tmp_path: Path) -> None:
    seen: list[int] = []
    list(slack.read(WORKSPACE, ReadOptions(progress=seen.append)))
    assert len(seen) == 9 and seen == sorted(seen)  # one report per day file read
    skipped = {WORKSPACE / "general" / "notes.txt", WORKSPACE / "unlisted" / "2024-01-08.json"}
    read_files = [f for f in WORKSPACE.rglob("*") if f.is_file() and f not in skipped]
    assert seen[-1] == sum(f.stat().st_size for f in read_files)  # listings included
    seen.clear()
    archive = zip_folder(WORKSPACE, tmp_path / "export.zip")
    list(slack.read(archive, ReadOptions(progress=seen.append)))
    assert len(seen) == 9 and 0 < seen[-1] < archive.stat().st_size  # compressed sizes, as on disk


def test_a_file_that_is_no_zip_is_an_error_when_forced() -> None:
    day = WORKSPACE / "general" / "2024-01-02.json"
    with pytest.raises(SourceFormatError, match="expected a Slack export folder or zip"):
        records(day)


# -- real exports --------------------------------------------------------------------------


@pytest.mark.samples
def test_10academy_sample(store: Store, samples: Path) -> None:
    export = samples / "slack" / "10academy-anonymized-export"
    summary = import_file(store, export)
    # Counted over the raw day files with jq, e.g. in the export folder:
    #   jq -s '[.[][] | select(.subtype == null or .subtype == "thread_broadcast")] | length' */*.json   -> 4362
    #   jq -s '[.[][] | select(.subtype == null or .subtype == "thread_broadcast") | .user] | unique | length' */*.json
    #                                                                                                     -> 58
    #   jq -s '[.[][] | select(.subtype == "channel_join")] | length' */*.json                            -> 113
    #   jq -s '[.[][] | select(.subtype == "channel_join" and .inviter != null)] | length' */*.json       -> 15
    #   jq -s '[.[][] | .reactions[]?.users[]] | length' */*.json                                         -> 1478
    #   jq -s '[.[][] | select(.thread_ts != null and .thread_ts != .ts)] | length' */*.json              -> 2092
    # (4,476 objects in all: the rest are 113 joins and 1 tombstone.)
    assert (summary.messages_read, summary.members_seen, summary.groups_seen) == (4362, 58, 8)
    assert summary.skipped == {}
    counts = kind_counts(store)
    assert counts["join:added"] == 15 and counts["join:link"] == 113 - 15
    assert counts["reaction:emoji"] == 1478 and "reaction:anonymous" not in counts
    assert counts["service:tombstone"] == 1
    assert one(store, "SELECT count(*) FROM events WHERE reply_to_event_id IS NOT NULL AND kind = 'message'") == 2092
    # The anonymiser lower-cased every mention: jq -r '.[].text' */*.json | grep -o '<@[uU]' | sort | uniq -c
    # -> 925 "<@u", no "<@U". Each must land on an account of users.json all the same.
    listed = {ids.identity_id("slack", u["id"]) for u in json.loads((export / "users.json").read_bytes())}
    mentioned = [m for (m,) in store.con.execute("SELECT unnest(mentions) FROM events").fetchall()]
    assert mentioned and set(mentioned) <= listed
    # 105 raw texts hold &amp;/&lt;/&gt; (jq -r '.[].text' */*.json | grep -c '&amp;\|&lt;\|&gt;'), none a
    # double escape (grep -c '&amp;amp;\|&amp;lt;\|&amp;gt;' -> 0): decoded, none may remain.
    assert one(store, "SELECT count(*) FROM events WHERE regexp_matches(text, '&(amp|lt|gt);')") == 0
    assert one(store, "SELECT count(*) FROM events WHERE regexp_matches(text, '<@')") == 0


@pytest.mark.samples
def test_hfaran_testarchive_zip(store: Store, samples: Path) -> None:
    archive = samples / "slack" / "hfaran-testarchive" / "testarchive.zip"
    summary = import_file(store, archive)
    # unzip the archive, then in it:
    #   jq -s '[.[][] | select(.subtype == null or .subtype == "bot_message" or .subtype == "file_share"
    #          or .subtype == "file_comment")] | length' */*.json                                       -> 147
    #   the same, mapped to (.user // .bot_id // .comment.user) | unique                                  -> 7
    #     (4 users, 3 bots B0JL6RASU B0JL6UFSL B0VJZKVHC)
    #   jq -s '[.[][] | select(.subtype == "channel_join")] | length' */*.json                            -> 8
    #   jq -s '[.[][] | select(.subtype == "channel_join" and .inviter != null)] | length' */*.json       -> 6
    assert summary.importer == "slack"
    assert (summary.messages_read, summary.members_seen, summary.groups_seen) == (147, 7, 2)
    counts = kind_counts(store)
    assert (counts["join:added"], counts["join:link"]) == (6, 2)
    assert counts["service:bot_add"] == 3
    flagged = {r[0] for r in store.con.execute("SELECT target_identity_id FROM events WHERE kind = 'flag'").fetchall()}
    assert flagged == {ids.identity_id("slack", b) for b in ("B0JL6RASU", "B0JL6UFSL", "B0VJZKVHC")}

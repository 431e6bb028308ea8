"""Identities across carriers: mapping files, merges and their undo, suggestions, member flags.

The acceptance community is one Telegram group, one Slack channel and one WhatsApp chat
(``tests/data/identities``), imported through the real importers. Their 12 identities
were counted by hand from the fixtures: Telegram senders user1001–user1004 (4), Slack
users U01ANN, U02BOB, U03EVE, U04BOT (4), WhatsApp senders ``+49 151 1111111`` (an id),
``Bobby``, ``Cat``, ``Eve Park`` (names) (4). ``mapping.csv`` names three persons: Ann
(3 identities), Bob (3) and Cat (2), so 12 − 2 − 2 − 1 = 7 members after the import.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from shequn import ids
from shequn.errors import ConfigError, SourceFormatError
from shequn.identities import (
    MergePlan,
    apply_suggestions,
    batches,
    current_flags,
    flag_member,
    import_mapping,
    member_view,
    merge_pairs,
    resolve_identity,
    resolve_member,
    suggest,
    undo_batch,
    unmerge_pair,
)
from shequn.identities.names import email_of, handle_of, normalize_name, phone_of
from shequn.importer import import_file
from shequn.model import Chat, Event
from shequn.store import Community, ImportMeta, Store

DATA = Path(__file__).parent / "data" / "identities"
MAPPING = DATA / "mapping.csv"
T0 = 1_709_287_200_000_000  # 2024-03-01T10:00:00Z

TG = {n: ids.identity_id("telegram", f"user{n}") for n in (1001, 1002, 1003, 1004)}
SL = {n: ids.identity_id("slack", n) for n in ("U01ANN", "U02BOB", "U03EVE", "U04BOT")}
WA_ANN = ids.identity_id("whatsapp", "+491511111111")
WA = {n: ids.identity_id("whatsapp", None, group_native_id="Book Club", name=n) for n in ("Bobby", "Cat", "Eve Park")}
ANN = {TG[1001], SL["U01ANN"], WA_ANN}
BOB = {TG[1002], SL["U02BOB"], WA["Bobby"]}
CAT = {TG[1003], WA["Cat"]}


# -- the acceptance community ------------------------------------------------------------


def _club(store: Store) -> Community:
    for path, fmt in (
        (DATA / "telegram_readers.json", "telegram"),
        (DATA / "slack", "slack"),
        (DATA / "WhatsApp Chat with Book Club.txt", "whatsapp"),
    ):
        import_file(store, path, community="club", fmt=fmt, tz="Europe/Berlin")
    com = store.community("club")
    assert com is not None
    return com


def _members(store: Store) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for identity, member in store.query("SELECT identity_id, member_id FROM identity_member"):
        found.setdefault(member, set()).add(identity)
    return found


def _count(store: Store, sql: str) -> int:
    return store.query(sql)[0][0]


@pytest.fixture
def club(store: Store) -> Community:
    return _club(store)


def test_fixtures_hold_twelve_identities_each_its_own_member(store: Store, club: Community) -> None:
    members = _members(store)
    assert len(members) == 12
    assert set().union(*members.values()) == ANN | BOB | CAT | {TG[1004], SL["U03EVE"], SL["U04BOT"], WA["Eve Park"]}


def test_mapping_makes_each_person_one_member_undo_splits_rerun_adds_nothing(store: Store, club: Community) -> None:
    outcome, resolved = import_mapping(store, MAPPING, club)
    assert (outcome.written, sorted(resolved.persons)) == (5, ["Ann Lee", "Bob Stone", "Cat"])
    members = _members(store)
    assert len(members) == 7
    by_identity = {i: frozenset(group) for group in members.values() for i in group}
    assert {by_identity[TG[1001]], by_identity[TG[1002]], by_identity[TG[1003]]} == {
        frozenset(ANN),
        frozenset(BOB),
        frozenset(CAT),
    }
    assert {len(g) for m, g in members.items() if m not in ANN | BOB | CAT} == {1}
    merges = store.query(
        "SELECT DISTINCT subkind, attrs LIKE ? FROM events WHERE kind = 'merge'", [f"%{outcome.batch}%"]
    )
    assert merges == [("mapping", True)]

    again, _ = import_mapping(store, MAPPING, club)
    assert (again.written, again.batch) == (0, None)
    assert _count(store, "SELECT count(*) FROM events WHERE kind = 'merge'") == 5

    undone = undo_batch(store, outcome.batch, source="test")
    assert undone.written == 5
    assert len(_members(store)) == 12
    assert _count(store, "SELECT count(*) FROM events WHERE kind = 'unmerge' AND subkind = 'undo'") == 5
    assert undo_batch(store, outcome.batch, source="test").written == 0  # undoing twice changes nothing


def test_undo_of_an_undo_merges_again(store: Store, club: Community) -> None:
    outcome, _ = import_mapping(store, MAPPING, club)
    undone = undo_batch(store, outcome.batch, source="test")
    redone = undo_batch(store, undone.batch, source="test")
    assert redone.written == 5
    assert len(_members(store)) == 7
    assert _count(store, "SELECT count(*) FROM events WHERE kind = 'merge' AND subkind = 'redo'") == 5


def test_mapping_after_an_undo_merges_again(store: Store, club: Community) -> None:
    """The log decides: an undone merge is a new merge when the file is imported again."""
    outcome, _ = import_mapping(store, MAPPING, club)
    undo_batch(store, outcome.batch, source="test")
    again, _ = import_mapping(store, MAPPING, club)
    assert (again.written, len(_members(store))) == (5, 7)


def test_mapping_excel_file_with_bom_and_semicolons(store: Store, club: Community) -> None:
    outcome, resolved = import_mapping(store, DATA / "mapping_excel_semicolon.csv", club)
    assert resolved.persons == {"Cat": [(2, TG[1003]), (3, WA["Cat"])]}
    assert outcome.written == 1


@pytest.mark.parametrize(
    ("fixture", "where", "problem"),
    [
        ("mapping_missing.csv", "line 3, column native_id", "the log has no slack account 'U09NOBODY'"),
        ("mapping_conflict.csv", "line 5, column person", "already person 'Ann Lee' on line 3"),
        ("mapping_no_person.csv", "line 1", "no 'person' column"),
        ("mapping_unknown_group.csv", "line 3, column group", "no whatsapp group named 'Walking Club'"),
        ("mapping_id_and_name.csv", "line 2, column native_id", "not both"),
        ("mapping_unknown_carrier.csv", "line 2, column carrier", "no 'discord' group in community 'club'"),
    ],
)
def test_mapping_errors_name_line_and_column_and_write_nothing(
    store: Store, club: Community, fixture: str, where: str, problem: str
) -> None:
    with pytest.raises(SourceFormatError) as caught:
        import_mapping(store, DATA / fixture, club)
    assert caught.value.where == where
    assert problem in caught.value.problem
    assert _count(store, "SELECT count(*) FROM events WHERE kind = 'merge'") == 0


def test_skip_missing_merges_the_rest_and_lists_the_rows(store: Store, club: Community) -> None:
    outcome, resolved = import_mapping(store, DATA / "mapping_missing.csv", club, skip_missing=True)
    assert resolved.missing == [(3, "the log has no slack account 'U09NOBODY'")]
    assert outcome.written == 1
    assert _members(store)[min(TG[1001], WA_ANN)] == {TG[1001], WA_ANN}


# -- merge, unmerge, references ------------------------------------------------------------


def test_references_by_id_native_id_phone_and_group_name(store: Store, club: Community) -> None:
    assert resolve_identity(store, str(TG[1001])) == TG[1001]
    assert resolve_identity(store, "telegram:user1001") == TG[1001]
    assert resolve_identity(store, "whatsapp:+49 151 1111111") == WA_ANN
    assert resolve_identity(store, "whatsapp:Book Club:bobby") == WA["Bobby"]
    for bad in ("telegram:user9", "12", "nothing"):
        with pytest.raises(ConfigError):
            resolve_identity(store, bad)


def test_manual_merge_is_idempotent_and_can_be_redone_after_unmerge(store: Store, club: Community) -> None:
    pair = [MergePlan(SL["U03EVE"], WA["Eve Park"])]
    first = merge_pairs(store, club, pair, subkind="manual", source="test")
    assert (first.written, len(_members(store))) == (1, 11)
    assert merge_pairs(store, club, pair, subkind="manual", source="test").written == 0
    assert unmerge_pair(store, club, SL["U03EVE"], WA["Eve Park"], source="test").written == 1
    assert len(_members(store)) == 12
    assert merge_pairs(store, club, pair, subkind="manual", source="test").written == 1
    assert len(_members(store)) == 11
    assert _count(store, "SELECT count(*) FROM events WHERE kind IN ('merge', 'unmerge')") == 3


def test_unmerge_of_a_pair_joined_only_through_others_names_the_path(store: Store, club: Community) -> None:
    import_mapping(store, MAPPING, club)
    # Ann's merges are telegram–slack and telegram–whatsapp (the first row is the hub).
    with pytest.raises(ConfigError, match="through other merges"):
        unmerge_pair(store, club, SL["U01ANN"], WA_ANN, source="test")
    assert len(_members(store)) == 7


def test_show_lists_identities_names_groups_and_flags(store: Store, club: Community) -> None:
    import_mapping(store, MAPPING, club)
    member = resolve_member(store, "slack:U02BOB")
    view = member_view(store, member, club.community_id)
    assert view.member_id == min(BOB)
    rows = {
        (i.carrier, i.native_id or i.name_key, tuple(n.name for n in i.names), tuple(i.groups)) for i in view.identities
    }
    assert rows == {
        ("telegram", "user1002", ("Bob",), ("telegram:Readers",)),
        ("slack", "U02BOB", ("Bob Stone",), ("slack:book-club",)),
        ("whatsapp", "bobby", ("Bobby",), ("whatsapp:Book Club",)),
    }


# -- flags ---------------------------------------------------------------------------------


def test_importer_bot_flag_is_a_current_flag(store: Store, club: Community) -> None:
    assert current_flags(store, club.community_id) == {SL["U04BOT"]: {"bot"}}


def test_flags_apply_to_the_member_latest_wins_and_reruns_add_nothing(store: Store, club: Community) -> None:
    import_mapping(store, MAPPING, club)
    ann = resolve_member(store, "whatsapp:+49 151 1111111")
    assert ann == min(ANN)
    assert flag_member(store, club, ann, "staff", True, source="test").written == 1
    assert flag_member(store, club, ann, "staff", True, source="test").written == 0
    assert current_flags(store, club.community_id)[ann] == {"staff"}
    assert flag_member(store, club, ann, "staff", False, source="test").written == 1
    assert ann not in current_flags(store, club.community_id)
    assert flag_member(store, club, ann, "staff", True, source="test").written == 1
    assert flag_member(store, club, ann, "protected", True, source="test").written == 1
    assert current_flags(store, club.community_id)[ann] == {"staff", "protected"}
    target = store.query(
        "SELECT DISTINCT target_identity_id, group_id FROM events WHERE kind = 'flag' AND subkind = 'staff'"
    )
    assert target == [(ann, None)]


def test_a_flag_on_any_identity_flags_the_merged_member(store: Store, club: Community) -> None:
    merge_pairs(store, club, [MergePlan(SL["U04BOT"], TG[1004])], subkind="manual", source="test")
    member = min(SL["U04BOT"], TG[1004])
    assert current_flags(store, club.community_id) == {member: {"bot"}}


def test_undo_of_a_flag_batch_clears_it(store: Store, club: Community) -> None:
    flagged = flag_member(store, club, TG[1004], "protected", True, source="test")
    assert undo_batch(store, flagged.batch, source="test").written == 1
    assert TG[1004] not in current_flags(store, club.community_id)
    assert [b.counts for b in batches(store, club.community_id)] == [{"flag/protected": 1}, {"flag/protected": 1}]


def test_unknown_flag_is_an_error(store: Store, club: Community) -> None:
    with pytest.raises(ConfigError, match="unknown flag"):
        flag_member(store, club, TG[1004], "vip", True, source="test")


# -- suggestions ---------------------------------------------------------------------------

#: A hand-made community: (chat, native id or None, name as written, person). Persons
#: starting with "not " are distinct people who happen to look alike.
CHATS = {
    "tg": Chat("telegram", "100", "Readers"),
    "sl": Chat("slack", "C1", "general"),
    "wa1": Chat("whatsapp", "Book Club", "Book Club"),
    "wa2": Chat("whatsapp", "Hikers", "Hikers"),
    "dc": Chat("discord", "D1", "lounge"),
    "irc": Chat("irc", "#dev", "#dev"),
    "ml": Chat("mbox", "dev@lists.example.org", "dev list"),
    "gen": Chat("generic", "signup", "Sign-up sheet"),
}
PEOPLE = [
    ("tg", "user1", "Ann Lee", "ann"),  # same display name on two carriers
    ("sl", "U1", "Ann Lee", "ann"),
    ("wa1", "+491512222222", "+49 151 2222222", "bob"),  # phone, international and national
    ("gen", "0151-2222222", "Bob Brown", "bob"),
    ("ml", "cat@example.org", "Cat Wong", "cat"),  # e-mail, any case
    ("gen", "Cat@Example.org", "C. Wong", "cat"),
    ("dc", "501", "dan_the_man", "dan"),  # handle: Discord username, Telegram @mention, IRC nick
    ("tg", None, "@dan_the_man", "dan"),
    ("irc", None, "dan_the_man", "dan"),
    ("tg", "user5", "【管理员】Eve Park", "eve"),  # decorations
    ("wa2", None, "Eve Park 🌿", "eve"),
    ("tg", "user6", "Ｊｏｎａｓ Weber", "jonas"),  # full-width forms
    ("sl", "U6", "Jonas Weber", "jonas"),
    ("sl", "U7", "Jonathan Smith", "jonathan"),  # a typo
    ("wa1", None, "Jonathon Smith", "jonathan"),
    ("tg", "user8", "Grace Hopper", "grace"),  # a nickname no rule can see
    ("wa2", None, "Gracie 🌸", "grace"),
    ("tg", "user9", "Alex", "not alex 1"),  # a common first name, three people
    ("sl", "U9", "Alex", "not alex 2"),
    ("wa2", None, "Alex", "not alex 3"),
    ("tg", "user10", "Bob", "not bob"),
    ("wa1", None, "Bobby", "not bobby"),
    ("tg", "user11", "Mia K", "not mia 1"),  # namesakes the rules cannot tell apart
    ("sl", "U11", "Mia K", "not mia 2"),
    ("sl", "U12", "Sam Taylor", "not sam 1"),  # two accounts of one workspace
    ("sl", "U13", "Sam Taylor", "not sam 2"),
    ("dc", "701", "al", "not al 1"),  # a short handle
    ("irc", None, "al", "not al 2"),
    ("dc", "601", "Deploy Bot", "not bot 1"),  # bots, flagged by their importers
    ("sl", "U14", "Deploy Bot", "not bot 2"),
]
BOTS = {("dc", "601"), ("sl", "U14")}


def _identity(chat: str, native: str | None, name: str) -> int:
    c = CHATS[chat]
    return ids.identity_id(c.carrier, native, group_native_id=c.native_id, name=name)


def _people_log(store: Store) -> Community:
    com = store.ensure_community("oss")
    for chat_key, chat in CHATS.items():
        records: list = [chat]
        for n, (where, native, name, _) in enumerate(p for p in PEOPLE if p[0] == chat_key):
            ts = T0 + n * 1_000_000
            if name.startswith("@"):  # a handle seen only as a mention
                records.append(
                    Event(
                        chat_id=chat.native_id,
                        key=f"m{n}",
                        kind="message",
                        ts_us=ts,
                        actor_name="someone",
                        mention_names=[name],
                        text=f"hi {name}",
                    )
                )
                continue
            records.append(
                Event(chat_id=chat.native_id, key=f"m{n}", kind="message", ts_us=ts, actor_id=native, actor_name=name)
            )
            if (where, native) in BOTS:
                records.append(
                    Event(
                        chat_id=chat.native_id,
                        key=f"bot{n}",
                        kind="flag",
                        subkind="bot",
                        ts_us=ts,
                        target_id=native,
                        attrs={"value": True},
                    )
                )
        meta = ImportMeta(path=f"{chat_key}.json", size=1, sha256=chat_key, importer=chat.carrier, importer_version="1")
        store.import_records(iter(records), community=com, meta=meta)
    return com


def _person_of() -> dict[int, str]:
    return {_identity(c, n, name): person for c, n, name, person in PEOPLE}


def _pairs(found) -> set[frozenset[str]]:  # type: ignore[no-untyped-def]
    person = _person_of()
    return {frozenset((person.get(s.identity_a, "?"), person.get(s.identity_b, "?"))) for s in found}


@pytest.fixture
def oss(store: Store) -> Community:
    return _people_log(store)


def test_each_kind_of_evidence_is_found(store: Store, oss: Community) -> None:
    found = suggest(store, oss.community_id, min_confidence=0.0)
    kinds = {}
    person = _person_of()
    for s in found:
        pair = frozenset((person.get(s.identity_a), person.get(s.identity_b)))
        kinds.setdefault(pair, set()).update(e.kind for e in s.evidence)
    assert kinds[frozenset({"ann"})] == {"same_name"}
    assert kinds[frozenset({"bob"})] == {"phone"}
    assert kinds[frozenset({"cat"})] == {"email"}
    assert kinds[frozenset({"dan"})] >= {"handle"}
    assert kinds[frozenset({"eve"})] == {"similar_name"}
    assert kinds[frozenset({"jonas"})] == {"similar_name"}
    assert kinds[frozenset({"jonathan"})] == {"similar_name"}
    assert frozenset({"not bot 1", "not bot 2"}) not in kinds  # bots are never suggested


def test_confidence_follows_rarity_length_and_carrier(store: Store, oss: Community) -> None:
    person = _person_of()
    confidence = {
        frozenset((person[s.identity_a], person[s.identity_b])): round(s.confidence, 3)
        for s in suggest(store, oss.community_id, min_confidence=0.0)
    }
    assert confidence[frozenset({"ann"})] == 0.9  # "Ann Lee": two words, two members
    assert confidence[frozenset({"not mia 1", "not mia 2"})] == 0.72  # short: 0.9 × 0.8
    assert confidence[frozenset({"not sam 1", "not sam 2"})] == 0.54  # one workspace: 0.9 × 0.6
    assert confidence[frozenset({"not alex 1", "not alex 2"})] == 0.509  # three Alexes: 0.9 / √2 × 0.8
    assert confidence[frozenset({"not al 1", "not al 2"})] == 0.585  # short handle 0.5 < "al" as a name
    assert confidence[frozenset({"jonathan"})] == 0.654  # ratio 24/26: 0.85 × (1 − 3 × 2/26)


def test_precision_and_recall_on_the_hand_made_set(store: Store, oss: Community) -> None:
    person = _person_of()
    true_pairs = {  # member pairs of one person: Dan has three identities, so three pairs
        frozenset({a, b})
        for a, pa in person.items()
        for b, pb in person.items()
        if a < b and pa == pb and not pa.startswith("not ")
    }
    assert len(true_pairs) == 10
    found = suggest(store, oss.community_id)  # the default threshold, 0.6
    suggested = {frozenset({s.identity_a, s.identity_b}) for s in found}
    hits = suggested & true_pairs
    assert (len(suggested), len(hits)) == (10, 9)  # precision 0.9, recall 0.9
    assert suggested - true_pairs == {frozenset({_identity("tg", "user11", "Mia K"), _identity("sl", "U11", "Mia K")})}
    assert true_pairs - suggested == {frozenset({_identity("tg", "user8", "x"), _identity("wa2", None, "Gracie 🌸")})}


def test_members_already_one_are_not_suggested(store: Store, oss: Community) -> None:
    ann = (_identity("tg", "user1", ""), _identity("sl", "U1", ""))
    merge_pairs(store, oss, [MergePlan(*ann)], subkind="manual", source="test")
    assert frozenset({"ann"}) not in _pairs(suggest(store, oss.community_id, min_confidence=0.0))


def test_apply_above_merges_in_one_batch(store: Store, oss: Community) -> None:
    before = len(_members(store))
    outcome = apply_suggestions(store, oss, suggest(store, oss.community_id), 0.9)
    # ≥ 0.9: Bob (phone 0.95), Cat (e-mail 0.95), Ann (same name 0.9), Dan's Discord and IRC
    # nick (same name 0.9; his Telegram @mention is 0.8 and stays apart).
    assert outcome.written == 4
    assert len(_members(store)) == before - 4
    rows = store.query("SELECT DISTINCT subkind FROM events WHERE kind = 'merge'")
    assert rows == [("suggested",)]
    assert [b.counts for b in batches(store, oss.community_id)] == [{"merge/suggested": 4}]


# -- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "normalized"),
    [
        ("【管理员】Eve Park", "eve park"),
        ("Ｊｏｎａｓ  Weber", "jonas weber"),
        ("\u2068Tunde\u2069 🌿", "tunde"),
        ("Ann Lee <ann@example.org>", "ann lee"),
        ("王小明 (Beijing)", "王小明"),
        ("🌸🌸", ""),
    ],
)
def test_normalize_name(written: str, normalized: str) -> None:
    assert normalize_name(written) == normalized


def test_handles_phones_and_emails() -> None:
    assert handle_of("telegram", "@Ann_Lee", None) == "ann_lee"
    assert handle_of("telegram", "Ann Lee", "user1") is None  # a display name is not a handle
    assert handle_of("discord", "ann#0042", "501") == "ann"
    assert handle_of("discourse", "Ann Lee", "annlee") == "annlee"
    assert phone_of("\u2066+234 803 555 0101\u2069") == "+" + "2348035550101"[-9:]
    assert phone_of("0803 555 0101") == phone_of("+234 803 555 0101")
    assert phone_of("Room 101") is None
    assert email_of("Ann <Ann@Example.org>") == "ann@example.org"
    assert email_of("@ann") is None


# -- the command line ------------------------------------------------------------------------


def _app() -> typer.Typer:
    from shequn.cli_identities import register

    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """shequn"""

    register(app)
    return app


def test_cli_import_show_flag_undo(tmp_path: Path) -> None:
    db = str(tmp_path / "log.duckdb")
    with Store(db) as store:
        _club(store)
    app, runner = _app(), CliRunner()

    def run(*args: str) -> dict | list:
        result = runner.invoke(app, [*args, "--json", "--db", db])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    imported = run("identities", "import", str(MAPPING))
    assert imported["written"] == 5
    assert run("identities", "import", str(MAPPING))["written"] == 0
    shown = run("identities", "show", "whatsapp:Book Club:Bobby")
    assert {i["identity_id"] for i in shown["identities"]} == BOB
    listed = run("identities", "list")
    assert sorted(len(m["identities"]) for m in listed) == [2, 3, 3]
    flagged = run("members", "flag", "telegram:user1002", "--staff", "--protected")
    assert [(f["flag"], f["written"]) for f in flagged] == [("staff", 1), ("protected", 1)]
    assert run("identities", "show", "slack:U02BOB")["flags"] == ["protected", "staff"]
    suggested = run("identities", "suggest")
    assert [s["labels"] for s in suggested["suggestions"]] == [
        ["slack:U03EVE (Eve Park)", "whatsapp:Book Club:Eve Park"]
    ]
    assert run("identities", "undo", imported["batch"])["written"] == 5
    assert len(run("identities", "list", "--all")) == 12


def test_cli_errors_are_one_line_and_write_nothing(tmp_path: Path) -> None:
    db = str(tmp_path / "log.duckdb")
    with Store(db) as store:
        _club(store)
    runner = CliRunner()
    result = runner.invoke(_app(), ["identities", "import", str(DATA / "mapping_missing.csv"), "--db", db])
    assert result.exit_code == 1
    assert "line 3, column native_id" in result.output and "Traceback" not in result.output
    missing = runner.invoke(_app(), ["identities", "show", "telegram:user404", "--db", db])
    assert (missing.exit_code, missing.output.count("\n")) == (1, 1)
    with Store(db, read_only=True) as store:
        assert _count(store, "SELECT count(*) FROM events WHERE kind = 'merge'") == 0


# -- both engines ----------------------------------------------------------------------------


def test_mapping_undo_and_flags_on_every_store_engine(log_store: Store) -> None:
    """The same SQL reads merges, batches and flags on DuckDB and on PostgreSQL."""
    club = _club(log_store)
    outcome, _ = import_mapping(log_store, MAPPING, club)
    assert (outcome.written, len(_members(log_store))) == (5, 7)
    ann = resolve_member(log_store, "whatsapp:+49 151 1111111")
    assert flag_member(log_store, club, ann, "staff", True, source="test").written == 1
    assert current_flags(log_store, club.community_id) == {SL["U04BOT"]: {"bot"}, ann: {"staff"}}
    assert [s.label_b for s in suggest(log_store, club.community_id)] == ["whatsapp:Book Club:Eve Park"]
    assert undo_batch(log_store, outcome.batch, source="test").written == 5
    assert len(_members(log_store)) == 12

"""The Discourse importer: fixtures in tests/data/discourse, then the real samples.

``topic.json`` is a ``/t/{id}.json`` answer with one trap per post (mention and image caption
in ``cooked``, a reply inside the page, a reply to a post on another page, the reactions
plugin, a whisper, a system user's small action, a deleted post); ``posts_page.json`` is a
later page without the first post; ``single_post.json``, ``latest_posts.json`` and
``latest.json`` are the other answers; ``bad_*.json`` and ``truncated.json`` are broken.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shequn import sources
from shequn.errors import SourceFormatError
from shequn.importer import import_file
from shequn.model import Chat, Event, Skip
from shequn.sources import discourse, head_of
from shequn.sources._base import ReadOptions
from shequn.sources._discourse_html import html_to_text
from shequn.store import Store

DATA = Path(__file__).parent / "data"
FIXTURES = DATA / "discourse"
TOPIC = FIXTURES / "topic.json"


def records(path: Path, **options) -> list:
    return list(discourse.read(path, ReadOptions(**options)))


def events(path: Path, **options) -> list[Event]:
    return [r for r in records(path, **options) if type(r) is Event]


def one(store: Store, sql: str):  # type: ignore[no-untyped-def]
    return store.con.execute(sql).fetchall()[0][0]


# -- detection -----------------------------------------------------------------------------


def test_every_answer_is_detected_as_discourse() -> None:
    for path in sorted(FIXTURES.glob("*.json")):
        assert sources.detect(path) is discourse, path


def test_other_formats_are_not_claimed() -> None:
    others = [p for p in DATA.rglob("*") if p.is_file() and "discourse" not in p.relative_to(DATA).parts]
    assert [p for p in others if discourse.sniff(p, head_of(p))] == []


@pytest.mark.samples
def test_other_carriers_samples_are_not_claimed(samples: Path) -> None:
    others = [p for p in samples.rglob("*") if p.is_file() and p.relative_to(samples).parts[0] != "discourse"]
    assert [p for p in others if discourse.sniff(p, head_of(p))] == []


# -- what the records say ------------------------------------------------------------------


def test_topic_posts_replies_reactions_and_flags() -> None:
    recs = records(TOPIC)
    assert recs[0] == Chat(carrier="discourse", native_id="category/7", name="category 7", chat_type="category")
    got = [(e.key, e.kind, e.subkind, e.actor_id, e.target_id, e.reply_to_key, e.thread_key) for e in events(TOPIC)]
    assert got == [
        ("flag:staff:ann", "flag", "staff", None, "ann", None, None),
        ("9001", "message", "text", "ann", None, None, "9001"),  # the first post is its thread's root
        ("9001:reaction:like", "reaction", "anonymous", None, "ann", "9001", None),  # 3 likes; a flag (id 3) is no like
        ("9002", "message", "text", "bob", None, "9001", "9001"),  # reply_to_post_number 1 -> post 9001
        ("9003", "message", "text", "cat", None, None, "9001"),  # replies to #40, not in this page
        ("9003:reaction:heart", "reaction", "anonymous", None, "cat", "9003", None),
        ("9003:reaction:tada", "reaction", "anonymous", None, "cat", "9003", None),
        ("9004", "message", "text", "ann", None, None, "9001"),
        ("flag:bot:system", "flag", "bot", None, "system", None, None),  # user_id -1
        ("9005", "service", "closed.enabled", "system", None, None, "9001"),
        ("9006", "message", "text", "dan", None, None, "9001"),
    ]


def test_post_fields() -> None:
    by_key = {e.key: e for e in events(TOPIC)}
    first = by_key["9001"]
    assert (first.actor_name, first.text, first.mention_ids) == (
        "Ann Lee",
        "What do you think of 2.0? & thanks to @bob",  # the image caption box is dropped
        ["bob"],
    )
    assert first.attrs == {
        "post_number": 1,
        "topic_id": 501,
        "title": "Release 2.0 feedback",
        "edited_ts_us": 1704187800_000000,
    }
    assert (first.ts_us, first.ts_original, first.tz_assumed) == (1704186000_000000, "2024-01-02T09:00:00.000Z", None)
    assert by_key["9002"].actor_name == "bob"  # empty name: the username
    assert by_key["9003"].attrs == {"post_number": 3, "topic_id": 501, "reply_to_post_number": 40}
    assert by_key["9003:reaction:heart"].attrs == {"emoji": "heart", "count": 2}
    assert by_key["9001:reaction:like"].attrs == {"emoji": "like", "count": 3}
    assert by_key["9004"].attrs == {"post_number": 4, "topic_id": 501, "whisper": True}
    assert (by_key["9005"].text, by_key["9006"].attrs["deleted"]) == (None, True)


def test_later_page_without_the_first_post() -> None:
    got = [(e.key, e.reply_to_key, e.thread_key, e.attrs) for e in events(FIXTURES / "posts_page.json")]
    assert got == [
        ("9041", None, "topic:501", {"post_number": 41, "topic_id": 501, "reply_to_post_number": 40}),
        ("9042", "9041", "topic:501", {"post_number": 42, "topic_id": 501}),
    ]
    assert records(FIXTURES / "posts_page.json")[0].native_id == "category/7"  # the posts' _category_id


def test_group_names_the_forum_for_every_category() -> None:
    recs = records(FIXTURES / "latest_posts.json", chat_name="forum.example.org")
    assert [r for r in recs if type(r) is Chat] == [
        Chat(carrier="discourse", native_id="forum.example.org", name="forum.example.org", chat_type="site")
    ]
    assert {e.chat_id for e in recs if type(e) is Event} == {"forum.example.org"}


def test_latest_posts_declare_each_category() -> None:
    recs = records(FIXTURES / "latest_posts.json")
    assert [(type(r).__name__, getattr(r, "native_id", None) or r.key) for r in recs] == [
        ("Chat", "category/7"),
        ("Event", "9042"),
        ("Chat", "category/3"),
        ("Event", "9101"),
        ("Event", "9101:reaction:like"),
    ]
    assert recs[1].attrs == {"post_number": 42, "topic_id": 501, "reply_to_post_number": 41}


def test_single_post_needs_a_group_for_its_forum() -> None:
    with pytest.raises(SourceFormatError, match="pass --group") as err:
        records(FIXTURES / "single_post.json")
    assert err.value.where == "top level"
    post = events(FIXTURES / "single_post.json", chat_name="forum.example.org")
    assert [(e.key, e.thread_key, e.text) for e in post] == [("9003", "topic:501", "Replying to an older page")]


def test_topic_list_entries_are_skipped_with_the_reason() -> None:
    assert records(FIXTURES / "latest.json") == [
        Skip("topic list entry (import the topic's /t/{id}.json for its posts)", "topic_list.topics[0]"),
        Skip("topic list entry (import the topic's /t/{id}.json for its posts)", "topic_list.topics[1]"),
    ]


def test_html_to_text_keeps_blocks_and_entities() -> None:
    html = "<p>a&nbsp;&lt;b&gt;</p><ul><li>one</li><li>two</li></ul><script>x()</script><pre>code</pre>"
    assert html_to_text(html) == ("a <b>\n\none\n\ntwo\n\ncode", [])


# -- errors --------------------------------------------------------------------------------


def test_errors_name_the_json_path_or_line() -> None:
    with pytest.raises(SourceFormatError) as err:
        records(FIXTURES / "bad_time.json")
    assert (err.value.where, err.value.problem) == (
        "post_stream.posts[1].created_at",
        "expected an ISO 8601 time, got 'yesterday'",
    )
    with pytest.raises(SourceFormatError) as err:
        records(FIXTURES / "bad_type.json")
    assert (err.value.where, err.value.problem) == ("post_stream.posts[1].id", "expected `int`, got `str`")
    with pytest.raises(SourceFormatError, match="not valid JSON") as err:
        records(FIXTURES / "truncated.json")
    assert err.value.where == "line 11"  # where the cut-off file ends: wc -l truncated.json -> 10 newlines


def test_json_that_is_no_discourse_answer(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"id": 1, "name": "not a forum"}')
    with pytest.raises(SourceFormatError, match="expected a Discourse topic") as err:
        records(other)
    assert err.value.where == "top level"


# -- through the log -----------------------------------------------------------------------


def test_import_detects_and_double_import_adds_nothing(store: Store) -> None:
    first = import_file(store, TOPIC)
    assert first.importer == "discourse"
    # 5 messages (the whisper and the deleted post included) by ann, bob, cat, dan
    assert (first.messages_read, first.members_seen, first.groups_seen) == (5, 4, 1)
    assert first.events_added == 11
    again = import_file(store, TOPIC)
    assert (again.events_added, again.duplicates) == (0, 11)


def test_overlapping_page_adds_only_the_new_posts(store: Store, tmp_path: Path) -> None:
    import_file(store, TOPIC)
    topic = json.loads(TOPIC.read_text())
    new_post = {
        "id": 9007, "post_number": 7, "topic_id": 501, "username": "erin", "name": "Erin", "user_id": 15,
        "created_at": "2024-01-04T08:00:00.000Z", "cooked": "<p>reopen?</p>", "reply_to_post_number": 6,
    }  # fmt: skip
    later = {"id": 501, "category_id": 7, "post_stream": {"posts": [*topic["post_stream"]["posts"][4:], new_post]}}
    path = tmp_path / "t-501-page.json"
    path.write_text(json.dumps(later))
    summary = import_file(store, path)
    assert (summary.events_added, summary.duplicates) == (1, 3)  # the bot flag, 9005 and 9006 are known
    reply = store.con.execute("SELECT reply_to_event_id FROM events WHERE native_id = '9007'").fetchall()[0][0]
    known = store.con.execute("SELECT event_id FROM events WHERE native_id = '9006'").fetchall()[0][0]
    assert reply == known


def test_corrupted_file_leaves_the_log_unchanged(store: Store) -> None:
    import_file(store, TOPIC)
    before = one(store, "SELECT count(*) FROM events")
    with pytest.raises(SourceFormatError, match=r"post_stream\.posts\[1\]\.created_at"):
        import_file(store, FIXTURES / "bad_time.json")
    assert one(store, "SELECT count(*) FROM events") == before
    status, error = store.con.execute("SELECT status, error FROM imports ORDER BY import_id DESC LIMIT 1").fetchall()[0]
    assert status == "failed" and "created_at" in error


# -- real exports --------------------------------------------------------------------------


@pytest.mark.samples
def test_mozilla_topic_sample(store: Store, samples: Path) -> None:
    folder = samples / "discourse"
    topic = import_file(store, folder / "discourse_topic_1148.json")
    # jq '.post_stream.posts | length' discourse_topic_1148.json                        -> 20 (of 22 in .stream)
    # jq '[.post_stream.posts[].username] | unique | length' discourse_topic_1148.json  -> 10
    # jq '[.post_stream.posts[] | select(.reply_to_post_number != null)] | length'     -> 9
    #   (parents: posts 3 7 9 11 12 15 14 18 19, all on this page of posts 1-20)
    # jq -c '[.post_stream.posts[].actions_summary[] | select(.id == 2) | .count]'    -> [6,1]
    # jq '[.post_stream.posts[] | select(.staff or .admin or .moderator or .user_id < 0)]' -> [] (no flags)
    assert (topic.messages_read, topic.members_seen, topic.groups_seen) == (20, 10, 1)
    assert topic.events_added == 20 + 2
    assert one(store, "SELECT count(*) FROM events WHERE reply_to_event_id IS NOT NULL AND kind = 'message'") == 9
    assert (
        one(store, "SELECT sum(CAST(json_extract(attrs, '$.count') AS INT)) FROM events WHERE kind = 'reaction'") == 7
    )
    posts = import_file(store, folder / "discourse_posts.json")
    # jq '.post_stream.posts | length' discourse_posts.json -> 4; jq '[.post_stream.posts[].username] | unique'
    # -> 4 users; one post mentions @blomquisg and @kincl
    assert (posts.messages_read, posts.members_seen, posts.events_added) == (4, 4, 4)
    mentioned = one(store, "SELECT len(mentions) FROM events WHERE native_id = '4393'")
    assert mentioned == 2
    listing = import_file(store, folder / "discourse_topics.json")
    # jq '.topic_list.topics | length' discourse_topics.json -> 2
    assert (listing.events_added, listing.skipped) == (
        0,
        {"topic list entry (import the topic's /t/{id}.json for its posts)": 2},
    )

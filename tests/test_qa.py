"""Questions and answers (``docs/metrics.md#questions-and-answers``): a hand-built log where every
number is worked out by hand, the derived ``questions`` table's life cycle, and the demo's
planted unanswered questions found by ``shequn qa --unanswered --json``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from metrics_fixtures import QUIET, LogBuilder, Measure, measure  # noqa: F401 - measure is a fixture
from shequn import cli_qa
from shequn.demo import write_demo
from shequn.importer import import_paths
from shequn.metrics import context_for, qa
from shequn.metrics._qa_tables import build_questions, ensure_qa_tables
from shequn.model import Event
from shequn.store import Store

pytestmark = QUIET

D = date(2026, 3, 10)


def say(log: LogBuilder, group: str, member: str, when: str, text: str, **links: Event) -> Event:
    """A message with its own text; ``reply_to=`` an event (a carrier reply) or ``thread=`` (a thread)."""
    reply, thread = links.get("reply_to"), links.get("thread")
    return log._add(
        group,
        "message",
        when,
        subkind="text",
        actor_id=member,
        text=text,
        reply_to_key=reply.key if reply is not None else None,
        thread_key=thread.key if thread is not None else None,
    )


def qa_log() -> LogBuilder:
    """Six questions (Q1–Q6) in groups g and h, all times UTC:

    - Q1 ann 03-01 10:00, bob replies 11:00 (1 h, explicit), carl later: answered by bob;
    - Q2 ann 03-02 10:00, ann replies to herself and the bot replies: never answered;
    - Q3 bob 03-03 10:00, carl replies 03-04 16:00: answered after 30 h, past the 24 h deadline;
    - Q4 carl 03-05 09:00, dan writes in its thread 09:30: answered by the thread (0.5 h);
    - Q5 dan 03-10 20:00, bob replies 03-11 08:00: open as of 03-10, answered (12 h) as of 03-11;
    - Q6 erin (group h) 03-06 12:00: never answered.

    "hello everyone" with a reply is no question.
    """
    log = LogBuilder()
    for member in ("ann", "bob", "carl", "dan", "bot"):
        log.join("g", member, "2026-02-01")
    log.join("h", "erin", "2026-02-01")
    log.flag("g", "bot", "bot", "2026-02-01 13:00")
    q1 = say(log, "g", "ann", "2026-03-01 10:00", "How do I export the chat history?")
    say(log, "g", "bob", "2026-03-01 11:00", "Use the export button in settings", reply_to=q1)
    say(log, "g", "carl", "2026-03-01 12:00", "try the hall on Main street", reply_to=q1)
    q2 = say(log, "g", "ann", "2026-03-02 10:00", "Does anyone know a good venue for Saturday?")
    say(log, "g", "ann", "2026-03-02 10:05", "me too", reply_to=q2)
    say(log, "g", "bot", "2026-03-02 10:10", "no idea sorry", reply_to=q2)
    q3 = say(log, "g", "bob", "2026-03-03 10:00", "Why is the bot silent today?")
    say(log, "g", "carl", "2026-03-04 16:00", "no idea sorry", reply_to=q3)
    q4 = say(log, "g", "carl", "2026-03-05 09:00", "What time does the meetup start?")
    say(log, "g", "dan", "2026-03-05 09:30", "It starts at 7pm", thread=q4)
    hello = say(log, "g", "dan", "2026-03-05 10:00", "hello everyone")
    say(log, "g", "bob", "2026-03-05 10:01", "thanks, that worked", reply_to=hello)
    say(log, "h", "erin", "2026-03-06 12:00", "Is there parking near the venue?")
    q5 = say(log, "g", "dan", "2026-03-10 20:00", "Can someone review my pull request?")
    say(log, "g", "bob", "2026-03-11 08:00", "sure, send the link", reply_to=q5)
    return log


def rows(ctx, expr) -> list[dict]:  # type: ignore[no-untyped-def]
    return ctx.backend.to_pyarrow(expr).to_pylist()


def scalar(ctx, expr):  # type: ignore[no-untyped-def]
    return ctx.backend.to_pyarrow(expr).as_py()


def named(ctx, table: list[dict], column: str = "member_id") -> list[str]:  # type: ignore[no-untyped-def]
    """Members of ``table`` by their native id (``ann``), in the table's order."""
    links = rows(ctx, ctx.backend.table("identity_member").join(ctx.backend.table("identities"), "identity_id"))
    native = {r["member_id"]: r["native_id"] for r in links}
    return [native[r[column]] for r in table]


@pytest.fixture(scope="module")
def ctx(measure: Measure):  # type: ignore[no-untyped-def]  # noqa: F811
    return measure(qa_log(), as_of=D)


def test_questions_are_the_detector_marks_of_members_not_bots(ctx) -> None:  # type: ignore[no-untyped-def]
    found = rows(ctx, qa.questions(ctx).order_by("ts"))
    # Q1, Q2, Q3, Q4, Q6, Q5 in time order; no answer text, not "hello everyone"
    assert named(ctx, found) == ["ann", "ann", "bob", "carl", "erin", "dan"]
    assert all(r["score"] >= 0.5 for r in found)


def test_first_answer_by_another_member_with_its_rule(ctx) -> None:  # type: ignore[no-untyped-def]
    found = rows(ctx, qa.answers(ctx).order_by("asked_at"))
    # Q1 by bob (not carl, later); Q2 none (self and bot); Q3 carl; Q4 dan by thread; Q5 after D
    assert named(ctx, found, "answerer") == ["bob", "carl", "dan"]
    assert [r["rule"] for r in found] == ["explicit", "explicit", "thread"]
    assert [r["hours"] for r in found] == [1.0, 30.0, 0.5]


def test_answer_rate_keeps_unanswered_and_late_in_the_denominator(ctx) -> None:  # type: ignore[no-untyped-def]
    # six questions in (02-09, 03-10]; in time: Q1 (1 h) and Q4 (0.5 h); Q3 took 30 h > 24 h
    assert scalar(ctx, qa.answer_rate(ctx)) == pytest.approx(2 / 6)


def test_time_to_first_response_median_and_p90(ctx) -> None:  # type: ignore[no-untyped-def]
    (found,) = rows(ctx, qa.time_to_first_response(ctx))
    # hours 0.5, 1, 30: median 1; p90 at position 0.9 × 2 = 1.8: 1 + 0.8 × (30 - 1) = 24.2
    assert found["answered"] == 3
    assert found["median_hours"] == pytest.approx(1.0)
    assert found["p90_hours"] == pytest.approx(24.2)
    assert (found["by_link"], found["by_inference"]) == (3, 0)


def test_unanswered_queue_oldest_first_with_age(ctx) -> None:  # type: ignore[no-untyped-def]
    found = rows(ctx, qa.unanswered(ctx))
    # Q2, Q6, Q5; ages to 03-11 00:00 UTC: 8 d 14 h, 4 d 12 h, 4 h
    assert named(ctx, found) == ["ann", "erin", "dan"]
    assert [r["age_hours"] for r in found] == [206.0, 108.0, 4.0]
    assert [r["group"] for r in found] == ["g", "h", "g"]
    assert found[0]["text"] == "Does anyone know a good venue for Saturday?"


def test_top_helpers_count_first_answers(ctx) -> None:  # type: ignore[no-untyped-def]
    found = rows(ctx, qa.top_helpers(ctx))
    assert sorted(zip(named(ctx, found), [r["answers"] for r in found], strict=True)) == [
        ("bob", 1),
        ("carl", 1),
        ("dan", 1),
    ]


def test_a_later_day_sees_the_late_answer(measure: Measure) -> None:  # noqa: F811
    later = measure(qa_log(), as_of=date(2026, 3, 11))
    assert scalar(later, qa.answer_rate(later)) == pytest.approx(3 / 6)  # Q5 answered after 12 h
    assert named(later, rows(later, qa.unanswered(later))) == ["ann", "erin"]
    helpers = rows(later, qa.top_helpers(later))
    assert (named(later, helpers)[0], helpers[0]["answers"]) == ("bob", 2)


def test_group_filter(measure: Measure) -> None:  # noqa: F811
    only_g = measure(qa_log(), as_of=D, groups=["g"])
    assert scalar(only_g, qa.answer_rate(only_g)) == pytest.approx(2 / 5)
    assert named(only_g, rows(only_g, qa.unanswered(only_g))) == ["ann", "dan"]
    only_h = measure(qa_log(), as_of=D, groups=["h"])
    assert scalar(only_h, qa.answer_rate(only_h)) == 0.0
    assert rows(only_h, qa.time_to_first_response(only_h))[0]["median_hours"] is None


def test_questions_rebuild_only_when_stale(tmp_path: Path) -> None:
    with Store(tmp_path / "log.duckdb") as store:
        qa_log().write(store)
        cid = store.community("c").community_id
        assert ensure_qa_tables(store, cid).rebuilt_questions
        assert not ensure_qa_tables(store, cid).rebuilt_questions  # same import, same model
        assert store.query("SELECT count(*) FROM questions")[0][0] == 6
        more = LogBuilder()
        say(more, "g", "ann", "2026-03-12 10:00", "How do I leave the group?")
        more.write(store)
        state = ensure_qa_tables(store, cid)
        assert state.rebuilt_questions and state.rebuilt_links
        assert store.query("SELECT count(*) FROM questions")[0][0] == 7
        assert build_questions(store, "c") == 7  # a full rebuild writes the same rows, not more
        assert store.query("SELECT count(*) FROM questions")[0][0] == 7


def test_read_only_log_without_tables_is_empty_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "log.duckdb"
    with Store(path) as store:
        qa_log().write(store)
    with Store(path, read_only=True) as store:
        ctx = context_for(store, "c", as_of=D)
        with pytest.warns(qa.QaUnavailable, match="read-only"):
            found = rows(ctx, qa.unanswered(ctx))
        assert found == []
        assert scalar(ctx, qa.answer_rate(ctx)) is None


# -- the demo ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("qa-demo")
    files = write_demo(folder / "exports", scale=1.0, seed=7)
    db = folder / "demo.duckdb"
    with Store(db) as store:
        for f in files:
            import_paths(store, [f.path], community="demo", fmt=f.fmt, tz=f.tz, group=f.group)
    truth = json.loads((folder / "exports" / "truth.json").read_text(encoding="utf-8"))
    return db, truth


def run_qa(*args: str) -> dict:
    app = typer.Typer()
    cli_qa.register(app)
    app.command("other")(lambda: None)  # two commands, so that `qa` is a sub-command as in `shequn`
    result = CliRunner().invoke(app, ["qa", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_demo_unanswered_questions_are_found(demo: tuple[Path, dict]) -> None:
    db, truth = demo
    planted = truth["unanswered_questions"]
    assert len(planted) == 173  # jq '.unanswered_questions | length' truth.json
    found = run_qa("--unanswered", "--json", "--db", str(db))["unanswered"]
    listed = {(row["group"], row["time"]) for row in found}
    hits = [q for q in planted if (q["group"], q["time"]) in listed]
    # measured: every planted question is in the queue (recall 173/173); 591 open in all, the rest
    # are answered questions whose answer the reply heuristic did not link, and detector mistakes
    assert len(hits) == len(planted)
    assert [row["time"] for row in found] == sorted(row["time"] for row in found)  # oldest first (one zone)


def test_demo_report(demo: tuple[Path, dict]) -> None:
    db, _ = demo
    report = run_qa("--json", "--db", str(db), "--group", "Python & 数据 技术交流群")
    assert report["window"] == {"first": "2026-06-01", "last": "2026-06-30", "days": 30}
    response = report["time_to_first_response"]
    assert response["answered"] > 0 and response["by_inference"] == 0  # a Telegram group: carrier links only
    assert 0 < response["median_hours"] <= response["p90_hours"]
    assert 0 < report["answer_rate"] < 1
    assert report["top_helpers"][0]["answers"] >= report["top_helpers"][-1]["answers"]


def test_answer_ids_name_the_answering_messages(ctx) -> None:  # type: ignore[no-untyped-def]
    ids = {r["event_id"] for r in rows(ctx, qa.answer_ids(ctx))}
    texts = rows(ctx, ctx.events("message").filter(ctx.events("message").event_id.isin(list(ids))).select("text"))
    assert sorted(r["text"] for r in texts) == [
        "It starts at 7pm",
        "Use the export button in settings",
        "no idea sorry",
    ]

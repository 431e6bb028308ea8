"""Reply inference: a hand-made IRC snippet, explicit links, groups, the model file, the table and the eval script."""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
import typer
from typer.testing import CliRunner

from shequn.classify.replies import (
    ReplyInput,
    ReplyLink,
    build_reply_links,
    default_reply_model,
    infer_replies,
    load_reply_model,
)
from shequn.cli_classify import register
from shequn.errors import ConfigError
from shequn.model import Chat, Event
from shequn.store import ImportMeta, Store

ROOT = Path(__file__).resolve().parents[1]

# An #ubuntu afternoon: (event id, time, nick, text, the message it answers or None).
SNIPPET = [
    ("e0", "10:00", "alice", "hi all, how do I mount an iso file?", None),  # a greeting and a question: a start
    ("e1", "10:01", "bob", "alice: sudo mount -o loop file.iso /mnt", "e0"),  # bob names alice
    ("e2", "10:01", "carol", "does anyone know why my wifi drops every hour?", None),  # a new question
    ("e3", "10:02", "alice", "bob: thanks, that worked", "e1"),
    ("e4", "10:02", "dave", "carol: which driver are you using?", "e2"),
    ("e5", "10:03", "carol", "dave: iwlwifi", "e4"),
    ("e6", "10:03", "carol", "on a thinkpad x220", "e5"),  # carol goes on
    ("e7", "10:04", "dave", "carol: try turning off power saving in iwlwifi", "e5"),  # her answer to him
    ("e8", "10:05", "bob", "alice: you're welcome", "e3"),
    ("e9", "10:40", "erin", "good morning everyone", None),  # a greeting after a lull
]


def _seconds(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 3600 + int(minutes) * 60


def _stream(group: str = "#ubuntu") -> list[ReplyInput]:
    return [ReplyInput(e, group, _seconds(t), nick, text) for e, t, nick, text, _ in SNIPPET]


def test_every_link_of_the_snippet() -> None:
    links = {link.event_id: link for link in infer_replies(_stream())}
    assert {e: (links[e].reply_to_event_id if e in links else None) for e, *_ in SNIPPET} == {
        e: parent for e, *_, parent in SNIPPET
    }
    assert links["e1"].rule == links["e7"].rule == "mention"
    assert links["e6"].rule == "continuation"
    assert all(0.0 < link.confidence <= 1.0 for link in links.values())
    assert links["e5"].confidence > links["e6"].confidence  # "dave:" is surer than carol going on


def test_explicit_reply_wins() -> None:
    stream = _stream()
    stream[8] = stream[8]._replace(explicit_reply="e2")  # the carrier says bob answered carol
    links = {link.event_id: link for link in infer_replies(stream)}
    assert links["e8"] == ReplyLink("e8", "e2", "explicit", 1.0)
    assert links["e3"].reply_to_event_id == "e1"


def test_groups_do_not_mix_and_tuples_are_accepted() -> None:
    one, other = _stream("#one"), _stream("#two")
    pairs = zip(one, other, strict=True)
    interleaved = [tuple(m._replace(event_id=f"{m.group_id}/{m.event_id}")) for pair in pairs for m in pair]
    links = list(infer_replies(interleaved))
    assert len(links) == 2 * 7
    for link in links:
        assert link.event_id.split("/")[0] == link.reply_to_event_id.split("/")[0]
    assert {(link.event_id, link.reply_to_event_id) for link in links if link.event_id.startswith("#two")} == {
        (f"#two/{e}", f"#two/{p}") for e, *_, p in SNIPPET if p
    }


def test_at_mentions_of_names_with_spaces() -> None:
    """WhatsApp writes "@Alice Smith", WeChat "@王芳" and a narrow space: both name the addressee."""
    stream = [
        ReplyInput("w0", "g", 0, "Alice Smith", "有人知道小区南门的快递柜怎么开吗"),
        ReplyInput("w1", "g", 60, "Bob Lee", "今天天气不错"),
        ReplyInput("w2", "g", 120, "王芳", "@Alice Smith 要扫码，物业群里有二维码"),
        ReplyInput("w3", "g", 180, "Alice Smith", "@王芳\u2005谢谢！"),
    ]
    links = {link.event_id: (link.reply_to_event_id, link.rule) for link in infer_replies(stream)}
    assert links["w2"] == ("w0", "mention")
    assert links["w3"] == ("w2", "mention")


def test_datetimes_and_a_long_gap() -> None:
    start = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
    stream = [
        ReplyInput("a", 1, start, "ann", "anyone know a good pdf editor?"),
        ReplyInput("b", 1, start + timedelta(minutes=1), "ben", "ann: try okular"),
        ReplyInput("c", 1, start + timedelta(days=2), "ann", "ben: okular works, thanks"),
    ]
    links = {link.event_id: link.reply_to_event_id for link in infer_replies(stream)}
    assert links == {"b": "a"}  # after two days, "c" has nothing to answer within the gap
    links = {link.event_id: link.reply_to_event_id for link in infer_replies(stream, max_gap=timedelta(days=3))}
    assert links == {"b": "a", "c": "b"}


def test_reply_model_file(tmp_path: Path) -> None:
    model = default_reply_model()
    assert model.version == "2" and model.window == 50
    assert model.weights["addr_auth"] > 0 and model.weights["addr_other"] < 0
    copy = tmp_path / "replies.json"
    copy.write_bytes(model.as_json())
    assert load_reply_model(copy) == model
    (tmp_path / "bad.json").write_text('{"format": "shequn-replies", "version": "1"}')
    with pytest.raises(ConfigError, match="malformed reply model"):
        load_reply_model(tmp_path / "bad.json")


def test_crossed_scores_equal_the_named_features() -> None:
    """Inference weighs the crossed features from their parts; training sees them by name: same sum."""
    from shequn.classify._replies_features import GroupState, candidate_features

    model = default_reply_model()
    state = GroupState(window=model.window)
    checked = 0
    for event_id, clock, nick, text, _ in SNIPPET:
        current = state.read(event_id, _seconds(clock), nick, text)
        candidates = candidate_features(state, current, text)
        named = [sum(model.weights.get(f, 0.0) for f in c.all_features()) for c in candidates]
        assert model.scores(candidates) == pytest.approx(named, abs=1e-9)
        checked += sum(1 for c in candidates if c.relation)
        state.add(current, -1)
    assert checked == 45  # every earlier message of the snippet is a candidate: 0 + 1 + ... + 9
    # erin's "good morning" is to nobody: bob's line just before is a stranger's, one line up
    assert "rel_none|d1" in candidates[0].all_features() and "rel_none|c_addrd" in candidates[0].all_features()


# -- the reply_links table ------------------------------------------------------------


def _import(store: Store) -> None:
    """An IRC channel (no reply links) and a Telegram chat (with them), in one community."""
    community = store.ensure_community("default")
    records: list = [Chat("irc", "#ubuntu", "#ubuntu", "channel")]
    base = int(datetime(2024, 5, 1, tzinfo=UTC).timestamp() * 1_000_000)
    for seq, (e, t, nick, text, _) in enumerate(SNIPPET):
        ts = base + _seconds(t) * 1_000_000
        records.append(Event(chat_id="#ubuntu", key=e, kind="message", ts_us=ts, actor_name=nick, text=text, seq=seq))
    records.append(Chat("telegram", "42", "tg", "group"))
    records.append(Event(chat_id="42", key="1", kind="message", ts_us=base, actor_id="u1", text="hello?", seq=0))
    records.append(
        Event(chat_id="42", key="2", kind="message", ts_us=base + 60_000_000, actor_id="u2", text="hi", seq=1)
    )
    answer = Event(chat_id="42", key="3", kind="message", ts_us=base + 90_000_000, actor_id="u1", text="u2: ok", seq=2)
    answer.reply_to_key = "2"
    records.append(answer)
    meta = ImportMeta(path="fixture", size=1, sha256="0", importer="test", importer_version="1")
    store.import_records(iter(records), community=community, meta=meta)


def _table(store: Store) -> list[tuple]:
    return store.query(
        "SELECT g.carrier, e.text, p.text, r.rule, r.confidence FROM reply_links r"
        " JOIN events e ON e.event_id = r.event_id JOIN events p ON p.event_id = r.reply_to_event_id"
        " JOIN groups g ON g.group_id = r.group_id ORDER BY e.ts, e.seq"
    )


def test_reply_links_table(store: Store) -> None:
    _import(store)
    assert build_reply_links(store, "default") == 8
    rows = _table(store)
    telegram = [r for r in rows if r[0] == "telegram"]
    assert telegram == [("telegram", "u2: ok", "hi", "explicit", 1.0)]  # "hi" is not linked: not inferred there
    irc = {text: (parent, rule) for carrier, text, parent, rule, _ in rows if carrier == "irc"}
    assert irc["carol: try turning off power saving in iwlwifi"] == ("dave: iwlwifi", "mention")
    assert len(irc) == 7
    assert build_reply_links(store) == 8  # rebuilt, not added to
    assert _table(store) == rows
    with pytest.raises(ConfigError, match="no community"):
        build_reply_links(store, "nobody")


def test_classify_replies_command(tmp_path: Path) -> None:
    db = tmp_path / "log.duckdb"
    with Store(db) as store:
        _import(store)
    app = typer.Typer()
    register(app)

    @app.command()
    def other() -> None:  # a second command, so that "classify" stays a sub-command
        pass

    result = CliRunner().invoke(app, ["classify", "replies", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "reply_links: 8 links"
    with Store(db, read_only=True) as store:
        assert store.query("SELECT count(*) FROM reply_links") == [(8,)]
    missing = CliRunner().invoke(app, ["classify", "replies", "--db", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 1 and "no such log" in missing.output


# -- the eval script ------------------------------------------------------------------


def _eval_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("eval_replies", ROOT / "scripts" / "eval_replies.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.samples
def test_eval_script_on_one_test_file(samples: Path) -> None:
    script = _eval_script()
    corpus = samples / "irc" / "ubuntu-irc-disentanglement"
    day = script.days("test", 1, corpus)
    assert [d.name for d in day] == ["2005-07-06_14.raw.txt"]
    result = script.score(day, default_reply_model())
    # Counted apart from the script: over 2005-07-06_14.annotation.txt, group "A B" lines by B,
    # keep B whose raw line starts with "[" (a message, not "==="): 352 links A != B over 346
    # messages, and 45 messages linked only to themselves.
    assert (result["links"], result["messages"], result["starts"]) == (352, 346, 45)
    assert result["link_accuracy"] > 0.6  # the full evaluation is in docs/quality.md
    assert result["start_accuracy"] > 0.6


# -- inference weighs exactly what the named features weigh ---------------------------

MIXED = ROOT / "tests" / "data" / "replies" / "mixed-stream.json"


def test_links_of_a_mixed_stream_are_unchanged() -> None:
    """Links, rules and confidences of 400 messages, as the named-feature inference gave them.

    The messages (two groups, nick: and @mentions, bot commands, Chinese lines, lulls) were
    drawn at random from a few lines; ``links`` were written by the inference that summed the
    weights of every candidate's named features, before :func:`window_scores` replaced it.
    Every rule occurs among them.
    """
    data = orjson.loads(MIXED.read_bytes())
    links = [
        [link.event_id, link.reply_to_event_id, link.rule, link.confidence]
        for link in infer_replies(ReplyInput(*m) for m in data["messages"])
    ]
    assert len(data["messages"]) == 400 and len(links) == 285
    assert {rule for *_, rule, _ in links} == {
        "mention",
        "continuation",
        "turn_taking",
        "text_overlap",
        "proximity",
        "bot_command",
        "question",
    }
    assert links == data["links"]


def test_window_scores_equal_the_named_sums_to_the_bit() -> None:
    """Every candidate of the mixed stream: the weights added as they go equal the named features' sum."""
    from shequn.classify._replies_features import GroupState, candidate_features, message_context
    from shequn.classify._replies_scores import window_scores

    model = default_reply_model()
    states: dict[str, GroupState] = {}
    compared = 0
    for event_id, group, ts, nick, text in orjson.loads(MIXED.read_bytes())["messages"]:
        state = states.setdefault(group, GroupState(window=model.window))
        state.forget_before(ts, 12 * 3600)
        current = state.read(event_id, ts, nick, text)
        named = model.scores(candidate_features(state, current, text))[:-1]
        ctx = message_context(state, current, text)
        mines = model.mine_weights(current.kinds)
        assert window_scores(ctx, model.layout, model._crossed, model.crossed_weight, mines) == named
        compared += len(named)
        best = max(range(len(named)), key=named.__getitem__, default=None)
        state.add(current, ctx.window[best].index if best is not None and named[best] > 0 else -1)
    assert compared > 10_000

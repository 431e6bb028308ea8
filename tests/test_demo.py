"""The demo community: the same seed writes the same bytes, the files are real Telegram and
WhatsApp exports, truth.json agrees with them, and the importers read back what was written."""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from shequn.demo import DemoFile, write_demo
from shequn.demo._texts import AD_TEMPLATES, QUESTION_MARKERS, Texts
from shequn.demo._whatsapp_writer import SYSTEM_TEXTS
from shequn.errors import ConfigError

ZONE = timezone(timedelta(hours=8))
ANDROID = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2}) (\d{2}):(\d{2}) - (.*)$")
IOS = re.compile(r"^\[(\d{2})/(\d{2})/(\d{4}), (\d{2}):(\d{2}):(\d{2})\] (.*)$")


# -- helpers ---------------------------------------------------------------------------


def _json_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _layout(value: object, nesting: int, key: str | None = None) -> str:
    """Telegram Desktop's pretty printer (export_output_json.cpp): one key or item per line,
    one space deeper per level; the reactions list sits one level deeper than its key."""
    if isinstance(value, dict):
        inner = ",".join(
            f"\n{' ' * (nesting + 1)}{_json_str(k)}: {_layout(v, nesting + 1, k)}" for k, v in value.items()
        )
        return "{" + inner + "\n" + " " * nesting + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        depth = nesting + 1 if key == "reactions" else nesting
        inner = ",".join(f"\n{' ' * (depth + 1)}{_layout(v, depth + 1)}" for v in value)
        return "[" + inner + "\n" + " " * depth + "]"
    if isinstance(value, str):
        return _json_str(value)
    return json.dumps(value)


def telegram_layout(document: dict) -> str:
    """A single-chat result.json as Telegram Desktop lays it out (chat keys at four spaces)."""
    return "{" + ",".join(f"\n    {_json_str(k)}: {_layout(v, 4, k)}" for k, v in document.items()) + "\n   }"


def wa_lines(path: Path) -> list[tuple[int | None, str]]:
    """(epoch seconds, rest) for header lines, (None, line) for continuation lines."""
    out: list[tuple[int | None, str]] = []
    for line in path.read_text(encoding="utf-8").split("\n")[:-1]:
        m = ANDROID.match(line)
        if m:
            y, mo, d, h, mi, rest = m.groups()
            out.append((int(datetime(int(y), int(mo), int(d), int(h), int(mi), tzinfo=ZONE).timestamp()), rest))
            continue
        m = IOS.match(line)
        if m:
            d, mo, y, h, mi, s, rest = m.groups()
            out.append((int(datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=ZONE).timestamp()), rest))
            continue
        out.append((None, line))
    return out


def wa_messages(path: Path) -> list[tuple[int, str, str]]:
    """(ts, sender, text) of every message (system lines left out), continuations joined."""
    out: list[tuple[int, str, str]] = []
    for ts, rest in wa_lines(path):
        if ts is None:
            if out:
                out[-1] = (out[-1][0], out[-1][1], out[-1][2] + "\n" + rest)
            continue
        sender, sep, text = rest.partition(": ")
        if not sep or sender.startswith("\u200e"):
            continue  # a system line
        if text.startswith("\u200e") and text != "\u200eimage omitted":
            continue  # the encryption notice, which iOS sends under the chat's name
        out.append((ts, sender, text))
    return out


def is_question(text: str) -> bool:
    low = text.lower()
    for marker in QUESTION_MARKERS:
        word = marker.strip()
        if word.isascii() and word.replace(" ", "").isalpha():
            if re.search(rf"\b{re.escape(word)}\b", low):
                return True
        elif marker in low:
            return True
    return False


def plain(message: dict) -> str:
    """A Telegram message's text with its entities flattened."""
    text = message.get("text", "")
    return text if isinstance(text, str) else "".join(p if isinstance(p, str) else p["text"] for p in text)


def local(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, ZONE)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# -- fixtures --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[DemoFile], dict, Path]:
    out = tmp_path_factory.mktemp("demo")
    files = write_demo(out, scale=1.0, seed=7)
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    return files, truth, out


@pytest.fixture(scope="module")
def telegram_docs(demo) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    files, _, _ = demo
    return {f.group: json.loads(f.path.read_text(encoding="utf-8")) for f in files if f.fmt == "telegram"}


def file_of(files: list[DemoFile], group: str) -> DemoFile:
    return next(f for f in files if f.group == group)


# -- determinism and scale -------------------------------------------------------------


def test_same_seed_writes_the_same_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    write_demo(tmp_path / "a", scale=0.3, seed=7)
    write_demo(tmp_path / "b", scale=0.3, seed=7)
    write_demo(tmp_path / "c", scale=0.3, seed=8)
    a, b, c = tree(tmp_path / "a"), tree(tmp_path / "b"), tree(tmp_path / "c")
    assert len(a) == 5  # two Telegram files, two WhatsApp files, truth.json
    assert a == b
    assert a.keys() == c.keys()
    assert all(a[name] != c[name] for name in a)


def test_worker_processes_write_the_same_bytes(tmp_path: Path) -> None:
    write_demo(tmp_path / "serial", scale=0.2, seed=3, workers=1)
    write_demo(tmp_path / "parallel", scale=0.2, seed=3, workers=2)
    assert tree(tmp_path / "serial") == tree(tmp_path / "parallel")


def test_files_do_not_depend_on_string_hashing(tmp_path: Path) -> None:
    code = "import sys, pathlib, shequn.demo; shequn.demo.write_demo(pathlib.Path(sys.argv[1]), scale=0.1)"
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run([sys.executable, "-c", code, str(tmp_path / hash_seed)], env=env, check=True)
    assert tree(tmp_path / "1") == tree(tmp_path / "2")


def test_scale_grows_messages_members_and_groups(demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    files, truth, _ = demo
    small = write_demo(tmp_path, scale=0.3, seed=7)
    full = sum(f.counts["messages"] for f in files)
    part = sum(f.counts["messages"] for f in small)
    assert 15_000 <= full <= 30_000
    assert 0.2 < part / full < 0.45
    small_truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    assert sum(small_truth["member_count"].values()) < sum(truth["member_count"].values())
    assert len(files) == len(small) == 4  # more groups come in sets of four from scale 6 on


def test_scale_out_of_range_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="scale"):
        write_demo(tmp_path, scale=0)


# -- the files are what they claim -----------------------------------------------------


def test_reference_layout_reproduces_a_real_telegram_export(samples: Path) -> None:
    # The whole file (5,140 bytes, `wc -c`), re-printed from its parsed JSON, byte for byte:
    # this pins the printer the demo's files are compared with to Telegram Desktop's output.
    raw = (samples / "telegram" / "roboteam-test-group" / "result.json").read_text(encoding="utf-8")
    assert len(raw.encode()) == 5140
    assert telegram_layout(json.loads(raw)) == raw


def test_telegram_files_have_telegram_desktop_layout_byte_for_byte(demo, telegram_docs) -> None:  # type: ignore[no-untyped-def]
    files, _, _ = demo
    for f in files:
        if f.fmt == "telegram":
            raw = f.path.read_text(encoding="utf-8")
            assert telegram_layout(telegram_docs[f.group]) == raw, f.path


def test_telegram_messages_have_telegram_fields(demo, telegram_docs) -> None:  # type: ignore[no-untyped-def]
    files, _, _ = demo
    for group, doc in telegram_docs.items():
        assert doc["name"] == group and doc["type"] in {"private_group", "private_supergroup"}
        ids = [m["id"] for m in doc["messages"]]
        assert ids == sorted(set(ids))
        stamps = [int(m["date_unixtime"]) for m in doc["messages"]]
        assert stamps == sorted(stamps)
        kinds = Counter()
        for m in doc["messages"]:
            assert list(m)[:4] == ["id", "type", "date", "date_unixtime"]
            assert m["date"] == local(int(m["date_unixtime"])).strftime("%Y-%m-%dT%H:%M:%S")
            assert list(m)[-2:] in (["text", "text_entities"], ["text_entities", "reactions"])
            assert plain(m) == "".join(e["text"] for e in m["text_entities"])
            kinds[m["type"]] += 1
            kinds.update(e["type"] for e in m["text_entities"] if e["type"] in {"mention", "mention_name"})
            kinds.update(m.get("action", "") for _ in [0] if m["type"] == "service")
            kinds.update(["reply"] if "reply_to_message_id" in m else [])
            kinds.update(["edited"] if "edited_unixtime" in m else [])
            kinds.update(["recent"] if any("recent" in r for r in m.get("reactions", ())) else [])
        counts = file_of(files, group).counts
        assert kinds["message"] == counts["messages"] and kinds["service"] == counts["service"]
        assert kinds["reply"] == counts["replies"] and kinds["edited"] == counts["edited"]
        assert kinds["remove_members"] == counts["leaves"] + counts["removals"]
        assert kinds["mention"] + kinds["mention_name"] >= counts["mentions"] > 0
    tech = telegram_docs["Python & 数据 技术交流群"]
    actions = {m.get("action") for m in tech["messages"]}
    assert {"create_group", "invite_members", "join_group_by_link", "remove_members", "edit_group_title"} <= actions
    entity_types = {e["type"] for m in tech["messages"] for e in m["text_entities"]}
    assert {"plain", "mention", "mention_name"} <= entity_types
    assert any(isinstance(m["text"], str) and m["text"] for m in tech["messages"])
    assert any(isinstance(m["text"], list) for m in tech["messages"])


def test_whatsapp_files_are_phone_exports(demo) -> None:  # type: ignore[no-untyped-def]
    files, _, _ = demo
    layouts = {"周末读书会": (ANDROID, "android-zh"), "Shenzhen Tech Meetups": (IOS, "ios-en")}
    for group, (header, layout) in layouts.items():
        f = file_of(files, group)
        lines = f.path.read_text(encoding="utf-8").split("\n")
        assert lines[-1] == ""  # every line ends with a newline
        headers = [line for line in lines[:-1] if header.match(line)]
        assert len(headers) == f.counts["messages"] + f.counts["service"]
        continuation = len(lines) - 1 - len(headers)
        assert continuation > 0 if layout == "android-zh" else continuation >= 0
        assert SYSTEM_TEXTS[layout]["banner"] in lines[0]
        system = [header.match(line).groups()[-1] for line in headers]  # type: ignore[union-attr]
        system = [rest for rest in system if ": " not in rest]
        assert len(system) == f.counts["service"] - 1 + (layout == "android-zh")  # iOS sends the banner as the chat
        templates = [t for k, t in SYSTEM_TEXTS[layout].items() if k not in {"banner", "media", "you"}]
        patterns = [re.compile("\u200e?" + re.escape(t).replace(r"\{actor\}", ".+").replace(r"\{target\}", ".+")
                               .replace(r"\{title\}", ".+") + "$") for t in templates]  # fmt: skip
        banner = SYSTEM_TEXTS[layout]["banner"]
        for rest in system:
            assert rest == banner or any(p.match(rest) for p in patterns), rest


# -- the text pools keep questions apart -----------------------------------------------


def test_only_questions_look_like_questions() -> None:
    import random

    texts = Texts(random.Random(1))
    plain = [t for pool in texts.chat.values() for t in pool]
    plain += [t for pool in texts.answers.values() for t in pool]
    plain += [t for pool in texts.greetings.values() for t in pool]
    plain += [t for pool in texts.jobs.values() for t in pool]
    plain += [t for pool in texts.topic_chat.values() for t in pool]
    plain += list(texts.ritual) + [t for _, t in AD_TEMPLATES]
    questions = [t for pool in texts.questions.values() for t in pool]
    assert len(plain) > 2000 and len(questions) > 500
    assert [t for t in plain if is_question(t)] == []
    assert [t for t in questions if not is_question(t)] == []


# -- truth.json agrees with the files --------------------------------------------------


def test_ad_posters_post_near_same_texts_in_several_groups_and_are_removed(demo, telegram_docs) -> None:  # type: ignore[no-untyped-def]
    files, truth, _ = demo
    assert len(truth["ad_posters"]) >= 2
    removed = {(r["group"], r["name"]) for r in truth["removed"] if r["reason"] == "ads"}
    for poster in truth["ad_posters"]:
        assert len(poster["groups"]) >= 2
        assert {g["group"] for g in poster["groups"]} & set(telegram_docs)
        texts = [p["text"] for g in poster["groups"] for p in g["posts"]]
        assert max(len(t) for t in texts) - min(len(t) for t in texts) < 12  # near-same
        for g in poster["groups"]:
            assert (g["group"], g["name"]) in removed
            f = file_of(files, g["group"])
            if f.fmt == "telegram":
                written = {plain(m) for m in telegram_docs[g["group"]]["messages"] if m.get("from_id") == g["id"]}
            else:
                written = {text for _, sender, text in wa_messages(f.path) if sender == g["name"]}
            assert {p["text"] for p in g["posts"]} <= written


def test_every_removed_member_has_a_removal_line(demo, telegram_docs) -> None:  # type: ignore[no-untyped-def]
    files, truth, _ = demo
    assert len(truth["removed"]) >= 5 and {r["reason"] for r in truth["removed"]} == {"ads", "admin"}
    for r in truth["removed"]:
        f = file_of(files, r["group"])
        if f.fmt == "telegram":
            assert any(
                m.get("action") == "remove_members" and m["members"] == [r["name"]] and m["actor"] == r["by"]
                for m in telegram_docs[r["group"]]["messages"]
            ), r
        else:
            body = f.path.read_text(encoding="utf-8")
            shown = f"\u2066{r['name']}\u2069" if "Meetups" in r["group"] and r["name"].startswith("+") else r["name"]
            assert f" - {r['by']}移除了{shown}\n" in body or f"\u200e{r['by']} removed {shown}\n" in body, r


def test_unanswered_questions_get_no_answer(demo, telegram_docs) -> None:  # type: ignore[no-untyped-def]
    files, truth, _ = demo
    unanswered = truth["unanswered_questions"]
    assert {q["group"] for q in unanswered} == {f.group for f in files}
    for group, doc in telegram_docs.items():
        by_id = {m["id"]: m for m in doc["messages"]}
        replied = {m["reply_to_message_id"] for m in doc["messages"] if "reply_to_message_id" in m}
        asked = [q for q in unanswered if q["group"] == group]
        for q in asked:
            m = by_id[q["message_id"]]
            assert (m["from_id"], m["text"], int(m["date_unixtime"])) == (q["author_id"], q["text"], q["ts"])
            assert q["message_id"] not in replied and is_question(q["text"])
        answered = sum(1 for m in doc["messages"] if m["id"] in replied and is_question(plain(m)))
        assert answered > 4 * len(asked)  # most questions are answered
    for f in files:
        if f.fmt != "whatsapp":
            continue
        messages = wa_messages(f.path)
        for q in (q for q in unanswered if q["group"] == f.group):
            at = messages.index((q["ts"], q["author"], q["text"]))
            later = [m for m in messages[at + 1 :] if m[0] - q["ts"] <= 7200 and m[1] != q["author"]]
            assert later == [], q  # nobody else writes within the two hours an answer would come in


def test_topic_evenings_and_rituals_stand_out(demo, telegram_docs) -> None:  # type: ignore[no-untyped-def]
    files, truth, _ = demo
    tech = "Python & 数据 技术交流群"
    topic_dates = {t["date"] for t in truth["topic_days"] if t["group"] == tech}
    # Wednesdays from 2026-01-07 to 2026-06-24: 4 + 4 + 4 + 5 + 4 + 4 = 25 (counted on a calendar)
    assert len(topic_dates) == 25 and all(datetime.fromisoformat(d).weekday() == 2 for d in topic_dates)
    evening: Counter[bool] = Counter()
    days: Counter[bool] = Counter()
    for m in telegram_docs[tech]["messages"]:
        t = local(int(m["date_unixtime"]))
        if m["type"] == "message" and 20 <= t.hour < 22:
            evening[t.date().isoformat() in topic_dates] += 1
    for day in range(177):
        days[(datetime(2026, 1, 5) + timedelta(days=day)).date().isoformat() in topic_dates] += 1
    assert evening[True] / days[True] > 3 * evening[False] / days[False]

    reading = file_of(files, "周末读书会")
    ritual_dates = {r["date"] for r in truth["rituals"]}
    assert ritual_dates == {"2026-02-01", "2026-03-01", "2026-04-05", "2026-05-03", "2026-06-07"}
    session: Counter[bool] = Counter()
    for ts, _, _ in wa_messages(reading.path):
        t = local(ts)
        if t.weekday() == 6 and (20, 0) <= (t.hour, t.minute) < (21, 30):
            session[t.date().isoformat() in ritual_dates] += 1
    other_sundays = 25 - len(ritual_dates)  # Sundays from 2026-01-11 to 2026-06-28: 25
    assert session[True] / len(ritual_dates) > 3 * max(1, session[False]) / other_sundays


def test_member_counts_staff_and_bot_match_the_files(demo, telegram_docs) -> None:  # type: ignore[no-untyped-def]
    files, truth, _ = demo
    for group, doc in telegram_docs.items():
        joined = set()
        for m in doc["messages"]:
            if m.get("action") in {"create_group", "invite_members"}:
                joined.update(m["members"])
            elif m.get("action") == "join_group_by_link":
                joined.add(m["actor"])
        assert len(joined) == truth["member_count"][group]
    for f in files:
        if f.fmt == "whatsapp":
            joined = {"(the exporter, who created the group)"}
            for ts, rest in wa_lines(f.path):
                if ts is None or ": " in rest:
                    continue
                m = re.fullmatch(
                    r"\u200e?(?:.+?(?:添加了| added )|)(.+?)(?:通过此群组的邀请链接加入| joined using .*)?", rest
                )
                if m and ("添加了" in rest or " added " in rest or "邀请链接" in rest or " joined " in rest):
                    joined.add(m.group(1))
            assert len(joined) == truth["member_count"][f.group], f.group
    (bot,) = truth["bots"]
    assert bot["name"].lower().endswith("bot") and bot["username"].endswith("_bot")
    tech = telegram_docs["Python & 数据 技术交流群"]["messages"]
    assert sum(1 for m in tech if m.get("from_id") == bot["telegram_id"]) > 20
    assert all(m.get("from_id") != bot["telegram_id"] for m in telegram_docs["Tech Jobs 内推 & Referrals"]["messages"])
    assert len(truth["staff"]) == 2
    for staff in truth["staff"]:
        for doc in telegram_docs.values():
            assert any(m.get("from_id") == staff["telegram_id"] for m in doc["messages"])
    # the same person keeps one Telegram id in every Telegram group they are in
    ids_by_name = [{m["from"]: m["from_id"] for m in doc["messages"] if "from" in m} for doc in telegram_docs.values()]
    shared = ids_by_name[0].keys() & ids_by_name[1].keys()
    assert len(shared) > 20 and all(ids_by_name[0][n] == ids_by_name[1][n] for n in shared)


# -- the importers read back what was written ------------------------------------------


def test_import_gives_the_counts_the_generator_wrote(demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for importer in ("shequn.sources.telegram", "shequn.sources.whatsapp"):
        try:
            importlib.import_module(importer)
        except ImportError as exc:
            pytest.skip(f"{importer} is not importable yet ({exc}); the demo cannot be imported without it")
    from shequn.importer import import_file
    from shequn.store import Store

    files, truth, _ = demo
    with Store(tmp_path / "log.duckdb") as store:
        for f in files:
            summary = import_file(store, f.path, community="demo", fmt=f.fmt, tz=f.tz, group=f.group)
            rows = store.con.execute(
                "SELECT kind, count(*) FROM events JOIN groups USING (group_id) WHERE groups.name = ? GROUP BY kind",
                [f.group],
            ).fetchall()
            kinds = dict(rows)
            expected = {
                "message": f.counts["messages"],
                "join": f.counts["joins"],
                "leave": f.counts["leaves"],
                "removal": f.counts["removals"],
            }
            if f.fmt == "telegram":
                expected |= {"rename": f.counts["renames"], "reaction": f.counts["reaction_events"]}
                assert summary.skipped == {}
            else:
                assert summary.skipped == {"banner": 1}
            assert {k: kinds.get(k, 0) for k in expected} == expected, f.group
            assert summary.first_ts is not None and summary.first_ts >= datetime(2026, 1, 5, tzinfo=UTC).replace(
                tzinfo=None
            ) - timedelta(hours=8)
        groups = dict(store.con.execute("SELECT name, count(*) FROM groups GROUP BY name").fetchall())
        assert groups == dict.fromkeys(truth["member_count"], 1)

"""The CLI's own behaviour: settings, info, export, and one-line errors that leave the log alone."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from shequn.cli import app
from shequn.model import Chat, Event
from shequn.store import ImportMeta, Store

runner = CliRunner()
T0 = 1_767_225_600_000_000  # 2026-01-01T00:00:00Z


def _log(path: Path) -> None:
    with Store(path) as store:
        com = store.ensure_community("club", "Asia/Shanghai")
        chat = Chat("telegram", "9", "Readers")
        events = [
            chat,
            Event(
                chat_id="9",
                key="1",
                kind="join",
                subkind="link",
                ts_us=T0,
                actor_id="user1",
                target_id="user1",
                pos="messages[0]",
            ),
            Event(
                chat_id="9",
                key="2",
                kind="message",
                subkind="text",
                ts_us=T0 + 60_000_000,
                actor_id="user1",
                actor_name="Ann",
                text="你好",
                pos="messages[1]",
                seq=1,
            ),
            Event(
                chat_id="9",
                key="3",
                kind="message",
                subkind="text",
                ts_us=T0 + 120_000_000,
                actor_id="user2",
                actor_name="Bo",
                text="hi",
                reply_to_key="2",
                pos="messages[2]",
                seq=2,
            ),
        ]
        store.import_records(iter(events), community=com, meta=ImportMeta("result.json", 10, "0", "telegram", "1"))


def test_info_json_counts_per_group(tmp_path: Path) -> None:
    db = tmp_path / "l.duckdb"
    _log(db)
    result = runner.invoke(app, ["info", "--json", "--db", str(db)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    (com,) = data["communities"]
    assert (com["community"], com["timezone"], com["members"], com["messages"], com["joins"]) == (
        "club",
        "Asia/Shanghai",
        2,
        2,
        1,
    )
    assert com["group_list"][0]["group_name"] == "Readers"
    assert com["first_message"].startswith("2026-01-01T00:01")


def test_export_parquet_and_csv_carry_provenance_and_reply(tmp_path: Path) -> None:
    db = tmp_path / "l.duckdb"
    _log(db)
    out = tmp_path / "out"
    result = runner.invoke(app, ["export", "--db", str(db), "--format", "parquet", "--out", str(out)])
    assert result.exit_code == 0, result.output
    events = pq.read_table(out / "events.parquet").to_pylist()
    assert [e["source_pos"] for e in events] == ["messages[0]", "messages[1]", "messages[2]"]
    assert events[2]["reply_to_event_id"] == events[1]["event_id"]
    assert {e["source_file"] for e in events} == {"result.json"}
    result = runner.invoke(app, ["export", "--db", str(db), "-f", "csv", "-t", "events", "-o", str(out)])
    assert result.exit_code == 0, result.output
    header = (out / "events.csv").read_text().splitlines()[0].split(",")
    assert {"source_file", "source_pos", "importer", "import_id", "reply_to_event_id"} <= set(header)


def test_export_jsonl_one_object_per_line(tmp_path: Path) -> None:
    db = tmp_path / "l.duckdb"
    _log(db)
    result = runner.invoke(app, ["export", "--db", str(db), "-f", "jsonl", "-t", "groups", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "groups.jsonl").read_text().splitlines()
    assert [json.loads(line)["name"] for line in lines] == ["Readers"]


def test_settings_round_trip_and_bad_values(tmp_path: Path) -> None:
    db = str(tmp_path / "l.duckdb")
    assert runner.invoke(app, ["community", "set", "RETENTION_DAYS", "30", "-c", "club", "--db", db]).exit_code == 0
    shown = runner.invoke(app, ["community", "show", "-c", "club", "--db", db])
    assert "RETENTION_DAYS" in shown.output and " 30 " in shown.output
    bad = runner.invoke(app, ["community", "set", "RETENTION_DAYS", "many", "-c", "club", "--db", db])
    assert bad.exit_code == 1 and "not a int" in bad.output
    bad_tz = runner.invoke(app, ["community", "set", "TIMEZONE", "Mars/Base", "-c", "club", "--db", db])
    assert bad_tz.exit_code == 1 and "unknown time zone" in bad_tz.output


def test_import_errors_are_one_line_and_change_nothing(tmp_path: Path) -> None:
    db = tmp_path / "l.duckdb"
    _log(db)
    junk = tmp_path / "notes.txt"
    junk.write_text("just some notes\nnothing to see\n")
    result = runner.invoke(app, ["import", str(junk), "--db", str(db)])
    assert result.exit_code == 1
    assert "notes.txt: not a format shequn reads" in result.output
    assert "Traceback" not in result.output
    missing = runner.invoke(app, ["import", str(tmp_path / "nope.json"), "--db", str(db)])
    assert missing.exit_code == 1 and "no such file" in missing.output
    unknown = runner.invoke(app, ["import", str(junk), "--format", "fax", "--db", str(db)])
    assert unknown.exit_code == 1 and "unknown format 'fax'" in unknown.output
    with Store(db, read_only=True) as store:
        assert store.con.execute("SELECT count(*) FROM events").fetchall()[0][0] == 3


def test_read_only_commands_need_an_existing_log(tmp_path: Path) -> None:
    result = runner.invoke(app, ["info", "--db", str(tmp_path / "absent.duckdb")])
    assert result.exit_code == 1 and "no such log" in result.output

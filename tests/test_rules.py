"""Group rules: the file (with the example in docs/rules.md), each rule on a small log, and
the ``rules check`` command."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import orjson
import pytest
import typer
from typer.testing import CliRunner

from shequn.errors import ConfigError
from shequn.model import Chat, Event
from shequn.moderation import check_rules, load_rules, nickname_regex, parse_rules
from shequn.store import ImportMeta, Store

DOCS = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def docs_example(tmp_path: Path) -> Path:
    """The TOML example of docs/rules.md, written to a file."""
    (block,) = re.findall(r"```toml\n(.*?)```", DOCS.read_text(encoding="utf-8"), flags=re.S)
    path = tmp_path / "shequn-rules.toml"
    path.write_text(block, encoding="utf-8")
    return path


# -- the file -----------------------------------------------------------------------------


def test_the_documented_example_loads(tmp_path: Path) -> None:
    rules = load_rules(docs_example(tmp_path))
    assert rules.default.links.allowed is False
    assert rules.default.links.allowed_domains == {"github.com", "docs.python.org", "ourclub.cn"}
    assert (rules.default.flood.max_messages, rules.default.flood.seconds) == (5, 10.0)
    assert rules.default.newcomer.quiet_hours == 24.0
    assert rules.default.ads.extra_words == ("外挂", "代练")
    reading = rules.for_group("Python 读书会")
    assert reading.links.allowed is True and reading.flood.max_messages == 5  # overridden, inherited
    assert reading.nickname.regex is not None and reading.nickname.regex.pattern == "^[A-Za-z ]+$"
    assert rules.for_group("elsewhere", "123") is rules.default
    ads = rules.ad_rules()
    assert ads.threshold == 0.6 and "github.com" in ads.allowed_domains and "ourclub.cn" in ads.allowed_domains


@pytest.mark.parametrize(
    ("name", "fits"),
    [
        ("北京-IT-张三", True),
        ("北京 IT 张三", True),
        ("上海_金融_李四", True),
        ("深圳|设计|王五", True),
        ("张三", False),
        ("北京-IT", False),
        ("北京-IT-张三-备注", False),
        ("-IT-张三", False),
    ],
)
def test_nickname_pattern_language(name: str, fits: bool) -> None:
    assert (nickname_regex("城市-行业-姓名").fullmatch(name) is not None) is fits


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"flood": {"max_messages": 0}}, r"\[flood\] max_messages: expected a positive whole number"),
        ({"flood": {"max_messages": 2.5}}, r"\[flood\] max_messages: expected a positive whole number"),
        ({"links": {"allowed": "no"}}, r"\[links\] allowed: expected true or false"),
        ({"links": {"allowd": True}}, r"\[links\] allowd: unknown key"),
        ({"ads": {"threshold": 2}}, r"\[ads\] threshold: expected a number from 0 to 1"),
        ({"nickname": {"regex": "(["}}, r"\[nickname\] regex: not a regular expression"),
        ({"nickname": {"pattern": "--"}}, r"\[nickname\] pattern: a pattern needs at least one field"),
        ({"spam": {}}, r"unknown table \[spam\]"),
        ({"groups": {"A": {"links": {"allowed": 1}}}}, r'\[groups."A".links\] allowed: expected true or false'),
    ],
)
def test_wrong_values_name_table_and_key(data: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_rules(data, "rules.toml")


def test_missing_and_broken_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_rules().source == "built-in defaults"  # no file anywhere: the defaults
    with pytest.raises(ConfigError, match="no such rules file"):
        load_rules(tmp_path / "nope.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[flood\nmax_messages = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"broken.toml: not valid TOML: .*line 1"):
        load_rules(broken)
    (tmp_path / "shequn-rules.toml").write_text("[flood]\nmax_messages = 3\n", encoding="utf-8")
    assert load_rules().default.flood.max_messages == 3  # found in the working directory


def test_community_settings_add_to_the_file(tmp_path: Path) -> None:
    settings = {"AD_ALLOWED_DOMAINS": "ourshop.cn, www.example.org", "AD_EXTRA_WORDS": "代练", "AD_THRESHOLD": 0.7}
    ads = load_rules(None, {**settings, "RULES_FILE": str(docs_example(tmp_path))}).ad_rules()
    assert {"ourshop.cn", "example.org", "ourclub.cn"} <= ads.allowed_domains
    assert ads.extra_words == ("外挂", "代练", "代练")
    assert ads.threshold == 0.6  # the file's threshold wins over the setting
    assert load_rules(None, {"AD_THRESHOLD": 0.7}).ad_rules().threshold == 0.7


# -- checking a small log ---------------------------------------------------------------------

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def at(minutes: float) -> int:
    return int(T0.timestamp() * 1_000_000 + minutes * 60_000_000)


def build(store: Store) -> None:
    """Group A: zoe (a fitting name) floods, then posts a GitHub link (allowed) and a shop
    link (not); yan (a name that does not fit) joins at minute 0 and posts a WeChat id at
    minute 30 and a link at minute 25 hours (after the quiet period). Group B allows links."""
    events: list[Event] = []

    def add(group: str, kind: str, minute: float, who: str, name: str, text: str | None = None) -> None:
        seq = len(events) + 1
        target = {"target_id": who} if kind == "join" else {}
        events.append(
            Event(
                chat_id=group,
                key=f"{seq}",
                kind=kind,
                ts_us=at(minute),
                seq=seq,
                actor_id=who,
                actor_name=name,
                text=text,
                subkind="text" if kind == "message" else "link",
                **target,
            )
        )

    add("A", "join", 0, "yan", "yan")
    for second in range(0, 60, 10):  # six messages within 50 seconds
        add("A", "message", 1 + second / 60, "zoe", "北京-IT-Zoe", f"消息 {second}")
    add("A", "message", 5, "zoe", "北京-IT-Zoe", "代码在这 https://github.com/duckdb/duckdb")
    add("A", "message", 6, "zoe", "北京-IT-Zoe", "我的店 https://shop.example.xyz")
    add("A", "message", 30, "yan", "yan", "加我vx：yan_shop01 带你赚钱")
    add("A", "message", 25 * 60, "yan", "yan", "看看 https://yan.example.xyz")
    add("B", "message", 40, "zoe", "北京-IT-Zoe", "另一个群 https://shop.example.xyz")
    com = store.ensure_community("club")
    meta = ImportMeta(path="log.json", size=1, sha256="0", importer="telegram", importer_version="1")
    chats = [Chat(carrier="telegram", native_id=g, name=f"Group {g}") for g in ("A", "B")]
    store.import_records(iter([*chats, *events]), community=com, meta=meta)


RULES = {
    "links": {"allowed": False, "allowed_domains": ["github.com"]},
    "nickname": {"pattern": "城市-行业-姓名"},
    "flood": {"max_messages": 5, "seconds": 60},
    "newcomer": {"quiet_hours": 24},
    "groups": {"Group B": {"links": {"allowed": True}}},
}


def test_each_rule_reports_exactly_its_violations(store: Store) -> None:
    build(store)
    com = store.community("club")
    found = check_rules(store, com, parse_rules(RULES))
    rows = [(v.rule, v.group, v.member, v.ts.strftime("%d %H:%M:%S"), v.detail) for v in found]
    assert rows == [
        ("flood", "Group A", "北京-IT-Zoe", "01 09:01:50", "6 messages within 50 s"),
        ("links", "Group A", "北京-IT-Zoe", "01 09:06:00", "link to shop.example.xyz"),
        ("nickname", "Group A", "yan", "01 09:30:00", "'yan' does not fit '城市-行业-姓名'"),
        ("newcomer", "Group A", "yan", "01 09:30:00", "wechat_id yan_shop01 0.5 h after joining"),
        ("links", "Group A", "yan", "02 10:00:00", "link to yan.example.xyz"),
    ]
    assert found[1].excerpt == "我的店 https://shop.example.xyz"


def test_only_and_since_narrow_the_report(store: Store) -> None:
    build(store)
    com = store.community("club")
    only = check_rules(store, com, parse_rules(RULES), only={"nickname", "flood"})
    assert [v.rule for v in only] == ["flood", "nickname"]
    later = check_rules(store, com, parse_rules(RULES), since=date(2024, 5, 2))
    assert [(v.rule, v.member) for v in later] == [("links", "yan")]


def test_no_rules_no_violations(store: Store) -> None:
    build(store)
    assert check_rules(store, store.community("club"), parse_rules({})) == []


def test_rules_check_command(store: Store, tmp_path: Path) -> None:
    from shequn.cli_moderate import register

    build(store)
    db = str(store.path)
    store.close()
    rules = tmp_path / "rules.toml"
    rules.write_text(
        '[flood]\nmax_messages = 5\nseconds = 60\n[nickname]\npattern = "城市-行业-姓名"\n', encoding="utf-8"
    )
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, ["rules", "check", "--rules", str(rules), "--json", "--db", db])
    assert result.exit_code == 0, result.output
    assert [(v["rule"], v["member"]) for v in orjson.loads(result.stdout)] == [
        ("flood", "北京-IT-Zoe"),
        ("nickname", "yan"),
    ]
    bad = CliRunner().invoke(app, ["rules", "check", "--rule", "spam", "--rules", str(rules), "--db", db])
    assert bad.exit_code == 1 and "--rule 'spam'" in bad.output

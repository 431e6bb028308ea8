"""A community's group rules: one TOML file that ``shequn rules check`` and a later bot share.

The file (documented with an example in ``docs/rules.md``) has five tables, each optional:

- ``[ads]``: what the ad score allows and adds: ``threshold``, ``allowed_domains``,
  ``allowed_members``, ``extra_words``, ``duplicate_window_hours``;
- ``[links]``: ``allowed`` (may members post links at all) and ``allowed_domains``;
- ``[nickname]``: ``pattern`` in the pattern language below, or ``regex``;
- ``[flood]``: ``max_messages`` within ``seconds``;
- ``[newcomer]``: ``quiet_hours`` after joining without links or contacts.

``[groups."name or native id"]`` holds the same tables for one group; what it sets replaces
the top-level value, what it leaves out is inherited.

**Nickname patterns.** ``城市-行业-姓名`` means: fields separated by separators, as many
fields as the pattern has. A field is one or more characters that are not separators; the
separators are ``- _ | / · ~ +`` and spaces, and any of them may stand where the pattern has
one (``北京-IT-张三``, ``北京 IT 张三`` and ``北京_IT_张三`` all fit). Field names are only
labels. A ``regex`` (Python syntax, matched against the whole name) wins over ``pattern``.

Community settings add to the file: ``AD_ALLOWED_DOMAINS``, ``AD_ALLOWED_MEMBERS`` and
``AD_EXTRA_WORDS`` (comma-separated) join the ``[ads]`` lists, ``AD_THRESHOLD`` is the
threshold unless the file sets one, and ``RULES_FILE`` names the file when no ``--rules``
flag does.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from shequn.classify.ads import AdRules
from shequn.errors import ConfigError

__all__ = [
    "DEFAULT_RULES_FILE",
    "AdSettings",
    "FloodRule",
    "GroupRules",
    "LinkRule",
    "NewcomerRule",
    "NicknameRule",
    "Rules",
    "load_rules",
    "nickname_regex",
    "parse_rules",
]

#: Read from the working directory when neither ``--rules`` nor ``RULES_FILE`` names a file.
DEFAULT_RULES_FILE: Final = "shequn-rules.toml"
#: How long a new member's links and contacts count as suspicious when no file says.
DEFAULT_NEWCOMER_HOURS: Final = 24.0

_SEPARATORS: Final = "-_|/·~+ \t"
_SEPARATOR_CLASS: Final = "[" + re.escape(_SEPARATORS) + "]"
_FIELD: Final = "[^" + re.escape(_SEPARATORS) + "]+"
_TABLES: Final = ("ads", "links", "nickname", "flood", "newcomer")


@dataclass(frozen=True)
class LinkRule:
    allowed: bool = True
    allowed_domains: frozenset[str] = frozenset()


@dataclass(frozen=True)
class NicknameRule:
    """``regex`` compiled from ``source`` (a pattern or a regex); None: any name is fine."""

    regex: re.Pattern[str] | None = None
    source: str = ""


@dataclass(frozen=True)
class FloodRule:
    """At most ``max_messages`` per member and group within ``seconds``; None: no limit."""

    max_messages: int | None = None
    seconds: float = 60.0


@dataclass(frozen=True)
class NewcomerRule:
    """No links or contacts within ``quiet_hours`` of joining; None: no quiet period."""

    quiet_hours: float | None = None


@dataclass(frozen=True)
class AdSettings:
    threshold: float | None = None
    allowed_domains: frozenset[str] = frozenset()
    allowed_members: frozenset[str] = frozenset()
    extra_words: tuple[str, ...] = ()
    duplicate_window_hours: float = 168.0


@dataclass(frozen=True)
class GroupRules:
    links: LinkRule = field(default_factory=LinkRule)
    nickname: NicknameRule = field(default_factory=NicknameRule)
    flood: FloodRule = field(default_factory=FloodRule)
    newcomer: NewcomerRule = field(default_factory=NewcomerRule)
    ads: AdSettings = field(default_factory=AdSettings)


@dataclass(frozen=True)
class Rules:
    """The rules for every group: ``default`` and per-group overrides, and where they came from."""

    default: GroupRules = field(default_factory=GroupRules)
    groups: Mapping[str, GroupRules] = field(default_factory=dict)
    source: str = "built-in defaults"

    def for_group(self, *names: str | None) -> GroupRules:
        """The rules of a group known by any of ``names`` (its name, its native id)."""
        for name in names:
            if name is not None and name in self.groups:
                return self.groups[name]
        return self.default

    def ad_rules(self, threshold: float = 0.5) -> AdRules:
        """What the ad scorer takes from the rules; ``threshold`` when the file sets none."""
        ads = self.default.ads
        links = self.default.links.allowed_domains
        return AdRules(
            allowed_domains=ads.allowed_domains | links,
            allowed_members=ads.allowed_members,
            extra_words=ads.extra_words,
            threshold=ads.threshold if ads.threshold is not None else threshold,
        )

    def newcomer_hours(self) -> float:
        return self.default.newcomer.quiet_hours or DEFAULT_NEWCOMER_HOURS

    def fingerprint(self) -> str:
        """What the ad scores depend on, as text: scores are rebuilt when it changes."""
        ads = self.default.ads
        return repr(
            (
                sorted(ads.allowed_domains | self.default.links.allowed_domains),
                sorted(ads.allowed_members),
                sorted(ads.extra_words),
                ads.duplicate_window_hours,
                self.newcomer_hours(),
            )
        )


def nickname_regex(pattern: str) -> re.Pattern[str]:
    """The regular expression of a nickname pattern such as ``城市-行业-姓名``."""
    fields = [part for part in re.split(_SEPARATOR_CLASS + "+", pattern.strip()) if part]
    if not fields:
        raise ValueError("a pattern needs at least one field, e.g. 城市-行业-姓名")
    return re.compile(_FIELD + "".join(_SEPARATOR_CLASS + "+" + _FIELD for _ in fields[1:]))


class _Reader:
    """Reads one table of the file, saying where a wrong value is."""

    def __init__(self, source: str, where: str, table: Mapping[str, Any], known: Iterable[str]) -> None:
        self.source = source
        self.where = where
        self.table = table
        unknown = sorted(set(table) - set(known))
        if unknown:
            self.fail(unknown[0], f"unknown key (known: {', '.join(sorted(known))})")

    def fail(self, key: str, problem: str) -> None:
        raise ConfigError(f"{self.source}: [{self.where}] {key}: {problem}")

    def has(self, key: str) -> bool:
        return key in self.table

    def boolean(self, key: str) -> bool:
        value = self.table[key]
        if not isinstance(value, bool):
            self.fail(key, f"expected true or false, got {value!r}")
        return value

    def number(self, key: str, *, whole: bool = False) -> float:
        value = self.table[key]
        ok = isinstance(value, int) if whole else isinstance(value, int | float)
        if isinstance(value, bool) or not ok or value <= 0:
            self.fail(key, f"expected a positive {'whole ' if whole else ''}number, got {value!r}")
        return value

    def share(self, key: str) -> float:
        value = self.table[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            self.fail(key, f"expected a number from 0 to 1, got {value!r}")
        return float(value)

    def strings(self, key: str) -> list[str]:
        value = self.table[key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(key, f"expected a list of strings, got {value!r}")
        return [v.strip() for v in value if v.strip()]

    def string(self, key: str) -> str:
        value = self.table[key]
        if not isinstance(value, str) or not value.strip():
            self.fail(key, f"expected a non-empty string, got {value!r}")
        return value


def _domains(values: Iterable[str]) -> frozenset[str]:
    return frozenset(
        v.lower().removeprefix("https://").removeprefix("http://").removeprefix("www.").strip("/") for v in values
    )


def _section(base: GroupRules, data: Mapping[str, Any], source: str, prefix: str) -> GroupRules:
    """``base`` with what the tables in ``data`` set."""
    rules = base
    for name in _TABLES:
        if name not in data:
            continue
        table = data[name]
        where = f"{prefix}{name}"
        if not isinstance(table, dict):
            raise ConfigError(f"{source}: [{where}]: expected a table, got {table!r}")
        if name == "ads":
            r = _Reader(
                source,
                where,
                table,
                ("threshold", "allowed_domains", "allowed_members", "extra_words", "duplicate_window_hours"),
            )
            ads = rules.ads
            rules = replace(
                rules,
                ads=AdSettings(
                    threshold=r.share("threshold") if r.has("threshold") else ads.threshold,
                    allowed_domains=_domains(r.strings("allowed_domains"))
                    if r.has("allowed_domains")
                    else ads.allowed_domains,
                    allowed_members=frozenset(r.strings("allowed_members"))
                    if r.has("allowed_members")
                    else ads.allowed_members,
                    extra_words=tuple(r.strings("extra_words")) if r.has("extra_words") else ads.extra_words,
                    duplicate_window_hours=r.number("duplicate_window_hours")
                    if r.has("duplicate_window_hours")
                    else ads.duplicate_window_hours,
                ),
            )
        elif name == "links":
            r = _Reader(source, where, table, ("allowed", "allowed_domains"))
            rules = replace(
                rules,
                links=LinkRule(
                    allowed=r.boolean("allowed") if r.has("allowed") else rules.links.allowed,
                    allowed_domains=_domains(r.strings("allowed_domains"))
                    if r.has("allowed_domains")
                    else rules.links.allowed_domains,
                ),
            )
        elif name == "nickname":
            r = _Reader(source, where, table, ("pattern", "regex"))
            if r.has("regex"):
                text = r.string("regex")
                try:
                    regex = re.compile(text)
                except re.error as exc:
                    r.fail("regex", f"not a regular expression ({exc})")
                rules = replace(rules, nickname=NicknameRule(regex, text))
            elif r.has("pattern"):
                text = r.string("pattern")
                try:
                    rules = replace(rules, nickname=NicknameRule(nickname_regex(text), text))
                except ValueError as exc:
                    r.fail("pattern", str(exc))
        elif name == "flood":
            r = _Reader(source, where, table, ("max_messages", "seconds"))
            rules = replace(
                rules,
                flood=FloodRule(
                    max_messages=int(r.number("max_messages", whole=True))
                    if r.has("max_messages")
                    else rules.flood.max_messages,
                    seconds=float(r.number("seconds")) if r.has("seconds") else rules.flood.seconds,
                ),
            )
        elif name == "newcomer":
            r = _Reader(source, where, table, ("quiet_hours",))
            if r.has("quiet_hours"):
                rules = replace(rules, newcomer=NewcomerRule(float(r.number("quiet_hours"))))
    return rules


def parse_rules(data: Mapping[str, Any], source: str = "rules") -> Rules:
    """Rules from the parsed TOML ``data`` (``source`` names it in errors)."""
    unknown = sorted(set(data) - {*_TABLES, "groups"})
    if unknown:
        raise ConfigError(f"{source}: unknown table [{unknown[0]}] (known: {', '.join((*_TABLES, 'groups'))})")
    default = _section(GroupRules(), data, source, "")
    groups: dict[str, GroupRules] = {}
    raw_groups = data.get("groups", {})
    if not isinstance(raw_groups, dict):
        raise ConfigError(f"{source}: [groups]: expected tables named after groups")
    for name, table in raw_groups.items():
        if not isinstance(table, dict):
            raise ConfigError(f'{source}: [groups."{name}"]: expected a table')
        unknown = sorted(set(table) - set(_TABLES))
        if unknown:
            raise ConfigError(f'{source}: [groups."{name}"]: unknown table {unknown[0]!r}')
        groups[name] = _section(default, table, source, f'groups."{name}".')
    return Rules(default, groups, source)


def _setting_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


def _with_settings(rules: Rules, settings: Mapping[str, Any]) -> Rules:
    ads = rules.default.ads
    merged = replace(
        ads,
        allowed_domains=ads.allowed_domains | _domains(_setting_list(settings.get("AD_ALLOWED_DOMAINS"))),
        allowed_members=ads.allowed_members | frozenset(_setting_list(settings.get("AD_ALLOWED_MEMBERS"))),
        extra_words=ads.extra_words + tuple(_setting_list(settings.get("AD_EXTRA_WORDS"))),
        threshold=ads.threshold if ads.threshold is not None else settings.get("AD_THRESHOLD"),
    )
    return replace(rules, default=replace(rules.default, ads=merged))


def load_rules(path: str | Path | None = None, settings: Mapping[str, Any] | None = None) -> Rules:
    """The rules in ``path`` (else the ``RULES_FILE`` setting, else ``shequn-rules.toml`` if
    present, else the defaults), with the community's settings added."""
    settings = settings or {}
    explicit = path is not None or bool(settings.get("RULES_FILE"))
    chosen = Path(path or settings.get("RULES_FILE") or DEFAULT_RULES_FILE)
    if not chosen.is_file():
        if explicit:
            raise ConfigError(f"{chosen}: no such rules file")
        return _with_settings(Rules(), settings)
    try:
        data = tomllib.loads(chosen.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{chosen}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{chosen}: cannot read the rules file ({exc})") from None
    return _with_settings(parse_rules(data, str(chosen)), settings)

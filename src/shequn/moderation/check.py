"""Check a community's history against its group rules: ``shequn rules check``.

Messages are read in time order, a page at a time, and each rule of the message's group
(:mod:`shequn.moderation.rules`) is applied as a bot enforcing the same file would have
applied it at the time:

- ``links``: a link to a domain not allowed, where links are not allowed;
- ``nickname``: a display name that does not fit the pattern, once per member, group and name;
- ``flood``: more than ``max_messages`` from one member in one group within ``seconds``,
  reported once per burst, at the message that broke the limit;
- ``newcomer``: a link or contact within ``quiet_hours`` of the member joining the group
  (only where the export shows the join).

Memory holds, per member and group, the last few message times and the names already
reported, never the history itself.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from shequn.classify._ads_normalize import normalize
from shequn.classify._ads_signals import CONTACT_CODES, find_signals
from shequn.classify._ads_vocab import VocabMatcher
from shequn.moderation._log import epoch_us, joins, messages
from shequn.moderation.rules import GroupRules, Rules
from shequn.store import Community, Store

__all__ = ["RULE_NAMES", "Violation", "check_rules"]

RULE_NAMES: Final = ("links", "nickname", "flood", "newcomer")
EXCERPT: Final = 80
_NO_WORDS: Final = VocabMatcher(frozenset(), frozenset())  # rules look at links and contacts, not words
_LINKS: Final = frozenset({"link", "short_link", "invite_link"})


@dataclass(frozen=True)
class Violation:
    """One breach of a rule: who, where, when, which rule, what, and the message's start."""

    rule: str
    group: str
    member_id: int | None
    member: str
    ts: datetime
    detail: str
    excerpt: str
    event_id: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "group": self.group,
            "member_id": self.member_id,
            "member": self.member,
            "ts": self.ts.isoformat(),
            "detail": self.detail,
            "excerpt": self.excerpt,
            "event_id": self.event_id,
        }


def _excerpt(text: str | None) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1] + "…"


def _groups(store: Store, community: Community) -> dict[int, tuple[str, str]]:
    rows = store.query("SELECT group_id, name, native_id FROM groups WHERE community_id = ?", [community.community_id])
    return {r[0]: (r[1] or r[2], r[2]) for r in rows}


class _Checker:
    def __init__(self, store: Store, community: Community, rules: Rules) -> None:
        self.rules = rules
        self.groups = _groups(store, community)
        self.joins = joins(store, community)
        self.recent: dict[tuple[int, int | None], deque[int]] = {}
        self.flooding: dict[tuple[int, int | None], int] = {}  # when the current burst's window ends
        self.named: set[tuple[int | None, int, str]] = set()

    def group_rules(self, group_id: int) -> GroupRules:
        name, native = self.groups.get(group_id, (str(group_id), str(group_id)))
        return self.rules.for_group(name, native)

    def check(self, row: tuple) -> Iterator[tuple[str, str]]:
        """``(rule, detail)`` for each rule the message breaks."""
        _, group_id, member, name, ts, text, _ = row
        rules = self.group_rules(group_id)
        ts_us = epoch_us(ts)
        if rules.nickname.regex is not None and name and (member, group_id, name) not in self.named:
            self.named.add((member, group_id, name))
            if rules.nickname.regex.fullmatch(name.strip()) is None:
                yield "nickname", f"{name!r} does not fit {rules.nickname.source!r}"
        if rules.flood.max_messages is not None:
            yield from self._flood(rules, group_id, member, ts_us)
        if text and (not rules.links.allowed or rules.newcomer.quiet_hours):
            norm = normalize(text)
            signals = find_signals(norm, _NO_WORDS, rules.links.allowed_domains)
            links = [s.detail for s in signals if s.code in _LINKS]
            if links and not rules.links.allowed:
                yield "links", "link to " + ", ".join(links[:3])
            if rules.newcomer.quiet_hours:
                contacts = links + [f"{s.code} {s.detail}" for s in signals if s.code in CONTACT_CODES]
                joined = self.joins.get((member, group_id)) if member is not None else None
                if contacts and joined:
                    at = bisect.bisect_right(joined, ts_us)
                    hours = (ts_us - joined[at - 1]) / 3_600_000_000 if at else None
                    if hours is not None and hours < rules.newcomer.quiet_hours:
                        yield "newcomer", f"{contacts[0]} {hours:.1f} h after joining"

    def _flood(self, rules: GroupRules, group_id: int, member: int | None, ts_us: int) -> Iterator[tuple[str, str]]:
        limit = rules.flood.max_messages
        assert limit is not None
        window = int(rules.flood.seconds * 1_000_000)
        key = (group_id, member)
        times = self.recent.setdefault(key, deque(maxlen=limit + 1))
        times.append(ts_us)
        if len(times) > limit and ts_us - times[0] <= window:
            if self.flooding.get(key, -1) < ts_us:
                yield "flood", f"{limit + 1} messages within {(ts_us - times[0]) / 1_000_000:g} s"
            self.flooding[key] = ts_us + window


def check_rules(
    store: Store, community: Community, rules: Rules, *, since: date | None = None, only: set[str] | None = None
) -> list[Violation]:
    """Every violation of the rules in the community's history, oldest first."""
    checker = _Checker(store, community, rules)
    since_dt = datetime(since.year, since.month, since.day) if since is not None else None
    found: list[Violation] = []
    for rows in messages(store, community):
        for row in rows:
            for rule, detail in checker.check(row):
                if only is not None and rule not in only:
                    continue
                if since_dt is not None and row[4] < since_dt:
                    continue
                group = checker.groups.get(row[1], (str(row[1]), ""))[0]
                found.append(
                    Violation(rule, group, row[2], row[3] or str(row[2]), row[4], detail, _excerpt(row[5]), row[0])
                )
    return found

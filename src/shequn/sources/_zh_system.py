"""System lines of Chinese chat exports (WeChat, QQ) as membership and service events.

Both carriers record joins, removals, renames and recalls only as display text
("\"张三\"邀请\"李四、王五\"加入了群聊", "小红加入本群。"). This module reads those texts into a
:class:`SystemAction`, turns an action into events with the actor/target convention of
:mod:`shequn.model`, and remembers which names the texts used so that an importer can later
link a name to the account that messages show it with (:class:`NameResolver`).

The texts are the client's Simplified Chinese; anything not recognised stays a ``service``
event with subkind ``system`` and its text, so nothing is lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from shequn.model import Alias, Event

__all__ = [
    "SELF",
    "NameResolver",
    "Person",
    "SystemAction",
    "action_events",
    "parse_qq_system",
    "parse_wechat_system",
]

#: How a WeChat system line names the exporting user ("你邀请…", "你将…移出了群聊").
SELF = "你"


@dataclass(frozen=True, slots=True)
class Person:
    """Someone a system line names: a display name, and an account id where the line has one."""

    name: str | None
    native_id: str | None = None


@dataclass(frozen=True, slots=True)
class SystemAction:
    """What a system line says happened."""

    kind: str  # join, leave, removal, rename or service
    subkind: str | None
    actor: Person | None = None
    targets: tuple[Person, ...] = ()
    attrs: dict = field(default_factory=dict)


# -- WeChat ---------------------------------------------------------------------------

_QUOTED = re.compile(r'["“]([^"“”]+)["”]')

# (pattern, kind, subkind); the named groups are raw text segments: a = actor, t = targets,
# via = the member whose QR code was scanned, title = a new group name.
_WECHAT: tuple[tuple[re.Pattern[str], str, str | None], ...] = tuple(
    (re.compile(p), kind, sub)
    for p, kind, sub in (
        (r"^(?P<t>.+?)通过扫描(?P<via>.+?)分享的二维码加入群聊", "join", "link"),
        (r"^(?P<t>.+?)通过(?P<via>.+?)的邀请二维码加入群聊", "join", "link"),
        (r"^(?P<a>.+?)邀请(?P<t>.+?)加入了群聊", "join", "added"),
        (r"^(?P<a>.+?)将(?P<t>.+?)移出了群聊", "removal", "admin"),
        (r"^(?P<t>你)被(?P<a>.+?)移出群聊", "removal", "admin"),
        (r"^(?P<a>.+?)修改群名为[“\"](?P<title>.*)[”\"]$", "rename", None),
        (r"^(?P<a>.+?) ?撤回了一条消息", "service", "recall"),
        (r"^(?P<a>.+?) ?拍了拍 ?(?P<t>.+)$", "service", "pat"),
        (r"^(?P<t>.+?)与群里其他人都不是朋友关系", "service", "privacy_notice"),
        (r"^(?P<t>.+?)已成为新群主", "service", "owner_change"),
        (r"^(?P<t>.+?)加入了群聊", "join", None),
    )
)


def _wechat_names(segment: str) -> list[str]:
    """Names in a WeChat segment: quoted lists split on "、", plus a bare "你"."""
    quoted = _QUOTED.findall(segment)
    if not quoted:
        bare = segment.strip()
        return [n for n in (part.strip() for part in bare.split("、")) if n] if bare else []
    names = [n for q in quoted for n in (part.strip() for part in q.split("、")) if n]
    if SELF in _QUOTED.sub("", segment):
        names.insert(0, SELF)
    return names


def parse_wechat_system(text: str) -> SystemAction:
    """A WeChat type-10000 text (or a rendered sysmsg template) as an action."""
    line = text.strip()
    for pattern, kind, subkind in _WECHAT:
        found = pattern.match(line)
        if found is None:
            continue
        groups = found.groupdict()
        actors = _wechat_names(groups["a"]) if groups.get("a") else []
        targets = tuple(Person(n) for n in _wechat_names(groups["t"])) if groups.get("t") else ()
        attrs: dict = {}
        if groups.get("via"):
            via = _wechat_names(groups["via"])
            if via:
                attrs["inviter"] = via[0]
        if groups.get("title") is not None:
            attrs["title"] = groups["title"]
        if kind in ("join", "leave", "removal") and not targets:
            break  # a membership line that names nobody: keep it as a plain service line
        return SystemAction(kind, subkind, Person(actors[0]) if actors else None, targets, attrs)
    return SystemAction("service", "system")


# -- QQ -------------------------------------------------------------------------------

_QQ_PERSON = re.compile(r"^(?P<name>.*?)\((?P<id>\d{4,})\)$")

_QQ: tuple[tuple[re.Pattern[str], str, str | None], ...] = tuple(
    (re.compile(p), kind, sub)
    for p, kind, sub in (
        (r"^(?P<a>.+?)邀请(?P<t>.+?)加入了?本群", "join", "added"),
        (r"^(?P<t>.+?)加入了?本群", "join", None),
        (r"^(?P<t>.+?)退出了?本群", "leave", None),
        (r"^(?P<t>.+?)被(?:管理员|群主)移出了?本群", "removal", "admin"),
        (r"^(?P<t>.+?)被(?P<a>.+?)移出了?本群", "removal", "admin"),
        (r"^(?P<a>.+?)撤回了一条(?:成员)?消息", "service", "recall"),
        (r"^(?P<a>.+?)修改了?群名称?为[“\"]?(?P<title>.+?)[”\"]?$", "rename", None),
    )
)


def _qq_person(raw: str) -> Person:
    """A QQ name, with the QQ number when the text writes it as ``name(12345)``."""
    text = raw.strip().rstrip("。.")
    found = _QQ_PERSON.match(text)
    if found:
        return Person(found["name"].strip() or None, found["id"])
    return Person(text or None)


def parse_qq_system(text: str) -> SystemAction:
    """The text of a QQ ``系统消息`` line as an action."""
    line = text.strip()
    for pattern, kind, subkind in _QQ:
        found = pattern.match(line)
        if found is None:
            continue
        groups = found.groupdict()
        actor = _qq_person(groups["a"]) if groups.get("a") else None
        targets = tuple(_qq_person(t) for t in re.split(r"[、,，]", groups["t"])) if groups.get("t") else ()
        attrs = {"title": groups["title"].strip()} if groups.get("title") else {}
        if kind == "leave" and targets:
            actor = targets[0]
        return SystemAction(kind, subkind, actor, targets, attrs)
    return SystemAction("service", "system")


# -- events ---------------------------------------------------------------------------


def action_events(
    action: SystemAction,
    *,
    chat_id: str,
    key: str,
    ts_us: int,
    ts_original: str | None,
    tz_assumed: str | None,
    text: str | None,
    pos: str,
    seq: int,
) -> list[Event]:
    """The events a system line stands for: one per member whose membership changed.

    A line naming several members ("邀请"B、C"加入了群聊") yields one join per member, keyed
    ``key``, ``key:1``, ``key:2``… so a re-import finds the same ids. Self-joins (by QR code)
    have the member as actor, with the member whose code was scanned in ``attrs.inviter``.
    """
    common = {
        "chat_id": chat_id,
        "ts_us": ts_us,
        "ts_original": ts_original,
        "tz_assumed": tz_assumed,
        "text": text,
        "pos": pos,
        "subkind": action.subkind,
        "attrs": dict(action.attrs) or None,
    }
    actor = action.actor
    if action.kind in ("join", "leave", "removal") and action.targets:
        events = []
        for i, target in enumerate(action.targets):
            who = target if action.kind == "leave" or (action.kind == "join" and actor is None) else actor
            events.append(
                Event(
                    key=key if i == 0 else f"{key}:{i}",
                    kind=action.kind,
                    actor_id=who.native_id if who else None,
                    actor_name=who.name if who else None,
                    target_id=target.native_id,
                    target_name=target.name,
                    seq=seq + i,
                    **common,
                )
            )
        return events
    target = action.targets[0] if action.targets else None
    return [
        Event(
            key=key,
            kind=action.kind,
            actor_id=actor.native_id if actor else None,
            actor_name=actor.name if actor else None,
            target_id=target.native_id if target else None,
            target_name=target.name if target else None,
            seq=seq,
            **common,
        )
    ]


class NameResolver:
    """Links names that system lines use to the accounts messages show them with.

    System lines name members by display name only; message rows carry the account id with
    the name. At the end of a chat, every name a system line used that was seen with exactly
    one account becomes an :class:`~shequn.model.Alias`; a name seen with two accounts stays
    unresolved (two members may share a nickname). Memory grows with members, not messages.
    """

    def __init__(self) -> None:
        self._wanted: set[str] = set()
        self._accounts: dict[str, dict[str, int]] = {}  # name -> {account id: first ts}

    def want(self, name: str | None) -> None:
        """A system line used this name without an id."""
        if name:
            self._wanted.add(name)

    def saw(self, name: str | None, native_id: str | None, ts_us: int) -> None:
        """A message showed this name with this account."""
        if name and native_id:
            seen = self._accounts.setdefault(name, {})
            if native_id not in seen:
                seen[native_id] = ts_us

    def aliases(self, chat_id: str) -> Iterator[Alias]:
        """One alias per wanted name seen with exactly one account."""
        for name in sorted(self._wanted):
            seen = self._accounts.get(name, {})
            if len(seen) == 1:
                (native_id, ts_us), *_ = seen.items()
                yield Alias(chat_id=chat_id, name=name, native_id=native_id, ts_us=ts_us)

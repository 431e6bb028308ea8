"""WeChat system rows (types 10000 and 10002) as join, removal, rename and service events."""

from __future__ import annotations

from dataclasses import replace

from shequn.model import Event
from shequn.sources._wechat_common import clean_system_text
from shequn.sources._wechat_xml import parse_sysmsg
from shequn.sources._zh_system import NameResolver, Person, SystemAction, action_events, parse_wechat_system

__all__ = ["system_action", "system_events"]


def _with_ids(action: SystemAction, members: dict[str, str]) -> SystemAction:
    """The action with wxids filled in from a sysmsg template's member list."""

    def person(p: Person | None) -> Person | None:
        if p is None or p.native_id or not p.name:
            return p
        return Person(p.name, members.get(p.name))

    return replace(action, actor=person(action.actor), targets=tuple(person(t) for t in action.targets))  # type: ignore[arg-type]


def system_action(msg_type: int, sub_type: int, content: str) -> tuple[SystemAction, str]:
    """What a system row says happened, and its readable text."""
    if msg_type == 10002:
        sysmsg = parse_sysmsg(content)
        if sysmsg is None:
            return SystemAction("service", "system", attrs={"sysmsg": "unreadable"}), ""
        if sysmsg.sys_type == "pat":
            actor = Person(None, sysmsg.actor_id) if sysmsg.actor_id else None
            targets = (Person(None, sysmsg.target_id),) if sysmsg.target_id else ()
            return SystemAction("service", "pat", actor, targets), sysmsg.text
        if sysmsg.sys_type in ("revokemsg", "sysmsgtemplate"):
            action = _with_ids(parse_wechat_system(sysmsg.text), sysmsg.members)
            if sysmsg.recalled_svrid:
                action = replace(action, attrs={**action.attrs, "recalled_svrid": sysmsg.recalled_svrid})
            return action, sysmsg.text
        return SystemAction("service", "system", attrs={"sysmsg_type": sysmsg.sys_type}), sysmsg.text
    text = clean_system_text(content)
    action = parse_wechat_system(text)
    if sub_type == 4 and action.subkind == "system":
        action = replace(action, subkind="pat")
    return action, text


def system_events(
    action: SystemAction,
    text: str,
    *,
    names: NameResolver,
    chat_id: str,
    key: str,
    ts_us: int,
    ts_original: str | None,
    tz_assumed: str | None,
    pos: str,
    seq: int,
) -> list[Event]:
    """The events of a system action; names it uses without an id are noted for aliasing."""
    for person in (action.actor, *action.targets):
        if person is not None and not person.native_id:
            names.want(person.name)
    return action_events(
        action,
        chat_id=chat_id,
        key=key,
        ts_us=ts_us,
        ts_original=ts_original,
        tz_assumed=tz_assumed,
        text=text or None,
        pos=pos,
        seq=seq,
    )

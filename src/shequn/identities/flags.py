"""Member flags: bot, staff, protected, as ``flag`` events; and each member's flags now.

Importers flag obvious bots (Discord ``isBot``, Slack bot users) on the identity that
posted; the operator flags a member through its member id (the member's smallest
identity). Flags of any identity of a member apply to the member, and for each member
and flag the latest event wins, so turning a flag off is one more event, not an edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import msgspec

from shequn.errors import ConfigError
from shequn.identities.merging import Outcome, write
from shequn.identities.state import batch_id, epoch_us, next_ts, parse_attrs
from shequn.model import Action
from shequn.store import Community, Store

__all__ = ["FLAGS", "FlagEvent", "current_flags", "flag_action", "flag_history", "flag_member"]

FLAGS: Final = ("bot", "staff", "protected")
_TRUE_WORDS: Final = frozenset({"true", "1", "yes", "on"})


@dataclass(frozen=True)
class FlagEvent:
    """The latest flag event of one member and flag."""

    member_id: int
    flag: str
    value: bool
    ts_us: int
    event_id: str


def _value(attrs: str | None) -> bool:
    """``attrs.value`` as a bool; a flag event without a value sets the flag."""
    value = parse_attrs(attrs).get("value", True)
    if isinstance(value, str):
        return value.strip().casefold() in _TRUE_WORDS
    return bool(value)


def flag_history(store: Store, community_id: int) -> dict[tuple[int, str], FlagEvent]:
    """The latest flag event per member and flag, in the order the metrics read them.

    Later ``ts`` wins; ties go to the higher ``seq``, then ``import_id``, then ``event_id``,
    as in :func:`shequn.metrics.derived.member_flags_expr`, so both agree on every member.
    """
    rows = store.query(
        """
        SELECT m.member_id, e.subkind, e.attrs, e.ts, e.event_id
        FROM events e JOIN identity_member m ON m.identity_id = e.target_identity_id
        WHERE e.community_id = ? AND e.kind = 'flag' AND e.subkind IN ('bot', 'staff', 'protected')
        ORDER BY e.ts, e.seq, e.import_id, e.event_id
        """,
        [community_id],
    )
    latest: dict[tuple[int, str], FlagEvent] = {}
    for member_id, flag, attrs, ts, event_id in rows:
        latest[(member_id, flag)] = FlagEvent(member_id, flag, _value(attrs), epoch_us(ts), event_id)
    return latest


def current_flags(store: Store, community_id: int) -> dict[int, set[str]]:
    """member id -> the flags now set on the member (members with no flag set are absent)."""
    flags: dict[int, set[str]] = {}
    for (member_id, flag), event in flag_history(store, community_id).items():
        if event.value:
            flags.setdefault(member_id, set()).add(flag)
    return flags


def flag_member(store: Store, community: Community, member_id: int, flag: str, value: bool, *, source: str) -> Outcome:
    """Set (or clear) one flag of a member; nothing is written when it is already so.

    The key names the member's last event of this flag, so the same command run twice
    writes once, while flag, unflag, flag writes three events.
    """
    if flag not in FLAGS:
        raise ConfigError(f"unknown flag {flag!r}; use one of {', '.join(FLAGS)}")
    history = flag_history(store, community.community_id)
    last = history.get((member_id, flag))
    if (last.value if last else False) == value:
        return Outcome(batch=None, notes=[f"member {member_id} is {'already' if value else 'not'} flagged {flag}"])
    action = flag_action(member_id, flag, value, last, batch=None)
    batch = batch_id("flag", [action.key])
    return write(store, community, [msgspec.structs.replace(action, batch=batch)], batch, source)


def flag_action(member_id: int, flag: str, value: bool, last: FlagEvent | None, *, batch: str | None) -> Action:
    """The ``flag`` action that sets ``flag`` to ``value``, keyed by the member's last event of it."""
    return Action(
        kind="flag",
        subkind=flag,
        key=f"flag:{flag}:{member_id}:{'on' if value else 'off'}:after:{last.event_id if last else 0}",
        ts_us=next_ts([last.ts_us] if last else []),
        target_identity_id=member_id,
        attrs={"value": value},
        batch=batch,
    )

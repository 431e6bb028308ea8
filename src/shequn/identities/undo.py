"""Undo one command's batch with new events in the log: unmerge its merges, and so on.

The log is append-only, so an undo never deletes the batch: it writes the opposite
action for each change the batch made, in a batch of its own — an ``unmerge`` for a
merge, a ``merge`` (subkind ``redo``) for an unmerge, the opposite value for a flag.
Undoing that batch in turn does the change again. A pair or flag that changed after the
batch (unmerged already, merged again by a later command) is left as it is, and the
outcome says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from shequn.errors import ConfigError
from shequn.identities.flags import flag_action, flag_history
from shequn.identities.merging import MergePlan, Outcome, merge_actions, unmerge_actions, write
from shequn.identities.state import batch_id, members_of, pair_history, parse_attrs
from shequn.model import Action
from shequn.store import Community, Store

__all__ = ["BatchEvent", "batch_events", "undo_batch"]


@dataclass(frozen=True)
class BatchEvent:
    """One action of a batch as the log holds it (``a < b`` for merges; ``b`` is flagged)."""

    kind: str
    subkind: str | None
    a: int | None
    b: int
    event_id: str
    community_id: int
    value: bool


def batch_events(store: Store, batch: str) -> list[BatchEvent]:
    """The batch's merges, unmerges and flags, in log order."""
    rows = store.query(
        """
        SELECT kind, subkind, least(identity_id, target_identity_id), greatest(identity_id, target_identity_id),
               target_identity_id, event_id, community_id, attrs
        FROM events
        WHERE kind IN ('merge', 'unmerge', 'flag') AND importer = 'shequn' AND target_identity_id IS NOT NULL
          AND attrs LIKE ?
        ORDER BY ts, import_id, seq
        """,
        [f"%{batch}%"],  # a first sieve; the batch is compared exactly below
    )
    found = []
    for kind, subkind, low, high, target, event_id, community_id, attrs in rows:
        parsed = parse_attrs(attrs)
        if parsed.get("batch") != batch:
            continue
        if kind == "flag":
            found.append(BatchEvent(kind, subkind, None, target, event_id, community_id, parsed.get("value") is True))
        elif low is not None:
            found.append(BatchEvent(kind, subkind, low, high, event_id, community_id, kind == "merge"))
    return found


def _community(store: Store, community_id: int) -> Community:
    for com in store.communities():
        if com.community_id == community_id:
            return com
    raise ConfigError(f"community {community_id} of the batch is not in the log")


def undo_batch(store: Store, batch: str, *, source: str) -> Outcome:
    """Write the opposite of every change of ``batch`` that still stands."""
    events = batch_events(store, batch)
    if not events:
        raise ConfigError(f"no batch {batch!r} in the log ('shequn identities batches' lists them)")
    community = _community(store, events[0].community_id)
    new_batch = batch_id("undo", [batch, *(e.event_id for e in events)])
    history = pair_history(store)
    flags = flag_history(store, community.community_id)
    members = members_of(store, [e.b for e in events if e.kind == "flag"])
    to_unmerge, to_merge, notes = [], [], []
    flag_actions: list[Action] = []
    for e in events:
        if e.kind == "flag":
            member = members.get(e.b, e.b)
            last = flags.get((member, e.subkind or ""))
            if last is None or last.event_id != e.event_id:
                notes.append(f"member {member} {e.subkind}: flagged again since; left as is")
            else:
                flag_actions.append(flag_action(member, last.flag, not e.value, last, batch=new_batch))
            continue
        assert e.a is not None
        last_pair = history[(e.a, e.b)]
        if last_pair.event_id != e.event_id:
            since = f"batch {last_pair.batch}" if last_pair.batch else "an import"
            notes.append(f"{e.a}–{e.b}: changed since (last {last_pair.kind} by {since}); left as is")
        elif e.kind == "merge":
            to_unmerge.append(last_pair)
        else:
            to_merge.append(MergePlan(e.a, e.b, {"undoes": batch}))
    actions = unmerge_actions(history, to_unmerge, new_batch, {"undoes": batch})
    actions += merge_actions(history, to_merge, "redo", new_batch)
    actions += flag_actions
    outcome = write(store, community, actions, new_batch, source)
    outcome.notes.extend(notes)
    return outcome

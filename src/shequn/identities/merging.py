"""Merge and unmerge identities by writing ``merge`` / ``unmerge`` actions into the log.

Nothing here edits ``identity_member``: the store rebuilds it from the actions, so every
change of who-is-whom is an event with its time, its reason (``subkind``) and its batch,
and can be taken back by another event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from shequn.errors import ConfigError
from shequn.identities.state import PairEvent, batch_id, members_of, next_ts, pair_history
from shequn.model import Action
from shequn.store import Community, ImportSummary, Store

__all__ = [
    "MergePlan",
    "Outcome",
    "merge_actions",
    "merge_key",
    "merge_pairs",
    "plan_merges",
    "unmerge_actions",
    "unmerge_pair",
    "write",
]


@dataclass(frozen=True)
class MergePlan:
    """One merge to write: identity ``a`` with ``b``, and what the action records about why."""

    a: int
    b: int
    attrs: dict | None = None


@dataclass
class Outcome:
    """What a command wrote: its batch, its actions, and the log's summary of the write."""

    batch: str | None
    actions: list[Action] = field(default_factory=list)
    summary: ImportSummary | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def written(self) -> int:
        return self.summary.events_added if self.summary else 0


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


class _Joined:
    """Union-find over identities: which are one member, as merges are planned one by one."""

    def __init__(self, members: dict[int, int]) -> None:
        self._parent = dict(members)

    def root(self, x: int) -> int:
        parent = self._parent
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def join(self, a: int, b: int) -> bool:
        """Join the two; False if they were one already."""
        ra, rb = self.root(a), self.root(b)
        if ra == rb:
            return False
        self._parent[max(ra, rb)] = min(ra, rb)
        return True


def plan_merges(store: Store, wanted: Sequence[MergePlan]) -> list[MergePlan]:
    """The merges still needed for ``wanted``: pairs already one member (now, or through an
    earlier merge of the same plan) are dropped, so a re-run plans nothing."""
    current = members_of(store, [x for m in wanted for x in (m.a, m.b)])
    joined = _Joined({member: member for member in current.values()})
    for identity, member in current.items():
        joined.join(identity, member)
    return [plan for plan in wanted if joined.join(plan.a, plan.b)]


def merge_key(history: dict[tuple[int, int], PairEvent], a: int, b: int) -> str:
    """A merge's key: the pair and the pair's last event, so merging again after an unmerge is new."""
    pair = _pair(a, b)
    last = history.get(pair)
    return f"merge:{pair[0]}:{pair[1]}:after:{last.event_id if last else 0}"


def merge_actions(
    history: dict[tuple[int, int], PairEvent], plans: Sequence[MergePlan], subkind: str, batch: str
) -> list[Action]:
    """``merge`` actions for the plans, stamped after every merge or unmerge the log holds."""
    ts = next_ts(e.ts_us for e in history.values())
    actions = []
    for plan in plans:
        a, b = _pair(plan.a, plan.b)
        actions.append(
            Action(
                kind="merge",
                subkind=subkind,
                key=merge_key(history, a, b),
                ts_us=ts,
                identity_id=a,
                target_identity_id=b,
                attrs=plan.attrs,
                batch=batch,
            )
        )
    return actions


def write(store: Store, community: Community, actions: list[Action], batch: str | None, source: str) -> Outcome:
    """Record the actions (none: nothing is written, not even an empty import)."""
    if not actions:
        return Outcome(batch=None)
    summary = store.record_actions(actions, community=community, source=source)
    return Outcome(batch=batch, actions=actions, summary=summary)


def merge_pairs(
    store: Store, community: Community, wanted: Sequence[MergePlan], *, subkind: str, source: str
) -> Outcome:
    """Merge each pair that is not one member yet, as one batch."""
    plans = plan_merges(store, wanted)
    history = pair_history(store)
    batch = batch_id(subkind, [merge_key(history, p.a, p.b) for p in plans])
    return write(store, community, merge_actions(history, plans, subkind, batch), batch, source)


def unmerge_actions(
    history: dict[tuple[int, int], PairEvent], merges: Sequence[PairEvent], batch: str, attrs: dict | None
) -> list[Action]:
    """``unmerge`` actions that take back the given standing merges, keyed by the merge itself."""
    ts = next_ts(e.ts_us for e in history.values())
    return [
        Action(
            kind="unmerge",
            subkind="manual" if attrs is None else "undo",
            key=f"unmerge:{e.a}:{e.b}:of:{e.event_id}",
            ts_us=ts,
            identity_id=e.a,
            target_identity_id=e.b,
            attrs=attrs,
            batch=batch,
        )
        for e in merges
    ]


def _path(edges: list[tuple[int, int]], start: int, goal: int) -> list[int]:
    """Identities on a path of standing merges from ``start`` to ``goal`` (empty if none)."""
    links: dict[int, list[int]] = {}
    for a, b in edges:
        links.setdefault(a, []).append(b)
        links.setdefault(b, []).append(a)
    came: dict[int, int] = {start: start}
    frontier = [start]
    while frontier and goal not in came:
        nxt = []
        for x in frontier:
            for y in links.get(x, ()):
                if y not in came:
                    came[y] = x
                    nxt.append(y)
        frontier = nxt
    if goal not in came:
        return []
    path = [goal]
    while path[-1] != start:
        path.append(came[path[-1]])
    return path[::-1]


def unmerge_pair(store: Store, community: Community, a: int, b: int, *, source: str) -> Outcome:
    """Take back the standing merge of ``a`` and ``b``.

    Members are connected merges, so two identities can be one member without a merge of
    their own (``a``–``c``–``b``). Then there is no single event to take back, and the
    error names the merges on the way, for the operator to choose which is wrong.
    """
    history = pair_history(store)
    pair = _pair(a, b)
    last = history.get(pair)
    standing = [p for p, e in history.items() if e.standing]
    if last is None or not last.standing:
        path = _path(standing, a, b)
        if not path:
            return Outcome(batch=None, notes=[f"{a} and {b} are not merged"])
        steps = ", ".join(f"{x}–{y}" for x, y in pairwise(path))
        raise ConfigError(f"{a} and {b} are one member through other merges ({steps}); unmerge one of those pairs")
    batch = batch_id("unmerge", [last.event_id])
    actions = unmerge_actions(history, [last], batch, None)
    outcome = write(store, community, actions, batch, source)
    rest = [p for p in standing if p != pair]
    if _path(rest, a, b):
        outcome.notes.append(f"{a} and {b} are still one member through other merges")
    return outcome

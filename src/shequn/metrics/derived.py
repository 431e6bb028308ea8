"""Derived tables the metrics read instead of raw events, rebuilt whole from the log.

Scanning millions of events for every number would be slow, so the log is condensed once
per import into these tables (all rows carry ``community_id``; a refresh replaces one
community's rows and keeps the others'):

- ``member_flags`` — ``member_id, bot, staff, protected``: each member's current flags, the
  latest ``flag`` event per member and flag winning (``attrs.value``, true when absent);
- ``member_day`` — one row per member, group and local calendar day with activity:
  ``messages, replies, mentions, reactions, counted, first_message_ts, first_counted_ts,
  last_counted_ts, human``. ``counted`` is the day's counted activity (messages, plus
  reactions when ``COUNT_REACTIONS``); ``human`` is false for members flagged bot or staff;
- ``spans`` — membership spans (see :mod:`shequn.metrics.spans`);
- ``presence`` — per member, the stretches of days in the community, spans of all groups
  merged: ``member_id, stretch, start_day, end_day, human``;
- ``member_first`` — per member, the first span and first activity: ``first_day,
  first_at, seen_join, first_activity_ts, first_activity_day, first_message_ts,
  first_message_day, human``;
- ``active_days`` — one row per member and local day with counted activity in any group:
  ``member_id, day, counted, messages, human, in_at_end`` (``in_at_end``: the member was in
  the community at the end of that day), so per-day counts need neither a distinct nor a
  join;
- ``interactions`` — one row per group, ordered pair of members and local day with
  interactions (replies to, or mentions of, another member): ``group_id, source, target,
  day, interactions, human`` (``human``: neither end is flagged bot or staff). Resolving
  whose message a reply answers joins every reply to every message, far too slow to repeat
  for each metric that needs ties.

``presence``, ``member_first`` and ``active_days`` hold the whole community; a context
narrowed to some groups computes the same three from its own spans and days instead.

``derived_state`` records what each community's rows were built from: the last finished
import of the log, the zone, ``COUNT_REACTIONS``, :data:`DERIVED_VERSION` and the time range
of the events. Anything different makes them stale, and the next metric rebuilds them. A
log opened read-only gets the rebuilt tables as temporary tables of the session instead.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import ibis
import ibis.common.exceptions as ibis_errors

from shequn.metrics._json import json_text
from shequn.metrics._localtime import OffsetSteps, local_day, offset_steps
from shequn.metrics.spans import member_first_expr, presence, spans_expr

__all__ = [
    "ACTIVE_DAYS",
    "DERIVED_TABLES",
    "DERIVED_VERSION",
    "INTERACTIONS",
    "MEMBER_DAY",
    "MEMBER_FIRST",
    "MEMBER_FLAGS",
    "PRESENCE",
    "SPANS",
    "DerivedState",
    "active_days_expr",
    "derived_state",
    "ensure_derived",
    "interactions_expr",
    "last_import_id",
    "member_day_expr",
    "member_flags_expr",
    "refresh_derived",
]

#: Bump whenever a derived table's columns or meaning change: every community then rebuilds.
DERIVED_VERSION = 2

MEMBER_FLAGS = "member_flags"
MEMBER_DAY = "member_day"
SPANS = "spans"
PRESENCE = "presence"
MEMBER_FIRST = "member_first"
ACTIVE_DAYS = "active_days"
INTERACTIONS = "interactions"
STATE = "derived_state"
DERIVED_TABLES = (MEMBER_FLAGS, MEMBER_DAY, SPANS, PRESENCE, MEMBER_FIRST, ACTIVE_DAYS, INTERACTIONS)

_FLAGS = ("bot", "staff", "protected")
_ACTIVITY_KINDS = ("message", "reaction")


@dataclass(frozen=True)
class DerivedState:
    """What one community's derived rows were built from."""

    community_id: int
    import_id: int
    tz: str
    count_reactions: bool
    version: int
    first_ts: datetime | None
    last_ts: datetime | None

    def matches(self, import_id: int, tz: str, count_reactions: bool) -> bool:
        return (self.import_id, self.tz, self.count_reactions, self.version) == (
            import_id,
            tz,
            count_reactions,
            DERIVED_VERSION,
        )

    @property
    def steps(self) -> OffsetSteps:
        """The zone's UTC offsets over the community's events, for local days of raw events."""
        return offset_steps(self.tz, self.first_ts, self.last_ts)


def _table(backend: Any, name: str) -> Any | None:
    try:
        return backend.table(name)
    except ibis_errors.TableNotFound:
        return None


def _scalar(backend: Any, expr: Any) -> Any:
    return backend.to_pyarrow(expr).as_py()


def last_import_id(backend: Any) -> int:
    """The id of the log's last finished import that added events: derived tables built after
    it are current (a re-import that added nothing changes nothing)."""
    imports = backend.table("imports")
    changed = imports.filter((imports.status == "done") & (imports.events_added.fill_null(1) > 0))
    found = _scalar(backend, changed.import_id.max())
    return int(found or 0)


def derived_state(backend: Any, community_id: int) -> DerivedState | None:
    """What the community's derived rows were built from, or None if never built."""
    state = _table(backend, STATE)
    if state is None or any(_table(backend, name) is None for name in DERIVED_TABLES):
        return None
    rows = backend.to_pyarrow(state.filter(state.community_id == community_id)).to_pylist()
    if not rows:
        return None
    row = rows[0]
    return DerivedState(
        community_id=row["community_id"],
        import_id=row["import_id"],
        tz=row["tz"],
        count_reactions=row["count_reactions"],
        version=row["version"],
        first_ts=row["first_ts"],
        last_ts=row["last_ts"],
    )


def _members(backend: Any) -> Any:
    return backend.table("identity_member")


def member_flags_expr(backend: Any, community_id: int) -> Any:
    """Each flagged member's current bot / staff / protected flags (latest event wins)."""
    events = backend.table("events")
    e = events.filter(
        (events.community_id == community_id)
        & (events.kind == "flag")
        & events.subkind.isin(_FLAGS)
        & events.target_identity_id.notnull()
    )
    e = e.join(_members(backend).rename(target_identity_id="identity_id"), "target_identity_id")
    latest_first = ibis.window(
        group_by=["member_id", "subkind"],
        order_by=[ibis.desc("ts"), ibis.desc("seq"), ibis.desc("import_id"), ibis.desc("event_id")],
    )
    e = e.mutate(
        rank=ibis.row_number().over(latest_first),
        value=json_text(e.attrs, "value").fill_null("true") != "false",
    )
    latest = e.filter(e.rank == 0)
    return latest.group_by("member_id").aggregate(
        community_id=ibis.literal(community_id, "int64"),
        **{flag: latest.value.any(where=latest.subkind == flag).fill_null(False) for flag in _FLAGS},
    )


def member_day_expr(backend: Any, community_id: int, steps: OffsetSteps, count_reactions: bool, flags: Any) -> Any:
    """Activity per member, group and local day (see the module docstring for the columns)."""
    events = backend.table("events")
    e = events.filter(
        (events.community_id == community_id) & events.kind.isin(_ACTIVITY_KINDS) & events.identity_id.notnull()
    )
    e = e.join(_members(backend), "identity_id")
    is_message = e.kind == "message"
    is_counted = is_message | (e.kind == "reaction") if count_reactions else is_message
    is_reply = is_message & (e.reply_to_event_id.notnull() | (e.thread_id.notnull() & (e.thread_id != e.event_id)))
    e = e.mutate(day=local_day(e.ts, steps), is_message=is_message, is_counted=is_counted, is_reply=is_reply)
    days = e.group_by(["group_id", "member_id", "day"]).aggregate(
        messages=e.event_id.count(where=e.is_message),
        replies=e.event_id.count(where=e.is_reply),
        mentions=e.mentions.length().sum(where=e.is_message).fill_null(0),
        reactions=e.event_id.count(where=e.kind == "reaction"),
        counted=e.event_id.count(where=e.is_counted),
        first_message_ts=e.ts.min(where=e.is_message),
        first_counted_ts=e.ts.min(where=e.is_counted),
        last_counted_ts=e.ts.max(where=e.is_counted),
    )
    days = days.left_join(flags.filter(flags.community_id == community_id), "member_id")
    return days.select(
        community_id=ibis.literal(community_id, "int64"),
        group_id=days.group_id,
        member_id=days.member_id,
        day=days.day,
        messages=days.messages,
        replies=days.replies,
        mentions=days.mentions.cast("int64"),
        reactions=days.reactions,
        counted=days.counted,
        first_message_ts=days.first_message_ts,
        first_counted_ts=days.first_counted_ts,
        last_counted_ts=days.last_counted_ts,
        human=~(days.bot.fill_null(False) | days.staff.fill_null(False)),
    )


def active_days_expr(member_day: Any, stretches: Any) -> Any:
    """Counted activity per member and day, all groups together, with whether the member was
    in at the end of the day (``stretches``: :func:`~shequn.metrics.spans.presence` rows)."""
    active = member_day.filter(member_day.counted > 0)
    days = active.group_by(["member_id", "day"]).aggregate(
        counted=active.counted.sum(), messages=active.messages.sum(), human=active.human.any()
    )
    stays = stretches.select(stay_member=stretches.member_id, start_day=stretches.start_day, end_day=stretches.end_day)
    joined = days.left_join(
        stays,
        (days.member_id == stays.stay_member) & (stays.start_day <= days.day) & (stays.end_day > days.day),
    )
    return joined.select(
        member_id=joined.member_id,
        day=joined.day,
        counted=joined.counted,
        messages=joined.messages,
        human=joined.human,
        in_at_end=joined.stay_member.notnull(),
    )


def interactions_expr(backend: Any, community_id: int, steps: OffsetSteps, flags: Any) -> Any:
    """Interactions per group, ordered pair and local day (see the module docstring).

    A message by ``source`` interacts with ``target`` when it replies to a message of theirs
    or mentions them, ``source != target``; a message that does both counts once.
    """
    events = backend.table("events")
    mine = (events.community_id == community_id) & (events.kind == "message") & events.identity_id.notnull()

    def authored(condition: Any) -> Any:
        # Each part reads the log on its own: sharing one selection of every message would make
        # the engine hold all of them (ids, texts' neighbours, mention lists) in memory at once.
        found = events.filter(mine & condition).join(_members(backend), "identity_id")
        return found.select("event_id", "group_id", "ts", "member_id", "reply_to_event_id", "mentions")

    replies = authored(events.reply_to_event_id.notnull())
    answered = events.filter(mine & events.reply_to_event_id.notnull())
    answered = answered.select(answered_id=answered.reply_to_event_id).distinct()
    originals = authored(ibis.literal(True))
    originals = originals.semi_join(answered, originals.event_id == answered.answered_id)
    originals = originals.select(original_id=originals.event_id, target=originals.member_id)
    replied = replies.join(originals, replies.reply_to_event_id == originals.original_id)
    replied = replied.select("event_id", "group_id", "ts", source=replied.member_id, target=replied.target)
    mentioning = authored(events.mentions.notnull())
    mentioning = mentioning.select("event_id", "group_id", "ts", "member_id", mentioned=mentioning.mentions.unnest())
    mentioning = mentioning.join(_members(backend).rename(mentioned="identity_id", target="member_id"), "mentioned")
    mentioning = mentioning.select("event_id", "group_id", "ts", source=mentioning.member_id, target=mentioning.target)
    both = replied.union(mentioning, distinct=True)
    both = both.filter(both.source != both.target)
    both = both.mutate(day=local_day(both.ts, steps))
    pairs = both.group_by(["group_id", "source", "target", "day"]).aggregate(interactions=both.count())
    flagged = flags.filter((flags.community_id == community_id) & (flags.bot | flags.staff)).select("member_id")
    non_human = flagged.mutate(flagged=ibis.literal(True))
    sources = non_human.rename(source="member_id", source_flagged="flagged")
    targets = non_human.rename(target="member_id", target_flagged="flagged").view()
    pairs = pairs.left_join(sources, "source").left_join(targets, "target")
    return pairs.select(
        community_id=ibis.literal(community_id, "int64"),
        group_id=pairs.group_id,
        source=pairs.source,
        target=pairs.target,
        day=pairs.day,
        interactions=pairs.interactions,
        human=pairs.source_flagged.isnull() & pairs.target_flagged.isnull(),
    )


def _replace_rows(backend: Any, name: str, expr: Any, community_id: int, temp: bool) -> Any:
    """Write ``expr`` as the community's rows of table ``name``, keeping other communities' rows.

    Rows of a table whose columns no longer match are dropped whole: the version bump that
    changed them makes every other community stale, so they are rebuilt when next read.
    """
    old = _table(backend, name)
    if old is not None and old.schema() == expr.schema():
        expr = old.filter(old.community_id != community_id).union(expr, distinct=False)
    _write_table(backend, name, expr, temp)
    return backend.table(name)


#: Engines that refuse to overwrite a table the new contents are read from (a derived table
#: keeps the other communities' rows, so its new contents read the old table).
_NO_SELF_OVERWRITE = frozenset({"pyspark"})


def _write_table(backend: Any, name: str, expr: Any, temp: bool) -> None:
    """The one place a derived table is written: the seam for an engine that stores them differently."""
    if backend.name in _NO_SELF_OVERWRITE:
        staged = f"{name}__next"
        backend.create_table(staged, expr, overwrite=True, temp=temp)
        backend.create_table(name, backend.table(staged), overwrite=True, temp=temp)
        backend.drop_table(staged)
        return
    backend.create_table(name, expr, overwrite=True, temp=temp)


def _time_range(backend: Any, community_id: int) -> tuple[datetime | None, datetime | None]:
    events = backend.table("events")
    mine = events.filter(events.community_id == community_id)
    row = backend.to_pyarrow(mine.aggregate(first=mine.ts.min(), last=mine.ts.max())).to_pylist()[0]
    return row["first"], row["last"]


_STATE_SCHEMA = {
    "community_id": "int64",
    "import_id": "int64",
    "tz": "string",
    "count_reactions": "boolean",
    "version": "int64",
    "first_ts": "timestamp",
    "last_ts": "timestamp",
    "built_at": "timestamp",
}


def _write_state(backend: Any, state: DerivedState, temp: bool) -> None:
    row = {
        "community_id": [state.community_id],
        "import_id": [state.import_id],
        "tz": [state.tz],
        "count_reactions": [state.count_reactions],
        "version": [state.version],
        "first_ts": [state.first_ts],
        "last_ts": [state.last_ts],
        "built_at": [datetime.now(UTC).replace(tzinfo=None)],
    }
    _replace_rows(backend, STATE, ibis.memtable(row, schema=_STATE_SCHEMA), state.community_id, temp)


def _rebuild(backend: Any, community_id: int, tz: str, count_reactions: bool, temp: bool) -> DerivedState:
    import_id = last_import_id(backend)
    first_ts, last_ts = _time_range(backend, community_id)
    state = DerivedState(community_id, import_id, tz, count_reactions, DERIVED_VERSION, first_ts, last_ts)
    # version 0 matches nothing: a rebuild that dies halfway leaves the community stale, not wrong
    _write_state(backend, dataclasses.replace(state, version=0), temp)
    steps = offset_steps(tz, first_ts, last_ts)
    mine = ibis.literal(community_id, "int64")
    flags = _replace_rows(backend, MEMBER_FLAGS, member_flags_expr(backend, community_id), community_id, temp)
    member_day = _replace_rows(
        backend, MEMBER_DAY, member_day_expr(backend, community_id, steps, count_reactions, flags), community_id, temp
    )
    spans = spans_expr(backend.table("events"), _members(backend), member_day, flags, community_id, steps)
    spans = _replace_rows(backend, SPANS, spans, community_id, temp)
    spans = spans.filter(spans.community_id == community_id)
    stretches = _replace_rows(backend, PRESENCE, presence(spans).mutate(community_id=mine), community_id, temp)
    stretches = stretches.filter(stretches.community_id == community_id)
    day_rows = member_day.filter(member_day.community_id == community_id)
    active = active_days_expr(day_rows, stretches).mutate(community_id=mine)
    _replace_rows(backend, ACTIVE_DAYS, active, community_id, temp)
    firsts = member_first_expr(spans, day_rows).mutate(community_id=mine)
    _replace_rows(backend, MEMBER_FIRST, firsts, community_id, temp)
    _replace_rows(backend, INTERACTIONS, interactions_expr(backend, community_id, steps, flags), community_id, temp)
    _write_state(backend, state, temp)
    return state


def refresh_derived(backend: Any, community_id: int, tz: str, *, count_reactions: bool = False) -> DerivedState:
    """Rebuild the community's derived rows from the log; the import calls this after each import.

    On a log that cannot be written (opened read-only) the tables are built as temporary
    tables of the connection, which shadow the stored ones for as long as it is open.
    """
    try:
        return _rebuild(backend, community_id, tz, count_reactions, temp=False)
    except Exception as exc:
        if "read-only" not in str(exc) and "read only" not in str(exc):
            raise
    return _rebuild(backend, community_id, tz, count_reactions, temp=True)


def ensure_derived(backend: Any, community_id: int, tz: str, *, count_reactions: bool = False) -> DerivedState:
    """The community's derived rows, rebuilt first if missing or stale."""
    state = derived_state(backend, community_id)
    if state is not None and state.matches(last_import_id(backend), tz, count_reactions):
        return state
    return refresh_derived(backend, community_id, tz, count_reactions=count_reactions)

"""What every metric is computed against: a log, a community, a day, groups and settings.

A :class:`MetricContext` holds no data. It names the Ibis backend the metrics run on (DuckDB
here; PostgreSQL or Spark run the same expressions), and hands out the community's derived
tables already narrowed to its groups, making sure first that they are current.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

import ibis
import orjson

from shequn.errors import ConfigError, ShequnError
from shequn.metrics._localtime import OffsetSteps
from shequn.metrics.derived import (
    ACTIVE_DAYS,
    INTERACTIONS,
    MEMBER_DAY,
    MEMBER_FIRST,
    MEMBER_FLAGS,
    PRESENCE,
    SPANS,
    DerivedState,
    active_days_expr,
    ensure_derived,
)
from shequn.metrics.spans import member_first_expr, presence
from shequn.settings import SETTINGS, resolve
from shequn.sources._base import zone
from shequn.store import Store

__all__ = ["MetricContext", "context_for", "group_ids_for"]

#: Engines on which :meth:`MetricContext.shared` keeps results in memory (in-process, zero-copy Arrow).
_SHARE_RESULTS = frozenset({"duckdb"})


@dataclass(frozen=True, eq=False)
class MetricContext:
    """The community, day and settings that metrics are computed for.

    ``as_of`` None means the last day with counted activity in the community (never the
    wall clock, so imported history reports the same numbers next year). ``group_ids``
    None means every group. ``params`` are the resolved settings
    (:func:`shequn.settings.resolve`), named as in ``docs/metrics.md``.
    """

    backend: Any
    community_id: int
    as_of: date | None = None
    tz: str = "UTC"
    group_ids: tuple[int, ...] | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def param(self, name: str) -> Any:
        """A setting's value (its default when ``params`` lacks it); metrics read settings here."""
        return self.params[name] if name in self.params else SETTINGS[name].default

    @cached_property
    def _shared(self) -> dict[str, Any]:
        return {}

    def shared(self, name: str, build: Callable[[MetricContext], Any]) -> Any:
        """``build(self)``, an intermediate table that several metrics of this context read.

        On the embedded engine it is executed once and handed out as an in-memory table, so
        the front page's metrics that all need, say, every member's strong ties do not each
        recompute them. Other engines get the expression itself: their results are identical,
        and moving rows back into a server or cluster would cost more than it saves.
        """
        if self.backend.name not in _SHARE_RESULTS:
            return build(self)
        if name not in self._shared:
            self._shared[name] = ibis.memtable(self.backend.to_pyarrow(build(self)))
        return self._shared[name]

    # -- derived tables, current and narrowed to this context ---------------------------

    @cached_property
    def state(self) -> DerivedState:
        """The derived tables' build facts, after rebuilding them if missing or stale."""
        return ensure_derived(
            self.backend, self.community_id, self.tz, count_reactions=bool(self.param("COUNT_REACTIONS"))
        )

    @property
    def steps(self) -> OffsetSteps:
        """The zone's UTC offsets over the community's events (local days of raw events)."""
        return self.state.steps

    def current(self) -> DerivedState:
        """Make sure the derived tables are current (once per context) and say what they hold."""
        return self.state

    @cached_property
    def _tables(self) -> dict[str, Any]:
        return {}

    def table(self, name: str) -> Any:
        """The log's table ``name``, looked up once per context (each lookup asks the engine
        for its columns; a front page reads the same few tables some fifty times)."""
        if name not in self._tables:
            self._tables[name] = self.backend.table(name)
        return self._tables[name]

    def _mine(self, name: str) -> Any:
        self.current()
        table = self.table(name)
        table = table.filter(table.community_id == self.community_id)
        if self.group_ids is not None and "group_id" in table.columns:
            table = table.filter(table.group_id.isin(list(self.group_ids)))
        return table

    @property
    def member_day(self) -> Any:
        """``member_day`` rows of the community's chosen groups, every member."""
        return self._mine(MEMBER_DAY)

    @property
    def activity(self) -> Any:
        """Counted activity: ``member_day`` rows of human members with counted activity."""
        rows = self.member_day
        return rows.filter(rows.human & (rows.counted > 0))

    @property
    def active_days(self) -> Any:
        """Counted activity of human members per member and day, all chosen groups together:
        ``member_id, day, counted, messages, in_at_end`` (see :mod:`shequn.metrics.derived`)."""
        if self.group_ids is None:
            rows = self._mine(ACTIVE_DAYS)
        else:
            rows = active_days_expr(self.member_day, presence(self.all_spans))
        return rows.filter(rows.human)

    @property
    def all_spans(self) -> Any:
        """Membership spans of the chosen groups, every member (bots and staff too)."""
        return self._mine(SPANS)

    @property
    def spans(self) -> Any:
        """Membership spans of human members in the chosen groups."""
        rows = self.all_spans
        return rows.filter(rows.human)

    @property
    def presence(self) -> Any:
        """Human members' stretches of days in the community (its chosen groups): rows
        ``member_id, start_day, end_day``, disjoint per member (see :func:`~shequn.metrics.spans.presence`)."""
        rows = self._mine(PRESENCE) if self.group_ids is None else presence(self.spans)
        return rows.filter(rows.human)

    @property
    def firsts(self) -> Any:
        """Human members' first span and first activity in the chosen groups, one row each
        (see :func:`~shequn.metrics.spans.member_first_expr`)."""
        rows = (
            self._mine(MEMBER_FIRST) if self.group_ids is None else member_first_expr(self.all_spans, self.member_day)
        )
        return rows.filter(rows.human)

    @property
    def interactions(self) -> Any:
        """Interactions between human members per group, ordered pair and local day: rows
        ``group_id, source, target, day, interactions`` (see :mod:`shequn.metrics.derived`)."""
        rows = self._mine(INTERACTIONS)
        return rows.filter(rows.human)

    @property
    def flags(self) -> Any:
        """Current bot / staff / protected flags of the community's flagged members."""
        return self._mine(MEMBER_FLAGS)

    def events(self, *kinds: str) -> Any:
        """Raw events of the community's chosen groups, of the given kinds (all if none)."""
        events = self.table("events")
        events = events.filter(events.community_id == self.community_id)
        if kinds:
            events = events.filter(events.kind.isin(list(kinds)))
        if self.group_ids is not None:
            events = events.filter(events.group_id.isin(list(self.group_ids)))
        return events

    # -- the day ------------------------------------------------------------------------

    @cached_property
    def day(self) -> date:
        """``D``: ``as_of``, else the last day with counted activity in the community.

        A community with membership events but no counted activity falls back to its last
        membership change; one with neither has nothing to measure.
        """
        if self.as_of is not None:
            return self.as_of
        self.current()
        rows = self.table(MEMBER_DAY)
        rows = rows.filter((rows.community_id == self.community_id) & rows.human & (rows.counted > 0))
        found = self.backend.to_pyarrow(rows.day.max()).as_py()
        if found is None:
            spans = self.table(SPANS)
            spans = spans.filter(spans.community_id == self.community_id)
            found = self.backend.to_pyarrow(spans.opened_day.max()).as_py()
        if found is None:
            raise ShequnError("the community has no activity and no membership events yet: nothing to measure")
        return found


def _backend(log: Store | Any) -> Any:
    """The Ibis backend of a :class:`Store`, or ``log`` itself if it already is one (Spark)."""
    return log.ibis if isinstance(log, Store) else log


def group_ids_for(log: Store | Any, community_id: int, names: Iterable[str]) -> tuple[int, ...]:
    """The ids of the community's groups named (by name or native id) in ``names``."""
    backend = _backend(log)
    groups = backend.table("groups")
    mine = backend.to_pyarrow(
        groups.filter(groups.community_id == community_id).select("group_id", "name", "native_id")
    ).to_pylist()
    found: list[int] = []
    for name in names:
        hits = [g["group_id"] for g in mine if name in (g["name"], g["native_id"])]
        if not hits:
            known = ", ".join(sorted(str(g["name"] or g["native_id"]) for g in mine)) or "none"
            raise ConfigError(f"no group named {name!r} in this community (groups: {known})")
        found.extend(hits)
    return tuple(sorted(set(found)))


def context_for(
    log: Store | Any,
    community_name: str,
    as_of: date | None = None,
    groups: Iterable[str] | None = None,
    overrides: dict[str, Any] | None = None,
) -> MetricContext:
    """The context for a community of a log, with its settings and optional group filter.

    ``log`` is a :class:`Store`, or an Ibis backend over the log's tables (such as
    :func:`shequn.engines.open_log` returns for Spark).
    """
    backend = _backend(log)
    communities = backend.table("communities")
    rows = backend.to_pyarrow(communities.select("community_id", "name", "settings")).to_pylist()
    found = [row for row in rows if row["name"] == community_name]
    if not found:
        known = ", ".join(sorted(row["name"] for row in rows)) or "none yet"
        raise ConfigError(f"no community named {community_name!r} (communities: {known})")
    community_id = found[0]["community_id"]
    params = resolve(orjson.loads(found[0]["settings"]), overrides)
    tz = str(params["TIMEZONE"])
    zone(tz)
    group_ids = group_ids_for(backend, community_id, groups) if groups else None
    return MetricContext(
        backend=backend,
        community_id=community_id,
        as_of=as_of,
        tz=tz,
        group_ids=group_ids,
        params=params,
    )

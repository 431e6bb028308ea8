"""The operator's report as data: everything the terminal, HTML and JSON reports show.

A :class:`Report` holds plain values only (numbers, strings, days), so that the three
renderings cannot disagree and ``shequn report --json`` is the report itself. Nothing in it
depends on the wall clock: the same log and ``--as-of`` give the same report.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

__all__ = [
    "PERIODS",
    "Cohort",
    "Contributor",
    "DayCount",
    "FlowWeek",
    "GroupRow",
    "Kpi",
    "LevelCounts",
    "Network",
    "NetworkEdge",
    "NetworkNode",
    "Report",
    "SlippingMember",
    "Tie",
]

#: Report periods and their length in days: the KPIs compare ``D`` with ``D - length``.
PERIODS: Final = {"week": 7, "month": 30}


@dataclass(frozen=True)
class Kpi:
    """One front-page metric as of ``D`` and as of the previous period's ``D``.

    ``change`` is ``value - previous`` (for shares, a difference of fractions: 0.03 is
    3 percentage points), None where either side has no value or the unit has no arithmetic
    (money). ``good`` says whether the change is welcome (more members left is not), None
    when nothing changed.
    """

    name: str
    unit: str
    value: Any
    previous: Any
    change: float | None
    good: bool | None


@dataclass(frozen=True)
class DayCount:
    """Counted activity on one local day: distinct active members and their messages."""

    day: date
    active_members: int
    messages: int


@dataclass(frozen=True)
class FlowWeek:
    """New and left members in one week (the 7 days ending ``period_end``), and members at its end."""

    period_start: date
    period_end: date
    new: int
    left: int
    members: int


@dataclass(frozen=True)
class Cohort:
    """A weekly join cohort: its Monday, size, and per week ``k`` the share active (None beyond ``D``)."""

    cohort: date
    size: int
    cells: list[float | None]


@dataclass(frozen=True)
class LevelCounts:
    """How many members were at each level as of ``day``."""

    day: date
    counts: dict[str, int]


@dataclass(frozen=True)
class Contributor:
    """A member among the most prolific posters of the period."""

    member_id: int
    name: str
    level: str | None  # None: no longer in the community at the end of D
    messages: int
    score: float | None


@dataclass(frozen=True)
class SlippingMember:
    """A member whose activity fell below a third of their earlier mean (``slipping``)."""

    member_id: int
    name: str
    level_then: str
    recent: int
    mean_before: float


@dataclass(frozen=True)
class Tie:
    """A pair of members and how much they interact (``ties``)."""

    a: int
    a_name: str
    b: int
    b_name: str
    weight: float
    interactions: int
    strong: bool


@dataclass(frozen=True)
class NetworkNode:
    """A core member in the tie network: ``ties`` and ``strong_ties`` count their ties to
    other core members (all of them, drawn or not)."""

    member_id: int
    name: str
    ties: int
    strong_ties: int


@dataclass(frozen=True)
class NetworkEdge:
    """A tie between two core members."""

    a: int
    b: int
    weight: float
    strong: bool


@dataclass(frozen=True)
class Network:
    """The ties among the core members as of ``D``: the best-tied core members (all of them
    in a small community) and the ties among them, and the counts of the whole core."""

    nodes: list[NetworkNode]
    edges: list[NetworkEdge]
    core_members: int
    core_ties: int
    core_strong_ties: int


@dataclass(frozen=True)
class GroupRow:
    """One group's catalog values as of ``D`` (the group alone), for the comparison table.

    ``values`` is keyed by metric name (``members_now``, ``retention_80``…); ``ad_rate`` is the
    share of counted messages flagged as ads in the period, None when no ad scores are known.
    """

    group_id: int
    name: str
    carrier: str
    purpose: str | None
    messages: int  # counted messages in the period
    values: dict[str, Any]
    ad_rate: float | None


@dataclass(frozen=True)
class Report:
    """Everything one report shows, for one community (or some of its groups) as of ``D``."""

    community: str
    timezone: str
    groups: list[str]  # the --group filter; empty for the whole community
    period: str
    period_days: int
    as_of: date
    previous_as_of: date
    kpis: list[Kpi]
    period_totals: dict[str, int]  # new, left, messages in the period and the one before
    daily: list[DayCount]
    flow: list[FlowWeek]
    cohorts: list[Cohort]
    levels: list[LevelCounts]  # oldest first; the last is as of D
    weekday_hour: list[list[int]]  # [weekday 0=Monday][hour]: counted messages, history window
    contributors: list[Contributor]
    slipping_total: int
    slipping: list[SlippingMember]
    prune_candidates: int
    ties: list[Tie]
    network: Network
    group_rows: list[GroupRow]
    groups_total: int
    ad_rate_known: bool
    settings: dict[str, Any] = field(default_factory=dict)

    def kpi(self, name: str) -> Kpi | None:
        """The KPI of that name, if the front page has it."""
        return next((k for k in self.kpis if k.name == name), None)

    @property
    def history_start(self) -> date:
        """The first day of the daily series (the history window of the charts)."""
        return self.daily[0].day if self.daily else self.as_of

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready values (days stay :class:`date`; orjson writes them ISO)."""
        return dataclasses.asdict(self)

"""The catalog as code: one entry per metric, read by the CLI, reports and the web.

An entry names its metric as ``docs/metrics.md`` does. Parameterised names carry their
parameter's value (``retention_80`` for ``retention_N`` with ``RETENTION_DAYS`` 80), so a
user can also ask for ``retention_30`` and get N = 30. Features add their metrics with
:func:`register`; the order of registration is the order of the front page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shequn.errors import ConfigError
from shequn.metrics import cohorts, health, members, money, qa, ties
from shequn.metrics.context import MetricContext

__all__ = ["DOC", "METRICS", "UNITS", "Metric", "anchor", "lookup", "register"]

DOC = "docs/metrics.md"

#: What a value is; the CLI and web format values by unit.
UNITS = {
    "count": "a whole number of members, groups or messages",
    "share": "a fraction in [0, 1]; null when its denominator is zero",
    "per_day": "a mean number per day",
    "hours": "a duration in hours",
    "money": "an amount per currency",
    "series": "rows over time",
    "matrix": "cohort rows of cells, empty (null) beyond D",
    "table": "rows, one per member or item",
}


def anchor(heading: str) -> str:
    """The link of a heading of ``docs/metrics.md``, as GitHub and MkDocs spell anchors."""
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return f"{DOC}#{slug.replace(' ', '-')}"


HEALTH = anchor("Health KPIs (the operator's front page)")
RETENTION = anchor("Retention and newcomers")


@dataclass(frozen=True)
class Metric:
    """One catalog entry.

    ``key`` is the catalog's spelling (``retention_N``); ``params`` the settings the value
    depends on, the first of which fills the ``N`` of the key. ``function`` returns an Ibis
    expression; ``convert`` turns its executed result (a Python scalar, or a list of row
    dicts for tables; the Arrow table itself when ``arrow`` is set) into the value shown.
    """

    key: str
    unit: str
    summary: str
    link: str
    function: Callable[[MetricContext], Any]
    params: tuple[str, ...] = ()
    convert: Callable[[Any], Any] | None = None
    front_page: bool = True
    arrow: bool = False

    def name(self, params: dict[str, Any] | None = None) -> str:
        """The metric's name with its parameter filled in (``retention_80``)."""
        if not self.key.endswith("_N"):
            return self.key
        from shequn.settings import SETTINGS

        setting = self.params[0]
        value = (params or {}).get(setting, SETTINGS[setting].default)
        return f"{self.key[:-2]}_{int(value)}"


METRICS: dict[str, Metric] = {}


def register(metric: Metric) -> Metric:
    """Add an entry to the catalog (its key must be new)."""
    if metric.key in METRICS:
        raise ValueError(f"metric {metric.key!r} is already registered")
    if metric.unit not in UNITS:
        raise ValueError(f"metric {metric.key!r}: unknown unit {metric.unit!r}")
    METRICS[metric.key] = metric
    return metric


def lookup(name: str, params: dict[str, Any] | None = None) -> tuple[Metric, dict[str, Any]]:
    """The entry for a name a user typed, and the settings the name implies.

    ``retention_80`` and ``retention_N`` find ``retention_N``; ``retention_30`` also says
    ``RETENTION_DAYS = 30``.
    """
    if name in METRICS:
        return METRICS[name], {}
    match = re.fullmatch(r"(.+)_(\d+)", name)
    if match and f"{match.group(1)}_N" in METRICS:
        metric = METRICS[f"{match.group(1)}_N"]
        return metric, {metric.params[0]: int(match.group(2))}
    known = ", ".join(m.name(params) for m in METRICS.values())
    raise ConfigError(f"unknown metric {name!r}; known: {known}")


for _metric in (
    Metric("joined_total", "count", "members whose first span opened on or before D", HEALTH, health.joined_total),
    Metric("members_now", "count", "members in the community at the end of D", HEALTH, health.members_now),
    Metric("survival", "share", "members_now / joined_total", HEALTH, health.survival),
    Metric(
        "retention_N",
        "share",
        "of members who joined by D-N, the share still in N days after joining",
        HEALTH,
        health.retention_n,
        ("RETENTION_DAYS",),
    ),
    Metric(
        "active_rate_N",
        "share",
        "mean daily share of members with counted activity, over the N days ending D",
        HEALTH,
        health.active_rate_n,
        ("ACTIVE_DAYS",),
    ),
    Metric(
        "active_share_N",
        "share",
        "of members_now, the share with counted activity in the N days ending D",
        HEALTH,
        health.active_share_n,
        ("ACTIVE_DAYS",),
    ),
    Metric("active_today", "count", "members with counted activity on D (DAU)", HEALTH, health.active_today),
    Metric("participation_today", "share", "active_today / members_now", HEALTH, health.participation_today),
    Metric(
        "groups_active_today",
        "share",
        "of groups with members at the end of D, the share with counted activity on D",
        HEALTH,
        health.groups_active_today,
    ),
    Metric(
        "interactions_per_day",
        "per_day",
        "counted messages per day over the N days ending D",
        HEALTH,
        health.interactions_per_day,
        ("INTERACTION_DAYS",),
    ),
    Metric(
        "income",
        "money",
        "paid orders minus refunds in the 30 days ending D, per currency",
        HEALTH,
        money.income,
        convert=money.income_by_currency,
    ),
    Metric("wau", "count", "members with counted activity in the 7 days ending D", HEALTH, health.wau),
    Metric("mau", "count", "members with counted activity in the 30 days ending D", HEALTH, health.mau),
    Metric("stickiness", "share", "mean DAU over 30 days / mau", HEALTH, health.stickiness),
    Metric(
        "new_members", "count", "members whose first span opened in the 7 days ending D", HEALTH, health.new_members
    ),
    Metric(
        "left_members", "count", "members who left the community in the 7 days ending D", HEALTH, health.left_members
    ),
    Metric("net_growth", "count", "members_now at D minus members_now 7 days before", HEALTH, health.net_growth),
    Metric(
        "membership_flow",
        "series",
        "new_members, left_members and members per week, 12 weeks ending D",
        HEALTH,
        health.membership_flow,
    ),
    Metric(
        "cohort_activity",
        "matrix",
        "weekly cohorts: share with counted activity in week k after joining",
        RETENTION,
        cohorts.cohort_activity,
        convert=cohorts.matrix_rows,
    ),
    Metric(
        "cohort_presence",
        "matrix",
        "weekly cohorts: share still in the community at the end of week k",
        RETENTION,
        cohorts.cohort_presence,
        convert=cohorts.matrix_rows,
    ),
    Metric(
        "activation_rate",
        "share",
        "of seen joiners of the 30 days ending D-ACTIVATION_DAYS, the share active within ACTIVATION_DAYS",
        RETENTION,
        cohorts.activation_rate,
        ("ACTIVATION_DAYS",),
    ),
    Metric(
        "time_to_first_message",
        "hours",
        "median hours from join to first counted message, same joiners",
        RETENTION,
        cohorts.time_to_first_message,
        ("ACTIVATION_DAYS",),
    ),
    Metric(
        "lurker_share",
        "share",
        "of members_now who joined over ACTIVATION_DAYS ago, the share who never posted",
        RETENTION,
        cohorts.lurker_share,
        ("ACTIVATION_DAYS",),
    ),
):
    register(_metric)
for _metric in (*members.ENTRIES, *ties.ENTRIES, *qa.ENTRIES):
    register(_metric)

# Features outside this package add their entries when imported; import them here so that
# the catalog is the same whichever command or test loads it first.
import shequn.moderation.metrics  # noqa: E402, F401

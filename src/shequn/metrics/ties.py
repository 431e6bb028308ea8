"""Ties: connection and trust between members (``docs/metrics.md#ties-connection-and-trust``).

A tie is a pair of members with interactions (replies to, or mentions of, each other; see
:func:`~shequn.metrics._interactions.interactions`). Its weight decays with the age of each
interaction; it is *strong* when each of the two reached out to the other on at least
``STRONG_TIE_DAYS`` distinct days of the window ``(D-90, D]``. The catalog's "interactions in
both directions on at least N distinct days" is read per direction: ``a`` to ``b`` on N days
and ``b`` to ``a`` on N days, not necessarily the same days, since a conversation that one
answers the next morning is no less mutual (and a day boundary would otherwise decide it).

Pairs and per-member counts are Ibis expressions. The network summary (density, clustering,
k-cores) is computed in Python by :mod:`networkx` from the window's small edge list.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import ibis
import networkx as nx

from shequn.metrics._interactions import decay, interactions
from shequn.metrics._lazy import lazy_entries
from shequn.metrics.activity import active_members, as_day, ratio, window_start
from shequn.metrics.context import MetricContext

__all__ = [
    "ENTRIES",
    "TIE_WINDOW_DAYS",
    "member_ties",
    "network",
    "network_edges",
    "network_summary",
    "strong_tie_share",
    "strong_ties_per_member",
    "ties",
]

#: The window ``(D-90, D]`` of strong ties, ``strong_tie_share`` and the network summary.
TIE_WINDOW_DAYS = 90


def _window_first(ctx: MetricContext) -> Any:
    return window_start(ctx.day, TIE_WINDOW_DAYS)


def ties(ctx: MetricContext) -> Any:
    """``ties``: every pair with an interaction in ``(D-90, D]``, one row per pair ``a < b``.

    Columns: ``a, b, weight`` (``Σ 0.5^(age_days / HALF_LIFE)`` over their interactions in both
    directions up to ``D``, older ones included), ``interactions`` (up to ``D``), ``days_ab`` and
    ``days_ba`` (distinct days in the window with an interaction ``a`` to ``b``, ``b`` to ``a``),
    ``last_day`` and ``strong``. Pairs whose last interaction is older than the window are no
    ties any more and are left out.
    """
    found = interactions(ctx)
    first = _window_first(ctx)
    found = found.mutate(
        a=ibis.least(found.source, found.target),
        b=ibis.greatest(found.source, found.target),
        decayed=decay(ctx, found.day) * found.interactions.cast("float64"),
        recent=found.day >= as_day(first),
    )
    pairs = found.group_by(["a", "b"]).aggregate(
        weight=found.decayed.sum(),
        interactions=found.interactions.sum(),
        recent=found.interactions.sum(where=found.recent),
        # interactions() has one row per ordered pair and day: counting rows counts distinct days
        days_ab=found.count(where=found.recent & (found.source == found.a)),
        days_ba=found.count(where=found.recent & (found.source == found.b)),
        last_day=found.day.max(),
    )
    pairs = pairs.filter(pairs.recent.fill_null(0) > 0)
    needed = int(ctx.param("STRONG_TIE_DAYS"))
    return pairs.select(
        "a",
        "b",
        "weight",
        "interactions",
        days_ab=pairs.days_ab.fill_null(0),
        days_ba=pairs.days_ba.fill_null(0),
        last_day=pairs.last_day,
        strong=(pairs.days_ab.fill_null(0) >= needed) & (pairs.days_ba.fill_null(0) >= needed),
    )


def member_ties(ctx: MetricContext) -> Any:
    """Each tie seen from both ends: ``member_id, other, weight, strong, days_out, days_in, last_day``."""
    pairs = ties(ctx)
    forward = pairs.select(
        member_id=pairs.a,
        other=pairs.b,
        weight=pairs.weight,
        strong=pairs.strong,
        days_out=pairs.days_ab,
        days_in=pairs.days_ba,
        last_day=pairs.last_day,
    )
    backward = pairs.select(
        member_id=pairs.b,
        other=pairs.a,
        weight=pairs.weight,
        strong=pairs.strong,
        days_out=pairs.days_ba,
        days_in=pairs.days_ab,
        last_day=pairs.last_day,
    )
    return forward.union(backward, distinct=False)


def strong_ties_per_member(ctx: MetricContext) -> Any:
    """``member_id, strong_ties``: members with a strong tie in the window, and how many.

    The same pairs as :func:`ties` would mark strong, counted from the window's interactions
    alone: whether a tie is strong depends on nothing older, and its weight is not needed
    here. Computed once per context (:meth:`~shequn.metrics.context.MetricContext.shared`):
    ``strong_tie_share`` and every member's level both read it.
    """
    return ctx.shared("strong_ties_per_member", _strong_ties_per_member)


def _strong_ties_per_member(ctx: MetricContext) -> Any:
    # Directions first: only ordered pairs that reached out on enough days can be half of a
    # strong tie, and they are few, so pairing each with its reverse is a small join.
    found = interactions(ctx)
    found = found.filter(found.day >= as_day(_window_first(ctx)))
    directions = found.group_by(["source", "target"]).aggregate(days=found.count())
    directions = directions.filter(directions.days >= int(ctx.param("STRONG_TIE_DAYS")))
    reverse = directions.select(back_source=directions.target, back_target=directions.source)
    mutual = directions.join(
        reverse, (directions.source == reverse.back_source) & (directions.target == reverse.back_target)
    )
    return mutual.group_by(member_id=mutual.source).aggregate(strong_ties=mutual.count())


def strong_tie_share(ctx: MetricContext) -> Any:
    """``strong_tie_share``: of members active in ``(D-90, D]``, the share with at least one strong tie."""
    active = active_members(ctx, _window_first(ctx), ctx.day)
    counts = strong_ties_per_member(ctx)
    strong = counts.filter(counts.strong_ties > 0).select("member_id")
    return ratio(active.join(strong, "member_id").count(), active.count())


#: ``b`` of a network row for a member without ties.
NO_TIE = -1


def network_edges(ctx: MetricContext) -> Any:
    """``network``: the window's tie graph as rows ``a, b, weight, strong``.

    Members active in the window without a tie come as rows with ``b`` = -1 (no member id
    is negative), so that the graph has them as nodes of degree 0 (:func:`network_summary`
    reads these rows). Not null: Spark hands nullable integer columns to Python through
    pandas as floats, which would round 63-bit member ids.
    """
    pairs = ties(ctx).select("a", "b", "weight", "strong")
    tied = pairs.select(member_id=pairs.a).union(pairs.select(member_id=pairs.b), distinct=True)
    active = active_members(ctx, _window_first(ctx), ctx.day)
    alone = active.anti_join(tied, "member_id")
    alone = alone.select(
        a=alone.member_id,
        b=ibis.literal(NO_TIE, "int64"),
        weight=ibis.null("float64"),
        strong=ibis.null("boolean"),
    )
    return pairs.union(alone, distinct=False)


def network_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The network summary of :func:`network_edges`' rows.

    ``members`` (nodes: members active in the window or with a tie in it), ``ties`` and
    ``strong_ties`` (edges), ``density`` (edges over possible pairs; null under two members),
    ``mean_clustering`` (the mean over members of the share of their tied neighbours that
    are tied to each other, unweighted; null without members) and ``core_numbers``
    (member id -> the largest k such that the member is in the graph's k-core).
    """
    graph = nx.Graph()
    for row in rows:
        graph.add_node(row["a"])
        if row["b"] is not None and row["b"] != NO_TIE:
            graph.add_edge(row["a"], row["b"], weight=row["weight"], strong=row["strong"])
    members = graph.number_of_nodes()
    edges = graph.number_of_edges()
    cores = nx.core_number(graph) if members else {}
    return {
        "members": members,
        "ties": edges,
        "strong_ties": sum(1 for _, _, strong in graph.edges(data="strong") if strong),
        "density": nx.density(graph) if members > 1 else None,
        "mean_clustering": nx.average_clustering(graph) if members else None,
        "core_numbers": dict(sorted(cores.items())),
    }


def network(ctx: MetricContext) -> dict[str, Any]:
    """The network summary as of ``D``, computed at once (see :func:`network_summary`)."""
    rows = ctx.backend.to_pyarrow(network_edges(ctx)).to_pylist()
    return network_summary(rows)


#: This module's catalog entries (built on first use, see ``__getattr__`` below).
ENTRIES: list[Any]


@cache
def _entries() -> list[Any]:
    from shequn.metrics.registry import Metric, anchor

    link = anchor("Ties (connection and trust)")
    return [
        Metric(
            "strong_tie_share",
            "share",
            "of members active in the 90 days ending D, the share with at least one strong tie",
            link,
            strong_tie_share,
            ("STRONG_TIE_DAYS",),
        ),
        Metric(
            "ties",
            "table",
            "pairs with interactions in the 90 days ending D: decayed weight, days each way, strong",
            link,
            ties,
            ("HALF_LIFE", "STRONG_TIE_DAYS"),
            front_page=False,
        ),
        Metric(
            "network",
            "table",
            "the tie graph of the 90 days ending D: members, ties, density, clustering, k-cores",
            link,
            network_edges,
            ("STRONG_TIE_DAYS",),
            convert=network_summary,
            front_page=False,
        ),
    ]


__getattr__ = lazy_entries(__name__, _entries)

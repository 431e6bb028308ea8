"""Members (``docs/metrics.md#members``): activity score, concentration and slipping members.

Levels are in :mod:`shequn.metrics.levels` and prune candidates in :mod:`shequn.metrics.prune`;
this module registers their catalog entries with its own.

The activity score is Orbit-style and transparent: every counted message is worth the weight
of what it is, decayed by its age, and the weights are shown beside the score. Each message
has one weight, the highest that applies: an answer to a question (``WEIGHT_ANSWER``), else a
reply to another member's message (``WEIGHT_REPLY``), else a message (``WEIGHT_MESSAGE``).
Event check-ins weigh ``WEIGHT_CHECKIN``. Reactions have no weight in the catalog and add
nothing, whatever ``COUNT_REACTIONS`` says. Ages are whole local days from the activity's
day to ``D``, so a whole day's activity decays alike and ``D``'s own counts in full.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from functools import cache
from typing import Any, Final

import ibis
import ibis.common.exceptions as ibis_errors

from shequn.metrics._interactions import authored, decay, owned, reply_targets, without_non_humans
from shequn.metrics._lazy import lazy_entries
from shequn.metrics._who import member_names
from shequn.metrics.activity import as_day, members_in_at, ratio, window_start, within
from shequn.metrics.context import MetricContext
from shequn.metrics.levels import LEVEL_WINDOW_DAYS, catalog_levels, level_table_rows, member_levels

__all__ = [
    "CONCENTRATION_DAYS",
    "ENTRIES",
    "SCORE_WEIGHTS",
    "SLIPPING_BEFORE_DAYS",
    "absence_factor",
    "activity_score",
    "member_list",
    "score_weights",
    "slipping",
    "top10_share",
]

#: The settings that weigh each kind of activity, by the kind's name in the score's columns.
SCORE_WEIGHTS: Final = {
    "messages": "WEIGHT_MESSAGE",
    "replies": "WEIGHT_REPLY",
    "answers": "WEIGHT_ANSWER",
    "checkins": "WEIGHT_CHECKIN",
}
#: The window of ``top10_share`` and ``absence_factor``: the 30 days ending ``D``, like ``mau``.
CONCENTRATION_DAYS: Final = 30
#: Slipping compares the 30 days ending ``D`` with the 90 days before them.
SLIPPING_BEFORE_DAYS: Final = 90


def score_weights(ctx: MetricContext) -> dict[str, float]:
    """The weights in force, keyed as the score's columns (shown beside every score)."""
    return {kind: float(ctx.param(setting)) for kind, setting in SCORE_WEIGHTS.items()}


def _built_answers(ctx: MetricContext) -> Any | None:
    """The Q&A answers when their tables exist, without building them here."""
    from shequn.metrics import qa
    from shequn.metrics._qa_tables import QUESTIONS, REPLY_LINKS

    for name in (QUESTIONS, REPLY_LINKS):
        try:
            ctx.backend.table(name)
        except ibis_errors.TableNotFound:
            return None
    return qa.answer_ids(ctx)


def activity_score(ctx: MetricContext, answers: Any | None = None) -> Any:
    """``activity_score``: per member, ``Σ weight(kind) × 0.5^(age_days / HALF_LIFE)`` up to ``D``.

    ``answers`` is a table with an ``event_id`` column naming the messages that answer a
    question; by default the answers of :mod:`shequn.metrics.qa` when its tables have been
    built (``shequn qa`` builds them; inferring reply links is too slow to do on every
    import), else no message counts as an answer. Columns:
    ``member_id, score, messages, replies, answers, checkins, last_day``: each counted
    message in exactly one of ``messages``, ``replies``, ``answers``, so that the score of
    activity on ``D`` itself is ``Σ count × weight``.
    """
    weights = score_weights(ctx)
    if answers is None:
        answers = _built_answers(ctx)
    messages = without_non_humans(ctx, authored(ctx, "message"))
    messages = messages.select("event_id", "member_id", "day", "reply_to_event_id")
    replies = reply_targets(ctx, messages).select(reply_id="event_id").distinct()
    marked = messages.left_join(replies, messages.event_id == replies.reply_id)
    if answers is not None:
        answer_ids = answers.select(answer_id=answers.event_id).distinct()
        marked = marked.left_join(answer_ids, marked.event_id == answer_ids.answer_id)
        is_answer = marked.answer_id.notnull()
    else:
        is_answer = ibis.literal(False)
    kind = ibis.cases((is_answer, "answers"), (marked.reply_id.notnull(), "replies"), else_="messages")
    scored = marked.select(member_id=marked.member_id, day=marked.day, kind=kind)
    checkins = without_non_humans(ctx, owned(ctx, "checkin"))
    scored = scored.union(
        checkins.select(member_id=checkins.member_id, day=checkins.day, kind=ibis.literal("checkins")),
        distinct=False,
    )
    weight = ibis.cases(*((scored.kind == kind, value) for kind, value in weights.items()), else_=0.0)
    per_day = scored.group_by(["member_id", "day"]).aggregate(
        points=weight.sum(), **{kind: scored.count(where=scored.kind == kind) for kind in weights}
    )
    per_day = per_day.mutate(decayed=per_day.points * decay(ctx, per_day.day))
    return per_day.group_by("member_id").aggregate(
        score=per_day.decayed.sum(),
        **{kind: per_day[kind].sum() for kind in weights},
        last_day=per_day.day.max(),
    )


def member_list(ctx: MetricContext, answers: Any | None = None) -> Any:
    """Members in the community at the end of ``D``: their level and its facts (see
    :func:`~shequn.metrics.levels.member_levels`), ``score`` (0 without activity) and ``name``."""
    levels = member_levels(ctx)
    scores = activity_score(ctx, answers).select("member_id", "score")
    names = member_names(ctx.backend)
    joined = levels.left_join(scores, "member_id").left_join(names, "member_id")
    return joined.select(
        *(levels[column] for column in levels.columns),
        name=joined.name,
        score=joined.score.fill_null(0.0),
    )


def _posters(ctx: MetricContext) -> Any:
    """Counted messages per member in the 30 days ending ``D``, ranked from the most prolific:
    ``member_id, messages, rank`` (0 first; ties broken by member id), ``before`` (messages of
    those ranked earlier), ``posters`` and ``total`` (of the window)."""
    rows = ctx.active_days
    rows = rows.filter(within(rows.day, window_start(ctx.day, CONCENTRATION_DAYS), ctx.day))
    posters = rows.group_by("member_id").aggregate(messages=rows.messages.sum())
    posters = posters.filter(posters.messages > 0)
    everyone = ibis.window()
    ranked = ibis.window(order_by=[ibis.desc("messages"), "member_id"])
    earlier = ibis.window(order_by=[ibis.desc("messages"), "member_id"], rows=(None, -1))
    return posters.mutate(
        rank=ibis.row_number().over(ranked),
        before=posters.messages.sum().over(earlier),
        posters=posters.member_id.count().over(everyone),
        total=posters.messages.sum().over(everyone),
    )


def top10_share(ctx: MetricContext) -> Any:
    """``top10_share``: share of the counted messages of the 30 days ending ``D`` written by the
    top 10 % of posters (rounded up: one of 1–10 posters, two of 11–20…); null without messages."""
    ranked = _posters(ctx)
    top = ranked.filter(ranked.rank < (ranked.posters + 9) // 10)
    return ratio(top.messages.sum().fill_null(0), ranked.messages.sum())


def absence_factor(ctx: MetricContext) -> Any:
    """``absence_factor``: the smallest number of members who together wrote at least 50 % of the
    counted messages of the 30 days ending ``D``; null without messages.

    Taking the most prolific first is smallest: a member counts while those ranked before
    them wrote less than half.
    """
    ranked = _posters(ctx)
    needed = ranked.filter(ranked.before.fill_null(0) * 2 < ranked.total)
    return needed.count().nullif(0)


def slipping(ctx: MetricContext) -> Any:
    """``slipping``: members whose counted activity in the 30 days ending ``D`` fell below a third
    of their mean per 30 days over the 90 days before, having been ``active`` or ``core`` then.

    "Then" is ``D-30``: the member's level as of that day. Members still in the community at
    the end of ``D``. Columns: ``member_id, level_then, recent, before, mean_before`` (counted
    activity in ``(D-30, D]``, in ``(D-120, D-30]``, and that divided by 3).
    """
    day = ctx.day
    then_day = day - timedelta(days=LEVEL_WINDOW_DAYS)
    then = dataclasses.replace(ctx, as_of=then_day)
    was = member_levels(then)
    was = was.filter(was.level.isin(["active", "core"])).select("member_id", level_then="level")
    rows = ctx.active_days
    since = window_start(then_day, SLIPPING_BEFORE_DAYS)
    rows = rows.filter(within(rows.day, since, day))
    counts = rows.group_by("member_id").aggregate(
        recent=rows.counted.sum(where=rows.day > as_day(then_day)),
        before=rows.counted.sum(where=rows.day <= as_day(then_day)),
    )
    found = was.join(members_in_at(ctx, day), "member_id").left_join(counts, "member_id")
    found = found.select(
        member_id=found.member_id,
        level_then=found.level_then,
        recent=found.recent.fill_null(0),
        before=found.before.fill_null(0),
    )
    months_before = SLIPPING_BEFORE_DAYS // LEVEL_WINDOW_DAYS
    found = found.mutate(mean_before=found.before.cast("float64") / months_before)
    return found.filter(found.recent * (3 * months_before) < found.before)


#: This module's catalog entries (built on first use, see ``__getattr__`` below).
ENTRIES: list[Any]


@cache
def _entries() -> list[Any]:
    from shequn.metrics.prune import prune_candidates, prune_rows
    from shequn.metrics.registry import Metric, anchor

    link = anchor("Members")
    return [
        Metric(
            "activity_score",
            "table",
            "per member: decayed weighted count of messages, replies, answers and check-ins",
            link,
            activity_score,
            ("HALF_LIFE", *SCORE_WEIGHTS.values()),
            front_page=False,
        ),
        Metric(
            "member_levels",
            "table",
            "members in at the end of D: newcomer, core, active, casual or dormant, with the facts",
            link,
            catalog_levels,
            ("NEWCOMER_DAYS", "CORE_DAYS", "PRUNE_DAYS", "STRONG_TIE_DAYS"),
            convert=level_table_rows,
            front_page=False,
            arrow=True,
        ),
        Metric(
            "top10_share",
            "share",
            "share of the counted messages of the 30 days ending D by the top 10 % of posters",
            link,
            top10_share,
        ),
        Metric(
            "absence_factor",
            "count",
            "fewest members who wrote half the counted messages of the 30 days ending D",
            link,
            absence_factor,
        ),
        Metric(
            "slipping",
            "table",
            "members active or core 30 days ago whose activity fell below a third of their mean",
            link,
            slipping,
            front_page=False,
        ),
        Metric(
            "prune_candidates",
            "table",
            "dormant members that may be pruned (not staff, bot, protected, paying or checked in)",
            link,
            prune_candidates,
            ("PRUNE_DAYS", "PRUNE_PROTECT_PAID_DAYS"),
            convert=prune_rows,
            front_page=False,
        ),
    ]


__getattr__ = lazy_entries(__name__, _entries)

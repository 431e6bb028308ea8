"""Questions and answers (``docs/metrics.md#questions-and-answers``): who asks, who answers, how fast.

A question is a row of the derived ``questions`` table (the detector's marked messages, see
:mod:`shequn.metrics._qa_tables`) whose author is not flagged bot: a bot's prompt is no
community question, and counted messages are those of members who are not bots.

Its answer is the first message, by another member who is not a bot, that ``reply_links``
links to it: by the carrier (rule ``explicit``), by a thread (``thread``), or by the reply
heuristic (any other rule, for carriers without links) when it came within
``ANSWER_WINDOW_HOURS``. Every answer row says which rule linked it. Staff answers do
answer (the asker got help); staff are left out of ``top_helpers`` only, since member-level
lists leave staff out.

Only what happened by the end of ``D`` counts: an answer written after ``D`` leaves its
question open as of ``D``. Rates and helpers cover :data:`QA_WINDOW_DAYS`, the 30 days ending
``D`` (questions asked, or answers given, on those local days); the open queue holds every
unanswered question up to ``D``, oldest first.
"""

from __future__ import annotations

import warnings
import weakref
from datetime import datetime, time, timedelta
from functools import cache
from typing import Any, Final
from zoneinfo import ZoneInfo

import ibis

from shequn.metrics._interactions import authored
from shequn.metrics._lazy import lazy_entries
from shequn.metrics._localtime import local_day
from shequn.metrics._qa_tables import QUESTIONS, QUESTIONS_SCHEMA, REPLY_LINKS, QaTables, ensure_qa_tables
from shequn.metrics._who import member_names
from shequn.metrics.activity import as_day, ratio, window_start, within
from shequn.metrics.context import MetricContext

__all__ = [
    "CARRIER_RULES",
    "ENTRIES",
    "QA_WINDOW_DAYS",
    "QaUnavailable",
    "answer_ids",
    "answer_rate",
    "answers",
    "qa_tables",
    "questions",
    "time_to_first_response",
    "top_helpers",
    "unanswered",
    "window",
]

#: ``answer_rate``, ``time_to_first_response`` and ``top_helpers`` cover the 30 days ending ``D``.
QA_WINDOW_DAYS: Final = 30
#: Rules of links the carrier made: they answer whenever they came, not only within ``ANSWER_WINDOW``.
CARRIER_RULES: Final = ("explicit", "thread")


class QaUnavailable(UserWarning):
    """The log lacks the Q&A tables and cannot be written: results are empty."""


#: What :func:`qa_tables` found per context: a metric asks several times, the log is checked once.
_checked: weakref.WeakKeyDictionary[MetricContext, QaTables] = weakref.WeakKeyDictionary()


def qa_tables(ctx: MetricContext) -> QaTables:
    """Make the context's ``questions`` and ``reply_links`` current (once per context); on a
    read-only log that lacks them, warn (:class:`QaUnavailable`) with the reason."""
    found = _checked.get(ctx)
    if found is None:
        found = _checked[ctx] = ensure_qa_tables(ctx.backend, ctx.community_id)
        if found.problem is not None:
            warnings.warn(found.problem, QaUnavailable, stacklevel=3)
    return found


def window(ctx: MetricContext) -> tuple[Any, Any]:
    """The first and last local day of the Q&A window: the 30 days ending ``D``."""
    return window_start(ctx.day, QA_WINDOW_DAYS), ctx.day


def _mine(ctx: MetricContext, table: Any) -> Any:
    table = table.filter(table.community_id == ctx.community_id)
    if ctx.group_ids is not None:
        table = table.filter(table.group_id.isin(list(ctx.group_ids)))
    return table


def _bots(ctx: MetricContext) -> Any:
    flags = ctx.flags
    return flags.filter(flags.bot).select(_bot="member_id")


def questions(ctx: MetricContext) -> Any:
    """Questions up to the end of ``D`` by members not flagged bot: the ``questions`` rows with the
    local ``day`` they were asked. Empty when the tables cannot be built (read-only log)."""
    if not qa_tables(ctx).readable:
        return ibis.memtable(QUESTIONS_SCHEMA.empty_table()).mutate(day=ibis.null("date"))
    rows = _mine(ctx, ctx.backend.table(QUESTIONS))
    bots = _bots(ctx)
    rows = rows.anti_join(bots, rows.member_id == bots._bot)
    rows = rows.mutate(day=local_day(rows.ts, ctx.steps))
    return rows.filter(rows.day <= as_day(ctx.day))


def _links(ctx: MetricContext) -> Any:
    if not qa_tables(ctx).readable:
        return ibis.memtable(
            {"event_id": [], "reply_to_event_id": [], "rule": [], "confidence": []},
            schema={"event_id": "string", "reply_to_event_id": "string", "rule": "string", "confidence": "float64"},
        )
    links = _mine(ctx, ctx.backend.table(REPLY_LINKS))
    return links.select("event_id", "reply_to_event_id", "rule", "confidence")


def answers(ctx: MetricContext) -> Any:
    """The first answer of each answered question, by the end of ``D``.

    Columns: ``question_id, group_id, asker, asked_at, asked_day, answer_id, answerer,
    answered_at, answered_day, rule, confidence, hours`` (``answered_at - asked_at`` in hours).
    """
    asked = questions(ctx).select(
        question_id="event_id", group_id="group_id", asker="member_id", asked_at="ts", asked_day="day"
    )
    links = _links(ctx).rename(answer_id="event_id", question_id="reply_to_event_id")
    replies = authored(ctx, "message")
    bots = _bots(ctx)
    replies = replies.anti_join(bots, replies.member_id == bots._bot)
    replies = replies.select(
        reply_id="event_id", answerer="member_id", answered_at="ts", answered_day="day", reply_seq="seq"
    )
    found = asked.join(links, "question_id").join(replies, ibis._.answer_id == replies.reply_id)
    window_hours = float(ctx.param("ANSWER_WINDOW_HOURS"))
    seconds = found.answered_at.epoch_seconds() - found.asked_at.epoch_seconds()
    found = found.mutate(hours=seconds.cast("float64") / 3600.0)
    found = found.filter(
        (found.answerer != found.asker)
        & (found.answered_at >= found.asked_at)
        & (found.rule.isin(list(CARRIER_RULES)) | (found.hours <= window_hours))
    )
    first = ibis.window(group_by="question_id", order_by=["answered_at", "reply_seq", "answer_id"])
    found = found.mutate(rank=ibis.row_number().over(first))
    found = found.filter(found.rank == 0)
    return found.select(
        "question_id",
        "group_id",
        "asker",
        "asked_at",
        "asked_day",
        "answer_id",
        "answerer",
        "answered_at",
        "answered_day",
        "rule",
        "confidence",
        "hours",
    )


def answer_ids(ctx: MetricContext) -> Any:
    """``event_id`` of every first answer up to ``D``: what the activity score weighs ``WEIGHT_ANSWER``."""
    return answers(ctx).select(event_id="answer_id")


def _asked_in_window(ctx: MetricContext) -> Any:
    rows = questions(ctx)
    first, last = window(ctx)
    return rows.filter(within(rows.day, first, last))


def time_to_first_response(ctx: MetricContext) -> Any:
    """``time_to_first_response``: median and p90 hours from a question to its first answer, over
    the questions asked in the 30 days ending ``D`` that were answered by the end of ``D``.

    One row: ``answered, median_hours, p90_hours`` (hours null without answered questions) and
    ``by_link, by_inference`` (answers linked by the carrier or a thread, and by the heuristic).
    Quantiles are continuous (interpolated between the two nearest answers).
    """
    first, last = window(ctx)
    found = answers(ctx)
    found = found.filter(within(found.asked_day, first, last))
    by_link = found.rule.isin(list(CARRIER_RULES))
    return found.aggregate(
        answered=found.count(),
        median_hours=found.hours.quantile(0.5),
        p90_hours=found.hours.quantile(0.9),
        by_link=by_link.sum().fill_null(0),
        by_inference=(~by_link).sum().fill_null(0),
    )


def answer_rate(ctx: MetricContext) -> Any:
    """``answer_rate``: of the questions asked in the 30 days ending ``D``, the share answered within
    ``ANSWER_DEADLINE_HOURS`` (unanswered questions stay in the denominator); null without
    questions."""
    asked = _asked_in_window(ctx)
    deadline = float(ctx.param("ANSWER_DEADLINE_HOURS"))
    found = answers(ctx)
    in_time = found.filter(found.hours <= deadline).select("question_id")
    answered = asked.semi_join(in_time, asked.event_id == in_time.question_id)
    return ratio(answered.count(), asked.count())


def _end_of_day_epoch(ctx: MetricContext) -> int:
    """Epoch seconds of the end of ``D`` in the community's zone (the moment ages are measured to)."""
    end = datetime.combine(ctx.day + timedelta(days=1), time(), ZoneInfo(ctx.tz))
    return int(end.timestamp())


def unanswered(ctx: MetricContext) -> Any:
    """``unanswered``: the open queue as of ``D``, oldest first: every question up to ``D`` without an
    answer by the end of ``D``.

    Columns: ``event_id, group_id, group, member_id, author, ts, age_hours`` (to the end of
    ``D``), ``score`` and ``text``.
    """
    asked = questions(ctx)
    found = answers(ctx).select("question_id")
    open_ = asked.anti_join(found, asked.event_id == found.question_id)
    events = ctx.events("message").select(text_id="event_id", text="text")
    groups = ctx.backend.table("groups").select(group_ref="group_id", group_name="name", native_id="native_id")
    names = member_names(ctx.backend).rename(author_id="member_id")
    rows = open_.join(events, open_.event_id == events.text_id)
    rows = rows.join(groups, ibis._.group_id == groups.group_ref)
    rows = rows.left_join(names, ibis._.member_id == names.author_id)
    age = ibis.literal(_end_of_day_epoch(ctx), "int64") - rows.ts.epoch_seconds()
    return rows.select(
        event_id=rows.event_id,
        group_id=rows.group_id,
        group=rows.group_name.fill_null(rows.native_id),
        member_id=rows.member_id,
        author=rows.name,
        ts=rows.ts,
        age_hours=age.cast("float64") / 3600.0,
        score=rows.score,
        text=rows.text,
    ).order_by(["ts", "event_id"])


def top_helpers(ctx: MetricContext) -> Any:
    """``top_helpers``: members by first answers given in the 30 days ending ``D``, most first.

    Members flagged staff are left out (the catalog keeps staff out of member lists). Columns:
    ``member_id, name, answers, by_link, by_inference`` (answers linked by the carrier or a
    thread, and by the heuristic).
    """
    first, last = window(ctx)
    found = answers(ctx)
    found = found.filter(within(found.answered_day, first, last))
    flags = ctx.flags
    staff = flags.filter(flags.staff).select(_staff="member_id")
    found = found.anti_join(staff, found.answerer == staff._staff)
    by_link = found.rule.isin(list(CARRIER_RULES))
    helpers = found.group_by(member_id=found.answerer).aggregate(
        answers=found.count(),
        by_link=by_link.sum(),
        by_inference=(~by_link).sum(),
    )
    names = member_names(ctx.backend)
    helpers = helpers.left_join(names, "member_id")
    return helpers.select(
        member_id=helpers.member_id,
        name=helpers.name,
        answers=helpers.answers,
        by_link=helpers.by_link,
        by_inference=helpers.by_inference,
    ).order_by([ibis.desc("answers"), "member_id"])


#: This module's catalog entries (built on first use, see ``__getattr__`` below).
ENTRIES: list[Any]


@cache
def _entries() -> list[Any]:
    from shequn.metrics.registry import Metric, anchor

    link = anchor("Questions and answers")
    return [
        Metric(
            "time_to_first_response",
            "table",
            "median and p90 hours to a question's first answer, questions of the 30 days ending D",
            link,
            time_to_first_response,
            ("ANSWER_WINDOW_HOURS",),
            front_page=False,
        ),
        Metric(
            "answer_rate",
            "share",
            "of the questions of the 30 days ending D, the share answered within ANSWER_DEADLINE_HOURS",
            link,
            answer_rate,
            ("ANSWER_DEADLINE_HOURS", "ANSWER_WINDOW_HOURS"),
            # Not on the front page: the first Q&A run infers reply links, too slow for every view.
            front_page=False,
        ),
        Metric(
            "unanswered",
            "table",
            "the open queue: questions up to D with no answer by the end of D, oldest first",
            link,
            unanswered,
            ("ANSWER_WINDOW_HOURS",),
            front_page=False,
        ),
        Metric(
            "top_helpers",
            "table",
            "members by first answers given in the 30 days ending D",
            link,
            top_helpers,
            ("ANSWER_WINDOW_HOURS",),
            front_page=False,
        ),
    ]


__getattr__ = lazy_entries(__name__, _entries)

"""``shequn qa``: questions and answers of a community — response time, answer rate, open queue, helpers.

Wired into the main command by :func:`register`. The log is opened writable so that the
``questions`` and ``reply_links`` tables are built once when missing or stale, then kept.
Errors follow ``shequn.cli``: a :class:`~shequn.errors.ShequnError` prints as one line on
stderr and exits 1.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import orjson
import typer
from rich.table import Table

from shequn.cli_common import (
    AsOfOption,
    CommunityOption,
    DbOption,
    GroupsOption,
    JsonOption,
    community_name,
    err,
    errors,
    open_log,
    out,
    parse_day,
)
from shequn.metrics import context_for, qa
from shequn.metrics._qa_tables import ensure_qa_tables
from shequn.metrics.context import MetricContext

__all__ = ["EXCERPT", "qa_command", "qa_report", "register", "unanswered_rows"]

#: Characters of a question's text shown in the open queue.
EXCERPT = 80
_SPACES = re.compile(r"\s+")


def _excerpt(text: str | None) -> str:
    flat = _SPACES.sub(" ", text or "").strip()
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1] + "…"


def _local(ts: datetime, zone: ZoneInfo) -> str:
    return ts.replace(tzinfo=UTC).astimezone(zone).isoformat()


def _rows(ctx: MetricContext, expr: Any) -> list[dict[str, Any]]:
    return ctx.backend.to_pyarrow(expr).to_pylist()


def unanswered_rows(ctx: MetricContext) -> list[dict[str, Any]]:
    """The open queue as ``shequn qa --unanswered`` shows it: group, local time, author, excerpt, age."""
    zone = ZoneInfo(ctx.tz)
    return [
        {
            "group": row["group"],
            "time": _local(row["ts"], zone),
            "author": row["author"],
            "member_id": row["member_id"],
            "text": _excerpt(row["text"]),
            "age_hours": round(row["age_hours"], 1),
            "event_id": row["event_id"],
        }
        for row in _rows(ctx, qa.unanswered(ctx))
    ]


def qa_report(ctx: MetricContext, helpers: int = 10) -> dict[str, Any]:
    """The four Q&A metrics as plain values, with the window they cover."""
    first, last = qa.window(ctx)
    response = _rows(ctx, qa.time_to_first_response(ctx))[0]
    rate = ctx.backend.to_pyarrow(qa.answer_rate(ctx)).as_py()
    asked = ctx.backend.to_pyarrow(qa.questions(ctx).count()).as_py()
    open_count = ctx.backend.to_pyarrow(qa.unanswered(ctx).count()).as_py()
    return {
        "as_of": ctx.day.isoformat(),
        "window": {"first": first.isoformat(), "last": last.isoformat(), "days": qa.QA_WINDOW_DAYS},
        "answer_window_hours": float(ctx.param("ANSWER_WINDOW_HOURS")),
        "answer_deadline_hours": float(ctx.param("ANSWER_DEADLINE_HOURS")),
        "questions_up_to_d": asked,
        "time_to_first_response": response,
        "answer_rate": None if rate is None or rate != rate else rate,
        "unanswered": open_count,
        "top_helpers": _rows(ctx, qa.top_helpers(ctx).limit(helpers)),
    }


def _hours(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f} h"


def _print_report(title: str, report: dict[str, Any]) -> None:
    window = report["window"]
    response = report["time_to_first_response"]
    rate = report["answer_rate"]
    table = Table(title=f"{title} — questions of {window['first']} … {window['last']}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_row("answer_rate", "-" if rate is None else f"{rate:.1%}")
    table.add_row("time_to_first_response (median)", _hours(response["median_hours"]))
    table.add_row("time_to_first_response (p90)", _hours(response["p90_hours"]))
    table.add_row("answered (by link / by inference)", f"{response['by_link']:,} / {response['by_inference']:,}")
    table.add_row("unanswered (open, up to D)", f"{report['unanswered']:,}")
    out.print(table)
    helpers = Table(title="top_helpers")
    for column in ("member", "answers", "by link", "by inference"):
        helpers.add_column(column, justify="left" if column == "member" else "right")
    for row in report["top_helpers"]:
        helpers.add_row(str(row["name"]), str(row["answers"]), str(row["by_link"]), str(row["by_inference"]))
    out.print(helpers)


def _print_queue(title: str, rows: list[dict[str, Any]]) -> None:
    table = Table(title=f"{title} — unanswered questions, oldest first ({len(rows):,})")
    for column in ("group", "time", "author", "question", "age"):
        table.add_column(column, justify="right" if column == "age" else "left")
    for row in rows:
        table.add_row(row["group"], row["time"][:16], str(row["author"]), row["text"], f"{row['age_hours']:,.0f} h")
    out.print(table)


def qa_command(
    unanswered: Annotated[bool, typer.Option("--unanswered", help="List the open questions instead.")] = False,
    group: GroupsOption = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
    community: CommunityOption = None,
    db: DbOption = None,
) -> None:
    """Questions and answers: answer rate, time to first response, open questions, top helpers."""
    with errors():
        day = parse_day(as_of)
        with open_log(db, None) as log:
            name = community_name(log, community)
            ctx = context_for(log, name, as_of=day, groups=group)
            state = ensure_qa_tables(log, ctx.community_id)
            if state.problem is not None:
                err.print(f"[yellow]note:[/yellow] {state.problem}", highlight=False, soft_wrap=True)
            payload: Any = unanswered_rows(ctx) if unanswered else qa_report(ctx)
            shown_day = ctx.day
    where = f" ({', '.join(group)})" if group else ""
    title = f"{name}{where} as of {shown_day.isoformat()}"
    if as_json:
        body = {"as_of": shown_day.isoformat(), "unanswered": payload} if unanswered else payload
        out.print_json(orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS).decode())
    elif unanswered:
        _print_queue(title, payload)
    else:
        _print_report(title, payload)


def register(app: typer.Typer) -> None:
    """Add ``qa`` to the ``shequn`` command."""
    app.command("qa")(qa_command)

"""The report in the terminal: Rich tables, sparklines and bars that fit 80 columns.

Colour says whether a change is good news (green) or bad (red); the arrows and signs say
the same without colour, so the report reads alike when piped or printed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from shequn.report._format import arrow, change_text, percent, unit_of, value_text
from shequn.report.data import Report
from shequn.report.i18n import Words
from shequn.report.readings import readings

__all__ = ["SPARK_DAYS", "WIDTH", "render_terminal", "sparkline", "terminal_text"]

#: The width the report is laid out for.
WIDTH = 80
#: Days of the daily sparklines (the HTML chart has the whole history window).
SPARK_DAYS = 42
_TICKS = "▁▂▃▄▅▆▇█"
_BAR_WIDTH = 36
#: Group columns left to the HTML report, where there is room for them.
_NARROW_GROUPS_SKIP = frozenset({"new_members", "left_members"})


def sparkline(values: Sequence[float]) -> str:
    """One character per value, ``▁`` for the smallest and ``█`` for the largest."""
    if not values:
        return ""
    low, high = min(values), max(values)
    span = high - low
    if span == 0:
        return _TICKS[0] * len(values)
    return "".join(_TICKS[round((value - low) / span * (len(_TICKS) - 1))] for value in values)


def _style(good: bool | None) -> str:
    return "dim" if good is None else ("green" if good else "red")


def _heading(text: str) -> Text:
    return Text(f"\n{text}", style="bold")


def _reading(notes: dict[str, str], key: str) -> list[RenderableType]:
    return [Text(notes[key], style="italic dim")] if key in notes else []


def _kpis(report: Report, words: Words) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, expand=False)
    table.add_column(words["metric"])
    table.add_column(words.period(report.period), justify="right")
    table.add_column(words.period(report.period, before=True), justify="right")
    table.add_column(words["change"], justify="right")
    for kpi in report.kpis:
        change = Text(f"{arrow(kpi.change)} {change_text(kpi.change, kpi.unit)}".strip(), style=_style(kpi.good))
        table.add_row(
            words.metric(kpi.name), value_text(kpi.value, kpi.unit), value_text(kpi.previous, kpi.unit), change
        )
    return table


def _daily(report: Report, words: Words) -> Table:
    recent = report.daily[-SPARK_DAYS:]
    grid = Table.grid(padding=(0, 1))
    grid.add_column(min_width=14)
    grid.add_column()
    grid.add_column(justify="right")
    for key, values in (
        ("daily_active", [row.active_members for row in recent]),
        ("daily_messages", [row.messages for row in recent]),
    ):
        grid.add_row(words[key], Text(sparkline(values), style="cyan"), f"max {max(values, default=0):,}")
    if recent:
        grid.add_row("", Text(f"{recent[0].day.isoformat()} … {recent[-1].day.isoformat()}", style="dim"), "")
    return grid


def _flow(report: Report, words: Words) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(min_width=14)
    grid.add_column()
    grid.add_column(justify="right")
    news = [row.new for row in report.flow]
    lefts = [row.left for row in report.flow]
    peak = max([*news, *lefts, 1])
    for key, values, colour in (("new", news, "green"), ("left", lefts, "red")):
        scaled = [value / peak for value in values]
        line = "".join(_TICKS[round(v * (len(_TICKS) - 1))] if v else " " for v in scaled)
        grid.add_row(words[key], Text(line, style=colour), f"Σ {sum(values):,}")
    return grid


def _bars(counts: dict[str, int], words: Words) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(min_width=10)
    grid.add_column(justify="right")
    grid.add_column()
    total = sum(counts.values()) or 1
    for level, count in counts.items():
        bar = "█" * round(count / total * _BAR_WIDTH)
        grid.add_row(words.level(level), f"{count:,}", Text(f"{bar} {percent(count / total)}", style="magenta"))
    return grid


def _contributors(report: Report, words: Words) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column(words["name"], max_width=28, overflow="ellipsis", no_wrap=True)
    table.add_column(words["level"])
    table.add_column(words["messages"], justify="right")
    table.add_column(words["score"], justify="right")
    for rank, person in enumerate(report.contributors, 1):
        score = "-" if person.score is None else f"{person.score:,.1f}"
        table.add_row(str(rank), person.name, words.level(person.level), f"{person.messages:,}", score)
    return table


def _slipping(report: Report, words: Words) -> list[RenderableType]:
    parts: list[RenderableType] = [Text(words.fill("slipping_line", count=report.slipping_total))]
    if report.slipping:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        table.add_column(words["name"], max_width=28, overflow="ellipsis", no_wrap=True)
        table.add_column(words["was"])
        table.add_column(words["recent"], justify="right")
        table.add_column(words["usual"], justify="right")
        for person in report.slipping:
            table.add_row(
                person.name, words.level(person.level_then), f"{person.recent:,}", f"{person.mean_before:,.1f}"
            )
        parts.append(table)
    return parts


def _ties(report: Report, words: Words) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column(words["pair"], max_width=44, overflow="ellipsis", no_wrap=True)
    table.add_column(words["weight"], justify="right")
    table.add_column(words["interactions"], justify="right")
    table.add_column(words["strong"])
    for tie in report.ties:
        table.add_row(
            f"{tie.a_name} — {tie.b_name}", f"{tie.weight:,.1f}", f"{tie.interactions:,}", "✓" if tie.strong else ""
        )
    return table


def _groups(report: Report, words: Words) -> list[RenderableType]:
    if not report.group_rows:
        return [Text(words["none"], style="dim")]
    names = [name for name in report.group_rows[0].values if name not in _NARROW_GROUPS_SKIP]
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column(words["group"], max_width=20, overflow="ellipsis", no_wrap=True)
    table.add_column(words["period_messages"], justify="right")
    for name in names:
        table.add_column(words.short(name), justify="right")
    if report.ad_rate_known:
        table.add_column(words["ad_rate"], justify="right")
    for row in report.group_rows:
        cells = [value_text(row.values[name], unit_of(name)) for name in names]
        if report.ad_rate_known:
            cells.append(value_text(row.ad_rate, "share"))
        table.add_row(row.name, f"{row.messages:,}", *cells)
    parts: list[RenderableType] = [table]
    if report.groups_total > len(report.group_rows):
        parts.append(Text(words.fill("more_groups", shown=len(report.group_rows), total=report.groups_total)))
    return parts


def render_terminal(report: Report, words: Words) -> Group:
    """The whole report as one Rich renderable."""
    notes = readings(report, words)
    title = words.fill(
        "title",
        community=report.community,
        period_name=words[f"period_{report.period}"],
        as_of=report.as_of.isoformat(),
    )
    subtitle = words.fill(
        "subtitle",
        previous=report.previous_as_of.isoformat(),
        start=report.history_start.isoformat(),
        as_of=report.as_of.isoformat(),
        zone=report.timezone,
    )
    parts: list[RenderableType] = [Text(title, style="bold"), Text(subtitle, style="dim")]
    if report.groups:
        parts.append(Text(words.fill("groups_filter", groups=", ".join(report.groups)), style="dim"))
    parts += [_heading(words["kpis"]), _kpis(report, words), *_reading(notes, "kpis")]
    parts += [_heading(words["daily"]), _daily(report, words), *_reading(notes, "daily")]
    parts += [_heading(words["flow"]), _flow(report, words), *_reading(notes, "flow")]
    if report.levels:
        now = report.levels[-1]
        parts += [_heading(words.fill("levels_now", as_of=now.day.isoformat())), _bars(now.counts, words)]
        parts += _reading(notes, "levels")
    parts += [_heading(words.fill("contributors", period=words.period(report.period)))]
    parts += [_contributors(report, words), *_reading(notes, "contributors")]
    parts += [_heading(words["slipping"]), *_slipping(report, words)]
    parts += [_heading(words.fill("prune", count=f"{report.prune_candidates:,}"))]
    parts += [_heading(words["ties"]), _ties(report, words), *_reading(notes, "network")]
    parts += [_heading(words.fill("groups", period=words.period(report.period, prose=True)))]
    parts += _groups(report, words)
    parts += _reading(notes, "groups")
    return Group(*parts)


def terminal_text(report: Report, words: Words, *, width: int = WIDTH) -> str:
    """The terminal report as plain text (no colour), ``width`` columns wide."""
    console = Console(width=width, record=True, color_system=None, force_terminal=False, file=io.StringIO())
    console.print(render_terminal(report, words))
    return console.export_text()

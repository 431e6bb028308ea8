"""The report as one self-contained HTML file: its charts, tables and readings.

The file needs nothing but itself: Plotly's own ``plotly.min.js`` (shipped inside the
``plotly`` Python package) is inlined once in the page head, the figures travel as one JSON
block, styles are inline, and fonts come from the system (a CJK-capable stack, see
:data:`~shequn.report.charts.FONT_STACK`). It holds no generation time: the same report
gives the same bytes.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

import orjson

from shequn import __version__
from shequn.errors import ConfigError
from shequn.report._format import arrow, change_text, percent, unit_of, value_text
from shequn.report.data import Report
from shequn.report.i18n import Words
from shequn.report.readings import readings

__all__ = ["HTML_LANG", "plotly_js", "render_html"]

#: The page's ``lang`` attribute per report language (it picks the CJK glyph variants).
HTML_LANG = {"en": "en", "zh": "zh-CN"}


def _need(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ConfigError(f"the HTML report needs {module}, which is not installed: pip install {module}") from None


@cache
def plotly_js() -> str:
    """The text of the ``plotly.min.js`` that the installed ``plotly`` package ships."""
    _need("plotly")
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


@cache
def _template() -> Any:
    jinja2 = _need("jinja2")
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("shequn.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env.get_template("report.html.j2")


def _script_json(value: Any) -> str:
    """JSON safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` that HTML would read."""
    text = orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY).decode()
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _tone(good: bool | None, change: float | None) -> str:
    if change is None or good is None:
        return "same"
    return "good" if good else "bad"


def _kpi_rows(report: Report, words: Words) -> list[dict[str, str]]:
    return [
        {
            "name": kpi.name,
            "label": words.metric(kpi.name),
            "value": value_text(kpi.value, kpi.unit),
            "previous": value_text(kpi.previous, kpi.unit),
            "change": f"{arrow(kpi.change)} {change_text(kpi.change, kpi.unit)}".strip(),
            "tone": _tone(kpi.good, kpi.change),
        }
        for kpi in report.kpis
    ]


def _group_rows(report: Report) -> tuple[list[str], list[dict[str, Any]]]:
    columns = list(report.group_rows[0].values) if report.group_rows else []
    rows = [
        {
            "name": row.name,
            "carrier": row.carrier,
            "purpose": row.purpose or "",
            "messages": f"{row.messages:,}",
            "cells": [value_text(row.values[name], unit_of(name)) for name in columns],
            "ad_rate": value_text(row.ad_rate, "share"),
        }
        for row in report.group_rows
    ]
    return columns, rows


def _concentration(report: Report, words: Words) -> str | None:
    top10, absence = report.kpi("top10_share"), report.kpi("absence_factor")
    if top10 is None or absence is None or top10.value is None or absence.value is None:
        return None
    return words.fill("concentration", top10=percent(top10.value), absence=absence.value)


def render_html(report: Report, words: Words) -> str:
    """The whole report as one HTML page."""
    script = plotly_js()  # first: says what to install when plotly is missing
    from shequn.report.charts import CHARTS, FONT_STACK, figures

    columns, group_rows = _group_rows(report)
    period_prose = words.period(report.period, prose=True)
    return _template().render(
        w=words,
        html_lang=HTML_LANG[words.lang],
        version=__version__,
        font_stack=FONT_STACK,
        plotly_js=script,
        title=words.fill(
            "title",
            community=report.community,
            period_name=words[f"period_{report.period}"],
            as_of=report.as_of.isoformat(),
        ),
        subtitle=words.fill(
            "subtitle",
            previous=report.previous_as_of.isoformat(),
            start=report.history_start.isoformat(),
            as_of=report.as_of.isoformat(),
            zone=report.timezone,
        ),
        groups_filter=words.fill("groups_filter", groups=", ".join(report.groups)) if report.groups else "",
        period_now=words.period(report.period),
        period_before=words.period(report.period, before=True),
        kpis=_kpi_rows(report, words),
        readings=readings(report, words),
        charts=list(CHARTS),
        concentration=_concentration(report, words),
        groups_title=words.fill("groups", period=period_prose),
        group_columns=columns,
        group_labels=[words.short(name) for name in columns],
        group_rows=group_rows,
        ad_rate_known=report.ad_rate_known,
        more_groups=(
            words.fill("more_groups", shown=len(report.group_rows), total=report.groups_total)
            if report.groups_total > len(report.group_rows)
            else ""
        ),
        slipping_line=words.fill("slipping_line", count=report.slipping_total),
        slipping=[
            {
                "name": person.name,
                "level": words.level(person.level_then),
                "recent": f"{person.recent:,}",
                "usual": f"{person.mean_before:,.1f}",
            }
            for person in report.slipping
        ],
        prune_line=words.fill("prune", count=f"{report.prune_candidates:,}"),
        ties=[
            {
                "pair": f"{tie.a_name} — {tie.b_name}",
                "weight": f"{tie.weight:,.1f}",
                "interactions": f"{tie.interactions:,}",
                "strong": "✓" if tie.strong else "",
            }
            for tie in report.ties
        ],
        footer=words.fill("footer", version=__version__),
        figures_json=_script_json(figures(report, words)),
    )

"""The operator's report: the front page, its changes and its charts, for the terminal,
as JSON, as one self-contained HTML file, or as PDF (see ``docs/report.md``).

Typical use::

    from shequn.report import build_report, render_html, words
    report = build_report(store, "demo", period="week")      # as of the last active day
    html = render_html(report, words("zh"))

The report is data first (:class:`Report`); every rendering reads the same data, and none
of them depends on the wall clock, so the same log and day give the same report.
"""

from __future__ import annotations

from typing import Any

import orjson

from shequn.report.collect import build_report
from shequn.report.data import PERIODS, Report
from shequn.report.html import render_html
from shequn.report.i18n import LANGS, Words, words
from shequn.report.pdf import print_pdf
from shequn.report.readings import readings
from shequn.report.terminal import render_terminal, terminal_text

__all__ = [
    "LANGS",
    "PERIODS",
    "Report",
    "Words",
    "build_report",
    "print_pdf",
    "readings",
    "render_html",
    "render_terminal",
    "report_data",
    "report_json",
    "terminal_text",
    "words",
]


def report_data(report: Report, language: Words) -> dict[str, Any]:
    """What ``shequn report --json`` prints: the report's data and its readings in ``language``."""
    return {**report.to_dict(), "lang": language.lang, "readings": readings(report, language)}


def report_json(report: Report, language: Words) -> bytes:
    """:func:`report_data` as indented JSON, keys in a fixed order, ending with a newline."""
    return orjson.dumps(report_data(report, language), option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS) + b"\n"

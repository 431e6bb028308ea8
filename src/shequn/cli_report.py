"""``shequn report``: the operator's report in the terminal, as JSON, HTML or PDF.

Wired into the main command by :func:`register`. Options mean what they mean for ``shequn
metrics`` (:mod:`shequn.cli_common`); a :class:`~shequn.errors.ShequnError` prints as one
line on stderr and exits 1.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from shequn.cli_common import (
    AsOfOption,
    CommunityOption,
    GroupsOption,
    SettingsOption,
    community_name,
    errors,
    open_log,
    out,
    parse_day,
    parse_overrides,
)
from shequn.errors import ConfigError
from shequn.report import PERIODS, build_report, print_pdf, render_html, render_terminal, report_json, words
from shequn.report.pdf import printer

__all__ = ["register", "report"]


def report(
    as_of: AsOfOption = None,
    period: Annotated[str, typer.Option("--period", help="week or month: compare D with D-7 or D-30.")] = "week",
    group: GroupsOption = None,
    community: CommunityOption = None,
    settings: SettingsOption = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the report's own words: en or zh.")] = "en",
    as_json: Annotated[bool, typer.Option("--json", help="Print the report's content as JSON.")] = False,
    html: Annotated[
        Path | None, typer.Option("--html", help="Write the report as one self-contained HTML file.")
    ] = None,
    pdf: Annotated[
        Path | None, typer.Option("--pdf", help="Print the HTML report to PDF with a headless Chromium.")
    ] = None,
    db: Annotated[
        str | None,
        typer.Option("--db", envvar="SHEQUN_DB", help="Log: a DuckDB file, a postgresql:// URL, a Parquet folder."),
    ] = None,
    engine: Annotated[
        str | None, typer.Option("--engine", help="duckdb, postgres or spark (default: what --db names).")
    ] = None,
) -> None:
    """The operator's report: front-page KPIs against the previous period, activity, members, ties, groups."""
    with errors():
        if period not in PERIODS:
            raise ConfigError(f"--period {period!r}: use one of {', '.join(PERIODS)}")
        language = words(lang)  # an unknown language raises ConfigError naming the choices
        if pdf is not None:
            printer()  # no browser: say so before the report is built
        day = parse_day(as_of)
        overrides = parse_overrides(settings)
        with open_log(db, engine) as log:
            name = community_name(log, community)
            built = build_report(log, name, as_of=day, period=period, groups=group, overrides=overrides or None)
        if as_json:
            sys.stdout.buffer.write(report_json(built, language))
            sys.stdout.flush()
        if html is not None or pdf is not None:
            page = render_html(built, language)
            if html is not None:
                html.write_text(page, encoding="utf-8")
                out.print(f"wrote {html}", highlight=False)
            if pdf is not None:
                _write_pdf(page, html, pdf)
                out.print(f"wrote {pdf}", highlight=False)
        if not (as_json or html or pdf):
            out.print(render_terminal(built, language))


def _write_pdf(page: str, html: Path | None, pdf: Path) -> None:
    """Print ``page`` to ``pdf``, from the ``--html`` file when there is one, else a temporary copy."""
    if html is not None:
        print_pdf(html, pdf)
        return
    with tempfile.TemporaryDirectory(prefix="shequn-report-") as folder:
        source = Path(folder) / "report.html"
        source.write_text(page, encoding="utf-8")
        print_pdf(source, pdf)


def register(app: typer.Typer) -> None:
    """Add ``report`` to the ``shequn`` command."""
    app.command("report")(report)

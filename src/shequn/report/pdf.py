"""The report as PDF (or a PNG picture): the HTML report printed by a headless Chromium.

Playwright drives the browser that is installed on the machine (it never downloads one):
``SHEQUN_CHROMIUM`` if set, else the first of :data:`BROWSERS` on the ``PATH``. The page is
printed only once every chart has been drawn, and a page that logs an error or asks for
anything beyond its own file is refused, so a PDF never silently lacks a chart.
"""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from shequn.errors import ConfigError, ShequnError

__all__ = [
    "BROWSERS",
    "CHROMIUM_ARGS",
    "RenderedPage",
    "find_chromium",
    "print_pdf",
    "printer",
    "rendered_page",
    "screenshot",
]

#: Executables tried, in order, when ``SHEQUN_CHROMIUM`` is not set.
BROWSERS: Final = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "microsoft-edge")
#: A quiet headless browser: no sandbox (containers run as root), no GPU, and none of the
#: background requests (updates, sync) that a report has no business making.
CHROMIUM_ARGS: Final = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
#: Width the page is laid out at before printing: an A4 page's printable width at 96 dpi,
#: so that the charts are drawn for the paper rather than shrunk onto it.
PRINT_WIDTH: Final = 720
#: How long to wait for the charts, in milliseconds.
TIMEOUT_MS: Final = 60_000


def find_chromium() -> str | None:
    """The browser to print with: ``SHEQUN_CHROMIUM``, else the first of :data:`BROWSERS` found."""
    chosen = os.environ.get("SHEQUN_CHROMIUM")
    if chosen:
        return chosen if Path(chosen).exists() else shutil.which(chosen)
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def _playwright() -> Any:
    try:
        return importlib.import_module("playwright.sync_api")
    except ImportError:
        raise ConfigError(
            "--pdf prints the HTML report with Playwright, which is not installed: pip install 'shequn[pdf]'"
        ) from None


@dataclass
class RenderedPage:
    """A report open in the browser, its charts drawn; what it logged and asked for on the way."""

    page: Any
    drawn: bool = False
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    @property
    def outside(self) -> list[str]:
        """Requests for anything but the page's own file (there should be none)."""
        return [url for url in self.requests if not url.startswith("file:")]


def printer() -> tuple[Any, str]:
    """Playwright's API and the browser to drive, or a :class:`ConfigError` saying what to install.

    Called before a report is built, so that a missing browser is said at once.
    """
    api = _playwright()
    executable = find_chromium()
    if executable is None:
        raise ConfigError(
            f"no Chromium-based browser found (looked for {', '.join(BROWSERS)}); install one "
            "(Debian: apt-get install chromium fonts-noto-cjk) or set SHEQUN_CHROMIUM to its path"
        )
    return api, executable


@contextmanager
def rendered_page(html: Path, *, width: int = 1100, height: int = 900) -> Iterator[RenderedPage]:
    """Open the report ``html`` in headless Chromium and wait until every chart is drawn.

    Console errors, uncaught exceptions and requests are collected on the way; requests
    that leave the file are blocked, not only recorded.
    """
    api, executable = printer()
    with api.sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
        except api.Error as exc:
            raise ShequnError(f"{executable} did not start: {exc.message.splitlines()[0]}") from None
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            seen = RenderedPage(page)
            page.on("console", lambda message: seen.errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: seen.errors.append(str(error)))
            page.on("request", lambda request: seen.requests.append(request.url))
            page.route(
                "**/*",
                lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort(),
            )
            page.goto(Path(html).resolve().as_uri())
            try:
                page.wait_for_selector("body[data-rendered]", state="attached", timeout=TIMEOUT_MS)
            except api.TimeoutError:
                seen.errors.append(f"the charts were not drawn within {TIMEOUT_MS // 1000} s")
            seen.drawn = page.evaluate("document.body.dataset.rendered") == "true"
            yield seen
        finally:
            browser.close()


def _require_clean(seen: RenderedPage, html: Path) -> None:
    if not seen.drawn or seen.errors or seen.outside:
        problems = [*seen.errors, *(f"request for {url}" for url in seen.outside)] or ["charts not drawn"]
        raise ShequnError(f"{html}: the report did not render cleanly: {'; '.join(problems)}")


def print_pdf(html: Path, pdf: Path) -> None:
    """Print the HTML report ``html`` to ``pdf`` (A4), once its charts are drawn."""
    with rendered_page(html, width=PRINT_WIDTH) as seen:
        _require_clean(seen, html)
        seen.page.pdf(
            path=str(pdf),
            format="A4",
            print_background=True,
            margin={"top": "12mm", "bottom": "12mm", "left": "10mm", "right": "10mm"},
        )


def screenshot(html: Path, png: Path, *, width: int = 1000, height: int | None = None, start: str = "body") -> None:
    """A PNG of the HTML report ``html``: the whole page, or ``height`` pixels from the top of
    the element ``start`` (a CSS selector, such as ``#section-daily``)."""
    with rendered_page(html, width=width) as seen:
        _require_clean(seen, html)
        if height is None:
            seen.page.screenshot(path=str(png), full_page=True)
            return
        top = seen.page.locator(start).bounding_box()["y"]
        seen.page.screenshot(path=str(png), full_page=True, clip={"x": 0, "y": top, "width": width, "height": height})

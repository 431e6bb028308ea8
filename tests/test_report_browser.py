"""The demo's HTML report in headless Chromium: every chart drawn, no console error, no
request beyond the file; a screenshot goes to ``test-artifacts/``; PDF printing.

Needs Python ``playwright`` and a Chromium (Debian: ``apt-get install chromium
fonts-noto-cjk``). Without them the tests skip, unless ``SHEQUN_REQUIRE_BROWSER=1`` (CI),
which makes them fail.
"""

from __future__ import annotations

import importlib.util
import os
import re
import struct
from pathlib import Path

import pytest

from metrics_fixtures import QUIET
from shequn.errors import ShequnError
from shequn.report import build_report, print_pdf, readings, render_html, words
from shequn.report.charts import CHARTS
from shequn.report.data import Report
from shequn.report.pdf import find_chromium, rendered_page, screenshot
from shequn.store import Store
from test_report import DEMO, build_demo

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def _missing() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "Python playwright is not installed (pip install playwright)"
    if find_chromium() is None:
        return "no Chromium found (apt-get install chromium fonts-noto-cjk, or set SHEQUN_CHROMIUM)"
    return None


def _need_browser() -> None:
    missing = _missing()
    if missing and os.environ.get("SHEQUN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"SHEQUN_REQUIRE_BROWSER=1 but {missing}")
    if missing:
        pytest.skip(missing)


pytestmark = [QUIET, pytest.mark.usefixtures("browser")]


@pytest.fixture(scope="module")
def browser() -> None:
    _need_browser()


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    folder = tmp_path_factory.getbasetemp() / "report-demo"
    folder.mkdir(exist_ok=True)
    with Store(build_demo(folder)) as store:
        return build_report(store, DEMO)


@pytest.fixture(scope="module")
def pages(report: Report, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo's HTML report in each language, written to files."""
    folder = tmp_path_factory.mktemp("html")
    out = {}
    for lang in ("en", "zh"):
        out[lang] = folder / f"report-{lang}.html"
        out[lang].write_text(render_html(report, words(lang)), encoding="utf-8")
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_chart_is_drawn_without_errors_or_requests(report: Report, pages: dict[str, Path], lang: str) -> None:
    with rendered_page(pages[lang]) as seen:
        assert seen.drawn and seen.errors == [] and seen.outside == []
        for key in CHARTS:
            drawn = seen.page.evaluate(
                """(key) => {
                    const chart = document.getElementById("chart-" + key);
                    const box = chart.getBoundingClientRect();
                    return {svg: chart.querySelectorAll(".main-svg").length, traces: chart.data.length,
                            points: chart.querySelectorAll(".point, .js-line, .hm, image, .trace").length,
                            height: box.height,
                            title: (chart.querySelector(".gtitle") || {}).textContent || ""};
                }""",
                key,
            )
            assert drawn["svg"] and drawn["traces"] and drawn["points"], (key, drawn)
            assert drawn["height"] > 300 and drawn["title"], (key, drawn)
        assert seen.page.locator("p.reading").count() == len(readings(report, words(lang)))
        ARTIFACTS.mkdir(exist_ok=True)
        seen.page.screenshot(path=str(ARTIFACTS / f"report-demo-{lang}.png"), full_page=True)


def test_a_page_that_fails_or_reaches_out_is_caught(pages: dict[str, Path], tmp_path: Path) -> None:
    page = pages["en"].read_text(encoding="utf-8")
    broken = tmp_path / "broken.html"
    broken.write_text(page.replace("Plotly.newPlot(", "Plotly.noSuchCall("), encoding="utf-8")
    with rendered_page(broken) as seen:
        assert not seen.drawn and seen.errors
    with pytest.raises(ShequnError, match="did not render cleanly"):
        print_pdf(broken, tmp_path / "broken.pdf")
    reaching = tmp_path / "reaching.html"
    reaching.write_text(page.replace("</body>", '<img src="https://example.com/x.png"></body>'), encoding="utf-8")
    with rendered_page(reaching) as seen:
        assert seen.outside == ["https://example.com/x.png"]


def test_pdf_is_printed_once_the_charts_are_drawn(pages: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    print_pdf(pages["zh"], target)
    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page\b", data)) >= 4


def test_screenshot_of_a_part_of_the_report(pages: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "part.png"
    screenshot(pages["en"], target, width=1000, height=700, start="#section-cohorts")
    header = target.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (1000, 700)

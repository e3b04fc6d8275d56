"""The example study's report in a real headless Chromium: at a laptop
(1400 × 900), a tablet (800 × 1000) and a phone (390 × 844) width, and
printed to A4 PDF."""

from __future__ import annotations

import base64
import re
import shutil
import time
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
WIDTHS = ((1400, 900), (800, 1000), (390, 844), (360, 740))
SUMMARY_PAGES, REPORT_PAGES = 2, 25

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="Debian chromium and chromium-driver not installed (.ci/run installs them)",
)

# Per element: wider than the viewport, outside a table's own scroll box?
# (Elements folded in a closed <details> have no box and are skipped.)
OVERFLOW_JS = """
const vw = document.documentElement.clientWidth;
const wide = [];
for (const el of document.querySelectorAll('body *')) {
  const box = el.getBoundingClientRect();
  if (box.width === 0 || (el.closest('.scroll') && !el.classList.contains('scroll'))) continue;
  if (box.right > vw + 1 || box.left < -1) wide.push(el.tagName + '.' + el.className + ' ' + Math.round(box.right));
}
return {vw: vw, page: document.documentElement.scrollWidth, wide: wide};
"""
VIEWPORT_JS = """
const h = window.innerHeight;
const inView = id => { const r = document.getElementById(id).getBoundingClientRect(); return [r.top, r.bottom, h]; };
return {verdict: inView('verdict'), scorecard: inView('scorecard'),
        firstFlag: (() => { const r = document.querySelector('table.scorecard tbody tr').getBoundingClientRect();
                            return [r.top, r.bottom, h]; })()};
"""
ALT_JS = """
return Array.from(document.querySelectorAll('img, svg')).map(
  el => [el.tagName, el.getAttribute('alt') || el.getAttribute('aria-label') || '', el.complete !== false,
         el.naturalWidth === undefined ? 1 : el.naturalWidth]);
"""


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", data))


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tmp_path_factory.mktemp("chromium-profile")
    for flag in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
        f"--user-data-dir={profile}",
    ):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


# Resolves when every image of the page is decoded (the report's figures are
# several MB of inline SVG: the load event comes before they are painted).
IMAGES_DECODED_JS = """
const done = arguments[arguments.length - 1];
Promise.all(Array.from(document.images).map(img => img.decode().catch(() => null))).then(() => done(true));
"""


def show(driver, url: str, width: int, height: int) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500},
    )
    driver.get(url)
    driver.set_script_timeout(120)
    driver.execute_async_script(IMAGES_DECODED_JS)


def screenshot(driver, path: Path, attempts: int = 3) -> None:
    """Save a screenshot; on a busy machine Chromium can time out painting
    the report's many figures, so try again (the page is already loaded)."""
    from selenium.common.exceptions import TimeoutException

    for attempt in range(attempts):
        try:
            driver.save_screenshot(str(path))
            return
        except TimeoutException:
            if attempt == attempts - 1:
                raise
            time.sleep(2)


def print_pdf(driver) -> bytes:
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    pdf = driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": False})
    return base64.b64decode(pdf["data"])


def test_report_reads_at_every_width_and_prints_within_the_page_targets(example_run, browser, tmp_path):
    _, _, results = example_run
    url = (results / "report.html").as_uri()
    keep = Path(__file__).resolve().parents[1] / "results" / "test_screenshots"
    keep.mkdir(parents=True, exist_ok=True)
    for width, height in WIDTHS:
        show(browser, url, width, height)
        screenshot(browser, keep / f"report_{width}.png")
        # The first screen holds the verdict in full and the scorecard with
        # the start of its first flag (on a laptop and a tablet, all of it).
        if width >= 390:
            view = browser.execute_script(VIEWPORT_JS)
            assert view["verdict"][1] <= height, (width, view)
            assert view["scorecard"][1] < height and view["firstFlag"][0] < height - 40, (width, view)
            if width >= 800:
                assert view["firstFlag"][1] <= height, (width, view)
        # Nothing needs sideways scrolling, except a table inside its own scroll box.
        overflow = browser.execute_script(OVERFLOW_JS)
        assert overflow["page"] <= overflow["vw"] and overflow["wide"] == [], (width, overflow)
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []

    images = browser.execute_script(ALT_JS)
    assert len(images) >= 20
    for tag, alt, complete, natural in images:
        assert len(alt.split()) > 3, (tag, alt)
        assert complete and natural > 0

    # Printed: the whole report within REPORT_PAGES A4 pages; the summary
    # (everything before the first area section) within SUMMARY_PAGES.
    show(browser, url, 1400, 900)
    whole = print_pdf(browser)
    (keep / "report.pdf").write_bytes(whole)
    assert 0 < pdf_pages(whole) <= REPORT_PAGES
    browser.execute_script(
        "let n = document.getElementById('binding'); const gone = [];"
        "while (n) { gone.push(n); n = n.nextElementSibling; } gone.forEach(e => e.remove());"
    )
    summary = print_pdf(browser)
    assert 0 < pdf_pages(summary) <= SUMMARY_PAGES


def test_every_citation_resolves_to_a_reference(example_run):
    _, _, results = example_run
    html = (results / "report.html").read_text()
    references = html[html.index('id="references"') :]
    entries = dict(re.findall(r'<li id="ref-(\d+)" value="\d+" data-key="([^"]+)"', references))
    cited = re.findall(r'<a class="cite" href="#ref-(\d+)" data-key="([^"]+)">[^<]*\[(\d+)\]</a>', html)
    assert cited, "the example study cites its human reference values"
    for target, key, shown in cited:
        assert target == shown and entries[target] == key
    numbers = sorted(int(n) for n in entries)
    assert numbers == list(range(1, len(numbers) + 1))
    # every "[n]" in the page's text is one of these citations
    text = re.sub(r"<[^>]+>", "", html[: html.index('id="references"')])
    assert set(re.findall(r"\[(\d+)\]", text)) <= set(entries)

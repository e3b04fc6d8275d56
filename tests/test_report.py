"""The consolidated HTML report: formatting, escaping, self-containment, the
summary numbers against their result tables, and a real headless browser."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from scripts import report, settings
from scripts.report import bibliography, formatting, methods, render
from scripts.source_labels import labels as source_labels

SCRIPT = "<script>alert(1)</script>"


# --- formatting -----------------------------------------------------------------


@pytest.mark.parametrize(
    "value, text",
    [
        (0.00009, "< 0.0001"),
        (0.0001, "0.00010"),
        (0.0123, "0.012"),
        (0.0012345, "0.0012"),
        (0.5, "0.50"),
        (float("nan"), "–"),
    ],
)
def test_p_values(value, text):
    assert report.format_p(value) == text


@pytest.mark.parametrize(
    "value, text",
    [
        (20.3123, "20.3"),
        (0.0731, "0.0731"),
        (3.0, "3"),
        (1234.6, "1230"),
        (7827.905714, "7830"),
        (-1480.2, "-1480"),
        (0.0012345, "0.00123"),
        (999_999.4, "1000000"),
        (9.996, "10.0"),
        (2.5e-9, "2.50e-09"),
        (2.5e7 + 0.5, "2.50e+07"),
        (-46.35, "-46.4"),
        ("sedation", "sedation"),
        (True, "yes"),
    ],
)
def test_numbers_to_three_significant_figures(value, text):
    assert report.format_number(value) == text


# --- a minimal results folder --------------------------------------------------------


def minimal_results(folder: Path, compound=SCRIPT) -> Path:
    (folder / "validated").mkdir(parents=True)
    (folder / "validated" / "study.json").write_text(
        json.dumps({"name": "s1", "compound": compound, "arrive": {"blinding": f"coded {SCRIPT}"}})
    )
    (folder / "inventory").mkdir()
    pd.DataFrame(
        {"area": ["binding", "saturation", "behaviour", "pk"], "n_files": 0, "status": "not provided"}
    ).to_csv(folder / "inventory/areas.csv", index=False)
    (folder / "translation").mkdir()
    pd.DataFrame(
        [
            {
                "flag": "metabolite profile difference",
                "severity": "high",
                "area": "pk",
                "evidence": f"analyte {SCRIPT} not detected",
                "recommendation": "measure",
            }
        ]
    ).to_csv(folder / "translation/flags.csv", index=False)
    return folder


def test_user_strings_are_escaped(tmp_path):
    results = minimal_results(tmp_path / "results")
    out = tmp_path / "report.html"
    report.write_report(results, settings.config(), "2026-01-01", out)
    html = out.read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()


def test_missing_areas_read_not_provided_and_arrive_not_reported(tmp_path):
    results = minimal_results(tmp_path / "results", compound="mirtazapine")
    out = tmp_path / "report.html"
    report.write_report(results, settings.config(), "2026-01-01", out)
    html = out.read_text()
    assert html.count("not provided") >= 3
    assert "not reported" in html  # randomisation was not stated


def test_incomplete_report_is_headed_by_what_failed(tmp_path):
    results = minimal_results(tmp_path / "results")
    out = results / "report.html"
    failures = [
        {
            "status": "failed",
            "what": "binding_aggregate",
            "detail": "binding/x.csv: radioligand_kd_nM is missing <b>",
        },
        {"status": "not produced", "what": str(out), "detail": ""},
        {"status": "not produced", "what": "results/s/binding/ki.csv", "detail": ""},
    ]
    assert report.write_incomplete_report(results, settings.config(), failures, out)
    html = out.read_text()
    banner = html[html.index('id="incomplete"') : html.index("</section>")]
    assert "Run incomplete" in banner and "binding_aggregate" in banner
    assert "missing &lt;b&gt;" in banner and "binding/ki.csv" in banner
    assert "report.html" not in banner  # this page stands in for it
    # Without validated study metadata there is nothing to report on.
    assert not report.write_incomplete_report(
        tmp_path / "empty", settings.config(), failures, tmp_path / "empty.html"
    )
    assert not (tmp_path / "empty.html").exists()


def test_section_numbers_follow_the_page_order(tmp_path):
    results = minimal_results(tmp_path / "results", compound="mirtazapine")
    out = tmp_path / "report.html"
    report.write_report(results, settings.config(), "2026-01-01", out)
    headings = re.findall(r'<h2 id="([a-z]+)"[^>]*>(\d+)\. ', out.read_text())
    assert headings == [(id_, str(n)) for n, (id_, _) in enumerate(render.PAGE, start=1)]
    assert [id_ for id_, _ in headings] == [
        "summary",
        "binding",
        "behaviour",
        "pk",
        "translation",
        "methods",
        "arrive",
        "provenance",
        "references",
    ]


def test_methods_texts_fill_from_the_settings():
    config = settings.config()
    values = {
        "validation": {"n_files": 3, "n_warnings": 0},
        "binding": {"binding": config["binding"], "preferred_models": "none", "kd_sources": "none"},
        "behaviour": {"behaviour": config["behaviour"], "omnibus_methods": "none"},
        "pk": {"pk": config["pk"], "bioavailability_methods": "none"},
        "translation": {"translation": config["translation"]},
    }
    for area, given in values.items():
        paragraphs = methods.paragraphs(area, given)
        assert paragraphs and all(p == " ".join(p.split()) for p in paragraphs), area
    binding = methods.paragraphs("binding", values["binding"])
    assert len(binding) == 4 and f"R² < {config['binding']['r_squared_min']}," in binding[3]


# --- the example study's report --------------------------------------------------


class _Cells(HTMLParser):
    """Collects every cell naming its source (<td> or <span class="cell"> with
    data-table/data-row/data-column) and every URL. A citation link inside
    a cell reads as the reference key it stands for."""

    def __init__(self):
        super().__init__()
        self.cells, self.urls, self._open, self._tag, self._cite = [], [], None, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href"):
            if name in attrs:
                self.urls.append(attrs[name])
        if tag in ("td", "span") and "data-row" in attrs:
            scale = float(attrs.get("data-scale", 1))
            self._open = [attrs["data-table"], attrs["data-row"], attrs["data-column"], "", scale]
            self._tag = tag
        if tag == "a" and "data-key" in attrs and self._open is not None:
            self._open[3] += attrs["data-key"]
            self._cite = True

    def handle_data(self, data):
        if self._open is not None and not self._cite:
            self._open[3] += data

    def handle_endtag(self, tag):
        if tag == "a":
            self._cite = False
        if tag == self._tag and self._open is not None:
            self.cells.append(tuple(self._open))
            self._open = None


def _sources_as_keys(text: str) -> str:
    """*text* with each author-year source label the translation step
    writes ("Timmer et al. 2000") replaced by its bibliography key, as a
    citation link in the page reads (see :class:`_Cells`)."""
    by_label = {label: key for key, label in source_labels(bibliography.load()).items()}
    for label in sorted(by_label, key=len, reverse=True):
        text = re.sub(r"(?<![\w/.-])" + re.escape(label) + r"(?![\w-])", by_label[label], text)
    return text


def summary_html(html: str) -> str:
    return html[html.index('id="summary"') : html.index('id="binding"')]


@pytest.fixture(scope="module")
def example_report(example_run):
    _, _, results = example_run
    return results, (results / "report.html").read_text()


def _matching_row(frame: pd.DataFrame, key: dict) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, value in key.items():
        if value is None:
            mask &= frame[column].isna()
        elif isinstance(value, (int, float)):
            mask &= (frame[column].astype(float) - value).abs() < 1e-9
        else:
            mask &= frame[column].astype(str) == str(value)
    rows = frame[mask]
    assert len(rows) == 1, key
    return rows.iloc[0]


def test_every_summary_number_equals_its_result_table(example_report):
    results, html = example_report
    parser = _Cells()
    parser.feed(summary_html(html))
    checked = 0
    for table, row_key, column, text, scale in parser.cells:
        key = json.loads(row_key)
        if not key:
            continue
        value = _matching_row(pd.read_csv(results / table), key)[column]
        text = text.strip()
        if isinstance(value, float) and not pd.isna(value):
            if text == "< 0.0001":
                assert value < 1e-4
            else:  # the shown number, parsed back (and unscaled from %), agrees to its printed precision
                precision = 0.051 if report.is_p_column(column) else 0.0051
                log_precision = 0.0051 if formatting.is_log_column(column) else 0
                shown = float(text) / scale
                assert shown == pytest.approx(value, rel=precision, abs=log_precision), (table, column)
            checked += 1
        elif isinstance(value, (bool, int)) or str(value) in ("True", "False"):
            checked += 1
        else:  # text as in the table: citations read as their keys, e-notation as the number rule says
            expected = "–" if pd.isna(value) else _sources_as_keys(formatting.plain_numbers(str(value)))
            assert text.replace("; ", ";") == expected.replace("; ", ";"), (table, column)
    assert checked > 50
    for table in (
        "translation/flags.csv",
        "binding/species_comparison.csv",
        "behaviour/confounds.csv",
        "pk/bioavailability.csv",
        "translation/exposure_ratios.csv",
        "translation/occupancy.csv",
    ):
        assert f'data-table="{table}"' in summary_html(html), table


def test_expected_flags_are_in_the_scorecard(example_report):
    _, html = example_report
    scorecard = summary_html(html)[: summary_html(html).index('id="headline-ki"')]
    for flag in (
        "bioavailability mismatch",
        "metabolite profile difference",
        "effect despite sedation",
        "efficacious exposure outside the clinical range",
    ):
        assert flag in scorecard


def test_report_is_self_contained(example_report):
    _, html = example_report
    parser = _Cells()
    parser.feed(html)
    results, _ = example_report
    linked = [u for u in parser.urls if not (u.startswith("data:") or u.startswith("#"))]
    # Only relative links to the result CSVs beside the report; each exists.
    assert linked and all(u.endswith(".csv") and ":" not in u and not u.startswith("/") for u in linked)
    assert all((results / u).is_file() for u in linked)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", html)
    assert html.count('<img src="data:image/svg+xml;base64,') >= 20


def test_report_sections_methods_arrive_provenance(example_report):
    _, html = example_report
    for heading in (
        "Summary",
        "Binding",
        "Behaviour",
        "Pharmacokinetics",
        "Translation",
        "Methods",
        "ARRIVE 2.0 Essential 10",
        "Provenance",
    ):
        assert heading in html
    assert "Cheng–Prusoff" in html and "Dunnett" in html and "lmfit" in html
    assert re.search(r"[0-9a-f]{64}", html)  # input checksums


# --- a real browser ------------------------------------------------------------------

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="Debian chromium and chromium-driver not installed (.ci/run installs them)",
)
def test_report_renders_in_headless_chromium(example_report, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    results, _ = example_report
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1400,1000",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.get((results / "report.html").as_uri())
        sizes = driver.execute_script(
            "return Array.from(document.images).map(i => [i.complete, i.naturalWidth, "
            "i.getBoundingClientRect().width, i.getBoundingClientRect().height]);"
        )
        errors = [entry for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]
        shot = results / "report_screenshot.png"
        driver.save_screenshot(str(shot))
    finally:
        driver.quit()
    assert errors == []
    assert len(sizes) >= 20
    # Every image decodes; those not folded away in a closed <details> have a size on the page.
    assert all(done and natural > 0 for done, natural, _, _ in sizes), sizes
    assert sum(width > 0 and height > 0 for _, _, width, height in sizes) >= 8
    assert shot.stat().st_size > 10_000
    keep = Path(__file__).resolve().parents[1] / "results" / "test_screenshots"
    keep.mkdir(parents=True, exist_ok=True)
    shutil.copy2(shot, keep / "report.png")


def test_snakemake_report_archive_is_built(example_run):
    import zipfile

    from conftest import run_snakemake

    workdir, study, _ = example_run
    archive = workdir / "snakemake_report.zip"
    result = run_snakemake(workdir, "--report", str(archive), "--config", f"study_dir={study}")
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(archive) as bundle:
        names = bundle.namelist()
    assert any(n.endswith("report.html") for n in names)
    assert any("ki.csv" in n for n in names) and any(n.endswith(".svg") for n in names)

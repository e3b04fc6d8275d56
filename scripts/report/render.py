"""The page: its outline, the context the template draws, and writing it.

Every string from a user's files passes through Jinja2 with autoescaping on.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import jinja2
import yaml

from .arrive import arrive_checklist
from .bibliography import Citations
from .formatting import looks_numeric, plain_numbers
from .methods import methods
from .results import Results
from .sections import AREA_SECTIONS
from .summary import HEADLINES, evidence_links, scorecard
from .verdict import severity_counts, verdict

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

# The page's sections in order; each is numbered by its position.
PAGE = (
    ("summary", "Summary"),
    *((section.id, section.title) for section in AREA_SECTIONS),
    ("methods", "Methods"),
    ("arrive", "ARRIVE 2.0 Essential 10"),
    ("provenance", "Provenance"),
    ("references", "References"),
)
CONTENTS_TITLES = {"arrive": "ARRIVE 2.0"}  # shorter titles in the table of contents


def render(context: dict) -> str:
    """The page. Citations are numbered in the order the page cites them."""
    citations = context.setdefault("citations", Citations())
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.tests["number_text"] = looks_numeric
    environment.filters["cite"] = lambda text: citations.cite(plain_numbers(text))
    return environment.get_template("report.html.j2").render(**context)


def build_context(results_folder, config: dict, generated: str, failures=None) -> dict:
    results = Results(results_folder)
    study = results.study()
    areas_frame = results.read("inventory/areas.csv")
    areas = dict(zip(areas_frame["area"], areas_frame["status"])) if areas_frame is not None else {}
    software = results.table("provenance/software.csv")
    revision = "unknown"
    if software is not None:
        rows = software.frame[software.frame["component"] == "pipeline"]
        revision = rows["version"].iloc[0] if len(rows) else revision
    sections = []
    for section in AREA_SECTIONS:
        provided = section.always or areas.get(section.id) == "provided"
        blocks = section.build(results, config) if provided else []
        sections.append({"id": section.id, "title": section.title, "provided": provided, "blocks": blocks})
    raised, unassessed = scorecard(results)
    anchors = {id_ for id_, _ in PAGE} | {block["id"] for section in sections for block in section["blocks"]}
    links = evidence_links(results, raised.frame, anchors) if raised is not None else []
    return {
        "study": study,
        "generated": generated,
        "revision": revision,
        "headings": {id_: {"number": n, "title": title} for n, (id_, title) in enumerate(PAGE, start=1)},
        "toc": [{"id": id_, "title": CONTENTS_TITLES.get(id_, title)} for id_, title in PAGE],
        "summary": {
            "verdict": verdict(results, study),
            "counts": severity_counts(results),
            "scorecard": raised,
            "links": links,
            "unassessed": unassessed,
            "headlines": [block.build(results, config) for block in HEADLINES],
        },
        "warnings": results.table("inventory/warnings.csv"),
        "sections": sections,
        "methods": methods(results, config, areas),
        "config_text": yaml.safe_dump(config, sort_keys=True, default_flow_style=None),
        "software": software,
        "arrive": arrive_checklist(results, study),
        "provenance": results.table("provenance/inputs.csv"),
        "failures": failures or [],
    }


def generated_now() -> str:
    """The report's "generated" time stamp (UTC, to the minute)."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def write_report(results_folder, config: dict, generated: str, out_path, failures=None) -> None:
    html = render(build_context(results_folder, config, generated, failures))
    Path(out_path).write_text(html, encoding="utf-8")


def write_incomplete_report(results_folder, config: dict, failures: list[dict], out_path) -> bool:
    """After a --keep-going run in which jobs failed: the report of what was
    produced, headed by the list of failed jobs and outputs not produced
    (*failures*, rule_support.write_failures rows). Not written when the
    study metadata itself was not validated (nothing to report on). Never
    raises: a partial report that cannot be drawn is skipped, with a line on
    stderr, and failures.csv still says what failed. Returns whether written."""
    folder = Path(results_folder)
    if not (folder / "validated" / "study.json").is_file():
        return False
    generated = generated_now()
    # The full report is among the outputs "not produced"; this page stands in for it.
    shown = [row for row in failures if Path(row["what"]).name != Path(out_path).name]
    try:
        write_report(folder, config, generated, out_path, shown)
    except Exception as error:  # noqa: BLE001 - the run has failed already; say why, go on
        Path(out_path).unlink(missing_ok=True)
        print(
            f"Partial report not written ({type(error).__name__}: {error}); see failures.csv", file=sys.stderr
        )
        return False
    print(f"Partial report, headed by what failed: {out_path}", file=sys.stderr)
    return True

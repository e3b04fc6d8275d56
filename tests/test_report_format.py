"""How the report reads: the number rule, column headers with units, the
verdict, references, optional tables and the terminal progress lines. Each
expected value is written out by hand or computed here from the table rows."""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest

from scripts import settings
from scripts.report import bibliography, formatting, progress, render, summary, verdict
from scripts.report.results import Results
from scripts.report.sections import AREA_SECTIONS

# --- the number rule ------------------------------------------------------------


@pytest.mark.parametrize(
    "column, value, text",
    [
        ("pki", 8.04321, "8.04"),
        ("log_ic50", -7.1, "-7.10"),
        ("log10_ratio", 2.284856521, "2.28"),
        ("occupancy", 0.9685535151, "96.9"),
        ("occupancy", 0.008364, "0.836"),
        ("ki_nM", 7827.905714, "7830"),
        ("ki_nM", 0.00836, "0.00836"),
        ("p_adj", 0.0008066719315, "0.00081"),
        ("p_adj", 7.26e-07, "< 0.0001"),
        ("c0_ng_mL", float("nan"), "–"),
        ("dose_mg_kg", 30.0, "30"),
    ],
)
def test_one_number_rule_for_every_cell(column, value, text):
    assert formatting.format_cell(column, value) == text


def test_no_e_notation_between_1e_minus_3_and_1e6():
    for value in (0.001, 0.0123, 1.5, 99.95, 1234.5, 7.83e3, 999_000.0, -1.48e3):
        assert "e" not in formatting.format_number(value), value
    assert "e" in formatting.format_number(2.5e-9) and "e" in formatting.format_number(2.5e7 + 0.5)


def test_e_notation_in_sentences_follows_the_same_rule():
    text = "open-field distance -1.48e+03 cm (p_adj 2.6e-13); IC50 7.83e+03 nM"
    assert formatting.plain_numbers(text) == "open-field distance -1480 cm (p_adj 2.6e-13); IC50 7830 nM"


@pytest.mark.parametrize(
    "column, label",
    [
        ("ki_nM", "Ki (nM)"),
        ("ki_ci_low_nM", "Ki CI low (nM)"),
        ("dose_mg_kg", "dose (mg/kg)"),
        ("auc_inf_ng_h_mL", "AUC inf (ng·h/mL)"),
        ("cl_L_h_kg", "CL (L/h/kg)"),
        ("tmax_h", "Tmax (h)"),
        ("open_field_pct_change_vs_vehicle", "open field change vs vehicle (%)"),
        ("occupancy", "occupancy (%)"),
        ("fst_p_adj", "FST p (adjusted)"),
        ("r_squared", "R²"),
    ],
)
def test_headers_carry_units(column, label):
    assert formatting.column_label(column) == label


# --- a results folder -------------------------------------------------------------


def write(folder, name, rows):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(path, index=False)


@pytest.fixture
def results(tmp_path):
    folder = tmp_path / "results"
    (folder / "validated").mkdir(parents=True)
    (folder / "validated" / "study.json").write_text(json.dumps({"name": "s1", "compound": "drugx"}))
    write(folder, "inventory/areas.csv", [{"area": a, "n_files": 0, "status": "not provided"}
                                          for a in ("binding", "saturation", "behaviour", "pk")])  # fmt: skip
    write(
        folder,
        "translation/effective_doses.csv",
        [
            {"test": "fst", "endpoint": "immobility_s", "regimen": "acute", "dose_mg_kg": 10,
             "diff_vs_vehicle": -30.0, "p_adj": 0.01, "hedges_g": -1.0},
            {"test": "fst", "endpoint": "immobility_s", "regimen": "chronic", "dose_mg_kg": 30,
             "diff_vs_vehicle": -50.0, "p_adj": 0.001, "hedges_g": -2.0},
        ],
    )  # fmt: skip
    ratios = []
    for rat in (3, 10, 30):
        for human, state, value in ((15, "steady_state", 0.1 * rat), (30, "steady_state", 0.05 * rat),
                                    (30, "single_dose", 9.0), (45, "steady_state", 0.02 * rat)):  # fmt: skip
            ratios.append({"rat_dose_mg_kg": rat, "route": "po", "human_dose_mg": human, "human_state": state,
                           "auc_ratio": value, "auc_unbound_ratio": value, "cmax_ratio": value,
                           "cmax_unbound_ratio": value})  # fmt: skip
    write(folder, "translation/exposure_ratios.csv", ratios)
    write(
        folder,
        "translation/flags.csv",
        [
            {"flag": "bioavailability mismatch", "severity": "high", "area": "pk",
             "evidence": "rat F 0.07 vs human 0.5 (timmer2000;remeron_smpc)", "recommendation": "measure"},
            {"flag": "half-life mismatch", "severity": "medium", "area": "pk", "evidence": "t1/2 2 h",
             "recommendation": "dose more often"},
            {"flag": "species Ki difference", "severity": "info", "area": "binding", "evidence": "no binding",
             "recommendation": ""},
        ],
    )  # fmt: skip
    return folder


def test_effective_doses_come_from_the_translation_table(results):
    assert summary.effective_doses(Results(results)) == [10, 30]
    shown = summary.exposure_at_effective_doses(Results(results)).frame
    # rat doses 10 and 30 at the human steady-state doses 15, 30 and 45 mg: 6 rows
    assert sorted(zip(shown["rat_dose_mg_kg"], shown["human_dose_mg"])) == [
        (10, 15), (10, 30), (10, 45), (30, 15), (30, 30), (30, 45)]  # fmt: skip


def test_verdict_sentences_from_the_tables(results):
    sentences = [
        re.sub(r"<[^>]+>", "", str(s)) for s in verdict.verdict(Results(results), {"compound": "drugx"})
    ]
    assert (
        sentences[0] == "Behavioural effect of drugx against vehicle at 10–30 mg/kg (FST; acute and chronic)."
    )
    # the middle human steady-state dose is 30 mg: ratios 0.05 x 10 = 0.5 and 0.05 x 30 = 1.5
    assert sentences[1] == (
        "Rat oral unbound exposure (AUC) at the effective doses is 0.500–1.50× the human exposure "
        "at 30 mg/day (steady state)."
    )
    assert sentences[2] == "Main risks (high): bioavailability mismatch; also 1 medium (scorecard below)."
    assert verdict.severity_counts(Results(results)) == {"high": 1, "medium": 1, "low": 0}


def test_page_renders_verdict_references_and_optional_tables(results):
    # (occupancy_time.csv is now linked beside its figure; a table no block names stands in)
    write(
        results, "translation/occupancy_by_region.csv", [{"receptor": "H1", "time_h": 1.0, "occupancy": 0.5}]
    )
    html = render.render(render.build_context(results, settings.config(), "2026-01-01"))
    assert 'id="verdict"' in html and html.index('id="verdict"') < html.index('id="scorecard"')
    # the flag links to its area's section
    assert '<a href="#pk">bioavailability mismatch</a>' in html
    # timmer2000 is cited first: [1]; its entry is numbered 1
    assert re.search(
        r'<a class="cite" href="#ref-1" data-key="timmer2000">Timmer et al\. 2000 \[1\]</a>', html
    )
    assert re.search(r'<li id="ref-1" value="1" data-key="timmer2000">Timmer CJ', html)
    cited = set(re.findall(r'href="#ref-(\d+)"', html))
    assert cited and cited <= set(re.findall(r'<li id="ref-(\d+)"', html))
    # an optional table of a newer step appears, folded, with its occupancy in %
    block = html[html.index('id="translation-occupancy-by-region"') :]
    assert "Occupancy by region" in block[:400] and ">50<" in block


def test_page_without_optional_tables_still_renders(results):
    (results / "translation" / "exposure_ratios.csv").unlink()
    (results / "translation" / "effective_doses.csv").unlink()
    html = render.render(render.build_context(results, settings.config(), "2026-01-01"))
    assert "Main risks (high)" in html and "Behavioural effect" not in html
    assert not any(section.id == "" for section in AREA_SECTIONS)


def test_input_warnings_are_shown_verbatim(results):
    """A warning's message is the validator's sentence: the report shows it as
    inventory/warnings.csv has it (its limits written as the validator wrote
    them, not re-formatted by the number rule), while evidence text elsewhere
    still follows the rule."""
    message = "competitor concentration 0.1 M exceeds 1e-2 M: nM values in the concentration_M column?"
    write(
        results,
        "inventory/warnings.csv",
        [
            {
                "kind": "binding",
                "file": "binding/b.csv",
                "row": 6,
                "column": "concentration_M",
                "message": message,
            }
        ],
    )
    html = render.render(render.build_context(results, settings.config(), "2026-01-01"))
    warnings = html[html.index('id="warnings"') :]
    assert message in warnings[: warnings.index("</details>")]
    assert formatting.plain_numbers("exceeds 1e-2 M") == "exceeds 0.0100 M"  # the rule the message escapes


# --- references -------------------------------------------------------------------


def test_citations_are_numbered_by_first_use_and_escaped():
    entries = {
        "smith2000": {"type": "article", "authors": "Smith AB, Jones C", "year": 2000, "title": "A study",
                      "journal": "J Pharm", "volume": 3, "issue": 2, "pages": "1-9", "doi": "10.1/x"},
        "dunnett1955": {"type": "article", "authors": "Dunnett CW", "year": 1955, "title": "Multiple comparisons",
                        "journal": "JASA"},
        "no_primary_source": {"type": "placeholder", "title": "none"},
    }  # fmt: skip
    citations = bibliography.Citations(entries)
    text = str(citations.cite("<b> dunnett1955;smith2000 and smith2000, not xsmith2000 or no_primary_source"))
    assert text.startswith("&lt;b&gt; ")
    assert "Dunnett 1955 [1]</a>; <a" in text and text.count("Smith et al. 2000 [2]") == 2
    assert "xsmith2000" in text and "no primary source" in text
    cited = citations.cited()
    assert [c["key"] for c in cited] == ["dunnett1955", "smith2000"]
    assert cited[1]["text"] == "Smith AB, Jones C (2000). A study. J Pharm 3(2): 1-9."


def test_every_bibliography_entry_has_a_short_name():
    for key, entry in bibliography.load().items():
        name = bibliography.short_name(entry, key)
        assert name and "None" not in name, key


# --- terminal progress --------------------------------------------------------------


def test_progress_prints_one_line_per_job_and_per_failure(tmp_path):
    log = tmp_path / "fit.log"
    log.write_text("starting\nInputError: binding/x.csv row 4 column cpm: not a number\n")
    lines = [
        "Building DAG of jobs...",
        "[Thu Dec  3 04:12:51 2026]",
        "rule binding_fit:",
        "    input: a.csv, b.csv, c.csv",
        "    output: results/s/binding/fits/H1_rat.csv",
        "    jobid: 7",
        "    reason: Missing output files: a, b, c",
        "    wildcards: assay=H1_rat",
        "    resources: mem_mb=1000",
        "Finished jobid: 7 (Rule: binding_fit)",
        "3 of 9 steps (33%) done",
        "Error in rule binding_fit:",
        "    message: None",
        "    jobid: 8",
        f"    log: {log} (check log file(s) for error details)",
        "    wildcards: assay=M1_rat",
        "",
        "Exiting because a job execution failed. Look below for error messages",
    ]
    out = io.StringIO()
    watcher = progress.Progress(out)
    for line in lines:
        watcher.feed(line + "\n")
    watcher.close()
    assert out.getvalue().splitlines() == [
        "[3/9] binding_fit H1_rat",
        "FAILED binding_fit (assay=M1_rat): InputError: binding/x.csv row 4 column cpm: not a number",
    ]


def test_flag_counts_by_severity(results):
    (results / "report.html").write_text("")
    assert progress.flag_counts(results / "report.html") == "1 high, 1 medium, 0 low"


def test_c0_reads_not_applicable_for_oral_and_metabolite_profiles(tmp_path):
    rows = [
        {"animal_id": "A", "route": "iv", "analyte": "p", "cmax_ng_mL": 9.0, "c0_ng_mL": 12.5, "flags": ""},
        {"animal_id": "B", "route": "po", "analyte": "p", "cmax_ng_mL": 3.0, "c0_ng_mL": 0.0, "flags": ""},
        {"animal_id": "C", "route": "iv", "analyte": "m", "cmax_ng_mL": 2.0, "c0_ng_mL": 0.0,
         "flags": "metabolite(no_CL_Vz)"},
    ]  # fmt: skip
    write(tmp_path, "pk/nca.csv", rows)
    block = next(b for section in AREA_SECTIONS for b in section.blocks if b.title == "NCA per profile")
    table = block.table(Results(tmp_path))
    c0 = [dict(zip(table.shown_columns(), [cell[0] for cell in row]))["c0_ng_mL"] for row in table.rows()]
    assert c0 == ["12.5", "–", "–"]


def test_author_year_labels_written_by_translation_become_the_reports_numbered_citations():
    from scripts.source_labels import labels
    from scripts.translation.reference import citation

    entries = {
        "porsolt1977_rat": {"type": "article", "authors": "Porsolt RD, Le Pichon M, Jalfre M", "year": 1977},
        "porsolt1977_mouse": {"type": "article", "authors": "Porsolt RD, Bertin A, Jalfre M", "year": 1977},
        "smith2000": {"type": "article", "authors": "Smith AB, Jones C", "year": 2000},
        "no_primary_source": {"type": "placeholder", "title": "none"},
    }
    # same first author and year: told apart by "a", "b" in bibliography order
    assert labels(entries) == {
        "porsolt1977_rat": "Porsolt et al. 1977a",
        "porsolt1977_mouse": "Porsolt et al. 1977b",
        "smith2000": "Smith et al. 2000",
    }
    assert citation("porsolt1977_mouse", entries) == "Porsolt et al. 1977b"  # no number in result tables
    citations = bibliography.Citations(entries)
    text = str(citations.cite("Sources: Smith et al. 2000; Porsolt et al. 1977b. Porsolt et al. 1977bis"))
    assert text.count('<a class="cite"') == 2  # "1977bis" is not a label
    assert '<a class="cite" href="#ref-1" data-key="smith2000">Smith et al. 2000 [1]</a>' in text
    assert '<a class="cite" href="#ref-2" data-key="porsolt1977_mouse">Porsolt et al. 1977b [2]</a>' in text
    assert [c["key"] for c in citations.cited()] == ["smith2000", "porsolt1977_mouse"]


def test_one_reference_has_one_display_name_in_flags_and_report():
    """The label the translation writes into flags.csv and the label the
    report's numbered citation shows are the same for every entry (a
    document by an organisation included, e.g. the two Organon documents)."""
    from scripts.source_labels import labels

    entries = bibliography.load()
    written = labels(entries)
    citations = bibliography.Citations(entries)
    for key, label in written.items():
        assert citations.label(key).rsplit(" [", 1)[0] == label, key
    assert len(set(written.values())) == len(written)
    assert written["remeron_smpc"] == "Organon, SmPC"
    assert written["remeron_label"] == "Organon, US prescribing information"

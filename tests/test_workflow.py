"""The real Snakemake on real studies: lint, bad input, example study, reruns.
(Code style, snakefmt included, is checked in tests/test_style.py.)"""

from __future__ import annotations

import html
import re
import subprocess

import pytest

from conftest import REPO_ROOT, SNAKEMAKE, run_snakemake
from scripts.validation import RESERVED_PK_STEMS

# Every test here runs Snakemake (some without an e2e fixture).
pytestmark = pytest.mark.e2e


def test_snakemake_lint_is_clean():
    result = subprocess.run([SNAKEMAKE, "--lint"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert "Congratulations" in result.stdout + result.stderr, result.stdout + result.stderr


def test_missing_study_dir_is_a_one_line_error(workflow_copy, tmp_path):
    result = run_snakemake(workflow_copy, "--config", f"study_dir={tmp_path / 'nowhere'}")
    assert result.returncode != 0
    assert "study_dir not found" in result.stderr
    assert "Traceback" not in result.stderr


# Broken input files of every type: tests/bad_inputs/cases.yaml, run by
# tests/test_reliability.py.


# --- the example study ---------------------------------------------------------


def test_dry_run_lists_validation_jobs():
    result = subprocess.run(
        [SNAKEMAKE, "-n", "--cores", "2", "--forceall"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for rule_name in (
        "validate_binding",
        "validate_saturation",
        "validate_behaviour",
        "validate_pk",
        "validate_study",
        "inventory",
    ):
        assert re.search(rf"^{rule_name}\s+\d+", result.stdout, re.M), rule_name


def test_example_run_writes_validated_tables_and_inventory(example_run):
    _, study, results = example_run
    for folder in ("binding", "saturation", "behaviour", "pk"):
        for raw in (study / folder).glob("*.csv"):
            # pk/dosing.csv and pk/lambda_z.csv are PK control files, not
            # concentration tables: validated under validated/pk_control/
            # (docs/data-contract.md).
            kind = "pk_control" if folder == "pk" and raw.stem in RESERVED_PK_STEMS else folder
            assert (results / "validated" / kind / raw.name).exists(), raw
    assert (results / "validated" / "pk_control" / "checked.csv").exists()
    areas = (results / "inventory" / "areas.csv").read_text()
    assert "not provided" not in areas
    groups = (results / "inventory" / "behaviour_groups.csv").read_text()
    assert "fst,vehicle" in groups and "chronic" in groups
    assert "8-hydroxymirtazapine" in (results / "inventory" / "pk_design.csv").read_text()
    assert len((results / "inventory" / "exclusions.csv").read_text().splitlines()) > 1
    checksums = (results / "provenance" / "inputs.csv").read_text()
    assert "binding/" in checksums and re.search(r",[0-9a-f]{64},", checksums)


def _jobs_of_dry_run(workdir, study):
    result = run_snakemake(workdir, "-n", "--config", f"study_dir={study}")
    assert result.returncode == 0, result.stderr
    return dict(re.findall(r"^(\w+)\s+(\d+)$", result.stdout, re.M))


def _planned_jobs(workdir, study) -> list[tuple[str, str]]:
    """The jobs a dry run would execute, as sorted (rule, wildcards) pairs."""
    result = run_snakemake(workdir, "-n", "--config", f"study_dir={study}")
    assert result.returncode == 0, result.stderr
    jobs = []
    for rule, body in re.findall(r"^(?:local)?rule (\w+):\n((?:    .*\n?)*)", result.stdout, re.M):
        wildcards = re.search(r"^    wildcards: (.*)$", body, re.M)
        jobs.append((rule, wildcards.group(1) if wildcards else ""))
    return sorted(jobs)


def _edit_cell(path, column, change, row=1):
    """Change one cell of a CSV file (data row *row*) by *change*(old text)."""
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[row].split(",")
    cells[header.index(column)] = change(cells[header.index(column)])
    lines[row] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")


# Every study-level job that follows from any changed input file.
STUDY_JOBS = [("inventory", ""), ("provenance", ""), ("translation", ""), ("report", ""), ("all", "")]


def test_rerun_after_content_change_redoes_only_dependents(example_run):
    workdir, study, results = example_run
    assert _jobs_of_dry_run(workdir, study) == {}, "a finished run must be up to date"
    outputs = [p for p in results.rglob("*") if p.is_file() and "logs" not in p.parts]
    before = {p: p.stat().st_mtime_ns for p in outputs}

    # A touch without a content change reruns nothing.
    for path in (
        study / "pk" / "rat_mirtazapine.csv",
        study / "binding" / "H1_rat.csv",
        study / "study.yaml",
    ):
        path.touch()
    assert _jobs_of_dry_run(workdir, study) == {}

    # One file's content at a time: exactly that file's chain of jobs reruns.
    # Each edit is undone afterwards (so it reruns nothing, like a touch: the
    # next dry run would list its jobs too otherwise).
    binding = study / "binding" / "H1_rat.csv"
    pk_file = study / "pk" / "rat_mirtazapine.csv"
    study_yaml = study / "study.yaml"
    edits = [
        (
            binding,
            lambda: _edit_cell(binding, "cpm", lambda v: str(float(v) + 1)),
            [
                ("binding_aggregate", ""),
                ("binding_fit", "assay=H1_rat"),
                ("binding_literature", ""),  # reads binding/ki_summary.csv, rewritten by binding_aggregate
                ("validate_binding", "assay=H1_rat"),
            ]
            + STUDY_JOBS,
        ),
        (
            pk_file,
            lambda: _edit_cell(pk_file, "body_weight_kg", lambda v: str(float(v) + 0.01)),
            [
                ("pk_aggregate", ""),
                ("pk_control_check", ""),  # the control files are checked against every PK file
                ("pk_nca", "table=rat_mirtazapine"),
                ("validate_pk", "table=rat_mirtazapine"),
                ("validate_pk_analytes", ""),
            ]
            + STUDY_JOBS,
        ),
        # A study-wide value used by translation only.
        (
            study_yaml,
            lambda: study_yaml.write_text(
                study_yaml.read_text().replace("human_body_weight_kg: 60", "human_body_weight_kg: 70")
            ),
            [("validate_study", "")] + [j for j in STUDY_JOBS if j[0] != "inventory"],
        ),
    ]
    for path, edit, expected in edits:
        original = path.read_bytes()
        edit()
        assert path.read_bytes() != original
        assert _planned_jobs(workdir, study) == sorted(expected), path.name
        path.write_bytes(original)

    # Change one behaviour file's content and rerun for real: only its chain
    # reruns, and every other output keeps its modification time.
    open_field = study / "behaviour" / "open_field.csv"
    _edit_cell(open_field, "distance_cm", lambda v: str(float(v or 1000) + 1.0))
    expected = [
        ("behaviour_battery", ""),
        ("behaviour_test", "test=open_field"),
        ("validate_behaviour", "test=open_field"),
        ("validate_behaviour_animals", ""),
    ] + STUDY_JOBS
    assert _planned_jobs(workdir, study) == sorted(expected)
    run_snakemake(workdir, "--config", f"study_dir={study}", check=True)
    rerun_outputs = {
        *results.glob("validated/behaviour/open_field.*"),
        results / "validated/behaviour_animals.csv",
        *results.glob("behaviour/open_field/*"),
        results / "behaviour/figures/open_field.svg",
        *results.glob("behaviour/*.csv"),
        *results.glob("inventory/*"),
        *results.glob("provenance/*"),
        *results.glob("translation/**/*.*"),
        results / "report.html",
    }
    changed = {p for p in outputs if p.stat().st_mtime_ns != before[p]}
    assert changed <= rerun_outputs, sorted(changed - rerun_outputs)
    assert results / "validated/behaviour/open_field.csv" in changed
    assert len(outputs) - len(changed) > 100, "most outputs must be untouched"


def test_two_clean_runs_give_identical_outputs(example_clean_results, second_example_run):
    """Determinism: a second clean run of the example study, elsewhere (through
    SLURM when a cluster is up, see conftest.second_example_run), writes
    byte-identical CSV, JSON and SVG files; the report differs only in the
    time it was generated (and in the study directory, which is another copy)."""
    study, second = second_example_run.study, second_example_run.results

    def outputs(results):
        return {
            str(p.relative_to(results)): p.read_bytes()
            for p in sorted(results.rglob("*"))
            if p.suffix in (".csv", ".json", ".svg") and "logs" not in p.parts
        }

    first_files, second_files = outputs(example_clean_results), outputs(second)
    assert set(first_files) == set(second_files) and len(first_files) > 100
    assert [n for n in first_files if first_files[n] != second_files[n]] == []
    first_report = (example_clean_results / "report.html").read_text().splitlines()
    second_report = (second / "report.html").read_text().splitlines()
    assert len(first_report) == len(second_report)
    differing = [(a, b) for a, b in zip(first_report, second_report) if a != b]
    assert differing, "the reports should at least carry their own timestamps"
    stamp = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC")
    for a, b in differing:
        if "study_dir" in a:
            assert str(study) in html.unescape(b)
        else:
            assert stamp.sub("T", a) == stamp.sub("T", b), (a, b)

"""The real Snakemake on real studies: lint, bad input, example study, reruns."""

from __future__ import annotations

import re
import subprocess

import pytest

from conftest import REPO_ROOT, SNAKEMAKE, run_snakemake


def test_snakemake_lint_is_clean():
    result = subprocess.run([SNAKEMAKE, "--lint"], cwd=REPO_ROOT, capture_output=True,
                            text=True, timeout=300)
    assert "Congratulations" in result.stdout + result.stderr, result.stdout + result.stderr


def test_snakefmt_is_clean():
    snakefmt = SNAKEMAKE.replace("snakemake", "snakefmt")
    files = ["Snakefile", *sorted(str(p) for p in (REPO_ROOT / "workflow/rules").glob("*.smk"))]
    result = subprocess.run([snakefmt, "--check", *files], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr


def test_missing_study_dir_is_a_one_line_error(workflow_copy, tmp_path):
    result = run_snakemake(workflow_copy, "--config", f"study_dir={tmp_path / 'nowhere'}")
    assert result.returncode != 0
    assert "study_dir not found" in result.stderr
    assert "Traceback" not in result.stderr


# --- bad input: one broken file per type -------------------------------------

PK_HEADER = ("animal_id,species,body_weight_kg,route,dose_mg_kg,analyte,time_h,"
             "concentration_ng_mL,lloq_ng_mL\n")
BAD_FILES = {
    "binding": ("binding/run 1.csv",
                "receptor,species,radioligand,radioligand_nM,radioligand_kd_nM,well_type,"
                "compound,concentration_M,replicate,cpm\n"
                "H1,human,[3H]mepyramine,1,1.2,total,,,1,5000\n"
                "H1,human,[3H]mepyramine,1,1.2,nsb,,,1,400\n"
                "H1,human,[3H]mepyramine,1,1.2,competitor,mirtazapine,1e-9,1,-3\n",
                "row 4, column 'cpm'"),
    "saturation": ("saturation/sat.csv",
                   "receptor,species,radioligand,radioligand_nM,well_type,replicate,cpm\n"
                   "H1,rat,[3H]mepyramine,0.5,total,1,1000\n"
                   "H1,rat,[3H]mepyramine,0.5,unknown,1,100\n",
                   "row 3, column 'well_type'"),
    "behaviour": ("behaviour/open_field.csv",
                  "animal_id,species,sex,treatment,dose_mg_kg,route,regimen,days_dosed,"
                  "distance_cm\n"
                  "r1,rat,M,vehicle,0,po,acute,1,3000\n"
                  "r1,rat,M,mirtazapine,10,po,acute,1,2000\n",
                  "row 3, column 'animal_id'"),
    "pk": ("pk/rat.csv", PK_HEADER + "a,rat,0.25,iv,2,mirtazapine,0.25,150,1\n"
           "a,rat,0.25,intranasal,2,mirtazapine,1,50,1\n", "row 3, column 'route'"),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_broken_file_stops_the_run_naming_file_row_column(workflow_copy, tmp_path, kind):
    relative, content, where = BAD_FILES[kind]
    study = tmp_path / "study"
    (study / relative).parent.mkdir(parents=True)
    (study / relative).write_text(content)
    result = run_snakemake(workflow_copy, "--config", f"study_dir={study}")
    assert result.returncode != 0
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("INPUT ERROR")]
    assert lines, result.stderr
    assert relative.split("/")[-1] in lines[0] and where in lines[0]
    validated = workflow_copy / "results" / "study" / "validated" / kind
    assert not any(validated.glob("*.csv")), "partial validated output left behind"


def test_study_yaml_with_python_tag_is_rejected(workflow_copy, tmp_path):
    study = tmp_path / "study"
    study.mkdir()
    (study / "study.yaml").write_text("name: !!python/object/apply:os.system ['touch x']\n")
    result = run_snakemake(workflow_copy, "--config", f"study_dir={study}")
    assert result.returncode != 0
    assert "YAML tag not allowed" in result.stderr
    assert not (workflow_copy / "x").exists()


# --- the example study ---------------------------------------------------------

def test_dry_run_lists_validation_jobs():
    result = subprocess.run([SNAKEMAKE, "-n", "--cores", "2", "--forceall"], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    for rule_name in ("validate_binding", "validate_saturation", "validate_behaviour",
                      "validate_pk", "validate_study", "inventory"):
        assert re.search(rf"^{rule_name}\s+\d+", result.stdout, re.M), rule_name


def test_example_run_writes_validated_tables_and_inventory(example_run):
    _, study, results = example_run
    for folder in ("binding", "saturation", "behaviour", "pk"):
        for raw in (study / folder).glob("*.csv"):
            assert (results / "validated" / folder / raw.name).exists(), raw
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


def test_rerun_after_content_change_redoes_only_dependents(example_run):
    workdir, study, results = example_run
    assert _jobs_of_dry_run(workdir, study) == {}, "a finished run must be up to date"
    watched = [p for area in ("binding", "pk", "validated/binding", "validated/pk")
               for p in (results / area).rglob("*") if p.is_file()]
    assert watched
    before = {p: p.stat().st_mtime_ns for p in watched}

    # A touch without a content change reruns nothing.
    pk_file = next((study / "pk").glob("*.csv"))
    pk_file.touch()
    assert _jobs_of_dry_run(workdir, study) == {}

    # Change one behaviour file's content: one animal's open-field distance.
    open_field = study / "behaviour" / "open_field.csv"
    lines = open_field.read_text().splitlines()
    cells = lines[1].split(",")
    header = lines[0].split(",")
    column = header.index("distance_cm")
    cells[column] = str(float(cells[column] or 1000) + 1.0)
    lines[1] = ",".join(cells)
    open_field.write_text("\n".join(lines) + "\n")

    jobs = _jobs_of_dry_run(workdir, study)
    assert jobs.get("validate_behaviour") == "1"
    unrelated = [r for r in jobs if r.startswith(("binding", "pk", "validate_binding",
                                                  "validate_pk", "validate_saturation"))]
    assert unrelated == []
    run_snakemake(workdir, "--config", f"study_dir={study}", check=True)
    after = {p: p.stat().st_mtime_ns for p in watched}
    assert after == before

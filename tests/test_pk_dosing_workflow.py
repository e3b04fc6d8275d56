"""pk/dosing.csv and pk/lambda_z.csv through the real workflow: reserved
stems, intervals.csv, and a control-file error naming file, row and column."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tests.conftest import run_snakemake

pytestmark = pytest.mark.e2e

HEADER = "animal_id,species,body_weight_kg,route,dose_mg_kg,analyte,time_h,concentration_ng_mL,lloq_ng_mL\n"
DOSE_TIMES = (0, 24, 48)
SAMPLE_TIMES = (0, 0.5, 1, 2, 4, 8, 24, 48, 48.5, 49, 50, 52, 56, 72)


def concentration(t):
    """Oral one-compartment superposition (ka 1.5/h, k 0.3/h)."""
    return sum(100 * (math.exp(-0.3 * (t - d)) - math.exp(-1.5 * (t - d))) for d in DOSE_TIMES if d < t)


def write_study(folder, name, extra_dosing=""):
    (folder / "pk").mkdir(parents=True)
    rows = [
        f"{a},rat,0.3,po,5,drug,{t:g},{concentration(t):.6g},0.01"
        if t > 0
        else f"{a},rat,0.3,po,5,drug,0,BLQ,0.01"
        for a in ("C1", "C2")
        for t in SAMPLE_TIMES
    ]
    (folder / "pk" / "chronic.csv").write_text(HEADER + "\n".join(rows) + "\n")
    dosing = "".join(f"{a},{d},5,po\n" for a in ("C1", "C2") for d in DOSE_TIMES)
    (folder / "pk" / "dosing.csv").write_text("animal_id,time_h,dose_mg_kg,route\n" + dosing + extra_dosing)
    (folder / "pk" / "lambda_z.csv").write_text(
        "animal_id,analyte,exclude_times_h,reason\nC1,drug,8,haemolysed\n"
    )
    (folder / "study.yaml").write_text(f"name: {name}\ncompound: drug\n")
    return folder


def test_dosing_and_lambda_z_files_drive_the_interval_table(workflow_copy, tmp_path):
    study = write_study(tmp_path / "study", "dosing_e2e")
    target = "results/dosing_e2e/pk/intervals.csv"
    run_snakemake(workflow_copy, target, "--config", f"study_dir={study}", check=True)
    results = workflow_copy / "results" / "dosing_e2e"
    assert sorted(p.name for p in (results / "validated" / "pk").glob("*.csv")) == [
        "chronic.csv",
        "chronic.warnings.csv",
    ]  # the reserved stems are not concentration files
    intervals = pd.read_csv(results / "pk" / "intervals.csv")
    assert list(intervals["dose_number"]) == [1, 2, 3, 1, 2, 3]
    day3 = intervals[(intervals["animal_id"] == "C2") & (intervals["dose_number"] == 3)].iloc[0]
    day1 = intervals[(intervals["animal_id"] == "C2") & (intervals["dose_number"] == 1)].iloc[0]
    assert day3["accumulation_ratio_observed"] == pytest.approx(
        day3["auc_tau_ng_h_mL"] / day1["auc_tau_ng_h_mL"], rel=1e-9
    )
    nca = pd.read_csv(results / "pk" / "nca.csv").set_index("animal_id")
    assert "lambda_z_points_excluded(haemolysed)" in nca.loc["C1", "flags"]
    assert "auc_0_24_ng_h_mL" in nca.columns


def test_dosing_record_without_samples_stops_the_run_naming_file_row_and_column(workflow_copy, tmp_path):
    study = write_study(tmp_path / "study", "dosing_ghost", extra_dosing="ghost,0,5,po\n")
    run = run_snakemake(workflow_copy, "--config", f"study_dir={study}")
    output = run.stdout + run.stderr
    assert run.returncode != 0
    line = next(x for x in output.splitlines() if x.startswith("INPUT ERROR"))
    assert "pk/dosing.csv" in line and "row 8" in line and "column 'animal_id'" in line
    control = workflow_copy / "results" / "dosing_ghost" / "validated" / "pk_control"
    assert not (control / "checked.csv").exists()  # the failed check leaves no output
    assert not (workflow_copy / "results" / "dosing_ghost" / "pk" / "nca.csv").exists()


def test_control_file_warnings_reach_the_inventory(workflow_copy, tmp_path):
    study = write_study(tmp_path / "study", "dosing_warned")
    dosing = study / "pk" / "dosing.csv"
    dosing.write_bytes(b"\xef\xbb\xbf" + dosing.read_bytes())  # a byte-order mark is removed with a warning
    target = "results/dosing_warned/inventory/warnings.csv"
    run_snakemake(workflow_copy, target, "--config", f"study_dir={study}", check=True)
    inventory = workflow_copy / "results" / "dosing_warned" / "inventory"
    warnings = pd.read_csv(inventory / "warnings.csv")
    control = warnings[warnings["kind"] == "pk_control"]
    assert list(control["file"]) == ["pk/dosing.csv"]
    assert "byte-order mark" in control["message"].iloc[0]
    files = pd.read_csv(inventory / "files.csv").set_index("name")
    assert files.loc["dosing", "kind"] == "pk_control" and files.loc["dosing", "n_warnings"] == 1
    assert files.loc["lambda_z", "n_warnings"] == 0


def test_dosing_workbook_is_read_as_the_control_file(workflow_copy, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    study = write_study(tmp_path / "study", "dosing_workbook")
    dosing = study / "pk" / "dosing.csv"
    book = openpyxl.Workbook()
    book.active.title = "doses"  # not 'pk': read as the first sheet, with a warning
    for line in dosing.read_text().splitlines():
        book.active.append([float(x) if x.replace(".", "").isdigit() else x for x in line.split(",")])
    book.save(study / "pk" / "dosing.xlsx")
    dosing.unlink()
    targets = ["results/dosing_workbook/pk/intervals.csv", "results/dosing_workbook/inventory/warnings.csv"]
    run_snakemake(workflow_copy, *targets, "--config", f"study_dir={study}", check=True)
    results = workflow_copy / "results" / "dosing_workbook"
    intervals = pd.read_csv(results / "pk" / "intervals.csv")
    assert list(intervals["dose_number"]) == [1, 2, 3, 1, 2, 3]
    warnings = pd.read_csv(results / "inventory" / "warnings.csv")
    control = warnings[warnings["kind"] == "pk_control"]
    assert list(control["file"]) == ["pk/dosing.xlsx"]
    assert "no sheet named 'pk'" in control["message"].iloc[0]

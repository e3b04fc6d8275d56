"""Validate a PK control file (pk/dosing.csv or pk/lambda_z.csv) against the
validated concentration files (scripts/validation/dosing.py)."""

from pathlib import Path

from scripts import validation
from scripts.rule_support import run_rule
from scripts.tables import read_csv, write_csv
from scripts.validation.dosing import check_dosing_has_samples


def main(smk):
    tables = [read_csv(p) for p in smk.input.tables]
    for table in tables:
        table["animal_id"] = table["animal_id"].astype(str)
    path = smk.input.table
    if Path(path).stem == "dosing":
        table, warnings = validation.validate_dosing(path)
        check_dosing_has_samples(table, path, tables)
    else:
        table, warnings = validation.validate_lambda_z(path, tables)
    write_csv(validation.warnings_frame(warnings), smk.output.warnings)
    write_csv(table, smk.output.table)


run_rule(snakemake, main)

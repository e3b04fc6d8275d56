"""Validate a PK control file, pk/dosing.csv or pk/lambda_z.csv, on its own
(scripts/validation/dosing.py); pk_control_check checks it against the
concentration files."""

from pathlib import Path

from scripts import validation
from scripts.rule_support import run_rule
from scripts.tables import write_csv


def main(smk):
    path = smk.input.table
    if Path(path).stem == "dosing":
        table, warnings = validation.validate_dosing(path)
    else:
        table, warnings = validation.validate_lambda_z(path)
    write_csv(validation.warnings_frame(warnings), smk.output.warnings)
    write_csv(table, smk.output.table)


run_rule(snakemake, main)

"""Validate one saturation binding file into its normalised table and warnings
(scripts/validation/saturation.py)."""

from scripts import validation
from scripts.rule_support import run_rule
from scripts.tables import write_csv


def main(smk):
    validation.set_limits(smk.params.limits)
    table, warnings = validation.validate_saturation(smk.input.table)
    write_csv(validation.warnings_frame(warnings), smk.output.warnings)
    write_csv(table, smk.output.table)


run_rule(snakemake, main)

"""Validate one competition binding file (a long CSV, or a plate grid with its
layout) into its normalised table and warnings (scripts/validation/binding.py)."""

from scripts import validation
from scripts.rule_support import run_rule
from scripts.tables import write_csv


def main(smk):
    validation.set_limits(smk.params.limits)
    if "layout" in smk.input.keys():  # noqa: SIM118 - 'in smk.input' tests the paths, not the names
        table, warnings = validation.validate_plate(smk.input.table, smk.input.layout)
    else:
        table, warnings = validation.validate_binding(smk.input.table)
    write_csv(validation.warnings_frame(warnings), smk.output.warnings)
    write_csv(table, smk.output.table)


run_rule(snakemake, main)

"""Validate one behavioural test file into its normalised table and warnings
(scripts/validation/behaviour.py)."""

from scripts import validation
from scripts.rule_support import run_rule
from scripts.tables import write_csv


def main(smk):
    validation.set_limits(smk.params.limits)
    table, warnings = validation.validate_behaviour(
        smk.input.table,
        smk.params.extra_tests,
        smk.params.vehicle_label,
        smk.params.treatments,
        smk.params.lookalikes,
    )
    write_csv(validation.warnings_frame(warnings), smk.output.warnings)
    write_csv(table, smk.output.table)


run_rule(snakemake, main)

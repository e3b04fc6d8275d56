"""Validate one raw input file into its normalised table and warnings file."""

from scripts import validation
from scripts.rule_support import run_rule
from scripts.tables import write_csv


def main(smk):
    kind = smk.rule.removeprefix("validate_")
    path = smk.input.table
    if kind == "binding" and "layout" in smk.input.keys():
        table, warnings = validation.validate_plate(path, smk.input.layout)
    elif kind == "binding":
        table, warnings = validation.validate_binding(path)
    elif kind == "saturation":
        table, warnings = validation.validate_saturation(path)
    elif kind == "behaviour":
        table, warnings = validation.validate_behaviour(
            path, smk.params.extra_tests, smk.params.vehicle_label, smk.params.treatments
        )
    else:
        table, warnings = validation.validate_pk(path)
    write_csv(validation.warnings_frame(warnings), smk.output.warnings)
    write_csv(table, smk.output.table)


run_rule(snakemake, main)

"""Validate one plasma concentration-time file into its normalised table and
warnings (scripts/validation/pk.py), against pk/dosing.csv when present."""

from scripts import validation
from scripts.rule_support import run_rule
from scripts.tables import write_csv


def main(smk):
    validation.set_limits(smk.params.limits)
    dosing = smk.input.get("dosing", [])
    dosing = [dosing] if isinstance(dosing, str) else list(dosing)
    table, warnings = validation.validate_pk(
        smk.input.table, dosing_path=dosing[0] if dosing else None, settings=dict(smk.params.pk)
    )
    write_csv(validation.warnings_frame(warnings), smk.output.warnings)
    write_csv(table, smk.output.table)


run_rule(snakemake, main)

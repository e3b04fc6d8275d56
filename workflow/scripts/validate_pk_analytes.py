"""Decide the parent compound among the study's PK analytes
(scripts/validation/crossfile.py); writes one row per analyte with its role."""

from scripts.rule_support import run_rule
from scripts.tables import read_csv, write_csv
from scripts.validation.crossfile import ANALYTE_COLUMNS, resolve_parent


def main(smk):
    tables = [read_csv(path) for path in smk.input.tables]
    analytes = resolve_parent(tables, smk.params.compound, smk.params.study_dir)
    write_csv(analytes, smk.output.analytes, columns=ANALYTE_COLUMNS)


run_rule(snakemake, main)

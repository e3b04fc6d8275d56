"""Check that each animal has one design across the study's behaviour files
(scripts/validation/crossfile.py); writes one row per animal."""

from scripts.rule_support import run_rule
from scripts.tables import read_csv, write_csv
from scripts.validation.crossfile import ANIMAL_COLUMNS, check_animals


def main(smk):
    tables = [read_csv(path) for path in smk.input.tables]
    write_csv(check_animals(tables, smk.params.study_dir), smk.output.animals, columns=ANIMAL_COLUMNS)


run_rule(snakemake, main)

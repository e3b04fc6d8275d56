"""Record input checksums, software versions and the pipeline revision (scripts/provenance.py)."""

from scripts.provenance import input_checksums, software_versions
from scripts.rule_support import run_rule
from scripts.tables import write_csv


def main(smk):
    write_csv(input_checksums(list(smk.input)), smk.output.inputs)
    write_csv(software_versions(), smk.output.software)


run_rule(snakemake, main)

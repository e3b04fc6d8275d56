"""Render results/<study>/report.html from the study's result tables."""

from pathlib import Path

from scripts.report import generated_now, write_report
from scripts.rule_support import run_rule


def main(smk):
    out = Path(smk.output[0])
    write_report(out.parent, dict(smk.params.config), generated_now(), out)


run_rule(snakemake, main)

"""Render results/<study>/report.html from the study's result tables."""

from datetime import datetime, timezone
from pathlib import Path

from scripts.report import write_report
from scripts.rule_support import run_rule


def main(smk):
    out = Path(smk.output[0])
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    write_report(out.parent, dict(smk.params.config), generated, out)


run_rule(snakemake, main)

"""The pooled Ki beside the reference Ki of the compound's reference file
(scripts/binding/literature.py)."""

import pandas as pd
import yaml

from scripts.binding import literature
from scripts.rule_support import run_rule
from scripts.tables import read_csv, write_csv


def main(smk):
    summary = read_csv(smk.input.summary)
    reference = None
    if hasattr(smk.input, "reference"):
        with open(smk.input.reference, encoding="utf-8") as handle:
            reference = yaml.safe_load(handle)
    table = literature.literature_comparison(summary, reference, smk.params.overrides)
    write_csv(pd.DataFrame(table), smk.output.table, columns=literature.LITERATURE_COLUMNS)


run_rule(snakemake, main)

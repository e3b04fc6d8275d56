"""The pooled Ki beside the reference Ki of the compound's reference file
(scripts/binding/literature.py)."""

import json

import pandas as pd
import yaml

from scripts.binding import literature
from scripts.rule_support import run_rule
from scripts.tables import read_csv, write_csv
from scripts.validation.study import chosen_reference, reference_paths


def main(smk):
    summary = read_csv(smk.input.summary)
    paths = reference_paths(smk.input.reference) if hasattr(smk.input, "reference") else []
    path = paths[0] if paths else None  # the study's own file or its compound's
    if hasattr(smk.input, "study"):  # the compound inferred from the data: pick its file
        with open(smk.input.study, encoding="utf-8") as handle:
            path = chosen_reference(paths, json.load(handle))
    reference = None
    if path is not None:
        with open(path, encoding="utf-8") as handle:
            reference = yaml.safe_load(handle)
    table = literature.literature_comparison(summary, reference, smk.params.overrides)
    write_csv(pd.DataFrame(table), smk.output.table, columns=literature.LITERATURE_COLUMNS)


run_rule(snakemake, main)

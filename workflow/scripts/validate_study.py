"""Validate study.yaml (optional) and write it, defaults filled in, as JSON."""

import json

from scripts.rule_support import run_rule
from scripts.validation import validate_study


def main(smk):
    meta = validate_study(smk.params.study_dir)
    with open(smk.output[0], "w", encoding="utf-8") as handle:
        json.dump(meta, handle, indent=2, sort_keys=True, ensure_ascii=False)
        handle.write("\n")


run_rule(snakemake, main)

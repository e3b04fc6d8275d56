"""Write study.yaml (optional), validated at parse time with defaults filled in
(scripts/validation/study.py), as JSON."""

import json

from scripts.rule_support import run_rule


def main(smk):
    with open(smk.output[0], "w", encoding="utf-8") as handle:
        json.dump(dict(smk.params.meta), handle, indent=2, sort_keys=True, ensure_ascii=False)
        handle.write("\n")


run_rule(snakemake, main)

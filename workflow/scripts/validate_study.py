"""Write study.yaml (optional), validated at parse time with defaults filled in, as JSON."""

import json

from scripts.rule_support import run_rule


def main(smk):
    meta = dict(smk.params.meta)
    with open(smk.output[0], "w", encoding="utf-8") as handle:
        json.dump(meta, handle, indent=2, sort_keys=True, ensure_ascii=False)
        handle.write("\n")


run_rule(snakemake, main)

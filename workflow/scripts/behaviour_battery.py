"""Battery level: FST (and declared extra tests') vs open-field confound check, design flags and the
exclusions of every test in one table (scripts/behaviour/battery.py)."""

import logging

import pandas as pd

from scripts.behaviour import battery
from scripts.behaviour.tables import EXCLUSION_COLUMNS
from scripts.rule_support import run_rule
from scripts.tables import read_csv, write_csv


def _by_test(paths, tests):
    return {test: read_csv(path) for test, path in zip(tests, paths)}


def main(smk):
    tests = list(smk.params.tests)
    summaries = _by_test(smk.input.summaries, tests)
    comparisons = _by_test(smk.input.comparisons, tests)
    confounds, flags = battery.battery_outputs(
        comparisons, summaries, float(smk.params.alpha), dict(smk.params.extra_tests)
    )
    for _, row in confounds.iterrows():
        logging.info(
            "%s %s %s %g mg/kg: %s",
            row["test"],
            row["regimen"],
            row["treatment"],
            row["dose_mg_kg"],
            row["classification"],
        )
    for _, row in flags[flags["raised"]].iterrows():
        logging.warning("battery flag %s: %s", row["flag"], row["detail"])
    exclusions = pd.concat([read_csv(p) for p in smk.input.exclusions], ignore_index=True)
    exclusions["excluded_animals"] = exclusions["excluded_animals"].fillna("")
    write_csv(confounds, smk.output.confounds, columns=battery.CONFOUND_COLUMNS)
    write_csv(flags, smk.output.flags, columns=battery.BATTERY_FLAG_COLUMNS)
    write_csv(exclusions, smk.output.exclusions, columns=EXCLUSION_COLUMNS)


run_rule(snakemake, main)

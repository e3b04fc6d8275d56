"""Group statistics of one behavioural test against vehicle, and its figure
(scripts/behaviour/analysis.py)."""

import logging

from scripts.behaviour import analysis, figures
from scripts.behaviour.endpoints import LONG_COLUMNS
from scripts.behaviour.tables import (
    COMPARISON_COLUMNS,
    DECISION_COLUMNS,
    EXCLUSION_COLUMNS,
    OMNIBUS_COLUMNS,
    SUMMARY_COLUMNS,
)
from scripts.behaviour.two_way import TWO_WAY_COLUMNS
from scripts.plotting import save_figure
from scripts.rule_support import run_rule
from scripts.tables import read_csv, write_csv


def main(smk):
    test = smk.wildcards.test
    settings = dict(smk.params.behaviour, fst_window_min=list(smk.params.fst_window_min))
    treatments = [smk.params.compound] if smk.params.compound else []
    result = analysis.analyse_test(
        read_csv(smk.input.table), test, settings, dict(smk.params.extra_tests), treatments
    )
    for _, row in result["decisions"].iterrows():
        logging.info(
            "%s %s %s: %s (%s)", test, row["endpoint"], row["regimen"], row["omnibus_method"], row["reason"]
        )
    flagged = result["summary"][result["summary"]["flag"] != ""]
    for _, row in flagged.iterrows():
        logging.warning("%s %s %s %s: %s", test, row["endpoint"], row["regimen"], row["group"], row["flag"])
    write_csv(result["summary"], smk.output.summary, columns=SUMMARY_COLUMNS)
    write_csv(result["omnibus"], smk.output.omnibus, columns=OMNIBUS_COLUMNS)
    write_csv(result["comparisons"], smk.output.comparisons, columns=COMPARISON_COLUMNS)
    write_csv(result["decisions"], smk.output.decisions, columns=DECISION_COLUMNS)
    write_csv(result["exclusions"], smk.output.exclusions, columns=EXCLUSION_COLUMNS)
    write_csv(result["two_way"], smk.output.two_way, columns=TWO_WAY_COLUMNS)
    write_csv(result["long"], smk.output.endpoints, columns=LONG_COLUMNS)
    figure = figures.plot_test(
        result["long"],
        result["comparisons"],
        treatments=treatments,
        fst_window_min=settings["fst_window_min"],
    )
    save_figure(figure, smk.output.figure)


run_rule(snakemake, main)

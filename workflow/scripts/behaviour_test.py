"""Group statistics of one behavioural test against vehicle, and its figure
(rules in scripts/behaviour.py)."""

import logging

from scripts import behaviour
from scripts.plotting import save_figure
from scripts.rule_support import run_rule
from scripts.tables import read_csv, write_csv


def main(smk):
    test = smk.wildcards.test
    config = dict(smk.params.behaviour)
    if smk.params.fst_window_min:
        config["fst_window_min"] = list(smk.params.fst_window_min)
    table = read_csv(smk.input.table)
    result = behaviour.analyse_test(table, test, config, dict(smk.params.extra_tests),
                                    treatments=[smk.params.compound],
                                    method=config.get("method", "auto"))
    for _, row in result["decisions"].iterrows():
        logging.info("%s %s %s: %s (%s)", test, row["endpoint"], row["regimen"],
                     row["omnibus_method"], row["reason"])
    flagged = result["summary"][result["summary"]["flag"] != ""]
    for _, row in flagged.iterrows():
        logging.warning("%s %s %s %s: %s", test, row["endpoint"], row["regimen"],
                        row["group"], row["flag"])
    write_csv(result["summary"], smk.output.summary, columns=behaviour.SUMMARY_COLUMNS)
    write_csv(result["omnibus"], smk.output.omnibus, columns=behaviour.OMNIBUS_COLUMNS)
    write_csv(result["comparisons"], smk.output.comparisons,
              columns=behaviour.COMPARISON_COLUMNS)
    write_csv(result["decisions"], smk.output.decisions, columns=behaviour.DECISION_COLUMNS)
    write_csv(result["exclusions"], smk.output.exclusions,
              columns=behaviour.EXCLUSION_COLUMNS)
    write_csv(result["two_way"], smk.output.two_way, columns=behaviour.TWO_WAY_COLUMNS)
    write_csv(result["long"], smk.output.endpoints, columns=behaviour.LONG_COLUMNS)
    figure = behaviour.plot_test(result["long"], result["comparisons"],
                                 treatments=[smk.params.compound])
    save_figure(figure, smk.output.figure)


run_rule(snakemake, main)

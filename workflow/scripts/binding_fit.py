"""Fit every competition curve of one validated binding assay file and draw
its curves (scripts/binding/fitting.py)."""

import logging

from scripts.binding import figures, fitting, specific
from scripts.plotting import save_figure
from scripts.rule_support import run_rule
from scripts.tables import read_csv, write_csv


def main(smk):
    table = read_csv(smk.input.table)
    fits = fitting.fit_assay(table, smk.params.binding)
    for _, curve in fits.iterrows():
        logging.info(
            "%s %s %s: %s, LogIC50 %.4g, Hill %.3g, flags: %s",
            curve["receptor"],
            curve["species"],
            curve["compound"],
            curve["status"],
            curve[f"{curve['ki_model']}_log_ic50"],
            curve["variable_slope_hill_slope"],
            curve["flags"] or "none",
        )
    write_csv(fits, smk.output.fits, columns=fitting.FIT_COLUMNS)
    points = specific.specific_binding(table)
    assay = str(table["assay"].iloc[0]) if len(table) else ""
    save_figure(figures.plot_assay_curves(points, fits, title=assay), smk.output.figure)


run_rule(snakemake, main)

"""Fit every competition curve of one validated binding assay file and draw
its curves (rules in scripts/binding.py)."""

import logging

from scripts import binding
from scripts.plotting import save_figure
from scripts.rule_support import run_rule
from scripts.tables import read_csv, write_csv


def main(smk):
    table = read_csv(smk.input.table)
    options = binding.settings(dict(smk.params.binding), binding.FIT_SETTINGS)
    fits = binding.fit_assay(table, smk.input.table, **options)
    for _, curve in fits.iterrows():
        logging.info("%s %s %s: %s, LogIC50 %.4g, Hill %.3g, flags: %s", curve["receptor"],
                     curve["species"], curve["compound"], curve["status"],
                     curve[f"{curve['ki_model']}_log_ic50"], curve["variable_slope_hill_slope"],
                     curve["flags"] or "none")
    write_csv(fits, smk.output.fits, columns=binding.FIT_COLUMNS)
    points = binding.specific_binding(table, smk.input.table)
    assay = str(table["assay"].iloc[0]) if len(table) else ""
    save_figure(binding.plot_assay_curves(points, fits, title=assay), smk.output.figure)


run_rule(snakemake, main)

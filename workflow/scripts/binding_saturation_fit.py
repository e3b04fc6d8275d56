"""Global total + NSB fit of one validated saturation file, and its figure
(scripts/binding/saturation.py)."""

import logging

from scripts.binding import figures, saturation
from scripts.plotting import save_figure
from scripts.rule_support import run_rule
from scripts.tables import read_csv, write_csv


def main(smk):
    table = read_csv(smk.input.table)
    fits = saturation.fit_saturation_assay(table, smk.params.binding)
    for _, fit in fits.iterrows():
        logging.info(
            "%s %s %s: %s, Kd %.4g nM (%.4g-%.4g), Bmax %.4g, flags: %s",
            fit["receptor"],
            fit["species"],
            fit["radioligand"],
            fit["status"],
            fit["kd_nM"],
            fit["kd_ci_low_nM"],
            fit["kd_ci_high_nM"],
            fit["bmax"],
            fit["flags"] or "none",
        )
    write_csv(fits, smk.output.fits, columns=saturation.SATURATION_FIT_COLUMNS)
    assay = str(table["assay"].iloc[0]) if len(table) else ""
    save_figure(figures.plot_saturation(table, fits, title=assay), smk.output.figure)


run_rule(snakemake, main)

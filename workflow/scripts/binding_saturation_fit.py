"""Global total + NSB fit of one validated saturation file, and its figure
(rules in scripts/binding.py)."""

import logging

from scripts import binding
from scripts.plotting import save_figure
from scripts.rule_support import run_rule
from scripts.tables import read_csv, write_csv


def main(smk):
    table = read_csv(smk.input.table)
    options = binding.settings(dict(smk.params.binding), binding.SATURATION_SETTINGS)
    fits = binding.fit_saturation_assay(table, smk.input.table, **options)
    for _, fit in fits.iterrows():
        logging.info("%s %s %s: %s, Kd %.4g nM (%.4g-%.4g), Bmax %.4g, flags: %s",
                     fit["receptor"], fit["species"], fit["radioligand"], fit["status"],
                     fit["kd_nM"], fit["kd_ci_low_nM"], fit["kd_ci_high_nM"], fit["bmax"],
                     fit["flags"] or "none")
    write_csv(fits, smk.output.fits, columns=binding.SATURATION_FIT_COLUMNS)
    assay = str(table["assay"].iloc[0]) if len(table) else ""
    save_figure(binding.plot_saturation(table, fits, title=assay), smk.output.figure)


run_rule(snakemake, main)

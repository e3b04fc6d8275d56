"""Study-level PK tables and figure from the per-file NCA results."""

import logging

import pandas as pd

from scripts import pk
from scripts.plotting import save_figure
from scripts.rule_support import run_rule
from scripts.tables import read_csv, write_csv


def concat(paths):
    frames = [read_csv(p) for p in paths]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def main(smk):
    settings = dict(smk.params.pk)
    data = concat(smk.input.tables)
    # Profiles split across files would escape the per-file checks.
    pk.check_pk_table(data, file="pk files")
    nca = concat(smk.input.nca)
    nca["flags"] = nca["flags"].fillna("")
    sparse = concat(smk.input.sparse)
    write_csv(nca, smk.output.nca, columns=pk.NCA_COLUMNS)
    write_csv(pk.summary_table(nca, sparse), smk.output.summary, columns=pk.SUMMARY_COLUMNS)
    bioavailability = pk.bioavailability_table(nca, settings, sparse)
    for _, row in bioavailability.iterrows():
        logging.info("F %s %s %g mg/kg: %.4g (%.4g-%.4g) by %s", row["analyte"], row["route"],
                     row["dose_mg_kg"], row["f"], row["f_ci_low"], row["f_ci_high"], row["method"])
    write_csv(bioavailability, smk.output.bioavailability, columns=pk.BIOAVAILABILITY_COLUMNS)
    write_csv(pk.metabolite_table(nca, smk.params.parent), smk.output.metabolites,
              columns=pk.METABOLITE_COLUMNS)
    write_csv(pk.detectability_table(data), smk.output.detectability, columns=pk.DETECTABILITY_COLUMNS)
    write_csv(pk.dose_proportionality_table(nca, settings), smk.output.dose_proportionality,
              columns=pk.DOSE_PROPORTIONALITY_COLUMNS)
    save_figure(pk.plot_concentration_time(data), smk.output.figure)


run_rule(snakemake, main)

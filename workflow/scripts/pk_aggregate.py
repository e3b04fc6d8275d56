"""Study-level PK tables and figure from the per-file NCA results (rules in
scripts/pk/aggregate.py)."""

import logging

import pandas as pd

from scripts.pk import aggregate, figures
from scripts.plotting import save_figure
from scripts.rule_support import run_rule
from scripts.tables import read_csv, write_csv
from scripts.validation.crossfile import parent_analyte


def concat(paths):
    frames = [read_csv(p) for p in paths]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def main(smk):
    data = concat(smk.input.tables)
    settings = dict(smk.params.pk)
    tables = aggregate.study_tables(
        data,
        concat(smk.input.nca),
        concat(smk.input.sparse),
        settings,
        parent_analyte(read_csv(smk.input.analytes)),
        intervals=concat(smk.input.intervals),
    )
    for _, row in tables["bioavailability"].iterrows():
        logging.info(
            "F %s %s %g mg/kg: %.4g (%.4g-%.4g) by %s",
            row["analyte"],
            row["route"],
            row["dose_mg_kg"],
            row["f"],
            row["f_ci_low"],
            row["f_ci_high"],
            row["method"],
        )
    for name, columns in aggregate.table_columns(settings).items():
        write_csv(tables[name], smk.output[name], columns=columns)
    save_figure(figures.plot_concentration_time(data), smk.output.figure)


run_rule(snakemake, main)

"""NCA of one validated PK file: profile table, Bailer sparse AUCs, λz points,
dosing intervals and the λz diagnostic figure (rules in scripts/pk/nca.py and
scripts/pk/intervals.py)."""

import logging

import pandas as pd

from scripts.pk import conventions, figures, nca
from scripts.plotting import save_figure
from scripts.rule_support import run_rule
from scripts.tables import read_csv, write_csv
from scripts.validation.crossfile import parent_analyte


def control_table(smk, name):
    """The validated pk/<name>.csv control table, or None when not given."""
    paths = smk.input.get(name, [])
    paths = [paths] if isinstance(paths, str) else list(paths)
    return pd.read_csv(paths[0], dtype={"animal_id": str, "analyte": str}) if paths else None


def main(smk):
    table = read_csv(smk.input.table)
    settings = dict(smk.params.pk)
    profiles, points, sparse, intervals = nca.nca_outputs(
        table,
        settings,
        parent=parent_analyte(read_csv(smk.input.analytes)),
        dosing=control_table(smk, "dosing"),
        lambda_z=control_table(smk, "lambda_z"),
    )
    logging.info(
        "%s: %d profiles, %d with lambda_z, %d without a quantifiable sample, %d dosing intervals",
        smk.input.table,
        len(profiles),
        int(profiles["lambda_z_per_h"].notna().sum()),
        int(profiles["flags"].str.contains("no_quantifiable_sample").sum()),
        len(intervals),
    )
    columns = conventions.nca_columns(settings["partial_auc_intervals_h"])
    write_csv(profiles, smk.output.nca, columns=columns)
    write_csv(sparse, smk.output.sparse, columns=conventions.SPARSE_COLUMNS)
    write_csv(points, smk.output.points, columns=conventions.LAMBDA_Z_POINT_COLUMNS)
    write_csv(intervals, smk.output.intervals, columns=conventions.INTERVAL_COLUMNS)
    save_figure(figures.plot_lambda_z_diagnostics(points, profiles), smk.output.figure)


run_rule(snakemake, main)

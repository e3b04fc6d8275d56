"""NCA of one validated PK file: profile table, Bailer sparse AUCs, λz points
and the λz diagnostic figure (rules in scripts/pk/nca.py)."""

import logging

from scripts.pk import conventions, figures, nca
from scripts.plotting import save_figure
from scripts.rule_support import run_rule
from scripts.tables import read_csv, write_csv
from scripts.validation.crossfile import parent_analyte


def main(smk):
    table = read_csv(smk.input.table)
    profiles, points, sparse = nca.nca_outputs(
        table, dict(smk.params.pk), parent=parent_analyte(read_csv(smk.input.analytes))
    )
    logging.info(
        "%s: %d profiles, %d with lambda_z, %d without a quantifiable sample",
        smk.input.table,
        len(profiles),
        int(profiles["lambda_z_per_h"].notna().sum()),
        int(profiles["flags"].str.contains("no_quantifiable_sample").sum()),
    )
    write_csv(profiles, smk.output.nca, columns=conventions.NCA_COLUMNS)
    write_csv(sparse, smk.output.sparse, columns=conventions.SPARSE_COLUMNS)
    write_csv(points, smk.output.points, columns=conventions.LAMBDA_Z_POINT_COLUMNS)
    save_figure(figures.plot_lambda_z_diagnostics(points, profiles), smk.output.figure)


run_rule(snakemake, main)

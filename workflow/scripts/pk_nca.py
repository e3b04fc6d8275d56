"""NCA of one validated PK file: profile table, Bailer sparse AUCs, λz points
and the λz diagnostic figure (rules in scripts/pk.py)."""

import logging

from scripts import pk
from scripts.plotting import save_figure
from scripts.rule_support import run_rule
from scripts.tables import read_csv, write_csv


def main(smk):
    table = read_csv(smk.input.table)
    nca, points, sparse = pk.nca_outputs(table, dict(smk.params.pk), file=smk.input.table,
                                         parent=smk.params.parent)
    logging.info("%s: %d profiles, %d with lambda_z, %d without a quantifiable sample",
                 smk.input.table, len(nca), int(nca["lambda_z_per_h"].notna().sum()),
                 int(nca["flags"].str.contains("no_quantifiable_sample").sum()))
    write_csv(nca, smk.output.nca, columns=pk.NCA_COLUMNS)
    write_csv(sparse, smk.output.sparse, columns=pk.SPARSE_COLUMNS)
    write_csv(points, smk.output.points, columns=pk.LAMBDA_Z_POINT_COLUMNS)
    save_figure(pk.plot_lambda_z_diagnostics(points, nca), smk.output.figure)


run_rule(snakemake, main)

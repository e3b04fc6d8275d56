"""Study-level binding tables and the pKi figure from the per-file fits:
Ki per curve (Cheng–Prusoff, scripts/binding/aggregate.py), Ki pooled over
independent experiments (scripts/binding/pooling.py), saturation Kd/Bmax,
species comparison and selectivity (scripts/binding/species.py)."""

import logging

import pandas as pd

from scripts.binding import aggregate, figures, fitting, pooling, saturation, species
from scripts.plotting import save_figure
from scripts.rule_support import run_rule
from scripts.tables import read_csv, write_csv


def concat(paths, columns):
    frames = [read_csv(p) for p in paths]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    table["flags"] = table["flags"].fillna("").astype(str)
    return table


def main(smk):
    options = smk.params.binding
    fits = concat(smk.input.fits, fitting.FIT_COLUMNS)
    saturation_fits = concat(smk.input.saturation, saturation.SATURATION_FIT_COLUMNS)
    ki = aggregate.aggregate_ki(fits, saturation_fits)
    logging.info(
        "%d curves, %d with a Ki, %d flagged; Kd from saturation for %d",
        len(ki),
        int(ki["ki_nM"].notna().sum()),
        int((ki["flags"] != "").sum()),
        int((ki["kd_source"] == "saturation").sum()),
    )
    write_csv(ki, smk.output.ki, columns=aggregate.KI_COLUMNS)
    summary = pooling.ki_summary(ki)
    write_csv(summary, smk.output.ki_summary, columns=pooling.KI_SUMMARY_COLUMNS)
    write_csv(
        saturation.saturation_table(saturation_fits),
        smk.output.saturation,
        columns=saturation.SATURATION_COLUMNS,
    )
    write_csv(
        pooling.saturation_summary(saturation_fits),
        smk.output.saturation_summary,
        columns=pooling.SATURATION_SUMMARY_COLUMNS,
    )
    comparison = species.species_comparison(ki, species_ratio_flag=options["species_ratio_flag"])
    write_csv(comparison, smk.output.species, columns=list(comparison.columns))
    selectivity = species.selectivity_profile(ki, primary_target=options["primary_target"])
    write_csv(selectivity, smk.output.selectivity, columns=list(selectivity.columns))
    save_figure(figures.plot_pki_by_receptor(ki, summary), smk.output.figure)
    save_figure(figures.plot_species_overlay(fits, summary), smk.output.overlay)


run_rule(snakemake, main)

"""Study-level binding tables and the pKi figure from the per-file fits:
Ki (Cheng–Prusoff), saturation Kd/Bmax, species comparison, selectivity."""

import logging

import pandas as pd

from scripts import binding
from scripts.plotting import save_figure
from scripts.rule_support import run_rule
from scripts.tables import read_csv, write_csv


def concat(paths, columns):
    frames = [read_csv(p) for p in paths]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    table["flags"] = table["flags"].fillna("").astype(str)
    return table


def main(smk):
    options = binding.settings(dict(smk.params.binding), binding.STUDY_SETTINGS)
    fits = concat(smk.input.fits, binding.FIT_COLUMNS)
    saturation = concat(smk.input.saturation, binding.SATURATION_FIT_COLUMNS)
    ki = binding.aggregate_ki(fits, saturation)
    logging.info("%d curves, %d with a Ki, %d flagged; Kd from saturation for %d",
                 len(ki), int(ki["ki_nM"].notna().sum()), int((ki["flags"] != "").sum()),
                 int((ki["kd_source"] == "saturation").sum()))
    write_csv(ki, smk.output.ki, columns=binding.KI_COLUMNS)
    write_csv(binding.saturation_table(saturation), smk.output.saturation,
              columns=binding.SATURATION_COLUMNS)
    species = binding.species_comparison(ki, species_ratio_flag=options["species_ratio_flag"])
    write_csv(species, smk.output.species, columns=list(species.columns))
    selectivity = binding.selectivity_profile(ki, primary_target=options["primary_target"])
    write_csv(selectivity, smk.output.selectivity, columns=list(selectivity.columns))
    save_figure(binding.plot_pki_by_receptor(ki), smk.output.figure)


run_rule(snakemake, main)

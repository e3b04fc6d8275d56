"""Translation: join the areas' result tables with the human reference and
write the exposure, dose-translation, occupancy and risk-flag tables."""

import json
import logging

from scripts import translation as tr
from scripts.plotting import save_figure
from scripts.rule_support import run_rule
from scripts.tables import read_csv, write_csv


def _table(smk, name):
    """A result table of an area, or None when that area was not provided."""
    return read_csv(smk.input[name]) if name in smk.input.keys() else None


def main(smk):
    with open(smk.input.study, encoding="utf-8") as handle:
        study = json.load(handle)
    reference = None
    if "reference" in smk.input.keys():
        reference = tr.apply_overrides(tr.load_reference(smk.input.reference),
                                       study.get("human_reference"), file="study.yaml")
    else:
        logging.warning("no human reference for %s: human-side outputs are empty", study.get("compound"))
    comparisons = None
    if "comparisons" in smk.input.keys():
        import pandas as pd

        comparisons = pd.concat([read_csv(p) for p in smk.input.comparisons], ignore_index=True)
    out = tr.translate(
        study, reference, smk.params.translation,
        behaviour_groups=read_csv(smk.input.behaviour_groups), comparisons=comparisons,
        confounds=_table(smk, "confounds"), ki=_table(smk, "ki"), nca=_table(smk, "nca"),
        bioavailability=_table(smk, "bioavailability"), metabolites=_table(smk, "metabolites"),
        alpha=smk.params.alpha, max_auc_pct_extrap=smk.params.max_auc_pct_extrap,
    )
    logging.info("effective doses (mg/kg): %s", out["effective_doses"])
    write_csv(out["exposure"], smk.output.exposure, columns=tr.EXPOSURE_COLUMNS)
    write_csv(out["exposure_ratios"], smk.output.exposure_ratios, columns=tr.EXPOSURE_RATIO_COLUMNS)
    write_csv(out["dose_translation"], smk.output.dose_translation, columns=tr.DOSE_TRANSLATION_COLUMNS)
    write_csv(out["occupancy"], smk.output.occupancy, columns=tr.OCCUPANCY_COLUMNS)
    write_csv(out["ki_used"], smk.output.ki_used, columns=tr.KI_USED_COLUMNS)
    write_csv(out["flags"], smk.output.flags, columns=tr.FLAG_COLUMNS)
    write_csv(out["reference"], smk.output.reference, columns=tr.REFERENCE_COLUMNS)
    therapeutic = (tr.ref_range(reference, "therapeutic_range_ng_mL") if reference else (30.0, 80.0))
    save_figure(tr.plot_exposure(out["exposure"], therapeutic), smk.output.exposure_figure)
    save_figure(tr.plot_occupancy(out["occupancy"]), smk.output.occupancy_figure)


run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)

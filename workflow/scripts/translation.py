"""Translation: join the areas' result tables with the human reference and
write the exposure, dose-translation, occupancy, effective-dose and
risk-flag tables and the two figures."""

import json
import logging

import pandas as pd

from scripts import translation as tr
from scripts.plotting import save_figure
from scripts.rule_support import run_rule
from scripts.tables import read_csv, write_csv
from scripts.translation.dose_prediction import DOSE_PREDICTION_COLUMNS
from scripts.translation.exposure_response import EXPOSURE_RESPONSE_COLUMNS
from scripts.translation.human_pk import HUMAN_STEADY_STATE_COLUMNS
from scripts.translation.occupancy_time import AT_TEST_COLUMNS, OCCUPANCY_TIME_COLUMNS, kp_uu_note
from scripts.translation.time_figures import plot_exposure_response, plot_occupancy_time
from scripts.validation.study import chosen_reference


def _given(smk, name) -> bool:
    """Whether the rule has the input *name* (an area's tables are inputs
    only when the study provides that area)."""
    return name in smk.input.keys()  # noqa: SIM118 - `in` on a Namedlist tests its values


def _table(smk, name):
    """A result table of an area, or None when that area was not provided."""
    return read_csv(smk.input[name]) if _given(smk, name) else None


def main(smk):
    with open(smk.input.study, encoding="utf-8") as handle:
        study = json.load(handle)
    reference = None
    path = chosen_reference(smk.input.reference if _given(smk, "reference") else [], study)
    if path is not None:
        reference = tr.apply_overrides(
            tr.load_reference(path), study.get("human_reference"), file="study.yaml"
        )
    else:
        logging.warning(
            "no human reference for %s: human-side outputs are empty", study.get("compound", "the compound")
        )
    comparisons = None
    if _given(smk, "comparisons"):
        comparisons = pd.concat([read_csv(p) for p in smk.input.comparisons], ignore_index=True)
    sexes = set()
    if _given(smk, "endpoints"):
        for path in smk.input.endpoints:
            endpoints = read_csv(path)
            sexes |= set(endpoints.loc[~endpoints["excluded"].astype(bool), "sex"].astype(str))
    cfg = smk.params.translation
    out = tr.translate(
        study,
        reference,
        cfg,
        alpha=smk.params.alpha,
        max_auc_pct_extrap=smk.params.max_auc_pct_extrap,
        species_ratio_flag=smk.params.species_ratio_flag,
        vehicle_label=smk.params.vehicle_label,
        behaviour_groups=read_csv(smk.input.behaviour_groups),
        pk_design=read_csv(smk.input.pk_design),
        receptors=read_csv(smk.input.receptors),
        sexes=sorted(sexes),
        comparisons=comparisons,
        confounds=_table(smk, "confounds"),
        ki=_table(smk, "ki"),
        species_comparison=_table(smk, "species_comparison"),
        nca=_table(smk, "nca"),
        bioavailability=_table(smk, "bioavailability"),
        metabolites=_table(smk, "metabolites"),
        detectability=_table(smk, "detectability"),
        proportionality=_table(smk, "proportionality"),
        pk=pd.concat([read_csv(p) for p in smk.input.pk], ignore_index=True) if _given(smk, "pk") else None,
        endpoints=(
            pd.concat([read_csv(p) for p in smk.input.endpoints], ignore_index=True)
            if _given(smk, "endpoints")
            else None
        ),
    )
    logging.info("effective doses (mg/kg): %s", out["effective_doses"])
    write_csv(out["exposure"], smk.output.exposure, columns=tr.EXPOSURE_COLUMNS)
    write_csv(out["exposure_ratios"], smk.output.exposure_ratios, columns=tr.EXPOSURE_RATIO_COLUMNS)
    write_csv(out["dose_translation"], smk.output.dose_translation, columns=tr.DOSE_TRANSLATION_COLUMNS)
    write_csv(out["occupancy"], smk.output.occupancy, columns=tr.OCCUPANCY_COLUMNS)
    write_csv(out["ki_used"], smk.output.ki_used, columns=tr.KI_USED_COLUMNS)
    write_csv(out["species_ki"], smk.output.species_ki, columns=tr.SPECIES_KI_COLUMNS)
    write_csv(out["effective_results"], smk.output.effective_doses, columns=tr.EFFECTIVE_COLUMNS)
    write_csv(out["flags"], smk.output.flags, columns=tr.FLAG_COLUMNS)
    write_csv(out["effect_context"], smk.output.effect_context, columns=tr.CONTEXT_COLUMNS)
    write_csv(out["reference"], smk.output.reference, columns=tr.REFERENCE_COLUMNS)
    for text in out["warnings"]:
        logging.warning("human steady state: %s", text)
    write_csv(out["human_steady_state"], smk.output.human_steady_state, columns=HUMAN_STEADY_STATE_COLUMNS)
    write_csv(out["at_test"], smk.output.exposure_at_test, columns=AT_TEST_COLUMNS)
    write_csv(out["occupancy_time"], smk.output.occupancy_time, columns=OCCUPANCY_TIME_COLUMNS)
    write_csv(out["occupancy_summary"], smk.output.occupancy_summary)
    write_csv(out["exposure_response"], smk.output.exposure_response, columns=EXPOSURE_RESPONSE_COLUMNS)
    write_csv(out["human_dose_prediction"], smk.output.human_dose_prediction, columns=DOSE_PREDICTION_COLUMNS)
    save_figure(
        plot_exposure_response(
            out["exposure_response_points"], out["exposure_response"], out["exposure_response_curves"]
        ),
        smk.output.exposure_response_figure,
    )
    tau = float(cfg["dosing_interval_h"])
    save_figure(
        plot_occupancy_time(out["occupancy_time"], kp_uu_note(study, cfg), tau),
        smk.output.occupancy_time_figure,
    )
    save_figure(tr.plot_exposure(out["exposure"], out["therapeutic_range"], tau), smk.output.exposure_figure)
    save_figure(tr.plot_occupancy(out["occupancy"], tau), smk.output.occupancy_figure)


run_rule(snakemake, main)  # noqa: F821 (injected by Snakemake)

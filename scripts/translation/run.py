"""The whole translation of one study: everything the ``translation`` rule
writes, from the areas' result tables, the validated study metadata and
the human reference."""

from __future__ import annotations

import pandas as pd

from scripts.translation.dose_prediction import (
    DOSE_PREDICTION_COLUMNS,
    dose_prediction_flags,
    human_dose_prediction,
)
from scripts.translation.effective import doses_of, effective_results, tested_doses
from scripts.translation.exposure import (
    EXPOSURE_COLUMNS,
    EXPOSURE_RATIO_COLUMNS,
    exposure_ratios,
    human_exposure,
    parent_nca_groups,
    rat_exposure,
    rat_half_life,
)
from scripts.translation.exposure_response import EXPOSURE_RESPONSE_COLUMNS, exposure_response
from scripts.translation.flags import (
    FLAG_COLUMNS,
    flag_acute_only,
    flag_confounds,
    flag_dose_scaling,
    flag_occupancy,
    flag_single_model,
    flag_species_ki,
    not_assessable,
)
from scripts.translation.human_pk import HUMAN_STEADY_STATE_COLUMNS, human_steady_state
from scripts.translation.occupancy import (
    KI_USED_COLUMNS,
    ki_for_occupancy,
    occupancy_mismatches,
    occupancy_table,
    study_ki,
)
from scripts.translation.occupancy_time import (
    AT_TEST_COLUMNS,
    OCCUPANCY_SUMMARY_COLUMNS,
    OCCUPANCY_TIME_COLUMNS,
    at_test_table,
    kp_uu,
    occupancy_over_time,
    rat_groups,
)
from scripts.translation.pk_flags import (
    flag_bioavailability,
    flag_extrapolation,
    flag_fu_default,
    flag_half_life,
    flag_metabolites,
)
from scripts.translation.rat_profiles import group_profiles
from scripts.translation.reference import REFERENCE_COLUMNS, reference_table, species_fu, therapeutic_range
from scripts.translation.scaling import DOSE_TRANSLATION_COLUMNS, dose_translation


def translate(
    study: dict,
    reference: dict | None,
    cfg: dict,
    *,
    alpha,
    max_auc_pct_extrap,
    species_ratio_flag,
    behaviour_groups=None,
    comparisons=None,
    confounds=None,
    ki=None,
    nca=None,
    bioavailability=None,
    metabolites=None,
    pk=None,
    endpoints=None,
    vehicle_label="vehicle",
) -> dict:
    """Run the whole cross-check and return the output tables as a dict:
    exposure, exposure_ratios, dose_translation, occupancy, ki_used, flags,
    reference, effective_results (the effective comparisons),
    human_steady_state (the superposition model per clinical dose x t1/2)
    and its warnings, at_test (rat exposure at the behavioural test),
    occupancy_time and occupancy_summary, exposure_response (with its
    points and curves for the figure), human_dose_prediction and
    dose_prediction_flags (rows for the flags registry), plus
    effective_doses (mg/kg list) and therapeutic_range ((low, high) ng/mL or
    None). *study* is the validated study metadata; *cfg* the config
    ``translation`` section; *alpha* is ``behaviour.alpha``,
    *max_auc_pct_extrap* ``pk.max_auc_pct_extrap`` and *species_ratio_flag*
    ``binding.species_ratio_flag``. Any area table may be None (area not
    provided); *pk* the validated PK rows (concentration-time, for the
    group profiles); *endpoints* the behaviour areas' per-animal
    ``endpoints.csv`` rows and *vehicle_label* ``behaviour.vehicle_label``
    (exposure-response). *reference* is the human reference with the study overrides
    applied (None -> human-side outputs empty and flags "not assessable")."""
    compound = study["compound"]
    tau = float(cfg["dosing_interval_h"])
    default_fu_rat = float(cfg["default_fu_rat"])
    flags = []
    steady = pd.DataFrame(columns=HUMAN_STEADY_STATE_COLUMNS)
    steady_warnings = []

    fu_rat, fu_rat_source = species_fu(study, reference or {}, "rat", default_fu_rat)
    doses = tested_doses(behaviour_groups, compound)
    dose_note = "behaviourally tested doses"
    groups = parent_nca_groups(nca, compound, max_auc_pct_extrap, species="rat")
    if doses.empty and not groups.empty:
        # No behaviour: translate the extravascular PK doses instead.
        ev = groups[groups["route"] != "iv"]
        doses = ev[["dose_mg_kg", "route"]].drop_duplicates().reset_index(drop=True)
        dose_note = "PK doses (no behaviour data)"
    t_rat, _ = rat_half_life(nca, compound)
    rat = rat_exposure(doses, groups, fu_rat, fu_rat_source, tau, cfg["max_dose_extrapolation_fold"], t_rat)
    rat["note"] = rat["note"].astype(str) + f" [{dose_note}]"
    if not rat.empty and not groups.empty:
        flags += flag_fu_default(fu_rat_source, fu_rat)
        flags += flag_extrapolation(rat)

    effective_table = effective_results(comparisons, compound, alpha, study.get("extra_tests"))
    effective = doses_of(effective_table)
    occupancy_doses = effective if effective else None
    mw = float(study["molecular_weight_g_mol"])

    if reference is None:
        human = pd.DataFrame(columns=EXPOSURE_COLUMNS)
        ratios = pd.DataFrame(columns=EXPOSURE_RATIO_COLUMNS)
        translation = pd.DataFrame(columns=DOSE_TRANSLATION_COLUMNS)
        ki_used = ki_for_occupancy(study_ki(ki, compound), {})
        occ = occupancy_table(rat, human, ki_used, mw, occupancy_doses)
        why = f"no human reference for {compound} (resources/reference/{compound}_human.yaml)"
        for name, area in (
            ("bioavailability mismatch", "pk"),
            ("metabolite profile difference", "pk"),
            ("half-life mismatch", "pk"),
            ("dose-scaling disagreement", "translation"),
            ("occupancy mismatch", "translation"),
        ):
            flags.append(not_assessable(name, area, why))
        ref_table = pd.DataFrame(columns=REFERENCE_COLUMNS)
    else:
        fu_h, fu_h_source = species_fu(study, reference, "human", default_fu_rat)
        steady, steady_warnings = human_steady_state(reference, study["clinical_doses_mg"], tau, fu_h, cfg)
        human = human_exposure(reference, study["clinical_doses_mg"], fu_h, fu_h_source, tau, steady=steady)
        measured = rat.dropna(subset=["auc_ng_h_mL"])
        ratios = exposure_ratios(measured, human)
        translation = dose_translation(
            measured,
            reference,
            fu_h,
            km_rat=cfg["km_rat"],
            km_human=cfg["km_human"],
            human_body_weight_kg=cfg["human_body_weight_kg"],
        )
        ki_used = ki_for_occupancy(study_ki(ki, compound), reference)
        occ = occupancy_table(measured, human, ki_used, mw, occupancy_doses)
        mism = occupancy_mismatches(occ, cfg["occupancy_difference_points"])
        flags += flag_bioavailability(bioavailability, reference, compound)
        flags += flag_metabolites(metabolites, nca, reference, compound)
        flags += flag_half_life(nca, reference, compound, tau)
        flags += flag_dose_scaling(translation, cfg["dose_disagreement_fold"])
        flags += flag_occupancy(mism, cfg["occupancy_difference_points"])
        ref_table = reference_table(reference)
    profiles = group_profiles(pk, nca, compound, tau)
    groups = rat_groups(behaviour_groups, compound)
    at_test = at_test_table(groups, profiles, study, cfg, fu_rat, mw)
    occ_time, occ_summary = occupancy_over_time(
        groups,
        profiles,
        reference,
        steady,
        ki_used,
        study,
        cfg,
        fu_rat,
        fu_h if reference is not None else float("nan"),
        mw,
    )
    fits, er_points, er_curves = exposure_response(endpoints, at_test, compound, vehicle_label, cfg)
    prediction = pd.DataFrame(columns=DOSE_PREDICTION_COLUMNS)
    if reference is not None:
        prediction = human_dose_prediction(
            fits,
            effective_table,
            at_test,
            steady,
            ki_used,
            study,
            cfg,
            mw,
            kp_uu(study, cfg, "rat")[0],
            kp_uu(study, cfg, "human")[0],
        )
    flags += flag_confounds(confounds, compound, effective)
    flags += flag_single_model(behaviour_groups, compound)
    flags += flag_acute_only(behaviour_groups, compound)
    flags += flag_species_ki(ki, compound, species_ratio_flag)

    parts = [t for t in (rat, human) if len(t)]
    exposure = (
        pd.concat(parts, ignore_index=True)[EXPOSURE_COLUMNS]
        if parts
        else pd.DataFrame(columns=EXPOSURE_COLUMNS)
    )
    return {
        "exposure": exposure,
        "exposure_ratios": ratios,
        "dose_translation": translation,
        "occupancy": occ,
        "ki_used": ki_used[KI_USED_COLUMNS] if len(ki_used) else pd.DataFrame(columns=KI_USED_COLUMNS),
        "flags": pd.DataFrame(flags, columns=FLAG_COLUMNS),
        "reference": ref_table,
        "effective_results": effective_table,
        "effective_doses": effective,
        "therapeutic_range": therapeutic_range(reference),
        "human_steady_state": steady,
        "at_test": at_test if len(at_test) else pd.DataFrame(columns=AT_TEST_COLUMNS),
        "exposure_response": fits if len(fits) else pd.DataFrame(columns=EXPOSURE_RESPONSE_COLUMNS),
        "exposure_response_points": er_points,
        "exposure_response_curves": er_curves,
        "human_dose_prediction": prediction,
        "dose_prediction_flags": dose_prediction_flags(prediction, study["clinical_doses_mg"]),
        "occupancy_time": occ_time if len(occ_time) else pd.DataFrame(columns=OCCUPANCY_TIME_COLUMNS),
        "occupancy_summary": occ_summary
        if len(occ_summary)
        else pd.DataFrame(columns=OCCUPANCY_SUMMARY_COLUMNS),
        "warnings": steady_warnings,
    }

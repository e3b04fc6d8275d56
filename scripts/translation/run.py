"""The whole translation of one study: everything the ``translation`` rule
writes, from the areas' result tables, the inventory, the validated study
metadata and the human reference."""

from __future__ import annotations

import math

import pandas as pd

from scripts.translation import flags as fl
from scripts.translation import pk_flags as pf
from scripts.translation.context import effect_context
from scripts.translation.design import route_mismatches, study_design
from scripts.translation.dose_prediction import dose_prediction_flags
from scripts.translation.effective import doses_of, effective_results, tested_doses
from scripts.translation.exposure import (
    EXPOSURE_COLUMNS,
    EXPOSURE_RATIO_COLUMNS,
    _add_unbound,
    exposure_ratios,
    parent_nca_groups,
    rat_exposure,
    rat_half_life,
)
from scripts.translation.human_exposure import human_exposure
from scripts.translation.human_pk import HUMAN_STEADY_STATE_COLUMNS, human_steady_state
from scripts.translation.occupancy import (
    KI_USED_COLUMNS,
    OCCUPANCY_COLUMNS,
    ki_for_occupancy,
    occupancy_table,
    study_ki,
)
from scripts.translation.over_time import at_test_exposure_rows, effective_at_test, exposure_over_time
from scripts.translation.recommendations import exposure_matched_rat_dose
from scripts.translation.reference import (
    REFERENCE_COLUMNS,
    bibliography,
    record_confirmed,
    ref_range,
    ref_value,
    reference_table,
    species_fu,
    therapeutic_range,
)
from scripts.translation.registry import FLAG_COLUMNS, cite, not_assessable
from scripts.translation.scaling import DOSE_TRANSLATION_COLUMNS, dose_translation
from scripts.translation.species_ki import SPECIES_KI_COLUMNS, species_ki_table


def molecular_weight(study, reference):
    """g/mol from study.yaml, else the human reference; None when neither
    gives it (occupancy is then not computed)."""
    if study.get("molecular_weight_g_mol"):
        return float(study["molecular_weight_g_mol"])
    if reference and "molecular_weight_g_mol" in reference:
        return ref_value(reference, "molecular_weight_g_mol")
    return None


def clinical_doses(study, reference) -> list:
    """mg/day from study.yaml, else the reference's clinical dose range
    (its ends); [] when neither gives them."""
    if study.get("clinical_doses_mg"):
        return [float(d) for d in study["clinical_doses_mg"]]
    context = (reference or {}).get("clinical_context") or {}
    if "doses_mg_per_day" in context:
        low, high = ref_range(context, "doses_mg_per_day")
        return sorted({low, high})
    return []


def dose_match(rat, human, fu_rat, fu_human):
    """The rat dose (mg/kg, measured route) reaching the human unbound
    Cmax,ss at the middle clinical dose, from the highest measured
    (not extrapolated) rat dose of that route; {} when not computable."""
    measured = rat[~rat["extrapolated"].astype(bool) & rat["source"].str.startswith("NCA group")]
    ss = human[
        (human["state"] == "steady_state") & pd.to_numeric(human["cmax_ng_mL"], errors="coerce").notna()
    ]
    ss = ss.sort_values("dose")
    if measured.empty or ss.empty:
        return {}
    r = measured.sort_values("dose").iloc[-1]
    h = ss.iloc[len(ss) // 2]
    per = float(r["cmax_ng_mL"]) / float(r["dose"])
    dose = exposure_matched_rat_dose(per, float(h["cmax_ng_mL"]), fu_rat, fu_human)
    doses = measured[measured["route"] == r["route"]]["dose"].astype(float)
    return {
        "rat_dose": dose,
        "route": r["route"],
        "pk_dose": float(r["dose"]),
        "human_dose": float(h["dose"]),
        "metric": "Cmax,ss",
        "outside": bool(math.isfinite(dose) and not (doses.min() <= dose <= doses.max())),
    }


def translate(
    study: dict,
    reference: dict | None,
    cfg: dict,
    *,
    alpha,
    max_auc_pct_extrap,
    species_ratio_flag,
    vehicle_label,
    behaviour_groups=None,
    comparisons=None,
    confounds=None,
    ki=None,
    species_comparison=None,
    nca=None,
    bioavailability=None,
    metabolites=None,
    detectability=None,
    proportionality=None,
    pk_design=None,
    receptors=None,
    sexes=(),
    pk=None,
    endpoints=None,
) -> dict:
    """Run the whole cross-check and return the output tables as a dict:
    exposure, exposure_ratios, dose_translation, occupancy, ki_used,
    species_ki, flags, reference, effective_results, effect_context,
    human_steady_state (the superposition model per clinical dose x t1/2)
    and its warnings, at_test (rat exposure at the behavioural test),
    occupancy_time and occupancy_summary, exposure_response (with its
    points and curves for the figure), human_dose_prediction, plus
    effective_doses (mg/kg list), therapeutic_range ((low, high) ng/mL or
    None) and design. *study* is the validated study metadata; *cfg* the
    config ``translation`` section; *alpha* is ``behaviour.alpha``,
    *max_auc_pct_extrap* ``pk.max_auc_pct_extrap``, *species_ratio_flag*
    ``binding.species_ratio_flag`` and *vehicle_label*
    ``behaviour.vehicle_label``. Any area table may be None (not provided);
    *pk* the validated PK rows (concentration-time, for the group
    profiles); *species_comparison* is binding's pooled
    ``species_comparison.csv`` (the species-Ki flag reads it); *endpoints*
    the behaviour areas' per-animal ``endpoints.csv``
    rows (exposure-response). *reference* is the human reference with the
    study overrides applied (None -> every rat-side result, and human-side
    outputs empty with "not assessable" flags)."""
    # No compound only when no data name one (nothing to translate then).
    compound = study.get("compound") or "the study compound"
    tau = float(cfg["dosing_interval_h"])
    flags = []
    design = study_design(
        compound,
        behaviour_groups,
        pk_design if pk_design is not None else nca,
        receptors if receptors is not None else ki,
        sexes,
    )
    steady = pd.DataFrame(columns=HUMAN_STEADY_STATE_COLUMNS)
    steady_warnings = []
    fu_h = float("nan")

    fu_rat, fu_rat_source = species_fu(study, reference or {}, "rat", float(cfg["default_fu_rat"]))
    doses = tested_doses(behaviour_groups, compound)
    dose_note = "behaviourally tested doses"
    groups = parent_nca_groups(nca, compound, max_auc_pct_extrap, species="rat")
    if doses.empty and not groups.empty:
        ev = groups[groups["route"] != "iv"]
        doses = ev[["dose_mg_kg", "route"]].drop_duplicates().reset_index(drop=True)
        dose_note = "PK doses (no behaviour data)"
    t_rat, _ = rat_half_life(nca, compound)
    rat = rat_exposure(doses, groups, fu_rat, fu_rat_source, tau, t_rat, proportionality)
    rat["note"] = rat["note"].astype(str) + f" [{dose_note}]"
    if not rat.empty and not groups.empty:
        flags += pf.flag_fu_default(rat, fu_rat_source)
        flags += pf.flag_extrapolation(rat, float(cfg["max_dose_extrapolation_fold"]))

    effective_table = effective_results(comparisons, compound, alpha, study.get("extra_tests"))
    effective = doses_of(effective_table)
    occupancy_doses = effective if effective else None
    mw = molecular_weight(study, reference)
    measured = rat.dropna(subset=["auc_ng_h_mL"])
    sk = species_ki_table(species_comparison, compound)
    human_ki_confirmed = {}

    if reference is None:
        human = pd.DataFrame(columns=EXPOSURE_COLUMNS)
        ratios = pd.DataFrame(columns=EXPOSURE_RATIO_COLUMNS)
        translation = pd.DataFrame(columns=DOSE_TRANSLATION_COLUMNS)
        ki_used = ki_for_occupancy(study_ki(ki, compound), {})
        why = f"no human reference for {compound}: supply human_reference_file"
        for fid in (
            "bioavailability_mismatch",
            "metabolite_profile_difference",
            "half_life_mismatch",
            "dose_scaling_disagreement",
            "occupancy_mismatch",
        ):
            flags.append(not_assessable(fid, why))
        ref_table = pd.DataFrame(columns=REFERENCE_COLUMNS)
        match = {}
    else:
        fu_h, fu_h_source = species_fu(study, reference, "human", float(cfg["default_fu_rat"]))
        clinical = clinical_doses(study, reference)
        steady, steady_warnings = human_steady_state(reference, clinical, tau, fu_h, cfg)
        human = human_exposure(reference, clinical, fu_h, fu_h_source, tau, steady=steady)
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
        h = ki_used[ki_used["species"] == "human"]
        human_ki_confirmed = {
            k: bool(str(s).startswith("study") or c is True)
            for k, s, c in zip(h["key"], h["source"], h["confirmed"], strict=True)
        }
        match = dose_match(rat, human, fu_rat, fu_h) if not rat.empty and "extrapolated" in rat else {}
        flags += pf.flag_bioavailability(bioavailability, reference, compound, cfg, design, match)
        flags += pf.flag_metabolites(metabolites, reference, compound, cfg, design, detectability, groups)
        flags += pf.flag_half_life(rat, reference, cfg, design)
        flags += fl.flag_dose_scaling(
            translation,
            float(cfg["dose_disagreement_fold"]),
            float(cfg["dose_scaling_high_factor"]),
            match,
            human_confirmed=record_confirmed(reference, "single_dose_exposure", "auc_inf_ng_h_mL"),
        )
        ref_table = reference_table(reference)
    times = exposure_over_time(
        study,
        reference,
        cfg,
        compound=compound,
        behaviour_groups=behaviour_groups,
        pk=pk,
        nca=nca,
        endpoints=endpoints,
        effective_table=effective_table,
        steady=steady,
        ki_used=ki_used,
        fu_rat=fu_rat,
        fu_h=fu_h,
        mw=mw,
        vehicle_label=vehicle_label,
    )
    at_test_occ = effective_at_test(times["occupancy_at_test"], effective_table if effective else None)
    occ = (
        occupancy_table(measured, human, ki_used, mw, occupancy_doses, at_test=at_test_occ)
        if mw
        else pd.DataFrame(columns=OCCUPANCY_COLUMNS)
    )
    if reference is not None:
        flags += fl.flag_occupancy(occ, float(cfg["occupancy_difference_points"]), human_ki_confirmed)
    flags += fl.flag_confounds(confounds, compound, design, occ)
    if design.tests or behaviour_groups is not None:
        flags += fl.flag_single_model(design)
        flags += fl.flag_acute_only(design)
    flags += fl.flag_route_mismatch(route_mismatches(behaviour_groups, vehicle_label))
    flags += fl.flag_single_sex(design)
    if reference is not None:
        flags += dose_prediction_flags(times["human_dose_prediction"], clinical_doses(study, reference))
    flags += fl.flag_species_ki(
        sk,
        float(species_ratio_flag),
        float(cfg["species_ki_high_fold"]),
        design,
        has_ki=ki is not None and len(ki) > 0,
    )
    at_rows = at_test_exposure_rows(times["at_test"], rat, tau)
    parts = [t for t in (rat, _add_unbound(at_rows) if len(at_rows) else at_rows, human) if len(t)]
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
        "species_ki": sk[SPECIES_KI_COLUMNS],
        "flags": pd.DataFrame(cite(flags, bibliography(reference)), columns=FLAG_COLUMNS),
        "effect_context": effect_context(
            effective_table, comparisons, compound, reference, bibliography(reference)
        ),
        "reference": ref_table,
        "effective_results": effective_table,
        "effective_doses": effective,
        "therapeutic_range": therapeutic_range(reference),
        "design": design,
        "human_steady_state": steady,
        "warnings": steady_warnings,
        **times,
    }

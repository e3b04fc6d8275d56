"""Exposure over time for one study: the rat group profiles, the rat
exposure at the behavioural test, occupancy over time (rat dose groups,
human clinical doses at steady state), the exposure-response fits and the
human dose that matches (the tables :func:`scripts.translation.run.translate`
returns beside the single-time translation)."""

from __future__ import annotations

import pandas as pd

from scripts.translation.dose_prediction import DOSE_PREDICTION_COLUMNS, human_dose_prediction
from scripts.translation.exposure_response import EXPOSURE_RESPONSE_COLUMNS, exposure_response
from scripts.translation.occupancy_time import (
    AT_TEST_COLUMNS,
    OCCUPANCY_SUMMARY_COLUMNS,
    OCCUPANCY_TIME_COLUMNS,
    at_test_table,
    kp_uu,
    occupancy_over_time,
    rat_groups,
)
from scripts.translation.rat_profiles import group_profiles


def empty_time_tables() -> dict:
    """The time tables with their columns and no rows (no molecular weight:
    nothing converts to nM)."""
    return {
        "at_test": pd.DataFrame(columns=AT_TEST_COLUMNS),
        "occupancy_time": pd.DataFrame(columns=OCCUPANCY_TIME_COLUMNS),
        "occupancy_summary": pd.DataFrame(columns=OCCUPANCY_SUMMARY_COLUMNS),
        "exposure_response": pd.DataFrame(columns=EXPOSURE_RESPONSE_COLUMNS),
        "exposure_response_points": pd.DataFrame(),
        "exposure_response_curves": pd.DataFrame(),
        "human_dose_prediction": pd.DataFrame(columns=DOSE_PREDICTION_COLUMNS),
    }


def exposure_over_time(
    study,
    reference,
    cfg,
    *,
    compound,
    behaviour_groups,
    pk,
    nca,
    endpoints,
    effective_table,
    steady,
    ki_used,
    fu_rat,
    fu_h,
    mw,
    vehicle_label,
) -> dict:
    """The time tables (keys of :func:`empty_time_tables`)."""
    if not mw:
        return empty_time_tables()
    tau = float(cfg["dosing_interval_h"])
    profiles = group_profiles(pk, nca, compound, tau)
    groups = rat_groups(behaviour_groups, compound)
    at_test = at_test_table(groups, profiles, study, cfg, fu_rat, mw)
    occ_time, occ_summary = occupancy_over_time(
        groups, profiles, reference, steady, ki_used, study, cfg, fu_rat, fu_h, mw
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
    empty = empty_time_tables()
    out = {
        "at_test": at_test,
        "occupancy_time": occ_time,
        "occupancy_summary": occ_summary,
        "exposure_response": fits,
        "exposure_response_points": er_points,
        "exposure_response_curves": er_curves,
        "human_dose_prediction": prediction,
    }
    keep = ("exposure_response_points", "exposure_response_curves")
    return {k: v if len(v) or k in keep else empty[k] for k, v in out.items()}

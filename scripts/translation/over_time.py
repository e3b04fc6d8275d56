"""Exposure over time for one study: the rat group profiles, the rat
exposure at the behavioural test, occupancy over time (rat dose groups,
human clinical doses at steady state), the exposure-response fits and the
human dose that matches (the tables :func:`scripts.translation.run.translate`
returns beside the single-time translation)."""

from __future__ import annotations

import numpy as np
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
    rat_occupancy_at_test,
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
        "occupancy_at_test": rat_occupancy_at_test(None),
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
        "occupancy_at_test": rat_occupancy_at_test(occ_summary),
    }
    keep = ("exposure_response_points", "exposure_response_curves", "occupancy_at_test")
    return {k: v if len(v) or k in keep else empty[k] for k, v in out.items()}


def effective_at_test(occupancy_at_test: pd.DataFrame, effective_table) -> pd.DataFrame:
    """The at-test occupancy rows of the effective results: test x regimen x
    dose with an effect (adjusted p < alpha in the test's direction); all
    rows when no effective table is given."""
    if effective_table is None or not len(effective_table) or not len(occupancy_at_test):
        return occupancy_at_test if effective_table is None else occupancy_at_test.iloc[0:0]
    keys = {(str(t), str(r), float(d)) for t, r, d in zip(
        effective_table["test"], effective_table["regimen"], effective_table["dose_mg_kg"])}  # fmt: skip
    mask = [
        any((t, str(r), float(d)) in keys for t in str(tests).split(";"))
        for tests, r, d in zip(
            occupancy_at_test["test"], occupancy_at_test["regimen"], occupancy_at_test["dose"]
        )
    ]
    return occupancy_at_test[mask]


def at_test_exposure_rows(at_test: pd.DataFrame, rat: pd.DataFrame, tau_h) -> pd.DataFrame:
    """Rows for ``exposure.csv``: the rat exposure at the behavioural test
    (``state`` at_test, the concentration in the ``c_avg`` columns: the value
    at the test time or its mean over the test window), with ``basis_time_h``
    the time after the last dose (a window's start; the note gives the
    window). fu, its source and the extrapolation marks come from the rat
    row of the same dose and route (the profile is scaled from the same
    measured doses)."""
    rows = []
    if at_test is None or not len(at_test) or rat is None or not len(rat):
        return pd.DataFrame(rows)
    for _, a in at_test.iterrows():
        if not pd.notna(a.get("c_total_ng_mL")):
            continue
        match = rat[
            (rat["route"] == a["route"]) & np.isclose(rat["dose"].astype(float), float(a["dose_mg_kg"]))
        ]
        if match.empty:
            continue
        r = match.iloc[0]
        rows.append(
            {
                "species": "rat",
                "dose": float(a["dose_mg_kg"]),
                "dose_unit": "mg/kg",
                "route": a["route"],
                "state": "at_test",
                "source": f"exposure_at_test.csv ({a['profile_source']})",
                "n": r["n"],
                "auc_metric": "",
                "auc_ng_h_mL": float("nan"),
                "cmax_ng_mL": float("nan"),
                "c_avg_ng_mL": float(a["c_total_ng_mL"]),
                "fu": r["fu"],
                "fu_source": r["fu_source"],
                "t_half_h": r["t_half_h"],
                "accumulation_factor": float("nan"),
                "dosing_interval_h": tau_h,
                "flags": r["flags"],
                "note": f"{a['test']} {a['regimen']}: concentration at {a['test_time_h']} h after the last dose "
                f"({a['test_time_source']}); held in the c_avg columns",
                "extrapolated": r["extrapolated"],
                "extrapolation_factor": r["extrapolation_factor"],
                "basis_time_h": float(a["test_start_h"]),
            }
        )
    return pd.DataFrame(rows)

"""Exposure over time on the example study (real Snakemake run): the new
translation tables exist with their contracted columns, occupancy is a
fraction on the 0.05-h grid, the at-test values agree with the
occupancy-time table, and the dose prediction agrees with the human
steady-state table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from scripts import settings
from scripts.translation import occupancy_time as ot

CONTRACT = {
    "occupancy_time.csv": [
        "species",
        "dose",
        "dose_unit",
        "regimen",
        "receptor",
        "time_h",
        "c_unbound_nM",
        "occupancy",
    ],
    "occupancy_summary.csv": [
        "species",
        "dose",
        "receptor",
        "occupancy_at_test",
        "hours_above_50pct_per_day",
        "hours_above_80pct_per_day",
        "dose_unit",
        "route",
        "regimen",
    ],
    "exposure_response.csv": [
        "test",
        "endpoint",
        "regimen",
        "exposure_basis",
        "emax",
        "emax_ci_low",
        "emax_ci_high",
        "ec50_nM",
        "ec50_ci_low_nM",
        "ec50_ci_high_nM",
        "hill",
        "n_dose_levels",
        "status",
        "endpoint_unit",
    ],
    "human_dose_prediction.csv": [
        "target",
        "basis",
        "human_dose_mg",
        "ci_low_mg",
        "ci_high_mg",
        "within_clinical_range",
    ],
    "human_steady_state.csv": [
        "dose_mg",
        "t_half_h",
        "cmax_ss_ng_mL",
        "cmin_ss_ng_mL",
        "cav_ss_ng_mL",
        "auc_tau_ss_ng_h_mL",
    ],
}


@pytest.fixture(scope="module")
def tables(example_run):
    _, _, results = example_run
    folder = results / "translation"
    assert (folder / "figures" / "occupancy_time.svg").stat().st_size > 0
    assert (folder / "figures" / "exposure_response.svg").stat().st_size > 0
    return {name: pd.read_csv(folder / name) for name in [*CONTRACT, "exposure_at_test.csv", "exposure.csv"]}


def test_contracted_columns(tables):
    for name, columns in CONTRACT.items():
        assert set(columns) <= set(tables[name].columns), name


def test_occupancy_is_a_fraction_on_the_grid(tables):
    occ = tables["occupancy_time.csv"]
    assert occ["occupancy"].between(0, 1).all()
    step = settings.section("translation")["occupancy_time_step_h"]
    for _, g in occ.groupby(["species", "dose", "route", "regimen", "receptor"]):
        np.testing.assert_allclose(np.diff(g["time_h"].to_numpy()), step, atol=1e-9)
    summary = tables["occupancy_summary.csv"]
    for column in ("occupancy_at_test", "occupancy_min", "occupancy_max"):
        assert summary[column].dropna().between(0, 1).all()
    assert set(summary["species"]) == {"rat", "human"}


def test_at_test_values_agree_with_the_time_course(tables):
    occ, summary = tables["occupancy_time.csv"], tables["occupancy_summary.csv"]
    rat = summary[summary["species"] == "rat"]
    assert len(rat)
    for _, r in rat.iterrows():
        start, _, end = str(r["test_time_h"]).partition("-")
        window = float(start) if not end else (float(start), float(end))
        read = ot.at_test(occ, "rat", r["dose"], r["route"], r["regimen"], window).set_index("receptor")
        assert read.loc[r["receptor"], "occupancy"] == pytest.approx(r["occupancy_at_test"], rel=1e-3)


def test_dose_prediction_agrees_with_the_steady_state_table(tables):
    pred, steady = tables["human_dose_prediction.csv"], tables["human_steady_state.csv"]
    cfg = settings.section("translation")
    central = steady[steady["t_half_basis"].str.contains("reference value")].iloc[0]
    column = f"{cfg['efficacy_basis']}_unbound_ng_mL"
    per_mg_nM = central[column] / 265.36 * 1000 / central["dose_mg"]
    occ = pred[pred["target"].str.endswith("occupancy of H1") & pred["target"].str.startswith("50%")]
    assert len(occ) == 1
    assert occ["human_dose_mg"].iloc[0] == pytest.approx(
        occ["target_unbound_nM"].iloc[0] / per_mg_nM, rel=1e-6
    )
    for _, r in pred.dropna(subset=["human_dose_mg"]).iterrows():
        assert bool(r["within_clinical_range"]) == (15 <= r["human_dose_mg"] <= 45)


def test_human_steady_state_rows_feed_exposure(tables):
    exposure, steady = tables["exposure.csv"], tables["human_steady_state.csv"]
    ss = exposure[(exposure["species"] == "human") & (exposure["state"] == "steady_state")]
    central = steady[steady["t_half_basis"].str.contains("reference value")].set_index("dose_mg")
    for _, r in ss.iterrows():
        assert r["cmax_ng_mL"] == pytest.approx(central.loc[r["dose"], "cmax_ss_ng_mL"])
        assert r["auc_ng_h_mL"] == pytest.approx(central.loc[r["dose"], "auc_tau_ss_ng_h_mL"])
    assert sorted(set(steady["t_half_h"])) == [20.0, 40.0]


def test_exposure_response_statuses(tables):
    er = tables["exposure_response.csv"]
    assert er["status"].str.match(r"^(fitted|not estimable)").all()
    fitted = er[er["status"].str.startswith("fitted")]
    assert (fitted["n_dose_levels"] >= 3).all()
    for _, r in fitted.iterrows():
        if math.isfinite(r["ec50_ci_low_nM"]):
            assert r["ec50_ci_low_nM"] <= r["ec50_nM"]
        if math.isfinite(r["ec50_ci_high_nM"]):
            assert r["ec50_nM"] <= r["ec50_ci_high_nM"]


def test_occupancy_at_test_rows_equal_the_summary(example_run):
    """occupancy.csv's at_test rows are the summary's occupancy_at_test (one
    computation, two tables), at the effective doses; human c_min rows are
    Cmin,ss from the steady-state model; exposure.csv's at-test rows carry
    basis_time_h and the exposure_at_test.csv concentration."""
    folder = example_run[2] / "translation"
    occ = pd.read_csv(folder / "occupancy.csv")
    summary = pd.read_csv(folder / "occupancy_summary.csv")
    at = occ[occ["basis"] == "at_test"]
    assert len(at)
    rat = summary[summary["species"] == "rat"]
    for _, r in at.iterrows():
        m = rat[
            (rat["receptor"] == r["receptor"])
            & np.isclose(rat["dose"], r["dose"])
            & (rat["regimen"] == r["regimen"])
            & (rat["test"] == r["test"])
        ]
        assert len(m) == 1
        assert r["occupancy"] == pytest.approx(m["occupancy_at_test"].iloc[0], rel=1e-12)
        assert r["c_unbound_nM"] == pytest.approx(m["c_unbound_at_test_nM"].iloc[0], rel=1e-12)
    steady = pd.read_csv(folder / "human_steady_state.csv")
    central = steady[steady["t_half_basis"].str.contains("reference value")].set_index("dose_mg")
    cmin = occ[(occ["species"] == "human") & (occ["basis"] == "c_min")]
    assert len(cmin)
    for _, r in cmin.iterrows():
        c_nM = central.loc[r["dose"], "cmin_ss_unbound_ng_mL"] / 265.36 * 1000
        assert r["c_unbound_nM"] == pytest.approx(c_nM, rel=1e-9)
        assert r["occupancy"] == pytest.approx(c_nM / (c_nM + r["ki_nM"]), rel=1e-9)
    exposure = pd.read_csv(folder / "exposure.csv")
    at_test = pd.read_csv(folder / "exposure_at_test.csv").dropna(subset=["c_total_ng_mL"])
    rows = exposure[exposure["state"] == "at_test"]
    assert len(rows) == len(at_test) and rows["basis_time_h"].notna().all()
    assert sorted(rows["c_avg_ng_mL"]) == pytest.approx(sorted(at_test["c_total_ng_mL"]))
    assert exposure.loc[exposure["state"] != "at_test", "basis_time_h"].isna().all()

"""Exposure over time: the human one-compartment steady state against its
closed form and hand calculation, occupancy over time, exposure-response
and the human dose (no Snakemake)."""

from __future__ import annotations

import math
from pathlib import Path

import flag_evidence as fe
import numpy as np
import pytest
import yaml

from scripts import settings
from scripts.translation import human_model as hm
from scripts.translation import human_pk

REPO_ROOT = Path(__file__).resolve().parents[1]
REFERENCE_YAML = REPO_ROOT / "resources" / "reference" / "mirtazapine_human.yaml"
TR = settings.section("translation")

# Round numbers, recomputable by hand: 30 mg, AUC 600 ng*h/mL -> CL/F 50 L/h.
REFERENCE = {
    "t_half_h": {"value": 20, "range": [20, 40]},
    "tmax_h": {"value": 2},
    "single_dose_exposure": {"dose_mg": 30, "cmax_ng_mL": {"value": 20}, "auc_inf_ng_h_mL": {"value": 600}},
}


def test_single_dose_integrates_to_dose_over_cl():
    cl, v, ka = 50.0, 1000.0, 1.5
    t = np.linspace(0, 2000, 400001)
    c = hm.single_dose(t, 30, cl, v, ka)
    auc = np.trapezoid(c, t)
    assert auc == pytest.approx(30 / cl * 1000, rel=1e-4)  # 600 ng*h/mL


def test_superposition_reaches_closed_form_steady_state():
    cl, v, ka, tau, dose = 47.5, 1370.0, 3.2, 24.0, 30.0
    t = np.linspace(0, tau, 97)
    # 60 daily doses: the last interval starts at 59 tau
    train = hm.superposition(t + 59 * tau, [i * tau for i in range(60)], dose, cl, v, ka)
    closed = hm.steady_state(t, dose, tau, cl, v, ka)
    np.testing.assert_allclose(train, closed, rtol=1e-6)


def test_steady_state_metrics_by_hand():
    cl, v, ka, tau, dose = 50.0, 1000.0, 2.0, 24.0, 30.0
    k = cl / v  # 0.05 /h
    m = hm.steady_state_metrics(dose, tau, cl, v, ka)
    assert m["auc_tau_ss_ng_h_mL"] == pytest.approx(600.0)
    assert m["cav_ss_ng_mL"] == pytest.approx(25.0)
    # trough: D/V * ka/(ka-k) * (e^-k tau/(1-e^-k tau) - e^-ka tau/(1-e^-ka tau))
    by_hand = (
        30.0 * ka / (ka - k) * (math.exp(-1.2) / (1 - math.exp(-1.2)) - math.exp(-48) / (1 - math.exp(-48)))
    )
    assert m["cmin_ss_ng_mL"] == pytest.approx(by_hand, rel=1e-9)
    # the peak is the maximum of the profile on a fine grid
    grid = hm.steady_state(np.linspace(0, tau, 240001), dose, tau, cl, v, ka)
    assert m["cmax_ss_ng_mL"] == pytest.approx(grid.max(), rel=1e-8)
    # AUC over one interval at steady state = AUCinf of one dose
    t = np.linspace(0, tau, 240001)
    assert np.trapezoid(hm.steady_state(t, dose, tau, cl, v, ka), t) == pytest.approx(600.0, rel=1e-6)


def test_ka_from_tmax_inverts_tmax():
    k = math.log(2) / 20
    ka = hm.ka_from_tmax(2.0, k)
    assert math.log(ka / k) / (ka - k) == pytest.approx(2.0, rel=1e-9)
    assert math.isnan(hm.ka_from_tmax(100.0, k))


def test_human_steady_state_over_half_life_range_and_cmax_check():
    table, warnings = human_pk.human_steady_state(REFERENCE, [15, 30], 24.0, 0.15, TR)
    assert sorted(set(table["t_half_h"])) == [20.0, 40.0]
    assert len(table) == 4
    row = table[(table["dose_mg"] == 30) & (table["t_half_h"] == 20)].iloc[0]
    assert row["cl_f_L_h"] == pytest.approx(50.0)
    assert row["v_f_L"] == pytest.approx(50.0 * 20 / math.log(2))
    assert row["auc_tau_ss_ng_h_mL"] == pytest.approx(600.0)
    assert row["accumulation_ratio"] == pytest.approx(1 / (1 - 2 ** (-24 / 20)))
    assert row["cmin_ss_unbound_ng_mL"] == pytest.approx(0.15 * row["cmin_ss_ng_mL"])
    # independent check of the model Cmax against a brute-force profile
    k = math.log(2) / 20
    ka = hm.ka_from_tmax(2.0, k)
    t = np.linspace(0, 24, 48001)
    peak = hm.steady_state(t, 30, 24, 50.0, 50.0 / k, ka).max()
    assert row["cmax_ss_ng_mL"] == pytest.approx(peak, rel=1e-6)
    # AUC is the same at both half-lives; the trough rises with t1/2
    long = table[(table["dose_mg"] == 30) & (table["t_half_h"] == 40)].iloc[0]
    assert long["auc_tau_ss_ng_h_mL"] == pytest.approx(600.0)
    assert long["cmin_ss_ng_mL"] > row["cmin_ss_ng_mL"]
    # reference Cmax 20 ng/mL: the model is within 25% -> no warning
    predicted = float(hm.single_dose(hm.tmax_single(k, ka), 30, 50.0, 50.0 / k, ka))
    assert abs(predicted / 20 - 1) <= 0.25
    assert warnings == []
    assert row["cmin_ss_source"].startswith("one-compartment")


def test_shipped_reference_warns_and_uses_tdm_trough():
    """The published AUC, t1/2 and Tmax of mirtazapine predict a single-dose
    Cmax of about 21 ng/mL against a reported 58: the model warns and the
    profile is calibrated to the therapeutic-drug-monitoring trough."""
    reference = yaml.safe_load(REFERENCE_YAML.read_text(encoding="utf-8"))
    check = human_pk.cmax_check(human_pk.model_parameters(reference, TR["human_pk_model"]), 0.25)
    assert 18 < check["predicted"] < 24
    assert check["reference"] == 58
    assert not check["ok"]
    table, warnings = human_pk.human_steady_state(reference, [30], 24.0, 0.15, TR)
    assert len(warnings) == 1 and "under-predicted" in warnings[0]
    per_mg = reference["tdm_steady_state"]["concentration_to_dose_ng_mL_per_mg_day"]["value"]
    np.testing.assert_allclose(table["cmin_ss_ng_mL"], per_mg * 30, rtol=1e-12)
    assert table["cmin_ss_source"].str.contains("calibrated to the therapeutic-drug-monitoring").all()
    model_only, _ = human_pk.human_steady_state(
        reference, [30], 24.0, 0.15, dict(TR, human_cmin_ss_source="model")
    )
    np.testing.assert_allclose(model_only["cmin_ss_ng_mL"], model_only["cmin_ss_model_ng_mL"])
    # the block's own derivation: V/F = CL/F x t1/2 / ln2 = 1250 L at t1/2 18.3 h
    block = reference["human_pk_one_compartment"]
    params = human_pk.model_parameters(reference, TR["human_pk_model"])
    _, v, _ = human_pk.parameters_at(params, block["t_half_h"]["value"])
    assert v == pytest.approx(block["v_f_L"]["value"], rel=0.01)


# --------------------------------------------------------------------------
# Rat group profiles, test time and occupancy over time
# --------------------------------------------------------------------------

import pandas as pd  # noqa: E402

from scripts.translation import occupancy_time as ot  # noqa: E402
from scripts.translation import rat_profiles as rp  # noqa: E402

MW = 250.0
K_RAT = math.log(2) / 2.0  # t1/2 2 h


def _iv_pk(c0=400.0, times=(0.25, 0.5, 1, 2, 4, 6, 8), factors=(0.9, 1.0, 1.1)):
    """Three IV animals, C(t) = f c0 exp(-k t): the group geometric mean is
    c0 exp(-k t) exactly (the factors' geometric mean is 0.9983...; use it)."""
    rows = []
    for i, f in enumerate(factors):
        for t in times:
            rows.append(
                {
                    "animal_id": f"R{i}",
                    "species": "rat",
                    "route": "iv",
                    "dose_mg_kg": 1.0,
                    "analyte": "drug",
                    "time_h": float(t),
                    "concentration_ng_mL": f * c0 * math.exp(-K_RAT * t),
                    "blq": False,
                }
            )
    pk = pd.DataFrame(rows)
    nca = pd.DataFrame(
        {
            "animal_id": ["R0", "R1", "R2"],
            "species": "rat",
            "route": "iv",
            "dose_mg_kg": 1.0,
            "analyte": "drug",
            "lambda_z_per_h": K_RAT,
        }
    )
    return pk, nca, float(np.exp(np.mean(np.log(factors))))


def test_group_profile_is_the_geometric_mean_with_lambda_z_tail():
    pk, nca, g = _iv_pk()
    profiles = rp.group_profiles(pk, nca, "drug", 24.0)
    p = profiles[("iv", 1.0)]
    t = np.array([0.3, 1.5, 5.0, 7.9, 12.0, 20.0])  # between samples (log-linear) and after (tail)
    np.testing.assert_allclose(p.single(t), g * 400 * np.exp(-K_RAT * t), rtol=1e-10)


def test_scaled_profile_is_marked_and_proportional():
    pk, nca, _ = _iv_pk()
    profiles = rp.group_profiles(pk, nca, "drug", 24.0)
    p3 = rp.profile_for(profiles, "iv", 3.0)
    assert p3.source.startswith("model-scaled from iv 1 mg/kg x 3")
    np.testing.assert_allclose(p3.single([1.0, 3.0]), 3 * profiles[("iv", 1.0)].single([1.0, 3.0]))
    assert "cross-route" in rp.profile_for(profiles, "po", 1.0).source


def test_chronic_profile_is_the_geometric_series():
    pk, nca, g = _iv_pk()
    p = rp.group_profiles(pk, nca, "drug", 24.0)[("iv", 1.0)]
    t = np.array([0.5, 3.0, 10.0])
    expected = g * 400 * np.exp(-K_RAT * t) / (1 - math.exp(-K_RAT * 24))
    np.testing.assert_allclose(p.steady_state(t, 24.0), expected, rtol=1e-10)


def test_dose_to_test_window_resolution():
    cfg = dict(TR)
    assert rp.dose_to_test_window({}, cfg, "fst", "acute")[:2] == (1.0, 1.0)
    assert rp.dose_to_test_window({}, cfg, "fst", "acute")[2].startswith("default")
    study = {"dose_to_test_h": {"chronic": 2, "fst": {"chronic": 24}, "sucrose_preference": [0, 24]}}
    assert rp.dose_to_test_window(study, cfg, "fst", "chronic")[:2] == (24.0, 24.0)
    assert rp.dose_to_test_window(study, cfg, "open_field", "chronic")[:2] == (2.0, 2.0)
    assert rp.dose_to_test_window(study, cfg, "fst", "acute")[:2] == (1.0, 1.0)
    assert rp.dose_to_test_window(study, cfg, "sucrose_preference", "acute")[:2] == (0.0, 24.0)


def test_occupancy_over_time_against_closed_form():
    """IV bolus C(t) = C0 exp(-k t): occupancy(t) = Cu/(Cu + Ki); occupancy
    >= 50% while Cu >= Ki, i.e. for ln(Cu0/Ki)/k hours, >= 80% while
    Cu >= 4 Ki; at a window the mean of the closed form over it."""
    pk, nca, g = _iv_pk()
    profiles = rp.group_profiles(pk, nca, "drug", 24.0)
    groups = pd.DataFrame(
        {
            "test": ["fst", "sucrose_preference"],
            "dose_mg_kg": [1.0, 1.0],
            "route": ["iv", "iv"],
            "regimen": ["acute"] * 2,
        }
    )
    ki = pd.DataFrame({"species": ["rat"], "receptor": ["R1"], "key": ["r1"], "ki_nM": [10.0]})
    study = {"dose_to_test_h": {"sucrose_preference": {"acute": [0, 4]}}, "kp_uu": {"rat": 0.5}}
    fu = 0.2
    table, summary = ot.occupancy_over_time(groups, profiles, None, None, ki, study, TR, fu, float("nan"), MW)
    cu0 = g * 400 * fu * 0.5 / MW * 1000  # nM at t = 0
    t = table["time_h"].to_numpy()
    closed = cu0 * np.exp(-K_RAT * t) / (cu0 * np.exp(-K_RAT * t) + 10.0)
    np.testing.assert_allclose(table["occupancy"], closed, rtol=1e-9)
    assert table["time_h"].diff().dropna().round(10).eq(0.05).all()
    assert ((table["occupancy"] >= 0) & (table["occupancy"] <= 1)).all()
    fst = summary[summary["test"] == "fst"].iloc[0]
    assert fst["hours_above_50pct_per_day"] == pytest.approx(math.log(cu0 / 10.0) / K_RAT, abs=1e-3)
    assert fst["hours_above_80pct_per_day"] == pytest.approx(math.log(cu0 / 40.0) / K_RAT, abs=1e-3)
    c1 = cu0 * math.exp(-K_RAT * 1.0)
    assert fst["occupancy_at_test"] == pytest.approx(c1 / (c1 + 10.0), rel=1e-9)
    assert fst["kp_uu"] == 0.5 and fst["kp_uu_source"] == "study.yaml kp_uu"
    # window 0-4 h: the mean occupancy, integral of Cu/(Cu+Ki) = ln((Cu0+Ki)/(Cu4+Ki))/k
    sucrose = summary[summary["test"] == "sucrose_preference"].iloc[0]
    c4 = cu0 * math.exp(-K_RAT * 4)
    assert sucrose["occupancy_at_test"] == pytest.approx(
        math.log((cu0 + 10) / (c4 + 10)) / K_RAT / 4, rel=1e-5
    )
    # the table-level reader gives the same values
    read = ot.at_test(table, "rat", 1.0, "iv", "acute", 1.0)
    assert read["occupancy"].iloc[0] == pytest.approx(fst["occupancy_at_test"], rel=1e-9)
    read = ot.at_test(table, "rat", 1.0, "iv", "acute", (0.0, 4.0))
    assert read["occupancy"].iloc[0] == pytest.approx(sucrose["occupancy_at_test"], rel=1e-4)


def test_exposure_at_test_window_is_the_time_average():
    def conc(t):
        return 100.0 * np.exp(-K_RAT * np.asarray(t, float))

    value = ot.exposure_at_test(conc, (0.0, 4.0), 0.05, 0.1, 1.0, MW)
    assert value["c_total_ng_mL"] == pytest.approx(100 * (1 - math.exp(-K_RAT * 4)) / K_RAT / 4, rel=1e-4)
    assert value["c_unbound_nM"] == pytest.approx(value["c_total_ng_mL"] * 0.1 / MW * 1000)


# --------------------------------------------------------------------------
# Exposure-response
# --------------------------------------------------------------------------

from scipy.optimize import curve_fit  # noqa: E402

from scripts.translation import exposure_response as er  # noqa: E402

ER_LEVELS = np.array([3.0, 10.0, 30.0, 100.0])  # nM, active dose levels
TRUE = {"emax": -60.0, "ec50": 15.0, "sd": 20.0}


def _simulate(rng, n=10):
    x = np.r_[np.zeros(n), np.repeat(ER_LEVELS, n)]
    y = er.emax_model(x, TRUE["emax"], TRUE["ec50"]) + rng.normal(0, TRUE["sd"], x.size)
    vehicle = y[:n].mean()
    return x, y - vehicle


def test_emax_fit_agrees_with_curve_fit():
    x, y = _simulate(np.random.default_rng(11))
    fixed = er.fit_emax(x, y, len(ER_LEVELS), dict(TR, exposure_response_e0="fixed"))
    popt, _ = curve_fit(lambda c, emax, ec50: emax * c / (ec50 + c), x, y, p0=[-50, 10], maxfev=10000)
    assert fixed["e0"] == 0.0
    assert fixed["emax"] == pytest.approx(popt[0], rel=1e-4)
    assert fixed["ec50_nM"] == pytest.approx(popt[1], rel=1e-4)
    fit = er.fit_emax(x, y, len(ER_LEVELS), TR)
    popt, _ = curve_fit(
        lambda c, e0, emax, ec50: e0 + emax * c / (ec50 + c), x, y, p0=[0, -50, 10], maxfev=10000
    )
    assert fit["e0"] == pytest.approx(popt[0], abs=1e-4)
    assert fit["emax"] == pytest.approx(popt[1], rel=1e-4)
    assert fit["ec50_nM"] == pytest.approx(popt[2], rel=1e-4)
    assert fit["hill"] == 1.0
    assert fit["ec50_ci_low_nM"] < fit["ec50_nM"] < fit["ec50_ci_high_nM"]
    assert fit["emax_ci_low"] < fit["emax"] < fit["emax_ci_high"]
    # the CI bounds lie where the profile SSR reaches the F threshold
    df = x.size - 3
    from scipy.stats import f as f_dist

    threshold = fit["ssr"] * (1 + f_dist.ppf(0.95, 1, df) / df)
    for ec50 in (fit["ec50_ci_low_nM"], fit["ec50_ci_high_nM"]):
        design = np.column_stack([np.ones_like(x), x / (ec50 + x)])
        beta = np.linalg.lstsq(design, y, rcond=None)[0]
        assert ((design @ beta - y) ** 2).sum() == pytest.approx(threshold, rel=1e-5)


def test_emax_fit_recovers_simulated_ec50_within_ci():
    rng = np.random.default_rng(20251203)
    sims, covered = 100, 0
    for _ in range(sims):
        x, y = _simulate(rng)
        fit = er.fit_emax(x, y, len(ER_LEVELS), TR)
        low = fit["ec50_ci_low_nM"] if math.isfinite(fit["ec50_ci_low_nM"]) else 0.0
        high = fit["ec50_ci_high_nM"] if math.isfinite(fit["ec50_ci_high_nM"]) else math.inf
        covered += low <= TRUE["ec50"] <= high
    assert covered / sims >= 0.90


def _endpoint_rows(levels_mg_kg, rng, n=8):
    rows = []
    for dose in [0.0, *levels_mg_kg]:
        for i in range(n):
            rows.append(
                {
                    "test": "fst",
                    "endpoint": "immobility_s",
                    "unit": "s",
                    "animal_id": f"A{dose:g}_{i}",
                    "treatment": "vehicle" if dose == 0 else "drug",
                    "dose_mg_kg": dose,
                    "regimen": "acute",
                    "excluded": False,
                    "value": 150 + er.emax_model(dose * 2.0, -60, 15.0) + rng.normal(0, 10),
                }
            )
    return pd.DataFrame(rows)


def _at_test(levels_mg_kg):
    return pd.DataFrame(
        {
            "test": "fst",
            "dose_mg_kg": levels_mg_kg,
            "regimen": "acute",
            "c_unbound_nM": [2.0 * d for d in levels_mg_kg],  # exposure = 2 nM per mg/kg
            "auc_tau_unbound_nM_h": [10.0 * d for d in levels_mg_kg],
        }
    )


def test_exposure_response_table_and_not_estimable():
    rng = np.random.default_rng(3)
    fits, points, curves = er.exposure_response(
        _endpoint_rows([1.5, 5, 15, 50], rng), _at_test([1.5, 5, 15, 50]), "drug", "vehicle", TR
    )
    row = fits.iloc[0]
    assert row["status"].startswith("fitted") and row["n_dose_levels"] == 4 and row["hill"] == 1.0
    assert row["emax"] < 0 and row["endpoint_unit"] == "s" and row["exposure_basis"] == "at_test"
    # the vehicle animals enter at exposure 0, responses relative to the vehicle mean
    vehicle = points[points["dose_mg_kg"] == 0]
    assert (vehicle["exposure"] == 0).all() and vehicle["response"].mean() == pytest.approx(0.0, abs=1e-9)
    assert (
        len(curves)
        and (curves["low"] <= curves["fit"] + 1e-9).all()
        and (curves["fit"] <= curves["high"] + 1e-9).all()
    )
    two = er.exposure_response(_endpoint_rows([5, 15], rng), _at_test([5, 15]), "drug", "vehicle", TR)[0]
    assert two.iloc[0]["status"].startswith("not estimable") and math.isnan(two.iloc[0]["ec50_nM"])
    auc = er.exposure_response(
        _endpoint_rows([1.5, 5, 15], rng),
        _at_test([1.5, 5, 15]),
        "drug",
        "vehicle",
        dict(TR, exposure_response_basis="auc"),
    )[0]
    assert auc.iloc[0]["exposure_basis"] == "auc" and auc.iloc[0]["exposure_unit"] == "nM*h"


def test_hill_is_fitted_from_five_levels():
    rng = np.random.default_rng(5)
    levels = [0.5, 1.5, 5, 15, 50]
    fits = er.exposure_response(_endpoint_rows(levels, rng, n=10), _at_test(levels), "drug", "vehicle", TR)[0]
    assert "Hill fixed" not in fits.iloc[0]["status"]
    assert fits.iloc[0]["hill"] != 1.0


# --------------------------------------------------------------------------
# Human dose prediction
# --------------------------------------------------------------------------

from scripts.translation import dose_prediction as dp  # noqa: E402


def test_human_dose_prediction_by_hand_and_flag():
    cfg = dict(TR, human_cmin_ss_source="model")
    steady, _ = human_pk.human_steady_state(REFERENCE, [15, 30, 45], 24.0, 0.2, cfg)
    central = steady[(steady["dose_mg"] == 30) & (steady["t_half_h"] == 20)].iloc[0]
    per_mg_nM = central["cmin_ss_ng_mL"] * 0.2 / MW * 1000 / 30  # unbound nM per mg/day
    fits = pd.DataFrame(
        [
            {
                "test": "fst",
                "endpoint": "immobility_s",
                "regimen": "acute",
                "status": "fitted; Hill fixed at 1 (< 5 dose levels)",
                "ec50_nM": 40.0,
                "ec50_ci_low_nM": 20.0,
                "ec50_ci_high_nM": 80.0,
            }
        ]
    )
    effective = pd.DataFrame(
        {"test": ["fst"], "endpoint": ["immobility_s"], "regimen": ["acute"], "dose_mg_kg": [10.0]}
    )
    at_test = pd.DataFrame(
        {
            "test": ["fst"],
            "dose_mg_kg": [10.0],
            "regimen": ["acute"],
            "c_unbound_nM": [5.0],
            "test_time_h": ["1"],
            "profile_source": ["measured"],
        }
    )
    ki = pd.DataFrame(
        {"species": ["human"], "receptor": ["H1"], "key": ["h1"], "ki_nM": [2.0], "source": ["lit"]}
    )
    study = {"clinical_doses_mg": [15, 30, 45], "extra_tests": {}}
    pred = dp.human_dose_prediction(fits, effective, at_test, steady, ki, study, cfg, MW, 1.0, 1.0)
    ec50 = pred[pred["target_kind"] == "efficacy_ec50"].iloc[0]
    assert ec50["basis"] == "cmin_ss"
    assert ec50["human_dose_mg"] == pytest.approx(40.0 / per_mg_nM, rel=1e-9)
    assert ec50["ci_low_mg"] == pytest.approx(20.0 / per_mg_nM, rel=1e-9)
    assert ec50["ci_high_mg"] == pytest.approx(80.0 / per_mg_nM, rel=1e-9)
    # a longer half-life raises the trough per mg: a lower dose reaches the target
    assert (
        ec50["human_dose_t_half_low_mg"]
        < ec50["human_dose_mg"]
        == pytest.approx(ec50["human_dose_t_half_high_mg"])
    )
    lowest = pred[pred["target_kind"] == "lowest_effective_dose"].iloc[0]
    assert lowest["human_dose_mg"] == pytest.approx(5.0 / per_mg_nM, rel=1e-9)
    occ = pred[pred["target_kind"] == "occupancy"].set_index("target")
    assert occ.loc["50% occupancy of H1", "human_dose_mg"] == pytest.approx(2.0 / per_mg_nM, rel=1e-9)
    assert occ.loc["80% occupancy of H1", "human_dose_mg"] == pytest.approx(8.0 / per_mg_nM, rel=1e-9)
    for _, r in pred.iterrows():
        assert r["within_clinical_range"] == (15 <= r["human_dose_mg"] <= 45)
    flags = dp.dose_prediction_flags(pred, [15, 30, 45])
    outside = pred[pred["target_kind"].isin(dp.EFFICACY_KINDS) & ~pred["within_clinical_range"].astype(bool)]
    assert len(flags) == (1 if len(outside) else 0)
    if flags:
        assert flags[0]["flag_id"] == "efficacious_exposure_outside_clinical"
        assert flags[0]["severity"] == "medium"
    # an efficacious dose inside the clinical range: no flag
    inside = pred.assign(within_clinical_range=True)
    assert dp.dose_prediction_flags(inside, [15, 30, 45]) == []
    far = pred.assign(within_clinical_range=False)
    flag = dp.dose_prediction_flags(far, [15, 30, 45])[0]
    assert "rat EC50 fst immobility_s acute" in flag["evidence"] and "H1" not in flag["evidence"]
    # through the registry: every number of the evidence is a cited cell of human_dose_prediction.csv
    assert flag["area"] == "translation" and "translation/human_dose_prediction.csv|" in flag["evidence_refs"]
    checked = fe.check_flags(pd.DataFrame([flag]), {"translation/human_dose_prediction.csv": far}, {})
    assert checked >= 3 * len(far[far["target_kind"].isin(dp.EFFICACY_KINDS)])


def test_an_ec50_the_data_do_not_identify_gives_no_dose():
    cfg = dict(TR, human_cmin_ss_source="model")
    steady, _ = human_pk.human_steady_state(REFERENCE, [15, 30, 45], 24.0, 0.2, cfg)
    fits = pd.DataFrame(
        [
            {
                "test": "fst",
                "endpoint": "immobility_s",
                "regimen": "acute",
                "status": "fitted; EC50 beyond the tested exposures (more than 10-fold): Emax and EC50 "
                "not identified",
                "ec50_nM": 7.8e6,
                "ec50_ci_low_nM": np.nan,
                "ec50_ci_high_nM": np.nan,
            }
        ]
    )
    effective = pd.DataFrame(
        {"test": ["fst"], "endpoint": ["immobility_s"], "regimen": ["acute"], "dose_mg_kg": [10.0]}
    )
    study = {"clinical_doses_mg": [15, 30, 45], "extra_tests": {}}
    pred = dp.human_dose_prediction(fits, effective, None, steady, None, study, cfg, MW, 1.0, 1.0)
    row = pred[pred["target_kind"] == "ec50_not_identified"].iloc[0]
    assert row["target_unbound_nM"] == pytest.approx(7.8e6)
    for column in ("human_dose_mg", "ci_low_mg", "ci_high_mg", "human_dose_t_half_low_mg"):
        assert np.isnan(row[column]), column
    assert row["within_clinical_range"] is None and "not identified" in row["note"]
    assert dp.dose_prediction_flags(pred, [15, 30, 45]) == []


def test_reference_without_tmax_gives_auc_but_no_peak():
    reference = {k: v for k, v in REFERENCE.items() if k != "tmax_h"}
    table, warnings = human_pk.human_steady_state(reference, [30], 24.0, 0.15, TR)
    assert table["auc_tau_ss_ng_h_mL"].iloc[0] == pytest.approx(600.0)
    assert table["cav_ss_ng_mL"].iloc[0] == pytest.approx(25.0)
    assert (
        table["cmax_ss_ng_mL"].isna().all() and len(warnings) == 1 and "neither ka nor a Tmax" in warnings[0]
    )


def test_multiple_dose_profiles_are_not_single_dose_group_profiles():
    pk, nca, g = _iv_pk()
    late = pk[pk["animal_id"] == "R0"].assign(animal_id="R9", time_h=lambda d: d["time_h"] + 480.0)
    profiles = rp.group_profiles(pd.concat([pk, late]), nca, "drug", 24.0)
    assert profiles[("iv", 1.0)].n_animals == 3
    assert profiles[("iv", 1.0)].source == "measured"

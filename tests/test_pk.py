"""NCA rules of scripts.pk, each checked against a hand calculation or a
closed-form (analytic) pharmacokinetic profile."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate

from scripts import pk, settings, validation

PK = settings.section("pk")
# Far below every concentration used here, so validation turns only the
# blank (NaN) samples into BLQ.
LLOQ = 0.001


def profile_table(times, conc, route="po", dose=1.0, animal="R1", analyte="drug"):
    """The rows of a PK file for one profile (NaN is written blank: BLQ)."""
    return pd.DataFrame(
        {
            "animal_id": animal,
            "species": "rat",
            "body_weight_kg": 0.25,
            "route": route,
            "dose_mg_kg": dose,
            "analyte": analyte,
            "time_h": np.asarray(times, float),
            "concentration_ng_mL": np.asarray(conc, float),
            "lloq_ng_mL": LLOQ,
        }
    )


def validated_pk(folder, *frames):
    """Write *frames* as one PK file in *folder* and return the table
    validation.validate_pk makes of it (what the NCA reads)."""
    path = folder / "pk.csv"
    pd.concat(frames, ignore_index=True).to_csv(path, index=False)
    table, _ = validation.validate_pk(path)
    return table


@pytest.fixture
def validated(tmp_path):
    """validated_pk in the test's own folder."""
    return lambda *frames: validated_pk(tmp_path, *frames)


def only_row(table):
    assert len(table) == 1
    return table.iloc[0]


# --- AUC, AUMC ---------------------------------------------------------------

TIMES = [0.0, 1.0, 2.0, 4.0]
CONCS = [0.0, 10.0, 8.0, 4.0]


def test_linear_auc_by_hand():
    # 0.5*1*10 + 0.5*1*(10+8) + 0.5*2*(8+4) = 5 + 9 + 12
    assert pk.auc_to_tlast(TIMES, CONCS, "linear") == pytest.approx(26.0)


def test_lin_up_log_down_auc_by_hand():
    # rising 0->1 linear (5); declining 1->2 and 2->4 log: dt*(C1-C2)/ln(C1/C2)
    expected = 5.0 + 1 * (10 - 8) / math.log(10 / 8) + 2 * (8 - 4) / math.log(8 / 4)
    assert expected == pytest.approx(25.50438, abs=1e-4)
    assert pk.auc_to_tlast(TIMES, CONCS, "lin_up_log_down") == pytest.approx(expected, rel=1e-12)


def test_linear_aumc_by_hand():
    # 0.5*1*(0+10) + 0.5*1*(10*1+8*2) + 0.5*2*(8*2+4*4) = 5 + 13 + 32
    assert pk.aumc_to_tlast(TIMES, CONCS, "linear") == pytest.approx(50.0)


def test_log_down_aumc_segment_equals_numerical_integral():
    # On a declining segment the log rule assumes C = C1*exp(-k(t - t1)); integrate t*C numerically.
    t1, t2, c1, c2 = 2.0, 5.0, 9.0, 3.0
    k = math.log(c1 / c2) / (t2 - t1)
    numeric, _ = integrate.quad(lambda t: t * c1 * math.exp(-k * (t - t1)), t1, t2)
    assert pk.aumc_segments([t1, t2], [c1, c2], "lin_up_log_down")[0] == pytest.approx(numeric, rel=1e-10)
    area, _ = integrate.quad(lambda t: c1 * math.exp(-k * (t - t1)), t1, t2)
    assert pk.auc_segments([t1, t2], [c1, c2], "lin_up_log_down")[0] == pytest.approx(area, rel=1e-10)


def test_log_down_falls_back_to_linear_when_a_concentration_is_zero():
    assert pk.auc_segments([0, 2], [6.0, 0.0], "lin_up_log_down")[0] == pytest.approx(6.0)


def test_auc_method_is_configurable_in_the_nca_table(validated):
    df = validated(profile_table([1, 2, 4], [10, 8, 4]))
    linear = only_row(pk.nca_table(df, settings.section("pk", {"auc_method": "linear"})))
    log_down = only_row(pk.nca_table(df, PK))
    assert linear["auc_last_ng_h_mL"] == pytest.approx(26.0)
    assert log_down["auc_last_ng_h_mL"] == pytest.approx(25.50438, abs=1e-4)


# --- lambda z ------------------------------------------------------------------


def test_lambda_z_three_points_by_hand():
    # Tmax at 1 h; candidates 2, 4, 6 h. Least squares slope of ln C on t with
    # x = 2, 4, 6 (mean 4, Sxx = 8): slope = 2*(ln 3.5 - ln 10)/8.
    times = [0.5, 1, 2, 4, 6]
    conc = [5, 12, 10, 6, 3.5]
    fit = pk.fit_lambda_z(times, conc, tmax=1.0, min_points=PK["min_lambda_z_points"])
    expected = math.log(10 / 3.5) / 4
    assert fit.n_points == 3
    assert fit.lambda_z == pytest.approx(expected, rel=1e-12)
    assert fit.half_life == pytest.approx(math.log(2) / expected)
    # adjusted R² from the correlation coefficient, computed independently
    r = np.corrcoef([2, 4, 6], np.log([10, 6, 3.5]))[0, 1]
    assert fit.adj_r2 == pytest.approx(1 - (1 - r * r) * 2 / 1)
    assert fit.span_ratio == pytest.approx((6 - 2) / (math.log(2) / expected))


def test_lambda_z_prefers_terminal_points_on_a_line(validated):
    # 4, 6, 8 h lie exactly on C = 32*0.5**(t/2) (t½ = 2 h); the 2 h point (20,
    # line gives 16) is off it, so the 3-point fit (adj R² = 1) wins.
    times = [1, 2, 4, 6, 8]
    conc = [30, 20, 8, 4, 2]
    row = only_row(pk.nca_table(validated(profile_table(times, conc)), PK))
    assert row["lambda_z_n_points"] == 3
    assert row["t_half_h"] == pytest.approx(2.0)
    assert row["lambda_z_adj_r2"] == pytest.approx(1.0)
    assert row["span_ratio"] == pytest.approx((8 - 4) / 2.0)
    assert row["flags"] == ""  # span ratio exactly 2 is not below 2
    lam = math.log(2) / 2
    assert row["auc_inf_ng_h_mL"] == pytest.approx(row["auc_last_ng_h_mL"] + 2 / lam)


def test_lambda_z_within_tolerance_takes_more_points():
    # Every point after Tmax on one exponential: all fits have adj R² = 1, so
    # the fit with the most points is kept (PKNCA's adj.r.squared.factor rule).
    times = np.array([0.5, 1, 2, 3, 4, 6, 8])
    conc = 100 * np.exp(-0.3 * times)
    conc[0] = 50  # rising to Tmax at 1 h
    fit = pk.fit_lambda_z(times, conc, tmax=1.0, min_points=PK["min_lambda_z_points"])
    assert fit.n_points == 5
    assert fit.lambda_z == pytest.approx(0.3, rel=1e-10)


def test_lambda_z_selection_matches_independent_rule():
    # Slightly noisy terminal phase: recompute every candidate fit with
    # np.polyfit and apply the stated rule (best adj R², then most points
    # within 1e-4) independently.
    times = np.array([0.25, 0.5, 1, 2, 3, 4, 6, 8, 12, 24])
    conc = np.array([20, 35, 40, 33, 27.5, 22.0, 15.1, 10.4, 4.9, 0.62])
    tmax = 1.0
    fit = pk.fit_lambda_z(times, conc, tmax=tmax, min_points=PK["min_lambda_z_points"])
    t, c = times[times > tmax], conc[times > tmax]
    candidates = []
    for n in range(3, t.size + 1):
        slope, _ = np.polyfit(t[-n:], np.log(c[-n:]), 1)
        r2 = np.corrcoef(t[-n:], np.log(c[-n:]))[0, 1] ** 2
        adj = 1 - (1 - r2) * (n - 1) / (n - 2)
        if slope < 0:
            candidates.append((n, -slope, adj))
    best = max(a for _, _, a in candidates)
    n_expected, lam_expected, _ = max((x for x in candidates if x[2] >= best - 1e-4), key=lambda x: x[0])
    assert fit.n_points == n_expected
    assert fit.lambda_z == pytest.approx(lam_expected, rel=1e-10)


def test_cmax_is_never_in_the_terminal_fit():
    # IV bolus with Cmax at the first sample: only later points may be used.
    times = [0.25, 0.5, 1, 2]
    conc = 100 * np.exp(-0.5 * np.array(times))
    fit = pk.fit_lambda_z(times, conc, tmax=0.25, min_points=PK["min_lambda_z_points"])
    assert fit.n_points == 3
    assert min(fit.times) == 0.5


def test_rising_terminal_phase_gives_no_lambda_z_but_keeps_auc_and_cmax(validated):
    row = only_row(pk.nca_table(validated(profile_table([1, 2, 3, 4, 5], [1, 10, 4, 5, 6])), PK))
    assert row["cmax_ng_mL"] == 10
    assert row["auc_last_ng_h_mL"] > 0
    assert math.isnan(row["lambda_z_per_h"]) and math.isnan(row["auc_inf_ng_h_mL"])
    assert "lambda_z_not_estimable(no declining terminal phase)" in row["flags"]


def test_too_few_points_for_lambda_z_is_flagged_not_invented(validated):
    row = only_row(pk.nca_table(validated(profile_table([0.5, 1, 2, 4], [2, 10, 6, 3])), PK))
    assert row["cmax_ng_mL"] == 10 and row["tmax_h"] == 1
    # 0 -> 0.5 linear, 0.5 -> 1 linear, then log-down 1 -> 2 -> 4
    expected = 0.5 * 0.5 * 2 + 0.5 * 0.5 * 12 + 4 / math.log(10 / 6) + 2 * 3 / math.log(2)
    assert row["auc_last_ng_h_mL"] == pytest.approx(expected)
    for col in [
        "lambda_z_per_h",
        "t_half_h",
        "auc_inf_ng_h_mL",
        "auc_pct_extrap",
        "cl_L_h_kg",
        "vz_L_kg",
        "mrt_h",
        "span_ratio",
        "lambda_z_adj_r2",
    ]:
        assert math.isnan(row[col]), col
    assert pd.isna(row["lambda_z_n_points"])
    assert "lambda_z_not_estimable(<3 points after Tmax)" in row["flags"]


def test_quality_flags_low_adj_r2_short_span_and_large_extrapolation(validated):
    # Terminal points scattered (poor fit), covering a short span, stopping early.
    row = only_row(pk.nca_table(validated(profile_table([0.5, 1, 1.5, 2, 2.5], [5, 50, 30, 38, 20])), PK))
    flags = row["flags"].split(";")
    assert "adj_r2<0.9" in flags
    assert "span_ratio<2" in flags
    assert "auc_pct_extrap>20" in flags
    # Failing the acceptance rules: AUClast and Cmax stay, λz-derived values
    # are blank, and the flag says why (the %extrapolated recomputed by hand
    # from the fit's λz and the observed Clast).
    (reason,) = [f for f in flags if f.startswith("lambda_z_not_reportable(")]
    assert "adj_r2=" in reason and "auc_pct_extrap=" in reason and "span_ratio" not in reason
    assert row["cmax_ng_mL"] == 50 and row["auc_last_ng_h_mL"] > 0
    assert row[pk.conventions.LAMBDA_Z_DERIVED].isna().all()
    assert row["lambda_z_n_points"] >= 3 and row["lambda_z_adj_r2"] < 0.9
    points = pk.lambda_z_points(validated(profile_table([0.5, 1, 1.5, 2, 2.5], [5, 50, 30, 38, 20])), PK)
    lam = points["lambda_z_per_h"].iloc[0]
    auc_inf = row["auc_last_ng_h_mL"] + 20 / lam
    expected = 100 * (auc_inf - row["auc_last_ng_h_mL"]) / auc_inf
    assert f"auc_pct_extrap={expected:.3g}" in reason


# --- BLQ --------------------------------------------------------------------------

BLQ_TIMES = [0, 0.5, 1, 2, 4, 8, 12]
BLQ_CONCS = [np.nan, np.nan, 5, np.nan, 3, np.nan, np.nan]


def test_blq_default_rules_first_zero_middle_drop_last_drop():
    rules = PK["blq_first"], PK["blq_middle"], PK["blq_last"]
    assert rules == ("zero", "drop", "drop")
    t, c, dropped = pk.apply_blq_rules(BLQ_TIMES, BLQ_CONCS, np.isnan(BLQ_CONCS), *rules)
    assert list(t) == [0, 0.5, 1, 4]
    assert list(c) == [0, 0, 5, 3]
    assert dropped == 1


def test_blq_rules_are_configurable():
    t, c, _ = pk.apply_blq_rules(
        BLQ_TIMES, BLQ_CONCS, np.isnan(BLQ_CONCS), first="drop", middle="zero", last="zero"
    )
    assert list(t) == [1, 2, 4, 8, 12]
    assert list(c) == [5, 0, 3, 0, 0]


def test_blq_rules_change_auclast_as_expected_by_hand(validated):
    df = validated(profile_table(BLQ_TIMES, BLQ_CONCS))
    default = only_row(pk.nca_table(df, PK))
    # 0->0.5 zero, 0.5->1 linear 0.5*0.5*5, 1->4 log-down 3*(5-3)/ln(5/3)
    assert default["auc_last_ng_h_mL"] == pytest.approx(1.25 + 6 / math.log(5 / 3))
    assert "blq_middle_dropped(n=1)" in default["flags"]
    assert default["tlast_h"] == 4 and default["clast_ng_mL"] == 3
    middle_zero = only_row(pk.nca_table(df, settings.section("pk", {"blq_middle": "zero"})))
    # 1->2 linear to 0 (log impossible), 2->4 linear up from 0
    assert middle_zero["auc_last_ng_h_mL"] == pytest.approx(1.25 + 2.5 + 3.0)


def test_profile_without_quantifiable_sample_is_reported_not_zero(validated):
    df = validated(
        profile_table([0.5, 1, 2], [5, 3, 1]), profile_table([0.5, 1, 2], [np.nan] * 3, analyte="8-OH")
    )
    row = only_row(pk.nca_table(df, PK).query("analyte == '8-OH'"))
    assert row["flags"] == "no_quantifiable_sample"
    assert math.isnan(row["auc_last_ng_h_mL"]) and math.isnan(row["cmax_ng_mL"])


# --- time zero ----------------------------------------------------------------


def test_extravascular_inserts_zero_at_time_zero(validated):
    row = only_row(pk.nca_table(validated(profile_table([1, 2], [4, 4])), PK))
    assert row["c0_ng_mL"] == 0
    assert row["auc_last_ng_h_mL"] == pytest.approx(0.5 * 1 * 4 + 4)


def test_extravascular_nonzero_predose_is_kept_and_flagged(validated):
    row = only_row(pk.nca_table(validated(profile_table([0, 1, 2], [2, 4, 4])), PK))
    assert row["c0_ng_mL"] == 2
    assert "predose_nonzero" in row["flags"]
    assert row["auc_last_ng_h_mL"] == pytest.approx(0.5 * (2 + 4) + 4)


def test_iv_c0_back_extrapolated_log_linearly_from_first_two_points(validated):
    # 10 at 0.5 h, 5 at 1 h: half-life 0.5 h, so C0 = 20.
    row = only_row(pk.nca_table(validated(profile_table([0.5, 1, 2], [10, 5, 1.25], route="iv")), PK))
    assert row["c0_ng_mL"] == pytest.approx(20.0)
    assert "c0_first_observation" not in row["flags"]
    # 0 -> 0.5 is a log-down segment from C0: 0.5*(20-10)/ln 2
    expected = 0.5 * 10 / math.log(2) + 0.5 * 5 / math.log(2) + 1 * 3.75 / math.log(4)
    assert row["auc_last_ng_h_mL"] == pytest.approx(expected)


def test_iv_c0_falls_back_to_first_observation_and_says_so(validated):
    row = only_row(pk.nca_table(validated(profile_table([0.5, 1, 2], [5, 10, 2], route="iv")), PK))
    assert row["c0_ng_mL"] == 5
    assert "c0_first_observation" in row["flags"]


def test_iv_blq_at_time_zero_is_replaced_by_back_extrapolated_c0(validated):
    row = only_row(
        pk.nca_table(validated(profile_table([0, 0.5, 1, 2], [np.nan, 10, 5, 1.25], route="iv")), PK)
    )
    assert row["c0_ng_mL"] == pytest.approx(20.0)


def test_iv_observed_concentration_at_time_zero_is_used_and_flagged(validated):
    row = only_row(pk.nca_table(validated(profile_table([0, 0.5, 1, 2], [18, 10, 5, 1.25], route="iv")), PK))
    assert row["c0_ng_mL"] == 18
    assert "c0_observed_at_t0" in row["flags"]


# --- analytic one-compartment profiles ------------------------------------------

V_L_KG, K_PER_H, KA_PER_H, F_TRUE = 2.0, 0.2, 1.5, 0.3
DENSE = np.r_[np.arange(0.1, 2, 0.1), np.arange(2, 60.5, 0.5)]


def iv_bolus(dose, t):
    """C = Dose/V * exp(-k t); mg/kg over L/kg is mg/L = 1000 ng/mL."""
    return 1000 * dose / V_L_KG * np.exp(-K_PER_H * t)


def oral_bateman(dose, t):
    return (
        1000
        * F_TRUE
        * dose
        * KA_PER_H
        / (V_L_KG * (KA_PER_H - K_PER_H))
        * (np.exp(-K_PER_H * t) - np.exp(-KA_PER_H * t))
    )


@pytest.fixture(scope="module")
def analytic_nca(tmp_path_factory):
    df = validated_pk(
        tmp_path_factory.mktemp("analytic"),
        profile_table(DENSE, iv_bolus(1.0, DENSE), route="iv", dose=1.0, animal="IV1"),
        profile_table(DENSE, oral_bateman(5.0, DENSE), route="po", dose=5.0, animal="PO1"),
    )
    return pk.nca_table(df, PK).set_index("route")


def test_analytic_iv_bolus_recovers_half_life_clearance_and_volume(analytic_nca):
    row = analytic_nca.loc["iv"]
    assert row["t_half_h"] == pytest.approx(math.log(2) / K_PER_H, rel=0.01)
    assert row["cl_L_h_kg"] == pytest.approx(K_PER_H * V_L_KG, rel=0.01)  # 0.4 L/h/kg
    assert row["vz_L_kg"] == pytest.approx(V_L_KG, rel=0.01)
    assert row["mrt_h"] == pytest.approx(1 / K_PER_H, rel=0.01)
    assert row["c0_ng_mL"] == pytest.approx(500.0, rel=1e-9)


def test_analytic_oral_recovers_half_life_and_apparent_clearance(analytic_nca):
    row = analytic_nca.loc["po"]
    assert row["t_half_h"] == pytest.approx(math.log(2) / K_PER_H, rel=0.01)
    assert row["cl_L_h_kg"] == pytest.approx(K_PER_H * V_L_KG / F_TRUE, rel=0.01)  # CL/F
    assert row["vz_L_kg"] == pytest.approx(V_L_KG / F_TRUE, rel=0.01)  # Vz/F
    assert row["auc_inf_ng_h_mL"] == pytest.approx(1000 * F_TRUE * 5.0 / (K_PER_H * V_L_KG), rel=0.01)
    assert row["mrt_h"] == pytest.approx(1 / K_PER_H + 1 / KA_PER_H, rel=0.01)


def test_analytic_profiles_recover_bioavailability(analytic_nca):
    table = analytic_nca.reset_index()
    f = only_row(pk.bioavailability_table(table, PK))
    assert f["f"] == pytest.approx(F_TRUE, rel=0.01)


def test_clearance_units_hand_check(validated):
    # 1 mg/kg giving AUCinf 1000 ng*h/mL is 1 L/h/kg; an exactly exponential
    # IV profile with k = ln2/2 and C0 = 1000*k/... is built to give that.
    lam = math.log(2) / 2
    c0 = 1000 * lam  # AUCinf = C0/λz = 1000
    t = np.arange(0.5, 30.5, 0.5)
    row = only_row(pk.nca_table(validated(profile_table(t, c0 * np.exp(-lam * t), route="iv", dose=1.0)), PK))
    assert row["auc_inf_ng_h_mL"] == pytest.approx(1000, rel=1e-9)
    assert row["cl_L_h_kg"] == pytest.approx(1.0, rel=1e-9)
    assert row["vz_L_kg"] == pytest.approx(1 / lam, rel=1e-9)


# --- destructive designs -------------------------------------------------------


def destructive_table():
    """Three animals per time, one sample each, PO 2 mg/kg."""
    times = [0.5, 0.5, 0.5, 1, 1, 1, 2, 2, 2]
    conc = [4.0, 6.0, 5.0, 9.0, 11.0, 13.0, 6.0, 8.0, 7.0]
    frames = [profile_table([t], [c], dose=2.0, animal=f"R{i}") for i, (t, c) in enumerate(zip(times, conc))]
    return pd.concat(frames, ignore_index=True)


def test_destructive_design_is_detected_and_analysed_on_the_mean_profile(validated):
    row = only_row(pk.nca_table(validated(destructive_table()), PK))
    assert row["animal_id"] == "mean_profile"
    assert "destructive_design(mean_profile_of_9_animals,linear_trapezoid)" in row["flags"]
    # means 5, 11, 7 at 0.5, 1, 2 h; linear trapezoid with C(0) = 0
    assert row["cmax_ng_mL"] == 11 and row["tmax_h"] == 1
    assert row["auc_last_ng_h_mL"] == pytest.approx(0.25 * 5 + 0.25 * 16 + 0.5 * 18)


def test_bailer_standard_error_by_hand(validated):
    # Weights with t = 0, 0.5, 1, 2: w0 = 0.25, w(0.5) = 0.5, w(1) = 0.75, w(2) = 0.5.
    # SDs: (4,6,5) -> 1, (9,11,13) -> 2, (6,8,7) -> 1; n = 3 each; t = 0 has no variance.
    var = (0.5**2 * 1 / 3) + (0.75**2 * 4 / 3) + (0.5**2 * 1 / 3)
    table = validated(destructive_table())
    sparse = pk.sparse_auc_table(table, PK)
    row = only_row(sparse)
    assert row["auc_last_se"] == pytest.approx(math.sqrt(var))
    assert row["auc_last_ng_h_mL"] == pytest.approx(14.25)
    terms = np.array([0.5**2 / 3, 0.75**2 * 4 / 3, 0.5**2 / 3])
    assert row["auc_last_df"] == pytest.approx(var**2 / np.sum(terms**2 / 2))
    summary = pk.summary_table(pk.nca_table(table, PK), sparse)
    auc = only_row(summary[summary["parameter"] == "auc_last_ng_h_mL"])
    assert auc["spread_statistic"] == "bailer_se"
    assert auc["spread"] == pytest.approx(math.sqrt(var))


def test_bailer_formula_directly():
    auc, se, _ = pk.bailer_auc([0, 1, 3], [0, 10, 4], [0, 2, 1], [1, 4, 5])
    assert auc == pytest.approx(0.5 * 10 + 1 * 14)
    # w = 0.5, 1.5, 1.0
    assert se == pytest.approx(math.sqrt(1.5**2 * 4 / 4 + 1.0**2 * 1 / 5))


# --- profiles ---------------------------------------------------------------------


def test_same_time_in_different_profiles_is_not_a_duplicate(validated):
    df = validated(profile_table([0.5, 1], [3, 2], animal="A"), profile_table([0.5, 1], [3, 2], animal="B"))
    assert len(pk.nca_table(df, PK)) == 2


# --- metabolites in the NCA ------------------------------------------------------


def test_metabolite_after_iv_starts_at_zero_and_has_no_clearance(validated):
    times = [0.25, 0.5, 1, 2, 4, 8]
    parent = profile_table(times, [80, 60, 40, 20, 5, 0.4], route="iv", analyte="Drug")
    metab = profile_table(times, [2, 5, 8, 6, 3, 0.7], route="iv", analyte="drug-OH")
    table = pk.nca_table(validated(parent, metab), PK, parent="drug").set_index("analyte")
    m = table.loc["drug-OH"]
    assert m["c0_ng_mL"] == 0  # formed, not dosed: no back-extrapolated C0
    assert "c0_first_observation" not in m["flags"] and "metabolite(no_CL_Vz)" in m["flags"]
    assert m["auc_last_ng_h_mL"] > 0.5 * 0.25 * 2  # includes the 0 -> 0.25 h triangle
    assert math.isnan(m["cl_L_h_kg"]) and math.isnan(m["vz_L_kg"]) and m["t_half_h"] > 0
    p = table.loc["Drug"]  # parent matched case-insensitively, keeps IV rules
    assert p["c0_ng_mL"] == pytest.approx(80 * (80 / 60)) and p["cl_L_h_kg"] > 0

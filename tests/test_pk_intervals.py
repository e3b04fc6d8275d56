"""Multiple-dose NCA (intervals.csv) and the nca.csv additions, against
profiles whose steady-state AUCτ, Cmin and accumulation are known exactly
(closed forms of a one-compartment model), hand calculations and PKNCA's
interval conventions."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate

from scripts import pk, settings
from scripts.pk.intervals import dose_intervals

PK = settings.section("pk")


def table(times, conc, route="iv", dose=1.0, animal="R1", analyte="drug"):
    """A validated PK table of one profile (NaN = BLQ)."""
    conc = np.asarray(conc, float)
    return pd.DataFrame(
        {
            "animal_id": animal,
            "species": "rat",
            "body_weight_kg": 0.25,
            "route": route,
            "dose_mg_kg": dose,
            "analyte": analyte,
            "time_h": np.asarray(times, float),
            "concentration_ng_mL": conc,
            "lloq_ng_mL": 0.001,
            "blq": np.isnan(conc),
        }
    )


def dosing(times, route="iv", dose=1.0, animal="R1", duration=0.0):
    return pd.DataFrame(
        {
            "animal_id": animal,
            "time_h": np.asarray(times, float),
            "dose_mg_kg": dose,
            "route": route,
            "duration_h": duration,
        }
    )


# --- IV bolus, one compartment, repeated every τ: everything is closed form ----

K, C0, TAU, N_DOSES = 0.2, 100.0, 12.0, 5
RELATIVE = [0.5, 1, 2, 4, 8]


def iv_conc(t):
    """Superposition of C0·e^(−k(t − t_i)) over the doses given before t
    (a dose at t itself is not yet given: a sample at a dose time is the
    pre-dose sample)."""
    doses = TAU * np.arange(N_DOSES)
    return sum(C0 * math.exp(-K * (t - d)) for d in doses if d < t - 1e-12)


@pytest.fixture(scope="module")
def iv_multiple_dose():
    times = sorted({TAU * n + r for n in range(N_DOSES) for r in [0.0, *RELATIVE]} | {TAU * N_DOSES})
    conc = [iv_conc(t) if t > 0 else np.nan for t in times]  # pre-dose sample at 0 is BLQ
    data = table(times, conc)
    nca, _, _, intervals = pk.nca_outputs(data, PK, dosing=dosing(TAU * np.arange(N_DOSES)))
    return nca.iloc[0], intervals.set_index("dose_number")


def test_interval_layout_follows_the_dosing_records(iv_multiple_dose):
    _, intervals = iv_multiple_dose
    assert list(intervals.index) == [1, 2, 3, 4, 5]
    assert list(intervals["start_h"]) == [0, 12, 24, 36, 48]
    assert list(intervals["end_h"]) == [12, 24, 36, 48, 60]  # the last dose keeps the regimen's τ
    assert (intervals["tau_h"] == TAU).all()


def test_auc_tau_is_the_closed_form_at_every_dose(iv_multiple_dose):
    # AUCτ after dose n = (C0/k)(1 − e^(−n k τ)) (superposition, exact).
    _, intervals = iv_multiple_dose
    for n, row in intervals.iterrows():
        assert row["auc_tau_ng_h_mL"] == pytest.approx(C0 / K * (1 - math.exp(-n * K * TAU)), rel=1e-9)
        assert row["cav_ng_mL"] == pytest.approx(row["auc_tau_ng_h_mL"] / TAU, rel=1e-12)


def test_cmin_ctrough_cmax_swing_and_fluctuation(iv_multiple_dose):
    _, intervals = iv_multiple_dose
    for n, row in intervals.iterrows():
        start, end = TAU * (n - 1), TAU * n
        cmin = iv_conc(start) if n > 1 else 0.0  # the pre-dose sample; BLQ before the first dose counts as 0
        cmax = iv_conc(start + 0.5)
        assert row["cmin_ng_mL"] == pytest.approx(cmin, rel=1e-9)
        assert row["ctrough_ng_mL"] == pytest.approx(iv_conc(end), rel=1e-9)
        assert row["cmax_ng_mL"] == pytest.approx(cmax, rel=1e-9)
        assert row["tmax_h"] == pytest.approx(0.5)  # after the interval's dose
        assert row["fluctuation_pct"] == pytest.approx(100 * (cmax - cmin) / row["cav_ng_mL"], rel=1e-9)
        if n == 1:
            assert pd.isna(row["swing"])  # Cmin 0
        else:
            assert row["swing"] == pytest.approx((cmax - cmin) / cmin, rel=1e-9)


def test_accumulation_observed_and_predicted(iv_multiple_dose):
    nca, intervals = iv_multiple_dose
    r = math.exp(-K * TAU)
    for n, row in intervals.iterrows():
        assert row["accumulation_ratio_observed"] == pytest.approx((1 - r**n) / (1 - r), rel=1e-9)
    assert list(intervals["accumulation_ratio_predicted"]) == pytest.approx([1 / (1 - r)] * N_DOSES, rel=1e-9)
    # nca.csv reports the first interval, whose λz is k exactly.
    assert nca["lambda_z_per_h"] == pytest.approx(K, rel=1e-9)
    assert "multiple_dose(first_interval_of_5)" in nca["flags"]
    assert nca["auc_last_ng_h_mL"] == pytest.approx(intervals.loc[1, "auc_tau_ng_h_mL"], rel=1e-12)


# --- extravascular, piecewise linear: the linear trapezoid is exact ------------


def test_extravascular_interval_by_hand():
    times = [0, 1, 2, 4, 6, 7, 8, 10, 12]
    conc = [np.nan, 10, 8, 4, 2, 12, 9, 5, 3]
    data = table(times, conc, route="po")
    linear = settings.section("pk", {"auc_method": "linear"})
    intervals = pk.interval_table(data, linear, dosing=dosing([0, 6], route="po")).set_index("dose_number")
    first, second = intervals.loc[1], intervals.loc[2]
    # 0->6: 0.5*(0+10) + 0.5*(10+8) + (8+4) + (4+2) = 5 + 9 + 12 + 6
    assert first["auc_tau_ng_h_mL"] == pytest.approx(32.0)
    # 6->12: 0.5*(2+12) + 0.5*(12+9) + (9+5) + (5+3) = 7 + 10.5 + 14 + 8
    assert second["auc_tau_ng_h_mL"] == pytest.approx(39.5)
    assert (first["cmax_ng_mL"], first["tmax_h"], first["cmin_ng_mL"]) == (10, 1, 0)
    assert (second["cmax_ng_mL"], second["tmax_h"], second["cmin_ng_mL"]) == (12, 1, 2)
    assert (first["ctrough_ng_mL"], second["ctrough_ng_mL"]) == (2, 3)
    assert second["accumulation_ratio_observed"] == pytest.approx(39.5 / 32.0)


def test_unsampled_interval_end_leaves_auc_tau_and_ctrough_blank():
    data = table([0, 1, 2, 4, 7, 8, 10], [np.nan, 10, 8, 4, 12, 9, 5], route="po")
    intervals = pk.interval_table(data, PK, dosing=dosing([0, 6], route="po")).set_index("dose_number")
    assert intervals[["auc_tau_ng_h_mL", "ctrough_ng_mL", "cav_ng_mL"]].isna().all(axis=None)
    assert intervals.loc[2, "cmax_ng_mL"] == 12  # observed values are still reported


def test_a_single_dose_has_no_dosing_interval():
    assert dose_intervals([0.0]) == []
    data = table([0.5, 1, 2, 4], [10, 8, 4, 2])
    assert pk.interval_table(data, PK, dosing=dosing([0])).empty
    assert pk.interval_table(data, PK).empty  # without dosing records


# --- partial AUCs (PKNCA aucint.last conventions) ---------------------------------


def test_partial_auc_without_interpolation_equals_the_auc():
    t, c = [0, 1, 2, 3], [8, 4, 2, 1]
    assert pk.partial_auc(t, c, 0, 3, "lin_up_log_down") == pytest.approx(
        pk.auc_to_tlast(t, c, "lin_up_log_down")
    )


def test_partial_auc_interpolates_log_linearly_on_a_decline():
    # C = 8·2^(−t): log interpolation and the log trapezoid are exact.
    t, c = [0, 1, 2, 3], [8, 4, 2, 1]
    exact = integrate.quad(lambda x: 8 * 2**-x, 0.5, 2.5)[0]
    assert pk.partial_auc(t, c, 0.5, 2.5, "lin_up_log_down") == pytest.approx(exact, rel=1e-12)
    # linear method: linear interpolation, by hand
    c05, c25 = 6.0, 1.5
    by_hand = 0.5 * (0.5 * (c05 + 4) + 0.5 * (4 + 2) * 2 + 0.5 * (2 + c25))
    assert pk.partial_auc(t, c, 0.5, 2.5, "linear") == pytest.approx(by_hand)


def test_partial_auc_in_nca_table_and_its_column_names():
    data = table([0.5, 1, 2, 4, 8, 12, 24], [10, 8, 6, 4, 2, 1, np.nan], route="po")
    custom = settings.section("pk", {"partial_auc_intervals_h": [[0, 24], [0, 0.5], [0, 48]]})
    row = pk.nca_table(data, custom).iloc[0]
    assert pk.conventions.partial_auc_column(0, 0.5) == "auc_0_0p5_ng_h_mL"
    # BLQ at 24 h: nothing after Tlast, so AUC0-24 = AUClast; 0-0.5 is the first rising segment.
    assert row["auc_0_24_ng_h_mL"] == pytest.approx(row["auc_last_ng_h_mL"])
    assert row["auc_0_0p5_ng_h_mL"] == pytest.approx(0.5 * 10 / 2)
    assert pd.isna(row["auc_0_48_ng_h_mL"])  # not sampled to 48 h: never extrapolated
    assert list(pk.nca_table(data, PK).columns)[-2:] == ["auc_0_24_ng_h_mL", "flags"]


# --- nca.csv additions -------------------------------------------------------------


def test_iv_bolus_aumc_vss_and_back_extrapolated_share_match_closed_form():
    lam, c0, dose = 0.3, 50.0, 2.0
    t = np.array([0.25, 0.5, 1, 2, 4, 6, 8, 12, 24, 36])
    row = pk.nca_table(table(t, c0 * np.exp(-lam * t), dose=dose), PK).iloc[0]
    auc_inf, aumc_inf = c0 / lam, c0 / lam**2
    assert row["auc_inf_ng_h_mL"] == pytest.approx(auc_inf, rel=1e-9)
    assert row["aumc_inf_ng_h2_mL"] == pytest.approx(aumc_inf, rel=1e-9)
    cl = 1000 * dose / auc_inf
    assert row["vss_L_kg"] == pytest.approx(cl * aumc_inf / auc_inf, rel=1e-9)  # = CL/λ for one compartment
    back = c0 / lam * (1 - math.exp(-lam * 0.25))
    assert row["auc_pct_back_extrap"] == pytest.approx(100 * back / auc_inf, rel=1e-9)
    assert row["cmax_per_dose"] == pytest.approx(row["cmax_ng_mL"] / dose)
    assert row["auc_inf_per_dose"] == pytest.approx(auc_inf / dose, rel=1e-9)
    assert (row["lambda_z_start_h"], row["lambda_z_end_h"]) == (t[-row["lambda_z_n_points"]], 36)


def test_extravascular_profile_has_no_iv_bolus_parameters():
    t = np.array([0.5, 1, 2, 4, 8, 12])
    row = pk.nca_table(table(t, [5, 9, 7, 4, 1.5, 0.5], route="po"), PK).iloc[0]
    assert row[["aumc_inf_ng_h2_mL", "vss_L_kg", "auc_pct_back_extrap"]].isna().all()
    assert row["auc_inf_per_dose"] == pytest.approx(row["auc_inf_ng_h_mL"])


def test_iv_bolus_tmax_after_the_first_sample_is_flagged():
    row = pk.nca_table(table([0.25, 0.5, 1, 2, 4, 8], [5, 9, 7, 4, 2, 0.5]), PK).iloc[0]
    assert "iv_bolus_tmax_not_first_sample" in row["flags"]
    fine = pk.nca_table(table([0.25, 0.5, 1, 2, 4, 8], [9, 7, 5, 4, 2, 0.5]), PK).iloc[0]
    assert "iv_bolus_tmax_not_first_sample" not in fine["flags"]


def test_iv_infusion_starts_at_zero_and_is_not_a_bolus():
    t = [0.5, 1, 2, 4, 8, 12]
    row = pk.nca_table(table(t, [4, 7, 6, 4, 2, 1]), PK, dosing=dosing([0], duration=1.0)).iloc[0]
    assert row["c0_ng_mL"] == 0 and "iv_infusion(duration_h=1)" in row["flags"]
    assert "iv_bolus_tmax_not_first_sample" not in row["flags"]
    assert pd.isna(row["vss_L_kg"])


def test_short_span_is_flagged_and_only_required_when_configured():
    t = np.array([0.25, 0.5, 1, 1.5, 2])
    data = table(t, 40 * np.exp(-0.1 * t))
    lenient = {"max_auc_pct_extrap": 100}  # only the span fails
    flagged = pk.nca_table(data, settings.section("pk", lenient)).iloc[0]
    assert "span_ratio<2" in flagged["flags"] and "lambda_z_not_reportable" not in flagged["flags"]
    required = pk.nca_table(data, settings.section("pk", {"lambda_z_require_span": True, **lenient}))
    row = required.iloc[0]
    assert "lambda_z_not_reportable(span_ratio=" in row["flags"] and pd.isna(row["t_half_h"])
    assert row["auc_last_ng_h_mL"] == pytest.approx(flagged["auc_last_ng_h_mL"])


def test_not_reportable_profiles_are_left_out_of_summaries_with_the_count_stated():
    good = table(
        [0.5, 1, 2, 4, 8, 12, 24], 50 * np.exp(-0.2 * np.array([0.5, 1, 2, 4, 8, 12, 24])), animal="A"
    )
    bad = table([0.5, 1, 1.5, 2, 2.5], [5, 50, 30, 38, 20], animal="B")
    nca = pk.nca_table(pd.concat([good, bad]), PK)
    summary = pk.summary_table(nca).set_index("parameter")
    assert summary.loc["t_half_h", "n"] == 1 and summary.loc["t_half_h", "n_profiles"] == 2
    assert summary.loc["t_half_h", "value"] == pytest.approx(math.log(2) / 0.2)
    assert summary.loc["cmax_ng_mL", "n"] == 2  # Cmax and AUClast are still reported


# --- λz control -----------------------------------------------------------------


def lambda_z_control(action, times, reason="chosen"):
    return pd.DataFrame(
        [
            dict(
                animal_id="R1",
                analyte="drug",
                action=action,
                times_h=";".join(map(str, times)),
                reason=reason,
            )
        ]
    )


def test_lambda_z_fixed_points_are_used_exactly():
    t = np.array([0.5, 1, 2, 4, 6, 8, 12])
    c = np.array([10, 20, 15, 9, 6, 4.5, 2.0])
    row = pk.nca_table(table(t, c, route="po"), PK, lambda_z=lambda_z_control("include", [2, 4, 6])).iloc[0]
    slope = np.polyfit([2, 4, 6], np.log([15, 9, 6]), 1)[0]
    assert row["lambda_z_per_h"] == pytest.approx(-slope, rel=1e-9)
    assert (row["lambda_z_start_h"], row["lambda_z_end_h"], row["lambda_z_n_points"]) == (2, 6, 3)
    assert "lambda_z_points_fixed(chosen)" in row["flags"]


def test_lambda_z_excluded_point_is_left_out_of_the_selection():
    t = np.array([0.5, 1, 2, 4, 6, 8, 12])
    c = 30 * np.exp(-0.25 * t)
    c[-1] *= 3  # an outlier at 12 h
    row = pk.nca_table(
        table(t, c), PK, lambda_z=lambda_z_control("exclude", [12], "haemolysed; repeat")
    ).iloc[0]
    assert row["lambda_z_per_h"] == pytest.approx(0.25, rel=1e-9)
    assert row["lambda_z_end_h"] == 8
    assert "lambda_z_points_excluded(haemolysed, repeat)" in row["flags"].split(";")


def test_interval_sampled_only_at_its_troughs_reports_troughs_only():
    times = [0, 1, 2, 4, 24, 48, 49, 50, 52, 72]
    conc = [np.nan, 10, 8, 4, 1, 1.2, 11, 9, 5, 1.3]
    data = table(times, conc, route="po")
    intervals = pk.interval_table(data, PK, dosing=dosing([0, 24, 48, 96], route="po")).set_index(
        "dose_number"
    )
    assert list(intervals.index) == [1, 2, 3]  # 96-144 h has no sample: no row
    trough_only = intervals.loc[2]
    assert (trough_only["cmin_ng_mL"], trough_only["ctrough_ng_mL"]) == (1, 1.2)
    assert (
        trough_only[["auc_tau_ng_h_mL", "cmax_ng_mL", "tmax_h", "accumulation_ratio_observed"]].isna().all()
    )
    assert intervals.loc[3, "cmax_ng_mL"] == 11


def test_blq_trough_at_the_interval_end_adds_nothing_after_tlast():
    times = [0, 1, 2, 4, 12, 13, 14, 16, 24]
    conc = [np.nan, 10, 8, 4, np.nan, 10, 8, 4, np.nan]
    linear = settings.section("pk", {"auc_method": "linear"})
    intervals = pk.interval_table(table(times, conc, route="po"), linear, dosing=dosing([0, 12], route="po"))
    # 0.5*(0+10) + 0.5*(10+8) + (8+4) = 26 in each interval; BLQ troughs: Ctrough blank, Cmin 0
    assert list(intervals["auc_tau_ng_h_mL"]) == pytest.approx([26.0, 26.0])
    assert intervals["ctrough_ng_mL"].isna().all() and list(intervals["cmin_ng_mL"]) == [0, 0]

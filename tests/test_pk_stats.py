"""Across-animal PK statistics of scripts.pk: summaries, bioavailability CIs,
dose proportionality, metabolite ratios and detectability, checked by hand,
by an independent pivot/solver, or by simulation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from scripts import pk, settings, validation

PK = settings.section("pk")
LEVEL = pk.CI_LEVEL  # 95%
T975_DF2 = 4.302653  # Student t 97.5% quantile, 2 df (statistical tables)
T975_DF10 = 2.228139  # 10 df


def nca_rows(rows):
    """An nca.csv-like table from (animal, route, dose, analyte, auc_last, auc_inf, extrap, cmax, tmax)."""
    frame = pd.DataFrame(
        rows,
        columns=[
            "animal_id",
            "route",
            "dose_mg_kg",
            "analyte",
            "auc_last_ng_h_mL",
            "auc_inf_ng_h_mL",
            "auc_pct_extrap",
            "cmax_ng_mL",
            "tmax_h",
        ],
    )
    frame["species"] = "rat"
    for col in pk.NCA_COLUMNS:
        if col not in frame:
            frame[col] = "" if col == "flags" else float("nan")
    return frame[pk.NCA_COLUMNS]


def validated_pk(tmp_path, frame):
    """Write *frame* as a PK file and return the table validation.validate_pk
    makes of it (what the analysis reads)."""
    path = tmp_path / "pk.csv"
    frame.to_csv(path, index=False)
    table, _ = validation.validate_pk(path)
    return table


def parallel_study(po_extrap=5.0):
    iv = [
        (f"IV{i}", "iv", 2.0, "drug", a * 0.95, a, 5.0, 900, 0.08)
        for i, a in enumerate([1000, 1200, 900, 1100])
    ]
    po = [
        (f"PO{i}", "po", 10.0, "drug", a * 0.95, a, po_extrap, 60, 1.0)
        for i, a in enumerate([350, 420, 300, 380, 400])
    ]
    return nca_rows(iv + po)


# --- summaries -------------------------------------------------------------------


def test_geometric_mean_and_cv_by_hand():
    # ln values ln10, ln20, ln40: mean ln20, SD ln2 -> CV = sqrt(exp(ln2²) - 1)
    assert pk.geometric_mean([10, 20, 40]) == pytest.approx(20.0)
    assert pk.geometric_cv_pct([10, 20, 40]) == pytest.approx(100 * math.sqrt(math.exp(math.log(2) ** 2) - 1))
    assert pk.geometric_cv_pct([10, 20, 40]) == pytest.approx(78.53, abs=0.01)


def test_geometric_mean_leaves_out_non_positive_and_non_finite_values():
    # Only 4 and 16 count: sqrt(4 * 16) = 8; with nothing left the result is NaN, never 0.
    assert pk.geometric_mean([0, 4, -2, np.nan, 16, np.inf]) == pytest.approx(8.0)
    assert math.isnan(pk.geometric_mean([]))
    assert math.isnan(pk.geometric_mean([0.0, -1.0, np.nan]))
    assert math.isnan(pk.geometric_cv_pct([5.0, 0.0]))  # one positive value: no spread


def test_summary_table_statistics_per_group():
    rows = [
        (f"A{i}", "po", 10.0, "drug", auc, auc, 5.0, cmax, tmax)
        for i, (auc, cmax, tmax) in enumerate([(100, 10, 0.5), (200, 20, 1.0), (400, 40, 4.0)])
    ]
    rows.append(("A9", "po", 10.0, "drug", np.nan, np.nan, np.nan, np.nan, np.nan))  # not detected
    summary = pk.summary_table(nca_rows(rows)).set_index("parameter")
    cmax = summary.loc["cmax_ng_mL"]
    assert cmax["statistic"] == "geometric_mean" and cmax["value"] == pytest.approx(20.0)
    assert cmax["spread"] == pytest.approx(78.53, abs=0.01)
    assert cmax["n"] == 3 and cmax["n_profiles"] == 4
    tmax = summary.loc["tmax_h"]
    assert tmax["statistic"] == "median" and tmax["value"] == 1.0
    assert (tmax["minimum"], tmax["maximum"]) == (0.5, 4.0)
    assert summary.loc["auc_last_ng_h_mL", "value"] == pytest.approx(200.0)


# --- Fieller, bootstrap, crossover --------------------------------------------------


def test_fieller_ci_against_hand_quadratic_and_pivot():
    a, va, b, vb = 2.0, 0.04, 10.0, 1.0
    ratio, low, high = pk.fieller_ci(a, va, b, vb, df=10, level=LEVEL)
    # (a - r b)² = t² (va + r² vb)  ->  (b² - t² vb) r² - 2ab r + (a² - t² va) = 0
    t2 = T975_DF10**2
    roots = sorted(np.roots([b * b - t2 * vb, -2 * a * b, a * a - t2 * va]).real)
    assert ratio == 0.2
    assert (low, high) == pytest.approx(roots, rel=1e-5)
    for r in (low, high):  # the pivot sits exactly on the t quantile at both bounds
        assert abs(a - r * b) / math.sqrt(va + r * r * vb) == pytest.approx(T975_DF10, rel=1e-5)


def test_fieller_is_unbounded_when_the_denominator_is_not_significant():
    _, low, high = pk.fieller_ci(1.0, 0.1, 1.0, 1.0, df=10, level=LEVEL)
    assert math.isnan(low) and math.isnan(high)


def test_fieller_coverage_by_simulation():
    # Two parallel groups of 6; the 95% Fieller interval of the ratio of means
    # (Satterthwaite df) should cover the true ratio ~95% of the time.
    rng = np.random.default_rng(7)
    true_ratio, hits, n_sim = 0.07 / 1.0, 0, 1500
    for _ in range(n_sim):
        test = rng.normal(70, 15, 6)
        ref = rng.normal(1000, 150, 6)
        va, vb = test.var(ddof=1) / 6, ref.var(ddof=1) / 6
        r = test.mean() / ref.mean()
        df = pk.satterthwaite_df([va, r * r * vb], [5, 5])
        _, low, high = pk.fieller_ci(test.mean(), va, ref.mean(), vb, df, LEVEL)
        hits += low <= true_ratio <= high
    assert hits / n_sim == pytest.approx(0.95, abs=0.02)


def test_bootstrap_ci_is_seeded_and_agrees_with_fieller_on_large_groups():
    rng = np.random.default_rng(3)
    test, ref = rng.normal(70, 10, 40), rng.normal(1000, 100, 40)
    first = pk.bootstrap_ratio_ci(test, ref, n_boot=4000, seed=11, level=LEVEL)
    assert first == pk.bootstrap_ratio_ci(test, ref, n_boot=4000, seed=11, level=LEVEL)
    va, vb = test.var(ddof=1) / 40, ref.var(ddof=1) / 40
    _, low, high = pk.fieller_ci(test.mean(), va, ref.mean(), vb, df=78, level=LEVEL)
    assert first[0] == pytest.approx(test.mean() / ref.mean())
    assert first[1] == pytest.approx(low, rel=0.02) and first[2] == pytest.approx(high, rel=0.02)


def test_crossover_ci_by_hand():
    # per-animal F 0.10, 0.12, 0.08: t-interval of the mean log ratio, df = 2
    f = np.array([0.10, 0.12, 0.08])
    logs = np.log(f)
    mean = logs.sum() / 3
    sd = math.sqrt(((logs - mean) ** 2).sum() / 2)
    ratio, low, high = pk.crossover_ci(f * 10, np.ones(3) * 10, LEVEL)
    assert ratio == pytest.approx(math.exp(mean))
    assert low == pytest.approx(math.exp(mean - T975_DF2 * sd / math.sqrt(3)), rel=1e-6)
    assert high == pytest.approx(math.exp(mean + T975_DF2 * sd / math.sqrt(3)), rel=1e-6)


# --- bioavailability table ------------------------------------------------------------


def test_parallel_bioavailability_uses_aucinf_and_fieller():
    row = pk.bioavailability_table(parallel_study(), PK).iloc[0]
    po = np.array([350, 420, 300, 380, 400]) / 10.0
    iv = np.array([1000, 1200, 900, 1100]) / 2.0
    assert row["f"] == pytest.approx(po.mean() / iv.mean())
    assert (row["n_test"], row["n_reference"]) == (5, 4)
    assert (row["reference_route"], row["reference_dose_mg_kg"]) == ("iv", 2.0)
    assert "parallel groups" in row["method"] and "AUCinf" in row["method"] and "Fieller" in row["method"]
    # pivot check with the Satterthwaite df computed here by hand
    va, vb = po.var(ddof=1) / 5, iv.var(ddof=1) / 4
    r = row["f"]
    df = (va + r * r * vb) ** 2 / (va**2 / 4 + (r * r * vb) ** 2 / 3)
    from scipy import stats

    tq = stats.t.ppf(0.975, df)
    for bound in (row["f_ci_low"], row["f_ci_high"]):
        assert abs(po.mean() - bound * iv.mean()) / math.sqrt(va + bound**2 * vb) == pytest.approx(tq)


def test_bioavailability_falls_back_to_auclast_when_extrapolation_is_large():
    row = pk.bioavailability_table(parallel_study(po_extrap=35.0), PK).iloc[0]
    assert "AUClast" in row["method"]
    po = np.array([350, 420, 300, 380, 400]) * 0.95 / 10.0
    iv = np.array([1000, 1200, 900, 1100]) * 0.95 / 2.0
    assert row["f"] == pytest.approx(po.mean() / iv.mean())


def test_bioavailability_bootstrap_option_is_stated_and_reproducible():
    bootstrap = settings.section("pk", {"f_ci_method": "bootstrap", "bootstrap_samples": 500, "seed": 5})
    first = pk.bioavailability_table(parallel_study(), bootstrap).iloc[0]
    second = pk.bioavailability_table(parallel_study(), bootstrap).iloc[0]
    assert "bootstrap" in first["method"] and "seed 5" in first["method"]
    assert first["f_ci_low"] == second["f_ci_low"] and first["f_ci_low"] < first["f"] < first["f_ci_high"]


def test_crossover_bioavailability_when_the_same_animals_have_both_routes():
    iv = [(f"R{i}", "iv", 2.0, "drug", a, a, 5.0, 900, 0.08) for i, a in enumerate([1000, 1200, 900])]
    po = [(f"R{i}", "po", 10.0, "drug", a, a, 5.0, 60, 1.0) for i, a in enumerate([500, 720, 360])]
    row = pk.bioavailability_table(nca_rows(iv + po), PK).iloc[0]
    per_animal = (np.array([500, 720, 360]) / 10) / (np.array([1000, 1200, 900]) / 2)  # 0.10, 0.12, 0.08
    logs = np.log(per_animal)
    half = T975_DF2 * logs.std(ddof=1) / math.sqrt(3)
    assert row["method"].startswith("crossover")
    assert row["f"] == pytest.approx(math.exp(logs.mean()))
    assert row["f_ci_low"] == pytest.approx(math.exp(logs.mean() - half), rel=1e-6)
    assert (row["n_test"], row["n_reference"]) == (3, 3)


def test_bioavailability_of_an_undetected_analyte_is_not_estimable():
    rows = [
        ("IV0", "iv", 2.0, "8-oh", np.nan, np.nan, np.nan, np.nan, np.nan),
        ("PO0", "po", 10.0, "8-oh", np.nan, np.nan, np.nan, np.nan, np.nan),
    ]
    row = pk.bioavailability_table(nca_rows(rows), PK).iloc[0]
    assert math.isnan(row["f"]) and "not detected" in row["method"]


# --- dose proportionality -----------------------------------------------------------


def test_power_model_slope_and_ci_by_hand():
    doses = [1, 1, 10, 10]
    values = [10, 12, 90, 110]
    slope, low, high = pk.power_model(doses, values, LEVEL)
    x, y = np.log(doses), np.log(values)
    b = ((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum()
    resid = y - (y.mean() + b * (x - x.mean()))
    se = math.sqrt((resid**2).sum() / 2 / ((x - x.mean()) ** 2).sum())
    assert slope == pytest.approx(b)
    assert (low, high) == pytest.approx((b - T975_DF2 * se, b + T975_DF2 * se), rel=1e-6)


def test_dose_proportionality_table_reads_the_ci():
    rows = [
        (f"A{i}{d}", "po", d, "drug", auc, auc, 5, auc / 10, 1)
        for d, aucs in [(2.0, [100, 110, 90]), (10.0, [500, 540, 470]), (20.0, [980, 1050, 1010])]
        for i, auc in enumerate(aucs)
    ]
    table = pk.dose_proportionality_table(
        nca_rows(rows), PK["dose_proportionality_theta"], PK["dose_proportionality_ci_level"]
    ).set_index("parameter")
    auc = table.loc["auc_last_ng_h_mL"]
    assert auc["doses_mg_kg"] == "2;10;20" and auc["n_animals"] == 9
    assert auc["slope_ci_low"] <= 1 <= auc["slope_ci_high"]
    # Smith et al. 2000, r = 10: [1 + ln 0.8 / ln 10, 1 + ln 1.25 / ln 10] = [0.903, 1.097].
    assert (auc["smith_low"], auc["smith_high"]) == pytest.approx((0.9031, 1.0969), abs=1e-4)
    inside = auc["smith_low"] <= auc["smith_ci_low"] and auc["smith_ci_high"] <= auc["smith_high"]
    assert auc["conclusion"] == ("proportional" if inside else "inconclusive")


def test_dose_proportionality_warns_when_auclast_windows_differ():
    rows = [
        (f"A{i}{d}", "po", d, "drug", auc, auc, 5, auc / 10, 1)
        for d, aucs in [(2.0, [100, 110, 90]), (10.0, [500, 540, 470])]
        for i, auc in enumerate(aucs)
    ]
    nca = nca_rows(rows)
    nca["tlast_h"] = np.where(nca["dose_mg_kg"] == 2.0, 8.0, 24.0)
    table = pk.dose_proportionality_table(
        nca, PK["dose_proportionality_theta"], PK["dose_proportionality_ci_level"]
    ).set_index("parameter")
    assert "Tlast differs between doses" in table.loc["auc_last_ng_h_mL", "conclusion"]
    assert "Tlast" not in table.loc["auc_inf_ng_h_mL", "conclusion"]


# --- metabolites and detectability ----------------------------------------------------


def test_metabolite_ratios_and_not_detected_metabolite():
    rows = [
        ("R1", "po", 10.0, "mirtazapine", 100, 110, 5, 20, 1),
        ("R2", "po", 10.0, "mirtazapine", 200, 210, 5, 30, 1),
        ("R1", "po", 10.0, "desmethylmirtazapine", 25, 30, 5, 5, 2),
        ("R2", "po", 10.0, "desmethylmirtazapine", 100, 110, 5, 8, 2),
        ("R1", "po", 10.0, "8-hydroxymirtazapine", np.nan, np.nan, np.nan, np.nan, np.nan),
        ("R2", "po", 10.0, "8-hydroxymirtazapine", np.nan, np.nan, np.nan, np.nan, np.nan),
    ]
    table = pk.metabolite_table(nca_rows(rows), parent="Mirtazapine").set_index("analyte")
    dm = table.loc["desmethylmirtazapine"]
    assert dm["ratio_geometric_mean"] == pytest.approx(math.sqrt(0.25 * 0.5))  # ratios 0.25 and 0.5
    assert (dm["ratio_min"], dm["ratio_max"]) == (0.25, 0.5) and dm["n_ratio"] == 2
    oh = table.loc["8-hydroxymirtazapine"]
    assert oh["detection"] == "not detected" and oh["n_animals_quantifiable"] == 0
    assert math.isnan(oh["ratio_geometric_mean"])  # never zero
    assert table.loc["mirtazapine", "ratio_basis"] == "parent"


def test_detectability_table_counts_animals_and_samples(tmp_path):
    def rows(analyte, concs, animal):
        return pd.DataFrame(
            {
                "animal_id": animal,
                "species": "rat",
                "body_weight_kg": 0.25,
                "route": "po",
                "dose_mg_kg": 10.0,
                "analyte": analyte,
                "time_h": [1.0, 2.0],
                "concentration_ng_mL": np.asarray(concs, float),
                "lloq_ng_mL": 0.5,
            }
        )

    pk_table = pd.concat(
        [
            rows("parent", [5, 3], "A"),
            rows("parent", [4, np.nan], "B"),
            rows("m1", [np.nan, np.nan], "A"),
            rows("m1", [np.nan, np.nan], "B"),
            rows("m2", [1.0, np.nan], "A"),
            rows("m2", [np.nan, np.nan], "B"),
        ]
    )
    table = pk.detectability_table(validated_pk(tmp_path, pk_table)).set_index("analyte")
    assert table.loc["parent", "detection"] == "detected"
    assert (table.loc["parent", "n_samples"], table.loc["parent", "n_samples_quantifiable"]) == (4, 3)
    assert table.loc["m1", "detection"] == "not detected" and table.loc["m1", "n_animals_quantifiable"] == 0
    assert (
        table.loc["m2", "detection"] == "partially detected"
        and table.loc["m2", "n_animals_quantifiable"] == 1
    )


# --- destructive design in bioavailability, figures ---------------------------------


def sample_rows(route, dose, times, concs, prefix):
    """Rows of a PK file, one animal per sample (NaN is written blank: BLQ)."""
    n = len(times)
    return pd.DataFrame(
        {
            "animal_id": [f"{prefix}{i}" for i in range(n)],
            "species": "rat",
            "body_weight_kg": 0.25,
            "route": route,
            "dose_mg_kg": dose,
            "analyte": "drug",
            "time_h": np.asarray(times, float),
            "concentration_ng_mL": np.asarray(concs, float),
            "lloq_ng_mL": 1.0,
        }
    )


def test_destructive_groups_enter_fieller_with_bailer_se(tmp_path):
    po = sample_rows("po", 10.0, [0.5] * 3 + [1] * 3 + [2] * 3, [4, 6, 5, 9, 11, 13, 6, 8, 7], "P")
    iv = sample_rows("iv", 2.0, [0.5] * 3 + [1] * 3 + [2] * 3, [80, 100, 90, 60, 70, 65, 30, 40, 35], "V")
    data = validated_pk(tmp_path, pd.concat([po, iv], ignore_index=True))
    nca = pk.nca_table(data, PK)
    sparse = pk.sparse_auc_table(data, PK)
    row = pk.bioavailability_table(nca, PK, sparse).iloc[0]
    assert "Bailer" in row["method"] and "AUClast" in row["method"]
    s_po = sparse.set_index("route").loc["po"]
    s_iv = sparse.set_index("route").loc["iv"]
    # Bailer's estimate is the mean-profile AUClast (linear trapezoid; IV from
    # the back-extrapolated C0 of means 90 and 65: C0 = 90*(90/65))
    c0 = 90 * (90 / 65)
    assert nca.set_index("route").loc["iv", "c0_ng_mL"] == pytest.approx(c0)
    assert s_iv["auc_last_ng_h_mL"] == pytest.approx(0.25 * (c0 + 90) + 0.25 * (90 + 65) + 0.5 * (65 + 35))
    assert s_po["auc_last_ng_h_mL"] == pytest.approx(nca.set_index("route").loc["po", "auc_last_ng_h_mL"])
    a, b = s_po["auc_last_ng_h_mL"] / 10, s_iv["auc_last_ng_h_mL"] / 2
    va, vb = (s_po["auc_last_se"] / 10) ** 2, (s_iv["auc_last_se"] / 2) ** 2
    assert row["f"] == pytest.approx(a / b)
    from scipy import stats

    r = a / b
    df = (va + r * r * vb) ** 2 / (va**2 / s_po["auc_last_df"] + (r * r * vb) ** 2 / s_iv["auc_last_df"])
    tq = stats.t.ppf(0.975, df)
    assert abs(a - row["f_ci_low"] * b) / math.sqrt(va + row["f_ci_low"] ** 2 * vb) == pytest.approx(tq)
    assert (row["n_test"], row["n_reference"]) == (9, 9)


def test_concentration_time_figure_labels_undetected_analyte(tmp_path):
    from scripts.plotting import save_figure

    data = pd.concat(
        [
            sample_rows("po", 10.0, [0.5, 1, 2], [5, 8, 3], "A"),
            sample_rows("po", 10.0, [0.5, 1, 2], [np.nan] * 3, "A").assign(analyte="8-oh"),
        ]
    )
    data["animal_id"] = "A1"
    save_figure(pk.plot_concentration_time(validated_pk(tmp_path, data)), tmp_path / "conc.svg")
    svg = (tmp_path / "conc.svg").read_text()
    assert "not detected" in svg and "LLOQ" in svg and "PO 10 mg/kg" in svg


def test_lambda_z_diagnostic_figure_marks_points_used(tmp_path):
    from scripts.plotting import save_figure

    rows = sample_rows("po", 10.0, [0.5, 1, 2, 4, 6, 8], [5, 12, 10, 6, 3.5, 2], "A").assign(animal_id="A1")
    data = validated_pk(tmp_path, rows)
    points = pk.lambda_z_points(data, PK)
    nca = pk.nca_table(data, PK)
    n_used = int(nca["lambda_z_n_points"].iloc[0])
    assert n_used >= 3
    assert list(points["used_in_lambda_z"]) == [False] * (6 - n_used) + [True] * n_used
    save_figure(pk.plot_lambda_z_diagnostics(points, nca), tmp_path / "lz.svg")
    assert "points used for λz" in (tmp_path / "lz.svg").read_text()

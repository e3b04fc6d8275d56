"""scripts.behaviour end to end on constructed tables, validated as the
workflow validates them: endpoints (hand-calculated), exclusions, small
groups, the decision path, the confound classification and the figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scripts import settings
from scripts.behaviour import analysis, battery, figures
from scripts.behaviour import stats as bh
from scripts.behaviour.endpoints import compute_endpoints, efficacy_directions
from scripts.behaviour.groups import group_order, group_rows
from scripts.plotting import save_figure
from scripts.validation import validate_behaviour

SETTINGS = settings.section("behaviour")


def table(test, groups, regimens=("acute",), seed=0, sd=10.0, column=None, n=8):
    """A behaviour file's rows. *groups* maps (treatment, dose) to a mean,
    or to {regimen: mean}; values are normal with *sd* (seeded)."""
    rng = np.random.default_rng(seed)
    column = column or {"fst": "immobility_s", "open_field": "distance_cm"}.get(test, "score")
    rows = []
    for regimen in regimens:
        for (treatment, dose), mean in groups.items():
            mu = mean[regimen] if isinstance(mean, dict) else mean
            for _ in range(n):
                rows.append(
                    {
                        "animal_id": f"R{len(rows) + 1:03d}",
                        "species": "rat",
                        "sex": "M",
                        "treatment": treatment,
                        "dose_mg_kg": float(dose),
                        "route": "po",
                        "regimen": regimen,
                        "days_dosed": 1.0 if regimen == "acute" else 21.0,
                        "strain": "SD",
                        "cohort": "1",
                        "excluded": False,
                        "exclusion_reason": "",
                        column: max(0.0, float(rng.normal(mu, sd))),
                    }
                )
    return pd.DataFrame(rows)


@pytest.fixture
def validated(tmp_path):
    """Write rows as ``behaviour/<test>.csv`` and validate the file."""

    def validate(df, test, extra_tests=None, treatments=None):
        path = tmp_path / "behaviour" / f"{test}.csv"
        path.parent.mkdir(exist_ok=True)
        df.to_csv(path, index=False)
        return validate_behaviour(path, extra_tests or {}, SETTINGS["vehicle_label"], treatments)[0]

    return validate


@pytest.fixture
def analyse(validated):
    """Validate rows and analyse them as one test."""

    def run(df, test="fst", extra_tests=None, treatments=None, **overrides):
        return analysis.analyse_test(
            validated(df, test, extra_tests),
            test,
            settings.section("behaviour", overrides),
            extra_tests or {},
            treatments,
        )

    return run


def endpoints(table, test, **overrides):
    opts = settings.section("behaviour", overrides)
    return compute_endpoints(
        table,
        test,
        vehicle_label=opts["vehicle_label"],
        fst_window_min=opts["fst_window_min"],
        extra_tests={},
    )


DOSES = {("vehicle", 0): 150, ("mirtazapine", 3): 148, ("mirtazapine", 10): 120, ("mirtazapine", 30): 100}


# --------------------------------------------------------------------------
# Endpoints


def test_fst_window_sums_the_configured_minutes(validated):
    df = table("fst", DOSES).drop(columns="immobility_s")
    minutes = np.tile([5.0, 10.0, 20.0, 30.0, 40.0, 50.0], (len(df), 1))
    minutes[0] = [60, 60, 1, 2, 3, 4]
    for i in range(6):
        df[f"immobility_min{i + 1}"] = minutes[:, i]
    checked = validated(df, "fst")
    long = endpoints(checked, "fst")
    # Default window = minutes 3..6 (the last 4 of 6): 1+2+3+4 and 20+30+40+50.
    assert long["value"].iloc[0] == 10.0
    assert long["value"].iloc[1] == 140.0
    other = endpoints(checked, "fst", fst_window_min=[1, 2])
    assert other["value"].iloc[0] == 120.0
    assert other["value"].iloc[1] == 15.0


def test_fst_window_outside_the_six_minutes_is_rejected(validated):
    with pytest.raises(ValueError, match="within minutes 1-6"):
        endpoints(validated(table("fst", DOSES), "fst"), "fst", fst_window_min=[3, 7])


def test_percentage_endpoints_by_hand(validated):
    df = table("sucrose_preference", DOSES, column="sucrose_ml")
    df["sucrose_ml"], df["water_ml"] = 6.0, 2.0
    long = endpoints(validated(df, "sucrose_preference"), "sucrose_preference")
    assert set(long["value"]) == {75.0}  # 100 · 6 / (6 + 2)
    epm = table("elevated_plus_maze", DOSES, column="open_arm_time_s")
    epm["open_arm_time_s"], epm["closed_arm_time_s"] = 60.0, 240.0
    epm["open_arm_entries"], epm["closed_arm_entries"] = 3.0, 9.0
    long = endpoints(validated(epm, "elevated_plus_maze"), "elevated_plus_maze")
    values = long.groupby("endpoint")["value"].unique()
    assert list(values["open_arm_time_pct"]) == [20.0]
    assert list(values["open_arm_entries_pct"]) == [25.0]
    assert set(long.loc[long["endpoint"] == "open_arm_time_pct", "direction"]) == {"higher"}


def test_declared_test_uses_its_endpoint_and_direction(analyse):
    df = table("novelty_feeding", DOSES, column="latency_s")
    declared = {"novelty_feeding": {"endpoint": "latency_s", "unit": "s", "direction": "lower"}}
    result = analyse(df, "novelty_feeding", declared)
    assert set(result["summary"]["direction"]) == {"lower"}
    assert set(result["summary"]["unit"]) == {"s"}


def test_efficacy_directions_leave_out_the_locomotor_control():
    declared = {
        "novelty_feeding": {"endpoint": "latency_s", "unit": "s", "direction": "lower"},
        "fst": {"endpoint": "climbing_s", "unit": "s", "direction": "higher"},
    }
    assert efficacy_directions(declared) == {
        "fst": "lower",
        "sucrose_preference": "higher",
        "elevated_plus_maze": "higher",
        "novelty_feeding": "lower",
    }
    assert "open_field" not in efficacy_directions({})


def test_excluded_animal_without_a_value_is_described_not_analysed(analyse):
    df = table("fst", DOSES)
    df.loc[12, ["immobility_s", "excluded", "exclusion_reason"]] = [np.nan, True, "drowned"]
    result = analyse(df)
    assert result["summary"]["n_excluded"].sum() == 1
    assert result["long"]["value"].isna().sum() == 1


# --------------------------------------------------------------------------
# Exclusions, small groups, group identity


def test_exclusions_are_removed_and_listed_per_group(analyse):
    df = table("fst", DOSES)
    df.loc[[0, 9], "excluded"] = True
    df.loc[0, "exclusion_reason"] = "floated from start"
    df.loc[9, "exclusion_reason"] = "injured"
    result = analyse(df)
    summary = result["summary"].set_index("group")
    assert summary.loc["vehicle", "n"] == 7 and summary.loc["vehicle", "n_excluded"] == 1
    analysed = df.loc[(df["treatment"] == "vehicle") & ~df["excluded"], "immobility_s"]
    assert summary.loc["vehicle", "mean"] == pytest.approx(analysed.mean())
    exclusions = result["exclusions"].set_index("group")
    assert exclusions.loc["vehicle", "excluded_animals"] == "R001: floated from start"
    assert exclusions.loc["mirtazapine 3 mg/kg", "excluded_animals"] == "R010: injured"
    assert exclusions.loc["mirtazapine 10 mg/kg", "n_analysed"] == 8
    comparison = result["comparisons"].set_index("dose_mg_kg").loc[3.0]
    assert comparison["n"] == 7


def test_small_group_is_described_not_tested_and_flagged(analyse):
    df = table("fst", DOSES)
    small = df.index[df["dose_mg_kg"] == 30][2:]  # keep 2 animals at 30 mg/kg
    result = analyse(df.drop(index=small).reset_index(drop=True))
    row = result["summary"].set_index("dose_mg_kg").loc[30.0]
    assert row["n"] == 2 and not row["tested"] and "n < 3" in row["flag"]
    comparison = result["comparisons"].set_index("dose_mg_kg").loc[30.0]
    assert comparison["method"] == "not tested (n < 3)" and np.isnan(comparison["p_adj"])
    # The omnibus test uses only the 3 testable groups.
    assert result["omnibus"]["df1"].iloc[0] == 2
    assert result["decisions"]["groups_tested"].iloc[0] == 3


def test_reference_drug_is_its_own_group_and_vehicle_comes_first(analyse):
    groups = {("mirtazapine", 10): 110, ("Vehicle", 0): 150, ("imipramine", 15): 95, ("mirtazapine", 3): 140}
    result = analyse(table("fst", groups), treatments=["mirtazapine", "imipramine"])
    assert list(result["summary"]["group"]) == [
        "vehicle",
        "mirtazapine 3 mg/kg",
        "mirtazapine 10 mg/kg",
        "imipramine 15 mg/kg",
    ]
    assert list(result["comparisons"]["treatment"]) == ["mirtazapine", "mirtazapine", "imipramine"]


# --------------------------------------------------------------------------
# Decision path: the chosen method is the one the checks call for, and its
# numbers are those of the building blocks on the same groups


def _groups(result_long, regimen="acute"):
    part = result_long[~result_long["excluded"] & (result_long["regimen"] == regimen)]
    return [group_rows(part, g)["value"].to_numpy() for g in group_order(part)]


def test_normal_equal_variance_data_take_anova_and_dunnett(analyse):
    result = analyse(table("fst", DOSES, seed=4))
    decision = result["decisions"].iloc[0]
    assert decision["residuals_normal"] and decision["variances_equal"]
    assert result["omnibus"]["method"].iloc[0] == "one-way ANOVA"
    groups = _groups(result["long"])
    direct = bh.dunnett_vs_control(groups[0], groups[1:], seed=SETTINGS["seed"])
    assert list(result["comparisons"]["p_adj"]) == [r["p_adj"] for r in direct]
    assert set(result["comparisons"]["method"]) == {"Dunnett"}
    # The built-in antidepressant-like effects are detected; 3 mg/kg is not.
    significant = result["comparisons"]["p_adj"] <= 0.05
    assert list(significant) == [False, True, True]


def test_unequal_variances_take_welch_and_games_howell(analyse):
    df = table("fst", DOSES, seed=5, sd=6.0)
    high = df["dose_mg_kg"] == 30
    rng = np.random.default_rng(105)
    df.loc[high, "immobility_s"] = rng.normal(100, 25, high.sum())
    result = analyse(df)
    decision = result["decisions"].iloc[0]
    assert decision["residuals_normal"] and not decision["variances_equal"]
    assert result["omnibus"]["method"].iloc[0] == "Welch ANOVA"
    assert result["omnibus"]["effect_size_name"].iloc[0] == "omega_squared_welch"
    groups = _groups(result["long"])
    assert result["omnibus"]["statistic"].iloc[0] == pytest.approx(bh.welch_anova(groups)["statistic"])
    assert set(result["comparisons"]["method"]) == {"Games-Howell"}


def test_non_normal_residuals_take_kruskal_and_dunn(analyse):
    df = table("fst", DOSES, seed=2)
    rng = np.random.default_rng(4)
    df["immobility_s"] = rng.lognormal(3, 1.2, len(df)) + np.where(df["dose_mg_kg"] == 30, 0, 40)
    result = analyse(df)
    assert not result["decisions"]["residuals_normal"].iloc[0]
    assert result["omnibus"]["method"].iloc[0] == "Kruskal-Wallis"
    assert result["omnibus"]["effect_size_name"].iloc[0] == "eta_squared_h"
    groups = _groups(result["long"])
    dunn = bh.dunn_vs_control(groups[0], groups[1:])
    assert list(result["comparisons"]["p_adj"]) == pytest.approx([d["p_adj"] for d in dunn])
    assert set(result["comparisons"]["method"]) == {"Dunn (Holm)"}


def test_forced_method_is_recorded(analyse):
    result = analyse(table("fst", DOSES, seed=3), method="kruskal")
    assert "forced" in result["decisions"]["reason"].iloc[0]
    assert result["omnibus"]["method"].iloc[0] == "Kruskal-Wallis"


def test_analysis_is_reproducible(analyse):
    df = table("fst", DOSES, regimens=("acute", "chronic"), seed=8)
    first, second = analyse(df), analyse(df)
    for key in ("summary", "omnibus", "comparisons", "decisions", "two_way"):
        pd.testing.assert_frame_equal(first[key], second[key])


def test_two_way_includes_sex_when_both_sexes_present(analyse):
    df = table("fst", DOSES, regimens=("acute", "chronic"), seed=8)
    df.loc[df.index % 2 == 0, "sex"] = "F"
    terms = set(analyse(df)["two_way"]["term"])
    assert {"treatment", "regimen", "sex", "treatment:regimen:sex", "Residual"} <= terms


# --------------------------------------------------------------------------
# Confound check


def _battery(analyse, of_means, fst_means=None, seed=1):
    fst_means = fst_means or {
        ("vehicle", 0): 150,
        ("mirtazapine", 3): 148,
        ("mirtazapine", 10): 105,
        ("mirtazapine", 30): 100,
    }
    fst = analyse(table("fst", fst_means, ("acute", "chronic"), seed=seed, sd=12))
    of = analyse(table("open_field", of_means, ("acute", "chronic"), seed=seed + 1, sd=250), "open_field")
    return battery.classify_confounds(fst["comparisons"], of["comparisons"], SETTINGS["alpha"], of["summary"])


def test_confounds_find_sedation_and_specific_effects(analyse):
    of_means = {
        ("vehicle", 0): 3000,
        ("mirtazapine", 3): 3000,
        ("mirtazapine", 10): 3000,
        ("mirtazapine", 30): {"acute": 1500, "chronic": 3000},
    }
    confounds = _battery(analyse, of_means).set_index(["regimen", "dose_mg_kg"])
    assert confounds.loc[("acute", 30.0), "classification"] == "sedation"
    assert confounds.loc[("acute", 30.0), "locomotor_effect"] == "decreased"
    assert "conservative" in confounds.loc[("acute", 30.0), "interpretation"]
    assert confounds.loc[("acute", 30.0), "open_field_pct_change_vs_vehicle"] < -30
    assert confounds.loc[("chronic", 30.0), "classification"] == "specific"
    assert confounds.loc[("acute", 10.0), "classification"] == "specific"
    assert confounds.loc[("acute", 3.0), "classification"] == "no antidepressant-like effect"


def test_confounds_find_stimulant_artefact_and_missing_control(analyse):
    of_means = {
        ("vehicle", 0): 3000,
        ("mirtazapine", 3): 3000,
        ("mirtazapine", 10): 4800,
    }  # no 30 mg/kg open-field group
    confounds = _battery(analyse, of_means).set_index(["regimen", "dose_mg_kg"])
    assert confounds.loc[("acute", 10.0), "classification"] == "possible stimulant artefact"
    assert confounds.loc[("chronic", 30.0), "classification"] == "no locomotor control"
    assert confounds.loc[("chronic", 30.0), "locomotor_effect"] == "no data"


@pytest.mark.parametrize(
    "fst, loco, expected",
    [
        ("improved", "no change", "specific"),
        ("no change", "decreased", "sedation"),
        ("improved", "decreased", "sedation"),
        ("improved", "increased", "possible stimulant artefact"),
        ("improved", "no data", "no locomotor control"),
        ("improved", "not tested", "no locomotor control"),
        ("worsened", "no change", "no antidepressant-like effect"),
        ("not tested", "no change", "FST not tested"),
    ],
)
def test_classification_rules(fst, loco, expected):
    assert battery.classify_confound(fst, loco)[0] == expected


def test_negative_fst_under_sedation_is_uninterpretable():
    assert "uninterpretable" in battery.classify_confound("no change", "decreased")[1]


def test_battery_flags():
    flags = battery.battery_flags(["fst"], ["acute"]).set_index("flag")["raised"]
    assert flags.to_dict() == {
        "single_model_reliance": True,
        "acute_only_design": True,
        "no_locomotor_control": True,
    }
    flags = battery.battery_flags(["fst", "open_field"], ["acute", "chronic"]).set_index("flag")
    assert not flags["raised"].any()


# --------------------------------------------------------------------------
# Figure


def test_figure_has_vehicle_first_stars_and_identical_bytes(tmp_path, analyse):
    df = table("fst", DOSES, regimens=("acute", "chronic"), seed=3)
    result = analyse(df)
    paths = [tmp_path / "a.svg", tmp_path / "b.svg"]
    for path in paths:
        save_figure(figures.plot_test(result["long"], result["comparisons"]), path)
    svg = paths[0].read_text()
    assert paths[0].read_bytes() == paths[1].read_bytes()
    svg = svg[svg.index("</metadata>") :]  # the drawing, after the alt-text description
    assert svg.index("Vehicle") < svg.index("mirtazapine")
    expected = {figures.prism_stars(p) for p in result["comparisons"]["p_adj"]}
    assert all(f">{stars}<" in svg for stars in expected)
    assert "acute" in svg and "chronic" in svg

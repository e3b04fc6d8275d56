"""The behaviour analysis on the embedded example study, against the ground
truth the generator stored beside it (resources/example_study/ground_truth.yaml):
the built-in sedation (open field −40% at mirtazapine 30 mg/kg, acute only)
must be classified as sedation, and the built-in FST effects must be found
where this realisation of the data has the power to show them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from scripts import settings
from scripts.behaviour import analysis, battery
from scripts.validation import load_study_yaml, validate_behaviour

STUDY = Path(__file__).resolve().parents[1] / "resources" / "example_study"
SETTINGS = settings.section("behaviour")

pytestmark = pytest.mark.skipif(not (STUDY / "behaviour").is_dir(), reason="example study not generated")


@pytest.fixture(scope="module")
def truth():
    return yaml.safe_load((STUDY / "ground_truth.yaml").read_text())["behaviour"]


@pytest.fixture(scope="module")
def results():
    study = load_study_yaml(STUDY / "study.yaml")
    opts = SETTINGS | {"fst_window_min": study.get("fst_window_min", SETTINGS["fst_window_min"])}
    out = {}
    for path in sorted((STUDY / "behaviour").glob("*.csv")):
        table, _ = validate_behaviour(
            path, study["extra_tests"], opts["vehicle_label"], study.get("treatments")
        )
        out[path.stem] = analysis.analyse_test(
            table, path.stem, opts, study["extra_tests"], [study["compound"]]
        )
    return out


@pytest.fixture(scope="module")
def confounds(results):
    comparisons = {t: r["comparisons"] for t, r in results.items()}
    summaries = {t: r["summary"] for t, r in results.items()}
    table, flags = battery.battery_outputs(comparisons, summaries, SETTINGS["alpha"])
    return table.set_index(["regimen", "treatment", "dose_mg_kg"]), flags


def _groups(truth, test):
    return [
        (g["regimen"], g["treatment"], float(g["dose_mg_kg"]), g)
        for g in truth[test]["groups"]
        if g["treatment"] != "vehicle"
    ]


def test_built_in_sedation_is_classified_as_sedation(truth, confounds):
    table, _ = confounds
    for regimen, treatment, dose, group in _groups(truth, "open_field"):
        row = table.loc[(regimen, treatment, dose)]
        if group["ratio_to_vehicle"] < 1:
            assert row["classification"] == "sedation"
            assert row["locomotor_effect"] == "decreased"
            expected_pct = 100 * (group["ratio_to_vehicle"] - 1)  # −40%
            assert row["open_field_pct_change_vs_vehicle"] == pytest.approx(expected_pct, abs=10)
        else:
            # No built-in locomotor effect, and none is reported.
            assert row["locomotor_effect"] == "no change", (regimen, treatment, dose)


def test_built_in_fst_effects_are_detected(truth, confounds):
    table, _ = confounds
    strong, detected = [], []
    for regimen, treatment, dose, group in _groups(truth, "fst"):
        row = table.loc[(regimen, treatment, dose)]
        if group["cohens_d"] == 0:
            assert row["fst_effect"] == "no change", (regimen, treatment, dose)
        elif abs(group["cohens_d"]) < 1.0:
            # the low-dose end of the acute exposure-response (true d about
            # -0.2 and -0.5): n = 12 is not powered to detect it either way
            continue
        else:  # true d −1.0 to −2.4: each likely, not certain, to be found at n = 12
            strong.append((regimen, treatment, dose))
            assert row["fst_hedges_g"] < 0, (regimen, treatment, dose)
            if row["fst_effect"] == "improved":
                detected.append((regimen, treatment, dose))
                if regimen == "chronic":
                    assert row["classification"] == "specific"
    # Dunnett-adjusted over every dose level: one miss among the strong effects
    # is within what n = 12 allows; more would mean the analysis lost power.
    assert len(detected) >= len(strong) - 1, sorted(set(strong) - set(detected))


def test_hedges_g_ci_covers_the_true_fst_effect(truth, results):
    comparisons = results["fst"]["comparisons"].set_index(["regimen", "treatment", "dose_mg_kg"])
    covered = 0
    groups = _groups(truth, "fst")
    for regimen, treatment, dose, group in groups:
        row = comparisons.loc[(regimen, treatment, dose)]
        covered += row["hedges_g_ci_low"] <= group["cohens_d"] <= row["hedges_g_ci_high"]
    # 95% intervals: with 8 intervals, at most one miss is unremarkable.
    assert covered >= len(groups) - 1


def test_exclusions_listed_with_reasons(results):
    raw = pd.concat([pd.read_csv(p).assign(test=p.stem) for p in sorted((STUDY / "behaviour").glob("*.csv"))])
    excluded = raw[raw["excluded"].astype(str).str.lower() == "true"]
    listed = pd.concat([r["exclusions"] for r in results.values()])
    assert listed["n_excluded"].sum() == len(excluded)
    text = " ".join(listed["excluded_animals"])
    for _, row in excluded.iterrows():
        assert f"{row['animal_id']}: {row['exclusion_reason']}" in text


def test_battery_flags_not_raised_for_the_full_battery(confounds):
    _, flags = confounds
    assert not flags["raised"].any()

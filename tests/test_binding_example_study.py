"""Binding analysis of the embedded example study against the ground truth
it was simulated from (resources/example_study/ground_truth.yaml)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import yaml

from conftest import REPO_ROOT
from scripts import binding, settings

BINDING = settings.section("binding")

STUDY = REPO_ROOT / "resources" / "example_study"
pytestmark = pytest.mark.skipif(
    not (STUDY / "ground_truth.yaml").exists(), reason="example study not present"
)


@pytest.fixture(scope="module")
def analysed():
    from scripts.validation import validate_binding, validate_saturation

    fits = pd.concat(
        [
            binding.fit_assay(validate_binding(path)[0], BINDING)
            for path in sorted((STUDY / "binding").glob("*.csv"))
        ],
        ignore_index=True,
    )
    saturation = pd.concat(
        [
            binding.fit_saturation_assay(validate_saturation(path)[0], BINDING)
            for path in sorted((STUDY / "saturation").glob("*.csv"))
        ],
        ignore_index=True,
    )
    ki = binding.aggregate_ki(fits, saturation)
    truth = yaml.safe_load((STUDY / "ground_truth.yaml").read_text())
    return fits, saturation, ki, truth


def _truth_by_curve(truth):
    return {(t["receptor"], t["species"]): t for t in truth["binding"]["targets"]}


def test_every_pki_within_0_15_of_truth_and_ci_coverage(analysed):
    _, _, ki, truth = analysed
    targets = _truth_by_curve(truth)
    assert len(ki) == len(targets)
    errors, covered = [], []
    for _, row in ki.iterrows():
        target = targets[(row["receptor"], row["species"])]
        errors.append(abs(row["pki"] - target["pki"]))
        covered.append(row["ki_ci_low_nM"] <= target["ki_nM"] <= row["ki_ci_high_nM"])
    print(
        f"\nexample study: max |pKi error| {max(errors):.3f}; "
        f"true Ki inside the 95% CI for {sum(covered)}/{len(covered)} curves"
    )
    assert max(errors) < 0.15
    # 95% intervals: with 16 curves, fewer than 13 covered would be very unlikely (p < 0.01).
    assert sum(covered) >= 13


def test_saturation_runs_recover_kd_and_supply_it(analysed):
    _, saturation, ki, truth = analysed
    for target in truth["saturation"]:
        fit = saturation[
            (saturation["receptor"] == target["receptor"]) & (saturation["species"] == target["species"])
        ].iloc[0]
        assert fit["kd_ci_low_nM"] <= target["kd_nM"] <= fit["kd_ci_high_nM"]
        assert fit["bmax_ci_low"] <= target["bmax_cpm"] <= fit["bmax_ci_high"]
        curve = ki[(ki["receptor"] == target["receptor"]) & (ki["species"] == target["species"])].iloc[0]
        assert curve["kd_source"] == "saturation" and curve["kd_nM"] == fit["kd_nM"]
    assert (ki["kd_source"] == "saturation").sum() == len(truth["saturation"])


def test_shallow_curve_and_species_difference_are_found(analysed):
    fits, _, ki, truth = analysed
    for target in truth["binding"]["targets"]:
        fit = fits[(fits["receptor"] == target["receptor"]) & (fits["species"] == target["species"])].iloc[0]
        if target["hill_slope"] != -1.0:  # the one shallow curve
            assert fit["preferred_model"] == "variable_slope"
            assert fit["variable_slope_hill_slope"] == pytest.approx(target["hill_slope"], abs=0.15)
    table = binding.species_comparison(ki, species_ratio_flag=BINDING["species_ratio_flag"])
    table = table.set_index("receptor")
    for receptor, row in table.iterrows():
        human = _truth_by_curve(truth)[(receptor, "human")]["ki_nM"]
        rat = _truth_by_curve(truth)[(receptor, "rat")]["ki_nM"]
        true_fold = max(human / rat, rat / human)
        assert row["species_difference_flag"] == (true_fold > BINDING["species_ratio_flag"]), receptor
        assert math.log10(row["fold_difference"]) == pytest.approx(math.log10(true_fold), abs=0.2)

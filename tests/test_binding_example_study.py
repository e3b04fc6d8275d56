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


def test_pooled_pki_within_0_15_of_truth_and_ci_coverage(analysed):
    _, _, ki, truth = analysed
    targets = _truth_by_curve(truth)
    assert len(ki) == 3 * len(targets)  # three independent experiments each
    summary = binding.ki_summary(ki)
    assert (summary["n_experiments"] == 3).all()
    errors, covered = {}, []
    for _, row in summary.iterrows():
        target = targets[(row["receptor"], row["species"])]
        if "two_site" in target:
            continue  # one number cannot describe two sites: tested below
        errors[(row["receptor"], row["species"])] = abs(row["pki_mean"] - target["pki"])
        covered.append(row["ki_ci_low_nM"] <= target["ki_nM"] <= row["ki_ci_high_nM"])
    print(
        f"\nexample study: max |pooled pKi error| {max(errors.values()):.3f}; "
        f"true Ki inside the pooled 95% CI for {sum(covered)}/{len(covered)}"
    )
    assert max(errors.values()) < 0.15
    # 95% intervals: with 15 pooled values, fewer than 12 covered would be very unlikely (p < 0.01).
    assert sum(covered) >= 12


def test_each_experiment_recovers_its_own_ki(analysed):
    _, _, ki, truth = analysed
    for target in truth["binding"]["targets"]:
        if "two_site" in target:
            continue
        for experiment in target["experiments"]:
            row = ki[
                (ki["receptor"] == target["receptor"])
                & (ki["species"] == target["species"])
                & (ki["experiment"] == experiment["experiment"])
            ].iloc[0]
            assert abs(row["pki"] - (9 - math.log10(experiment["ki_nM"]))) < 0.2, target["file"]


def test_two_site_curve_recovers_fraction_and_site_affinities(analysed):
    fits, _, ki, truth = analysed
    for target in truth["binding"]["targets"]:
        rows = ki[(ki["receptor"] == target["receptor"]) & (ki["species"] == target["species"])]
        if "two_site" not in target:
            continue
        sites = target["two_site"]
        assert (rows["two_site_status"] == "two sites").all()
        for _, row in rows.iterrows():
            day = {e["experiment"]: e["ki_nM"] / target["ki_nM"] for e in target["experiments"]}[
                row["experiment"]
            ]
            assert (
                row["two_site_fraction_high_ci_low"]
                <= sites["fraction_high"]
                <= row["two_site_fraction_high_ci_high"]
            )
            assert row["ki_high_ci_low_nM"] <= sites["ki_high_nM"] * day <= row["ki_high_ci_high_nM"]
            assert row["ki_low_ci_low_nM"] <= sites["ki_low_nM"] * day <= row["ki_low_ci_high_nM"]
            # The one-site summary of these data is shallow and flagged.
            assert "hill_not_unity" in row["flags"] and row["model"] == "variable_slope"
        summary = binding.ki_summary(rows).iloc[0]
        assert summary["two_site_fraction_high_mean"] == pytest.approx(sites["fraction_high"], abs=0.05)
        assert summary["pki_high_mean"] == pytest.approx(sites["pki_high"], abs=0.2)
        assert summary["pki_low_mean"] == pytest.approx(sites["pki_low"], abs=0.2)


def test_saturation_runs_recover_kd_and_supply_it(analysed):
    _, saturation, ki, truth = analysed
    for target in truth["saturation"]:
        fit = saturation[
            (saturation["receptor"] == target["receptor"]) & (saturation["species"] == target["species"])
        ].iloc[0]
        assert fit["kd_ci_low_nM"] <= target["kd_nM"] <= fit["kd_ci_high_nM"]
        assert fit["bmax_ci_low"] <= target["bmax_cpm"] <= fit["bmax_ci_high"]
        curves = ki[(ki["receptor"] == target["receptor"]) & (ki["species"] == target["species"])]
        assert (curves["kd_source"] == "saturation").all() and (curves["kd_nM"] == fit["kd_nM"]).all()
    assert (ki["kd_source"] == "saturation").sum() == 3 * len(truth["saturation"])


def test_species_difference_is_found_on_pooled_values(analysed):
    _, _, ki, truth = analysed
    table = binding.species_comparison(ki, species_ratio_flag=BINDING["species_ratio_flag"])
    table = table.set_index("receptor")
    assert (table["flags"] == "").all() and table["welch_p"].notna().all()
    for receptor, row in table.iterrows():
        human = _truth_by_curve(truth)[(receptor, "human")]
        rat = _truth_by_curve(truth)[(receptor, "rat")]
        if "two_site" in human or "two_site" in rat:
            continue
        true_fold = max(human["ki_nM"] / rat["ki_nM"], rat["ki_nM"] / human["ki_nM"])
        assert row["species_difference_flag"] == (true_fold > BINDING["species_ratio_flag"]), receptor
        assert math.log10(row["fold_difference"]) == pytest.approx(math.log10(true_fold), abs=0.2)
    assert table.loc["5-HT2C", "welch_p"] < 0.01


def test_saturation_bmax_in_fmol_per_mg_and_no_depletion(analysed):
    _, saturation, _, truth = analysed
    for target in truth["saturation"]:
        fit = saturation[
            (saturation["receptor"] == target["receptor"]) & (saturation["species"] == target["species"])
        ].iloc[0]
        # Hand, from the true Bmax: CPM / efficiency = DPM; / (2.22 x Ci/mmol) = fmol; / mg protein.
        expected = (
            target["bmax_cpm"]
            / target["counting_efficiency"]
            / (2.22 * target["specific_activity_Ci_mmol"])
            / target["protein_mg_per_well"]
        )
        assert expected == pytest.approx(target["bmax_fmol_mg"], rel=1e-3)
        assert fit["bmax_fmol_mg_ci_low"] <= expected <= fit["bmax_fmol_mg_ci_high"]
        assert fit["max_depletion_pct"] == pytest.approx(target["max_ligand_depletion_pct"], abs=1.0)
        assert "ligand_depletion" not in fit["flags"]
        assert fit["kd_profile_ci_low_nM"] <= target["kd_nM"] <= fit["kd_profile_ci_high_nM"]

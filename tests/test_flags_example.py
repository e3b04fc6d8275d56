"""The example study's translational verdict (end to end, one real run):
the corrected flag set, design-aware recommendations, extrapolation marked,
and every number of every flag's evidence equal to the cell it cites."""

from __future__ import annotations

import flag_evidence as fe
import pandas as pd
import pytest

from scripts import settings

#: The example study's full set of raised flags, one comment each for why it
#: fires. Not raised: occupancy_mismatch (see below), exposure_extrapolated (the example has PK at every
#: behavioural dose, 1-30 mg/kg po) and single_binding_experiment (every
#: receptor has three experiments per species; translation/species_ki.csv
#: n_human = n_rat = 3).
EXPECTED = {
    # sedation at 30 mg/kg acute (open field down) with the FST improved
    "effect_despite_sedation": "low",
    # imipramine given ip against a po vehicle
    "route_mismatched_control": "medium",
    # every behaviourally tested animal is male
    "single_sex": "low",
    # study.yaml gives no rat fu: the config default is used
    "rat_fu_assumed": "low",
    # rat oral F about 0.07 vs human 0.5 (CI of the ratio above 2-fold)
    "bioavailability_mismatch": "high",
    # 8-OH-mirtazapine not detected in the rat, no human ratio given (low)
    "metabolite_profile_difference": "low",
    # rat half-life about 2 h vs human 20-40 h
    "half_life_mismatch": "medium",
    # body-surface-area scaling vs unbound-AUC matching about 9-11-fold apart
    "dose_scaling_disagreement": "medium",
    # 5-HT2C human/rat Ki 4.5-fold (three experiments per species); its 95%
    # CI, binding's Welch interval across experiments (about 3.1-6.7, read
    # from binding/species_comparison.csv, no longer the narrower 4.0-5.1
    # built from the per-fit CIs), still lies entirely above the 3-fold
    # limit: high
    "species_ki_difference": "high",
    # (occupancy_mismatch is not raised: the human steady-state profile is
    # calibrated to the TDM trough as a whole, so its 5-HT2C occupancy runs
    # from about 24% (Cmin,ss at 15 mg/day) to 67% (Cmax,ss at 45 mg/day);
    # the rat's 75-90% at the test time (10 and 30 mg/kg) lies 8-23 points
    # above that range, within the 30-point threshold, and the human range
    # crosses 50%)
    # the rat efficacy EC50s need human doses outside 15-45 mg/day at Cmin,ss
    "efficacious_exposure_outside_clinical": "medium",
}


@pytest.fixture(scope="module")
def results(example_run):
    return example_run[2]


def flags_of(results):
    flags = pd.read_csv(results / "translation" / "flags.csv", keep_default_na=False)
    return flags[flags["severity"] != "not assessable"]


def test_example_study_raises_the_corrected_flag_set(results):
    flags = flags_of(results)
    assert dict(zip(flags["flag_id"], flags["severity"], strict=True)) == EXPECTED
    sedation = flags.set_index("flag_id").loc["effect_despite_sedation"]
    assert "30 mg/kg acute" in sedation["evidence"]
    confounds = pd.read_csv(results / "behaviour" / "confounds.csv")
    drug = confounds[confounds["treatment"] == "mirtazapine"].set_index(["dose_mg_kg", "regimen"])
    assert drug.loc[(30.0, "acute"), "class_id"] == "effect_despite_sedation"
    assert "classification" in confounds


def test_example_recommendations_never_ask_for_what_the_study_did(results):
    text = " ".join(
        pd.read_csv(results / "translation" / "flags.csv", keep_default_na=False)["recommendation"]
    )
    for already in (
        "intravenously",
        "Measure 8-hydroxy",
        "Add an open field",
        "Add a chronic",
        "human receptor beside",
    ):
        assert already not in text, already


def test_example_exposure_marks_the_extrapolated_dose(results):
    exposure = pd.read_csv(results / "translation" / "exposure.csv")
    rat = exposure[exposure["species"] == "rat"].set_index("dose")
    pk_doses = set(pd.read_csv(results / "inventory" / "pk_design.csv").query("route == 'po'")["dose_mg_kg"])
    for dose, row in rat.iterrows():
        outside = dose > max(pk_doses) or dose < min(pk_doses)
        assert bool(row["extrapolated"]) == outside, dose
        if outside:
            assert row["extrapolation_factor"] == pytest.approx(
                max(dose / max(pk_doses), min(pk_doses) / dose)
            )


def test_example_evidence_numbers_equal_their_cited_cells(results):
    flags = flags_of(results)
    names = {
        "behaviour/confounds.csv", "inventory/behaviour_groups.csv", "pk/bioavailability.csv",
        "pk/metabolites.csv", "pk/detectability.csv", "translation/exposure.csv",
        "translation/dose_translation.csv", "translation/occupancy.csv", "translation/reference.csv",
        "translation/species_ki.csv", "translation/human_dose_prediction.csv",
    }  # fmt: skip
    tables = {name: pd.read_csv(results / name, keep_default_na=False, na_values=[""]) for name in names}
    assert fe.check_flags(flags, tables, settings.config()) > 20


def test_example_species_ki_is_the_binding_pooled_result(results):
    """translation/species_ki.csv restates binding's pooled comparison (Welch
    on pKi across experiments): ratio human/rat = 10^-(pKi human - pKi rat),
    its CI the transformed CI of that difference."""
    species_ki = pd.read_csv(results / "translation" / "species_ki.csv").set_index("receptor")
    comparison = pd.read_csv(results / "binding" / "species_comparison.csv")
    comparison = comparison[comparison["compound"] == "mirtazapine"].set_index("receptor")
    assert set(species_ki.index) == set(comparison.dropna(subset=["human_ki_nM", "rat_ki_nM"]).index)
    for receptor, row in species_ki.iterrows():
        pooled = comparison.loc[receptor]
        assert row["ratio_human_rat"] == pytest.approx(10 ** -pooled["pki_difference"], rel=1e-9)
        assert row["ratio_ci_low"] == pytest.approx(10 ** -pooled["pki_difference_ci_high"], rel=1e-9)
        assert row["ratio_ci_high"] == pytest.approx(10 ** -pooled["pki_difference_ci_low"], rel=1e-9)
        assert (row["n_human"], row["n_rat"]) == (pooled["n_human_curves"], pooled["n_rat_curves"])
    # the 5-HT2C interval is binding's, wider than per-fit CIs would give
    assert species_ki.loc["5-HT2C", "ratio_ci_low"] == pytest.approx(3.07, abs=0.01)
    assert species_ki.loc["5-HT2C", "ratio_ci_high"] == pytest.approx(6.67, abs=0.01)

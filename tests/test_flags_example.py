"""The example study's translational verdict (end to end, one real run):
the corrected flag set, design-aware recommendations, extrapolation marked,
and every number of every flag's evidence equal to the cell it cites."""

from __future__ import annotations

import flag_evidence as fe
import pandas as pd
import pytest

from scripts import settings

#: The example study's full set of raised flags: sedation at 30 mg/kg acute
#: with the FST improved is an effect despite sedation (low); imipramine ip
#: against a po vehicle; all male; no rat fu in study.yaml; 30 mg/kg lies 3x
#: above the top PK dose (10 mg/kg po); rat F about 0.07 vs 0.5; 8-OH-
#: mirtazapine not detected without a human ratio (low); rat half-life about
#: 2 h vs 20-40 h; body-surface-area scaling vs exposure matching; the 5-HT2C
#: species difference rests on one experiment per species. With the exposure
#: over time: the occupancy flag reads the rat occupancy at the test time (1 h
#: after the dose) against the human trough-to-peak range at steady state, and
#: 5-HT2C at 30 mg/kg (about 90%) lies more than 30 points above it (medium:
#: the human peak reaches 50%, so not the other side); the rat efficacy EC50s
#: need human doses above 45 mg/day at Cmin,ss.
EXPECTED = {
    "effect_despite_sedation": "low",
    "route_mismatched_control": "medium",
    "single_sex": "low",
    "rat_fu_assumed": "low",
    "exposure_extrapolated": "medium",
    "bioavailability_mismatch": "high",
    "metabolite_profile_difference": "low",
    "half_life_mismatch": "medium",
    "dose_scaling_disagreement": "medium",
    "single_binding_experiment": "low",
    "occupancy_mismatch": "medium",
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

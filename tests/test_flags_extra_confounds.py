"""Confound classes for declared extra tests (study.yaml ``extra_tests`` with
``locomotor_mimics``): one classification function for the FST and those
tests, checked against the confound table of the translational verdict
(effect against the locomotor change that mimics or opposes it)."""

from __future__ import annotations

import flag_evidence as fe
import flag_scenarios as fs
import pytest

from scripts import settings
from scripts import translation as tr
from scripts.behaviour.battery import confound_class

#: (effect, locomotor change, which change mimics the effect) -> (class_id, severity),
#: written out from the classification table (FST: an increase mimics lower immobility).
EXPECTED = {
    ("improved", "increased", "increase"): ("possible_false_positive", "high"),
    ("improved", "decreased", "increase"): ("effect_despite_sedation", "low"),
    ("no change", "decreased", "increase"): ("sedation_may_mask", "medium"),
    ("worsened", "decreased", "increase"): ("sedation_may_mask", "medium"),
    ("improved", "no data", "increase"): ("no_locomotor_control", "medium"),
    ("no change", "no data", "increase"): ("no_locomotor_control", "medium"),
    ("improved", "no change", "increase"): ("specific", ""),
    ("no change", "increased", "increase"): ("no_effect", ""),
    # a test whose effect a decrease mimics: the roles of the two changes swap
    ("improved", "decreased", "decrease"): ("possible_false_positive", "high"),
    ("improved", "increased", "decrease"): ("effect_despite_hyperactivity", "low"),
    ("no change", "increased", "decrease"): ("hyperactivity_may_mask", "medium"),
    ("no change", "decreased", "decrease"): ("no_effect", ""),
    ("improved", "no change", "decrease"): ("specific", ""),
    ("improved", "not tested", "decrease"): ("no_locomotor_control", "medium"),
}


@pytest.mark.parametrize("case", list(EXPECTED))
def test_one_classification_for_every_test(case):
    assert confound_class(*case) == EXPECTED[case]


def test_the_fst_default_is_an_increase_mimicking_the_effect():
    assert confound_class("improved", "increased") == ("possible_false_positive", "high")


#: scenario: (novelty-feeding shift, open-field shift, locomotor_mimics) ->
#: the novelty-feeding rows' class_id and the flag it raises. The FST has no
#: effect in these scenarios; a change of locomotion then classifies it
#: no_effect (increase) or sedation_may_mask (decrease).
EXTRA_SCENARIOS = {
    "hyperlocomotion_mimics": ((1.0, 1.0, "increase"), "possible_false_positive", "high"),
    "sedation_opposes": ((1.0, -1.0, "increase"), "effect_despite_sedation", "low"),
    "hyperactivity_opposes": ((1.0, 1.0, "decrease"), "effect_despite_hyperactivity", "low"),
    "hyperactivity_masks": ((0.0, 1.0, "decrease"), "hyperactivity_may_mask", "medium"),
    "sedation_mimics": ((1.0, -1.0, "decrease"), "possible_false_positive", "high"),
    "specific": ((1.0, 0.0, "decrease"), "specific", None),
}


@pytest.mark.parametrize("name", list(EXTRA_SCENARIOS))
def test_declared_extra_test_is_classified_against_the_open_field(name, tmp_path):
    (nf, of, mimics), class_id, severity = EXTRA_SCENARIOS[name]
    effects = dict(fs.CLEAN_EFFECTS, immobility_s=0.0, latency_s=nf, distance_cm=of)
    tables = fs.behaviour_tables(tmp_path, effects, locomotor_mimics=mimics)
    confounds = tables["confounds"]
    drug = confounds[confounds["treatment"] == fs.COMPOUND]
    extra = drug[drug["test"] == "novelty_feeding"]
    assert len(extra) == 2  # acute and chronic
    assert set(extra["class_id"]) == {class_id}
    assert set(extra["locomotor_mimics"]) == {mimics}
    assert set(extra["fst_endpoint"]) == {"latency_s"}
    # the FST rows are classified as before, beside them
    fst = drug[drug["test"] == "fst"]
    assert set(fst["class_id"]) == ({"sedation_may_mask"} if of < 0 else {"no_effect"})
    _, study, reference = fs.scenario("clean", tmp_path / "pk")
    pk = fs.pk_binding_tables()
    out = fs.translate({**tables, **pk}, study, reference)
    flags = tr.raised(out["flags"])
    # every number of the evidence is the cell it cites (confounds.csv rows keyed by test)
    fe.check_flags(flags, fe.tables_of({**tables, **pk}, out), settings.config())
    flag = flags[flags["flag_id"] == class_id]
    if severity is None:
        assert flag.empty
        assert flags.empty, flags[["flag_id", "evidence"]].to_dict("records")
        return
    assert flag["severity"].tolist() == [severity]
    assert "novelty feeding latency_s" in flag["evidence"].iloc[0]
    assert "novelty feeding" in flag["recommendation"].iloc[0]


def test_an_extra_test_without_locomotor_mimics_is_not_classified(tmp_path):
    effects = dict(fs.CLEAN_EFFECTS, latency_s=1.0, distance_cm=1.0)
    confounds = fs.behaviour_tables(tmp_path, effects, locomotor_mimics="none")["confounds"]
    assert set(confounds["test"]) == {"fst"}

"""One synthetic study per translational flag (tests/flag_scenarios.py):
each fires exactly its flag, with its class and severity; the clean study
fires none."""

from __future__ import annotations

import flag_scenarios as fs
import pytest

from scripts import translation as tr


@pytest.mark.parametrize("name", list(fs.SCENARIOS))
def test_scenario_fires_exactly_its_flag(name, tmp_path):
    tables, study, reference = fs.scenario(name, tmp_path / name)
    out = fs.translate(tables, study, reference)
    fired = tr.raised(out["flags"])
    expected = fs.SCENARIOS[name]
    got = sorted(zip(fired["flag_id"], fired["severity"], strict=True))
    assert got == ([] if expected is None else [expected]), fired[
        ["flag_id", "severity", "evidence"]
    ].to_dict("records")
    # Nothing is "not assessable" in these complete studies, except a human
    # metabolite that was not measured (none here).
    assert (out["flags"]["severity"] != tr.NOT_ASSESSABLE).all()


def test_confound_class_ids_come_from_the_behaviour_table(tmp_path):
    """The confound flags read confounds.csv's class_id, computed by the
    behaviour battery from the real comparisons."""
    classes = {}
    for name in ("clean", "possible_false_positive", "effect_despite_sedation", "sedation_may_mask",
                 "no_locomotor_control"):  # fmt: skip
        tables, _study, _reference = fs.scenario(name, tmp_path / name)
        confounds = tables["confounds"]
        drug = confounds[confounds["treatment"] == fs.COMPOUND]
        classes[name] = set(drug["class_id"])
        # the classification column is kept beside class_id
        assert drug["classification"].str.len().gt(0).all()
    assert classes == {
        "clean": {"specific"},
        "possible_false_positive": {"possible_false_positive"},
        "effect_despite_sedation": {"effect_despite_sedation"},
        "sedation_may_mask": {"sedation_may_mask"},
        "no_locomotor_control": {"no_locomotor_control"},
    }


def test_lloq_limited_metabolite_recommends_a_more_sensitive_assay(tmp_path):
    tables, study, reference = fs.scenario("metabolite_lloq_limited", tmp_path)
    flag = tr.raised(fs.translate(tables, study, reference)["flags"]).iloc[0]
    # 0.1 x the parent Cmax (geometric mean of 60 ng/mL x the +-12.5% spread) ~ 6 ng/mL < LLOQ 10.
    assert "LLOQ 10 ng/mL" in flag["evidence"]
    assert "a more sensitive assay would be needed to conclude absence" in flag["recommendation"]
    assert "about 6 ng/mL" in flag["recommendation"] or "about 5.9 ng/mL" in flag["recommendation"]
    # the agreeing metabolite is reported beside it
    assert "desmethyltestdrug agrees between species" in flag["evidence"]


def test_sedation_flags_never_rate_an_effect_despite_sedation_high(tmp_path):
    tables, study, reference = fs.scenario("effect_despite_sedation", tmp_path)
    flags = fs.translate(tables, study, reference)["flags"]
    assert not ((flags["area"] == "behaviour") & (flags["severity"] == "high")).any()


AREAS = {
    "binding": ("ki",),
    "behaviour": ("comparisons", "confounds"),
    "pk": ("nca", "bioavailability", "metabolites", "detectability"),
}


@pytest.mark.parametrize(
    "present", [(), ("binding",), ("behaviour",), ("pk",), ("binding", "pk"), ("behaviour", "pk")]
)
@pytest.mark.parametrize("with_reference", [True, False])
def test_any_subset_of_areas_translates_without_crashing(present, with_reference, tmp_path):
    tables, study, reference = fs.scenario("clean", tmp_path)
    keep = {name for area in present for name in AREAS[area]}
    given = {k: (v if k in keep or k in ("behaviour_groups", "sexes") else None) for k, v in tables.items()}
    if "behaviour" not in present:
        given["behaviour_groups"] = tables["behaviour_groups"].iloc[0:0]
        given["sexes"] = []
    out = fs.translate(given, study, reference if with_reference else None)
    assert set(out["flags"]["flag_id"]) <= set(tr.FLAGS)
    assert tr.raised(out["flags"]).empty  # the clean study raises nothing, whatever is missing
    if not with_reference:
        human_side = out["flags"][out["flags"]["flag_id"] == "bioavailability_mismatch"]
        assert human_side["evidence"].str.contains("supply human_reference_file").all()

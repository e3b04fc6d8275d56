"""scripts.pk on the embedded example study against the generator's ground
truth (resources/example_study/ground_truth.yaml): oral F about 7% inside its
CI, per-animal t½ as simulated, 8-hydroxymirtazapine not detected."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import REPO_ROOT
from scripts import pk, settings, validation

STUDY = REPO_ROOT / "resources" / "example_study"
pytestmark = pytest.mark.skipif(not (STUDY / "pk").is_dir(), reason="example study not generated")


@pytest.fixture(scope="module")
def example():
    config = settings.section("pk")
    truth = yaml.safe_load((STUDY / "ground_truth.yaml").read_text())["pk"]
    table = pd.concat([validation.validate_pk(p)[0] for p in sorted((STUDY / "pk").glob("*.csv"))])
    nca = pk.nca_table(table, config, parent="mirtazapine")
    return table, nca, truth, config


def test_oral_bioavailability_is_about_seven_percent_within_its_ci(example):
    _, nca, truth, config = example
    f_true = truth["parent"]["f_oral"]
    table = pk.bioavailability_table(nca, config)
    parent = table[table["analyte"] == "mirtazapine"]
    assert len(parent) == 2  # PO 2 and 10 mg/kg against IV 2 mg/kg
    for _, row in parent.iterrows():
        assert row["f_ci_low"] <= f_true <= row["f_ci_high"], row.to_dict()
        assert row["f"] == pytest.approx(f_true, abs=0.02)
        assert "Fieller" in row["method"]


def test_half_life_matches_each_animals_simulated_value(example):
    _, nca, truth, _ = example
    true_t_half = {a["animal_id"]: math.log(2) * a["v_L_kg"] / a["cl_L_h_kg"] for a in truth["animals"]}
    parent = nca[(nca["analyte"] == "mirtazapine") & nca["t_half_h"].notna()]
    assert len(parent) == 18
    ratios = parent["t_half_h"].to_numpy() / parent["animal_id"].map(true_t_half).to_numpy()
    # 10% proportional residual noise: individual estimates scatter, the median does not.
    assert np.median(ratios) == pytest.approx(1.0, abs=0.05)
    assert np.all((ratios > 0.7) & (ratios < 1.4))
    assert parent["t_half_h"].mean() == pytest.approx(truth["parent"]["t_half_h"], rel=0.15)


def test_iv_clearance_matches_simulated_clearance(example):
    _, nca, truth, _ = example
    true_cl = {a["animal_id"]: a["cl_L_h_kg"] for a in truth["animals"]}
    iv = nca[(nca["analyte"] == "mirtazapine") & (nca["route"] == "iv")]
    ratios = iv["cl_L_h_kg"].to_numpy() / iv["animal_id"].map(true_cl).to_numpy()
    assert np.median(ratios) == pytest.approx(1.0, abs=0.05)


def test_eight_hydroxymirtazapine_is_reported_not_detected(example):
    table, nca, _, _ = example
    detect = pk.detectability_table(table).set_index("analyte")
    assert detect.loc["8-hydroxymirtazapine", "detection"] == "not detected"
    assert detect.loc["desmethylmirtazapine", "detection"] == "detected"
    rows = nca[nca["analyte"] == "8-hydroxymirtazapine"]
    assert (
        rows["flags"].str.contains("no_quantifiable_sample").all() and rows["auc_last_ng_h_mL"].isna().all()
    )
    metab = pk.metabolite_table(nca, "mirtazapine")
    oh = metab[metab["analyte"] == "8-hydroxymirtazapine"]
    assert (oh["detection"] == "not detected").all() and oh["ratio_geometric_mean"].isna().all()

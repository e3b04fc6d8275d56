"""literature_comparison.csv: the pooled Ki beside the reference Ki, fold
difference by hand, receptor names matched loosely, overrides applied, and
species without a reference number kept with the reference's note."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import yaml

from conftest import REPO_ROOT
from scripts.binding import literature

REFERENCE = {
    "compound": "mirtazapine",
    "ki_nM": {
        "human": {
            "5-HT2A": {"value": 20, "range": [6, 70], "source": ["pdsp", "iuphar"], "confirmed": False}
        },
        "rat": {
            "alpha2A": {
                "value": None,
                "note": "subtype not resolved",
                "reported": {"ki_nM": 100, "source": ["deboer1988"]},
            }
        },
    },
}


def summary(receptor, species, ki_nM, compound="mirtazapine"):
    return dict(
        receptor=receptor,
        species=species,
        compound=compound,
        n_experiments=3,
        ki_geomean_nM=ki_nM,
        ki_ci_low_nM=ki_nM / 2,
        ki_ci_high_nM=ki_nM * 2,
    )


def test_fold_difference_by_hand_and_loose_receptor_names():
    table = literature.literature_comparison(
        pd.DataFrame(
            [summary("5HT2A", "human", 80.0), summary("alpha2A", "rat", 30.0), summary("H1", "human", 1.0)]
        ),
        REFERENCE,
    ).set_index(["receptor", "species"])
    row = table.loc[("5HT2A", "human")]
    assert row["reference_ki_nM"] == 20 and row["fold_difference"] == pytest.approx(4.0)
    assert row["fold_difference_abs"] == pytest.approx(4.0) and row["within_reference_range"] is False
    assert row["reference_sources"] == "pdsp;iuphar"
    rat = table.loc[("alpha2A", "rat")]
    assert math.isnan(rat["reference_ki_nM"]) and math.isnan(rat["fold_difference"])
    assert rat["reported_ki_nM"] == 100 and rat["reported_sources"] == "deboer1988"
    assert rat["note"] == "subtype not resolved"
    assert "no reference value" in table.loc[("H1", "human"), "note"]


def test_study_override_and_other_compounds():
    table = literature.literature_comparison(
        pd.DataFrame([summary("5-HT2A", "human", 10.0), summary("5-HT2A", "human", 10.0, compound="other")]),
        REFERENCE,
        {"human": {"5-HT2A": 40}},
    )
    assert len(table) == 1
    assert table.loc[0, "reference_ki_nM"] == 40 and table.loc[0, "fold_difference"] == pytest.approx(0.25)
    assert table.loc[0, "fold_difference_abs"] == pytest.approx(4.0)
    assert table.loc[0, "reference_sources"] == "study.yaml human_reference"


def test_every_reference_source_is_a_bibliography_key():
    reference = yaml.safe_load((REPO_ROOT / "resources/reference/mirtazapine_human.yaml").read_text())
    keys = set(yaml.safe_load((REPO_ROOT / "resources/reference/bibliography.yaml").read_text()))
    rows = [summary(r, s, 10.0) for s, receptors in reference["ki_nM"].items() for r in receptors]
    table = literature.literature_comparison(pd.DataFrame(rows), reference)
    assert len(table) == len(rows)
    cited = {k for value in table["reference_sources"] for k in value.split(";") if k}
    assert cited and cited <= keys

"""The binding outputs of a real run of the example study (end to end): the
pooled tables, the literature comparison and the new figures, read back
from the files the workflow wrote."""

from __future__ import annotations

import yaml

from conftest import REPO_ROOT
from scripts.tables import read_csv

KI_SUMMARY_CONTRACT = [
    "receptor", "species", "compound", "n_experiments", "pki_mean", "pki_sem", "pki_ci_low",
    "pki_ci_high", "ki_geomean_nM", "ki_ci_low_nM", "ki_ci_high_nM", "hill_mean", "flags",
]  # fmt: skip


def test_binding_outputs_of_the_example_run(example_run):
    _, _, results = example_run
    truth = yaml.safe_load((REPO_ROOT / "resources/example_study/ground_truth.yaml").read_text())
    targets = truth["binding"]["targets"]
    ki = read_csv(results / "binding" / "ki.csv")
    assert len(ki) == 3 * len(targets)
    assert {"experiment", "model_reason", "two_site_status"} <= set(ki.columns)
    summary = read_csv(results / "binding" / "ki_summary.csv")
    assert list(summary.columns[:13]) == KI_SUMMARY_CONTRACT
    assert len(summary) == len(targets) and (summary["n_experiments"] == 3).all()
    rat_5ht1a = summary[(summary["receptor"] == "5-HT1A") & (summary["species"] == "rat")].iloc[0]
    assert "hill_not_unity (3/3)" in rat_5ht1a["flags"] and rat_5ht1a["n_two_site"] == 3
    literature = read_csv(results / "binding" / "literature_comparison.csv")
    assert len(literature) == len(targets)
    human_h1 = literature[(literature["receptor"] == "H1") & (literature["species"] == "human")].iloc[0]
    assert human_h1["reference_ki_nM"] == 1 and human_h1["reference_sources"].startswith("pdsp")
    saturation = read_csv(results / "binding" / "saturation.csv")
    assert saturation["bmax_fmol_mg"].notna().all() and saturation["kd_profile_ci_low_nM"].notna().all()
    species = read_csv(results / "binding" / "species_comparison.csv").set_index("receptor")
    assert species.loc["5-HT2C", "species_difference_flag"] and species.loc["5-HT2C", "welch_p"] < 0.01
    overlay = (results / "binding" / "figures" / "species_overlay.svg").read_text()
    assert overlay.count('id="axes_') == 8
    assert (
        "[3H]mepyramine (nM)"
        in (results / "binding" / "figures" / "saturation_H1_rat_mepyramine.svg").read_text()
    )

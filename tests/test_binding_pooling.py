"""Independent experiments: each fitted on its own, pooled as mean pKi ± SEM
(hand calculation), and the species difference tested with Welch's t on pKi
(against scipy.stats.ttest_ind)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from test_binding_tables import assay_table, curve_rows, fit_assay

from scripts import binding, settings

BINDING = settings.section("binding")


def with_experiment(rows, label):
    return [dict(row, experiment=label) for row in rows]


def test_pooled_pki_by_hand():
    pooled = binding.pooled_pki([7.0, 7.2, 7.4, np.nan])
    # Hand: mean 7.2; SD 0.2; SEM 0.2/sqrt(3) = 0.115470; t(0.975, 2) = 4.302653.
    assert pooled["n"] == 3 and pooled["mean"] == pytest.approx(7.2)
    assert pooled["sd"] == pytest.approx(0.2) and pooled["sem"] == pytest.approx(0.1154700538)
    assert pooled["ci_low"] == pytest.approx(7.2 - 4.302652730 * 0.1154700538)
    assert pooled["ci_high"] == pytest.approx(7.2 + 4.302652730 * 0.1154700538)
    single = binding.pooled_pki([7.0])
    assert single["mean"] == 7.0 and all(math.isnan(single[k]) for k in ("sd", "sem", "ci_low", "ci_high"))


def test_experiments_of_one_file_are_fitted_on_their_own_and_pooled():
    # Three experiments in one file, each with its own [L] and Kd; noise-free,
    # so each experiment's Cheng–Prusoff Ki is the Ki put in.
    kis = {"1": 10.0, "2": 20.0, "3": 40.0}
    table = assay_table(
        with_experiment(curve_rows(ki_nM=kis["1"], ligand_nM=1.0, kd_nM=2.0), "1"),
        with_experiment(curve_rows(ki_nM=kis["2"], ligand_nM=2.0, kd_nM=2.0), "2"),
        with_experiment(curve_rows(ki_nM=kis["3"], ligand_nM=0.5, kd_nM=1.0), "3"),
    )
    fits = fit_assay(table)
    assert fits["experiment"].tolist() == ["1", "2", "3"]
    ki = binding.aggregate_ki(fits)
    assert ki["experiment"].tolist() == ["1", "2", "3"]
    assert ki["ki_nM"].tolist() == pytest.approx([10.0, 20.0, 40.0], rel=1e-7)
    summary = binding.ki_summary(ki).iloc[0]
    assert list(binding.ki_summary(ki).columns[:13]) == [
        "receptor", "species", "compound", "n_experiments", "pki_mean", "pki_sem", "pki_ci_low",
        "pki_ci_high", "ki_geomean_nM", "ki_ci_low_nM", "ki_ci_high_nM", "hill_mean", "flags",
    ]  # fmt: skip
    pki = [9 - math.log10(k) for k in kis.values()]
    sem = np.std(pki, ddof=1) / math.sqrt(3)
    assert summary["n_experiments"] == 3
    assert summary["pki_mean"] == pytest.approx(np.mean(pki))
    assert summary["pki_sem"] == pytest.approx(sem)
    # Geometric mean of 10, 20, 40 nM is 20 nM.
    assert summary["ki_geomean_nM"] == pytest.approx(20.0)
    t = stats.t.ppf(0.975, 2)
    assert summary["ki_ci_low_nM"] == pytest.approx(10 ** (9 - (np.mean(pki) + t * sem)))
    assert summary["ki_ci_high_nM"] == pytest.approx(10 ** (9 - (np.mean(pki) - t * sem)))
    assert summary["hill_mean"] == pytest.approx(-1.0, abs=1e-6)
    assert summary["flags"] == "" and summary["experiments"] == "a1:1;a1:2;a1:3"


def test_welch_difference_agrees_with_scipy():
    a, b = [7.9, 8.1, 8.3, 8.0], [7.1, 7.6, 7.2]
    test = binding.welch_difference(a, b)
    reference = stats.ttest_ind(a, b, equal_var=False)
    assert test["t"] == pytest.approx(reference.statistic)
    assert test["p"] == pytest.approx(reference.pvalue)
    va, vb = np.var(a, ddof=1) / 4, np.var(b, ddof=1) / 3
    df = (va + vb) ** 2 / (va**2 / 3 + vb**2 / 2)  # Welch–Satterthwaite by hand
    assert test["df"] == pytest.approx(df)
    half = stats.t.ppf(0.975, df) * math.sqrt(va + vb)
    assert test["difference"] == pytest.approx(np.mean(a) - np.mean(b))
    assert (test["ci_low"], test["ci_high"]) == pytest.approx(
        (test["difference"] - half, test["difference"] + half)
    )


def _ki_rows(species, pkis, receptor="5-HT2C"):
    return [
        dict(assay=f"{receptor}_{species}", experiment=str(i + 1), receptor=receptor, species=species,
             compound="mirtazapine", ki_nM=10 ** (9 - p), pki=p, flags="")
        for i, p in enumerate(pkis)
    ]  # fmt: skip


def test_species_comparison_tests_pki_across_experiments():
    ki = pd.DataFrame(_ki_rows("human", [7.4, 7.5, 7.3]) + _ki_rows("rat", [8.1, 8.0, 8.2]))
    row = binding.species_comparison(ki, species_ratio_flag=3.0).iloc[0]
    reference = stats.ttest_ind([7.4, 7.5, 7.3], [8.1, 8.0, 8.2], equal_var=False)
    assert row["pki_difference"] == pytest.approx(-0.7)
    assert row["welch_p"] == pytest.approx(reference.pvalue)
    assert row["pki_difference_ci_low"] < -0.7 < row["pki_difference_ci_high"] < 0
    # The pooled Ki are the geometric means: fold 10^0.7.
    assert row["fold_difference"] == pytest.approx(10**0.7)
    assert row["species_difference_flag"] and row["flags"] == ""


def test_single_experiment_is_flagged_and_gets_no_p_value():
    ki = pd.DataFrame(_ki_rows("human", [7.4]) + _ki_rows("rat", [8.1, 8.0, 8.2]))
    row = binding.species_comparison(ki, species_ratio_flag=3.0).iloc[0]
    assert row["flags"] == "single_binding_experiment"
    assert all(math.isnan(row[c]) for c in ("welch_t", "welch_df", "welch_p", "pki_difference_ci_low"))
    summary = binding.ki_summary(ki).set_index("species")
    assert summary.loc["human", "flags"] == "single_binding_experiment"
    assert math.isnan(summary.loc["human", "pki_sem"])

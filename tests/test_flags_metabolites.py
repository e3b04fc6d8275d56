"""Metabolite route ratios live in metabolites.csv (one AUC metric per row),
bioavailability.csv holds the parent only; checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scripts import pk, settings

PK = settings.section("pk")


def nca(rows):
    return pd.DataFrame(
        [
            {"animal_id": a, "species": "rat", "route": r, "dose_mg_kg": float(d), "analyte": an,
             "auc_last_ng_h_mL": last, "auc_inf_ng_h_mL": last * 1.05 if np.isfinite(last) else np.nan,
             "auc_pct_extrap": 4.8 if np.isfinite(last) else np.nan, "cmax_ng_mL": last / 5, "tlast_h": 24.0}
            for a, r, d, an, last in rows
        ]
    )  # fmt: skip


def study():
    rows = []
    for i, (p_iv, p_po, m_iv, m_po) in enumerate(
        [(400, 280, 40, 90), (500, 320, 50, 110), (450, 300, 45, 100)]
    ):
        rows += [
            (f"I{i}", "iv", 2, "drug", p_iv),
            (f"I{i}", "iv", 2, "m1", m_iv),
            (f"I{i}", "iv", 2, "m2", np.nan),
            (f"P{i}", "po", 10, "drug", p_po),
            (f"P{i}", "po", 10, "m1", m_po),
            (f"P{i}", "po", 10, "m2", np.nan),
        ]
    return nca(rows)


def test_bioavailability_holds_the_parent_only():
    table = pk.bioavailability_table(study(), PK, parent="DRUG")
    assert list(table["analyte"]) == ["drug"]
    # parallel groups, AUCinf acceptable: F = mean(AUCinf_po/10) / mean(AUCinf_iv/2)
    expected = np.mean(np.array([280, 320, 300]) * 1.05 / 10) / np.mean(np.array([400, 500, 450]) * 1.05 / 2)
    assert table.iloc[0]["f"] == pytest.approx(expected)
    assert set(pk.bioavailability_table(study(), PK)["analyte"]) == {
        "drug",
        "m1",
        "m2",
    }  # without parent: all


def test_metabolite_route_ratio_is_an_exposure_ratio_on_auclast():
    table = pk.metabolite_table(study(), "drug", PK).set_index(["analyte", "route"])
    m1 = table.loc[("m1", "po")]
    # AUClast although AUCinf is acceptable: one metric per row.
    expected = np.mean(np.array([90, 110, 100]) / 10) / np.mean(np.array([40, 50, 45]) / 2)
    assert m1["auc_metric"] == "AUClast" and m1["route_ratio"] == pytest.approx(expected)
    assert m1["route_ratio_ci_low"] < expected < m1["route_ratio_ci_high"]
    assert m1["route_ratio_reference"] == "iv 2 mg/kg" and "AUClast" in m1["route_ratio_method"]
    # metabolite-to-parent ratio on the same metric: geometric mean of 90/280, 110/320, 100/300
    assert m1["ratio_geometric_mean"] == pytest.approx(
        np.exp(np.mean(np.log([90 / 280, 110 / 320, 100 / 300])))
    )
    m2 = table.loc[("m2", "po")]
    assert np.isnan(m2["route_ratio"]) and m2["detection"] == "not detected"
    assert np.isnan(table.loc[("m1", "iv"), "route_ratio"])  # the IV group is the reference

"""The figures the report embeds: the "< LLOQ" rule of the concentration-time
means (against hand calculation), exposure drawn as points (never bars),
percentage endpoints on 0-100 %, the FST's scored minutes, and alt text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_behaviour_analysis import table

from scripts import settings
from scripts.behaviour import analysis, figures
from scripts.pk.figures import group_means
from scripts.plotting import OKABE_ITO, save_figure, style
from scripts.translation.figures import plot_exposure
from scripts.validation import validate_behaviour


def test_lloq_rule_for_group_means():
    # LLOQ 1 ng/mL; three animals per time.
    rows = [
        (1.0, 10.0, False), (1.0, 20.0, False), (1.0, np.nan, True),  # 1/3 BLQ: mean (10 + 20 + 0) / 3
        (2.0, np.nan, True), (2.0, np.nan, True), (2.0, 3.0, False),  # 2/3 BLQ: "< LLOQ", no mean
        (3.0, np.nan, True), (3.0, 1.2, False), (3.0, 1.5, False),  # mean 0.9 < LLOQ: marked
    ]  # fmt: skip
    g = pd.DataFrame(rows, columns=["time_h", "concentration_ng_mL", "blq"]).assign(lloq_ng_mL=1.0)
    means = group_means(g).set_index("time_h")
    assert means.loc[1.0, "mean"] == pytest.approx(10.0)
    assert means.loc[1.0, "std"] == pytest.approx(np.std([10, 20, 0], ddof=1))
    assert not means.loc[1.0, "below_lloq_majority"] and not means.loc[1.0, "mean_below_lloq"]
    assert means.loc[2.0, "below_lloq_majority"] and np.isnan(means.loc[2.0, "mean"])
    assert means.loc[3.0, "mean"] == pytest.approx(0.9) and means.loc[3.0, "mean_below_lloq"]


def test_groups_differ_by_marker_and_line_style_not_colour_alone():
    styles = [style(i) for i in range(8)]
    assert [s["color"] for s in styles] == list(OKABE_ITO)
    assert len({s["marker"] for s in styles}) == 8 and len({str(s["linestyle"]) for s in styles}) == 8


def test_exposure_is_points_on_log_axes_with_alt_text(tmp_path):
    exposure = pd.DataFrame(
        [
            {"species": "rat", "dose": 10.0, "route": "po", "state": "single_dose", "auc_ng_h_mL": 228.8,
             "cmax_ng_mL": 48.7, "c_avg_ng_mL": 9.53, "auc_unbound_ng_h_mL": 34.3},
            {"species": "human", "dose": 30.0, "route": "po", "state": "steady_state", "auc_ng_h_mL": 630.0,
             "cmax_ng_mL": 102.7, "c_avg_ng_mL": 26.25, "auc_unbound_ng_h_mL": 94.5},
        ]
    )  # fmt: skip
    fig = plot_exposure(exposure, (30.0, 80.0), 24.0)
    assert all(ax.get_yscale() == "log" and not ax.containers for ax in fig.axes)  # no bar containers
    assert fig.alt_text == (
        "Rat versus human exposure on log axes: rat Cmax 48.7 ng/mL at 10 mg/kg versus human steady-state "
        "Cmax 103 ng/mL at 30 mg/day, against the human therapeutic range 30–80 ng/mL (a steady-state trough range); unbound AUC rat 34.3 "
        "vs human 94.5 ng·h/mL."
    )
    save_figure(fig, tmp_path / "exposure.svg")
    assert "<dc:description>Rat versus human exposure" in (tmp_path / "exposure.svg").read_text()


def analysed(tmp_path, df, test, extra_tests=None):
    path = tmp_path / "behaviour" / f"{test}.csv"
    path.parent.mkdir(exist_ok=True)
    df.to_csv(path, index=False)
    opts = settings.section("behaviour")
    data = validate_behaviour(path, extra_tests or {}, opts["vehicle_label"], None)[0]
    return analysis.analyse_test(data, test, opts, extra_tests or {}, None)


def test_percentage_endpoints_run_from_0_to_100(tmp_path):
    extra = {"preference": {"endpoint": "choice_pct", "unit": "%", "direction": "higher"}}
    df = table("preference", {("vehicle", 0): 60, ("drugx", 10): 75}, column="choice_pct", sd=5.0)
    result = analysed(tmp_path, df, "preference", extra)
    fig = figures.plot_test(result["long"], result["comparisons"])
    assert fig.axes[0].get_ylim() == (0.0, 100.0)
    assert len(fig.alt_text.split()) > 3 and "preference" in fig.alt_text


def test_fst_names_its_scored_minutes(tmp_path):
    df = table("fst", {("vehicle", 0): 150, ("drugx", 10): 110})
    result = analysed(tmp_path, df, "fst")
    fig = figures.plot_test(result["long"], result["comparisons"], fst_window_min=[3, 6])
    assert "scored minutes 3–6" in fig.axes[0].get_ylabel()
    assert "minutes 3–6" in fig._suptitle.get_text() and "minutes 3–6" in fig.alt_text

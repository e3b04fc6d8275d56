"""scripts.binding from validated tables to result tables: specific binding,
per-curve flags, Cheng–Prusoff Ki, saturation fits, species and selectivity
tables, figures. Numbers are checked against hand calculations,
scipy.optimize.curve_fit or the ground truth the data were generated from.
Input tables are built through scripts.validation, as the pipeline builds
them; bad input is tested in test_validation.py."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import curve_fit

from scripts import binding, settings, validation
from scripts.plotting import save_figure
from scripts.tables import InputError

HALF_LOG = 10.0 ** np.arange(-11.0, -4.4, 0.5)
BINDING = settings.section("binding")


def curve_rows(
    receptor="alpha2A",
    species="human",
    ki_nM=20.0,
    hill=-1.0,
    ligand_nM=1.0,
    kd_nM=2.0,
    file_kd_nM="same",
    total=5000.0,
    nsb=500.0,
    concentrations=HALF_LOG,
    noise_cv=0.0,
    seed=0,
    compound="mirtazapine",
    radioligand="[3H]RX821002",
    replicates=3,
    controls=True,
):
    """Long-format rows of one competition experiment generated from a
    known Ki (IC50 = Ki·(1 + [L]/Kd)); the file states *file_kd_nM* (by
    default the true Kd). Without *controls*, no total and NSB wells (for a
    second compound on the same receptor × species)."""
    rng = np.random.default_rng(seed)
    log_ic50 = math.log10(ki_nM * (1 + ligand_nM / kd_nM) * 1e-9)
    common = dict(
        receptor=receptor,
        species=species,
        radioligand=radioligand,
        radioligand_nM=ligand_nM,
        radioligand_kd_nM=kd_nM if file_kd_nM == "same" else file_kd_nM,
    )

    def noisy(value):
        return value * (1 + rng.normal(0, noise_cv)) if noise_cv else value

    rows = []
    for r in range(1, replicates + 1 if controls else 1):
        rows.append(
            dict(
                common,
                well_type="total",
                compound=np.nan,
                concentration_M=np.nan,
                replicate=r,
                cpm=noisy(total),
            )
        )
        rows.append(
            dict(
                common, well_type="nsb", compound=np.nan, concentration_M=np.nan, replicate=r, cpm=noisy(nsb)
            )
        )
    for c in concentrations:
        fraction = binding.four_pl(math.log10(c), 0.0, 1.0, log_ic50, hill)
        for r in range(1, replicates + 1):
            rows.append(
                dict(
                    common,
                    well_type="competitor",
                    compound=compound,
                    concentration_M=c,
                    replicate=r,
                    cpm=noisy(nsb + (total - nsb) * fraction),
                )
            )
    return rows


def as_read(df: pd.DataFrame) -> pd.DataFrame:
    """*df* as read from a CSV file: text cells, blank for missing (floats as
    their shortest round-trip text, so the numbers are unchanged)."""
    return df.map(lambda v: "" if pd.isna(v) else str(v))


def assay_table(*curves, assay="a1"):
    """The validated table of a binding file binding/<assay>.csv with the rows of *curves*."""
    df = pd.DataFrame([row for rows in curves for row in rows])
    table, _ = validation.validate_binding_table(as_read(df), Path("binding") / f"{assay}.csv")
    return table


def fit_assay(table, **overrides):
    return binding.fit_assay(table, settings.section("binding", overrides))


def flags_of(fits, i=0):
    return [f for f in fits.loc[i, "flags"].split(";") if f]


# ---------------------------------------------------------------- specific binding


def test_specific_binding_by_hand():
    rows = [
        dict(well_type=w, replicate=r, cpm=c, compound=k, concentration_M=x)
        for w, r, c, k, x in [
            ("total", 1, 1000, None, None),
            ("total", 2, 1100, None, None),
            ("total", 3, 900, None, None),
            ("nsb", 1, 100, None, None),
            ("nsb", 2, 110, None, None),
            ("nsb", 3, 90, None, None),
            ("competitor", 1, 550, "drug", 1e-8),
            ("competitor", 1, 100, "drug", 1e-6),
        ]
    ]
    table = assay_table(
        [
            dict(
                row,
                receptor="H1",
                species="rat",
                radioligand="[3H]mepyramine",
                radioligand_nM=1.0,
                radioligand_kd_nM=1.0,
            )
            for row in rows
        ]
    )
    points = binding.specific_binding(table)
    # mean total 1000, mean NSB 100: window 900 CPM.
    assert points["specific_cpm"].tolist() == [450.0, 0.0]
    assert points["pct_specific"].tolist() == pytest.approx([50.0, 0.0])
    assert points["log_conc"].tolist() == pytest.approx([-8.0, -6.0])
    controls = binding.binding_controls(table)
    assert controls.loc[0, "nsb_pct_of_total"] == pytest.approx(10.0)


def test_replicate_cv_by_hand():
    # SD(90, 100, 110) = 10, mean 100 -> 10 %; a single replicate has no CV.
    assert binding.replicate_cv_pct([1, 1, 1, 2], [90, 100, 110, 5]) == pytest.approx(10.0)
    assert math.isnan(binding.replicate_cv_pct([1, 2], [5, 6]))


# ---------------------------------------------------------------- per-file fits


def test_noise_free_assay_gives_exact_ki_and_one_row_per_curve():
    df = assay_table(
        curve_rows(ki_nM=20.0, ligand_nM=1.0, kd_nM=2.0),
        curve_rows(species="rat", ki_nM=60.0, ligand_nM=0.5, kd_nM=0.5),
        curve_rows(receptor="H1", ki_nM=1.0, hill=-1.0, radioligand="[3H]mepyramine"),
    )
    fits = fit_assay(df)
    assert list(fits.columns) == binding.FIT_COLUMNS
    assert fits[["receptor", "species"]].values.tolist() == [
        ["alpha2A", "human"],
        ["alpha2A", "rat"],
        ["H1", "human"],
    ]
    assert (fits["status"] == "fitted").all() and (fits["flags"] == "").all()
    assert fits["n_points"].tolist() == [42, 42, 42]  # 14 concentrations × 3
    ki = binding.aggregate_ki(fits)
    assert list(ki.columns) == binding.KI_COLUMNS
    # Hand: IC50 = Ki·(1+[L]/Kd) was put in; Cheng–Prusoff must give Ki back.
    assert ki["ic50_nM"].tolist() == pytest.approx([30.0, 120.0, 1.5], rel=1e-7)
    assert ki["ki_nM"].tolist() == pytest.approx([20.0, 60.0, 1.0], rel=1e-7)
    assert ki["pki"].tolist() == pytest.approx([9 - math.log10(20), 9 - math.log10(60), 9.0], abs=1e-7)
    assert (ki["kd_source"] == "binding_file").all()
    # Hill −1 curves: the default ki_model "auto" keeps one site (F test).
    assert (ki["model"] == "one_site").all()
    assert ki["model_reason"].str.contains("one site").all()


def test_forced_variable_slope_ki_model_is_honoured():
    fits = fit_assay(assay_table(curve_rows(ki_nM=20.0, hill=-1.0)), ki_model="variable_slope")
    ki = binding.aggregate_ki(fits).iloc[0]
    assert ki["model"] == "variable_slope" and "set in the config" in ki["model_reason"]
    assert ki["ki_nM"] == pytest.approx(20.0, rel=1e-7)


def test_one_site_ki_model_is_honoured():
    df = assay_table(curve_rows(ki_nM=20.0, hill=-1.0))
    fits = fit_assay(df, ki_model="one_site")
    ki = binding.aggregate_ki(fits)
    assert ki.loc[0, "model"] == "one_site" and ki.loc[0, "hill_slope"] == -1.0
    assert ki.loc[0, "ki_nM"] == pytest.approx(20.0, rel=1e-7)


def test_ic50_outside_range_and_bottom_plateau_flags():
    # Tested only up to 1e-8 M; IC50 = 3e-7 M.
    df = assay_table(curve_rows(ki_nM=200.0, concentrations=10.0 ** np.arange(-11.0, -7.9, 0.5)))
    flags = flags_of(fit_assay(df))
    assert "IC50 outside tested range" in flags
    assert "bottom plateau not defined" in flags
    assert "top plateau not defined" not in flags


def test_top_plateau_flag_when_curve_starts_at_the_ic50():
    df = assay_table(curve_rows(ki_nM=20.0, concentrations=10.0 ** np.arange(-7.5, -4.4, 0.5)))
    flags = flags_of(fit_assay(df))
    assert "top plateau not defined" in flags and "bottom plateau not defined" not in flags


def test_plateau_rule_by_hand():
    fit = {"bottom": 0.0, "top": 100.0, "log_ic50": -8.0, "hill_slope": -1.0}
    # At X = -9 the curve is 100/1.1 = 90.9 (9 % of the span below Top): defined.
    assert binding.plateau_flags(fit, -9.0, -7.0) == []
    # At X = -8.5 it is 100/(1 + 10^-0.5) = 76.0 (24 % below Top); at -7.5 it
    # is 24.0 (24 % above Bottom): neither plateau is defined.
    assert binding.plateau_flags(fit, -8.5, -7.5) == ["top plateau not defined", "bottom plateau not defined"]


@pytest.mark.parametrize("hill", [-3.0, -0.35])
def test_hill_slope_flag(hill):
    fits = fit_assay(
        assay_table(
            curve_rows(
                ki_nM=20.0,
                hill=hill,
                noise_cv=0.01,
                seed=3,
                concentrations=10.0 ** np.arange(-13.0, -2.9, 0.5),
            )
        )
    )
    assert fits.loc[0, "variable_slope_hill_slope"] == pytest.approx(hill, rel=0.1)
    assert "|Hill slope| outside 0.5-2" in flags_of(fits)
    assert "|Hill slope| outside 0.5-2" not in flags_of(
        fit_assay(assay_table(curve_rows(hill=-1.0, noise_cv=0.01, seed=3)))
    )


@pytest.mark.parametrize(
    "hill, flagged, model",
    [
        (-0.6, True, "variable_slope"),
        (-1.6, True, "variable_slope"),
        (-1.0, False, "one_site"),
        # Precise data: the F test sees a slope of -0.9, but |nH| is within 0.8-1.25.
        (-0.9, False, "variable_slope"),
    ],
)
def test_hill_not_unity_and_the_auto_ki_model(hill, flagged, model):
    fits = fit_assay(
        assay_table(
            curve_rows(
                ki_nM=20.0,
                hill=hill,
                noise_cv=0.02,
                seed=5,
                concentrations=10.0 ** np.arange(-12.0, -3.9, 0.5),
            )
        )
    )
    fit = fits.iloc[0]
    low, high = fit["variable_slope_hill_slope_ci_low"], fit["variable_slope_hill_slope_ci_high"]
    outside = not 0.8 <= abs(fit["variable_slope_hill_slope"]) <= 1.25
    # Hand rule: flagged exactly when the CI excludes -1 and |nH| is outside 0.8-1.25.
    assert ("hill_not_unity" in flags_of(fits)) == (not low <= -1 <= high and outside) == flagged
    # auto: the F test's preferred model supplies the Ki, and says why.
    assert fit["ki_model"] == fit["preferred_model"]
    assert fit["ki_model"] == model
    assert f"F test p {fit['f_test_p']:.2g}" in fit["model_reason"]


def test_r_squared_flag_follows_the_configured_minimum():
    df = assay_table(curve_rows(noise_cv=0.05, seed=4))
    relaxed = fit_assay(df, r_squared_min=0.8)
    r2 = relaxed.loc[0, "variable_slope_r_squared"]
    assert 0.8 < r2 < 0.9999
    assert not any(f.startswith("R²") for f in flags_of(relaxed))
    assert "R² below 0.9999" in flags_of(fit_assay(df, r_squared_min=0.9999))


def test_replicate_cv_and_nsb_flags_by_hand():
    rows = curve_rows(total=5000.0, nsb=3000.0)  # NSB 60 % of total
    for row in rows:
        if row["well_type"] == "competitor" and row["concentration_M"] == HALF_LOG[0]:
            row["cpm"] = {1: 4000.0, 2: 5000.0, 3: 6000.0}[row["replicate"]]  # CV 20 %
        if row["well_type"] == "competitor" and row["concentration_M"] == HALF_LOG[1]:
            row["cpm"] = {1: 3000.0, 2: 5000.0, 3: 7000.0}[row["replicate"]]  # CV 40 %
    fits = fit_assay(assay_table(rows))
    assert fits.loc[0, "nsb_pct_of_total"] == pytest.approx(60.0)
    assert fits.loc[0, "max_replicate_cv_pct"] == pytest.approx(40.0)
    flags = flags_of(fits)
    assert "replicate CV above 20%" in flags and "NSB above 50% of total" in flags
    clean = fit_assay(assay_table(curve_rows()))
    assert clean.loc[0, "flags"] == ""


def test_insufficient_data_is_reported_not_fitted():
    df = assay_table(
        curve_rows(concentrations=[1e-9, 1e-8, 1e-7, 1e-6]),
        curve_rows(receptor="H1", radioligand="[3H]mepyramine"),
    )
    fits = fit_assay(df)
    assert fits["status"].tolist() == ["insufficient data", "fitted"]
    assert flags_of(fits) == ["insufficient data (4 concentrations < 5)"]
    assert math.isnan(fits.loc[0, "variable_slope_log_ic50"])
    ki = binding.aggregate_ki(fits)
    assert len(ki) == 2 and math.isnan(ki.loc[0, "ki_nM"]) and ki.loc[0, "flags"].startswith("insufficient")
    # The threshold is configurable.
    assert fit_assay(df, min_concentrations=4)["status"].tolist() == ["fitted", "fitted"]


def test_failed_fit_is_kept_and_flagged(monkeypatch):
    def broken_fit(*args, **kwargs):
        raise ValueError("The model function generated NaN values")

    monkeypatch.setattr(binding.models, "_minimize_four_pl", broken_fit)
    fits = fit_assay(assay_table(curve_rows()))
    assert fits.loc[0, "status"] == "failed" and flags_of(fits) == ["failed fit"]
    assert "NaN values" in fits.loc[0, "variable_slope_message"]
    ki = binding.aggregate_ki(fits)
    assert math.isnan(ki.loc[0, "ki_nM"]) and ki.loc[0, "flags"] == "failed fit"


def test_step_curve_runs_hill_to_its_bound_and_is_flagged():
    # All-or-none between two tested concentrations: the least-squares Hill
    # slope is unbounded, so it ends on the search limit.
    rows = curve_rows(ki_nM=20.0)
    for row in rows:
        if row["well_type"] == "competitor":
            row["cpm"] = 5000.0 if row["concentration_M"] < 3e-8 else 500.0
    fits = fit_assay(assay_table(rows))
    assert fits.loc[0, "variable_slope_hill_slope"] == pytest.approx(-binding.HILL_SLOPE_LIMIT, rel=1e-4)
    assert "parameter at bound (hill_slope)" in flags_of(fits)


def test_flat_curve_has_no_error_bars():
    rows = curve_rows()
    for row in rows:
        if row["well_type"] == "competitor":
            row["cpm"] = 5000.0  # the competitor displaces nothing
    fits = fit_assay(assay_table(rows))
    # Top = Bottom: LogIC50 and HillSlope do not affect the curve, so their
    # covariance does not exist.
    assert fits.loc[0, "variable_slope_top"] == pytest.approx(fits.loc[0, "variable_slope_bottom"])
    assert flags_of(fits) == ["no error bars"]
    assert math.isnan(fits.loc[0, "variable_slope_log_ic50_se"])


def test_no_specific_window_is_reported():
    fits = fit_assay(assay_table(curve_rows(total=400.0, nsb=500.0)))
    assert fits.loc[0, "status"] == "not fitted"
    assert binding.FLAG_NO_WINDOW in flags_of(fits)


# ---------------------------------------------------------------- missing Kd


def test_missing_kd_without_saturation_run_is_an_error():
    df = assay_table(curve_rows(receptor="H1", radioligand="[3H]mepyramine"), curve_rows(file_kd_nM=np.nan))
    fits = fit_assay(df)
    with pytest.raises(InputError) as caught:
        binding.aggregate_ki(fits)
    error, row = caught.value, int(fits.loc[1, "source_row"])
    assert (error.file, error.row, error.column) == ("binding/a1.csv", row, "radioligand_kd_nM")
    assert error.context.get("receptor") == "alpha2A"
    assert f"binding/a1.csv, receptor alpha2A, row {row}" in str(error)
    assert "no saturation run" in error.message


# ---------------------------------------------------------------- Cheng–Prusoff and Kd source


def test_cheng_prusoff_hand_cases():
    assert binding.cheng_prusoff_ki(100.0, 1.0, 1.0) == pytest.approx(50.0)  # [L] = Kd halves
    assert binding.cheng_prusoff_ki(100.0, 2.0, 0.5) == pytest.approx(20.0)  # 100 / (1 + 4)
    assert binding.cheng_prusoff_ki(100.0, 0.0, 3.0) == pytest.approx(100.0)  # no radioligand
    np.testing.assert_allclose(
        binding.cheng_prusoff_ki([30.0, 8.0], [1.0, 0.5], [2.0, 0.1]), [20.0, 8.0 / 6.0]
    )


def _fits_with_log_ic50(log_ic50=-7.0, half_width=0.1, **curve):
    fits = fit_assay(assay_table(curve_rows(**curve)), ki_model="variable_slope")
    fits["variable_slope_log_ic50"] = log_ic50
    fits["variable_slope_log_ic50_ci_low"] = log_ic50 - half_width
    fits["variable_slope_log_ic50_ci_high"] = log_ic50 + half_width
    return fits


def _saturation_fit_row(
    kd_nM, receptor="alpha2A", species="human", radioligand="[3H]RX821002", source_file="saturation/s1.csv"
):
    row = dict.fromkeys(binding.SATURATION_FIT_COLUMNS, np.nan)
    row.update(
        assay="s1",
        receptor=receptor,
        species=species,
        radioligand=radioligand,
        source_file=source_file,
        source_row=2,
        kd_nM=kd_nM,
        status="fitted",
        flags="",
    )
    return pd.DataFrame([row])


def test_ki_and_its_ci_from_file_kd_by_hand():
    fits = _fits_with_log_ic50(-7.0, 0.1, ligand_nM=1.0, kd_nM=1.0)
    ki = binding.aggregate_ki(fits).iloc[0]
    assert ki["ic50_nM"] == pytest.approx(100.0)
    assert ki["ki_nM"] == pytest.approx(50.0)
    assert ki["ki_ci_low_nM"] == pytest.approx(10**1.9 / 2)
    assert ki["ki_ci_high_nM"] == pytest.approx(10**2.1 / 2)
    assert ki["pki"] == pytest.approx(-math.log10(50e-9))
    assert (ki["kd_nM"], ki["kd_source"]) == (1.0, "binding_file")


def test_saturation_kd_takes_precedence_and_is_matched_case_insensitively():
    fits = _fits_with_log_ic50(-7.0, 0.1, ligand_nM=1.0, kd_nM=1.0)
    saturation = _saturation_fit_row(4.0, receptor="ALPHA2A", radioligand="[3h]rx821002")
    ki = binding.aggregate_ki(fits, saturation).iloc[0]
    assert (ki["kd_nM"], ki["kd_source"]) == (4.0, "saturation")
    assert ki["ki_nM"] == pytest.approx(100.0 / 1.25)
    # The saturation run also supplies a Kd the binding file lacks.
    fits_no_kd = _fits_with_log_ic50(-7.0, 0.1, ligand_nM=1.0, file_kd_nM=np.nan)
    assert binding.aggregate_ki(fits_no_kd, saturation).loc[0, "ki_nM"] == pytest.approx(80.0)


def test_failed_saturation_fit_falls_back_to_file_kd_with_a_flag():
    fits = _fits_with_log_ic50(-7.0, 0.1, ligand_nM=1.0, kd_nM=1.0)
    ki = binding.aggregate_ki(fits, _saturation_fit_row(np.nan)).iloc[0]
    assert (ki["kd_nM"], ki["kd_source"]) == (1.0, "binding_file")
    assert "saturation Kd not determined" in ki["flags"]
    fits_no_kd = _fits_with_log_ic50(-7.0, 0.1, file_kd_nM=np.nan)
    ki = binding.aggregate_ki(fits_no_kd, _saturation_fit_row(np.nan)).iloc[0]
    assert math.isnan(ki["ki_nM"]) and "Kd unavailable" in ki["flags"]


def test_two_saturation_runs_are_pooled_as_mean_pkd():
    saturation = pd.concat(
        [_saturation_fit_row(1.0), _saturation_fit_row(4.0, source_file="saturation/s2.csv")]
    )
    ki = binding.aggregate_ki(_fits_with_log_ic50(), saturation).iloc[0]
    # Hand: mean of log10 Kd (0 and 0.602) is 0.301, Kd = 10^0.301 = 2 nM.
    assert (ki["kd_nM"], ki["kd_source"]) == (pytest.approx(2.0), "saturation")


def test_same_experiment_saturation_kd_comes_first_and_duplicate_labels_are_an_error():
    fits = _fits_with_log_ic50(-7.0, 0.1, ligand_nM=1.0, kd_nM=1.0).assign(experiment="E2")
    saturation = pd.concat(
        [
            _saturation_fit_row(1.0).assign(experiment="E1"),
            _saturation_fit_row(4.0, source_file="saturation/s2.csv").assign(experiment="E2"),
        ]
    )
    ki = binding.aggregate_ki(fits, saturation).iloc[0]
    assert (ki["kd_nM"], ki["kd_source"], ki["experiment"]) == (4.0, "saturation_experiment", "E2")
    other = binding.aggregate_ki(fits.assign(experiment="E3"), saturation).iloc[0]
    assert (other["kd_nM"], other["kd_source"]) == (pytest.approx(2.0), "saturation")
    twice = pd.concat(
        [saturation, _saturation_fit_row(3.0, source_file="saturation/s3.csv").assign(experiment="E2")]
    )
    with pytest.raises(InputError) as caught:
        binding.aggregate_ki(fits, twice)
    assert caught.value.file == "saturation/s3.csv" and caught.value.column == "experiment"


# ---------------------------------------------------------------- saturation

SAT_TRUTH = {"bmax": 9000.0, "kd": 0.72, "ns": 750.0, "background": 30.0}
SAT_CONC = [0.072, 0.12, 0.2, 0.334, 0.557, 0.93, 1.55, 2.59, 4.32, 7.2]


def saturation_table(
    tmp_path, truth=SAT_TRUTH, concentrations=SAT_CONC, noise_cv=0.0, seed=0, extra_columns=None
):
    """The validated table of a saturation file saturation/s1.csv generated
    from *truth* (with *extra_columns* on every row), written under *tmp_path*."""
    rng = np.random.default_rng(seed)
    rows = []
    for x in concentrations:
        for well, is_total in (("total", 1.0), ("nsb", 0.0)):
            for r in range(1, 4):
                value = binding.saturation_total_nsb(x, is_total, **truth)
                value *= 1 + (rng.normal(0, noise_cv) if noise_cv else 0)
                rows.append(
                    dict(
                        receptor="alpha2A",
                        species="human",
                        radioligand="[3H]RX821002",
                        radioligand_nM=x,
                        well_type=well,
                        replicate=r,
                        cpm=value,
                        **(extra_columns or {}),
                    )
                )
    path = tmp_path / "saturation" / "s1.csv"
    path.parent.mkdir(exist_ok=True)
    pd.DataFrame(rows).to_csv(path, index=False)
    table, _ = validation.validate_saturation(path)
    return table


def fit_saturation_assay(table):
    return binding.fit_saturation_assay(table, BINDING)


def test_saturation_noise_free_recovers_kd_and_bmax(tmp_path):
    fit = fit_saturation_assay(saturation_table(tmp_path)).iloc[0]
    assert fit["status"] == "fitted" and fit["flags"] == ""
    assert fit["kd_nM"] == pytest.approx(0.72, rel=1e-8)
    assert fit["bmax"] == pytest.approx(9000.0, rel=1e-8)
    assert fit["ns"] == pytest.approx(750.0, rel=1e-8)
    assert fit["background"] == pytest.approx(30.0, rel=1e-6)


def test_saturation_noisy_agrees_with_curve_fit_and_covers_truth(tmp_path):
    df = saturation_table(tmp_path, noise_cv=0.04, seed=8)
    fit = fit_saturation_assay(df).iloc[0]
    x = df["radioligand_nM"].to_numpy()
    is_total = (df["well_type"] == "total").to_numpy(float)

    def model(xy, bmax, kd, ns, background):
        return binding.saturation_total_nsb(xy[0], xy[1], bmax, kd, ns, background)

    popt, pcov = curve_fit(
        model,
        np.vstack([x, is_total]),
        df["cpm"].to_numpy(),
        p0=[8000, 1, 700, 0],
        method="trf",
        xtol=1e-15,
        ftol=1e-15,
        gtol=1e-15,
    )
    assert fit["kd_nM"] == pytest.approx(popt[1], rel=1e-6)
    assert fit["bmax"] == pytest.approx(popt[0], rel=1e-6)
    assert fit["kd_se_nM"] == pytest.approx(math.sqrt(pcov[1, 1]), rel=1e-4)
    assert fit["kd_ci_low_nM"] < 0.72 < fit["kd_ci_high_nM"]
    assert fit["bmax_ci_low"] < 9000.0 < fit["bmax_ci_high"]
    assert fit["kd_nM"] == pytest.approx(0.72, rel=0.15)
    table = binding.saturation_table(fit_saturation_assay(df))
    assert list(table.columns) == binding.SATURATION_COLUMNS and len(table) == 1


def test_saturation_flags(tmp_path):
    few = fit_saturation_assay(saturation_table(tmp_path, concentrations=SAT_CONC[:4])).iloc[0]
    assert few["status"] == "insufficient data" and few["flags"].startswith("insufficient data")
    # Only the bottom of the curve tested: Kd lies above the highest concentration.
    low = fit_saturation_assay(
        saturation_table(tmp_path, concentrations=[0.01, 0.02, 0.03, 0.05, 0.08, 0.1], noise_cv=0.01, seed=2)
    ).iloc[0]
    assert low["status"] == "fitted" and low["kd_nM"] > 0.1
    assert low["flags"] == "Kd outside tested range"


# ---------------------------------------------------------------- species and selectivity


def _ki_table(entries):
    rows = []
    for receptor, species, ki_nM, flags in entries:
        row = dict.fromkeys(binding.KI_COLUMNS, np.nan)
        row.update(
            receptor=receptor,
            species=species,
            compound="mirtazapine",
            ki_nM=ki_nM,
            pki=9 - math.log10(ki_nM) if ki_nM == ki_nM else np.nan,
            flags=flags,
        )
        rows.append(row)
    return pd.DataFrame(rows, columns=binding.KI_COLUMNS)


def test_species_comparison_by_hand():
    ki = _ki_table(
        [
            ("alpha2A", "human", 10.0, ""),
            ("alpha2A", "rat", 20.0, ""),
            ("5-HT2C", "human", 10.0, ""),
            ("5-HT2C", "rat", 10.0, ""),
            ("5-HT2C", "rat", 160.0, "R² below 0.8"),  # geometric mean 40
            ("H1", "human", 1.0, ""),
            ("H1", "rat", np.nan, "failed fit"),
        ]
    )
    table = binding.species_comparison(ki, species_ratio_flag=3.0).set_index("receptor")
    assert table.loc["alpha2A", "rat_to_human_ratio"] == pytest.approx(2.0)
    assert not table.loc["alpha2A", "species_difference_flag"]
    assert table.loc["5-HT2C", "rat_ki_nM"] == pytest.approx(40.0)
    assert table.loc["5-HT2C", "fold_difference"] == pytest.approx(4.0)
    assert table.loc["5-HT2C", "species_difference_flag"]
    assert table.loc["5-HT2C", "n_rat_curves"] == 2
    assert "rat: 1 of 2 curves flagged" in table.loc["5-HT2C", "notes"]
    assert math.isnan(table.loc["H1", "rat_ki_nM"]) and table.loc["H1", "notes"] == "rat: no Ki"
    # Rat more potent than human: the fold difference is still >= 1.
    flipped = binding.species_comparison(
        _ki_table([("M1", "human", 50.0, ""), ("M1", "rat", 10.0, "")]), species_ratio_flag=3.0
    )
    assert flipped.loc[0, "rat_to_human_ratio"] == pytest.approx(0.2)
    assert flipped.loc[0, "fold_difference"] == pytest.approx(5.0)


def test_selectivity_profile_by_hand():
    ki = _ki_table(
        [
            ("alpha2A", "human", 20.0, ""),
            ("H1", "human", 1.0, ""),
            ("5-HT1A", "human", 4000.0, ""),
            ("M1", "human", np.nan, "failed fit"),
            ("H1", "rat", 2.0, ""),
        ]
    )
    table = binding.selectivity_profile(ki, primary_target="ALPHA2A")
    human = table[table["species"] == "human"].set_index("receptor")
    assert human.loc["H1", "ki_ratio_to_primary"] == pytest.approx(0.05)
    assert human.loc["5-HT1A", "ki_ratio_to_primary"] == pytest.approx(200.0)
    assert human.loc["5-HT1A", "log10_ratio"] == pytest.approx(math.log10(200.0))
    assert human["rank"].dropna().to_dict() == {"alpha2A": 2, "H1": 1, "5-HT1A": 3}
    assert math.isnan(human.loc["M1", "ki_nM"]) and human.loc["M1", "notes"].startswith("no Ki")
    rat = table[table["species"] == "rat"].iloc[0]
    assert math.isnan(rat["ki_ratio_to_primary"]) and "no Ki at primary target" in rat["notes"]


# ---------------------------------------------------------------- figures


def test_figures_are_deterministic_svg_with_one_panel_per_curve(tmp_path):
    df = assay_table(
        curve_rows(noise_cv=0.03, seed=1),
        curve_rows(species="rat", noise_cv=0.03, seed=2),
        curve_rows(concentrations=[1e-9, 1e-8, 1e-7], compound="other", controls=False),
    )
    fits = fit_assay(df)
    points = binding.specific_binding(df)
    paths = [tmp_path / "a.svg", tmp_path / "b.svg"]
    for path in paths:
        save_figure(binding.plot_assay_curves(points, fits, "a1"), path)
    text = paths[0].read_text()
    assert text.startswith("<?xml") and paths[0].read_bytes() == paths[1].read_bytes()
    assert text.count('id="axes_') == 3
    assert "insufficient data" in text  # the unfitted curve is shown, not dropped

    ki = binding.aggregate_ki(fits)
    save_figure(binding.plot_pki_by_receptor(ki), tmp_path / "pki.svg")
    assert "n.d." in (tmp_path / "pki.svg").read_text()

    saturation = saturation_table(tmp_path, noise_cv=0.03, seed=3)
    save_figure(binding.plot_saturation(saturation, fit_saturation_assay(saturation)), tmp_path / "sat.svg")
    assert "Kd 0.7" in (tmp_path / "sat.svg").read_text()

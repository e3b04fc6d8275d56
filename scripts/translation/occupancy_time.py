"""Receptor occupancy over time, and exposure and occupancy at the time of
the behavioural test.

occupancy(t) = Cu,brain(t) / (Cu,brain(t) + Ki), with Cu,brain = Kp,uu x fu
x C(t) (plasma, converted to nM). Kp,uu comes from study.yaml ``kp_uu``
per species, else the config ``translation.default_kp_uu`` (1: unbound
plasma stands in for unbound brain, an assumption stated in every table).
Rat: each behavioural dose group (route x dose x regimen), single dose
(acute) or steady state (chronic), from :mod:`scripts.translation.rat_profiles`.
Human: each clinical dose at steady state, the profile of its
``human_steady_state`` row at the reference t1/2 value (the same profile
as Cmax,ss, Cmin,ss and Cav,ss, calibrated to a TDM trough where used;
:mod:`scripts.translation.human_pk`). The time grid
runs from the (last) dose to the end of the dosing interval (or the latest
test time) in ``occupancy_time_step_h`` steps. Occupancy is a fraction 0-1.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from scripts.translation.common import is_empty
from scripts.translation.human_pk import central_rows, human_profile
from scripts.translation.occupancy import ng_per_ml_to_nM, occupancy, receptor_order
from scripts.translation.rat_profiles import dose_to_test_window, profile_for, window_mean

# The keys of one species x dose x route x regimen x receptor curve.
CURVE_KEYS = ["species", "dose", "dose_unit", "route", "regimen", "receptor"]
OCCUPANCY_TIME_COLUMNS = [
    *CURVE_KEYS,
    "time_h",
    "c_total_ng_mL",
    "c_unbound_nM",
    "occupancy",
]
OCCUPANCY_SUMMARY_COLUMNS = [
    *CURVE_KEYS,
    "test",
    "test_time_h",
    "test_time_source",
    "c_unbound_at_test_nM",
    "occupancy_at_test",
    "hours_above_50pct_per_day",
    "hours_above_80pct_per_day",
    "occupancy_min",
    "occupancy_max",
    "ki_nM",
    "kp_uu",
    "kp_uu_source",
    "profile_source",
]
AT_TEST_COLUMNS = [
    "test",
    "dose_mg_kg",
    "route",
    "regimen",
    "test_time_h",
    "test_start_h",
    "test_end_h",
    "test_time_source",
    "c_total_ng_mL",
    "c_unbound_ng_mL",
    "c_unbound_nM",
    "auc_tau_unbound_nM_h",
    "profile_source",
]


def kp_uu(study: dict, cfg: dict, species: str) -> tuple:
    """(Kp,uu, source) for *species*."""
    given = {str(k).lower(): v for k, v in (study.get("kp_uu") or {}).items()}
    if given.get(species) is not None:
        return float(given[species]), "study.yaml kp_uu"
    return float(
        cfg["default_kp_uu"]
    ), "assumed (config translation.default_kp_uu): unbound plasma = unbound brain"


def kp_uu_note(study: dict, cfg: dict) -> str:
    """One line stating the Kp,uu used per species."""
    parts = []
    for species in ("rat", "human"):
        value, source = kp_uu(study, cfg, species)
        parts.append(f"{species} {value:g} ({'study.yaml' if source.startswith('study') else 'assumed'})")
    return "Kp,uu " + ", ".join(parts) + ": unbound brain = Kp,uu x unbound plasma"


def hours_above(times, values, threshold) -> float:
    """Time (h) with *values* >= *threshold*, linear between grid points."""
    t, v = np.asarray(times, float), np.asarray(values, float) - threshold
    a, b, dt = v[:-1], v[1:], np.diff(t)
    full = (a >= 0) & (b >= 0)
    down = (a >= 0) & (b < 0)
    up = (a < 0) & (b >= 0)
    total = dt[full].sum()
    total += (dt[down] * a[down] / (a[down] - b[down])).sum()
    total += (dt[up] * b[up] / (b[up] - a[up])).sum()
    return float(total)


def exposure_at_test(concentration_fn, window, step_h, fu, kp, mw, ki_nM=None) -> dict:
    """Exposure and occupancy at the behavioural test: the value at the
    test time, or the time-average over a [start, end] window (exposure and
    occupancy each averaged). *concentration_fn* gives total plasma ng/mL
    at times after the last dose; returns c_total_ng_mL, c_unbound_ng_mL,
    c_unbound_nM and occupancy (NaN without *ki_nM*)."""
    start, end = float(window[0]), float(window[1])
    total = window_mean(concentration_fn, start, end, step_h)
    to_nM = float(ng_per_ml_to_nM(1.0, mw))
    occ = float("nan")
    if ki_nM is not None and math.isfinite(ki_nM):
        occ = window_mean(
            lambda t: occupancy(concentration_fn(t) * fu * kp * to_nM, ki_nM), start, end, step_h
        )
    return {
        "c_total_ng_mL": total,
        "c_unbound_ng_mL": total * fu * kp,
        "c_unbound_nM": total * fu * kp * to_nM,
        "occupancy": occ,
    }


def rat_groups(behaviour_groups, compound) -> pd.DataFrame:
    """Dose groups of *compound* (dose > 0): test, dose_mg_kg, route, regimen."""
    columns = ["test", "dose_mg_kg", "route", "regimen"]
    if is_empty(behaviour_groups):
        return pd.DataFrame(columns=columns)
    g = behaviour_groups[
        behaviour_groups["treatment"].astype(str).str.strip().str.lower() == compound.lower()
    ]
    g = g[pd.to_numeric(g["dose_mg_kg"], errors="coerce") > 0]
    g = g.assign(route=g["route"].astype(str).str.lower(), dose_mg_kg=g["dose_mg_kg"].astype(float))
    return g[columns].drop_duplicates().reset_index(drop=True)


def at_test_table(groups, profiles, study, cfg, fu_rat, mw) -> pd.DataFrame:
    """Rat exposure at the behavioural test per test x dose x route x regimen
    (columns :data:`AT_TEST_COLUMNS`), and the unbound AUC over one dosing
    interval after the (last) dose."""
    tau, step = float(cfg["dosing_interval_h"]), float(cfg["occupancy_time_step_h"])
    kp, _ = kp_uu(study, cfg, "rat")
    rows = []
    for _, g in groups.iterrows():
        profile = profile_for(profiles, g["route"], g["dose_mg_kg"])
        start, end, source = dose_to_test_window(study, cfg, g["test"], g["regimen"])
        base = {
            "test": g["test"],
            "dose_mg_kg": g["dose_mg_kg"],
            "route": g["route"],
            "regimen": g["regimen"],
            "test_time_h": f"{start:g}" if start == end else f"{start:g}-{end:g}",
            "test_start_h": start,
            "test_end_h": end,
            "test_time_source": source,
        }
        if profile is None:
            rows.append(dict(base, profile_source="no PK data"))
            continue
        value = exposure_at_test(
            lambda t, p=profile, r=g["regimen"]: p.at(t, r, tau), (start, end), step, fu_rat, kp, mw
        )
        value.pop("occupancy")
        grid = np.linspace(0.0, tau, int(round(tau / step)) + 1)
        conc = profile.at(grid, g["regimen"], tau) * fu_rat * kp * float(ng_per_ml_to_nM(1.0, mw))
        value["auc_tau_unbound_nM_h"] = float(np.trapezoid(conc, grid))
        rows.append(dict(base, **value, profile_source=profile.source))
    return pd.DataFrame(rows, columns=AT_TEST_COLUMNS)


def _remembering(concentration_fn):
    """*concentration_fn* computing each distinct array of times once (the
    chronic rat profile superposes 200 doses; every receptor asks for the
    same test window)."""
    seen = {}

    def fn(t):
        t = np.atleast_1d(np.asarray(t, float))
        key = t.tobytes()
        if key not in seen:
            seen[key] = concentration_fn(t)
        return seen[key]

    return fn


def occupancy_over_time(
    groups, profiles, reference, steady, ki_used, study, cfg, fu_rat, fu_human, mw
) -> tuple:
    """(occupancy_time, occupancy_summary) tables; see the module docstring."""
    tau, step = float(cfg["dosing_interval_h"]), float(cfg["occupancy_time_step_h"])
    thresholds = [float(x) for x in cfg["occupancy_thresholds"]]
    windows = {}
    for _, g in groups.iterrows():
        windows.setdefault((g["dose_mg_kg"], g["route"], g["regimen"]), {}).setdefault(
            dose_to_test_window(study, cfg, g["test"], g["regimen"]), []
        ).append(g["test"])
    horizon = max([tau] + [w[1] for ws in windows.values() for w in ws])
    grid = np.round(np.arange(0.0, horizon + step / 2, step), 10)
    to_nM = float(ng_per_ml_to_nM(1.0, mw))
    curves = []  # (species, dose, unit, route, regimen, conc_fn, fu, kp, kp_source, source, windows)
    kp_r, kp_r_src = kp_uu(study, cfg, "rat")
    for (dose, route, regimen), ws in sorted(windows.items()):
        p = profile_for(profiles, route, dose)
        if p is not None:
            fn = lambda t, p=p, r=regimen: p.at(t, r, tau)  # noqa: E731
            curves.append(("rat", dose, "mg/kg", route, regimen, fn, fu_rat, kp_r, kp_r_src, p.source, ws))
    if reference is not None and steady is not None and len(steady):
        kp_h, kp_h_src = kp_uu(study, cfg, "human")
        for _, row in central_rows(steady).iterrows():
            fn = lambda t, row=row: human_profile(row, t)  # noqa: E731
            src = (
                f"human_steady_state.csv profile ({row.get('model', 'one-compartment')}, t1/2 "
                f"{float(row['t_half_h']):.3g} h; {row['cmin_ss_source']})"
            )
            curves.append(
                (
                    "human",
                    float(row["dose_mg"]),
                    "mg/day",
                    "po",
                    "steady_state",
                    fn,
                    float(row["fu"]),
                    kp_h,
                    kp_h_src,
                    src,
                    {},
                )
            )
    time_rows, summary = [], []
    if is_empty(ki_used):
        return pd.DataFrame(columns=OCCUPANCY_TIME_COLUMNS), pd.DataFrame(columns=OCCUPANCY_SUMMARY_COLUMNS)
    names = {}
    for _, k in ki_used.iterrows():
        names.setdefault(k["key"], k["receptor"])
    order = receptor_order(ki_used["key"])
    for species, dose, unit, route, regimen, fn, fu, kp, kp_src, source, ws in curves:
        fn = _remembering(fn)  # each receptor's exposure at test reads the same times
        conc = fn(grid)
        cu = conc * fu * kp * to_nM
        kis = ki_used[ki_used["species"] == species].set_index("key")["ki_nM"]
        day = grid <= tau + 1e-9
        for key in order:
            if key not in kis.index:
                continue
            ki = float(kis[key])
            occ = occupancy(cu, ki)
            time_rows.append(
                pd.DataFrame(
                    {
                        "species": species,
                        "dose": dose,
                        "dose_unit": unit,
                        "route": route,
                        "regimen": regimen,
                        "receptor": names[key],
                        "time_h": grid,
                        "c_total_ng_mL": conc,
                        "c_unbound_nM": cu,
                        "occupancy": occ,
                    }
                )
            )
            base = {
                "species": species,
                "dose": dose,
                "dose_unit": unit,
                "route": route,
                "regimen": regimen,
                "receptor": names[key],
                "occupancy_min": float(occ[day].min()),
                "occupancy_max": float(occ[day].max()),
                "ki_nM": ki,
                "kp_uu": kp,
                "kp_uu_source": kp_src,
                "profile_source": source,
            }
            for thr in thresholds:
                base[f"hours_above_{round(100 * thr)}pct_per_day"] = (
                    hours_above(grid[day], occ[day], thr) * 24.0 / tau
                )
            if not ws:
                summary.append(dict(base, test="", test_time_h="", test_time_source=""))
            for (start, end, src), tests in sorted(ws.items()):
                value = exposure_at_test(fn, (start, end), step, fu, kp, mw, ki)
                summary.append(
                    dict(
                        base,
                        test=";".join(sorted(tests)),
                        test_time_h=f"{start:g}" if start == end else f"{start:g}-{end:g}",
                        test_time_source=src,
                        c_unbound_at_test_nM=value["c_unbound_nM"],
                        occupancy_at_test=value["occupancy"],
                    )
                )
    table = (
        pd.concat(time_rows, ignore_index=True) if time_rows else pd.DataFrame(columns=OCCUPANCY_TIME_COLUMNS)
    )
    columns = OCCUPANCY_SUMMARY_COLUMNS + [
        c for c in pd.DataFrame(summary).columns if c not in OCCUPANCY_SUMMARY_COLUMNS
    ]
    return table[OCCUPANCY_TIME_COLUMNS], pd.DataFrame(summary, columns=columns)


def at_test(occupancy_time: pd.DataFrame, species, dose, route, regimen, window) -> pd.DataFrame:
    """Unbound concentration and occupancy per receptor at the test time (or
    averaged over a [start, end] window) read off an ``occupancy_time``
    table: columns receptor, c_unbound_nM, occupancy."""
    rows = occupancy_time[
        (occupancy_time["species"] == species)
        & np.isclose(occupancy_time["dose"].astype(float), float(dose))
        & (occupancy_time["route"].astype(str) == str(route))
        & (occupancy_time["regimen"].astype(str) == str(regimen))
    ]
    start, end = (
        (float(window), float(window)) if np.isscalar(window) else (float(window[0]), float(window[1]))
    )
    out = []
    for receptor, r in rows.groupby("receptor", sort=False):
        t = r["time_h"].to_numpy(float)
        values = {}
        for column in ("c_unbound_nM", "occupancy"):
            y = r[column].to_numpy(float)
            if end <= start:
                values[column] = float(np.interp(start, t, y))
            else:
                grid = np.unique(np.concatenate([[start, end], t[(t > start) & (t < end)]]))
                values[column] = float(np.trapezoid(np.interp(grid, t, y), grid) / (end - start))
        out.append({"receptor": receptor, **values})
    return pd.DataFrame(out, columns=["receptor", "c_unbound_nM", "occupancy"])


def rat_occupancy_at_test(summary: pd.DataFrame) -> pd.DataFrame:
    """The rat rows of an ``occupancy_summary`` table that carry a test: the
    occupancy at the behavioural test (computed once, by
    :func:`exposure_at_test`), shaped for the ``at_test`` basis of
    :func:`scripts.translation.occupancy.occupancy_table`. One row per test
    x dose x route x regimen x receptor (tests sharing a test window are
    ";"-joined, as in the summary)."""
    columns = ["test", "dose", "route", "regimen", "test_time_h", "receptor", "c_unbound_nM", "occupancy"]
    if is_empty(summary) or "occupancy_at_test" not in summary:
        return pd.DataFrame(columns=columns)
    rows = summary[(summary["species"] == "rat") & (summary["test"].astype(str) != "")]
    rows = rows[pd.to_numeric(rows["occupancy_at_test"], errors="coerce").notna()]
    return rows.rename(columns={"c_unbound_at_test_nM": "c_unbound_nM", "occupancy_at_test": "occupancy"})[
        columns
    ].reset_index(drop=True)

"""Behavioural battery: group statistics against vehicle, effect sizes and
the sedation/stimulant confound check (issue 4; seed Section 1, Protocol 1).

Pure functions: validated behaviour tables (``validated/behaviour/<test>.csv``)
plus plain config values in, DataFrames (or a matplotlib figure) out.

Rules stated once here, and in the function docstrings where they apply:

* **Groups.** A group is ``treatment`` + ``dose_mg_kg``. The vehicle group is
  every row whose treatment equals the configured ``vehicle_label``
  (case-insensitive), whatever its dose. A reference drug (e.g. imipramine)
  is simply another treatment, so each of its doses is its own group.
  Group order everywhere (tables, figure): vehicle first, then the
  treatments listed in ``treatments`` (e.g. the study compound), then any
  other treatment in order of first appearance in the file; doses ascending
  within a treatment. ``known_treatments``, when given, is the closed list of
  allowed treatment names (anything else is an input error).
* **Regimens** (``acute``, ``chronic``) are analysed separately.
* **Exclusions.** Rows with ``excluded == True`` are removed before any
  statistic and listed per group with their reasons (ARRIVE item 3). ``n``
  everywhere is the number of animals actually analysed.
* **Small groups.** A group with fewer than ``min_group_n`` analysed animals
  (default 3) is described, not tested, and flagged. If the vehicle group is
  that small, nothing in that test × endpoint × regimen is tested.
* **Decision path** (per test × endpoint × regimen, over the tested groups;
  ``method="auto"``):
  1. Shapiro–Wilk on the one-way residuals (value − group mean). If
     p < ``normality_alpha`` (0.05): Kruskal–Wallis + Dunn's test against
     vehicle, Holm-adjusted over the dose-vs-vehicle comparisons only.
  2. Otherwise Brown–Forsythe (Levene with ``center="median"``). If
     p < ``variance_alpha`` (0.05): Welch ANOVA + Games–Howell against vehicle.
  3. Otherwise: one-way ANOVA + Dunnett against vehicle
     (``scipy.stats.dunnett`` with ``numpy.random.default_rng(seed)``, so the
     quasi-Monte-Carlo p-values and CIs reproduce exactly).
  ``method`` may force ``"anova"``, ``"welch"`` or ``"kruskal"``; the checks
  are still computed and recorded.
* **Per comparison:** difference with 95% CI from the chosen method (Dunnett:
  simultaneous CI of the mean difference; Games–Howell: simultaneous CI of the
  mean difference from the studentized range; Dunn path: Hodges–Lehmann
  shift, i.e. the median of all dose − vehicle pairwise differences, with its
  distribution-free 95% CI, per comparison); adjusted p; Hedges' g (dose −
  vehicle, pooled SD of the two groups, exact small-sample correction) with a
  95% CI from the Hedges & Olkin large-sample standard error.
* **Omnibus effect sizes:** ANOVA ω² = (SS_between − df1·MS_within) /
  (SS_total + MS_within); Welch ANOVA ω² = df1(F − 1) / (df1(F − 1) + N);
  Kruskal–Wallis η²_H = (H − k + 1) / (N − k).
* **"Changed"** (confound check) means adjusted p ≤ ``alpha`` (0.05) in the
  dose-vs-vehicle comparison; the sign of the difference gives the direction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from scripts.tables import InputError

# --------------------------------------------------------------------------
# Constants: endpoints, defaults, output columns
# --------------------------------------------------------------------------

VALID_REGIMENS = ("acute", "chronic")
VALID_DIRECTIONS = ("lower", "higher")

#: Built-in tests -> endpoints. ``direction`` is the antidepressant- or
#: anxiolytic-like direction; the open field is the locomotor control, so
#: neither direction is "better" there ("none").
BUILTIN_ENDPOINTS = {
    "fst": (
        {"endpoint": "immobility_s", "unit": "s", "direction": "lower",
         "label": "FST immobility, scored window (s)"},
    ),
    "open_field": (
        {"endpoint": "distance_cm", "unit": "cm", "direction": "none",
         "label": "Open field distance (cm)"},
    ),
    "sucrose_preference": (
        {"endpoint": "sucrose_preference_pct", "unit": "%", "direction": "higher",
         "label": "Sucrose preference (%)"},
    ),
    "elevated_plus_maze": (
        {"endpoint": "open_arm_time_pct", "unit": "%", "direction": "higher",
         "label": "EPM open-arm time (%)"},
        {"endpoint": "open_arm_entries_pct", "unit": "%", "direction": "higher",
         "label": "EPM open-arm entries (%)"},
    ),
}

#: Defaults of the ``behaviour:`` config section (config/config.yaml).
DEFAULTS = {
    "fst_window_min": [3, 6],
    "vehicle_label": "vehicle",
    "normality_alpha": 0.05,
    "variance_alpha": 0.05,
    "alpha": 0.05,
    "min_group_n": 3,
    "seed": 20261129,
}

FST_MINUTE_COLUMNS = [f"immobility_min{i}" for i in range(1, 7)]

SUMMARY_COLUMNS = [
    "test", "endpoint", "unit", "direction", "regimen", "treatment", "dose_mg_kg",
    "group", "n_total", "n_excluded", "n", "mean", "sd", "sem", "median", "q1", "q3",
    "iqr", "min", "max", "tested", "flag",
]
OMNIBUS_COLUMNS = [
    "test", "endpoint", "regimen", "method", "statistic", "df1", "df2", "p_value",
    "effect_size_name", "effect_size",
]
COMPARISON_COLUMNS = [
    "test", "endpoint", "regimen", "treatment", "dose_mg_kg", "n", "mean", "sd",
    "diff_vs_vehicle", "diff_ci_low", "diff_ci_high", "p_adj", "method", "hedges_g",
    "hedges_g_ci_low", "hedges_g_ci_high",
]
DECISION_COLUMNS = [
    "test", "endpoint", "regimen", "groups_tested", "n_tested", "shapiro_w",
    "shapiro_p", "residuals_normal", "brown_forsythe_f", "brown_forsythe_p",
    "variances_equal", "normality_alpha", "variance_alpha", "omnibus_method",
    "posthoc_method", "reason",
]
EXCLUSION_COLUMNS = [
    "test", "regimen", "treatment", "dose_mg_kg", "group", "n_total", "n_excluded",
    "n_analysed", "excluded_animals",
]
TWO_WAY_COLUMNS = [
    "test", "endpoint", "model", "term", "sum_sq", "df", "f_value", "p_value", "n",
    "note",
]
CONFOUND_COLUMNS = [
    "regimen", "treatment", "dose_mg_kg", "fst_endpoint", "fst_n",
    "fst_diff_vs_vehicle", "fst_p_adj", "fst_hedges_g", "fst_method", "fst_effect",
    "open_field_n", "open_field_diff_vs_vehicle", "open_field_pct_change_vs_vehicle",
    "open_field_p_adj", "open_field_hedges_g", "open_field_method",
    "locomotor_effect", "alpha", "classification", "interpretation",
]
BATTERY_FLAG_COLUMNS = ["flag", "raised", "detail"]
LONG_COLUMNS = [
    "test", "endpoint", "unit", "direction", "animal_id", "sex", "treatment",
    "dose_mg_kg", "regimen", "excluded", "exclusion_reason", "value", "source_file",
    "source_row",
]

METHOD_LABELS = {
    "anova": ("one-way ANOVA", "Dunnett"),
    "welch": ("Welch ANOVA", "Games-Howell"),
    "kruskal": ("Kruskal-Wallis", "Dunn (Holm)"),
}
NOT_TESTED = "not tested"


def settings(config: dict | None = None) -> dict:
    """The ``behaviour:`` config section merged over :data:`DEFAULTS`."""
    merged = dict(DEFAULTS)
    merged.update({k: v for k, v in (config or {}).items() if v is not None})
    return merged


# --------------------------------------------------------------------------
# Input checking and endpoint computation
# --------------------------------------------------------------------------

def _location(df: pd.DataFrame, index, test: str):
    """(file, spreadsheet row) of one row, from source_file/source_row."""
    row = df.loc[index]
    file = row["source_file"] if "source_file" in df.columns else f"{test}.csv"
    if "source_row" in df.columns and pd.notna(row["source_row"]):
        number = int(row["source_row"])
    else:
        number = int(df.index.get_loc(index)) + 2
    return file, number


def _fail(df, index, test, message, column=None):
    file, row = _location(df, index, test)
    raise InputError(file, message, row=row, column=column)


def _table_file(df: pd.DataFrame, test: str) -> str:
    if "source_file" in df.columns and len(df):
        return str(df["source_file"].iloc[0])
    return f"{test}.csv"


def endpoint_definitions(test: str, declared: dict | None = None, file=None) -> list:
    """Endpoints of *test*: built in (:data:`BUILTIN_ENDPOINTS`, which win over
    a declaration of the same name) or declared in study.yaml as
    ``{test: {endpoint, unit, direction}}`` with direction "lower" or "higher"."""
    if test in BUILTIN_ENDPOINTS:
        return [dict(e) for e in BUILTIN_ENDPOINTS[test]]
    meta = (declared or {}).get(test)
    where = file or f"{test}.csv"
    if meta is None:
        raise InputError(where, f"test '{test}' is neither built in "
                         f"({', '.join(BUILTIN_ENDPOINTS)}) nor declared in study.yaml")
    direction = str(meta.get("direction", "")).strip().lower()
    if direction not in VALID_DIRECTIONS:
        raise InputError(where, f"declared test '{test}' has direction "
                         f"'{meta.get('direction')}', expected lower or higher")
    if not meta.get("endpoint"):
        raise InputError(where, f"declared test '{test}' has no endpoint column")
    endpoint = str(meta["endpoint"])
    unit = str(meta.get("unit", "") or "")
    return [{"endpoint": endpoint, "unit": unit, "direction": direction,
             "label": f"{test}: {endpoint}" + (f" ({unit})" if unit else "")}]


def _as_bool(value) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    return str(value).strip().lower() in ("true", "1", "yes", "y")


def _numeric(df, column, test, check_rows, *, allow_missing=False, maximum=None):
    """Column as floats; non-numeric, missing (unless allowed) or negative
    values in *check_rows* (the analysed animals) raise InputError."""
    values = pd.to_numeric(df[column], errors="coerce").astype(float)
    for index in check_rows:
        raw, value = df.at[index, column], values.at[index]
        if pd.isna(value):
            if pd.isna(raw) or str(raw).strip() == "":
                if not allow_missing:
                    _fail(df, index, test, "missing value for an analysed animal "
                          "(mark the animal excluded with a reason, or give the value)",
                          column)
            else:
                _fail(df, index, test, f"value '{raw}' is not a number", column)
        elif value < 0:
            _fail(df, index, test, f"value {value:g} is negative", column)
        elif maximum is not None and value > maximum:
            _fail(df, index, test, f"value {value:g} exceeds {maximum:g}", column)
    return values


def _fst_window(window) -> list:
    start, end = (int(window[0]), int(window[1]))
    if not (1 <= start <= end <= 6):
        raise ValueError(f"behaviour.fst_window_min {window} must lie within minutes 1-6")
    return [f"immobility_min{i}" for i in range(start, end + 1)]


def _fst_immobility(df, test, included, window):
    """Immobility in the scored window. Per-minute columns win when the table
    has all of the window's minutes; a row missing them falls back to
    immobility_s if present. Per-minute values must lie in 0-60 s."""
    minute_cols = _fst_window(window)
    has_minutes = all(c in df.columns for c in minute_cols)
    has_total = "immobility_s" in df.columns
    if not has_minutes and not has_total:
        present = [c for c in FST_MINUTE_COLUMNS if c in df.columns]
        detail = (f"per-minute columns {present} do not cover the scored window "
                  f"{minute_cols}" if present else "no immobility_s or immobility_min1..6")
        raise InputError(_table_file(df, test), f"FST table lacks immobility data: {detail}")
    total = (_numeric(df, "immobility_s", test, included, allow_missing=has_minutes)
             if has_total else pd.Series(np.nan, index=df.index))
    if not has_minutes:
        return total
    minutes = {c: _numeric(df, c, test, included, allow_missing=True, maximum=60.0)
               for c in minute_cols}
    frame = pd.DataFrame(minutes)
    complete = frame.notna().all(axis=1)
    windowed = frame.sum(axis=1).where(complete)
    value = windowed.where(complete, total)
    for index in included:
        if pd.isna(value.at[index]):
            missing = [c for c in minute_cols if pd.isna(frame.at[index, c])]
            _fail(df, index, test, "missing value for an analysed animal", missing[0])
    return value


def _percentage(df, test, included, part_col, other_col):
    """100 · part / (part + other); a zero denominator for an analysed animal
    is an input error (the percentage is undefined)."""
    part = _numeric(df, part_col, test, included)
    other = _numeric(df, other_col, test, included)
    total = part + other
    for index in included:
        if total.at[index] == 0:
            _fail(df, index, test, f"{part_col} + {other_col} is 0, so the "
                  "percentage is undefined (exclude the animal with a reason)", part_col)
    with np.errstate(divide="ignore", invalid="ignore"):
        return 100.0 * part / total.where(total > 0)


def _required_columns(test, endpoints):
    base = ["animal_id", "treatment", "dose_mg_kg", "regimen"]
    extra = {"open_field": ["distance_cm"],
             "sucrose_preference": ["sucrose_ml", "water_ml"],
             "elevated_plus_maze": ["open_arm_time_s", "closed_arm_time_s",
                                    "open_arm_entries", "closed_arm_entries"]}
    if test == "fst":
        return base
    return base + extra.get(test, [e["endpoint"] for e in endpoints])


def compute_endpoints(df: pd.DataFrame, test: str, config: dict | None = None,
                      declared: dict | None = None,
                      known_treatments=None) -> pd.DataFrame:
    """Check one validated behaviour table and compute its endpoints.

    Returns a long table, one row per animal × endpoint, with columns
    test, endpoint, unit, direction, label, animal_id, sex, treatment,
    dose_mg_kg, regimen, is_vehicle, excluded, exclusion_reason, value,
    source_file, source_row. Excluded animals are kept (marked) so they can be
    listed; their value may be NaN.

    Raises InputError naming the file and row for: a missing column, an
    unknown treatment (when *known_treatments* lists the study's treatments; the
    vehicle label is always allowed), a regimen other than acute/chronic, a
    missing or negative dose, a duplicated animal_id within the test, a regimen
    without any vehicle animal, a non-numeric, missing or negative endpoint
    value of an analysed animal, an FST per-minute value above 60 s, and a
    zero denominator of a percentage endpoint.
    """
    opts = settings(config)
    vehicle = str(opts["vehicle_label"]).strip().lower()
    df = df.copy()
    file = _table_file(df, test)
    endpoints = endpoint_definitions(test, declared, file)
    missing = [c for c in _required_columns(test, endpoints) if c not in df.columns]
    if missing:
        raise InputError(file, f"missing required column(s) {', '.join(missing)}")
    if df.empty:
        raise InputError(file, "table has no animals")

    df["treatment"] = df["treatment"].astype(str).str.strip().str.lower()
    df["regimen"] = df["regimen"].astype(str).str.strip().str.lower()
    df["animal_id"] = df["animal_id"].astype(str).str.strip()
    excluded = (df["excluded"].map(_as_bool) if "excluded" in df.columns
                else pd.Series(False, index=df.index))
    df["excluded"] = excluded.astype(bool)
    allowed = None
    if known_treatments is not None:
        allowed = {str(t).strip().lower() for t in known_treatments} | {vehicle}
    for index in df.index:
        if df.at[index, "regimen"] not in VALID_REGIMENS:
            _fail(df, index, test, f"unknown regimen '{df.at[index, 'regimen']}' "
                  f"(expected {' or '.join(VALID_REGIMENS)})", "regimen")
        treatment = df.at[index, "treatment"]
        if treatment in ("", "nan") or (allowed is not None and treatment not in allowed):
            known = ", ".join(sorted(allowed)) if allowed else "a treatment name"
            _fail(df, index, test, f"unknown treatment '{treatment}' (expected {known})",
                  "treatment")
    dose = _numeric(df, "dose_mg_kg", test, df.index)
    df["dose_mg_kg"] = dose

    first_row = {}
    for index in df.index:
        animal = df.at[index, "animal_id"]
        if animal in first_row:
            _, earlier = _location(df, first_row[animal], test)
            _fail(df, index, test, f"animal_id '{animal}' is duplicated within the "
                  f"test (also at row {earlier})", "animal_id")
        first_row[animal] = index

    df["is_vehicle"] = df["treatment"] == vehicle
    for regimen in [r for r in VALID_REGIMENS if (df["regimen"] == r).any()]:
        rows = df.index[df["regimen"] == regimen]
        if not df.loc[rows, "is_vehicle"].any():
            _fail(df, rows[0], test, f"no vehicle group ('{opts['vehicle_label']}') "
                  f"in the {regimen} regimen, so doses cannot be compared with vehicle",
                  "treatment")

    included = list(df.index[~df["excluded"]])
    values = {}
    if test == "fst":
        values["immobility_s"] = _fst_immobility(df, test, included, opts["fst_window_min"])
    elif test == "open_field":
        values["distance_cm"] = _numeric(df, "distance_cm", test, included)
    elif test == "sucrose_preference":
        values["sucrose_preference_pct"] = _percentage(
            df, test, included, "sucrose_ml", "water_ml")
    elif test == "elevated_plus_maze":
        values["open_arm_time_pct"] = _percentage(
            df, test, included, "open_arm_time_s", "closed_arm_time_s")
        values["open_arm_entries_pct"] = _percentage(
            df, test, included, "open_arm_entries", "closed_arm_entries")
    else:
        column = endpoints[0]["endpoint"]
        values[column] = _numeric(df, column, test, included)

    reason = (df["exclusion_reason"] if "exclusion_reason" in df.columns
              else pd.Series("", index=df.index)).fillna("").astype(str).str.strip()
    sex = (df["sex"] if "sex" in df.columns else pd.Series("", index=df.index))
    sex = sex.fillna("").astype(str).str.strip().str.upper()
    source_file = df["source_file"] if "source_file" in df.columns else file
    source_row = (df["source_row"] if "source_row" in df.columns
                  else pd.Series(np.arange(len(df)) + 2, index=df.index))
    frames = []
    for meta in endpoints:
        frames.append(pd.DataFrame({
            "test": test, "endpoint": meta["endpoint"], "unit": meta["unit"],
            "direction": meta["direction"], "label": meta["label"],
            "animal_id": df["animal_id"], "sex": sex, "treatment": df["treatment"],
            "dose_mg_kg": df["dose_mg_kg"], "regimen": df["regimen"],
            "is_vehicle": df["is_vehicle"], "excluded": df["excluded"],
            "exclusion_reason": reason, "value": values[meta["endpoint"]].astype(float),
            "source_file": source_file, "source_row": source_row,
        }))
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------
# Groups
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Group:
    treatment: str
    dose_mg_kg: float
    is_vehicle: bool

    @property
    def label(self) -> str:
        if self.is_vehicle:
            return self.treatment
        return f"{self.treatment} {self.dose_mg_kg:g} mg/kg"


def group_order(long: pd.DataFrame, treatments=None) -> list:
    """Groups in display order: vehicle first, then the treatments listed in
    *treatments* (those present), then the others by first appearance;
    doses ascending within a treatment."""
    order = []
    if treatments is not None:
        order = [str(t).strip().lower() for t in treatments]
    for treatment in long.loc[~long["is_vehicle"], "treatment"]:
        if treatment not in order:
            order.append(treatment)
    groups = []
    vehicle_rows = long[long["is_vehicle"]]
    if len(vehicle_rows):
        groups.append(Group(vehicle_rows["treatment"].iloc[0], 0.0, True))
    for treatment in order:
        doses = sorted(long.loc[(long["treatment"] == treatment) & ~long["is_vehicle"],
                                "dose_mg_kg"].unique())
        groups.extend(Group(treatment, float(d), False) for d in doses)
    return groups


def _group_values(long, group: Group, analysed_only=True):
    if group.is_vehicle:
        mask = long["is_vehicle"]
    else:
        mask = ((long["treatment"] == group.treatment)
                & (long["dose_mg_kg"] == group.dose_mg_kg) & ~long["is_vehicle"])
    if analysed_only:
        mask = mask & ~long["excluded"]
    return long[mask]


# --------------------------------------------------------------------------
# Statistical building blocks (each checked against a second implementation
# in tests/test_behaviour*.py)
# --------------------------------------------------------------------------

def describe(values) -> dict:
    """n, mean, SD (n − 1), SEM, median, quartiles (linear interpolation,
    numpy's default), IQR, min, max."""
    x = np.asarray(values, dtype=float)
    n = x.size
    if n == 0:
        return {k: np.nan for k in ("mean", "sd", "sem", "median", "q1", "q3", "iqr",
                                    "min", "max")} | {"n": 0}
    sd = float(np.std(x, ddof=1)) if n > 1 else np.nan
    q1, median, q3 = (float(v) for v in np.percentile(x, [25, 50, 75]))
    return {"n": n, "mean": float(np.mean(x)), "sd": sd,
            "sem": sd / math.sqrt(n) if n > 1 else np.nan, "median": median,
            "q1": q1, "q3": q3, "iqr": q3 - q1, "min": float(x.min()),
            "max": float(x.max())}


def hedges_g(treated, control, confidence=0.95) -> tuple:
    """Hedges' g of *treated* − *control* with a CI.

    d = (mean_t − mean_c) / s_pooled, s_pooled² = ((n_t−1)s_t² + (n_c−1)s_c²)/(n_t+n_c−2);
    g = J·d with the exact correction J = Γ(ν/2) / (√(ν/2) Γ((ν−1)/2)), ν = n_t+n_c−2;
    SE(g) = √((n_t+n_c)/(n_t n_c) + g²/(2(n_t+n_c))) (Hedges & Olkin 1985);
    CI = g ± z_(1−α/2)·SE. Returns (g, low, high); NaN when undefined.
    """
    t = np.asarray(treated, dtype=float)
    c = np.asarray(control, dtype=float)
    n1, n2 = t.size, c.size
    df = n1 + n2 - 2
    if n1 < 2 or n2 < 2:
        return (np.nan, np.nan, np.nan)
    pooled = math.sqrt(((n1 - 1) * t.var(ddof=1) + (n2 - 1) * c.var(ddof=1)) / df)
    if pooled == 0:
        return (np.nan, np.nan, np.nan)
    d = (t.mean() - c.mean()) / pooled
    j = math.exp(special.gammaln(df / 2) - special.gammaln((df - 1) / 2)) / math.sqrt(df / 2)
    g = j * d
    se = math.sqrt((n1 + n2) / (n1 * n2) + g ** 2 / (2 * (n1 + n2)))
    z = stats.norm.ppf(0.5 + confidence / 2)
    return (g, g - z * se, g + z * se)


def one_way_anova(groups) -> dict:
    """Classical one-way ANOVA (scipy.stats.f_oneway) with ω²."""
    arrays = [np.asarray(g, dtype=float) for g in groups]
    res = stats.f_oneway(*arrays)
    k, n = len(arrays), sum(a.size for a in arrays)
    grand = np.concatenate(arrays).mean()
    ss_between = sum(a.size * (a.mean() - grand) ** 2 for a in arrays)
    ss_within = sum(((a - a.mean()) ** 2).sum() for a in arrays)
    ms_within = ss_within / (n - k)
    omega = (ss_between - (k - 1) * ms_within) / (ss_between + ss_within + ms_within)
    return {"statistic": float(res.statistic), "df1": float(k - 1), "df2": float(n - k),
            "p_value": float(res.pvalue), "effect_size_name": "omega_squared",
            "effect_size": float(omega)}


def welch_anova(groups) -> dict:
    """Welch's heteroscedastic one-way ANOVA (Welch 1951).

    w_i = n_i/s_i², m_w = Σw_i·m_i/Σw_i, A = Σw_i(m_i − m_w)²/(k−1),
    λ = Σ(1 − w_i/Σw)²/(n_i − 1), F = A / (1 + 2(k−2)λ/(k²−1)),
    df1 = k − 1, df2 = (k² − 1)/(3λ). Effect size: ω² = df1(F−1)/(df1(F−1)+N).
    """
    arrays = [np.asarray(g, dtype=float) for g in groups]
    k = len(arrays)
    n = np.array([a.size for a in arrays], dtype=float)
    means = np.array([a.mean() for a in arrays])
    variances = np.array([a.var(ddof=1) for a in arrays])
    w = n / variances
    mean_w = (w * means).sum() / w.sum()
    a_term = (w * (means - mean_w) ** 2).sum() / (k - 1)
    lam = ((1 - w / w.sum()) ** 2 / (n - 1)).sum()
    f = a_term / (1 + 2 * (k - 2) * lam / (k ** 2 - 1))
    df1, df2 = k - 1, (k ** 2 - 1) / (3 * lam)
    omega = df1 * (f - 1) / (df1 * (f - 1) + n.sum())
    return {"statistic": float(f), "df1": float(df1), "df2": float(df2),
            "p_value": float(stats.f.sf(f, df1, df2)),
            "effect_size_name": "omega_squared_welch", "effect_size": float(omega)}


def kruskal_wallis(groups) -> dict:
    """Kruskal–Wallis H (tie-corrected, scipy) with η²_H = (H−k+1)/(N−k)
    (Tomczak & Tomczak 2014). df1 = k − 1; df2 is not applicable (NaN)."""
    arrays = [np.asarray(g, dtype=float) for g in groups]
    res = stats.kruskal(*arrays)
    k, n = len(arrays), sum(a.size for a in arrays)
    return {"statistic": float(res.statistic), "df1": float(k - 1), "df2": np.nan,
            "p_value": float(res.pvalue), "effect_size_name": "eta_squared_h",
            "effect_size": float((res.statistic - k + 1) / (n - k))}


def dunnett_vs_control(control, treated, seed, confidence=0.95) -> list:
    """Dunnett's many-to-one test (scipy.stats.dunnett, two-sided) with a fresh
    ``default_rng(seed)`` per call, so p-values and the simultaneous CIs of
    (treated − control) reproduce exactly. One dict per treated group."""
    res = stats.dunnett(*[np.asarray(t, float) for t in treated],
                        control=np.asarray(control, float),
                        rng=np.random.default_rng(seed))
    ci = res.confidence_interval(confidence_level=confidence)
    control_mean = np.mean(control)
    return [{"diff": float(np.mean(t) - control_mean), "ci_low": float(ci.low[i]),
             "ci_high": float(ci.high[i]), "p_adj": float(res.pvalue[i])}
            for i, t in enumerate(treated)]


def games_howell_vs_control(control, treated, n_groups=None, confidence=0.95) -> list:
    """Games–Howell comparisons of each treated group with control.

    For groups i (treated) and 0 (control): se = √(s_i²/n_i + s_0²/n_0),
    Welch–Satterthwaite df, q = |m_i − m_0|/se·√2, p from the studentized range
    with k = *n_groups* (all groups in the omnibus test; default 1 + number of
    treated groups) and that df; simultaneous CI = diff ± q_crit(k, df)/√2 · se.
    """
    c = np.asarray(control, dtype=float)
    k = n_groups or (len(treated) + 1)
    out = []
    for t in treated:
        t = np.asarray(t, dtype=float)
        vt, vc = t.var(ddof=1) / t.size, c.var(ddof=1) / c.size
        se = math.sqrt(vt + vc)
        df = (vt + vc) ** 2 / (vt ** 2 / (t.size - 1) + vc ** 2 / (c.size - 1))
        diff = float(t.mean() - c.mean())
        p = float(stats.studentized_range.sf(abs(diff) / se * math.sqrt(2), k, df))
        half = stats.studentized_range.ppf(confidence, k, df) / math.sqrt(2) * se
        out.append({"diff": diff, "ci_low": diff - half, "ci_high": diff + half,
                    "p_adj": p, "df": df})
    return out


def holm(p_values) -> np.ndarray:
    """Holm step-down adjustment (statsmodels' multipletests, method "holm")."""
    from statsmodels.stats.multitest import multipletests
    p = np.asarray(p_values, dtype=float)
    if p.size == 0:
        return p
    return multipletests(p, method="holm")[1]


def dunn_vs_control(control, treated) -> list:
    """Dunn's (1964) rank test of each treated group against control.

    Ranks over all tested groups (mid-ranks for ties);
    z = (R̄_i − R̄_0) / √((N(N+1)/12 − Σ(t³−t)/(12(N−1))) (1/n_i + 1/n_0));
    two-sided normal p, then Holm over these dose-vs-vehicle comparisons only.
    """
    arrays = [np.asarray(control, float)] + [np.asarray(t, float) for t in treated]
    pooled = np.concatenate(arrays)
    n = pooled.size
    ranks = stats.rankdata(pooled)
    _, ties = np.unique(pooled, return_counts=True)
    tie_term = (ties ** 3 - ties).sum() / (12 * (n - 1))
    bounds = np.cumsum([0] + [a.size for a in arrays])
    mean_ranks = [ranks[bounds[i]:bounds[i + 1]].mean() for i in range(len(arrays))]
    z, p_raw = [], []
    for i, a in enumerate(arrays[1:], start=1):
        se = math.sqrt((n * (n + 1) / 12 - tie_term) * (1 / a.size + 1 / arrays[0].size))
        z.append((mean_ranks[i] - mean_ranks[0]) / se)
        p_raw.append(2 * stats.norm.sf(abs(z[-1])))
    p_adj = holm(p_raw)
    return [{"z": float(z[i]), "p_raw": float(p_raw[i]), "p_adj": float(p_adj[i])}
            for i in range(len(treated))]


def hodges_lehmann(treated, control, confidence=0.95) -> dict:
    """Hodges–Lehmann shift (median of all treated − control differences) with
    the distribution-free CI from the ordered differences (Moses/Bauer 1972):
    C = ⌊mn/2 − z·√(mn(m+n+1)/12)⌋, CI = [D_(C+1), D_(mn−C)] (1-based), the
    large-sample form without tie correction. NaN bounds when C < 0."""
    t = np.asarray(treated, float)
    c = np.asarray(control, float)
    diffs = np.sort(np.subtract.outer(t, c).ravel())
    m, n = t.size, c.size
    z = stats.norm.ppf(0.5 + confidence / 2)
    cut = math.floor(m * n / 2 - z * math.sqrt(m * n * (m + n + 1) / 12))
    low = high = np.nan
    if cut >= 0:
        low, high = float(diffs[cut]), float(diffs[m * n - cut - 1])
    return {"diff": float(np.median(diffs)), "ci_low": low, "ci_high": high}


def choose_method(groups, normality_alpha=0.05, variance_alpha=0.05,
                  method="auto") -> dict:
    """Run the decision-path checks on the tested groups and pick the method.

    Shapiro–Wilk on residuals (value − own group mean, pooled), then
    Brown–Forsythe (scipy.stats.levene, center="median"). See the module
    docstring for the rule. A check that cannot run (e.g. all residuals equal)
    is recorded as NaN and treated as passed.
    """
    arrays = [np.asarray(g, dtype=float) for g in groups]
    residuals = np.concatenate([a - a.mean() for a in arrays])
    shapiro_w = shapiro_p = bf_f = bf_p = np.nan
    if residuals.size >= 3 and np.ptp(residuals) > 0:
        shapiro_w, shapiro_p = (float(v) for v in stats.shapiro(residuals))
    if all(a.size >= 2 for a in arrays) and len(arrays) >= 2:
        with np.errstate(divide="ignore", invalid="ignore"):
            bf = stats.levene(*arrays, center="median")
        bf_f, bf_p = float(bf.statistic), float(bf.pvalue)
    normal = not (shapiro_p < normality_alpha)
    equal = not (bf_p < variance_alpha)
    if method == "auto":
        if not normal:
            chosen = "kruskal"
            reason = (f"Shapiro-Wilk on residuals p = {shapiro_p:.3g} < {normality_alpha}: "
                      "residuals not normal")
        elif not equal:
            chosen = "welch"
            reason = (f"residuals normal (Shapiro-Wilk p = {shapiro_p:.3g}); "
                      f"Brown-Forsythe p = {bf_p:.3g} < {variance_alpha}: variances differ")
        else:
            chosen = "anova"
            reason = (f"residuals normal (Shapiro-Wilk p = {shapiro_p:.3g}) and variances "
                      f"homogeneous (Brown-Forsythe p = {bf_p:.3g})")
    elif method in METHOD_LABELS:
        chosen, reason = method, f"method forced to '{method}' by configuration"
    else:
        raise ValueError(f"unknown behaviour method '{method}'")
    return {"shapiro_w": shapiro_w, "shapiro_p": shapiro_p, "residuals_normal": normal,
            "brown_forsythe_f": bf_f, "brown_forsythe_p": bf_p, "variances_equal": equal,
            "method": chosen, "reason": reason}


# --------------------------------------------------------------------------
# Analysis of one test
# --------------------------------------------------------------------------

def _analyse_cell(cell: pd.DataFrame, groups: list, opts: dict, method: str):
    """One test × endpoint × regimen: summary, omnibus, comparisons, decision."""
    first = cell.iloc[0]
    key = {"test": first["test"], "endpoint": first["endpoint"], "regimen": first["regimen"]}
    min_n = int(opts["min_group_n"])
    summary, data = [], {}
    for group in groups:
        all_rows = _group_values(cell, group, analysed_only=False)
        if all_rows.empty:
            continue
        values = _group_values(cell, group)["value"].to_numpy(float)
        data[group] = values
        tested = values.size >= min_n
        summary.append(key | {
            "unit": first["unit"], "direction": first["direction"],
            "treatment": group.treatment, "dose_mg_kg": group.dose_mg_kg,
            "group": group.label, "n_total": len(all_rows),
            "n_excluded": int(all_rows["excluded"].sum()), **describe(values),
            "tested": tested,
            "flag": "" if tested else f"n < {min_n}: described, not tested",
        })
    vehicle = next((g for g in data if g.is_vehicle), None)
    vehicle_ok = vehicle is not None and data[vehicle].size >= min_n
    tested = [g for g in data if data[g].size >= min_n and vehicle_ok]
    doses = [g for g in tested if not g.is_vehicle]
    if vehicle is not None and not vehicle_ok:
        for row in summary:
            if row["tested"]:
                row["tested"] = False
                row["flag"] = f"vehicle n < {min_n}: nothing in this regimen tested"

    decision = key | {"groups_tested": len(tested),
                      "n_tested": int(sum(data[g].size for g in tested)),
                      "normality_alpha": opts["normality_alpha"],
                      "variance_alpha": opts["variance_alpha"]}
    omnibus = key | {"method": NOT_TESTED, "statistic": np.nan, "df1": np.nan,
                     "df2": np.nan, "p_value": np.nan, "effect_size_name": "",
                     "effect_size": np.nan}
    results = {}
    if doses:
        arrays = [data[g] for g in tested]
        check = choose_method(arrays, opts["normality_alpha"], opts["variance_alpha"], method)
        chosen = check["method"]
        omnibus_name, posthoc_name = METHOD_LABELS[chosen]
        decision |= {k: check[k] for k in ("shapiro_w", "shapiro_p", "residuals_normal",
                                           "brown_forsythe_f", "brown_forsythe_p",
                                           "variances_equal", "reason")}
        decision |= {"omnibus_method": omnibus_name, "posthoc_method": posthoc_name}
        control, treated = data[vehicle], [data[g] for g in doses]
        if chosen == "anova":
            omnibus |= one_way_anova(arrays)
            posthoc = dunnett_vs_control(control, treated, int(opts["seed"]))
        elif chosen == "welch":
            omnibus |= welch_anova(arrays)
            posthoc = games_howell_vs_control(control, treated, len(arrays))
        else:
            omnibus |= kruskal_wallis(arrays)
            ranks = dunn_vs_control(control, treated)
            posthoc = [hodges_lehmann(t, control) | {"p_adj": r["p_adj"]}
                       for t, r in zip(treated, ranks)]
        omnibus["method"] = omnibus_name
        results = {g: r | {"method": posthoc_name} for g, r in zip(doses, posthoc)}
    else:
        why = ("vehicle group has fewer than the minimum animals" if not vehicle_ok
               else "no dose group with enough animals")
        decision |= {"shapiro_w": np.nan, "shapiro_p": np.nan, "residuals_normal": np.nan,
                     "brown_forsythe_f": np.nan, "brown_forsythe_p": np.nan,
                     "variances_equal": np.nan, "omnibus_method": NOT_TESTED,
                     "posthoc_method": NOT_TESTED, "reason": why}

    comparisons = []
    vehicle_mean = np.mean(data[vehicle]) if vehicle is not None and data[vehicle].size else np.nan
    for group, values in data.items():
        if group.is_vehicle:
            continue
        desc = describe(values)
        row = key | {"treatment": group.treatment, "dose_mg_kg": group.dose_mg_kg,
                     "n": desc["n"], "mean": desc["mean"], "sd": desc["sd"]}
        if group in results:
            r = results[group]
            g, g_low, g_high = hedges_g(values, data[vehicle])
            row |= {"diff_vs_vehicle": r["diff"], "diff_ci_low": r["ci_low"],
                    "diff_ci_high": r["ci_high"], "p_adj": r["p_adj"], "method": r["method"],
                    "hedges_g": g, "hedges_g_ci_low": g_low, "hedges_g_ci_high": g_high}
        else:
            small = values.size < min_n
            row |= {"diff_vs_vehicle": desc["mean"] - vehicle_mean, "diff_ci_low": np.nan,
                    "diff_ci_high": np.nan, "p_adj": np.nan,
                    "method": (f"{NOT_TESTED} (n < {min_n})" if small
                               else f"{NOT_TESTED} (vehicle n < {min_n})"),
                    "hedges_g": np.nan, "hedges_g_ci_low": np.nan,
                    "hedges_g_ci_high": np.nan}
        comparisons.append(row)
    return summary, omnibus, comparisons, decision


def exclusion_table(long: pd.DataFrame, treatments=None) -> pd.DataFrame:
    """Per test × regimen × group: animals randomised (rows in the file),
    excluded, analysed, and the excluded animals with their reasons
    ("animal_id: reason; ..."; "no reason given" when blank)."""
    animals = long.drop_duplicates(["test", "animal_id"])
    rows = []
    for regimen in [r for r in VALID_REGIMENS if (animals["regimen"] == r).any()]:
        part = animals[animals["regimen"] == regimen]
        for group in group_order(part, treatments):
            members = _group_values(part, group, analysed_only=False)
            if members.empty:
                continue
            out = members[members["excluded"]]
            listed = "; ".join(f"{a}: {r or 'no reason given'}"
                               for a, r in zip(out["animal_id"], out["exclusion_reason"]))
            rows.append({"test": part["test"].iloc[0], "regimen": regimen,
                         "treatment": group.treatment, "dose_mg_kg": group.dose_mg_kg,
                         "group": group.label, "n_total": len(members),
                         "n_excluded": len(out), "n_analysed": len(members) - len(out),
                         "excluded_animals": listed})
    return pd.DataFrame(rows, columns=EXCLUSION_COLUMNS)


def two_way_anova(long: pd.DataFrame, min_group_n: int = 3, treatments=None) -> pd.DataFrame:
    """Type II two-way ANOVA per endpoint: treatment group × regimen, and
    × sex when both sexes are present (statsmodels OLS + anova_lm(typ=2)).

    "Treatment" is the group (treatment + dose). Only analysed animals; only
    groups with ≥ *min_group_n* animals in every regimen (and sex) cell, so the
    full factorial model is estimable. Sex is dropped (noted) if any
    treatment × regimen × sex cell has fewer than 2 animals. With only one
    regimen the model is treatment × sex, or not run (noted) when there is
    nothing to cross.
    """
    import statsmodels.formula.api as smf
    from statsmodels.stats.anova import anova_lm

    rows = []
    for endpoint, part in long[~long["excluded"]].groupby("endpoint", sort=False):
        test = part["test"].iloc[0]
        part = part.copy()
        groups = group_order(part, treatments)
        # Neutral codes keep formula terms valid whatever the group labels are.
        part["group"] = ""
        for index, group in enumerate(groups):
            part.loc[_group_values(part, group, analysed_only=False).index,
                     "group"] = f"g{index}"
        regimens = sorted(part["regimen"].unique())
        cells = part.groupby(["group", "regimen"]).size().unstack(fill_value=0)
        keep = cells.index[(cells.reindex(columns=regimens, fill_value=0) >= min_group_n)
                           .all(axis=1)]
        part = part[part["group"].isin(keep)]
        factors, notes = ["group"], []
        if len(regimens) > 1:
            factors.append("regimen")
        if set(part["sex"]) >= {"M", "F"}:
            sex_cells = part.groupby(factors + ["sex"]).size()
            complete = (sex_cells.size == np.prod([part[f].nunique() for f in factors]) * 2
                        and (sex_cells >= 2).all())
            if complete:
                factors.append("sex")
            else:
                notes.append("sex not modelled: some treatment x regimen x sex cells "
                             "have < 2 animals")
        names = {"group": "treatment", "regimen": "regimen", "sex": "sex"}
        model_name = " x ".join(names[f] for f in factors)
        if len(factors) < 2 or part["group"].nunique() < 2:
            rows.append({"test": test, "endpoint": endpoint, "model": model_name,
                         "term": "", "sum_sq": np.nan, "df": np.nan, "f_value": np.nan,
                         "p_value": np.nan, "n": len(part),
                         "note": "; ".join(notes + ["not run: only one factor with "
                                                    ">= 2 testable levels"])})
            continue
        formula = "value ~ " + " * ".join(f"C({f})" for f in factors)
        table = anova_lm(smf.ols(formula, data=part).fit(), typ=2)
        for term, r in table.iterrows():
            pretty = term
            for f in factors:
                pretty = pretty.replace(f"C({f})", names[f])
            rows.append({"test": test, "endpoint": endpoint, "model": model_name,
                         "term": pretty, "sum_sq": r["sum_sq"], "df": r["df"],
                         "f_value": r["F"], "p_value": r["PR(>F)"], "n": len(part),
                         "note": "; ".join(notes)})
    return pd.DataFrame(rows, columns=TWO_WAY_COLUMNS)


def analyse_test(df: pd.DataFrame, test: str, config: dict | None = None,
                 declared: dict | None = None, treatments=None,
                 known_treatments=None, method: str = "auto") -> dict:
    """Full analysis of one validated behaviour table.

    Returns a dict of DataFrames: ``long`` (per-animal endpoint values),
    ``summary`` (:data:`SUMMARY_COLUMNS`), ``omnibus`` (:data:`OMNIBUS_COLUMNS`),
    ``comparisons`` (:data:`COMPARISON_COLUMNS`), ``decisions``
    (:data:`DECISION_COLUMNS`), ``exclusions`` (:data:`EXCLUSION_COLUMNS`) and
    ``two_way`` (:data:`TWO_WAY_COLUMNS`).
    """
    opts = settings(config)
    long = compute_endpoints(df, test, opts, declared, known_treatments)
    summary, omnibus, comparisons, decisions = [], [], [], []
    for endpoint in long["endpoint"].unique():
        for regimen in VALID_REGIMENS:
            cell = long[(long["endpoint"] == endpoint) & (long["regimen"] == regimen)]
            if cell.empty:
                continue
            s, o, c, d = _analyse_cell(cell, group_order(cell, treatments), opts, method)
            summary += s
            omnibus.append(o)
            comparisons += c
            decisions.append(d)
    return {
        "long": long,
        "summary": pd.DataFrame(summary, columns=SUMMARY_COLUMNS),
        "omnibus": pd.DataFrame(omnibus, columns=OMNIBUS_COLUMNS),
        "comparisons": pd.DataFrame(comparisons, columns=COMPARISON_COLUMNS),
        "decisions": pd.DataFrame(decisions, columns=DECISION_COLUMNS),
        "exclusions": exclusion_table(long, treatments),
        "two_way": two_way_anova(long, int(opts["min_group_n"]), treatments),
    }


# --------------------------------------------------------------------------
# Confound check and battery flags
# --------------------------------------------------------------------------

def _effect(row, alpha, direction):
    """'improved'/'worsened' (direction given) or 'increased'/'decreased'
    (direction None) when p_adj ≤ alpha; 'no change' otherwise; 'not tested'
    when there is no adjusted p."""
    if row is None:
        return "no data"
    if pd.isna(row["p_adj"]):
        return NOT_TESTED
    if row["p_adj"] > alpha:
        return "no change"
    up = row["diff_vs_vehicle"] > 0
    if direction is None:
        return "increased" if up else "decreased"
    return "improved" if up == (direction == "higher") else "worsened"


CONFOUND_TEXT = {
    ("no locomotor control", None): "no open-field data at this treatment, dose and "
        "regimen: the FST result cannot be separated from a locomotor effect",
    ("no locomotor control", NOT_TESTED): "open-field group too small to test: the FST "
        "result cannot be separated from a locomotor effect",
    ("possible stimulant artefact", "improved"): "locomotion increased: the lower "
        "immobility may reflect general hyperactivity, not an antidepressant-like effect",
    ("possible stimulant artefact", None): "locomotion increased: FST immobility is "
        "confounded by a stimulant effect",
    ("sedation", "improved"): "locomotion decreased: the FST improvement occurred despite "
        "sedation, so it is a conservative estimate",
    ("sedation", None): "locomotion decreased: sedation can mask an antidepressant-like "
        "effect, so a negative FST result is uninterpretable",
    ("specific", None): "FST improved with locomotion unchanged: antidepressant-like "
        "effect not explained by locomotor activity",
    ("no antidepressant-like effect", None): "FST not improved and locomotion unchanged",
    ("FST not tested", None): "FST group too small to test; locomotion unchanged",
}


def classify_confound(fst_effect: str, locomotor_effect: str) -> tuple:
    """(classification, interpretation) for one dose × regimen.

    no open-field comparison or untested open-field group → "no locomotor control";
    locomotion increased → "possible stimulant artefact"; decreased → "sedation";
    unchanged: FST improved → "specific", FST untested → "FST not tested",
    otherwise → "no antidepressant-like effect".
    """
    if locomotor_effect in ("no data", NOT_TESTED):
        cls = "no locomotor control"
        key = NOT_TESTED if locomotor_effect == NOT_TESTED else None
    elif locomotor_effect == "increased":
        cls = "possible stimulant artefact"
        key = "improved" if fst_effect == "improved" else None
    elif locomotor_effect == "decreased":
        cls = "sedation"
        key = "improved" if fst_effect == "improved" else None
    elif fst_effect == "improved":
        cls, key = "specific", None
    elif fst_effect == NOT_TESTED:
        cls, key = "FST not tested", None
    else:
        cls, key = "no antidepressant-like effect", None
    return cls, CONFOUND_TEXT[(cls, key)]


def classify_confounds(fst_comparisons: pd.DataFrame, open_field_comparisons=None,
                       alpha: float = 0.05, open_field_summary=None) -> pd.DataFrame:
    """Set every FST dose × regimen beside the open-field effect at the same
    treatment, dose and regimen and classify it.

    A result is "changed" when its adjusted p (from the chosen post hoc test)
    is ≤ *alpha* (config ``behaviour.alpha``, 0.05); the sign of the
    difference from vehicle gives the direction. FST "improved" means changed
    in the FST direction (lower immobility).

    Columns (:data:`CONFOUND_COLUMNS`):
      regimen, treatment, dose_mg_kg — the FST dose group;
      fst_endpoint, fst_n, fst_diff_vs_vehicle, fst_p_adj, fst_hedges_g, fst_method
      — the FST comparison with vehicle;
      fst_effect — improved | worsened | no change | not tested;
      open_field_n, open_field_diff_vs_vehicle (cm), open_field_pct_change_vs_vehicle
      (100·diff / vehicle mean, when *open_field_summary* gives the vehicle mean),
      open_field_p_adj, open_field_hedges_g, open_field_method — the open-field
      comparison at the same group (NaN/empty when there is none);
      locomotor_effect — increased | decreased | no change | not tested | no data;
      alpha — the threshold used;
      classification — specific | possible stimulant artefact | sedation |
      no locomotor control | no antidepressant-like effect | FST not tested
      (see :func:`classify_confound`);
      interpretation — one sentence for the report.
    """
    of = open_field_comparisons if open_field_comparisons is not None else pd.DataFrame(
        columns=COMPARISON_COLUMNS)
    vehicle_means = {}
    if open_field_summary is not None and len(open_field_summary):
        # The vehicle group's label is its treatment; dose groups add the dose.
        veh = open_field_summary[open_field_summary["group"]
                                 == open_field_summary["treatment"]]
        vehicle_means = dict(zip(veh["regimen"], veh["mean"]))
    rows = []
    for _, fst in fst_comparisons.iterrows():
        match = of[(of["regimen"] == fst["regimen"]) & (of["treatment"] == fst["treatment"])
                   & np.isclose(of["dose_mg_kg"].astype(float), float(fst["dose_mg_kg"]))]
        of_row = match.iloc[0] if len(match) else None
        fst_effect = _effect(fst, alpha, "lower")
        loco = _effect(of_row, alpha, None)
        cls, text = classify_confound(fst_effect, loco)
        of_value = (lambda col: of_row[col] if of_row is not None else np.nan)
        veh_mean = vehicle_means.get(fst["regimen"], np.nan)
        diff = of_value("diff_vs_vehicle")
        rows.append({
            "regimen": fst["regimen"], "treatment": fst["treatment"],
            "dose_mg_kg": fst["dose_mg_kg"], "fst_endpoint": fst["endpoint"],
            "fst_n": fst["n"], "fst_diff_vs_vehicle": fst["diff_vs_vehicle"],
            "fst_p_adj": fst["p_adj"], "fst_hedges_g": fst["hedges_g"],
            "fst_method": fst["method"], "fst_effect": fst_effect,
            "open_field_n": of_value("n"), "open_field_diff_vs_vehicle": diff,
            "open_field_pct_change_vs_vehicle": (100 * diff / veh_mean
                                                 if veh_mean and not pd.isna(veh_mean)
                                                 else np.nan),
            "open_field_p_adj": of_value("p_adj"),
            "open_field_hedges_g": of_value("hedges_g"),
            "open_field_method": of_row["method"] if of_row is not None else "",
            "locomotor_effect": loco, "alpha": alpha, "classification": cls,
            "interpretation": text,
        })
    return pd.DataFrame(rows, columns=CONFOUND_COLUMNS)


def battery_flags(tests_present, regimens_present) -> pd.DataFrame:
    """Battery-level design flags (seed Section 1 troubleshooting).

    single_model_reliance — FST is the only test analysed;
    acute_only_design — no test has a chronic regimen;
    no_locomotor_control — no open-field test (every FST result is then
    "no locomotor control"). Columns: flag, raised (bool), detail.
    """
    tests = sorted(set(tests_present))
    regimens = sorted(set(regimens_present))
    return pd.DataFrame([
        {"flag": "single_model_reliance", "raised": tests == ["fst"],
         "detail": "tests analysed: " + (", ".join(tests) or "none")
         + ("; the FST alone is a predictive screen, not a model of depression: add "
            "sucrose preference / elevated plus maze" if tests == ["fst"] else "")},
        {"flag": "acute_only_design", "raised": "chronic" not in regimens,
         "detail": "regimens: " + (", ".join(regimens) or "none")
         + ("; clinical effects need weeks of dosing: add a chronic regimen"
            if "chronic" not in regimens else "")},
        {"flag": "no_locomotor_control", "raised": "open_field" not in tests,
         "detail": ("no open-field test: sedation/stimulant confounds cannot be checked"
                    if "open_field" not in tests else "open field present")},
    ], columns=BATTERY_FLAG_COLUMNS)


def battery_outputs(comparisons_by_test: dict, summaries_by_test: dict,
                    alpha: float = 0.05) -> tuple:
    """Study-level confound table and battery flags from the per-test results
    (dicts test -> comparisons / summary DataFrame). Without an FST the
    confound table is empty; without an open field every FST row is
    "no locomotor control"."""
    empty = pd.DataFrame(columns=COMPARISON_COLUMNS)
    confounds = classify_confounds(comparisons_by_test.get("fst", empty),
                                   comparisons_by_test.get("open_field"), alpha,
                                   summaries_by_test.get("open_field"))
    regimens = set()
    for summary in summaries_by_test.values():
        regimens |= set(summary["regimen"])
    return confounds, battery_flags(summaries_by_test.keys(), regimens)


# --------------------------------------------------------------------------
# Figure
# --------------------------------------------------------------------------

def prism_stars(p) -> str:
    """GraphPad Prism's significance summary: **** p ≤ 0.0001, *** ≤ 0.001,
    ** ≤ 0.01, * ≤ 0.05, "ns" otherwise, "" when not tested."""
    if p is None or pd.isna(p):
        return ""
    for threshold, stars in ((1e-4, "****"), (1e-3, "***"), (1e-2, "**"), (0.05, "*")):
        if p <= threshold:
            return stars
    return "ns"


TEST_TITLES = {"fst": "Forced swim test", "open_field": "Open field",
               "sucrose_preference": "Sucrose preference",
               "elevated_plus_maze": "Elevated plus maze"}
REGIMEN_STYLE = {"acute": ("#1f77b4", "o"), "chronic": ("#d62728", "s")}


def plot_test(long: pd.DataFrame, comparisons: pd.DataFrame, treatments=None,
              seed: int = 0):
    """One figure per test, one panel per endpoint: analysed animals as points
    (deterministic horizontal jitter from ``default_rng(seed)``), mean ± SD
    as a bar with whiskers, groups on the x axis (vehicle first, then doses
    ascending per treatment), regimens side by side within each group, and
    Prism stars from the comparisons' adjusted p above each dose group
    ("n<3" marks groups too small to test)."""
    import matplotlib.pyplot as plt

    analysed = long[~long["excluded"]]
    endpoints = list(long["endpoint"].unique())
    n_groups = max(len(group_order(long[long["endpoint"] == e], treatments))
                   for e in endpoints)
    panel_width = max(4.5, 1.2 + 1.0 * n_groups)
    fig, axes = plt.subplots(1, len(endpoints), figsize=(panel_width * len(endpoints), 4.2),
                             squeeze=False)
    rng = np.random.default_rng(seed)
    regimens = [r for r in VALID_REGIMENS if (long["regimen"] == r).any()]
    width = 0.38 if len(regimens) > 1 else 0.0
    for ax, endpoint in zip(axes[0], endpoints):
        part = analysed[analysed["endpoint"] == endpoint]
        groups = group_order(long[long["endpoint"] == endpoint], treatments)
        top = part["value"].max() if len(part) else 1.0
        top = top if np.isfinite(top) and top > 0 else 1.0
        for gi, group in enumerate(groups):
            for ri, regimen in enumerate(regimens):
                x0 = gi + (ri - (len(regimens) - 1) / 2) * width
                values = _group_values(part[part["regimen"] == regimen], group)["value"]
                values = values.to_numpy(float)
                if values.size == 0:
                    continue
                colour, marker = REGIMEN_STYLE[regimen]
                mean = values.mean()
                sd = values.std(ddof=1) if values.size > 1 else 0.0
                ax.bar(x0, mean, width=0.32 if width else 0.6, color=colour, alpha=0.18,
                       edgecolor=colour, linewidth=0.8, zorder=1)
                ax.errorbar(x0, mean, yerr=sd, color=colour, capsize=4, linewidth=1.2,
                            zorder=3)
                jitter = rng.uniform(-0.07, 0.07, values.size)
                ax.scatter(x0 + jitter, values, s=14, color=colour, marker=marker,
                           edgecolor="white", linewidth=0.4, zorder=4)
                if group.is_vehicle:
                    continue
                match = comparisons[(comparisons["endpoint"] == endpoint)
                                    & (comparisons["regimen"] == regimen)
                                    & (comparisons["treatment"] == group.treatment)
                                    & np.isclose(comparisons["dose_mg_kg"].astype(float),
                                                 group.dose_mg_kg)]
                text = ""
                if len(match):
                    r = match.iloc[0]
                    text = prism_stars(r["p_adj"]) or (
                        "n<3" if str(r["method"]).startswith(NOT_TESTED) else "")
                if text:
                    y = max(values.max(), mean + sd) + 0.05 * top
                    ax.text(x0, y, text, ha="center", va="bottom",
                            fontsize=9 if "*" in text else 7, color=colour)
        ax.set_xticks(range(len(groups)))
        ax.set_xticklabels(["Vehicle" if g.is_vehicle else f"{g.treatment}\n{g.dose_mg_kg:g}"
                            for g in groups], fontsize=8)
        ax.set_xlabel("Dose (mg/kg)")
        label = long.loc[long["endpoint"] == endpoint, "label"].iloc[0]
        ax.set_ylabel(label)
        ax.set_ylim(bottom=0, top=top * 1.25)
        ax.spines[["top", "right"]].set_visible(False)
    handles = [plt.Line2D([], [], color=REGIMEN_STYLE[r][0], marker=REGIMEN_STYLE[r][1],
                          linestyle="", label=r) for r in regimens]
    axes[0][-1].legend(handles=handles, title="Regimen", frameon=False, fontsize=8,
                       loc="upper left", bbox_to_anchor=(1.0, 1.0))
    test = long["test"].iloc[0]
    fig.suptitle(f"{TEST_TITLES.get(test, test)}: bars = mean ± SD, points = animals",
                 fontsize=10)
    fig.tight_layout()
    return fig

"""Conventions shared by the PK modules: routes, the keys of a profile and of
a dose group, units, the confidence level, and the column order of every
output table.

* A *profile* is one animal x analyte x route x dose (x species); a *group*
  is species x analyte x route x dose.
* Routes: ``iv`` is an IV bolus; ``po``, ``ip`` and ``sc`` are extravascular.
  For extravascular routes CL and Vz are apparent values, CL/F and Vz/F; the
  columns ``cl_L_h_kg`` and ``vz_L_kg`` hold CL/F and Vz/F for those rows.
* Units: time h, concentration ng/mL, dose mg/kg, AUC ng*h/mL,
  AUMC ng*h^2/mL, CL L/h/kg, Vz L/kg. ``CL = 1000 * dose / AUCinf`` because
  1 mg/kg / (1 ng*h/mL) = 1e6 ng/kg / (1 ng*h/mL) = 1e6 mL/h/kg = 1000 L/h/kg.
* Destructive groups are reported as one row with ``animal_id`` =
  :data:`MEAN_PROFILE_ID`.
"""

from __future__ import annotations

IV_ROUTES = frozenset({"iv"})
EXTRAVASCULAR_ROUTES = frozenset({"po", "ip", "sc"})
PROFILE_KEYS = ["species", "animal_id", "analyte", "route", "dose_mg_kg"]
GROUP_KEYS = ["species", "analyte", "route", "dose_mg_kg"]
MEAN_PROFILE_ID = "mean_profile"

# 1 mg/kg divided by 1 ng*h/mL is 1000 L/h/kg (see the module docstring).
CL_UNIT_FACTOR = 1000.0

# Every confidence interval of the PK tables (F, dose-proportionality slope)
# is two-sided at this level.
CI_LEVEL = 0.95


def group_row_keys(keys) -> dict:
    """The :data:`GROUP_KEYS` of a ``groupby(GROUP_KEYS)`` key as a dict."""
    return dict(zip(GROUP_KEYS, keys))


# --------------------------------------------------------------------------
# Column order of the output tables

NCA_COLUMNS = [
    "animal_id", "species", "route", "dose_mg_kg", "analyte",
    "cmax_ng_mL", "tmax_h", "clast_ng_mL", "tlast_h", "c0_ng_mL",
    "auc_last_ng_h_mL", "auc_inf_ng_h_mL", "auc_pct_extrap",
    "lambda_z_per_h", "t_half_h", "lambda_z_n_points", "lambda_z_adj_r2",
    "span_ratio", "cl_L_h_kg", "vz_L_kg", "mrt_h",
    "lambda_z_start_h", "lambda_z_end_h", "cmax_per_dose",
    "auc_inf_per_dose", "aumc_inf_ng_h2_mL", "vss_L_kg",
    "auc_pct_back_extrap", "flags",
]  # fmt: skip

# λz-derived values: blank (not reportable) when the fit fails the
# acceptance rules (scripts.pk.profile).
LAMBDA_Z_DERIVED = [
    "lambda_z_per_h", "t_half_h", "auc_inf_ng_h_mL", "auc_pct_extrap",
    "cl_L_h_kg", "vz_L_kg", "mrt_h", "auc_inf_per_dose",
    "aumc_inf_ng_h2_mL", "vss_L_kg", "auc_pct_back_extrap",
]  # fmt: skip


def partial_auc_column(start_h, end_h) -> str:
    """Column of the partial AUC from *start_h* to *end_h*, e.g.
    ``auc_0_24_ng_h_mL`` (a decimal point written ``p``: ``auc_0_0p5_ng_h_mL``)."""
    return f"auc_{start_h:g}_{end_h:g}_ng_h_mL".replace(".", "p")


def nca_columns(partial_intervals=()) -> list[str]:
    """``nca.csv`` columns: :data:`NCA_COLUMNS` with one partial AUC column
    per configured ``[start, end]`` interval before ``flags``."""
    extra = [partial_auc_column(a, b) for a, b in partial_intervals]
    return NCA_COLUMNS[:-1] + extra + ["flags"]


INTERVAL_COLUMNS = [
    "animal_id", "analyte", "dose_number", "start_h", "end_h", "tau_h",
    "auc_tau_ng_h_mL", "cmax_ng_mL", "tmax_h", "cmin_ng_mL",
    "ctrough_ng_mL", "cav_ng_mL", "fluctuation_pct", "swing",
    "accumulation_ratio_observed", "accumulation_ratio_predicted",
]  # fmt: skip

LAMBDA_Z_POINT_COLUMNS = [
    "species", "animal_id", "analyte", "route", "dose_mg_kg", "time_h",
    "concentration_ng_mL", "used_in_lambda_z", "lambda_z_per_h",
    "lambda_z_intercept",
]  # fmt: skip

SPARSE_COLUMNS = GROUP_KEYS + ["n_animals", "auc_last_ng_h_mL", "auc_last_se", "auc_last_df"]

SUMMARY_COLUMNS = [
    "species", "analyte", "route", "dose_mg_kg", "design", "parameter",
    "unit", "statistic", "n", "n_profiles", "value", "spread_statistic",
    "spread", "minimum", "maximum",
]  # fmt: skip

BIOAVAILABILITY_COLUMNS = [
    "analyte", "route", "dose_mg_kg", "reference_route",
    "reference_dose_mg_kg", "f", "f_ci_low", "f_ci_high", "method",
    "n_test", "n_reference",
]  # fmt: skip

METABOLITE_COLUMNS = [
    "species", "analyte", "parent", "route", "dose_mg_kg", "n_animals",
    "n_animals_quantifiable", "detection", "ratio_basis", "n_ratio",
    "ratio_geometric_mean", "ratio_geo_cv_pct", "ratio_min", "ratio_max",
    "auc_metric", "route_ratio_reference", "route_ratio", "route_ratio_ci_low",
    "route_ratio_ci_high", "route_ratio_method",
]  # fmt: skip

DETECTABILITY_COLUMNS = [
    "species", "analyte", "n_animals", "n_animals_quantifiable",
    "n_samples", "n_samples_quantifiable", "max_concentration_ng_mL",
    "lloq_ng_mL", "detection",
]  # fmt: skip

DOSE_PROPORTIONALITY_COLUMNS = [
    "species", "analyte", "route", "parameter", "doses_mg_kg", "n_doses",
    "n_animals", "slope", "slope_ci_low", "slope_ci_high", "conclusion",
    "method", "dose_ratio", "smith_ci_level", "smith_ci_low", "smith_ci_high",
    "smith_low", "smith_high",
]  # fmt: skip


# The config keys each rule reads (workflow/rules/pk.smk passes exactly these,
# so a changed value reruns only the jobs that use it). Here, beside the other
# conventions, so that the workflow can read them without importing scipy.
NCA_SETTINGS = (
    "auc_method",
    "max_auc_pct_extrap",
    "min_lambda_z_points",
    "min_lambda_z_adj_r2",
    "min_span_ratio",
    "blq_first",
    "blq_middle",
    "blq_last",
    "lambda_z_require_span",
    "partial_auc_intervals_h",
)
BIOAVAILABILITY_SETTINGS = ("max_auc_pct_extrap", "f_ci_method", "bootstrap_samples", "seed")
DOSE_PROPORTIONALITY_SETTINGS = ("dose_proportionality_theta", "dose_proportionality_ci_level")
AGGREGATE_SETTINGS = BIOAVAILABILITY_SETTINGS + DOSE_PROPORTIONALITY_SETTINGS + ("partial_auc_intervals_h",)

"""Pharmacokinetics: non-compartmental analysis (NCA), bioavailability,
dose proportionality and metabolites.

Pure functions: validated PK tables (:func:`scripts.validation.validate_pk`)
and the ``pk`` config section in, DataFrames (or matplotlib figures) out.

Modules, by concern:

* :mod:`~scripts.pk.nca` – the ``pk_nca`` rule: NCA of every profile of a
  PK file, with its rules in :mod:`~scripts.pk.auc` (BLQ, time zero,
  AUC/AUMC), :mod:`~scripts.pk.lambda_z` (terminal phase, t½, AUCinf, MRT,
  CL, Vz), :mod:`~scripts.pk.profile` (one profile, flags) and
  :mod:`~scripts.pk.sparse` (destructive designs, Bailer's SE);
* :mod:`~scripts.pk.intervals` – dosing intervals of multiple-dose
  profiles (``intervals.csv``, from ``pk/dosing.csv``);
* :mod:`~scripts.pk.aggregate` – the ``pk_aggregate`` rule: study-level
  tables from :mod:`~scripts.pk.summary`, :mod:`~scripts.pk.bioavailability`,
  :mod:`~scripts.pk.dose_proportionality` and :mod:`~scripts.pk.metabolites`;
* :mod:`~scripts.pk.figures` – concentration-time and λz diagnostic figures;
* :mod:`~scripts.pk.conventions` – routes, keys, units, output columns.
"""

from scripts.pk.auc import (
    add_time_zero,
    apply_blq_rules,
    auc_segments,
    auc_to_tlast,
    aumc_segments,
    aumc_to_tlast,
    back_extrapolate_c0,
    interpolate_conc,
    partial_auc,
)
from scripts.pk.bioavailability import (
    bioavailability_table,
    bootstrap_ratio_ci,
    crossover_ci,
    fieller_ci,
    satterthwaite_df,
)
from scripts.pk.conventions import (
    BIOAVAILABILITY_COLUMNS,
    CI_LEVEL,
    DETECTABILITY_COLUMNS,
    DOSE_PROPORTIONALITY_COLUMNS,
    LAMBDA_Z_POINT_COLUMNS,
    METABOLITE_COLUMNS,
    NCA_COLUMNS,
    SPARSE_COLUMNS,
    SUMMARY_COLUMNS,
)
from scripts.pk.dose_proportionality import dose_proportionality_table, power_model
from scripts.pk.figures import plot_concentration_time, plot_lambda_z_diagnostics
from scripts.pk.lambda_z import fit_lambda_z
from scripts.pk.metabolites import detectability_table, metabolite_table
from scripts.pk.nca import interval_table, lambda_z_points, nca_outputs, nca_table, sparse_auc_table
from scripts.pk.sparse import bailer_auc
from scripts.pk.summary import geometric_cv_pct, geometric_mean, summary_table

__all__ = [
    "BIOAVAILABILITY_COLUMNS",
    "CI_LEVEL",
    "DETECTABILITY_COLUMNS",
    "DOSE_PROPORTIONALITY_COLUMNS",
    "LAMBDA_Z_POINT_COLUMNS",
    "METABOLITE_COLUMNS",
    "NCA_COLUMNS",
    "SPARSE_COLUMNS",
    "SUMMARY_COLUMNS",
    "add_time_zero",
    "apply_blq_rules",
    "auc_segments",
    "auc_to_tlast",
    "aumc_segments",
    "aumc_to_tlast",
    "back_extrapolate_c0",
    "bailer_auc",
    "bioavailability_table",
    "bootstrap_ratio_ci",
    "crossover_ci",
    "detectability_table",
    "dose_proportionality_table",
    "fieller_ci",
    "fit_lambda_z",
    "geometric_cv_pct",
    "geometric_mean",
    "interpolate_conc",
    "interval_table",
    "lambda_z_points",
    "metabolite_table",
    "nca_outputs",
    "nca_table",
    "partial_auc",
    "plot_concentration_time",
    "plot_lambda_z_diagnostics",
    "power_model",
    "satterthwaite_df",
    "sparse_auc_table",
    "summary_table",
]

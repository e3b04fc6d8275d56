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

# Imported on first use (PEP 562): a job that needs one module (e.g. rule
# pk_nca) does not pay for the others' imports (scipy.stats in the
# aggregate's modules).
_EXPORTS = {
    "BIOAVAILABILITY_COLUMNS": "scripts.pk.conventions",
    "CI_LEVEL": "scripts.pk.conventions",
    "DETECTABILITY_COLUMNS": "scripts.pk.conventions",
    "DOSE_PROPORTIONALITY_COLUMNS": "scripts.pk.conventions",
    "LAMBDA_Z_POINT_COLUMNS": "scripts.pk.conventions",
    "METABOLITE_COLUMNS": "scripts.pk.conventions",
    "NCA_COLUMNS": "scripts.pk.conventions",
    "SPARSE_COLUMNS": "scripts.pk.conventions",
    "SUMMARY_COLUMNS": "scripts.pk.conventions",
    "add_time_zero": "scripts.pk.auc",
    "apply_blq_rules": "scripts.pk.auc",
    "auc_segments": "scripts.pk.auc",
    "auc_to_tlast": "scripts.pk.auc",
    "aumc_segments": "scripts.pk.auc",
    "aumc_to_tlast": "scripts.pk.auc",
    "back_extrapolate_c0": "scripts.pk.auc",
    "bailer_auc": "scripts.pk.sparse",
    "bioavailability_table": "scripts.pk.bioavailability",
    "bootstrap_ratio_ci": "scripts.pk.bioavailability",
    "crossover_ci": "scripts.pk.bioavailability",
    "detectability_table": "scripts.pk.metabolites",
    "dose_proportionality_table": "scripts.pk.dose_proportionality",
    "fieller_ci": "scripts.pk.bioavailability",
    "fit_lambda_z": "scripts.pk.lambda_z",
    "geometric_cv_pct": "scripts.pk.summary",
    "geometric_mean": "scripts.pk.summary",
    "interpolate_conc": "scripts.pk.auc",
    "interval_table": "scripts.pk.nca",
    "lambda_z_points": "scripts.pk.nca",
    "metabolite_table": "scripts.pk.metabolites",
    "nca_outputs": "scripts.pk.nca",
    "nca_table": "scripts.pk.nca",
    "partial_auc": "scripts.pk.auc",
    "plot_concentration_time": "scripts.pk.figures",
    "plot_lambda_z_diagnostics": "scripts.pk.figures",
    "power_model": "scripts.pk.dose_proportionality",
    "satterthwaite_df": "scripts.pk.bioavailability",
    "sparse_auc_table": "scripts.pk.nca",
    "summary_table": "scripts.pk.summary",
}


def __getattr__(name):
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = sorted(_EXPORTS)

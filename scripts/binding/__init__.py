"""Radioligand binding: specific binding, competition-curve fits, Cheng–Prusoff
Ki, saturation Kd/Bmax, species comparison and selectivity.

Modules, by concern (each rule's code is in the module named after it):

* :mod:`~scripts.binding.models` – the 4PL / one-site and saturation
  equations, lmfit set-up, the fit of one curve and the model comparison
  (F test and AICc);
* :mod:`~scripts.binding.fit_statistics` – goodness of fit, AICc, t-based CIs
  and search-limit checks shared by every binding fit;
* :mod:`~scripts.binding.specific` – specific binding and replicate CV;
* :mod:`~scripts.binding.flags` – quality flags of a fitted curve;
* :mod:`~scripts.binding.fitting` – all curves of one assay file (``binding_fit``);
* :mod:`~scripts.binding.saturation` – one saturation file (``binding_saturation_fit``);
* :mod:`~scripts.binding.twosite` – the two-site competition model, its fit and verdict;
* :mod:`~scripts.binding.aggregate` – study Ki, Cheng–Prusoff, Kd source (``binding_aggregate``);
* :mod:`~scripts.binding.pooling` – independent experiments pooled (mean pKi ± SEM, Welch t);
* :mod:`~scripts.binding.species` – species comparison and selectivity;
* :mod:`~scripts.binding.figures` – the SVG figures.

Every function takes validated tables (:mod:`scripts.validation`) and the
settings it uses, and returns DataFrames or figures; it does not check its
input again. The public names are re-exported here.
"""

from scripts.binding.aggregate import KI_COLUMNS, aggregate_ki, cheng_prusoff_ki
from scripts.binding.figures import (
    confidence_band,
    plot_assay_curves,
    plot_pki_by_receptor,
    plot_saturation,
    plot_species_overlay,
)
from scripts.binding.fit_statistics import aicc
from scripts.binding.fitting import FIT_COLUMNS, covariance_from_row, fit_assay
from scripts.binding.flags import (
    FLAG_FAILED,
    FLAG_IC50_OUTSIDE,
    FLAG_INSUFFICIENT,
    FLAG_KD_UNAVAILABLE,
    FLAG_NO_ERRORBARS,
    FLAG_NO_WINDOW,
    PLATEAU_FRACTION,
    curve_flags,
    data_flags,
    plateau_flags,
)
from scripts.binding.models import (
    HILL_SLOPE_LIMIT,
    MODELS,
    ONE_SITE,
    PARAMS,
    SATURATION_PARAMS,
    VARIABLE_SLOPE,
    compare_models,
    fit_four_pl,
    four_pl,
    four_pl_gradient,
    initial_guess,
    saturation_total_nsb,
)
from scripts.binding.pooling import (
    FLAG_SINGLE_EXPERIMENT,
    KI_SUMMARY_COLUMNS,
    ki_summary,
    pooled_pki,
    welch_difference,
)
from scripts.binding.saturation import (
    SATURATION_COLUMNS,
    SATURATION_FIT_COLUMNS,
    fit_saturation_assay,
    fit_saturation_curve,
    saturation_table,
)
from scripts.binding.species import selectivity_profile, species_comparison
from scripts.binding.specific import binding_controls, replicate_cv_pct, specific_binding
from scripts.binding.twosite import (
    FLAG_TWO_SITE_AMBIGUOUS,
    TWO_SITE,
    TWO_SITE_PARAMS,
    compare_two_site,
    fit_two_site,
    two_site,
    two_site_gradient,
)

__all__ = [
    "FLAG_SINGLE_EXPERIMENT",
    "FLAG_TWO_SITE_AMBIGUOUS",
    "KI_SUMMARY_COLUMNS",
    "TWO_SITE",
    "TWO_SITE_PARAMS",
    "compare_two_site",
    "fit_two_site",
    "ki_summary",
    "pooled_pki",
    "two_site",
    "two_site_gradient",
    "welch_difference",
    "FIT_COLUMNS",
    "FLAG_FAILED",
    "FLAG_IC50_OUTSIDE",
    "FLAG_INSUFFICIENT",
    "FLAG_KD_UNAVAILABLE",
    "FLAG_NO_ERRORBARS",
    "FLAG_NO_WINDOW",
    "HILL_SLOPE_LIMIT",
    "KI_COLUMNS",
    "MODELS",
    "ONE_SITE",
    "PARAMS",
    "PLATEAU_FRACTION",
    "SATURATION_COLUMNS",
    "SATURATION_FIT_COLUMNS",
    "SATURATION_PARAMS",
    "VARIABLE_SLOPE",
    "aggregate_ki",
    "aicc",
    "binding_controls",
    "cheng_prusoff_ki",
    "compare_models",
    "confidence_band",
    "covariance_from_row",
    "curve_flags",
    "data_flags",
    "fit_assay",
    "fit_four_pl",
    "fit_saturation_assay",
    "fit_saturation_curve",
    "four_pl",
    "four_pl_gradient",
    "initial_guess",
    "plateau_flags",
    "plot_assay_curves",
    "plot_pki_by_receptor",
    "plot_saturation",
    "plot_species_overlay",
    "replicate_cv_pct",
    "saturation_table",
    "saturation_total_nsb",
    "selectivity_profile",
    "species_comparison",
    "specific_binding",
]

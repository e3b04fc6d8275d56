"""Study-level PK tables from the per-file NCA results: the ``pk_aggregate``
rule.

Across animals (details in each function's docstring):

* Summaries per species x analyte x route x dose: geometric mean and
  geometric CV% for exposure and clearance-type parameters, median and range
  for Tmax, arithmetic mean and SD for t½ and %extrapolated
  (:func:`scripts.pk.summary.summary_table`).
* F = (AUC_test/Dose_test)/(AUC_iv/Dose_iv) for every extravascular route x
  dose against each IV dose: crossover (same animals) -> t-interval of the
  per-animal log ratio; parallel groups -> Fieller (default) or a seeded
  bootstrap over animals. AUCinf when acceptable for every profile, else
  AUClast. The method is written into the output
  (:func:`scripts.pk.bioavailability.bioavailability_table`).
* Dose proportionality: power model, slope of ln(AUC or Cmax) on ln(dose),
  judged by Smith et al. (2000) (:func:`scripts.pk.dose_proportionality.dose_proportionality_table`).
* Metabolite/parent AUClast ratios per animal and metabolite route ratios
  (extravascular/IV dose-normalised AUClast: exposure ratios, not F; the
  bioavailability table holds the parent only); detectability per analyte.
  An analyte BLQ throughout is "not detected", never zero exposure
  (:mod:`scripts.pk.metabolites`).
"""

from __future__ import annotations

import pandas as pd

from scripts.pk.bioavailability import bioavailability_table
from scripts.pk.conventions import (
    BIOAVAILABILITY_COLUMNS,
    DETECTABILITY_COLUMNS,
    DOSE_PROPORTIONALITY_COLUMNS,
    INTERVAL_COLUMNS,
    METABOLITE_COLUMNS,
    NCA_COLUMNS,
    SUMMARY_COLUMNS,
    nca_columns,
)
from scripts.pk.dose_proportionality import dose_proportionality_table
from scripts.pk.metabolites import detectability_table, metabolite_table
from scripts.pk.summary import summary_table

# The ``pk`` settings the study-level tables use (the pk_aggregate rule
# passes only these).

# Output table -> column order (nca.csv: :func:`table_columns`).
TABLE_COLUMNS = {
    "nca": NCA_COLUMNS,
    "intervals": INTERVAL_COLUMNS,
    "summary": SUMMARY_COLUMNS,
    "bioavailability": BIOAVAILABILITY_COLUMNS,
    "metabolites": METABOLITE_COLUMNS,
    "detectability": DETECTABILITY_COLUMNS,
    "dose_proportionality": DOSE_PROPORTIONALITY_COLUMNS,
}


def table_columns(settings: dict) -> dict[str, list[str]]:
    """:data:`TABLE_COLUMNS` with nca.csv's partial AUC columns of the
    configured ``partial_auc_intervals_h``."""
    return dict(TABLE_COLUMNS, nca=nca_columns(settings["partial_auc_intervals_h"]))


def study_tables(
    data: pd.DataFrame,
    nca: pd.DataFrame,
    sparse: pd.DataFrame,
    settings: dict,
    parent: str,
    intervals: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """Every study-level table, keyed as :data:`TABLE_COLUMNS`.

    *data* is the validated PK tables of the study, *nca* and *sparse* the
    per-file ``nca_table`` and ``sparse_auc_table`` results stacked,
    *settings* the ``pk`` config section (:data:`AGGREGATE_SETTINGS`) and
    *parent* the dosed compound, *intervals* the per-file dosing
    intervals stacked. Empty ``flags`` read back from CSV are written as
    empty text again.
    """
    nca = nca.assign(flags=nca["flags"].fillna(""))
    return {
        "nca": nca,
        "intervals": intervals if intervals is not None else pd.DataFrame(columns=INTERVAL_COLUMNS),
        "summary": summary_table(nca, sparse),
        "bioavailability": bioavailability_table(nca, settings, sparse, parent=parent),
        "metabolites": metabolite_table(nca, parent, settings, sparse),
        "detectability": detectability_table(data),
        "dose_proportionality": dose_proportionality_table(
            nca, settings["dose_proportionality_theta"], settings["dose_proportionality_ci_level"]
        ),
    }

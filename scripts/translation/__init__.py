"""Translation: rat versus human exposure, dose scaling versus exposure
matching, receptor occupancy and translational risk flags.

This step reads ONLY the result tables of the other areas (binding
``ki.csv``; behaviour ``comparisons.csv``, ``confounds.csv`` and
``endpoints.csv``; PK ``nca.csv``, ``bioavailability.csv``,
``metabolites.csv``, ``detectability.csv`` and
``dose_proportionality.csv``), the study inventory, the validated study
metadata and the human reference
(``resources/reference/<compound>_human.yaml`` or the study's own file).
Every function is pure: DataFrames and plain dicts in, DataFrames (or
figures) out. An area that was not provided is passed as ``None``; the
functions then return no rows or a "not assessable" flag row, never an
exception.

Modules: :mod:`~scripts.translation.reference` (human reference and
citations), :mod:`~scripts.translation.design` (what the study contains,
from the inventory), :mod:`~scripts.translation.effective` (tested and
effective doses), :mod:`~scripts.translation.exposure` (rat exposure and
rat/human exposure ratios), :mod:`~scripts.translation.human_exposure`
(human exposure at the clinical doses), :mod:`~scripts.translation.human_pk`
and :mod:`~scripts.translation.human_model` (the human steady-state
profile), :mod:`~scripts.translation.scaling` (dose translation),
:mod:`~scripts.translation.occupancy` (Ki and occupancy),
:mod:`~scripts.translation.species_ki` (human/rat Ki with its CI),
:mod:`~scripts.translation.context` (effect-size context),
:mod:`~scripts.translation.registry` (flag ids, the evidence each flag
cites), :mod:`~scripts.translation.flags`,
:mod:`~scripts.translation.pk_flags` and
:mod:`~scripts.translation.recommendations` (risk flags and design-aware
remedies), :mod:`~scripts.translation.figures`, and
:mod:`~scripts.translation.run` (:func:`translate`, everything the
``translation`` rule writes).
"""

from scripts.translation.common import geometric_mean, norm_name
from scripts.translation.context import CONTEXT_COLUMNS, effect_context
from scripts.translation.design import Design, route_mismatches, study_design
from scripts.translation.effective import (
    EFFECTIVE_COLUMNS,
    effective_doses,
    effective_results,
    efficacy_directions,
    tested_doses,
)
from scripts.translation.exposure import (
    EXPOSURE_COLUMNS,
    EXPOSURE_RATIO_COLUMNS,
    accumulation_factor,
    elimination_rate,
    exposure_ratios,
    parent_nca_groups,
    rat_exposure,
    rat_half_life,
)
from scripts.translation.figures import plot_exposure, plot_occupancy
from scripts.translation.flags import (
    FLAG_COLUMNS,
    NOT_ASSESSABLE,
    flag_acute_only,
    flag_confounds,
    flag_dose_scaling,
    flag_occupancy,
    flag_route_mismatch,
    flag_single_model,
    flag_single_sex,
    flag_species_ki,
    raised,
)
from scripts.translation.human_exposure import human_auc_per_mg, human_exposure
from scripts.translation.occupancy import (
    KI_USED_COLUMNS,
    OCCUPANCY_COLUMNS,
    ki_for_occupancy,
    ng_per_ml_to_nM,
    occupancy,
    occupancy_mismatches,
    occupancy_table,
    receptor_order,
    study_ki,
)
from scripts.translation.pk_flags import (
    flag_bioavailability,
    flag_extrapolation,
    flag_fu_default,
    flag_half_life,
    flag_metabolites,
)
from scripts.translation.reference import (
    OVERRIDE_SOURCE,
    REFERENCE_COLUMNS,
    apply_overrides,
    bibliography,
    check_reference,
    citation,
    citations,
    load_reference,
    ref_range,
    ref_value,
    reference_table,
    species_fu,
    therapeutic_range,
)
from scripts.translation.registry import FLAGS, Evidence
from scripts.translation.run import translate
from scripts.translation.scaling import (
    DOSE_TRANSLATION_COLUMNS,
    dose_translation,
    exposure_matched_dose_mg,
    hed_mg_kg,
)
from scripts.translation.species_ki import SPECIES_KI_COLUMNS, species_ki_table

__all__ = [
    "CONTEXT_COLUMNS",
    "effect_context",
    "FLAGS",
    "SPECIES_KI_COLUMNS",
    "Design",
    "Evidence",
    "bibliography",
    "citation",
    "citations",
    "flag_route_mismatch",
    "flag_single_sex",
    "route_mismatches",
    "species_ki_table",
    "study_design",
    "DOSE_TRANSLATION_COLUMNS",
    "EFFECTIVE_COLUMNS",
    "EXPOSURE_COLUMNS",
    "EXPOSURE_RATIO_COLUMNS",
    "FLAG_COLUMNS",
    "KI_USED_COLUMNS",
    "NOT_ASSESSABLE",
    "OCCUPANCY_COLUMNS",
    "OVERRIDE_SOURCE",
    "REFERENCE_COLUMNS",
    "accumulation_factor",
    "apply_overrides",
    "check_reference",
    "dose_translation",
    "effective_doses",
    "effective_results",
    "efficacy_directions",
    "elimination_rate",
    "exposure_matched_dose_mg",
    "exposure_ratios",
    "flag_acute_only",
    "flag_bioavailability",
    "flag_confounds",
    "flag_dose_scaling",
    "flag_extrapolation",
    "flag_fu_default",
    "flag_half_life",
    "flag_metabolites",
    "flag_occupancy",
    "flag_single_model",
    "flag_species_ki",
    "geometric_mean",
    "hed_mg_kg",
    "human_auc_per_mg",
    "human_exposure",
    "ki_for_occupancy",
    "load_reference",
    "ng_per_ml_to_nM",
    "norm_name",
    "occupancy",
    "occupancy_mismatches",
    "occupancy_table",
    "parent_nca_groups",
    "plot_exposure",
    "plot_occupancy",
    "raised",
    "rat_exposure",
    "rat_half_life",
    "receptor_order",
    "ref_range",
    "ref_value",
    "reference_table",
    "species_fu",
    "study_ki",
    "tested_doses",
    "therapeutic_range",
    "translate",
]

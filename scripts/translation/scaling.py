"""Dose translation: body-surface-area scaling against exposure matching.

HED [mg/kg] = rat dose [mg/kg] x Km_rat / Km_human (FDA 2005 guidance;
config ``km_rat`` / ``km_human``, 6 / 37), x the human body weight
(``human_body_weight_kg``) for mg. Exposure-matched human dose = the human
dose whose unbound AUC equals the rat's unbound AUC at that dose (linear
human PK): D = AUCu_rat / (fu_h x AUC_ref / D_ref). ``ratio`` = HED (mg) /
exposure-matched dose (mg); flagged outside [1/fold, fold]
(``dose_disagreement_fold``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scripts.translation.common import is_empty
from scripts.translation.human_exposure import human_auc_per_mg

DOSE_TRANSLATION_COLUMNS = [
    "rat_dose_mg_kg",
    "route",
    "hed_bsa_mg_kg",
    "hed_bsa_mg",
    "exposure_matched_human_dose_mg",
    "ratio",
]


def hed_mg_kg(animal_dose_mg_kg, km_animal, km_human):
    """Human-equivalent dose by body-surface area (FDA 2005):
    animal mg/kg x Km_animal / Km_human (rat 6, human 37)."""
    return np.asarray(animal_dose_mg_kg, float) * float(km_animal) / float(km_human)


def exposure_matched_dose_mg(rat_auc_unbound, human_auc_unbound_per_mg):
    """Human dose (mg) giving the same unbound AUC as the rat (linear human
    PK: AUCu(D) = D x AUCu per mg)."""
    return np.asarray(rat_auc_unbound, float) / float(human_auc_unbound_per_mg)


def dose_translation(
    rat: pd.DataFrame, reference, fu_human, *, km_rat, km_human, human_body_weight_kg
) -> pd.DataFrame:
    """Per rat dose x route: HED by body-surface area (mg/kg and mg at the
    human body weight), the exposure-matched human dose (same unbound AUC)
    and ``ratio`` = HED mg / exposure-matched mg."""
    if is_empty(rat):
        return pd.DataFrame(columns=DOSE_TRANSLATION_COLUMNS)
    hed = hed_mg_kg(rat["dose"].astype(float), km_rat, km_human)
    per_mg = fu_human * human_auc_per_mg(reference)
    matched = exposure_matched_dose_mg(rat["auc_unbound_ng_h_mL"].astype(float), per_mg)
    out = pd.DataFrame(
        {
            "rat_dose_mg_kg": rat["dose"].astype(float).to_numpy(),
            "route": rat["route"].to_numpy(),
            "hed_bsa_mg_kg": hed,
            "hed_bsa_mg": hed * float(human_body_weight_kg),
            "exposure_matched_human_dose_mg": np.asarray(matched, float),
        }
    )
    out["ratio"] = out["hed_bsa_mg"] / out["exposure_matched_human_dose_mg"]
    return out[DOSE_TRANSLATION_COLUMNS]

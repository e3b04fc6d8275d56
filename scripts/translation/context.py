"""Effect-size context (``effect_context.csv``): the rat Hedges g at each
effective dose beside the clinical effect of the reference (drug against
placebo), each with what it measures and its source.

They measure different things (a standardised mean difference of a rat
behaviour against vehicle; a response odds ratio or a standardised
difference on a depression rating scale in patients): they are listed side
by side, and nothing is derived from their ratio.
"""

from __future__ import annotations

import pandas as pd

from scripts.translation.common import compound_rows, is_empty
from scripts.translation.reference import citations

CONTEXT_COLUMNS = ["species", "measure", "what", "value", "ci_low", "ci_high", "source", "confirmed"]

#: Clinical context records of the reference shown, with what they measure.
CLINICAL_MEASURES = {
    "effect_size_sd": "standardised mean difference vs placebo on a depression rating scale",
    "response_odds_ratio": "odds ratio of response vs placebo",
    "response_rate_mirtazapine": "response rate on drug",
    "response_rate_placebo": "response rate on placebo",
}


def effect_context(effective: pd.DataFrame, comparisons, compound, reference, bib) -> pd.DataFrame:
    """Rows (columns :data:`CONTEXT_COLUMNS`): one per effective rat result
    (Hedges g with its CI from ``comparisons.csv``) and one per clinical
    measure of the reference's ``clinical_context`` (a record without a
    value is left out; "source" is rendered "Author et al. YEAR")."""
    rows = []
    comp = compound_rows(comparisons, compound)
    for _, e in (effective if not is_empty(effective) else pd.DataFrame()).iterrows():
        match = comp[
            (comp["test"] == e["test"])
            & (comp["endpoint"] == e["endpoint"])
            & (comp["regimen"] == e["regimen"])
            & (comp["dose_mg_kg"].astype(float) == float(e["dose_mg_kg"]))
        ]
        r = match.iloc[0] if len(match) else e
        rows.append(
            {
                "species": "rat",
                "measure": f"Hedges g, {e['test']} {e['endpoint']}, {float(e['dose_mg_kg']):g} mg/kg {e['regimen']}",
                "what": "standardised mean difference vs vehicle (rat behaviour)",
                "value": float(e["hedges_g"]),
                "ci_low": float(r.get("hedges_g_ci_low", float("nan"))),
                "ci_high": float(r.get("hedges_g_ci_high", float("nan"))),
                "source": "this study (behaviour comparisons)",
                "confirmed": True,
            }
        )
    context = (reference or {}).get("clinical_context") or {}
    for key, what in CLINICAL_MEASURES.items():
        record = context.get(key)
        if not isinstance(record, dict) or record.get("value") is None:
            continue
        ci = record.get("cri_95") or record.get("ci_95") or [float("nan"), float("nan")]
        rows.append(
            {
                "species": "human",
                "measure": key,
                "what": what + (f" ({record['outcome']})" if record.get("outcome") else ""),
                "value": float(record["value"]),
                "ci_low": float(ci[0]),
                "ci_high": float(ci[1]),
                "source": citations(record.get("source") or [], bib),
                "confirmed": record.get("confirmed") is True,
            }
        )
    return pd.DataFrame(rows, columns=CONTEXT_COLUMNS)

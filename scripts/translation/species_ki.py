"""Human over rat Ki per receptor with its uncertainty (``species_ki.csv``),
read from binding's pooled species comparison (``binding/species_comparison.csv``,
:func:`scripts.binding.species.species_comparison`), so that binding and
translation state one result.

Per species the Ki is the geometric mean over independent experiments (the
mean pKi, as in ``binding/ki_summary.csv``); the difference is tested on pKi
across experiments (Welch). With d = pKi(human) - pKi(rat) and its 95% CI
[d_low, d_high], the ratio human / rat is 10^-d with the 95% CI
[10^-d_high, 10^-d_low]. With fewer than two experiments in a species, or
no spread, there is no CI.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scripts.translation.common import compound_rows, is_empty, norm_name

SPECIES_KI_COLUMNS = [
    "receptor",
    "ki_human_nM",
    "ki_rat_nM",
    "n_human",
    "n_rat",
    "ratio_human_rat",
    "ratio_ci_low",
    "ratio_ci_high",
    "fold",
]


def species_ki_table(comparison, compound) -> pd.DataFrame:
    """One row per receptor of *compound* with a Ki in both human and rat in
    binding's *comparison* table (``species_comparison.csv``; columns
    :data:`SPECIES_KI_COLUMNS`; ``n_*`` the experiments pooled, ``fold`` =
    max(ratio, 1/ratio))."""
    rows = compound_rows(comparison, compound, column="compound")
    if is_empty(rows):
        return pd.DataFrame(columns=SPECIES_KI_COLUMNS)
    number = {
        c: pd.to_numeric(rows[c], errors="coerce") for c in rows.columns if c not in ("receptor", "compound")
    }
    kh, kr = number["human_ki_nM"], number["rat_ki_nM"]
    both = (kh > 0) & (kr > 0)
    ratio = (kh / kr)[both]
    out = pd.DataFrame(
        {
            "receptor": rows.loc[both, "receptor"].astype(str),
            "ki_human_nM": kh[both],
            "ki_rat_nM": kr[both],
            "n_human": number["n_human_curves"][both].astype(int),
            "n_rat": number["n_rat_curves"][both].astype(int),
            "ratio_human_rat": ratio,
            "ratio_ci_low": 10.0 ** -number["pki_difference_ci_high"][both],
            "ratio_ci_high": 10.0 ** -number["pki_difference_ci_low"][both],
            "fold": np.maximum(ratio, 1 / ratio),
        },
        columns=SPECIES_KI_COLUMNS,
    )
    return out.sort_values("receptor", key=lambda s: s.map(norm_name), kind="stable").reset_index(drop=True)

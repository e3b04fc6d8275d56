"""Human over rat Ki per receptor with its uncertainty (``species_ki.csv``).

Per species the study's Ki is the geometric mean over its experiments
(assays of ``ki.csv``); the standard error of ln Ki of one experiment comes
from its 95% CI (ln(high / low) / (2 x 1.96)), and of the mean of n
experiments as sqrt(sum se^2) / n. The ratio human / rat then has
ln-scale SE sqrt(se_h^2 + se_r^2) and a 95% CI exp(ln r -/+ 1.96 SE).
A Ki without a CI gives a ratio without one. With one experiment in either
species the CI is the fit's within-experiment interval only.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.stats import norm

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
Z95 = float(norm.ppf(0.975))


def _pooled(group: pd.DataFrame) -> tuple:
    ki = pd.to_numeric(group["ki_nM"], errors="coerce").to_numpy(float)
    lo = pd.to_numeric(group.get("ki_ci_low_nM"), errors="coerce").to_numpy(float)
    hi = pd.to_numeric(group.get("ki_ci_high_nM"), errors="coerce").to_numpy(float)
    ok = np.isfinite(ki) & (ki > 0)
    ki, lo, hi = ki[ok], lo[ok], hi[ok]
    if not ki.size:
        return float("nan"), float("nan"), 0
    se = np.log(hi / lo) / (2 * Z95)
    se_mean = float(np.sqrt(np.sum(se**2)) / ki.size) if np.all(np.isfinite(se) & (se > 0)) else float("nan")
    return float(np.exp(np.mean(np.log(ki)))), se_mean, int(ki.size)


def species_ki_table(ki, compound) -> pd.DataFrame:
    """One row per receptor measured in both human and rat (columns
    :data:`SPECIES_KI_COLUMNS`; ``fold`` = max(ratio, 1/ratio))."""
    rows = compound_rows(ki, compound, column="compound")
    if is_empty(rows):
        return pd.DataFrame(columns=SPECIES_KI_COLUMNS)
    rows = rows.assign(
        _key=rows["receptor"].map(norm_name), _sp=rows["species"].astype(str).str.strip().str.lower()
    )
    out = []
    for _key, group in rows.groupby("_key", sort=True):
        by = {sp: _pooled(g) for sp, g in group.groupby("_sp")}
        if "human" not in by or "rat" not in by or not (by["human"][2] and by["rat"][2]):
            continue
        (kh, seh, nh), (kr, ser, nr) = by["human"], by["rat"]
        ratio = kh / kr
        se = math.sqrt(seh**2 + ser**2) if math.isfinite(seh) and math.isfinite(ser) else float("nan")
        out.append(
            {
                "receptor": str(group["receptor"].iloc[0]),
                "ki_human_nM": kh,
                "ki_rat_nM": kr,
                "n_human": nh,
                "n_rat": nr,
                "ratio_human_rat": ratio,
                "ratio_ci_low": ratio * math.exp(-Z95 * se) if math.isfinite(se) else float("nan"),
                "ratio_ci_high": ratio * math.exp(Z95 * se) if math.isfinite(se) else float("nan"),
                "fold": max(ratio, 1 / ratio),
            }
        )
    return pd.DataFrame(out, columns=SPECIES_KI_COLUMNS)

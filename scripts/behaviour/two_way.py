"""Two-way ANOVA of one test: treatment group × regimen (× sex)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scripts.behaviour.groups import group_order, group_rows

TWO_WAY_COLUMNS = [
    "test",
    "endpoint",
    "model",
    "term",
    "sum_sq",
    "df",
    "f_value",
    "p_value",
    "n",
    "note",
]


def two_way_anova(long: pd.DataFrame, min_group_n: int, treatments=None) -> pd.DataFrame:
    """Type II two-way ANOVA per endpoint: treatment group × regimen, and
    × sex when both sexes are present (statsmodels OLS + anova_lm(typ=2)).

    "Treatment" is the group (treatment + dose). Only analysed animals; only
    groups with ≥ *min_group_n* animals in every regimen (and sex) cell, so the
    full factorial model is estimable. Sex is dropped (noted) if any
    treatment × regimen × sex cell has fewer than 2 animals. With only one
    regimen the model is treatment × sex, or not run (noted) when there is
    nothing to cross.
    """
    import statsmodels.formula.api as smf
    from statsmodels.stats.anova import anova_lm

    rows = []
    for endpoint, part in long[~long["excluded"]].groupby("endpoint", sort=False):
        test = part["test"].iloc[0]
        part = part.copy()
        groups = group_order(part, treatments)
        # Neutral codes keep formula terms valid whatever the group labels are.
        part["group"] = ""
        for index, group in enumerate(groups):
            part.loc[group_rows(part, group, analysed_only=False).index, "group"] = f"g{index}"
        regimens = sorted(part["regimen"].unique())
        cells = part.groupby(["group", "regimen"]).size().unstack(fill_value=0)
        keep = cells.index[(cells.reindex(columns=regimens, fill_value=0) >= min_group_n).all(axis=1)]
        part = part[part["group"].isin(keep)]
        factors, notes = ["group"], []
        if len(regimens) > 1:
            factors.append("regimen")
        if set(part["sex"]) >= {"M", "F"}:
            sex_cells = part.groupby(factors + ["sex"]).size()
            complete = (
                sex_cells.size == np.prod([part[f].nunique() for f in factors]) * 2 and (sex_cells >= 2).all()
            )
            if complete:
                factors.append("sex")
            else:
                notes.append("sex not modelled: some treatment x regimen x sex cells have < 2 animals")
        names = {"group": "treatment", "regimen": "regimen", "sex": "sex"}
        model_name = " x ".join(names[f] for f in factors)
        if len(factors) < 2 or part["group"].nunique() < 2:
            rows.append(
                {
                    "test": test,
                    "endpoint": endpoint,
                    "model": model_name,
                    "term": "",
                    "sum_sq": np.nan,
                    "df": np.nan,
                    "f_value": np.nan,
                    "p_value": np.nan,
                    "n": len(part),
                    "note": "; ".join(notes + ["not run: only one factor with >= 2 testable levels"]),
                }
            )
            continue
        formula = "value ~ " + " * ".join(f"C({f})" for f in factors)
        table = anova_lm(smf.ols(formula, data=part).fit(), typ=2)
        for term, r in table.iterrows():
            pretty = term
            for f in factors:
                pretty = pretty.replace(f"C({f})", names[f])
            rows.append(
                {
                    "test": test,
                    "endpoint": endpoint,
                    "model": model_name,
                    "term": pretty,
                    "sum_sq": r["sum_sq"],
                    "df": r["df"],
                    "f_value": r["F"],
                    "p_value": r["PR(>F)"],
                    "n": len(part),
                    "note": "; ".join(notes),
                }
            )
    return pd.DataFrame(rows, columns=TWO_WAY_COLUMNS)

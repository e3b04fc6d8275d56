"""The ARRIVE 2.0 Essential 10 checklist, filled from the result tables and
what study.yaml states."""

from __future__ import annotations

import pandas as pd

from .formatting import format_number
from .results import Results

NOT_REPORTED = "not reported"
ARRIVE_ITEMS = [
    (1, "Study design"),
    (2, "Sample size"),
    (3, "Inclusion and exclusion criteria"),
    (4, "Randomisation"),
    (5, "Blinding/masking"),
    (6, "Outcome measures"),
    (7, "Statistical methods"),
    (8, "Experimental animals"),
    (9, "Experimental procedures"),
    (10, "Results"),
]


def arrive_checklist(results: Results, study: dict) -> list[dict]:
    """ARRIVE 2.0 Essential 10, filled from the data and study.yaml; an item
    the study did not state reads "not reported"."""
    stated = study.get("arrive", {}) or {}
    groups = results.read("inventory/behaviour_groups.csv")
    exclusions = results.read("inventory/exclusions.csv")
    comparisons = [c for c in results.read_all("behaviour/*/comparisons.csv") if len(c)]
    has_groups = groups is not None and len(groups)
    text = {}
    if has_groups:
        designs = groups.groupby("test").apply(
            lambda g: (
                f"{g.name}: {g['treatment'].nunique()} treatments, "
                f"{len(g)} groups ({', '.join(sorted(g['regimen'].unique()))})"
            ),
            include_groups=False,
        )
        text[1] = (
            "Between-animal design against a vehicle control group. " + "; ".join(designs.tolist()) + "."
        )
        per_group = "; ".join(
            f"{r.test} {r.treatment} {format_number(r.dose_mg_kg)} mg/kg {r.regimen}: "
            f"n = {r.n_analysed} analysed of {r.n_animals}"
            for r in groups.itertuples()
        )
        total = groups.groupby("test")["n_animals"].sum()
        text[2] = (
            f"{per_group}. Total animals per test: "
            + ", ".join(f"{t} {n}" for t, n in total.items())
            + ". Rationale: "
            + stated.get("sample_size", NOT_REPORTED)
            + "."
        )
    else:
        text[1] = NOT_REPORTED
        text[2] = "Sample-size rationale: " + stated.get("sample_size", NOT_REPORTED)
    if exclusions is not None and len(exclusions):
        text[3] = "; ".join(
            f"{r.test} {r.animal_id} ({r.treatment} {format_number(r.dose_mg_kg)} mg/kg, {r.regimen}): "
            f"{r.exclusion_reason}"
            for r in exclusions.itertuples()
        )
    else:
        text[3] = "No animals were excluded." if has_groups else NOT_REPORTED
    text[4] = stated.get("randomisation", NOT_REPORTED)
    text[5] = stated.get("blinding", NOT_REPORTED)
    endpoints = sorted(
        {f"{c['test'].iloc[0]}: " + ", ".join(sorted(c["endpoint"].unique())) for c in comparisons}
    )
    text[6] = ("; ".join(endpoints) if endpoints else NOT_REPORTED) + (
        ". " + stated["outcome_measures"] if "outcome_measures" in stated else ""
    )
    methods_used = sorted({m for c in comparisons for m in c["method"].astype(str).unique()})
    text[7] = (
        ("Pre-specified decision path (see Methods); post-hoc methods used: " + ", ".join(methods_used) + ".")
        if methods_used
        else NOT_REPORTED
    )
    animals = [stated.get(k) for k in ("strain", "age", "source", "housing") if stated.get(k)]
    text[8] = " ".join(animals) if animals else NOT_REPORTED
    if has_groups:
        regimens = ", ".join(
            sorted(
                {f"{r.treatment} {format_number(r.dose_mg_kg)} mg/kg {r.route}" for r in groups.itertuples()}
            )
        )
        text[9] = f"Treatments: {regimens}." + (" " + stated["procedures"] if "procedures" in stated else "")
    else:
        text[9] = stated.get("procedures", NOT_REPORTED)
    if comparisons:
        frame = pd.concat(comparisons, ignore_index=True)
        tested = frame[frame["p_adj"].notna()]
        text[10] = (
            f"{len(tested)} dose-vs-vehicle comparisons, each with its difference "
            "(95% CI), adjusted p and Hedges' g (95% CI) in the Behaviour section."
        )
    else:
        text[10] = NOT_REPORTED
    return [{"number": n, "title": title, "text": text.get(n, NOT_REPORTED)} for n, title in ARRIVE_ITEMS]

"""The verdict: two to four sentences at the top of the page, generated from
the effective doses, the confound check, the exposure ratios and the flags.

Each number in a sentence is a result-table cell, written with the
``data-table``/``data-row``/``data-column`` attributes of that cell so a
test can trace it (see ``Cell``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from markupsafe import Markup, escape

from .formatting import format_number
from .results import Results
from .tables import jsonable

SEVERITIES = ("high", "medium", "low")
ROUTES = {"po": "oral", "iv": "intravenous", "ip": "intraperitoneal", "sc": "subcutaneous"}


def test_name(test: str) -> str:
    """ "fst" -> "FST", "sucrose_preference" -> "sucrose preference"."""
    return test.upper() if len(test) <= 3 else test.replace("_", " ")


@dataclass(frozen=True)
class Cell:
    """A number in a sentence and the table cell it was read from."""

    table: str
    key: dict
    column: str
    value: float

    def html(self) -> Markup:
        key = json.dumps({k: jsonable(v) for k, v in self.key.items()}, sort_keys=True)
        return Markup('<span class="cell" data-table="{}" data-row="{}" data-column="{}">{}</span>').format(
            self.table, key, self.column, format_number(self.value)
        )


def _join(items: list) -> Markup:
    items = [escape(i) for i in items]
    if len(items) <= 1:
        return Markup("").join(items)
    return Markup(", ").join(items[:-1]) + Markup(" and ") + items[-1]


def _range(cells: list[Cell]) -> Markup:
    low = min(cells, key=lambda c: c.value)
    high = max(cells, key=lambda c: c.value)
    if low.value == high.value:
        return low.html()
    return low.html() + Markup("–") + high.html()


def effect_sentence(results: Results, compound: str) -> Markup | None:
    """Where the study compound was effective, and whether locomotion explains it."""
    effective = results.read("translation/effective_doses.csv")
    if effective is None or effective.empty:
        confounds = results.read("behaviour/confounds.csv")
        if confounds is None:
            return None
        return Markup("{} did not differ from vehicle at any tested dose.").format(compound)
    doses = [
        Cell("translation/effective_doses.csv", r[["test", "endpoint", "regimen", "dose_mg_kg"]].to_dict(),
             "dose_mg_kg", float(r["dose_mg_kg"]))
        for _, r in effective.iterrows()
    ]  # fmt: skip
    tests = sorted({test_name(t) for t in effective["test"].astype(str)})
    regimens = sorted(effective["regimen"].astype(str).unique())
    sentence = Markup("Behavioural effect of {} against vehicle at {} mg/kg ({}; {}).").format(
        compound, _range(doses), _join(tests), _join(regimens)
    )
    confounds = results.read("behaviour/confounds.csv")
    if confounds is not None and "classification" in confounds:
        improved = confounds[
            (confounds["fst_effect"] == "improved")
            & (confounds["treatment"].astype(str).str.lower() == compound.lower())
        ]
        sedation = improved[improved["classification"].astype(str).str.contains("sedat")]
        specific = improved[improved["classification"] == "specific"]
        parts = []
        if len(specific):
            parts.append(
                Markup("not explained by locomotion at {}").format(
                    _join([f"{format_number(r.dose_mg_kg)} mg/kg {r.regimen}" for r in specific.itertuples()])
                )
            )
        if len(sedation):
            parts.append(
                Markup("reduced locomotion (possible sedation) at {}").format(
                    _join([f"{format_number(r.dose_mg_kg)} mg/kg {r.regimen}" for r in sedation.itertuples()])
                )
            )
        if parts:
            sentence += Markup(" In the FST: ") + Markup("; ").join(parts) + Markup(".")
    return sentence


def exposure_sentence(results: Results) -> Markup | None:
    """Rat over human exposure at the effective doses, at the middle clinical dose."""
    ratios = results.read("translation/exposure_ratios.csv")
    effective = results.read("translation/effective_doses.csv")
    if ratios is None or ratios.empty or effective is None or effective.empty:
        return None
    rows = ratios[ratios["rat_dose_mg_kg"].isin(effective["dose_mg_kg"].unique())]
    if "human_state" in rows and (rows["human_state"] == "steady_state").any():
        rows = rows[rows["human_state"] == "steady_state"]
    human_doses = sorted(rows["human_dose_mg"].unique())
    if not human_doses or "auc_unbound_ratio" not in rows:
        return None
    human = human_doses[(len(human_doses) - 1) // 2]
    rows = rows[(rows["human_dose_mg"] == human) & rows["auc_unbound_ratio"].notna()]
    if rows.empty:
        return None
    keys = ["rat_dose_mg_kg", "route", "human_dose_mg", "human_state"]
    cells = [
        Cell("translation/exposure_ratios.csv", r[keys].to_dict(), "auc_unbound_ratio", float(r["auc_unbound_ratio"]))
        for _, r in rows.iterrows()
    ]  # fmt: skip
    routes = _join(sorted({ROUTES.get(r, r) for r in rows["route"].astype(str)}))
    state = str(rows["human_state"].iloc[0]).replace("_", " ")
    return Markup(
        "Rat {} unbound exposure (AUC) at the effective doses is {}× the human exposure at {} mg/day ({})."
    ).format(routes, _range(cells), format_number(human), state)


def risk_sentence(results: Results) -> Markup | None:
    flags = results.read("translation/flags.csv")
    if flags is None:
        return None
    severity = flags["severity"].astype(str).str.lower()
    raised = [level for level in SEVERITIES if (severity == level).any()]
    if not raised:
        return Markup("No translational risk flag was raised.")
    top = raised[0]
    names = flags.loc[severity == top, "flag"].astype(str).tolist()
    sentence = Markup("Main risks ({}): {}").format(top, _join(names))
    others = [f"{int((severity == level).sum())} {level}" for level in raised[1:]]
    if others:
        sentence += Markup("; also {} (scorecard below)").format(_join(others))
    return sentence + Markup(".")


def verdict(results: Results, study: dict) -> list[Markup]:
    """The verdict's sentences (two to four), each safe HTML."""
    compound = str(study.get("compound", "the compound"))
    sentences = [effect_sentence(results, compound), exposure_sentence(results), risk_sentence(results)]
    return [s for s in sentences if s is not None]


def severity_counts(results: Results) -> dict:
    """Raised flags by severity (high, medium, low)."""
    flags = results.read("translation/flags.csv")
    if flags is None:
        return {}
    counts = flags["severity"].astype(str).str.lower().value_counts()
    return {level: int(counts.get(level, 0)) for level in SEVERITIES}

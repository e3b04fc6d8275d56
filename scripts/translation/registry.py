"""The registry of translational flags and the evidence each flag cites.

Every row of ``translation/flags.csv`` has a stable ``flag_id`` from
:data:`FLAGS` (title, area), a ``severity``, an ``evidence`` sentence, the
``evidence_refs`` its numbers come from, the ``references`` (bibliography
keys) and a ``recommendation``.

``evidence_refs`` is a "; "-separated list of cited cells, each
``table|key=value,key=value|column,column`` (the table as a path under the
results directory, the row keys that select the row(s), the columns
quoted), ``config|section.key`` for a configured threshold, or
``ratio|<cell>/<cell>`` (each cell ``table|keys|column``) for a number that
is the quotient of two cited cells. Every number in the evidence is one of
these (or a row key), shown with the precision :class:`Evidence` uses;
``tests/test_flags_evidence.py`` checks that against the tables.
"""

from __future__ import annotations

import math

#: flag_id -> (title shown in the report, area).
FLAGS = {
    "bioavailability_mismatch": ("bioavailability mismatch", "pk"),
    "metabolite_profile_difference": ("metabolite profile difference", "pk"),
    "half_life_mismatch": ("half-life mismatch", "pk"),
    "dose_scaling_disagreement": ("dose-scaling disagreement", "translation"),
    "occupancy_mismatch": ("occupancy mismatch", "translation"),
    "possible_false_positive": ("possible false positive (locomotor change mimics the effect)", "behaviour"),
    "effect_despite_sedation": ("effect despite sedation", "behaviour"),
    "sedation_may_mask": ("sedation may mask an effect", "behaviour"),
    "effect_despite_hyperactivity": ("effect despite hyperactivity", "behaviour"),
    "hyperactivity_may_mask": ("hyperactivity may mask an effect", "behaviour"),
    "no_locomotor_control": ("no locomotor control", "behaviour"),
    "single_model_reliance": ("single-model reliance", "behaviour"),
    "acute_only_design": ("acute-only design", "behaviour"),
    "species_ki_difference": ("species Ki difference", "binding"),
    "exposure_extrapolated": ("rat exposure extrapolated", "pk"),
    "rat_fu_assumed": ("rat fraction unbound assumed", "pk"),
    "single_binding_experiment": ("single binding experiment", "binding"),
    "route_mismatched_control": ("route-mismatched control", "behaviour"),
    "single_sex": ("single sex", "behaviour"),
    # Flags other areas add (same ids in their own tables).
    "efficacious_exposure_outside_clinical": (
        "efficacious exposure outside the clinical range",
        "translation",
    ),
    "hill_not_unity": ("Hill slope not unity", "binding"),
    "two_site_ambiguous": ("two-site fit ambiguous", "binding"),
    "ligand_depletion": ("ligand depletion", "binding"),
}
SEVERITIES = ("high", "medium", "low", "not assessable")
FLAG_COLUMNS = [
    "flag_id",
    "flag",
    "severity",
    "area",
    "evidence",
    "evidence_refs",
    "references",
    "recommendation",
]
NOT_ASSESSABLE = "not assessable"

#: Result tables the flags cite (paths under the results directory).
T_CONFOUNDS = "behaviour/confounds.csv"
T_GROUPS = "inventory/behaviour_groups.csv"
T_BIOAVAILABILITY = "pk/bioavailability.csv"
T_METABOLITES = "pk/metabolites.csv"
T_DETECTABILITY = "pk/detectability.csv"
T_EXPOSURE = "translation/exposure.csv"
T_DOSE = "translation/dose_translation.csv"
T_OCCUPANCY = "translation/occupancy.csv"
T_REFERENCE = "translation/reference.csv"
T_SPECIES_KI = "translation/species_ki.csv"


def title(flag_id: str) -> str:
    return FLAGS[flag_id][0]


def area(flag_id: str) -> str:
    return FLAGS[flag_id][1]


def and_list(items) -> str:
    """ "a", "a and b", "a, b and c"."""
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def test_name(stem) -> str:
    """A behavioural test's file stem as text: "FST", "open field"."""
    return "FST" if str(stem).lower() == "fst" else str(stem).replace("_", " ")


def tests_text(stems) -> str:
    """Test stems (a list, or one ";"-separated cell) as an English list:
    "elevated plus maze, FST and open field"."""
    if isinstance(stems, str):
        stems = [s for s in stems.split(";") if s]
    return and_list(test_name(s) for s in stems)


def sig(value, digits=3, zeros=False) -> str:
    """A number with *digits* significant digits, no float noise ("n/a"
    when missing); plain notation from 1e-4 to 1e6, else scientific.
    *zeros* keeps trailing zeros (0.040, 5.0: a computed value shown to
    its digits, e.g. a CI bound beside its estimate)."""
    if value is None:
        return "n/a"
    try:
        x = float(value)
    except (TypeError, ValueError):
        return "n/a"
    if not math.isfinite(x):
        return "n/a"
    if x == 0 or 1e-4 <= abs(x) < 1e6:
        text = f"{x:{'#' if zeros else ''}.{digits}g}"
        if "e" in text:  # e.g. 12345 at 3 digits: plain, rounded to units
            text = f"{x:.0f}"
        return text.rstrip(".")
    return f"{x:.{digits}g}".replace("e-0", "e-").replace("e+0", "e+")


def _key_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return str(value)


class Evidence:
    """Collects the cells a flag's evidence quotes while the sentence is
    written: :meth:`cell` returns the formatted number and records
    ``table|keys|column``."""

    def __init__(self):
        self._refs: dict = {}

    def cell(self, table, keys: dict, column, value, digits=3, percent=False, zeros=False) -> str:
        where = ",".join(f"{k}={_key_text(v)}" for k, v in keys.items())
        cols = self._refs.setdefault((table, where), [])
        if column not in cols:
            cols.append(column)
        if percent:
            return "n/a" if value is None or not math.isfinite(float(value)) else f"{100 * float(value):.0f}%"
        return sig(value, digits, zeros)

    def quote(self, table, keys: dict, column, value) -> str:
        """A text cell quoted whole (its numbers count as cited)."""
        where = ",".join(f"{k}={_key_text(v)}" for k, v in keys.items())
        cols = self._refs.setdefault((table, where), [])
        if column not in cols:
            cols.append(column)
        return str(value)

    def config(self, key, value) -> str:
        self._refs.setdefault(("config", key), [])
        return f"{float(value):g}"

    def ratio(self, numerator: tuple, denominator: tuple, digits=3, zeros=False) -> str:
        """The quotient of two cells, each (table, keys, column, value),
        recorded as ``ratio|<cell>/<cell>``."""

        def cell(table, keys, column, _value):
            return f"{table}|{','.join(f'{k}={_key_text(v)}' for k, v in keys.items())}|{column}"

        self._refs.setdefault(("ratio", f"{cell(*numerator)}/{cell(*denominator)}"), [])
        return sig(float(numerator[3]) / float(denominator[3]), digits, zeros)

    def text(self) -> str:
        out = []
        for (table, where), cols in self._refs.items():
            if table in ("config", "ratio"):
                out.append(f"{table}|{where}")
            else:
                out.append(f"{table}|{where}|{','.join(cols)}")
        return "; ".join(out)


def flag_row(flag_id, severity, evidence, recommendation, refs: Evidence | None = None, references=(),
             advice_references=()) -> dict:  # fmt: skip
    """One row of ``flags.csv`` (columns :data:`FLAG_COLUMNS`).
    *references* are the bibliography keys behind the evidence (e.g. the
    human reference values it quotes), *advice_references* those behind the
    recommendation; ``references`` lists both, and :func:`cite` renders
    them into the text."""
    if flag_id not in FLAGS:
        raise KeyError(f"unknown flag_id {flag_id!r}")
    return {
        "flag_id": flag_id,
        "flag": title(flag_id),
        "severity": severity,
        "area": area(flag_id),
        "evidence": evidence,
        "evidence_refs": refs.text() if refs is not None else "",
        "references": ";".join(dict.fromkeys([*references, *advice_references])),
        "recommendation": recommendation,
        "_evidence_sources": list(dict.fromkeys(references)),
        "_advice_sources": list(dict.fromkeys(advice_references)),
    }


def cite(rows: list, bib: dict) -> list:
    """The rows with their sources rendered as "Author et al. YEAR"
    (:func:`scripts.translation.reference.citations`): the evidence ends
    with "Sources: ...", the recommendation with its own in parentheses.
    A key never appears in the text."""
    from scripts.translation.reference import citations

    out = []
    for row in rows:
        row = dict(row)
        ev, adv = row.pop("_evidence_sources", []), row.pop("_advice_sources", [])
        if ev:
            row["evidence"] = f"{row['evidence']}. Sources: {citations(ev, bib)}."
        if adv and row["recommendation"]:
            row["recommendation"] = f"{row['recommendation']} ({citations(adv, bib)})"
        out.append(row)
    return out


def not_assessable(flag_id, why, recommendation="") -> dict:
    """A "not assessable" row for *flag_id* saying *why*."""
    return flag_row(flag_id, NOT_ASSESSABLE, why, recommendation)

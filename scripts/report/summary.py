"""The summary: the translational scorecard and the headline numbers, each
a selection of result-table rows."""

from __future__ import annotations

from .blocks import Block, ResultTable, anchor
from .formatting import format_number
from .results import Results
from .tables import PivotTable

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}


def _raised(flags):
    return flags["severity"].str.lower().isin(SEVERITY_ORDER)


def scorecard(results: Results):
    """Raised flags (severity high/medium/low), most severe first, and the
    flags that could not be assessed for want of data."""
    columns = ["severity", "flag", "evidence", "references", "recommendation"]
    raised = results.table("translation/flags.csv", columns, ["flag", "area"], rows=_raised)
    unassessed = results.table(
        "translation/flags.csv", ["flag", "area", "evidence"], ["flag", "area"], rows=lambda f: ~_raised(f)
    )
    if raised is not None and len(raised.frame):
        order = raised.frame["severity"].map(lambda s: SEVERITY_ORDER[str(s).lower()])
        raised.frame = (
            raised.frame.assign(_order=order)
            .sort_values(["_order", "flag"], kind="stable")
            .drop(columns="_order")
            .reset_index(drop=True)
        )
    return raised, unassessed


def effective_doses(results: Results) -> list:
    """The behaviourally effective doses of the study compound, as the
    translation step defines them (translation/effective_doses.csv)."""
    effective = results.read("translation/effective_doses.csv")
    if effective is None or effective.empty:
        return []
    return sorted(effective["dose_mg_kg"].unique().tolist())


def exposure_at_effective_doses(results: Results):
    """Rat over human exposure at each effective dose, human at steady
    state where the table has it."""

    def rows(frame):
        selected = frame["rat_dose_mg_kg"].isin(effective_doses(results))
        if "human_state" in frame and (frame["human_state"] == "steady_state").any():
            selected &= frame["human_state"] == "steady_state"
        return selected

    return results.table(
        "translation/exposure_ratios.csv",
        keys=["rat_dose_mg_kg", "route", "human_dose_mg", "human_state"],
        rows=rows,
    )


def evidence_links(results: Results, frame, anchors: set) -> list[str]:
    """Per flag, the page anchor of its evidence: the block showing the
    first table named in ``evidence_refs`` (when flags.csv has it), else
    the section of the flag's area."""
    links = []
    for _, row in frame.iterrows():
        target = ""
        refs = str(row.get("evidence_refs", "") or "")
        for ref in (r.strip() for r in refs.replace(",", ";").split(";")):
            if ref and anchor(ref) in anchors:
                target = anchor(ref)
                break
        if not target:
            area = str(row.get("area", "")).lower()
            target = area if area in anchors else "translation"
        links.append(f"#{target}")
    return links


#: How each occupancy basis reads in a column header.
BASIS_WORDS = {"at_test": "at test", "c_min": "Cmin", "cmax": "Cmax", "c_avg": "Cavg"}


def occupancy_pivot(results: Results):
    """Occupancy on the basis the occupancy flag reads: the animal at the
    time of the behavioural test (``at_test`` rows, per dose and regimen)
    against human Cmin and Cmax at each clinical dose (the flag's range); at Cmax on both
    sides where occupancy.csv has no ``at_test`` rows. Receptors down,
    species, dose and basis across."""
    from scripts.translation.flags import FLAG_BASES

    frame = results.read("translation/occupancy.csv")
    if frame is None or frame.empty:
        return None
    basis = frame["basis"].astype(str)
    keys = ["species", "receptor", "dose", "dose_unit", "basis"]
    if (basis == "at_test").any():
        human = (frame["species"].astype(str) == "human") & basis.isin(FLAG_BASES["at_test"])
        frame = frame[(basis == "at_test") | human].copy()
        keys.append("regimen")
    else:
        frame = frame[basis == "cmax"].copy()
    regimen = frame["regimen"].fillna("").astype(str) if "regimen" in frame else ""
    frame["when"] = (regimen + " " + frame["basis"].map(BASIS_WORDS).fillna(frame["basis"])).str.strip()
    frame = frame.sort_values(["species", "dose", "when"], ascending=[False, True, True], kind="stable")
    return PivotTable(
        name="translation/occupancy.csv",
        frame=frame,
        index=["receptor"],
        columns=["species", "dose", "dose_unit", "when"],
        value="occupancy",
        keys=keys,
        unit="%",
    )


def human_value(key: str, label: str):
    """A sentence giving one human reference value and its source."""

    def text(results: Results) -> str:
        reference = results.read("translation/reference.csv")
        if reference is None:
            return ""
        key_column = next((c for c in ("key", "parameter", "name") if c in reference), None)
        if key_column is None:
            return ""
        rows = reference[reference[key_column].astype(str) == key]
        if rows.empty:
            return ""
        row = rows.iloc[0]
        return f"{label}: {format_number(row.get('value'))} ({row.get('source', '')})."

    return text


HEADLINE_DOSE_COLUMNS = (
    "regimen", "treatment", "dose_mg_kg", "fst_diff_vs_vehicle", "fst_p_adj", "fst_hedges_g",
    "open_field_pct_change_vs_vehicle", "locomotor_effect", "classification",
)  # fmt: skip
HEADLINE_F_COLUMNS = (
    "analyte", "route", "dose_mg_kg", "f", "f_ci_low", "f_ci_high", "method", "n_test", "n_reference",
)  # fmt: skip

HEADLINES = (
    Block(
        id="headline-ki",
        title="Affinity (Ki) at each receptor, human vs rat",
        text="Geometric mean Ki per species; fold difference flagged above the configured threshold.",
        table=ResultTable(
            "binding/species_comparison.csv",
            columns=("receptor", "human_ki_nM", "rat_ki_nM", "fold_difference", "species_difference_flag"),
            keys=("receptor", "compound"),
        ),
        missing="Binding not provided.",
    ),
    Block(
        id="headline-doses",
        title="Behaviourally effective doses and confound check",
        text="FST doses that reduced immobility against vehicle (adjusted p ≤ alpha), with "
        "the open-field effect at the same dose and regimen.",
        table=ResultTable(
            "behaviour/confounds.csv",
            columns=HEADLINE_DOSE_COLUMNS,
            keys=("regimen", "treatment", "dose_mg_kg"),
            rows=lambda f: f["fst_effect"] == "improved",
        ),
        missing="Behaviour not provided.",
    ),
    Block(
        id="headline-f",
        title="Oral bioavailability, rat vs human",
        text=human_value("oral_bioavailability", "Human oral F"),
        table=ResultTable(
            "pk/bioavailability.csv",
            columns=HEADLINE_F_COLUMNS,
            keys=("analyte", "route", "dose_mg_kg", "reference_route", "reference_dose_mg_kg"),
            rows=lambda f: f["f"].notna(),
        ),
        missing="PK not provided.",
    ),
    Block(
        id="headline-exposure",
        title="Exposure ratios, rat over human",
        text="Rat exposure at each behaviourally effective dose of the study compound over "
        "human exposure at the clinical doses (steady state; total and unbound).",
        table=exposure_at_effective_doses,
        missing="Translation not assessable: PK not provided.",
    ),
    Block(
        id="headline-occupancy",
        title="Receptor occupancy picture",
        text="Occupancy (%) = 100 · C_u / (C_u + Ki) on the basis of the occupancy flag: rat at the "
        "unbound concentration at the time of the behavioural test (each effective dose and "
        "regimen), human at unbound Cmin and Cmax at each clinical dose (steady state), or "
        "unbound Cmax on both sides where the test time is not known. Read H1 (sedation) "
        "against α2 and 5-HT2 (antidepressant mechanism).",
        table=occupancy_pivot,
        missing="Translation not assessable: binding or PK not provided.",
    ),
)

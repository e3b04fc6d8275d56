"""What each section of the report shows, as data: blocks of a title, an
optional text, a result table and figures, in page order.

Main tables and figures are shown in full; long tables, per-file figure
grids and per-profile diagnostics are folded into ``<details>`` with a
one-line summary. A figure whose numbers are in a CSV links that CSV
(relative to the report) rather than repeating it as a table. Result tables
and figures of an area that no block names appear at the end of its
section (see ``Section``).
"""

from __future__ import annotations

from collections.abc import Callable

from .blocks import Block, ResultTable, Section, behaviour_tests
from .figures import Figures
from .formatting import column_label
from .results import Results
from .tables import PivotTable

__all__ = ["AREA_SECTIONS", "Block", "ResultTable", "Section", "behaviour_tests"]


def count_rows(path: str, noun: str, flagged: Callable | None = None, flag_word: str = "flagged"):
    """A summary line such as "16 competition curves, 3 flagged"."""

    def text(results: Results) -> str:
        frame = results.read(path)
        if frame is None:
            return ""
        line = f"{len(frame)} {noun}"
        if flagged is not None:
            line += f", {int(flagged(frame).sum())} {flag_word}"
        return line

    return text


def _has_flags(frame):
    return frame["flags"].fillna("").astype(str).str.strip() != "" if "flags" in frame else frame.index < 0


# --------------------------------------------------------------------------
# Binding

KI_COLUMNS = (
    "assay", "kd_nM", "model", "log_ic50", "hill_slope", "ki_nM", "ki_ci_low_nM", "ki_ci_high_nM",
    "pki", "r_squared", "n_points", "f_test_p", "preferred_model", "flags",
)  # fmt: skip

BINDING = Section(
    "binding",
    "Binding",
    (
        Block(
            "Affinity by receptor, human and rat",
            figures=Figures(
                "binding/figures/pki_by_receptor.svg",
                "pKi by receptor, human and rat",
                "binding_pki_by_receptor",
            ),
            link="binding/species_comparison.csv",
        ),
        Block("Ki per receptor and species", ResultTable("binding/ki_summary.csv")),
        Block(
            "Saturation binding",
            ResultTable("binding/saturation.csv"),
            Figures("binding/figures/saturation_*.svg", "Saturation {name}", "binding_saturation_curves"),
        ),
        Block(
            "Ki per curve (Cheng–Prusoff)",
            ResultTable("binding/ki.csv", KI_COLUMNS, keys=("assay", "receptor", "species", "compound")),
            details=True,
            summary=count_rows("binding/ki.csv", "curves", _has_flags),
        ),
        Block(
            "Selectivity relative to the primary target",
            ResultTable("binding/selectivity.csv"),
            details=True,
            summary=count_rows("binding/selectivity.csv", "receptor × species rows"),
        ),
        Block(
            "Competition curves",
            figures=Figures("binding/figures/curves_*.svg", "Assay {name}", "binding_curves"),
            details=True,
            appendix=True,
            summary=count_rows("binding/ki.csv", "competition curves", _has_flags),
            link="binding/ki.csv",
        ),
    ),
    folder="binding",
    optional_titles=(("binding/ki_summary.csv", "Ki per receptor and species"),),
)


# --------------------------------------------------------------------------
# Behaviour

COMPARISON_COLUMNS = (
    "regimen", "treatment", "dose_mg_kg", "n", "mean", "sd", "diff_vs_vehicle", "diff_ci_low",
    "diff_ci_high", "p_adj", "hedges_g", "hedges_g_ci_low", "hedges_g_ci_high", "method",
)  # fmt: skip
CONFOUND_COLUMNS = (
    "regimen", "treatment", "dose_mg_kg", "fst_effect", "locomotor_effect", "classification",
    "interpretation",
)  # fmt: skip


def decision_path(test: str) -> Callable[[Results], str]:
    """The sentence naming the pre-specified path each endpoint took."""

    def text(results: Results) -> str:
        frame = results.read(f"behaviour/{test}/decision_path.csv")
        if frame is None or frame.empty:
            return "Decision path: not recorded."
        return "Decision path: " + "; ".join(
            f"{r.endpoint} {r.regimen}: {r.omnibus_method} + {r.posthoc_method} ({r.reason})"
            for r in frame.itertuples()
        )

    return text


def _significant(alpha: float = 0.05):
    return lambda frame: frame["p_adj"].fillna(1) <= alpha


def test_blocks(test: str) -> tuple:
    """One test's figure (its numbers linked), then the dose-vs-vehicle
    comparisons and the omnibus tests folded."""
    comparisons = f"behaviour/{test}/comparisons.csv"
    return (
        Block(
            test.replace("_", " ").capitalize(),
            figures=Figures(
                f"behaviour/figures/{test}.svg", test.replace("_", " "), "behaviour_figure", test
            ),
            link=f"behaviour/{test}/summary.csv",
            id=f"behaviour-{test}",
        ),
        Block(
            f"{test.replace('_', ' ')}: doses against vehicle",
            ResultTable(comparisons, columns=COMPARISON_COLUMNS),
            details=True,
            summary=count_rows(comparisons, "comparisons", _significant(), "with adjusted p ≤ 0.05"),
        ),
        Block(
            f"{test.replace('_', ' ')}: omnibus tests",
            ResultTable(f"behaviour/{test}/omnibus.csv"),
            text=decision_path(test),
            details=True,
        ),
    )


BEHAVIOUR = Section(
    "behaviour",
    "Behaviour",
    (
        Block(
            "Confound check: FST against locomotion",
            ResultTable("behaviour/confounds.csv", columns=CONFOUND_COLUMNS),
        ),
        Block("Battery-level flags", ResultTable("behaviour/battery_flags.csv")),
        Block(
            "Exclusions (ARRIVE item 3)",
            ResultTable("behaviour/exclusions.csv", rows=lambda f: f["n_excluded"] > 0),
            details=True,
            summary=count_rows(
                "behaviour/exclusions.csv", "groups", lambda f: f["n_excluded"] > 0, "with exclusions"
            ),
        ),  # fmt: skip
    ),
    per_test=test_blocks,
    folder="behaviour",
)


# --------------------------------------------------------------------------
# Pharmacokinetics


def _no_c0(row) -> bool:
    """C0 (back-extrapolated) applies to an intravenous parent profile only."""
    return str(row["route"]).lower() != "iv" or "metabolite" in str(row.get("flags", ""))


def pk_summary(results: Results):
    """Group summaries pivoted: one row per analyte, route and dose, one
    column per parameter (its summary statistic); groups with no
    quantifiable sample are left out (the detectability table lists them)."""
    frame = results.read("pk/summary.csv")
    if frame is None or frame.empty:
        return None
    frame = frame[
        frame.groupby(["species", "analyte", "route", "dose_mg_kg"])["value"].transform("count") > 0
    ]
    if frame.empty:
        return None
    frame = frame.assign(
        heading=frame["parameter"].map(lambda p: column_label(p))
        + " "
        + frame["statistic"].str.replace("_", " ")
    )
    index = ["analyte", "route", "dose_mg_kg"] if frame["species"].nunique() == 1 else [
        "species", "analyte", "route", "dose_mg_kg"]  # fmt: skip
    return PivotTable(
        name="pk/summary.csv",
        frame=frame,
        index=index,
        columns=["heading"],
        value="value",
        keys=["species", "analyte", "route", "dose_mg_kg", "parameter", "statistic"],
    )


PK = Section(
    "pk",
    "Pharmacokinetics",
    (
        Block(
            "Concentration–time profiles",
            figures=Figures(
                "pk/figures/concentration_time.svg", "Plasma concentration–time", "pk_concentration_time"
            ),
            link="pk/summary.csv",
        ),
        Block("Group summaries", pk_summary, id="pk-summary"),
        Block("Absolute bioavailability", ResultTable("pk/bioavailability.csv")),
        Block("Detectability of each analyte", ResultTable("pk/detectability.csv")),
        Block("Dose proportionality", ResultTable("pk/dose_proportionality.csv")),
        Block(
            "Metabolite-to-parent ratios",
            ResultTable("pk/metabolites.csv"),
            details=True,
            summary=count_rows("pk/metabolites.csv", "analyte × group rows"),
        ),
        Block(
            "NCA per profile",
            ResultTable(
                "pk/nca.csv",
                rows=lambda f: f["cmax_ng_mL"].notna(),
                not_applicable=(("c0_ng_mL", _no_c0),),
            ),
            details=True,
            appendix=True,
            summary=count_rows(
                "pk/nca.csv",
                "profiles",
                lambda f: f["cmax_ng_mL"].isna(),
                "without a quantifiable sample (not listed)",
            ),
        ),  # fmt: skip
        Block(
            "λz diagnostics",
            figures=Figures("pk/figures/lambda_z_*.svg", "λz diagnostics {name}", "pk_lambda_z"),
            details=True,
            appendix=True,
            link="pk/nca.csv",
        ),
    ),
    folder="pk",
)


# --------------------------------------------------------------------------
# Translation

TRANSLATION = Section(
    "translation",
    "Translation",
    (
        Block(
            "Rat and human exposure",
            figures=Figures(
                "translation/figures/exposure.svg", "Rat vs human exposure", "translation_exposure_figure"
            ),
            link="translation/exposure.csv",
        ),
        Block(
            "Dose translation: BSA scaling vs exposure matching",
            ResultTable("translation/dose_translation.csv"),
        ),
        Block(
            "Receptor occupancy",
            figures=Figures(
                "translation/figures/occupancy.svg",
                "Receptor occupancy heatmap",
                "translation_occupancy_figure",
            ),
            link="translation/occupancy.csv",
        ),
        Block(
            "Receptor occupancy over time",
            figures=Figures(
                "translation/figures/occupancy_time.svg",
                "Occupancy over time, rat vs human",
                "translation_occupancy_time_figure",
            ),
            link="translation/occupancy_time.csv",
        ),
        Block(
            "Exposure-response",
            figures=Figures(
                "translation/figures/exposure_response.svg",
                "Exposure-response fits",
                "translation_exposure_response_figure",
            ),
            link="translation/exposure_response.csv",
        ),
        Block("Human dose that matches", ResultTable("translation/human_dose_prediction.csv")),
        Block("Exposure per species and dose", ResultTable("translation/exposure.csv"), details=True),
        Block("Human steady state", ResultTable("translation/human_steady_state.csv"), details=True),
        Block(
            "Rat exposure at the behavioural test",
            ResultTable("translation/exposure_at_test.csv"),
            details=True,
        ),
        Block("Exposure ratios", ResultTable("translation/exposure_ratios.csv"), details=True),
        Block(
            "Occupancy at test and over the day",
            ResultTable("translation/occupancy_summary.csv"),
            details=True,
        ),
        Block("Effective doses", ResultTable("translation/effective_doses.csv"), details=True),
        Block("Ki values used for occupancy", ResultTable("translation/ki_used.csv"), details=True),
        Block("Human reference values", ResultTable("translation/reference.csv"), details=True),
    ),
    always=True,
    folder="translation",
    optional_titles=(
        ("translation/occupancy_time.csv", "Occupancy over the dosing interval"),
        ("translation/occupancy_summary.csv", "Occupancy summary over the dosing interval"),
        ("translation/exposure_response.csv", "Exposure–response"),
        ("translation/human_dose_prediction.csv", "Predicted human doses"),
    ),
    shown_elsewhere=("translation/flags.csv",),  # the summary's scorecard
)

# The area sections, in page order.
AREA_SECTIONS = (BINDING, BEHAVIOUR, PK, TRANSLATION)

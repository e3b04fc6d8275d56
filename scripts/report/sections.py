"""What each section of the report shows, as data: blocks of a title, an
optional text, a result table and figures, in page order.

A block names its table and figures by their path under the results folder;
building a section only reads them. Tables, figures or texts whose step did
not run are left out (or, in the summary, replaced by the block's *missing*
note).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .figures import Figures
from .results import Results


@dataclass(frozen=True)
class ResultTable:
    """A result table (*path* under the results folder) to show: *columns*
    (all when empty), the *keys* that identify a row, and optionally only the
    *rows* a function of the frame selects."""

    path: str
    columns: tuple = ()
    keys: tuple = ()
    rows: Callable | None = None

    def __call__(self, results: Results):
        return results.table(self.path, self.columns, self.keys, self.rows)


@dataclass(frozen=True)
class Block:
    """One titled part of a section. *table* is a ResultTable or another
    function of the results giving a table; *text* is a sentence or a
    function of the results giving one. *id* anchors summary headlines,
    and *missing* says why a headline has no table."""

    title: str
    table: Callable | None = None
    figures: Figures | None = None
    text: str | Callable = ""
    id: str = ""
    missing: str = ""

    def build(self, results: Results, config: dict) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "text": self.text(results) if callable(self.text) else self.text,
            "table": self.table(results) if self.table is not None else None,
            "figures": self.figures.load(results, config) if self.figures is not None else [],
            "missing": self.missing,
        }


@dataclass(frozen=True)
class Section:
    """A numbered section of the page for one analysis area. *per_test*
    gives the blocks repeated for each behavioural test; a section that is
    not *always* shown reads "not provided" when the study has no data for
    its area."""

    id: str
    title: str
    blocks: tuple = ()
    per_test: Callable[[str], tuple] | None = None
    always: bool = False

    def build(self, results: Results, config: dict) -> list[dict]:
        blocks = list(self.blocks)
        if self.per_test is not None:
            for test in behaviour_tests(results):
                blocks.extend(self.per_test(test))
        return [block.build(results, config) for block in blocks]


def behaviour_tests(results: Results) -> list[str]:
    """The behavioural tests analysed (a folder with comparisons.csv each)."""
    return [path.parent.name for path in results.files("behaviour/*/comparisons.csv")]


# --------------------------------------------------------------------------
# Binding

KI_COLUMNS = (
    "assay", "receptor", "species", "kd_nM", "kd_source", "model", "log_ic50", "log_ic50_ci_low",
    "log_ic50_ci_high", "hill_slope", "ki_nM", "ki_ci_low_nM", "ki_ci_high_nM", "pki", "r_squared",
    "n_points", "f_test_p", "preferred_model", "flags",
)  # fmt: skip

BINDING = Section(
    "binding",
    "Binding",
    (
        Block(
            "Ki per curve (Cheng–Prusoff)",
            ResultTable("binding/ki.csv", KI_COLUMNS, keys=("assay", "receptor", "species", "compound")),
        ),
        Block(
            "Saturation binding",
            ResultTable("binding/saturation.csv"),
            Figures("binding/figures/saturation_*.svg", "Saturation {name}", "binding_saturation_curves"),
        ),
        Block(
            "Species comparison and selectivity",
            ResultTable("binding/species_comparison.csv"),
            Figures(
                "binding/figures/pki_by_receptor.svg",
                "pKi by receptor, human and rat",
                "binding_pki_by_receptor",
            ),
        ),
        Block("Selectivity relative to the primary target", ResultTable("binding/selectivity.csv")),
        Block(
            "Competition curves",
            figures=Figures("binding/figures/curves_*.svg", "Assay {name}", "binding_curves"),
        ),
    ),
)


# --------------------------------------------------------------------------
# Behaviour

COMPARISON_COLUMNS = (
    "endpoint", "regimen", "treatment", "dose_mg_kg", "n", "mean", "sd", "diff_vs_vehicle",
    "diff_ci_low", "diff_ci_high", "p_adj", "method", "hedges_g", "hedges_g_ci_low", "hedges_g_ci_high",
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


def test_blocks(test: str) -> tuple:
    """The omnibus tests and the dose-vs-vehicle comparisons of one test."""
    return (
        Block(
            f"{test}: omnibus tests",
            ResultTable(f"behaviour/{test}/omnibus.csv"),
            text=decision_path(test),
        ),
        Block(
            f"{test}: doses against vehicle",
            ResultTable(f"behaviour/{test}/comparisons.csv", columns=COMPARISON_COLUMNS),
            Figures(f"behaviour/figures/{test}.svg", test, "behaviour_figure", test),
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
        Block("Exclusions (ARRIVE item 3)", ResultTable("behaviour/exclusions.csv")),
    ),
    per_test=test_blocks,
)


# --------------------------------------------------------------------------
# Pharmacokinetics

PK = Section(
    "pk",
    "Pharmacokinetics",
    (
        Block("Absolute bioavailability", ResultTable("pk/bioavailability.csv")),
        Block("Detectability of each analyte", ResultTable("pk/detectability.csv")),
        Block("Metabolite-to-parent ratios", ResultTable("pk/metabolites.csv")),
        Block("Dose proportionality", ResultTable("pk/dose_proportionality.csv")),
        Block(
            "Concentration–time profiles",
            figures=Figures(
                "pk/figures/concentration_time.svg", "Plasma concentration–time", "pk_concentration_time"
            ),
        ),
        Block("Group summaries", ResultTable("pk/summary.csv")),
        Block(
            "NCA per profile",
            ResultTable("pk/nca.csv"),
            Figures("pk/figures/lambda_z_*.svg", "λz diagnostics {name}", "pk_lambda_z"),
        ),
    ),
)


# --------------------------------------------------------------------------
# Translation

TRANSLATION = Section(
    "translation",
    "Translation",
    (
        Block(
            "Rat and human exposure",
            ResultTable("translation/exposure.csv"),
            Figures(
                "translation/figures/exposure.svg", "Rat vs human exposure", "translation_exposure_figure"
            ),
        ),
        Block("Human steady state", ResultTable("translation/human_steady_state.csv")),
        Block("Rat exposure at the behavioural test", ResultTable("translation/exposure_at_test.csv")),
        Block("Exposure ratios", ResultTable("translation/exposure_ratios.csv")),
        Block(
            "Dose translation: BSA scaling vs exposure matching",
            ResultTable("translation/dose_translation.csv"),
        ),
        Block(
            "Receptor occupancy",
            ResultTable("translation/occupancy.csv"),
            Figures(
                "translation/figures/occupancy.svg",
                "Receptor occupancy heatmap",
                "translation_occupancy_figure",
            ),
        ),
        Block(
            "Receptor occupancy over time",
            ResultTable("translation/occupancy_summary.csv"),
            Figures(
                "translation/figures/occupancy_time.svg",
                "Occupancy over time, rat vs human",
                "translation_occupancy_time_figure",
            ),
        ),
        Block(
            "Exposure-response",
            ResultTable("translation/exposure_response.csv"),
            Figures(
                "translation/figures/exposure_response.svg",
                "Exposure-response fits",
                "translation_exposure_response_figure",
            ),
        ),
        Block("Human dose that matches", ResultTable("translation/human_dose_prediction.csv")),
        Block("Ki values used for occupancy", ResultTable("translation/ki_used.csv")),
        Block("Human reference values", ResultTable("translation/reference.csv")),
    ),
    always=True,
)

# The area sections, in page order.
AREA_SECTIONS = (BINDING, BEHAVIOUR, PK, TRANSLATION)

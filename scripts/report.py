"""The consolidated translational report: one self-contained HTML page.

The report reads only result tables and figures written by earlier steps; it
never recomputes an analysis. Every number shown is formatted from a table
cell, and summary cells carry ``data-table``/``data-row``/``data-column``
attributes naming that cell, so a test can check each against its source.

Figures are embedded as base64 ``<img>`` data URIs: the page needs no
network, and an SVG inside ``<img>`` cannot run script. Every string from a
user's files passes through Jinja2 with autoescaping on.
"""

from __future__ import annotations

import base64
import json
import math
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import jinja2
import pandas as pd
import yaml

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
NOT_PROVIDED = "not provided"
NOT_REPORTED = "not reported"
P_COLUMNS = ("p_value", "p_adj", "f_test_p", "p")


# --------------------------------------------------------------------------
# Number formatting


def format_p(value) -> str:
    """p-values: "< 0.0001" below 0.0001, else two significant figures."""
    if _missing(value):
        return "–"
    value = float(value)
    if value < 1e-4:
        return "< 0.0001"
    return _significant(value, 2)


def format_number(value, digits: int = 3) -> str:
    """Numbers to *digits* significant figures; integers stay whole; text as is."""
    if _missing(value):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int,)) or (isinstance(value, float) and value.is_integer()
                                     and abs(value) < 1e6):
        return f"{int(value):d}"
    if isinstance(value, float):
        return _significant(value, digits)
    return str(value)


def is_p_column(column: str) -> bool:
    return (column in P_COLUMNS or column.startswith("p_") or column.endswith("_p")
            or "p_adj" in column or "p_value" in column)


def format_cell(column: str, value) -> str:
    if is_p_column(column):
        return format_p(value)
    return format_number(value)


NUMBER_TEXT = re.compile(r"^(<\s)?-?\d+(\.\d+)?(e[+-]\d+)?$")


def looks_numeric(text: str) -> bool:
    """Right-align cells that hold a single formatted number."""
    return bool(NUMBER_TEXT.match(text))


def _significant(value: float, digits: int) -> str:
    if value == 0:
        return "0"
    if not math.isfinite(value):
        return str(value)
    magnitude = math.floor(math.log10(abs(value)))
    if magnitude >= 6 or magnitude <= -5:
        return f"{value:.{digits - 1}e}"
    decimals = max(digits - 1 - magnitude, 0)
    return f"{value:.{decimals}f}"


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


# --------------------------------------------------------------------------
# Tables and figures


@dataclass
class Table:
    """A result table to show: its path relative to the results folder, the
    data, and optionally the columns to show and the key columns that
    identify a row (for data-row attributes)."""

    name: str
    frame: pd.DataFrame
    columns: list = field(default_factory=list)
    keys: list = field(default_factory=list)
    caption: str = ""

    def shown_columns(self):
        return [c for c in (self.columns or list(self.frame.columns)) if c in self.frame]

    def rows(self):
        """Rows as lists of cells: (text, column, row key JSON)."""
        for _, row in self.frame.iterrows():
            key = json.dumps({k: _jsonable(row[k]) for k in self.keys if k in row},
                             sort_keys=True)
            yield [(format_cell(c, row[c]), c, key) for c in self.shown_columns()]


@dataclass
class PivotTable:
    """A long result table shown wide (rows × columns of one value column);
    every cell still names its source row, so it can be checked."""

    name: str
    frame: pd.DataFrame
    index: list
    columns: list
    value: str
    keys: list
    caption: str = ""

    def _column_labels(self):
        labels = self.frame[self.columns].astype(str).agg(" ".join, axis=1)
        return list(dict.fromkeys(labels))

    def shown_columns(self):
        return [*self.index, *self._column_labels()]

    def rows(self):
        labels = self.frame[self.columns].astype(str).agg(" ".join, axis=1)
        frame = self.frame.assign(_label=labels)
        column_labels = self._column_labels()  # once, not per row: O(n), not O(n²)
        for index_values, group in frame.groupby(self.index, sort=False):
            index_values = index_values if isinstance(index_values, tuple) else (index_values,)
            cells = [(format_number(v), c, "{}") for v, c in zip(index_values, self.index)]
            by_label = {row["_label"]: row for _, row in group.iterrows()}
            for label in column_labels:
                row = by_label.get(label)
                if row is None:
                    cells.append(("–", self.value, "{}"))
                    continue
                key = json.dumps({k: _jsonable(row[k]) for k in self.keys}, sort_keys=True)
                cells.append((format_cell(self.value, row[self.value]), self.value, key))
            yield cells


def _jsonable(value):
    if _missing(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def read_table(results: Path, name: str) -> pd.DataFrame | None:
    path = results / name
    if not path.exists():
        return None
    return pd.read_csv(path, keep_default_na=True)


def figure_data_uri(path: Path) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    mime = "image/svg+xml" if str(path).endswith(".svg") else "image/png"
    return f"data:{mime};base64,{data}"


def render(context: dict) -> str:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.tests["number_text"] = looks_numeric
    environment.filters["fmt"] = format_number
    environment.filters["fmt_p"] = format_p
    return environment.get_template("report.html.j2").render(**context)


# --------------------------------------------------------------------------
# Building the page from the results folder


SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}
AREA_FOLDERS = {"binding": "binding", "behaviour": "behaviour", "pk": "pk"}
CAPTION_DIR = Path(__file__).resolve().parents[1] / "workflow" / "report"


def caption_text(name: str, config: dict, test: str = "") -> str:
    """The Snakemake-report caption of a figure, as plain text, so both reports
    say the same thing. Jinja placeholders are filled from the config."""
    path = CAPTION_DIR / f"{name}.rst"
    if not path.exists():
        return ""
    template = jinja2.Environment(autoescape=False).from_string(path.read_text())

    class _Smk:  # what the captions reference
        pass

    smk = _Smk()
    smk.config = config
    smk.wildcards = type("W", (), {"test": test, "assay": "", "table": ""})()
    text = template.render(snakemake=smk)
    return " ".join(text.replace("``", "").split())


class Results:
    """Read-only access to one study's results folder."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def table(self, name, columns=None, keys=None, caption="", query=None, sort=None):
        frame = read_table(self.folder, name)
        if frame is None:
            return None
        if query is not None:
            frame = frame[query(frame)]
        if sort:
            frame = frame.sort_values(sort, kind="stable")
        return Table(name=name, frame=frame.reset_index(drop=True), columns=columns or [],
                     keys=keys or [], caption=caption)

    def exists(self, name) -> bool:
        return (self.folder / name).exists()

    def figures(self, pattern):
        return sorted(self.folder.glob(pattern))


def figure(path: Path, title: str, caption: str) -> dict:
    return {"uri": figure_data_uri(path), "title": title, "caption": caption}


def scorecard(results: Results):
    """Raised flags (severity high/medium/low), most severe first, and the
    flags that could not be assessed for want of data."""
    columns = ["severity", "flag", "area", "evidence", "recommendation"]
    raised = results.table("translation/flags.csv", columns=columns, keys=["flag", "area"],
                           query=lambda f: f["severity"].str.lower().isin(SEVERITY_ORDER))
    unassessed = results.table("translation/flags.csv", columns=["flag", "area", "evidence"],
                               keys=["flag", "area"],
                               query=lambda f: ~f["severity"].str.lower().isin(SEVERITY_ORDER))
    if raised is not None and len(raised.frame):
        order = raised.frame["severity"].map(lambda s: SEVERITY_ORDER[str(s).lower()])
        raised.frame = raised.frame.assign(_order=order).sort_values(
            ["_order", "flag"], kind="stable").drop(columns="_order").reset_index(drop=True)
    return raised, unassessed


def summary_blocks(results: Results) -> list[dict]:
    blocks = []
    blocks.append({
        "id": "headline-ki", "title": "Affinity (Ki) at each receptor, human vs rat",
        "text": "Geometric mean Ki per species; fold difference flagged above the configured "
                "threshold (seed Table 1, now measured).",
        "table": results.table(
            "binding/species_comparison.csv",
            columns=["receptor", "human_ki_nM", "rat_ki_nM", "fold_difference",
                     "species_difference_flag"], keys=["receptor", "compound"]),
        "missing": "Binding not provided."})
    blocks.append({
        "id": "headline-doses", "title": "Behaviourally effective doses and confound check",
        "text": "FST doses that reduced immobility against vehicle (adjusted p ≤ alpha), with "
                "the open-field effect at the same dose and regimen.",
        "table": results.table(
            "behaviour/confounds.csv",
            columns=["regimen", "treatment", "dose_mg_kg", "fst_diff_vs_vehicle", "fst_p_adj",
                     "fst_hedges_g", "open_field_pct_change_vs_vehicle", "locomotor_effect",
                     "classification"],
            keys=["regimen", "treatment", "dose_mg_kg"],
            query=lambda f: f["fst_effect"] == "improved"),
        "missing": "Behaviour not provided."})
    blocks.append({
        "id": "headline-f", "title": "Oral bioavailability, rat vs human",
        "text": _human_value_text(results, "oral_bioavailability", "Human oral F"),
        "table": results.table(
            "pk/bioavailability.csv",
            columns=["analyte", "route", "dose_mg_kg", "f", "f_ci_low", "f_ci_high", "method",
                     "n_test", "n_reference"],
            keys=["analyte", "route", "dose_mg_kg", "reference_route", "reference_dose_mg_kg"],
            query=lambda f: f["f"].notna()),
        "missing": "PK not provided."})
    blocks.append({
        "id": "headline-exposure", "title": "Exposure ratios, rat over human",
        "text": "Rat exposure at each behaviourally effective dose of the study compound over "
                "human exposure at the clinical doses (total and unbound).",
        "table": results.table("translation/exposure_ratios.csv",
                               keys=["rat_dose_mg_kg", "route", "human_dose_mg", "human_state"],
                               query=lambda f: f["rat_dose_mg_kg"].isin(effective_doses(results))),
        "missing": "Translation not assessable: PK not provided."})
    blocks.append({
        "id": "headline-occupancy", "title": "Receptor occupancy picture",
        "text": "Fractional occupancy C_u / (C_u + Ki) at Cmax, rat at each effective dose and "
                "human at each clinical dose (steady state where given). Read H1 (sedation) "
                "against α2 and 5-HT2 (antidepressant mechanism).",
        "table": occupancy_pivot(results),
        "missing": "Translation not assessable: binding or PK not provided."})
    return blocks


def effective_doses(results: Results) -> list:
    """Doses of the study compound the FST found effective (from confounds.csv)."""
    confounds = read_table(results.folder, "behaviour/confounds.csv")
    study = json.loads((results.folder / "validated" / "study.json").read_text())
    if confounds is None:
        return []
    compound = str(study.get("compound", "")).lower()
    hits = confounds[(confounds["fst_effect"] == "improved")
                     & (confounds["treatment"].astype(str).str.lower() == compound)]
    return sorted(hits["dose_mg_kg"].unique().tolist())


def occupancy_pivot(results: Results):
    frame = read_table(results.folder, "translation/occupancy.csv")
    if frame is None or frame.empty:
        return None
    frame = frame[frame["basis"].astype(str) == "cmax"]
    frame = frame.sort_values(["species", "dose"], ascending=[False, True], kind="stable")
    return PivotTable(name="translation/occupancy.csv", frame=frame, index=["receptor"],
                      columns=["species", "dose", "dose_unit"], value="occupancy",
                      keys=["species", "receptor", "dose", "dose_unit", "basis"])


def _human_value_text(results: Results, key: str, label: str) -> str:
    reference = read_table(results.folder, "translation/reference.csv")
    if reference is None:
        return ""
    key_column = next((c for c in ("key", "parameter", "name") if c in reference), None)
    if key_column is None:
        return ""
    rows = reference[reference[key_column].astype(str) == key]
    if rows.empty:
        return ""
    row = rows.iloc[0]
    value = row.get("value")
    source = row.get("source", "")
    return f"{label}: {format_number(value)} ({source})."


def binding_section(results: Results, config: dict) -> dict:
    blocks = [
        {"title": "Ki per curve (Cheng–Prusoff)", "figures": [],
         "table": results.table("binding/ki.csv", columns=[
             "assay", "receptor", "species", "kd_nM", "kd_source", "model", "log_ic50",
             "log_ic50_ci_low", "log_ic50_ci_high", "hill_slope", "ki_nM", "ki_ci_low_nM",
             "ki_ci_high_nM", "pki", "r_squared", "n_points", "f_test_p", "preferred_model",
             "flags"], keys=["assay", "receptor", "species", "compound"])},
        {"title": "Saturation binding", "table": results.table("binding/saturation.csv"),
         "figures": [figure(p, f"Saturation {p.stem.removeprefix('saturation_')}",
                            caption_text("binding_saturation_curves", config))
                     for p in results.figures("binding/figures/saturation_*.svg")]},
        {"title": "Species comparison and selectivity",
         "table": results.table("binding/species_comparison.csv"),
         "figures": [figure(p, "pKi by receptor, human and rat",
                            caption_text("binding_pki_by_receptor", config))
                     for p in results.figures("binding/figures/pki_by_receptor.svg")]},
        {"title": "Selectivity relative to the primary target",
         "table": results.table("binding/selectivity.csv"), "figures": []},
        {"title": "Competition curves", "table": None,
         "figures": [figure(p, f"Assay {p.stem.removeprefix('curves_')}",
                            caption_text("binding_curves", config))
                     for p in results.figures("binding/figures/curves_*.svg")]},
    ]
    return {"intro": [], "blocks": blocks}


def behaviour_section(results: Results, config: dict) -> dict:
    blocks = [{"title": "Confound check: FST against locomotion",
               "table": results.table("behaviour/confounds.csv", columns=[
                   "regimen", "treatment", "dose_mg_kg", "fst_effect", "locomotor_effect",
                   "classification", "interpretation"]), "figures": []},
              {"title": "Battery-level flags",
               "table": results.table("behaviour/battery_flags.csv"), "figures": []},
              {"title": "Exclusions (ARRIVE item 3)",
               "table": results.table("behaviour/exclusions.csv"), "figures": []}]
    for folder in sorted(p for p in (results.folder / "behaviour").glob("*") if p.is_dir()
                         and (p / "comparisons.csv").exists()):
        test = folder.name
        figures = [figure(p, f"{test}", caption_text("behaviour_figure", config, test))
                   for p in results.figures(f"behaviour/figures/{test}.svg")]
        blocks.append({"title": f"{test}: omnibus tests",
                       "text": "Decision path: " + _decisions(results, test),
                       "table": results.table(f"behaviour/{test}/omnibus.csv"), "figures": []})
        blocks.append({"title": f"{test}: doses against vehicle",
                       "table": results.table(f"behaviour/{test}/comparisons.csv", columns=[
                           "endpoint", "regimen", "treatment", "dose_mg_kg", "n", "mean", "sd",
                           "diff_vs_vehicle", "diff_ci_low", "diff_ci_high", "p_adj", "method",
                           "hedges_g", "hedges_g_ci_low", "hedges_g_ci_high"]),
                       "figures": figures})
    return {"intro": [], "blocks": blocks}


def _decisions(results: Results, test: str) -> str:
    frame = read_table(results.folder, f"behaviour/{test}/decision_path.csv")
    if frame is None or frame.empty:
        return "not recorded."
    return "; ".join(f"{r.endpoint} {r.regimen}: {r.omnibus_method} + {r.posthoc_method} "
                     f"({r.reason})" for r in frame.itertuples())


def pk_section(results: Results, config: dict) -> dict:
    blocks = [
        {"title": "Absolute bioavailability", "table": results.table("pk/bioavailability.csv"),
         "figures": []},
        {"title": "Detectability of each analyte", "table": results.table("pk/detectability.csv"),
         "figures": []},
        {"title": "Metabolite-to-parent ratios", "table": results.table("pk/metabolites.csv"),
         "figures": []},
        {"title": "Dose proportionality", "table": results.table("pk/dose_proportionality.csv"),
         "figures": []},
        {"title": "Concentration–time profiles", "table": None,
         "figures": [figure(p, "Plasma concentration–time",
                            caption_text("pk_concentration_time", config))
                     for p in results.figures("pk/figures/concentration_time.svg")]},
        {"title": "Group summaries", "table": results.table("pk/summary.csv"), "figures": []},
        {"title": "NCA per profile", "table": results.table("pk/nca.csv"),
         "figures": [figure(p, f"λz diagnostics {p.stem.removeprefix('lambda_z_')}",
                            caption_text("pk_lambda_z", config))
                     for p in results.figures("pk/figures/lambda_z_*.svg")]},
    ]
    return {"intro": [], "blocks": blocks}


def translation_section(results: Results, config: dict) -> dict:
    blocks = []
    for name, title in (("exposure", "Rat and human exposure"),
                        ("exposure_ratios", "Exposure ratios"),
                        ("dose_translation", "Dose translation: BSA scaling vs exposure matching"),
                        ("occupancy", "Receptor occupancy"),
                        ("ki_used", "Ki values used for occupancy"),
                        ("reference", "Human reference values")):
        blocks.append({"title": title, "table": results.table(f"translation/{name}.csv"),
                       "figures": []})
    blocks[0]["figures"] = [figure(p, "Rat vs human exposure",
                                   caption_text("translation_exposure_figure", config))
                            for p in results.figures("translation/figures/exposure*.svg")]
    blocks[3]["figures"] = [figure(p, "Receptor occupancy heatmap",
                                   caption_text("translation_occupancy_figure", config))
                            for p in results.figures("translation/figures/occupancy*.svg")]
    return {"intro": [], "blocks": blocks}


def _counts(frame, column) -> str:
    if frame is None or column not in frame or frame.empty:
        return "none"
    # Per-row details in parentheses (e.g. degrees of freedom) would split the count.
    labels = frame[column].astype(str).str.replace(r"\s*\([^)]*\)\s*$", "", regex=True)
    counts = labels.value_counts().sort_index()
    return ", ".join(f"{name} ({n})" for name, n in counts.items())


def methods(results: Results, config: dict, areas: dict) -> list[dict]:
    b, bh, pk, tr = (config.get(k, {}) for k in ("binding", "behaviour", "pk", "translation"))
    files = read_table(results.folder, "inventory/files.csv")
    warnings = read_table(results.folder, "inventory/warnings.csv")
    out = [{"title": "Input validation", "paragraphs": [
        f"{0 if files is None else len(files)} input files were checked row by row against "
        "the JSON schemas in workflow/schemas/ before any analysis; "
        f"{0 if warnings is None else len(warnings)} warnings were raised (listed in the "
        "summary). Excluded animals were removed from statistics and listed with reasons."]}]
    if areas.get("binding") == "provided":
        ki = read_table(results.folder, "binding/ki.csv")
        out.append({"title": "Radioligand binding", "paragraphs": [
            "Specific binding = CPM − mean(NSB CPM) for the receptor in its assay file; percent "
            "specific binding = 100 · specific / (mean total − mean NSB).",
            "Competition curves: Y = Bottom + (Top − Bottom) / (1 + 10^((LogIC50 − X) · "
            "HillSlope)), X = log10 molar concentration (GraphPad Prism's log(inhibitor) vs. "
            "response – variable slope), fitted by least squares with lmfit to every replicate "
            "point; the one-site model fixes HillSlope = −1. Models were compared by the "
            "extra-sum-of-squares F test and AICc. Preferred models: "
            f"{_counts(ki, 'preferred_model')}.",
            f"Ki = IC50 / (1 + [L]/Kd) (Cheng–Prusoff) from the {b.get('ki_model')} fit; 95% CI "
            "from the t-based CI of LogIC50. Kd sources: "
            f"{_counts(ki, 'kd_source')}. Saturation: one-site total and nonspecific binding "
            "fitted globally (specific = Bmax·X/(Kd + X), NSB = NS·X + background).",
            f"Flags: R² < {b.get('r_squared_min')}, |HillSlope| outside "
            f"{b.get('hill_slope_range')}, replicate CV > {b.get('replicate_cv_max_pct')}%, NSB "
            f"> {b.get('nsb_max_pct_of_total')}% of total, IC50 outside the tested range, "
            f"undefined plateaus, parameters at bounds, fewer than "
            f"{b.get('min_concentrations')} concentrations (not fitted)."]})
    if areas.get("behaviour") == "provided":
        omnibus = pd.concat([f for f in (read_table(results.folder, str(p.relative_to(
            results.folder))) for p in results.figures("behaviour/*/omnibus.csv")) if f is not
            None], ignore_index=True) if results.figures("behaviour/*/omnibus.csv") else None
        out.append({"title": "Behaviour", "paragraphs": [
            "Each test × endpoint × regimen was analysed separately against vehicle. Decision "
            f"path (pre-specified, method '{bh.get('method', 'auto')}'): Shapiro–Wilk on the "
            f"one-way residuals (alpha {bh.get('normality_alpha')}); if not normal, "
            "Kruskal–Wallis + Dunn's test against vehicle with Holm adjustment over the "
            "dose-vs-vehicle comparisons; otherwise Brown–Forsythe (alpha "
            f"{bh.get('variance_alpha')}); unequal variances → Welch ANOVA + Games–Howell; "
            "otherwise one-way ANOVA + Dunnett (scipy.stats.dunnett, seeded "
            f"{bh.get('seed')}).",
            f"Methods used: {_counts(omnibus, 'method')}. Effect sizes: Hedges' g with 95% CI "
            "per comparison; ω² (ANOVA) or η²_H (Kruskal–Wallis) for the omnibus. Two-way "
            "ANOVA (type II) for treatment × regimen (× sex when both sexes were tested).",
            f"Groups with fewer than {bh.get('min_group_n')} animals were described, not "
            "tested. Confound check: an FST improvement is 'specific' when the open-field "
            "distance at the same dose and regimen is unchanged, 'sedation' when it is "
            f"decreased and 'possible stimulant artefact' when it is increased (adjusted p ≤ "
            f"{bh.get('alpha')})."]})
    if areas.get("pk") == "provided":
        f_table = read_table(results.folder, "pk/bioavailability.csv")
        out.append({"title": "Pharmacokinetics", "paragraphs": [
            f"Non-compartmental analysis per animal × analyte × route × dose: AUC by the "
            f"{str(pk.get('auc_method')).replace('_', ' ')} trapezoidal rule; AUCinf = AUClast "
            "+ Clast,obs/λz; %AUC extrapolated flagged above "
            f"{pk.get('max_auc_pct_extrap')}%. λz from the last ≥ "
            f"{pk.get('min_lambda_z_points')} points after Tmax (Cmax excluded) with the best "
            "adjusted R² (ties within 1e-4 → more points); flagged when adjusted R² < "
            f"{pk.get('min_lambda_z_adj_r2')} or span ratio < {pk.get('min_span_ratio')}.",
            f"BLQ: before the first measurable sample → {pk.get('blq_first')}; between → "
            f"{pk.get('blq_middle')}; after the last → {pk.get('blq_last')}. Extravascular "
            "profiles start at C = 0 at t = 0; IV C0 is back-extrapolated log-linearly from "
            "the first two points. CL and Vz are CL/F and Vz/F for extravascular routes.",
            "Absolute bioavailability: F = (AUC_po/Dose_po)/(AUC_iv/Dose_iv). Methods used: "
            f"{_counts(f_table, 'method')}."]})
    if results.exists("translation/flags.csv"):
        out.append({"title": "Translation", "paragraphs": [
            "Human-equivalent dose by body-surface area (FDA 2005): HED (mg/kg) = rat dose × "
            f"{tr.get('km_rat')}/{tr.get('km_human')}, × {tr.get('human_body_weight_kg')} kg. "
            "The exposure-matched human dose gives the same unbound AUC as the rat; the two "
            f"are flagged when they differ more than {tr.get('dose_disagreement_fold')}-fold.",
            "Human steady state: accumulation factor R = 1/(1 − e^(−k·τ)), k = ln 2/t½, "
            f"τ = {tr.get('dosing_interval_h')} h. Receptor occupancy = C_u/(C_u + Ki) with "
            "C_u the unbound plasma concentration in nM (molecular weight), at Cmax and at the "
            "average concentration AUC/τ; rat and human occupancies are flagged when they lie "
            "on different sides of 50% or differ by more than "
            f"{tr.get('occupancy_difference_points')} points."]})
    return out


ARRIVE_ITEMS = [
    (1, "Study design"), (2, "Sample size"), (3, "Inclusion and exclusion criteria"),
    (4, "Randomisation"), (5, "Blinding/masking"), (6, "Outcome measures"),
    (7, "Statistical methods"), (8, "Experimental animals"), (9, "Experimental procedures"),
    (10, "Results"),
]


def arrive_checklist(results: Results, study: dict) -> list[dict]:
    """ARRIVE 2.0 Essential 10, filled from the data and study.yaml; an item
    the study did not state reads "not reported"."""
    stated = study.get("arrive", {}) or {}
    groups = read_table(results.folder, "inventory/behaviour_groups.csv")
    exclusions = read_table(results.folder, "inventory/exclusions.csv")
    comparisons = [read_table(results.folder, str(p.relative_to(results.folder)))
                   for p in results.figures("behaviour/*/comparisons.csv")]
    comparisons = [c for c in comparisons if c is not None and len(c)]
    has_groups = groups is not None and len(groups)
    text = {}
    if has_groups:
        designs = groups.groupby("test").apply(
            lambda g: f"{g.name}: {g['treatment'].nunique()} treatments, "
                      f"{len(g)} groups ({', '.join(sorted(g['regimen'].unique()))})",
            include_groups=False)
        text[1] = ("Between-animal design against a vehicle control group. "
                   + "; ".join(designs.tolist()) + ".")
        per_group = "; ".join(
            f"{r.test} {r.treatment} {format_number(r.dose_mg_kg)} mg/kg {r.regimen}: "
            f"n = {r.n_analysed} analysed of {r.n_animals}" for r in groups.itertuples())
        total = groups.groupby("test")["n_animals"].sum()
        text[2] = (f"{per_group}. Total animals per test: "
                   + ", ".join(f"{t} {n}" for t, n in total.items()) + ". Rationale: "
                   + stated.get("sample_size", NOT_REPORTED) + ".")
    else:
        text[1] = NOT_REPORTED
        text[2] = "Sample-size rationale: " + stated.get("sample_size", NOT_REPORTED)
    if exclusions is not None and len(exclusions):
        text[3] = "; ".join(f"{r.test} {r.animal_id} ({r.treatment} "
                            f"{format_number(r.dose_mg_kg)} mg/kg, {r.regimen}): "
                            f"{r.exclusion_reason}" for r in exclusions.itertuples())
    else:
        text[3] = "No animals were excluded." if has_groups else NOT_REPORTED
    text[4] = stated.get("randomisation", NOT_REPORTED)
    text[5] = stated.get("blinding", NOT_REPORTED)
    endpoints = sorted({f"{c['test'].iloc[0]}: " + ", ".join(sorted(c["endpoint"].unique()))
                        for c in comparisons})
    text[6] = ("; ".join(endpoints) if endpoints else NOT_REPORTED) + (
        ". " + stated["outcome_measures"] if "outcome_measures" in stated else "")
    methods_used = sorted({m for c in comparisons for m in c["method"].astype(str).unique()})
    text[7] = ("Pre-specified decision path (see Methods); post-hoc methods used: "
               + ", ".join(methods_used) + ".") if methods_used else NOT_REPORTED
    animals = [stated.get(k) for k in ("strain", "age", "source", "housing") if stated.get(k)]
    text[8] = " ".join(animals) if animals else NOT_REPORTED
    if has_groups:
        regimens = ", ".join(sorted({f"{r.treatment} {format_number(r.dose_mg_kg)} mg/kg "
                                     f"{r.route}" for r in groups.itertuples()}))
        text[9] = f"Treatments: {regimens}." + (
            " " + stated["procedures"] if "procedures" in stated else "")
    else:
        text[9] = stated.get("procedures", NOT_REPORTED)
    if comparisons:
        frame = pd.concat(comparisons, ignore_index=True)
        tested = frame[frame["p_adj"].notna()]
        text[10] = (f"{len(tested)} dose-vs-vehicle comparisons, each with its difference "
                    "(95% CI), adjusted p and Hedges' g (95% CI) in the Behaviour section.")
    else:
        text[10] = NOT_REPORTED
    return [{"number": n, "title": title, "text": text.get(n, NOT_REPORTED)}
            for n, title in ARRIVE_ITEMS]


def build_context(results_folder, config: dict, generated: str, failures=None) -> dict:
    results = Results(results_folder)
    study = json.loads((results.folder / "validated" / "study.json").read_text())
    areas_frame = read_table(results.folder, "inventory/areas.csv")
    areas = dict(zip(areas_frame["area"], areas_frame["status"])) if areas_frame is not None \
        else {}
    software = results.table("provenance/software.csv")
    revision = "unknown"
    if software is not None:
        rows = software.frame[software.frame["component"] == "pipeline"]
        revision = rows["version"].iloc[0] if len(rows) else revision
    builders = [("binding", "Binding", "binding", binding_section),
                ("behaviour", "Behaviour", "behaviour", behaviour_section),
                ("pk", "Pharmacokinetics", "pk", pk_section)]
    sections = []
    for number, (area, title, folder, builder) in enumerate(builders, start=2):
        provided = areas.get(area) == "provided"
        section = builder(results, config) if provided else {"intro": [], "blocks": []}
        sections.append({"id": area, "number": number, "title": title, "folder": folder,
                         "status": "provided" if provided else NOT_PROVIDED, **section})
    translation = translation_section(results, config)
    sections.append({"id": "translation", "number": 5, "title": "Translation",
                     "folder": "translation", "status": "provided", **translation})
    toc = [{"id": "summary", "title": "Summary"}] + [
        {"id": s["id"], "title": s["title"]} for s in sections] + [
        {"id": "methods", "title": "Methods"}, {"id": "arrive", "title": "ARRIVE 2.0"},
        {"id": "provenance", "title": "Provenance"}]
    warnings = results.table("inventory/warnings.csv")
    return {
        "study": study, "generated": generated, "revision": revision, "toc": toc,
        "summary": {"scorecard": scorecard(results)[0], "unassessed": scorecard(results)[1],
                    "headlines": summary_blocks(results)},
        "warnings": warnings, "sections": sections, "methods_number": 6,
        "methods": methods(results, config, areas),
        "config_text": yaml.safe_dump(config, sort_keys=True, default_flow_style=None),
        "software": software, "arrive": arrive_checklist(results, study),
        "provenance": results.table("provenance/inputs.csv"),
        "failures": failures or [],
    }


def generated_now() -> str:
    """The report's "generated" time stamp (UTC, to the minute)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def write_report(results_folder, config: dict, generated: str, out_path, failures=None) -> None:
    html = render(build_context(results_folder, config, generated, failures))
    Path(out_path).write_text(html, encoding="utf-8")


def write_incomplete_report(results_folder, config: dict, failures: list[dict], out_path) -> bool:
    """After a --keep-going run in which jobs failed: the report of what was
    produced, headed by the list of failed jobs and outputs not produced
    (*failures*, rule_support.write_failures rows). Not written when the
    study metadata itself was not validated (nothing to report on). Never
    raises: a partial report that cannot be drawn is skipped, with a line on
    stderr, and failures.csv still says what failed. Returns whether written."""
    folder = Path(results_folder)
    if not (folder / "validated" / "study.json").is_file():
        return False
    generated = generated_now()
    # The full report is among the outputs "not produced"; this page stands in for it.
    shown = [row for row in failures if Path(row["what"]).name != Path(out_path).name]
    try:
        write_report(folder, config, generated, out_path, shown)
    except Exception as error:  # noqa: BLE001 - the run has failed already; say why, go on
        Path(out_path).unlink(missing_ok=True)
        print(f"Partial report not written ({type(error).__name__}: {error}); "
              "see failures.csv", file=sys.stderr)
        return False
    print(f"Partial report, headed by what failed: {out_path}", file=sys.stderr)
    return True

"""The generated methods: one text template per area under
``templates/methods/``, filled with the settings used and the methods the
result tables record.

The templates are plain text: paragraphs are separated by a blank line, and
line breaks within a paragraph read as spaces. The page escapes the text as
it does every other string.
"""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import pandas as pd

from .results import Results

TEXT_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / "templates" / "methods"),
    autoescape=False,
    undefined=jinja2.StrictUndefined,
)


def paragraphs(area: str, values: dict) -> list[str]:
    """The methods text of *area* filled with *values*, as paragraphs."""
    text = TEXT_TEMPLATES.get_template(f"{area}.txt.j2").render(**values)
    return [" ".join(part.split()) for part in re.split(r"\n\s*\n", text) if part.strip()]


def counts(frame, column) -> str:
    """How often each value of *column* occurs, e.g. "dunnett (3), welch (1)"."""
    if frame is None or column not in frame or frame.empty:
        return "none"
    # Per-row details in parentheses (e.g. degrees of freedom) would split the count.
    labels = frame[column].astype(str).str.replace(r"\s*\([^)]*\)\s*$", "", regex=True)
    counted = labels.value_counts().sort_index()
    return ", ".join(f"{name} ({n})" for name, n in counted.items())


def methods(results: Results, config: dict, areas: dict) -> list[dict]:
    """The methods of every analysis that ran, each a title and paragraphs."""
    files = results.read("inventory/files.csv")
    warnings = results.read("inventory/warnings.csv")
    parts = [
        (
            "Input validation",
            "validation",
            {
                "n_files": 0 if files is None else len(files),
                "n_warnings": 0 if warnings is None else len(warnings),
            },
        )
    ]
    if areas.get("binding") == "provided":
        ki = results.read("binding/ki.csv")
        values = {
            "binding": config["binding"],
            "preferred_models": counts(ki, "preferred_model"),
            "kd_sources": counts(ki, "kd_source"),
        }
        parts.append(("Radioligand binding", "binding", values))
    if areas.get("behaviour") == "provided":
        omnibus = results.read_all("behaviour/*/omnibus.csv")
        omnibus = pd.concat(omnibus, ignore_index=True) if omnibus else None
        values = {"behaviour": config["behaviour"], "omnibus_methods": counts(omnibus, "method")}
        parts.append(("Behaviour", "behaviour", values))
    if areas.get("pk") == "provided":
        values = {
            "pk": config["pk"],
            "bioavailability_methods": counts(results.read("pk/bioavailability.csv"), "method"),
        }
        parts.append(("Pharmacokinetics", "pk", values))
    if results.exists("translation/flags.csv"):
        parts.append(("Translation", "translation", {"translation": config["translation"]}))
    return [{"title": title, "paragraphs": paragraphs(area, values)} for title, area, values in parts]

"""Author-year labels of bibliography entries ("Timmer et al. 2000",
"Porsolt et al. 1977a"), shared by the translation step, which writes them
into result tables, and the report, which turns them back into its numbered
citations. Entries that would share a label get "a", "b", ... after the
year in bibliography order, so every label names one entry. The report's
numbered citations and its reference list use the same labels, so one
reference has one display name everywhere."""

from __future__ import annotations

import re


def base_label(key: str, entry: dict) -> str:
    """The entry's own ``label`` when it gives one (a document without a
    personal author, e.g. "Organon, SmPC"), else the first author's surname
    (an organisation: its name up to "/", "(" or ",") and the year."""
    authors = str(entry.get("authors") or "").strip()
    if entry.get("label"):
        name = str(entry["label"]).strip()
    elif entry.get("type") in ("article", "book") and authors:
        names = [a.strip() for a in authors.split(",") if a.strip()]
        tokens = names[0].split()
        if len(tokens) > 1 and tokens[-1].isupper() and len(tokens[-1]) <= 3:
            tokens = tokens[:-1]  # drop the initials: "de Boer T" -> "de Boer"
        several = len(names) > 1 or "et al" in authors
        name = " ".join(tokens) + (" et al." if several else "")
    else:
        name = re.split(r"[/(,]", authors)[0].strip() or str(entry.get("title", key))
    year = entry.get("year")
    return f"{name} {year}" if year else name


def labels(bib: dict) -> dict:
    """key -> unique label for every non-placeholder entry of *bib*."""
    base = {
        key: base_label(key, entry)
        for key, entry in bib.items()
        if isinstance(entry, dict) and entry.get("type") != "placeholder"
    }
    groups: dict[str, list] = {}
    for key, label in base.items():
        groups.setdefault(label, []).append(key)
    out = {}
    for label, keys in groups.items():
        for i, key in enumerate(keys):
            out[key] = label if len(keys) == 1 else f"{label}{'abcdefghijklmnopqrstuvwxyz'[i]}"
    return out

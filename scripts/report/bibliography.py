"""Citations: reference keys of resources/reference/bibliography.yaml found
in the page's text become "Timmer et al. 2000 [3]", numbered in order of
first citation, with the numbered reference list at the end of the page.

A key is cited wherever a result table or a sentence names it (e.g. the
``source`` of a human reference value, the evidence of a flag, the
``references`` column of flags.csv), and wherever a result table carries
the author-year label the translation step writes for a source ("Timmer et
al. 2000", :mod:`scripts.source_labels`): the report's number is added to
it. Nothing else is changed in the text.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from markupsafe import Markup, escape

from scripts.source_labels import base_label
from scripts.source_labels import labels as source_labels

BIBLIOGRAPHY = Path(__file__).resolve().parents[2] / "resources" / "reference" / "bibliography.yaml"


def load(path=BIBLIOGRAPHY) -> dict:
    path = Path(path)
    if not path.exists():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def short_name(entry: dict, key: str) -> str:
    """ "Timmer et al. 2000", "Organon, SmPC", "Dunnett 1955": the
    author-year label of :mod:`scripts.source_labels` (before the "a", "b"
    that tell apart entries sharing one)."""
    return base_label(key, entry)


def full_text(entry: dict) -> str:
    """One reference: authors (year). Title. Journal volume(issue): pages."""
    parts = []
    authors = entry.get("authors")
    year = entry.get("year")
    if authors:
        parts.append(f"{authors}" + (f" ({year})." if year else "."))
    elif year:
        parts.append(f"({year}).")
    if entry.get("title"):
        parts.append(f"{str(entry['title']).rstrip('.')}.")
    journal = entry.get("journal")
    if journal:
        where = str(journal)
        if entry.get("volume"):
            where += f" {entry['volume']}"
            if entry.get("issue"):
                where += f"({entry['issue']})"
        if entry.get("pages"):
            where += f": {entry['pages']}"
        parts.append(where + ".")
    return " ".join(parts)


class Citations:
    """The bibliography and the keys cited so far, numbered by first use."""

    def __init__(self, entries: dict | None = None):
        self.entries = load() if entries is None else entries
        self.labels = source_labels(self.entries)
        self.by_label = {label: key for key, label in self.labels.items() if len(label) >= 4}
        keys = sorted((k for k in self.entries if len(k) >= 4), key=len, reverse=True)
        names = sorted(self.by_label, key=len, reverse=True)
        alternatives = [re.escape(k) for k in keys] + [re.escape(n) for n in names]
        self.pattern = (
            re.compile(r"(?<![\w/.-])(" + "|".join(alternatives) + r")(?![\w-])") if alternatives else None
        )
        self.numbers: dict[str, int] = {}

    def number(self, key: str) -> int:
        if key not in self.numbers:
            self.numbers[key] = len(self.numbers) + 1
        return self.numbers[key]

    def label(self, key: str) -> str:
        entry = self.entries[key]
        if entry.get("type") == "placeholder":
            return "no primary source"
        return f"{self.labels.get(key) or short_name(entry, key)} [{self.number(key)}]"

    def cite(self, text) -> Markup:
        """*text* escaped, each reference key in it replaced by a link to
        its numbered entry."""
        text = "" if text is None else str(text)
        if self.pattern is None or not self.pattern.search(text):
            return escape(text)
        out, last = [], 0
        for match in self.pattern.finditer(text):
            found = match.group(1)
            key = self.by_label.get(found, found)
            between = text[last : match.start()]
            out.append(escape("; " if last and between == ";" else between))
            if self.entries[key].get("type") == "placeholder":
                out.append(escape("no primary source"))
            else:
                number = self.number(key)
                out.append(
                    Markup('<a class="cite" href="#ref-{}" data-key="{}">{}</a>').format(
                        number, key, f"{found} [{number}]" if found != key else self.label(key)
                    )
                )
            last = match.end()
        out.append(escape(text[last:]))
        return Markup("").join(out)

    def cited(self) -> list[dict]:
        """The cited references in number order, for the reference list."""
        rows = []
        for key, number in sorted(self.numbers.items(), key=lambda item: item[1]):
            entry = self.entries[key]
            rows.append(
                {
                    "number": number,
                    "key": key,
                    "text": full_text(entry),
                    "doi": entry.get("doi"),
                    "pmid": entry.get("pmid"),
                    "url": entry.get("url"),
                    "confirmed": bool(entry.get("confirmed")),
                }
            )
        return rows

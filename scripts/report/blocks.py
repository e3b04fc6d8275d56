"""The building blocks of a section: a titled block of text, a result table
and figures, shown in full or folded into a ``<details>`` element with a
one-line summary.

A block names its table and figures by their path under the results folder;
building it only reads them. A table or figure whose step did not run is
left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .figures import Figures
from .results import Results


@dataclass(frozen=True)
class ResultTable:
    """A result table (*path* under the results folder) to show: *columns*
    (all when empty), the *keys* that identify a row, and optionally only the
    *rows* a function of the frame selects. *not_applicable* pairs a column
    with a test of a row under which that column does not apply ("–")."""

    path: str
    columns: tuple = ()
    keys: tuple = ()
    rows: Callable | None = None
    not_applicable: tuple = ()

    def __call__(self, results: Results):
        table = results.table(self.path, self.columns, self.keys, self.rows)
        if table is not None:
            table.not_applicable = dict(self.not_applicable)
        return table


def anchor(text: str) -> str:
    """An HTML id from a table path or a title: "pk/nca.csv" -> "pk-nca"."""
    text = re.sub(r"\.(csv|svg)$", "", str(text))
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass(frozen=True)
class Block:
    """One titled part of a section.

    *table* is a ResultTable or another function of the results giving a
    table; *text* is a sentence or a function of the results giving one.
    *details* folds the block into a closed ``<details>`` whose line reads
    *summary* (a text or a function of the results); *appendix* marks a
    per-file block that prints as that one line. *link* names the CSV
    (under the results folder) a figure's numbers are in, linked beside
    it instead of repeated as a table. *id* anchors the block (by default
    from its table's path or title), and *missing* says why a summary
    headline has no table."""

    title: str
    table: Callable | None = None
    figures: Figures | None = None
    text: str | Callable = ""
    id: str = ""
    missing: str = ""
    details: bool = False
    summary: str | Callable = ""
    appendix: bool = False
    link: str = ""

    def anchor(self) -> str:
        if self.id:
            return self.id
        if isinstance(self.table, ResultTable):
            return anchor(self.table.path)
        if self.link:
            return anchor(self.link)
        return anchor(self.title)

    def paths(self) -> list[str]:
        """The result files (table path, figure pattern) this block shows."""
        paths = [self.table.path] if isinstance(self.table, ResultTable) else []
        if self.figures is not None:
            paths.append(self.figures.pattern)
        return paths

    def build(self, results: Results, config: dict) -> dict:
        table = self.table(results) if self.table is not None else None
        figures = self.figures.load(results, config) if self.figures is not None else []
        summary = self.summary(results) if callable(self.summary) else self.summary
        if self.details and not summary:
            summary = default_summary(table, figures)
        return {
            "id": self.anchor(),
            "title": self.title,
            "text": self.text(results) if callable(self.text) else self.text,
            "table": table,
            "figures": figures,
            "caption": figures[0]["caption"] if figures else "",
            "missing": self.missing,
            "details": self.details,
            "summary": summary,
            "appendix": self.appendix,
            "link": self.link if self.link and results.exists(self.link) else "",
            "empty": table is None and not figures,
        }


def default_summary(table, figures) -> str:
    parts = []
    if table is not None:
        n = len(table.frame)
        parts.append(f"{n} row{'s' if n != 1 else ''}")
    if figures:
        parts.append(f"{len(figures)} figure{'s' if len(figures) != 1 else ''}")
    return ", ".join(parts)


@dataclass(frozen=True)
class Section:
    """A numbered section of the page for one analysis area. *per_test*
    gives the blocks repeated for each behavioural test; a section that is
    not *always* shown reads "not provided" when the study has no data for
    its area. Result tables and figures under *folder* that no block names
    (optional outputs of newer steps) appear at the end: tables folded,
    figures in full, titled by *optional_titles* or their file name."""

    id: str
    title: str
    blocks: tuple = ()
    per_test: Callable[[str], tuple] | None = None
    always: bool = False
    folder: str = ""
    optional_titles: tuple = ()
    shown_elsewhere: tuple = ()

    def all_blocks(self, results: Results) -> list[Block]:
        blocks = list(self.blocks)
        if self.per_test is not None:
            for test in behaviour_tests(results):
                blocks.extend(self.per_test(test))
        if self.folder:
            blocks.extend(self.optional_blocks(results, blocks))
        return blocks

    def optional_blocks(self, results: Results, blocks: list[Block]) -> list[Block]:
        named = {results.folder / name for name in self.shown_elsewhere}
        for block in blocks:
            for pattern in block.paths():
                named.update(results.files(pattern))
            if block.link:
                named.add(results.folder / block.link)
        titles = dict(self.optional_titles)
        extra = []
        for path in results.files(f"{self.folder}/figures/*.svg"):
            if path not in named:
                name = path.relative_to(results.folder).as_posix()
                title = titles.get(name, path.stem.replace("_", " ").capitalize())
                extra.append(Block(title, figures=Figures(name, title, path.stem)))
        for path in results.files(f"{self.folder}/*.csv"):
            if path not in named:
                name = path.relative_to(results.folder).as_posix()
                title = titles.get(name, path.stem.replace("_", " ").capitalize())
                extra.append(Block(title, ResultTable(name), details=True))
        return extra

    def build(self, results: Results, config: dict) -> list[dict]:
        built = [block.build(results, config) for block in self.all_blocks(results)]
        return [block for block in built if not block["empty"]]


def behaviour_tests(results: Results) -> list[str]:
    """The behavioural tests analysed (a folder with comparisons.csv each)."""
    return [path.parent.name for path in results.files("behaviour/*/comparisons.csv")]

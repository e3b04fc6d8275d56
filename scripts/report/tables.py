"""Result tables as shown in the report, each cell naming its source.

Every cell is the formatted text of one result-table cell together with the
column and the row key (JSON of the key columns) it came from; the page
writes these as ``data-table``/``data-row``/``data-column`` attributes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

from .formatting import cell_scale, column_label, format_cell, format_number, is_missing


@dataclass
class Table:
    """A result table to show: its path relative to the results folder, the
    data, and optionally the columns to show and the key columns that
    identify a row (for data-row attributes)."""

    name: str
    frame: pd.DataFrame
    columns: list = field(default_factory=list)
    keys: list = field(default_factory=list)
    not_applicable: dict = field(default_factory=dict)

    def shown_columns(self):
        return [c for c in (self.columns or list(self.frame.columns)) if c in self.frame]

    def text(self, row, column) -> str:
        """A cell's text; "–" where *not_applicable* (column -> test of the
        row) says the column does not apply to this row, e.g. C0 of an
        oral profile."""
        rule = self.not_applicable.get(column)
        if rule is not None and rule(row):
            return "–"
        if column == "parameter" and isinstance(row[column], str):
            return column_label(row[column])  # a parameter named by its column, e.g. "Cmax (ng/mL)"
        return format_cell(column, row[column])

    def headers(self):
        """Column headers with their units."""
        return [column_label(c) for c in self.shown_columns()]

    def rows(self):
        """Rows as lists of cells: (text, column, row key JSON, scale), the
        scale being what the shown number is the cell times (100 for %)."""
        for _, row in self.frame.iterrows():
            key = json.dumps({k: jsonable(row[k]) for k in self.keys if k in row}, sort_keys=True)
            yield [(self.text(row, c), c, key, cell_scale(c)) for c in self.shown_columns()]


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
    unit: str = ""

    def _column_labels(self):
        labels = self.frame[self.columns].astype(str).agg(" ".join, axis=1)
        return list(dict.fromkeys(labels))

    def shown_columns(self):
        return [*self.index, *self._column_labels()]

    def headers(self):
        unit = f" ({self.unit})" if self.unit else ""
        return [column_label(c) for c in self.index] + [f"{c}{unit}" for c in self._column_labels()]

    def rows(self):
        labels = self.frame[self.columns].astype(str).agg(" ".join, axis=1)
        frame = self.frame.assign(_label=labels)
        column_labels = self._column_labels()  # once, not per row: O(n), not O(n²)
        for index_values, group in frame.groupby(self.index, sort=False):
            index_values = index_values if isinstance(index_values, tuple) else (index_values,)
            cells = [(format_number(v), c, "{}", 1) for v, c in zip(index_values, self.index)]
            by_label = {row["_label"]: row for _, row in group.iterrows()}
            for label in column_labels:
                row = by_label.get(label)
                if row is None:
                    cells.append(("–", self.value, "{}", 1))
                    continue
                key = json.dumps({k: jsonable(row[k]) for k in self.keys}, sort_keys=True)
                cells.append(
                    (format_cell(self.value, row[self.value]), self.value, key, cell_scale(self.value))
                )
            yield cells


def jsonable(value):
    if is_missing(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value

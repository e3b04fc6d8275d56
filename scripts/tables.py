"""Table I/O shared by every area: the one error type for bad input and
deterministic CSV writing/reading of result tables."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported where a table is read or written: the
    import pandas as pd  # workflow imports InputError at parse time, and no-ops stay fast


class InputError(Exception):
    """Bad input, reported to the user as one readable line.

    Rows are numbered as a spreadsheet shows them: the header is row 1, so
    the first data row is row 2.
    """

    def __init__(self, file, message, row=None, column=None, **context):
        self.file = str(file)
        self.message = message
        self.row = row
        self.column = column
        self.context = context
        super().__init__(str(self))

    def __str__(self):
        parts = [self.file]
        for key, value in self.context.items():
            parts.append(f"{key} {value!s}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        return ": ".join([", ".join(parts), self.message])


# Rows formatted and written at a time by write_csv.
CSV_BLOCK_ROWS = 50_000


def write_csv(df: pd.DataFrame, path, columns=None) -> None:
    """Write a result table deterministically (fixed column order, no index,
    floats with 10 significant digits so reruns are byte-identical)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if columns is not None:
        missing = [c for c in columns if c not in df.columns]
        if missing:
            raise ValueError(f"{path}: result table lacks columns {missing}")
        df = df.loc[:, list(columns)]
    # Float columns formatted here ("%.10g", blank for NaN): the same text
    # as to_csv(float_format="%.10g") writes, in about half its time; in
    # blocks of rows, so that the text of a large table is never all in memory.
    floats = [c for c in df.columns if df[c].dtype.kind == "f"]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        for start in range(0, max(len(df), 1), CSV_BLOCK_ROWS):
            block = df.iloc[start : start + CSV_BLOCK_ROWS]
            if floats:
                block = block.copy()
                for column in floats:
                    block[column] = [format(v, ".10g") if v == v else "" for v in block[column].tolist()]
            block.to_csv(
                handle, index=False, header=start == 0, lineterminator="\n", quoting=csv.QUOTE_MINIMAL
            )


def read_csv(path) -> pd.DataFrame:
    """Read a table written by this pipeline (validated inputs or results)."""
    import pandas as pd

    return pd.read_csv(path, keep_default_na=True)

"""Excel workbooks (``.xlsx``) as data tables, read with openpyxl.

A workbook becomes the same table of strings a CSV file gives
(:func:`scripts.validation.reading.read_table`), so it goes through the same
validation. Which sheet: the one named after the folder's kind (``binding``,
``saturation``, ``behaviour``, ``pk``; ``plate`` or ``layout`` for the two
files of a plate-reader export), else the first sheet, with a warning naming
it. The header is Excel row 1; rows are numbered as Excel shows them.

Cells are read as Excel stores them: numbers as numbers, formulas by the
value Excel saved with the workbook. A date- or time-formatted cell keeps its
date/time text, and is an error in a numeric column (Excel stores the time
1:00 as 0.0417 days; reading that as a number would be silently wrong). Errors
in a workbook name the sheet and the Excel column letter besides the column
name (:class:`WorkbookInputError`).
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from scripts.tables import InputError
from scripts.validation.reading import warning

# {file: sheet and column letters} of the workbooks read in this process, so
# that an error found later about one of them can name its sheet and column.
_READ: dict[str, dict] = {}


class WorkbookInputError(InputError):
    """An InputError in a workbook: names the sheet and the column letter."""

    def __init__(self, file, message, row=None, column=None, sheet=None, letter=None, **context):
        self.sheet = sheet
        self.letter = letter
        super().__init__(file, message, row=row, column=column, **context)

    def __str__(self):
        parts = [self.file, f"sheet '{self.sheet}'"]
        parts += [f"{key} {value!s}" for key, value in self.context.items()]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            where = f" (Excel column {self.letter})" if self.letter else ""
            parts.append(f"column '{self.column}'{where}")
        return ": ".join([", ".join(parts), self.message])


def sheet_kind(path) -> str:
    """The sheet name a file's data is expected under."""
    name = Path(path).name
    for part in ("plate", "layout"):
        if name.endswith(f".{part}.xlsx"):
            return part
    return Path(path).parent.name


def cell_text(value) -> str:
    """A cell value as the text a user would have typed into a CSV file."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds").removesuffix(" 00:00:00")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value).strip()


def _choose_sheet(workbook, path, warnings):
    wanted = sheet_kind(path)
    by_name = {name.strip().lower(): name for name in workbook.sheetnames}
    if wanted in by_name:
        return by_name[wanted]
    first = workbook.sheetnames[0]
    warnings.append(
        warning(
            path,
            f"no sheet named '{wanted}': read the first sheet, '{first}' "
            f"(of {len(workbook.sheetnames)}); name the sheet '{wanted}' to choose it",
        )
    )
    return first


def read_workbook(path) -> tuple[pd.DataFrame, list[dict]]:
    """One sheet of an .xlsx workbook as a table of strings, plus warnings.

    ``df.attrs["workbook"]`` records the sheet, the Excel column letter of
    each column and the date/time-formatted cells, for the row-wise check
    and for error messages.
    """
    import openpyxl
    from openpyxl.utils import get_column_letter

    path = Path(path)
    warnings: list[dict] = []
    try:
        values = openpyxl.load_workbook(path, data_only=True, read_only=True)
        formulas = openpyxl.load_workbook(path, data_only=False, read_only=True)
    except Exception as error:  # noqa: BLE001 - any unreadable workbook is bad input
        raise InputError(
            path, f"cannot read the Excel workbook ({type(error).__name__}); save it again as .xlsx or CSV"
        ) from None
    try:
        sheet = _choose_sheet(values, path, warnings)
        rows = list(values[sheet].iter_rows())
        formula_rows = list(formulas[sheet].iter_rows(values_only=True))
    finally:
        values.close()
        formulas.close()

    def fail(message, row=None, column=None, letter=None):
        raise WorkbookInputError(path, message, row=row, column=column, sheet=sheet, letter=letter)

    texts = [[cell_text(getattr(cell, "value", None)) for cell in row] for row in rows]
    while texts and not any(texts[-1]):
        texts.pop()
    if not texts:
        fail("sheet is empty")
    width = max(len(row) for row in texts)
    header = texts[0] + [""] * (width - len(texts[0]))
    if not any(header):
        fail("row 1 is empty: the header (column names) must be in row 1", row=1)
    keep = []
    for index, name in enumerate(header):
        has_data = any(index < len(row) and row[index] for row in texts[1:])
        if name:
            keep.append(index)
        elif has_data:
            fail(
                "cells with values under an empty header; name the column",
                row=1,
                letter=get_column_letter(index + 1),
            )
    names = [header[i] for i in keep]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        fail("duplicated column name", row=1, column=duplicated[0])
    letters = {header[i]: get_column_letter(i + 1) for i in keep}
    records, dates = [], set()
    for position, (row, cells) in enumerate(zip(texts[1:], rows[1:])):
        excel_row = position + 2
        if not any(row):
            fail("empty row inside the table; delete it", row=excel_row)
        record = []
        for index in keep:
            cell = cells[index] if index < len(cells) else None
            text = row[index] if index < len(row) else ""
            if cell is not None and getattr(cell, "is_date", False) and text:
                dates.add((position, header[index]))
            if text == "" and _is_formula(formula_rows, excel_row, index):
                fail(
                    "formula cell without a saved value (the workbook was not saved by Excel "
                    "after the formula was entered); open and save it in Excel, or paste values",
                    row=excel_row,
                    column=header[index],
                    letter=letters[header[index]],
                )
            record.append(text)
        records.append(record)
    if not records:
        fail("header only: the sheet has no data rows")
    df = pd.DataFrame(records, columns=names, dtype=str)
    info = {"sheet": sheet, "letters": letters, "dates": dates}
    df.attrs["workbook"] = info
    _READ[str(path)] = info
    return df, warnings


def _is_formula(formula_rows, excel_row, index) -> bool:
    if excel_row - 1 >= len(formula_rows) or index >= len(formula_rows[excel_row - 1]):
        return False
    value = formula_rows[excel_row - 1][index]
    return isinstance(value, str) and value.startswith("=")


def date_cells(df) -> set:
    """{(position, column)} of the date/time-formatted cells of a workbook table."""
    return df.attrs.get("workbook", {}).get("dates", set())


@contextmanager
def workbook_locations():
    """Re-raise an InputError about a workbook read in this process as a
    :class:`WorkbookInputError` naming the sheet and Excel column letter."""
    try:
        yield
    except WorkbookInputError:
        raise
    except InputError as error:
        info = _READ.get(str(Path(error.file)))
        if info is None:
            raise
        raise WorkbookInputError(
            error.file,
            error.message,
            row=error.row,
            column=error.column,
            sheet=info["sheet"],
            letter=info["letters"].get(error.column),
            **error.context,
        ) from None

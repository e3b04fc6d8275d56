"""Reading a user data table as text, and the warning records that every
check returns.

:func:`read_raw_csv` is the one entry point for a data table: a CSV file or
an Excel workbook (:func:`scripts.validation.excel.read_workbook`), after
its size has been checked against ``limits.max_table_mib``. Either way the table is strings
only (nothing is parsed yet), so that the row-wise schema check
(:mod:`scripts.validation.rows`) sees exactly what the user typed and can
name the cell of a bad value.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from scripts import settings
from scripts.tables import InputError

if TYPE_CHECKING:  # imported where a table is read: the workflow imports this module at parse time
    import pandas as pd

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "workflow" / "schemas"
# Characters a POSIX shell treats specially. The pipeline never passes file
# names through a shell, so they are safe here, but they trip up anyone who
# later types the name into a shell command: warn.
SHELL_METACHARACTERS = set(";&|$`'\"<>()*?![]#~")
# File signatures: an .xlsx workbook is a zip archive; an old .xls is an OLE2 file.
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Excel's first-line hint naming the delimiter, e.g. "sep=,".
SEP_HINT = re.compile(r"sep=(.?)\s*")


def load_schema(name: str) -> dict:
    with open(SCHEMA_DIR / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


# The config's ``limits`` section for this process (set by the rule scripts
# from the config; the defaults otherwise).
_LIMITS: dict = {}


def set_limits(limits: dict | None) -> None:
    """Use the config's ``limits`` section (e.g. ``max_table_mib``) for the
    tables read from now on; None restores the defaults."""
    _LIMITS.clear()
    _LIMITS.update(limits or {})


def table_limits() -> dict:
    return settings.section("limits", _LIMITS)


def _name_warnings(path) -> list[dict]:
    awkward = sorted(set(Path(path).name) & SHELL_METACHARACTERS)
    if not awkward:
        return []
    return [
        warning(
            path,
            "file name contains shell metacharacters "
            f"({' '.join(awkward)}); processed safely here, but quote "
            "the name in any shell command or rename the file",
        )
    ]


def read_raw_csv(path) -> tuple[pd.DataFrame, list[dict]]:
    """Read a user data table as strings: a CSV file, or an Excel workbook
    (``.xlsx``, :func:`scripts.validation.excel.read_workbook`). Returns the
    table and warnings. A file above ``limits.max_table_mib`` is refused
    before it is read.

    A CSV file is rejected, with a message saying what to do, when it is
    empty or header-only, has non-UTF-8 bytes, is semicolon- or
    tab-delimited, repeats a column name, has more fields in every data row
    than in the header (e.g. a trailing comma), or is a workbook under a
    .csv name. A UTF-8 byte-order mark and Excel's ``sep=,`` first line are
    accepted with a warning.
    """
    import pandas as pd

    from scripts.validation.excel import read_workbook
    from scripts.validation.yaml_files import check_size

    path = Path(path)
    check_size(path, table_limits(), "max_table_mib")
    warnings = _name_warnings(path)
    if path.suffix == ".xlsx":
        df, more = read_workbook(path)
        return df, warnings + more
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError(path, "file is empty")
    if raw.startswith(ZIP_MAGIC):
        raise InputError(
            path,
            "is an Excel workbook (.xlsx), not CSV text, though named .csv; "
            "rename it to .xlsx (the workbook is then read) or save it as CSV",
        )
    if raw.startswith(OLE2_MAGIC):
        raise InputError(
            path, "is an old Excel workbook (.xls), not CSV text, though named .csv; save it as .xlsx or CSV"
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        warnings.append(warning(path, "UTF-8 byte-order mark removed", row=1))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(
            path,
            "not valid UTF-8 text (Latin-1 or Windows export?); save the file as UTF-8 CSV",
            row=line,
        ) from None
    lines = text.splitlines()
    hint = SEP_HINT.fullmatch(lines[0].strip())
    if hint:
        if hint.group(1) != ",":
            shown = {"\t": "tab", ";": "semicolon"}.get(hint.group(1), f"'{hint.group(1)}'")
            raise InputError(
                path,
                f"first line '{lines[0].strip()}' (Excel's delimiter hint) says the file is "
                f"{shown}-delimited; save it as comma-separated CSV",
                row=1,
            )
        warnings.append(
            warning(path, f"first line '{lines[0].strip()}' (Excel's delimiter hint) skipped", row=1)
        )
        text = text.split("\n", 1)[1] if "\n" in text else ""
        lines = lines[1:]
        if not text.strip():
            raise InputError(path, "file holds only the 'sep=' line")
    header = lines[0]
    if ";" in header and "," not in header:
        raise InputError(
            path,
            "file is semicolon-delimited (European Excel export?); "
            "save it as comma-separated CSV with decimal points",
            row=1,
        )
    if "\t" in header and "," not in header:
        raise InputError(path, "file is tab-delimited; save it as comma-separated CSV", row=1)
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=True)
    except pd.errors.ParserError as error:
        match = re.search(r"line (\d+)", str(error))
        row = int(match.group(1)) if match else None
        raise InputError(path, f"cannot parse CSV: {error}", row=row) from None
    # pandas renames a repeated column ("cpm" → "cpm.1"); name the original.
    header_cells = [c.strip() for c in next(csv.reader([header]))]
    duplicated = sorted({c for c in header_cells if header_cells.count(c) > 1})
    if duplicated:
        raise InputError(path, "duplicated column name", row=1, column=duplicated[0])
    if not isinstance(df.index, pd.RangeIndex):
        _shifted_columns(df, header, path)
    df.columns = [str(c).strip() for c in df.columns]
    if df.empty:
        raise InputError(path, "header only: the file has no data rows")
    df = df.apply(lambda col: col.str.strip())
    return df, warnings


def _shifted_columns(df, header, path) -> None:
    """pandas makes the first columns the index when every data row has more
    fields than the header: the values would sit under the wrong columns."""
    extra = df.index.nlevels
    trailing = df.iloc[:, -extra:] if extra <= df.shape[1] else df
    if (trailing == "").all(axis=None):
        what = "an extra comma" if extra == 1 else f"{extra} extra commas"
        raise InputError(
            path,
            f"each data row ends with {what} (one more field than the header "
            f"has columns), which would shift the columns; remove the trailing commas",
            row=2,
        )
    raise InputError(
        path,
        f"each data row has {extra} more field(s) than the header "
        f"({len(next(csv.reader([header])))} columns), which would shift the columns; "
        "check the header and the delimiters",
        row=2,
    )


def warning(path, message, row=None, column=None) -> dict:
    """One warning record. The file is named as inside the study (like
    ``source_file``), so results do not depend on where the study lives."""
    return {"file": study_relative_name(path), "row": row, "column": column, "message": message}


def study_relative_name(path) -> str:
    """``<folder>/<file>`` as inside the study directory, so result tables do
    not depend on where the study lives."""
    return "/".join(Path(path).parts[-2:])


def warnings_frame(warnings: list[dict]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(warnings, columns=["file", "row", "column", "message"])

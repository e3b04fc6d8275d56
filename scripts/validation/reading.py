"""Reading a user CSV as text, and the warning records that every check returns.

A raw file is read as strings only (nothing is parsed yet), so that the
row-wise schema check (:mod:`scripts.validation.rows`) sees exactly what the
user typed and can name the cell of a bad value.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import yaml

from scripts.tables import InputError

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "workflow" / "schemas"
# Characters a POSIX shell treats specially. The pipeline never passes file
# names through a shell, so they are safe here, but they trip up anyone who
# later types the name into a shell command: warn.
SHELL_METACHARACTERS = set(";&|$`'\"<>()*?![]#~")


def load_schema(name: str) -> dict:
    with open(SCHEMA_DIR / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def read_raw_csv(path) -> tuple[pd.DataFrame, list[dict]]:
    """Read a user CSV as strings. Returns the table and warnings.

    Rejects, with a message saying what to do: empty files, header-only
    files, non-UTF-8 bytes, semicolon-delimited exports, duplicate column
    names. A UTF-8 byte-order mark is accepted with a warning.
    """
    path = Path(path)
    warnings: list[dict] = []
    awkward = sorted(set(path.name) & SHELL_METACHARACTERS)
    if awkward:
        warnings.append(
            warning(
                path,
                "file name contains shell metacharacters "
                f"({' '.join(awkward)}); processed safely here, but quote "
                "the name in any shell command or rename the file",
            )
        )
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError(path, "file is empty")
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
    header = text.splitlines()[0]
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
    df.columns = [str(c).strip() for c in df.columns]
    if df.empty:
        raise InputError(path, "header only: the file has no data rows")
    df = df.apply(lambda col: col.str.strip())
    return df, warnings


def warning(path, message, row=None, column=None) -> dict:
    """One warning record. The file is named as inside the study (like
    ``source_file``), so results do not depend on where the study lives."""
    return {"file": study_relative_name(path), "row": row, "column": column, "message": message}


def study_relative_name(path) -> str:
    """``<folder>/<file>`` as inside the study directory, so result tables do
    not depend on where the study lives."""
    return "/".join(Path(path).parts[-2:])


def warnings_frame(warnings: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(warnings, columns=["file", "row", "column", "message"])

"""The study directory's file layout, and the results folder it writes to.

Checked at parse time, because the workflow builds its jobs from the file
names before any job runs:

* which data tables each area folder holds (:func:`table_files`): CSV files
  and Excel workbooks (``.xlsx``), one per stem;
* names and formats the workflow would otherwise mishandle
  (:func:`check_study_files`);
* that ``results/<name>/`` belongs to this study directory
  (:func:`claim_results_dir`).
"""

from __future__ import annotations

from pathlib import Path

from scripts.tables import InputError

# The area folders whose data tables the workflow reads.
AREA_FOLDERS = ("binding", "saturation", "behaviour", "pk")
# Data table formats read, by file extension.
TABLE_SUFFIXES = (".csv", ".xlsx")
# Spreadsheet formats that are not read, and what to do instead.
UNREAD_SPREADSHEETS = {
    ".xls": "old Excel format (.xls)",
    ".xlsb": "binary Excel format (.xlsb)",
    ".xlsm": "macro-enabled Excel workbook (.xlsm)",
    ".ods": "OpenDocument spreadsheet (.ods)",
    ".numbers": "Numbers spreadsheet (.numbers)",
}
# Written into results/<name>/: the resolved study directory those results
# belong to. Not an output of any rule, and not compared between runs.
RESULTS_MARKER = ".study_dir"


def _table_suffix(name: str) -> str | None:
    for suffix in TABLE_SUFFIXES:
        if name.endswith(suffix):
            return suffix
    return None


def table_files(study_dir, folder: str) -> dict[str, Path]:
    """{stem: file} of the data tables (``<stem>.csv`` or ``<stem>.xlsx``) in
    one area folder, sorted by stem; {} when the folder is missing. A stem
    given in both formats is an error (which one is meant?)."""
    directory = Path(study_dir) / folder
    if not directory.is_dir():
        return {}
    found: dict[str, Path] = {}
    for path in sorted(directory.iterdir()):
        suffix = _table_suffix(path.name)
        if suffix is None or not path.is_file() or path.name.startswith("~$"):
            continue
        stem = path.name[: -len(suffix)]
        if stem in found:
            raise InputError(
                path,
                f"'{found[stem].name}' holds the same table; keep one of the two files "
                "(a workbook or a CSV, not both)",
            )
        found[stem] = path
    return dict(sorted(found.items()))


def _check_entry(path: Path, root: Path) -> None:
    """One entry of an area folder (or study.yaml)."""
    if path.is_symlink() and not path.exists():
        raise InputError(path, "broken link: the symbolic link points to a file that does not exist")
    # A linked file, or a file in a linked folder, must still lie inside.
    if not path.resolve().is_relative_to(root):
        raise InputError(
            path,
            "symbolic link points outside the study directory; copy the file into the study directory",
        )
    suffix = path.suffix.lower()
    if suffix in (".csv", ".xlsx") and not path.is_file():
        raise InputError(
            path,
            "is a directory (or not a regular file), so it cannot "
            "be read as a data table; move it out of the study folder",
        )
    if not path.is_file():
        return
    if path.name.startswith("~$") and suffix == ".xlsx":
        raise InputError(
            path, "Excel lock file (the workbook is open in Excel): close the workbook, or delete this file"
        )
    if "{" in path.name or "}" in path.name:
        raise InputError(
            path,
            "file name contains '{' or '}', which the workflow cannot use in a file name; rename the file",
        )
    if suffix in (".csv", ".xlsx") and path.suffix != suffix:
        raise InputError(
            path,
            f"extension '{path.suffix}' must be lower-case '{suffix}' "
            "(otherwise the file would be skipped); rename the file",
        )
    if suffix in UNREAD_SPREADSHEETS:
        raise InputError(
            path, f"{UNREAD_SPREADSHEETS[suffix]} is not read; save it as .xlsx (Excel workbook) or CSV"
        )


def check_study_files(study_dir) -> None:
    """Reject file layouts the workflow would otherwise mishandle.

    * ``{`` or ``}`` in a file name or the study path: Snakemake reads them
      as wildcards.
    * ``.CSV``/``.XLSX`` (any case but lower): the file would be skipped.
    * a directory (or other non-file) named ``*.csv``: it would be skipped too.
    * a symbolic link that is broken or leads out of the study directory (a
      study may not make the pipeline read arbitrary files).
    * ``.xls`` and other spreadsheet formats that are not read.
    * the same stem as CSV and workbook, or an assay as a long table and as
      a plate grid.
    * a plate grid ``binding/<a>.plate.csv`` without its ``<a>.layout.csv``,
      or a layout without its grid: half a plate-reader export.
    """
    study_dir = Path(study_dir)
    root = study_dir.resolve()
    if "{" in str(study_dir) or "}" in str(study_dir):
        raise InputError(
            study_dir,
            "study directory path contains '{' or '}', which the "
            "workflow cannot use in a path; rename or move the directory",
        )
    study_yaml = study_dir / "study.yaml"
    if study_yaml.is_symlink():
        _check_entry(study_yaml, root)
    for folder in AREA_FOLDERS:
        directory = study_dir / folder
        if not directory.is_dir():
            continue
        for path in sorted(directory.iterdir()):
            _check_entry(path, root)
        table_files(study_dir, folder)
    binding = table_files(study_dir, "binding")
    for stem in binding:
        if stem.endswith(".plate") and stem[: -len(".plate")] in binding:
            raise InputError(
                study_dir / "binding",
                f"assay '{stem[: -len('.plate')]}' is given both as a long table and as a plate grid; keep one",
            )
    for suffix, partner in ((".plate", ".layout"), (".layout", ".plate")):
        for stem, path in binding.items():
            if stem.endswith(suffix) and stem[: -len(suffix)] + partner not in binding:
                wanted = stem[: -len(suffix)] + partner
                raise InputError(
                    path,
                    f"plate-reader export is incomplete: {wanted}{path.suffix} "
                    "is missing (a grid needs its layout and vice versa)",
                )


def claim_results_dir(results_dir, study_dir) -> None:
    """Make sure ``results/<name>/`` holds only this study directory's results.

    The resolved study directory is recorded in ``results/<name>/.study_dir``
    on the first run. A later run from another directory under the same
    study name would overwrite those results, and leave files of the first
    study among its own: it is refused."""
    marker = Path(results_dir) / RESULTS_MARKER
    here = str(Path(study_dir).resolve())
    if marker.is_file():
        recorded = marker.read_text(encoding="utf-8").strip()
        if recorded and recorded != here:
            raise InputError(
                Path(study_dir) / "study.yaml",
                f"{results_dir}/ holds the results of another study directory ({recorded}) "
                "under the same study name; give this study another `name:` in its study.yaml",
            )
        return
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(here + "\n", encoding="utf-8")


# Reserved stems in pk/: the PK control files, never read as concentration files.
DOSING_STEM = "dosing"
LAMBDA_Z_STEM = "lambda_z"
RESERVED_PK_STEMS = (DOSING_STEM, LAMBDA_Z_STEM)


def binding_assay_name(path) -> str:
    """The assay a binding file holds: its name without ``.plate.csv``,
    ``.layout.csv`` or ``.csv`` (or the same with ``.xlsx``)."""
    name = Path(path).name
    for suffix in (".plate.csv", ".layout.csv", ".csv", ".plate.xlsx", ".layout.xlsx", ".xlsx"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return Path(path).stem

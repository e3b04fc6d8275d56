"""Inputs as labs write them: hostile or careless YAML, symbolic links, Excel
workbooks, CSV quirks, large files, and two studies under one name.

Workbooks are built here with openpyxl; every expected value is the number
or text written into the workbook (or CSV) by the test itself."""

from __future__ import annotations

import datetime as dt
import os
import zipfile

import openpyxl
import pytest

from scripts import validation
from scripts.tables import InputError

PK_HEADER = [
    "animal_id",
    "species",
    "body_weight_kg",
    "route",
    "dose_mg_kg",
    "analyte",
    "time_h",
    "concentration_ng_mL",
    "lloq_ng_mL",
]
PK_ROWS = [
    ["a1", "rat", 0.3, "po", 10, "drugx", 0.5, 40.25, 1],
    ["a1", "rat", 0.3, "po", 10, "drugx", 1, 60, 1],
    ["a1", "rat", 0.3, "po", 10, "drugx", 2, None, 1],
]
BINDING_HEADER = "receptor,species,radioligand,radioligand_nM,radioligand_kd_nM,well_type,compound,concentration_M,replicate,cpm"


def error_of(function, *args, **kwargs) -> InputError:
    with pytest.raises(InputError) as caught:
        function(*args, **kwargs)
    return caught.value


def write(folder, relative, text):
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def workbook(path, sheets: dict):
    """Write an .xlsx with {sheet name: rows}; a cell may be a value or
    (value, number_format)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append([c[0] if isinstance(c, tuple) else c for c in row])
        for r, row in enumerate(rows, start=1):
            for c, cell in enumerate(row, start=1):
                if isinstance(cell, tuple):
                    sheet.cell(r, c).number_format = cell[1]
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def with_cached_value(path, sheet_index, cell_ref, value):
    """Add the value Excel would have saved with a formula cell: openpyxl
    writes formulas without one, so put <v> into the sheet's XML."""
    member = f"xl/worksheets/sheet{sheet_index}.xml"
    with zipfile.ZipFile(path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    xml = contents[member].decode()
    start = xml.index(f'<c r="{cell_ref}"')
    end = xml.index("</c>", start)
    cell = xml[start:end]
    assert "<f>" in cell and cell.endswith("<v />")  # openpyxl's empty value
    contents[member] = (xml[: end - len("<v />")] + f"<v>{value}</v>" + xml[end:]).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)


# --- YAML --------------------------------------------------------------------------


def test_yaml_alias_bomb_is_refused_at_its_first_anchor(tmp_path):
    lines = ["human_reference:", '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 9):
        lines.append(
            f"  {chr(97 + level)}: &{chr(97 + level)} [" + ",".join([f"*{chr(96 + level)}"] * 9) + "]"
        )
    write(tmp_path, "study.yaml", "\n".join(lines) + "\n")
    error = error_of(validation.validate_study, tmp_path)
    assert error.row == 2 and "anchor '&a' not allowed" in str(error)


def test_yaml_alias_alone_is_refused(tmp_path):
    write(tmp_path, "study.yaml", "compound: drugx\nclinical_doses_mg: *doses\n")
    error = error_of(validation.load_study_yaml, tmp_path / "study.yaml")
    # An alias to an undefined anchor is refused as an alias, not as bad YAML.
    assert error.row == 2 and "alias '*doses' not allowed" in str(error)


def test_yaml_duplicate_key_names_both_lines(tmp_path):
    write(tmp_path, "study.yaml", "compound: drugx\nhuman_body_weight_kg: 60\n\nhuman_body_weight_kg: 70\n")
    error = error_of(validation.validate_study, tmp_path)
    assert error.row == 4 and "'human_body_weight_kg' is given twice (lines 2 and 4)" in str(error)


def test_yaml_duplicate_key_in_a_nested_mapping(tmp_path):
    write(tmp_path, "study.yaml", "fu:\n  rat: 0.2\n  rat: 0.3\n")
    assert "'rat' is given twice (lines 2 and 3)" in str(error_of(validation.validate_study, tmp_path))


def test_yaml_size_limit_names_the_setting(tmp_path):
    write(tmp_path, "study.yaml", "compound: drugx\n" + "# padding\n" * 3000)
    error = error_of(validation.validate_study, tmp_path, {"max_yaml_kib": 16})
    assert "above the limit of 16 KiB" in str(error) and "limits.max_yaml_kib" in str(error)
    assert validation.validate_study(tmp_path, {"max_yaml_kib": 256})["compound"] == "drugx"


def test_human_reference_file_is_read_with_the_same_care(tmp_path):
    write(tmp_path, "reference/human.yaml", "compound: drugx\nfu: &f {value: 0.2}\nfu2: *f\n")
    write(tmp_path, "study.yaml", "human_reference_file: reference/human.yaml\n")
    error = error_of(validation.validate_study, tmp_path)
    assert error.file.endswith("human.yaml") and error.row == 2


def test_human_reference_overrides_have_a_schema(tmp_path):
    study = tmp_path / "s"
    write(study, "study.yaml", "human_reference:\n  oral_bioavailabilty: 0.4\n")
    assert "'oral_bioavailabilty' not allowed" in str(error_of(validation.validate_study, study))
    write(study, "study.yaml", "human_reference:\n  fu: lots\n")
    assert "'lots' is not allowed here" in str(error_of(validation.validate_study, study))
    write(
        study,
        "study.yaml",
        "human_reference:\n  oral_bioavailability: 0.45\n  t_half_h: [20, 40]\n"
        "  single_dose_exposure: {auc_inf_ng_h_mL: 700}\n  ki_nM: {human: {H1: 0.5}}\n"
        "  kp_uu: {rat: 0.5}\n  therapeutic_range_ng_mL: [30, 80]\n",
    )
    meta = validation.validate_study(study)
    assert meta["human_reference"]["single_dose_exposure"] == {"auc_inf_ng_h_mL": 700}


def test_shipped_reference_values_are_valid_overrides():
    """Every value of the pipeline's reference file may be given as an override."""
    import jsonschema
    import yaml

    from conftest import REPO_ROOT

    reference = yaml.safe_load((REPO_ROOT / "resources/reference/mirtazapine_human.yaml").read_text())
    overrides = {k: v for k, v in reference.items() if k not in ("compound", "species", "bibliography")}
    schema = validation.load_schema("study.schema.yaml")
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors({"human_reference": overrides}))
    assert errors == []


def test_schema_errors_show_values_as_written(tmp_path):
    write(tmp_path, "study.yaml", "molecular_weight_g_mol: 2024-05-01\n")
    message = str(error_of(validation.validate_study, tmp_path))
    assert "'2024-05-01' is not of type 'number'" in message and "datetime" not in message
    write(tmp_path, "study.yaml", "human_body_weight_kg: no\n")
    message = str(error_of(validation.validate_study, tmp_path))
    assert "false is not of type 'number'" in message and "False" not in message


# --- symbolic links and the results folder -----------------------------------------


def test_data_file_linking_outside_the_study_is_refused(tmp_path):
    outside = write(tmp_path, "elsewhere/secret.csv", "a,b\n1,2\n")
    study = tmp_path / "study"
    (study / "pk").mkdir(parents=True)
    os.symlink(outside, study / "pk" / "rat.csv")
    error = error_of(validation.validate_study, study)
    assert error.file.endswith("pk/rat.csv") and "outside the study directory" in str(error)


def test_area_folder_linking_outside_the_study_is_refused(tmp_path):
    write(tmp_path, "elsewhere/rat.csv", "a,b\n1,2\n")
    study = tmp_path / "study"
    study.mkdir()
    os.symlink(tmp_path / "elsewhere", study / "pk")
    error = error_of(validation.validate_study, study)
    assert error.file.endswith("pk/rat.csv") and "outside the study directory" in str(error)


def test_link_inside_the_study_is_followed(tmp_path):
    study = tmp_path / "study"
    write(study, "raw/rat.csv", "a,b\n1,2\n")
    (study / "pk").mkdir()
    os.symlink(study / "raw" / "rat.csv", study / "pk" / "rat.csv")
    validation.check_study_files(study)
    assert list(validation.table_files(study, "pk")) == ["rat"]


def test_dangling_link_is_a_broken_link(tmp_path):
    study = tmp_path / "study"
    (study / "pk").mkdir(parents=True)
    os.symlink(tmp_path / "gone.csv", study / "pk" / "rat.csv")
    message = str(error_of(validation.validate_study, study))
    assert "broken link" in message and "directory" not in message


def test_results_folder_belongs_to_one_study_directory(tmp_path):
    first, second, results = tmp_path / "a", tmp_path / "b", tmp_path / "results" / "same"
    first.mkdir()
    second.mkdir()
    validation.claim_results_dir(results, first)
    assert (results / validation.RESULTS_MARKER).read_text().strip() == str(first.resolve())
    validation.claim_results_dir(results, first)  # the same study again: fine
    error = error_of(validation.claim_results_dir, results, second)
    assert "another study directory" in str(error) and "another `name:`" in str(error)


# --- Excel workbooks ----------------------------------------------------------------


def test_workbook_is_validated_like_the_same_csv(tmp_path):
    """Numbers, text and an empty cell give the table the CSV gives."""
    book = workbook(tmp_path / "x" / "pk" / "rat.xlsx", {"pk": [PK_HEADER, *PK_ROWS]})
    csv_text = "\n".join(",".join("" if v is None else str(v) for v in row) for row in [PK_HEADER, *PK_ROWS])
    csv_file = write(tmp_path / "y", "pk/rat.csv", csv_text + "\n")
    from_book, book_warnings = validation.validate_pk(book)
    from_csv, _ = validation.validate_pk(csv_file)
    assert from_book.drop(columns="source_file").equals(from_csv.drop(columns="source_file"))
    assert list(from_book["concentration_ng_mL"].iloc[:2]) == [40.25, 60.0] and from_book["blq"].iloc[2]
    assert list(from_book["source_row"]) == [2, 3, 4]
    assert not [w for w in book_warnings if "sheet" in w["message"]]


def test_workbook_sheet_named_after_the_folder_is_chosen(tmp_path):
    rows = [PK_HEADER, *PK_ROWS]
    book = workbook(tmp_path / "pk" / "rat.xlsx", {"notes": [["written by", "me"]], "PK ": rows})
    table, warnings = validation.validate_pk(book)
    assert len(table) == 3 and not [w for w in warnings if "sheet" in w["message"]]


def test_workbook_without_that_sheet_reads_the_first_with_a_warning(tmp_path):
    rows = [PK_HEADER, *PK_ROWS]
    book = workbook(tmp_path / "pk" / "rat.xlsx", {"Sheet1": rows, "Sheet2": [["x"], [1]]})
    table, warnings = validation.validate_pk(book)
    assert len(table) == 3
    assert [w["message"] for w in warnings if "sheet" in w["message"]] == [
        "no sheet named 'pk': read the first sheet, 'Sheet1' (of 2); name the sheet 'pk' to choose it"
    ]


def test_workbook_error_names_sheet_excel_row_and_column_letter(tmp_path):
    rows = [PK_HEADER, *PK_ROWS, ["a1", "rat", 0.3, "po", 10, "drugx", "four", 5, 1]]
    book = workbook(tmp_path / "pk" / "rat.xlsx", {"pk": rows})
    message = str(error_of(validation.validate_pk, book))
    assert message.endswith(
        "pk/rat.xlsx, sheet 'pk', row 5, column 'time_h' (Excel column G): 'four' is not a number"
    )


def test_time_formatted_cell_in_a_numeric_column_is_an_error(tmp_path):
    late = ["a1", "rat", 0.3, "po", 10, "drugx", (dt.time(1, 0), "h:mm"), 20, 1]
    book = workbook(tmp_path / "pk" / "rat.xlsx", {"pk": [PK_HEADER, *PK_ROWS, late]})
    error = error_of(validation.validate_pk, book)
    assert error.row == 5 and error.column == "time_h" and "date/time-formatted" in str(error)
    assert "'01:00:00'" in str(error) and "(Excel column G)" in str(error)


def test_date_cell_in_a_text_column_is_its_date_text(tmp_path):
    rows = [PK_HEADER, *[[(dt.datetime(2024, 5, 1), "yyyy-mm-dd"), *r[1:]] for r in PK_ROWS]]
    table, _ = validation.validate_pk(workbook(tmp_path / "pk" / "rat.xlsx", {"pk": rows}))
    assert set(table["animal_id"]) == {"2024-05-01"}


def test_formula_cell_uses_the_value_excel_saved(tmp_path):
    rows = [PK_HEADER, *PK_ROWS]
    rows[2] = [*rows[2][:7], "=30*2", 1]
    book = workbook(tmp_path / "pk" / "rat.xlsx", {"pk": rows})
    error = error_of(validation.validate_pk, book)
    assert (error.row, error.column) == (3, "concentration_ng_mL") and "without a saved value" in str(error)
    with_cached_value(book, 1, "H3", 60)
    table, _ = validation.validate_pk(book)
    assert table["concentration_ng_mL"].iloc[1] == 60.0


def test_plate_export_as_workbooks(tmp_path):
    grid = [["row", *range(1, 13)]] + [[letter] + [100 * (i + 1)] * 12 for i, letter in enumerate("ABCDEFGH")]
    layout_rows = [
        ["well", "receptor", "species", "radioligand", "radioligand_nM", "radioligand_kd_nM", "well_type"]
        + ["compound", "concentration_M", "replicate"],
        ["A1", "H1", "rat", "[3H]mepyramine", 2, 2, "total", None, None, 1],
        ["B2", "H1", "rat", "[3H]mepyramine", 2, 2, "nsb", None, None, 1],
        ["C3", "H1", "rat", "[3H]mepyramine", 2, 2, "competitor", "drugx", 1e-9, 1],
    ]
    plate = workbook(tmp_path / "binding" / "p1.plate.xlsx", {"plate": grid})
    layout = workbook(tmp_path / "binding" / "p1.layout.xlsx", {"Layout": layout_rows})
    table, _ = validation.validate_plate(plate, layout)
    assert list(table["cpm"]) == [100.0, 200.0, 300.0] and table["concentration_M"].iloc[2] == 1e-9
    assert set(table["assay"]) == {"p1"}


def test_empty_row_inside_a_sheet_is_named(tmp_path):
    book = workbook(tmp_path / "pk" / "rat.xlsx", {"pk": [PK_HEADER, PK_ROWS[0], [None], PK_ROWS[1]]})
    error = error_of(validation.validate_pk, book)
    assert error.row == 3 and "empty row" in str(error)


def test_workbook_named_csv_and_old_xls_are_recognised(tmp_path):
    book = workbook(tmp_path / "book.xlsx", {"pk": [PK_HEADER, *PK_ROWS]})
    renamed = write(tmp_path, "pk/rat.csv", book.read_bytes())
    assert "is an Excel workbook (.xlsx)" in str(error_of(validation.validate_pk, renamed))
    old = write(tmp_path, "pk/old.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert "old Excel workbook (.xls)" in str(error_of(validation.validate_pk, old))
    study = tmp_path / "s"
    write(study, "pk/rat.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    message = str(error_of(validation.validate_study, study))
    assert "rat.xls" in message and "save it as .xlsx (Excel workbook) or CSV" in message


def test_same_table_as_csv_and_workbook_is_an_error(tmp_path):
    workbook(tmp_path / "pk" / "rat.xlsx", {"pk": [PK_HEADER, *PK_ROWS]})
    write(tmp_path, "pk/rat.csv", ",".join(PK_HEADER) + "\n")
    write(tmp_path, "pk/mouse.xlsx", (tmp_path / "pk" / "rat.xlsx").read_bytes())
    error = error_of(validation.validate_study, tmp_path)
    assert error.file.endswith("rat.xlsx") and "'rat.csv' holds the same table" in str(error)


# --- CSV quirks ---------------------------------------------------------------------


def binding_csv(tmp_path, rows, header=BINDING_HEADER, first=""):
    return write(tmp_path, "binding/run1.csv", first + header + "\n" + "\n".join(rows) + "\n")


BINDING_ROWS = [
    "H1,rat,[3H]mepyramine,2,2,total,,,1,4500",
    "H1,rat,[3H]mepyramine,2,2,nsb,,,1,600",
    "H1,rat,[3H]mepyramine,2,2,competitor,drugx,1e-9,1,3000",
]


@pytest.mark.parametrize(
    ("cell", "hint"),
    [
        ('"4,512"', "thousands separator? write 4512"),
        ('"1,234,567"', "thousands separator? write 1234567"),
        ('"4,5"', "decimal comma? use a point: 4.5"),
        ('"4512,25"', "decimal comma? use a point: 4512.25"),
    ],
)
def test_thousands_separator_and_decimal_comma_are_told_apart(tmp_path, cell, hint):
    rows = [*BINDING_ROWS[:2], BINDING_ROWS[2].rsplit(",", 1)[0] + "," + cell]
    error = error_of(validation.validate_binding, binding_csv(tmp_path, rows))
    assert (error.row, error.column) == (4, "cpm") and hint in str(error)


def test_comma_in_an_integer_column_is_a_thousands_separator():
    from scripts.validation.rows import coerce_cell

    error = error_of(coerce_cell, "45,12", {"type": "integer"}, "n", "f.csv", 2)
    assert "thousands separator? write 4512" in str(error)


def test_trailing_comma_on_every_data_row_is_named(tmp_path):
    error = error_of(validation.validate_binding, binding_csv(tmp_path, [r + "," for r in BINDING_ROWS]))
    assert "each data row ends with an extra comma" in str(error) and "not a number" not in str(error)


def test_extra_field_on_every_data_row_is_named(tmp_path):
    error = error_of(validation.validate_binding, binding_csv(tmp_path, [r + ",x" for r in BINDING_ROWS]))
    assert "each data row has 1 more field(s) than the header" in str(error)


def test_excel_sep_line_is_skipped_with_a_warning(tmp_path):
    table, warnings = validation.validate_binding(binding_csv(tmp_path, BINDING_ROWS, first="sep=,\n"))
    assert list(table["cpm"]) == [4500, 600, 3000] and list(table["source_row"]) == [2, 3, 4]
    assert any("'sep=,'" in w["message"] and "skipped" in w["message"] for w in warnings)


def test_excel_sep_line_naming_another_delimiter(tmp_path):
    path = write(tmp_path, "binding/run1.csv", "sep=;\n" + BINDING_HEADER.replace(",", ";") + "\n")
    assert "semicolon-delimited" in str(error_of(validation.validate_binding, path))


# --- large files --------------------------------------------------------------------


def test_table_above_the_size_limit_is_refused_before_reading(tmp_path):
    path = binding_csv(tmp_path, BINDING_ROWS * 4000)
    validation.set_limits({"max_table_mib": 0.1})
    try:
        error = error_of(validation.validate_binding, path)
    finally:
        validation.set_limits(None)
    assert "above the limit of 0.1 MiB" in str(error) and "limits.max_table_mib" in str(error)

"""The PK control files (pk/dosing.csv, pk/lambda_z.csv), their checks
against the concentration files, time in minutes and the minutes-looking
schedule warning."""

from __future__ import annotations

import pytest

from scripts import settings, validation
from scripts.tables import InputError
from scripts.validation.dosing import check_dosing_has_samples

PK_HEADER = (
    "animal_id,species,body_weight_kg,route,dose_mg_kg,analyte,time_h,concentration_ng_mL,lloq_ng_mL\n"
)
DOSING_HEADER = "animal_id,time_h,dose_mg_kg,route,duration_h\n"


def write(folder, name, text):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def pk_rows(animal="a1", route="po", dose=10, times=(0, 1, 2, 4, 24, 25, 26, 28)):
    return "".join(f"{animal},rat,0.3,{route},{dose},drug,{t},{50 * 0.8 ** (t % 24):.4g},1\n" for t in times)


def dosing_file(folder, rows):
    return write(folder, "pk/dosing.csv", DOSING_HEADER + "".join(r + "\n" for r in rows))


def error_of(function, *args, **kwargs) -> InputError:
    with pytest.raises(InputError) as info:
        function(*args, **kwargs)
    return info.value


def test_valid_dosing_records_are_normalised(tmp_path):
    path = dosing_file(tmp_path, ["a1,0,10,PO,", "a1,24,10,po,", "b1,0,2,iv,0.5"])
    table, warnings = validation.validate_dosing(path)
    assert list(table["route"]) == ["po", "po", "iv"]
    assert list(table["duration_h"]) == [0.0, 0.0, 0.5]
    assert list(table["source_row"]) == [2, 3, 4]
    assert warnings == []


def test_overlapping_infusions_name_file_row_and_column(tmp_path):
    path = dosing_file(tmp_path, ["a1,0,2,iv,2", "a1,1.5,2,iv,2"])
    error = error_of(validation.validate_dosing, path)
    assert (error.row, error.column) == (3, "time_h")
    assert "overlapping infusions" in error.message and "row 2" in error.message
    assert "dosing.csv" in str(error)


def test_first_dose_must_be_at_time_zero(tmp_path):
    error = error_of(validation.validate_dosing, dosing_file(tmp_path, ["a1,24,10,po,", "a1,48,10,po,"]))
    assert (error.row, error.column) == (2, "time_h")
    assert "times count from the first dose" in error.message


def test_two_doses_at_the_same_time_are_an_error(tmp_path):
    error = error_of(validation.validate_dosing, dosing_file(tmp_path, ["a1,0,10,po,", "a1,0,10,po,"]))
    assert (error.row, error.column) == (3, "time_h")


def test_dosing_record_for_an_animal_without_samples(tmp_path):
    dosing_path = dosing_file(tmp_path, ["a1,0,10,po,", "ghost,0,10,po,"])
    pk_path = write(tmp_path, "pk/rat.csv", PK_HEADER + pk_rows())
    table, _ = validation.validate_pk(pk_path, dosing_path=dosing_path)
    dosing, _ = validation.validate_dosing(dosing_path)
    error = error_of(check_dosing_has_samples, dosing, dosing_path, [table])
    assert (error.row, error.column) == (3, "animal_id")
    assert "ghost" in error.message and "no samples" in error.message
    assert str(error).startswith(str(dosing_path))


def test_animal_with_samples_but_no_dosing_record(tmp_path):
    dosing_path = dosing_file(tmp_path, ["a1,0,10,po,"])
    pk_path = write(tmp_path, "pk/rat.csv", PK_HEADER + pk_rows() + pk_rows(animal="b2", times=(1, 2)))
    error = error_of(validation.validate_pk, pk_path, dosing_path=dosing_path)
    assert (error.row, error.column) == (10, "animal_id")
    assert "no dosing record" in error.message


@pytest.mark.parametrize(
    "record, column", [("a1,0,3,po,", "dose_mg_kg"), ("a1,0,10,iv,", "route")], ids=["dose", "route"]
)
def test_route_and_dose_must_equal_the_first_dose_record(tmp_path, record, column):
    dosing_path = dosing_file(tmp_path, [record, "a1,24,10,po,"])
    pk_path = write(tmp_path, "pk/rat.csv", PK_HEADER + pk_rows())
    error = error_of(validation.validate_pk, pk_path, dosing_path=dosing_path)
    assert (error.row, error.column) == (2, column)
    assert "first dose record" in error.message and "dosing.csv row 2" in error.message


def test_sample_before_the_first_dose_names_file_row_and_column(tmp_path):
    dosing_path = dosing_file(tmp_path, ["a1,0,10,po,"])
    pk_path = write(tmp_path, "pk/rat.csv", PK_HEADER + pk_rows(times=(-0.5, 1, 2)))
    error = error_of(validation.validate_pk, pk_path, dosing_path=dosing_path)
    assert (error.row, error.column) == (2, "time_h")
    assert "must be ≥ 0" in error.message and "pre-dose sample" in error.message


def test_time_in_minutes_is_converted_and_recorded(tmp_path):
    text = PK_HEADER.replace("time_h", "time_min") + pk_rows(times=(0, 30, 90, 240))
    table, warnings = validation.validate_pk(write(tmp_path, "pk/rat.csv", text))
    assert list(table["time_h"]) == pytest.approx([0, 0.5, 1.5, 4.0])
    assert any("time_min" in w["message"] and "converted" in w["message"] for w in warnings)


def test_bad_time_in_minutes_names_the_time_min_column(tmp_path):
    text = PK_HEADER.replace("time_h", "time_min") + "a1,rat,0.3,po,10,drug,x,5,1\n"
    error = error_of(validation.validate_pk, write(tmp_path, "pk/rat.csv", text))
    assert (error.row, error.column) == (2, "time_min")


def test_time_h_and_time_min_together_are_an_error(tmp_path):
    text = PK_HEADER.replace("time_h", "time_h,time_min") + "a1,rat,0.3,po,10,drug,1,60,5,1\n"
    error = error_of(validation.validate_pk, write(tmp_path, "pk/rat.csv", text))
    assert (error.row, error.column) == (1, "time_min")


def minutes_warnings(warnings):
    return [w for w in warnings if "look like minutes" in w["message"]]


def test_schedule_in_minutes_written_as_hours_is_warned(tmp_path):
    path = write(tmp_path, "pk/rat.csv", PK_HEADER + pk_rows(times=(5, 15, 30, 60, 120, 240, 480)))
    _, warnings = validation.validate_pk(path)
    (found,) = minutes_warnings(warnings)
    assert found["column"] == "time_h" and "time_min" in found["message"]


def test_chronic_day_21_profile_is_not_mistaken_for_minutes(tmp_path):
    times = (0, 5, 15, 30, 480, 485, 495, 504)
    pk_path = write(tmp_path, "pk/rat.csv", PK_HEADER + pk_rows(times=times))
    assert minutes_warnings(validation.validate_pk(pk_path)[1])  # without dosing records: suspect
    dosing_path = dosing_file(tmp_path, [f"a1,{24 * d},10,po," for d in range(21)])
    _, warnings = validation.validate_pk(pk_path, dosing_path=dosing_path)
    assert minutes_warnings(warnings) == []


def test_minutes_check_follows_its_settings(tmp_path):
    path = write(tmp_path, "pk/rat.csv", PK_HEADER + pk_rows(times=(5, 15, 30, 60, 120, 240, 480)))
    quiet = settings.section("pk", {"minutes_check_species": ["mouse"]})
    assert minutes_warnings(validation.validate_pk(path, settings=quiet)[1]) == []


# --- λz control ----------------------------------------------------------------


def lambda_z_file(folder, rows):
    header = "animal_id,analyte,include_times_h,exclude_times_h,reason\n"
    return write(folder, "pk/lambda_z.csv", header + "".join(r + "\n" for r in rows))


@pytest.fixture
def pk_table(tmp_path):
    path = write(tmp_path, "pk/rat.csv", PK_HEADER + pk_rows(times=(0.5, 1, 2, 4, 6, 8, 12)))
    return validation.validate_pk(path)[0]


def test_lambda_z_control_is_normalised(tmp_path, pk_table):
    path = lambda_z_file(tmp_path, ["a1,drug,4;6 8,,visual choice", "a1,other,,,x"][:1])
    table, _ = validation.validate_lambda_z(path, [pk_table])
    row = table.iloc[0]
    assert (row["action"], row["times_h"], row["reason"]) == ("include", "4;6;8", "visual choice")


def test_lambda_z_override_naming_an_unsampled_time(tmp_path, pk_table):
    path = lambda_z_file(tmp_path, ["a1,drug,,3,haemolysed"])
    error = error_of(validation.validate_lambda_z, path, [pk_table])
    assert (error.row, error.column) == (2, "exclude_times_h")
    assert "3 h is not a sampled time" in error.message


@pytest.mark.parametrize(
    "row, column, words",
    [
        ("a1,drug,4;6;8,12,both", "include_times_h", "exactly one"),
        ("a1,drug,,,neither", "include_times_h", "exactly one"),
        ("a1,drug,8;12,,two", "include_times_h", "at least three"),
        ("zz,drug,,4,unknown animal", "animal_id", "no samples"),
        ("a1,drug,4;six;8,,typo", "include_times_h", "not a list of times"),
    ],
    ids=["both", "neither", "two_points", "unknown_profile", "not_numbers"],
)
def test_bad_lambda_z_rows(tmp_path, pk_table, row, column, words):
    error = error_of(validation.validate_lambda_z, lambda_z_file(tmp_path, [row]), [pk_table])
    assert (error.row, error.column) == (2, column)
    assert words in error.message


def test_lambda_z_control_alone_is_checked_without_the_concentration_files(tmp_path):
    # the single-file check (times are numbers, one list, three points to fix);
    # that the times were sampled is checked once the concentration files are known
    table, _ = validation.validate_lambda_z(lambda_z_file(tmp_path, ["a1,drug,,3,haemolysed"]))
    assert (table.iloc[0]["action"], table.iloc[0]["times_h"]) == ("exclude", "3")
    error = error_of(validation.validate_lambda_z, lambda_z_file(tmp_path, ["a1,drug,8;12,,two"]))
    assert (error.row, error.column) == (2, "include_times_h")

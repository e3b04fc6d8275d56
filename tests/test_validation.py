"""Input contract: each file type is validated with errors naming file, row and column."""

from __future__ import annotations

import math

import pytest

from scripts import validation
from scripts.tables import InputError

BINDING_HEADER = (
    "receptor,species,radioligand,radioligand_nM,radioligand_kd_nM,well_type,"
    "compound,concentration_M,replicate,cpm\n"
)
BINDING_ROWS = [
    "H1,Human,[3H]mepyramine,1,1.2,total,,,1,5000",
    "H1,Human,[3H]mepyramine,1,1.2,nsb,,,1,400",
    "H1,Human,[3H]mepyramine,1,1.2,competitor,mirtazapine,1e-9,1,3000",
]
BEHAVIOUR_HEADER = (
    "animal_id,species,sex,treatment,dose_mg_kg,route,regimen,days_dosed,"
    "excluded,exclusion_reason,distance_cm\n"
)
PK_HEADER = (
    "animal_id,species,body_weight_kg,route,dose_mg_kg,analyte,time_h,concentration_ng_mL,lloq_ng_mL\n"
)


def write(tmp_path, relative, text, encoding="utf-8"):
    path = tmp_path / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def binding_file(tmp_path, rows=BINDING_ROWS, header=BINDING_HEADER):
    return write(tmp_path, "binding/run1.csv", header + "\n".join(rows) + "\n")


def error_of(call, *args, **kwargs) -> InputError:
    with pytest.raises(InputError) as caught:
        call(*args, **kwargs)
    return caught.value


# --- binding ---------------------------------------------------------------


def test_valid_binding_is_normalised(tmp_path):
    table, warnings = validation.validate_binding(binding_file(tmp_path))
    assert warnings == []
    assert list(table["species"]) == ["human"] * 3  # case-folded
    assert table.loc[2, "concentration_M"] == pytest.approx(1e-9)
    assert math.isnan(table.loc[0, "concentration_M"])
    assert list(table["source_row"]) == [2, 3, 4]
    assert set(table["assay"]) == {"run1"}
    assert table.loc[0, "source_file"] == "binding/run1.csv"


@pytest.mark.parametrize(
    "row_index, cell, value, column, words",
    [
        (2, 9, "-5", "cpm", "must be ≥ 0"),
        (2, 9, "abc", "cpm", "not a number"),
        (2, 9, "1,5", "cpm", "decimal comma"),
        (2, 9, "inf", "cpm", "finite"),
        (2, 7, "0", "concentration_M", "must be > 0"),
        (2, 7, "", "concentration_M", "value missing"),
        (2, 5, "blank", "well_type", "unknown value 'blank'"),
        (2, 0, "", "receptor", "value missing"),
        (2, 9, "", "cpm", "value missing"),
        (2, 6, "", "compound", "value missing"),
        (2, 7, "abc", "concentration_M", "not a number"),
        (2, 7, "-1e-9", "concentration_M", "must be > 0"),
        (2, 7, "nan", "concentration_M", "not a finite number"),
        (2, 3, "", "radioligand_nM", "value missing"),
        (2, 3, "0", "radioligand_nM", "must be > 0"),
        (2, 4, "abc", "radioligand_kd_nM", "not a number"),
        (2, 4, "0", "radioligand_kd_nM", "must be > 0"),
    ],
)
def test_bad_binding_cells_name_file_row_column(tmp_path, row_index, cell, value, column, words):
    rows = list(BINDING_ROWS)
    cells = rows[row_index].split(",")
    cells[cell] = f'"{value}"' if "," in value else value
    rows[row_index] = ",".join(cells)
    error = error_of(validation.validate_binding, binding_file(tmp_path, rows))
    assert error.row == row_index + 2 and error.column == column
    assert words in str(error) and "run1.csv" in str(error)


@pytest.mark.parametrize("kept, missing", [((0, 2), "nsb"), ((1, 2), "total")])
def test_receptor_without_control_wells(tmp_path, kept, missing):
    rows = [BINDING_ROWS[i] for i in kept]
    error = error_of(validation.validate_binding, binding_file(tmp_path, rows))
    assert f"no {missing} wells" in str(error) and "H1 (human)" in str(error)
    assert (error.row, error.column) == (2, "well_type")


def test_blank_kd_is_allowed(tmp_path):
    # A saturation run may supply Kd; the binding aggregate needs one or the other.
    rows = [r.replace(",1.2,", ",,") for r in BINDING_ROWS]
    table, _ = validation.validate_binding(binding_file(tmp_path, rows))
    assert table["radioligand_kd_nM"].isna().all()


def test_missing_column_suggests_misspelling(tmp_path):
    header = BINDING_HEADER.replace(",cpm", ",cmp")
    error = error_of(validation.validate_binding, binding_file(tmp_path, header=header))
    assert error.column == "cpm" and error.row == 1 and "'cmp'" in str(error)


def test_nanomolar_concentrations_warn(tmp_path):
    rows = list(BINDING_ROWS)
    rows[2] = rows[2].replace("1e-9", "10")
    _, warnings = validation.validate_binding(binding_file(tmp_path, rows))
    assert any("exceeds 1e-2 M" in w["message"] for w in warnings)


def test_unknown_column_is_a_warning(tmp_path):
    header = BINDING_HEADER.strip() + ",operator\n"
    rows = [r + ",JB" for r in BINDING_ROWS]
    _, warnings = validation.validate_binding(binding_file(tmp_path, rows, header))
    assert [w["column"] for w in warnings] == ["operator"]


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "empty"),
        (BINDING_HEADER.encode(), "no data rows"),
        (BINDING_HEADER.replace(",", ";").encode() + b"H1;human\n", "semicolon"),
        ((BINDING_HEADER + "H1,r\xe9cepteur\n").encode("latin-1"), "UTF-8"),
        (BINDING_HEADER.replace(",", "\t").encode() + b"H1\thuman\n", "tab-delimited"),
        (
            (BINDING_HEADER.strip() + ",cpm\n" + BINDING_ROWS[0] + ",5\n").encode(),
            "column 'cpm': duplicated column name",
        ),
    ],
)
def test_unreadable_files(tmp_path, content, words):
    path = write(tmp_path, "binding/x.csv", content)
    assert words in str(error_of(validation.validate_binding, path))


def test_byte_order_mark_is_accepted_with_warning(tmp_path):
    path = write(tmp_path, "binding/x.csv", "\ufeff" + BINDING_HEADER + "\n".join(BINDING_ROWS) + "\n")
    table, warnings = validation.validate_binding(path)
    assert len(table) == 3 and "byte-order mark" in warnings[0]["message"]


# --- plate-reader grid -------------------------------------------------------


def test_plate_grid_converts_to_long_format(tmp_path):
    grid = ["row," + ",".join(str(i) for i in range(1, 13))]
    for letter_index, letter in enumerate("ABCDEFGH"):
        grid.append(letter + "," + ",".join(str(1000 * letter_index + c) for c in range(1, 13)))
    write(tmp_path, "binding/p1.plate.csv", "\n".join(grid) + "\n")
    layout = (
        "well,receptor,species,radioligand,radioligand_nM,radioligand_kd_nM,well_type,"
        "compound,concentration_M,replicate\n"
        "A1,H1,human,[3H]mepyramine,1,1.2,total,,,1\n"
        "B1,H1,human,[3H]mepyramine,1,1.2,nsb,,,1\n"
        "C12,H1,human,[3H]mepyramine,1,1.2,competitor,mirtazapine,1e-8,1\n"
    )
    write(tmp_path, "binding/p1.layout.csv", layout)
    table, _ = validation.validate_plate(
        tmp_path / "binding/p1.plate.csv", tmp_path / "binding/p1.layout.csv"
    )
    assert list(table["cpm"]) == [1.0, 1001.0, 2012.0]
    assert list(table["well"]) == ["A1", "B1", "C12"] and set(table["assay"]) == {"p1"}


# --- behaviour -------------------------------------------------------------


def behaviour_file(tmp_path, rows, name="open_field"):
    return write(tmp_path, f"behaviour/{name}.csv", BEHAVIOUR_HEADER + "\n".join(rows) + "\n")


GOOD_BEHAVIOUR = [
    "r1,rat,m,Vehicle,0,PO,Acute,1,,,3000",
    "r2,rat,male,mirtazapine,10,po,acute,1,yes,video lost,",
]


def test_valid_behaviour_with_exclusion(tmp_path):
    table, _ = validation.validate_behaviour(behaviour_file(tmp_path, GOOD_BEHAVIOUR))
    assert list(table["sex"]) == ["M", "M"] and list(table["route"]) == ["po", "po"]
    assert list(table["excluded"]) == [False, True]
    assert set(table["test"]) == {"open_field"}


@pytest.mark.parametrize(
    "rows, column, words",
    [
        (GOOD_BEHAVIOUR + ["r3,rat,M,mirtazapine,10,po,weekly,1,,,10"], "regimen", "unknown value"),
        (GOOD_BEHAVIOUR + ["r3,rat,M,mirtazapine,10,po,acute,1,,,-10"], "distance_cm", "≥ 0"),
        (GOOD_BEHAVIOUR + ["r3,rat,M,mirtazapine,10,po,acute,1,,,"], "distance_cm", "missing"),
        (GOOD_BEHAVIOUR + ["r1,rat,M,mirtazapine,10,po,acute,1,,,10"], "animal_id", "duplicated"),
        (["r2,rat,M,mirtazapine,10,po,acute,1,,,100"], "treatment", "no vehicle"),
        (GOOD_BEHAVIOUR + ["r3,rat,M,mirtazapine,10,po,acute,1,yes,,10"], "exclusion_reason", "missing"),
        (GOOD_BEHAVIOUR + ["r3,rat,M,mirtazapine,10,po,acute,1,,,abc"], "distance_cm", "not a number"),
        (GOOD_BEHAVIOUR + ["r3,rat,M,mirtazapine,10,po,acute,1,maybe,,10"], "excluded", "not true/false"),
        (GOOD_BEHAVIOUR + ["r3,rat,M,,10,po,acute,1,,,10"], "treatment", "value missing"),
        (GOOD_BEHAVIOUR + ["r3,rat,M,mirtazapine,,po,acute,1,,,10"], "dose_mg_kg", "value missing"),
        (GOOD_BEHAVIOUR + ["r3,rat,M,mirtazapine,-1,po,acute,1,,,10"], "dose_mg_kg", "≥ 0"),
    ],
)
def test_bad_behaviour(tmp_path, rows, column, words):
    error = error_of(validation.validate_behaviour, behaviour_file(tmp_path, rows))
    assert error.column == column and words in str(error)


def test_undeclared_test_is_rejected_and_declared_test_accepted(tmp_path):
    header = BEHAVIOUR_HEADER.replace("distance_cm", "latency_s")
    path = write(tmp_path, "behaviour/novelty_feeding.csv", header + "r1,rat,M,vehicle,0,po,acute,1,,,30\n")
    assert "declare it" in str(error_of(validation.validate_behaviour, path))
    declared = {"novelty_feeding": {"endpoint": "latency_s", "unit": "s", "direction": "lower"}}
    table, _ = validation.validate_behaviour(path, declared)
    assert table.loc[0, "latency_s"] == 30


def test_fst_accepts_per_minute_columns(tmp_path):
    header = (
        "animal_id,species,sex,treatment,dose_mg_kg,route,regimen,days_dosed,"
        + ",".join(f"immobility_min{i}" for i in range(1, 7))
        + "\n"
    )
    path = write(tmp_path, "behaviour/fst.csv", header + "r1,rat,M,vehicle,0,po,acute,1,10,20,30,40,50,60\n")
    table, _ = validation.validate_behaviour(path)
    assert table.loc[0, "immobility_min6"] == 60


# --- pk ----------------------------------------------------------------------


def pk_file(tmp_path, rows):
    return write(tmp_path, "pk/rat.csv", PK_HEADER + "\n".join(rows) + "\n")


def test_pk_blq_and_below_lloq(tmp_path):
    rows = [
        "a,rat,0.25,IV,2,mirtazapine,0.25,150,1",
        "a,rat,0.25,iv,2,mirtazapine,1,BLQ,1",
        "a,rat,0.25,iv,2,mirtazapine,2,,1",
        "a,rat,0.25,iv,2,mirtazapine,4,0.5,1",
    ]
    table, warnings = validation.validate_pk(pk_file(tmp_path, rows))
    assert list(table["blq"]) == [False, True, True, True]
    assert table["concentration_ng_mL"].isna().sum() == 3
    assert "below the LLOQ" in warnings[0]["message"] and warnings[0]["row"] == 5


@pytest.mark.parametrize(
    "bad_row, column, words",
    [
        ("a,rat,0.25,iv,2,mirtazapine,-1,5,1", "time_h", "≥ 0"),
        ("a,rat,0.25,iv,2,mirtazapine,0.25,7,1", "time_h", "duplicated time point"),
        ("a,rat,0.25,oral,2,mirtazapine,3,7,1", "route", "unknown value 'oral'"),
        ("b,rat,0.25,po,0,mirtazapine,3,7,1", "dose_mg_kg", "> 0"),
        ("a,rat,0.25,iv,2,mirtazapine,3,-7,1", "concentration_ng_mL", "≥ 0"),
        ("b,rat,0.25,po,,mirtazapine,3,7,1", "dose_mg_kg", "value missing"),
        ("a,rat,0.25,iv,2,mirtazapine,,7,1", "time_h", "value missing"),
        ("a,rat,0.25,iv,2,mirtazapine,abc,7,1", "time_h", "not a number"),
        ("a,rat,0.25,iv,2,mirtazapine,3,many,1", "concentration_ng_mL", "not a number"),
    ],
)
def test_bad_pk(tmp_path, bad_row, column, words):
    rows = ["a,rat,0.25,iv,2,mirtazapine,0.25,150,1", bad_row]
    error = error_of(validation.validate_pk, pk_file(tmp_path, rows))
    assert error.column == column and error.row == 3 and words in str(error)


# --- study.yaml ----------------------------------------------------------------


def test_study_defaults_and_name(tmp_path):
    meta = validation.validate_study(tmp_path)
    assert meta["name"] == validation.safe_study_name(tmp_path.name)
    assert meta["fst_window_min"] == [3, 6]
    # No compound-specific defaults: molecular weight and clinical doses come
    # from study.yaml or the human reference.
    assert "clinical_doses_mg" not in meta and "molecular_weight_g_mol" not in meta
    assert meta["study_yaml_provided"] is False


def test_study_yaml_rejects_python_tags(tmp_path):
    write(tmp_path, "study.yaml", "name: !!python/object/apply:os.system ['echo hi']\n")
    assert "tag not allowed" in str(error_of(validation.validate_study, tmp_path))


def test_study_yaml_rejects_unknown_keys_and_bad_values(tmp_path):
    write(tmp_path, "study.yaml", "name: s1\nclinical_dose_mg: [15]\n")
    assert "clinical_dose_mg" in str(error_of(validation.validate_study, tmp_path))
    write(tmp_path, "study.yaml", "fu: {rat: 1.5}\n")
    assert "fu.rat" in str(error_of(validation.validate_study, tmp_path))


@pytest.mark.parametrize(
    "text, words",
    [
        ("fst_window_min: [3, 8]\n", "fst_window_min.1"),
        ("fst_window_min: [0, 6]\n", "fst_window_min.0"),
        ("fst_window_min: [5, 3]\n", "first minute after last"),
        ("extra_tests: {nf: {endpoint: latency_s, unit: s, direction: up}}\n", "extra_tests.nf.direction"),
        ("extra_tests: {nf: {endpoint: latency_s, unit: s}}\n", "'direction' is a required property"),
    ],
)
def test_study_yaml_bad_behaviour_settings(tmp_path, text, words):
    write(tmp_path, "study.yaml", text)
    assert words in str(error_of(validation.validate_study, tmp_path))


def test_safe_study_name():
    assert validation.safe_study_name("my study; rm -rf") == "my_study_rm_-rf"


def test_declared_treatments_reject_unknown_ones(tmp_path):
    rows = GOOD_BEHAVIOUR + ["r3,rat,M,mirtazepine,10,po,acute,1,,,10"]
    path = behaviour_file(tmp_path, rows)
    error = error_of(validation.validate_behaviour, path, treatments=["mirtazapine"])
    assert error.row == 4 and error.column == "treatment" and "mirtazepine" in str(error)


def test_crossover_animal_may_have_two_routes(tmp_path):
    rows = ["a,rat,0.25,iv,2,mirtazapine,1,150,1", "a,rat,0.25,po,2,mirtazapine,1,10,1"]
    table, _ = validation.validate_pk(pk_file(tmp_path, rows))
    assert list(table["route"]) == ["iv", "po"]


# --- checks the analysis would otherwise trip over later ---

PLATE_LAYOUT = (
    "well,receptor,species,radioligand,radioligand_nM,radioligand_kd_nM,well_type,"
    "compound,concentration_M,replicate\n"
    "A1,H1,human,[3H]mepyramine,1,1.2,total,,,1\n"
    "A2,H1,human,[3H]mepyramine,1,1.2,nsb,,,1\n"
)


def plate_grid(cells: dict) -> str:
    rows = ["row," + ",".join(str(i) for i in range(1, 13))]
    for letter in "ABCDEFGH":
        rows.append(letter + "," + ",".join(cells.get(f"{letter}{i}", "") for i in range(1, 13)))
    return "\n".join(rows) + "\n"


def test_bad_plate_count_names_the_grid_cell(tmp_path):
    grid = write(tmp_path, "binding/p1.plate.csv", plate_grid({"A1": "5000", "A2": "4OO"}))
    layout = write(tmp_path, "binding/p1.layout.csv", PLATE_LAYOUT)
    error = error_of(validation.validate_plate, grid, layout)
    assert error.file.endswith("p1.plate.csv") and (error.row, error.column) == (2, "2")


def test_same_replicate_twice_is_an_error_but_other_plates_are_not(tmp_path):
    rows = BINDING_ROWS + [BINDING_ROWS[2].replace(",3000", ",2900")]
    error = error_of(validation.validate_binding, binding_file(tmp_path, rows))
    assert error.row == 5 and error.column == "replicate" and "first at row 4" in str(error)
    header = BINDING_HEADER.strip() + ",plate\n"
    two_plates = [r + ",P1" for r in BINDING_ROWS] + [r + ",P2" for r in BINDING_ROWS]
    table, _ = validation.validate_binding(binding_file(tmp_path, two_plates, header))
    assert len(table) == 6


@pytest.mark.parametrize(
    "old, new, column",
    [
        ("[3H]mepyramine,1,", "[3H]mepyramine,0.5,", "radioligand_nM"),
        ("[3H]mepyramine,1,1.2,", "[3H]mepyramine,1,2.4,", "radioligand_kd_nM"),
        ("[3H]mepyramine,", "[3H]doxepin,", "radioligand"),
    ],
)
def test_one_radioligand_concentration_and_kd_per_receptor(tmp_path, old, new, column):
    rows = list(BINDING_ROWS)
    rows[2] = rows[2].replace(old, new)
    error = error_of(validation.validate_binding, binding_file(tmp_path, rows))
    assert (error.row, error.column) == (4, column) and "differs within this receptor" in str(error)


SATURATION_HEADER = "receptor,species,radioligand,radioligand_nM,well_type,replicate,cpm\n"


@pytest.mark.parametrize(
    "rows, missing", [("H1,rat,L,0.5,nsb,1,100\n", "total"), ("H1,rat,L,0.5,total,1,1000\n", "nsb")]
)
def test_saturation_needs_total_and_nsb_wells(tmp_path, rows, missing):
    path = write(tmp_path, "saturation/s.csv", SATURATION_HEADER + rows)
    error = error_of(validation.validate_saturation, path)
    assert f"no {missing} wells" in str(error) and error.column == "well_type"


@pytest.mark.parametrize(
    "value, column, words",
    [
        ("abc", "radioligand_nM", "not a number"),
        ("", "radioligand_nM", "value missing"),
        ("0", "radioligand_nM", "must be > 0"),
        ("inf", "radioligand_nM", "not a finite number"),
    ],
)
def test_bad_saturation_radioligand_concentration(tmp_path, value, column, words):
    path = write(
        tmp_path,
        "saturation/s.csv",
        SATURATION_HEADER + f"H1,rat,L,0.5,total,1,1000\nH1,rat,L,{value},nsb,1,100\n",
    )
    error = error_of(validation.validate_saturation, path)
    assert (error.row, error.column) == (3, column) and words in str(error)


def test_each_regimen_needs_vehicle(tmp_path):
    rows = GOOD_BEHAVIOUR + ["r3,rat,M,mirtazapine,10,po,chronic,21,,,10"]
    error = error_of(validation.validate_behaviour, behaviour_file(tmp_path, rows))
    assert error.row == 4 and "chronic" in str(error)


@pytest.mark.parametrize(
    "token, excluded",
    [
        ("yes", True),
        ("Y", True),
        ("1", True),
        ("t", True),
        ("no", False),
        ("0", False),
        ("false", False),
        ("", False),
    ],
)
def test_excluded_tokens(tmp_path, token, excluded):
    rows = [f"r1,rat,M,vehicle,0,po,acute,1,{token},reason,3000", "r2,rat,M,vehicle,0,po,acute,1,,,3100"]
    table, _ = validation.validate_behaviour(behaviour_file(tmp_path, rows))
    assert list(table["excluded"]) == [excluded, False]


def test_fst_minute_missing_for_an_analysed_animal(tmp_path):
    header = (
        "animal_id,species,sex,treatment,dose_mg_kg,route,regimen,days_dosed,excluded,"
        + ",".join(f"immobility_min{i}" for i in range(1, 7))
        + "\n"
    )
    path = write(tmp_path, "behaviour/fst.csv", header + "r1,rat,M,vehicle,0,po,acute,1,,10,20,,40,50,60\n")
    error = error_of(validation.validate_behaviour, path)
    assert (error.row, error.column) == (2, "immobility_min3") and "value missing" in str(error)


def test_only_listed_tests_are_built_in(tmp_path):
    # behaviour_tests.schema.yaml also has a description; it is not a test.
    path = write(
        tmp_path, "behaviour/description.csv", BEHAVIOUR_HEADER + "r1,rat,M,vehicle,0,po,acute,1,,,30\n"
    )
    assert "unknown behavioural test" in str(error_of(validation.validate_behaviour, path))
    assert validation.behaviour_endpoint_sets("open_field", {}) == [["distance_cm"]]


def test_fst_minute_cannot_exceed_sixty_seconds(tmp_path):
    header = (
        "animal_id,species,sex,treatment,dose_mg_kg,route,regimen,days_dosed,"
        + ",".join(f"immobility_min{i}" for i in range(1, 7))
        + "\n"
    )
    path = write(tmp_path, "behaviour/fst.csv", header + "r1,rat,M,vehicle,0,po,acute,1,10,20,30,40,50,61\n")
    error = error_of(validation.validate_behaviour, path)
    assert (error.row, error.column) == (2, "immobility_min6")


def test_single_animal_groups_warn(tmp_path):
    rows = [
        "r1,rat,M,vehicle,0,po,acute,1,,,3000",
        "r2,rat,M,vehicle,0,po,acute,1,,,3100",
        "r3,rat,M,mirtazapine,10,po,acute,1,,,2000",
    ]
    _, warnings = validation.validate_behaviour(behaviour_file(tmp_path, rows))
    assert [(w["row"], w["file"]) for w in warnings] == [(4, "behaviour/open_field.csv")]
    assert "mirtazapine 10 mg/kg po (acute) has one analysed animal" in warnings[0]["message"]


def test_all_blq_profiles_warn_once_per_analyte(tmp_path):
    rows = [
        "a,rat,0.25,iv,2,mirtazapine,0.25,150,1",
        "a,rat,0.25,iv,2,m8,0.25,BLQ,1",
        "b,rat,0.25,iv,2,mirtazapine,0.25,120,1",
        "b,rat,0.25,iv,2,m8,0.25,,1",
    ]
    _, warnings = validation.validate_pk(pk_file(tmp_path, rows))
    assert len(warnings) == 1 and warnings[0]["row"] == 3
    assert "m8: every sample is BLQ in 2 of 2 profiles (animals a, b)" in warnings[0]["message"]


def test_shell_metacharacters_in_a_file_name_warn(tmp_path):
    path = write(tmp_path, "binding/run 1;$(x).csv", BINDING_HEADER + "\n".join(BINDING_ROWS) + "\n")
    _, warnings = validation.validate_binding(path)
    assert warnings[0]["file"] == "binding/run 1;$(x).csv"
    assert "$ ( ) ;" in warnings[0]["message"]


@pytest.mark.parametrize(
    "relative, words",
    [
        ("binding/run{1}.csv", "'{' or '}'"),
        ("pk/rat.CSV", "lower-case '.csv'"),
        ("binding/p1.plate.csv", "p1.layout.csv is missing"),
        ("binding/p1.layout.csv", "p1.plate.csv is missing"),
    ],
)
def test_study_file_layout_errors(tmp_path, relative, words):
    write(tmp_path, relative, "a,b\n1,2\n")
    error = error_of(validation.validate_study, tmp_path)
    assert words in str(error) and error.file.endswith(relative.split("/")[1])


def test_directory_named_like_a_table_is_an_error_not_skipped(tmp_path):
    (tmp_path / "binding" / "run1.csv").mkdir(parents=True)
    error = error_of(validation.validate_study, tmp_path)
    assert "is a directory" in str(error) and error.file.endswith("run1.csv")


def test_human_reference_file_must_lie_inside_the_study(tmp_path):
    study = tmp_path / "study"
    write(study, "reference/human.yaml", "compound: x\n")
    write(study, "study.yaml", "human_reference_file: reference/human.yaml\n")
    assert validation.validate_study(study)["human_reference_file"] == "reference/human.yaml"
    outside = write(tmp_path, "secret.yaml", "x: 1\n")
    (study / "reference" / "link.yaml").symlink_to(outside)
    for value, words in [
        ("../secret.yaml", "points outside"),
        (str(outside), "points outside"),
        ("reference/link.yaml", "points outside"),
        ("reference/missing.yaml", "not found"),
    ]:
        write(study, "study.yaml", f"human_reference_file: '{value}'\n")
        error = error_of(validation.validate_study, study)
        assert words in str(error) and "human_reference_file" in str(error)


@pytest.mark.parametrize(
    "cells, layout_well, where, words",
    [
        ({"A1": "5000"}, "A2", (2, "2"), "in the layout but blank"),
        ({"A1": "5000", "A2": "-400"}, "A2", (2, "2"), "must be ≥ 0"),
    ],
)
def test_plate_grid_cells_are_named(tmp_path, cells, layout_well, where, words):
    grid = write(tmp_path, "binding/p1.plate.csv", plate_grid(cells))
    layout = write(tmp_path, "binding/p1.layout.csv", PLATE_LAYOUT.replace("A2,", layout_well + ","))
    error = error_of(validation.validate_plate, grid, layout)
    assert (error.row, error.column) == where and words in str(error)


def test_plate_grid_needs_twelve_columns(tmp_path):
    grid = write(tmp_path, "binding/p1.plate.csv", "row,1,2\nA,1,2\n")
    layout = write(tmp_path, "binding/p1.layout.csv", PLATE_LAYOUT)
    assert "columns 1-12" in str(error_of(validation.validate_plate, grid, layout))


@pytest.mark.parametrize(
    "rows, row, column, words",
    [
        (["r1,rat,M,vehicle,5,po,acute,1,,,3000"], 2, "dose_mg_kg", "dose_mg_kg 0"),
        (["r1,rat,Q,vehicle,0,po,acute,1,,,3000"], 2, "sex", "unknown value 'Q'"),
        (["r1,rat,M,vehicle,0,oral,acute,1,,,3000"], 2, "route", "unknown value 'oral'"),
    ],
)
def test_more_bad_behaviour_rows(tmp_path, rows, row, column, words):
    error = error_of(validation.validate_behaviour, behaviour_file(tmp_path, rows))
    assert (error.row, error.column) == (row, column) and words in str(error)


def test_percentage_with_zero_denominator_is_an_error(tmp_path):
    path = write(
        tmp_path,
        "behaviour/sucrose_preference.csv",
        "animal_id,species,sex,treatment,dose_mg_kg,route,regimen,days_dosed,"
        "sucrose_ml,water_ml\nr1,rat,M,vehicle,0,po,acute,1,0,0\n",
    )
    error = error_of(validation.validate_behaviour, path)
    assert (error.row, error.column) == (2, "water_ml") and "both 0" in str(error)


@pytest.mark.parametrize(
    "bad_row, column, words",
    [
        ("a,mouse,0.25,iv,2,mirtazapine,1,7,1", "species", "more than one species"),
        ("a,rat,0.25,iv,2,mirtazapine,1,7,", "lloq_ng_mL", "value missing"),
    ],
)
def test_more_bad_pk_rows(tmp_path, bad_row, column, words):
    rows = ["a,rat,0.25,iv,2,mirtazapine,0.25,150,1", bad_row]
    error = error_of(validation.validate_pk, pk_file(tmp_path, rows))
    assert (error.row, error.column) == (3, column) and words in str(error)


def test_saturation_well_types_are_total_or_nsb(tmp_path):
    path = write(
        tmp_path,
        "saturation/s.csv",
        "receptor,species,radioligand,radioligand_nM,well_type,replicate,cpm\n"
        "H1,rat,L,0.5,total,1,1000\nH1,rat,L,0.5,competitor,1,100\n",
    )
    error = error_of(validation.validate_saturation, path)
    assert (error.row, error.column) == (3, "well_type")


# --- follow-ups: log-molar values, FST column sets, percentage pairs -------------------


@pytest.mark.parametrize(
    "value, hint",
    [("-9", "10^-9 M = 1e-09 M"), ("-3", "10^-3 M = 0.001 M"), ("-12", "10^-12 M = 1e-12 M"),
     ("-1e-9", None), ("-13", None), ("-2", None)],
)  # fmt: skip
def test_negative_log_molar_concentration_gets_a_hint(tmp_path, value, hint):
    rows = list(BINDING_ROWS)
    rows[2] = rows[2].replace("1e-9", value)
    error = error_of(validation.validate_binding, binding_file(tmp_path, rows))
    assert (error.row, error.column) == (4, "concentration_M") and "must be > 0" in str(error)
    if hint:
        assert "log units? give molar" in str(error) and hint in str(error)
    else:
        assert "log units" not in str(error)


FST_BOTH_HEADER = (
    "animal_id,species,sex,treatment,dose_mg_kg,route,regimen,days_dosed,excluded,exclusion_reason,immobility_s,"
    + ",".join(f"immobility_min{i}" for i in range(1, 7))
    + "\n"
)


def fst_both(tmp_path, rows):
    return write(tmp_path, "behaviour/fst.csv", FST_BOTH_HEADER + "\n".join(rows) + "\n")


def test_fst_with_both_column_sets_uses_minutes_per_animal(tmp_path):
    from scripts.behaviour.endpoints import fst_immobility

    rows = [
        "r1,rat,M,vehicle,0,po,acute,1,,,150,10,20,30,40,50,55",  # both: minutes win
        "r2,rat,M,vehicle,0,po,acute,1,,,170,,,,,,",  # total only
        "r3,rat,M,mirtazapine,10,po,acute,1,,,,5,10,15,20,25,30",  # minutes only
        "r4,rat,M,mirtazapine,10,po,acute,1,yes,drowned,,,,,,,",  # excluded, nothing given
    ]
    table, warnings = validation.validate_behaviour(fst_both(tmp_path, rows))
    both = [w for w in warnings if "both immobility_s and per-minute" in w["message"]]
    assert len(both) == 1 and "ignored for 1 of them" in both[0]["message"]
    values = fst_immobility(table, [3, 6])
    # Minutes 3-6 summed by hand: 30+40+50+55, the given total, 15+20+25+30.
    assert list(values[:3]) == [175, 170, 90] and math.isnan(values[3])


@pytest.mark.parametrize(
    "row, column, words",
    [
        ("r2,rat,M,vehicle,0,po,acute,1,,,170,10,20,,40,50,55", "immobility_min3", "other minutes are given"),
        ("r2,rat,M,vehicle,0,po,acute,1,,,,,,,,,", "immobility_s", "give immobility_s or the six minute"),
        ("r2,rat,M,vehicle,0,po,acute,1,,,abc,,,,,,", "immobility_s", "not a number"),
    ],
)
def test_fst_with_both_column_sets_needs_one_complete_set(tmp_path, row, column, words):
    rows = ["r1,rat,M,vehicle,0,po,acute,1,,,150,10,20,30,40,50,55", row]
    error = error_of(validation.validate_behaviour, fst_both(tmp_path, rows))
    assert (error.row, error.column) == (3, column) and words in str(error)


def test_percentage_pairs_come_from_the_test_schema():
    from scripts.validation.behaviour import PERCENTAGE_PAIRS

    assert PERCENTAGE_PAIRS == {
        "sucrose_preference": [("sucrose_ml", "water_ml")],
        "elevated_plus_maze": [
            ("open_arm_time_s", "closed_arm_time_s"),
            ("open_arm_entries", "closed_arm_entries"),
        ],
    }


@pytest.mark.parametrize("value, words", [("abc", "not a number"), ("", "value missing"), ("-1", "≥ 0")])
def test_bad_sucrose_endpoint_value(tmp_path, value, words):
    header = BEHAVIOUR_HEADER.replace("distance_cm", "sucrose_ml,water_ml")
    rows = ["r1,rat,M,vehicle,0,po,acute,1,,,20,5", f"r2,rat,M,vehicle,0,po,acute,1,,,{value},5"]
    path = write(tmp_path, "behaviour/sucrose_preference.csv", header + "\n".join(rows) + "\n")
    error = error_of(validation.validate_behaviour, path)
    assert (error.row, error.column) == (3, "sucrose_ml") and words in str(error)

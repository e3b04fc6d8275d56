"""Binding input contract for independent experiments and count conversion:
the optional ``experiment`` column (one radioligand, [L] and Kd per file ×
experiment) and the count-conversion columns, each bad value a one-line
error naming file, row and column."""

from __future__ import annotations

import pytest

from scripts import validation
from scripts.tables import InputError

HEADER = "receptor,species,radioligand,radioligand_nM,radioligand_kd_nM,well_type,compound,concentration_M,replicate,cpm"


def rows(experiment, ligand_nM="1", extra=""):
    return [
        f"H1,human,[3H]mepyramine,{ligand_nM},1.2,total,,,1,5000,{experiment}{extra}",
        f"H1,human,[3H]mepyramine,{ligand_nM},1.2,nsb,,,1,400,{experiment}{extra}",
        f"H1,human,[3H]mepyramine,{ligand_nM},1.2,competitor,mirtazapine,1e-9,1,3000,{experiment}{extra}",
    ]


def write(tmp_path, lines, header=HEADER + ",experiment", folder="binding"):
    path = tmp_path / folder / "run1.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def error_of(path, call=validation.validate_binding) -> InputError:
    with pytest.raises(InputError) as caught:
        call(path)
    return caught.value


def test_experiments_may_use_different_radioligand_concentrations(tmp_path):
    table, _ = validation.validate_binding(write(tmp_path, rows("1") + rows("2", ligand_nM="2")))
    assert table["experiment"].tolist() == ["1"] * 3 + ["2"] * 3
    assert table["radioligand_nM"].tolist() == [1.0] * 3 + [2.0] * 3
    # The same replicate label in two experiments is not a repeat.
    assert len(table) == 6


def test_two_radioligand_concentrations_within_one_experiment_is_an_error(tmp_path):
    lines = rows("1") + rows("2")
    lines[5] = lines[5].replace(",1,1.2,", ",3,1.2,")
    error = error_of(write(tmp_path, lines))
    assert error.file.endswith("binding/run1.csv") and (error.row, error.column) == (7, "radioligand_nM")
    assert "experiment 2" in str(error) and "differs" in str(error)


def test_each_experiment_needs_its_own_control_wells(tmp_path):
    lines = rows("1") + [rows("2")[2]]
    error = error_of(write(tmp_path, lines))
    assert (error.row, error.column) == (5, "well_type") and "experiment 2" in str(error)


CONVERSION = ",count_unit,counting_efficiency,specific_activity_Ci_mmol,protein_mg_per_well,assay_volume_mL"


@pytest.mark.parametrize("folder", ["binding", "saturation"])
@pytest.mark.parametrize(
    "extra, column, words",
    [
        (",cpn,0.5,80,0.05,0.25", "count_unit", "unknown value 'cpn'; expected one of cpm, dpm"),
        (",cpm,0.5,0,0.05,0.25", "specific_activity_Ci_mmol", "must be > 0 (got 0)"),
        (",cpm,0.5,-3,0.05,0.25", "specific_activity_Ci_mmol", "must be > 0 (got -3)"),
        (",cpm,1.5,80,0.05,0.25", "counting_efficiency", "must be ≤ 1"),
        (",cpm,,80,0.05,0.25", "counting_efficiency", "need a counting_efficiency"),
        (",,,80,0.05,0.25", "counting_efficiency", "need a counting_efficiency"),
    ],
)
def test_bad_count_conversion_cells_name_file_row_column(tmp_path, folder, extra, column, words):
    lines = rows("1", extra=extra)
    if folder == "saturation":
        lines = [
            line.replace(",competitor,mirtazapine,1e-9,", ",total,,,").replace(",1,3000,", ",2,3000,")
            for line in lines
        ]
        header = "receptor,species,radioligand,radioligand_nM,radioligand_kd_nM,well_type,compound,concentration_M,replicate,cpm,experiment"
        path = write(tmp_path, [line for line in lines], header=header + CONVERSION, folder=folder)
        error = error_of(path, validation.validate_saturation)
    else:
        error = error_of(write(tmp_path, lines, header=HEADER + ",experiment" + CONVERSION))
    assert error.file.endswith(f"{folder}/run1.csv") and (error.row, error.column) == (2, column)
    assert words in str(error)


def test_dpm_counts_need_no_efficiency(tmp_path):
    table, _ = validation.validate_binding(
        write(tmp_path, rows("1", extra=",DPM,,80,0.05,0.25"), header=HEADER + ",experiment" + CONVERSION)
    )
    assert (table["count_unit"] == "dpm").all() and table["counting_efficiency"].isna().all()

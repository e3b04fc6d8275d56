"""scripts.tables.write_csv: the bytes pandas writes with float_format
"%.10g" (the second implementation), whatever the values."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from scripts.tables import write_csv


@pytest.mark.parametrize("seed", range(5))
def test_write_csv_equals_pandas_float_format(tmp_path, seed):
    rng = np.random.default_rng(seed)
    n = 200
    floats = rng.lognormal(0.0, 8.0, n) * rng.choice([-1.0, 1.0], n)
    floats[::17] = np.nan
    floats[5] = np.inf
    floats[6] = -np.inf
    floats[7] = -0.0
    floats[8] = 1e10
    floats[9] = 1.0
    frame = pd.DataFrame(
        {
            "text": rng.choice(["a", "b,c", 'say "hi"', ""], n),
            "value": floats,
            "whole": rng.integers(-5, 5, n),
            "flag": rng.choice([True, False], n),
            "mixed": pd.Series([0.1 * i if i % 3 else "x" for i in range(n)], dtype=object),
            "small": rng.uniform(0.0, 1e-12, n),
        }
    )
    path = tmp_path / "t.csv"
    write_csv(frame, path)
    expected = frame.to_csv(index=False, float_format="%.10g", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    assert path.read_text() == expected


def test_write_csv_keeps_the_callers_frame(tmp_path):
    frame = pd.DataFrame({"x": [0.5, np.nan]})
    write_csv(frame, tmp_path / "t.csv")
    assert frame["x"].dtype.kind == "f"
    assert (tmp_path / "t.csv").read_text() == 'x\n0.5\n""\n'  # as pandas writes a lone blank


@pytest.mark.parametrize("rows", [0, 1, 6, 7, 8, 50])
def test_write_csv_in_blocks_writes_the_same_bytes(tmp_path, monkeypatch, rows):
    monkeypatch.setattr("scripts.tables.CSV_BLOCK_ROWS", 7)
    rng = np.random.default_rng(rows)
    frame = pd.DataFrame({"name": [f"r{i}" for i in range(rows)], "x": rng.normal(size=rows)})
    if rows:
        frame.loc[0, "x"] = np.nan
    write_csv(frame, tmp_path / "t.csv")
    expected = frame.to_csv(index=False, float_format="%.10g", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    assert (tmp_path / "t.csv").read_text() == expected

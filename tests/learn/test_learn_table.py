"""CSV reading and bad input: every error names the file and, where there is one, the line."""

from __future__ import annotations

import numpy as np
import pytest

from nesyasp.errors import DataError
from nesyasp.learn import FoldSEM, read_csv, split_target


def test_read_csv_keeps_strings_and_missing_cells(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b,label\r\n1.5, x ,yes\r\n,?,no\r\n")
    table = read_csv(path)
    assert table.columns == ("a", "b", "label")
    assert table.cells.tolist() == [["1.5", "x", "yes"], ["", "?", "no"]]
    assert table.lines.tolist() == [2, 3]


@pytest.mark.parametrize("text, needle", [
    ("", "the file is empty"),
    ("a,b\n", "header but no data rows"),
])
def test_empty_inputs(tmp_path, text, needle):
    path = tmp_path / "e.csv"
    path.write_text(text)
    with pytest.raises(DataError, match=needle) as info:
        read_csv(path)
    assert str(path) in str(info.value)


def test_ragged_row_names_file_and_line(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("a,b,c\n1,2,3\n4,5\n")
    with pytest.raises(DataError) as info:
        read_csv(path)
    assert f"{path}:3:" in str(info.value)
    assert "2 cells but the header has 3" in str(info.value)
    fitted = read_csv(path, ragged="fit")
    assert fitted.cells.tolist() == [["1", "2", "3"], ["4", "5", ""]]


def test_missing_file_and_target(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        read_csv(tmp_path / "nope.csv")
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match="no column named 'label'") as info:
        split_target(read_csv(path), "label")
    assert str(path) in str(info.value)


def test_empty_label_cell_names_line(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,label\n1,x\n2,\n")
    with pytest.raises(DataError) as info:
        split_target(read_csv(path), "label")
    assert f"{path}:3:" in str(info.value)


def test_single_class_and_all_missing_column():
    with pytest.raises(DataError, match="single class"):
        FoldSEM().fit(np.array([[1], [2]], dtype=object), ["a", "a"])
    X = np.array([["", "1"], ["", "2"], ["", "3"]], dtype=object)
    with pytest.raises(DataError, match="'f0' has no values"):
        FoldSEM().fit(X, ["a", "b", "a"])

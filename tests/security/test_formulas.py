"""CSV downloads defuse spreadsheet formulas (OWASP); the JSON API keeps values exact."""

from __future__ import annotations

import io
import json
import textwrap

import pandas as pd
import pytest

from databoard import create_app
from databoard.security.formulas import comment, escape_cell, escape_frame

#: Text cells a spreadsheet would run, and text and numbers it would not.
CELLS = """\
label,note,amount
attack,"=cmd|' /C calc'!A0",-12.5
plus,+1+2,3
minus,-2+3,-4
at,@SUM(A1:A2),0
tab,"\tx",1e3
return,"\rx",-0.5
text-number,-5,7
plain,hello,-1
empty,,2
"""


@pytest.mark.parametrize(
    ("cell", "escaped"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-", "'-"),
        ("-5", "-5"),  # a number written as text stays a number
        ("+3.25e-2", "+3.25e-2"),
        ("hello", "hello"),
        ("a=b", "a=b"),
        (-5, -5),
        (None, None),
    ],
)
def test_escape_cell(cell, escaped):
    assert escape_cell(cell) == escaped


def test_escape_frame_leaves_numbers_and_the_input_alone():
    frame = pd.DataFrame(
        {
            "=name": pd.Categorical(["=1+1", "ok"]),
            "value": [-1.5, 2.0],
            "count": [-3, 4],
            "when": pd.to_datetime(["2024-01-01", "2024-01-02"]),
        }
    )
    out = escape_frame(frame)
    assert out.columns.tolist() == ["'=name", "value", "count", "when"]
    assert out["'=name"].tolist() == ["'=1+1", "ok"]
    assert out["value"].tolist() == [-1.5, 2.0] and out["count"].dtype == "int64"
    assert frame.columns[0] == "=name" and frame["=name"].tolist() == ["=1+1", "ok"]
    numbers = frame[["value", "count"]]
    assert escape_frame(numbers) is numbers  # nothing to escape: no copy


def test_comment_is_one_line():
    assert comment('Title\n=HYPERLINK("x")\r') == 'Title =HYPERLINK("x") '


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("formulas") / "cells"  # a dashboard.yaml is /d/cells
    root.mkdir()
    (root / "cells.csv").write_text(CELLS)
    (root / "dashboard.yaml").write_text(
        textwrap.dedent(
            """\
            title: "Cells\\n=1+1"
            datasets:
              cells: {source: cells.csv}
            charts:
              - {id: rows, title: "Rows\\n@evil", kind: table}
            """
        )
    )
    return create_app({"TESTING": True, "DASHBOARD": str(root)}).test_client()


def test_csv_download_escapes_text_cells(client):
    response = client.get("/api/v1/dashboards/cells/charts/rows/data.csv")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    lines = text.split("\r\n")
    header = [line for line in lines if line.startswith("#")]
    assert "# title: Rows @evil" in header
    assert not any(line.startswith(("=", "+", "-", "@", "\t", "\r")) for line in lines)
    # What a spreadsheet (or pandas) reads: escaped text, numbers as numbers.
    table = pd.read_csv(io.StringIO(text), comment="#", keep_default_na=False)
    original = pd.read_csv(io.StringIO(CELLS), keep_default_na=False)
    assert table["amount"].tolist() == original["amount"].tolist()
    assert table["amount"].dtype == "float64"
    escaped = dict(zip(table["label"], table["note"], strict=True))
    assert escaped["attack"] == "'=cmd|' /C calc'!A0"
    assert escaped["plus"] == "'+1+2"
    assert escaped["minus"] == "'-2+3"
    assert escaped["at"] == "'@SUM(A1:A2)"
    assert escaped["tab"] == "'\tx"
    assert escaped["return"] == "'\rx"
    assert escaped["text-number"] == "-5"
    assert escaped["plain"] == "hello"
    # Every text cell that starts like a formula got exactly one quote, nothing else changed.
    for label, note in zip(original["label"], original["note"], strict=True):
        assert escaped[label] == escape_cell(note)


def test_json_download_is_exact(client):
    response = client.get("/api/v1/dashboards/cells/charts/rows/data.json")
    body = json.loads(response.get_data(as_text=True))
    notes = {row[0]: row[1] for row in body["rows"]}
    assert notes["attack"] == "=cmd|' /C calc'!A0"
    assert notes["tab"] == "\tx"
    assert notes["minus"] == "-2+3"

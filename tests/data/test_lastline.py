"""A delimited file whose last line has fewer fields than the one before is noticed."""

from __future__ import annotations

import io

import pytest

from databoard.data.lastline import cut_short

from support import ORDERS_CSV


def scan(text: str, sep: str = ",") -> str | None:
    return cut_short(io.BytesIO(text.encode()), sep)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (ORDERS_CSV.rstrip("\n")[:-9], 6),  # cut inside the last field, no line break
        (ORDERS_CSV.rstrip("\n")[:-9] + "\n", 6),  # cut, with a line break after it
        (ORDERS_CSV.rstrip("\n")[:-20] + "\r\n\r\n", 6),  # cut, blank lines after it
        ("a,b,c\n1,2", 2),
        (ORDERS_CSV.replace("\n", "\r\n").rstrip()[:-6], 6),
    ],
)
def test_a_last_line_cut_short_is_named(text, line):
    found = scan(text)
    assert found is not None and found.startswith(f"line {line} has ")


def test_the_fields_are_counted():
    found = scan("a,b,c\n1,2,3\n1,2")
    assert found == "line 3 has 2 of the 3 fields of the line before; cut short?"


@pytest.mark.parametrize(
    "text",
    [
        ORDERS_CSV,
        ORDERS_CSV.rstrip("\n"),
        "date,region\n",
        "date,region",
        "",
        'a,b\n1,"two, three"\n',
        "a,b,\n1,2,\n",
    ],
)
def test_a_whole_file_passes(text):
    assert scan(text) is None


def test_tabs_are_fields_of_a_tsv():
    text = ORDERS_CSV.replace(",", "\t").rstrip("\n")[:-9]
    assert scan(text, "\t").startswith("line 6 has 3 of the 5 fields")
    assert scan(text, ",") is None  # one field a line, as a CSV


def test_the_line_is_counted_in_a_file_longer_than_its_kept_end():
    rows = "".join(f"2024-01-{i % 28 + 1:02},North,Basic,{i},{i}.5\n" for i in range(200_000))
    text = ORDERS_CSV + rows + "2024-02-01,No"
    assert scan(text) == f"line {200_007} has 2 of the 5 fields of the line before; cut short?"


def test_a_separator_pandas_reads_as_a_pattern_is_not_checked():
    assert scan("a;b\n1;2\n1", r"\s*;\s*") is None

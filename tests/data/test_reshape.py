"""NumPy reshaping gives exactly the tables and sums pandas gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from databoard.data.reshape import group_sums, spread

from support import WORLDBANK_DATA

INDEX = ["country", "country_code", "year"]


@pytest.fixture(scope="module")
def tidy() -> pd.DataFrame:
    from databoard.data.worldbank import read_folder

    return read_folder(WORLDBANK_DATA)


def pivot(frame: pd.DataFrame, names: dict) -> pd.DataFrame:
    """The plain pandas way: pivot, keep and rename the columns, reset the index."""
    rows = frame[frame["indicator_code"].isin(list(names))]
    table = rows.pivot(index=INDEX, columns="indicator_code", values="value")
    table = table.reindex(columns=list(names)).rename(columns=names)
    table.columns.name = None
    return table.reset_index()


@pytest.mark.parametrize(
    "codes", [["USA", "CHN"], ["DEU", "FRA", "IND", "BRA"], None], ids=["two", "four", "all"]
)
@pytest.mark.parametrize(
    "names",
    [
        {"SP.POP.TOTL": "value"},
        {"SP.POP.TOTL": "value", "NY.GDP.MKTP.CD": "weight"},
        {"EN.ATM.CO2E.PC": "a", "SP.RUR.TOTL": "b", "NOT.THERE": "c"},
    ],
)
@pytest.mark.parametrize("shuffled", [False, True])
def test_spread_equals_pivot(tidy, codes, names, shuffled):
    frame = tidy if codes is None else tidy[tidy["country_code"].isin(codes)]
    if shuffled:
        frame = frame.sample(frac=1.0, random_state=4)
    got, expected = spread(frame, INDEX, "indicator_code", "value", names), pivot(frame, names)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert got.columns.dtype == expected.columns.dtype


def test_spread_leaves_duplicates_to_pandas(tidy):
    frame = tidy[tidy["country_code"] == "USA"]
    with pytest.raises(ValueError, match="duplicate"):
        spread(pd.concat([frame, frame]), INDEX, "indicator_code", "value", {"SP.POP.TOTL": "v"})


@pytest.mark.parametrize("seed", range(40))
def test_group_sums_equal_pandas_to_the_last_digit(seed):
    rng = np.random.default_rng(seed)
    rows, size = int(rng.integers(0, 600)), int(rng.integers(1, 40))
    codes = rng.integers(-1, size, rows)
    values = rng.normal(0, 1, rows) * 10.0 ** rng.integers(-8, 16, rows)
    values[rng.random(rows) < 0.1] = np.nan
    if rows and seed % 4 == 0:
        values[rng.integers(0, rows)] = np.inf if seed % 8 else -np.inf
    if seed % 10 == 0:
        size, codes = 2, rng.integers(0, 2, 3000)  # groups too big to sum step by step
        values = rng.normal(0, 1, 3000)
    expected = pd.Series(values)[codes >= 0].groupby(codes[codes >= 0]).sum(min_count=1)
    expected = expected.reindex(range(size)).to_numpy()
    np.testing.assert_array_equal(group_sums(codes, values, size), expected)

"""The in-memory sum and top-N give, bit for bit, what the plain pandas code gave."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from databoard.data.engines import FrameRows
from databoard.data.engines.memory import _ranked, _sums_of_one
from databoard.data.engines.rows import OTHER, other_keys

NAMES = ["Chile", "Peru", "India", "Japan", "Kenya", "Oman", "Togo", "Fiji"]


def pandas_sum(frame: pd.DataFrame, keys: list[str], value: str) -> pd.DataFrame:
    """The grouped sum as computed before the shortcut: the reference."""
    grouped = frame.groupby(keys, observed=True, dropna=False, sort=True)
    return grouped[value].sum(min_count=1).reset_index()


def pandas_top(frame, category, value, n, other, keys) -> pd.DataFrame:
    """Top-N as computed before the shortcut, all in pandas: the reference."""
    totals = frame.groupby(category, observed=True, sort=True)[value].sum(min_count=1)
    ranked = totals.dropna().sort_values(ascending=False, kind="stable")
    kept = ranked.index[:n]
    rank = pd.Series(range(len(kept)), index=kept)
    chosen = frame[category].isin(kept)
    inside = frame[chosen]
    inside = inside.assign(_rank=inside[category].map(rank).to_numpy(dtype=int))
    inside = inside.sort_values("_rank", kind="stable").drop(columns="_rank")
    rest = frame[~chosen & frame[value].notna()]
    if not other or rest.empty:
        return inside
    apart = other_keys(category, keys)
    if apart:
        grouped = rest.groupby(apart, observed=True, dropna=False, sort=True)
        summed = grouped[value].sum().reset_index()
    else:
        summed = pd.DataFrame({value: [rest[value].sum()]})
    summed.insert(0, category, OTHER)
    named = inside.assign(**{category: inside[category].astype(object)})
    combined = pd.concat([named, summed], ignore_index=True)
    return combined[[c for c in inside.columns if c in combined.columns]]


def assert_same(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Assert equal frames, to the bit: zeros of both signs are equal to ``==``."""
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    for column in got.columns:
        if got[column].dtype.kind == "f":
            signs = [np.signbit(f[column].to_numpy()) for f in (got, expected)]
            np.testing.assert_array_equal(*signs)


def numbers(rng, rows: int, kind: str) -> np.ndarray:
    """Values with ties, zeros of both signs, large and tiny magnitudes, and gaps."""
    if kind == "int":
        return rng.choice([-3, 0, 2, 2, 7, 10**12], rows).astype(np.int64)
    pool = np.array([0.1, 0.2, 0.3, -0.0, 0.0, 1e16, -1e16, 3.0, 3.0, 1e-9, np.inf])
    values = np.where(rng.random(rows) < 0.5, rng.choice(pool, rows), rng.normal(0, 1e6, rows))
    return np.where(rng.random(rows) < 0.15, np.nan, values)


def category(rng, rows: int, kind: str, repeat: bool):
    """Country names, each once unless *repeat*, some missing; categories beyond those used."""
    picked = rng.choice(NAMES, rows) if repeat else rng.permutation(NAMES)[:rows]
    picked = np.where(rng.random(rows) < 0.1, None, picked)
    if kind == "object":
        return pd.Series(picked, dtype=object)
    order = list(rng.permutation(NAMES)) + ["Unused"]  # not alphabetical, one never seen
    return pd.Categorical(picked, categories=order)


def random_frame(seed: int) -> tuple[pd.DataFrame, dict]:
    rng = np.random.default_rng(seed)
    repeat = rng.random() < 0.4
    rows = int(rng.integers(0, len(NAMES) * (3 if repeat else 1) + 1))
    kind = rng.choice(["categorical", "categorical", "object"])
    frame = pd.DataFrame(
        {
            "country": category(rng, rows, kind, repeat),
            "population": numbers(rng, rows, rng.choice(["float", "int"])),
        }
    )
    keys = [None, "country", None]
    if rng.random() < 0.4:
        colours = rng.choice(["North", "South", None], rows)
        frame.insert(int(rng.integers(0, 3)), "region", pd.Categorical(colours))
        keys[2] = "region"
    if rng.random() < 0.3:
        frame["year"] = rng.choice([1990, 2000], rows).astype(np.int16)
        keys[0] = "year"
    frame.index = pd.RangeIndex(rows) if rng.random() < 0.5 else pd.Index(rng.permutation(rows))
    n = int(rng.choice([0, 1, 3, 10, -2]))
    return frame, {"keys": keys, "n": n, "other": bool(rng.random() < 0.7)}


@pytest.mark.parametrize("seed", range(400))
def test_sum_is_the_grouped_sum_of_pandas(seed):
    frame, case = random_frame(seed)
    keys = [k for k in case["keys"] if k]
    got = FrameRows(frame).aggregate(case["keys"], "population", "sum").frame
    assert_same(got, pandas_sum(frame, keys, "population"))


@pytest.mark.parametrize("seed", range(400))
def test_top_is_the_top_of_pandas(seed):
    frame, case = random_frame(seed)
    args = ("country", "population", case["n"], case["other"], case["keys"])
    got = FrameRows(frame).top(*args)
    assert_same(got, pandas_top(frame, *args))


@pytest.mark.parametrize("seed", range(400))
def test_top_of_the_sum_is_what_pandas_gave(seed):
    """The bar chart's two steps in turn, with the missing totals dropped between them."""
    frame, case = random_frame(seed)
    keys = [k for k in case["keys"] if k]
    args = ("country", "population", case["n"], case["other"], case["keys"])
    got = FrameRows(frame).aggregate(case["keys"], "population", "sum").notna("population")
    expected = pandas_sum(frame, keys, "population").dropna(subset="population")
    assert_same(got.top(*args), pandas_top(expected, *args))


def test_one_row_a_country_needs_no_grouping():
    """A year's view of one row per country is answered without pandas' grouping."""
    frame = pd.DataFrame(
        {
            "country": pd.Categorical(["Peru", "Chile", "Fiji", "India"]),
            "population": [34.0, 19.5, 0.9, 1428.6],
        }
    )
    summed = _sums_of_one(frame, ["country"], "population")
    assert summed["country"].tolist() == ["Chile", "Fiji", "India", "Peru"]
    kept, rest = _ranked(summed, "country", "population", 2)
    assert kept.tolist() == [2, 3]
    assert rest.tolist() == [True, True, False, False]
    got = FrameRows(summed).top("country", "population", 2, True, ["country"])
    assert got.values.tolist() == [["India", 1428.6], ["Peru", 34.0], [OTHER, 19.5 + 0.9]]

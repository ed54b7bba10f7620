"""Every backend answers every question a chart kind asks the same way pandas does."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from databoard.data.engines import Condition


def same(got: pd.DataFrame, expected: pd.DataFrame, keys: list[str]) -> None:
    """Assert two frames hold the same rows (in key order), numbers to 1e-9."""
    got = got.sort_values(keys).reset_index(drop=True)
    expected = expected.sort_values(keys).reset_index(drop=True)
    assert list(got.columns) == list(expected.columns)
    for column in expected.columns:
        a, b = got[column], expected[column]
        if pd.api.types.is_numeric_dtype(b) and not pd.api.types.is_bool_dtype(b):
            np.testing.assert_allclose(a.astype(float), b.astype(float), rtol=1e-9)
        else:
            assert a.astype(str).tolist() == b.astype(str).tolist(), column


def test_conditions_narrow_rows(backend, frame):
    conditions = [
        Condition("region", "in", ("North", "East")),
        Condition("year", "between", (2002, 2006)),
        Condition("site", "eq", ("b",)),
    ]
    got = backend.where(conditions).to_pandas()
    keep = (
        frame.region.isin(["North", "East"]) & frame.year.between(2002, 2006) & (frame.site == "b")
    )
    expected = frame[keep]
    assert len(got) == len(expected) > 5
    same(got[["ts", "value"]], expected[["ts", "value"]], ["ts"])


@pytest.mark.parametrize("how", ["sum", "mean", "median", "min", "max", "count"])
def test_group_by_aggregates(backend, frame, how):
    got = backend.aggregate(["region", "year"], "value", how).to_pandas()
    grouped = frame.groupby(["region", "year"])["value"]
    if how == "count":
        expected = grouped.size().rename("value").reset_index()
    elif how == "sum":
        expected = grouped.sum(min_count=1).reset_index()
    else:
        expected = grouped.agg(how).reset_index()
    same(got, expected, ["region", "year"])


def test_total_without_keys(backend, frame):
    got = backend.notna("value").aggregate([], "value", "sum").to_pandas()
    assert list(got.columns) == ["value"]
    assert got["value"].iloc[0] == pytest.approx(frame["value"].sum())


def test_filter_options_and_bounds(backend, frame):
    assert backend.distinct("region") == ["East", "North", "South"]
    assert backend.bounds("year") == (frame.year.min(), frame.year.max())
    assert isinstance(backend.bounds("year")[0], int)
    assert backend.pairs("region", "label") == {"East": "EAST", "North": "NORTH", "South": "SOUTH"}
    assert backend.nunique("site") == 4
    by_region = backend.nunique_by("region", "site").sort_index()
    pd.testing.assert_series_equal(
        by_region.astype(int), frame.groupby("region")["site"].nunique(), check_names=False
    )


@pytest.mark.parametrize("bins", [None, 7])
def test_histogram_bins_as_numpy(backend, frame, bins):
    got = backend.histogram("value", "region", bins)
    values = frame["value"].dropna()
    edges = np.histogram_bin_edges(values, bins=bins or "auto")
    assert got["bin_start"].nunique() == len(edges) - 1
    for region, rows in frame.dropna(subset=["value"]).groupby("region"):
        counts, _ = np.histogram(rows["value"], bins=edges)
        assert got.loc[got.region == region, "count"].tolist() == counts.tolist()


def test_box_statistics(backend, frame):
    got = backend.box("value", ["region"])
    for _, row in got.iterrows():
        values = frame.loc[frame.region == row["region"], "value"].dropna()
        q1, median, q3 = np.percentile(values, [25, 50, 75])
        inside = values[(values >= q1 - 1.5 * (q3 - q1)) & (values <= q3 + 1.5 * (q3 - q1))]
        assert row["count"] == len(values)
        assert row[["q1", "median", "q3"]].tolist() == pytest.approx([q1, median, q3])
        assert row["lowerfence"] == pytest.approx(inside.min())
        assert row["upperfence"] == pytest.approx(inside.max())
        assert row["mean"] == pytest.approx(values.mean())


def test_table_sorted_and_limited(backend, frame):
    got = backend.sort("value", ascending=False).select(["ts", "value"]).head(5).to_pandas()
    expected = frame.sort_values("value", ascending=False)[["ts", "value"]].head(5)
    assert got["value"].tolist() == expected["value"].tolist()


def test_row_limit_is_a_clear_error(backend):
    from databoard.data.engines import RowLimitError

    with pytest.raises(RowLimitError, match="ROW_LIMIT"):
        backend.to_pandas(limit=100)
    assert len(backend.to_pandas(limit=600)) == 600


def test_timestamps_come_back_as_written(backend, frame):
    got = backend.sort("ts").head(3).to_pandas()["ts"]
    assert [str(t)[:19] for t in got] == [str(t)[:19] for t in frame["ts"].head(3)]


def test_injection_payloads_are_values(backend, frame):
    payloads = [
        "North'; DROP TABLE readings; --",
        "' OR '1'='1",
        'North" OR 1=1 --',
        "North\\'; SELECT pg_sleep(5); --",
    ]
    got = backend.where([Condition("region", "in", tuple(payloads))]).to_pandas()
    assert got.empty
    got = backend.where([Condition("region", "eq", ("' OR '1'='1",))]).count()
    assert got == 0
    assert backend.count() == len(frame)  # the table is intact


def test_m4_keeps_each_buckets_extremes(backend, frame):
    width = 40
    got = backend.m4("ts", "value", ["region"], width).to_pandas()
    if type(backend).__name__ == "FrameRows":
        assert len(got) == len(frame)  # in memory, thinning happens after the data step
        return
    for region, rows in frame.dropna(subset=["value"]).groupby("region"):
        kept = got[got.region == region]
        assert len(kept) <= width < len(rows)
        assert kept["value"].max() == rows["value"].max()
        assert kept["value"].min() == rows["value"].min()
        assert kept["ts"].min() == rows["ts"].min()
        assert kept["ts"].max() == rows["ts"].max()
        assert kept["ts"].is_monotonic_increasing
    short = backend.m4("ts", "value", ["region"], 10_000).to_pandas()
    assert len(short) == len(frame)

"""Every backend answers every question a chart kind asks the same way pandas does."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from databoard.data.engines import Condition
from databoard.data.engines.rows import OTHER


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


@pytest.mark.parametrize("narrowed", [False, True], ids=["whole", "range on x"])
def test_m4_keeps_each_buckets_extremes(backend, frame, narrowed):
    width = 40
    if narrowed:  # the range's ends are the axis' ends: no scan to find them
        low, high = frame["ts"].iloc[100], frame["ts"].iloc[500]
        backend = backend.where([Condition("ts", "between", (low, high))])
        frame = frame[frame["ts"].between(low, high)]
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


@pytest.mark.parametrize("period", ["W", "M", "Q", "Y"])
def test_dates_truncate_to_the_start_of_their_period(backend, frame, period):
    got = backend.truncate("day", period).aggregate(["day"], "units", "sum").to_pandas()
    starts = frame["day"].dt.to_period(period).dt.start_time
    expected = frame.assign(day=starts).groupby("day", dropna=False)["units"].sum().reset_index()
    assert got["day"].isna().sum() == 1  # the rows without a day stay together
    got, expected = got.dropna(subset=["day"]), expected.dropna(subset=["day"])
    assert [str(d)[:10] for d in got["day"]] == [str(d)[:10] for d in expected["day"]]
    assert got["units"].tolist() == expected["units"].tolist()
    days = pd.DatetimeIndex(got["day"])
    if period == "W":
        assert set(days.day_of_week) == {0}  # Mondays, as pandas' weeks
        assert str(days[0])[:10] == "2021-01-04"
    else:
        assert set(days.day) == {1}
        assert set(days.month) <= {"M": set(range(1, 13)), "Q": {1, 4, 7, 10}, "Y": {1}}[period]
    assert (days.hour == 0).all()


def test_resample_of_numbers_is_a_clear_error(backend):
    with pytest.raises(ValueError, match="resample needs dates in 'year'"):
        backend.truncate("year", "Y")


@pytest.mark.parametrize("other", [True, False])
def test_top_categories_then_other_per_colour(backend, frame, other):
    summed = backend.aggregate(["site", "region"], "units", "sum").notna("units")
    got = summed.top("site", "units", 2, other, ["site", "region"])
    totals = frame.groupby("site")["units"].sum().sort_values(ascending=False)
    rows = []
    for site in totals.index[:2]:
        per_region = frame[frame.site == site].groupby("region")["units"].sum()
        rows += [[site, region, units] for region, units in per_region.items()]
    if other:
        rest = frame[~frame.site.isin(totals.index[:2])].groupby("region")["units"].sum()
        rows += [[OTHER, region, units] for region, units in rest.items()]
    assert got[["site", "region", "units"]].values.tolist() == rows


def test_top_of_means_with_other_total(backend, frame):
    means = backend.aggregate(["region"], "value", "mean").notna("value")
    got = means.top("region", "value", 1, True, ["region"])
    expected = frame.groupby("region")["value"].mean().sort_values(ascending=False)
    assert got["region"].tolist() == [expected.index[0], OTHER]
    assert got["value"].tolist() == pytest.approx([expected.iloc[0], expected.iloc[1:].sum()])


def test_rows_after_the_first_of_a_sorted_answer(backend, frame):
    ranked = backend.notna("value").sort("value", ascending=False)
    rest = ranked.skip(550)
    values = frame["value"].dropna().sort_values(ascending=False)
    assert rest.count() == len(values) - 550
    total = rest.aggregate([], "value", "sum").to_pandas()["value"].iloc[0]
    assert total == pytest.approx(values.iloc[550:].sum())


def test_latest_keeps_each_groups_row_with_the_largest_value(backend, frame):
    got = backend.notna("value").latest(["region", "site"], "ts").to_pandas()
    present = frame[frame["value"].notna()]
    expected = present.loc[present.groupby(["region", "site"])["ts"].idxmax()]
    assert len(got) == 12
    same(
        got[["region", "site", "ts", "value"]], expected[["region", "site", "ts", "value"]], ["ts"]
    )


def test_a_choice_of_every_value_keeps_the_rows_that_have_one(backend, frame):
    every = backend.where([Condition("day", "notnull", ())])
    assert every.count() == frame["day"].notna().sum() == len(frame) - 10
    assert backend.where([Condition("region", "notnull", ())]).count() == len(frame)

"""Spark in local mode answers like the other backends (one shared session: slow to start)."""

from __future__ import annotations

import numpy as np
import pytest

from databoard.data.engines import Condition

pytestmark = pytest.mark.slow


def test_spark_filters_groups_bins_and_options(spark_rows, frame):
    narrowed = spark_rows.where(
        [Condition("region", "in", ("North", "East")), Condition("year", "between", (2002, 2006))]
    )
    got = narrowed.aggregate(["region"], "value", "sum").to_pandas()
    keep = frame.region.isin(["North", "East"]) & frame.year.between(2002, 2006)
    expected = frame[keep].groupby("region")["value"].sum()
    assert dict(zip(got.region, got.value, strict=True)) == pytest.approx(expected.to_dict())

    histogram = spark_rows.histogram("value", None, 7)
    counts, _ = np.histogram(frame["value"].dropna(), bins=7)
    assert histogram["count"].tolist() == counts.tolist()

    assert spark_rows.distinct("region") == ["East", "North", "South"]
    assert spark_rows.bounds("year") == (frame.year.min(), frame.year.max())
    payload = "North'; DROP TABLE readings; --"
    assert spark_rows.where([Condition("region", "eq", (payload,))]).count() == 0
    assert spark_rows.count() == len(frame)


def test_spark_weeks_start_on_monday_and_top_sums_other(spark_rows, frame):
    weeks = spark_rows.truncate("day", "W").aggregate(["day"], "units", "sum").to_pandas()
    starts = frame["day"].dt.to_period("W").dt.start_time
    expected = frame.assign(day=starts).groupby("day")["units"].sum()
    weeks = weeks.dropna(subset=["day"])
    assert [str(d)[:10] for d in weeks["day"]] == [str(d)[:10] for d in expected.index]
    assert weeks["units"].tolist() == expected.tolist()

    summed = spark_rows.aggregate(["site"], "units", "sum")
    got = summed.top("site", "units", 2, True, ["site"])
    totals = frame.groupby("site")["units"].sum().sort_values(ascending=False)
    assert got.values.tolist() == [
        *[[site, units] for site, units in totals.iloc[:2].items()],
        ["Other", totals.iloc[2:].sum()],
    ]

"""Engines shared by threads: each thread queries on its own connection or cursor."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from databoard.data.engines import Condition


@pytest.mark.parametrize("threads", [8])
def test_threads_share_an_engine(backend, frame, threads):
    regions = ["North", "South", "East"]

    def ask(i: int):
        region = regions[i % 3]
        rows = backend.where([Condition("region", "in", (region,))])
        return region, rows.aggregate(["site"], "units", "sum").to_pandas()

    with ThreadPoolExecutor(threads) as pool:
        answers = list(pool.map(ask, range(threads * 6)))
    for region, got in answers:
        expected = frame[frame.region == region].groupby("site")["units"].sum()
        assert dict(zip(got.site, got.units, strict=True)) == expected.to_dict()

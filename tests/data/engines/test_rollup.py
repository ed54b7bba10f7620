"""Rollups answer as the raw rows do: compared with pandas on the same readings."""

from __future__ import annotations

import dataclasses
import gc
import threading

import ibis
import numpy as np
import pandas as pd
import pytest

from databoard.data.engines import Condition
from databoard.data.engines.connections import Engine, table
from databoard.data.engines.datasets import engine_loader
from databoard.data.engines.sql import TableRows

from support import POSTGRES_URL

#: Few enough cells that each holds several rows (the readings are hourly, 600 of them).
CELLS = 48


@pytest.fixture(scope="module")
def frame(tmp_path_factory):
    from support import readings

    found = readings()
    found["hour"] = np.arange(len(found), dtype="int64")  # a time column of numbers
    found.loc[found.index[::97], "units"] = pd.NA  # whole numbers with gaps too
    found["units"] = found["units"].astype("Int64")
    return found


@pytest.fixture(scope="module")
def parquet(frame, tmp_path_factory):
    path = tmp_path_factory.mktemp("rollup") / "readings.parquet"
    frame.to_parquet(path)
    return path


@pytest.fixture(scope="module", params=["ts", "hour"])
def rolled(request, parquet, tmp_path_factory):
    """The readings in DuckDB with a rollup per region and cell of ``ts`` or ``hour``."""
    engine = Engine("duckdb://", tmp_path_factory.mktemp("duckdb"))
    rows = TableRows(table(engine, file=parquet), engine)
    yield rows.rolled_up(request.param, ["region"], cells=CELLS, fewest=2)
    engine.close()


def reads_rollup(rows: TableRows) -> bool:
    """Tell whether the query of *rows* reads a rollup's cells."""
    assert rows.rollups
    query = ibis.to_sql(rows.table, dialect="duckdb")
    return any(rollup.cells.op().name in query for rollup in rows.rollups)


def recorded_queries(rows: TableRows, monkeypatch) -> list[str]:
    """Return the list the SQL of every query *rows*' engine runs from now is added to."""
    queries: list[str] = []
    execute = rows.engine.execute

    def recorded(expr):
        queries.append(ibis.to_sql(expr, dialect="duckdb"))
        return execute(expr)

    monkeypatch.setattr(rows.engine, "execute", recorded)
    return queries


def views(frame, time: str):
    """Return (conditions, the same rows in pandas) of views a rollup answers."""
    column = frame[time]
    # ends inside cells, so the raw rows of the cut cells count too
    low, high = column.iloc[37], column.iloc[541]
    ranged = Condition(time, "between", (low, high))
    inside = column.between(low, high)
    two = Condition("region", "in", ("North", "South"))
    return {
        "every row": ([], frame),
        "a range of time": ([ranged], frame[inside]),
        "two regions in a range": ([two, ranged], frame[inside & frame.region.isin(two.values)]),
        "one region": ([Condition("region", "eq", ("East",))], frame[frame.region == "East"]),
        "any region": ([Condition("region", "notnull", ())], frame),
    }


@pytest.mark.parametrize("how", ["sum", "mean", "min", "max", "count"])
@pytest.mark.parametrize("value", ["value", "units"])
@pytest.mark.parametrize("keys", [[], ["region"]], ids=["total", "per region"])
@pytest.mark.parametrize("present", [False, True], ids=["every row", "rows with a value"])
def test_aggregates_read_the_rollup_and_match_pandas(rolled, frame, how, value, keys, present):
    for name, (conditions, expected_rows) in views(frame, rolled.rollups[0].time).items():
        rows = rolled.where(conditions)
        if present:  # as a KPI does: only rows with a value (a bar keeps every row)
            rows = rows.notna(value)
            expected_rows = expected_rows.dropna(subset=[value])
        answer = rows.aggregate(keys, value, how)
        assert reads_rollup(answer), name
        got = answer.to_pandas()
        if keys:
            grouped = expected_rows.groupby(keys)[value]
            expected = (grouped.size() if how == "count" else grouped.agg(how)).reset_index()
            if how == "sum":  # a sum of no values is missing, as in SQL
                expected[value] = grouped.sum(min_count=1).to_numpy()
        else:
            total = len(expected_rows) if how == "count" else expected_rows[value].agg(how)
            expected = pd.DataFrame({value: [total]})
        assert list(got.columns) == [*keys, value], name
        assert got[keys].to_dict("list") == expected[keys].to_dict("list"), name
        found = got[value].astype(float).to_numpy()
        wanted = expected[value].astype(float).to_numpy()
        if how in ("sum", "mean"):  # summed in another order: the last bits may differ
            assert np.allclose(found, wanted, rtol=1e-12, atol=0, equal_nan=True), name
        else:
            assert np.array_equal(found, wanted, equal_nan=True), name


def test_count_of_rows_with_a_value(rolled, frame):
    got = rolled.notna("value").aggregate(["region"], None, "count")
    assert reads_rollup(got)
    expected = frame.dropna(subset=["value"]).groupby("region").size()
    assert got.to_pandas().set_index("region")["count"].to_dict() == expected.to_dict()


def m4_reference(frame, rollup, x: str, y: str, first: int, per: int) -> pd.DataFrame:
    """Return M4's points in pandas: per region and bucket of *per* whole cells, the rows
    with the first and last x and the smallest and largest y."""
    rows = frame.dropna(subset=[x, y])
    at = rows[x].map(pd.Timestamp.timestamp) if x == "ts" else rows[x]
    cell = np.floor(at.to_numpy(dtype=float) / rollup.step).astype("int64")
    rows = rows.assign(_bucket=(cell - first) // per)
    picked = []
    for _, part in rows.groupby(["region", "_bucket"]):
        for position in (part[x].idxmin(), part[x].idxmax(), part[y].idxmin(), part[y].idxmax()):
            picked.append(position)
    points = rows.loc[sorted(set(picked)), ["region", x, y]]
    return points.sort_values(["region", x], ignore_index=True)


def test_m4_of_whole_cells_reads_the_rollup_and_keeps_the_same_points(rolled, frame):
    rollup = rolled.rollups[0]
    x = rollup.time
    conditions, rows = views(frame, x)["two regions in a range"]
    narrowed = rolled.where(conditions)
    ends = conditions[1].values
    low, high = (pd.Timestamp(v).timestamp() if x == "ts" else v for v in ends)
    width = 16  # 4 buckets, each several cells wide
    aligned = rollup.aligns(low, high, width // 4)
    assert aligned is not None
    got = narrowed.m4(x, "value", ["region"], width).to_pandas()
    expected = m4_reference(rows, rollup, x, "value", *aligned)
    assert got.to_dict("list") == expected.to_dict("list")
    # the raw rows, bucketed the same way, give the very same points
    raw = dataclasses.replace(narrowed, rolled=None).m4(x, "value", ["region"], width)
    assert raw.to_pandas().to_dict("list") == got.to_dict("list")


def test_m4_reads_the_rollup(rolled, frame, monkeypatch):
    x = rolled.rollups[0].time
    conditions, _ = views(frame, x)["a range of time"]
    queries = recorded_queries(rolled, monkeypatch)
    rolled.where(conditions).m4(x, "value", ["region"], 16)
    assert any(rolled.rollups[0].cells.op().name in q for q in queries)


@pytest.fixture(scope="module")
def along(parquet, tmp_path_factory):
    """The readings in DuckDB with rollups per region and cell of ``ts``, the second split
    by bins of ``value`` too (each cell three days wide, so a range holds several)."""
    engine = Engine("duckdb://", tmp_path_factory.mktemp("along"))
    rows = TableRows(table(engine, file=parquet), engine)
    yield rows.rolled_up("ts", ["region"], ["value"], cells=4096, fewest=2)
    engine.close()


@pytest.mark.parametrize("view", ["every row", "a range of time", "two regions in a range"])
def test_m4_along_a_column_reads_its_rollup_and_keeps_the_same_points(
    along, frame, view, monkeypatch
):
    rollup = along.rollups[1]
    assert (rollup.along, rollup.bins, rollup.step) == ("value", "_bin", 0.125)
    assert rollup.grain == 2**18  # seconds: about 8 cells over the 25 days
    conditions, rows = views(frame, "ts")[view]
    narrowed = along.where(conditions)
    queries = recorded_queries(along, monkeypatch)
    got = narrowed.m4("value", "hour", ["region"], 16).to_pandas()
    # the axis' ends and the corners both come from the rollup's cells
    assert len(queries) == 2 and all(rollup.cells.op().name in q for q in queries)
    present = rows.dropna(subset=["value"])
    aligned = rollup.aligns(present["value"].min(), present["value"].max(), 4)
    assert aligned is not None and aligned[1] > 1  # buckets of several bins
    expected = m4_reference(rows, rollup, "value", "hour", *aligned)
    assert len(expected) < len(present)  # the series were long: reduced
    assert got.to_dict("list") == expected.to_dict("list")
    # the raw rows, bucketed the same way, give the very same points
    raw = dataclasses.replace(narrowed, rolled=None).m4("value", "hour", ["region"], 16)
    assert raw.to_pandas().to_dict("list") == got.to_dict("list")
    assert not any(rollup.cells.op().name in q for q in queries[2:])


def test_a_rollup_along_a_column_totals_as_the_raw_rows(along, frame):
    """Its cells split the rows further, so they sum to the same totals too."""
    rollup = along.rollups[1]
    conditions, rows = views(frame, "ts")["two regions in a range"]
    narrowed = along.where(conditions)
    only = dataclasses.replace(narrowed, rollups=(rollup,))
    answer = only.aggregate(["region"], "units", "max")
    assert rollup.cells.op().name in ibis.to_sql(answer.table, dialect="duckdb")
    expected = rows.groupby("region")["units"].max().astype(float).to_dict()
    assert answer.to_pandas().set_index("region")["units"].astype(float).to_dict() == expected


def test_m4_along_another_column_reads_the_raw_rows(along, frame):
    answer = along.m4("units", "hour", ["region"], 16).to_pandas()
    for region, part in frame.groupby("region"):
        kept = answer[answer.region == region]
        assert kept["units"].min() == part["units"].min()
        assert kept["hour"].max() == part["hour"].max()


def test_narrow_buckets_read_the_raw_rows(rolled, frame):
    x = rolled.rollups[0].time
    low, high = frame[x].iloc[100], frame[x].iloc[140]
    narrowed = rolled.where([Condition(x, "between", (low, high))])
    got = narrowed.m4(x, "value", ["region"], 16).to_pandas()
    rows = frame[frame[x].between(low, high)].dropna(subset=["value"])
    for region, part in rows.groupby("region"):
        kept = got[got.region == region]
        assert kept["value"].max() == part["value"].max()
        assert kept["value"].min() == part["value"].min()
        assert kept[x].min() == part[x].min() and kept[x].max() == part[x].max()


def test_a_range_of_fewer_whole_cells_reads_the_raw_rows(rolled, frame):
    column = frame[rolled.rollups[0].time]
    low, high = column.iloc[3], column.iloc[5]  # within a cell
    answer = rolled.where([Condition(rolled.rollups[0].time, "between", (low, high))])
    answer = answer.aggregate([], "value", "max")
    assert not reads_rollup(answer)
    assert answer.to_pandas()["value"].iloc[0] == frame["value"].iloc[3:6].max()


@pytest.mark.parametrize(
    "conditions",
    [
        [Condition("site", "in", ("a", "b"))],  # not a column of the rollup
        [Condition("units", "between", (10, 30))],  # a range on a value
    ],
    ids=["other column", "range on a value"],
)
def test_views_the_rollup_cannot_answer_read_the_raw_rows(rolled, frame, conditions):
    answer = rolled.where(conditions).aggregate(["region"], "value", "sum")
    assert not reads_rollup(answer)
    condition = conditions[0]
    column = frame[condition.column]
    keep = column.isin(condition.values) if condition.op == "in" else column.between(10, 30)
    expected = frame[keep].groupby("region")["value"].sum()
    got = answer.to_pandas().set_index("region")["value"]
    assert np.allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-12)


def test_grouped_by_a_column_outside_the_rollup_reads_the_raw_rows(rolled, frame):
    answer = rolled.aggregate(["site"], "value", "max")
    assert not reads_rollup(answer)
    expected = frame.groupby("site")["value"].max()
    assert answer.to_pandas().set_index("site")["value"].to_dict() == expected.to_dict()


def test_threads_read_the_rollup_each_with_its_own_cursor(rolled, frame):
    expected = frame.groupby("region")["value"].max().to_dict()
    found: list = []

    def draw():
        for _ in range(5):
            got = rolled.notna("value").aggregate(["region"], "value", "max").to_pandas()
            found.append(got.set_index("region")["value"].to_dict())

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == [expected] * 20


def test_each_load_builds_its_own_rollup_from_the_data_then(frame, tmp_path):
    path = tmp_path / "readings.parquet"
    frame.to_parquet(path)
    spec = {"time": "hour", "by": ["region"]}
    load = engine_loader(tmp_path, None, None, None, path.name, "duckdb", None, None, spec, {})
    first = load()
    assert first.rollups and reads_rollup(first.aggregate([], "value", "max"))
    old = first.rollups[0].cells.op().name
    frame.assign(value=frame["value"] * 2).to_parquet(path)
    second = load()
    got = second.aggregate([], "value", "max").to_pandas()["value"].iloc[0]
    assert got == frame["value"].max() * 2
    del first
    gc.collect()
    names = second.engine.connection().list_tables(database=("databoard_rollups", "main"))
    assert old not in names and second.rollups[0].cells.op().name in names


def test_a_rollup_needs_duckdb_and_its_columns(parquet, tmp_path):
    engine = Engine("duckdb://", tmp_path)
    rows = TableRows(table(engine, file=parquet), engine)
    with pytest.raises(ValueError, match="no column 'minute'"):
        rows.rolled_up("minute", ["region"])
    with pytest.raises(ValueError, match="time column 'region' holds string"):
        rows.rolled_up("region", [])
    with pytest.raises(ValueError, match="along column 'site' holds string"):
        rows.rolled_up("hour", ["region"], ["site"])
    with pytest.raises(ValueError, match="no column 'heat'"):
        rows.rolled_up("hour", ["region"], ["heat"])
    engine.close()
    postgres = Engine(POSTGRES_URL, tmp_path)
    with pytest.raises(ValueError, match="rollup needs a DuckDB engine, not postgres"):
        TableRows(ibis.table({"a": "int64"}, name="t"), postgres).rolled_up("a", [])


def test_a_duckdb_file_opened_read_only_gets_its_rollup_beside_it(frame, tmp_path):
    import duckdb

    with duckdb.connect(str(tmp_path / "readings.duckdb")) as con:
        con.register("frame", frame)
        con.execute("CREATE TABLE readings AS SELECT * FROM frame")
    spec = {"time": "hour", "by": ["region"]}
    load = engine_loader(
        tmp_path, "duckdb:///readings.duckdb", "readings", None, None, None, None, None, spec, {}
    )
    rows = load()
    answer = rows.notna("value").aggregate(["region"], "value", "min")
    assert reads_rollup(answer)
    expected = frame.groupby("region")["value"].min().to_dict()
    assert answer.to_pandas().set_index("region")["value"].to_dict() == expected
    rows.engine.close()

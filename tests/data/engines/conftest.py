"""One small dataset in every backend: in memory, DuckDB (Parquet), PostgreSQL and Spark."""

from __future__ import annotations

import pandas as pd
import pytest

from databoard.data.engines import FrameRows
from databoard.data.engines.connections import Engine, table
from databoard.data.engines.sql import TableRows

from support import POSTGRES_URL, postgres_schema, readings


@pytest.fixture(scope="session")
def frame() -> pd.DataFrame:
    return readings()


@pytest.fixture(scope="session")
def parquet(frame, tmp_path_factory):
    path = tmp_path_factory.mktemp("parquet") / "readings.parquet"
    frame.to_parquet(path)
    return path


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    """One local Spark session for the whole run (it takes seconds to start)."""
    engine = Engine("spark://local[1]", tmp_path_factory.mktemp("spark"))
    yield engine
    engine.base()._session.stop()


@pytest.fixture(scope="session")
def spark_rows(spark, parquet):
    """The readings through Spark, read from the Parquet file in place."""
    return TableRows(table(spark, file=parquet), spark)


@pytest.fixture(scope="module")
def pg_table(frame, tmp_path_factory):
    """The readings as a PostgreSQL table in a schema of its own."""
    with postgres_schema() as schema:
        engine = Engine(POSTGRES_URL, tmp_path_factory.mktemp("pg"))
        engine.base().create_table("readings", frame, database=schema)
        engine.close()
        yield f"{schema}.readings"


@pytest.fixture(params=["memory", "duckdb", "postgres"])
def backend(request, frame, parquet, tmp_path):
    """Rows of the readings in each backend, and the backend's name."""
    if request.param == "memory":
        yield FrameRows(frame)
        return
    if request.param == "duckdb":
        engine = Engine("duckdb://", tmp_path)
        rows = TableRows(table(engine, file=parquet), engine)
    else:
        engine = Engine(POSTGRES_URL, tmp_path)
        rows = TableRows(table(engine, request.getfixturevalue("pg_table")), engine)
    yield rows
    engine.close()

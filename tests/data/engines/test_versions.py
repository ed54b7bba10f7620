"""Versions of engine datasets: new rows in PostgreSQL or a replaced Parquet file reach the
charts after the next check, never an answer cached from the old data."""

from __future__ import annotations

import time

import duckdb
import pandas as pd
import psycopg
import pytest
from psycopg import sql

from databoard import create_app

from support import POSTGRES_URL, postgres_schema

CHARTS = """\
filters:
  - {name: region, kind: multiselect, column: region}
charts:
  - {id: total, title: Total, kind: kpi, value: revenue}
  - {id: by-region, title: By region, kind: bar, x: region, y: revenue, aggregate: sum}
"""
ORDERS = pd.DataFrame(
    {
        "region": ["North", "South", "North", "East"],
        "revenue": [240.0, 225.0, 315.0, 400.0],
        "updated_at": pd.to_datetime(["2024-01-15", "2024-01-20", "2024-02-03", "2024-02-17"]),
    }
)


def app_for(tmp_path, dataset: str, **config):
    (tmp_path / "orders.yaml").write_text(
        f"title: Orders\ndatasets:\n  orders:\n    {dataset}\n    refresh: 1\n{CHARTS}"
    )
    app = create_app({"TESTING": True, "DASHBOARD": str(tmp_path), **config})
    app.extensions["databoard"].refresher.check()  # the first check only schedules the next
    return app


def total(client) -> float:
    rows = client.get("/api/v1/dashboards/orders/charts/total/data.json").get_json()["rows"]
    return rows[0][0]


def refreshed(app, expected: float, seconds: float = 15) -> None:
    """Check every second until the KPI shows *expected* (statistics lag commits)."""
    client = app.test_client()
    deadline = time.monotonic() + seconds
    while True:
        time.sleep(1.05)
        app.extensions["databoard"].refresher.check()
        if total(client) == expected or time.monotonic() > deadline:
            break
    assert total(client) == expected


@pytest.fixture
def pg_orders(monkeypatch):
    """The orders in a PostgreSQL schema of this test's own; yields the table's name."""
    with postgres_schema() as schema:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as con:
            table = sql.Identifier(schema, "orders")
            con.execute(
                sql.SQL(
                    "CREATE TABLE {} (region text, revenue float8, updated_at timestamp)"
                ).format(table)
            )
            with con.cursor() as cur:
                cur.executemany(
                    sql.SQL("INSERT INTO {} VALUES (%s, %s, %s)").format(table),
                    list(ORDERS.itertuples(index=False, name=None)),
                )
        monkeypatch.setenv("DATABOARD_TEST_DB", POSTGRES_URL)
        yield f"{schema}.orders"


def insert(table: str, *rows) -> None:
    schema, name = table.split(".")
    with psycopg.connect(POSTGRES_URL, autocommit=True) as con, con.cursor() as cur:
        target = sql.Identifier(schema, name)
        cur.executemany(sql.SQL("INSERT INTO {} VALUES (%s, %s, %s)").format(target), rows)


def pg_total(table: str) -> float:
    schema, name = table.split(".")
    with psycopg.connect(POSTGRES_URL) as con:
        query = sql.SQL("SELECT sum(revenue) FROM {}").format(sql.Identifier(schema, name))
        return float(con.execute(query).fetchone()[0])


def test_postgres_table_counters_tell_new_rows(tmp_path, pg_orders):
    app = app_for(tmp_path, f"connection: ${{DATABOARD_TEST_DB}}\n    table: {pg_orders}")
    client = app.test_client()
    board = app.extensions["databoard"].get("orders")
    assert total(client) == pg_total(pg_orders) == ORDERS["revenue"].sum()
    insert(pg_orders, ("West", 1000.0, "2024-03-01"))
    refreshed(app, pg_total(pg_orders))
    new = app.extensions["databoard"].get("orders")
    assert new.version != board.version
    assert "West" in new.filters["region"].options  # the options are read again too
    bars = client.get("/api/v1/dashboards/orders/charts/by-region?region=West").get_json()
    assert bars["data"][0]["y"] == [1000.0]


def test_postgres_version_sql_dates_the_data(tmp_path, pg_orders):
    version = f"SELECT max(updated_at) FROM {pg_orders}"
    dataset = f"connection: ${{DATABOARD_TEST_DB}}\n    table: {pg_orders}\n"
    app = app_for(tmp_path, dataset + f'    version_sql: "{version}"')
    client = app.test_client()
    figure = client.get("/api/v1/dashboards/orders/charts/total").get_json()
    assert figure["data_as_of"] == "2024-02-17T00:00:00"
    insert(pg_orders, ("West", 1000.0, "2024-03-01 12:00"))
    refreshed(app, pg_total(pg_orders))
    figure = client.get("/api/v1/dashboards/orders/charts/total").get_json()
    assert figure["data_as_of"] == "2024-03-01T12:00:00"


def test_a_version_query_that_fails_keeps_the_data_and_says_stale(tmp_path, pg_orders):
    version = f"SELECT max(updated_at) FROM {pg_orders}"
    dataset = f"connection: ${{DATABOARD_TEST_DB}}\n    table: {pg_orders}\n"
    app = app_for(tmp_path, dataset + f'    version_sql: "{version}"')
    client = app.test_client()
    schema, name = pg_orders.split(".")
    with psycopg.connect(POSTGRES_URL, autocommit=True) as con:
        query = sql.SQL("ALTER TABLE {} RENAME COLUMN updated_at TO changed_at")
        con.execute(query.format(sql.Identifier(schema, name)))
    time.sleep(1.05)
    app.extensions["databoard"].refresher.check()
    assert total(client) == ORDERS["revenue"].sum()
    [stale] = client.get("/readyz").get_json()["stale"]
    assert stale["dataset"] == "orders" and "cannot check" in stale["why"]


def test_duckdb_parquet_replaced_in_place(tmp_path):
    ORDERS.to_parquet(tmp_path / "orders.parquet")
    app = app_for(tmp_path, "source: orders.parquet\n    engine: duckdb")
    client = app.test_client()
    assert total(client) == ORDERS["revenue"].sum()
    more = pd.concat([ORDERS, ORDERS.head(1).assign(revenue=1000.0)], ignore_index=True)
    more.to_parquet(tmp_path / "new.parquet")
    (tmp_path / "new.parquet").replace(tmp_path / "orders.parquet")
    refreshed(app, pd.read_parquet(tmp_path / "orders.parquet")["revenue"].sum())


def test_duckdb_version_sql(tmp_path):
    path = tmp_path / "orders.parquet"
    ORDERS.to_parquet(path)
    version = f"SELECT count(*) AS n FROM read_parquet('{path}')"
    app = app_for(
        tmp_path, f'source: orders.parquet\n    engine: duckdb\n    version_sql: "{version}"'
    )
    before = app.extensions["databoard"].get("orders").version
    more = pd.concat([ORDERS, ORDERS.head(1).assign(revenue=1000.0)], ignore_index=True)
    more.to_parquet(tmp_path / "new.parquet")
    (tmp_path / "new.parquet").replace(path)
    refreshed(app, more["revenue"].sum())
    assert app.extensions["databoard"].get("orders").version != before


def test_duckdb_ttl_makes_a_new_version_each_period(tmp_path):
    database = tmp_path / "orders.duckdb"
    with duckdb.connect(str(database)) as con:
        con.register("frame", ORDERS)
        con.execute("CREATE TABLE orders AS SELECT * FROM frame")
    app = app_for(tmp_path, "connection: duckdb:///orders.duckdb\n    table: orders\n    ttl: 1")
    site = app.extensions["databoard"]
    first = site.get("orders").version
    time.sleep(1.05)
    site.refresher.check()
    assert site.get("orders").version != first
    assert total(app.test_client()) == ORDERS["revenue"].sum()


def test_duckdb_memory_limit_is_a_setting(tmp_path):
    ORDERS.to_parquet(tmp_path / "orders.parquet")
    app = app_for(
        tmp_path, "source: orders.parquet\n    engine: duckdb", DUCKDB_MEMORY_LIMIT="300MB"
    )
    rows = app.extensions["databoard"].get("orders").rows_of("orders")
    con = rows.engine.connection()
    limit = con.raw_sql("SELECT current_setting('memory_limit')").fetchone()[0]
    assert limit in ("286.1 MiB", "300.0 MB"), limit

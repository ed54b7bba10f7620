"""SQL datasets: one YAML dashboard over the same data in memory, DuckDB, PostgreSQL, Spark."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from databoard.cli import main

from support import POSTGRES_URL, postgres_schema, readings

CHARTS = """\
filters:
  - {name: region, kind: multiselect, column: region, labels: label}
  - {name: year, kind: range, column: year}
  - {name: site, kind: select, column: site}
charts:
  - {id: bar, title: Sum, kind: bar, x: region, y: value, aggregate: sum}
  - {id: line, title: Mean, kind: line, x: year, y: value, color: region, aggregate: mean}
  - {id: hist, title: Spread, kind: histogram, x: value, color: region}
  - {id: box, title: Box, kind: box, y: value, x: region}
  - {id: kpi, title: Units, kind: kpi, value: units, x: year, over: region}
  - {id: top, title: Top, kind: table, columns: [ts, region, value], sort: value,
     descending: true, max_rows: 5}
  - {id: pie, title: Share, kind: pie, names: site, values: units}
  - {id: points, title: Points, kind: scatter, x: units, y: value, color: region}
  - {id: best, title: Best sites, kind: bar, x: site, y: units, color: region, top: 2,
     other: true}
  - {id: best-h, title: Best means, kind: bar, x: value, y: site, orientation: h, top: 3,
     aggregate: mean, sort: ascending}
  - {id: share-top, title: Top share, kind: pie, names: site, values: value, top: 2,
     other: true}
  - {id: top-rows, title: Top rows, kind: table, columns: [region, value], sort: value,
     top: 5, other: true}
  - {id: weeks, title: Weekly, kind: line, x: day, y: value, color: region, resample: W,
     aggregate: mean}
  - {id: months, title: Monthly, kind: area, x: day, y: units, resample: M, aggregate: sum}
  - {id: quarters, title: Quarterly, kind: bar, x: day, y: units, resample: Q}
  - {id: years, title: Yearly, kind: bar, x: day, y: value, color: site, resample: Y,
     aggregate: max}
"""

#: Every chart of the board.
CHART_IDS = [line.split(",")[0].split()[-1] for line in CHARTS.splitlines() if "{id:" in line]

DATASETS = {
    "memory": "source: readings.csv\n    dates: [ts, day]",
    "duckdb": "source: readings.parquet\n    engine: duckdb",
    "duckdb-rollup": (
        "source: readings.parquet\n    engine: duckdb\n"
        "    rollup: {time: ts, by: [region], along: [units]}"
    ),
    "duckdb-file": "connection: duckdb:///readings.duckdb\n    table: readings",
    "postgres": "connection: ${DATABOARD_TEST_DB}\n    table: {schema}.readings",
    "spark": "source: readings.parquet\n    engine: spark",
}

VIEWS = [
    "",
    "?region=North&region=East&year_from=2002&year_to=2007",
    "?site=b&region=South",
    "?region=" + "North%27%3B%20DROP%20TABLE%20readings%3B%20--",
    "?site=%27%20OR%20%271%27%3D%271",
]


@pytest.fixture(scope="module")
def data():
    return readings()


@pytest.fixture(scope="module")
def schema(data):
    """The readings in PostgreSQL, in a schema of this module's own."""
    import ibis

    with postgres_schema() as name:
        con = ibis.postgres.connect(host="127.0.0.1", user="postgres", database="test")
        con.create_table("readings", data, database=name)
        con.disconnect()
        yield name


def board(folder, data, backend: str, schema: str, monkeypatch):
    folder.write("readings.csv", data.to_csv(index=False))
    data.to_parquet(folder.root / "readings.parquet")
    if backend == "duckdb-file":
        import duckdb

        with duckdb.connect(str(folder.root / "readings.duckdb")) as con:
            con.register("frame", data)
            con.execute("CREATE TABLE readings AS SELECT * FROM frame")
    monkeypatch.setenv("DATABOARD_TEST_DB", POSTGRES_URL)
    dataset = DATASETS[backend].replace("{schema}", schema)
    folder.write("readings.yaml", f"title: Readings\ndatasets:\n  r:\n    {dataset}\n{CHARTS}")
    return folder.app().test_client()


def figures(client) -> dict:
    out = {}
    for chart in CHART_IDS:
        for view in VIEWS:
            response = client.get(f"/api/v1/dashboards/readings/charts/{chart}{view}")
            figure = response.get_json()
            if response.status_code == 200:
                figure = {"data": figure["data"], "layout": figure["layout"]}
            out[chart, view] = (response.status_code, figure)
    return out


@pytest.fixture(scope="module")
def in_memory(data, tmp_path_factory):
    from databoard import create_app

    root = tmp_path_factory.mktemp("memory")
    (root / "readings.csv").write_text(data.to_csv(index=False))
    dataset = DATASETS["memory"]
    (root / "readings.yaml").write_text(
        f"title: Readings\ndatasets:\n  r:\n    {dataset}\n{CHARTS}"
    )
    return figures(create_app({"TESTING": True, "DASHBOARD": str(root)}).test_client())


def close(a, b, path="") -> None:
    """Assert two figure JSON trees are equal, numbers to 1e-9 relative."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and sorted(a) == sorted(b), path
        for key in a:
            close(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert b == pytest.approx(a, rel=1e-9), path
    else:
        assert a == b, path


def test_memory_figures_match_pandas(in_memory, data):
    assert len(CHART_IDS) == 16
    status, figure = in_memory["bar", ""]
    assert status == 200
    sums = data.groupby("region")["value"].sum()
    bars = dict(zip(figure["data"][0]["x"], figure["data"][0]["y"], strict=True))
    assert bars == pytest.approx(sums.to_dict())
    (bars,) = in_memory["best", ""][1]["data"][:1]
    best = data.groupby("site")["units"].sum().sort_values(ascending=False)
    assert bars["x"] == [*best.index[:2], "Other"]
    quarters = data.resample("QS", on="day")["units"].sum()
    (bars,) = in_memory["quarters", ""][1]["data"]
    assert bars["x"][:2] == ["2021 Q1", "2021 Q2"] and len(bars["x"]) == len(quarters) + 1
    assert bars["y"][:-1] == quarters.tolist()  # the last bar: rows without a day
    weeks = in_memory["weeks", ""][1]["data"][0]["x"]
    assert weeks[0] == "2021-01-04"  # the Monday of the first day's week
    # the injection payloads are unknown values: 400 naming the parameter
    assert in_memory["bar", VIEWS[3]][0] == 400
    assert in_memory["bar", VIEWS[3]][1]["error"]["parameter"] == "region"


@pytest.mark.parametrize(
    "backend",
    [
        "duckdb",
        "duckdb-rollup",
        "duckdb-file",
        "postgres",
        pytest.param("spark", marks=pytest.mark.slow),
    ],
)
def test_same_figures_in_every_engine(backend, folder, data, schema, monkeypatch, in_memory):
    client = board(folder, data, backend, schema, monkeypatch)
    described = client.get("/api/v1/dashboards/readings").get_json()
    filters = {f["name"]: f for f in described["filters"]}
    assert [o["value"] for o in filters["region"]["options"]] == ["East", "North", "South"]
    assert filters["region"]["options"][0]["label"] == "EAST"
    assert filters["year"]["bounds"] == [int(data.year.min()), int(data.year.max())]
    got = figures(client)
    for key, (status, figure) in in_memory.items():
        assert got[key][0] == status, key
        if status == 200:
            close(figure, got[key][1], str(key))


def test_check_names_file_and_line_of_an_unknown_table(folder, data, schema, monkeypatch):
    monkeypatch.setenv("DATABOARD_TEST_DB", POSTGRES_URL)
    folder.write(
        "bad.yaml",
        f"title: Bad\ndatasets:\n  r:\n    connection: ${{DATABOARD_TEST_DB}}\n"
        f"    table: {schema}.nowhere\ncharts:\n  - {{id: a, title: A, kind: kpi, value: v}}\n",
    )
    result = CliRunner().invoke(main, ["check", str(folder.root / "bad.yaml")])
    assert result.exit_code == 1
    assert "bad.yaml:3" in result.output
    assert "nowhere" in result.output


def test_unknown_column_is_a_check_error(folder, data, monkeypatch):
    folder.root.mkdir(parents=True)
    data.to_parquet(folder.root / "r.parquet")
    folder.write(
        "cols.yaml",
        "title: Cols\ndatasets:\n  r:\n    source: r.parquet\n    engine: duckdb\n"
        "charts:\n  - {id: a, title: A, kind: bar, x: region, y: nothing}\n",
    )
    result = CliRunner().invoke(main, ["check", str(folder.root / "cols.yaml")])
    assert result.exit_code == 1
    assert "cols.yaml:7" in result.output
    assert "nothing" in result.output


def test_password_never_shown(folder, monkeypatch):
    monkeypatch.setenv("DATABOARD_TEST_DB", "postgresql://reader:s3cret-pw@127.0.0.1:1/test")
    folder.write(
        "pw.yaml",
        "title: Pw\ndatasets:\n  r:\n    connection: ${DATABOARD_TEST_DB}\n    table: t\n"
        "charts:\n  - {id: a, title: A, kind: kpi, value: v}\n",
    )
    result = CliRunner().invoke(main, ["check", str(folder.root / "pw.yaml")])
    assert result.exit_code == 1
    assert "127.0.0.1:1" in result.output
    assert "s3cret-pw" not in result.output
    assert "pw.yaml:3" in result.output


def test_missing_environment_variable_is_named(folder, monkeypatch):
    monkeypatch.delenv("DATABOARD_NO_SUCH_DB", raising=False)
    folder.write(
        "env.yaml",
        "title: Env\ndatasets:\n  r:\n    connection: ${DATABOARD_NO_SUCH_DB}\n    table: t\n"
        "charts:\n  - {id: a, title: A, kind: kpi, value: v}\n",
    )
    result = CliRunner().invoke(main, ["check", str(folder.root / "env.yaml")])
    assert result.exit_code == 1
    assert "DATABOARD_NO_SUCH_DB is not set" in result.output


def test_chart_function_gets_a_capped_frame(folder, data, monkeypatch):
    folder.root.mkdir(parents=True)
    data.to_parquet(folder.root / "r.parquet")
    folder.write(
        "fn.py",
        """\
        from databoard import Dashboard
        from databoard import Bar, MultiSelect

        board = Dashboard("fn", title="Fn")
        board.add_dataset("r", source="r.parquet", engine="duckdb")
        board.add_filter(MultiSelect("region", "region", default=["North"]))

        def few(frame, view):
            return frame.groupby("region", as_index=False)["value"].sum()

        board.add_chart("few", "Few", kind=Bar(x="region", y="value"), func=few)
        """,
    )
    from databoard import create_app

    app = create_app({"TESTING": True, "DASHBOARD": str(folder.root / "fn.py"), "ROW_LIMIT": 250})
    client = app.test_client()
    figure = client.get("/api/v1/dashboards/fn/charts/few").get_json()
    few = data[data.region == "North"]
    assert len(few) <= 250 < len(data[data.region != "East"])
    assert figure["data"][0]["y"] == pytest.approx([few["value"].sum()])
    response = client.get("/api/v1/dashboards/fn/charts/few?region=North&region=South")
    assert response.status_code == 400
    assert "ROW_LIMIT" in response.get_json()["error"]["message"]
    assert "600 rows" not in json.dumps(response.get_json())  # never read them all


def test_database_down_at_start_is_503_until_it_answers(folder, data, schema, monkeypatch):
    from support import free_port

    down = f"postgresql://postgres:hunter2-pw@127.0.0.1:{free_port()}/test"
    monkeypatch.setenv("DATABOARD_TEST_DB", down)
    folder.write(
        "wait.yaml",
        f"title: Wait\ndatasets:\n  r:\n    connection: ${{DATABOARD_TEST_DB}}\n"
        f"    table: {schema}.readings\n"
        "charts:\n  - {id: units, title: Units, kind: kpi, value: units}\n",
    )
    client = folder.app().test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 503
    problems = " ".join(ready.get_json()["problems"])
    assert "127.0.0.1" in problems and "wait.yaml:3" in problems
    assert "hunter2-pw" not in problems
    chart = client.get("/api/v1/dashboards/wait/charts/units")
    assert chart.status_code == 503
    assert "waits for its database" in chart.get_json()["error"]["message"]
    assert "hunter2-pw" not in chart.get_data(as_text=True)

    monkeypatch.setenv("DATABOARD_TEST_DB", POSTGRES_URL)  # the database is up now
    assert client.get("/readyz").status_code == 200
    figure = client.get("/api/v1/dashboards/wait/charts/units").get_json()
    assert str(int(data["units"].sum())) in json.dumps(figure).replace(",", "")


@pytest.mark.parametrize(
    ("connection", "sql"),
    [
        (
            "duckdb://",
            "SELECT a.range * b.range AS n FROM range(300000) a, range(300000) b",
        ),
        (POSTGRES_URL, "SELECT n FROM generate_series(1, 3) AS n, pg_sleep(3) AS s"),
    ],
    ids=["duckdb", "postgres"],
)
def test_a_query_past_its_timeout_is_a_504_for_that_chart(tmp_path, connection, sql):
    from databoard import Dashboard, Kpi
    from databoard.errors import DataboardError

    board = Dashboard("slow", title="Slow", root=tmp_path)
    board.add_dataset("quick", connection="duckdb://", sql="SELECT 1 AS n")
    board.add_dataset("slow", connection=connection, sql=sql, timeout=0.5)
    board.add_chart("quick", "Quick", dataset="quick", kind=Kpi("n"))
    board.add_chart("slow", "Slow", dataset="slow", kind=Kpi("n"))
    board.load()
    view = board.parse_view({})
    with pytest.raises(DataboardError) as raised:
        board.render("slow", view)
    assert raised.value.status == 504
    assert "longer than 0.5 s" in raised.value.message
    assert board.render("quick", view).figure["data"]  # the other chart still draws

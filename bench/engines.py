"""Charts over data in a SQL engine, measured against their targets; prints one table.

    python bench/engines.py                       # every part but PostgreSQL
    python bench/engines.py --postgres URL        # and 10 million rows in PostgreSQL
    python bench/engines.py --rows 10000000       # a smaller generated Parquet file

Three parts, each a line of targets:

- ``big``: ``--rows`` (100 million) generated readings as Parquet through DuckDB. The
  bar and KPI must draw uncached in 200 ms at the median, the M4 line in 1.5 s, each
  answer under 1 MB, and the process may grow by 300 MiB (PSS) over an empty dashboard.
  Views cover the whole time range (every row) and one week at spread places (the
  range filter lets DuckDB skip the Parquet row groups outside it). The dataset has a
  rollup per sensor and minute cell, built at load (so the load's time includes it):
  whole-range views read it, one-week views the raw rows.
- ``bigboard``: the scaling dashboard of ``bench/bigboard.py`` (``--compare-rows``, 10
  million) in memory and as Parquet through DuckDB, the views of ``bench/run.py``
  (nearly the whole range): the engine must be at least twice as fast as pandas.
- ``postgres``: ``--pg-rows`` (10 million) readings made by PostgreSQL itself in a
  schema of this run's own (dropped at the end), indexed by minute. Served by the app:
  the bar over one week (an indexed range) in 300 ms at the median, uncached, and the
  filter options cached (the second request for them is a cache hit).

The Parquet files are generated into ``--data`` (a temporary folder by default; kept
between runs when given), never into the repository. Every chart is drawn for a view
not asked for before, so no cache answers; the median of ``--repeat`` draws is shown.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import orjson

from databoard import Bar, Dashboard, Kpi, Line, MultiSelect, Range

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bigboard  # noqa: E402  (a module beside this script)

#: Minutes in a week: the narrow view, 4 sensors x 10,080 rows.
WEEK = 7 * 24 * 60
#: What the issue measured at 10 million rows in memory (bench/RESULTS.md, 2026-11-24).
RECORDED_PANDAS_MS = {"level": 222.8, "load-vs-temperature": 291.4}


@dataclass
class Row:
    """One line of the table: what was measured, and against which target."""

    part: str
    chart: str
    view: str
    ms: float
    size: int | None = None
    target: str = ""
    met: bool | None = None


def pss_mib() -> float:
    """Return this process's proportional set size in MiB."""
    with open("/proc/self/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _write(path: str, rows: int) -> None:
    import duckdb

    query = f"""
        SELECT ['east', 'north', 'south', 'west'][(range % 4) + 1] AS sensor,
               range // 4 AS minute,
               sin(range / 5760.0) * 10 + random() AS level,
               15 + 8 * sin(range / 5760.0) + random() * 3 AS temperature,
               40 + 30 * random() AS load
        FROM range({int(rows)})
    """
    with duckdb.connect(config={"memory_limit": "2GB"}) as con:
        con.sql(query).write_parquet(path)


def generate(path: Path, rows: int) -> None:
    """Write *rows* readings (sensor, minute, level, temperature, load) as Parquet.

    DuckDB writes them in a process of its own, so that none of its memory counts
    in this one's.
    """
    if path.exists():
        return
    writer = multiprocessing.get_context("spawn").Process(target=_write, args=(str(path), rows))
    writer.start()
    writer.join()
    if writer.exitcode:
        raise SystemExit(f"writing {path} failed")


def board(slug: str, root: Path, **dataset) -> Dashboard:
    dashboard = Dashboard(slug, title=slug, root=root)
    dashboard.add_dataset("readings", **dataset)
    dashboard.add_filter(MultiSelect("sensor", "sensor"))
    dashboard.add_filter(Range("minute", "minute", params=("from", "to")))
    dashboard.add_chart("bar", "Mean level", kind=Bar(x="sensor", y="level", aggregate="mean"))
    dashboard.add_chart("kpi", "Load", kind=Kpi("load"))
    dashboard.add_chart("line", "Level", kind=Line(x="minute", y="level", color="sensor"))
    return dashboard


class _Args(dict):
    def getlist(self, key):
        return self.get(key, [])


def whole(high: int, repeat: int) -> list[tuple[int, int]]:
    """Return *repeat* ranges over nearly every minute, each new (as ``bench/run.py``)."""
    return [(i + 1, high - i) for i in range(repeat)]


def weeks(high: int, repeat: int) -> list[tuple[int, int]]:
    """Return *repeat* one-week ranges spread over the minutes."""
    span = min(WEEK, high // 2)  # small tables (the test's) have less than a week
    step = (high - span) // max(repeat, 1)
    return [(i * step + i, i * step + i + span - 1) for i in range(repeat)]


def measure(dashboard: Dashboard, chart: str, ranges: list[tuple[int, int]]) -> tuple[float, int]:
    """Return the median milliseconds and the largest payload of uncached draws."""
    names = dashboard.filters["minute"].params
    times, sizes = [], []
    for low, high in ranges:
        view = dashboard.parse_view(_Args({names[0]: [str(low)], names[1]: [str(high)]}))
        start = time.perf_counter()
        result = dashboard.render(chart, view)
        body = orjson.dumps(result.figure, option=orjson.OPT_SERIALIZE_NUMPY)
        times.append((time.perf_counter() - start) * 1000)
        sizes.append(len(body))
    return statistics.median(times), max(sizes)


def part_big(args, data: Path, rows: list[Row]) -> None:
    path = data / f"readings-{args.rows}.parquet"
    start = time.perf_counter()
    generate(path, args.rows)
    made = time.perf_counter() - start
    print(f"{path.name}: {path.stat().st_size / 2**20:,.0f} MiB ({made:,.0f} s)", flush=True)
    empty = Dashboard("empty", title="Empty", root=data)
    empty.load()
    before = pss_mib()
    part = f"{args.rows:,} rows, Parquet via DuckDB"
    rollup = {"time": "minute", "by": ["sensor"]}
    engine = board("big", data, source=path.name, engine="duckdb", timeout=600, rollup=rollup)
    start = time.perf_counter()
    engine.load()
    rows.append(Row(part, "(load)", "", (time.perf_counter() - start) * 1000))
    high = engine.filters["minute"].bounds[1]
    targets = {"bar": 200, "kpi": 200, "line": 1500}
    for view, ranges in (
        ("whole range", whole(high, args.repeat)),
        ("one week", weeks(high, args.repeat)),
    ):
        for chart, most in targets.items():
            ms, size = measure(engine, chart, ranges)
            met = ms <= most and size <= 1_000_000
            rows.append(Row(part, chart, view, ms, size, f"<= {most:,} ms, 1 MB", met))
    grown = pss_mib() - before
    rows.append(Row(part, "(PSS growth)", "", float("nan"), None, "<= 300 MiB", grown <= 300))
    rows[-1].view = f"{grown:,.0f} MiB"


def part_bigboard(args, data: Path, rows: list[Row]) -> None:
    count = args.compare_rows
    path = bigboard.write(count, data / f"bigboard-{count}.parquet")
    boards = {
        "pandas in memory": bigboard.board(count),
        "Parquet via DuckDB": bigboard.board(count, path),
    }
    for dashboard in boards.values():
        dashboard.load()
    per = count // len(bigboard.SENSORS)
    ranges = [(i, per - 1 - i) for i in range(args.repeat)]
    for chart, recorded in RECORDED_PANDAS_MS.items():
        found = {name: measure(dashboard, chart, ranges) for name, dashboard in boards.items()}
        pandas_ms, engine_ms = found["pandas in memory"][0], found["Parquet via DuckDB"][0]
        for name, (ms, size) in found.items():
            part = f"bigboard {count:,} rows, {name}"
            if name == "pandas in memory":
                rows.append(Row(part, chart, f"recorded {recorded:,.0f} ms", ms, size))
            else:
                most = min(pandas_ms, recorded) / 2
                faster = f"{pandas_ms / engine_ms:.1f}x as fast as pandas"
                rows.append(Row(part, chart, faster, ms, size, f"<= {most:,.0f} ms", ms <= most))


def part_postgres(args, data: Path, rows: list[Row]) -> None:
    import psycopg
    from psycopg import sql

    from databoard import create_app

    count = args.pg_rows
    schema = f"databoard_bench_{os.getpid()}"
    start = time.perf_counter()
    with psycopg.connect(args.postgres, autocommit=True) as con:
        con.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        con.execute(
            sql.SQL(
                "CREATE TABLE {}.readings AS SELECT"
                " (ARRAY['east', 'north', 'south', 'west'])[(i %% 4) + 1] AS sensor,"
                " i / 4 AS minute, sin(i / 5760.0) * 10 + random() AS level,"
                " 15 + 8 * sin(i / 5760.0) + random() * 3 AS temperature,"
                " 40 + 30 * random() AS load FROM generate_series(0, %s) AS i"
            ).format(sql.Identifier(schema)),
            [count - 1],
        )
        con.execute(sql.SQL("CREATE INDEX ON {}.readings (minute)").format(sql.Identifier(schema)))
        con.execute(sql.SQL("ANALYZE {}.readings").format(sql.Identifier(schema)))
    print(f"PostgreSQL: {count:,} rows ({time.perf_counter() - start:,.0f} s)", flush=True)
    part = f"{count:,} rows, PostgreSQL"
    try:
        folder = data / "postgres"
        folder.mkdir(exist_ok=True)
        (folder / "pg.yaml").write_text(
            "title: PostgreSQL\n"
            "datasets:\n"
            f"  readings: {{connection: '${{BENCH_POSTGRES_URL}}', table: {schema}.readings,"
            " timeout: 600}\n"
            "filters:\n"
            "  - {name: sensor, kind: multiselect, column: sensor}\n"
            "  - {name: minute, kind: range, column: minute, params: [from, to]}\n"
            "charts:\n"
            "  - {id: bar, title: Mean level, kind: bar, x: sensor, y: level, aggregate: mean}\n"
        )
        os.environ["BENCH_POSTGRES_URL"] = args.postgres
        start = time.perf_counter()
        client = create_app(
            {"DASHBOARD": str(folder / "pg.yaml"), "CACHE_WARM": False}
        ).test_client()
        rows.append(Row(part, "(load)", "", (time.perf_counter() - start) * 1000))
        base = "/api/v1/dashboards/pg"
        high = count // 4 - 1
        times, sizes = [], []
        for low, top in weeks(high, args.repeat):
            start = time.perf_counter()
            answer = client.get(f"{base}/charts/bar?from={low}&to={top}")
            times.append((time.perf_counter() - start) * 1000)
            assert answer.status_code == 200 and answer.headers["X-Cache"] == "miss", answer
            sizes.append(len(answer.data))
        ms = statistics.median(times)
        rows.append(Row(part, "bar", "one week, indexed", ms, max(sizes), "<= 300 ms", ms <= 300))
        for round_ in ("first", "second"):
            start = time.perf_counter()
            answer = client.get(f"{base}/options?from=1&to={high - 1}")
            ms = (time.perf_counter() - start) * 1000
            cache = answer.headers["X-Cache"]
            met = cache == ("hit" if round_ == "second" else "miss")
            target = "a cache hit" if round_ == "second" else "computed"
            rows.append(
                Row(part, "filter options", f"{round_}: {cache}", ms, len(answer.data), target, met)
            )
    finally:
        with psycopg.connect(args.postgres, autocommit=True) as con:
            con.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def show(rows: list[Row]) -> None:
    table = [("data", "chart", "view", "p50 uncached", "payload", "target", "met")]
    for r in rows:
        ms = "" if r.ms != r.ms else f"{r.ms:,.0f} ms"  # NaN: nothing timed
        size = "" if r.size is None else f"{r.size / 1024:,.0f} KiB"
        met = "" if r.met is None else ("yes" if r.met else "NO")
        table.append((r.part, r.chart, r.view, ms, size, r.target, met))
    width = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    print()
    for line in table:
        print("  ".join(v.ljust(w) for v, w in zip(line, width, strict=True)).rstrip())
    print(f"\nload average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000_000)
    parser.add_argument("--compare-rows", type=int, default=10_000_000)
    parser.add_argument("--pg-rows", type=int, default=10_000_000)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL"))
    parser.add_argument("--parts", default="big,bigboard,postgres")
    args = parser.parse_args()
    data = args.data or Path(tempfile.mkdtemp(prefix="databoard-bench-"))
    data.mkdir(parents=True, exist_ok=True)
    parts = args.parts.split(",")
    print(f"load average at the start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    rows: list[Row] = []
    if "big" in parts:  # first: its memory is measured from an empty dashboard
        part_big(args, data, rows)
    if "bigboard" in parts:
        part_bigboard(args, data, rows)
    if "postgres" in parts and args.postgres:
        part_postgres(args, data, rows)
    show(rows)


if __name__ == "__main__":
    main()

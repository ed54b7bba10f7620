"""Generated sensor readings for the scaling benchmark, one dashboard per size.

``BIGBOARD_ROWS`` lists the sizes (``10000,1000000,10000000`` by default); each becomes a
dashboard ``big-<rows>`` with a line chart (level over time, one line per sensor) and a
scatter chart (load against temperature), filtered by sensor and time. Written with
databoard's public API only, as any dashboard module is. ``board(rows, parquet)`` is the
same dashboard over the same rows in a Parquet file, queried through DuckDB
(``bench/engines.py`` compares the two).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from databoard import Dashboard, Line, MultiSelect, Range, Scatter

SENSORS = ["east", "north", "south", "west"]
SIZES = [int(n) for n in os.environ.get("BIGBOARD_ROWS", "10000,1000000,10000000").split(",")]


def readings(rows: int) -> pd.DataFrame:
    """Return *rows* readings: each sensor once a minute, sorted by sensor and minute."""
    rng = np.random.default_rng(rows)
    per = rows // len(SENSORS)
    minute = np.arange(per)
    daily = np.sin(minute * (2 * np.pi / 1440))
    temperature = np.concatenate(
        [15 + 8 * daily + i + rng.normal(0, 1.5, per) for i in range(len(SENSORS))]
    )
    return pd.DataFrame(
        {
            "sensor": pd.Categorical.from_codes(np.repeat(np.arange(len(SENSORS)), per), SENSORS),
            "minute": np.tile(minute, len(SENSORS)),
            "level": np.concatenate([rng.normal(0, 1, per).cumsum() for _ in SENSORS]),
            "temperature": temperature,
            "load": 40 + 2.5 * temperature + rng.gamma(2.0, 6.0, len(temperature)),
        }
    )


def write(rows: int, path: Path) -> Path:
    """Write :func:`readings` of *rows* as Parquet to *path* (kept if it is there).

    The rows go in time order, as readings arrive, in row groups of DuckDB's size
    (122,880 rows): a range of minutes then reads the few row groups it covers.
    """
    if not path.exists():
        frame = readings(rows).sort_values(["minute", "sensor"], kind="stable")
        frame.to_parquet(path, index=False, row_group_size=122_880)
    return path


def board(rows: int, parquet: Path | None = None) -> Dashboard:
    """Return the dashboard over *rows* generated readings.

    :param parquet: a Parquet file of the same readings (:func:`write`), queried in place
        through DuckDB (``engine: duckdb``) instead of a frame held in memory, with a
        rollup per sensor and minute cell for the views over long ranges, and one split
        by bins of temperature too, for the scatter.
    """
    if parquet is None:
        dashboard = Dashboard(f"big-{rows}", title=f"Sensor readings, {rows:,} rows")

        @dashboard.dataset
        def sensor_readings() -> pd.DataFrame:
            return readings(rows)

    else:
        title = f"Sensor readings, {rows:,} rows in DuckDB"
        dashboard = Dashboard(f"big-{rows}-duckdb", title=title, root=parquet.parent)
        rollup = {"time": "minute", "by": ["sensor"], "along": ["temperature"]}
        dashboard.add_dataset(
            "sensor_readings", source=parquet.name, engine="duckdb", rollup=rollup
        )

    dashboard.add_filter(MultiSelect("sensor", "sensor", label="Sensors"))
    dashboard.add_filter(Range("minute", "minute", label="Minutes", params=("from", "to")))
    dashboard.add_chart(
        "level",
        "Level over time",
        kind=Line(x="minute", y="level", color="sensor"),
        unit="m",
        source="generated",
    )
    dashboard.add_chart(
        "load-vs-temperature",
        "Load against temperature",
        kind=Scatter(x="temperature", y="load", color="sensor"),
        unit="kW; °C",
        source="generated",
    )
    return dashboard


for _rows in SIZES:
    globals()[f"big_{_rows}"] = board(_rows)

"""Helpers shared by the tests: real server processes on free loopback ports."""

from __future__ import annotations

import collections
import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
WORLDBANK_DATA = ROOT / "src" / "databoard" / "dashboards" / "worldbank" / "data"
CHROMIUM = "/usr/bin/chromium"


def plotly_dataset(name: str) -> bytes:
    """Return the plain CSV text of a dataset plotly ships (``gapminder``, ``tips``, ...)."""
    import gzip

    import plotly

    folder = Path(plotly.__file__).parent / "package_data" / "datasets"
    return gzip.decompress((folder / f"{name}.csv.gz").read_bytes())


#: A small made-up orders file for dashboards written by the tests.
ORDERS_CSV = """\
date,region,product,units,revenue
2024-01-15,North,Basic,12,240.0
2024-01-20,South,Plus,5,225.0
2024-02-03,North,Plus,7,315.0
2024-02-17,East,Basic,20,400.0
2024-03-02,South,Basic,9,180.0
"""

#: Flags that keep Chromium from calling out to the network on its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: Collects what the policy blocked (an init script is not itself subject to the page's CSP).
WATCH_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bin_path(name: str) -> str:
    """Return the path of a console script installed next to this Python."""
    return str(Path(sys.executable).with_name(name))


@contextlib.contextmanager
def running(
    command: list[str],
    url: str,
    env: dict | None = None,
    ready_path: str = "/healthz",
    timeout: float = 60,
    cwd: str | Path | None = None,
) -> Iterator[subprocess.Popen]:
    """Run *command* until ``url + ready_path`` answers 200, then yield the process.

    If the process dies first, its output is part of the failure message. Its output is
    read all along, so a server that logs a lot never blocks on a full pipe. It is
    terminated (then killed) on the way out.
    """
    proc = subprocess.Popen(
        command,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=cwd,
        text=True,
    )
    output: collections.deque[str] = collections.deque(maxlen=2000)

    def drain() -> None:
        with contextlib.suppress(ValueError, OSError):  # closed on the way out
            output.extend(proc.stdout or ())

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                reader.join(timeout=5)
                text = "".join(output)
                raise RuntimeError(f"{command} exited with {proc.returncode}:\n{text}")
            try:
                if requests.get(url + ready_path, timeout=2).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or busy starting
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{command} did not answer at {url} in {timeout} s")
            time.sleep(0.1)
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        reader.join(timeout=5)
        if proc.stdout:
            proc.stdout.close()


@contextlib.contextmanager
def debug_scaffold(root: Path, name: str = "shop") -> Iterator[tuple[str, Path]]:
    """Make a dashboard with ``databoard new NAME`` in *root* and serve it with ``--debug``.

    :return: (its base URL, its ``dashboard.yaml``), while the server runs.
    """
    subprocess.run([bin_path("databoard"), "new", name], cwd=root, check=True, capture_output=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [bin_path("databoard"), "serve", name, "--debug", "--port", str(port)]
    with running(command, url, cwd=root):
        yield url, root / name / "dashboard.yaml"


@contextlib.contextmanager
def gunicorn(*args: str, env: dict | None = None) -> Iterator[str]:
    """Serve ``databoard:create_app()`` with gunicorn on a free port; yield its base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [bin_path("gunicorn"), "--bind", f"127.0.0.1:{port}", *args, "databoard:create_app()"]
    with running(command, url, env=env):
        yield url


def raw_indicator(code: str):
    """Read indicator *code* straight from the bundled CSV files with plain pandas.

    :return: the wide table as published, indexed by country code, one column per year.
    """
    import pandas as pd

    for path in sorted(WORLDBANK_DATA.glob("API_*.csv")):
        table = pd.read_csv(path, skiprows=4, encoding="utf-8-sig")
        if (table["Indicator Code"] == code).all():
            return table.set_index("Country Code")
    raise LookupError(code)


def guide_examples(folder: Path) -> dict[str, Path]:
    """Write the example dashboards of docs/authoring.md into *folder*; return them by name."""
    import re

    guide = (ROOT / "docs" / "authoring.md").read_text()
    files = re.findall(r"<!-- file: (\S+) -->\n```\w*\n(.*?)```", guide, re.S)
    for name, text in files:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return {name.split("/")[0]: folder / name.split("/")[0] for name, _ in files}


def views(board, count: int = 24) -> list[list[tuple[str, str]]]:
    """Return *count* different views of *board*, as query-string pairs.

    Each view moves every filter somewhere else: multi-selects pick rotating subsets in
    rotating orders (so colours move), ranges narrow from either end, selects walk their
    options (and none), sliders step through their values.
    """
    from databoard.filters import MultiSelect, Range, Select, Slider, param_text

    found: list[list[tuple[str, str]]] = []
    for i in range(count):
        pairs: list[tuple[str, str]] = []
        for flt in board.filters.values():
            if isinstance(flt, MultiSelect) and flt.options:
                options = list(flt.options)
                size = 1 + (i * 3) % min(len(options), 7)
                start = (i * 5) % len(options)
                chosen = (options[start:] + options[:start])[:size]
                pairs += [(flt.name, param_text(v)) for v in chosen[:: 1 if i % 2 else -1]]
            elif isinstance(flt, Range) and flt.bounds:
                low, high = flt.bounds
                step = (high - low) / 8
                if isinstance(low, int):
                    step = (high - low) // 8
                lower, upper = low + (i % 3) * step, high - (i % 4) * step
                pairs.append((flt.params[0], param_text(lower)))
                pairs.append((flt.params[1], param_text(upper)))
            elif isinstance(flt, Slider) and flt.values:
                pairs.append((flt.name, param_text(flt.values[i % len(flt.values)])))
            elif isinstance(flt, Select) and flt.options:
                choices = [None, *flt.options]
                choice = choices[i % len(choices)]
                if choice is not None:
                    pairs.append((flt.name, param_text(choice)))
        found.append(pairs)
    return found


#: The test PostgreSQL server (trust authentication); each test uses its own schema.
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_up() -> None:
    """Make sure the local PostgreSQL answers, starting its cluster if it is down."""
    import glob

    import psycopg

    for attempt in range(2):
        try:
            psycopg.connect(POSTGRES_URL, connect_timeout=3).close()
            return
        except psycopg.OperationalError as error:
            versions = glob.glob("/etc/postgresql/*")
            if attempt or not versions:
                raise RuntimeError(f"PostgreSQL does not answer: {error}") from None
            version = Path(versions[0]).name
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
                check=False,
            )
            time.sleep(2)


@contextlib.contextmanager
def postgres_schema() -> Iterator[str]:
    """Create a schema with a random name in the test database; drop it afterwards."""
    import secrets

    import psycopg
    from psycopg import sql

    postgres_up()
    name = f"databoard_{secrets.token_hex(6)}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as con:
        con.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as con:
            con.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


def readings():
    """Made-up sensor readings: regions, timestamps, numbers with gaps, a label column.

    ``ts`` is hourly over 25 days; ``day`` a day in the three years from
    Wednesday 2021-01-06 (weeks, quarters and years start in between), missing in 10 rows.
    """
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(7)
    count = 600
    frame = pd.DataFrame(
        {
            "region": rng.choice(["North", "South", "East"], count),
            "site": rng.choice(["a", "b", "c", "d"], count),
            "ts": pd.date_range("2024-01-01", periods=count, freq="h"),
            "year": rng.integers(2000, 2010, count),
            "value": rng.normal(100, 25, count).round(3),
            "units": rng.integers(0, 50, count),
        }
    )
    frame.loc[rng.choice(count, 40, replace=False), "value"] = np.nan
    frame["label"] = frame["region"].str.upper()
    day = pd.Timestamp("2021-01-06") + pd.to_timedelta(rng.integers(0, 1100, count), "D")
    frame["day"] = pd.Series(day).mask(pd.Series(range(count)).isin(range(5, 600, 60)))
    return frame

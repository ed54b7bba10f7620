"""Benchmark databoard against the physical floor; print one table of medians and ratios.

    python bench/run.py            # the full run (about 10 minutes)
    python bench/run.py --quick    # one short round of everything (under a minute)
    python bench/run.py --browser  # only the World Bank page's cold loads
    python bench/run.py --server   # only its filter change, load tests and memory

Everything is measured in ONE run, interleaved (databoard, then its floor, then again),
because absolute times on a shared machine drift from run to run; the ratios are what
compare. Needs nginx, wrk and Chromium (Debian: ``apt-get install nginx wrk chromium``)
and the test dependencies (Playwright). Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import browse
import download
import load
import servers

TOP10 = "USA,CHN,JPN,DEU,GBR,IND,FRA,BRA,ITA,CAN"
CHART = servers.FIGURE


@dataclass
class Plan:
    rounds: int  # load-test rounds; each runs every target once
    seconds: float  # per wrk run
    loads: int  # cold loads per server
    changes: int  # filter changes
    sizes: list[int]
    viewports: tuple[str, ...] = tuple(browse.VIEWPORTS)  # cold loads at these widths

    @classmethod
    def of(cls, quick: bool) -> Plan:
        if quick:  # the laptop width alone: the phone's loads take the same path
            return cls(1, 1, 1, 1, [2_000, 20_000], viewports=("1366x768",))
        return cls(rounds=3, seconds=5, loads=9, changes=9, sizes=[10_000, 1_000_000, 10_000_000])


@dataclass
class Row:
    """One line of the table; a ratio is shown when there is a floor."""

    name: str
    db: float | None = None
    floor: float | None = None
    target: str = ""
    met: Callable[[float, float | None], bool] | None = None
    text: str = ""  # shown instead of *db* when set

    @property
    def ratio(self) -> float | None:
        return self.db / self.floor if self.db is not None and self.floor else None


def median(values) -> float:
    return statistics.median(values)


def pss_mib(pids: list[int]) -> float:
    """Return the proportional set size of *pids* together (shared pages split fairly)."""
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1])
    return total / 1024


def payload(url: str) -> tuple[int, int]:
    """Return the brotli-compressed and the plain size of the answer at *url*."""
    host, _, path = url.partition("//")[2].partition("/")
    sizes = []
    for encoding in ("br", "identity"):
        connection = http.client.HTTPConnection(host, timeout=120)
        connection.request("GET", "/" + path, headers={"Accept-Encoding": encoding})
        sizes.append(len(connection.getresponse().read()))
        connection.close()
    return sizes[0], sizes[1]


def measure_worldbank(plan: Plan, folder: Path, rows: list[Row], part: str) -> None:
    """Cold load, filter change, load tests and memory: databoard against its floor.

    :param part: ``all``, ``browser`` (the cold loads only) or ``server`` (all but them).
    """
    with servers.databoard(folder / "databoard") as board:
        servers.save_static_copy(board.url, folder / "static")
        servers.save_reference_copy(folder / "static", folder / "reference")
        with (
            servers.nginx(folder / "static", folder / "nginx") as static,
            servers.nginx(folder / "reference", folder / "nginx-reference") as reference,
        ):
            with browse.chromium() as chromium:
                if part != "server":
                    rows.extend(_cold_loads(plan, chromium, board, static, reference))
                if part == "browser":
                    return
                years = [1991 + i for i in range(plan.changes)]
                changes = browse.filter_changes(chromium, board.url + servers.PAGE, years)
            rows.append(Row("Filter change until every chart is redrawn (ms)"))
            db, floor = median(c[0] for c in changes), median(c[1] for c in changes)
            rows.append(
                Row(
                    "through the API / same figures, no request", db, floor, "<= 1.5x", _within(1.5)
                )
            )
            again = median(c[2] for c in changes)
            rows.append(Row("the same figures drawn again, their texts measured", db, again))
            with servers.nginx_cache([board.url], folder / "proxy") as proxy:
                rows.extend(_load_tests(plan, board, static, proxy))
            rows.append(Row("Server memory after the load (MiB)"))
            pss = pss_mib(board.pids())
            rows.append(Row("PSS, master + 2 workers", pss, None, "<= 200", lambda d, _: d <= 200))


def _cold_loads(plan: Plan, chromium, board, static, reference) -> list[Row]:
    """Cold-load the page from databoard, its static copy and the reference copy, interleaved.

    Each viewport is loaded without scrolling (first screen, DOMContentLoaded, every chart
    drawn, bytes) and, by databoard and the reference, while scrolling through the page.
    """
    servers_ = {"databoard": board, "static": static, "reference": reference}
    rows = []
    for label in plan.viewports:
        viewport = browse.VIEWPORTS[label]
        loads: dict[tuple, list[dict]] = {}
        for i in range(plan.loads):
            for scroll, names in ((False, list(servers_)), (True, ["databoard", "reference"])):
                names = names[i % len(names) :] + names[: i % len(names)]
                for name in names:
                    url = servers_[name].url + servers.PAGE
                    load = browse.cold_load(chromium, url, viewport, scroll)
                    loads.setdefault((name, scroll), []).append(load)

        def of(name, key, scroll=False, loads=loads):
            return median(load[key] for load in loads[(name, scroll)])

        rows.append(Row(f"Cold load until every chart is drawn (ms), {label}"))
        rows += [
            Row(
                "first screen drawn: databoard / reference, every chart drawn",
                of("databoard", "first"),
                of("reference", "all"),
                "<= 0.6x",
                _within(0.6),
            ),
            Row(
                "DOMContentLoaded: databoard / reference",
                of("databoard", "dcl"),
                of("reference", "dcl"),
                "<= 0.4x",
                _within(0.4),
            ),
            Row(
                "every chart drawn, scrolling: databoard / reference",
                of("databoard", "all", True),
                of("reference", "all", True),
                "<= 1.0x",
                _within(1.0),
            ),
            Row(
                "every chart drawn: databoard / reference (whole plotly.js)",
                of("databoard", "all"),
                of("reference", "all"),
                "<= 0.85x",
                _within(0.85),
            ),
            Row(
                "every chart drawn: databoard / static copy of its page",
                of("databoard", "all"),
                of("static", "all"),
                "<= 1.05x",
                _within(1.05),
            ),
            Row("first screen drawn: reference", of("reference", "first")),
        ]
        rows.append(Row(f"Bytes transferred on a cold load (KiB), {label}"))
        rows += [
            Row(
                "databoard / reference (whole plotly.js)",
                of("databoard", "bytes") / 1024,
                of("reference", "bytes") / 1024,
                "<= 0.6x",
                _within(0.6),
            ),
            Row(
                "databoard / static copy of its page",
                of("databoard", "bytes") / 1024,
                of("static", "bytes") / 1024,
                "<= 1.1x",
                _within(1.1),
            ),
        ]
    return rows


def _within(limit: float):
    return lambda db, floor: db <= limit * floor


def _load_tests(plan: Plan, board, static, proxy) -> list[Row]:
    """Run every wrk target once per round, interleaved with its floor; return the rows.

    Besides databoard itself, the page and the chart are also asked through the shipped
    nginx site (deploy/nginx/databoard.conf) in front of it, which keeps answers as long
    as their Cache-Control says.
    """
    floors = {"page": static.url + servers.PAGE, "figure": static.url + CHART}
    targets = [
        ("page", board.url + servers.PAGE, "page", {}),
        ("chart, cached", board.url + CHART, "figure", {}),
        ("chart, uncached", board.url + CHART, None, {"mode": "permute", "countries": TOP10}),
        ("page, through the nginx site", proxy.url + servers.PAGE, "page", {}),
        ("chart, through the nginx site", proxy.url + CHART, "figure", {}),
    ]
    results: dict[tuple, list] = {}
    for _ in range(plan.rounds):
        for connections in (1, 32):
            for name, url in floors.items():
                run = load.wrk(url, connections, plan.seconds)
                results.setdefault((f"nginx {name}", connections), []).append(run)
            for name, url, _, unique in targets:
                run = load.wrk(url, connections, plan.seconds, **unique)
                results.setdefault((name, connections), []).append(run)
    rows = []
    for connections in (1, 32):
        rows.append(Row(f"Load test, {connections} connection(s): databoard / nginx static copy"))
        for name, _, floor, unique in targets:
            db, nginx = results[(name, connections)], results.get((f"nginx {floor}", connections))
            rate = Row(f"{name}: req/s", _median(db, "rps"), nginx and _median(nginx, "rps"))
            p50 = Row(f"{name}: p50 ms", _median(db, "p50_ms"), nginx and _median(nginx, "p50_ms"))
            if connections == 32 and nginx:
                share = 0.8 if "nginx site" in name else 0.3
                rate.target = f">= {share}x"
                rate.met = lambda d, f, share=share: d >= share * f
            if connections == 1 and unique:
                p50.target, p50.met = "<= 1.5 ms", lambda d, _: d <= 1.5
            rows += [rate, p50]
    return rows


def _median(runs: list[dict], key: str) -> float:
    return median(r[key] for r in runs)


def measure_scaling(plan: Plan, folder: Path, rows: list[Row]) -> None:
    """Uncached chart latency and payload on generated data of each size."""
    os.environ["BIGBOARD_ROWS"] = ",".join(map(str, plan.sizes))
    charts = ("level", "load-vs-temperature")
    latency: dict[tuple, list] = {}
    with servers.databoard(folder / "bigboard", dashboard="bigboard") as board:
        for _ in range(plan.rounds):
            for rows_count in plan.sizes:
                per = rows_count // 4
                for chart in charts:
                    url = f"{board.url}/api/v1/dashboards/big-{rows_count}/charts/{chart}"
                    unique = {"mode": "range", "low": 0, "high": per - 1}
                    run = load.wrk(url, 1, plan.seconds * 2, **unique)
                    latency.setdefault((rows_count, chart), []).append(run["p50_ms"])
        sizes = {
            key: payload(f"{board.url}/api/v1/dashboards/big-{key[0]}/charts/{key[1]}")
            for key in latency
        }
        biggest = max(plan.sizes)
        chart_url = f"{board.url}/api/v1/dashboards/big-{biggest}/charts/level"
        downloads = {
            name: download.measure(f"{chart_url}/{name}", board.pids()[1:])
            for name in ("data.csv", "data.json")
        }
    rows.append(Row("Scaling: uncached chart at 1 connection, p50 ms; payload KiB br (plain)"))
    for (count, chart), values in latency.items():
        compressed, plain = sizes[(count, chart)]
        row = Row(f"{count:,} rows, {chart}", median(values))
        row.text = f"{row.db:,.1f} ms; {compressed / 1024:,.0f} ({plain / 1024:,.0f})"
        if count == max(plan.sizes):
            row.target = "<= 500 ms; <= 1 MB"
            row.met = lambda d, _, size=compressed: d <= 500 and size <= 1_000_000
        rows.append(row)
    rows.append(Row(f"Download of all {biggest:,} rows, streamed: worker memory growth (MiB)"))
    for name, run in downloads.items():
        text = (
            f"{run['rss_growth_mib']:,.1f} MiB; {run['bytes'] / 2**20:,.0f} MiB "
            f"{run['encoding']} in "
            f"{run['seconds']:,.1f} s; PSS {run['pss_before_mib']:,.0f} -> "
            f"{run['pss_after_mib']:,.0f} MiB"
        )
        rows.append(
            Row(
                f"{name}: peak RSS growth of a worker",
                run["rss_growth_mib"],
                target="<= 50 MiB",
                met=lambda d, _: d <= 50,
                text=text,
            )
        )
    if len(plan.sizes) > 1:
        big, before = plan.sizes[-1], plan.sizes[-2]
        for chart in charts:
            growth = median(latency[(big, chart)]) / median(latency[(before, chart)])
            rows.append(
                Row(
                    f"{chart}: time growth {before:,} -> {big:,} rows",
                    growth,
                    target=f"<= x{big / before:.0f} (linear)",
                    met=lambda d, _, limit=big / before: d <= limit,
                    text=f"x{growth:.1f}",
                )
            )


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    versions = [
        subprocess.run(cmd, capture_output=True, text=True).stderr.strip().splitlines()[0]
        for cmd in (["nginx", "-v"],)
    ]
    return (
        f"{cpu}, {os.cpu_count()} CPUs, {memory:.0f} GiB; {platform.platform()}; "
        f"Python {platform.python_version()}; {'; '.join(versions)}"
    )


def table(rows: list[Row]) -> str:
    """Render *rows* as one Markdown table of medians, ratios and targets."""
    out = [
        "| measure | databoard | floor | ratio | target | met |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for row in rows:
        if row.db is None:
            out.append(f"| **{row.name}** | | | | | |")
            continue
        met = "" if row.met is None else ("yes" if row.met(row.db, row.floor) else "**no**")
        cells = [
            row.text or f"{row.db:,.1f}",
            "" if row.floor is None else f"{row.floor:,.1f}",
            "" if row.ratio is None else f"{row.ratio:.2f}x",
            row.target,
            met,
        ]
        out.append(f"| {row.name} | {' | '.join(cells)} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short round of everything")
    parser.add_argument(
        "--browser", action="store_true", help="only the World Bank page's cold loads"
    )
    parser.add_argument(
        "--server",
        action="store_true",
        help="only the World Bank filter change, load tests and memory (about 5 minutes)",
    )
    args = parser.parse_args(argv)
    plan = Plan.of(args.quick)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="databoard-bench-") as tmp:
        folder = Path(tmp)
        for name in ("databoard", "static", "nginx", "nginx-reference", "proxy", "bigboard"):
            (folder / name).mkdir()
        folder.chmod(0o755)
        part = "browser" if args.browser else "server" if args.server else "all"
        measure_worldbank(plan, folder, rows, part)
        if part == "all":
            measure_scaling(plan, folder, rows)
    print(f"databoard benchmark, {datetime.date.today().isoformat()}")
    print(f"Machine: {machine()}")
    print(f"Plan: {plan}")
    print()
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

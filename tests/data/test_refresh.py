"""Fresh data in a running app: a changed file is checked, swapped in whole, or kept out.

The app is real; each test runs the site's check itself (``refresher.check()``, what the
background thread runs), so it knows when the check happened.
"""

from __future__ import annotations

import io
import logging
import os
import threading
import time
from datetime import UTC, datetime

import pandas as pd
import pytest

from databoard import create_app

from support import ORDERS_CSV

DASHBOARD = """\
title: Live
datasets:
  orders: {source: data/orders.csv, dates: [date]}
  regions: {source: data/regions.csv}
filters:
  - {name: region, kind: multiselect, column: region}
charts:
  - {id: total, title: Total, kind: kpi, value: revenue}
  - {id: by-region, title: By region, kind: bar, x: region, y: revenue, aggregate: sum}
  - {id: managers, title: Managers, kind: table, dataset: regions}
"""
REGIONS = "region,manager\nNorth,Ana\nSouth,Ben\nEast,Cy\n"
MORE = ORDERS_CSV + "2024-04-01,West,Pro,1,1000.0\n"
KPI = "/api/v1/dashboards/live/charts/total"


@pytest.fixture
def site_folder(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "orders.csv").write_text(ORDERS_CSV)
    (tmp_path / "data" / "regions.csv").write_text(REGIONS)
    (tmp_path / "live.yaml").write_text(DASHBOARD)
    return tmp_path


@pytest.fixture
def app(site_folder):
    app = create_app({"TESTING": True, "DASHBOARD": str(site_folder), "DATA_REFRESH": 1})
    app.extensions["databoard"].refresher.check()  # the first check only schedules the next
    return app


def replace(path, text: str) -> None:
    """Write *text* to a new file and rename it over *path*, with a later time."""
    new = path.with_name("." + path.name + ".new")
    new.write_text(text)
    later = path.stat().st_mtime + 2
    os.utime(new, (later, later))
    os.replace(new, path)


def check_now(app) -> None:
    """Run a check once every dataset is due (a second after the last)."""
    time.sleep(1.05)
    app.extensions["databoard"].refresher.check()


def total(client) -> float:
    return client.get(KPI).get_json()["data"][0]["value"]


def expected_total(path) -> float:
    return float(pd.read_csv(path)["revenue"].sum())


def test_changed_file_is_swapped_in_whole(app, site_folder):
    client = app.test_client()
    site = app.extensions["databoard"]
    data = site_folder / "data" / "orders.csv"
    old = site.get("live")
    assert total(client) == expected_total(data)
    replace(data, MORE)
    check_now(app)
    new = site.get("live")
    assert new is not old and new.version != old.version
    assert total(client) == expected_total(data) == 2360.0
    # the dataset that did not change is shared, not read again
    assert new.datasets["regions"] is old.datasets["regions"]
    # a request that started on the old dashboard still sees the old data, whole
    assert old.frame("orders")["revenue"].sum() == 1360.0
    assert "West" in new.filters["region"].options
    assert "West" not in old.filters["region"].options
    assert client.get("/readyz").get_json()["stale"] == []


def test_touched_file_with_the_same_bytes_is_not_read_again(app, site_folder):
    site = app.extensions["databoard"]
    old = site.get("live")
    data = site_folder / "data" / "orders.csv"
    replace(data, ORDERS_CSV)
    check_now(app)
    assert site.get("live") is old


def test_broken_file_keeps_the_old_data_until_fixed(app, site_folder, caplog):
    client = app.test_client()
    data = site_folder / "data" / "orders.csv"
    caplog.set_level(logging.ERROR, "databoard.refresh")
    replace(data, ORDERS_CSV.replace("revenue", "takings"))
    check_now(app)
    check_now(app)
    assert total(client) == 1360.0
    ready = client.get("/readyz")
    body = ready.get_json()
    assert ready.status_code == 200 and body["status"] == "degraded"
    [stale] = body["stale"]
    assert stale["dashboard"] == "live" and stale["dataset"] == "orders"
    assert "unknown column 'revenue'" in stale["why"]
    since = datetime.fromisoformat(stale["since"])
    assert abs((datetime.now(UTC) - since).total_seconds()) < 30
    logged = [r for r in caplog.records if "keeps its older data" in r.getMessage()]
    assert len(logged) == 1, "a bad version is logged once, not at every check"
    replace(data, MORE)
    check_now(app)
    assert total(client) == expected_total(data) == 2360.0
    body = client.get("/readyz").get_json()
    assert body["status"] == "ready" and body["stale"] == []


def test_dates_that_do_not_read_keep_the_old_data(app, site_folder):
    data = site_folder / "data" / "orders.csv"
    broken = ORDERS_CSV.replace("2024-0", "someday-0")
    replace(data, broken)
    check_now(app)
    [stale] = app.test_client().get("/readyz").get_json()["stale"]
    assert "no value of 'date' reads as a date" in stale["why"]


def test_cut_off_last_line_waits_for_the_writer(app, site_folder):
    client = app.test_client()
    data = site_folder / "data" / "orders.csv"
    half = MORE[: MORE.rindex("West") + 2]  # the new last line, cut off
    with open(data, "w") as f:  # written in place, as a careless writer does
        f.write(half)
    check_now(app)
    assert total(client) == 1360.0
    [stale] = client.get("/readyz").get_json()["stale"]
    assert "last line is cut off" in stale["why"]
    with open(data, "a") as f:
        f.write(MORE[len(half) :])
    check_now(app)
    assert total(client) == expected_total(data) == 2360.0


def test_file_without_a_last_line_end_is_read_once_it_stays(app, site_folder):
    client = app.test_client()
    data = site_folder / "data" / "orders.csv"
    replace(data, MORE.rstrip("\n"))
    check_now(app)
    assert total(client) == 1360.0
    check_now(app)
    assert total(client) == 2360.0


def test_file_still_being_written_is_not_read(app, site_folder):
    data = site_folder / "data" / "orders.csv"
    site = app.extensions["databoard"]
    old = site.get("live")
    time.sleep(1.05)
    replace(data, MORE)

    def write() -> None:  # a writer adding a line every 50 ms for two seconds
        for i in range(40):
            with open(data, "a") as f:
                f.write(f"2024-04-02,West,Pro,1,{i}.0\n")
            time.sleep(0.05)

    writer = threading.Thread(target=write)
    writer.start()
    site.refresher.check()
    assert site.get("live") is old
    [stale] = app.test_client().get("/readyz").get_json()["stale"]
    assert "being written" in stale["why"]
    writer.join()
    check_now(app)
    assert total(app.test_client()) == expected_total(data) == 2360.0 + sum(range(40))


def test_every_answer_says_what_date_the_data_is_as_of(app, site_folder):
    client = app.test_client()
    data = site_folder / "data" / "orders.csv"
    mtime = datetime.fromtimestamp(data.stat().st_mtime, UTC).replace(microsecond=0)
    as_of = mtime.isoformat().replace("+00:00", "Z")
    assert client.get(KPI).get_json()["data_as_of"] == as_of
    csv = client.get(f"{KPI}/data.csv").get_data(as_text=True)
    assert f"# data_as_of: {as_of}\r\n" in csv
    assert pd.read_csv(io.StringIO(csv), comment="#")["revenue"].sum() == 1360.0
    assert client.get(f"{KPI}/data.json").get_json()["data_as_of"] == as_of
    page = client.get("/d/live").get_data(as_text=True)
    assert f'<time class="data-as-of" datetime="{as_of}">' in page
    replace(data, MORE)
    check_now(app)
    later = datetime.fromtimestamp(data.stat().st_mtime, UTC).replace(microsecond=0)
    assert client.get(KPI).get_json()["data_as_of"] == later.isoformat().replace("+00:00", "Z")


def test_a_request_starts_the_check_in_the_background(site_folder):
    app = create_app({"TESTING": True, "DASHBOARD": str(site_folder), "DATA_REFRESH": 1})
    client = app.test_client()
    data = site_folder / "data" / "orders.csv"
    assert total(client) == 1360.0  # schedules the first check
    replace(data, MORE)
    deadline = time.monotonic() + 20
    while total(client) != 2360.0:
        assert time.monotonic() < deadline, "the new data never arrived"
        time.sleep(0.2)


def test_refresh_zero_never_checks(site_folder):
    app = create_app({"TESTING": True, "DASHBOARD": str(site_folder), "DATA_REFRESH": 0})
    site = app.extensions["databoard"]
    old = site.get("live")
    site.refresher.check()
    replace(site_folder / "data" / "orders.csv", MORE)
    time.sleep(1.05)
    site.refresher.check()
    assert site.get("live") is old


def test_dataset_refresh_wins_over_the_site(site_folder):
    yaml = site_folder / "live.yaml"
    yaml.write_text(DASHBOARD.replace("dates: [date]}", "dates: [date], refresh: 1}"))
    app = create_app({"TESTING": True, "DASHBOARD": str(site_folder), "DATA_REFRESH": 0})
    app.extensions["databoard"].refresher.check()
    replace(site_folder / "data" / "orders.csv", MORE)
    check_now(app)
    assert total(app.test_client()) == 2360.0

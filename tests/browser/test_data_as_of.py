"""Each chart card says what date its data is as of, in Chromium, and a figure fetched
after new data was swapped in says the new date on a page opened before it."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

import pandas as pd
import pytest
import requests

from support import ORDERS_CSV, bin_path, free_port, running

pytestmark = pytest.mark.browser

DASHBOARD = """\
title: Live
datasets:
  orders: {source: data/orders.csv, dates: [date]}
filters:
  - {name: region, kind: select, column: region}
charts:
  - {id: by-product, title: By product, kind: bar, x: product, y: revenue, aggregate: sum}
"""


def shown(stamp: float) -> tuple[str, str]:
    """The ISO text of a modification time, and the card's text for it."""
    text = datetime.fromtimestamp(stamp, UTC).replace(microsecond=0).isoformat()
    iso = text.replace("+00:00", "Z")
    return iso, iso.replace("T", " ").replace("Z", " UTC")


def test_card_says_data_as_of_and_follows_new_data(tmp_path, watch):
    (tmp_path / "data").mkdir()
    data = tmp_path / "data" / "orders.csv"
    data.write_text(ORDERS_CSV)
    (tmp_path / "live.yaml").write_text(DASHBOARD)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [bin_path("databoard"), "serve", str(tmp_path), "--port", str(port)]
    with running(command, url, env={"DATABOARD_DATA_REFRESH": "1"}):
        page = watch.page
        page.goto(url + "/d/live")
        watch.wait_drawn()
        iso, text = shown(data.stat().st_mtime)
        as_of = page.locator("#chart-by-product .data-as-of")
        assert as_of.get_attribute("datetime") == iso
        assert f"Data as of {text}." in page.locator("#chart-by-product").inner_text()

        new = data.with_name("new.csv")
        new.write_text(ORDERS_CSV + "2024-04-01,North,Pro,1,1000.0\n")
        later = data.stat().st_mtime + 5
        os.utime(new, (later, later))
        new.replace(data)
        later_iso, later_text = shown(later)
        api = f"{url}/api/v1/dashboards/live/charts/by-product"
        deadline = time.monotonic() + 30
        while requests.get(api, timeout=10).json().get("data_as_of") != later_iso:
            assert time.monotonic() < deadline, "the new data was never served"
            time.sleep(0.2)

        page.select_option("select[name=region]", "North")
        page.wait_for_function(
            "t => document.querySelector('#chart-by-product .data-as-of').dateTime === t",
            arg=later_iso,
        )
        assert as_of.inner_text() == later_text
        frame = pd.read_csv(data)
        expected = frame[frame.region == "North"].groupby("product")["revenue"].sum()
        bars = page.evaluate(
            "() => { const t = document.querySelector('#chart-by-product .plot').data[0];"
            " return [Array.from(t.x), Array.from(t.y)]; }"
        )
        assert dict(zip(*bars, strict=True)) == expected.to_dict()
        assert watch.errors == []
        assert watch.outside() == []

"""``databoard check`` on the data itself: an empty file is fine, a cut one is a warning."""

from __future__ import annotations

import gzip

from click.testing import CliRunner

from databoard.cli import main

from support import ORDERS_CSV

DASHBOARD = """\
title: Orders
datasets:
  orders: {{source: {source}}}
filters:
  - {{name: region, kind: multiselect, column: region}}
  - {{name: units, kind: range, column: units}}
charts:
  - {{id: by-region, title: By region, kind: bar, x: region, y: revenue}}
  - {{id: spread, title: Spread, kind: box, y: revenue, x: region}}
"""
CUT = ORDERS_CSV.rstrip("\n")[:-9]  # the last row stops inside its product


def test_a_last_line_cut_short_is_a_warning_naming_file_and_line(folder):
    folder.write("data/orders.csv", CUT)
    folder.write("orders.yaml", DASHBOARD.format(source="data/orders.csv"))
    result = CliRunner().invoke(main, ["check", str(folder.root)])
    assert result.exit_code == 0, result.output
    where = f"{folder.root / 'orders.yaml'}:3: warning: dataset 'orders': data/orders.csv: "
    assert where + "line 6 has 3 of the 5 fields of the line before" in result.output
    assert "ok: orders" in result.output


def test_a_cut_file_still_serves_and_the_log_says_why(folder, caplog):
    folder.write("data/orders.csv", CUT)
    folder.write("orders.yaml", DASHBOARD.format(source="data/orders.csv"))
    client = folder.app().test_client()
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("data/orders.csv: line 6 has 3 of the 5 fields" in m for m in warned)
    assert client.get("/readyz").status_code == 200
    answer = client.get("/api/v1/dashboards/orders/charts/by-region/data.json")
    assert answer.status_code == 200
    assert {row[0] for row in answer.get_json()["rows"]} == {"North", "South", "East"}


def test_a_compressed_file_cut_short_is_noticed_too(folder):
    folder.write("data/orders.csv.gz", gzip.compress(CUT.encode()))
    folder.write("orders.yaml", DASHBOARD.format(source="data/orders.csv.gz"))
    result = CliRunner().invoke(main, ["check", str(folder.root)])
    assert result.exit_code == 0, result.output
    assert "data/orders.csv.gz: line 6 has 3 of the 5 fields" in result.output


def test_a_whole_file_or_a_header_alone_has_no_warning(folder):
    folder.write("data/orders.csv", ORDERS_CSV)
    folder.write("data/none.csv", ORDERS_CSV.splitlines()[0] + "\n")
    folder.write("orders.yaml", DASHBOARD.format(source="data/orders.csv"))
    folder.write("none.yaml", DASHBOARD.format(source="data/none.csv").replace("Orders", "None"))
    result = CliRunner().invoke(main, ["check", str(folder.root)])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    assert "ok: orders" in result.output and "ok: none" in result.output

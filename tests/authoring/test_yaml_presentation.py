"""YAML keys for how numbers show and which charts a filter drives, checked with lines."""

from __future__ import annotations

from click.testing import CliRunner

from databoard.cli import main

from support import ORDERS_CSV

BOARD = """\
title: Orders
datasets:
  orders:
    source: data/orders.csv
    formats: {revenue: "$,.2f"}
filters:
  - {name: region, kind: multiselect, column: region}
charts:
  - {id: total, title: Revenue, kind: kpi, value: revenue}
  - {id: rows, title: Rows, kind: table, formats: {units: "03d"}}
"""


def check(path):
    result = CliRunner().invoke(main, ["check", str(path)])
    return result.exit_code, result.output


def test_formats_reach_the_kpi_and_the_table(folder):
    folder.write("data/orders.csv", ORDERS_CSV)
    folder.write("orders.yaml", BOARD)
    client = folder.app().test_client()
    api = "/api/v1/dashboards/orders/charts"
    (kpi,) = client.get(f"{api}/total").get_json()["data"]
    assert kpi["number"]["valueformat"] == "$,.2f"
    (table,) = client.get(f"{api}/rows").get_json()["data"]
    columns = dict(zip(table["header"]["values"], table["cells"]["values"], strict=True))
    assert columns["Revenue"][:2] == ["$240.00", "$225.00"]
    assert columns["Units"][:2] == ["012", "005"]
    assert columns["Date"][0] == "2024-01-15"
    body = client.get(f"{api}/rows/data.json").get_json()
    assert body["formats"] == {"units": "03d", "revenue": "$,.2f"}
    assert body["rows"][0][3:] == [12, 240.0]  # the numbers themselves stay exact


def test_a_bad_format_is_a_problem_with_its_line(folder):
    folder.write("data/orders.csv", ORDERS_CSV)
    path = folder.write("orders.yaml", BOARD.replace('"$,.2f"', '"$,.2q"'))
    code, output = check(folder.root)
    assert code == 1
    assert f"{path}:5: datasets.orders.formats.revenue: " in output, output
    assert "is not a d3-format specifier" in output
    path.write_text(BOARD.replace('"03d"', "[3]"))
    code, output = check(folder.root)
    assert code == 1 and f"{path}:10: charts.1.formats.units: " in output, output

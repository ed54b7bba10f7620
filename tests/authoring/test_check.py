"""``databoard check``: every problem at once, with file and line, exit status 1."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from databoard.authoring.problems import InvalidDashboards
from databoard.cli import main

from support import ORDERS_CSV

GOOD = """\
title: Orders
datasets:
  orders: {source: data/orders.csv}
filters:
  - {name: region, kind: multiselect, column: region}
charts:
  - {id: by-region, title: By region, kind: bar, x: region, y: revenue}
"""

PYTHON = """\
import pandas as pd
import plotly.express as px
from databoard import Dashboard, Line

board = Dashboard("py", title="Py")

@board.dataset
def orders():
    return pd.read_csv("{csv}")

@board.chart("broken", "Broken")
def broken(frame, view):
    return frame["no such column"]

@board.chart("not-a-figure", "Not a figure")
def not_a_figure(frame, view):
    return frame

@board.chart("fine", "Fine")
def fine(frame, view):
    return px.bar(frame, x="region", y="revenue")
"""


def check(path):
    result = CliRunner().invoke(main, ["check", str(path)])
    return result.exit_code, result.output


@pytest.fixture
def orders(folder):
    folder.write("data/orders.csv", ORDERS_CSV)
    return folder


def test_a_good_dashboard_passes(orders):
    orders.write("orders.yaml", GOOD)
    code, output = check(orders.root)
    assert code == 0, output
    assert "ok: orders (1 datasets, 1 filters, 1 charts)" in output


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        (
            "source: data/orders.csv",
            "source: data/missing.csv",
            3,
            "dataset 'orders': data/missing.csv: no such file in site/",
        ),
        (
            "y: revenue}",
            "y: revenu}",
            7,
            "chart 'by-region': unknown column 'revenu'; did you mean 'revenue'? "
            "(columns: date, region, product, units, revenue)",
        ),
        (
            "column: region}",
            "column: regio}",
            5,
            "filter 'region': unknown column 'regio'; did you mean 'region'?",
        ),
        (
            "kind: bar,",
            "kind: bars,",
            7,
            "chart 'by-region': unknown chart kind 'bars' (known: area, bar",
        ),
        (
            "y: revenue}",
            "y: revenue, colour: region}",
            7,
            "chart 'by-region': unknown option 'colour' for kind 'bar'; did you mean 'color'? "
            "(options: x, y, color,",
        ),
        (
            "kind: bar, x: region,",
            "kind: bar,",
            7,
            "chart 'by-region': kind 'bar': Bar.__init__() missing 1 required positional argument",
        ),
        ("title: Orders\n", "", 1, "title: required"),
        ("charts:\n", "chartz:\n", 6, "unknown key 'chartz'"),
        ("kind: multiselect", "kind: checkbox", 5, "filters.0.kind: Input should be"),
        ("id: by-region,", "id: By Region,", 7, "charts.0.id: String should match pattern"),
        (
            "x: region,",
            "x: region, dataset: sales,",
            7,
            "chart 'by-region': unknown dataset 'sales' (known: orders)",
        ),
        ("charts:\n", "charts: [\n", 7, "not valid YAML"),
    ],
)
def test_each_yaml_problem(orders, old, new, line, message):
    assert old in GOOD
    path = orders.write("orders.yaml", GOOD.replace(old, new, 1))
    code, output = check(orders.root)
    assert code == 1
    where = f"{path}:{line}: " if line else f"{path}: "
    assert where + message in output, output
    assert "Traceback" not in output


def test_duplicate_chart_and_layout_problems(orders):
    text = GOOD + "  - {id: by-region, title: Again, kind: pie, names: region}\nlayout: [[nope]]\n"
    path = orders.write("orders.yaml", text)
    code, output = check(orders.root)
    assert code == 1
    assert f"{path}:8: chart 'by-region' is declared twice" in output
    assert f"{path}:9: layout: unknown chart 'nope'" in output


def test_duplicate_slug_across_files(orders):
    orders.write("a.yaml", "slug: same\n" + GOOD)
    orders.write("b.yaml", "slug: same\n" + GOOD)
    code, output = check(orders.root)
    assert code == 1
    assert "duplicate slug 'same'" in output


def test_python_problems_name_the_function(orders):
    path = orders.write("py.py", PYTHON.replace("{csv}", str(orders.root / "data/orders.csv")))
    code, output = check(path)
    assert code == 1
    assert f"{path}:13: chart 'broken' (broken()): raised KeyError: 'no such column'" in output
    assert (
        f"{path}: chart 'not-a-figure' (not_a_figure()): raised TypeError: chart 'not-a-figure': "
        "the function returned DataFrame, not a Plotly figure"
    ) in output
    assert "'fine'" not in output


def test_python_import_and_loader_problems(orders):
    orders.write("syntax.py", "from databoard import Dashboard\nboard = Dashboard(\n")
    orders.write("name.py", "from databoard import Dashboard\n\nboard = Dashbord('n', title='N')\n")
    orders.write("empty.py", "x = 1\n")
    orders.write(
        "loader.py",
        "from databoard import Dashboard\nboard = Dashboard('l', title='L')\n\n"
        "@board.dataset\ndef rows():\n    raise OSError('the database is down')\n",
    )
    code, output = check(orders.root)
    assert code == 1
    root = orders.root.resolve()
    assert f"{root / 'syntax.py'}:2: cannot import: SyntaxError" in output
    assert (
        f"{root / 'name.py'}:3: cannot import: NameError: name 'Dashbord' is not defined" in output
    )
    assert f"{root / 'empty.py'}: declares no Dashboard" in output
    assert (
        f"{root / 'loader.py'}:6: dataset 'rows' (rows()): OSError: the database is down" in output
    )
    assert "4 problems found" in output


def test_every_problem_at_once(orders):
    orders.write("a.yaml", GOOD.replace("y: revenue}", "y: revenu}"))
    orders.write("b.yaml", GOOD.replace("kind: bar,", "kind: bars,").replace("Orders", "B"))
    orders.write("c.yaml", "title: [\n")
    code, output = check(orders.root)
    assert code == 1
    assert "3 problems found" in output
    assert output.count("site/") >= 3  # one line per problem, each naming its file


def test_serve_refuses_with_the_same_messages(orders):
    orders.write("orders.yaml", GOOD.replace("y: revenue}", "y: revenu}"))
    result = CliRunner().invoke(main, ["serve", str(orders.root), "--strict", "--port", "1"])
    assert result.exit_code != 0
    assert "unknown column 'revenu'; did you mean 'revenue'?" in result.output
    with pytest.raises(InvalidDashboards, match="unknown column 'revenu'"):
        orders.app()


MISTAKES = """\
title: Orders
datasets:
  orders: {source: data/orders.csv, dates: [date]}
filters:
  - {name: area, kind: multiselect, column: regio}
  - {name: product, kind: select, column: product, default: Premium}
  - {name: place, kind: range, column: region}
  - {name: when, kind: range, column: date}
charts:
  - {id: by-region, title: By region, kind: bar, x: region, y: revenu}
  - {id: mix, title: Mix, kind: donut, names: region}
  - {id: units, title: Units, kind: line, x: date, y: units, max_rows: 3}
  - {id: trend, title: Trend, kind: line, x: date, y: units}
  - {id: by-product, title: By product, kind: bar, x: product, y: units}
"""


def test_every_independent_mistake_in_one_run(orders):
    path = orders.write("orders.yaml", MISTAKES)
    code, output = check(orders.root)
    assert code == 1
    expected = [
        "5: filter 'area': unknown column 'regio'; did you mean 'region'?",
        "6: filter 'product': default 'Premium' is not among the options (Basic, Plus)",
        "7: filter 'place': a range needs numbers, years or dates, but column 'region' "
        "holds text ('East' to 'South'); use a select or multiselect",
        "10: chart 'by-region': unknown column 'revenu'; did you mean 'revenue'?",
        "11: chart 'mix': unknown chart kind 'donut'",
        "12: chart 'units': unknown option 'max_rows' for kind 'line'",
    ]
    for message in expected:
        assert f"{path}:{message}" in output, output
    assert f"{len(expected)} problems found" in output
    # 'when' is fine; 'trend' follows it and draws; 'by-product' follows the broken
    # 'product' select, so it is not drawn (its problem is the filter's)
    assert "'when'" not in output and "'trend'" not in output
    assert "'by-product'" not in output


def test_a_chart_over_a_dataset_that_failed_is_skipped(orders):
    text = (
        MISTAKES.split("filters:")[0]
        + "  extra: {source: data/missing.csv}\n"
        + "charts:\n"
        + "  - {id: by-region, title: By region, kind: bar, x: region, y: revenu}\n"
        + "  - {id: gone, title: Gone, kind: bar, dataset: extra, x: a, y: b}\n"
        + "  - {id: odd, title: Odd, kind: bar, dataset: extra, x: a, y: b, colour: c}\n"
    )
    path = orders.write("orders.yaml", text)
    code, output = check(orders.root)
    assert code == 1
    assert f"{path}:4: dataset 'extra': data/missing.csv: no such file" in output
    assert f"{path}:6: chart 'by-region': unknown column 'revenu'" in output
    assert f"{path}:8: chart 'odd': unknown option 'colour' for kind 'bar'" in output
    assert "'gone'" not in output  # its only problem is its dataset's
    assert "3 problems found" in output


def test_a_bad_dashboard_field_leaves_the_rest_checked(orders):
    text = GOOD.replace("title: Orders\n", "license_url: javascript:alert(1)\n")
    path = orders.write("orders.yaml", text.replace("y: revenue}", "y: revenu}"))
    code, output = check(orders.root)
    assert f"{path}:1: license_url:" in output
    assert f"{path}: title: required" in output or f"{path}:1: title: required" in output
    assert f"{path}:7: chart 'by-region': unknown column 'revenu'" in output


def test_python_filters_charts_and_files_carry_their_line(orders):
    path = orders.write(
        "py.py",
        "import pandas as pd\n"
        "from databoard import Dashboard, Line, MultiSelect, Select\n\n"
        "board = Dashboard('py', title='Py')\n"
        f"board.add_dataset('orders', source={str(orders.root / 'data/orders.csv')!r})\n"
        "board.add_filter(MultiSelect('day', 'dya'))\n"
        "board.add_filter(Select('region', 'region', default='West'))\n"
        "board.add_chart('units', 'Units', kind=Line(x='date', y='units'))\n"
        "board.add_chart('sold', 'Sold', kind=Line(x='date', y='unit'))\n",
    )
    gone = orders.write(
        "gone.py",
        "from databoard import Dashboard\n\n"
        "board = Dashboard('gone', title='Gone')\n"
        "board.add_dataset('gone', source='data/gone.csv')\n",
    )
    assert check(gone)[1].startswith(f"{gone}:4: dataset 'gone': data/gone.csv: no such file")
    code, output = check(path)
    assert code == 1
    assert f"{path}:9: chart 'sold': unknown column 'unit'; did you mean 'units'?" in output
    assert f"{path}:6: filter 'day': unknown column 'dya'" in output
    assert (
        f"{path}:7: filter 'region': default 'West' is not among the options "
        "(East, North, South)" in output
    )


def test_numbers_out_of_range_point_at_their_line(orders):
    text = GOOD + (
        "  - id: rows\n"
        "    title: Rows\n"
        "    kind: table\n"
        "    max_rows: -5\n"
        "  - id: wide\n"
        "    title: Wide\n"
        "    kind: pie\n"
        "    names: region\n"
        "    width: 13\n"
    )
    path = orders.write("orders.yaml", text)
    code, output = check(orders.root)
    assert code == 1
    assert (
        f"{path}:11: chart 'rows': kind 'table': max_rows must be a whole number of at "
        "least 1, not -5" in output
    )
    assert f"{path}:16: chart 'wide': width must be a whole number from 1 to 12, not 13" in output


def test_each_problem_is_said_once(orders):
    text = "title: T\ndatasets: [a, b]\ncharts: []\n"
    path = orders.write("orders.yaml", text)
    code, output = check(orders.root)
    assert f"{path}:2: datasets: Input should be a valid dictionary" in output
    assert f"{path}:3: charts: give at least one" in output
    assert "2 problems found" in output


def test_dataset_numbers_and_reader_options_point_at_their_line(orders):
    text = GOOD.replace(
        "  orders: {source: data/orders.csv}\n",
        "  orders:\n    source: data/orders.csv\n    options: {sepp: ','}\n"
        "  remote:\n    connection: duckdb:///db.duckdb\n    table: t\n    timeout: -1\n",
    )
    path = orders.write("orders.yaml", text)
    code, output = check(orders.root)
    assert code == 1
    assert (
        f"{path}:5: dataset 'orders': add_dataset(): unknown keyword 'sepp'; did you mean "
        "'sep'?" in output
    )
    assert (
        f"{path}:9: dataset 'remote': timeout must be a number of seconds above 0, not -1" in output
    )

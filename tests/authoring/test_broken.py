"""A site that is not strict serves its good dashboards and shows the broken ones' problems;
a strict one refuses to start. A folder of ``databoard new`` folders is a site."""

from __future__ import annotations

import re
from html import unescape

import pandas as pd
import pytest

from databoard.authoring import scaffold
from databoard.authoring.problems import InvalidDashboards

from support import ORDERS_CSV

GOOD = """\
title: Orders
datasets:
  orders: {source: data/orders.csv}
charts:
  - {id: by-region, title: By region, kind: bar, x: region, y: revenue}
"""
#: a chart column that is markup: the problem quotes it, and the page must escape it
BAD_COLUMN = GOOD.replace("title: Orders", "title: Bad").replace("y: revenue", "y: <b>revenu</b>")
BROKEN_PYTHON = "from databoard import Dashboard\n\nboard = Dashboard('py', title='Py')\n1 / 0\n"


@pytest.fixture
def mixed(folder):
    """A folder of one good dashboard, a YAML file with a bad column, a Python file that
    raises, a YAML file that is not YAML and one with a misspelt key."""
    folder.write("data/orders.csv", ORDERS_CSV)
    folder.write("orders.yaml", GOOD)
    folder.write("bad.yaml", BAD_COLUMN)
    folder.write("raises.py", BROKEN_PYTHON)
    folder.write("garbled.yaml", "slug: mangled\ntitle: [\n")
    folder.write("misspelt.yaml", GOOD.replace("title:", "slug: spelling\ntitel:", 1))
    return folder


def problems_on(html: str) -> list[str]:
    """Return each problem a page lists, as ``where message`` in plain text."""
    items = re.findall(
        r'<code class="problem-where">(.*?)</code> <span class="problem-message">(.*?)</span>',
        html,
        re.S,
    )
    return [f"{unescape(where)} {unescape(message)}" for where, message in items]


def test_strict_refuses_every_problem_at_once(mixed):
    with pytest.raises(InvalidDashboards) as error:
        mixed.app()  # STRICT is the default of the app (and of production)
    assert len(error.value.problems) == 5


def test_the_good_dashboard_serves_and_the_index_lists_the_broken(mixed):
    client = mixed.app(STRICT=False).test_client()
    figure = client.get("/api/v1/dashboards/orders/charts/by-region").get_json()
    by_region = pd.read_csv(mixed.root / "data" / "orders.csv").groupby("region")["revenue"].sum()
    (trace,) = figure["data"]
    assert dict(zip(trace["x"], trace["y"], strict=True)) == by_region.to_dict()

    index = client.get("/")
    assert index.status_code == 200
    assert '<a class="stretched-link" href="/d/orders">Orders</a>' in index.text
    cards = dict(re.findall(r'data-broken="([^"]+)"(.*?)</ol>', index.text, re.S))
    # a dashboard that was made keeps its slug and title; a file that made none is
    # named by the slug it declares, or by its file name
    assert sorted(cards) == ["bad", "garbled", "raises", "spelling"]
    assert ">Bad</a>" in cards["bad"]
    assert problems_on(cards["bad"]) == [
        "site/bad.yaml:5 chart 'by-region': unknown column '<b>revenu</b>'; did you mean "
        "'revenue'? (columns: date, region, product, units, revenue)"
    ]
    assert "<b>revenu" not in index.text  # escaped
    assert problems_on(cards["raises"]) == [
        "site/raises.py:4 cannot import: ZeroDivisionError: division by zero"
    ]
    (garbled,) = problems_on(cards["garbled"])
    assert garbled.startswith("site/garbled.yaml:3 not valid YAML")
    assert problems_on(cards["spelling"]) == [
        "site/misspelt.yaml:1 title: required",
        "site/misspelt.yaml:2 unknown key 'titel'",
    ]


def test_a_broken_dashboard_answers_its_problems(mixed):
    client = mixed.app(STRICT=False).test_client()
    page = client.get("/d/bad")
    assert page.status_code == 503
    assert "Bad: 1 problem to fix" in page.text
    assert problems_on(page.text)[0].startswith("site/bad.yaml:5 chart 'by-region'")
    assert "<b>revenu" not in page.text
    for path in ("/api/v1/dashboards/bad", "/api/v1/dashboards/bad/charts/by-region"):
        answer = client.get(path)
        assert answer.status_code == 503
        error = answer.get_json()["error"]
        assert error["message"] == "dashboard 'bad' is not served: 1 problem"
        (problem,) = error["problems"]
        assert problem["file"] == str((mixed.root / "bad.yaml").resolve())
        assert problem["line"] == 5
        assert problem["message"].startswith("chart 'by-region': unknown column '<b>revenu</b>'")
    assert client.get("/d/nothing").status_code == 404


def test_readyz_lists_the_broken_and_stays_ready_for_the_others(mixed):
    client = mixed.app(STRICT=False).test_client()
    answer = client.get("/readyz")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["status"] == "degraded"
    assert body["dashboards"] == ["orders"]
    assert sorted(b["slug"] for b in body["broken"]) == ["bad", "garbled", "raises", "spelling"]
    assert {b["file"] for b in body["broken"]} == {
        str((mixed.root / name).resolve())
        for name in ("bad.yaml", "raises.py", "garbled.yaml", "misspelt.yaml")
    }
    (bad,) = [b for b in body["broken"] if b["slug"] == "bad"]
    assert bad["problems"][0].endswith(
        "bad.yaml:5: chart 'by-region': unknown column '<b>revenu</b>'; did you mean "
        "'revenue'? (columns: date, region, product, units, revenue)"
    )


def test_readyz_is_503_when_nothing_serves(folder):
    folder.write("data/orders.csv", ORDERS_CSV)
    folder.write("bad.yaml", BAD_COLUMN)
    client = folder.app(STRICT=False).test_client()
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json()["problems"][0] == "no dashboard is loaded"
    assert "unknown column '<b>revenu</b>'" in answer.get_json()["problems"][1]
    # a site of one goes straight to it, broken or not
    assert client.get("/").headers["Location"] == "/d/bad"


def test_a_private_sites_broken_dashboards_are_private_too(mixed):
    config = {"ACCESS": '{"groups": ["staff"]}', "PROXY_AUTH": True, "PROXY_COUNT": 1}
    client = mixed.app(STRICT=False, **config).test_client()
    assert client.get("/api/v1/dashboards/bad").status_code == 401
    assert client.get("/api/v1/dashboards/raises").status_code == 401
    assert "data-broken" not in client.get("/").text
    staff = {"X-Forwarded-User": "kim", "X-Forwarded-Groups": "staff"}
    assert client.get("/api/v1/dashboards/bad", headers=staff).status_code == 503
    assert 'data-broken="raises"' in client.get("/", headers=staff).text


def test_a_folder_of_new_folders_is_a_site(folder):
    for name in ("north-shop", "South_Shop"):
        scaffold.create(folder.root / name)
    scaffold.create(folder.root / "python", "python")
    (folder.root / "notes").mkdir()  # a folder without a dashboard file is no dashboard
    client = folder.app().test_client()
    listed = client.get("/api/v1/dashboards").get_json()["dashboards"]
    # YAML takes its folder's name; a Python dashboard keeps the slug it declares
    assert [d["slug"] for d in listed] == ["north-shop", "python", "south-shop"]
    sales = pd.read_csv(folder.root / "South_Shop" / "data" / "sales.csv")
    # the KPI's value is the total of the latest month (its "x" column), as read by pandas
    latest = sales[sales["month"] == sales["month"].max()]
    kpi = client.get("/api/v1/dashboards/south-shop/charts/revenue-total").get_json()
    assert kpi["data"][0]["value"] == pytest.approx(latest["revenue"].sum())
    assert client.get("/d/north-shop").status_code == 200


def test_a_dashboard_yaml_takes_its_folders_name(folder):
    folder.write("shop/data/orders.csv", ORDERS_CSV)
    folder.write("shop/dashboard.yaml", GOOD)
    client = folder.app(folder.root / "shop").test_client()
    assert client.get("/").headers["Location"] == "/d/shop"
    assert client.get("/d/shop").status_code == 200


def test_python_dashboards_in_folders_each_import_their_own_helpers(folder):
    for name in ("north", "south"):
        folder.write(f"{name}/data/orders.csv", ORDERS_CSV)
        folder.write(f"{name}/helpers.py", f"TITLE = {name.title()!r}\n")
        folder.write(
            f"{name}/dashboard.py",
            "from databoard import Dashboard, Kpi\nfrom helpers import TITLE\n\n"
            f"board = Dashboard({name!r}, title=TITLE)\n"
            "board.add_dataset('orders', source='data/orders.csv')\n"
            "board.add_chart('total', 'Total', kind=Kpi('revenue'))\n",
        )
    listed = folder.app().test_client().get("/api/v1/dashboards").get_json()["dashboards"]
    assert [(d["slug"], d["title"]) for d in listed] == [("north", "North"), ("south", "South")]

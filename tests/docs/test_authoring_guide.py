"""The authoring guide's examples run, and it documents every kind and option."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from databoard import create_app
from databoard.charts.kinds import KINDS
from databoard.cli import main
from databoard.filters import FILTER_KINDS

from support import ROOT

GUIDE = (ROOT / "docs" / "authoring.md").read_text()
FILES = re.findall(r"<!-- file: (\S+) -->\n```\w*\n(.*?)```", GUIDE, re.S)
EXAMPLES = sorted({name.split("/")[0] for name, _ in FILES})


@pytest.fixture(scope="module")
def examples(tmp_path_factory):
    root = tmp_path_factory.mktemp("guide")
    for name, text in FILES:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_the_guide_has_examples():
    assert EXAMPLES == ["drill", "engine", "explore", "orders", "play", "python", "wide"]


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_checks_clean_and_every_chart_draws(examples, example):
    result = CliRunner().invoke(main, ["check", str(examples / example)])
    assert result.exit_code == 0, result.output
    client = create_app({"TESTING": True, "DASHBOARD": str(examples / example)}).test_client()
    for board in client.get("/api/v1/dashboards").get_json()["dashboards"]:
        detail = client.get(board["api_url"]).get_json()
        for chart in detail["charts"]:
            figure = client.get(chart["url"]).get_json()
            assert figure["data"], chart["id"]
        assert client.get(board["url"]).status_code == 200


def test_the_engine_example_computes_in_duckdb(examples):
    import pandas as pd

    readings = pd.read_csv(examples / "engine" / "data" / "readings.csv")
    client = create_app({"TESTING": True, "DASHBOARD": str(examples / "engine")}).test_client()
    figure = client.get("/api/v1/dashboards/engine/charts/mean?site=north").get_json()
    assert figure["data"][0]["y"] == [readings.loc[readings.site == "north", "reading"].mean()]


def test_the_wide_example_keeps_the_gap(examples):
    client = create_app({"TESTING": True, "DASHBOARD": str(examples / "wide")}).test_client()
    figure = client.get("/api/v1/dashboards/wide/charts/scores").get_json()
    blue = next(t for t in figure["data"] if t["name"] == "Blue")
    assert blue["y"] == [8.0, None, 11.0]


def kind_rows() -> dict[str, str]:
    rows = re.findall(r"^\| `(\w+)` \| (.*) \|$", GUIDE, re.M)
    return dict(rows)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_chart_kind_and_option_is_documented(kind):
    row = kind_rows()[kind]
    documented = set(re.findall(r"`(\w+)`", row))
    if "as `line`" in row:
        documented |= set(re.findall(r"`(\w+)`", kind_rows()["line"]))
    options = set(KINDS[kind].options())
    assert options - documented == set()


@pytest.mark.parametrize("kind", sorted(FILTER_KINDS))
def test_every_filter_kind_is_documented(kind):
    assert f"| `{kind}` |" in GUIDE

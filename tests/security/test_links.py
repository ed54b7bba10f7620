"""Author links (attribution_url, license_url): only http, https and mailto pass check."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from databoard import create_app
from databoard.cli import main
from databoard.security.links import check_link

from support import ORDERS_CSV

YAML = """\
title: Orders
attribution: Us
attribution_url: {attribution}
license: CC BY 4.0
license_url: {license}
datasets:
  orders: {{source: orders.csv}}
charts:
  - {{id: by-region, title: By region, kind: bar, x: region, y: revenue}}
"""

PYTHON = """\
from databoard import Bar, Dashboard

board = Dashboard(
    "py",
    title="Py",
    attribution="Us",
    attribution_url={attribution!r},
)
board.add_dataset("orders", source="orders.csv")
board.add_chart("by-region", "By region", kind=Bar(x="region", y="revenue"))
"""

BAD = [
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "https://exa mple.org",
    "https://example.org/\nx",
    "//evil.example/x",
    "/relative/path",
    "ftp://example.org/data",
]
GOOD = ["", "https://example.org/data?x=1#y", "http://example.org", "mailto:data@example.org"]


@pytest.mark.parametrize("url", BAD)
def test_unsafe_links_are_refused(url):
    with pytest.raises(ValueError, match="not an http, https or mailto URL"):
        check_link(url, "attribution_url")


@pytest.mark.parametrize("url", GOOD)
def test_safe_links_pass(url):
    assert check_link(url) == url


def check(path):
    result = CliRunner().invoke(main, ["check", str(path)])
    return result.exit_code, result.output


def test_yaml_check_names_file_and_line(tmp_path):
    (tmp_path / "orders.csv").write_text(ORDERS_CSV)
    text = YAML.format(attribution='"javascript:alert(1)"', license="https://example.org/l")
    (tmp_path / "orders.yaml").write_text(text)
    code, output = check(tmp_path)
    assert code == 1
    assert f"{tmp_path / 'orders.yaml'}:3: attribution_url:" in output
    assert "'javascript:alert(1)' is not an http, https or mailto URL" in output
    text = YAML.format(attribution="mailto:us@example.org", license='"data:text/html,x"')
    (tmp_path / "orders.yaml").write_text(text)
    code, output = check(tmp_path)
    assert code == 1 and "orders.yaml:5: license_url:" in output


def test_python_check_names_file_and_line(tmp_path):
    (tmp_path / "orders.csv").write_text(ORDERS_CSV)
    (tmp_path / "board.py").write_text(PYTHON.format(attribution="javascript:alert(1)"))
    code, output = check(tmp_path / "board.py")
    assert code == 1
    assert f"{tmp_path / 'board.py'}:3:" in output
    assert "attribution_url: 'javascript:alert(1)' is not an http, https or mailto URL" in output


def test_a_link_set_after_the_dashboard_is_made_is_checked_too(tmp_path):
    (tmp_path / "orders.csv").write_text(ORDERS_CSV)
    text = PYTHON.format(attribution="https://example.org")
    (tmp_path / "board.py").write_text(text + 'board.license_url = "javascript:alert(1)"\n')
    code, output = check(tmp_path / "board.py")
    assert code == 1
    assert "license_url: 'javascript:alert(1)' is not an http, https or mailto URL" in output


def test_safe_links_are_rendered(tmp_path):
    (tmp_path / "orders.csv").write_text(ORDERS_CSV)
    text = YAML.format(attribution="mailto:us@example.org", license="https://example.org/l")
    (tmp_path / "orders.yaml").write_text(text)
    app = create_app({"TESTING": True, "DASHBOARD": str(tmp_path)})
    html = app.test_client().get("/d/orders").get_data(as_text=True)
    assert '<a href="mailto:us@example.org">Us</a>' in html
    assert '<a href="https://example.org/l">CC BY 4.0</a>' in html

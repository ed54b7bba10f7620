"""The one error handler: JSON on API paths, a page elsewhere, the exception's headers
kept, and unexpected exceptions left to the debugger in debug mode."""

from __future__ import annotations

import pytest

from databoard import create_app

API = "/api/v1/dashboards/worldbank"


@pytest.mark.parametrize(
    "path", [f"{API}/charts/arable-land", f"{API}/charts/arable-land/data.csv"]
)
def test_405_keeps_allow_and_answers_json(client, path):
    response = client.post(path)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert response.get_json() == {
        "error": {"status": 405, "message": response.get_json()["error"]["message"]}
    }
    assert "not allowed" in response.get_json()["error"]["message"]


def test_405_on_a_page_keeps_allow_and_shows_the_page(client):
    response = client.post("/d/worldbank")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.mimetype == "text/html"
    assert "405" in response.get_data(as_text=True)


def board_app(tmp_path, **config):
    """An app serving a one-chart dashboard, with a route that fails unexpectedly."""
    (tmp_path / "rows.csv").write_text("x,y\n1,2\n2,3\n")
    (tmp_path / "board.yaml").write_text(
        "title: Tiny\ndatasets:\n  rows: {source: rows.csv}\n"
        "charts:\n  - {id: c, title: C, kind: line, x: x, y: y}\n"
    )
    app = create_app({"DASHBOARD": str(tmp_path / "board.yaml"), "CACHE_WARM": False, **config})

    @app.get("/api/v1/fails")
    def fails():
        raise RuntimeError("a bug")

    return app


def test_an_unexpected_error_is_a_json_500_without_the_traceback(tmp_path, caplog):
    response = board_app(tmp_path).test_client().get("/api/v1/fails")
    assert response.status_code == 500
    assert response.get_json()["error"]["status"] == 500
    assert "a bug" not in response.get_data(as_text=True)
    assert "a bug" in caplog.text


def test_debug_mode_leaves_an_unexpected_error_to_the_debugger(tmp_path):
    app = board_app(tmp_path, DEBUG=True)
    assert app.debug
    with pytest.raises(RuntimeError, match="a bug"):
        app.test_client().get("/api/v1/fails")

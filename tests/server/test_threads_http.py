"""Many threads of one gunicorn worker answer what a single-threaded render gives."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import requests
from werkzeug.datastructures import MultiDict

from databoard.site import load_site
from databoard.web.views import figure_body

from support import bin_path, free_port, running, views


def test_production_threads_answer_what_one_render_gives(tmp_path):
    board = load_site("databoard.dashboards.worldbank")[0].dashboards["worldbank"]
    jobs = [(chart_id, tuple(pairs)) for pairs in views(board, 20) for chart_id in board.charts]
    expected = {
        job: figure_body(
            board, job[0], board.render(job[0], board.parse_view(MultiDict(job[1]))).figure
        )
        for job in jobs
    }
    port = free_port()
    env = {
        "DATABOARD_SECRET_KEY": "threads-test-" + "k" * 32,
        "DATABOARD_CACHE_TYPE": "NullCache",  # every request renders
        "DATABOARD_CACHE_WARM": "false",
        "DATABOARD_LOG_LEVEL": "warning",  # the output is not read while it runs
        "GUNICORN_CMD_ARGS": "--threads 8",
    }
    command = [bin_path("databoard"), "serve", "--production", "--workers", "1"]
    command += ["--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    with running(command, url, env=env, cwd=tmp_path), requests.Session() as session:
        adapter = requests.adapters.HTTPAdapter(pool_maxsize=8)
        session.mount("http://", adapter)

        def fetch(job):
            chart_id, pairs = job
            path = f"/api/v1/dashboards/worldbank/charts/{chart_id}?{urlencode(pairs)}"
            response = session.get(url + path, timeout=60)
            assert response.status_code == 200, path
            assert response.headers["X-Cache"] == "miss"
            return response.content

        shuffled = random.Random(8).sample(jobs, len(jobs))
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(fetch, shuffled))
    wrong = [job for job, body in zip(shuffled, answers, strict=True) if body != expected[job]]
    assert wrong == [], f"{len(wrong)} of {len(jobs)} answers differ, first: {wrong[:3]}"

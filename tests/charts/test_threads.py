"""Rendering from many threads at once gives the same bytes as rendering alone.

Chart kinds, filters and dashboards are built at load and shared by every thread of a
worker; a render that kept anything of its own on them would hand one view's values to
another's figure. Every chart of the World Bank dashboard and of the guide's examples is
drawn for 24 views, first one at a time, then from 8 threads at once, with the
interpreter switching threads far more often than it does by default.
"""

from __future__ import annotations

import random
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from werkzeug.datastructures import MultiDict

from databoard.charts import encode
from databoard.site import load_site

from support import guide_examples, views

THREADS = 8
VIEWS = 24


@pytest.fixture(scope="module")
def boards(tmp_path_factory):
    examples = guide_examples(tmp_path_factory.mktemp("guide"))
    targets = ["databoard.dashboards.worldbank", *map(str, examples.values())]
    return [board for target in targets for board in load_site(target)[0].dashboards.values()]


def draw(board, chart_id: str, pairs) -> bytes:
    """Return the figure JSON and the rows behind it, as the API and downloads send them."""
    result = board.render(chart_id, board.parse_view(MultiDict(pairs)))
    return encode.dumps(result.figure) + result.frame.to_csv(index=False).encode()


@pytest.mark.slow  # about 20 s
def test_eight_threads_draw_what_one_draws(boards):
    seen = [sorted({tuple(pairs) for pairs in views(board, VIEWS)}) for board in boards]
    # every dashboard with a filter is seen in several views
    assert min(len(found) for found, b in zip(seen, boards, strict=True) if b.filters) >= 2
    assert len(seen[0]) >= 20  # the World Bank dashboard
    jobs = [
        (i, chart_id, pairs)
        for i, board in enumerate(boards)
        for pairs in seen[i]
        for chart_id in board.charts
    ]
    alone = {job: draw(boards[i], chart_id, pairs) for job in jobs for i, chart_id, pairs in [job]}
    shuffled = jobs * 2
    random.Random(8).shuffle(shuffled)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(THREADS) as pool:
            together = list(pool.map(lambda job: draw(boards[job[0]], *job[1:]), shuffled))
    finally:
        sys.setswitchinterval(interval)
    wrong = [
        f"{boards[i].slug}/{chart_id}?{pairs}"
        for (i, chart_id, pairs), body in zip(shuffled, together, strict=True)
        if body != alone[(i, chart_id, pairs)]
    ]
    assert wrong == [], f"{len(wrong)} of {len(shuffled)} answers differ: {wrong[:5]}"


def test_a_kind_keeps_nothing_from_a_render():
    from databoard.charts.kinds import Scatter
    from databoard.frozen import FrozenError

    kind = Scatter(x="gdp", y="life", size="population")
    with pytest.raises(FrozenError, match="Scatter._sizeref cannot change after load"):
        kind._sizeref = 1.0


def test_a_loaded_dashboard_and_its_filters_are_sealed(boards):
    from databoard.frozen import FrozenError

    board = boards[0]
    with pytest.raises(FrozenError):
        board.version = "other"
    with pytest.raises(FrozenError):
        board.filters["country"].options = ()

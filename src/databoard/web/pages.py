"""HTML pages: the site index and each dashboard, rendered with its figures inline."""

from __future__ import annotations

import functools
import time

import orjson
from flask import Blueprint, Flask, redirect, render_template, request, url_for

from ..charts import encode
from ..dashboard import ChartError
from ..dashboard.explore import linked_options
from ..dashboard.layout import card_controls, scopes
from ..filters import param_text
from ..site import Drawn, get_site
from . import auth, cache, live
from .errors import log_failure
from .views import DashboardView, dashboard_detail, figure_body, figure_json

bp = Blueprint("pages", __name__)
bp.add_app_template_filter(param_text, "param")


@bp.get("/")
def index():
    """List the dashboards, and those with problems with their problems; a site of one
    goes straight to it."""
    site = get_site()
    slugs = [*site.dashboards, *(b.slug for b in site.broken)]
    if len(slugs) == 1:
        return redirect(url_for("pages.dashboard", slug=slugs[0]))
    shown = [board for board in site.dashboards.values() if auth.may_see(board)]
    broken = [b for b in site.broken if auth.may_see(b.board)]
    return render_template("index.html", dashboards=shown, broken=broken)


@bp.get("/d/<slug>")
def dashboard(slug: str):
    """Render a dashboard for the view in the query string, every figure inline.

    The first paint needs no further request; the page's script then takes over and
    redraws only the charts a filter change affects. The page is cached per view, and
    each figure in it is the chart API's cached answer, so a page for a new view only
    computes the charts whose filters changed.
    """
    return cache.respond(*_page(DashboardView.from_query(slug)))


def _page(req: DashboardView) -> tuple[cache.Answer, bool]:
    # A page names who is signed in, so each viewer has their own copy; in development
    # it holds the site's change token (see .live), so each load of the site has its own.
    state = [
        *req.view.query(),
        ("script_root", request.script_root),
        ("viewer", auth.viewer_key()),
        ("live", live.token()),
    ]
    key = cache.key(req.dashboard, "page", state)
    return cache.answer(key, lambda: _render(req), "text/html")


def _render(req: DashboardView) -> str:
    board = req.dashboard
    state = dashboard_detail(board) | {
        "query": req.query_string(),
        "view": dict(req.view),
        # the first paint's linked options come with the page, as its figures do
        "linked": linked_options(board, req.view),
    }
    figures = {cid: orjson.Fragment(_figure(req, cid)) for cid in board.charts}
    return render_template(
        "dashboard.html",
        board=board,
        view=req.view,
        state_json=figure_json(state | {"figures": figures}),
        chart_queries={
            cid: req.query_string(board.chart_filters(chart)) for cid, chart in board.charts.items()
        },
        as_of={cid: board.data_as_of(chart) for cid, chart in board.charts.items()},
        updated=sorted({(c.source, c.updated) for c in board.charts.values() if c.updated}),
        scopes=scopes(board),
        card_controls=card_controls(board),
    )


def _figure(req: DashboardView, chart_id: str) -> bytes:
    """Return a chart's figure JSON, or an error for its card: one failing chart
    does not take the page down with it."""
    try:
        return req.figure(chart_id)[0].body
    except ChartError as error:
        log_failure(error)
        return encode.dumps({"error": error.message})


def warm(app: Flask, drawn: Drawn) -> None:
    """Cache each dashboard's default view, page and figures, under the keys requests use.

    :param drawn: the figures the start-up check drew for the default views; they are
        cached as they are, not drawn again.
    """
    start = time.perf_counter()
    boards = app.extensions["databoard"].dashboards
    for slug in boards:
        base = "http://localhost" + app.config["URL_PREFIX"] + "/"
        with app.test_request_context(f"/d/{slug}", base_url=base):
            req = DashboardView.from_query(slug)
            for chart_id, result in drawn.get(slug, {}).items():
                key = req.cache_key(chart_id, "figure")
                make = functools.partial(figure_body, req.dashboard, chart_id, result.figure)
                cache.answer(key, make, "application/json")
            _page(req)
    app.logger.info("cached %d default view(s) in %.2f s", len(boards), time.perf_counter() - start)

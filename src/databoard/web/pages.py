"""HTML pages: the site index and each dashboard, rendered with its figures inline."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for

from ..site import get_site
from .views import Request, dashboard_detail, figure_json

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    """List the dashboards; a site of one goes straight to it."""
    site = get_site()
    if len(site.dashboards) == 1:
        return redirect(url_for("pages.dashboard", slug=next(iter(site.dashboards))))
    return render_template("index.html", dashboards=list(site.dashboards.values()))


@bp.get("/d/<slug>")
def dashboard(slug: str):
    """Render a dashboard for the view in the query string, every figure inline.

    The first paint needs no further request; the page's script then takes over and
    redraws only the charts a filter change affects.
    """
    req = Request.from_request(slug)
    board = req.dashboard
    figures = {cid: req.render(cid).figure for cid in board.charts}
    state = dashboard_detail(board) | {
        "query": req.query_string(),
        "view": dict(req.view),
        "figures": figures,
    }
    response = current_app.make_response(
        render_template(
            "dashboard.html",
            board=board,
            view=req.view,
            state_json=figure_json(state),
            chart_queries={
                cid: req.query_string(board.chart_filters(chart))
                for cid, chart in board.charts.items()
            },
            updated=sorted({(c.source, c.updated) for c in board.charts.values() if c.updated}),
        )
    )
    response.headers["Cache-Control"] = f"public, max-age={current_app.config['VIEW_MAX_AGE']}"
    return response


@bp.get("/healthz")
def healthz():
    """Answer 200 once the data is loaded (it is loaded before the app serves)."""
    site = get_site()
    return {"status": "ok", "dashboards": len(site.dashboards), "load_seconds": site.load_seconds}

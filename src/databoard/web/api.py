"""The JSON API under ``/api/v1``: the same query parameters as the pages."""

from __future__ import annotations

import functools

from flask import Blueprint, jsonify, stream_with_context

from ..charts import encode, numbers
from ..dashboard.explore import linked_options
from ..site import get_site
from . import auth, cache, downloads
from .views import DashboardView, dashboard_detail, dashboard_summary

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/dashboards")
def dashboards():
    """List the dashboards."""
    site = get_site()
    shown = [d for d in site.dashboards.values() if auth.may_see(d)]
    return jsonify({"dashboards": [dashboard_summary(d) for d in shown]})


@bp.get("/dashboards/<slug>")
def dashboard(slug: str):
    """Describe a dashboard: its filters (with options and defaults) and charts."""
    return jsonify(dashboard_detail(get_site().get(slug)))


@bp.get("/dashboards/<slug>/options")
def options(slug: str):
    """Return each choice filter's options that the other filters leave rows for, and the
    chosen values that have none (``stale``)."""
    req = DashboardView.from_query(slug)
    key = cache.key(req.dashboard, "options", req.view.query())
    make = functools.partial(_linked, req)
    return cache.respond(*cache.answer(key, make, "application/json"))


def _linked(req: DashboardView) -> bytes:
    return encode.dumps({"filters": linked_options(req.dashboard, req.view)})


@bp.get("/dashboards/<slug>/charts/<chart_id>")
def chart(slug: str, chart_id: str):
    """Return the chart's Plotly figure JSON for the filters in the query string."""
    return cache.respond(*DashboardView.from_query(slug).figure(chart_id))


@bp.get("/dashboards/<slug>/figures/<path:ids>")
def figures(slug: str, ids: str):
    """Return the figures of several charts (ids separated by ``/``) for one view, as JSON
    lines in the order asked, each sent as soon as it is made.

    A view change asks once for every chart it redraws: one request instead of one per
    chart, made one after another, so the first figure is drawn while the next is made.
    Each figure is the chart's own answer (from the same cache); a chart that fails gets
    an ``error`` line and the others still come.
    """
    req = DashboardView.from_query(slug)
    charts = [req.dashboard.get_chart(chart_id).id for chart_id in dict.fromkeys(ids.split("/"))]
    lines = stream_with_context(req.figure_line(chart_id) for chart_id in charts)
    return cache.stream_lines(lines, "application/x-ndjson")


def _provenance(req: DashboardView, chart_id: str) -> dict:
    chart = req.dashboard.get_chart(chart_id)
    names = req.dashboard.chart_filters(chart)
    return {
        "dashboard": req.dashboard.slug,
        "chart": chart.id,
        "title": chart.title,
        "filters": req.query_string(names),
        "source": chart.source,
        "updated": chart.updated,
        "data_as_of": req.dashboard.data_as_of(chart),
        "unit": chart.unit,
        "attribution": req.dashboard.attribution,
        "license": req.dashboard.license,
    }


@bp.get("/dashboards/<slug>/charts/<chart_id>/data.json")
def chart_data_json(slug: str, chart_id: str):
    """Return the rows behind a chart, with the filters, source and data date, and the
    d3-format specifier of each number column (``formats``)."""
    req = DashboardView.from_query(slug)

    def write():
        frame = req.data(chart_id)
        # How the page's Table view shows each number column (d3-format specifiers).
        given = req.dashboard.formats_of(req.dashboard.get_chart(chart_id))
        formats = {"formats": numbers.column_specs(frame, given)}
        return downloads.json_chunks(frame, _provenance(req, chart_id) | formats)

    key = req.cache_key(chart_id, "data.json")
    return downloads.respond(key, write, "application/json")


@bp.get("/dashboards/<slug>/charts/<chart_id>/data.csv")
def chart_data_csv(slug: str, chart_id: str):
    """Return the rows behind a chart as CSV, after ``#`` lines saying where they come from.

    Text cells a spreadsheet would run as a formula are escaped
    (:mod:`databoard.security.formulas`).
    """
    req = DashboardView.from_query(slug)

    def write():
        return downloads.csv_chunks(req.data(chart_id), _provenance(req, chart_id))

    disposition = ("Content-Disposition", f'attachment; filename="{slug}-{chart_id}.csv"')
    key = req.cache_key(chart_id, "data.csv")
    return downloads.respond(key, write, "text/csv", [disposition])

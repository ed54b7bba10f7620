"""The one data path behind pages and API: a dashboard's view and its charts."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import pandas as pd
from flask import current_app, request, url_for

from ..charts import encode
from ..dashboard import ChartResult, Dashboard, View
from ..dashboard.explore import click_target, link_target
from ..site import get_site
from . import cache, errors


@dataclass
class DashboardView:
    """A dashboard with the view the query string asks for: what pages and API answer."""

    dashboard: Dashboard
    view: View

    @classmethod
    def from_query(cls, slug: str) -> DashboardView:
        """Return dashboard *slug* with the view in the current request's query string."""
        dashboard = get_site().get(slug)
        return cls(dashboard, dashboard.parse_view(request.args))

    def render(self, chart_id: str) -> ChartResult:
        """Draw the chart for this view."""
        config = current_app.config
        return self.dashboard.render(chart_id, self.view, config["MAX_POINTS"], config["ROW_LIMIT"])

    def data(self, chart_id: str) -> pd.DataFrame:
        """Return the rows behind the chart for this view, without drawing it."""
        return self.dashboard.data(chart_id, self.view, current_app.config["ROW_LIMIT"])

    def query_string(self, names=None) -> str:
        return urlencode(self.view.query(names))

    def cache_key(self, chart_id: str, what: str) -> str:
        """Return the cache key of the chart's *what* (figure, data.csv, ...) in this view.

        Only the filters the chart follows count, so a change of another filter (the map
        year, say) still finds this chart's answer.
        """
        chart = self.dashboard.get_chart(chart_id)
        state = self.view.query(self.dashboard.chart_filters(chart))
        state.append(("max_points", str(current_app.config["MAX_POINTS"])))
        state.append(("row_limit", str(current_app.config["ROW_LIMIT"])))
        return cache.key(self.dashboard, f"{what}/{chart_id}", state)

    def figure(self, chart_id: str) -> tuple[cache.Answer, bool]:
        """Return the chart's figure JSON, from the cache if it is there."""
        return cache.answer(
            self.cache_key(chart_id, "figure"),
            lambda: figure_body(self.dashboard, chart_id, self.render(chart_id).figure),
            "application/json",
        )

    def figure_line(self, chart_id: str) -> bytes:
        """Return the chart's figure as a line of JSON: ``{"id", "figure"}``, or ``{"id",
        "error"}`` with the error the chart's own answer would have (logged the same)."""
        key = self.cache_key(chart_id, "figure")
        try:
            made = cache.body(
                key,
                lambda: figure_body(self.dashboard, chart_id, self.render(chart_id).figure),
                "application/json",
            )
        except Exception as error:  # one chart's failure is its line's, not the others'
            return encode.dumps({"id": chart_id} | errors.reported(error).to_dict()) + b"\n"
        return b'{"id":' + encode.dumps(chart_id) + b',"figure":' + made + b"}\n"


def figure_body(board: Dashboard, chart_id: str, figure: dict) -> bytes:
    """Return a chart's figure as the API sends it: with the date its data is as of."""
    as_of = board.data_as_of(board.get_chart(chart_id))
    return encode.dumps(figure | {"data_as_of": as_of} if as_of else figure)


def _link(chart) -> dict | None:
    target = link_target(chart, get_site().dashboards)
    if target is not None:
        target["url"] = url_for("pages.dashboard", slug=target["dashboard"])
    return target


def figure_json(figure: dict) -> str:
    """Encode a figure dict as JSON (NaN as null, safe to inline in HTML)."""
    return encode.dumps(figure).decode()


def dashboard_summary(dashboard: Dashboard) -> dict:
    return {
        "slug": dashboard.slug,
        "title": dashboard.title,
        "description": dashboard.description,
        "url": url_for("pages.dashboard", slug=dashboard.slug),
        "api_url": url_for("api.dashboard", slug=dashboard.slug),
    }


def dashboard_detail(dashboard: Dashboard) -> dict:
    charts = []
    for chart in dashboard.charts.values():
        charts.append(
            chart.describe()
            | {
                "filters": dashboard.chart_filters(chart),
                "click": click_target(dashboard, chart),
                "link": _link(chart),
                "url": url_for("api.chart", slug=dashboard.slug, chart_id=chart.id),
            }
        )
    return dashboard_summary(dashboard) | {
        "attribution": dashboard.attribution,
        "attribution_url": dashboard.attribution_url,
        "license": dashboard.license,
        "license_url": dashboard.license_url,
        "filters": [
            f.describe() | {"drives": [c.id for c in dashboard.driven_by(name)]}
            for name, f in dashboard.filters.items()
        ],
        "options_url": url_for("api.options", slug=dashboard.slug),
        # the figures of several charts: this, then their ids separated by "/"
        "figures_url": url_for("api.dashboard", slug=dashboard.slug) + "/figures/",
        "charts": charts,
    }

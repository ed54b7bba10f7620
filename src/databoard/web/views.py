"""The one data path behind pages and API: a dashboard's view and its charts."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import request, url_for
from plotly.io.json import to_json_plotly

from ..dashboard import ChartResult, Dashboard, View
from ..site import get_site


@dataclass
class Request:
    """A dashboard with the view the query string asks for."""

    dashboard: Dashboard
    view: View

    @classmethod
    def from_request(cls, slug: str) -> Request:
        dashboard = get_site().get(slug)
        return cls(dashboard, dashboard.parse_view(request.args))

    def render(self, chart_id: str) -> ChartResult:
        return self.dashboard.render(chart_id, self.view)

    def query_string(self, names=None) -> str:
        return urlencode(self.view.query(names))


def figure_json(figure: dict) -> str:
    """Encode a figure dict as JSON (NaN as null, safe to inline in HTML)."""
    return to_json_plotly(figure)


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
                "url": url_for("api.chart", slug=dashboard.slug, chart_id=chart.id),
            }
        )
    return dashboard_summary(dashboard) | {
        "attribution": dashboard.attribution,
        "attribution_url": dashboard.attribution_url,
        "license": dashboard.license,
        "license_url": dashboard.license_url,
        "filters": [f.describe() for f in dashboard.filters.values()],
        "charts": charts,
    }

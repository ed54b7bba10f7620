"""{title}: a databoard dashboard written in Python.

Check it with ``databoard check {folder}`` and serve it with
``databoard serve {folder} --debug``; the authoring guide (docs/authoring.md) lists every
chart kind and option.
"""

import plotly.express as px

from databoard import Dashboard, Kpi, Line, MultiSelect, Range, Select

board = Dashboard(
    "{slug}",
    title="{title}",
    description="Monthly sales by region and product (made-up sample data; replace it with yours).",
)

# A dataset read from a file next to this one; a function returning a DataFrame works too.
board.add_dataset("sales", source="data/sales.csv", dates=["month"])

board.add_filter(MultiSelect("region", "region"))
board.add_filter(Range("month", "month", params=("from", "to")))
board.add_filter(Select("product", "product"))

board.add_chart("revenue-total", "Revenue", kind=Kpi("revenue", x="month", prefix="$"))
board.add_chart(
    "revenue-by-month",
    "Revenue by month",
    kind=Line(x="month", y="revenue", color="region", aggregate="sum", trendline=True),
    unit="US$",
)


@board.chart("price-vs-units", "Price against units")
def price_vs_units(frame, view):
    """Any Plotly figure works: the function gets the filtered rows and the view."""
    return px.scatter(frame, x="units", y="price", color="region", template="plotly_white")

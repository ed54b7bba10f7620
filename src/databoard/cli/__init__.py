"""The ``databoard`` command line: a thin click group over library code."""

from __future__ import annotations

import click

from .serve import serve


@click.group()
@click.version_option(package_name="databoard")
def main():
    """Publish pandas and Plotly dashboards on the web."""


main.add_command(serve)

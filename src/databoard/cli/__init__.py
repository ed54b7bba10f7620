"""The ``databoard`` command line: a thin click group over library code."""

from __future__ import annotations

import click

from .accounts import tokens_command, users_command
from .author import check_command, new_command
from .config import config_command
from .fetch import fetch_command
from .serve import serve


@click.group()
@click.version_option(package_name="databoard")
def main():
    """Publish pandas and Plotly dashboards on the web."""


main.add_command(serve)
main.add_command(config_command)
main.add_command(check_command)
main.add_command(new_command)
main.add_command(users_command)
main.add_command(tokens_command)
main.add_command(fetch_command)

"""``databoard serve``: run the app."""

from __future__ import annotations

import click

from .. import create_app


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    envvar="DATABOARD_HOST",
    help="Interface to listen on.",
)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=int,
    envvar="DATABOARD_PORT",
    help="Port to listen on.",
)
@click.option("--debug", is_flag=True, help="Reload on code changes and show the debugger.")
def serve(host: str, port: int, debug: bool):
    """Serve the dashboards (by default the bundled World Bank dashboard)."""
    app = create_app()
    names = ", ".join(app.extensions["databoard"].dashboards)
    click.echo(f"databoard: serving {names} at http://{host}:{port}/")
    app.run(host=host, port=port, debug=debug, use_reloader=debug)

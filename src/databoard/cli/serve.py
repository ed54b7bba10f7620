"""``databoard serve``: run the app, for development or, with ``--production``, gunicorn."""

from __future__ import annotations

import logging
import os

import click
from flask import Flask

from .. import config, create_app, logs, server
from ..errors import DataboardError
from ..security.masking import mask_url

log = logging.getLogger("databoard")


@click.command()
@click.argument("path", required=False)
@click.option("--host", help="Interface to listen on.  [DATABOARD_HOST; default: 127.0.0.1]")
@click.option("--port", type=int, help="Port to listen on.  [DATABOARD_PORT; default: 8000]")
@click.option(
    "--production",
    is_flag=True,
    help="Serve with gunicorn: several workers, the data loaded once before they fork, "
    "a graceful stop on SIGTERM. Needs DATABOARD_SECRET_KEY.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    help="Worker processes with --production.  [DATABOARD_WORKERS; default: (2 x CPUs) + 1]",
)
@click.option(
    "--debug",
    is_flag=True,
    help="Reload when a dashboard file changes, in the open pages too, showing the "
    "problems until they are fixed; serve a changed data file within a second, once it is "
    "whole and passes its checks; show the debugger.",
)
@click.option(
    "--strict/--no-strict",
    default=None,
    help="Refuse to start if any dashboard has a problem, or serve the others and show "
    "each broken one as its problems.  [DATABOARD_STRICT; default: strict with "
    "--production, else not]",
)
def serve(
    path: str | None,
    host: str | None,
    port: int | None,
    production: bool,
    workers: int | None,
    debug: bool,
    strict: bool | None,
):
    """Serve the dashboards at PATH, by default the bundled World Bank dashboard.

    PATH is a dashboard module name, file or folder, as DATABOARD_DASHBOARD takes.
    Settings come from DATABOARD_* variables and a .env file (see `databoard config`);
    these options win over both.
    """
    if production and debug:
        raise click.UsageError("--debug is for development; leave it out with --production")
    if workers is not None and not production:
        raise click.UsageError("--workers needs --production")
    given = {"DASHBOARD": path, "HOST": host, "PORT": port, "WORKERS": workers, "STRICT": strict}
    if debug:
        given["LIVE_RELOAD"] = True
    overrides = {name: value for name, value in given.items() if value is not None}
    try:
        if production:
            values = server.production_config(overrides)
        else:
            loaded = config.load(overrides)
            # While developing, one broken dashboard does not keep the others (or the
            # page that shows its problems) from being served, unless asked to.
            if loaded.sources["STRICT"] == "default":
                overrides["STRICT"] = False
            values = loaded.values
    except config.ConfigError as error:
        raise click.ClickException(str(error)) from None
    logs.configure(values["LOG_LEVEL"], values["LOG_FORMAT"])
    app = _create_app(overrides, values["DASHBOARD"])
    names = ", ".join(app.extensions["databoard"].dashboards) or "no dashboard"
    url = f"http://{values['HOST']}:{values['PORT']}{values['URL_PREFIX']}/"
    if production:
        options = server.gunicorn_options(values)
        log.info("serving %s at %s with %d workers", names, url, options["workers"])
        server.Server(app, options).run()
        return
    if not debug:
        # Werkzeug's line per request would repeat the app's own access log.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    log.info("serving %s at %s (development server)", names, url)
    # A folder or file served reloads in place when it changes (databoard.web.live); the
    # server restarts for other Python code, and for a module's dashboards and data.
    root = app.extensions["databoard.live"].root if debug else None
    app.run(
        host=values["HOST"],
        port=values["PORT"],
        debug=debug,
        use_reloader=debug,
        extra_files=app.extensions["databoard"].files() if debug and root is None else None,
        exclude_patterns=[f"{root}{os.sep}*"] if root else None,
    )


def _create_app(overrides: dict, dashboard: str) -> Flask:
    """Create the app; a dashboard that cannot be loaded is an error message, not a trace."""
    try:
        return create_app(overrides)
    except config.ConfigError as error:
        raise click.ClickException(str(error)) from None
    except (DataboardError, ImportError, OSError, ValueError) as error:
        message = mask_url(f"cannot load the dashboard {dashboard!r}: {error}")
        raise click.ClickException(message) from None

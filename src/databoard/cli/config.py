"""``databoard config``: the effective configuration, secrets masked."""

from __future__ import annotations

import click

from .. import config, server
from ..security import keys
from ..security.masking import mask_setting
from ..settings import SETTINGS


def show(value) -> str:
    """Return *value* as it would be written in a ``.env`` file."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@click.command("config")
def config_command():
    """Print the effective configuration, with where each value comes from.

    The lines are in .env form; the layers are defaults < .env file < environment.
    Secret values, and the password of every URL, are masked.
    """
    try:
        loaded = config.load()
    except config.ConfigError as error:
        raise click.ClickException(str(error)) from None
    secret = {s.name for s in SETTINGS if s.secret}
    extra = [name for name in loaded.values if name not in {s.name for s in SETTINGS}]
    rows = []
    for name in [s.name for s in SETTINGS] + sorted(extra):
        value = loaded.values[name]
        shown = mask_setting(name, value, show(value), name in secret)
        source = loaded.sources.get(name, "default")
        if name == "WORKERS" and not value:
            source += f"; {server.default_workers()} workers on this machine"
        rows.append((f"{config.PREFIX}{name}={shown}", source))
    width = max(len(line) for line, _ in rows)
    for line, source in rows:
        click.echo(f"{line:<{width}}  # {source}")
    for note in loaded.notes:
        click.echo(f"# note: {note}")
    problem = keys.secret_key_problem(loaded.values["SECRET_KEY"])
    if problem:
        click.echo(f"# note: `databoard serve --production` will refuse to start: {problem}")

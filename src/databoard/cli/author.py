"""``databoard check`` and ``databoard new``: write a dashboard, then find what is wrong."""

from __future__ import annotations

from pathlib import Path

import click

from .. import config
from ..authoring import scaffold
from ..authoring.check import load_and_check
from ..data import options


@click.command("check")
@click.argument("path", type=click.Path(exists=True))
def check_command(path: str):
    """Check the dashboards at PATH (a file or folder): data, columns and every chart.

    Every problem is listed at once, with the file and line for YAML and the function for
    Python. The exit status is 1 if there is any; warnings (a data file whose last line
    looks cut short) are listed too, but the dashboard still serves.
    """
    try:  # the data settings (a download cache, an API's address), as a server reads them
        options.configure(config.load().values)
    except config.ConfigError as error:
        raise click.ClickException(str(error)) from None
    checked = load_and_check(path)
    for problem in sorted(checked.problems + checked.warnings, key=lambda p: (p.file, p.line or 0)):
        click.echo(str(problem), err=True)
    if checked.problems:
        count = len(checked.problems)
        raise click.ClickException(f"{count} problem{'s' if count != 1 else ''} found")
    for board in checked.boards:
        click.echo(
            f"ok: {board.slug} ({len(board.datasets)} datasets, {len(board.filters)} filters, "
            f"{len(board.charts)} charts) in {board.file}"
        )


@click.command("new")
@click.argument("name", type=click.Path(file_okay=False))
@click.option(
    "--format",
    "format_",
    type=click.Choice(sorted(scaffold.FORMATS)),
    default="yaml",
    show_default=True,
    help="Write the dashboard as YAML (no code) or as a Python module.",
)
def new_command(name: str, format_: str):
    """Create a working dashboard folder NAME: sample data, a dashboard file and a README."""
    folder = Path(name)
    try:
        written = scaffold.create(folder, format_)
    except FileExistsError as error:
        raise click.ClickException(str(error)) from None
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"\nNext: databoard serve {folder} --debug   (then open http://127.0.0.1:8000)")

"""``databoard users`` and ``databoard tokens``: the users file of password sign-in and API
tokens (see :mod:`databoard.accounts`)."""

from __future__ import annotations

from pathlib import Path

import click

from .. import accounts, config

_file_option = click.option(
    "--file",
    "users_file",
    type=click.Path(dir_okay=False),
    help="The users file.  [default: DATABOARD_USERS_FILE]",
)


def _path(users_file: str | None) -> Path:
    if not users_file:
        try:
            users_file = config.load().values["USERS_FILE"]
        except config.ConfigError as error:
            raise click.ClickException(str(error)) from None
    if not users_file:
        raise click.ClickException("name the users file: --file PATH or DATABOARD_USERS_FILE")
    return Path(users_file)


def _run(action, *args):
    try:
        return action(*args)
    except accounts.AccountsError as error:
        raise click.ClickException(str(error)) from None


@click.group("users")
def users_command():
    """Add, change and remove the users who sign in with a password."""


@users_command.command("add")
@click.argument("name")
@click.option("--email", default="", help="Their email address, for `access: emails`.")
@click.option("--group", "groups", multiple=True, help="A group they are in (repeatable).")
@click.password_option(help="Asked for when not given; 12 characters or more.")
@_file_option
def users_add(name, email, groups, password, users_file):
    """Add user NAME, or set their password, email and groups anew."""
    path = _path(users_file)
    _run(accounts.set_user, path, name, password, email, tuple(groups))
    click.echo(f"{name}: saved in {path}")


@users_command.command("remove")
@click.argument("name")
@_file_option
def users_remove(name, users_file):
    """Remove user NAME and revoke their API tokens."""
    path = _path(users_file)
    revoked = _run(accounts.remove_user, path, name)
    click.echo(f"{name}: removed from {path}, {revoked} token(s) revoked")


@users_command.command("list")
@_file_option
def users_list(users_file):
    """List the users, their email and groups (never a password hash)."""
    found = _run(accounts.read, _path(users_file))
    for name, entry in sorted(found.users.items()):
        groups = ",".join(entry.get("groups", ()))
        click.echo(f"{name}\t{entry.get('email', '')}\t{groups}")


@click.group("tokens")
def tokens_command():
    """Create, list and revoke API tokens (sent as ``Authorization: Bearer <token>``)."""


@tokens_command.command("create")
@click.argument("user")
@click.option("--label", default="", help="What the token is for.")
@click.option(
    "--days", default=90, show_default=True, type=click.IntRange(0), help="0: until revoked."
)
@_file_option
def tokens_create(user, label, days, users_file):
    """Create an API token that reads what USER may read, and print it (once)."""
    token = _run(accounts.create_token, _path(users_file), user, label, days)
    click.echo(token)


@tokens_command.command("list")
@_file_option
def tokens_list(users_file):
    """List the tokens: id, user, label, created, expires (never the token)."""
    found = _run(accounts.read, _path(users_file))
    for token_id, entry in sorted(found.tokens.items()):
        fields = [entry["user"], entry.get("label", ""), entry.get("created", "")]
        click.echo("\t".join([token_id, *fields, entry.get("expires", "never")]))


@tokens_command.command("revoke")
@click.argument("token_id")
@_file_option
def tokens_revoke(token_id, users_file):
    """Revoke the token TOKEN_ID (its id from `tokens list`, or the token itself)."""
    path = _path(users_file)
    _run(accounts.revoke_token, path, token_id)
    click.echo(f"revoked; servers reading {path} refuse it from now on")

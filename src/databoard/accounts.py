"""The users file: passwords (argon2 hashes) and API tokens (SHA-256 hashes).

For a small deployment without an identity provider, and for scripts reading the API.
It is YAML, written only by ``databoard users`` and ``databoard tokens``::

    users:
      ana: {password: $argon2id$v=19$..., email: ana@example.org, groups: [finance]}
    tokens:
      7f3a9c2e51b0: {user: ana, hash: 9b1d..., label: nightly export, expires: 2027-02-23}

Neither a password nor a token is stored, only their hashes. A token is 256 random bits
(``dbt_<id>_<secret>``), so one fast hash suffices; passwords are chosen by people and
get argon2. A running server re-reads the file when it changes, so a revoked token or a
removed user stops working at once, without a restart.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import hmac
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .access import Viewer

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
TOKEN = re.compile(r"^dbt_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
_hasher = PasswordHasher()
#: Verified when the user does not exist, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class AccountsError(ValueError):
    """A users file that cannot be read or a change that cannot be made."""


@dataclass(frozen=True)
class Accounts:
    """One reading of the users file: ``users`` and ``tokens``, keyed by name and id."""

    users: dict
    tokens: dict

    def viewer(self, name: str, via: str) -> Viewer:
        """Return user *name* as a :class:`Viewer` signed in *via* some method."""
        entry = self.users.get(name) or {}
        return Viewer(name, entry.get("email", ""), frozenset(entry.get("groups", ())), via)

    def check_password(self, name: str, password: str) -> Viewer | None:
        """Return the user if *password* is theirs, else ``None``; as slow either way."""
        entry = self.users.get(name)
        try:
            _hasher.verify(entry["password"] if entry else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        return self.viewer(name, "password") if entry else None

    def password_stamp(self, name: str) -> str:
        """Return a short digest of the user's password hash ('' if there is no such user).

        A session keeps it, so changing a password or removing a user signs them out.
        """
        entry = self.users.get(name)
        if not entry:
            return ""
        return hashlib.blake2b(entry["password"].encode(), digest_size=8).hexdigest()

    def check_token(self, token: str, today: datetime.date | None = None) -> Viewer | None:
        """Return the user an API token stands for, or ``None`` if it is not a live token."""
        found = TOKEN.match(token)
        entry = self.tokens.get(found.group(1)) if found else None
        if not found or not entry:
            return None
        digest = hashlib.sha256(found.group(2).encode()).hexdigest()
        if not hmac.compare_digest(digest, entry["hash"]):
            return None
        expires = entry.get("expires")
        if expires and (today or datetime.date.today()) > datetime.date.fromisoformat(expires):
            return None
        return self.viewer(entry["user"], "token")


def read(path: str | Path) -> Accounts:
    """Return the users file at *path*, re-read only when the file has changed.

    :raise AccountsError: if it cannot be read or is not a users file.
    """
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return Accounts({}, {})
    except OSError as error:
        raise AccountsError(f"{path}: {error.strerror}") from None
    return _read(str(path), (stat.st_ino, stat.st_size, stat.st_mtime_ns))


@functools.lru_cache(maxsize=8)
def _read(path: str, _version: tuple) -> Accounts:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise AccountsError(f"{path}: not a users file: {error}") from None
    if not isinstance(data, dict):
        raise AccountsError(f"{path}: expected mappings 'users' and 'tokens'")
    users, tokens = data.get("users") or {}, data.get("tokens") or {}
    if not isinstance(users, dict) or not isinstance(tokens, dict):
        raise AccountsError(f"{path}: expected mappings 'users' and 'tokens'")
    for name, entry in users.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("password"), str):
            raise AccountsError(f"{path}: user {name!r} has no password hash")
    for token_id, entry in tokens.items():
        if not isinstance(entry, dict) or not {"user", "hash"} <= set(entry):
            raise AccountsError(f"{path}: token {token_id!r} lacks its user or hash")
    return Accounts(users, tokens)


def _write(path: Path, accounts: Accounts) -> None:
    """Replace the file in one step, readable by its owner only."""
    data = {"users": accounts.users, "tokens": accounts.tokens}
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            yaml.safe_dump(data, out, sort_keys=True)
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def set_user(
    path: Path, name: str, password: str, email: str = "", groups: tuple[str, ...] = ()
) -> None:
    """Add user *name*, or change their password, email and groups.

    :raise AccountsError: for a name that is not a plain user name, or an empty password.
    """
    if not NAME.match(name):
        raise AccountsError(f"{name!r}: a user name is letters, digits and . _ @ -")
    if len(password) < 12:
        raise AccountsError("a password needs 12 characters or more")
    accounts = read(path)
    entry: dict[str, Any] = {"password": _hasher.hash(password)}
    if email:
        entry["email"] = email
    if groups:
        entry["groups"] = list(groups)
    _write(path, Accounts(accounts.users | {name: entry}, accounts.tokens))


def remove_user(path: Path, name: str) -> int:
    """Remove user *name* and revoke their tokens; return how many tokens went.

    :raise AccountsError: if there is no such user.
    """
    accounts = read(path)
    if name not in accounts.users:
        raise AccountsError(f"{path}: no user {name!r}")
    tokens = {i: t for i, t in accounts.tokens.items() if t["user"] != name}
    users = {n: u for n, u in accounts.users.items() if n != name}
    _write(path, Accounts(users, tokens))
    return len(accounts.tokens) - len(tokens)


def create_token(path: Path, user: str, label: str = "", days: int = 90) -> str:
    """Make an API token for *user*, valid for *days* (0: until revoked); return it.

    The token is shown once; only its hash is kept.

    :raise AccountsError: if *user* is not in the file.
    """
    accounts = read(path)
    if user not in accounts.users:
        raise AccountsError(f"{path}: no user {user!r} (add one with `databoard users add`)")
    token_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    entry = {"user": user, "hash": hashlib.sha256(secret.encode()).hexdigest()}
    if label:
        entry["label"] = label
    entry["created"] = datetime.date.today().isoformat()
    if days:
        entry["expires"] = (datetime.date.today() + datetime.timedelta(days=days)).isoformat()
    _write(path, Accounts(accounts.users, accounts.tokens | {token_id: entry}))
    return f"dbt_{token_id}_{secret}"


def revoke_token(path: Path, token_id: str) -> None:
    """Revoke the token *token_id* (the part after ``dbt_``, or the whole token).

    :raise AccountsError: if there is no such token.
    """
    found = TOKEN.match(token_id)
    token_id = found.group(1) if found else token_id
    accounts = read(path)
    if token_id not in accounts.tokens:
        raise AccountsError(f"{path}: no token {token_id!r}")
    tokens = {i: t for i, t in accounts.tokens.items() if i != token_id}
    _write(path, Accounts(accounts.users, tokens))

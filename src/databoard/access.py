"""Who may see a dashboard: ``public``, or named users, groups and email addresses.

A dashboard declares its rule (``access=`` in Python, ``access:`` in YAML); one without a
rule takes the site's (the ``ACCESS`` setting), which is ``public`` unless changed. The
rule and the person asking (a :class:`Viewer`, ``None`` when nobody is signed in) are
plain values, so the check is one function that needs no request.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

PUBLIC = "public"


@dataclass(frozen=True)
class Viewer:
    """Someone signed in: a user name, maybe an email address, their groups, and how.

    :param via: how they signed in: ``oidc``, ``password``, ``proxy`` or ``token``.
    """

    name: str
    email: str = ""
    groups: frozenset[str] = frozenset()
    via: str = ""


class Access(BaseModel):
    """A private dashboard's readers: any listed user, member of a group, or email.

    ``emails`` takes whole addresses (``ana@example.org``) or a whole domain
    (``*@example.org``); addresses compare without regard to case.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    users: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()

    @field_validator("emails")
    @classmethod
    def _addresses(cls, emails: tuple[str, ...]) -> tuple[str, ...]:
        for email in emails:
            local, at, domain = email.partition("@")
            if not at or not local or not domain or "@" in domain or "*" in domain:
                raise ValueError(f"{email!r} is neither an address nor *@domain")
            if "*" in local and local != "*":
                raise ValueError(f"{email!r}: only a whole domain (*@domain) takes a *")
        return tuple(e.lower() for e in emails)

    @model_validator(mode="after")
    def _someone(self) -> Access:
        if not (self.users or self.groups or self.emails):
            raise ValueError("name at least one of users, groups, emails, or write 'public'")
        return self

    def allows(self, viewer: Viewer | None) -> bool:
        """Return whether *viewer* may see what this rule guards."""
        if viewer is None:
            return False
        if viewer.name in self.users or viewer.groups.intersection(self.groups):
            return True
        email = viewer.email.lower()
        return bool(email) and (
            email in self.emails or "*@" + email.rpartition("@")[2] in self.emails
        )

    @property
    def scope(self) -> str:
        """Return a short name of this rule, part of the cache keys of what it guards."""
        rule = json.dumps(self.model_dump(), sort_keys=True).encode()
        return "private-" + hashlib.blake2b(rule, digest_size=8).hexdigest()


#: A rule: ``"public"`` or an :class:`Access`.
Rule = str | Access


def parse(value: Any, where: str = "access") -> Rule | None:
    """Return *value* (``"public"``, a mapping, an :class:`Access` or ``None``) as a rule.

    :raise ValueError: starting with *where* (if given), for anything else.
    """
    if value is None or isinstance(value, Access) or value == PUBLIC:
        return value
    prefix = f"{where}: " if where else ""
    if isinstance(value, dict):
        try:
            return Access.model_validate(value)
        except ValidationError as error:
            problems = "; ".join(_message(e) for e in error.errors())
            raise ValueError(prefix + problems) from None
    raise ValueError(f"{prefix}expected 'public' or {{users, groups, emails}}, got {value!r}")


def _message(error: Mapping[str, Any]) -> str:
    where = ".".join(str(p) for p in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"unknown key {where!r} (known: users, groups, emails)"
    return f"{where}: {error['msg']}" if where else error["msg"]


def allows(rule: Rule, viewer: Viewer | None) -> bool:
    """Return whether *viewer* may see what *rule* guards."""
    return rule.allows(viewer) if isinstance(rule, Access) else rule == PUBLIC


def scope(rule: Rule) -> str:
    """Return the cache-key part of *rule*: ``public`` or ``private-<digest>``."""
    return rule.scope if isinstance(rule, Access) else PUBLIC

"""Hide secrets before a value is shown: in ``databoard config``, log lines and errors.

A URL carries its password in the clear (``redis://:pw@host/0``,
``postgresql://user:pw@host/db``); :func:`mask_url` replaces it, wherever the URL
appears in a text, and :func:`mask_setting` also hides the whole value of a setting whose
name says it is a secret.
"""

from __future__ import annotations

import re
from typing import Any

MASK = "********"

#: ``scheme://userinfo@``: the userinfo runs to the last ``@`` before the host's end,
#: as :func:`urllib.parse.urlsplit` reads it, so an ``@`` in a password is masked too.
_URL_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/?#\s]*)@")
#: ``password=...`` in a libpq connection string or a query string.
_KEY_VALUE = re.compile(r"(?i)\b(?P<key>password|passwd|pwd)=(?P<value>[^\s&;]+)")
#: Names of settings whose whole value is a secret.
_SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|CREDENTIAL|PRIVATE|(?<!CACHE_)KEY")


def _mask_userinfo(match: re.Match) -> str:
    user, colon, password = match["userinfo"].partition(":")
    if not colon or not password:
        return match[0]
    return f"{match['scheme']}{user}:{MASK}@"


def mask_url(text: str) -> str:
    """Return *text* with the password of every URL in it replaced by ``********``.

    ``redis://:pw@h/0`` becomes ``redis://:********@h/0``, and a ``password=pw`` (of a
    connection string such as ``host=db password=pw``, or a query string) becomes
    ``password=********``; a URL without a password, and any text around it, is kept.
    """
    if "://" in text:
        text = _URL_USERINFO.sub(_mask_userinfo, text)
    if "=" in text:
        text = _KEY_VALUE.sub(lambda m: f"{m['key']}={MASK}", text)
    return text


def is_secret_name(name: str) -> bool:
    """Tell whether a setting named *name* (``SECRET_KEY``, ``API_TOKEN``) holds a secret."""
    return bool(_SECRET_NAME.search(name.upper()))


def mask_setting(name: str, value: Any, text: str, secret: bool = False) -> str:
    """Return *text*, the printed form of setting *name*'s *value*, safe to show.

    :param secret: the settings table marks it secret (its name counts too).
    :return: ``********`` for a set secret, else *text* with URL passwords masked.
    """
    if value not in (None, "") and (secret or is_secret_name(name)):
        return MASK
    return mask_url(text)

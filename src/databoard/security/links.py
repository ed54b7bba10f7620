"""Which links an author may publish on a page: http, https and mailto only.

An ``attribution_url`` of ``javascript:...`` would be a link that runs code in the
viewer's session; ``data:`` and the rest can render a page of the author's choosing.
"""

from __future__ import annotations

import re

SCHEMES = ("http", "https", "mailto")

#: A link passes only if it starts with an allowed scheme and holds no whitespace or
#: control characters (browsers drop those, so ``java\tscript:`` would still run).
_SAFE = re.compile(
    r"(?i)(?:https?://[^\s\x00-\x1f\x7f/?#]+|mailto:[^\s\x00-\x1f\x7f]+)[^\s\x00-\x1f\x7f]*"
)


def check_link(url: str, field: str = "") -> str:
    """Return *url* if a page may link to it, else raise :class:`ValueError`.

    The empty string (no link) passes.

    :param field: the setting's name, for the message (``attribution_url``).
    """
    if url == "" or _SAFE.fullmatch(url):
        return url
    where = f"{field}: " if field else ""
    raise ValueError(
        f"{where}{url!r} is not an http, https or mailto URL; only those are linked "
        "(for example https://example.org/data)"
    )

"""Judge a secret key: production refuses one that is short or a well-known default.

The key signs Flask's session cookie, so whoever can guess it can sign in as anyone.
"""

from __future__ import annotations

#: Shortest key accepted in production, in characters.
MIN_LENGTH = 32

#: Keys copied from examples and tutorials, refused whatever their length.
KNOWN_DEFAULTS = frozenset(
    {
        "changeme",
        "change-me",
        "change_me",
        "secret",
        "secret-key",
        "secret_key",
        "secretkey",
        "mysecret",
        "dev",
        "development",
        "default",
        "password",
        "test",
        "testing",
        "key",
        "your-secret-key",
        "your_secret_key",
        "super-secret-key",
        "supersecretkey",
        "replace-me",
        "please-change-me",
        "not-a-secret",
        "insecure",
        "...",
    }
)
#: Words that mark a placeholder rather than a key someone made.
_PLACEHOLDER_WORDS = ("changeme", "change-me", "change_me", "replace-me", "insecure", "your-")

#: The one-line fix, printed with every refusal.
FIX = (
    "Make one and keep it in the environment or in the .env file, for example:\n"
    "  echo \"DATABOARD_SECRET_KEY=$(python3 -c 'import secrets; "
    "print(secrets.token_hex(32))')\" >> .env"
)


def secret_key_problem(key: str | bytes | None) -> str | None:
    """Return why *key* is too weak to sign production cookies, or ``None`` if it will do.

    Refused: no key, fewer than :data:`MIN_LENGTH` characters, a known default or
    placeholder, or a key of fewer than 8 different characters (``aaaa...``).
    """
    if not key:
        return "production needs a secret key, and DATABOARD_SECRET_KEY is not set"
    text = key.decode(errors="replace") if isinstance(key, bytes) else str(key)
    lowered = text.strip().lower()
    if lowered in KNOWN_DEFAULTS or any(word in lowered for word in _PLACEHOLDER_WORDS):
        return "DATABOARD_SECRET_KEY is a well-known default; production needs a key of your own"
    if len(text) < MIN_LENGTH:
        return (
            f"DATABOARD_SECRET_KEY is too short: {len(text)} characters, and production "
            f"needs {MIN_LENGTH} or more"
        )
    if len(set(text)) < 8:
        return "DATABOARD_SECRET_KEY repeats a few characters; production needs a random key"
    return None

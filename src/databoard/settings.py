"""Every setting in one table: name, default and help.

Each can be set as an environment variable with the ``DATABOARD_`` prefix
(``DATABOARD_DASHBOARD=path/to/folder``) or in a ``.env`` file; a value is read as the
type of its default (see :mod:`databoard.config`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    secret: bool = False
    #: The allowed values, if only a few are.
    choices: tuple = ()


SETTINGS = [
    Setting(
        "SECRET_KEY",
        None,
        "Key that signs cookies. Production refuses to start without it; elsewhere a "
        "random one per process stands in.",
        secret=True,
    ),
    Setting(
        "DASHBOARD",
        "databoard.dashboards.worldbank",
        "What to serve: a dashboard module name, file or folder.",
    ),
    Setting(
        "STRICT",
        True,
        "Refuse to start if any dashboard has a problem. False serves the others and "
        "shows each broken one as its problems (on its page, the index and /readyz); "
        "`databoard serve` without --production defaults to false.",
    ),
    Setting(
        "LIVE_RELOAD",
        False,
        "Load the dashboards again when a dashboard or data file changes, and reload the "
        "open pages with them (for development: `databoard serve --debug` sets it).",
    ),
    Setting("STATIC_MAX_AGE", 31536000, "Cache lifetime in seconds of fingerprinted assets."),
    Setting("VIEW_MAX_AGE", 60, "Cache lifetime in seconds of pages and API answers."),
    # -- speed (databoard.web.cache, databoard.charts.downsample) -----------------------
    Setting(
        "CACHE_TYPE",
        "SimpleCache",
        "Where pages, figures and downloads are cached: SimpleCache (in each process, "
        "bounded by CACHE_MAX_BYTES), "
        "NullCache (nowhere), or a shared Flask-Caching backend such as RedisCache "
        "(with CACHE_REDIS_URL) or FileSystemCache (with CACHE_DIR).",
    ),
    Setting(
        "CACHE_DEFAULT_TIMEOUT",
        3600,
        "Seconds a cached answer is kept (0: until evicted). New data never reads an "
        "answer made from old data, whatever this is.",
    ),
    Setting("CACHE_THRESHOLD", 500, "Most answers SimpleCache keeps in a process."),
    Setting(
        "CACHE_MAX_BYTES",
        16777216,
        "Most bytes of answers SimpleCache keeps in a process (compressed, as sent); "
        "the least recently used go first.",
    ),
    Setting(
        "CACHE_RETRY_SECONDS",
        5,
        "After a shared cache backend fails, seconds the app answers uncached before "
        "trying it again.",
    ),
    Setting(
        "CACHE_ITEM_MAX_BYTES",
        4194304,
        "Largest answer cached, uncompressed; bigger downloads are streamed, made on each request.",
    ),
    Setting("CACHE_WARM", True, "Cache each dashboard's default view when the app starts."),
    Setting(
        "MAX_POINTS",
        2000,
        "Most points a line or scatter trace carries; longer series are downsampled, "
        "and say so on the chart. Downloads keep every row.",
    ),
    Setting(
        "ROW_LIMIT",
        1_000_000,
        "Most rows a chart function receives from a dataset in a SQL engine; past it the "
        "chart answers 400 asking for narrower filters. Chart kinds run in the engine.",
    ),
    # -- data (databoard.refresh, databoard.data) ---------------------------------------
    Setting(
        "DATA_REFRESH",
        60,
        "Seconds between checks of each dataset for new data (files, version queries); "
        "a dataset's own refresh wins. 0: never check. serve --debug checks every second.",
    ),
    Setting(
        "DATA_CACHE_DIR",
        "",
        "Folder that downloads of worldbank_api datasets are kept in; empty: "
        "$XDG_CACHE_HOME/databoard (~/.cache/databoard).",
    ),
    Setting(
        "WORLDBANK_API_URL",
        "https://api.worldbank.org/v2",
        "The World Bank API's base address, for worldbank_api datasets and databoard fetch.",
    ),
    Setting(
        "DUCKDB_MEMORY_LIMIT",
        "1GB",
        "Most memory DuckDB may use in each process, for engine datasets (its own default "
        "is most of the machine).",
    ),
    # -- serving (databoard serve, deploy/gunicorn.conf.py) -----------------------------
    Setting("HOST", "127.0.0.1", "Interface to listen on; 0.0.0.0 for every interface."),
    Setting("PORT", 8000, "Port to listen on."),
    Setting(
        "WORKERS",
        0,
        "Production worker processes; 0 means WEB_CONCURRENCY if the platform sets it, "
        "else (2 x CPUs) + 1.",
    ),
    Setting(
        "TIMEOUT",
        30,
        "Seconds before a silent worker is restarted, and that in-flight requests get "
        "to finish on shutdown.",
    ),
    Setting("URL_PREFIX", "", "Path the site is served under behind a proxy, e.g. /dashboards."),
    Setting(
        "PROXY_COUNT",
        0,
        "How many reverse proxies stand in front; their X-Forwarded-* headers are "
        "trusted, and nobody's when 0.",
    ),
    Setting(
        "LOG_LEVEL",
        "info",
        "Least severe log level shown.",
        choices=("debug", "info", "warning", "error", "critical"),
    ),
    Setting(
        "LOG_FORMAT",
        "text",
        "Log lines as text or JSON (one object a line).",
        choices=("text", "json"),
    ),
    Setting("METRICS", False, "Serve Prometheus metrics at /metrics."),
    # -- security (databoard.web.headers, databoard.web.limits) -------------------------
    Setting(
        "FRAME_ANCESTORS",
        "'self'",
        "Sites that may show the pages in a frame, as CSP frame-ancestors sources: "
        "'self', 'none', or space-separated origins such as https://intranet.example.org.",
    ),
    Setting(
        "HSTS_MAX_AGE",
        31536000,
        "Seconds browsers keep to HTTPS after an HTTPS answer (Strict-Transport-Security); "
        "0 sends no such header. Never sent over plain HTTP or in debug mode.",
    ),
    Setting(
        "MAX_REQUEST_LINE",
        8000,
        "Longest request line (method, path and query) in bytes; longer ones get a JSON "
        "414. At most 8190, gunicorn's own limit.",
    ),
    # -- private dashboards (databoard.access, databoard.web.auth) ----------------------
    Setting(
        "ACCESS",
        "public",
        "Who may see a dashboard that does not say: public, or a JSON rule such as "
        '{"groups": ["staff"], "emails": ["*@example.org"]}.',
    ),
    Setting(
        "USERS_FILE",
        "",
        "The users file (passwords and API tokens, written by `databoard users` and "
        "`databoard tokens`); empty: no password sign-in, no tokens.",
    ),
    Setting(
        "OIDC_ISSUER",
        "",
        "OpenID Connect provider to sign in with, e.g. https://id.example.org/realms/staff; "
        "empty: none.",
    ),
    Setting("OIDC_CLIENT_ID", "", "The client id this site has at the provider."),
    Setting(
        "OIDC_CLIENT_SECRET", None, "The client secret this site has at the provider.", secret=True
    ),
    Setting("OIDC_SCOPES", "openid email profile", "Scopes asked of the provider."),
    Setting("OIDC_GROUPS_CLAIM", "groups", "The claim that lists a user's groups."),
    Setting(
        "PROXY_AUTH",
        False,
        "Take the signed-in user from the X-Forwarded-User, -Email and -Groups headers "
        "of an authenticating proxy; needs PROXY_COUNT.",
    ),
    Setting("SESSION_MAX_AGE", 28800, "Seconds a sign-in lasts."),
    Setting(
        "LOGIN_RATE_LIMIT",
        "10/minute;100/hour",
        "Most sign-in attempts per client address and per user name (Flask-Limiter's notation).",
    ),
    Setting(
        "ENV_FILE",
        ".env",
        "File of DATABOARD_* lines read at start (only as an environment variable); "
        "real environment variables win.",
    ),
]

DEFAULTS = {s.name: s.default for s in SETTINGS}

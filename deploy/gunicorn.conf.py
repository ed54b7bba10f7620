"""Gunicorn settings for databoard.

    gunicorn --config deploy/gunicorn.conf.py "databoard:create_app()"

The values come from databoard's configuration (``DATABOARD_*`` variables and the
``.env`` file), exactly as ``databoard serve --production`` uses them, so change the
environment rather than this file. Other gunicorn settings can be added below, or passed
in ``GUNICORN_CMD_ARGS``, which wins over this file.
"""

from databoard.config import ConfigError
from databoard.server import gunicorn_options, production_config

try:
    _options = gunicorn_options(production_config())
except ConfigError as error:
    # A clear message and exit status 1, instead of gunicorn's traceback.
    raise SystemExit(f"databoard: {error}") from None

bind = _options["bind"]
workers = _options["workers"]
worker_class = _options["worker_class"]
threads = _options["threads"]
# The data is loaded once, before the workers fork, and shared by them.
preload_app = _options["preload_app"]
# Once loaded, memory is given back; before each fork, what exists is frozen.
when_ready = _options["when_ready"]
pre_fork = _options["pre_fork"]
# Every 100 requests a worker gives back the memory that rendering freed.
post_request = _options["post_request"]
# Each worker's metrics: what its cache holds from its start, gone when it ends.
post_worker_init = _options["post_worker_init"]
child_exit = _options["child_exit"]
timeout = _options["timeout"]
# On SIGTERM, requests in flight get this long to finish.
graceful_timeout = _options["graceful_timeout"]
keepalive = _options["keepalive"]
# Long enough for a view of every country; see databoard.web.limits.
limit_request_line = _options["limit_request_line"]
# The app writes the access log, one line per request with its id, to stdout.
accesslog = _options["accesslog"]
# gunicorn's logger without the access line it would build only to drop it.
logger_class = _options["logger_class"]
errorlog = _options["errorlog"]
loglevel = _options["loglevel"]
logconfig_dict = _options["logconfig_dict"]
forwarded_allow_ips = _options["forwarded_allow_ips"]
control_socket_disable = _options["control_socket_disable"]
proc_name = _options["proc_name"]

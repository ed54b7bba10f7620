"""Configuration layers (defaults, .env, environment, overrides) and ``databoard config``."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from databoard import config, server
from databoard.cli import main
from databoard.settings import DEFAULTS, SETTINGS


def test_defaults_without_environment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    loaded = config.load(environ={})
    assert loaded.values == DEFAULTS
    assert set(loaded.sources.values()) == {"default"}
    assert loaded.notes == []


def test_layers_in_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        "# comment\nDATABOARD_PORT=9000\nDATABOARD_WORKERS=3\nDATABOARD_SECRET_KEY='from file'\n"
    )
    loaded = config.load({"WORKERS": 5}, environ={"DATABOARD_PORT": "9100"})
    assert loaded.values["SECRET_KEY"] == "from file"
    assert loaded.values["PORT"] == 9100
    assert loaded.values["WORKERS"] == 5
    assert loaded.sources["SECRET_KEY"] == ".env"
    assert loaded.sources["PORT"] == "environment"
    assert loaded.sources["WORKERS"] == "override"


def test_env_file_from_the_environment(tmp_path):
    env_file = tmp_path / "prod.env"
    env_file.write_text("DATABOARD_LOG_FORMAT=json\nPORT=80\nDATABOARD_ENV_FILE=other\n")
    loaded = config.load(environ={"DATABOARD_ENV_FILE": str(env_file)})
    assert loaded.values["LOG_FORMAT"] == "json"
    assert loaded.values["PORT"] == DEFAULTS["PORT"]
    assert [note.split(" is ")[0] for note in loaded.notes] == [
        f"PORT in {env_file}",
        f"DATABOARD_ENV_FILE in {env_file}",
    ]
    with pytest.raises(config.ConfigError, match="DATABOARD_ENV_FILE: there is no file"):
        config.load(environ={"DATABOARD_ENV_FILE": str(tmp_path / "missing.env")})


def test_values_take_the_type_of_their_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    loaded = config.load(
        environ={
            "DATABOARD_METRICS": "Yes",
            "DATABOARD_PROXY_COUNT": " 2 ",
            "DATABOARD_SECRET_KEY": "12345",
            "DATABOARD_SESSION_COOKIE_SECURE": "true",
        }
    )
    assert loaded.values["METRICS"] is True
    assert loaded.values["PROXY_COUNT"] == 2
    assert loaded.values["SECRET_KEY"] == "12345"  # text, though it looks like a number
    assert loaded.values["SESSION_COOKIE_SECURE"] is True  # Flask's own, read as JSON
    assert loaded.notes == []


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PORT", "eighty", "DATABOARD_PORT: expected a whole number, got 'eighty'"),
        ("PORT", "0", "DATABOARD_PORT: expected 1 to 65535, got 0"),
        ("WORKERS", "-1", "DATABOARD_WORKERS: expected 0 or more, got -1"),
        ("TIMEOUT", "0", "DATABOARD_TIMEOUT: expected 1 second or more, got 0"),
        ("METRICS", "maybe", "DATABOARD_METRICS: expected true or false, got 'maybe'"),
        ("LOG_FORMAT", "xml", "DATABOARD_LOG_FORMAT: expected one of text, json, got 'xml'"),
        ("URL_PREFIX", "/a b", "DATABOARD_URL_PREFIX: expected a path such as /dashboards"),
        ("URL_PREFIX", "/a/../b", "DATABOARD_URL_PREFIX: expected a path such as /dashboards"),
    ],
)
def test_bad_values_say_which_and_why(tmp_path, monkeypatch, name, value, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(config.ConfigError) as error:
        config.load(environ={f"DATABOARD_{name}": value})
    assert str(error.value).startswith(message)


def test_bad_value_in_env_file_names_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("DATABOARD_PORT=http\n")
    with pytest.raises(config.ConfigError, match=r"^DATABOARD_PORT in \.env: expected a whole"):
        config.load(environ={})


@pytest.mark.parametrize(
    ("value", "prefix"),
    [("", ""), ("/", ""), ("dashboards", "/dashboards"), ("/team/boards/", "/team/boards")],
)
def test_url_prefix_normalised(value, prefix):
    assert config.url_prefix(value) == prefix


def test_typo_gets_a_suggestion(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    loaded = config.load(
        environ={
            "DATABOARD_WORKER": "4",
            "DATABOARD_LOGLEVEL": "debug",
            # Flask's and extensions' own keys are no mistake.
            "DATABOARD_CACHE_REDIS_URL": "redis://127.0.0.1:6379/0",
            "DATABOARD_CACHE_DIR": "cache",
            "DATABOARD_PREFERRED_URL_SCHEME": "https",
        }
    )
    assert loaded.notes == [
        "DATABOARD_WORKER is not a databoard setting; did you mean DATABOARD_WORKERS?",
        "DATABOARD_LOGLEVEL is not a databoard setting; did you mean DATABOARD_LOG_LEVEL?",
    ]
    assert loaded.values["CACHE_DIR"] == "cache"


def test_production_needs_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("DATABOARD_")]:
        monkeypatch.delenv(name)
    with pytest.raises(config.ConfigError, match="production needs a secret key"):
        server.production_config()
    strong = "0f8e4c2b9a7d6e5f1c3b8a9d7e6f5a4b"
    assert server.production_config({"SECRET_KEY": strong})["SECRET_KEY"] == strong


def test_default_workers_follow_the_platform(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "7")
    assert server.default_workers() == 7
    monkeypatch.delenv("WEB_CONCURRENCY")
    assert server.default_workers() >= 3


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """Run ``databoard`` in an empty folder with no DATABOARD_* variables set."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str, **env: str):
        clean = {name: None for name in os.environ if name.startswith("DATABOARD_")}
        return runner.invoke(main, list(args), env=clean | env)

    return invoke


def test_config_command_masks_secrets(cli):
    result = cli("config", DATABOARD_SECRET_KEY="hunter2-very-secret", DATABOARD_API_TOKEN="t0k")
    assert result.exit_code == 0, result.output
    assert "hunter2" not in result.output
    assert "t0k" not in result.output
    lines = dict(line.split("  # ") for line in result.output.splitlines() if "  # " in line)
    assert "DATABOARD_SECRET_KEY=********" in {key.strip() for key in lines}
    for setting in SETTINGS:
        assert any(key.startswith(f"DATABOARD_{setting.name}=") for key in lines), setting.name


def test_config_command_shows_sources_and_notes(cli, tmp_path):
    (tmp_path / ".env").write_text("DATABOARD_PORT=9000\n")
    result = cli("config", DATABOARD_LOG_LEVEL="debug", DATABOARD_WORKRS="2")
    assert result.exit_code == 0, result.output
    rows = {line.split("=")[0]: line for line in result.output.splitlines()}
    assert rows["DATABOARD_PORT"].endswith("# .env")
    assert rows["DATABOARD_LOG_LEVEL"].endswith("# environment")
    assert rows["DATABOARD_HOST"].endswith("# default")
    assert "did you mean DATABOARD_WORKERS?" in result.output
    assert "will refuse to start: production needs a secret key" in result.output


def test_config_command_bad_value(cli):
    result = cli("config", DATABOARD_LOG_LEVEL="loud")
    assert result.exit_code == 1
    assert "DATABOARD_LOG_LEVEL: expected one of debug, info" in result.output
    assert result.exc_info[0] is SystemExit


@pytest.mark.parametrize(("host", "bind"), [("127.0.0.1", "127.0.0.1:8000"), ("::1", "[::1]:8000")])
def test_gunicorn_binds_the_configured_address(host, bind):
    options = server.gunicorn_options(DEFAULTS | {"HOST": host, "WORKERS": 2})
    assert options["bind"] == [bind]
    assert options["workers"] == 2
    assert options["preload_app"] is True
    assert options["graceful_timeout"] == DEFAULTS["TIMEOUT"]

"""The users file and API tokens: the CLI writes it, a running app reads each change."""

from __future__ import annotations

import datetime
import stat

import pytest
from click.testing import CliRunner

from databoard import accounts, create_app
from databoard.cli import main
from databoard.config import ConfigError
from private_site import PASSWORD, SECRET_VALUE


def run(*args: str, input: str | None = None, env: dict | None = None):
    return CliRunner().invoke(main, list(args), input=input, env=env, catch_exceptions=False)


def test_users_add_hashes_the_password(tmp_path):
    path = tmp_path / "users.yaml"
    result = run(
        "users",
        "add",
        "kim",
        "--group",
        "finance",
        "--file",
        str(path),
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    text = path.read_text()
    assert PASSWORD not in text and "$argon2id$" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    found = accounts.read(path)
    assert found.check_password("kim", PASSWORD).groups == {"finance"}
    assert found.check_password("kim", PASSWORD + "x") is None
    assert run("users", "list", "--file", str(path)).output == "kim\t\tfinance\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["users", "add", "k m", "--password", PASSWORD], "a user name is letters"),
        (["users", "add", "kim", "--password", "short"], "12 characters or more"),
        (["users", "remove", "nobody"], "no user 'nobody'"),
        (["tokens", "create", "nobody"], "no user 'nobody'"),
        (["tokens", "revoke", "0123456789ab"], "no token '0123456789ab'"),
    ],
)
def test_cli_mistakes_are_messages(tmp_path, args, message):
    result = run(*args, "--file", str(tmp_path / "users.yaml"))
    assert result.exit_code == 1
    assert message in result.output


def test_cli_needs_a_users_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("users", "list", env={"DATABOARD_USERS_FILE": ""})
    assert result.exit_code == 1
    assert "--file PATH or DATABOARD_USERS_FILE" in result.output
    path = tmp_path / "from-env.yaml"
    result = run(
        "users", "add", "kim", "--password", PASSWORD, env={"DATABOARD_USERS_FILE": str(path)}
    )
    assert result.exit_code == 0 and path.exists()


def test_token_lifecycle_through_a_running_app(client, users_file):
    """Created with the CLI, read at once by the app, revoked with the CLI: refused at once."""
    url = "/api/v1/dashboards/secret/charts/pay/data.csv"
    result = run("tokens", "create", "ana", "--label", "nightly", "--file", str(users_file))
    token = result.output.strip()
    assert token.startswith("dbt_") and token not in users_file.read_text()
    answer = client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and SECRET_VALUE in answer.get_data(as_text=True)
    assert answer.headers["Cache-Control"] == "private, no-cache"
    assert "Set-Cookie" not in answer.headers
    listed = run("tokens", "list", "--file", str(users_file)).output
    assert "\tana\tnightly\t" in listed
    run("tokens", "revoke", token, "--file", str(users_file))
    refused = client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == 'Bearer realm="databoard", error="invalid_token"'


def test_a_token_reads_only_what_its_user_may(client, users_file):
    token = accounts.create_token(users_file, "eve")
    answer = client.get("/api/v1/dashboards/secret", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 403
    public = client.get("/api/v1/dashboards/open", headers={"Authorization": f"Bearer {token}"})
    assert public.status_code == 200


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer ", "bearer dbt_nope", "Bearer dbt_0123456789ab_" + "A" * 43]
)
def test_a_bad_bearer_token_is_a_401(client, header):
    answer = client.get("/api/v1/dashboards/open", headers={"Authorization": header})
    assert answer.status_code == 401
    assert answer.json["error"]["status"] == 401
    assert answer.headers["WWW-Authenticate"].startswith('Bearer realm="databoard"')


@pytest.mark.parametrize("header", ["Basic YW5hOnB3", "x", ""])
def test_other_schemes_are_left_to_whoever_sent_them(client, header):
    """A proxy's own Basic authentication, passed along, makes no one signed in."""
    answer = client.get("/api/v1/dashboards/open", headers={"Authorization": header})
    assert answer.status_code == 200
    assert (
        client.get("/api/v1/dashboards/secret", headers={"Authorization": header}).status_code
        == 401
    )


def test_tokens_expire_and_removed_users_lose_theirs(tmp_path):
    path = tmp_path / "users.yaml"
    accounts.set_user(path, "kim", PASSWORD)
    token = accounts.create_token(path, "kim", days=30)
    found = accounts.read(path)
    today = datetime.date.today()
    assert found.check_token(token, today + datetime.timedelta(days=30)).name == "kim"
    assert found.check_token(token, today + datetime.timedelta(days=31)) is None
    forever = accounts.create_token(path, "kim", days=0)
    assert accounts.read(path).check_token(forever, today + datetime.timedelta(days=9999))
    assert "2 token(s) revoked" in run("users", "remove", "kim", "--file", str(path)).output
    assert accounts.read(path).check_token(forever) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("users: [ana]\n", "expected mappings"),
        ("users: {ana: {email: a@b.c}}\n", "user 'ana' has no password hash"),
        ("tokens: {abc: {user: ana}}\n", "token 'abc' lacks its user or hash"),
        ("users: {ana: [\n", "not a users file"),
    ],
)
def test_a_broken_users_file_stops_the_start(site, tmp_path, text, message):
    path = tmp_path / "users.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match="DATABOARD_USERS_FILE") as error:
        create_app({"TESTING": True, "DASHBOARD": str(site), "USERS_FILE": str(path)})
    assert message in str(error.value)

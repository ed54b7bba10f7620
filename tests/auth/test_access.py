"""Access rules: declared in YAML, in Python or site-wide, and what they let through."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from databoard import Dashboard, create_app
from databoard.access import PUBLIC, Access, Viewer, allows, parse
from databoard.authoring import yaml_spec
from databoard.authoring.problems import InvalidDashboards
from databoard.cli import main
from databoard.config import ConfigError
from private_site import OPEN, SECRET, write_site

RULE = parse({"users": ["ana"], "groups": ["finance"], "emails": ["*@example.org", "Kim@x.net"]})


@pytest.mark.parametrize(
    ("viewer", "allowed"),
    [
        (None, False),
        (Viewer("ana"), True),
        (Viewer("Ana"), False),
        (Viewer("bob", groups=frozenset({"finance", "x"})), True),
        (Viewer("bob", groups=frozenset({"fin"})), False),
        (Viewer("c", email="C@Example.ORG"), True),
        (Viewer("c", email="c@sub.example.org"), False),
        (Viewer("c", email="c@example.org.evil.net"), False),
        (Viewer("k", email="kim@x.net"), True),
        (Viewer("k", email="other@x.net"), False),
    ],
)
def test_rule_lets_through_exactly_whom_it_names(viewer, allowed):
    assert allows(RULE, viewer) is allowed
    assert allows(PUBLIC, viewer) is True


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({}, "name at least one of users, groups, emails"),
        ({"user": ["ana"]}, "unknown key 'user'"),
        ({"emails": ["*.example.org"]}, "neither an address nor *@domain"),
        ({"emails": ["a*@example.org"]}, "only a whole domain"),
        ("private", "expected 'public'"),
    ],
)
def test_bad_rules_say_what_is_wrong(value, message):
    with pytest.raises(ValueError, match="access") as error:
        parse(value)
    assert message in str(error.value)


def test_scope_names_the_rule():
    assert RULE.scope == parse(RULE.model_dump()).scope != parse({"users": ["bob"]}).scope
    assert RULE.scope.startswith("private-")


def test_yaml_and_python_declare_the_same_rule(tmp_path):
    site = write_site(tmp_path)
    board = yaml_spec.load(site / "secret.yaml")
    assert board.access == Access(users=("ana",), emails=("*@example.org",))
    assert yaml_spec.load(site / "open.yaml").access is None
    python = Dashboard("p", title="P", access={"users": ["ana"], "emails": ["*@example.org"]})
    assert python.access == board.access
    assert Dashboard("q", title="Q", access="public").access == PUBLIC


def test_yaml_access_mistake_has_its_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(OPEN + "access: {users: [ana], teams: [x]}\n")
    with pytest.raises(InvalidDashboards) as error:
        yaml_spec.load(path)
    (problem,) = error.value.problems
    assert problem.line == OPEN.count("\n") + 1
    assert "teams" in problem.message


def test_site_wide_rule_covers_dashboards_without_their_own(tmp_path):
    site = write_site(tmp_path / "site")
    (site / "secret.yaml").unlink()
    app = create_app(
        {
            "TESTING": True,
            "DASHBOARD": str(site),
            "ACCESS": '{"groups": ["staff"]}',
            "PROXY_AUTH": True,
            "PROXY_COUNT": 1,
        }
    )
    client = app.test_client()
    assert client.get("/api/v1/dashboards/open").status_code == 401
    staff = {"X-Forwarded-User": "kim", "X-Forwarded-Groups": "staff, x"}
    assert client.get("/api/v1/dashboards/open", headers=staff).status_code == 200
    assert client.get("/api/v1/dashboards/team", headers=staff).status_code == 403


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"ACCESS": "staff"}, "DATABOARD_ACCESS: access: expected 'public'"),
        ({"ACCESS": '{"users": []}'}, "DATABOARD_ACCESS: access: Value error, name at least"),
        ({"PROXY_AUTH": True}, "it needs DATABOARD_PROXY_COUNT=1"),
        ({"OIDC_ISSUER": "http://id.example.org"}, "expected an https:// URL"),
        ({"OIDC_ISSUER": "https://id.example.org"}, "set DATABOARD_OIDC_CLIENT_ID too"),
        ({}, "secret are private, but no one can sign in"),
    ],
)
def test_configuration_mistakes_stop_the_start(tmp_path, config, message):
    site = write_site(tmp_path)
    (site / "team.yaml").unlink()
    with pytest.raises(ConfigError, match="DATABOARD|private") as error:
        create_app({"TESTING": True, "DASHBOARD": str(site), **config})
    assert message in str(error.value)


def test_secret_yaml_is_valid_as_written():
    assert "access:" in SECRET


def test_config_command_masks_the_client_secret(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"DATABOARD_OIDC_CLIENT_SECRET": "s3cret-of-the-client", "DATABOARD_ENV_FILE": None}
    result = CliRunner().invoke(main, ["config"], env=env)
    assert result.exit_code == 0, result.output
    assert "s3cret" not in result.output
    assert "DATABOARD_OIDC_CLIENT_SECRET=********" in result.output

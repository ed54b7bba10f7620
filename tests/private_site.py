"""A site of three dashboards for the access tests: public, private to people, to a group."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from argon2 import PasswordHasher

from databoard import accounts

from support import ORDERS_CSV

#: In every answer about the private dashboard, and in no other answer.
SECRET_MARK = "Salaries-7f3a9c"
#: A salary only the private dashboard's data holds.
SECRET_VALUE = "987654.25"
PASSWORD = "correct horse battery"
QUICK_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

SALARIES_CSV = f"""\
team,salary
Finance,{SECRET_VALUE}
Sales,123456.5
"""

OPEN = """\
title: Orders
datasets:
  orders: {source: data/orders.csv}
charts:
  - {id: units, title: Units, kind: bar, x: region, y: units}
"""

SECRET = f"""\
title: {SECRET_MARK}
description: Only ana and example.org may read this.
access: {{users: [ana], emails: ["*@example.org"]}}
datasets:
  salaries: {{source: data/salaries.csv}}
charts:
  - {{id: pay, title: Pay by team, kind: bar, x: team, y: salary}}
"""

TEAM = """\
title: Finance team
access: {groups: [finance]}
datasets:
  orders: {source: data/orders.csv}
charts:
  - {id: revenue, title: Revenue, kind: bar, x: region, y: revenue}
"""


def write_site(folder: Path) -> Path:
    """Write the three dashboards and their data into *folder*; return it."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "data" / "orders.csv").write_text(ORDERS_CSV)
    (folder / "data" / "salaries.csv").write_text(SALARIES_CSV)
    for name, text in (("open", OPEN), ("secret", SECRET), ("team", TEAM)):
        (folder / f"{name}.yaml").write_text(text)
    return folder


def write_users(path: Path) -> Path:
    """Write a users file: ana (may read the secret), bob (finance group), eve (neither).

    The hashes are argon2 with small costs, so the many sign-ins of the tests stay quick;
    a hash carries its own costs, so the server checks them as it would any other.
    """
    accounts.set_user(path, "ana", PASSWORD, "ana@elsewhere.net")
    accounts.set_user(path, "bob", PASSWORD, "bob@elsewhere.net", ("finance",))
    accounts.set_user(path, "eve", PASSWORD, "eve@elsewhere.net")
    data = yaml.safe_load(path.read_text())
    for entry in data["users"].values():
        entry["password"] = QUICK_HASHER.hash(PASSWORD)
    path.write_text(yaml.safe_dump(data))
    return path


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the form carries a CSRF token"
    return found.group(1)


def sign_in(client, name: str, password: str = PASSWORD, next_path: str = "/"):
    """Sign in through the password form, as a browser would; return the answer."""
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    form = {"username": name, "password": password, "next": next_path, "csrf_token": token}
    return client.post("/auth/login", data=form)

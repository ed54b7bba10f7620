"""docs/api.md is written from the docstrings, and says every option of the public API."""

from __future__ import annotations

import importlib.util

import pytest

import databoard

from support import ROOT


def make_api():
    spec = importlib.util.spec_from_file_location("make_api", ROOT / "docs" / "make_api.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_reference_is_up_to_date():
    written = (ROOT / "docs" / "api.md").read_text()
    assert written == make_api().render(), "docs/api.md is stale: run python docs/make_api.py"


def test_it_covers_every_public_name():
    written = (ROOT / "docs" / "api.md").read_text()
    for name in databoard.__all__:
        assert f"### `{name}" in written


def test_an_option_without_a_description_is_refused():
    module = make_api()

    class Thin:
        """A kind with a documented option and one left out.

        :param shown: said here.
        """

        def __init__(self, shown: str, hidden: int = 1):
            self.shown, self.hidden = shown, hidden

    missing: list[str] = []
    lines = module.class_section("Thin", Thin, missing)
    assert missing == ["Thin(hidden)"]
    assert "| `shown` | required | said here. |" in lines


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (":class:`~databoard.dashboard.View`", "`View`"),
        (":meth:`load`", "`load`"),
        ("``x`` and ``y``", "`x` and `y`"),
    ],
)
def test_rest_becomes_markdown(text, expected):
    assert make_api().markdown(text) == expected

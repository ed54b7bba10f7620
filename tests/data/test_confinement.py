"""Every file a dashboard reads is inside its folder, however it is reached: real links."""

from __future__ import annotations

import os
import textwrap

import pytest

from databoard import create_app
from databoard.data import sources, worldbank

from support import WORLDBANK_DATA

POP = next(WORLDBANK_DATA.glob("API_SP.POP.TOTL_*.csv"))
LIFE = next(WORLDBANK_DATA.glob("API_SP.DYN.LE00.IN_*.csv"))
META = next(WORLDBANK_DATA.glob("Metadata_Country_*.csv"))


@pytest.fixture
def site(tmp_path):
    """A dashboard folder with a World Bank folder ``wdi/``, and a file outside it all."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / LIFE.name).write_bytes(LIFE.read_bytes())
    root = tmp_path / "site"
    (root / "wdi").mkdir(parents=True)
    (root / "wdi" / POP.name).write_bytes(POP.read_bytes())
    (root / "wdi" / META.name).write_bytes(META.read_bytes())
    (root / "dashboard.yaml").write_text(
        textwrap.dedent(
            """\
            title: Population
            datasets:
              wdi: {source: wdi, format: worldbank}
            charts:
              - {id: rows, title: Rows, kind: table}
            """
        )
    )
    return root, outside


def test_a_link_out_of_a_world_bank_folder_is_refused(site):
    root, outside = site
    os.symlink(outside / LIFE.name, root / "wdi" / LIFE.name)
    with pytest.raises(sources.SourceError, match=f"wdi: {LIFE.name} links to a file outside"):
        sources.read(root, "wdi", "worldbank")
    with pytest.raises(Exception, match="links to a file outside the dashboard's folder"):
        create_app({"TESTING": True, "DASHBOARD": str(root)})
    # Read directly, a World Bank folder refuses to leave itself too.
    with pytest.raises(ValueError, match="a link to a file outside"):
        worldbank.read_folder(root / "wdi")


def test_a_linked_folder_leading_out_is_refused(site):
    root, outside = site
    os.symlink(outside, root / "wdi" / "more")
    with pytest.raises(sources.SourceError, match="wdi: more links to a file outside"):
        sources.read(root, "wdi", "worldbank")


def test_links_that_stay_inside_are_followed(site):
    root, _ = site
    files = root / "wdi" / "files"
    files.mkdir()
    os.replace(root / "wdi" / POP.name, files / POP.name)
    os.symlink(files / POP.name, root / "wdi" / POP.name)
    os.symlink(root / "wdi", files / "back")  # a loop: each real folder is walked once
    frame = sources.read(root, "wdi", "worldbank")
    assert set(frame["indicator_code"]) == {"SP.POP.TOTL"}
    client = create_app({"TESTING": True, "DASHBOARD": str(root)}).test_client()
    assert client.get("/api/v1/dashboards/site/charts/rows").status_code == 200


def test_a_file_link_out_is_refused(site):
    root, outside = site
    os.symlink(outside / LIFE.name, root / "life.csv")
    with pytest.raises(sources.SourceError, match="life.csv: outside the dashboard's folder"):
        sources.read(root, "life.csv")

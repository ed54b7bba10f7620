"""Every data format, read relative to the dashboard file and never from outside it."""

from __future__ import annotations

import pandas as pd
import pytest

from databoard import Dashboard
from databoard.data import sources

from support import ORDERS_CSV, WORLDBANK_DATA

ORDERS = pd.read_csv(pd.io.common.StringIO(ORDERS_CSV))


def write_all_formats(folder):
    folder.write("data/orders.csv", ORDERS_CSV)
    folder.write("data/orders.tsv", ORDERS_CSV.replace(",", "\t"))
    root = folder.root / "data"
    ORDERS.to_parquet(root / "orders.parquet")
    ORDERS.to_excel(root / "orders.xlsx", sheet_name="Orders", index=False)
    ORDERS.to_json(root / "orders.json", orient="records")
    ORDERS.to_json(root / "orders.jsonl", orient="records", lines=True)
    folder.write("data/orders.txt", ORDERS_CSV.replace(",", ";"))


@pytest.mark.parametrize(
    ("source", "options"),
    [
        ("data/orders.csv", {}),
        ("data/orders.tsv", {}),
        ("data/orders.parquet", {}),
        ("data/orders.xlsx", {"sheet_name": "Orders"}),
        ("data/orders.json", {}),
        ("data/orders.jsonl", {}),
        ("data/orders.txt", {"format": "csv", "sep": ";"}),
    ],
)
def test_every_format_reads_the_same_table(folder, source, options):
    write_all_formats(folder)
    frame = sources.read(folder.root, source, **options)
    assert frame.columns.tolist() == ORDERS.columns.tolist()
    assert frame["revenue"].tolist() == ORDERS["revenue"].tolist()
    assert frame["region"].tolist() == ORDERS["region"].tolist()


def test_world_bank_bulk_csv_is_detected(folder):
    (original,) = WORLDBANK_DATA.glob("API_SP.POP.TOTL_*.csv")
    folder.write("pop.csv", original.read_bytes())
    frame = sources.read(folder.root, "pop.csv")
    assert set(frame.columns) >= {"country_code", "indicator_code", "year", "value"}
    row = frame[(frame.country_code == "IND") & (frame.year == 2015)]
    assert row["value"].item() == 1_328_024_498


def test_world_bank_folder_is_one_table(folder):
    for path in WORLDBANK_DATA.glob("*Metadata*"):
        folder.write(f"wdi/{path.name}", path.read_bytes())
    for path in WORLDBANK_DATA.glob("API_SP.POP*"):
        folder.write(f"wdi/{path.name}", path.read_bytes())
    frame = sources.read(folder.root, "wdi")
    assert frame["is_aggregate"].any() and (~frame["is_aggregate"]).any()


def test_a_function_is_a_dataset_too(folder):
    board = Dashboard("f", title="F", root=folder.root)

    @board.dataset
    def numbers():
        return pd.DataFrame({"n": [1, 2, 3]})

    board.load()
    assert board.datasets["numbers"].frame["n"].sum() == 6
    assert board.datasets["numbers"].origin == "numbers()"


def test_a_file_is_read_once_and_shared(folder):
    folder.write("data/orders.csv", ORDERS_CSV)
    board = Dashboard("s", title="S", root=folder.root)
    board.add_dataset("a", source="data/orders.csv")
    board.add_dataset("b", source="data/orders.csv")
    board.load()
    assert board.datasets["a"].frame is board.datasets["b"].frame


def test_a_changed_file_is_read_again(folder):
    path = folder.write("data/orders.csv", ORDERS_CSV)
    first = sources.read(folder.root, "data/orders.csv")
    path.write_text(ORDERS_CSV + "2024-04-01,West,Pro,1,90.0\n")
    assert len(sources.read(folder.root, "data/orders.csv")) == len(first) + 1


@pytest.mark.parametrize("escape", ["../secret.csv", "/etc/passwd", "data/../../secret.csv"])
def test_nothing_outside_the_folder_is_read(folder, escape):
    folder.write("data/orders.csv", ORDERS_CSV)
    (folder.root.parent / "secret.csv").write_text("a\n1\n")
    with pytest.raises(sources.SourceError, match="outside the dashboard's folder"):
        sources.read(folder.root, escape)


def test_a_link_out_of_the_folder_is_refused(folder):
    (folder.root.parent / "secret.csv").write_text("a\n1\n")
    folder.root.mkdir(parents=True)
    (folder.root / "link.csv").symlink_to(folder.root.parent / "secret.csv")
    with pytest.raises(sources.SourceError, match="outside"):
        sources.read(folder.root, "link.csv")


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        ("missing.csv", {}, "no such file"),
        ("data/orders.csv", {"format": "xml"}, "unknown format 'xml'"),
        ("data/notes.md", {}, "cannot tell the format"),
        ("data/broken.parquet", {}, "cannot read as parquet"),
    ],
)
def test_bad_sources_say_what_is_wrong(folder, name, options, message):
    folder.write("data/orders.csv", ORDERS_CSV)
    folder.write("data/notes.md", "# notes")
    folder.write("data/broken.parquet", "not parquet")
    with pytest.raises(sources.SourceError, match=message):
        sources.read(folder.root, name, **options)

"""Compressed data files read by their inner ending, the World Bank detection included."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import zstandard

from databoard import Dashboard
from databoard.data import compression, sources, worldbank
from databoard.data.engines.connections import Engine, table

from support import WORLDBANK_DATA, plotly_dataset

(POPULATION,) = WORLDBANK_DATA.glob("API_SP.POP.TOTL_*.csv")


def compress(data: bytes, ending: str, inner: str = "data") -> bytes:
    """Return *data* compressed as a file with *ending* holds it."""
    if ending == ".zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(inner, data)
        return buffer.getvalue()
    write = {
        ".gz": gzip.compress,
        ".bz2": bz2.compress,
        ".xz": lzma.compress,
        ".zst": zstandard.ZstdCompressor().compress,
    }
    return write[ending](data)


@pytest.fixture(scope="module")
def gapminder(tmp_path_factory) -> Path:
    """Plotly's Gapminder table as a plain CSV file."""
    path = tmp_path_factory.mktemp("plain") / "gapminder.csv"
    path.write_bytes(plotly_dataset("gapminder"))
    return path


@pytest.mark.parametrize("ending", list(compression.ENDINGS))
def test_a_compressed_csv_reads_as_the_plain_one(tmp_path, gapminder, ending):
    name = f"gapminder.csv{ending}"
    (tmp_path / name).write_bytes(compress(gapminder.read_bytes(), ending, "gapminder.csv"))
    frame = sources.read(tmp_path, name)
    pd.testing.assert_frame_equal(frame, pd.read_csv(gapminder))
    assert frame.loc[frame.country.eq("India") & frame.year.eq(2007), "pop"].item() == 1110396331


@pytest.mark.parametrize(
    ("name", "write", "options"),
    [
        ("gapminder.tsv.gz", lambda f, p: f.to_csv(p, sep="\t", index=False), {}),
        ("gapminder.jsonl.xz", lambda f, p: f.to_json(p, orient="records", lines=True), {}),
        ("gapminder.json.bz2", lambda f, p: f.to_json(p, orient="records"), {}),
        ("gapminder.parquet.zst", lambda f, p: f.to_parquet(p, index=False), {}),
        ("gapminder.xlsx.zip", lambda f, p: f.head(200).to_excel(p, index=False), {}),
    ],
)
def test_every_format_reads_by_its_inner_ending(tmp_path, gapminder, name, write, options):
    expected = pd.read_csv(gapminder)
    inner = tmp_path / Path(name).stem
    write(expected, inner)
    (tmp_path / name).write_bytes(compress(inner.read_bytes(), Path(name).suffix, inner.name))
    inner.unlink()
    frame = sources.read(tmp_path, name, **options)
    expected = expected.head(len(frame))
    assert len(frame) == (200 if name.endswith(".zip") else 1704)
    assert frame.columns.tolist() == expected.columns.tolist()
    assert frame["pop"].tolist() == expected["pop"].tolist()
    assert frame["lifeExp"].tolist() == pytest.approx(expected["lifeExp"].tolist())


@pytest.mark.parametrize("ending", list(compression.ENDINGS))
def test_a_compressed_world_bank_file_is_detected(tmp_path, ending):
    name = POPULATION.name + ending
    (tmp_path / name).write_bytes(compress(POPULATION.read_bytes(), ending, POPULATION.name))
    frame = sources.read(tmp_path, name)
    pd.testing.assert_frame_equal(frame, worldbank.read_bulk_csv(POPULATION))
    row = frame[(frame.country_code == "IND") & (frame.year == 2015)]
    assert row["value"].item() == 1_328_024_498


@pytest.mark.parametrize("name", ["pop.csv.gz", "pop.csv", "pop.data"])
def test_a_declared_compression_reaches_the_world_bank_detection(tmp_path, name):
    """``format: csv`` with ``compression: gzip`` once failed on the gzip magic byte."""
    (tmp_path / name).write_bytes(gzip.compress(POPULATION.read_bytes()))
    frame = sources.read(tmp_path, name, "csv", compression="gzip")
    pd.testing.assert_frame_equal(frame, worldbank.read_bulk_csv(POPULATION))


def test_a_world_bank_folder_of_compressed_files(tmp_path):
    for path in [POPULATION, *WORLDBANK_DATA.glob("Metadata_Country_*.csv")]:
        (tmp_path / "wdi" / f"{path.name}.gz").parent.mkdir(exist_ok=True)
        (tmp_path / "wdi" / f"{path.name}.gz").write_bytes(gzip.compress(path.read_bytes()))
    (tmp_path / "plain").mkdir()
    for path in [POPULATION, *WORLDBANK_DATA.glob("Metadata_Country_*.csv")]:
        (tmp_path / "plain" / path.name).write_bytes(path.read_bytes())
    frame = sources.read(tmp_path, "wdi")
    plain = sources.read(tmp_path, "plain")
    pd.testing.assert_frame_equal(frame, plain)
    assert frame["region"].notna().any()


def test_a_dashboard_serves_a_gzipped_source(tmp_path, gapminder):
    (tmp_path / "gapminder.csv.gz").write_bytes(gzip.compress(gapminder.read_bytes()))
    board = Dashboard("g", title="G", root=tmp_path)
    board.add_dataset("gapminder", source="gapminder.csv.gz")
    board.load()
    assert board.datasets["gapminder"].frame["pop"].sum() == pd.read_csv(gapminder)["pop"].sum()


@pytest.mark.parametrize("ending", [".gz", ".zst"])
def test_duckdb_queries_a_compressed_csv_in_place(tmp_path, gapminder, ending):
    path = tmp_path / f"gapminder.csv{ending}"
    path.write_bytes(compress(gapminder.read_bytes(), ending))
    engine = Engine("duckdb://", tmp_path)
    try:
        frame = table(engine, file=path).to_pandas()
    finally:
        engine.close()
    assert len(frame) == 1704
    assert frame["pop"].sum() == pd.read_csv(gapminder)["pop"].sum()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bad.csv.gz", b"not gzip at all", "cannot read as csv: Not a gzipped file"),
        ("bad.csv.xz", b"not xz", "cannot read as csv"),
        ("bad.csv.zst", b"not zstd", "cannot read as csv"),
        ("bad.csv.zip", b"not zip", "cannot read as csv: File is not a zip file"),
        ("two.csv.zip", None, "must hold one file; this one holds a.csv, b.csv"),
        ("notes.md.gz", gzip.compress(b"# notes", mtime=0), "cannot tell the format from '.md'"),
    ],
)
def test_a_bad_compressed_file_says_what_is_wrong(tmp_path, name, data, message):
    if data is None:
        with zipfile.ZipFile(tmp_path / name, "w") as archive:
            archive.writestr("a.csv", "x\n1\n")
            archive.writestr("b.csv", "x\n2\n")
    else:
        (tmp_path / name).write_bytes(data)
    with pytest.raises(sources.SourceError, match=message):
        sources.read(tmp_path, name)


def test_an_unknown_compression_is_named(tmp_path, gapminder):
    with pytest.raises(sources.SourceError, match="unknown compression 'lz4'"):
        sources.read(tmp_path.parent, gapminder.relative_to(tmp_path.parent), compression="lz4")


def test_zstd_without_its_package_names_it(tmp_path, gapminder):
    """Without the optional zstandard package a .zst file says what to install."""
    path = tmp_path / "gapminder.csv.zst"
    path.write_bytes(compress(gapminder.read_bytes(), ".zst"))
    script = (
        "import sys; sys.modules['zstandard'] = None\n"
        "from databoard.data import sources\n"
        "try:\n"
        f"    sources.read({str(tmp_path)!r}, 'gapminder.csv.zst')\n"
        "except sources.SourceError as error:\n"
        "    print(error)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=os.environ, check=True
    )
    assert "needs the zstandard package: pip install 'databoard[zstd]'" in done.stdout

"""Read World Bank bulk CSV downloads into one tidy table.

A bulk file (``API_<code>_DS2_en_csv_v2_<n>.csv``) has a four-line preamble, one column
per year and a trailing comma on every line; newer downloads start with a byte-order mark
and use CRLF. Every economy is a row, so the 217 countries are mixed with aggregates
(World, regions, income groups, "Not classified"); the ``Metadata_Country_*.csv`` file that
ships with each download tells them apart: an aggregate has no region.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .compression import inner_suffix, open_binary, open_text

#: Columns of the tidy table, in order.
COLUMNS = [
    "country",
    "country_code",
    "indicator_code",
    "indicator_name",
    "year",
    "value",
    "region",
    "income_group",
    "is_aggregate",
]

_PREAMBLE_LINES = 4
_YEAR = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class Indicator:
    """One indicator of a bulk file, as its own rows say (never its file name)."""

    code: str
    name: str
    updated: str
    path: Path


def is_bulk_csv(path: str | Path, compression: str | None = "infer") -> bool:
    """Tell whether *path* looks like a World Bank bulk CSV download.

    :param compression: as :func:`.compression.open_binary`; by the file ending if not given.
    """
    with open_text(path, compression, encoding="utf-8-sig", newline="") as f:
        first = next(csv.reader(f), [])
    return first[:1] == ["Data Source"]


def _preamble(path: Path, compression: str | None = "infer") -> dict[str, str]:
    with open_text(path, compression, encoding="utf-8-sig", newline="") as f:
        rows = [row for _, row in zip(range(_PREAMBLE_LINES), csv.reader(f), strict=False)]
    return {row[0]: row[1] for row in rows if len(row) >= 2}


def _table(path: Path, compression: str | None = "infer", **options) -> pd.DataFrame:
    """Read the table under the preamble."""
    with open_binary(path, compression) as f:
        return pd.read_csv(f, skiprows=_PREAMBLE_LINES, encoding="utf-8-sig", **options)


def read_bulk_csv(path: str | Path, compression: str | None = "infer") -> pd.DataFrame:
    """Read one bulk CSV file into tidy rows.

    :param path: a World Bank ``API_*.csv`` file, with or without a byte-order mark,
        possibly compressed (``API_*.csv.gz``).
    :param compression: as :func:`.compression.open_binary`; by the file ending if not given.
    :return: one row per economy, indicator and year, with columns ``country``,
        ``country_code``, ``indicator_code``, ``indicator_name``, ``year`` (int) and
        ``value`` (float, NaN where missing). ``attrs["updated"]`` holds the file's
        "Last Updated Date".
    """
    path = Path(path)
    preamble = _preamble(path, compression)
    if preamble.get("Data Source") is None:
        raise ValueError(f"{path}: not a World Bank bulk CSV (no 'Data Source' line)")
    wide = _table(path, compression, dtype=str)
    years = [c for c in wide.columns if _YEAR.match(str(c))]
    tidy = wide.melt(
        id_vars=["Country Name", "Country Code", "Indicator Name", "Indicator Code"],
        value_vars=years,
        var_name="year",
        value_name="value",
    ).rename(
        columns={
            "Country Name": "country",
            "Country Code": "country_code",
            "Indicator Name": "indicator_name",
            "Indicator Code": "indicator_code",
        }
    )
    tidy["year"] = tidy["year"].astype("int16")
    tidy["value"] = pd.to_numeric(tidy["value"]).astype("float64")
    tidy.attrs["updated"] = preamble.get("Last Updated Date", "")
    return tidy


def indicator_code(path: str | Path) -> str:
    """Return the indicator code of bulk CSV *path*, as its first data row says."""
    first = _table(Path(path), nrows=1)
    return str(first.loc[0, "Indicator Code"])


def read_country_metadata(path: str | Path) -> pd.DataFrame:
    """Read a ``Metadata_Country_*.csv`` file.

    :return: one row per economy with ``country_code``, ``country`` (the current short
        name), ``region`` and ``income_group``; aggregates have no region.
    """
    with open_binary(path) as f:
        meta = pd.read_csv(f, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    meta = meta.rename(
        columns={
            "Country Code": "country_code",
            "TableName": "country",
            "Region": "region",
            "IncomeGroup": "income_group",
        }
    )[["country_code", "country", "region", "income_group"]]
    return meta.replace({"": None})


def _files(folder: Path, pattern: str) -> list[Path]:
    """Return the CSV files in *folder* matching *pattern*, refusing links that leave it.

    Compressed copies (``API_*.csv.gz``) count too. A link in a downloads folder must not
    make it serve a file from elsewhere.
    """
    real = folder.resolve()
    found = sorted(p for p in folder.glob(f"{pattern}*") if inner_suffix(p) == ".csv")
    for path in found:
        if not path.resolve().is_relative_to(real):
            raise ValueError(f"{path}: a link to a file outside {folder}; copy the file in instead")
    return found


def scan_folder(folder: str | Path) -> dict[str, Indicator]:
    """List the indicators of every bulk CSV in *folder*, keyed by indicator code.

    Only the preamble and the first data row of each file are read, so this is cheap
    enough to run when a dashboard module is imported.
    """
    found: dict[str, Indicator] = {}
    for path in _files(Path(folder), "*.csv"):
        if not is_bulk_csv(path):
            continue
        preamble = _preamble(path)
        first = _table(path, nrows=1)
        code = str(first.loc[0, "Indicator Code"])
        if code in found:
            raise ValueError(f"{path}: indicator {code} is also in {found[code].path}")
        found[code] = Indicator(
            code=code,
            name=str(first.loc[0, "Indicator Name"]),
            updated=preamble.get("Last Updated Date", ""),
            path=path,
        )
    return found


def read_folder(folder: str | Path) -> pd.DataFrame:
    """Read every bulk CSV in *folder* and the country metadata into one tidy table.

    Country names come from the metadata file where it has them, so an economy keeps one
    name across files of different vintages. Economies that the metadata file does not
    list (such as ``INX``, "Not classified") count as aggregates.

    :return: a table with the columns in :data:`COLUMNS`; text columns are categoricals.
        ``attrs["indicators"]`` maps each indicator code to its :class:`Indicator`.
    """
    folder = Path(folder)
    indicators = scan_folder(folder)
    if not indicators:
        raise FileNotFoundError(f"{folder}: no World Bank bulk CSV files")
    tidy = pd.concat([read_bulk_csv(ind.path) for ind in indicators.values()], ignore_index=True)
    metadata_files = _files(folder, "Metadata_Country_*.csv")
    if metadata_files:
        meta = read_country_metadata(metadata_files[-1]).set_index("country_code")
        names = tidy["country_code"].map(meta["country"])
        tidy["country"] = names.fillna(tidy["country"])
        tidy["region"] = tidy["country_code"].map(meta["region"])
        tidy["income_group"] = tidy["country_code"].map(meta["income_group"])
    else:
        tidy["region"] = None
        tidy["income_group"] = None
    tidy["is_aggregate"] = tidy["region"].isna()
    for column in ("country", "country_code", "indicator_code", "indicator_name"):
        tidy[column] = tidy[column].astype("category")
    for column in ("region", "income_group"):
        tidy[column] = tidy[column].astype("category")
    tidy = tidy[COLUMNS].sort_values(["indicator_code", "country_code", "year"])
    tidy = tidy.reset_index(drop=True)
    tidy.attrs["indicators"] = indicators
    return tidy

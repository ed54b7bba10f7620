"""The bulk-CSV reader, on the real bundled World Bank files."""

from __future__ import annotations

import pandas as pd
import pytest

from databoard.data import worldbank

from support import WORLDBANK_DATA


@pytest.fixture(scope="module")
def tidy():
    return worldbank.read_folder(WORLDBANK_DATA)


def value(tidy, code, country, year):
    row = tidy[(tidy.indicator_code == code) & (tidy.country_code == country) & (tidy.year == year)]
    assert len(row) == 1
    return row["value"].iloc[0]


@pytest.mark.parametrize(
    ("code", "country", "year", "expected"),
    [
        ("SP.RUR.TOTL.ZS", "IND", 2015, 67.253),
        ("SP.POP.TOTL", "IND", 2015, 1_328_024_498),
        ("SP.RUR.TOTL", "IND", 2015, 880_378_073),
        ("SP.URB.TOTL.IN.ZS", "IND", 2015, 32.777),
        ("SP.DYN.LE00.IN", "IND", 2015, 69.33),
        ("IT.NET.USER.ZS", "IND", 2015, 14.9),
        ("EN.ATM.CO2E.PC", "USA", 2019, 14.67),
        ("NY.GDP.MKTP.CD", "USA", 2020, 2.1354e13),
    ],
)
def test_known_values(tidy, code, country, year, expected):
    assert value(tidy, code, country, year) == pytest.approx(expected, rel=1e-3)


def test_columns_and_types(tidy):
    assert list(tidy.columns) == worldbank.COLUMNS
    assert tidy["year"].dtype.kind == "i"
    assert tidy["value"].dtype == "float64"


def test_missing_values_are_nan_not_zero(tidy):
    # Forest area starts in 1990 in this vintage: earlier years are missing, not zero.
    assert pd.isna(value(tidy, "AG.LND.FRST.K2", "IND", 1980))
    assert value(tidy, "AG.LND.FRST.K2", "IND", 1990) > 0


def test_aggregates_are_flagged(tidy):
    economies = tidy.drop_duplicates("country_code").set_index("country_code")
    assert economies["is_aggregate"].sum() == 49  # 48 in the metadata file, plus INX
    assert (~economies["is_aggregate"]).sum() == 217
    for code in ("WLD", "EUU", "HIC", "SAS", "INX"):
        assert economies.loc[code, "is_aggregate"], code
    assert economies.loc["IND", "region"] == "South Asia"
    assert economies.loc["IND", "income_group"] == "Lower middle income"
    assert not economies.loc["VEN", "is_aggregate"]  # a country without an income group


def test_misnamed_files_are_read_by_indicator_code():
    # The file named ...SP.RUR.TOTL.ZS... holds the absolute count, and the other way round.
    indicators = worldbank.scan_folder(WORLDBANK_DATA)
    assert "SP.RUR.TOTL_DS2" in indicators["SP.RUR.TOTL.ZS"].path.name
    assert "SP.RUR.TOTL.ZS_DS2" in indicators["SP.RUR.TOTL"].path.name
    assert indicators["SP.RUR.TOTL.ZS"].name == "Rural population (% of total population)"


def test_last_updated_dates_are_recorded(tidy):
    indicators = tidy.attrs["indicators"]
    assert indicators["SP.POP.TOTL"].updated == "2025-04-15"
    assert indicators["AG.LND.ARBL.HA.PC"].updated == "2018-05-02"
    assert indicators["SP.RUR.TOTL.ZS"].updated == "2018-05-21"
    assert indicators["EN.ATM.CO2E.PC"].updated == "2023-03-01"


@pytest.mark.parametrize(
    ("pattern", "bom", "crlf"),
    [
        ("API_AG.LND.ARBL.HA.PC_*", False, False),
        ("API_SP.POP.TOTL_*", True, True),
        ("API_EN.ATM.CO2E.PC_*", True, False),
    ],
)
def test_each_file_encoding(pattern, bom, crlf):
    (path,) = WORLDBANK_DATA.glob(pattern)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") is bom
    assert (b"\r\n" in raw[:200]) is crlf
    rows = worldbank.read_bulk_csv(path)
    assert rows["country"].iloc[0] == "Aruba"  # no BOM left in the first header
    assert rows["indicator_code"].nunique() == 1
    assert rows["year"].min() == 1960


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("bom", ["", "\ufeff"])
def test_synthetic_file_in_every_variant(tmp_path, bom, newline):
    lines = [
        '"Data Source","World Development Indicators",',
        "",
        '"Last Updated Date","2024-01-31",',
        "",
        '"Country Name","Country Code","Indicator Name","Indicator Code","2000","2001",',
        '"Chad","TCD","Some thing (units)","X.Y.Z","1.5","",',
    ]
    path = tmp_path / "API_WRONG.NAME_DS2_en_csv_v2_1.csv"
    path.write_bytes((bom + newline.join(lines) + newline).encode("utf-8"))
    rows = worldbank.read_bulk_csv(path)
    assert rows.attrs["updated"] == "2024-01-31"
    assert rows["indicator_code"].tolist() == ["X.Y.Z", "X.Y.Z"]
    assert rows["value"].iloc[0] == 1.5
    assert pd.isna(rows["value"].iloc[1])
    assert worldbank.is_bulk_csv(path)


def test_not_a_bulk_file_is_refused(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("a,b\n1,2\n")
    assert not worldbank.is_bulk_csv(path)
    with pytest.raises(ValueError, match="plain.csv"):
        worldbank.read_bulk_csv(path)

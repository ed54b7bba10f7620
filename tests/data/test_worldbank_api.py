"""The World Bank API client and ``databoard fetch worldbank`` against a local fake API."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from werkzeug import Response

from databoard.cli import main
from databoard.data import worldbank, worldbank_api

SAMPLES = Path(__file__).parent / "samples"
OBSERVATIONS = json.loads((SAMPLES / "api_sample_observations_gdp_south_america.json").read_text())
PAGE = json.loads((SAMPLES / "api_sample_indicator.json").read_text())
GDP = "NY.GDP.MKTP.CD"
PATH = f"/v2/country/all/indicator/{GDP}"


def serve_pages(httpserver, rows: list, per_page: int, updated: str = "2025-07-01") -> None:
    """Serve *rows* as the API does: ``[paging, page of rows]`` for ``?page=N``."""
    pages = math.ceil(len(rows) / per_page)

    def handler(request):
        page = int(request.args["page"])
        header = {
            "page": page,
            "pages": pages,
            "per_page": per_page,
            "total": len(rows),
            "sourceid": "2",
            "lastupdated": updated,
        }
        chunk = rows[(page - 1) * per_page : page * per_page]
        return Response(json.dumps([header, chunk]), content_type="application/json")

    httpserver.expect_request(PATH).respond_with_handler(handler)


def api(httpserver) -> str:
    return httpserver.url_for("/v2")


def test_fetch_reads_every_page(httpserver):
    serve_pages(httpserver, OBSERVATIONS, per_page=250)
    seen = []
    download = worldbank_api.fetch(
        GDP, api_url=api(httpserver), per_page=250, progress=lambda p, n: seen.append((p, n))
    )
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert len(download.rows) == len(OBSERVATIONS) == 600
    assert download.name == "GDP (current US$)"
    assert download.source == "World Development Indicators"
    assert download.updated == "2025-07-01"


def test_written_file_reads_as_a_bulk_download(httpserver, tmp_path):
    serve_pages(httpserver, OBSERVATIONS, per_page=250)
    download = worldbank_api.fetch(GDP, api_url=api(httpserver), per_page=250)
    path = worldbank_api.write_bulk_csv(download, tmp_path)
    assert path.name == f"API_{GDP}_DS2_en_csv_v2.csv"
    tidy = worldbank.read_bulk_csv(path)
    assert tidy.attrs["updated"] == "2025-07-01"
    assert worldbank.scan_folder(tmp_path)[GDP].name == "GDP (current US$)"
    expected = pd.DataFrame(
        {
            "country_code": [r["countryiso3code"] for r in OBSERVATIONS],
            "year": [int(r["date"]) for r in OBSERVATIONS],
            "value": [r["value"] for r in OBSERVATIONS],
        }
    ).astype({"value": "float64"})
    got = tidy[["country_code", "year", "value"]].astype({"year": "int64"})
    merged = expected.merge(got, on=["country_code", "year"], suffixes=("_api", "_file"))
    assert len(merged) == 600
    pd.testing.assert_series_equal(
        merged["value_api"], merged["value_file"], check_names=False, rtol=0, atol=0
    )
    assert tidy["value"].isna().sum() == sum(r["value"] is None for r in OBSERVATIONS) > 0
    assert set(tidy["country"]) == {r["country"]["value"] for r in OBSERVATIONS}


def test_one_page_sample_as_served(httpserver, tmp_path):
    httpserver.expect_request(PATH).respond_with_json(PAGE)
    download = worldbank_api.fetch(GDP, api_url=api(httpserver))
    assert download.updated == "2020-03-18"
    tidy = worldbank.read_bulk_csv(worldbank_api.write_bulk_csv(download, tmp_path))
    by_code = tidy.set_index("country_code")["value"]
    for row in PAGE[1]:
        assert by_code[row["countryiso3code"]] == row["value"]


def test_country_codes_reach_the_api(httpserver):
    rows = [r for r in OBSERVATIONS if r["countryiso3code"] in ("BRA", "ARG")]
    httpserver.expect_request(f"/v2/country/BRA;AR/indicator/{GDP}").respond_with_json(
        [{"page": 1, "pages": 1, "sourceid": "2", "lastupdated": "2025-07-01"}, rows]
    )
    download = worldbank_api.fetch(GDP, ["BRA", "AR"], api_url=api(httpserver))
    assert {r[1] for r in download.rows} == {"BRA", "ARG"}


BAD_ANSWERS = {
    "HTTP 500": (Response("oops", status=500), "HTTP 500"),
    "HTTP 429": (Response("slow down", status=429), "HTTP 429"),
    "malformed JSON": (Response('[{"page": 1', content_type="application/json"), "not valid JSON"),
    "empty page": (
        Response(json.dumps([{"page": 1, "pages": 0, "total": 0}, None])),
        "no observations",
    ),
    "API message": (
        Response(json.dumps([{"message": [{"id": "120", "value": "Invalid value"}]}])),
        "the API says: Invalid value",
    ),
    "not a page": (Response(json.dumps({"rows": []})), "not a page of observations"),
}


@pytest.mark.parametrize("answer", BAD_ANSWERS, ids=list(BAD_ANSWERS))
def test_bad_answer_is_a_clear_error_and_keeps_the_old_file(httpserver, tmp_path, answer):
    response, message = BAD_ANSWERS[answer]
    httpserver.expect_request(PATH).respond_with_response(response)
    old = tmp_path / f"API_{GDP}_DS2_en_csv_v2_391573.csv"
    old.write_bytes(b"old bytes")
    result = CliRunner().invoke(
        main,
        ["fetch", "worldbank", GDP, "--out", str(tmp_path), "--api-url", api(httpserver)]
        + ["--retries", "1", "--backoff", "0"],
    )
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert GDP in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [old.name]
    assert old.read_bytes() == b"old bytes"


def test_retries_a_failing_page_then_succeeds(httpserver, tmp_path):
    header = {"page": 1, "pages": 1, "sourceid": "2", "lastupdated": "2025-07-01"}
    httpserver.expect_ordered_request(PATH).respond_with_data("busy", status=503)
    httpserver.expect_ordered_request(PATH).respond_with_data("later", status=429)
    httpserver.expect_ordered_request(PATH).respond_with_json([header, OBSERVATIONS])
    download = worldbank_api.fetch(GDP, api_url=api(httpserver), retries=2, backoff=0)
    assert len(download.rows) == 600
    assert len(httpserver.log) == 3


def test_slow_answer_times_out(httpserver):
    import time

    def slow(request):
        time.sleep(1)
        return Response("[]")

    httpserver.expect_request(PATH).respond_with_handler(slow)
    with pytest.raises(worldbank_api.WorldBankAPIError, match="within 0.2 s"):
        worldbank_api.fetch(GDP, api_url=api(httpserver), timeout=0.2, retries=0)


def test_cli_replaces_the_older_download_of_the_indicator(httpserver, tmp_path):
    serve_pages(httpserver, OBSERVATIONS, per_page=100)
    older = tmp_path / f"API_{GDP}_DS2_en_csv_v2_391573.csv"
    older.write_text(
        '"Data Source","World Development Indicators",\n\n"Last Updated Date","2020-01-01",\n\n'
        '"Country Name","Country Code","Indicator Name","Indicator Code","2019",\n'
        f'"Aruba","ABW","GDP (current US$)","{GDP}","1",\n'
    )
    result = CliRunner().invoke(
        main, ["fetch", "worldbank", GDP, "--out", str(tmp_path), "--api-url", api(httpserver)]
    )
    assert result.exit_code == 0, result.output
    assert "600 observations, 1974-2023, updated 2025-07-01" in result.output
    assert result.output.splitlines()[0] == GDP  # the progress bar's label (not a terminal)
    assert [p.name for p in tmp_path.iterdir()] == [f"API_{GDP}_DS2_en_csv_v2.csv"]
    assert worldbank.read_folder(tmp_path)["year"].min() == 1974


def test_bad_indicator_code_never_reaches_the_api(httpserver):
    with pytest.raises(worldbank_api.WorldBankAPIError, match="not an indicator code"):
        worldbank_api.fetch("SP.POP/../x", api_url=api(httpserver))
    assert httpserver.log == []
